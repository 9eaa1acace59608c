/* Date sets: dates read from .ics files (several days, labels, duplicates, rules, hostile
 * input), series that skip a set's dates across the March and October clock changes in
 * Europe/London, closures that follow a set as the set changes, removal while in use,
 * and who may make and change sets. */
#include "t.h"

#include "fixture.h"

#include "date_set.h"
#include "date_set_ics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSOLE ACTOR_CONSOLE

static int32_t day(const char *text)
{
	int32_t d = 0;

	T_CHECK(date_set_parse_date(text, &d));
	return d;
}

static const char *label_of(const struct date_set *s, const char *date)
{
	const struct date_set_date *d = date_set_find(s, day(date));

	return d == NULL ? "(absent)" : d->label != NULL ? d->label : "(none)";
}

static enum herr read_ics(const char *text, struct date_set *s, struct date_set_ics_report *rep,
                          struct herror *err)
{
	herror_clear(err);
	return date_set_ics_read(text, strlen(text), s, rep, err);
}

#define CAL_BEGIN    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define CAL_END      "END:VCALENDAR\r\n"
#define EVENT(lines) "BEGIN:VEVENT\r\n" lines "END:VEVENT\r\n"

TEST(date_set_dates_parse_and_order)
{
	struct date_set s;
	struct herror err;
	int32_t d;
	bool added;
	char out[16];

	herror_clear(&err);
	date_set_init(&s);
	T_CHECK(!date_set_parse_date("2026-02-29", &d)); /* not a leap year */
	T_CHECK(date_set_parse_date("2028-02-29", &d));
	T_CHECK(!date_set_parse_date("1969-12-31", &d));
	T_CHECK(!date_set_parse_date("2201-01-01", &d));
	T_CHECK(date_set_parse_date("2200-12-31", &d));
	T_CHECK(!date_set_parse_date("2026-1-01", &d));
	T_CHECK(!date_set_parse_date("2026-01-01x", &d));
	T_CHECK(!date_set_parse_date("+026-01-01", &d));
	T_EQ_ERR(date_set_add(&s, day("2026-12-28"), NULL, &added, &err), H_OK, &err);
	T_EQ_ERR(date_set_add(&s, day("2026-12-25"), "Christmas Day", &added, &err), H_OK, &err);
	T_EQ_ERR(date_set_add(&s, day("2026-12-25"), "Again", &added, &err), H_OK, &err);
	T_CHECK(!added);
	T_EQ_ERR(date_set_add(&s, day("2026-12-28"), "Boxing Day (substitute)", &added, &err), H_OK,
	         &err);
	T_EQ_INT(s.n, 2);
	date_set_format_date(s.dates[0].day, out);
	T_EQ_STR(out, "2026-12-25");
	T_EQ_STR(label_of(&s, "2026-12-25"), "Christmas Day");
	T_EQ_STR(label_of(&s, "2026-12-28"), "Boxing Day (substitute)");
	T_EQ_ERR(date_set_add(&s, (int32_t)days_from_civil(2201, 1, 1), NULL, NULL, &err), H_EINVAL,
	         &err);
	T_HAS_STR(err.msg, "1970 to 2200");
	T_CHECK(date_set_remove_date(&s, day("2026-12-25")));
	T_CHECK(!date_set_remove_date(&s, day("2026-12-25")));
	T_EQ_INT(s.n, 1);
	date_set_free(&s);
}

