/* Calendar import (ics_import.c): a weekly event across the Europe/London clock changes of
 * 2026 and 2027, events at a local time the clocks skip and at one they repeat, EXDATE,
 * RECURRENCE-ID overrides, times in UTC, in a TZID and floating, a dry run, and input
 * refused with words. Every import goes through the core alone, as `halls import-ics`
 * and a future API route would. */
#include "t.h"

#include "fixture.h"
#include "ics_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_BEGIN "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define CAL_END   "END:VCALENDAR\r\n"

/* A store with one venue in London open day and night, one room taking series of up to
 * two years, and one group. */
struct ifx {
	struct fx f;
	uint64_t venue, room, group;
};

static bool ifx_open(struct ifx *x)
{
	memset(x, 0, sizeof(*x));
	if (!fx_open(&x->f))
		return false;
	x->venue = fx_venue(&x->f, "Hall", T_ZONE, "mon-sun 00:00-24:00");
	x->room = fx_room(&x->f, x->venue,
	                  "{\"approval\": \"auto\", \"horizon_days\": 1000, "
	                  "\"max_occurrences\": 200}");
	x->group = fx_group(&x->f, "Choir", 0);
	return x->venue != 0 && x->room != 0 && x->group != 0;
}

static enum herr ifx_import_as(struct ifx *x, struct actor a, const char *ics, bool dry_run,
                               struct ics_import_outcome *out)
{
	struct ics_import_options opt = {.name = "test.ics",
	                                 .room_id = x->room,
	                                 .group_id = x->group,
	                                 .dry_run = dry_run,
	                                 .now = T_NOW};

	herror_clear(&x->f.err);
	return ics_import(x->f.db, &a, ics, strlen(ics), &opt, out, &x->f.err);
}

static enum herr ifx_import(struct ifx *x, const char *ics, struct ics_import_outcome *out)
{
	return ifx_import_as(x, ACTOR_CONSOLE, ics, false, out);
}

/* The only item of an outcome that has it, or NULL. */
static const struct ics_import_item *only_item(const struct ics_import_outcome *o)
{
	return o->nitems == 1 ? &o->items[0] : NULL;
}

static const struct ics_import_item *item_of(const struct ics_import_outcome *o, const char *uid)
{
	for (size_t i = 0; i < o->nitems; i++)
		if (o->items[i].uid != NULL && strcmp(o->items[i].uid, uid) == 0)
			return &o->items[i];
	return NULL;
}

static size_t notes(const struct ics_import_item *it, enum ics_import_note note)
{
	size_t n = 0;

	for (size_t i = 0; it != NULL && i < it->ndates; i++)
		n += it->dates[i].note == note;
	return n;
}

/* A series' occurrences, in rule order. */
struct occs {
	int64_t start[256], rid[256];
	enum booking_status status[256];
	uint64_t id[256];
	size_t n;
};

static bool occ_add(const struct booking *b, void *arg)
{
	struct occs *o = arg;

	if (o->n < 256) {
		o->start[o->n] = b->start;
		o->rid[o->n] = b->recurrence_id;
		o->status[o->n] = b->status;
		o->id[o->n] = b->id;
		o->n++;
	}
	return true;
}

static size_t occs_of(struct ifx *x, uint64_t series_id, struct occs *out)
{
	struct txn t;

	memset(out, 0, sizeof(*out));
	if (db_read_begin(x->f.db, &t, &x->f.err) != H_OK)
		return 0;
	series_each_occurrence(&t, series_id, occ_add, out);
	db_read_end(&t);
	return out->n;
}

/* An RFC 3339 instant ("2026-03-29T09:00:00Z"). */
static int64_t at(const char *s)
{
	struct herror err;
	int64_t t = 0;

	herror_clear(&err);
	T_EQ_ERR(time_parse(s, "UTC", &t, &err), H_OK, &err);
	return t;
}

static bool has_start(const struct occs *o, int64_t t)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->start[i] == t)
			return true;
	return false;
}

