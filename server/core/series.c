/* Series: records in DBI_SERIES; their occurrences are bookings with series_id set,
 * found through DBI_SERIES_OCC (series | rule start -> booking id). */
#include "series.h"

#include "audit.h"
#include "record.h"
#include "room.h"
#include "text.h"
#include "tz.h"
#include "venue.h"
#include "xmalloc.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

struct key series_occ_key(uint64_t series_id, int64_t recurrence_id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, series_id);
	key_i64(&k, recurrence_id);
	return k;
}

void series_init(struct series *s)
{
	memset(s, 0, sizeof(*s));
}

void series_free(struct series *s)
{
	free(s->title);
	free(s->description);
	free(s->zone);
	free(s->rrule);
	series_init(s);
}

json_t *series_to_json(const struct series *s)
{
	return json_pack(
	    "{s:I, s:I, s:I, s:s, s:o, s:I, s:b, s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}", "id",
	    (json_int_t)s->id, "room_id", (json_int_t)s->room_id, "group_id",
	    (json_int_t)s->group_id, "title", s->title, "description", json_text(s->description),
	    "attendees", (json_int_t)s->attendees, "public", s->public, "zone", s->zone,
	    "first_start_ts", (json_int_t)s->first_start, "duration_seconds",
	    (json_int_t)s->duration, "rrule", s->rrule, "created_by", (json_int_t)s->created_by,
	    "created_at", (json_int_t)s->created_at, "updated_at", (json_int_t)s->updated_at,
	    "sequence", (json_int_t)s->sequence);
}

json_t *series_to_json_local(const struct series *s)
{
	const struct tz_zone *z = tz_zone_find(s->zone != NULL ? s->zone : TZ_DEFAULT);
	json_t *o = series_to_json(s);
	char when[32];

	json_instants_format_in(o, z);
	time_format_in(s->first_start, z, when);
	json_object_set_new(o, "start", json_string(when));
	time_format_in(s->first_start + (int64_t)s->duration, z, when);
	json_object_set_new(o, "end", json_string(when));
	return o;
}

enum herr series_set_first(struct series *s, int64_t start, int64_t end, struct herror *err)
{
	if (end <= start)
		return herror_set(err, H_RULE_ORDER, "the first date must end after it starts");
	s->first_start = start;
	s->duration = end - start > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
	return H_OK;
}

enum herr series_from_json(const json_t *o, struct series *s, struct herror *err)
{
	series_init(s);
	if (json_str(o, "title") == NULL || json_str(o, "zone") == NULL ||
	    json_str(o, "rrule") == NULL)
		return herror_set(err, H_ESTORAGE, "series record lacks a title, zone or rule");
	s->id = (uint64_t)json_int(o, "id", 0);
	s->room_id = (uint64_t)json_int(o, "room_id", 0);
	s->group_id = (uint64_t)json_int(o, "group_id", 0);
	s->title = xstrdup(json_str(o, "title"));
	s->description = xstrdup_or_null(json_str(o, "description"));
	s->attendees = (uint32_t)json_int(o, "attendees", 0);
	s->public = json_flag(o, "public", false);
	s->zone = xstrdup(json_str(o, "zone"));
	s->first_start = json_int(o, "first_start_ts", 0);
	s->duration = (uint32_t)json_int(o, "duration_seconds", 0);
	s->rrule = xstrdup(json_str(o, "rrule"));
	s->created_by = (uint64_t)json_int(o, "created_by", 0);
	s->created_at = json_int(o, "created_at", 0);
	s->updated_at = json_int(o, "updated_at", 0);
	s->sequence = (uint32_t)json_int(o, "sequence", 0);
	return H_OK;
}

enum herr series_get(struct txn *t, uint64_t id, struct series *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_SERIES, id, "series", &o);

	series_init(out);
	if (ret != H_OK)
		return ret;
	ret = series_from_json(o, out, t->err);
	json_decref(o);
	return ret;
}

void series_put(struct txn *t, const struct series *s)
{
	json_t *o = series_to_json(s);

	record_put(t, DBI_SERIES, s->id, o);
	json_decref(o);
}

