/* The demo's days and times (demo.h), apart from demo.c so that every part of the demo
 * can ask them without the parts and demo.c calling each other. */
#include "cli.h"
#include "demo.h"

bool demo_instant(const char *zone, int64_t now, int days, int hour, int min, int64_t *out)
{
	struct localtm lt;
	struct herror err;

	tz_to_local(zone, now, &lt);
	civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + days, &lt.year, &lt.month,
	                &lt.day);
	lt.hour = hour;
	lt.min = min;
	lt.sec = 0;
	herror_clear(&err);
	return tz_from_local(zone, &lt, out, &err) == H_OK;
}

int demo_day(const char *zone, int64_t now, int wday, int week)
{
	struct localtm lt;
	int base;

	tz_to_local(zone, now, &lt);
	base = civil_weekday(lt.year, lt.month, lt.day) + 2;
	return 2 + ((wday - base) % 7 + 7) % 7 + 7 * week;
}
