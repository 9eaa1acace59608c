#include "demo.h"

/* SCAFFOLD: the helper of this part replaces this file. */
enum herr demo_holds_make(struct txn *t, int64_t now)
{
	(void)now;
	return t->ret;
}
