/* Allowances (allowance.c): the limit to the minute, each kind of period across the
 * clock changes, terms, rooms, the borough, what counts, moves, refusal or approval, the
 * override in the audit log, and who may set them. Times are local in Europe/London;
 * 2026's clocks go forward on Sunday 29 March and back on Sunday 25 October. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE ACTOR_CONSOLE

struct world {
	struct fx f;
	uint64_t venue, room, room2, group, venue2, room3;
};

/* Open round the clock, so that a booking can start just after local midnight. */
static bool world_open(struct world *w, const char *room_fields)
{
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Hartley Road", T_ZONE, "mon-sun 00:00-24:00");
	w->room = fx_room(&w->f, w->venue, room_fields);
	w->room2 = fx_room(&w->f, w->venue, room_fields);
	w->venue2 = fx_venue(&w->f, "Elm Street", T_ZONE, "mon-sun 00:00-24:00");
	w->room3 = fx_room(&w->f, w->venue2, room_fields);
	w->group = fx_group(&w->f, "Chess Club", 0);
	return w->venue && w->room && w->room2 && w->venue2 && w->room3 && w->group;
}

struct add_op {
	struct actor a;
	json_t *fields;
	int64_t now;
	uint64_t id;
};

static enum herr add_run(struct txn *t, void *arg)
{
	struct add_op *op = arg;

	return allowance_create(t, &op->a, op->fields, op->now, &op->id);
}

/* An allowance made by a; fields as JSON text with %llu for the group id. */
static enum herr add_as(struct world *w, struct actor a, const char *fields, uint64_t *id)
{
	struct add_op op = {a, json_loads(fields, 0, NULL), w->f.now, 0};
	enum herr ret;

	if (op.fields == NULL) {
		t_fail(__FILE__, __LINE__, "bad JSON in test: %s", fields);
		return H_EINVAL;
	}
	herror_clear(&w->f.err);
	ret = db_write(w->f.db, add_run, &op, &w->f.err);
	json_decref(op.fields);
	if (id != NULL)
		*id = op.id;
	return ret;
}

static enum herr add(struct world *w, const char *fmt, uint64_t *id)
{
	char text[1024];

	snprintf(text, sizeof(text), fmt, (unsigned long long)w->group,
	         (unsigned long long)w->venue, (unsigned long long)w->room);
	return add_as(w, CONSOLE, text, id);
}

static enum herr req_in(struct world *w, uint64_t room, const char *start, const char *end,
                        uint64_t *id, enum booking_status *status)
{
	return fx_request(&w->f, CONSOLE, room, w->group, fx_at(start), fx_at(end), false, id,
	                  status);
}

static enum herr req(struct world *w, const char *start, const char *end, uint64_t *id,
                     enum booking_status *status)
{
	return req_in(w, w->room, start, end, id, status);
}

struct use_op {
	uint64_t id;
	int64_t at;
	struct allowance_use u;
};

static enum herr use_read(struct world *w, uint64_t id, const char *at, struct allowance_use *u)
{
	struct allowance al;
	struct txn t;
	enum herr ret = db_read_begin(w->f.db, &t, &w->f.err);

	if (ret != H_OK)
		return ret;
	ret = allowance_get(&t, id, &al);
	if (ret == H_OK)
		ret = allowance_use_at(&t, &al, T_ZONE, fx_at(at), u);
	allowance_free(&al);
	db_read_end(&t);
	return ret;
}

/* 12 hours a month, refused when over. */
#define MONTH_12 "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 12}"

