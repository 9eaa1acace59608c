/* Waitlists with timed offers (waitlist.h, offer.h): joining only what is taken, the offer
 * chain across three groups (decline, lapse, accept), priority by group kind, a slot only
 * partly freed, the offer's exclusivity to the instant it ends, and acceptance through
 * every rule of a request. */
#include "t.h"

#include "audit.h"
#include "fixture.h"
#include "offer.h"
#include "waitlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600

/* A room of its own venue that approves every request, offering for 2 hours. */
struct world {
	struct fx f;
	uint64_t venue, room, a, b, c, d;
	int64_t day; /* 10:00 on a day to come */
};

static bool world_open(struct world *w, const char *room_fields)
{
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Hartley Road", T_ZONE, T_HOURS);
	w->room =
	    fx_room(&w->f, w->venue,
	            room_fields ? room_fields : "{\"approval\": \"auto\", \"offer_hours\": 2}");
	w->a = fx_group(&w->f, "Chess Club", 0);
	w->b = fx_group(&w->f, "Choir", 0);
	w->c = fx_group(&w->f, "Drama Group", 0);
	w->d = fx_group(&w->f, "Yoga", 0);
	w->day = fx_at("2026-03-10T10:00");
	return w->room != 0 && w->d != 0;
}

struct op {
	struct actor a;
	json_t *body;
	uint64_t id;
	int64_t now, next_due;
	struct waitlist_entry e;
	struct booking b;
	const char *what;
};

static enum herr do_op(struct txn *t, void *arg)
{
	struct op *o = arg;

	waitlist_entry_free(&o->e);
	booking_free(&o->b);
	if (strcmp(o->what, "join") == 0)
		return waitlist_join(t, &o->a, o->body, o->now, &o->e);
	if (strcmp(o->what, "leave") == 0)
		return waitlist_leave(t, &o->a, o->id, o->now, &o->e);
	if (strcmp(o->what, "decline") == 0)
		return waitlist_decline(t, &o->a, o->id, o->now, &o->e);
	if (strcmp(o->what, "accept") == 0)
		return waitlist_accept(t, &o->a, o->id, o->body, o->now, &o->b);
	o->next_due = INT64_MAX;
	return offer_sweep(t, o->now, &o->next_due);
}

static enum herr run(struct world *w, const char *what, struct actor a, uint64_t id, json_t *body,
                     struct op *o)
{
	enum herr ret;

	memset(o, 0, sizeof(*o));
	o->a = a;
	o->id = id;
	o->body = body;
	o->now = w->f.now;
	o->what = what;
	ret = db_write(w->f.db, do_op, o, &w->f.err);
	json_decref(body);
	return ret;
}

static void op_free(struct op *o)
{
	waitlist_entry_free(&o->e);
	booking_free(&o->b);
}

/* Joins group to [start, end) of the world's room; the entry id, or 0 with f.err. */
static uint64_t join(struct world *w, uint64_t group, int64_t start, int64_t end, enum herr *ret)
{
	struct op o;
	uint64_t id;

	*ret = run(w, "join", ACTOR_CONSOLE, 0,
	           json_pack("{s:I, s:I, s:I, s:I}", "room_id", (json_int_t)w->room, "group_id",
	                     (json_int_t)group, "start", (json_int_t)start, "end", (json_int_t)end),
	           &o);
	id = o.e.id;
	op_free(&o);
	return *ret == H_OK ? id : 0;
}

static enum herr act(struct world *w, const char *what, uint64_t id)
{
	struct op o;
	enum herr ret = run(w, what, ACTOR_CONSOLE, id, NULL, &o);

	op_free(&o);
	return ret;
}

static int64_t sweep(struct world *w)
{
	struct op o;

	T_EQ_INT(run(w, "sweep", ACTOR_CONSOLE, 0, NULL, &o), H_OK);
	op_free(&o);
	return o.next_due;
}

