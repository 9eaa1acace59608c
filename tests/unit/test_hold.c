/* Provisional holds (hold.h): the held slot refused to other groups up to the second the
 * hold ends, buffers counted; the same group, an approval and a move; the sweep's
 * warning (once) and lapse (release or keep), also after the store was closed past the
 * hold's end; next_due; and halls check. */
#include "t.h"

#include "fair_clock.h"
#include "fixture.h"
#include "hold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600

/* A venue with a manager, a room that holds requests, two groups with a member each. */
struct held_world {
	struct fx f;
	uint64_t venue, room, a, b, manager, member_a, member_b;
	int64_t start, end; /* the slot group a asks for */
};

static bool held_open(struct held_world *w, const char *room_fields)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Hartley Road Community Centre", T_ZONE, T_HOURS);
	w->room = fx_room(&w->f, w->venue, room_fields);
	w->a = fx_group(&w->f, "Riverside Choir", 0);
	w->b = fx_group(&w->f, "Chess Club", 0);
	w->manager = fx_user(&w->f, "priya@hartley.example", ROLE_MANAGER, w->venue);
	w->member_a = fx_user(&w->f, "pat@choir.example", ROLE_MEMBER, w->a);
	w->member_b = fx_user(&w->f, "ola@chess.example", ROLE_MEMBER, w->b);
	w->start = fx_at("2026-03-10T10:00");
	w->end = fx_at("2026-03-10T12:00");
	return w->venue && w->room && w->a && w->b && w->manager && w->member_a && w->member_b;
}

static enum herr ask(struct held_world *w, uint64_t group, int64_t start, int64_t end, uint64_t *id)
{
	return fx_request(&w->f, ACTOR_CONSOLE, w->room, group, start, end, false, id, NULL);
}

struct op_sweep {
	int64_t now, next_due;
};

static enum herr do_sweep(struct txn *t, void *arg)
{
	struct op_sweep *o = arg;

	return fair_sweep(t, o->now, &o->next_due);
}

/* Runs the clock at now; the next time anything falls due. */
static int64_t sweep_at(struct held_world *w, int64_t now)
{
	struct op_sweep o = {now, 0};

	T_EQ_ERR(db_write(w->f.db, do_sweep, &o, &w->f.err), H_OK, &w->f.err);
	return o.next_due;
}

static bool held(struct held_world *w, uint64_t id, struct hold *h)
{
	struct txn t;
	int found;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return false;
	found = hold_get(&t, id, h);
	db_read_end(&t);
	return found == 1;
}

struct count {
	const char *kind;
	const char *to; /* NULL: anyone */
	size_t n;
};

static bool count_one(const struct outbox_msg *m, void *arg)
{
	struct count *c = arg;

	if (strcmp(m->kind, c->kind) == 0 && (c->to == NULL || strcmp(m->to, c->to) == 0))
		c->n++;
	return true;
}

/* How many messages of kind went to to (NULL: anyone). */
static size_t sent(struct held_world *w, const char *kind, const char *to)
{
	struct count c = {kind, to, 0};
	struct txn t;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	outbox_each(&t, -1, count_one, &c);
	db_read_end(&t);
	return c.n;
}

static enum booking_status status_of(struct held_world *w, uint64_t id)
{
	struct booking b;
	enum booking_status s;

	T_EQ_ERR(fx_get(&w->f, id, &b), H_OK, &w->f.err);
	s = b.status;
	booking_free(&b);
	return s;
}

