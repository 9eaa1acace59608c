/* Usage reports (report.h): hours across the clock changes, months by local start,
 * open hours less closures on days of 23 and 25 hours, grouped reasons, the filters,
 * the window's bound, who may read one, and the CSV a spreadsheet opens. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE ACTOR_CONSOLE
#define HOUR    3600

struct op_note {
	uint64_t id;
	const char *note;
	bool cancel;
	int64_t now;
};

static enum herr do_note(struct txn *t, void *arg)
{
	struct op_note *o = arg;

	return (o->cancel ? booking_cancel : booking_decline)(t, &CONSOLE, o->id, o->note, o->now,
	                                                      NULL);
}

/* Cancels (or declines) booking id with note (may be NULL). */
static enum herr end_with(struct fx *f, uint64_t id, bool cancel, const char *note)
{
	struct op_note o = {id, note, cancel, f->now};

	return db_write(f->db, do_note, &o, &f->err);
}

struct op_kind {
	uint64_t id;
	const char *kind;
};

static enum herr do_kind(struct txn *t, void *arg)
{
	struct op_kind *o = arg;
	json_t *fields = json_pack("{s:s}", "kind", o->kind);
	struct group g;
	enum herr ret = group_get(t, o->id, &g);

	if (ret == H_OK && (ret = group_apply(&g, fields, t->err)) == H_OK)
		ret = group_update(t, &CONSOLE, &g, T_NOW);
	group_free(&g);
	json_decref(fields);
	return ret;
}

static uint64_t group_of_kind(struct fx *f, const char *name, const char *kind)
{
	uint64_t id = fx_group(f, name, 0);
	struct op_kind o = {id, kind};

	T_EQ_ERR(db_write(f->db, do_kind, &o, &f->err), H_OK, &f->err);
	return id;
}

/* The report q as a reads it (NULL: the console), into out; the code. */
static enum herr report_as(struct fx *f, const struct actor *a, bool anonymous,
                           const struct report_query *q, struct report *out)
{
	struct viewer v;
	struct txn t;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return f->err.code;
	viewer_load(&t, anonymous ? NULL : a ? a : &CONSOLE, &v);
	ret = report_usage(&t, &v, q, out);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}

static const struct report_row *row_of(const struct report_table *tb, const char *name)
{
	for (size_t i = 0; i < tb->n; i++)
		if (strcmp(tb->rows[i].name, name) == 0)
			return &tb->rows[i];
	return NULL;
}

static const struct report_row *row_id(const struct report_table *tb, uint64_t id)
{
	for (size_t i = 0; i < tb->n; i++)
		if (tb->rows[i].id == id)
			return &tb->rows[i];
	return NULL;
}

/* A venue open round the clock, with one room, and a group. */
struct rtown {
	struct fx f;
	uint64_t venue, room, group;
};

static bool rtown_open(struct rtown *w, const char *hours)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	/* A month before the tests' now, so that 1 March can be booked. */
	w->f.now = T_NOW - 30 * 24 * HOUR;
	w->venue = fx_venue(&w->f, "Centre", T_ZONE, hours);
	w->room = fx_room(&w->f, w->venue, "{\"name\": \"Hall\"}");
	w->group = fx_group(&w->f, "Choir", 0);
	return w->venue && w->room && w->group;
}

TEST(report_hours_across_clock_changes)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-11-01"};
	const struct report_row *m;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	/* 01:00 to 03:00 on the last Sunday of March: 01:00 GMT is 02:00 BST, so one hour. */
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-29T01:00:00Z"),
	                 fx_at("2026-03-29T03:00:00+01:00"), NULL),
	         H_OK, &w.f.err);
	/* 01:00 BST to 03:00 GMT on the last Sunday of October: three hours. */
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-10-25T01:00:00+01:00"),
	                 fx_at("2026-10-25T03:00:00Z"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.approved, 4 * HOUR);
	T_EQ_INT(r.total.f.bookings, 2);
	T_EQ_INT(r.total.f.groups, 1);
	T_EQ_INT(r.months.n, 8);
	T_ASSERT((m = row_of(&r.months, "2026-03")) != NULL);
	T_EQ_INT(m->f.approved, HOUR);
	T_ASSERT((m = row_of(&r.months, "2026-10")) != NULL);
	T_EQ_INT(m->f.approved, 3 * HOUR);
	/* Open round the clock: March has 31 days less the hour skipped, October one more. */
	T_ASSERT((m = row_of(&r.months, "2026-03")) != NULL);
	T_EQ_INT(m->f.open, (31 * 24 - 1) * HOUR);
	T_ASSERT((m = row_of(&r.months, "2026-10")) != NULL);
	T_EQ_INT(m->f.open, (31 * 24 + 1) * HOUR);
	report_free(&r);

	/* One day each: 23 and 25 open hours. */
	q = (struct report_query){.from = "2026-03-29", .to = "2026-03-30"};
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.open, 23 * HOUR);
	T_EQ_INT(r.total.f.approved, HOUR);
	report_free(&r);
	q = (struct report_query){.from = "2026-10-25", .to = "2026-10-26"};
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.open, 25 * HOUR);
	T_EQ_INT(r.total.f.approved, 3 * HOUR);
	report_free(&r);
	fx_close(&w.f);
}

