/* The booking rules, each with its own error code, and the booking life cycle. All
 * times are local in Europe/London; 10 March 2026 is a Tuesday in GMT. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>

#define CONSOLE ACTOR_CONSOLE

/* A store with one venue (Europe/London, 08:00-23:00 daily), one room with the given
 * fields, and one group. */
struct world {
	struct fx f;
	uint64_t venue, room, group;
};

static bool world_open(struct world *w, const char *room_fields)
{
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Community Centre", T_ZONE, T_HOURS);
	w->room = fx_room(&w->f, w->venue, room_fields);
	w->group = fx_group(&w->f, "Choir", 0);
	return w->venue && w->room && w->group;
}

static enum herr req(struct world *w, const char *start, const char *end, uint64_t *id)
{
	return fx_request(&w->f, CONSOLE, w->room, w->group, fx_at(start), fx_at(end), false, id,
	                  NULL);
}

static enum herr book(struct world *w, const char *start, const char *end, uint64_t *id)
{
	return fx_book(&w->f, w->room, w->group, fx_at(start), fx_at(end), id);
}

static enum booking_status status_of(struct fx *f, uint64_t id)
{
	struct booking b;
	enum booking_status s = (enum booking_status) - 1;

	if (fx_get(f, id, &b) == H_OK)
		s = b.status;
	booking_free(&b);
	return s;
}

TEST(booking_rule_order)
{
	struct world w;
	uint64_t id = 99;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T10:00", &id), H_RULE_ORDER, &w.f.err);
	T_EQ_INT(id, 0);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T09:00", NULL), H_RULE_ORDER, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);
	T_EQ_INT(id, 1);
	fx_close(&w.f);
}

TEST(booking_rule_length)
{
	struct world w;
	int64_t start;

	T_ASSERT(world_open(&w, "{\"min_minutes\": 30, \"max_minutes\": 120}"));
	start = fx_at("2026-03-10T10:00");
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 29 * 60, false, NULL, NULL),
	    H_RULE_LENGTH, &w.f.err);
	T_HAS_STR(w.f.err.msg, "29 minutes");
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 30 * 60, false, NULL, NULL),
	    H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 120 * 60, false, NULL, NULL),
	    H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 121 * 60, false, NULL, NULL),
	    H_RULE_LENGTH, &w.f.err);
	/* Whole minutes only. */
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 45 * 60 + 30, false,
	                    NULL, NULL),
	         H_RULE_LENGTH, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, start, start + 30 * 60 - 1, false, NULL,
	                    NULL),
	         H_RULE_LENGTH, &w.f.err);
	fx_close(&w.f);
}

TEST(booking_rule_capacity)
{
	struct world w;
	struct booking b;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"capacity\": 10}"));
	booking_init(&b);
	b.room_id = w.room;
	b.group_id = w.group;
	b.title = "Rehearsal";
	b.start = fx_at("2026-03-10T10:00");
	b.end = fx_at("2026-03-10T11:00");
	b.attendees = 11;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_RULE_CAPACITY, &w.f.err);
	b.attendees = 10;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, &id, NULL), H_OK, &w.f.err);
	/* The next day: the same slot again would be asking twice. */
	b.start += 86400;
	b.end += 86400;
	b.attendees = 0;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_OK, &w.f.err);
	/* Raising attendees above capacity later is refused too. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, id, "{\"attendees\": 11}"), H_RULE_CAPACITY, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, id, "{\"attendees\": 9}"), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(booking_rule_hours)
{
	struct world w;

	T_ASSERT(world_open(&w, NULL)); /* open 08:00-23:00 */
	T_EQ_ERR(req(&w, "2026-03-10T07:30", "2026-03-10T08:30", NULL), H_RULE_HOURS, &w.f.err);
	T_HAS_STR(w.f.err.msg, "mon-sun 08:00-23:00");
	T_EQ_ERR(req(&w, "2026-03-10T08:00", "2026-03-10T09:00", NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T22:00", "2026-03-10T23:00", NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T22:30", "2026-03-10T23:30", NULL), H_RULE_HOURS, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T22:00", "2026-03-11T09:00", NULL), H_RULE_HOURS, &w.f.err);
	/* On the day the clocks go forward hours are read in local time: 22:00-22:30Z is
	 * 23:00-23:30 BST, closed; 07:00-08:00Z is 08:00-09:00 BST, open. */
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, fx_at("2026-03-29T22:00:00Z"),
	                    fx_at("2026-03-29T22:30:00Z"), false, NULL, NULL),
	         H_RULE_HOURS, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, fx_at("2026-03-29T07:00:00Z"),
	                    fx_at("2026-03-29T08:00:00Z"), false, NULL, NULL),
	         H_OK, &w.f.err);
	/* The same hour written on the local clock is the same request, so asked twice. */
	T_EQ_ERR(req(&w, "2026-03-29T08:00", "2026-03-29T09:00", NULL), H_ECONFLICT, &w.f.err);
	T_HAS_STR(w.f.err.msg, "already asked for this");
	fx_close(&w.f);
}

TEST(booking_rule_closed)
{
	struct world w;
	uint64_t other, closure, pending;

	T_ASSERT(world_open(&w, NULL));
	other = fx_room(&w.f, w.venue, "{\"name\": \"Small room\"}");
	/* A pending request made before the venue closes. */
	T_EQ_ERR(req(&w, "2026-03-10T12:30", "2026-03-10T13:30", &pending), H_OK, &w.f.err);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_VENUE, w.venue, fx_at("2026-03-10T12:00"),
	                    fx_at("2026-03-10T14:00"), &closure),
	         H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T13:00", "2026-03-10T14:00", NULL), H_RULE_CLOSED, &w.f.err);
	T_HAS_STR(w.f.err.msg, "Works");
	T_EQ_ERR(req(&w, "2026-03-10T11:00", "2026-03-10T12:30", NULL), H_RULE_CLOSED, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T11:00", "2026-03-10T15:00", NULL), H_RULE_CLOSED, &w.f.err);
	/* Touching the closure on either side is allowed. */
	T_EQ_ERR(req(&w, "2026-03-10T14:00", "2026-03-10T15:00", NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T11:00", "2026-03-10T12:00", NULL), H_OK, &w.f.err);
	/* Every room of the venue is closed. */
	T_EQ_ERR(fx_request(&w.f, CONSOLE, other, w.group, fx_at("2026-03-10T13:00"),
	                    fx_at("2026-03-10T14:00"), false, NULL, NULL),
	         H_RULE_CLOSED, &w.f.err);
	/* The earlier request cannot be approved now. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, pending), H_RULE_CLOSED, &w.f.err);
	T_EQ_INT(status_of(&w.f, pending), BOOKING_PENDING);

	/* A room closure closes that room only. */
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, other, fx_at("2026-03-11T10:00"),
	                    fx_at("2026-03-11T12:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, other, w.group, fx_at("2026-03-11T11:00"),
	                    fx_at("2026-03-11T13:00"), false, NULL, NULL),
	         H_RULE_CLOSED, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, other, w.group, fx_at("2026-03-11T12:00"),
	                    fx_at("2026-03-11T13:00"), false, NULL, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-11T11:00", "2026-03-11T13:00", NULL), H_OK, &w.f.err);

	/* A closure must end after it starts. */
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_VENUE, w.venue, fx_at("2026-03-12T12:00"),
	                    fx_at("2026-03-12T12:00"), NULL),
	         H_RULE_ORDER, &w.f.err);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, 999, fx_at("2026-03-12T12:00"),
	                    fx_at("2026-03-12T13:00"), NULL),
	         H_ENOTFOUND, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

