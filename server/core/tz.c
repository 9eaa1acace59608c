#include "tz.h"

#include <ctype.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* libical finds a zone by name with a linear strcmp over its ~420 zones, which was about
 * half the CPU of an availability call: opening hours convert many times per request.
 * So each name is looked up in libical once and kept here with its zone.
 *
 * The cache is process-wide, and that is the honest owner: what it points to, libical's
 * builtin zones, is itself one list per process that lives as long as the process (halls
 * never frees it), and a name must give the same zone wherever it is looked up. A table
 * owned by each caller would have to be carried through every conversion (records, rules,
 * availability, feeds, mail) only to hold the same pointers. hallsd's loop and its
 * delivery thread both convert times, so: entries are only ever appended, each is written
 * in full under the mutex before the count that publishes it is stored (release), and
 * readers load the count (acquire) and read only entries that no one writes again; a
 * lookup of a cached name takes no lock. Only names libical knows are kept (an unknown
 * one is asked again each time, and refused), so input cannot fill the cache; past
 * ZONE_CACHE_MAX zones in use, the others are simply asked of libical each time.
 *
 * libical's search by name is not safe against another thread loading a zone: loading
 * replaces (frees) the zone's location string, which the search reads. So every search,
 * and every zone's first load, happens here under the mutex: a zone is loaded as soon as
 * it is found, and a conversion never loads one. ics.c finds zones through here too. The
 * names kept are copies, for the same reason. Fixed storage: nothing to allocate. */
#define ZONE_CACHE_MAX 64
#define ZONE_NAME_MAX  64

struct zone_entry {
	char name[ZONE_NAME_MAX];
	icaltimezone *zone;
	/* What tz_zone_derived's caller derived from the zone, once: written under the lock,
	 * published by the store of `derived` (release), never changed or freed after. */
	tz_derive_fn *derive;
	const void *_Atomic derived;
};

static struct zone_entry zone_cache[ZONE_CACHE_MAX];
static atomic_size_t zone_cache_len;
static pthread_mutex_t zone_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct zone_entry *zone_entry_cached(const char *name)
{
	size_t n = atomic_load_explicit(&zone_cache_len, memory_order_acquire);

	for (size_t i = 0; i < n; i++)
		if (strcmp(zone_cache[i].name, name) == 0)
			return &zone_cache[i];
	return NULL;
}

static icaltimezone *zone_cached(const char *name)
{
	struct zone_entry *e = zone_entry_cached(name);

	return e != NULL ? e->zone : NULL;
}

/* Asks libical, under the lock (so that two threads never add one name twice), and keeps
 * the answer when there is one and room for it. */
static icaltimezone *zone_remember(const char *name)
{
	icaltimezone *z;
	size_t n, len = strlen(name);

	pthread_mutex_lock(&zone_cache_lock);
	z = zone_cached(name);
	if (z == NULL) {
		z = icaltimezone_get_builtin_timezone(name);
		if (z != NULL && z != icaltimezone_get_utc_timezone())
			(void)icaltimezone_get_component(z); /* loads it, now, under the lock */
		n = atomic_load_explicit(&zone_cache_len, memory_order_relaxed);
		if (z != NULL && n < ZONE_CACHE_MAX && len < ZONE_NAME_MAX) {
			memcpy(zone_cache[n].name, name, len + 1);
			zone_cache[n].zone = z;
			atomic_store_explicit(&zone_cache_len, n + 1, memory_order_release);
		}
	}
	pthread_mutex_unlock(&zone_cache_lock);
	return z;
}

static icaltimezone *zone_get(const char *zone)
{
	icaltimezone *z;

	if (zone == NULL || strcmp(zone, "UTC") == 0)
		return icaltimezone_get_utc_timezone();
	if (zone[0] == '\0')
		return NULL;
	z = zone_cached(zone);
	return z != NULL ? z : zone_remember(zone);
}

