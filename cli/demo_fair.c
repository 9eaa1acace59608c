/* The demo's fair access, part by part (demo.h). */
#include "demo.h"

enum herr demo_fair_make(struct txn *t, int64_t now)
{
	enum herr ret;

	if ((ret = demo_date_sets_make(t, now)) != H_OK ||
	    (ret = demo_allowances_make(t, now)) != H_OK ||
	    (ret = demo_holds_make(t, now)) != H_OK || (ret = demo_waitlists_make(t, now)) != H_OK)
		return ret;
	return demo_rounds_make(t, now);
}
