/* A series' rule: RFC 5545 RRULE checked, normalised and expanded, on local dates and
 * times, by RFC 5545's rule for times the clocks skip or repeat (series.h). Pure. */
#ifndef HALLS_SERIES_RULE_H
#define HALLS_SERIES_RULE_H

#include "err.h"
#include "tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIES_RRULE_MAX 256
/* No series date lies further than this past the first: the longest horizon a room may
 * have. Every expansion stops there, so its work is bounded whatever the rule. */
#define SERIES_SPAN_DAYS 3660

/* Checks rule (FREQ DAILY, WEEKLY or MONTHLY; INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS,
 * COUNT or UNTIL) and returns it in the form stored and published: UNTIL as the UTC
 * instant that ends the local day or time given, in zone. malloc'd, or NULL with err. */
char *series_rule_normalise(const char *rule, const char *zone, struct herror *err);

/* Calls fn with the instants of the rule's occurrences in order, at most max of them
 * (fn returning false stops early). H_EINVAL when the rule cannot be read;
 * H_RULE_SERIES when its dates go on past SERIES_SPAN_DAYS from the first (those found
 * until then have been given to fn). */
enum herr series_expand(const char *rrule, const char *zone, int64_t first_start, size_t max,
                        bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err);

/* The clock a rule's wall-clock dates are read on: how each becomes an instant.
 * series_expand reads the series' zone by RFC 5545's rule (tz_from_local_rfc5545); a
 * calendar import reads the file's own (its TZID, a VTIMEZONE of the file, or UTC). */
struct series_clock {
	int64_t (*instant)(const struct localtm *lt, const void *arg);
	const void *arg;
};

/* series_expand for a rule as a calendar file has it, on any clock: the rule's dates from
 * the wall time first on, each made an instant by clock, in order, at most max (fn
 * returning false stops early). UNTIL is read on the same clock, as RFC 5545 reads it: a
 * date ends the dates after that day, a UTC time or a wall time (made an instant by
 * clock) after that instant. Bounded as series_expand is; H_EINVAL when the rule cannot be
 * read, H_RULE_SERIES when it goes on past SERIES_SPAN_DAYS. */
enum herr series_expand_on(const char *rrule, const struct localtm *first,
                           const struct series_clock *clock, size_t max,
                           bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err);

#endif
