#include "offer.h"

#include "audit.h"
#include "group.h"
#include "hold.h"
#include "notify_waitlist.h"
#include "when.h"

#include <stdlib.h>
#include <string.h>

/* An offer that lasts no time at all would be no offer: a room with offer_hours 0 (or a
 * record older than the field) offers for a day. */
#define OFFER_HOURS_DEFAULT 24

struct in_the_way {
	struct txn *t;
	uint64_t group_id;
	bool any_state;
	int64_t now;
	uint64_t found;
	int64_t until;
};

static bool offer_blocks(const struct waitlist_slot *s, void *arg)
{
	struct in_the_way *w = arg;
	struct waitlist_entry e;

	if (s->state != WAITLIST_OFFERED || s->group_id == w->group_id || s->id == w->found)
		return true;
	if (waitlist_entry_get(w->t, s->id, &e) == H_OK &&
	    (w->any_state || waitlist_offer_open(&e, w->now))) {
		w->found = e.id;
		w->until = waitlist_offer_end(&e);
	}
	waitlist_entry_free(&e);
	return w->found == 0 && w->t->ret == H_OK;
}

uint64_t offer_in_the_way(struct txn *t, const struct place *p, uint64_t group_id, int64_t start,
                          int64_t end, bool any_state, int64_t now, int64_t *until)
{
	struct in_the_way w = {.t = t, .group_id = group_id, .any_state = any_state, .now = now};

	waitlist_slots(t, p->room.id, start, end, room_gap_seconds(&p->room), offer_blocks, &w);
	if (until != NULL)
		*until = w.until;
	return w.found;
}

enum herr offer_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now)
{
	char when[WHEN_MAX];
	int64_t until = 0;

	if (t->ret != H_OK ||
	    offer_in_the_way(t, p, b->group_id, b->start, b->end, false, now, &until) == 0)
		return t->ret;
	when_moment(until, p->venue.tz, when, sizeof(when));
	return txn_refuse(t, H_RULE_OFFERED, "%s is offered to a group on its waitlist until %s",
	                  p->room.name, when);
}

static bool any_block(const struct block *b, void *arg)
{
	(void)b;
	*(bool *)arg = true;
	return false;
}

/* hold_judge of a request of e's group for e's slot, asked without its refusal sticking. */
struct hold_probe {
	const struct place *p;
	struct booking b;
	int64_t now;
};

static enum herr hold_probe_run(struct txn *t, void *arg)
{
	struct hold_probe *h = arg;

	return hold_judge(t, &h->b, h->p, h->now);
}

static bool held_by_another(struct txn *t, const struct place *p, const struct waitlist_entry *e,
                            int64_t now)
{
	struct hold_probe h = {.p = p, .now = now};
	struct herror kept = *t->err;
	enum herr ret;

	booking_init(&h.b);
	h.b.room_id = e->room_id;
	h.b.group_id = e->group_id;
	h.b.start = e->start;
	h.b.end = e->end;
	h.b.status = BOOKING_PENDING;
	ret = txn_ask(t, hold_probe_run, &h);
	if (t->ret == H_OK)
		*t->err = kept;
	return ret != H_OK;
}

bool offer_slot_free(struct txn *t, const struct place *p, const struct waitlist_entry *e,
                     uint64_t except, int64_t now)
{
	bool taken = false;
	uint64_t other;

	if (booking_blocks(t, p->room.id, BOOKING_APPROVED, e->start, e->end,
	                   room_gap_seconds(&p->room), any_block, &taken) != H_OK ||
	    taken)
		return false;
	other = offer_in_the_way(t, p, e->group_id, e->start, e->end, true, now, NULL);
	if (other != 0 && other != except)
		return false;
	return !held_by_another(t, p, e, now) && t->ret == H_OK;
}

/* --- who is next --- */

/* Where a group's kind stands in the room's priority: its index there, or after them all. */
static size_t kind_rank(struct txn *t, const struct room *r, uint64_t group_id)
{
	struct group g;
	size_t rank = r->nwaitlist_priority;

	if (r->nwaitlist_priority == 0)
		return 0;
	group_init(&g);
	if (group_get(t, group_id, &g) == H_OK) {
		for (size_t i = 0; i < r->nwaitlist_priority; i++)
			if (r->waitlist_priority[i] == g.kind) {
				rank = i;
				break;
			}
	} else if (t->ret == H_OK) {
		*t->err = (struct herror){0};
	}
	group_free(&g);
	return rank;
}

struct next_pick {
	struct txn *t;
	const struct place *p;
	int64_t now;
	uint64_t best_id;
	size_t best_rank;
	int64_t best_joined;
};

static bool consider(const struct waitlist_slot *s, void *arg)
{
	struct next_pick *np = arg;
	struct waitlist_entry e;
	size_t rank;

	if (s->state != WAITLIST_WAITING || s->start <= np->now)
		return true;
	if (waitlist_entry_get(np->t, s->id, &e) != H_OK) {
		waitlist_entry_free(&e);
		return np->t->ret == H_OK;
	}
	rank = kind_rank(np->t, &np->p->room, e.group_id);
	if ((np->best_id == 0 || rank < np->best_rank ||
	     (rank == np->best_rank && (e.joined_at < np->best_joined ||
	                                (e.joined_at == np->best_joined && e.id < np->best_id)))) &&
	    offer_slot_free(np->t, np->p, &e, 0, np->now)) {
		np->best_id = e.id;
		np->best_rank = rank;
		np->best_joined = e.joined_at;
	}
	waitlist_entry_free(&e);
	return np->t->ret == H_OK;
}

