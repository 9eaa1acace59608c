#include "waitlist.h"

/* SCAFFOLD: helper "waitlist" replaces this file. */
enum herr offer_sweep(struct txn *t, int64_t now, int64_t *next_due)
{
	(void)now, (void)next_due;
	return t->ret;
}
