#include "fair.h"

#include "allowance.h"
#include "hold.h"
#include "offer.h"

enum herr fair_judge_request(struct txn *t, const struct actor *a, struct booking *b,
                             const struct place *p, int64_t now)
{
	enum herr ret;

	if ((ret = hold_judge(t, b, p, now)) != H_OK || (ret = offer_judge(t, b, p, now)) != H_OK)
		return ret;
	return allowance_judge(t, a, b, p, false, false, now);
}

enum herr fair_judge_approval(struct txn *t, const struct actor *a, const struct booking *b,
                              const struct place *p, bool override, int64_t now)
{
	struct booking judged = *b;
	enum herr ret;

	if ((ret = hold_judge(t, b, p, now)) != H_OK || (ret = offer_judge(t, b, p, now)) != H_OK)
		return ret;
	/* allowance_judge may change a request's status; an approval's stays as it is. */
	return allowance_judge(t, a, &judged, p, true, override, now);
}

void fair_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                       const struct booking *b, const struct place *p, bool override, int64_t now)
{
	hold_after_change(t, a, old, b, p, now);
	offer_after_change(t, a, old, b, p, now);
	allowance_after_change(t, a, old, b, p, override, now);
}
