/* Series: rules expanded on the venue's wall clock across the 2026 and 2027 clock
 * changes (Europe/London and Pacific/Auckland), the RFC 5545 rule for times the clocks
 * skip or repeat, creation with and without the dates that cannot be booked, decisions
 * on a whole series or from a date, and edits that never undo a cancelled or moved date. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE ACTOR_CONSOLE

struct instants {
	int64_t v[128];
	size_t n;
};

static bool collect(int64_t start, void *arg)
{
	struct instants *in = arg;

	if (in->n < 128)
		in->v[in->n++] = start;
	return true;
}

static size_t expand(const char *rule, const char *zone, const char *first, struct instants *out)
{
	struct herror err;
	int64_t start;

	herror_clear(&err);
	memset(out, 0, sizeof(*out));
	T_EQ_ERR(time_parse(first, zone, &start, &err), H_OK, &err);
	T_EQ_ERR(series_expand(rule, zone, start, 128, collect, out, &err), H_OK, &err);
	return out->n;
}

static void local(const char *zone, int64_t t, char out[32])
{
	time_format(t, zone, out);
}

TEST(series_weekly_keeps_wall_clock_london)
{
	struct instants in;
	char when[32];

	/* Tuesdays 19:00 from 1 Sep 2026 to 27 Apr 2027: across 25 Oct 2026 and 28 Mar 2027. */
	T_EQ_INT(expand("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427", T_ZONE, "2026-09-01T19:00", &in),
	         35);
	for (size_t i = 0; i < in.n; i++) {
		struct localtm lt;

		tz_to_local(T_ZONE, in.v[i], &lt);
		T_EQ_INT(lt.hour, 19);
		T_EQ_INT(lt.min, 0);
		T_EQ_INT(lt.wday, 1);
	}
	local(T_ZONE, in.v[7], when); /* 20 Oct: summer time */
	T_EQ_STR(when, "2026-10-20T19:00:00+01:00");
	local(T_ZONE, in.v[8], when); /* 27 Oct: winter time */
	T_EQ_STR(when, "2026-10-27T19:00:00+00:00");
	T_EQ_INT(in.v[8] - in.v[7], 7 * 86400 + 3600);
	local(T_ZONE, in.v[29], when); /* 23 Mar 2027 */
	T_EQ_STR(when, "2027-03-23T19:00:00+00:00");
	local(T_ZONE, in.v[30], when); /* 30 Mar 2027 */
	T_EQ_STR(when, "2027-03-30T19:00:00+01:00");
	T_EQ_INT(in.v[30] - in.v[29], 7 * 86400 - 3600);
	local(T_ZONE, in.v[34], when); /* UNTIL a date includes that day */
	T_EQ_STR(when, "2027-04-27T19:00:00+01:00");
}

TEST(series_weekly_far_zone)
{
	struct instants in;
	char when[32];
	const char *zone = "Pacific/Auckland";

	/* Wednesdays 18:30 in Auckland: NZST->NZDT on 27 Sep 2026, back on 4 Apr 2027. */
	T_EQ_INT(expand("FREQ=WEEKLY;BYDAY=WE;COUNT=40", zone, "2026-09-16T18:30", &in), 40);
	for (size_t i = 0; i < in.n; i++) {
		struct localtm lt;

		tz_to_local(zone, in.v[i], &lt);
		T_EQ_INT(lt.hour, 18);
		T_EQ_INT(lt.min, 30);
	}
	local(zone, in.v[1], when);
	T_EQ_STR(when, "2026-09-23T18:30:00+12:00");
	local(zone, in.v[2], when);
	T_EQ_STR(when, "2026-09-30T18:30:00+13:00");
	local(zone, in.v[29], when);
	T_EQ_STR(when, "2027-04-07T18:30:00+12:00");
}

TEST(series_clock_change_times)
{
	struct instants in;
	char when[32];

	/* Sundays 01:30: on 28 Mar 2027 the clocks jump 01:00 -> 02:00, so 01:30 is read
	 * with the offset before the gap: 02:30 BST. The next week is 01:30 BST again. */
	T_EQ_INT(expand("FREQ=WEEKLY;COUNT=3", T_ZONE, "2027-03-21T01:30", &in), 3);
	local(T_ZONE, in.v[1], when);
	T_EQ_STR(when, "2027-03-28T02:30:00+01:00");
	local(T_ZONE, in.v[2], when);
	T_EQ_STR(when, "2027-04-04T01:30:00+01:00");
	/* On 25 Oct 2026 01:30 happens twice: the first (BST) is taken. */
	T_EQ_INT(expand("FREQ=WEEKLY;COUNT=3", T_ZONE, "2026-10-18T01:30", &in), 3);
	local(T_ZONE, in.v[1], when);
	T_EQ_STR(when, "2026-10-25T01:30:00+01:00");
	local(T_ZONE, in.v[2], when);
	T_EQ_STR(when, "2026-11-01T01:30:00+00:00");
	/* A daily rule through the spring gap keeps every other day at 01:30. */
	T_EQ_INT(expand("FREQ=DAILY;COUNT=3", T_ZONE, "2027-03-27T01:30", &in), 3);
	local(T_ZONE, in.v[2], when);
	T_EQ_STR(when, "2027-03-29T01:30:00+01:00");
}