TEST(report_months_by_local_start)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-04-01"};
	const struct report_row *m;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	/* 22:30 to 23:30 BST on 31 March: March. */
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-31T22:30"),
	                 fx_at("2026-03-31T23:30"), NULL),
	         H_OK, &w.f.err);
	/* 23:30 UTC on 31 March is 00:30 BST on 1 April: April, outside the window. */
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-31T23:30:00Z"),
	                 fx_at("2026-04-01T01:30"), NULL),
	         H_OK, &w.f.err);
	/* Local midnight of 1 March: inside; 23:30 on 28 February: not. */
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-01T00:00"),
	                 fx_at("2026-03-01T02:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-02-28T23:00"),
	                 fx_at("2026-02-28T23:30"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.months.n, 1);
	T_EQ_INT(r.total.f.approved, 3 * HOUR);
	T_EQ_INT(r.total.f.bookings, 2);
	report_free(&r);

	q = (struct report_query){.from = "2026-03-15", .to = "2026-05-01"};
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.months.n, 2);
	T_ASSERT((m = row_of(&r.months, "2026-03")) != NULL);
	T_EQ_INT(m->f.approved, HOUR);
	T_ASSERT((m = row_of(&r.months, "2026-04")) != NULL);
	T_EQ_INT(m->f.approved, HOUR);
	/* 15 to 31 March: 17 days, less the hour skipped on the 29th. */
	T_ASSERT((m = row_of(&r.months, "2026-03")) != NULL);
	T_EQ_INT(m->f.open, (17 * 24 - 1) * HOUR);
	report_free(&r);
	fx_close(&w.f);
}

TEST(report_occupancy_less_closures)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-10", .to = "2026-03-13"};
	const struct report_row *room1, *room2;
	uint64_t room2_id;

	T_ASSERT(rtown_open(&w, "mon-sun 09:00-17:00"));
	room2_id = fx_room(&w.f, w.venue, "{\"name\": \"Annexe\"}");
	/* The venue shut 12:00-14:00 and the hall 13:00-15:00: the hall loses three hours,
	 * the annexe two; a closure outside the hours takes nothing. */
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_VENUE, w.venue, fx_at("2026-03-11T12:00"),
	                    fx_at("2026-03-11T14:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, w.room, fx_at("2026-03-11T13:00"),
	                    fx_at("2026-03-11T15:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_closure(&w.f, CLOSURE_ROOM, room2_id, fx_at("2026-03-12T18:00"),
	                    fx_at("2026-03-12T20:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-10T10:00"),
	                 fx_at("2026-03-10T13:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_ASSERT((room1 = row_id(&r.rooms, w.room)) != NULL);
	T_ASSERT((room2 = row_id(&r.rooms, room2_id)) != NULL);
	T_EQ_INT(room1->f.open, 21 * HOUR);
	T_EQ_INT(room2->f.open, 22 * HOUR);
	T_EQ_INT(room1->f.approved, 3 * HOUR);
	T_EQ_INT(room2->f.approved, 0);
	T_EQ_INT(r.venues.n, 1);
	T_EQ_INT(r.venues.rows[0].f.open, 43 * HOUR);
	T_EQ_INT(r.total.f.open, 43 * HOUR);
	report_free(&r);
	fx_close(&w.f);
}

TEST(report_reasons_grouped)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-04-01"};
	uint64_t id[5];
	char *s;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	for (int i = 0; i < 5; i++)
		T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group,
		                    fx_at("2026-03-10T10:00") + i * 2 * HOUR,
		                    fx_at("2026-03-10T11:00") + i * 2 * HOUR, false, &id[i], NULL),
		         H_OK, &w.f.err);
	T_EQ_ERR(end_with(&w.f, id[0], true, "Room  needed"), H_OK, &w.f.err);
	T_EQ_ERR(end_with(&w.f, id[1], true, " room NEEDED\t"), H_OK, &w.f.err);
	T_EQ_ERR(end_with(&w.f, id[2], false, NULL), H_OK, &w.f.err);
	T_EQ_ERR(end_with(&w.f, id[3], false, "Room needed"), H_OK, &w.f.err);
	/* id[4] stays pending: an hour apart from the approved ones. */
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.cancelled, 2);
	T_EQ_INT(r.total.f.declined, 2);
	T_EQ_INT(r.total.f.pending, HOUR);
	T_EQ_INT(r.total.f.approved, 0);
	T_EQ_INT(r.total.f.groups, 0);
	T_ASSERT(r.nreasons == 3);
	T_EQ_STR(r.reasons[0].status, "cancelled");
	T_EQ_STR(r.reasons[0].reason, "room needed");
	T_EQ_INT(r.reasons[0].count, 2);
	T_EQ_STR(r.reasons[1].status, "declined");
	T_EQ_STR(r.reasons[1].reason, REPORT_NO_REASON);
	T_EQ_STR(r.reasons[2].reason, "room needed");
	report_free(&r);

	s = report_reason_normalise("   ");
	T_EQ_STR(s, REPORT_NO_REASON);
	free(s);
	s = report_reason_normalise("Café  Closed\r\n");
	T_EQ_STR(s, "café closed");
	free(s);
	fx_close(&w.f);
}

