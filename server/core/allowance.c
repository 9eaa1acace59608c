#include "allowance.h"

/* SCAFFOLD: helper "allowance" replaces this file. */
enum herr allowance_judge(struct txn *t, const struct actor *a, struct booking *b,
                          const struct place *p, bool approving, bool override, int64_t now)
{
	(void)a, (void)b, (void)p, (void)approving, (void) override, (void)now;
	return t->ret;
}

void allowance_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                            const struct booking *b, const struct place *p, bool override,
                            int64_t now)
{
	(void)t, (void)a, (void)old, (void)b, (void)p, (void) override, (void)now;
}
