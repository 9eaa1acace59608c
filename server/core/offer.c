#include "offer.h"

/* SCAFFOLD: helper "waitlist" replaces this file. */
enum herr offer_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now)
{
	(void)b, (void)p, (void)now;
	return t->ret;
}

void offer_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                        const struct booking *b, const struct place *p, int64_t now)
{
	(void)t, (void)a, (void)old, (void)b, (void)p, (void)now;
}
