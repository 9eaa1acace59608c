/* A series' rule: RFC 5545 RRULE checked, normalised and expanded by halls itself,
 * period by period and bounded (SERIES_SPAN_DAYS), on the series' zone or on any clock a
 * caller gives (a calendar import's). Pure: no store. */
#include "series_rule.h"

#include "text.h"
#include "xmalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>
/* Rules. */

static bool rule_has(const short *by, short none)
{
	return by[0] != none;
}

static enum herr setpos_check(const struct icalrecurrencetype *r, struct herror *err);

static size_t rule_count(const short *by)
{
	size_t n = 0;

	while (by[n] != ICAL_RECURRENCE_ARRAY_MAX)
		n++;
	return n;
}

/* Numbered days ("2TU", "-1FR") are a month's, and a list numbers all its days or none:
 * calendar apps read "3MO,SU" differently. */
static enum herr byday_check(const struct icalrecurrencetype *r, struct herror *err)
{
	size_t numbered = 0, n = rule_count(r->by_day);

	for (size_t i = 0; i < n; i++)
		numbered += icalrecurrencetype_day_position(r->by_day[i]) != 0;
	if (numbered > 0 && r->freq != ICAL_MONTHLY_RECURRENCE)
		return herror_set(err, H_EINVAL,
		                  "a numbered BYDAY (such as 2TU) needs FREQ=MONTHLY");
	if (numbered > 0 && numbered < n)
		return herror_set(
		    err, H_EINVAL,
		    "BYDAY must number every day (1TU,3TU) or none (TU,TH), not some");
	return H_OK;
}

/* The rule parts halls supports: enough for "every other Tuesday", "the 1st of the
 * month", "the second Tuesday", and nothing a calendar app could read differently. */
static enum herr rule_check(const struct icalrecurrencetype *r, struct herror *err)
{
	enum herr ret;

	if (r->freq != ICAL_DAILY_RECURRENCE && r->freq != ICAL_WEEKLY_RECURRENCE &&
	    r->freq != ICAL_MONTHLY_RECURRENCE)
		return herror_set(
		    err, H_EINVAL,
		    "the rule must repeat DAILY, WEEKLY or MONTHLY (FREQ=WEEKLY;...)");
	if (rule_has(r->by_second, ICAL_RECURRENCE_ARRAY_MAX) ||
	    rule_has(r->by_minute, ICAL_RECURRENCE_ARRAY_MAX) ||
	    rule_has(r->by_hour, ICAL_RECURRENCE_ARRAY_MAX) ||
	    rule_has(r->by_year_day, ICAL_RECURRENCE_ARRAY_MAX) ||
	    rule_has(r->by_week_no, ICAL_RECURRENCE_ARRAY_MAX) ||
	    rule_has(r->by_month, ICAL_RECURRENCE_ARRAY_MAX))
		return herror_set(err, H_EINVAL,
		                  "the rule may use INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS, COUNT "
		                  "and UNTIL only");
	if (r->count == 0 && icaltime_is_null_time(r->until))
		return herror_set(err, H_EINVAL, "the rule needs an end: COUNT=n or UNTIL=date");
	if (r->count != 0 && !icaltime_is_null_time(r->until))
		return herror_set(err, H_EINVAL, "the rule may have COUNT or UNTIL, not both");
	if (r->interval < 1 || r->interval > 99)
		return herror_set(err, H_EINVAL, "INTERVAL must be 1 to 99");
	if ((ret = byday_check(r, err)) != H_OK)
		return ret;
	if (r->freq == ICAL_WEEKLY_RECURRENCE &&
	    rule_has(r->by_month_day, ICAL_RECURRENCE_ARRAY_MAX))
		return herror_set(err, H_EINVAL, "BYMONTHDAY does not go with FREQ=WEEKLY");
	if (!rule_has(r->by_set_pos, ICAL_RECURRENCE_ARRAY_MAX))
		return H_OK;
	/* Calendar apps disagree on BYSETPOS in a week (some leave out the days of the first
	 * week before DTSTART): only the month's "second Tuesday" kind is taken. */
	if (r->freq != ICAL_MONTHLY_RECURRENCE)
		return herror_set(err, H_EINVAL, "BYSETPOS needs FREQ=MONTHLY");
	if (!rule_has(r->by_day, ICAL_RECURRENCE_ARRAY_MAX) &&
	    !rule_has(r->by_month_day, ICAL_RECURRENCE_ARRAY_MAX))
		return herror_set(err, H_EINVAL,
		                  "BYSETPOS needs BYDAY or BYMONTHDAY to choose from");
	return setpos_check(r, err);
}

