#include "when.h"

#include "tz.h"

#include <stdbool.h>
#include <stdio.h>

static const char *const weekdays[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
static const char *const months[12] = {"January",   "February", "March",    "April",
                                       "May",       "June",     "July",     "August",
                                       "September", "October",  "November", "December"};

void when_clock(int hour, int min, char *out, size_t size)
{
	int h = hour % 12 == 0 ? 12 : hour % 12;

	if (hour == 0 && min == 0)
		snprintf(out, size, "midnight");
	else if (hour == 12 && min == 0)
		snprintf(out, size, "midday");
	else if (min == 0)
		snprintf(out, size, "%d%s", h, hour < 12 ? "am" : "pm");
	else
		snprintf(out, size, "%d:%02d%s", h, min, hour < 12 ? "am" : "pm");
}

static void day_of(const struct localtm *lt, char *out, size_t size)
{
	int wday = lt->wday >= 0 && lt->wday < 7 ? lt->wday : 0;
	int month = lt->month >= 1 && lt->month <= 12 ? lt->month : 1;

	snprintf(out, size, "%s %d %s %d", weekdays[wday], lt->day, months[month - 1], lt->year);
}

void when_day(int64_t t, const char *zone, char *out, size_t size)
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	day_of(&lt, out, size);
}

void when_moment(int64_t t, const char *zone, char *out, size_t size)
{
	struct localtm lt;
	char day[WHEN_MAX], clock[16];

	tz_to_local(zone, t, &lt);
	day_of(&lt, day, sizeof(day));
	when_clock(lt.hour, lt.min, clock, sizeof(clock));
	snprintf(out, size, "%s, %s", day, clock);
}

static bool same_day(const struct localtm *a, const struct localtm *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day;
}

void when_words(int64_t start, int64_t end, const char *zone, char *out, size_t size)
{
	struct localtm s, e, before_end;
	char sday[WHEN_MAX], eday[WHEN_MAX], sclock[16], eclock[16];
	bool one_day;

	tz_to_local(zone, start, &s);
	tz_to_local(zone, end, &e);
	tz_to_local(zone, end - 1, &before_end);
	/* An end at midnight closes the day before it. */
	one_day = same_day(&s, &e) || (e.hour == 0 && e.min == 0 && same_day(&s, &before_end));
	day_of(&s, sday, sizeof(sday));
	when_clock(s.hour, s.min, sclock, sizeof(sclock));
	when_clock(e.hour, e.min, eclock, sizeof(eclock));
	if (one_day) {
		snprintf(out, size, "%s, %s to %s", sday, sclock, eclock);
		return;
	}
	day_of(&e, eday, sizeof(eday));
	snprintf(out, size, "%s, %s to %s, %s", sday, sclock, eday, eclock);
}

void when_span(int64_t start, int64_t end, const char *zone, char *out, size_t size)
{
	struct localtm s, e;
	char sclock[16], eclock[16];

	tz_to_local(zone, start, &s);
	tz_to_local(zone, end, &e);
	when_clock(s.hour, s.min, sclock, sizeof(sclock));
	when_clock(e.hour, e.min, eclock, sizeof(eclock));
	snprintf(out, size, "%s to %s", sclock, eclock);
}