static enum herr do_remove_closure(struct txn *t, void *arg)
{
	return closure_remove(t, &ACTOR_CONSOLE, *(uint64_t *)arg, T_NOW);
}

TEST(booking_closure_removed)
{
	struct world w;
	uint64_t closure;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, w.room, fx_at("2026-03-10T00:00"),
	                    fx_at("2026-03-11T00:00"), &closure),
	         H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", NULL), H_RULE_CLOSED, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, do_remove_closure, &closure, &w.f.err), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", NULL), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(booking_rule_notice)
{
	struct world w;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"notice_minutes\": 60}"));
	/* now is 2026-03-01T12:00Z. */
	T_EQ_ERR(req(&w, "2026-03-01T12:59", "2026-03-01T13:59", NULL), H_RULE_NOTICE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "60 minutes");
	T_EQ_ERR(req(&w, "2026-03-01T13:00", "2026-03-01T14:00", &id), H_OK, &w.f.err);
	/* In the past. */
	T_EQ_ERR(req(&w, "2026-03-01T10:00", "2026-03-01T11:00", NULL), H_RULE_NOTICE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "past");
	T_EQ_ERR(req(&w, "2026-03-01T11:30", "2026-03-01T12:30", NULL), H_RULE_NOTICE, &w.f.err);
	/* A request may be approved later than the notice allows, but not once started. */
	w.f.now = fx_at("2026-03-01T12:30");
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, id), H_OK, &w.f.err);
	w.f.now = T_NOW;
	T_EQ_ERR(req(&w, "2026-03-01T15:00", "2026-03-01T16:00", &id), H_OK, &w.f.err);
	w.f.now = fx_at("2026-03-01T15:00");
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, id), H_RULE_NOTICE, &w.f.err);
	T_EQ_INT(status_of(&w.f, id), BOOKING_PENDING);
	fx_close(&w.f);

	/* No notice: a booking may start now, not a second earlier. */
	T_ASSERT(world_open(&w, "{\"notice_minutes\": 0}"));
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, T_NOW, T_NOW + 3600, false, NULL, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, T_NOW - 60, T_NOW + 3600, false, NULL, NULL),
	    H_RULE_NOTICE, &w.f.err);
	fx_close(&w.f);
}

TEST(booking_rule_horizon)
{
	struct world w;
	const int64_t limit = T_NOW + 30 * 86400; /* 2026-03-31T12:00Z, 13:00 BST */

	T_ASSERT(world_open(&w, "{\"horizon_days\": 30}"));
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, limit, limit + 3600, false, NULL, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_request(&w.f, CONSOLE, w.room, w.group, limit + 60, limit + 3660, false, NULL, NULL),
	    H_RULE_HORIZON, &w.f.err);
	T_HAS_STR(w.f.err.msg, "30 days");
	T_EQ_ERR(req(&w, "2026-06-01T10:00", "2026-06-01T11:00", NULL), H_RULE_HORIZON, &w.f.err);
	fx_close(&w.f);
}