static enum herr rule_parse(const char *text, struct icalrecurrencetype *out, struct herror *err)
{
	if (text == NULL || strlen(text) > SERIES_RRULE_MAX || strchr(text, '\n') != NULL)
		return herror_set(err, H_EINVAL, "the rule is missing or too long");
	icalerror_clear_errno();
	*out = icalrecurrencetype_from_string(text);
	if (out->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		free(out->rscale);
		out->rscale = NULL;
		char shown[128];

		text_quote(shown, sizeof(shown), text, 80);
		return herror_set(err, H_EINVAL, "the rule \"%s\" is not an RFC 5545 RRULE", shown);
	}
	/* RFC 7529's RSCALE and SKIP move dates that most calendar apps would not move: the
	 * feed would then show other dates than the ones booked. */
	if (out->rscale != NULL || out->skip != ICAL_SKIP_OMIT) {
		free(out->rscale);
		out->rscale = NULL;
		return herror_set(err, H_EINVAL, "the rule may not use RSCALE or SKIP");
	}
	return rule_check(out, err);
}

/* UNTIL as an instant: a date means the end of that local day, a local time that time,
 * a UTC time itself. */
static enum herr until_local(const struct icaltimetype *u, const char *zone, int64_t *out,
                             struct herror *err)
{
	struct localtm lt = {.year = u->year, .month = u->month, .day = u->day};

	if (u->is_date) {
		lt.hour = 23;
		lt.min = 59;
		lt.sec = 59;
		*out = tz_at_or_after(zone, &lt);
		return H_OK;
	}
	if (icaltime_is_utc(*u)) {
		*out = (int64_t)icaltime_as_timet(*u);
		return H_OK;
	}
	lt.hour = u->hour;
	lt.min = u->minute;
	lt.sec = u->second;
	return tz_from_local(zone, &lt, out, err);
}

/* UNTIL as an instant, within the years halls takes. */
static enum herr until_instant(const struct icaltimetype *u, const char *zone, int64_t *out,
                               struct herror *err)
{
	enum herr ret = until_local(u, zone, out, err);
	struct herror why;

	herror_clear(&why);
	if (ret == H_OK && time_check(*out, &why) != H_OK)
		return herror_set(err, H_EINVAL, "UNTIL: %s", why.msg);
	return ret;
}

char *series_rule_normalise(const char *rule, const char *zone, struct herror *err)
{
	struct icalrecurrencetype r;
	int64_t until;
	char *text;

	if (rule_parse(rule, &r, err) != H_OK)
		return NULL;
	if (!icaltime_is_null_time(r.until)) {
		if (until_instant(&r.until, zone, &until, err) != H_OK)
			return NULL;
		r.until = icaltime_from_timet_with_zone((time_t)until, 0,
		                                        icaltimezone_get_utc_timezone());
	}
	text = icalrecurrencetype_as_string_r(&r);
	if (text == NULL) {
		herror_set(err, H_EINVAL, "the rule cannot be written back");
		return NULL;
	}
	/* libical's memory: copied into ours, so every free in halls is free(). */
	{
		char *copy = xstrdup(text);

		icalmemory_free_buffer(text);
		return copy;
	}
}