void series_touch(struct txn *t, uint64_t id, int64_t now)
{
	struct series s;

	if (series_get(t, id, &s) == H_OK) {
		s.sequence++;
		if (now > s.updated_at)
			s.updated_at = now;
		series_put(t, &s);
	}
	series_free(&s);
}

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

/* Creation. */

/* Makes the message a check left in t->err a refusal of the transaction. */
static enum herr refuse_as_told(struct txn *t, enum herr code)
{
	char msg[sizeof(t->err->msg)];

	memcpy(msg, t->err->msg, sizeof(msg));
	return txn_refuse(t, code, "%s", msg);
}

void series_outcome_free(struct series_outcome *o)
{
	free(o->refused);
	memset(o, 0, sizeof(*o));
}

static void outcome_refuse(struct series_outcome *o, int64_t start, const struct herror *err)
{
	struct series_refusal *r;

	o->refused = xrealloc(o->refused, (o->nrefused + 1) * sizeof(*o->refused));
	r = &o->refused[o->nrefused++];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->code = err->code;
	text_sanitize(r->msg, sizeof(r->msg), err->msg);
	r->nconflicts = err->nconflicts;
	memcpy(r->conflicts, err->conflicts, err->nconflicts * sizeof(err->conflicts[0]));
}

struct starts {
	int64_t *v;
	size_t n;
	int64_t stop_after; /* the walk ends at the first date past this */
};

static bool starts_add(int64_t start, void *arg)
{
	struct starts *s = arg;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = start;
	return start <= s->stop_after;
}

struct occurrence_job {
	const struct series *s;
	const struct actor *a;
	int64_t start;
	bool approve_now;
	int64_t now;
};

static enum herr occurrence_book(struct txn *t, void *arg)
{
	struct occurrence_job *j = arg;
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = j->s->room_id;
	b.group_id = j->s->group_id;
	b.series_id = j->s->id;
	b.recurrence_id = j->start;
	b.title = xstrdup(j->s->title);
	b.description = xstrdup_or_null(j->s->description);
	b.attendees = j->s->attendees;
	b.public = j->s->public;
	b.start = j->start;
	b.end = j->start + j->s->duration;
	ret = booking_request(t, j->a, &b, j->approve_now, j->now);
	booking_free(&b);
	return ret;
}

/* The checks that concern the series as a whole, made once so that a wrong room or a
 * missing right is one clear answer rather than a refusal per date. */
static enum herr series_check(struct txn *t, const struct actor *a, struct series *s,
                              bool approve_now, struct room *room)
{
	struct booking probe;
	struct venue v;
	enum herr ret;

	booking_init(&probe);
	probe.title = s->title;
	probe.description = s->description;
	ret = booking_check_text(t, &probe);
	if (ret != H_OK)
		return refuse_as_told(t, ret);
	if ((ret = room_get(t, s->room_id, room)) != H_OK)
		return ret;
	if ((ret = venue_get(t, room->venue_id, &v)) != H_OK) {
		venue_free(&v);
		return ret;
	}
	free(s->zone);
	s->zone = xstrdup(v.tz);
	venue_free(&v);
	if (!record_exists(t, DBI_GROUP, s->group_id))
		return txn_refuse(t, H_ENOTFOUND, "there is no group %llu",
		                  (unsigned long long)s->group_id);
	if ((ret = policy_act_for_group(t, a, s->group_id, room->venue_id)) != H_OK)
		return ret;
	if (approve_now && (ret = policy_manage_venue(t, a, room->venue_id)) != H_OK)
		return ret;
	if (s->duration == 0)
		return txn_refuse(t, H_RULE_ORDER, "the end must be after the start");
	return H_OK;
}

/* The instants of s's rule, at most max + 1 (so that too many can be told), and none
 * after the first past the room's horizon (which is then refused as a date). */
