/* Instants and wall-clock time in a venue's IANA zone, through libical and tzdata.
 *
 * halls stores instants as UTC seconds. Rules that speak of local time (opening hours,
 * "every Tuesday at 19:00") convert with these functions, never with fixed offsets. */
#ifndef HALLS_TZ_H
#define HALLS_TZ_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

#define TZ_DEFAULT "Europe/London"

/* The instants halls accepts: 1970-01-01T00:00:00Z up to (not including)
 * 2200-01-01T00:00:00Z. A booking system needs a few years ahead; libical works out a
 * zone's changes year by year, and past the years it keeps ready (about 2582) every
 * conversion costs it up to half a second. Every parser refuses instants outside this
 * range (time_check), and the conversions below clamp to it, so that a stored or computed
 * instant outside it costs no more than one inside. */
#define TIME_MIN      INT64_C(0)
#define TIME_MAX      INT64_C(7258118400) /* 2200-01-01T00:00:00Z */
#define TIME_YEAR_MIN 1970
#define TIME_YEAR_MAX 2199

struct localtm {
	int year, month, day; /* month 1-12 */
	int hour, min, sec;
	int wday;       /* 0 = Monday ... 6 = Sunday */
	int utc_offset; /* seconds east of UTC at this instant */
};

bool tz_valid(const char *zone);
/* A zone looked up once for many conversions (the lookup by name is a linear search of
 * libical's list, the cost that dominates formatting a long listing). libical owns it;
 * NULL for an unknown name (treated as UTC). */
struct tz_zone;
const struct tz_zone *tz_zone_find(const char *zone);
/* Something derived once per process from a zone's VTIMEZONE (libical's icalcomponent,
 * passed as void * to keep libical out of this header): ics.c keeps each zone's
 * observances and their onsets. derive runs the first time, under the zone cache's lock,
 * and its answer is kept for the life of the process and handed to every later caller, on
 * any thread, so it must never change. NULL for an unknown zone, for "UTC" (no VTIMEZONE),
 * for a zone past the cache's size, or when another derive function holds the slot: the
 * caller then derives for itself. */
typedef const void *tz_derive_fn(void *vtimezone);
const void *tz_zone_derived(const char *zone, tz_derive_fn *derive);
void tz_to_local_in(const struct tz_zone *zone, int64_t t, struct localtm *out);
/* time_format with a zone already found. */
void time_format_in(int64_t t, const struct tz_zone *zone, char out[32]);
/* Breaks t down into wall-clock time in zone. */
void tz_to_local(const char *zone, int64_t t, struct localtm *out);
/* The instant of a wall-clock time in zone. A time skipped by a clock change is refused
 * (H_EINVAL); a time that happens twice is the first of the two (summer time). */
enum herr tz_from_local(const char *zone, const struct localtm *lt, int64_t *out,
                        struct herror *err);
/* The instant of a wall-clock time in zone by RFC 5545's rule (section 3.3.5), which
 * calendar apps apply to a rule's dates and a file's times: a time skipped by a clock
 * change is read with the offset in force before the gap (01:30 on the spring-forward day
 * in London is 02:30 BST), and a time that happens twice is the first of the two. An
 * unknown zone is read as UTC. Never refuses: for a date a rule gives, or a time a
 * calendar file has, not for a time a person types (tz_from_local). */
int64_t tz_from_local_rfc5545(const char *zone, const struct localtm *lt);
/* The first instant whose wall clock in zone is at or after lt: lt's first occurrence
 * when it exists, else the moment the clocks jump past it (for opening hours that begin
 * inside the hour skipped in spring). */
int64_t tz_at_or_after(const char *zone, const struct localtm *lt);
/* The seconds since local midnight at instant t in zone (for opening hours). */
int tz_local_minutes(const char *zone, int64_t t);

/* H_EINVAL, saying why, unless TIME_MIN <= t < TIME_MAX; what names the value ("start"). */
enum herr time_check(int64_t t, struct herror *err);
/* Parses RFC 3339 with an offset ("2026-12-01T19:00:00Z", "...+01:00") or, without an
 * offset, local wall-clock time in zone ("2026-12-01T19:00"), or a date alone, which is
 * local midnight in zone ("2026-12-01"). Refuses an instant outside
 * [TIME_MIN, TIME_MAX). */
enum herr time_parse(const char *s, const char *zone, int64_t *out, struct herror *err);
/* RFC 3339 in zone's offset at t ("2026-12-01T19:00:00+00:00"); out needs 32 bytes. */
void time_format(int64_t t, const char *zone, char out[32]);
/* RFC 3339 in UTC ("2026-12-01T19:00:00Z"). */
void time_format_utc(int64_t t, char out[32]);
/* Days from 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t days_from_civil(int y, int m, int d);
/* The civil date of a day number (inverse of days_from_civil). */
void civil_from_days(int64_t days, int *y, int *m, int *d);
/* The instant of a civil date and time read as UTC (lt's wday and utc_offset unread). */
int64_t civil_to_utc(const struct localtm *lt);
/* Weekday of a civil date, 0 = Monday. */
int civil_weekday(int y, int m, int d);

#endif
