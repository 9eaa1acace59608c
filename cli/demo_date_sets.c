/* The demo's date sets: the bank holidays of England and Wales for the borough (2026 and
 * 2027, as GOV.UK publishes them), St Aidan's school holidays for its hall (venue 3),
 * Hartley Road closed on bank holidays (none of its demo bookings falls on one), and the
 * St Aidan's PTA meeting in term time, a series that skips the school holidays. */
#include "demo.h"

#include "cli.h"
#include "date_set.h"

#include <stdlib.h>
#include <string.h>

#define DEMO_HARTLEY_ROAD  1
#define DEMO_ST_AIDANS     3
#define DEMO_MUSIC_ROOM    7
#define DEMO_ST_AIDANS_PTA 4

static const struct {
	const char *date, *label;
} bank_holidays[] = {
    {"2026-01-01", "New Year's Day"},
    {"2026-04-03", "Good Friday"},
    {"2026-04-06", "Easter Monday"},
    {"2026-05-04", "Early May bank holiday"},
    {"2026-05-25", "Spring bank holiday"},
    {"2026-08-31", "Summer bank holiday"},
    {"2026-12-25", "Christmas Day"},
    {"2026-12-28", "Boxing Day (substitute day)"},
    {"2027-01-01", "New Year's Day"},
    {"2027-03-26", "Good Friday"},
    {"2027-03-29", "Easter Monday"},
    {"2027-05-03", "Early May bank holiday"},
    {"2027-05-31", "Spring bank holiday"},
    {"2027-08-30", "Summer bank holiday"},
    {"2027-12-27", "Christmas Day (substitute day)"},
    {"2027-12-28", "Boxing Day (substitute day)"},
};

/* The school's holidays, first and last day of each. */
static const struct {
	const char *first, *last, *label;
} school_holidays[] = {
    {"2026-10-26", "2026-10-30", "October half term"},
    {"2026-12-21", "2027-01-01", "Christmas holidays"},
    {"2027-02-15", "2027-02-19", "February half term"},
    {"2027-03-29", "2027-04-09", "Easter holidays"},
    {"2027-05-31", "2027-06-04", "May half term"},
    {"2027-07-22", "2027-08-31", "Summer holidays"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static enum herr demo_add(struct txn *t, struct date_set *s, const char *date, const char *label)
{
	int32_t day;

	if (!date_set_parse_date(date, &day))
		return txn_refuse(t, H_EINVAL, "demo: %s is not a date", date);
	if (date_set_add(s, day, label, NULL, t->err) != H_OK)
		return txn_refuse(t, H_EINVAL, "demo: %s", t->err->msg);
	return H_OK;
}

static enum herr demo_bank_holidays(struct txn *t, int64_t now, uint64_t *id)
{
	struct date_set s;

	date_set_init(&s);
	s.name = xstrdup("Bank holidays in England and Wales");
	s.description = xstrdup("As GOV.UK publishes them (gov.uk/bank-holidays).");
	for (size_t i = 0; i < COUNT(bank_holidays) && t->ret == H_OK; i++)
		demo_add(t, &s, bank_holidays[i].date, bank_holidays[i].label);
	if (t->ret == H_OK)
		date_set_create(t, &cli_console, &s, now);
	*id = s.id;
	date_set_free(&s);
	return t->ret;
}

static enum herr demo_school_holidays(struct txn *t, int64_t now, uint64_t *id)
{
	struct date_set s;

	date_set_init(&s);
	s.name = xstrdup("St Aidan's school holidays 2026-27");
	s.description = xstrdup("The hall is the school's in term time: evening lets skip these.");
	s.venue_id = DEMO_ST_AIDANS;
	for (size_t i = 0; i < COUNT(school_holidays) && t->ret == H_OK; i++) {
		int32_t first, last;

		if (!date_set_parse_date(school_holidays[i].first, &first) ||
		    !date_set_parse_date(school_holidays[i].last, &last))
			return txn_refuse(t, H_EINVAL, "demo: a school holiday is not a date");
		for (int32_t d = first; d <= last && t->ret == H_OK; d++)
			if (date_set_add(&s, d, school_holidays[i].label, NULL, t->err) != H_OK)
				txn_refuse(t, H_EINVAL, "demo: %s", t->err->msg);
	}
	if (t->ret == H_OK)
		date_set_create(t, &cli_console, &s, now);
	*id = s.id;
	date_set_free(&s);
	return t->ret;
}

static enum herr demo_bank_holiday_closure(struct txn *t, int64_t now, uint64_t set)
{
	struct closure c;

	closure_init(&c);
	c.scope = CLOSURE_VENUE;
	c.target = DEMO_HARTLEY_ROAD;
	c.date_set_id = set;
	c.reason = xstrdup("Closed on bank holidays");
	closure_create(t, &cli_console, &c, now);
	closure_free(&c);
	return t->ret;
}

/* 7pm on the Wednesday five weeks after the demo's first week (demo_day's week 5). */
static int64_t demo_term_start(const char *zone, int64_t now)
{
	int64_t start = 0;

	demo_instant(zone, now, demo_day(zone, now, 2, 5), 19, 0, &start);
	return start;
}

struct demo_term_series {
	int64_t now;
	uint64_t set;
};

/* Wednesdays in term time, five weeks on: a refusal (a demo
 * made at another time of year, with other bookings) leaves the demo without it rather than without
 * a demo. */
static enum herr demo_term_series_try(struct txn *t, void *arg)
{
	const struct demo_term_series *x = arg;
	const char *zone = TZ_DEFAULT;
	struct series_outcome out;
	struct series s;
	enum herr ret;

	series_init(&s);
	s.room_id = DEMO_MUSIC_ROOM;
	s.group_id = DEMO_ST_AIDANS_PTA;
	s.title = xstrdup("PTA committee meeting");
	s.description = xstrdup("In term time only: the school is closed in the holidays.");
	s.attendees = 10;
	s.public = false;
	s.duration = 90 * 60;
	s.rrule = xstrdup("FREQ=WEEKLY;BYDAY=WE;COUNT=12");
	s.skip_date_sets = xmalloc(sizeof(uint64_t));
	s.skip_date_sets[0] = x->set;
	s.nskip = 1;
	s.first_start = demo_term_start(zone, x->now);
	ret = series_create(t, &cli_console, &s, false, true, x->now, &out);
	series_outcome_free(&out);
	series_free(&s);
	return ret;
}

enum herr demo_date_sets_make(struct txn *t, int64_t now)
{
	uint64_t bank = 0, school = 0;
	struct demo_term_series x = {now, 0};

	if (demo_bank_holidays(t, now, &bank) != H_OK ||
	    demo_school_holidays(t, now, &school) != H_OK ||
	    demo_bank_holiday_closure(t, now, bank) != H_OK)
		return t->ret;
	x.set = school;
	txn_try(t, demo_term_series_try, &x);
	herror_clear(t->err);
	return t->ret;
}