TEST(series_monthly_rules)
{
	struct instants in;
	char when[32];

	/* The second Tuesday of each month. */
	T_EQ_INT(expand("FREQ=MONTHLY;BYDAY=2TU;COUNT=4", T_ZONE, "2026-10-13T10:00", &in), 4);
	local(T_ZONE, in.v[1], when);
	T_EQ_STR(when, "2026-11-10T10:00:00+00:00");
	local(T_ZONE, in.v[3], when);
	T_EQ_STR(when, "2027-01-12T10:00:00+00:00");
	/* The 15th, every other month. */
	T_EQ_INT(expand("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15;COUNT=3", T_ZONE, "2026-09-15T18:00",
	                &in),
	         3);
	local(T_ZONE, in.v[2], when);
	T_EQ_STR(when, "2027-01-15T18:00:00+00:00");
}

TEST(series_rule_checks)
{
	struct herror err;
	char *r;

	herror_clear(&err);
	T_ASSERT(series_rule_normalise("FREQ=YEARLY;COUNT=2", T_ZONE, &err) == NULL);
	T_EQ_INT(err.code, H_EINVAL);
	T_ASSERT(series_rule_normalise("FREQ=WEEKLY", T_ZONE, &err) == NULL);
	T_HAS_STR(err.msg, "needs an end");
	T_ASSERT(series_rule_normalise("FREQ=WEEKLY;BYHOUR=9;COUNT=2", T_ZONE, &err) == NULL);
	T_ASSERT(series_rule_normalise("every tuesday", T_ZONE, &err) == NULL);
	T_ASSERT(series_rule_normalise("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", T_ZONE, &err) == NULL);
	/* UNTIL a local date becomes the UTC end of that day. */
	r = series_rule_normalise("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630", T_ZONE, &err);
	T_ASSERT(r != NULL);
	if (r != NULL)
		T_HAS_STR(r, "UNTIL=20270630T225959Z");
	free(r);
}

/* A store with a venue open 08:00-23:00, a room with auto approval and a long horizon,
 * and a group. */
struct sworld {
	struct fx f;
	uint64_t venue, room, group;
};

static bool sworld_open(struct sworld *w, const char *room_fields)
{
	if (!fx_open(&w->f))
		return false;
	w->venue = fx_venue(&w->f, "Community Centre", T_ZONE, T_HOURS);
	w->room = fx_room(&w->f, w->venue, room_fields);
	w->group = fx_group(&w->f, "Knitters", 0);
	return w->venue && w->room && w->group;
}

struct op_series {
	struct series *s;
	bool skip;
	int64_t now;
	struct series_outcome out;
	enum series_action act;
	uint64_t id;
	int64_t from;
	const char *fields;
};

static enum herr op_create(struct txn *t, void *arg)
{
	struct op_series *o = arg;

	series_outcome_free(&o->out);
	o->s->id = 0;
	return series_create(t, &CONSOLE, o->s, false, o->skip, o->now, &o->out);
}

static enum herr create(struct sworld *w, const char *first, uint32_t minutes, const char *rule,
                        bool skip, uint64_t *id, struct series_outcome *out)
{
	struct series s;
	struct op_series o = {.s = &s, .skip = skip, .now = w->f.now};
	enum herr ret;

	series_init(&s);
	s.room_id = w->room;
	s.group_id = w->group;
	s.title = xstrdup("Knit and natter");
	s.attendees = 8;
	s.first_start = fx_at(first);
	s.duration = minutes * 60;
	s.rrule = xstrdup(rule);
	herror_clear(&w->f.err);
	ret = db_write(w->f.db, op_create, &o, &w->f.err);
	if (id != NULL)
		*id = ret == H_OK ? s.id : 0;
	if (out != NULL)
		*out = o.out;
	else
		series_outcome_free(&o.out);
	series_free(&s);
	return ret;
}

struct occ_list {
	struct booking b[128];
	size_t n;
};

static bool occ_add(const struct booking *b, void *arg)
{
	struct occ_list *l = arg;

	if (l->n < 128)
		booking_copy(&l->b[l->n++], b);
	return true;
}