TEST(allowance_exact_limit)
{
	struct world w;
	enum booking_status st;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w, MONTH_12, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T19:00", NULL, &st), H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	/* One minute over. */
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T13:01", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_EQ_STR(w.f.err.msg, "Chess Club has used 9 of its 12 hours at Hartley Road this month "
	                      "(March 2026); this booking of 3 hours 1 minute would make 12 hours "
	                      "1 minute");
	/* Exactly at the limit. */
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T13:00", NULL, &st), H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	T_EQ_ERR(req(&w, "2026-03-12T10:00", "2026-03-12T10:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	/* Another month is another allowance. */
	T_EQ_ERR(req(&w, "2026-04-01T10:00", "2026-04-01T22:00", NULL, NULL), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(allowance_week_spring_forward)
{
	struct world w;
	struct allowance_use u;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"week\", \"hours\": 2}",
	             &id),
	         H_OK, &w.f.err);
	/* The week of Monday 23 March to Sunday 29 March has 167 hours. */
	T_EQ_ERR(use_read(&w, id, "2026-03-25T12:00", &u), H_OK, &w.f.err);
	T_CHECK(u.applies);
	T_EQ_INT(u.start, fx_at("2026-03-23T00:00"));
	T_EQ_INT(u.end, fx_at("2026-03-30T00:00"));
	T_EQ_INT(u.end - u.start, 167 * 3600);
	/* 23:30 on Sunday (BST) is in that week, though 22:30 UTC... */
	T_EQ_ERR(req(&w, "2026-03-29T22:00", "2026-03-29T23:30", NULL, NULL), H_OK, &w.f.err);
	/* ...and 00:30 on Monday (23:30 UTC on Sunday) in the next. */
	T_EQ_ERR(req(&w, "2026-03-30T00:30", "2026-03-30T02:30", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-29T09:00", "2026-03-29T10:00", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "has used 1 hour 30 minutes of its 2 hours");
	T_HAS_STR(w.f.err.msg, "this week (Monday 23 March to Sunday 29 March 2026)");
	T_EQ_ERR(req(&w, "2026-04-05T09:00", "2026-04-05T09:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-03-30T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 2 * 3600);
	T_EQ_INT(u.end - u.start, 168 * 3600);
	fx_close(&w.f);
}

TEST(allowance_week_and_month_fall_back)
{
	struct world w;
	struct allowance_use u;
	uint64_t week, month;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"week\", \"hours\": 3}",
	             &week),
	         H_OK, &w.f.err);
	T_EQ_ERR(
	    add(&w, "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 4}",
	        &month),
	    H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, week, "2026-10-21T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.end - u.start, 169 * 3600);
	T_EQ_ERR(use_read(&w, month, "2026-10-21T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.start, fx_at("2026-10-01T00:00"));
	T_EQ_INT(u.end - u.start, 745 * 3600);
	T_EQ_ERR(use_read(&w, month, "2026-03-21T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.end - u.start, 743 * 3600);
	/* 00:30 to 02:30 on the night the clocks go back is 3 hours (end - start). */
	T_EQ_ERR(req(&w, "2026-10-25T00:30", "2026-10-25T02:30", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, week, "2026-10-25T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 3 * 3600);
	/* 00:30 on Saturday 31 October (BST gone: GMT) is October's; 00:30 on 1 November
	 * November's. */
	T_EQ_ERR(req(&w, "2026-10-31T23:00", "2026-10-31T23:59", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-11-01T00:00", "2026-11-01T02:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, month, "2026-10-15T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 3 * 3600 + 59 * 60);
	T_EQ_ERR(use_read(&w, month, "2026-11-15T12:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 2 * 3600);
	/* The week of 26 October to 1 November holds 59 minutes and 2 hours, the most of 3. */
	T_EQ_ERR(req(&w, "2026-10-28T10:00", "2026-10-28T10:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "this week (Monday 26 October to Sunday 1 November 2026)");
	fx_close(&w.f);
}

TEST(allowance_year)
{
	struct world w;
	struct allowance_use u;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"year\", \"hours\": 1}",
	             &id),
	         H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-12-31T23:00", "2027-01-01T00:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2027-01-01T00:00", "2027-01-01T01:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-06-01T10:00", "2026-06-01T10:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "this year (2026)");
	T_EQ_ERR(use_read(&w, id, "2026-06-01T00:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.start, fx_at("2026-01-01T00:00"));
	T_EQ_INT(u.end, fx_at("2027-01-01T00:00"));
	fx_close(&w.f);
}

TEST(allowance_terms)
{
	struct world w;
	struct allowance_use u;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"term\", \"hours\": 2, "
	             "\"terms\": [{\"start\": \"2026-04-13\", \"end\": \"2026-07-17\", \"name\": "
	             "\"Summer term\"}, {\"start\": \"2026-09-01\", \"end\": \"2026-12-18\"}]}",
	             &id),
	         H_OK, &w.f.err);
	/* The first and last days are in the term. */
	T_EQ_ERR(req(&w, "2026-04-13T00:00", "2026-04-13T01:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-07-17T23:00", "2026-07-18T00:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-05-01T10:00", "2026-05-01T10:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "this term (Summer term, 13 April to 17 July 2026)");
	/* Outside every term the allowance does not apply. */
	T_EQ_ERR(req(&w, "2026-07-18T00:00", "2026-07-18T10:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-04-12T10:00", "2026-04-12T20:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-08-01T12:00", &u), H_OK, &w.f.err);
	T_CHECK(!u.applies);
	/* The second term, across the October change: its own two hours. */
	T_EQ_ERR(req(&w, "2026-10-25T01:00", "2026-10-25T02:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-12-18T23:59", &u), H_OK, &w.f.err);
	T_CHECK(u.applies);
	T_EQ_INT(u.start, fx_at("2026-09-01T00:00"));
	T_EQ_INT(u.end, fx_at("2026-12-19T00:00"));
	T_EQ_INT(u.used_seconds, 2 * 3600);
	/* Terms that overlap, end before they start, or are not dates are refused. */
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"term\", \"hours\": 2, "
	        "\"terms\": [{\"start\": \"2026-04-13\", \"end\": \"2026-07-17\"}, {\"start\": "
	        "\"2026-07-17\", \"end\": \"2026-08-01\"}]}",
	        NULL),
	    H_EINVAL, &w.f.err);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"term\", \"hours\": 2, "
	             "\"terms\": [{\"start\": \"2026-02-30\", \"end\": \"2026-07-17\"}]}",
	             NULL),
	         H_EINVAL, &w.f.err);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"term\", \"hours\": 2, "
	             "\"terms\": [{\"start\": \"2026-08-01\", \"end\": \"2026-07-17\"}]}",
	             NULL),
	         H_EINVAL, &w.f.err);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"term\", \"hours\": 2}",
	             NULL),
	         H_EINVAL, &w.f.err);
	fx_close(&w.f);
}

TEST(allowance_rooms_and_borough)
{
	struct world w;
	uint64_t id;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	/* Room 1 only: room 2 neither counts nor is limited. */
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"room_ids\": [%llu], \"period\": "
	             "\"month\", \"hours\": 1}",
	             &id),
	         H_OK, &w.f.err);
	T_EQ_ERR(req_in(&w, w.room2, "2026-03-10T10:00", "2026-03-10T20:00", NULL, NULL), H_OK,
	         &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T11:00", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-12T10:00", "2026-03-12T10:30", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "used 1 of its 1 hour in ");
	/* Across the borough: every venue's bookings count. */
	T_EQ_ERR(add(&w, "{\"group_id\": %llu, \"period\": \"month\", \"hours\": 12}", NULL), H_OK,
	         &w.f.err);
	T_EQ_ERR(req_in(&w, w.room3, "2026-03-13T10:00", "2026-03-13T11:00", NULL, NULL), H_OK,
	         &w.f.err);
	T_EQ_ERR(req_in(&w, w.room3, "2026-03-14T10:00", "2026-03-14T10:30", NULL, NULL),
	         H_RULE_ALLOWANCE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "has used 12 of its 12 hours across the borough");
	/* Rooms need their venue, and must be its rooms. */
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"room_ids\": [1], \"period\": \"month\", \"hours\": 1}",
	             NULL),
	         H_EINVAL, &w.f.err);
	{
		char text[256];

		snprintf(text, sizeof(text),
		         "{\"group_id\": %llu, \"venue_id\": %llu, \"room_ids\": [%llu], "
		         "\"period\": \"month\", \"hours\": 1}",
		         (unsigned long long)w.group, (unsigned long long)w.venue,
		         (unsigned long long)w.room3);
		T_EQ_ERR(add_as(&w, CONSOLE, text, NULL), H_EINVAL, &w.f.err);
		T_HAS_STR(w.f.err.msg, "is not at venue");
	}
	fx_close(&w.f);
}

TEST(allowance_what_counts)
{
	struct world w;
	struct allowance_use u;
	uint64_t id, a, b, c;

	T_ASSERT(world_open(&w, NULL)); /* manual approval: requests wait */
	T_EQ_ERR(add(&w, MONTH_12, &id), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T14:00", &a, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T14:00", &b, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-12T10:00", "2026-03-12T14:00", &c, NULL), H_OK, &w.f.err);
	/* Three pending requests of 4 hours: the fourth is over. */
	T_EQ_ERR(req(&w, "2026-03-13T10:00", "2026-03-13T11:00", NULL, NULL), H_RULE_ALLOWANCE,
	         &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-03-01T00:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 12 * 3600);
	/* Declined and cancelled requests do not count. */
	T_EQ_ERR(fx_decline(&w.f, CONSOLE, a), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, b), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-03-01T00:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 4 * 3600);
	T_EQ_ERR(req(&w, "2026-03-13T10:00", "2026-03-13T18:00", NULL, NULL), H_OK, &w.f.err);
	/* A move is judged without the booking's own hours: 4 hours moved stay 12 of 12. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, c, "{\"start\": 1773655200}"), H_OK, &w.f.err);
	/* ...but made longer goes over. */
	T_EQ_ERR(fx_update(&w.f, CONSOLE, c, "{\"end\": 1773673200}"), H_RULE_ALLOWANCE, &w.f.err);
	/* Approving within the allowance needs no override. */
	T_EQ_ERR(fx_approve(&w.f, CONSOLE, c), H_OK, &w.f.err);
	fx_close(&w.f);
}

struct approve_op {
	uint64_t id;
	bool override;
};

static enum herr approve_run(struct txn *t, void *arg)
{
	struct approve_op *op = arg;

	return op->override
	           ? booking_approve_overriding(t, &ACTOR_CONSOLE, op->id, NULL, T_NOW, NULL)
	           : booking_approve(t, &ACTOR_CONSOLE, op->id, NULL, T_NOW, NULL);
}

static bool find_override(const json_t *e, void *arg)
{
	const char *action = json_str(e, "action");

	if (action != NULL && strcmp(action, "override-allowance") == 0) {
		*(char **)arg = xstrdup(json_str(e, "note"));
		return false;
	}
	return true;
}

TEST(allowance_approval_and_override)
{
	struct world w;
	enum booking_status st;
	struct approve_op op = {0, false};
	uint64_t id, first, member, by_manager;
	char *note = NULL;
	struct txn t;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 4, "
	        "\"over\": \"approval\"}",
	        NULL),
	    H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T14:00", &first, &st), H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	/* Over: not refused, but sent to a manager. */
	member = fx_user(&w.f, "c@example.org", ROLE_MEMBER, w.group);
	T_EQ_ERR(fx_request(&w.f, fx_user_actor(member), w.room, w.group, fx_at("2026-03-11T10:00"),
	                    fx_at("2026-03-11T11:00"), false, &id, &st),
	         H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_PENDING);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	{
		struct booking b;
		char words[512] = "";

		T_ASSERT(booking_get(&t, id, &b) == H_OK);
		T_CHECK(allowance_sent_for_approval(&t, &b, words, sizeof(words)));
		T_HAS_STR(words, "has used 4 of its 4 hours");
		booking_free(&b);
		T_ASSERT(booking_get(&t, first, &b) == H_OK);
		T_CHECK(!allowance_sent_for_approval(&t, &b, words, sizeof(words)));
		booking_free(&b);
	}
	db_read_end(&t);
	/* An approval over the allowance is refused, unless the manager overrides. */
	op.id = id;
	T_EQ_ERR(db_write(w.f.db, approve_run, &op, &w.f.err), H_RULE_ALLOWANCE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "would make 5");
	T_HAS_STR(w.f.err.msg, "approve it over the allowance");
	op.override = true;
	T_EQ_ERR(db_write(w.f.db, approve_run, &op, &w.f.err), H_OK, &w.f.err);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	audit_each(&t, id, find_override, &note);
	db_read_end(&t);
	T_HAS_STR(note,
	          "Chess Club has used 4 of its 4 hours at Hartley Road this month (March 2026)");
	free(note);
	note = NULL;
	/* The venue's manager (here the console) asking for it approved has decided: it stands,
	 * and is recorded as an override. */
	T_EQ_ERR(req(&w, "2026-03-12T10:00", "2026-03-12T11:00", &by_manager, &st), H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	audit_each(&t, by_manager, find_override, &note);
	db_read_end(&t);
	T_HAS_STR(note, "has used 5 of its 4 hours");
	free(note);
	fx_close(&w.f);
}

TEST(allowance_override_only_when_it_matters)
{
	struct world w;
	struct approve_op op = {0, true};
	char *note = NULL;
	struct txn t;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(add(&w, MONTH_12, NULL), H_OK, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:00", &op.id, NULL), H_OK, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, approve_run, &op, &w.f.err), H_OK, &w.f.err);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	audit_each(&t, op.id, find_override, &note);
	db_read_end(&t);
	T_CHECK(note == NULL);
	free(note);
	fx_close(&w.f);
}

TEST(allowance_permissions)
{
	struct world w;
	uint64_t manager, other, member, admin, id;
	char text[256];

	T_ASSERT(world_open(&w, NULL));
	manager = fx_user(&w.f, "m@example.org", ROLE_MANAGER, w.venue);
	other = fx_user(&w.f, "o@example.org", ROLE_MANAGER, w.venue2);
	member = fx_user(&w.f, "c@example.org", ROLE_MEMBER, w.group);
	admin = fx_user(&w.f, "a@example.org", ROLE_ADMIN, 0);
	snprintf(text, sizeof(text), MONTH_12, (unsigned long long)w.group,
	         (unsigned long long)w.venue);
	T_EQ_ERR(add_as(&w, fx_user_actor(member), text, NULL), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(add_as(&w, fx_user_actor(other), text, NULL), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(add_as(&w, fx_user_actor(manager), text, &id), H_OK, &w.f.err);
	snprintf(text, sizeof(text), "{\"group_id\": %llu, \"period\": \"year\", \"hours\": 100}",
	         (unsigned long long)w.group);
	T_EQ_ERR(add_as(&w, fx_user_actor(manager), text, NULL), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(add_as(&w, fx_user_actor(admin), text, NULL), H_OK, &w.f.err);
	/* Input a stranger might send. */
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": 999, \"venue_id\": %2$llu, \"period\": \"month\", \"hours\": 1}",
	        NULL),
	    H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"fortnight\", \"hours\": 1}",
	        NULL),
	    H_EINVAL, &w.f.err);
	T_EQ_ERR(
	    add(&w, "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 0}",
	        NULL),
	    H_EINVAL, &w.f.err);
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 1e300}",
	        NULL),
	    H_EINVAL, &w.f.err);
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 0.001}",
	        NULL),
	    H_EINVAL, &w.f.err);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"minutes\": "
	             "90, \"evil\": 1}",
	             NULL),
	         H_EINVAL, &w.f.err);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": "
	             "1, \"over\": \"maybe\"}",
	             NULL),
	         H_EINVAL, &w.f.err);
	/* Who sees the use: members, the venue's managers, admins; not other managers. */
	{
		struct allowance al;
		struct txn t;
		json_t *o;
		struct actor who[] = {fx_user_actor(member), fx_user_actor(manager),
		                      fx_user_actor(admin), fx_user_actor(other)};
		bool sees[] = {true, true, true, false};

		T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
		T_ASSERT(allowance_get(&t, id, &al) == H_OK);
		for (size_t i = 0; i < 4; i++) {
			T_EQ_ERR(allowance_view_json(&t, &who[i], &al, T_NOW, &o), H_OK, &w.f.err);
			T_EQ_INT(json_is_object(json_object_get(o, "use")), sees[i]);
			T_EQ_INT(json_integer_value(json_object_get(o, "minutes")), 720);
			json_decref(o);
		}
		allowance_free(&al);
		db_read_end(&t);
	}
	fx_close(&w.f);
}