const void *tz_zone_derived(const char *zone, tz_derive_fn *derive)
{
	struct zone_entry *e;
	const void *d;

	if (zone == NULL || strcmp(zone, "UTC") == 0 || zone_get(zone) == NULL)
		return NULL;
	e = zone_entry_cached(zone);
	if (e == NULL)
		return NULL; /* past ZONE_CACHE_MAX zones: the caller derives its own */
	d = atomic_load_explicit(&e->derived, memory_order_acquire);
	if (d != NULL)
		return e->derive == derive ? d : NULL;
	pthread_mutex_lock(&zone_cache_lock);
	d = atomic_load_explicit(&e->derived, memory_order_relaxed);
	if (d == NULL) {
		d = derive(icaltimezone_get_component(e->zone));
		e->derive = derive;
		atomic_store_explicit(&e->derived, d, memory_order_release);
	}
	pthread_mutex_unlock(&zone_cache_lock);
	return e->derive == derive ? d : NULL;
}

bool tz_valid(const char *zone)
{
	return zone != NULL && zone[0] != '\0' && zone_get(zone) != NULL;
}

int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: exact for every proleptic Gregorian date. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

int civil_weekday(int y, int m, int d)
{
	int64_t days = days_from_civil(y, m, d);

	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	return (int)(((days % 7) + 7 + 3) % 7);
}

int64_t civil_to_utc(const struct localtm *lt)
{
	return days_from_civil(lt->year, lt->month, lt->day) * 86400 + lt->hour * 3600 +
	       lt->min * 60 + lt->sec;
}

static void utc_to_civil(int64_t t, struct localtm *out)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	out->year = (int)(yoe + era * 400 + (m <= 2));
	out->month = m;
	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs % 3600 / 60);
	out->sec = (int)(secs % 60);
	out->wday = civil_weekday(out->year, out->month, out->day);
}

/* Seconds east of UTC in zone at instant t. Outside [TIME_MIN, TIME_MAX) the offset at
 * the nearer end is used: libical's cost grows with the year, and a stored instant that
 * out of range (or a day either side of one) must not hold the loop. */
static int zone_offset_at(icaltimezone *z, int64_t t)
{
	if (t < TIME_MIN)
		t = TIME_MIN;
	else if (t >= TIME_MAX)
		t = TIME_MAX - 1;
	struct icaltimetype utc =
	    icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
	int is_daylight = 0;

	return icaltimezone_get_utc_offset_of_utc_time(z, &utc, &is_daylight);
}

const struct tz_zone *tz_zone_find(const char *zone)
{
	return (const struct tz_zone *)zone_get(zone);
}

void tz_to_local_in(const struct tz_zone *zone, int64_t t, struct localtm *out)
{
	/* libical's zone objects are used as they are; halls never changes them. */
	icaltimezone *z = (icaltimezone *)(uintptr_t)zone;
	int off = z ? zone_offset_at(z, t) : 0;

	utc_to_civil(t + off, out);
	out->utc_offset = off;
}

void tz_to_local(const char *zone, int64_t t, struct localtm *out)
{
	tz_to_local_in(tz_zone_find(zone), t, out);
}

int tz_local_minutes(const char *zone, int64_t t)
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	return lt.hour * 60 + lt.min;
}

static bool same_wall_clock(const struct localtm *a, const struct localtm *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->min == b->min && a->sec == b->sec;
}

enum herr tz_from_local(const char *zone, const struct localtm *lt, int64_t *out,
                        struct herror *err)
{
	icaltimezone *z = zone_get(zone);
	int64_t wall, best = 0;
	bool found = false;
	struct localtm back;