TEST(date_set_ics_days_labels_duplicates)
{
	static const char text[] = CAL_BEGIN "X-WR-CALNAME:St Aidan's holidays\r\n"
	    /* Three days: DTEND is exclusive. */
	    EVENT("DTSTART;VALUE=DATE:20261221\r\nDTEND;VALUE=DATE:20261224\r\n"
	          "SUMMARY:Christmas holidays\\, part one\r\n")
	    /* A folded SUMMARY; one day without DTEND. */
	    EVENT("DTSTART;VALUE=DATE:20261225\r\nSUMMARY:Christmas\r\n  Day\r\n")
	    /* The same day again, with another label: kept once, its first label. */
	    EVENT("DTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261226\r\nSUMMARY:Xmas\r\n")
	    /* A timed event: left out with words. */
	    EVENT("DTSTART:20261230T190000Z\r\nDTEND:20261230T210000Z\r\nSUMMARY:Concert\r\n")
	    /* A simple yearly rule, and one that is not simple. */
	    EVENT("DTSTART;VALUE=DATE:20270101\r\nRRULE:FREQ=YEARLY;COUNT=3\r\n"
	          "SUMMARY:New Year's Day\r\n")
	        EVENT("DTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=MONTHLY;BYDAY=1TU\r\n"
	              "SUMMARY:First Tuesdays\r\n")
	    /* Far in the future. */
	    EVENT("DTSTART;VALUE=DATE:99991231\r\nSUMMARY:The end\r\n")
	    /* A weekly rule with an EXDATE; LF-only lines work too. */
	    "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270215\nRRULE:FREQ=DAILY;UNTIL=20270219\n"
	    "EXDATE;VALUE=DATE:20270217\nSUMMARY:Half term\nEND:VEVENT\n"
	    /* An alarm inside an event does not end it. */
	    EVENT("DTSTART;VALUE=DATE:20270301\r\nBEGIN:VALARM\r\nTRIGGER:-PT1H\r\n"
	          "END:VALARM\r\nSUMMARY:Inset day\r\n") CAL_END;
	struct date_set_ics_report rep;
	struct date_set s;
	struct herror err;

	date_set_init(&s);
	T_EQ_ERR(read_ics(text, &s, &rep, &err), H_OK, &err);
	T_EQ_STR(rep.calname, "St Aidan's holidays");
	T_EQ_INT(rep.events, 9);
	T_EQ_INT(rep.skipped, 3);
	T_EQ_INT(rep.duplicates, 1);
	/* 3 + 1 + 3 (yearly) + 4 (half term less one) + 1 */
	T_EQ_INT(rep.added, 12);
	T_EQ_INT(s.n, 12);
	T_EQ_STR(label_of(&s, "2026-12-21"), "Christmas holidays, part one");
	T_EQ_STR(label_of(&s, "2026-12-23"), "Christmas holidays, part one");
	T_EQ_STR(label_of(&s, "2026-12-24"), "(absent)");
	T_EQ_STR(label_of(&s, "2026-12-25"), "Christmas Day");
	T_EQ_STR(label_of(&s, "2029-01-01"), "New Year's Day");
	T_EQ_STR(label_of(&s, "2030-01-01"), "(absent)");
	T_EQ_STR(label_of(&s, "2027-02-17"), "(absent)");
	T_EQ_STR(label_of(&s, "2027-02-19"), "Half term");
	T_EQ_STR(label_of(&s, "2027-03-01"), "Inset day");
	T_HAS_STR(rep.notes[0], "time of day");
	T_HAS_STR(rep.notes[0], "Concert");
	T_HAS_STR(rep.notes[1], "BYDAY");
	T_HAS_STR(rep.notes[2], "9999-12-31");
	date_set_free(&s);
}