static enum herr series_starts(struct txn *t, const struct series *s, const struct room *room,
                               int64_t now, struct starts *out)
{
	enum herr ret;

	out->stop_after = now + (int64_t)room->horizon_days * 86400;
	ret = series_expand(s->rrule, s->zone, s->first_start, (size_t)room->max_occurrences + 1,
	                    starts_add, out, t->err);
	if (ret != H_OK)
		return refuse_as_told(t, ret);
	if (out->n == 0 || out->v[0] != s->first_start)
		return txn_refuse(t, H_EINVAL,
		                  "the first date must be one of the rule's dates (e.g. a Tuesday "
		                  "for BYDAY=TU)");
	return H_OK;
}

/* Asking twice for a series: the same group, room, zone, rule, first date and length as
 * a series that still has pending or approved dates. Such a series is found through its
 * dates, which are the group's bookings at exactly the new series' dates (so the check
 * costs a seek per date, whatever the number of series); a series whose every live date
 * has been moved off the rule is not found, and the new one asks for other times. */

struct series_twin {
	struct txn *t;
	const struct series *s;
	uint64_t found;    /* the identical series */
	uint64_t not_twin; /* the last series found to differ, so as not to read it again */
	uint64_t ids[HERR_MAX_CONFLICTS]; /* its live dates at the new series' dates */
	size_t n;
};

static bool series_same(const struct series *a, const struct series *b)
{
	return a->room_id == b->room_id && a->group_id == b->group_id &&
	       a->first_start == b->first_start && a->duration == b->duration && a->zone != NULL &&
	       b->zone != NULL && strcmp(a->zone, b->zone) == 0 && a->rrule != NULL &&
	       b->rrule != NULL && strcmp(a->rrule, b->rrule) == 0;
}

static bool series_twin_date(const struct booking *twin, void *arg)
{
	struct series_twin *x = arg;
	struct series other;

	if (twin->series_id == 0 || twin->series_id == x->not_twin)
		return true;
	if (x->found == 0) {
		if (series_get(x->t, twin->series_id, &other) == H_OK && series_same(&other, x->s))
			x->found = other.id;
		else
			x->not_twin = twin->series_id;
		series_free(&other);
	}
	if (twin->series_id == x->found && x->n < HERR_MAX_CONFLICTS)
		x->ids[x->n++] = twin->id;
	return true;
}

/* Refuses s (with its rule's dates, starts) when its group has asked for it already. */
static enum herr series_check_twin(struct txn *t, const struct series *s, const struct room *room,
                                   const struct starts *starts)
{
	struct series_twin x = {.t = t, .s = s};
	char group[128], name[128];

	for (size_t i = 0; i < starts->n && t->ret == H_OK; i++) {
		struct booking probe;

		booking_init(&probe);
		probe.room_id = s->room_id;
		probe.group_id = s->group_id;
		probe.start = starts->v[i];
		probe.end = starts->v[i] + (int64_t)s->duration;
		booking_each_twin(t, &probe, series_twin_date, &x);
	}
	if (t->ret != H_OK || x.found == 0)
		return t->ret;
	booking_group_name(t, s->group_id, group, sizeof(group));
	text_quote(name, sizeof(name), room->name, 80);
	for (size_t i = 0; i < x.n; i++)
		herror_add_conflict(t->err, x.ids[i]);
	return txn_refuse(
	    t, H_ECONFLICT,
	    "%s already asked for this: series %llu, %s on the same rule (%s) from the "
	    "same first date",
	    group, (unsigned long long)x.found, name, s->rrule);
}

/* Refuses the whole series, naming the first reason and, for a conflict, every booking
 * in the way of any date (once each) in t->err's conflicts. */
static enum herr series_refuse_all(struct txn *t, const struct series_outcome *o, size_t total)
{
	enum herr code = o->refused[0].code;

	for (size_t i = 0; i < o->nrefused; i++)
		if (o->refused[i].code == H_ECONFLICT)
			code = H_ECONFLICT;
	txn_refuse(t, code, "%zu of the %zu dates cannot be booked (first: %s)", o->nrefused, total,
	           o->refused[0].msg);
	t->err->nconflicts = 0;
	for (size_t i = 0; i < o->nrefused; i++)
		for (size_t j = 0; j < o->refused[i].nconflicts; j++) {
			uint64_t id = o->refused[i].conflicts[j];
			size_t k;

			for (k = 0; k < t->err->nconflicts && t->err->conflicts[k] != id; k++)
				;
			if (k == t->err->nconflicts)
				herror_add_conflict(t->err, id);
		}
	return t->ret;
}