TEST(ics_import_weekly_across_clock_changes)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct occs o;
	/* Sundays 10:00 London from 22 Mar 2026 to 7 Nov 2027: every change of both years. */
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:weekly@test\r\n"
	                                    "SUMMARY:Sunday rehearsal\r\n"
	                                    "DTSTART;TZID=Europe/London:20260322T100000\r\n"
	                                    "DTEND;TZID=Europe/London:20260322T113000\r\n"
	                                    "RRULE:FREQ=WEEKLY;UNTIL=20271107T235959Z\r\n"
	                                    "END:VEVENT\r\n" CAL_END;
	/* Before and after each change: 10:00 is GMT (10:00Z) or BST (09:00Z). */
	static const char *const want[] = {
	    "2026-03-22T10:00:00Z", "2026-03-29T09:00:00Z", "2026-10-18T09:00:00Z",
	    "2026-10-25T10:00:00Z", "2027-03-21T10:00:00Z", "2027-03-28T09:00:00Z",
	    "2027-10-24T09:00:00Z", "2027-10-31T10:00:00Z", "2027-11-07T10:00:00Z",
	};

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL);
	T_EQ_INT(it->kind, ICS_IMPORT_SERIES);
	T_EQ_INT(out.events, 1);
	T_EQ_INT(out.series, 1);
	/* 22 Mar 2026 to 7 Nov 2027 is 595 days: 86 Sundays, all booked at once (auto). */
	T_EQ_INT(it->total, 86);
	T_EQ_INT(it->approved, 86);
	T_EQ_INT(it->ndates, 0); /* nothing skipped, excluded or retimed */
	T_EQ_INT(occs_of(&x, it->series_id, &o), 86);
	for (size_t i = 0; i < o.n; i++) {
		struct localtm lt;

		tz_to_local(T_ZONE, o.start[i], &lt);
		T_EQ_INT(lt.hour, 10);
		T_EQ_INT(lt.min, 0);
		T_EQ_INT(lt.wday, 6);
		T_EQ_INT(o.start[i], o.rid[i]);
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!has_start(&o, at(want[i])))
			t_fail(__FILE__, __LINE__, "no date at %s", want[i]);
	T_EQ_INT(fx_check(&x.f), 0);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_utc_series_retimed_across_change)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct occs o;
	/* 09:00 UTC every Sunday across 25 Oct 2026: 10:00 BST, then 09:00 GMT. A series repeats
	 * on the venue's clock, so the dates after the change are moved to the source's
	 * instants. */
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:utc@test\r\n"
	                                    "SUMMARY:UTC rehearsal\r\n"
	                                    "DTSTART:20261011T090000Z\r\n"
	                                    "DTEND:20261011T100000Z\r\n"
	                                    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                                    "END:VEVENT\r\n" CAL_END;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL && it->kind == ICS_IMPORT_SERIES);
	T_EQ_INT(it->total, 4);
	T_EQ_INT(it->approved, 4);
	T_EQ_INT(notes(it, ICS_NOTE_RETIMED), 2);
	T_EQ_INT(occs_of(&x, it->series_id, &o), 4);
	for (size_t i = 0; i < o.n; i++) {
		struct localtm lt;

		tz_to_local("UTC", o.start[i], &lt);
		T_EQ_INT(lt.hour, 9);
	}
	/* The rule's own date stays the recurrence id: 10:00 London on 25 Oct is 10:00Z. */
	T_EQ_INT(o.rid[2], at("2026-10-25T10:00:00Z"));
	T_EQ_INT(o.start[2], at("2026-10-25T09:00:00Z"));
	T_EQ_INT(fx_check(&x.f), 0);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_skipped_local_time)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct booking b;
	struct occs o;
	struct localtm lt = {.year = 2027, .month = 3, .day = 28, .hour = 1, .min = 30};
	/* 01:30 on 28 Mar 2027 does not exist in London (01:00 GMT becomes 02:00 BST): RFC
	 * 5545 reads it with the offset before the gap, 01:30Z, which is 02:30 BST. */
	static const char one[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:gap@test\r\n"
	                                    "SUMMARY:Night\r\n"
	                                    "DTSTART;TZID=Europe/London:20270328T013000\r\n"
	                                    "DTEND;TZID=Europe/London:20270328T033000\r\n"
	                                    "END:VEVENT\r\n" CAL_END;
	/* The same time every Sunday: the week before and after keep 01:30 on the clock. */
	static const char weekly[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                       "UID:gap-weekly@test\r\n"
	                                       "SUMMARY:Night shift\r\n"
	                                       "DTSTART;TZID=Europe/London:20270321T013000\r\n"
	                                       "DTEND;TZID=Europe/London:20270321T020000\r\n"
	                                       "RRULE:FREQ=WEEKLY;COUNT=3\r\n"
	                                       "END:VEVENT\r\n" CAL_END;

	T_EQ_INT(tz_from_local_rfc5545(T_ZONE, &lt), at("2027-03-28T01:30:00Z"));
	T_EQ_ERR(tz_from_local(T_ZONE, &lt, &(int64_t){0}, NULL), H_EINVAL, NULL);
	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, one, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL);
	T_EQ_INT(it->kind, ICS_IMPORT_PLACED);
	T_EQ_INT(it->start, at("2027-03-28T01:30:00Z"));
	T_EQ_INT(it->end, at("2027-03-28T02:30:00Z"));
	T_EQ_ERR(fx_get(&x.f, it->booking_id, &b), H_OK, &x.f.err);
	T_EQ_INT(b.start, at("2027-03-28T01:30:00Z"));
	booking_free(&b);
	ics_import_outcome_free(&out);
	fx_close(&x.f);

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, weekly, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL && it->kind == ICS_IMPORT_SERIES);
	T_EQ_INT(occs_of(&x, it->series_id, &o), 3);
	T_EQ_INT(o.start[0], at("2027-03-21T01:30:00Z"));
	T_EQ_INT(o.start[1], at("2027-03-28T01:30:00Z"));
	T_EQ_INT(o.start[2], at("2027-04-04T00:30:00Z"));
	T_EQ_INT(fx_check(&x.f), 0);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_repeated_local_time)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct localtm lt = {.year = 2027, .month = 10, .day = 31, .hour = 1, .min = 30};
	/* 01:30 on 31 Oct 2027 happens twice in London (BST, then GMT): it is the first. */
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:twice@test\r\n"
	                                    "SUMMARY:Night\r\n"
	                                    "DTSTART;TZID=Europe/London:20271031T013000\r\n"
	                                    "DTEND;TZID=Europe/London:20271031T023000\r\n"
	                                    "END:VEVENT\r\n" CAL_END;

	T_EQ_INT(tz_from_local_rfc5545(T_ZONE, &lt), at("2027-10-31T00:30:00Z"));
	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL);
	T_EQ_INT(it->kind, ICS_IMPORT_PLACED);
	/* 00:30Z to 02:30Z: two hours, the repeated hour included. */
	T_EQ_INT(it->start, at("2027-10-31T00:30:00Z"));
	T_EQ_INT(it->end, at("2027-10-31T02:30:00Z"));
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_exdate)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct occs o;
	/* Four Tuesdays; the second excluded by its instant, the fourth by its date. */
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:ex@test\r\n"
	                                    "SUMMARY:Choir\r\n"
	                                    "DTSTART;TZID=Europe/London:20261006T190000\r\n"
	                                    "DTEND;TZID=Europe/London:20261006T210000\r\n"
	                                    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                                    "EXDATE;TZID=Europe/London:20261013T190000\r\n"
	                                    "EXDATE;VALUE=DATE:20261027\r\n"
	                                    "END:VEVENT\r\n" CAL_END;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	it = only_item(&out);
	T_ASSERT(it != NULL && it->kind == ICS_IMPORT_SERIES);
	T_EQ_INT(notes(it, ICS_NOTE_EXCLUDED), 2);
	T_EQ_INT(it->total, 2);
	T_EQ_INT(it->approved, 2);
	T_EQ_INT(occs_of(&x, it->series_id, &o), 4);
	T_EQ_INT(o.status[0], BOOKING_APPROVED);
	T_EQ_INT(o.status[1], BOOKING_CANCELLED);
	T_EQ_INT(o.status[2], BOOKING_APPROVED);
	T_EQ_INT(o.status[3], BOOKING_CANCELLED);
	T_EQ_INT(out.series_dates, 2);
	T_EQ_INT(fx_check(&x.f), 0);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_recurrence_id_overrides)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	struct booking b;
	struct occs o;
	/* Four Tuesdays: the second moved to Wednesday, the third cancelled, the fourth
	 * renamed at its own time. */
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:ov@test\r\n"
	                                    "SUMMARY:Choir\r\n"
	                                    "DTSTART;TZID=Europe/London:20261006T190000\r\n"
	                                    "DTEND;TZID=Europe/London:20261006T210000\r\n"
	                                    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:ov@test\r\n"
	                                    "SUMMARY:Choir\r\n"
	                                    "RECURRENCE-ID;TZID=Europe/London:20261013T190000\r\n"
	                                    "DTSTART;TZID=Europe/London:20261014T180000\r\n"
	                                    "DTEND;TZID=Europe/London:20261014T200000\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:ov@test\r\n"
	                                    "STATUS:CANCELLED\r\n"
	                                    "RECURRENCE-ID;TZID=Europe/London:20261020T190000\r\n"
	                                    "DTSTART;TZID=Europe/London:20261020T190000\r\n"
	                                    "DTEND;TZID=Europe/London:20261020T210000\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:ov@test\r\n"
	                                    "SUMMARY:Choir concert\r\n"
	                                    "RECURRENCE-ID;TZID=Europe/London:20261027T190000\r\n"
	                                    "DTSTART;TZID=Europe/London:20261027T190000\r\n"
	                                    "DTEND;TZID=Europe/London:20261027T210000\r\n"
	                                    "END:VEVENT\r\n" CAL_END;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	T_EQ_INT(out.events, 4);
	it = only_item(&out); /* the overrides are notes of their series, not items */
	T_ASSERT(it != NULL && it->kind == ICS_IMPORT_SERIES);
	T_EQ_INT(notes(it, ICS_NOTE_MOVED), 2);
	T_EQ_INT(notes(it, ICS_NOTE_CANCELLED), 1);
	T_EQ_INT(it->total, 3);
	T_EQ_INT(occs_of(&x, it->series_id, &o), 4);
	/* Moved: a day later, still the rule's second date. */
	T_EQ_INT(o.rid[1], at("2026-10-13T18:00:00Z"));
	T_EQ_INT(o.start[1], at("2026-10-14T17:00:00Z"));
	T_EQ_INT(o.status[2], BOOKING_CANCELLED);
	T_EQ_ERR(fx_get(&x.f, o.id[3], &b), H_OK, &x.f.err);
	T_EQ_STR(b.title, "Choir concert");
	T_EQ_INT(b.start, at("2026-10-27T19:00:00Z"));
	booking_free(&b);
	T_EQ_INT(fx_check(&x.f), 0);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_utc_tzid_floating)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	/* The same hour written three ways, on three days of summer time in London. */
	static const char ics[] = CAL_BEGIN
	    "BEGIN:VEVENT\r\n"
	    "UID:utc@test\r\n"
	    "SUMMARY:UTC\r\n"
	    "DTSTART:20260707T180000Z\r\n"
	    "DURATION:PT1H\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\n"
	    "UID:ny@test\r\n"
	    "SUMMARY:New York\r\n"
	    "DTSTART;TZID=America/New_York:20260708T140000\r\n"
	    "DTEND;TZID=America/New_York:20260708T150000\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\n"
	    "UID:prefixed@test\r\n"
	    "SUMMARY:libical's name\r\n"
	    "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/London:20260709T190000\r\n"
	    "DURATION:PT1H\r\n"
	    "END:VEVENT\r\n"
	    "BEGIN:VEVENT\r\n"
	    "UID:floating@test\r\n"
	    "SUMMARY:Floating\r\n"
	    "DTSTART:20260710T190000\r\n"
	    "DTEND:20260710T200000\r\n"
	    "END:VEVENT\r\n" CAL_END;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	T_EQ_INT(out.placed, 4);
	T_ASSERT((it = item_of(&out, "utc@test")) != NULL);
	T_EQ_INT(it->start, at("2026-07-07T18:00:00Z"));
	T_EQ_INT(it->end, at("2026-07-07T19:00:00Z"));
	/* 14:00 EDT is 18:00Z. */
	T_ASSERT((it = item_of(&out, "ny@test")) != NULL);
	T_EQ_INT(it->start, at("2026-07-08T18:00:00Z"));
	T_ASSERT((it = item_of(&out, "prefixed@test")) != NULL);
	T_EQ_INT(it->start, at("2026-07-09T18:00:00Z"));
	/* Floating: the venue's wall clock, 19:00 BST. */
	T_ASSERT((it = item_of(&out, "floating@test")) != NULL);
	T_EQ_INT(it->start, at("2026-07-10T18:00:00Z"));
	T_EQ_INT(it->kind, ICS_IMPORT_PLACED);
	T_EQ_STR(booking_status_name(it->status), "approved");
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_again_and_dry_run)
{
	struct ifx x;
	struct ics_import_outcome out;
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:once@test\r\n"
	                                    "SUMMARY:Once\r\n"
	                                    "DTSTART:20260707T180000Z\r\n"
	                                    "DURATION:PT1H\r\n"
	                                    "END:VEVENT\r\n" CAL_END;
	struct txn t;
	uint64_t before, after;

	T_ASSERT(ifx_open(&x));
	T_ASSERT(db_read_begin(x.f.db, &t, &x.f.err) == H_OK);
	before = txn_change_counter(&t);
	db_read_end(&t);
	/* A dry run reports what it would place, and stores nothing. */
	T_EQ_ERR(ifx_import_as(&x, ACTOR_CONSOLE, ics, true, &out), H_OK, &x.f.err);
	T_EQ_INT(out.placed, 1);
	ics_import_outcome_free(&out);
	T_ASSERT(db_read_begin(x.f.db, &t, &x.f.err) == H_OK);
	after = txn_change_counter(&t);
	db_read_end(&t);
	T_EQ_INT(after, before);
	/* For real, then again: the second finds it there. */
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	T_EQ_INT(out.placed, 1);
	ics_import_outcome_free(&out);
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	T_EQ_INT(out.placed, 0);
	T_EQ_INT(out.already, 1);
	T_ASSERT(only_item(&out) != NULL);
	T_EQ_STR(only_item(&out)->error, "already-exists");
	T_HAS_STR(only_item(&out)->reason, "already booked");
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}

