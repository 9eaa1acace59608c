/* Times as people say them, in a venue's own zone: "Tuesday 8 December 2026, 7pm to
 * 9pm". The words of messages (notify.h) come from here; the pages say times the same
 * way in JavaScript (server/web/src/format.js: whenWords, clockWords), in the GOV.UK
 * style: "midday" and "midnight", no ":00", no leading zero, 12-hour clock. */
#ifndef HALLS_WHEN_H
#define HALLS_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for any of the words below. */
#define WHEN_MAX 96

/* "7pm", "7:30am", "midday", "midnight". */
void when_clock(int hour, int min, char *out, size_t size);
/* "Tuesday 8 December 2026": the day of instant t in zone. */
void when_day(int64_t t, const char *zone, char *out, size_t size);
/* "Tuesday 8 December 2026, 7pm": a moment. */
void when_moment(int64_t t, const char *zone, char *out, size_t size);
/* "Tuesday 8 December 2026, 7pm to 9pm"; an end on another day names that day too
 * ("Friday 1 January 2027, 10pm to Saturday 2 January 2027, 2am"), and an end at
 * midnight belongs to the day it closes ("7pm to midnight"). */
void when_words(int64_t start, int64_t end, const char *zone, char *out, size_t size);
/* "7pm to 9pm", where the day is said already. */
void when_span(int64_t start, int64_t end, const char *zone, char *out, size_t size);

#endif