TEST(report_filters)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-04-01"};
	uint64_t v2, room2, school;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	v2 = fx_venue(&w.f, "Library", T_ZONE, "mon-sun 00:00-24:00");
	room2 = fx_room(&w.f, v2, "{\"name\": \"Reading Room\"}");
	school = group_of_kind(&w.f, "PTA", "school");
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-03-10T10:00"),
	                 fx_at("2026-03-10T12:00"), NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_book(&w.f, w.room, school, fx_at("2026-03-11T10:00"), fx_at("2026-03-11T11:00"),
	                 NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(fx_book(&w.f, room2, school, fx_at("2026-03-12T10:00"), fx_at("2026-03-12T14:00"),
	                 NULL),
	         H_OK, &w.f.err);

	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.approved, 7 * HOUR);
	T_EQ_INT(r.total.f.groups, 2);
	T_EQ_INT(r.venues.n, 2);
	T_EQ_INT(r.rooms.n, 2);
	T_EQ_INT(r.groups.n, 2);
	T_EQ_INT(r.kinds.n, GROUP_KIND_COUNT);
	T_EQ_INT(row_of(&r.kinds, "school")->f.approved, 5 * HOUR);
	T_EQ_INT(row_of(&r.kinds, "charity")->f.approved, 2 * HOUR);
	report_free(&r);

	q.venue_id = v2;
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.approved, 4 * HOUR);
	T_EQ_INT(r.venues.n, 1);
	T_EQ_INT(r.rooms.n, 1);
	T_EQ_INT(r.rooms.rows[0].id, room2);
	T_EQ_INT(r.groups.n, 1);
	report_free(&r);

	q.venue_id = 0;
	q.kind = "school";
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.total.f.approved, 5 * HOUR);
	T_EQ_INT(r.groups.n, 1);
	T_EQ_INT(r.groups.rows[0].id, school);
	T_EQ_INT(r.kinds.n, 1);
	T_EQ_STR(r.kind, "school");
	/* Open hours are the rooms', whoever books them. */
	T_EQ_INT(r.total.f.open, 2 * (31 * 24 - 1) * HOUR);
	report_free(&r);

	q.kind = "parish";
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_EINVAL, &w.f.err);
	report_free(&r);
	q.kind = NULL;
	q.venue_id = 99;
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_ENOTFOUND, &w.f.err);
	T_HAS_STR(w.f.err.msg, "no venue 99");
	report_free(&r);
	fx_close(&w.f);
}

TEST(report_window_bounded)
{
	struct rtown w;
	struct report r;
	static const struct {
		const char *from, *to;
		enum herr want;
	} cases[] = {
	    {"2026-01-01", "2029-01-01", H_OK},     /* 1096 days */
	    {"2026-01-01", "2029-01-02", H_EINVAL}, /* 1097 */
	    {"2026-01-01", "2026-01-01", H_EINVAL},       {"2026-01-02", "2026-01-01", H_EINVAL},
	    {"2026-02-29", "2026-03-01", H_EINVAL},       {"2026-1-01", "2026-03-01", H_EINVAL},
	    {"2026-01-01", "2026-13-01", H_EINVAL},       {NULL, "2026-03-01", H_EINVAL},
	    {"1969-12-31", "1970-01-02", H_EINVAL},       {"2199-12-01", "2200-01-01", H_EINVAL},
	    {"2026-01-01T00:00", "2026-03-01", H_EINVAL},
	};

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct report_query q = {.from = cases[i].from, .to = cases[i].to};

		T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), cases[i].want, &w.f.err);
		report_free(&r);
	}
	{
		struct report_query q = {.from = "2026-01-01", .to = "2029-01-02"};

		report_as(&w.f, NULL, false, &q, &r);
		T_HAS_STR(w.f.err.msg, "at most 1096 days");
		T_HAS_STR(w.f.err.msg, "1097 days");
		report_free(&r);
	}
	fx_close(&w.f);
}

