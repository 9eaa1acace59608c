#include "hours.h"

#include "tz.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

void hours_always(struct week_hours *h)
{
	memset(h, 0, sizeof(*h));
	for (int d = 0; d < 7; d++) {
		h->count[d] = 1;
		h->span[d][0] = (struct hours_span){0, 1440};
	}
}

static int day_index(const char *s, size_t n)
{
	for (int d = 0; d < 7; d++)
		if (n == 3 && strncasecmp(s, day_names[d], 3) == 0)
			return d;
	return -1;
}

static bool parse_hhmm(const char **p, uint16_t *out)
{
	const char *s = *p;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*out = (uint16_t)(h * 60 + m);
	*p = s + 5;
	return true;
}

static void skip_space(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static int span_cmp(const void *a, const void *b)
{
	return (int)((const struct hours_span *)a)->from -
	       (int)((const struct hours_span *)b)->from;
}

/* Parses "mon-fri" or "sat" into [first, last]. */
static bool parse_days(const char **p, int *first, int *last)
{
	const char *s = *p;

	*first = day_index(s, 3);
	if (*first < 0)
		return false;
	s += 3;
	*last = *first;
	if (*s == '-') {
		*last = day_index(s + 1, 3);
		if (*last < 0)
			return false;
		s += 4;
	}
	*p = s;
	return true;
}

/* Parses one clause such as "mon-fri 09:00-12:00,13:00-22:00" or "sun closed". */
static enum herr parse_clause(const char *clause, struct week_hours *h, struct herror *err)
{
	const char *p = clause;
	struct hours_span spans[HOURS_MAX_PER_DAY];
	int first, last, n = 0;

	skip_space(&p);
	if (!parse_days(&p, &first, &last))
		return herror_set(err, H_EINVAL,
		                  "opening hours: \"%s\" does not start with a day "
		                  "such as mon or mon-fri",
		                  clause);
	skip_space(&p);
	if (strncasecmp(p, "closed", 6) == 0) {
		p += 6;
	} else {
		do {
			skip_space(&p);
			if (n == HOURS_MAX_PER_DAY)
				return herror_set(err, H_EINVAL,
				                  "opening hours: at most %d "
				                  "intervals a day",
				                  HOURS_MAX_PER_DAY);
			if (!parse_hhmm(&p, &spans[n].from) || *p++ != '-' ||
			    !parse_hhmm(&p, &spans[n].to) || spans[n].from >= spans[n].to)
				return herror_set(err, H_EINVAL,
				                  "opening hours: \"%s\" needs times "
				                  "such as 09:00-22:00",
				                  clause);
			n++;
			skip_space(&p);
		} while (*p == ',' && p++);
	}
	skip_space(&p);
	if (*p != '\0')
		return herror_set(err, H_EINVAL, "opening hours: unexpected \"%s\"", p);
	qsort(spans, (size_t)n, sizeof(spans[0]), span_cmp);
	for (int i = 1; i < n; i++)
		if (spans[i].from < spans[i - 1].to)
			return herror_set(err, H_EINVAL,
			                  "opening hours: intervals overlap in \"%s\"", clause);
	for (int d = first;; d = (d + 1) % 7) {
		/* A later clause for the same day replaces it whole: no span of the earlier
		 * one is left behind the count, so equal weeks compare equal. */
		memset(h->span[d], 0, sizeof(h->span[d]));
		h->count[d] = (uint8_t)n;
		memcpy(h->span[d], spans, sizeof(spans[0]) * (size_t)n);
		if (d == last)
			break;
	}
	return H_OK;
}

enum herr hours_parse(const char *text, struct week_hours *out, struct herror *err)
{
	char *copy = xstrdup(text), *save = NULL;
	struct week_hours h;
	enum herr ret = H_OK;
	int clauses = 0;

	memset(&h, 0, sizeof(h));
	for (char *c = strtok_r(copy, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
		const char *q = c;

		skip_space(&q);
		if (*q == '\0')
			continue;
		ret = parse_clause(c, &h, err);
		if (ret != H_OK)
			goto out;
		clauses++;
	}
	if (clauses == 0) {
		ret = herror_set(err, H_EINVAL, "opening hours are empty");
		goto out;
	}
	*out = h;
out:
	free(copy);
	return ret;
}

static void format_day(const struct week_hours *h, int d, char *buf, size_t size)
{
	size_t n = 0;

	if (h->count[d] == 0) {
		snprintf(buf, size, "closed");
		return;
	}
	buf[0] = '\0';
	for (int i = 0; i < h->count[d] && n < size; i++) {
		const struct hours_span *s = &h->span[d][i];

		n += (size_t)snprintf(buf + n, size - n, "%s%02d:%02d-%02d:%02d", i ? "," : "",
		                      s->from / 60, s->from % 60, s->to / 60, s->to % 60);
	}
}

static bool same_day(const struct week_hours *h, int a, int b)
{
	return h->count[a] == h->count[b] &&
	       memcmp(h->span[a], h->span[b], sizeof(h->span[a][0]) * h->count[a]) == 0;
}

char *hours_format(const struct week_hours *h)
{
	char out[512], day[128];
	size_t n = 0;

	out[0] = '\0';
	for (int d = 0; d < 7;) {
		int last = d;

		while (last + 1 < 7 && same_day(h, d, last + 1))
			last++;
		format_day(h, d, day, sizeof(day));
		if (last == d)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s %s", n ? "; " : "",
			                      day_names[d], day);
		else
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s-%s %s", n ? "; " : "",
			                      day_names[d], day_names[last], day);
		d = last + 1;
	}
	return xstrdup(out);
}