enum herr series_create(struct txn *t, const struct actor *a, struct series *s, bool approve_now,
                        bool skip_refused, int64_t now, struct series_outcome *out)
{
	struct starts starts = {0};
	struct room room;
	enum herr ret;
	char *rule;
	json_t *detail;

	memset(out, 0, sizeof(*out));
	room_init(&room);
	if ((ret = series_check(t, a, s, approve_now, &room)) != H_OK)
		goto out;
	rule = series_rule_normalise(s->rrule, s->zone, t->err);
	if (rule == NULL) {
		ret = refuse_as_told(t, H_EINVAL);
		goto out;
	}
	free(s->rrule);
	s->rrule = rule;
	if ((ret = series_starts(t, s, &room, now, &starts)) != H_OK)
		goto out;
	if (starts.n > room.max_occurrences) {
		ret = txn_refuse(t, H_RULE_SERIES,
		                 "%s takes series of at most %u dates; this rule has more (end it "
		                 "sooner with COUNT or UNTIL)",
		                 room.name, room.max_occurrences);
		goto out;
	}
	if ((ret = series_check_twin(t, s, &room, &starts)) != H_OK)
		goto out;
	s->id = txn_next_id(t, "series");
	s->created_by = a->user_id;
	s->created_at = s->updated_at = now;
	s->sequence = 0;
	series_put(t, s);
	for (size_t i = 0; i < starts.n && t->ret == H_OK; i++) {
		struct occurrence_job j = {s, a, starts.v[i], approve_now, now};

		herror_clear(t->err);
		ret = txn_try(t, occurrence_book, &j);
		if (ret == H_OK)
			out->created++;
		else if (t->ret == H_OK)
			outcome_refuse(out, starts.v[i], t->err);
	}
	if ((ret = t->ret) != H_OK)
		goto out;
	if (out->nrefused > 0 && (!skip_refused || out->created == 0)) {
		ret = series_refuse_all(t, out, starts.n);
		goto out;
	}
	herror_clear(t->err);
	detail = series_to_json(s);
	audit_append(t, a, "series", s->id, "create", NULL, detail, now);
	json_decref(detail);
	ret = t->ret;
out:
	free(starts.v);
	room_free(&room);
	return ret;
}

enum herr series_occurrence_add(struct txn *t, const struct actor *a, uint64_t id,
                                int64_t recurrence_id, int64_t start, int64_t end,
                                const char *title, bool approve_now, int64_t now,
                                struct booking *out)
{
	struct key k = series_occ_key(id, recurrence_id);
	struct series s;
	struct booking b;
	MDB_val v;
	enum herr ret;

	booking_init(&b);
	if ((ret = series_get(t, id, &s)) != H_OK)
		goto out;
	if (txn_get(t, DBI_SERIES_OCC, &k, &v)) {
		ret = txn_refuse(t, H_EEXISTS, "series %llu already has that date",
		                 (unsigned long long)id);
		goto out;
	}
	b.room_id = s.room_id;
	b.group_id = s.group_id;
	b.series_id = id;
	b.recurrence_id = recurrence_id;
	b.title = xstrdup(title != NULL ? title : s.title);
	b.description = xstrdup_or_null(s.description);
	b.attendees = s.attendees;
	b.public = s.public;
	b.start = start;
	b.end = end;
	if ((ret = booking_request(t, a, &b, approve_now, now)) != H_OK)
		goto out;
	series_touch(t, id, now);
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = b;
		booking_init(&b);
	}
out:
	booking_free(&b);
	series_free(&s);
	return ret;
}

/* Occurrences. */

struct occ_ids {
	uint64_t *v;
	size_t n;
};

static enum herr occurrence_ids(struct txn *t, uint64_t series_id, struct occ_ids *out)
{
	struct key prefix;
	struct scan sc;