TEST(date_set_ics_refuses_bad_input)
{
	struct date_set_ics_report rep;
	struct date_set s;
	struct herror err;
	char *big;
	size_t n;

	date_set_init(&s);
	T_EQ_ERR(date_set_add(&s, day("2026-01-01"), "Kept", NULL, &err), H_OK, &err);
	T_EQ_ERR(read_ics("hello\r\n", &s, &rep, &err), H_EINVAL, &err);
	T_HAS_STR(err.msg, "BEGIN:VCALENDAR");
	T_EQ_ERR(
	    read_ics(CAL_BEGIN "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\n", &s, &rep, &err),
	    H_EINVAL, &err);
	T_HAS_STR(err.msg, "END:VEVENT");
	T_EQ_ERR(read_ics(CAL_BEGIN EVENT("DTSTART:20260101T100000\r\n") CAL_END, &s, &rep, &err),
	         H_EINVAL, &err);
	T_HAS_STR(err.msg, "no all-day events");
	T_EQ_ERR(read_ics(CAL_BEGIN EVENT("DTSTART;VALUE=DATE:20260101\r\nSUMMARY:\xff\xfe\r\n")
	                      CAL_END,
	                  &s, &rep, &err),
	         H_EINVAL, &err);
	T_HAS_STR(err.msg, "line 6");
	T_HAS_STR(err.msg, "UTF-8");
	T_EQ_ERR(date_set_ics_read(CAL_BEGIN "X\0Y", sizeof(CAL_BEGIN) + 2, &s, &rep, &err),
	         H_EINVAL, &err);
	T_HAS_STR(err.msg, "NUL");
	/* More dates than a set holds: refused whole, the set as it was. */
	T_EQ_ERR(read_ics(CAL_BEGIN EVENT("DTSTART;VALUE=DATE:20300101\r\n"
	                                  "RRULE:FREQ=DAILY;COUNT=1000\r\n")
	                      EVENT("DTSTART;VALUE=DATE:20400101\r\nRRULE:FREQ=DAILY;COUNT=10\r\n")
	                          CAL_END,
	                  &s, &rep, &err),
	         H_EINVAL, &err);
	T_HAS_STR(err.msg, "at most 1000 dates");
	T_EQ_INT(s.n, 1);
	T_EQ_STR(label_of(&s, "2026-01-01"), "Kept");
	/* A rule that repeats for ever is left out, not followed. */
	T_EQ_ERR(read_ics(CAL_BEGIN EVENT("DTSTART;VALUE=DATE:20300101\r\nRRULE:FREQ=DAILY\r\n")
	                      CAL_END,
	                  &s, &rep, &err),
	         H_EINVAL, &err);
	/* Too large a file. */
	n = DATE_SET_ICS_MAX_BYTES + 1;
	big = malloc(n);
	memset(big, ' ', n);
	T_EQ_ERR(date_set_ics_read(big, n, &s, &rep, &err), H_EINVAL, &err);
	T_HAS_STR(err.msg, "bytes");
	free(big);
	T_EQ_INT(s.n, 1);
	date_set_free(&s);
}

/* A borough with two venues, a room at each, a group at the first, and people. */
struct world {
	struct fx f;
	uint64_t v1, v2, r1, r2, g1;
	struct actor mgr1, mgr2, admin, member;
};

static bool world_open(struct world *w)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	w->v1 = fx_venue(&w->f, "Hartley Road", T_ZONE, "mon-sun 00:00-24:00");
	w->v2 = fx_venue(&w->f, "St Aidan's", T_ZONE, NULL);
	w->r1 = fx_room(&w->f, w->v1, "{\"approval\": \"auto\", \"min_minutes\": 30}");
	w->r2 = fx_room(&w->f, w->v2, NULL);
	w->g1 = fx_group(&w->f, "Chess Club", 0);
	w->mgr1 = fx_user_actor(fx_user(&w->f, "mgr1@example.org", ROLE_MANAGER, w->v1));
	w->mgr2 = fx_user_actor(fx_user(&w->f, "mgr2@example.org", ROLE_MANAGER, w->v2));
	w->admin = fx_user_actor(fx_user(&w->f, "admin@example.org", ROLE_ADMIN, 0));
	w->member = fx_user_actor(fx_user(&w->f, "m@example.org", ROLE_MEMBER, w->g1));
	return w->r1 != 0 && w->r2 != 0;
}

struct op {
	const struct actor *a;
	const char *json;
	uint64_t id;
	struct closure c;
	struct series *s;
	struct series_outcome out;
	struct series_preview pv;
	int64_t now;
};

static enum herr op_set_create(struct txn *t, void *arg)
{
	struct op *o = arg;
	json_t *j = json_loads(o->json, 0, NULL);
	struct date_set s;
	enum herr ret = date_set_from_json(j, &s, t->err);