TEST(booking_overlap_no_buffers)
{
	struct world w;
	uint64_t a, b, c;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	T_EQ_INT(status_of(&w.f, a), BOOKING_APPROVED);
	/* Back to back on either side. */
	T_EQ_ERR(book(&w, "2026-03-10T11:00", "2026-03-10T12:00", &b), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T09:00", "2026-03-10T10:00", &c), H_OK, &w.f.err);
	/* Overlaps, from either side, inside, around. */
	T_EQ_ERR(book(&w, "2026-03-10T10:30", "2026-03-10T11:30", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 2);
	T_EQ_INT(w.f.err.conflicts[0], a);
	T_EQ_INT(w.f.err.conflicts[1], b);
	T_EQ_ERR(book(&w, "2026-03-10T09:30", "2026-03-10T10:30", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 2);
	T_EQ_ERR(book(&w, "2026-03-10T10:15", "2026-03-10T10:45", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], a);
	T_EQ_ERR(book(&w, "2026-03-10T08:00", "2026-03-10T13:00", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 3);
	/* A pending request is refused when it overlaps an approved booking, too. */
	T_EQ_ERR(req(&w, "2026-03-10T10:30", "2026-03-10T11:00", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.conflicts[0], a);
	/* Another room is free. */
	T_CHECK(fx_room(&w.f, w.venue, "{\"name\": \"Annexe\"}") != 0);
	T_EQ_ERR(fx_book(&w.f, w.room + 1, w.group, fx_at("2026-03-10T10:00"),
	                 fx_at("2026-03-10T11:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_overlap_buffers)
{
	struct world w;
	uint64_t a, b, c;
	char id[32];

	T_ASSERT(world_open(&w, "{\"setup_minutes\": 15, \"cleanup_minutes\": 15}"));
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	/* The next booking must start 30 minutes after: +29 is refused, listing a. */
	T_EQ_ERR(book(&w, "2026-03-10T11:29", "2026-03-10T12:29", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], a);
	/* The words name the buffers, never a booking the caller might not see. */
	snprintf(id, sizeof(id), "booking %llu", (unsigned long long)a);
	T_ASSERT(strstr(w.f.err.msg, id) == NULL);
	T_HAS_STR(w.f.err.msg, "15 minutes to set up");
	T_EQ_ERR(book(&w, "2026-03-10T11:30", "2026-03-10T12:30", &b), H_OK, &w.f.err);
	/* And the one before must end 30 minutes before. */
	T_EQ_ERR(book(&w, "2026-03-10T08:31", "2026-03-10T09:31", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.conflicts[0], a);
	T_EQ_ERR(book(&w, "2026-03-10T08:30", "2026-03-10T09:30", &c), H_OK, &w.f.err);
	/* Between two bookings 30 minutes apart nothing fits. */
	T_EQ_ERR(book(&w, "2026-03-10T12:30", "2026-03-10T13:00", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.conflicts[0], b);
	T_EQ_ERR(book(&w, "2026-03-10T13:00", "2026-03-10T13:30", NULL), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_pending_pair)
{
	struct world w;
	uint64_t p1, p2, p3;

	T_ASSERT(world_open(&w, NULL)); /* manual approval */
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &p1), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:30", "2026-03-10T11:30", &p2), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T11:00", "2026-03-10T12:00", &p3), H_OK, &w.f.err);
	T_EQ_INT(status_of(&w.f, p1), BOOKING_PENDING);
	T_EQ_INT(status_of(&w.f, p2), BOOKING_PENDING);

	/* Approving p1 names the pending request it now overlaps (p2, not p3). */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, p1), H_OK, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], p2);
	T_EQ_INT(status_of(&w.f, p1), BOOKING_APPROVED);
	/* p2 can no longer be approved. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, p2), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], p1);
	T_EQ_INT(status_of(&w.f, p2), BOOKING_PENDING);
	/* p3 touches p1 and can. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, p3), H_OK, &w.f.err);
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], p2);
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, p2), H_OK, &w.f.err);
	T_EQ_INT(status_of(&w.f, p2), BOOKING_DECLINED);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_transitions)
{
	struct world w;
	struct booking b;
	uint64_t p, q, r;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &p), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T12:00", "2026-03-10T13:00", &q), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T14:00", "2026-03-10T15:00", &r), H_OK, &w.f.err);

	/* pending -> declined; a declined booking is final. */
	w.f.now = T_NOW + 60;
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, p), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, p, &b) == H_OK);
	T_EQ_INT(b.status, BOOKING_DECLINED);
	T_EQ_INT(b.sequence, 1);
	T_EQ_INT(b.decided_at, T_NOW + 60);
	T_EQ_STR(b.note, "test");
	booking_free(&b);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, p), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, p), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, p), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, p, "{\"title\": \"Again\"}"), H_ESTATE, &w.f.err);

	/* pending -> approved -> cancelled; an approved booking cannot be declined. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, q), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, q), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, q), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, q), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, q, &b) == H_OK);
	T_EQ_INT(b.status, BOOKING_CANCELLED);
	T_EQ_INT(b.sequence, 2);
	booking_free(&b);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, q), H_ESTATE, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, q), H_ESTATE, &w.f.err);

	/* pending -> cancelled. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, r), H_OK, &w.f.err);
	T_EQ_INT(status_of(&w.f, r), BOOKING_CANCELLED);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, r), H_ESTATE, &w.f.err);

	/* A booking that has taken place cannot be cancelled. */
	T_EQ_ERR(book(&w, "2026-03-11T10:00", "2026-03-11T11:00", &p), H_OK, &w.f.err);
	w.f.now = fx_at("2026-03-11T11:00");
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, p), H_ESTATE, &w.f.err);
	T_EQ_INT(status_of(&w.f, p), BOOKING_APPROVED);

	/* Unknown bookings. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, 999), H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, 999), H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, 999, "{}"), H_ENOTFOUND, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_cancel_frees_slot)
{
	struct world w;
	uint64_t a, b;

	T_ASSERT(world_open(&w, "{\"setup_minutes\": 10, \"cleanup_minutes\": 10}"));
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", NULL), H_ECONFLICT, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, a), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &b), H_OK, &w.f.err);
	T_CHECK(b != a);
	/* A declined request never held it. */
	T_EQ_ERR(req(&w, "2026-03-10T12:00", "2026-03-10T13:00", &a), H_OK, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, a), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T12:00", "2026-03-10T13:00", NULL), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_update_move)
{
	struct world w;
	struct booking b;
	uint64_t member, id;
	struct actor m;

	T_ASSERT(world_open(&w, NULL)); /* manual approval */
	member = fx_user(&w.f, "secretary@choir.example", ROLE_MEMBER, w.group);
	T_ASSERT(member != 0);
	m = fx_user_actor(member);
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);

	/* An edit that does not move keeps the approval and the sequence. */
	T_EQ_ERR(fx_update(&w.f, m, id, "{\"title\": \"Choir practice\", \"attendees\": 20}"), H_OK,
	         &w.f.err);
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_STR(b.title, "Choir practice");
	T_EQ_INT(b.attendees, 20);
	T_EQ_INT(b.status, BOOKING_APPROVED);
	T_EQ_INT(b.sequence, 0);
	T_ASSERT(b.decided_at != 0);
	booking_free(&b);

	/* Moved by a member, it needs approval again; the sequence rises. */
	{
		char fields[128];

		snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
		         (long long)fx_at("2026-03-10T10:30"),
		         (long long)fx_at("2026-03-10T11:30"));
		T_EQ_ERR(fx_update(&w.f, m, id, fields), H_OK, &w.f.err);
	}
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.status, BOOKING_PENDING);
	/* The old decision no longer stands. */
	T_EQ_INT(b.decided_at, 0);
	T_EQ_INT(b.decided_by, 0);
	T_ASSERT(b.note == NULL);
	T_EQ_INT(b.start, fx_at("2026-03-10T10:30"));
	T_EQ_INT(b.end, fx_at("2026-03-10T11:30"));
	T_EQ_INT(b.sequence, 1);
	booking_free(&b);
	/* The old slot is free; the new one is not blocked until approved. */
	T_EQ_ERR(book(&w, "2026-03-10T09:30", "2026-03-10T10:30", NULL), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, id), H_OK, &w.f.err);
	T_EQ_INT(status_of(&w.f, id), BOOKING_APPROVED);

	/* Moved by the venue's manager (here the console), it stays approved. */
	{
		char fields[128];

		snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
		         (long long)fx_at("2026-03-10T14:00"),
		         (long long)fx_at("2026-03-10T15:00"));
		T_EQ_ERR(fx_update(&w.f, CONSOLE, id, fields), H_OK, &w.f.err);
	}
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.status, BOOKING_APPROVED);
	T_EQ_INT(b.sequence, 3);
	booking_free(&b);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_update_refused)
{
	struct world w;
	struct booking before, after;
	uint64_t a, b;
	char fields[128];

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T12:00", "2026-03-10T13:00", &b), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, b, &before) == H_OK);

	/* Into a conflict. */
	snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld, \"title\": \"Moved\"}",
	         (long long)fx_at("2026-03-10T10:30"), (long long)fx_at("2026-03-10T11:30"));
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, fields), H_ECONFLICT, &w.f.err);
	T_EQ_INT(w.f.err.conflicts[0], a);
	/* Into the past, outside hours, reversed. */
	snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
	         (long long)(T_NOW - 7200), (long long)(T_NOW - 3600));
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, fields), H_RULE_NOTICE, &w.f.err);
	snprintf(fields, sizeof(fields), "{\"start\": %lld}", (long long)fx_at("2026-03-10T07:00"));
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, fields), H_RULE_HOURS, &w.f.err);
	snprintf(fields, sizeof(fields), "{\"end\": %lld}", (long long)fx_at("2026-03-10T12:00"));
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, fields), H_RULE_ORDER, &w.f.err);
	/* Malformed fields. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"room_id\": 2}"), H_EINVAL, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"status\": \"approved\"}"), H_EINVAL, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"start\": \"noon\"}"), H_EINVAL, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"public\": 1}"), H_EINVAL, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"title\": \"\"}"), H_EINVAL, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, b, "{\"title\": 5}"), H_EINVAL, &w.f.err);

	/* Nothing changed. */
	T_ASSERT(fx_get(&w.f, b, &after) == H_OK);
	T_EQ_INT(after.start, before.start);
	T_EQ_INT(after.end, before.end);
	T_EQ_INT(after.status, before.status);
	T_EQ_INT(after.sequence, before.sequence);
	T_EQ_STR(after.title, before.title);
	booking_free(&before);
	booking_free(&after);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_approval_policy)
{
	struct fx f;
	uint64_t venue, other_venue, manual, autor, trusted, g_trusted, g_plain, g_elsewhere;
	uint64_t member;
	enum booking_status st;
	int64_t s = fx_at("2026-03-10T10:00"), e = fx_at("2026-03-10T11:00");

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Centre", NULL, NULL);
	other_venue = fx_venue(&f, "Library", NULL, NULL);
	manual = fx_room(&f, venue, "{\"approval\": \"manual\"}");
	autor = fx_room(&f, venue, "{\"approval\": \"auto\"}");
	trusted = fx_room(&f, venue, "{\"approval\": \"trusted\"}");
	g_trusted = fx_group(&f, "Trusted", venue);
	g_plain = fx_group(&f, "Plain", 0);
	g_elsewhere = fx_group(&f, "Elsewhere", other_venue);
	member = fx_user(&f, "m@plain.example", ROLE_MEMBER, g_plain);
	T_ASSERT(member && g_elsewhere && trusted);

	T_EQ_ERR(fx_request(&f, CONSOLE, manual, g_trusted, s, e, false, NULL, &st), H_OK, &f.err);
	T_EQ_INT(st, BOOKING_PENDING);
	T_EQ_ERR(fx_request(&f, fx_user_actor(member), autor, g_plain, s, e, false, NULL, &st),
	         H_OK, &f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	T_EQ_ERR(fx_request(&f, CONSOLE, trusted, g_trusted, s, e, false, NULL, &st), H_OK, &f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	T_EQ_ERR(fx_request(&f, CONSOLE, trusted, g_plain, s + 3600, e + 3600, false, NULL, &st),
	         H_OK, &f.err);
	T_EQ_INT(st, BOOKING_PENDING);
	T_EQ_ERR(
	    fx_request(&f, CONSOLE, trusted, g_elsewhere, s + 7200, e + 7200, false, NULL, &st),
	    H_OK, &f.err);
	T_EQ_INT(st, BOOKING_PENDING);
	/* approve_now by the console (who manages every venue). */
	T_EQ_ERR(fx_request(&f, CONSOLE, manual, g_plain, s + 7200, e + 7200, true, NULL, &st),
	         H_OK, &f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	/* A member cannot approve at once. */
	T_EQ_ERR(fx_request(&f, fx_user_actor(member), manual, g_plain, s + 10800, e + 10800, true,
	                    NULL, &st),
	         H_EFORBIDDEN, &f.err);
	/* The auto room is taken now: even auto approval checks conflicts. */
	T_EQ_ERR(fx_request(&f, CONSOLE, autor, g_trusted, s, e, false, NULL, &st), H_ECONFLICT,
	         &f.err);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

struct found {
	uint64_t ids[16];
	size_t n;
	bool stop_after_one;
};

static bool collect_block(const struct block *b, void *arg)
{
	struct found *o = arg;

	if (o->n < 16)
		o->ids[o->n] = b->booking_id;
	o->n++;
	return !o->stop_after_one;
}

static void blocks(struct fx *f, uint64_t room, int status, const char *start, const char *end,
                   int64_t gap, struct found *out)
{
	struct txn t;

	memset(out, 0, sizeof(*out));
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return;
	T_EQ_ERR(
	    booking_blocks(&t, room, status, fx_at(start), fx_at(end), gap, collect_block, out),
	    H_OK, &f->err);
	db_read_end(&t);
}

TEST(booking_blocks_exact)
{
	struct world w;
	uint64_t a, b, c, d, e, l, other;
	struct found o;

	T_ASSERT(world_open(&w, NULL));
	other = fx_room(&w.f, w.venue, "{\"name\": \"Other\"}");
	/* A long booking the day before, to check the scan reaches back far enough. */
	T_EQ_ERR(book(&w, "2026-03-09T08:00", "2026-03-09T20:00", &l), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T12:00", "2026-03-10T13:00", &b), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T14:00", "2026-03-10T15:00", &c), H_OK, &w.f.err);
	T_EQ_ERR(book(&w, "2026-03-10T11:00", "2026-03-10T12:00", &d), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, d), H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_book(&w.f, other, w.group, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), &e),
	    H_OK, &w.f.err);

	/* Touching on both sides: nothing (d is cancelled). */
	blocks(&w.f, w.room, -1, "2026-03-10T11:00", "2026-03-10T12:00", 0, &o);
	T_EQ_INT(o.n, 0);
	/* Approved first, then pending. */
	blocks(&w.f, w.room, -1, "2026-03-10T10:30", "2026-03-10T12:30", 0, &o);
	T_EQ_INT(o.n, 2);
	T_EQ_INT(o.ids[0], a);
	T_EQ_INT(o.ids[1], b);
	blocks(&w.f, w.room, BOOKING_APPROVED, "2026-03-10T10:30", "2026-03-10T12:30", 0, &o);
	T_EQ_INT(o.n, 1);
	T_EQ_INT(o.ids[0], a);
	blocks(&w.f, w.room, BOOKING_PENDING, "2026-03-10T10:30", "2026-03-10T12:30", 0, &o);
	T_EQ_INT(o.n, 1);
	T_EQ_INT(o.ids[0], b);
	/* The gap widens each entry on both sides: c starts 90 minutes after 12:30. */
	blocks(&w.f, w.room, -1, "2026-03-10T10:30", "2026-03-10T12:30", 90 * 60, &o);
	T_EQ_INT(o.n, 2);
	blocks(&w.f, w.room, -1, "2026-03-10T10:30", "2026-03-10T12:30", 90 * 60 + 1, &o);
	T_EQ_INT(o.n, 3);
	T_EQ_INT(o.ids[1], c);
	/* The long booking, found from its last hour. */
	blocks(&w.f, w.room, -1, "2026-03-09T19:00", "2026-03-09T19:30", 0, &o);
	T_EQ_INT(o.n, 1);
	T_EQ_INT(o.ids[0], l);
	blocks(&w.f, w.room, -1, "2026-03-09T20:00", "2026-03-10T10:00", 0, &o);
	T_EQ_INT(o.n, 0);
	/* The whole day, and stopping early. */
	blocks(&w.f, w.room, -1, "2026-03-09T00:00", "2026-03-11T00:00", 0, &o);
	T_EQ_INT(o.n, 4);
	memset(&o, 0, sizeof(o));
	o.stop_after_one = true;
	{
		struct txn t;

		T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
		booking_blocks(&t, w.room, -1, fx_at("2026-03-09T00:00"), fx_at("2026-03-11T00:00"),
		               0, collect_block, &o);
		db_read_end(&t);
	}
	T_EQ_INT(o.n, 1);
	/* Other rooms are separate. */
	blocks(&w.f, other, -1, "2026-03-10T00:00", "2026-03-11T00:00", 0, &o);
	T_EQ_INT(o.n, 1);
	T_EQ_INT(o.ids[0], e);
	fx_close(&w.f);
}

struct listed {
	uint64_t ids[32];
	size_t n;
	size_t limit;
};

static bool collect_booking(const struct booking *b, void *arg)
{
	struct listed *o = arg;

	if (o->n < 32)
		o->ids[o->n] = b->id;
	o->n++;
	return o->limit == 0 || o->n < o->limit;
}

static void list(struct fx *f, const struct booking_filter *flt, struct listed *out)
{
	struct txn t;

	memset(out, 0, sizeof(*out));
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return;
	T_EQ_ERR(booking_each(&t, flt, collect_booking, out), H_OK, &f->err);
	db_read_end(&t);
}

static void check_ids(const char *file, int line, const struct listed *got, size_t n,
                      const uint64_t *want)
{
	bool same = got->n == n;

	for (size_t i = 0; same && i < n; i++)
		same = got->ids[i] == want[i];
	if (!same) {
		char g[256] = "", w[256] = "";
		size_t gl = 0, wl = 0;

		for (size_t i = 0; i < got->n && i < 32 && gl < 200; i++)
			gl += (size_t)snprintf(g + gl, sizeof(g) - gl, " %llu",
			                       (unsigned long long)got->ids[i]);
		for (size_t i = 0; i < n && wl < 200; i++)
			wl += (size_t)snprintf(w + wl, sizeof(w) - wl, " %llu",
			                       (unsigned long long)want[i]);
		t_fail(file, line, "listed [%s ], want [%s ]", g, w);
	}
}
/* The same ids in any order (booking.h promises start order only when filtered by room
 * or group). */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void check_id_set(const char *file, int line, const struct listed *got, size_t n,
                         const uint64_t *want)
{
	struct listed g = *got;
	uint64_t w[32];

	memcpy(w, want, n * sizeof(*w));
	if (g.n <= 32)
		qsort(g.ids, g.n, sizeof(g.ids[0]), cmp_u64);
	qsort(w, n, sizeof(w[0]), cmp_u64);
	check_ids(file, line, &g, n, w);
}
#define CHECK_ID_SET(got, ...)                                                                     \
	do {                                                                                       \
		const uint64_t want_[] = {__VA_ARGS__};                                            \
		check_id_set(__FILE__, __LINE__, got, sizeof(want_) / sizeof(want_[0]), want_);    \
	} while (0)
#define CHECK_IDS(got, ...)                                                                        \
	do {                                                                                       \
		const uint64_t want_[] = {__VA_ARGS__};                                            \
		check_ids(__FILE__, __LINE__, got, sizeof(want_) / sizeof(want_[0]), want_);       \
	} while (0)

TEST(booking_each_filters)
{
	struct fx f;
	uint64_t v1, v2, r1, r2, r3, g1, g2, b1, b2, b3, b4, b5;
	struct booking_filter flt;
	struct listed o;

	T_ASSERT(fx_open(&f));
	v1 = fx_venue(&f, "Centre", NULL, NULL);
	v2 = fx_venue(&f, "Library", NULL, NULL);
	r1 = fx_room(&f, v1, "{\"name\": \"Hall\"}");
	r2 = fx_room(&f, v1, "{\"name\": \"Kitchen\"}");
	r3 = fx_room(&f, v2, "{\"name\": \"Reading room\"}");
	g1 = fx_group(&f, "Choir", 0);
	g2 = fx_group(&f, "Scouts", 0);
	T_ASSERT(r3 && g2);
	/* b4 is created before b1 but starts later: listings are in start order. */
	T_EQ_ERR(fx_book(&f, r1, g2, fx_at("2026-03-12T10:00"), fx_at("2026-03-12T11:00"), &b4),
	         H_OK, &f.err);
	T_EQ_ERR(fx_book(&f, r1, g1, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), &b1),
	         H_OK, &f.err);
	T_EQ_ERR(fx_request(&f, CONSOLE, r2, g2, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &b2, NULL),
	         H_OK, &f.err);
	T_EQ_ERR(fx_book(&f, r3, g1, fx_at("2026-03-11T10:00"), fx_at("2026-03-11T11:00"), &b3),
	         H_OK, &f.err);
	T_EQ_ERR(fx_cancel(&f, CONSOLE, b4), H_OK, &f.err);
	/* A long one that starts before the window and reaches into it. */
	T_EQ_ERR(fx_book(&f, r1, g1, fx_at("2026-03-09T09:00"), fx_at("2026-03-09T20:00"), &b5),
	         H_OK, &f.err);

	booking_filter_init(&flt);
	list(&f, &flt, &o);
	CHECK_ID_SET(&o, b5, b1, b2, b3, b4);

	booking_filter_init(&flt);
	flt.room_id = r1;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b5, b1, b4);

	booking_filter_init(&flt);
	flt.group_id = g1;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b5, b1, b3);

	booking_filter_init(&flt);
	flt.venue_id = v1;
	list(&f, &flt, &o);
	CHECK_ID_SET(&o, b5, b1, b2, b4);

	booking_filter_init(&flt);
	flt.venue_id = v2;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b3);

	booking_filter_init(&flt);
	flt.status = BOOKING_APPROVED;
	list(&f, &flt, &o);
	CHECK_ID_SET(&o, b5, b1, b3);

	booking_filter_init(&flt);
	flt.status = BOOKING_CANCELLED;
	flt.room_id = r1;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b4);

	/* Bookings that overlap [from, to): touching the window does not count. */
	booking_filter_init(&flt);
	flt.from = fx_at("2026-03-09T19:00");
	flt.to = fx_at("2026-03-10T10:30");
	list(&f, &flt, &o);
	CHECK_ID_SET(&o, b5, b1, b2);
	flt.room_id = r1;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b5, b1);
	flt.room_id = 0;
	flt.group_id = g1;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b5, b1);
	flt.group_id = 0;
	flt.venue_id = v1;
	list(&f, &flt, &o);
	CHECK_ID_SET(&o, b5, b1, b2);

	booking_filter_init(&flt);
	flt.from = fx_at("2026-03-10T11:00");
	flt.to = fx_at("2026-03-11T10:00");
	list(&f, &flt, &o);
	T_EQ_INT(o.n, 0);
	flt.to = fx_at("2026-03-11T10:01");
	list(&f, &flt, &o);
	CHECK_IDS(&o, b3);

	/* Combined filters, and filters that match nothing. */
	booking_filter_init(&flt);
	flt.group_id = g2;
	flt.venue_id = v1;
	flt.status = BOOKING_PENDING;
	list(&f, &flt, &o);
	CHECK_IDS(&o, b2);
	booking_filter_init(&flt);
	flt.group_id = g2;
	flt.venue_id = v2;
	list(&f, &flt, &o);
	T_EQ_INT(o.n, 0);

	/* fn stops the listing. */
	booking_filter_init(&flt);
	{
		struct txn t;

		memset(&o, 0, sizeof(o));
		o.limit = 2;
		T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
		T_EQ_ERR(booking_each(&t, &flt, collect_booking, &o), H_OK, &f.err);
		db_read_end(&t);
		T_EQ_INT(o.n, 2);
	}
	fx_close(&f);
}