static size_t occurrences(struct sworld *w, uint64_t id, struct occ_list *l)
{
	struct txn t;

	l->n = 0;
	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	series_each_occurrence(&t, id, occ_add, l);
	db_read_end(&t);
	return l->n;
}

static bool count_one(const struct booking *b, void *arg)
{
	(void)b;
	++*(size_t *)arg;
	return true;
}

static size_t room_bookings(struct sworld *w)
{
	struct booking_filter f;
	struct txn t;
	size_t n = 0;

	booking_filter_init(&f);
	f.room_id = w->room;
	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	booking_each(&t, &f, count_one, &n);
	db_read_end(&t);
	return n;
}

static void occ_free(struct occ_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		booking_free(&l->b[i]);
	l->n = 0;
}

TEST(series_create_books_each_date)
{
	struct sworld w;
	struct occ_list l;
	uint64_t id;

	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 1000}"));
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=40", false, &id, NULL),
	    H_OK, &w.f.err);
	T_EQ_INT(occurrences(&w, id, &l), 40);
	for (size_t i = 0; i < l.n; i++) {
		T_EQ_INT(l.b[i].series_id, id);
		T_EQ_INT(l.b[i].recurrence_id, l.b[i].start);
		T_EQ_INT(l.b[i].end - l.b[i].start, 7200);
		T_EQ_INT(l.b[i].status, BOOKING_APPROVED);
	}
	occ_free(&l);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

struct op_add {
	uint64_t id;
	int64_t date;
	int64_t now;
};

static enum herr op_add_date(struct txn *t, void *arg)
{
	struct op_add *o = arg;

	return series_occurrence_add(t, &CONSOLE, o->id, o->date, o->date, o->date + 7200, NULL,
	                             false, o->now, NULL);
}

TEST(series_conflicts_refuse_or_skip)
{
	struct sworld w;
	struct series_outcome out;
	struct occ_list l;
	uint64_t blocker, id;

	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 1000}"));
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-09-15T18:00"),
	                 fx_at("2026-09-15T20:00"), &blocker),
	         H_OK, &w.f.err);
	/* Without skipping, one conflict refuses the whole series and names the date. */
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=10", false, &id, &out),
	    H_ECONFLICT, &w.f.err);
	T_EQ_INT(out.nrefused, 1);
	T_EQ_INT(out.refused[0].start, fx_at("2026-09-15T19:00"));
	T_EQ_INT(out.refused[0].code, H_ECONFLICT);
	T_EQ_INT(out.refused[0].nconflicts, 1);
	T_EQ_INT(out.refused[0].conflicts[0], blocker);
	series_outcome_free(&out);
	/* Nothing of it was kept: the room holds the blocker alone, and no series. */
	T_EQ_INT(room_bookings(&w), 1);
	T_EQ_INT(occurrences(&w, 1, &l), 0);
	/* Skipping: nine dates booked, the tenth listed. */
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=10", true, &id, &out),
	    H_OK, &w.f.err);
	T_EQ_INT(out.created, 9);
	T_EQ_INT(out.nrefused, 1);
	series_outcome_free(&out);
	T_EQ_INT(occurrences(&w, id, &l), 9);
	occ_free(&l);
	/* The blocker gone, the left-out date can join the series later; not twice. */
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, blocker), H_OK, &w.f.err);
	{
		struct op_add o = {id, fx_at("2026-09-15T19:00"), w.f.now};

		T_EQ_ERR(db_write(w.f.db, op_add_date, &o, &w.f.err), H_OK, &w.f.err);
		T_EQ_INT(occurrences(&w, id, &l), 10);
		T_EQ_STR(l.b[2].title, "Knit and natter");
		T_EQ_INT(l.b[2].attendees, 8);
		occ_free(&l);
		T_EQ_ERR(db_write(w.f.db, op_add_date, &o, &w.f.err), H_EEXISTS, &w.f.err);
	}
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* A preview, in a read transaction: the dates as creation would judge them. */
static enum herr preview(struct sworld *w, const char *rule, const int64_t *exdates,
                         size_t nexdates, struct series_preview *out)
{
	struct series s;
	struct txn t;
	enum herr ret;

	series_init(&s);
	s.room_id = w->room;
	s.group_id = w->group;
	s.title = xstrdup("Knit and natter");
	s.first_start = fx_at("2026-09-01T19:00");
	s.duration = 7200;
	s.rrule = xstrdup(rule);
	herror_clear(&w->f.err);
	if ((ret = db_read_begin(w->f.db, &t, &w->f.err)) == H_OK) {
		ret = series_preview(&t, &CONSOLE, &s, exdates, nexdates, false, w->f.now, out);
		/* Each refused date's refusal was judged without sticking to the transaction. */
		T_EQ_INT(t.ret, ret);
		db_read_end(&t);
	}
	series_free(&s);
	return ret;
}