struct change_op {
	struct actor a;
	uint64_t id;
	json_t *fields; /* NULL: remove */
};

static enum herr change_run(struct txn *t, void *arg)
{
	struct change_op *op = arg;

	return op->fields != NULL ? allowance_update(t, &op->a, op->id, op->fields, T_NOW)
	                          : allowance_remove(t, &op->a, op->id, T_NOW);
}

static enum herr room_rm_run(struct txn *t, void *arg)
{
	return room_remove(t, &ACTOR_CONSOLE, *(uint64_t *)arg, T_NOW);
}

TEST(allowance_change_remove_and_check)
{
	struct world w;
	struct change_op op;
	uint64_t id, manager, other;
	struct allowance_use u;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	manager = fx_user(&w.f, "m@example.org", ROLE_MANAGER, w.venue);
	other = fx_user(&w.f, "o@example.org", ROLE_MANAGER, w.venue2);
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"room_ids\": [%llu], \"period\": "
	             "\"month\", \"hours\": 1}",
	             &id),
	         H_OK, &w.f.err);
	op = (struct change_op){fx_user_actor(other), id, json_pack("{s:i}", "minutes", 90)};
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_EFORBIDDEN, &w.f.err);
	op.a = fx_user_actor(manager);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_OK, &w.f.err);
	json_decref(op.fields);
	/* The group and venue stay. */
	op.fields = json_pack("{s:i}", "group_id", 1);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_EINVAL, &w.f.err);
	json_decref(op.fields);
	T_EQ_ERR(req(&w, "2026-03-10T10:00", "2026-03-10T11:30", NULL, NULL), H_OK, &w.f.err);
	T_EQ_ERR(use_read(&w, id, "2026-03-10T00:00", &u), H_OK, &w.f.err);
	T_EQ_INT(u.used_seconds, 90 * 60);
	/* A room the allowance names, removed: halls check says so. */
	T_EQ_INT(fx_check(&w.f), 0);
	T_EQ_ERR(db_write(w.f.db, room_rm_run, &w.room2, &w.f.err), H_OK, &w.f.err);
	op.fields = json_pack("{s:[I]}", "room_ids", (json_int_t)w.room2);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_ENOTFOUND, &w.f.err);
	json_decref(op.fields);
	T_EQ_INT(fx_check(&w.f), 0);
	/* Removed by its venue's manager, and gone. */
	op.fields = NULL;
	op.a = fx_user_actor(other);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_EFORBIDDEN, &w.f.err);
	op.a = fx_user_actor(manager);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_OK, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, change_run, &op, &w.f.err), H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(req(&w, "2026-03-11T10:00", "2026-03-11T20:00", NULL, NULL), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(allowance_check_reports_missing_room)
{
	struct world w;

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"room_ids\": [%llu], \"period\": "
	             "\"month\", \"hours\": 1}",
	             NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, room_rm_run, &w.room, &w.f.err), H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 1);
	fx_close(&w.f);
}