	json_decref(j);
	if (ret == H_OK)
		ret = date_set_create(t, o->a, &s, o->now);
	else
		ret = txn_refuse(t, ret, "%s", t->err->msg);
	o->id = s.id;
	date_set_free(&s);
	return ret;
}

static enum herr set_create(struct world *w, const struct actor *a, const char *json, uint64_t *id)
{
	struct op o = {.a = a, .json = json, .now = w->f.now};
	enum herr ret;

	herror_clear(&w->f.err);
	ret = db_write(w->f.db, op_set_create, &o, &w->f.err);
	if (id != NULL)
		*id = ret == H_OK ? o.id : 0;
	return ret;
}

static enum herr op_set_update(struct txn *t, void *arg)
{
	struct op *o = arg;
	json_t *j = json_loads(o->json, 0, NULL);
	enum herr ret = date_set_update(t, o->a, o->id, j, o->now, NULL);

	json_decref(j);
	return ret;
}

static enum herr set_update(struct world *w, const struct actor *a, uint64_t id, const char *json)
{
	struct op o = {.a = a, .json = json, .id = id, .now = w->f.now};

	herror_clear(&w->f.err);
	return db_write(w->f.db, op_set_update, &o, &w->f.err);
}

static enum herr op_set_remove(struct txn *t, void *arg)
{
	struct op *o = arg;

	return date_set_remove(t, o->a, o->id, o->now);
}

static enum herr set_remove(struct world *w, const struct actor *a, uint64_t id)
{
	struct op o = {.a = a, .id = id, .now = w->f.now};

	herror_clear(&w->f.err);
	return db_write(w->f.db, op_set_remove, &o, &w->f.err);
}

static enum herr op_closure(struct txn *t, void *arg)
{
	struct op *o = arg;

	o->c.id = 0;
	return closure_create(t, o->a, &o->c, o->now);
}

static enum herr closure_following(struct world *w, enum closure_scope scope, uint64_t target,
                                   uint64_t set, uint64_t *id)
{
	struct op o = {.a = &CONSOLE, .now = w->f.now};
	enum herr ret;

	closure_init(&o.c);
	o.c.scope = scope;
	o.c.target = target;
	o.c.date_set_id = set;
	o.c.reason = xstrdup("Bank holiday");
	herror_clear(&w->f.err);
	ret = db_write(w->f.db, op_closure, &o, &w->f.err);
	if (id != NULL)
		*id = o.c.id;
	closure_free(&o.c);
	return ret;
}

struct notices {
	uint64_t closure;
	size_t n;
	char body[4096];
};

static bool notice_count(const struct outbox_msg *m, void *arg)
{
	struct notices *c = arg;

	if (strcmp(m->kind, "closure-notice") == 0 && m->about_id == c->closure) {
		c->n++;
		snprintf(c->body, sizeof(c->body), "%s", m->raw);
	}
	return true;
}

/* The closure notices queued about closure id, and the last one's text. */
static size_t notices_of(struct world *w, uint64_t id, struct notices *c)
{
	struct txn t;

	memset(c, 0, sizeof(*c));
	c->closure = id;
	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	outbox_each(&t, -1, notice_count, c);
	db_read_end(&t);
	return c->n;
}

static uint64_t closed_at(struct world *w, uint64_t room, uint64_t venue, const char *from,
                          const char *to)
{
	struct txn t;
	uint64_t id;

	if (db_read_begin(w->f.db, &t, &w->f.err) != H_OK)
		return 0;
	id = closure_find(&t, room, venue, fx_at(from), fx_at(to));
	db_read_end(&t);
	return id;
}

static enum herr op_venue_remove(struct txn *t, void *arg)
{
	struct op *o = arg;

	return venue_remove(t, o->a, o->id, o->now);
}