static struct waitlist_entry entry(struct world *w, uint64_t id)
{
	struct waitlist_entry e;
	struct txn t;

	waitlist_entry_init(&e);
	if (db_read_begin(w->f.db, &t, &w->f.err) == H_OK) {
		waitlist_entry_get(&t, id, &e);
		db_read_end(&t);
	}
	free(e.title);
	e.title = NULL;
	return e;
}

static enum waitlist_state state_of(struct world *w, uint64_t id)
{
	return entry(w, id).state;
}

TEST(waitlist_join_rules)
{
	struct world w;
	enum herr ret;
	uint64_t booking, e;

	T_ASSERT(world_open(&w, NULL));
	/* A free slot is for a request. */
	T_EQ_INT(join(&w, w.b, w.day, w.day + 2 * HOUR, &ret), 0);
	T_EQ_INT(ret, H_ESTATE);
	T_HAS_STR(w.f.err.msg, "ask for it with a booking request");
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((e = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_EQ_INT(state_of(&w, e), WAITLIST_WAITING);
	/* Twice is once too many. */
	T_EQ_INT(join(&w, w.b, w.day, w.day + 2 * HOUR, &ret), 0);
	T_EQ_INT(ret, H_EEXISTS);
	T_HAS_STR(w.f.err.msg, "already on the waitlist");
	/* The group whose booking is in the way has it already. */
	T_EQ_INT(join(&w, w.a, w.day, w.day + 2 * HOUR, &ret), 0);
	T_EQ_INT(ret, H_EEXISTS);
	/* Overlapping part of it is taken too; an end before the start, a slot begun, or one
	 * of more than a week are not slots. */
	T_CHECK(join(&w, w.c, w.day + HOUR, w.day + 3 * HOUR, &ret) != 0);
	T_EQ_INT(join(&w, w.d, w.day + HOUR, w.day, &ret), 0);
	T_EQ_INT(ret, H_EINVAL);
	T_EQ_INT(join(&w, w.d, w.f.now - HOUR, w.f.now + HOUR, &ret), 0);
	T_EQ_INT(ret, H_EINVAL);
	T_EQ_INT(join(&w, w.d, w.day, w.day + 8 * 24 * HOUR, &ret), 0);
	T_EQ_INT(ret, H_EINVAL);
	/* Leaving, and leaving twice. */
	T_EQ_INT(act(&w, "leave", e), H_OK);
	T_EQ_INT(state_of(&w, e), WAITLIST_LEFT);
	T_EQ_INT(act(&w, "leave", e), H_ESTATE);
	/* Having left, the group may join again. */
	T_CHECK(join(&w, w.b, w.day, w.day + 2 * HOUR, &ret) != 0);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* Decline, lapse, accept: the offer passes from B to C to D. */
TEST(waitlist_offer_chain)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, ec, ed, other;
	struct waitlist_entry got;
	struct op o;
	int64_t until;

	T_ASSERT(world_open(&w, NULL));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	w.f.now += 60;
	T_ASSERT((ec = join(&w, w.c, w.day, w.day + 2 * HOUR, &ret)) != 0);
	w.f.now += 60;
	T_ASSERT((ed = join(&w, w.d, w.day, w.day + 2 * HOUR, &ret)) != 0);
	/* Nothing to offer; the clock wakes when the slot begins, to close the line. */
	T_EQ_INT(sweep(&w), w.day);

	/* The booking goes: the first in line gets the offer, for the room's two hours. */
	w.f.now += 60;
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	got = entry(&w, eb);
	T_EQ_INT(got.state, WAITLIST_OFFERED);
	T_EQ_INT(got.offer_until, w.f.now + 2 * HOUR);
	T_EQ_INT(state_of(&w, ec), WAITLIST_WAITING);
	T_EQ_INT(sweep(&w), w.f.now + 2 * HOUR);
	/* Only one offer: nobody else may join for a taken slot without a place in line,
	 * and another request is refused with the offer's end. */
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.a, w.day, w.day + 2 * HOUR, false,
	                    &other, NULL),
	         H_RULE_OFFERED);
	T_HAS_STR(
	    w.f.err.msg,
	    "Main hall is offered to a group on its waitlist until Sunday 1 March 2026, 2:03pm");

	/* B declines: C is next. */
	T_EQ_INT(act(&w, "decline", eb), H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_DECLINED);
	T_EQ_INT(act(&w, "decline", eb), H_ESTATE);
	got = entry(&w, ec);
	T_EQ_INT(got.state, WAITLIST_OFFERED);
	until = got.offer_until;

	/* C lets it lapse: a second before its end it is still C's... */
	w.f.now = until - 1;
	T_EQ_INT(sweep(&w), until);
	T_EQ_INT(state_of(&w, ec), WAITLIST_OFFERED);
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.d, w.day, w.day + 2 * HOUR, false,
	                    &other, NULL),
	         H_RULE_OFFERED);
	/* ...and at its end it is not: C cannot take it, the sweep passes it to D. */
	w.f.now = until;
	T_EQ_INT(act(&w, "accept", ec), H_ESTATE);
	T_HAS_STR(w.f.err.msg, "ended at");
	T_EQ_INT(sweep(&w), until + 2 * HOUR);
	T_EQ_INT(state_of(&w, ec), WAITLIST_LAPSED);
	T_EQ_INT(state_of(&w, ed), WAITLIST_OFFERED);

	/* D accepts: the request is made (approved, as the room approves every request) and
	 * the offer closes with it. */
	T_EQ_INT(
	    run(&w, "accept", ACTOR_CONSOLE, ed, json_pack("{s:s}", "title", "Yoga class"), &o),
	    H_OK);
	T_EQ_INT(o.b.status, BOOKING_APPROVED);
	T_EQ_STR(o.b.title, "Yoga class");
	T_EQ_INT(o.b.group_id, w.d);
	got = entry(&w, ed);
	T_EQ_INT(got.state, WAITLIST_ACCEPTED);
	T_EQ_INT(got.booking_id, o.b.id);
	op_free(&o);
	T_EQ_INT(sweep(&w), INT64_MAX);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