TEST(report_who_may_read)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-04-01"};
	uint64_t v2, admin, manager, member;
	struct actor a;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	v2 = fx_venue(&w.f, "Library", T_ZONE, NULL);
	fx_room(&w.f, v2, "{\"name\": \"Reading Room\"}");
	admin = fx_user(&w.f, "admin@example.org", ROLE_ADMIN, 0);
	manager = fx_user(&w.f, "manager@example.org", ROLE_MANAGER, w.venue);
	member = fx_user(&w.f, "member@example.org", ROLE_MEMBER, w.group);

	a = fx_user_actor(admin);
	T_EQ_ERR(report_as(&w.f, &a, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.venues.n, 2);
	report_free(&r);

	/* A manager's report without a venue covers their venues alone. */
	a = fx_user_actor(manager);
	T_EQ_ERR(report_as(&w.f, &a, false, &q, &r), H_OK, &w.f.err);
	T_EQ_INT(r.venues.n, 1);
	T_EQ_INT(r.venues.rows[0].id, w.venue);
	T_EQ_INT(r.rooms.n, 1);
	report_free(&r);
	q.venue_id = v2;
	T_EQ_ERR(report_as(&w.f, &a, false, &q, &r), H_EFORBIDDEN, &w.f.err);
	report_free(&r);
	q.venue_id = 0;

	a = fx_user_actor(member);
	T_EQ_ERR(report_as(&w.f, &a, false, &q, &r), H_EFORBIDDEN, &w.f.err);
	T_HAS_STR(w.f.err.msg, "managers and administrators");
	report_free(&r);
	T_EQ_ERR(report_as(&w.f, NULL, true, &q, &r), H_EAUTH, &w.f.err);
	report_free(&r);
	fx_close(&w.f);
}

TEST(report_csv_safe)
{
	struct rtown w;
	struct report r;
	struct report_query q = {.from = "2026-03-01", .to = "2026-04-01"};
	uint64_t g1, g2, id;
	size_t len;
	char *csv;

	T_ASSERT(rtown_open(&w, "mon-sun 00:00-24:00"));
	g1 = fx_group(&w.f, "=HYPERLINK(\"http://x\")", 0);
	g2 = fx_group(&w.f, "Smith, Jones", 0);
	T_EQ_ERR(
	    fx_book(&w.f, w.room, g1, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:30"), NULL),
	    H_OK, &w.f.err);
	T_EQ_ERR(
	    fx_book(&w.f, w.room, g2, fx_at("2026-03-11T10:00"), fx_at("2026-03-11T11:00"), &id),
	    H_OK, &w.f.err);
	T_EQ_ERR(end_with(&w.f, id, true, "-1 attendees; @home"), H_OK, &w.f.err);
	T_EQ_ERR(report_as(&w.f, NULL, false, &q, &r), H_OK, &w.f.err);

	T_ASSERT((csv = report_csv(&r, "groups", &len)) != NULL);
	T_EQ_INT(len, strlen(csv));
	T_CHECK(memcmp(csv, "\xEF\xBB\xBFgroup_id,group,kind,", 22) == 0);
	T_HAS_STR(csv, "\"'=HYPERLINK(\"\"http://x\"\")\",charity,1.50,0.00,1,0,0\r\n");
	T_HAS_STR(csv, ",\"Smith, Jones\",charity,0.00,0.00,0,1,0\r\n");
	free(csv);
	T_ASSERT((csv = report_csv(&r, "reasons", &len)) != NULL);
	T_HAS_STR(csv, "cancelled,'-1 attendees; @home,1\r\n");
	free(csv);
	T_ASSERT((csv = report_csv(&r, "summary", &len)) != NULL);
	T_HAS_STR(csv, "2026-03-01,2026-04-01,,,1.50,0.00,743.00,0.2,1,1,1,0\r\n");
	free(csv);
	T_CHECK(report_csv(&r, "everything", &len) == NULL);
	T_CHECK(report_table_known("months"));
	T_CHECK(!report_table_known("totals"));
	report_free(&r);
	fx_close(&w.f);
}
