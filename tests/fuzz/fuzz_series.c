/* Series rules from hostile text: acceptance and bounded expansion. Whatever the rule,
 * series_expand returns after a walk of at most SERIES_SPAN_DAYS, giving dates in
 * strictly increasing order, none before the first date nor past the span, at most as
 * many as asked for; a rule that normalises expands to the same dates as the text it came
 * from. (libFuzzer's -timeout=2 catches a walk that is not bounded.)
 *
 * Input: one byte picks the zone, two the first date (days after 2026-01-01, at 19:00
 * local), the rest is the rule. */
#include "fuzz.h"
#include "series.h"
#include "tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DATES 400

static const char *const zones[] = {"Europe/London", "UTC", "Pacific/Auckland", "America/New_York"};

struct seen {
	int64_t first, v[MAX_DATES];
	size_t n;
};

static bool seen_add(int64_t start, void *arg)
{
	struct seen *s = arg;

	/* A day's slack either side for offsets and the clocks' gaps. */
	if (s->n == MAX_DATES || start < s->first - 86400 ||
	    start > s->first + (int64_t)(SERIES_SPAN_DAYS + 2) * 86400 ||
	    (s->n > 0 && start <= s->v[s->n - 1]))
		abort();
	s->v[s->n++] = start;
	return true;
}

static void expand(const char *rule, const char *zone, int64_t first, struct seen *out)
{
	struct herror err;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	out->first = first;
	herror_clear(&err);
	ret = series_expand(rule, zone, first, MAX_DATES, seen_add, out, &err);
	if (ret != H_OK && err.msg[0] == '\0')
		abort(); /* every refusal says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct localtm lt = {.year = 2026, .month = 1, .day = 1, .hour = 19};
	struct herror err;
	struct seen a, b;
	const char *zone;
	char *rule, *norm;
	int64_t first, day;

	if (size < 3 || size > SERIES_RRULE_MAX + 3)
		return 0;
	zone = zones[data[0] % (sizeof(zones) / sizeof(zones[0]))];
	day = days_from_civil(2026, 1, 1) + (data[1] | data[2] << 8) % 4000;
	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	first = tz_at_or_after(zone, &lt);
	rule = malloc(size - 2);
	memcpy(rule, data + 3, size - 3);
	rule[size - 3] = '\0';
	expand(rule, zone, first, &a);
	herror_clear(&err);
	norm = series_rule_normalise(rule, zone, &err);
	if (norm != NULL) {
		expand(norm, zone, first, &b);
		if (a.n != b.n || memcmp(a.v, b.v, a.n * sizeof(a.v[0])) != 0)
			abort();
		free(norm);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(rule);
	return 0;
}