	if (z == NULL)
		return herror_set(err, H_EINVAL, "unknown time zone \"%s\"", zone ? zone : "");
	wall = civil_to_utc(lt);
	/* An instant whose wall clock is lt has offset o with t = wall - o. Every offset in
	 * use lies within a day of UTC, and a zone has at most two offsets around any one
	 * clock change, so trying the offsets found a day either side finds every match. */
	int offsets[3] = {zone_offset_at(z, wall - 86400), zone_offset_at(z, wall),
	                  zone_offset_at(z, wall + 86400)};
	for (int i = 0; i < 3; i++) {
		int64_t t = wall - offsets[i];

		tz_to_local_in((const struct tz_zone *)z, t, &back);
		if (same_wall_clock(&back, lt) && (!found || t < best)) {
			best = t;
			found = true;
		}
	}
	if (!found)
		return herror_set(err, H_EINVAL,
		                  "%04d-%02d-%02dT%02d:%02d does not exist in %s (the clocks go "
		                  "forward then)",
		                  lt->year, lt->month, lt->day, lt->hour, lt->min, zone);
	*out = best;
	return H_OK;
}

int64_t tz_at_or_after(const char *zone, const struct localtm *lt)
{
	int64_t wall = civil_to_utc(lt), t, lo, hi;
	struct localtm back;

	if (tz_from_local(zone, lt, &t, NULL) == H_OK)
		return t;
	/* lt was skipped: local time jumps from before it to after it somewhere in
	 * [wall - 1 day, wall + 1 day]; find the first instant whose wall clock is past it. */
	lo = wall - 86400;
	hi = wall + 86400;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		tz_to_local(zone, mid, &back);
		if (civil_to_utc(&back) >= wall)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int64_t tz_from_local_rfc5545(const char *zone, const struct localtm *lt)
{
	struct localtm before;
	int64_t t;

	if (tz_from_local(zone, lt, &t, NULL) == H_OK)
		return t;
	/* Skipped by the clocks going forward: read with the offset in force before the
	 * gap, i.e. moved forward by the gap's length. Half a day earlier is before it. */
	t = civil_to_utc(lt);
	tz_to_local(zone, t - 43200, &before);
	return t - before.utc_offset;
}

void civil_from_days(int64_t days, int *y, int *m, int *d)
{
	struct localtm lt;

	utc_to_civil(days * 86400, &lt);
	*y = lt.year;
	*m = lt.month;
	*d = lt.day;
}

static bool parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool parse_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool civil_valid(const struct localtm *lt)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (lt->year % 4 == 0 && lt->year % 100 != 0) || lt->year % 400 == 0;

	if (lt->year < 1 || lt->month < 1 || lt->month > 12)
		return false;
	if (lt->day < 1 || lt->day > mdays[lt->month - 1] ||
	    (lt->month == 2 && !leap && lt->day > 28))
		return false;
	return lt->hour <= 23 && lt->min <= 59 && lt->sec <= 59;
}

enum herr time_check(int64_t t, struct herror *err)
{
	if (t >= TIME_MIN && t < TIME_MAX)
		return H_OK;
	return herror_set(err, H_EINVAL,
	                  "%s is outside the times halls accepts: from %d-01-01 up to %d-01-01 "
	                  "UTC",
	                  t < TIME_MIN ? "a time before 1970" : "a time after 2199", TIME_YEAR_MIN,
	                  TIME_YEAR_MAX + 1);
}

enum herr time_parse(const char *s, const char *zone, int64_t *out, struct herror *err)
{
	const char *p = s;
	struct localtm lt = {0};
	int oh = 0, om = 0, sign = 0;

