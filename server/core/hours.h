/* A venue's weekly opening hours, in local wall-clock minutes.
 *
 * Text form, as managers write it: "mon-fri 09:00-22:00; sat 10:00-12:00,13:00-16:00;
 * sun closed". Days not named are closed. "24:00" closes at midnight. */
#ifndef HALLS_HOURS_H
#define HALLS_HOURS_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

#define HOURS_MAX_PER_DAY 4
/* hours_each_open walks at most this many days (a few conversions each): the longest
 * range a caller may ask about (availability takes 62 days). */
#define HOURS_WALK_DAYS 400

struct hours_span {
	uint16_t from, to; /* minutes since local midnight, from < to <= 1440 */
};

struct week_hours {
	uint8_t count[7]; /* 0 = Monday */
	struct hours_span span[7][HOURS_MAX_PER_DAY];
};

/* Open all day, every day: what a venue has until its manager says otherwise. */
void hours_always(struct week_hours *h);
enum herr hours_parse(const char *text, struct week_hours *out, struct herror *err);
/* The text form; the caller frees it. */
char *hours_format(const struct week_hours *h);
/* True when [start, end) lies inside one opening (hours_each_open), read in zone. A
 * local time skipped in spring opens or closes when the clocks jump past it; one that
 * happens twice in autumn means its first occurrence. */
bool hours_allow(const struct week_hours *h, const char *zone, int64_t start, int64_t end);
/* The opening intervals (UTC instants) that overlap [from, to), clipped to it, in order.
 * Calls fn for each; stops early when fn returns false. A range longer than
 * HOURS_WALK_DAYS is cut to that many days from from. */
void hours_each_open(const struct week_hours *h, const char *zone, int64_t from, int64_t to,
                     bool (*fn)(int64_t start, int64_t end, void *arg), void *arg);

#endif