TEST(series_preview_judges_like_create)
{
	struct sworld w;
	struct series_preview pv;
	uint64_t blocker;
	int64_t left[2];

	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 1000}"));
	T_EQ_ERR(fx_book(&w.f, w.room, w.group, fx_at("2026-09-15T18:00"),
	                 fx_at("2026-09-15T20:00"), &blocker),
	         H_OK, &w.f.err);
	T_EQ_ERR(preview(&w, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", NULL, 0, &pv), H_OK, &w.f.err);
	T_EQ_INT(pv.n, 4);
	if (pv.n == 4) {
		T_EQ_INT(pv.dates[0].outcome, SERIES_DATE_APPROVED);
		T_EQ_INT(pv.dates[2].outcome, SERIES_DATE_REFUSED);
		T_EQ_INT(pv.dates[2].start, fx_at("2026-09-15T19:00"));
		T_EQ_INT(pv.dates[2].refusal.code, H_ECONFLICT);
		T_EQ_INT(pv.dates[2].refusal.conflicts[0], blocker);
		T_EQ_INT(pv.dates[3].outcome, SERIES_DATE_APPROVED);
	}
	series_preview_free(&pv);
	/* Nothing was written. */
	T_EQ_INT(room_bookings(&w), 1);
	left[0] = fx_at("2026-09-15T19:00");
	T_EQ_ERR(preview(&w, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", left, 1, &pv), H_OK, &w.f.err);
	T_EQ_INT(pv.n == 4 ? (int)pv.dates[2].outcome : -1, SERIES_DATE_LEFT_OUT);
	series_preview_free(&pv);
	/* A date the rule does not give, or the same date twice, is refused. */
	left[1] = left[0] + 3600;
	T_EQ_ERR(preview(&w, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", left + 1, 1, &pv), H_EINVAL, &w.f.err);
	left[1] = left[0];
	T_EQ_ERR(preview(&w, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", left, 2, &pv), H_EINVAL, &w.f.err);
	series_preview_free(&pv);
	fx_close(&w.f);
}

TEST(series_limits)
{
	struct sworld w;
	uint64_t id;

	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 1000, "
	                         "\"max_occurrences\": 5}"));
	T_EQ_ERR(create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;COUNT=6", false, &id, NULL),
	         H_RULE_SERIES, &w.f.err);
	T_EQ_ERR(create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;COUNT=5", false, &id, NULL), H_OK,
	         &w.f.err);
	/* The first date must be one of the rule's. */
	T_EQ_ERR(
	    create(&w, "2026-09-02T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=2", false, &id, NULL),
	    H_EINVAL, &w.f.err);
	fx_close(&w.f);
	/* Every date is checked against every rule: the horizon here. 2026-03-01 is now,
	 * so with 150 days' horizon (to 29 July) the August date is too far ahead. */
	{
		struct series_outcome out;

		T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 150}"));
		T_EQ_ERR(
		    create(&w, "2026-05-01T09:00", 60, "FREQ=MONTHLY;COUNT=4", true, &id, &out),
		    H_OK, &w.f.err);
		T_EQ_INT(out.created, 3);
		T_EQ_INT(out.nrefused, 1);
		if (out.nrefused == 1) {
			T_EQ_INT(out.refused[0].code, H_RULE_HORIZON);
			T_EQ_INT(out.refused[0].start, fx_at("2026-08-01T09:00"));
		}
		series_outcome_free(&out);
		fx_close(&w.f);
	}
}

static enum herr op_decide(struct txn *t, void *arg)
{
	struct op_series *o = arg;

	series_outcome_free(&o->out);
	return series_decide(t, &CONSOLE, o->id, o->act, o->from, "done", o->now, &o->out);
}

static enum herr op_update(struct txn *t, void *arg)
{
	struct op_series *o = arg;
	json_t *fields = json_loads(o->fields, 0, NULL);
	enum herr ret = series_update(t, &CONSOLE, o->id, fields, o->now, NULL);

	json_decref(fields);
	return ret;
}

TEST(series_decisions_and_edits)
{
	struct sworld w;
	struct occ_list l;
	struct op_series o = {0};
	struct series s;
	struct txn t;
	uint64_t id;
	char fields[128];

	T_ASSERT(sworld_open(&w, "{\"horizon_days\": 1000}")); /* manual approval */
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=8", false, &id, NULL),
	    H_OK, &w.f.err);
	T_EQ_INT(occurrences(&w, id, &l), 8);
	T_EQ_INT(l.b[0].status, BOOKING_PENDING);
	/* Move the third date by an hour; cancel the fourth. */
	snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
	         (long long)(l.b[2].start + 3600), (long long)(l.b[2].end + 3600));
	T_EQ_ERR(fx_update(&w.f, CONSOLE, l.b[2].id, fields), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, l.b[3].id), H_OK, &w.f.err);
	occ_free(&l);
	/* Approve the whole series: the cancelled date stays cancelled. */
	o.id = id;
	o.act = SERIES_APPROVE;
	o.now = w.f.now;
	T_EQ_ERR(db_write(w.f.db, op_decide, &o, &w.f.err), H_OK, &w.f.err);
	T_EQ_INT(o.out.created, 7);
	series_outcome_free(&o.out);
	occurrences(&w, id, &l);
	T_EQ_INT(l.b[3].status, BOOKING_CANCELLED);
	T_EQ_INT(l.b[2].status, BOOKING_APPROVED);
	T_EQ_INT(l.b[2].start, l.b[2].recurrence_id + 3600);
	/* "This and following": cancel from the sixth date. */
	o.act = SERIES_CANCEL;
	o.from = l.b[5].start;
	occ_free(&l);
	T_EQ_ERR(db_write(w.f.db, op_decide, &o, &w.f.err), H_OK, &w.f.err);
	T_EQ_INT(o.out.created, 3);
	series_outcome_free(&o.out);
	/* An edit renames the live dates only and moves nothing. */
	o.fields = "{\"title\": \"Knitting circle\"}";
	T_EQ_ERR(db_write(w.f.db, op_update, &o, &w.f.err), H_OK, &w.f.err);
	occurrences(&w, id, &l);
	T_EQ_STR(l.b[0].title, "Knitting circle");
	T_EQ_STR(l.b[3].title, "Knit and natter");
	T_EQ_INT(l.b[3].status, BOOKING_CANCELLED);
	T_EQ_INT(l.b[2].start, l.b[2].recurrence_id + 3600);
	T_EQ_INT(l.b[6].status, BOOKING_CANCELLED);
	occ_free(&l);
	o.fields = "{\"start\": 1}";
	T_EQ_ERR(db_write(w.f.db, op_update, &o, &w.f.err), H_EINVAL, &w.f.err);
	/* Every change to a date raised the series' sequence. */
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	T_EQ_ERR(series_get(&t, id, &s), H_OK, &w.f.err);
	T_ASSERT(s.sequence >= 10);
	T_EQ_STR(s.title, "Knitting circle");
	series_free(&s);
	db_read_end(&t);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

static bool count_start(int64_t start, void *arg)
{
	(void)start;
	++*(size_t *)arg;
	return true;
}

/* Rules that never match: libical's iterator searched month by month to the year 2582
 * for them (a second each, inside the writer). Each is now refused in plain words, by a
 * check of its shape or after a walk of at most SERIES_SPAN_DAYS. */
TEST(series_rules_that_never_match)
{
	static const struct {
		const char *rule, *words;
		enum herr code;
	} cases[] = {
	    {"FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=TU;BYSETPOS=2;COUNT=3",
	     "BYSETPOS asks for a position", H_EINVAL},
	    {"FREQ=MONTHLY;BYMONTHDAY=30;BYDAY=MO;BYSETPOS=-2;COUNT=3", "beyond the 1 date",
	     H_EINVAL},
	    {"FREQ=MONTHLY;BYDAY=5TU;BYMONTHDAY=1;COUNT=3", "gives no date in the 3660 days",
	     H_RULE_SERIES},
	    {"FREQ=MONTHLY;BYMONTHDAY=30;BYDAY=SU;INTERVAL=12;COUNT=50", "goes on more than 3660",
	     H_RULE_SERIES},
	    {"FREQ=WEEKLY;BYDAY=TU;BYSETPOS=1;COUNT=3", "BYSETPOS needs FREQ=MONTHLY", H_EINVAL},
	    {"FREQ=WEEKLY;BYDAY=2TU;COUNT=3", "needs FREQ=MONTHLY", H_EINVAL},
	    {"FREQ=MONTHLY;BYDAY=3MO,SU;COUNT=3", "number every day", H_EINVAL},
	    {"FREQ=WEEKLY;BYMONTHDAY=3;COUNT=3", "does not go with FREQ=WEEKLY", H_EINVAL},
	    {"FREQ=MONTHLY;BYSETPOS=1;COUNT=3", "BYSETPOS needs BYDAY or BYMONTHDAY", H_EINVAL},
	};
	int64_t start = fx_at("2026-03-03T19:00");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct herror err;
		size_t n = 0;

		herror_clear(&err);
		T_EQ_INT(series_expand(cases[i].rule, T_ZONE, start, 100, count_start, &n, &err),
		         cases[i].code);
		T_HAS_STR(err.msg, cases[i].words);
		T_CHECK(n < 50);
	}
}

/* Bounded expansions that do end: dates in order, at most max, none past the span. */
TEST(series_expansion_bounded)
{
	struct instants in;

	/* Every fifth Tuesday in a month: rare, but found. 2026-03-31 is one. */
	T_EQ_INT(expand("FREQ=MONTHLY;BYDAY=5TU;COUNT=4", T_ZONE, "2026-03-31T19:00", &in), 4);
	for (size_t i = 1; i < in.n; i++)
		T_CHECK(in.v[i] > in.v[i - 1]);
	T_CHECK(in.v[3] - in.v[0] < (int64_t)SERIES_SPAN_DAYS * 86400);
	/* The 31st where it falls on a Tuesday, last of the set. */
	T_EQ_INT(expand("FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=TU;BYSETPOS=-1;COUNT=2", T_ZONE,
	                "2026-03-31T19:00", &in),
	         2);
	/* UNTIL far past the span ends at the span, with a reason. */
	{
		struct herror err;
		size_t n = 0;

		herror_clear(&err);
		T_EQ_INT(series_expand("FREQ=DAILY;UNTIL=21991231", T_ZONE,
		                       fx_at("2026-03-03T19:00"), 100000, count_start, &n, &err),
		         H_RULE_SERIES);
		T_EQ_INT(n, SERIES_SPAN_DAYS + 1);
	}
}

/* A series whose rule never matches is refused before anything is written, and a rule
 * past the horizon stops at the first date beyond it. */
TEST(series_create_refuses_never_matching)
{
	struct sworld w;
	struct series_outcome out;

	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 1000}"));
	T_EQ_INT(create(&w, "2026-03-31T19:00", 60, "FREQ=MONTHLY;BYDAY=5TU;BYMONTHDAY=1;COUNT=3",
	                false, NULL, NULL),
	         H_RULE_SERIES);
	T_HAS_STR(w.f.err.msg, "gives no date");
	T_EQ_INT(create(&w, "2026-03-31T19:00", 60,
	                "FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=TU;BYSETPOS=2;COUNT=3", false, NULL,
	                NULL),
	         H_EINVAL);
	T_HAS_STR(w.f.err.msg, "never gives a date");
	fx_close(&w.f);
	/* Horizon 150 days: a daily rule for 400 days stops at the first date past it (the
	 * one refused), not at 400. */
	T_ASSERT(sworld_open(&w, "{\"approval\": \"auto\", \"horizon_days\": 150, "
	                         "\"max_occurrences\": 500}"));
	T_EQ_INT(create(&w, "2026-03-03T19:00", 60, "FREQ=DAILY;COUNT=400", true, NULL, &out),
	         H_OK);
	T_EQ_INT(out.nrefused, 1);
	T_EQ_INT(out.refused[0].code, H_RULE_HORIZON);
	T_CHECK(out.created < 160);
	series_outcome_free(&out);
	fx_close(&w.f);
}