	key_init(&prefix);
	key_u64(&prefix, series_id);
	out->v = NULL;
	out->n = 0;
	scan_begin(&sc, t, DBI_SERIES_OCC, &prefix, NULL);
	while (scan_next(&sc)) {
		if (sc.v.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "corrupt occurrence index of series %llu",
			           (unsigned long long)series_id);
			break;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = key_get_u64(sc.v.mv_data);
	}
	scan_end(&sc);
	return t->ret;
}

enum herr series_each_occurrence(struct txn *t, uint64_t series_id,
                                 bool (*fn)(const struct booking *b, void *arg), void *arg)
{
	struct occ_ids ids;
	enum herr ret = occurrence_ids(t, series_id, &ids);

	for (size_t i = 0; ret == H_OK && i < ids.n; i++) {
		struct booking b;

		ret = booking_get(t, ids.v[i], &b);
		if (ret == H_OK && !fn(&b, arg))
			i = ids.n;
		booking_free(&b);
	}
	free(ids.v);
	return ret;
}

static bool series_match(const struct series *s, uint64_t room_id, uint64_t group_id)
{
	return (room_id == 0 || s->room_id == room_id) &&
	       (group_id == 0 || s->group_id == group_id);
}

/* No index tells a series' room or group, so every record the scan passes is decoded and
 * counts against the budget, whether it matches or not. */
enum herr series_each_page(struct txn *t, uint64_t room_id, uint64_t group_id, struct walk *w,
                           bool (*fn)(const struct series *s, void *arg), void *arg)
{
	struct key prefix, from;
	struct scan sc;
	bool more = true;

	walk_begin(w);
	if (!walk_first_id_key(0, w, &from))
		return t->ret;
	key_init(&prefix);
	scan_begin(&sc, t, DBI_SERIES, &prefix, from.len > 0 ? &from : NULL);
	while (more && scan_next(&sc)) {
		struct series s;
		uint64_t id;

		if (sc.k.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "a series key is corrupt");
			break;
		}
		id = key_get_u64(sc.k.mv_data);
		if (!walk_take(w, (struct walk_pos){0, id}))
			break;
		if (series_get(t, id, &s) != H_OK) {
			series_free(&s);
			break;
		}
		if (series_match(&s, room_id, group_id))
			more = fn(&s, arg);
		series_free(&s);
	}
	/* Stopped by fn: say there may be more rather than read one entry ahead. */
	if (w != NULL && !more && t->ret == H_OK)
		w->more = true;
	scan_end(&sc);
	return t->ret;
}

enum herr series_each(struct txn *t, uint64_t room_id, uint64_t group_id,
                      bool (*fn)(const struct series *s, void *arg), void *arg)
{
	return series_each_page(t, room_id, group_id, NULL, fn, arg);
}

/* Decisions on a whole series. */

struct decide_job {
	const struct actor *a;
	uint64_t booking_id;
	enum series_action act;
	const char *note;
	int64_t now;
};

static enum herr occurrence_decide(struct txn *t, void *arg)
{
	struct decide_job *j = arg;

	switch (j->act) {
	case SERIES_APPROVE:
		return booking_approve(t, j->a, j->booking_id, j->note, j->now, NULL);
	case SERIES_DECLINE:
		return booking_decline(t, j->a, j->booking_id, j->note, j->now, NULL);
	case SERIES_CANCEL:
	default:
		return booking_cancel(t, j->a, j->booking_id, j->note, j->now, NULL);
	}
}

static bool action_applies(enum series_action act, enum booking_status st)
{
	if (act == SERIES_CANCEL)
		return st == BOOKING_PENDING || st == BOOKING_APPROVED;
	return st == BOOKING_PENDING;
}

static enum herr series_may_decide(struct txn *t, const struct actor *a, const struct series *s,
                                   enum series_action act)
{
	struct room room;
	enum herr ret = room_get(t, s->room_id, &room);

	if (ret == H_OK)
		ret = act == SERIES_CANCEL ? policy_act_for_group(t, a, s->group_id, room.venue_id)
		                           : policy_manage_venue(t, a, room.venue_id);
	room_free(&room);
	return ret;
}

