#include "fair_clock.h"

#include "hold.h"
#include "waitlist.h"

enum herr fair_sweep(struct txn *t, int64_t now, int64_t *next_due)
{
	*next_due = INT64_MAX;
	if (hold_sweep(t, now, next_due) != H_OK)
		return t->ret;
	return offer_sweep(t, now, next_due);
}