	if (s == NULL)
		return herror_set(err, H_EINVAL, "missing time");
	if (!parse_digits(&p, 4, &lt.year) || !parse_char(&p, '-') ||
	    !parse_digits(&p, 2, &lt.month) || !parse_char(&p, '-') ||
	    !parse_digits(&p, 2, &lt.day))
		goto bad;
	/* A date alone is the start of that day where the venue is, for the API and halls
	 * alike: "from 2026-12-24 to 2026-12-28" reads as people say it. */
	if (*p != '\0' &&
	    (!(parse_char(&p, 'T') || parse_char(&p, ' ')) || !parse_digits(&p, 2, &lt.hour) ||
	     !parse_char(&p, ':') || !parse_digits(&p, 2, &lt.min)))
		goto bad;
	if (parse_char(&p, ':')) {
		if (!parse_digits(&p, 2, &lt.sec))
			goto bad;
		if (parse_char(&p, '.')) {
			if (!isdigit((unsigned char)*p))
				goto bad;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (!civil_valid(&lt))
		return herror_set(err, H_EINVAL, "\"%s\" is not a valid date and time", s);
	/* A year a day's offset away from the range is refused below, once the instant is
	 * known; years further out are refused here, before any zone is consulted. */
	if (lt.year < TIME_YEAR_MIN - 1 || lt.year > TIME_YEAR_MAX + 1)
		return time_check(lt.year < TIME_YEAR_MIN ? TIME_MIN - 1 : TIME_MAX, err);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!parse_digits(&p, 2, &oh) || !parse_char(&p, ':') ||
		    !parse_digits(&p, 2, &om) || oh > 23 || om > 59)
			goto bad;
	} else if (*p == '\0') {
		enum herr ret = tz_from_local(zone ? zone : TZ_DEFAULT, &lt, out, err);

		return ret != H_OK ? ret : time_check(*out, err);
	}
	if (*p != '\0')
		goto bad;
	*out = civil_to_utc(&lt) - sign * (oh * 3600 + om * 60);
	return time_check(*out, err);
bad:
	return herror_set(err, H_EINVAL,
	                  "\"%s\" is not a time: use RFC 3339 such as 2026-12-01T19:00:00Z, "
	                  "local time such as 2026-12-01T19:00, or a date such as 2026-12-01 "
	                  "(the start of that day)",
	                  s);
}

/* n (0-99) as two digits at p. */
static char *two_digits(char *p, int n)
{
	p[0] = (char)('0' + n / 10);
	p[1] = (char)('0' + n % 10);
	return p + 2;
}

static void format_with_offset(const struct localtm *lt, char out[32])
{
	int off = lt->utc_offset < 0 ? -lt->utc_offset : lt->utc_offset;

	/* Digit by digit, as the snprintf below writes them: a listing formats several
	 * instants per booking, and snprintf was most of that. */
	if (lt->year >= 0 && lt->month >= 0 && lt->day >= 0 && lt->hour >= 0 && lt->min >= 0 &&
	    lt->sec >= 0) {
		char *p = two_digits(out, lt->year % 10000 / 100);

		p = two_digits(p, lt->year % 100);
		*p++ = '-';
		p = two_digits(p, lt->month % 100);
		*p++ = '-';
		p = two_digits(p, lt->day % 100);
		*p++ = 'T';
		p = two_digits(p, lt->hour % 100);
		*p++ = ':';
		p = two_digits(p, lt->min % 100);
		*p++ = ':';
		p = two_digits(p, lt->sec % 100);
		*p++ = lt->utc_offset < 0 ? '-' : '+';
		p = two_digits(p, off / 3600 % 100);
		*p++ = ':';
		p = two_digits(p, off % 3600 / 60);
		*p = '\0';
		return;
	}
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", lt->year % 10000,
	         lt->month % 100, lt->day % 100, lt->hour % 100, lt->min % 100, lt->sec % 100,
	         lt->utc_offset < 0 ? '-' : '+', off / 3600 % 100, off % 3600 / 60);
}

void time_format_in(int64_t t, const struct tz_zone *zone, char out[32])
{
	struct localtm lt;

	tz_to_local_in(zone, t, &lt);
	format_with_offset(&lt, out);
}

void time_format(int64_t t, const char *zone, char out[32])
{
	time_format_in(t, tz_zone_find(zone), out);
}

void time_format_utc(int64_t t, char out[32])
{
	struct localtm lt;

	utc_to_civil(t, &lt);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", lt.year % 10000, lt.month % 100,
	         lt.day % 100, lt.hour % 100, lt.min % 100, lt.sec % 100);
}