/* Expansion.
 *
 * libical's iterator looks for a rule's next date month after month up to the year 2582:
 * a rule that never matches (FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=TU;BYSETPOS=2) costs it a
 * second in icalrecur_iterator_new alone, and one that stops matching costs as much in
 * icalrecur_iterator_next. halls' rules are a small part of RFC 5545, so they are
 * expanded here, period by period (a day, a week from WKST or a month), never further
 * than SERIES_SPAN_DAYS past the first date: at most 3661 periods of at most 31 days,
 * whatever the rule says. libical only parses and writes rules. */

/* halls' weekday (0 = Monday) of libical's (1 = Sunday). */
static int rule_wday(int ical_day)
{
	return (ical_day + 5) % 7;
}

static int month_length(int y, int m)
{
	return (int)(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
	             days_from_civil(y, m, 1));
}

/* Whether day dd (1-based) of a month of len days, a weekday wd, passes BYMONTHDAY. */
static bool month_day_ok(const struct icalrecurrencetype *r, int dd, int len)
{
	if (!rule_has(r->by_month_day, ICAL_RECURRENCE_ARRAY_MAX))
		return true;
	for (size_t i = 0; r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int v = r->by_month_day[i];

		if (v > 0 ? dd == v : dd == len + 1 + v)
			return true;
	}
	return false;
}

/* Whether the day passes BYDAY: its weekday, and for "2TU" or "-1FR" its place among
 * that weekday's days in the month. */
static bool week_day_ok(const struct icalrecurrencetype *r, int wd, int dd, int len)
{
	if (!rule_has(r->by_day, ICAL_RECURRENCE_ARRAY_MAX))
		return true;
	for (size_t i = 0; r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int pos = icalrecurrencetype_day_position(r->by_day[i]);

		if (rule_wday(icalrecurrencetype_day_day_of_week(r->by_day[i])) != wd)
			continue;
		if (pos == 0 || (pos > 0 && (dd - 1) / 7 + 1 == pos) ||
		    (pos < 0 && (len - dd) / 7 + 1 == -pos))
			return true;
	}
	return false;
}

/* A period's dates (day numbers), in order; at most 31. */
struct period {
	int64_t first; /* the period's first day */
	int64_t day[31];
	size_t n;
};

static void period_add(struct period *p, int64_t d)
{
	if (p->n < 31)
		p->day[p->n++] = d;
}

static bool day_ok(const struct icalrecurrencetype *r, int64_t d)
{
	int y, m, dd;

	civil_from_days(d, &y, &m, &dd);
	return month_day_ok(r, dd, month_length(y, m)) &&
	       week_day_ok(r, civil_weekday(y, m, dd), dd, month_length(y, m));
}

/* The dates of period k (counted in INTERVALs from the first date's period). */
static void period_dates(const struct icalrecurrencetype *r, const struct localtm *first, int64_t k,
                         struct period *out)
{
	int64_t d0 = days_from_civil(first->year, first->month, first->day);
	bool by = rule_has(r->by_day, ICAL_RECURRENCE_ARRAY_MAX) ||
	          rule_has(r->by_month_day, ICAL_RECURRENCE_ARRAY_MAX);

	out->n = 0;
	if (r->freq == ICAL_DAILY_RECURRENCE) {
		out->first = d0 + k * r->interval;
		if (day_ok(r, out->first))
			period_add(out, out->first);
	} else if (r->freq == ICAL_WEEKLY_RECURRENCE) {
		int wkst = r->week_start == ICAL_NO_WEEKDAY ? 0 : rule_wday(r->week_start);
		int64_t w = d0 -
		            (civil_weekday(first->year, first->month, first->day) - wkst + 7) % 7 +
		            7 * k * r->interval;

		out->first = w;
		for (int64_t d = w; d < w + 7; d++)
			if (by ? day_ok(r, d) : (d - d0) % 7 == 0)
				period_add(out, d);
	} else {
		int64_t mi = (int64_t)first->year * 12 + (first->month - 1) + k * r->interval;
		int y = (int)(mi / 12), m = (int)(mi % 12) + 1, len = month_length(y, m);
		int64_t d1 = days_from_civil(y, m, 1);

		out->first = d1;
		for (int dd = 1; dd <= len; dd++)
			if (by ? day_ok(r, d1 + dd - 1) : dd == first->day)
				period_add(out, d1 + dd - 1);
	}
}