/* Listing in pages: series stored out of id order with gaps, in two rooms and two
 * groups; every filter, unpaged and in pages of every budget from 1 to 4 (and of no
 * bound but one item a page), each resumed after the last id examined, must list the
 * matching ids in id order. */
#define PAGED_N 12

struct paged_put {
	uint64_t id[PAGED_N], room[PAGED_N], group[PAGED_N];
};

static enum herr op_put_paged(struct txn *t, void *arg)
{
	const struct paged_put *p = arg;

	for (size_t i = 0; i < PAGED_N; i++) {
		struct series s;

		series_init(&s);
		s.id = p->id[i];
		s.room_id = p->room[i];
		s.group_id = p->group[i];
		s.title = xstrdup("Paged");
		s.zone = xstrdup(T_ZONE);
		s.rrule = xstrdup("FREQ=WEEKLY;COUNT=2");
		series_put(t, &s);
		series_free(&s);
	}
	return t->ret;
}

struct paged_got {
	uint64_t ids[PAGED_N * 2];
	size_t n, limit;
};

static bool paged_add(const struct series *s, void *arg)
{
	struct paged_got *g = arg;

	if (g->n < PAGED_N * 2)
		g->ids[g->n] = s->id;
	g->n++;
	return g->limit == 0 || g->n < g->limit;
}