enum herr series_decide(struct txn *t, const struct actor *a, uint64_t id, enum series_action act,
                        int64_t from, const char *note, int64_t now, struct series_outcome *out)
{
	struct series s;
	struct occ_ids ids = {0};
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = series_get(t, id, &s)) != H_OK ||
	    (ret = series_may_decide(t, a, &s, act)) != H_OK ||
	    (ret = occurrence_ids(t, id, &ids)) != H_OK)
		goto out;
	for (size_t i = 0; i < ids.n && t->ret == H_OK; i++) {
		struct decide_job j = {a, ids.v[i], act, note, now};
		struct booking b;
		bool applies;

		if (booking_get(t, ids.v[i], &b) != H_OK) {
			/* The index names a booking that is not there: the store is damaged. */
			booking_free(&b);
			txn_refuse(t, H_ESTORAGE, "series %llu: occurrence %llu is missing",
			           (unsigned long long)id, (unsigned long long)ids.v[i]);
			break;
		}
		applies = b.start >= from && action_applies(act, b.status);
		if (applies) {
			herror_clear(t->err);
			if (txn_try(t, occurrence_decide, &j) == H_OK)
				out->created++;
			else if (t->ret == H_OK)
				outcome_refuse(out, b.start, t->err);
		}
		booking_free(&b);
	}
	ret = t->ret;
	if (ret == H_OK) {
		static const char *const names[] = {"approve", "decline", "cancel"};

		/* The room, so that the venue's managers find the entry. */
		json_t *detail = json_pack("{s:I}", "room_id", (json_int_t)s.room_id);

		herror_clear(t->err);
		audit_append(t, a, "series", id, names[act], note, detail, now);
		json_decref(detail);
		ret = t->ret;
	}
out:
	free(ids.v);
	series_free(&s);
	return ret;
}

enum herr series_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                        int64_t now, struct series *out)
{
	static const char *const times[] = {"start", "end"};
	struct booking probe;
	struct series s;
	struct occ_ids ids = {0};
	enum herr ret;

	/* Every other field is judged as a booking's edit would judge it (booking_apply). */
	for (size_t i = 0; i < 2; i++)
		if (json_object_get(fields, times[i]) != NULL)
			return txn_refuse(
			    t, H_EINVAL,
			    "a series changes its title, description, attendees or public "
			    "flag; move one date through its booking (not %s)",
			    times[i]);
	booking_init(&probe);
	if ((ret = series_get(t, id, &s)) != H_OK ||
	    (ret = series_may_decide(t, a, &s, SERIES_CANCEL)) != H_OK ||
	    (ret = occurrence_ids(t, id, &ids)) != H_OK)
		goto out;
	/* The values are judged as a booking's would be, even when no date is left to take
	 * them. */
	probe.title = xstrdup(s.title);
	probe.description = xstrdup_or_null(s.description);
	probe.attendees = s.attendees;
	probe.public = s.public;
	if ((ret = booking_apply(t, &probe, fields)) != H_OK)
		goto out;
	/* Each live occurrence takes the change with every rule re-checked (the room's
	 * capacity for attendees); one refusal refuses the edit. */
	for (size_t i = 0; i < ids.n && ret == H_OK; i++) {
		struct booking b;

		ret = booking_get(t, ids.v[i], &b);
		if (ret == H_OK && (b.status == BOOKING_PENDING || b.status == BOOKING_APPROVED))
			ret = booking_update(t, a, b.id, fields, now, NULL);
		booking_free(&b);
	}
	if (ret != H_OK)
		goto out;
	/* The occurrences were stored (and the series touched): reload, then apply. */
	series_free(&s);
	if ((ret = series_get(t, id, &s)) != H_OK)
		goto out;
	free(s.title);
	free(s.description);
	s.title = probe.title;
	s.description = probe.description;
	probe.title = probe.description = NULL;
	s.attendees = probe.attendees;
	s.public = probe.public;
	s.sequence++;
	s.updated_at = now;
	series_put(t, &s);
	{
		json_t *detail = series_to_json(&s);

		audit_append(t, a, "series", id, "edit", NULL, detail, now);
		json_decref(detail);
	}
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = s;
		series_init(&s);
	}
out:
	free(ids.v);
	booking_free(&probe);
	series_free(&s);
	return ret;
}