TEST(date_set_permissions)
{
	struct world w;
	uint64_t borough, mine;

	if (!world_open(&w))
		return;
	T_EQ_ERR(set_create(&w, &w.mgr1, "{\"name\": \"Bank holidays\"}", NULL), H_EFORBIDDEN,
	         &w.f.err);
	T_EQ_ERR(set_create(&w, &w.admin,
	                    "{\"name\": \"Bank holidays\", \"dates\": [\"2026-12-25\"]}", &borough),
	         H_OK, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.mgr1, "{\"name\": \"Theirs\", \"venue_id\": 2}", NULL),
	         H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.member, "{\"name\": \"Mine\", \"venue_id\": 1}", NULL),
	         H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.mgr1, "{\"name\": \"Nowhere\", \"venue_id\": 99}", NULL),
	         H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.mgr1,
	                    "{\"name\": \"Hartley Road's own\", \"venue_id\": 1, \"dates\": "
	                    "[{\"date\": \"2026-08-31\", \"label\": \"Summer\"}]}",
	                    &mine),
	         H_OK, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.admin, "{\"name\": \"\"}", NULL), H_EINVAL, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.admin, "{\"name\": \"x\", \"dates\": [\"2026-02-30\"]}", NULL),
	         H_EINVAL, &w.f.err);
	T_HAS_STR(w.f.err.msg, "dates[0]");
	T_EQ_ERR(set_update(&w, &w.mgr2, mine, "{\"add\": [\"2026-09-01\"]}"), H_EFORBIDDEN,
	         &w.f.err);
	T_EQ_ERR(set_update(&w, &w.mgr1, borough, "{\"add\": [\"2026-09-01\"]}"), H_EFORBIDDEN,
	         &w.f.err);
	T_EQ_ERR(set_update(&w, &w.mgr1, mine, "{\"add\": [\"2026-09-01\"], \"colour\": 1}"),
	         H_EINVAL, &w.f.err);
	T_EQ_ERR(set_update(&w, &w.mgr1, mine, "{\"remove\": [\"2026-09-02\"]}"), H_EINVAL,
	         &w.f.err);
	T_HAS_STR(w.f.err.msg, "not in the set");
	T_EQ_ERR(set_update(&w, &w.mgr1, mine, "{\"add\": [\"2026-09-01\"]}"), H_OK, &w.f.err);
	/* A venue's set is its own: another venue's room cannot follow it. */
	T_EQ_ERR(closure_following(&w, CLOSURE_ROOM, w.r2, mine, NULL), H_EINVAL, &w.f.err);
	T_HAS_STR(w.f.err.msg, "belongs to venue 1");
	T_EQ_ERR(set_remove(&w, &w.mgr2, mine), H_EFORBIDDEN, &w.f.err);
	{
		/* A venue with a set of its own is not removed from under it. */
		uint64_t bare = fx_venue(&w.f, "Bare Hall", T_ZONE, NULL), kept;
		struct op o = {.a = &CONSOLE, .now = w.f.now};
		char json[96];

		snprintf(json, sizeof(json), "{\"name\": \"Bare days\", \"venue_id\": %llu}",
		         (unsigned long long)bare);
		T_EQ_ERR(set_create(&w, &w.admin, json, &kept), H_OK, &w.f.err);
		o.id = bare;
		herror_clear(&w.f.err);
		T_EQ_ERR(db_write(w.f.db, op_venue_remove, &o, &w.f.err), H_RULE_INUSE, &w.f.err);
		T_HAS_STR(w.f.err.msg, "date set");
		T_EQ_ERR(set_remove(&w, &w.admin, kept), H_OK, &w.f.err);
		herror_clear(&w.f.err);
		T_EQ_ERR(db_write(w.f.db, op_venue_remove, &o, &w.f.err), H_OK, &w.f.err);
	}
	T_EQ_ERR(set_remove(&w, &w.mgr1, mine), H_OK, &w.f.err);
	T_EQ_ERR(set_remove(&w, &w.mgr1, mine), H_ENOTFOUND, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

TEST(date_set_closure_follows_and_changes)
{
	struct world w;
	uint64_t set, cl, bk;
	struct txn t;
	json_t *rules;

	if (!world_open(&w))
		return;
	/* 29 March 2026 is the day the clocks go forward: 23 hours long. */
	T_EQ_ERR(set_create(&w, &w.admin,
	                    "{\"name\": \"Bank holidays\", \"dates\": [\"2026-03-29\", "
	                    "{\"date\": \"2026-04-06\", \"label\": \"Easter Monday\"}]}",
	                    &set),
	         H_OK, &w.f.err);
	T_EQ_ERR(closure_following(&w, CLOSURE_VENUE, w.v1, set, &cl), H_OK, &w.f.err);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-03-29T00:00", "2026-03-29T00:30"), cl);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-03-29T23:30", "2026-03-29T23:59"), cl);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-03-28T22:00", "2026-03-28T23:59"), 0);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-03-30T00:00", "2026-03-30T10:00"), 0);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-04-06T12:00", "2026-04-06T13:00"), cl);
	T_EQ_INT(closed_at(&w, w.r2, w.v2, "2026-04-06T12:00", "2026-04-06T13:00"), 0);
	/* A request on a closed day is refused, as for any closure. */
	T_EQ_ERR(fx_request(&w.f, w.member, w.r1, w.g1, fx_at("2026-04-06T10:00"),
	                    fx_at("2026-04-06T11:00"), false, NULL, NULL),
	         H_RULE_CLOSED, &w.f.err);
	/* A booking on a day the set gains later. */
	T_EQ_ERR(fx_request(&w.f, w.member, w.r1, w.g1, fx_at("2026-05-04T10:00"),
	                    fx_at("2026-05-04T11:00"), false, &bk, NULL),
	         H_OK, &w.f.err);
	T_EQ_ERR(set_update(&w, &w.admin, set,
	                    "{\"add\": [{\"date\": \"2026-05-04\", \"label\": \"Early May\"}], "
	                    "\"remove\": [\"2026-03-29\"]}"),
	         H_OK, &w.f.err);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-03-29T12:00", "2026-03-29T13:00"), 0);
	T_EQ_INT(closed_at(&w, w.r1, w.v1, "2026-05-04T12:00", "2026-05-04T13:00"), cl);
	{
		/* The group whose booking the new day covers is told, once. */
		struct notices c;

		T_EQ_INT(notices_of(&w, cl, &c), 1);
		T_HAS_STR(c.body, "date set");
		T_EQ_ERR(set_update(&w, &w.admin, set, "{\"name\": \"Bank holidays (E&W)\"}"), H_OK,
		         &w.f.err);
		T_EQ_INT(notices_of(&w, cl, &c), 1);
	}
	T_EQ_ERR(fx_request(&w.f, w.member, w.r1, w.g1, fx_at("2026-05-04T14:00"),
	                    fx_at("2026-05-04T15:00"), false, NULL, NULL),
	         H_RULE_CLOSED, &w.f.err);
	T_EQ_INT(fx_check(&w.f), 0);
	/* Its times are the set's. */
	T_EQ_ERR(db_read_begin(w.f.db, &t, &w.f.err), H_OK, &w.f.err);
	{
		struct closure c;

		T_EQ_ERR(closure_get(&t, cl, &c), H_OK, &w.f.err);
		T_EQ_INT(c.start, fx_at("2026-04-06T00:00"));
		T_EQ_INT(c.end, fx_at("2026-05-05T00:00"));
		closure_free(&c);
	}
	rules = json_array();
	T_EQ_ERR(date_set_rules(&t, w.v1, rules), H_OK, &w.f.err);
	T_EQ_INT(json_array_size(rules), 1);
	T_HAS_STR(json_str(json_array_get(rules, 0), "says"),
	          "Hartley Road is closed all day on the 2 dates of \"Bank holidays (E&W)\", "
	          "from 2026-04-06 to 2026-05-04.");
	json_array_clear(rules);
	T_EQ_ERR(date_set_rules(&t, w.v2, rules), H_OK, &w.f.err);
	T_EQ_INT(json_array_size(rules), 0);
	json_decref(rules);
	db_read_end(&t);
	/* The set cannot lose its last date, nor go, while the closure follows it. */
	T_EQ_ERR(set_update(&w, &w.admin, set, "{\"dates\": []}"), H_EINVAL, &w.f.err);
	T_HAS_STR(w.f.err.msg, "at least one date");
	T_EQ_ERR(set_remove(&w, &w.admin, set), H_RULE_INUSE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "closure");
	{
		struct herror e;

		herror_clear(&e);
		T_EQ_ERR(fx_update(&w.f, CONSOLE, bk, "{\"title\": \"Still here\"}"), H_OK, &e);
	}
	T_EQ_INT(fx_check(&w.f), 0);
	fx_close(&w.f);
}