static void paged_same(const char *file, int line, const struct paged_got *g, const uint64_t *want,
                       size_t nwant, const char *how)
{
	bool same = g->n == nwant;

	for (size_t i = 0; same && i < nwant; i++)
		same = g->ids[i] == want[i];
	if (!same)
		t_fail(file, line, "%s: %zu series, not the %zu wanted in id order", how, g->n,
		       nwant);
}

static void check_series_pages(const char *file, int line, struct fx *fx, const struct paged_put *p,
                               uint64_t room, uint64_t group)
{
	uint64_t want[PAGED_N];
	size_t nwant = 0;
	struct paged_got g = {0};
	struct txn t;

	for (uint64_t id = 1; id <= 64; id++)
		for (size_t i = 0; i < PAGED_N; i++)
			if (p->id[i] == id && (room == 0 || p->room[i] == room) &&
			    (group == 0 || p->group[i] == group))
				want[nwant++] = id;
	if (db_read_begin(fx->db, &t, &fx->err) != H_OK)
		return;
	series_each(&t, room, group, paged_add, &g);
	paged_same(file, line, &g, want, nwant, "unpaged");
	for (size_t budget = 0; budget <= 4; budget++) {
		struct walk w = {.budget = budget};
		size_t pages = 0;
		char how[64];

		memset(&g, 0, sizeof(g));
		/* budget 0: no bound, but fn takes one item a page. */
		do {
			size_t before = g.n;

			g.limit = budget == 0 ? g.n + 1 : 0;
			series_each_page(&t, room, group, &w, paged_add, &g);
			if (budget != 0 && g.n - before > budget)
				t_fail(file, line, "a page of budget %zu showed %zu", budget,
				       g.n - before);
			w.has_after = true;
			w.after = w.last;
		} while (w.more && ++pages < 100);
		snprintf(how, sizeof(how), "room %llu group %llu budget %zu",
		         (unsigned long long)room, (unsigned long long)group, budget);
		paged_same(file, line, &g, want, nwant, how);
	}
	db_read_end(&t);
}