/* BYSETPOS: the n-th of a period's dates (from the end when negative), in order. */
static void period_select(const struct icalrecurrencetype *r, struct period *p)
{
	bool keep[31] = {false};
	size_t n = 0;

	if (!rule_has(r->by_set_pos, ICAL_RECURRENCE_ARRAY_MAX))
		return;
	for (size_t i = 0; r->by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int pos = r->by_set_pos[i];
		int64_t at = pos > 0 ? pos - 1 : (int64_t)p->n + pos;

		if (at >= 0 && at < (int64_t)p->n)
			keep[at] = true;
	}
	for (size_t i = 0; i < p->n; i++)
		if (keep[i])
			p->day[n++] = p->day[i];
	p->n = n;
}

/* The most dates one period can hold before BYSETPOS, so that a BYSETPOS beyond it can
 * be refused before any walk. */
static int period_capacity(const struct icalrecurrencetype *r)
{
	size_t nmd = rule_count(r->by_month_day), nd = rule_count(r->by_day), cap = 0;

	if (r->freq == ICAL_DAILY_RECURRENCE)
		return 1;
	if (r->freq == ICAL_WEEKLY_RECURRENCE)
		return nd == 0 ? 1 : (int)(nd < 7 ? nd : 7);
	for (size_t i = 0; i < nd; i++)
		cap += icalrecurrencetype_day_position(r->by_day[i]) == 0 ? 5 : 1;
	if (nmd > 0 && (nd == 0 || nmd < cap))
		cap = nmd;
	if (nmd == 0 && nd == 0)
		cap = 1;
	return (int)(cap < 31 ? cap : 31);
}

static enum herr setpos_check(const struct icalrecurrencetype *r, struct herror *err)
{
	int cap = period_capacity(r);
	static const char *const periods[] = {"day", "week", "month"};
	const char *period = periods[r->freq == ICAL_DAILY_RECURRENCE    ? 0
	                             : r->freq == ICAL_WEEKLY_RECURRENCE ? 1
	                                                                 : 2];