static void set_kind(struct world *w, uint64_t id, const char *kind);

struct kind_op {
	uint64_t id;
	const char *kind;
};

static enum herr do_kind(struct txn *t, void *arg)
{
	struct kind_op *k = arg;
	struct group g;
	json_t *fields = json_pack("{s:s}", "kind", k->kind);
	enum herr ret;

	group_init(&g);
	if ((ret = group_get(t, k->id, &g)) == H_OK &&
	    (ret = group_apply(&g, fields, t->err)) == H_OK)
		ret = group_update(t, &ACTOR_CONSOLE, &g, T_NOW);
	group_free(&g);
	json_decref(fields);
	return ret;
}

static void set_kind(struct world *w, uint64_t id, const char *kind)
{
	struct kind_op k = {id, kind};

	T_EQ_INT(db_write(w->f.db, do_kind, &k, &w->f.err), H_OK);
}

/* Schools, then councils, each first come first served, then everyone else. */
TEST(waitlist_priority_by_kind)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, ec, ed, ea2, e;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\", \"offer_hours\": 2, "
	                        "\"waitlist_priority\": [\"school\", \"council\"]}"));
	set_kind(&w, w.c, "council");
	set_kind(&w, w.d, "school");
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0); /* charity, first */
	w.f.now += 60;
	T_ASSERT((ec = join(&w, w.c, w.day, w.day + 2 * HOUR, &ret)) != 0); /* council */
	w.f.now += 60;
	T_ASSERT((ed = join(&w, w.d, w.day, w.day + 2 * HOUR, &ret)) != 0); /* school, last */
	w.f.now += 60;
	T_ASSERT((ea2 = fx_group(&w.f, "Second School", 0)) != 0);
	set_kind(&w, ea2, "school");
	T_ASSERT((e = join(&w, ea2, w.day, w.day + 2 * HOUR, &ret)) != 0); /* school, later */
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	T_EQ_INT(state_of(&w, ed), WAITLIST_OFFERED);
	T_EQ_INT(act(&w, "decline", ed), H_OK);
	T_EQ_INT(state_of(&w, e), WAITLIST_OFFERED);
	T_EQ_INT(act(&w, "leave", e), H_OK);
	T_EQ_INT(state_of(&w, ec), WAITLIST_OFFERED);
	T_EQ_INT(act(&w, "decline", ec), H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	fx_close(&w.f);
}