static enum herr op_series(struct txn *t, void *arg)
{
	struct op *o = arg;

	series_outcome_free(&o->out);
	o->s->id = 0;
	return series_create(t, o->a, o->s, false, false, o->now, &o->out);
}

static enum herr op_preview(struct txn *t, void *arg)
{
	struct op *o = arg;

	series_preview_free(&o->pv);
	return series_preview(t, o->a, o->s, NULL, 0, false, o->now, &o->pv);
}

static void series_fill(struct world *w, struct series *s, uint64_t room, const char *first,
                        const char *rule, uint64_t skip)
{
	series_init(s);
	s->room_id = room;
	s->group_id = w->g1;
	s->title = xstrdup("Late chess");
	s->attendees = 8;
	s->first_start = fx_at(first);
	s->duration = 3600;
	s->rrule = xstrdup(rule);
	if (skip != 0) {
		s->skip_date_sets = xmalloc(sizeof(uint64_t));
		s->skip_date_sets[0] = skip;
		s->nskip = 1;
	}
}

TEST(date_set_series_skips_across_clock_changes)
{
	struct world w;
	struct series s;
	struct op o;
	uint64_t set, other;
	size_t skipped = 0, booked = 0;
	char when[32];

	if (!world_open(&w))
		return;
	/* The days of both clock changes, and a day in summer time. Sundays at 00:30 local:
	 * on 25 October 00:30 BST is 24 October 23:30 UTC, still the 25th in London. */
	T_EQ_ERR(set_create(&w, &w.mgr1,
	                    "{\"name\": \"School holidays\", \"venue_id\": 1, \"dates\": "
	                    "[\"2026-03-29\", {\"date\": \"2026-10-25\", \"label\": \"Half "
	                    "term\"}, \"2026-06-07\", \"2026-10-24\"]}",
	                    &set),
	         H_OK, &w.f.err);
	T_EQ_ERR(set_create(&w, &w.mgr2, "{\"name\": \"St Aidan's\", \"venue_id\": 2}", &other),
	         H_OK, &w.f.err);
	memset(&o, 0, sizeof(o));
	o.a = &w.member;
	o.now = w.f.now;
	o.s = &s;
	series_fill(&w, &s, w.r1, "2026-03-22T00:30", "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261101", set);
	herror_clear(&w.f.err);
	T_EQ_ERR(db_write(w.f.db, op_preview, &o, &w.f.err), H_OK, &w.f.err);
	for (size_t i = 0; i < o.pv.n; i++) {
		const struct series_date *d = &o.pv.dates[i];

		time_format(d->start, T_ZONE, when);
		if (d->outcome == SERIES_DATE_SKIPPED) {
			skipped++;
			T_EQ_STR(d->date_set_name, "School holidays");
			T_EQ_INT(d->date_set_id, set);
			T_CHECK(strncmp(when, "2026-03-29", 10) == 0 ||
			        strncmp(when, "2026-06-07", 10) == 0 ||
			        strncmp(when, "2026-10-25", 10) == 0);
			if (strncmp(when, "2026-10-25", 10) == 0) {
				T_EQ_STR(d->date_label, "Half term");
				T_EQ_STR(when, "2026-10-25T00:30:00+01:00");
			}
		} else {
			T_CHECK(strncmp(when, "2026-03-29", 10) != 0);
			T_CHECK(strncmp(when, "2026-10-25", 10) != 0);
		}
	}
	T_EQ_INT(skipped, 3);
	T_EQ_INT(o.pv.n, 33);
	series_preview_free(&o.pv);
	T_EQ_ERR(db_write(w.f.db, op_series, &o, &w.f.err), H_OK, &w.f.err);
	booked = o.out.created;
	T_EQ_INT(booked, 30);
	T_EQ_INT(o.out.nrefused, 0);
	T_EQ_INT(s.nskip, 1);
	series_outcome_free(&o.out);
	series_free(&s);
	T_EQ_INT(fx_check(&w.f), 0);
	/* In use by the series: the set stays. */
	T_EQ_ERR(set_remove(&w, &w.mgr1, set), H_RULE_INUSE, &w.f.err);
	T_HAS_STR(w.f.err.msg, "series 1");
	/* Another venue's set, and a set that leaves nothing, are refused. */
	series_fill(&w, &s, w.r1, "2026-03-29T00:30", "FREQ=WEEKLY;BYDAY=SU;COUNT=1", other);
	T_EQ_ERR(db_write(w.f.db, op_series, &o, &w.f.err), H_EINVAL, &w.f.err);
	T_HAS_STR(w.f.err.msg, "belongs to venue 2");
	series_outcome_free(&o.out);
	series_free(&s);
	series_fill(&w, &s, w.r1, "2026-03-29T10:00", "FREQ=WEEKLY;BYDAY=SU;COUNT=1", set);
	T_EQ_ERR(db_write(w.f.db, op_series, &o, &w.f.err), H_EINVAL, &w.f.err);
	T_HAS_STR(w.f.err.msg, "every date of the rule");
	series_outcome_free(&o.out);
	series_free(&s);
	series_fill(&w, &s, w.r1, "2026-03-29T10:00", "FREQ=WEEKLY;BYDAY=SU;COUNT=2", 77);
	T_EQ_ERR(db_write(w.f.db, op_series, &o, &w.f.err), H_ENOTFOUND, &w.f.err);
	T_HAS_STR(w.f.err.msg, "date set 77");
	series_outcome_free(&o.out);
	series_free(&s);
	fx_close(&w.f);
}