	for (size_t i = 0; r->by_set_pos[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		int pos = r->by_set_pos[i];

		if (pos != 0 && (pos < 0 ? -pos : pos) <= cap)
			return H_OK;
	}
	return herror_set(err, H_EINVAL,
	                  "the rule never gives a date: BYSETPOS asks for a position beyond the "
	                  "%d date%s a %s can have under its other parts",
	                  cap, cap == 1 ? "" : "s", period);
}

/* The rule's local dates from first's date on, each at first's time of day, up to the day
 * number last_day (days_from_civil; INT64_MAX for none) and never past SERIES_SPAN_DAYS
 * after first. UNTIL is not read: the caller, who knows its clock, applies it. At most
 * 3661 periods are walked, whatever the rule. */
static enum herr expand_local(const char *rrule, const struct localtm *first, int64_t last_day,
                              size_t max, bool (*fn)(const struct localtm *lt, void *arg),
                              void *arg, struct herror *err)
{
	struct icalrecurrencetype r;
	int64_t d0 = days_from_civil(first->year, first->month, first->day);
	int64_t dend = d0 + SERIES_SPAN_DAYS;
	size_t n = 0;

	if (rule_parse(rrule, &r, err) != H_OK)
		return H_EINVAL;
	if (last_day < dend)
		dend = last_day;
	for (int64_t k = 0; n < max; k++) {
		struct period p;

		period_dates(&r, first, k, &p);
		/* Periods only move forward: one that starts past the end ends the walk. */
		if (p.first > dend)
			goto walked;
		period_select(&r, &p);
		for (size_t i = 0; i < p.n && n < max; i++) {
			struct localtm lt = *first;

			if (p.day[i] < d0)
				continue;
			if (p.day[i] > dend)
				goto walked;
			civil_from_days(p.day[i], &lt.year, &lt.month, &lt.day);
			lt.wday = civil_weekday(lt.year, lt.month, lt.day);
			n++;
			if (!fn(&lt, arg) || (r.count > 0 && n == (size_t)r.count))
				return H_OK;
		}
	}
	if (n == max)
		return H_OK;
walked:
	if (dend < d0 + SERIES_SPAN_DAYS)
		return H_OK; /* the caller's end (UNTIL) came first */
	if (n == 0)
		return herror_set(err, H_RULE_SERIES,
		                  "the rule gives no date in the %d days from its first date",
		                  SERIES_SPAN_DAYS);
	return herror_set(err, H_RULE_SERIES,
	                  "the rule goes on more than %d days past its first date: end it sooner "
	                  "with COUNT or UNTIL",
	                  SERIES_SPAN_DAYS);
}

/* The walk from local dates to instants: each made an instant on its clock, and none
 * after until. */
struct instant_walk {
	const struct series_clock *clock;
	int64_t until;
	bool (*fn)(int64_t start, void *arg);
	void *arg;
};

static bool instant_one(const struct localtm *lt, void *arg)
{
	struct instant_walk *w = arg;
	int64_t at = w->clock->instant(lt, w->clock->arg);

	return at <= w->until && w->fn(at, w->arg);
}

static int64_t zone_instant(const struct localtm *lt, const void *zone)
{
	return tz_from_local_rfc5545(zone, lt);
}

enum herr series_expand(const char *rrule, const char *zone, int64_t first_start, size_t max,
                        bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err)
{
	struct icalrecurrencetype r;
	const struct series_clock clock = {zone_instant, zone};
	struct instant_walk w = {&clock, INT64_MAX, fn, arg};
	struct localtm first, last;
	int64_t last_day = INT64_MAX;

	if (rule_parse(rrule, &r, err) != H_OK)
		return H_EINVAL;
	/* UNTIL is applied to the instants: the walk stops the local day after it (a day
	 * covers every offset), and instant_one at the instant itself. */
	if (!icaltime_is_null_time(r.until)) {
		if (until_instant(&r.until, zone, &w.until, err) != H_OK)
			return H_EINVAL;
		tz_to_local(zone, w.until, &last);
		last_day = days_from_civil(last.year, last.month, last.day) + 1;
	}
	tz_to_local(zone, first_start, &first);
	return expand_local(rrule, &first, last_day, max, instant_one, &w, err);
}

enum herr series_expand_on(const char *rrule, const struct localtm *first,
                           const struct series_clock *clock, size_t max,
                           bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err)
{
	struct icalrecurrencetype r;
	struct instant_walk w = {clock, INT64_MAX, fn, arg};
	int64_t last_day = INT64_MAX;

	if (rule_parse(rrule, &r, err) != H_OK)
		return H_EINVAL;
	/* A date ends the walk after that day; a time at its instant (the walk goes a day
	 * further, to cover every offset). */
	if (!icaltime_is_null_time(r.until)) {
		struct icaltimetype u = r.until;
		struct localtm lt = {.year = u.year,
		                     .month = u.month,
		                     .day = u.day,
		                     .hour = u.hour,
		                     .min = u.minute,
		                     .sec = u.second};

		last_day = days_from_civil(u.year, u.month, u.day) + (u.is_date ? 0 : 1);
		if (!u.is_date)
			w.until = icaltime_is_utc(u) ? civil_to_utc(&lt)
			                             : clock->instant(&lt, clock->arg);
	}
	return expand_local(rrule, first, last_day, max, instant_one, &w, err);
}