/* A slot still blocked in part by another booking, buffers counted, is offered to no one. */
TEST(waitlist_partly_freed)
{
	struct world w;
	enum herr ret;
	uint64_t first, second, eb, ec;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\", \"offer_hours\": 2, "
	                        "\"setup_minutes\": 15}"));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &first) == H_OK);
	/* The second starts at 12:15: its setup meets the first's end. */
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day + 2 * HOUR + 900, w.day + 4 * HOUR, &second) ==
	         H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 3 * HOUR, &ret)) != 0);
	/* C waits only for the morning. */
	T_ASSERT((ec = join(&w, w.c, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, first) == H_OK);
	/* B's slot is still in part the second booking's (with its setup): C, whose slot is
	 * wholly free, gets it though B came first. */
	T_EQ_INT(state_of(&w, eb), WAITLIST_WAITING);
	T_EQ_INT(state_of(&w, ec), WAITLIST_OFFERED);
	T_EQ_INT(act(&w, "decline", ec), H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_WAITING);
	/* The second goes too: now B's slot is wholly free. */
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, second) == H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	fx_close(&w.f);
}

/* While B's offer is open, B may ask for the slot itself (which takes the offer up);
 * nobody else may ask, move onto it or have a request approved over it. */
TEST(waitlist_offer_exclusive)
{
	struct world w;
	enum herr ret;
	uint64_t booking, pending, elsewhere, eb, mine;
	enum booking_status st;
	char move[64];

	T_ASSERT(world_open(&w, "{\"approval\": \"manual\", \"offer_hours\": 2}"));
	T_ASSERT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.c, w.day, w.day + HOUR, false, &pending,
	                    NULL) == H_OK);
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.d, w.day + 5 * HOUR, w.day + 6 * HOUR,
	                    false, &elsewhere, NULL) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	/* Others: a request, an approval of a request made before, a move onto it. */
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.c, w.day + HOUR, w.day + 2 * HOUR, false,
	                    NULL, NULL),
	         H_RULE_OFFERED);
	T_EQ_INT(fx_approve(&w.f, ACTOR_CONSOLE, pending), H_RULE_OFFERED);
	snprintf(move, sizeof(move), "{\"start\": %lld}", (long long)w.day);
	T_EQ_INT(fx_update(&w.f, ACTOR_CONSOLE, elsewhere, move), H_RULE_OFFERED);
	/* Joining the waitlist while the slot is offered is allowed: it is taken. */
	T_CHECK(join(&w, w.c, w.day, w.day + 2 * HOUR, &ret) != 0);
	/* B itself. */
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.b, w.day, w.day + 2 * HOUR, false, &mine,
	                    &st),
	         H_OK);
	T_EQ_INT(st, BOOKING_PENDING);
	T_EQ_INT(entry(&w, eb).state, WAITLIST_ACCEPTED);
	T_EQ_INT(entry(&w, eb).booking_id, mine);
	/* The offer closed: the rules are the room's again. */
	T_EQ_INT(fx_approve(&w.f, ACTOR_CONSOLE, pending), H_OK);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* Accepting is a request like any other: a rule it breaks refuses it with the rule's
 * words, and the offer stays open for the group to try again or decline. */