static void offer_make(struct txn *t, const struct actor *a, const struct place *p, uint64_t id,
                       bool next, int64_t now)
{
	struct waitlist_entry e, old;
	uint32_t hours = p->room.offer_hours > 0 ? p->room.offer_hours : OFFER_HOURS_DEFAULT;
	json_t *detail;

	if (waitlist_entry_get(t, id, &old) != H_OK) {
		waitlist_entry_free(&old);
		return;
	}
	waitlist_entry_get(t, id, &e);
	e.state = WAITLIST_OFFERED;
	e.offered_at = now;
	e.offer_until = now + (int64_t)hours * 3600;
	e.updated_at = now;
	e.updated_by = a != NULL ? a->user_id : 0;
	waitlist_entry_store(t, &e, &old);
	detail = json_pack("{s:I, s:I, s:I, s:I, s:I}", "room_id", (json_int_t)e.room_id,
	                   "group_id", (json_int_t)e.group_id, "start", (json_int_t)e.start, "end",
	                   (json_int_t)e.end, "offer_until", (json_int_t)e.offer_until);
	audit_append(t, a, "waitlist", e.id, "offer", NULL, detail, now);
	json_decref(detail);
	notify_waitlist_offered(t, a, &e, p, next, now);
	waitlist_entry_free(&e);
	waitlist_entry_free(&old);
}

/* The next offer, if any; true when one was made. */
static bool offer_one(struct txn *t, const struct actor *a, const struct place *p, int64_t start,
                      int64_t end, bool next, int64_t now)
{
	struct next_pick np = {.t = t, .p = p, .now = now};

	waitlist_slots(t, p->room.id, start, end, room_gap_seconds(&p->room), consider, &np);
	if (np.best_id == 0 || t->ret != H_OK)
		return false;
	offer_make(t, a, p, np.best_id, next, now);
	return t->ret == H_OK;
}

enum herr offer_next(struct txn *t, const struct actor *a, const struct place *p, int64_t start,
                     int64_t end, bool next, int64_t now)
{
	/* Each offer blocks the slots that overlap it, so this ends: at most one offer per
	 * waiting entry. */
	while (offer_one(t, a, p, start, end, next, now))
		;
	return t->ret;
}

/* --- bookings that change --- */

static bool live(enum booking_status s)
{
	return s == BOOKING_PENDING || s == BOOKING_APPROVED;
}

/* The group's request for the very slot it waits for, or was offered, takes its place
 * up: the entries are found first and changed after the scan, which must not see its own
 * index change under it. */
#define TAKEN_UP_MAX 8 /* a group joins a slot once; a few left over from races at most */

struct taken_up {
	const struct booking *b;
	uint64_t ids[TAKEN_UP_MAX];
	size_t n;
};

static bool find_own(const struct waitlist_slot *s, void *arg)
{
	struct taken_up *u = arg;

	if (s->group_id == u->b->group_id && s->start == u->b->start && s->end == u->b->end &&
	    waitlist_live(s->state))
		u->ids[u->n++] = s->id;
	return u->n < TAKEN_UP_MAX;
}

static void take_up(struct txn *t, const struct actor *a, const struct booking *b, uint64_t id,
                    int64_t now)
{
	struct waitlist_entry e, old;
	json_t *detail;

	if (waitlist_entry_get(t, id, &old) != H_OK) {
		waitlist_entry_free(&old);
		return;
	}
	waitlist_entry_get(t, id, &e);
	e.state = WAITLIST_ACCEPTED;
	e.booking_id = b->id;
	e.updated_at = now;
	e.updated_by = a != NULL ? a->user_id : 0;
	waitlist_entry_store(t, &e, &old);
	detail = json_pack("{s:I, s:I, s:I, s:s}", "room_id", (json_int_t)e.room_id, "group_id",
	                   (json_int_t)e.group_id, "booking_id", (json_int_t)e.booking_id, "was",
	                   waitlist_state_name(old.state));
	audit_append(t, a, "waitlist", e.id, "accept", NULL, detail, now);
	json_decref(detail);
	waitlist_entry_free(&e);
	waitlist_entry_free(&old);
}

void offer_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                        const struct booking *b, const struct place *p, int64_t now)
{
	if (t->ret != H_OK)
		return;
	if (live(b->status) && (old == NULL || old->start != b->start || old->end != b->end)) {
		struct taken_up u = {.b = b};

		waitlist_slots(t, p->room.id, b->start, b->end, 0, find_own, &u);
		for (size_t i = 0; i < u.n && t->ret == H_OK; i++)
			take_up(t, a, b, u.ids[i], now);
	}
	/* What the booking gave up: all of it when it ended, its old times when it moved. */
	if (old != NULL && live(old->status) &&
	    (!live(b->status) || old->start != b->start || old->end != b->end))
		offer_next(t, a, p, old->start, old->end, false, now);
}