/* A listing by a room or group that does not exist is refused, naming it (the room
 * first), whole or in pages, rather than shown empty. */
static void check_series_refused(const char *file, int line, struct fx *fx, uint64_t room,
                                 uint64_t group, const char *words)
{
	for (size_t budget = 0; budget < 2; budget++) {
		struct walk w = {.budget = budget};
		struct paged_got g = {0};
		struct txn t;
		enum herr ret;

		if (db_read_begin(fx->db, &t, &fx->err) != H_OK)
			return;
		ret = budget == 0 ? series_each(&t, room, group, paged_add, &g)
		                  : series_each_page(&t, room, group, &w, paged_add, &g);
		if (ret != H_ENOTFOUND || t.ret != H_ENOTFOUND || strcmp(fx->err.msg, words) != 0 ||
		    g.n != 0)
			t_fail(file, line,
			       "room %llu group %llu: %s (%s), %zu series, not refused: %s",
			       (unsigned long long)room, (unsigned long long)group, herr_name(ret),
			       fx->err.msg, g.n, words);
		db_read_end(&t);
	}
}

TEST(series_each_in_pages)
{
	struct fx f;
	struct paged_put p;
	const uint64_t filters[][2] = {{0, 0}, {1, 0}, {2, 0}, {0, 1},
	                               {0, 2}, {1, 2}, {2, 1}, {3, 0}};
	uint64_t venue;

	T_ASSERT(fx_open(&f));
	/* The rooms and groups the filters name (ids 1 to 3 and 1 to 2). */
	venue = fx_venue(&f, "Centre", T_ZONE, T_HOURS);
	T_ASSERT(fx_room(&f, venue, "{\"name\": \"One\"}") == 1);
	T_ASSERT(fx_room(&f, venue, "{\"name\": \"Two\"}") == 2);
	T_ASSERT(fx_room(&f, venue, "{\"name\": \"Three\"}") == 3);
	T_ASSERT(fx_group(&f, "Choir", 0) == 1);
	T_ASSERT(fx_group(&f, "Scouts", 0) == 2);
	/* Stored out of id order, with gaps, so that order comes from the keys. */
	for (size_t i = 0; i < PAGED_N; i++) {
		p.id[i] = (uint64_t)((i * 7) % PAGED_N) * 3 + 2;
		p.room[i] = i % 3 == 0 ? 2 : 1;
		p.group[i] = i % 2 + 1;
	}
	T_EQ_ERR(db_write(f.db, op_put_paged, &p, &f.err), H_OK, &f.err);
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		check_series_pages(__FILE__, __LINE__, &f, &p, filters[i][0], filters[i][1]);
	check_series_refused(__FILE__, __LINE__, &f, 9, 0, "there is no room 9");
	check_series_refused(__FILE__, __LINE__, &f, 0, 9, "there is no group 9");
	check_series_refused(__FILE__, __LINE__, &f, 1, 9, "there is no group 9");
	check_series_refused(__FILE__, __LINE__, &f, 8, 9, "there is no room 8");
	fx_close(&f);
}

/* The same series asked for twice: refused whole, naming the first, as long as the first
 * has a date still pending or approved. A date that is the same as one of the group's
 * bookings is refused on its own, like any conflict. */
