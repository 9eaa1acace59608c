#include "hold.h"

/* SCAFFOLD: helper "hold" replaces this file. */
enum herr hold_sweep(struct txn *t, int64_t now, int64_t *next_due)
{
	(void)now, (void)next_due;
	return t->ret;
}