/* The old listing, as a reference: every record, filtered, sorted by (start, id). */
struct reference {
	const struct booking_filter *f;
	const uint64_t *venue_of; /* by room id */
	struct booking items[32];
	size_t n;
};

static bool reference_add(const struct booking *b, void *arg)
{
	struct reference *r = arg;
	const struct booking_filter *f = r->f;

	if ((f->room_id && b->room_id != f->room_id) ||
	    (f->group_id && b->group_id != f->group_id) ||
	    (f->venue_id && r->venue_of[b->room_id] != f->venue_id) ||
	    (f->status >= 0 && (int)b->status != f->status) ||
	    (f->to > f->from && (b->end <= f->from || b->start >= f->to)))
		return true;
	if (r->n < 32)
		r->items[r->n++] = *b;
	return true;
}

static int reference_cmp(const void *pa, const void *pb)
{
	const struct booking *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* Lists f unpaged, then in pages of every budget from 1 to 4, each resumed after the
 * last position examined, and in pages cut short by fn; each must be the reference. */
static void check_pages(const char *file, int line, struct fx *fx, const struct booking_filter *f,
                        const uint64_t *venue_of)
{
	struct reference ref = {.f = f, .venue_of = venue_of};
	uint64_t want[32];
	struct listed o;
	struct txn t;

	if (db_read_begin(fx->db, &t, &fx->err) != H_OK)
		return;
	booking_each_record(&t, reference_add, &ref);
	qsort(ref.items, ref.n, sizeof(ref.items[0]), reference_cmp);
	for (size_t i = 0; i < ref.n; i++)
		want[i] = ref.items[i].id;
	memset(&o, 0, sizeof(o));
	booking_each(&t, f, collect_booking, &o);
	check_ids(file, line, &o, ref.n, want);
	for (size_t budget = 0; budget <= 4; budget++) {
		struct walk w = {.budget = budget};
		size_t pages = 0;

		memset(&o, 0, sizeof(o));
		/* budget 0: no bound, but fn takes one item a page. */
		do {
			size_t before = o.n;

			o.limit = budget == 0 ? o.n + 1 : 0;
			booking_each_page(&t, f, &w, collect_booking, &o);
			if (budget != 0 && o.n - before > budget)
				t_fail(file, line, "a page of budget %zu showed %zu", budget,
				       o.n - before);
			w.has_after = true;
			w.after = w.last;
		} while (w.more && ++pages < 100);
		check_ids(file, line, &o, ref.n, want);
	}
	db_read_end(&t);
}
#define CHECK_PAGES(fx, f, venue_of) check_pages(__FILE__, __LINE__, fx, f, venue_of)

TEST(booking_each_streams_in_pages)
{
	struct fx f;
	uint64_t v1, v2, r[4], g1, g2, id, venue_of[16] = {0};
	struct booking_filter flt;
	const char *days[] = {"2026-03-12T10:00", "2026-03-10T10:00", "2026-03-11T10:00",
	                      "2026-03-10T10:00", "2026-03-13T08:00"};

	T_ASSERT(fx_open(&f));
	v1 = fx_venue(&f, "Centre", NULL, NULL);
	v2 = fx_venue(&f, "Library", NULL, NULL);
	r[0] = fx_room(&f, v1, "{\"name\": \"Hall\"}");
	r[1] = fx_room(&f, v1, "{\"name\": \"Kitchen\"}");
	r[2] = fx_room(&f, v2, "{\"name\": \"Reading room\"}");
	r[3] = fx_room(&f, v2, "{\"name\": \"Attic\"}");
	T_ASSERT(r[3] < 16);
	venue_of[r[0]] = venue_of[r[1]] = v1;
	venue_of[r[2]] = venue_of[r[3]] = v2;
	g1 = fx_group(&f, "Choir", 0);
	g2 = fx_group(&f, "Scouts", 0);
	/* The same starts in several rooms (ties broken by id, across the merge), created
	 * out of start order, two groups, a cancelled one and a pending one. */
	for (size_t i = 0; i < 5; i++)
		for (size_t k = 0; k < 3; k++) {
			int64_t s = fx_at(days[i]) + (int64_t)k * 1800 * (int64_t)(i % 2);

			if (i == 3 && k == 0)
				continue; /* days[3] repeats days[1] in rooms 2 and 3 only */
			T_EQ_ERR(fx_book(&f, r[(i + k) % 4], k % 2 ? g2 : g1, s, s + 1800, &id),
			         H_OK, &f.err);
			if (i == 2 && k == 1)
				T_EQ_ERR(fx_cancel(&f, CONSOLE, id), H_OK, &f.err);
		}
	T_EQ_ERR(fx_request(&f, CONSOLE, r[1], g2, fx_at("2026-03-11T12:00"),
	                    fx_at("2026-03-11T13:00"), false, &id, NULL),
	         H_OK, &f.err);
	/* A long one that starts before a window and reaches into it. */
	T_EQ_ERR(fx_book(&f, r[0], g1, fx_at("2026-03-09T09:00"), fx_at("2026-03-09T20:00"), &id),
	         H_OK, &f.err);

	booking_filter_init(&flt);
	CHECK_PAGES(&f, &flt, venue_of);
	for (int i = 0; i < 4; i++) {
		booking_filter_init(&flt);
		flt.room_id = r[i];
		CHECK_PAGES(&f, &flt, venue_of);
	}
	booking_filter_init(&flt);
	flt.venue_id = v1;
	CHECK_PAGES(&f, &flt, venue_of);
	flt.venue_id = v2;
	CHECK_PAGES(&f, &flt, venue_of);
	booking_filter_init(&flt);
	flt.group_id = g2;
	CHECK_PAGES(&f, &flt, venue_of);
	flt.venue_id = v1;
	CHECK_PAGES(&f, &flt, venue_of);
	booking_filter_init(&flt);
	flt.status = BOOKING_APPROVED;
	CHECK_PAGES(&f, &flt, venue_of);
	flt.status = BOOKING_PENDING;
	CHECK_PAGES(&f, &flt, venue_of);
	/* Windows: every filter again, over a window that cuts the long booking. */
	for (int i = 0; i < 4; i++) {
		booking_filter_init(&flt);
		flt.from = fx_at("2026-03-09T19:00");
		flt.to = fx_at("2026-03-11T10:30");
		if (i == 1)
			flt.room_id = r[0];
		else if (i == 2)
			flt.venue_id = v1;
		else if (i == 3)
			flt.group_id = g1;
		CHECK_PAGES(&f, &flt, venue_of);
	}
	fx_close(&f);
}

static bool collect_action(const json_t *e, void *arg)
{
	struct listed *o = arg;
	const char *action = json_string_value(json_object_get(e, "action"));

	/* Encodes the action's first letter, enough to tell them apart here. */
	if (o->n < 32)
		o->ids[o->n] = action ? (uint64_t)action[0] : 0;
	o->n++;
	return true;
}

TEST(booking_audit_trail)
{
	struct world w;
	struct listed o;
	struct txn t;
	uint64_t id, other;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T12:00", "2026-03-10T13:00", &other), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, id), H_OK, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, id, "{\"title\": \"Renamed\"}"), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, id), H_OK, &w.f.err);
	/* A refused change leaves no entry. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, id), H_ESTATE, &w.f.err);

	memset(&o, 0, sizeof(o));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(audit_each(&t, id, collect_action, &o), H_OK, &w.f.err);
	db_read_end(&t);
	CHECK_IDS(&o, 'r', 'a', 'e', 'c');
	fx_close(&w.f);
}

/* Lists by filter, whole (budget 0) or one page of budget 1, in a read transaction of
 * its own; the code, with the message in f->err. */