TEST(series_twin_refused)
{
	struct sworld w;
	struct series_outcome out;
	struct occ_list l;
	struct op_series o = {0};
	uint64_t first, id, one_off;

	T_ASSERT(sworld_open(&w, "{\"horizon_days\": 1000}")); /* manual approval */
	T_EQ_ERR(create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=8", false, &first,
	                NULL),
	         H_OK, &w.f.err);
	T_ASSERT(occurrences(&w, first, &l) == 8);
	/* Again, with or without skipping: one refusal for the whole series. */
	for (int skip = 0; skip < 2; skip++) {
		T_EQ_ERR(create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=8", skip,
		                &id, &out),
		         H_ECONFLICT, &w.f.err);
		T_HAS_STR(w.f.err.msg, "Knitters already asked for this: series 1");
		T_EQ_INT(out.nrefused, 0);
		T_EQ_INT(w.f.err.nconflicts, 8);
		T_EQ_INT(w.f.err.conflicts[0], l.b[0].id);
		series_outcome_free(&out);
	}
	/* A longer rule over the same dates: the dates asked for already are each refused,
	 * so the series is (without skipping), or only the new date is booked. */
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=9", false, &id, &out),
	    H_ECONFLICT, &w.f.err);
	T_EQ_INT(out.nrefused, 8);
	T_HAS_STR(out.refused[0].msg, "Knitters already asked for this: booking");
	T_EQ_INT(out.refused[0].conflicts[0], l.b[0].id);
	series_outcome_free(&out);
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=9", true, &id, &out),
	    H_OK, &w.f.err);
	T_EQ_INT(out.created, 1);
	T_EQ_INT(out.nrefused, 8);
	series_outcome_free(&out);
	/* A one-off booking of the group on a date of a new series is that date asked for. */
	T_EQ_ERR(fx_request(&w.f, CONSOLE, w.room, w.group, fx_at("2026-11-17T19:00"),
	                    fx_at("2026-11-17T21:00"), false, &one_off, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(
	    create(&w, "2026-11-10T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=3", true, &id, &out),
	    H_OK, &w.f.err);
	T_EQ_INT(out.created, 2);
	T_EQ_INT(out.nrefused, 1);
	if (out.nrefused == 1) {
		T_EQ_INT(out.refused[0].code, H_ECONFLICT);
		T_EQ_INT(out.refused[0].conflicts[0], one_off);
	}
	series_outcome_free(&out);
	/* The first series cancelled, it no longer counts. */
	o.id = first;
	o.act = SERIES_CANCEL;
	o.now = w.f.now;
	T_EQ_ERR(db_write(w.f.db, op_decide, &o, &w.f.err), H_OK, &w.f.err);
	series_outcome_free(&o.out);
	occ_free(&l);
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=8", false, &id, NULL),
	    H_OK, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

/* A series with only some dates still live is still the series asked for; other groups,
 * rooms, times or rules are other series. */
TEST(series_twin_partly_cancelled)
{
	struct sworld w;
	struct series_outcome out;
	struct occ_list l;
	uint64_t first, id, other_group;

	T_ASSERT(sworld_open(&w, "{\"horizon_days\": 1000}")); /* manual approval */
	other_group = fx_group(&w.f, "Chess club", 0);
	T_EQ_ERR(create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", false, &first,
	                NULL),
	         H_OK, &w.f.err);
	T_ASSERT(occurrences(&w, first, &l) == 4);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, l.b[0].id), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, l.b[1].id), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, CONSOLE, l.b[2].id), H_OK, &w.f.err);
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 120, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", true, &id, &out),
	    H_ECONFLICT, &w.f.err);
	T_HAS_STR(w.f.err.msg, "already asked for this: series 1");
	T_EQ_INT(w.f.err.nconflicts, 1);
	T_EQ_INT(w.f.err.conflicts[0], l.b[3].id);
	series_outcome_free(&out);
	occ_free(&l);
	/* Another length of the same rule is another series (its dates are other slots). */
	T_EQ_ERR(
	    create(&w, "2026-09-01T19:00", 90, "FREQ=WEEKLY;BYDAY=TU;COUNT=4", false, &id, NULL),
	    H_OK, &w.f.err);
	/* Another group may ask for the same. */
	{
		struct series s;
		struct op_series o = {.s = &s, .now = w.f.now};

		series_init(&s);
		s.room_id = w.room;
		s.group_id = other_group;
		s.title = xstrdup("Chess");
		s.first_start = fx_at("2026-09-01T19:00");
		s.duration = 7200;
		s.rrule = xstrdup("FREQ=WEEKLY;BYDAY=TU;COUNT=4");
		T_EQ_ERR(db_write(w.f.db, op_create, &o, &w.f.err), H_OK, &w.f.err);
		series_outcome_free(&o.out);
		series_free(&s);
	}
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}