TEST(hold_boundary)
{
	struct held_world w;
	uint64_t id, other;
	struct hold h;
	int64_t until;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	T_ASSERT(held(&w, id, &h));
	until = T_NOW + 48 * HOUR;
	T_EQ_INT(h.until, until);
	/* A quarter of 48 hours is 12: the warning goes when 12 hours remain. */
	T_EQ_INT(h.warn_at, until - 12 * HOUR);
	T_CHECK(!h.warned);
	/* The last second of the hold: refused, in words, naming no group. */
	w.f.now = until - 1;
	T_EQ_ERR(ask(&w, w.b, w.start, w.end, &other), H_RULE_HELD, &w.f.err);
	T_HAS_STR(w.f.err.msg,
	          "Main Hall is held for another group's request until Tuesday 3 March "
	          "2026, midday");
	T_CHECK(strstr(w.f.err.msg, "Riverside") == NULL);
	/* A slot that only touches it is free. */
	T_EQ_ERR(ask(&w, w.b, w.end, w.end + HOUR, &other), H_OK, &w.f.err);
	/* At until the hold has ended, swept or not. */
	w.f.now = until;
	T_EQ_ERR(ask(&w, w.b, w.start, w.end, &other), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(hold_buffers)
{
	struct held_world w;
	uint64_t id, other;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48, \"setup_minutes\": "
	                       "30, \"cleanup_minutes\": 15}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	/* 45 minutes between two bookings: 12:44 is too close, 12:45 is not. */
	T_EQ_ERR(ask(&w, w.b, w.end + 44 * 60, w.end + 2 * HOUR, &other), H_RULE_HELD, &w.f.err);
	T_HAS_STR(w.f.err.msg, "counting 30 minutes to set up and 15 to clear away");
	T_EQ_ERR(ask(&w, w.b, w.start - 2 * HOUR, w.start - 44 * 60, &other), H_RULE_HELD,
	         &w.f.err);
	T_EQ_ERR(ask(&w, w.b, w.end + 45 * 60, w.end + 2 * HOUR, &other), H_OK, &w.f.err);
	T_EQ_ERR(ask(&w, w.b, w.start - 2 * HOUR, w.start - 45 * 60, &other), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(hold_same_group_and_approval)
{
	struct held_world w;
	uint64_t id, mine, other;
	struct hold h;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	/* The group's own second request may overlap its hold (and holds nothing more
	 * against it). */
	T_EQ_ERR(ask(&w, w.a, w.start + HOUR, w.end + HOUR, &mine), H_OK, &w.f.err);
	/* The held request itself is approved; the approval ends the hold. */
	w.f.now += HOUR;
	T_EQ_ERR(fx_approve(&w.f, fx_user_actor(w.manager), id), H_OK, &w.f.err);
	T_CHECK(!held(&w, id, &h));
	/* Approved, it blocks as any approval does. */
	T_EQ_ERR(ask(&w, w.b, w.start, w.end, &other), H_ECONFLICT, &w.f.err);
	/* Nothing left to lapse. */
	T_EQ_INT(sweep_at(&w, T_NOW + 100 * HOUR), INT64_MAX);
	T_EQ_INT(status_of(&w, id), BOOKING_APPROVED);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* Another group's request made before the room held anything cannot be approved over a
 * hold made since. */
struct op_room {
	uint64_t id;
	const char *fields;
	int64_t now;
};

static enum herr do_room(struct txn *t, void *arg)
{
	struct op_room *o = arg;
	json_t *j = json_loads(o->fields, 0, NULL);
	struct room r;
	enum herr ret;

	room_init(&r);
	ret = room_get(t, o->id, &r);
	if (ret == H_OK)
		ret = room_apply(&r, j, t->err);
	if (ret == H_OK)
		ret = room_update(t, &ACTOR_CONSOLE, &r, o->now);
	room_free(&r);
	json_decref(j);
	return ret;
}

TEST(hold_refuses_approval)
{
	struct held_world w;
	struct op_room o;
	uint64_t id, earlier;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\"}"));
	T_EQ_ERR(ask(&w, w.b, w.start, w.end, &earlier), H_OK, &w.f.err);
	o = (struct op_room){w.room, "{\"hold_hours\": 48}", w.f.now};
	T_EQ_ERR(db_write(w.f.db, do_room, &o, &w.f.err), H_OK, &w.f.err);
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, fx_user_actor(w.manager), earlier), H_RULE_HELD, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, fx_user_actor(w.manager), id), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(hold_move_ends_it)
{
	struct held_world w;
	uint64_t id, other;
	struct hold h;
	char fields[64];

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	/* Another group cannot move onto the held slot. */
	T_EQ_ERR(ask(&w, w.b, w.end + HOUR, w.end + 3 * HOUR, &other), H_OK, &w.f.err);
	snprintf(fields, sizeof(fields), "{\"start\": %lld}", (long long)w.start);
	T_EQ_ERR(fx_update(&w.f, ACTOR_CONSOLE, other, fields), H_RULE_HELD, &w.f.err);
	/* An edit keeps the hold, a move ends it: the request waits at its new time. */
	T_EQ_ERR(fx_update(&w.f, ACTOR_CONSOLE, id, "{\"title\": \"Choir\"}"), H_OK, &w.f.err);
	T_CHECK(held(&w, id, &h));
	snprintf(fields, sizeof(fields), "{\"start\": %lld}", (long long)(w.start + 86400));
	T_EQ_ERR(fx_update(&w.f, ACTOR_CONSOLE, id, fields), H_OK, &w.f.err);
	T_CHECK(!held(&w, id, &h));
	T_EQ_INT(status_of(&w, id), BOOKING_PENDING);
	snprintf(fields, sizeof(fields), "{\"start\": %lld}", (long long)w.start);
	T_EQ_ERR(fx_update(&w.f, ACTOR_CONSOLE, other, fields), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(hold_warning_once)
{
	struct held_world w;
	uint64_t id;
	struct hold h;
	int64_t until = T_NOW + 48 * HOUR, warn = until - 12 * HOUR;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	/* next_due: the warning first. */
	T_EQ_INT(sweep_at(&w, T_NOW), warn);
	T_EQ_INT(sweep_at(&w, warn - 1), warn);
	T_EQ_INT(sent(&w, "hold-ending", NULL), 0);
	/* Due: the group's member and the venue's manager, not the other group. */
	T_EQ_INT(sweep_at(&w, warn), until);
	T_EQ_INT(sent(&w, "hold-ending", "pat@choir.example"), 1);
	T_EQ_INT(sent(&w, "hold-ending", "priya@hartley.example"), 1);
	T_EQ_INT(sent(&w, "hold-ending", "ola@chess.example"), 0);
	T_ASSERT(held(&w, id, &h));
	T_CHECK(h.warned);
	/* Once. */
	T_EQ_INT(sweep_at(&w, warn + 10), until);
	T_EQ_INT(sweep_at(&w, until - 1), until);
	T_EQ_INT(sent(&w, "hold-ending", NULL), 2);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* An audit entry of the booking with action. */
struct audit_find {
	const char *action;
	size_t n;
};

static bool audit_one(const json_t *e, void *arg)
{
	struct audit_find *a = arg;
	const char *action = json_string_value(json_object_get(e, "action"));

	a->n += action != NULL && strcmp(action, a->action) == 0;
	return true;
}

static size_t audited(struct held_world *w, uint64_t id, const char *action)
{
	struct audit_find a = {action, 0};
	struct txn t;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	audit_each(&t, id, audit_one, &a);
	db_read_end(&t);
	return a.n;
}

TEST(hold_lapses_while_down)
{
	struct held_world w;
	uint64_t id, other;
	struct hold h;
	struct booking b;
	int64_t until = T_NOW + 48 * HOUR;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48, \"hold_lapse\": "
	                       "\"release\"}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	/* The store closes (hallsd is down) over the warning and the end... */
	db_close(w.f.db);
	w.f.db = NULL;
	T_EQ_ERR(db_open(&w.f.db, w.f.dir, false, NULL, &w.f.err), H_OK, &w.f.err);
	T_ASSERT(w.f.db != NULL);
	/* ...and opens three days later: the first sweep catches up. */
	T_EQ_INT(sweep_at(&w, until + 72 * HOUR), INT64_MAX);
	T_CHECK(!held(&w, id, &h));
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.status, BOOKING_DECLINED);
	T_EQ_INT(b.decided_by, 0);
	T_HAS_STR(b.note, "The provisional hold ended on Tuesday 3 March 2026, midday");
	booking_free(&b);
	/* Lapsed, not warned too late; both told what happened. */
	T_EQ_INT(sent(&w, "hold-ending", NULL), 0);
	T_EQ_INT(sent(&w, "hold-lapsed", "pat@choir.example"), 1);
	T_EQ_INT(sent(&w, "hold-lapsed", "priya@hartley.example"), 1);
	/* Through booking.c's decline, which tells nobody on its own: the lapse's message
	 * says why. */
	T_EQ_INT(sent(&w, "booking-declined", NULL), 0);
	T_EQ_INT(audited(&w, id, "decline"), 1);
	T_EQ_INT(audited(&w, id, "hold-lapse"), 1);
	/* Once. */
	sweep_at(&w, until + 73 * HOUR);
	T_EQ_INT(sent(&w, "hold-lapsed", NULL), 2);
	T_EQ_INT(audited(&w, id, "hold-lapse"), 1);
	w.f.now = until + 73 * HOUR;
	T_EQ_ERR(ask(&w, w.b, fx_at("2026-03-12T10:00"), fx_at("2026-03-12T12:00"), &other), H_OK,
	         &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(hold_lapse_keeps)
{
	struct held_world w;
	uint64_t id, other;
	struct hold h;
	int64_t until = T_NOW + 48 * HOUR;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48, \"hold_lapse\": "
	                       "\"keep\"}"));
	T_EQ_ERR(ask(&w, w.a, w.start, w.end, &id), H_OK, &w.f.err);
	sweep_at(&w, until);
	T_CHECK(!held(&w, id, &h));
	T_EQ_INT(status_of(&w, id), BOOKING_PENDING);
	T_EQ_INT(sent(&w, "hold-lapsed", "pat@choir.example"), 1);
	T_EQ_INT(audited(&w, id, "hold-lapse"), 1);
	T_EQ_INT(audited(&w, id, "decline"), 0);
	/* Pending without a hold: another group may ask, and its new request holds the
	 * slot as any does, against the first too; once decided, the first may be. */
	w.f.now = until;
	T_EQ_ERR(ask(&w, w.b, w.start, w.end, &other), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, fx_user_actor(w.manager), id), H_RULE_HELD, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, fx_user_actor(w.manager), other), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, fx_user_actor(w.manager), id), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(hold_short_and_at_start)
{
	struct held_world w;
	uint64_t id, none;
	struct hold h;
	int64_t start = T_NOW + 10 * HOUR;

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\", \"hold_hours\": 48}"));
	/* Never past the booking's start; the warning a quarter before. */
	T_EQ_ERR(ask(&w, w.a, start, start + HOUR, &id), H_OK, &w.f.err);
	T_ASSERT(held(&w, id, &h));
	T_EQ_INT(h.until, start);
	T_EQ_INT(h.warn_at, start - (10 * HOUR) / 4);
	/* Approved at once (by a manager): holds nothing, it blocks already. */
	T_EQ_ERR(fx_request(&w.f, fx_user_actor(w.manager), w.room, w.b, w.start + 86400,
	                    w.end + 86400, true, &none, NULL),
	         H_OK, &w.f.err);
	T_CHECK(!held(&w, none, &h));
	/* Across the clock change (29 March 2026): 48 elapsed hours, said in BST. */
	w.f.now = fx_at("2026-03-28T10:00");
	T_EQ_ERR(ask(&w, w.a, fx_at("2026-04-10T10:00"), fx_at("2026-04-10T11:00"), &id), H_OK,
	         &w.f.err);
	T_ASSERT(held(&w, id, &h));
	T_EQ_INT(h.until, fx_at("2026-03-30T11:00"));
	T_EQ_ERR(ask(&w, w.b, fx_at("2026-04-10T10:00"), fx_at("2026-04-10T11:00"), &none),
	         H_RULE_HELD, &w.f.err);
	T_HAS_STR(w.f.err.msg, "until Monday 30 March 2026, 11am");
	fx_close(&w.f);
}

/* A queue entry whose hold is gone, and a hold of a booking that is not pending. */
static enum herr do_break(struct txn *t, void *arg)
{
	const uint64_t *ids = arg;
	struct hold h;
	struct key k;

	key_init(&k);
	key_u8(&k, 'Q');
	key_i64(&k, T_NOW + HOUR);
	key_u64(&k, 999);
	txn_put(t, DBI_HOLD, &k, "", 0);
	/* The approved booking's hold, as a bug might have left it. */
	h = (struct hold){.booking_id = ids[0], .until = T_NOW + 2 * HOUR, .warn_at = T_NOW + HOUR};
	key_init(&k);
	key_u8(&k, 'H');
	key_u64(&k, ids[0]);
	{
		uint8_t v[17] = {0};

		key_put_i64(v, h.until);
		key_put_i64(v + 8, h.warn_at);
		txn_put(t, DBI_HOLD, &k, v, sizeof(v));
	}
	return t->ret;
}

TEST(hold_check_reports)
{
	struct held_world w;
	uint64_t ids[1];

	T_ASSERT(held_open(&w, "{\"name\": \"Main Hall\"}"));
	T_EQ_ERR(fx_book(&w.f, w.room, w.a, w.start, w.end, &ids[0]), H_OK, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, do_break, ids, &w.f.err), H_OK, &w.f.err);
	/* The orphan queue entry, the hold of an approved booking, and its two missing
	 * queue entries. */
	T_EQ_INT(fx_check(&w.f), 4);
	/* The sweep drops the orphan and the stray hold rather than loop on them. */
	sweep_at(&w, T_NOW + 3 * HOUR);
	T_EQ_INT(fx_check(&w.f), 3);
	fx_close(&w.f);
}