static enum herr list_filtered(struct fx *f, const struct booking_filter *flt, size_t budget,
                               struct listed *out)
{
	struct walk w = {.budget = budget};
	struct txn t;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = db_read_begin(f->db, &t, &f->err)) != H_OK)
		return ret;
	ret = budget == 0 ? booking_each(&t, flt, collect_booking, out)
	                  : booking_each_page(&t, flt, &w, collect_booking, out);
	/* Refused on the transaction, as every core refusal is. */
	T_EQ_INT(t.ret, ret);
	db_read_end(&t);
	return ret;
}

/* A listing filtered by a room, venue or group that does not exist is refused, naming
 * it (the first of room, venue, group), rather than shown empty; so is the audit log of
 * a booking that does not exist. */
TEST(booking_each_refuses_missing_filters)
{
	static const struct {
		uint64_t room, venue, group;
		const char *words;
	} cases[] = {
	    {999, 0, 0, "there is no room 999"},  {0, 999, 0, "there is no venue 999"},
	    {0, 0, 999, "there is no group 999"}, {1, 999, 0, "there is no venue 999"},
	    {1, 0, 998, "there is no group 998"}, {997, 998, 999, "there is no room 997"},
	};
	struct world w;
	struct booking_filter flt;
	struct listed o;
	struct txn t;
	uint64_t id;

	T_ASSERT(world_open(&w, NULL));
	T_ASSERT(w.room == 1);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t budget = 0; budget < 2; budget++) {
			booking_filter_init(&flt);
			flt.room_id = cases[i].room;
			flt.venue_id = cases[i].venue;
			flt.group_id = cases[i].group;
			T_EQ_ERR(list_filtered(&w.f, &flt, budget, &o), H_ENOTFOUND, &w.f.err);
			T_EQ_STR(w.f.err.msg, cases[i].words);
			T_EQ_INT(o.n, 0);
		}
	}
	/* The filters that exist list the booking. */
	booking_filter_init(&flt);
	flt.room_id = w.room;
	flt.venue_id = w.venue;
	flt.group_id = w.group;
	T_EQ_ERR(list_filtered(&w.f, &flt, 0, &o), H_OK, &w.f.err);
	CHECK_IDS(&o, id);

	memset(&o, 0, sizeof(o));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(audit_each(&t, 999, collect_action, &o), H_ENOTFOUND, &w.f.err);
	T_EQ_STR(w.f.err.msg, "there is no booking 999");
	T_EQ_INT(t.ret, H_ENOTFOUND);
	T_EQ_INT(o.n, 0);
	db_read_end(&t);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(audit_each(&t, id, collect_action, &o), H_OK, &w.f.err);
	db_read_end(&t);
	CHECK_IDS(&o, 'r');
	fx_close(&w.f);
}