static enum herr site_run(struct txn *t, void *arg)
{
	(void)arg;
	outbox_site_put(t, &(struct outbox_site){"https://rooms.hartley.example",
	                                         "rooms@hartley.example", "Hartley rooms"});
	return t->ret;
}

/* The messages' words, soft line breaks and line ends taken out, one after another. */
static bool mail_add(const struct outbox_msg *m, void *arg)
{
	char *all = arg;
	size_t len = strlen(all);

	for (const char *p = m->raw; p != NULL && *p != '\0' && len + 2 < 65536; p++) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
			continue;
		}
		if (*p == '\r' || *p == '\n') {
			all[len++] = ' ';
			continue;
		}
		all[len++] = *p;
	}
	all[len] = '\0';
	return true;
}

TEST(allowance_messages_say_why)
{
	struct world w;
	enum booking_status st;
	uint64_t member;
	char *all = xcalloc(65536, 1);
	struct txn t;

	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_ASSERT(db_write(w.f.db, site_run, NULL, &w.f.err) == H_OK);
	fx_user(&w.f, "m@example.org", ROLE_MANAGER, w.venue);
	member = fx_user(&w.f, "c@example.org", ROLE_MEMBER, w.group);
	T_EQ_ERR(
	    add(&w,
	        "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"month\", \"hours\": 1, "
	        "\"over\": \"approval\"}",
	        NULL),
	    H_OK, &w.f.err);
	T_EQ_ERR(fx_request(&w.f, fx_user_actor(member), w.room, w.group, fx_at("2026-03-11T10:00"),
	                    fx_at("2026-03-11T12:00"), false, NULL, &st),
	         H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_PENDING);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	outbox_each(&t, -1, mail_add, all);
	db_read_end(&t);
	T_HAS_STR(all, "over your group's allowance");
	T_HAS_STR(all, "It is over the group's allowance");
	free(all);
	fx_close(&w.f);
}