TEST(ics_import_refusals_in_words)
{
	struct ifx x;
	struct ics_import_outcome out;
	const struct ics_import_item *it;
	uint64_t member;
	static const char mail[] = "Subject: not a calendar\r\n\r\nhello\r\n";
	static const char bad[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:allday@test\r\n"
	                                    "DTSTART;VALUE=DATE:20260707\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:zone@test\r\n"
	                                    "DTSTART;TZID=Mars/Olympus:20260707T180000\r\n"
	                                    "DURATION:PT1H\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:noend@test\r\n"
	                                    "DTSTART:20260707T180000Z\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:backwards@test\r\n"
	                                    "DTSTART:20260707T180000Z\r\n"
	                                    "DTEND:20260707T170000Z\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:rule@test\r\n"
	                                    "DTSTART:20260707T180000Z\r\n"
	                                    "DURATION:PT1H\r\n"
	                                    "RRULE:FREQ=HOURLY;COUNT=3\r\n"
	                                    "END:VEVENT\r\n" CAL_END;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, mail, &out), H_EINVAL, &x.f.err);
	T_HAS_STR(x.f.err.msg, "test.ics is not an iCalendar file");
	T_EQ_INT(out.nitems, 0);
	/* A NUL ends the text, as it would a file's. */
	T_EQ_ERR(
	    ics_import(x.f.db, &ACTOR_CONSOLE, "\0" CAL_BEGIN CAL_END,
	               sizeof("\0" CAL_BEGIN CAL_END) - 1,
	               &(struct ics_import_options){
	                   .name = "nul.ics", .room_id = x.room, .group_id = x.group, .now = T_NOW},
	               &out, &x.f.err),
	    H_EINVAL, &x.f.err);

	x.room = 999;
	T_EQ_ERR(ifx_import(&x, bad, &out), H_ENOTFOUND, &x.f.err);
	T_HAS_STR(x.f.err.msg, "999");
	x.room = 1;
	x.group = 999;
	T_EQ_ERR(ifx_import(&x, bad, &out), H_ENOTFOUND, &x.f.err);
	T_HAS_STR(x.f.err.msg, "no group 999");
	x.group = 1;

	/* A member of another group may not import for this one. */
	member = fx_user(&x.f, "m@example.org", ROLE_MEMBER, fx_group(&x.f, "Other", 0));
	T_EQ_ERR(ifx_import_as(&x, fx_user_actor(member), bad, false, &out), H_EFORBIDDEN,
	         &x.f.err);

	T_EQ_ERR(ifx_import(&x, bad, &out), H_OK, &x.f.err);
	T_EQ_INT(out.events, 5);
	T_EQ_INT(out.not_placed, 5);
	T_ASSERT((it = item_of(&out, "allday@test")) != NULL);
	T_EQ_STR(it->error, ICS_IMPORT_E_ALLDAY);
	T_HAS_STR(it->reason, "all-day events are not bookings");
	T_EQ_STR(it->when, "2026-07-07");
	T_ASSERT((it = item_of(&out, "zone@test")) != NULL);
	T_EQ_STR(it->error, ICS_IMPORT_E_TZ);
	T_HAS_STR(it->reason, "unknown time zone Mars/Olympus");
	T_ASSERT((it = item_of(&out, "noend@test")) != NULL);
	T_EQ_STR(it->error, "invalid-input");
	T_HAS_STR(it->reason, "it has no end (DTEND or DURATION)");
	T_ASSERT((it = item_of(&out, "backwards@test")) != NULL);
	T_EQ_STR(it->error, herr_name(H_RULE_ORDER));
	T_HAS_STR(it->reason, "the end must be after the start");
	T_ASSERT((it = item_of(&out, "rule@test")) != NULL);
	T_EQ_STR(it->error, "invalid-input");
	T_HAS_STR(it->reason, "the rule");
	ics_import_outcome_free(&out);
	T_EQ_INT(fx_check(&x.f), 0);
	fx_close(&x.f);
}