TEST(booking_request_invalid)
{
	struct world w;
	struct booking b;

	T_ASSERT(world_open(&w, NULL));
	booking_init(&b);
	b.room_id = w.room;
	b.group_id = w.group;
	b.start = fx_at("2026-03-10T10:00");
	b.end = fx_at("2026-03-10T11:00");
	b.title = NULL;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_EINVAL, &w.f.err);
	b.title = "   ";
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_EINVAL, &w.f.err);
	b.title = "Bell\atolls";
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_EINVAL, &w.f.err);
	b.title = "Fine";
	b.description = "bad \xff byte";
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_EINVAL, &w.f.err);
	b.description = "Two\nlines\tand a tab";
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_OK, &w.f.err);
	b.room_id = 999;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_ENOTFOUND, &w.f.err);
	b.room_id = w.room;
	b.group_id = 999;
	T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_ENOTFOUND, &w.f.err);
	fx_close(&w.f);
}

static enum herr do_remove_room(struct txn *t, void *arg)
{
	return room_remove(t, &ACTOR_CONSOLE, *(uint64_t *)arg, T_NOW);
}

TEST(booking_room_in_use)
{
	struct world w;
	uint64_t id, empty;

	T_ASSERT(world_open(&w, NULL));
	empty = fx_room(&w.f, w.venue, "{\"name\": \"Empty\"}");
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, id), H_OK, &w.f.err);
	/* Even a cancelled booking keeps its room. */
	T_EQ_ERR(db_write(w.f.db, do_remove_room, &w.room, &w.f.err), H_RULE_INUSE, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, do_remove_room, &empty, &w.f.err), H_OK, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, empty, w.group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, NULL, NULL),
	         H_ENOTFOUND, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_rename_keeps_slot)
{
	struct world w;
	uint64_t approved, pending;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &approved), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:30", "2026-03-10T11:30", &pending), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, approved), H_OK, &w.f.err);
	/* A pending request that now clashes can still be renamed: its slot is not changing. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, pending, "{\"title\": \"Choir (tentative)\"}"), H_OK,
	         &w.f.err);
	/* A closure added after approval does not block renaming the approved booking. */
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, w.room, fx_at("2026-03-10T09:00"),
	                    fx_at("2026-03-10T12:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, CONSOLE, approved, "{\"title\": \"Choir\"}"), H_OK, &w.f.err);
	/* But the booking's own rules still hold, and a move is judged on its new slot. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, approved, "{\"attendees\": 5000}"), H_RULE_CAPACITY,
	         &w.f.err);
	{
		char fields[96];

		snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
		         (long long)fx_at("2026-03-10T10:15"),
		         (long long)fx_at("2026-03-10T11:15"));
		T_EQ_ERR(fx_update(&w.f, CONSOLE, approved, fields), H_RULE_CLOSED, &w.f.err);
	}
	fx_close(&w.f);
}

/* fx_update with "start" and/or "end" (0: left out) as UTC seconds. */
static enum herr move(struct fx *f, struct actor a, uint64_t id, int64_t start, int64_t end)
{
	char fields[96];