TEST(waitlist_accept_every_rule)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, ec;
	struct op o;

	T_ASSERT(
	    world_open(&w, "{\"approval\": \"manual\", \"offer_hours\": 2, \"capacity\": 10}"));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT((ec = join(&w, w.c, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	/* Too many people for the room. */
	T_EQ_INT(run(&w, "accept", ACTOR_CONSOLE, eb, json_pack("{s:i}", "attendees", 40), &o),
	         H_RULE_CAPACITY);
	op_free(&o);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	/* Fields a request from the waitlist does not take. */
	T_EQ_INT(run(&w, "accept", ACTOR_CONSOLE, eb, json_pack("{s:i}", "start", 0), &o),
	         H_EINVAL);
	op_free(&o);
	/* C may not answer B's offer. */
	T_EQ_INT(act(&w, "accept", ec), H_ESTATE);
	/* Within the rules: a request, pending as the room says, and the offer is closed. */
	T_EQ_INT(run(&w, "accept", ACTOR_CONSOLE, eb, json_pack("{s:i}", "attendees", 8), &o),
	         H_OK);
	T_EQ_INT(o.b.status, BOOKING_PENDING);
	T_EQ_STR(o.b.title, "Choir");
	op_free(&o);
	T_EQ_INT(state_of(&w, eb), WAITLIST_ACCEPTED);
	T_EQ_INT(state_of(&w, ec), WAITLIST_WAITING);
	fx_close(&w.f);
}

/* Who may join and answer: members for their group, not for another. */
TEST(waitlist_permissions)
{
	struct world w;
	uint64_t booking, member, eb;
	struct op o;
	struct actor m;

	T_ASSERT(world_open(&w, NULL));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((member = fx_user(&w.f, "pat@choir.example", ROLE_MEMBER, w.b)) != 0);
	m = fx_user_actor(member);
	T_EQ_INT(run(&w, "join", m, 0,
	             json_pack("{s:I, s:I, s:I, s:I}", "room_id", (json_int_t)w.room, "group_id",
	                       (json_int_t)w.c, "start", (json_int_t)w.day, "end",
	                       (json_int_t)(w.day + 2 * HOUR)),
	             &o),
	         H_EFORBIDDEN);
	op_free(&o);
	T_EQ_INT(run(&w, "join", m, 0,
	             json_pack("{s:I, s:I, s:s, s:s, s:s}", "room_id", (json_int_t)w.room,
	                       "group_id", (json_int_t)w.b, "start", "2026-03-10T10:00", "end",
	                       "2026-03-10T12:00", "title", "Rehearsal"),
	             &o),
	         H_OK);
	eb = o.e.id;
	T_EQ_INT(o.e.start, w.day);
	op_free(&o);
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	T_EQ_INT(run(&w, "accept", m, eb, NULL, &o), H_OK);
	T_EQ_STR(o.b.title, "Rehearsal");
	op_free(&o);
	fx_close(&w.f);
}

/* An offer's hours are elapsed time: 24 hours from 10am on the Saturday before London's
 * clocks go back end at 9am on the Sunday, and the words say so. */
TEST(waitlist_offer_across_clock_change)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, other;
	struct waitlist_entry got;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\", \"offer_hours\": 24}"));
	w.f.now = fx_at("2026-10-24T10:00");
	w.day = fx_at("2026-10-27T10:00");
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	got = entry(&w, eb);
	T_EQ_INT(got.offer_until, fx_at("2026-10-25T09:00"));
	T_EQ_INT(got.offer_until - w.f.now, 24 * HOUR);
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.c, w.day, w.day + 2 * HOUR, false,
	                    &other, NULL),
	         H_RULE_OFFERED);
	T_HAS_STR(w.f.err.msg, "until Sunday 25 October 2026, 9am");
	fx_close(&w.f);
}