TEST(ics_import_report_json)
{
	struct ifx x;
	struct ics_import_outcome out;
	struct ics_import_options opt = {.room_id = 1, .group_id = 1};
	static const char ics[] = CAL_BEGIN "BEGIN:VEVENT\r\n"
	                                    "UID:j@test\r\n"
	                                    "SUMMARY:J\r\n"
	                                    "DTSTART:20260707T180000Z\r\n"
	                                    "DURATION:PT1H\r\n"
	                                    "END:VEVENT\r\n"
	                                    "BEGIN:VEVENT\r\n"
	                                    "UID:k@test\r\n"
	                                    "SUMMARY:K\xff\r\n"
	                                    "DTSTART:20260708T180000Z\r\n"
	                                    "DURATION:PT1H\r\n"
	                                    "END:VEVENT\r\n" CAL_END;
	json_t *report, *o;

	T_ASSERT(ifx_open(&x));
	T_EQ_ERR(ifx_import(&x, ics, &out), H_OK, &x.f.err);
	report = ics_import_to_json(&opt, &out);
	T_EQ_INT(json_integer_value(json_object_get(report, "events")), 2);
	o = json_array_get(json_object_get(report, "placed"), 0);
	T_ASSERT(o != NULL);
	T_EQ_STR(json_string_value(json_object_get(o, "summary")), "J");
	T_EQ_STR(json_string_value(json_object_get(o, "start")), "2026-07-07T19:00:00+01:00");
	T_EQ_INT(json_integer_value(json_object_get(o, "start_ts")), at("2026-07-07T18:00:00Z"));
	T_EQ_STR(json_string_value(json_object_get(o, "status")), "approved");
	/* Text that is not UTF-8 is shown as such, never as bytes JSON cannot carry; the
	 * booking code refuses it as a title. */
	o = json_array_get(json_object_get(report, "not_placed"), 0);
	T_ASSERT(o != NULL);
	T_EQ_STR(json_string_value(json_object_get(o, "summary")), "(not UTF-8)");
	T_EQ_STR(json_string_value(json_object_get(o, "error")), "invalid-input");
	T_HAS_STR(json_string_value(json_object_get(o, "reason")), "not valid UTF-8");
	json_decref(report);
	ics_import_outcome_free(&out);
	fx_close(&x.f);
}