struct series_op {
	struct world *w;
	struct series_outcome out;
};

static enum herr series_run(struct txn *t, void *arg)
{
	struct series_op *op = arg;
	struct series s;
	enum herr ret;

	series_init(&s);
	s.room_id = op->w->room;
	s.group_id = op->w->group;
	s.title = xstrdup("Chess practice");
	s.first_start = fx_at("2026-03-10T19:00");
	s.duration = 3600;
	s.rrule = xstrdup("FREQ=DAILY;COUNT=4");
	series_outcome_free(&op->out);
	memset(&op->out, 0, sizeof(op->out));
	ret = series_create(t, &ACTOR_CONSOLE, &s, false, true, T_NOW, &op->out);
	series_free(&s);
	return ret;
}

/* Each date of a series is judged as its own request, the earlier dates counting. */
TEST(allowance_series_dates)
{
	struct world w;
	struct series_op op;

	memset(&op, 0, sizeof(op));
	op.w = &w;
	T_ASSERT(world_open(&w, "{\"approval\": \"auto\"}"));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"period\": \"week\", \"hours\": 2}",
	             NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(db_write(w.f.db, series_run, &op, &w.f.err), H_OK, &w.f.err);
	T_EQ_INT(op.out.created, 2);
	T_EQ_INT(op.out.nrefused, 2);
	if (op.out.nrefused > 0) {
		T_EQ_INT(op.out.refused[0].code, H_RULE_ALLOWANCE);
		T_HAS_STR(op.out.refused[0].msg, "has used 2 of its 2 hours");
	}
	series_outcome_free(&op.out);
	fx_close(&w.f);
}

