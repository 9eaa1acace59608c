/* halls sweep: runs the clock of fair access now (fair_clock.h), as hallsd does on its
 * timer: every provisional hold and waitlist offer due by now lapses, in one write. For
 * an operator without hallsd, and for tests. Prints each hold that lapsed and what
 * became of its request. */
#include "cli.h"

#include "fair_clock.h"
#include "hold.h"

#include <stdlib.h>
#include <string.h>

struct cmd_sweep {
	int64_t now;
	int64_t next_due;
	json_t *lapsed; /* [{booking_id, until, status}] */
};

/* The holds due, read before the sweep lapses them, then each request as the sweep
 * left it: what lapsed, in the same transaction as the lapse itself. */
static enum herr cmd_sweep_run(struct txn *t, void *arg)
{
	struct cmd_sweep *x = arg;
	struct hold *due = xcalloc(HOLD_SWEEP_BATCH, sizeof(*due));
	int64_t next;
	bool more;
	size_t n;

	json_decref(x->lapsed);
	x->lapsed = json_array();
	n = hold_due(t, false, x->now, due, HOLD_SWEEP_BATCH, &more, &next);
	if (fair_sweep(t, x->now, &x->next_due) == H_OK) {
		for (size_t i = 0; i < n; i++) {
			struct booking b;

			booking_init(&b);
			if (!due[i].orphan && booking_get(t, due[i].booking_id, &b) == H_OK)
				json_array_append_new(x->lapsed,
				                      json_pack("{sI sI ss}", "booking_id",
				                                (json_int_t)b.id, "until",
				                                (json_int_t)due[i].until, "status",
				                                booking_status_name(b.status)));
			booking_free(&b);
		}
	}
	free(due);
	return t->ret;
}

int cmd_sweep(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_sweep x = {.now = c->now};
	char when[32];
	size_t nargs, i;
	json_t *l;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	opt_free(opts);
	if ((rc = run_write(c, cmd_sweep_run, &x, NULL)) != CLI_OK) {
		json_decref(x.lapsed);
		return rc;
	}
	if (c->json) {
		out_json(
		    json_pack("{sO so}", "lapsed", x.lapsed, "next_due",
		              x.next_due == INT64_MAX ? json_null() : json_integer(x.next_due)));
	} else {
		json_array_foreach(x.lapsed, i, l)
		{
			time_format(json_integer_value(json_object_get(l, "until")), TZ_DEFAULT,
			            when);
			printf("booking %lld: hold lapsed at %s, the request is %s\n",
			       (long long)json_integer_value(json_object_get(l, "booking_id")),
			       when, json_string_value(json_object_get(l, "status")));
		}
		if (x.next_due == INT64_MAX) {
			printf("swept: %zu %s lapsed; nothing else is waiting\n",
			       json_array_size(x.lapsed),
			       json_array_size(x.lapsed) == 1 ? "hold" : "holds");
		} else {
			time_format(x.next_due, TZ_DEFAULT, when);
			printf("swept: %zu %s lapsed; next due %s\n", json_array_size(x.lapsed),
			       json_array_size(x.lapsed) == 1 ? "hold" : "holds", when);
		}
	}
	json_decref(x.lapsed);
	return CLI_OK;
}
