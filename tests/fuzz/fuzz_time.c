/* Times, dates and opening hours from hostile text. A time that parses lies in
 * [TIME_MIN, TIME_MAX) and comes back unchanged from its RFC 3339 form; any instant,
 * however far out, converts cheaply; opening hours that parse format to text that parses
 * to the same week, and judging a booking against them walks a bounded number of days.
 *
 * Input: one byte picks the zone, one the parser, the rest is the text (or, for the
 * conversions, eight bytes of instant). */
#include "fuzz.h"
#include "hours.h"
#include "tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const zones[] = {"Europe/London", "UTC", "Pacific/Auckland", "America/New_York",
                                    "Australia/Lord_Howe"};

static void fuzz_time_parse(const char *text, const char *zone)
{
	struct herror err;
	char shown[32];
	int64_t t, back;

	herror_clear(&err);
	if (time_parse(text, zone, &t, &err) != H_OK) {
		if (err.msg[0] == '\0')
			abort(); /* every refusal says why */
		return;
	}
	if (t < TIME_MIN || t >= TIME_MAX)
		abort();
	time_format(t, zone, shown);
	if (time_parse(shown, zone, &back, &err) != H_OK || back != t)
		abort();
	time_format_utc(t, shown);
	if (time_parse(shown, zone, &back, &err) != H_OK || back != t)
		abort();
}

static bool count_open(int64_t start, int64_t end, void *arg)
{
	if (end <= start)
		abort();
	++*(size_t *)arg;
	return true;
}

static void fuzz_hours(const char *text, const char *zone)
{
	struct week_hours h, again;
	struct herror err;
	size_t n = 0;
	char *shown;

	herror_clear(&err);
	if (hours_parse(text, &h, &err) != H_OK)
		return;
	shown = hours_format(&h);
	if (hours_parse(shown, &again, &err) != H_OK || memcmp(&h, &again, sizeof(h)) != 0)
		abort();
	free(shown);
	/* A week around the 2026 spring change, and the whole range (cut short). */
	hours_each_open(&h, zone, INT64_C(1774224000), INT64_C(1774828800), count_open, &n);
	hours_allow(&h, zone, TIME_MIN, TIME_MAX);
	hours_allow(&h, zone, INT64_C(1774760400), INT64_C(1774760400) + 7200);
	n = 0;
	hours_each_open(&h, zone, TIME_MIN, TIME_MAX, count_open, &n);
	if (n > (size_t)HOURS_WALK_DAYS * HOURS_MAX_PER_DAY + 1)
		abort();
}

static void fuzz_convert(const uint8_t *data, size_t size, const char *zone)
{
	struct localtm lt;
	char shown[32];
	int64_t t = 0;

	if (size < 8)
		return;
	memcpy(&t, data, 8);
	/* Within ten thousand years either way, where the civil arithmetic is exact. */
	t %= INT64_C(315569520000);
	tz_to_local(zone, t, &lt);
	if (lt.utc_offset < -16 * 3600 || lt.utc_offset > 16 * 3600)
		abort();
	time_format(t, zone, shown);
	if (time_check(t, NULL) == H_OK &&
	    (lt.year < TIME_YEAR_MIN - 1 || lt.year > TIME_YEAR_MAX + 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *zone;
	char *text;

	if (size < 2 || size > 512)
		return 0;
	zone = zones[data[0] % (sizeof(zones) / sizeof(zones[0]))];
	if (data[1] % 3 == 2) {
		fuzz_convert(data + 2, size - 2, zone);
		return 0;
	}
	text = malloc(size - 1);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	if (data[1] % 3 == 0)
		fuzz_time_parse(text, zone);
	else
		fuzz_hours(text, zone);
	free(text);
	return 0;
}
