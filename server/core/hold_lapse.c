/* Provisional holds on the clock (hold.h): the warning before a hold lapses, and the
 * lapse itself, which releases the request (a decline by the clock, through booking.c so
 * that every hook of a decline runs, such as a waitlist's offer for the freed slot) or
 * leaves it pending without a hold, as the room says. Above booking.c. */
#include "hold.h"

#include "audit.h"
#include "text.h"
#include "when.h"
#include "xmalloc.h"

#include <jansson.h>
#include <stdlib.h>

struct lapse {
	const struct hold *h;
	bool release;
	int64_t now;
};

/* One lapse, in a nested transaction: a refused release is undone whole and tried again
 * as a keep, so one odd booking never stops the sweep. */
static enum herr lapse_one(struct txn *t, void *arg)
{
	const struct lapse *l = arg;
	struct booking b;
	struct place p;
	char until[WHEN_MAX], note[256];
	json_t *detail;

	booking_init(&b);
	place_init(&p);
	hold_end_entries(t, l->h);
	/* No pending request: nothing to lapse, the hold outlived it (halls check reports
	 * it). */
	if (booking_get(t, l->h->booking_id, &b) != H_OK || b.status != BOOKING_PENDING)
		goto out;
	place_free(&p); /* place_load initialises it again */
	if (place_load(t, b.room_id, &p) != H_OK)
		goto out;
	when_moment(l->h->until, p.venue.tz, until, sizeof(until));
	text_format(note, sizeof(note),
	            l->release ? "The provisional hold ended on %s with no decision, so the "
	                         "request was released."
	                       : "The provisional hold ended on %s with no decision; the request "
	                         "still waits.",
	            until);
	if (l->release) {
		booking_free(&b);
		if (booking_release(t, l->h->booking_id, note, l->now, &b) != H_OK)
			goto out;
	}
	notify_hold_lapsed(t, &b, l->h->until, l->release, l->now);
	detail = json_pack("{sIss}", "until", (json_int_t)l->h->until, "lapse",
	                   l->release ? "release" : "keep");
	audit_append(t, &ACTOR_CONSOLE, "booking", b.id, "hold-lapse", note, detail, l->now);
	json_decref(detail);
out:
	booking_free(&b);
	place_free(&p);
	return t->ret;
}

static enum herr hold_lapse(struct txn *t, const struct hold *h, int64_t now)
{
	struct lapse l = {h, false, now};
	struct room r;
	struct booking b;
	enum herr ret;

	if (h->orphan) {
		hold_end_entries(t, h);
		return t->ret;
	}
	booking_init(&b);
	if (booking_get(t, h->booking_id, &b) == H_OK) {
		room_init(&r);
		if (room_get(t, b.room_id, &r) == H_OK)
			l.release = r.hold_lapse == HOLD_LAPSE_RELEASE;
		room_free(&r);
	}
	booking_free(&b);
	if (t->ret != H_OK)
		return t->ret;
	ret = txn_try(t, lapse_one, &l);
	if (ret != H_OK && t->ret == H_OK && l.release) {
		l.release = false;
		ret = txn_try(t, lapse_one, &l);
	}
	if (ret != H_OK && t->ret == H_OK)
		hold_end_entries(t, h); /* never the same lapse again */
	return t->ret;
}

static enum herr hold_warn(struct txn *t, const struct hold *h, int64_t now)
{
	struct booking b;

	if (h->orphan) {
		hold_end_entries(t, h);
		return t->ret;
	}
	booking_init(&b);
	if (booking_get(t, h->booking_id, &b) == H_OK && b.status == BOOKING_PENDING) {
		json_t *detail = json_pack("{sI}", "until", (json_int_t)h->until);

		notify_hold_ending(t, &b, h->until, now);
		hold_mark_warned(t, h);
		audit_append(t, &ACTOR_CONSOLE, "booking", b.id, "hold-warning", NULL, detail, now);
		json_decref(detail);
	} else if (t->ret == H_OK) {
		hold_end_entries(t, h);
	}
	booking_free(&b);
	return t->ret;
}

/* One pass over one queue: lapses (warnings false) or warnings, at most a batch. */
static enum herr hold_pass(struct txn *t, bool warnings, int64_t now, int64_t *next_due)
{
	struct hold *due = xcalloc(HOLD_SWEEP_BATCH, sizeof(*due));
	bool more;
	int64_t next;
	size_t n;

	n = hold_due(t, warnings, now, due, HOLD_SWEEP_BATCH, &more, &next);
	for (size_t i = 0; i < n && t->ret == H_OK; i++)
		if (warnings)
			hold_warn(t, &due[i], now);
		else
			hold_lapse(t, &due[i], now);
	free(due);
	if (more)
		next = now;
	if (next < *next_due)
		*next_due = next;
	return t->ret;
}

enum herr hold_sweep(struct txn *t, int64_t now, int64_t *next_due)
{
	/* Lapses first: a hold whose warning and end are both due (the server was down)
	 * lapses without a warning that would come too late. */
	if (hold_pass(t, false, now, next_due) != H_OK)
		return t->ret;
	return hold_pass(t, true, now, next_due);
}