	if (start != 0 && end != 0)
		snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
		         (long long)start, (long long)end);
	else if (start != 0)
		snprintf(fields, sizeof(fields), "{\"start\": %lld}", (long long)start);
	else
		snprintf(fields, sizeof(fields), "{\"end\": %lld}", (long long)end);
	return fx_update(f, a, id, fields);
}

TEST(booking_move_start_keeps_length)
{
	struct world w;
	struct booking b;
	uint64_t id;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:30", &id), H_OK, &w.f.err);
	/* A start alone moves the whole booking: 90 minutes still. */
	T_EQ_ERR(move(&w.f, CONSOLE, id, fx_at("2026-03-12T18:00"), 0), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.start, fx_at("2026-03-12T18:00"));
	T_EQ_INT(b.end, fx_at("2026-03-12T19:30"));
	T_EQ_INT(b.sequence, 1);
	booking_free(&b);
	/* An end alone changes the end. */
	T_EQ_ERR(move(&w.f, CONSOLE, id, 0, fx_at("2026-03-12T20:00")), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.start, fx_at("2026-03-12T18:00"));
	T_EQ_INT(b.end, fx_at("2026-03-12T20:00"));
	booking_free(&b);
	/* Both set both. */
	T_EQ_ERR(move(&w.f, CONSOLE, id, fx_at("2026-03-13T09:00"), fx_at("2026-03-13T09:30")),
	         H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.start, fx_at("2026-03-13T09:00"));
	T_EQ_INT(b.end, fx_at("2026-03-13T09:30"));
	booking_free(&b);
	/* A start past the end, alone, is no longer a booking that ends before it starts. */
	T_EQ_ERR(move(&w.f, CONSOLE, id, fx_at("2026-03-13T12:00"), 0), H_OK, &w.f.err);
	T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
	T_EQ_INT(b.end, fx_at("2026-03-13T12:30"));
	booking_free(&b);
	/* The rules judge the slot the booking moves to, its end included. */
	T_EQ_ERR(move(&w.f, CONSOLE, id, fx_at("2026-03-13T22:45"), 0), H_RULE_HOURS, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* Length is elapsed time: moved by its start alone onto the night the clocks go back
 * (25 October 2026 in London, 02:00 BST -> 01:00 GMT), a three-hour booking still
 * holds the room three hours, and ends at 02:30 on the wall clock, not 03:30. */
TEST(booking_move_start_across_clock_change)
{
	struct fx f;
	struct booking b;
	uint64_t venue, room, group, id;
	struct localtm lt;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Night shelter", T_ZONE, "mon-sun 00:00-24:00");
	room = fx_room(&f, venue, "{\"horizon_days\": 1000}");
	group = fx_group(&f, "Night watch", 0);
	T_ASSERT(venue && room && group);
	T_EQ_ERR(fx_request(&f, CONSOLE, room, group, fx_at("2026-10-17T00:30"),
	                    fx_at("2026-10-17T03:30"), false, &id, NULL),
	         H_OK, &f.err);
	T_EQ_ERR(move(&f, CONSOLE, id, fx_at("2026-10-25T00:30"), 0), H_OK, &f.err);
	T_ASSERT(fx_get(&f, id, &b) == H_OK);
	T_EQ_INT(b.end - b.start, 3 * 3600);
	tz_to_local(T_ZONE, b.end, &lt);
	T_EQ_INT(lt.day, 25);
	T_EQ_INT(lt.hour, 2);
	T_EQ_INT(lt.min, 30);
	booking_free(&b);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

/* A booking stored as it is, as `halls import` restores one: two identical requests from
 * before they were refused. */
struct store_job {
	struct booking b;
};

static enum herr store_run(struct txn *t, void *arg)
{
	struct store_job *j = arg;

	j->b.id = txn_next_id(t, "booking");
	booking_store(t, &j->b, NULL);
	return t->ret;
}

TEST(booking_twin_refused)
{
	struct world w;
	uint64_t first, other_group, other_room, id, clash[3];

	T_ASSERT(world_open(&w, NULL)); /* manual approval */
	other_group = fx_group(&w.f, "Youth FC", 0);
	other_room = fx_room(&w.f, w.venue, "{\"name\": \"Small room\"}");
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &first), H_OK, &w.f.err);
	/* The same group, room and times again: refused, naming the first. */
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_ECONFLICT, &w.f.err);
	T_HAS_STR(w.f.err.msg, "Choir already asked for this: booking 1 (pending)");
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], first);
	/* Whatever its title or size: it is the room and the time that are asked for. */
	{
		struct booking b;

		booking_init(&b);
		b.room_id = w.room;
		b.group_id = w.group;
		b.title = "Choir (again)";
		b.attendees = 30;
		b.start = fx_at("2026-03-10T10:00");
		b.end = fx_at("2026-03-10T11:00");
		T_EQ_ERR(fx_request_b(&w.f, CONSOLE, &b, false, NULL, NULL), H_ECONFLICT, &w.f.err);
	}
	/* Not the same request: another group, another room, other times. */
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, other_group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &clash[0], NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, CONSOLE, other_room, w.group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, NULL, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:30", &clash[1]), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T09:30", "2026-03-10T11:00", &clash[2]), H_OK, &w.f.err);
	/* Approved, the first is still the one named, before any clash. */
	for (size_t i = 0; i < 3; i++)
		T_EQ_ERR(fx_decline(&w.f, CONSOLE, clash[i]), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, first), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", NULL), H_ECONFLICT, &w.f.err);
	T_HAS_STR(w.f.err.msg, "already asked for this: booking 1 (approved)");
	/* Cancelled (or declined), it no longer counts. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, first), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &id), H_OK, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, id), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", NULL), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(booking_twin_move)
{
	struct world w;
	uint64_t a, b, legacy;
	struct store_job j;

	T_ASSERT(world_open(&w, NULL)); /* manual approval */
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &a), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T11:00", &b), H_OK, &w.f.err);
	/* A move onto the slot of another of the group's bookings asks twice. */
	T_EQ_ERR(move(&w.f, CONSOLE, b, fx_at("2026-03-10T10:00"), 0), H_ECONFLICT, &w.f.err);
	T_HAS_STR(w.f.err.msg, "Choir already asked for this: booking 1 (pending)");
	T_EQ_INT(w.f.err.conflicts[0], a);
	T_EQ_ERR(move(&w.f, CONSOLE, b, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00")),
	         H_ECONFLICT, &w.f.err);
	/* A move within its own slot, or next to the other, is fine. */
	T_EQ_ERR(move(&w.f, CONSOLE, a, 0, fx_at("2026-03-10T11:30")), H_OK, &w.f.err);
	T_EQ_ERR(move(&w.f, CONSOLE, b, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00")), H_OK,
	         &w.f.err);
	/* Twins stored before the rule (an import of old data) are kept, and each can still
	 * be renamed, approved, cancelled. */
	booking_init(&j.b);
	j.b.room_id = w.room;
	j.b.group_id = w.group;
	j.b.title = "Choir";
	j.b.start = fx_at("2026-03-10T10:00");
	j.b.end = fx_at("2026-03-10T11:00");
	j.b.status = BOOKING_PENDING;
	T_EQ_ERR(db_write(w.f.db, store_run, &j, &w.f.err), H_OK, &w.f.err);
	legacy = j.b.id;
	T_EQ_ERR(fx_update(&w.f, CONSOLE, legacy, "{\"title\": \"Choir (old)\"}"), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, legacy), H_OK, &w.f.err);
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, b), H_ECONFLICT, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, b), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}