/* The rules page: each allowance that applies at a venue, in a sentence. */
TEST(allowance_rules_page)
{
	struct world w;
	struct txn t;
	json_t *rules = json_array();

	T_ASSERT(world_open(&w, NULL));
	T_EQ_ERR(add(&w,
	             "{\"group_id\": %llu, \"venue_id\": %llu, \"room_ids\": [%llu], \"period\": "
	             "\"month\", \"hours\": 12, \"over\": \"approval\"}",
	             NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(add(&w, "{\"group_id\": %llu, \"period\": \"year\", \"minutes\": 90}", NULL), H_OK,
	         &w.f.err);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(allowance_rules(&t, w.venue2, rules), H_OK, &w.f.err);
	T_EQ_INT(json_array_size(rules), 1); /* the borough's only */
	json_array_clear(rules);
	T_EQ_ERR(allowance_rules(&t, w.venue, rules), H_OK, &w.f.err);
	db_read_end(&t);
	T_EQ_INT(json_array_size(rules), 2);
	T_EQ_STR(json_str(json_array_get(rules, 0), "says"),
	         "Chess Club may book 12 hours in Main hall at Hartley Road per calendar month; a "
	         "request over that is sent to a manager for approval.");
	T_CHECK(json_is_null(json_object_get(json_array_get(rules, 1), "venue_id")));
	T_HAS_STR(json_str(json_array_get(rules, 1), "says"),
	          "1 hour 30 minutes across the borough");
	json_decref(rules);
	fx_close(&w.f);
}