static bool count_expire(const json_t *e, void *arg)
{
	const char *action = json_string_value(json_object_get(e, "action"));

	*(size_t *)arg += action != NULL && strcmp(action, "expire") == 0;
	return true;
}

/* The audit entries that say an entry expired. */
static size_t expired_audits(struct world *w)
{
	size_t n = 0;
	struct txn t;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	audit_each(&t, 0, count_expire, &n);
	db_read_end(&t);
	return n;
}

/* A slot that begins closes its line: a second before the start the entry still waits and
 * the clock is due at the start; at the start the sweep ends it as expired, out of the
 * index, audited, and the clock is due at nothing. */
TEST(waitlist_expires_at_start)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, later;

	T_ASSERT(world_open(&w, NULL));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day + 24 * HOUR, w.day + 26 * HOUR, &later) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT(join(&w, w.c, w.day + 24 * HOUR, w.day + 26 * HOUR, &ret) != 0);

	w.f.now = w.day - 1;
	T_EQ_INT(sweep(&w), w.day);
	T_EQ_INT(state_of(&w, eb), WAITLIST_WAITING);
	T_EQ_INT(expired_audits(&w), 0);

	w.f.now = w.day;
	T_EQ_INT(sweep(&w), w.day + 24 * HOUR);
	T_EQ_INT(state_of(&w, eb), WAITLIST_EXPIRED);
	T_EQ_INT(expired_audits(&w), 1);
	T_EQ_INT(act(&w, "leave", eb), H_ESTATE);
	T_HAS_STR(w.f.err.msg, "is expired");
	T_EQ_INT(fx_check(&w.f), 0);
	/* The booking going now offers the begun slot to nobody. */
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	T_EQ_INT(state_of(&w, eb), WAITLIST_EXPIRED);
	fx_close(&w.f);
}

/* An offer whose slot begins before its hours are up ends when the slot begins: open a
 * second before, refused and expired at the start, and the next in line is not offered a
 * slot that has begun. */
TEST(waitlist_offer_ends_at_start)
{
	struct world w;
	enum herr ret;
	uint64_t booking, eb, ec, other;
	struct waitlist_entry got;

	T_ASSERT(world_open(&w, NULL));
	T_ASSERT(fx_book(&w.f, w.room, w.a, w.day, w.day + 2 * HOUR, &booking) == H_OK);
	T_ASSERT((eb = join(&w, w.b, w.day, w.day + 2 * HOUR, &ret)) != 0);
	T_ASSERT((ec = join(&w, w.c, w.day, w.day + 2 * HOUR, &ret)) != 0);
	w.f.now = w.day - HOUR;
	T_ASSERT(fx_cancel(&w.f, ACTOR_CONSOLE, booking) == H_OK);
	got = entry(&w, eb);
	T_EQ_INT(got.state, WAITLIST_OFFERED);
	T_EQ_INT(got.offer_until, w.day + HOUR);
	T_EQ_INT(sweep(&w), w.day);

	w.f.now = w.day - 1;
	T_EQ_INT(sweep(&w), w.day);
	T_EQ_INT(state_of(&w, eb), WAITLIST_OFFERED);
	T_EQ_INT(fx_request(&w.f, ACTOR_CONSOLE, w.room, w.d, w.day, w.day + 2 * HOUR, false,
	                    &other, NULL),
	         H_RULE_OFFERED);
	T_HAS_STR(w.f.err.msg, "until Tuesday 10 March 2026, 10am");

	w.f.now = w.day;
	T_EQ_INT(act(&w, "accept", eb), H_ESTATE);
	T_HAS_STR(w.f.err.msg, "ended at Tuesday 10 March 2026, 10am");
	T_EQ_INT(sweep(&w), INT64_MAX);
	T_EQ_INT(state_of(&w, eb), WAITLIST_EXPIRED);
	T_EQ_INT(state_of(&w, ec), WAITLIST_EXPIRED);
	T_EQ_INT(expired_audits(&w), 2);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}