/* The instant of minute m (0-1440) of day number d, local time in zone. */
static int64_t day_minute(const char *zone, int64_t d, int m)
{
	struct localtm lt = {0};

	civil_from_days(d + m / 1440, &lt.year, &lt.month, &lt.day);
	lt.hour = m % 1440 / 60;
	lt.min = m % 60;
	return tz_at_or_after(zone, &lt);
}

/* Whether every day's spans (in order) cover it from 00:00 to 24:00. */
static bool hours_all_day(const struct week_hours *h)
{
	for (int d = 0; d < 7; d++) {
		int cover = 0;

		for (int i = 0; i < h->count[d] && h->span[d][i].from <= cover; i++)
			if (h->span[d][i].to > cover)
				cover = h->span[d][i].to;
		if (cover < 1440)
			return false;
	}
	return true;
}

void hours_each_open(const struct week_hours *h, const char *zone, int64_t from, int64_t to,
                     bool (*fn)(int64_t start, int64_t end, void *arg), void *arg)
{
	struct localtm lf, lt;
	int64_t open_start = 0, open_end = 0;
	bool have = false;

	if (to <= from)
		return;
	if (to - from > (int64_t)HOURS_WALK_DAYS * 86400)
		to = from + (int64_t)HOURS_WALK_DAYS * 86400;
	/* What the walk would find, one opening, without a few conversions a day. */
	if (hours_all_day(h)) {
		fn(from, to, arg);
		return;
	}
	tz_to_local(zone, from, &lf);
	tz_to_local(zone, to, &lt);
	for (int64_t d = days_from_civil(lf.year, lf.month, lf.day);
	     d <= days_from_civil(lt.year, lt.month, lt.day); d++) {
		int wd = (int)(((d % 7) + 7 + 3) % 7);

		for (int i = 0; i < h->count[wd]; i++) {
			int64_t sa = day_minute(zone, d, h->span[wd][i].from);
			int64_t sb = day_minute(zone, d, h->span[wd][i].to);

			sa = sa < from ? from : sa;
			sb = sb > to ? to : sb;
			if (sa >= sb)
				continue;
			/* Touching intervals, also across midnight, are one opening. */
			if (have && sa <= open_end) {
				open_end = sb > open_end ? sb : open_end;
				continue;
			}
			if (have && !fn(open_start, open_end, arg))
				return;
			open_start = sa, open_end = sb, have = true;
		}
	}
	if (have)
		fn(open_start, open_end, arg);
}

struct covering {
	int64_t start, end;
	bool found;
};

static bool covers(int64_t start, int64_t end, void *arg)
{
	struct covering *c = arg;

	if (start <= c->start && c->end <= end) {
		c->found = true;
		return false;
	}
	return start < c->end;
}

/* Defined through hours_each_open, so that a booking is allowed exactly when it lies in
 * one real-time opening. Around a clock change that is what people mean: a hall open
 * 01:30-03:00 on the night the clocks go back is open for two and a half hours. */
bool hours_allow(const struct week_hours *h, const char *zone, int64_t start, int64_t end)
{
	struct covering c = {start, end, false};

	if (end <= start)
		return false;
	/* Open all day every day is one opening without end; otherwise a closed minute
	 * recurs every week, so nothing longer than 8 days fits in one opening, and the
	 * walk below is never longer than 10 days whatever the booking says. */
	if (hours_all_day(h))
		return true;
	if (end - start > 8 * 86400)
		return false;
	hours_each_open(h, zone, start - 86400, end + 86400, covers, &c);
	return c.found;
}