static enum herr op_import_line(struct txn *t, void *arg)
{
	return dump_import_line(t, arg, t->err);
}

TEST(date_set_export_import_round_trip)
{
	struct world w;
	uint64_t set, cl;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	struct txn t;
	struct fx g;

	if (!world_open(&w))
		return;
	T_EQ_ERR(set_create(&w, &w.admin,
	                    "{\"name\": \"Bank holidays\", \"dates\": [{\"date\": \"2026-12-25\", "
	                    "\"label\": \"Christmas Day\"}, \"2026-12-28\"]}",
	                    &set),
	         H_OK, &w.f.err);
	T_EQ_ERR(closure_following(&w, CLOSURE_ROOM, w.r1, set, &cl), H_OK, &w.f.err);
	out = open_memstream(&buf, &len);
	T_EQ_ERR(db_read_begin(w.f.db, &t, &w.f.err), H_OK, &w.f.err);
	T_EQ_ERR(dump_export(&t, out), H_OK, &w.f.err);
	db_read_end(&t);
	fclose(out);
	T_HAS_STR(buf, "\"kind\":\"date-set\"");
	T_HAS_STR(buf, "Christmas Day");
	if (fx_open(&g)) {
		char *line = buf, *nl;

		for (; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
			*nl = '\0';
			herror_clear(&g.err);
			T_EQ_ERR(db_write(g.db, op_import_line, line, &g.err), H_OK, &g.err);
		}
		T_EQ_ERR(db_read_begin(g.db, &t, &g.err), H_OK, &g.err);
		T_EQ_INT(closure_find(&t, w.r1, w.v1, fx_at("2026-12-28T10:00"),
		                      fx_at("2026-12-28T11:00")),
		         cl);
		db_read_end(&t);
		T_EQ_INT(fx_check(&g), 0);
		fx_close(&g);
	}
	free(buf);
	fx_close(&w.f);
}
