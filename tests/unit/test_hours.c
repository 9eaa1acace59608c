/* Opening hours: parsing, formatting, and whether an interval lies inside them, read in
 * the venue's zone (across clock changes too). */
#include "t.h"

#include <stdlib.h>

#define LONDON "Europe/London"
/* Monday 2 March 2026, 00:00Z (GMT in London). */
#define MON           ((int64_t)1772409600)
#define AT(day, h, m) (MON + (int64_t)(day)*86400 + (h)*3600 + (m)*60)

static bool parse(const char *text, struct week_hours *h)
{
	struct herror err;
	enum herr ret;

	herror_clear(&err);
	ret = hours_parse(text, h, &err);
	if (ret != H_OK)
		t_fail(__FILE__, __LINE__, "hours_parse(\"%s\"): %s", text, err.msg);
	return ret == H_OK;
}

static bool same_hours(const struct week_hours *a, const struct week_hours *b)
{
	for (int d = 0; d < 7; d++) {
		if (a->count[d] != b->count[d])
			return false;
		for (int i = 0; i < a->count[d]; i++)
			if (a->span[d][i].from != b->span[d][i].from ||
			    a->span[d][i].to != b->span[d][i].to)
				return false;
	}
	return true;
}

TEST(hours_parse_week)
{
	struct week_hours h;

	T_ASSERT(parse("mon-fri 09:00-22:00; sat 10:00-16:00", &h));
	for (int d = 0; d < 5; d++) {
		T_EQ_INT(h.count[d], 1);
		T_EQ_INT(h.span[d][0].from, 9 * 60);
		T_EQ_INT(h.span[d][0].to, 22 * 60);
	}
	T_EQ_INT(h.count[5], 1);
	T_EQ_INT(h.span[5][0].from, 10 * 60);
	T_EQ_INT(h.span[5][0].to, 16 * 60);
	T_EQ_INT(h.count[6], 0); /* days not named are closed */

	/* Several intervals, given out of order, are sorted; "closed"; upper case. */
	T_ASSERT(parse("Mon 13:00-17:00,09:00-12:00 ; tue closed; sun 00:00-24:00", &h));
	T_EQ_INT(h.count[0], 2);
	T_EQ_INT(h.span[0][0].from, 9 * 60);
	T_EQ_INT(h.span[0][0].to, 12 * 60);
	T_EQ_INT(h.span[0][1].from, 13 * 60);
	T_EQ_INT(h.span[0][1].to, 17 * 60);
	T_EQ_INT(h.count[1], 0);
	T_EQ_INT(h.count[6], 1);
	T_EQ_INT(h.span[6][0].from, 0);
	T_EQ_INT(h.span[6][0].to, 1440);

	/* Four intervals a day at most; touching ones are fine. */
	T_ASSERT(parse("wed 08:00-09:00,09:00-10:00,11:00-12:00,12:00-24:00", &h));
	T_EQ_INT(h.count[2], 4);

	/* A range may wrap round the week. */
	T_ASSERT(parse("fri-mon 10:00-12:00", &h));
	T_EQ_INT(h.count[4], 1);
	T_EQ_INT(h.count[5], 1);
	T_EQ_INT(h.count[6], 1);
	T_EQ_INT(h.count[0], 1);
	T_EQ_INT(h.count[1], 0);

	/* A later clause overrides an earlier one for its days. */
	T_ASSERT(parse("mon-sun 09:00-17:00; sun closed", &h));
	T_EQ_INT(h.count[6], 0);
	T_EQ_INT(h.count[5], 1);
}

TEST(hours_parse_malformed)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    ";",
	    "funday 09:00-10:00",
	    "mo 09:00-10:00",
	    "monday 09:00-10:00",
	    "mon",
	    "mon 9:00-10:00",
	    "mon 09:00",
	    "mon 09:00-",
	    "mon 09:00-10:00,",
	    "mon 09.00-10.00",
	    "mon 10:00-09:00",
	    "mon 09:00-09:00",
	    "mon 09:60-10:00",
	    "mon 24:30-25:00",
	    "mon 23:00-24:01",
	    "mon 23:00-25:00",
	    "mon 09:00-12:00,11:00-13:00",
	    "mon 09:00-10:00,10:00-11:00,11:00-12:00,12:00-13:00,13:00-14:00",
	    "mon 09:00-10:00 extra",
	    "mon-xyz 09:00-10:00",
	    "mon- 09:00-10:00",
	    "mon closed 09:00-10:00",
	    "09:00-10:00",
	    "mon 09:00-10:00; bogus",
	};
	struct week_hours h, before;

	hours_always(&h);
	before = h;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct herror err;
		enum herr ret;

		herror_clear(&err);
		ret = hours_parse(bad[i], &h, &err);
		if (ret != H_EINVAL)
			t_fail(__FILE__, __LINE__, "hours_parse(\"%s\") gave %s", bad[i],
			       herr_name(ret));
		else if (err.msg[0] == '\0')
			t_fail(__FILE__, __LINE__, "hours_parse(\"%s\"): no message", bad[i]);
	}
	/* A refused text leaves the output alone. */
	T_CHECK(same_hours(&h, &before));
}

static void round_trip(const char *file, int line, const char *text, const char *want)
{
	struct week_hours h, again;
	char *s;

	if (!parse(text, &h))
		return;
	s = hours_format(&h);
	if (strcmp(s, want) != 0)
		t_fail(file, line, "hours_format(\"%s\") = \"%s\", want \"%s\"", text, s, want);
	if (!parse(s, &again) || !same_hours(&h, &again))
		t_fail(file, line, "\"%s\" does not parse back to the same hours", s);
	free(s);
}
#define ROUND_TRIP(text, want) round_trip(__FILE__, __LINE__, text, want)

TEST(hours_format_round_trip)
{
	struct week_hours h;
	char *s;

	ROUND_TRIP("mon-fri 09:00-22:00; sat 10:00-16:00",
	           "mon-fri 09:00-22:00; sat 10:00-16:00; sun closed");
	ROUND_TRIP("mon-sun 08:00-23:00", "mon-sun 08:00-23:00");
	ROUND_TRIP("sun 00:00-24:00", "mon-sat closed; sun 00:00-24:00");
	ROUND_TRIP("mon 13:00-17:00,09:00-12:00; wed 13:00-17:00,09:00-12:00",
	           "mon 09:00-12:00,13:00-17:00; tue closed; wed 09:00-12:00,13:00-17:00; thu-sun "
	           "closed");
	ROUND_TRIP("fri-tue 10:00-12:00",
	           "mon-tue 10:00-12:00; wed-thu closed; fri-sun 10:00-12:00");
	ROUND_TRIP(
	    "tue 08:00-09:00,09:00-10:00,11:00-12:00,12:00-24:00",
	    "mon closed; tue 08:00-09:00,09:00-10:00,11:00-12:00,12:00-24:00; wed-sun closed");
	hours_always(&h);
	s = hours_format(&h);
	T_EQ_STR(s, "mon-sun 00:00-24:00");
	free(s);
}

TEST(hours_allow_boundaries)
{
	struct week_hours h;

	T_ASSERT(parse("mon-fri 09:00-22:00; sat 10:00-16:00", &h));
	/* Exactly the opening hours. */
	T_CHECK(hours_allow(&h, "UTC", AT(0, 9, 0), AT(0, 22, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 9, 0), AT(0, 22, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(4, 21, 0), AT(4, 22, 0)));
	/* A minute either side. */
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 8, 59), AT(0, 10, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 21, 0), AT(0, 22, 1)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 21, 0), AT(0, 22, 0) + 1));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 9, 0) - 1, AT(0, 10, 0)));
	/* Saturday's own hours; Sunday closed. */
	T_CHECK(hours_allow(&h, LONDON, AT(5, 10, 0), AT(5, 16, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(5, 15, 0), AT(5, 17, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(6, 10, 0), AT(6, 11, 0)));
	/* Across a night the venue is closed. */
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 21, 0), AT(1, 10, 0)));
	/* Empty and reversed intervals are never allowed. */
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 10, 0), AT(0, 10, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 11, 0), AT(0, 10, 0)));
}

TEST(hours_allow_intervals)
{
	struct week_hours h;

	/* Touching intervals are one opening. */
	T_ASSERT(parse("mon 09:00-12:00,12:00-18:00", &h));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 11, 0), AT(0, 13, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 9, 0), AT(0, 18, 0)));
	/* A gap is not. */
	T_ASSERT(parse("mon 09:00-12:00,13:00-18:00", &h));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 11, 0), AT(0, 14, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 12, 0), AT(0, 13, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 11, 0), AT(0, 12, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 13, 0), AT(0, 14, 0)));

	/* Through midnight: open to 24:00 and again from 00:00 the next day. */
	T_ASSERT(parse("mon 18:00-24:00; tue 00:00-02:00", &h));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 23, 0), AT(1, 1, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 22, 0), AT(1, 0, 0)));
	T_CHECK(hours_allow(&h, LONDON, AT(1, 0, 0), AT(1, 2, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 23, 0), AT(1, 2, 30)));
	T_ASSERT(parse("mon 18:00-24:00", &h));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 22, 0), AT(1, 0, 0)));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 23, 0), AT(1, 1, 0)));
	/* Several days when open all the time. */
	hours_always(&h);
	T_CHECK(hours_allow(&h, LONDON, AT(0, 10, 0), AT(3, 10, 0)));
}

TEST(hours_allow_clock_change_days)
{
	/* 29 Mar and 25 Oct 2026 are Sundays; the clocks change at 01:00Z. */
	const int64_t mar29 = 1774742400, oct25 = 1792886400; /* 00:00Z each day */
	struct week_hours h;

	T_ASSERT(parse("mon-sun 09:00-22:00", &h));
	/* 09:00-10:00 BST on 29 Mar is 08:00-09:00Z: allowed in London, not in UTC. */
	T_CHECK(hours_allow(&h, LONDON, mar29 + 8 * 3600, mar29 + 9 * 3600));
	T_CHECK(!hours_allow(&h, "UTC", mar29 + 8 * 3600, mar29 + 9 * 3600));
	/* 21:30-22:00Z is within 09:00-22:00 in UTC terms, but 22:30-23:00 in London. */
	T_CHECK(hours_allow(&h, "UTC", mar29 + 21 * 3600 + 1800, mar29 + 22 * 3600));
	T_CHECK(!hours_allow(&h, LONDON, mar29 + 21 * 3600 + 1800, mar29 + 22 * 3600));
	/* The whole local day: 09:00 BST to 22:00 BST. */
	T_CHECK(hours_allow(&h, LONDON, mar29 + 8 * 3600, mar29 + 21 * 3600));
	T_CHECK(!hours_allow(&h, LONDON, mar29 + 8 * 3600, mar29 + 21 * 3600 + 60));
	/* The day before is still GMT. */
	T_CHECK(!hours_allow(&h, LONDON, mar29 - 86400 + 8 * 3600, mar29 - 86400 + 9 * 3600));
	T_CHECK(hours_allow(&h, LONDON, mar29 - 86400 + 9 * 3600, mar29 - 86400 + 10 * 3600));

	/* 25 Oct: GMT again from 01:00Z, so 09:00-10:00 local is 09:00-10:00Z, an hour
	 * later in UTC than the same booking a day earlier. */
	T_CHECK(hours_allow(&h, LONDON, oct25 + 9 * 3600, oct25 + 10 * 3600));
	T_CHECK(hours_allow(&h, LONDON, oct25 - 86400 + 8 * 3600, oct25 - 86400 + 9 * 3600));
	T_CHECK(!hours_allow(&h, LONDON, oct25 - 86400 + 7 * 3600, oct25 - 86400 + 8 * 3600));
	/* Before 01:00Z on 25 Oct it is still BST: 00:00-00:30Z is 01:00-01:30 local, outside
	 * "sun 00:00-01:00" though inside it in UTC terms. */
	T_ASSERT(parse("sun 00:00-01:00", &h));
	T_CHECK(hours_allow(&h, "UTC", oct25, oct25 + 1800));
	T_CHECK(!hours_allow(&h, LONDON, oct25, oct25 + 1800));
	T_CHECK(hours_allow(&h, LONDON, oct25 - 3600, oct25 - 1800)); /* 00:00-00:30 BST */

	/* A booking through the night of the change, in a venue open all day. */
	T_ASSERT(parse("sun 00:00-24:00", &h));
	T_CHECK(hours_allow(&h, LONDON, mar29 + 1800, mar29 + 2 * 3600 + 1800));
	T_CHECK(hours_allow(&h, LONDON, oct25 - 3600, oct25 + 3 * 3600));
}

struct opens {
	int64_t start[8], end[8];
	int n;
};

static bool collect_open(int64_t start, int64_t end, void *arg)
{
	struct opens *o = arg;

	if (o->n < 8) {
		o->start[o->n] = start;
		o->end[o->n] = end;
	}
	o->n++;
	return true;
}

TEST(hours_each_open)
{
	const int64_t mar29 = 1774742400;
	struct week_hours h;
	struct opens o;

	/* Monday and Tuesday, clipped to the window. */
	T_ASSERT(parse("mon-fri 09:00-17:00", &h));
	memset(&o, 0, sizeof(o));
	hours_each_open(&h, LONDON, AT(0, 10, 0), AT(2, 0, 0), collect_open, &o);
	T_EQ_INT(o.n, 2);
	T_EQ_INT(o.start[0], AT(0, 10, 0));
	T_EQ_INT(o.end[0], AT(0, 17, 0));
	T_EQ_INT(o.start[1], AT(1, 9, 0));
	T_EQ_INT(o.end[1], AT(1, 17, 0));

	/* Touching intervals come out as one. */
	T_ASSERT(parse("mon 09:00-12:00,12:00-18:00,19:00-20:00", &h));
	memset(&o, 0, sizeof(o));
	hours_each_open(&h, LONDON, AT(0, 0, 0), AT(1, 0, 0), collect_open, &o);
	T_EQ_INT(o.n, 2);
	T_EQ_INT(o.start[0], AT(0, 9, 0));
	T_EQ_INT(o.end[0], AT(0, 18, 0));
	T_EQ_INT(o.start[1], AT(0, 19, 0));

	/* The clocks go forward: 09:00-22:00 local is 08:00-21:00Z on 29 Mar. */
	T_ASSERT(parse("mon-sun 09:00-22:00", &h));
	memset(&o, 0, sizeof(o));
	hours_each_open(&h, LONDON, mar29 - 86400, mar29 + 86400, collect_open, &o);
	T_EQ_INT(o.n, 2);
	T_EQ_INT(o.start[0], mar29 - 86400 + 9 * 3600);
	T_EQ_INT(o.end[0], mar29 - 86400 + 22 * 3600);
	T_EQ_INT(o.start[1], mar29 + 8 * 3600);
	T_EQ_INT(o.end[1], mar29 + 21 * 3600);

	/* A whole week, one opening a day. */
	memset(&o, 0, sizeof(o));
	hours_each_open(&h, LONDON, AT(0, 0, 0), AT(7, 0, 0), collect_open, &o);
	T_EQ_INT(o.n, 7);

	/* 01:30 does not exist on 29 Mar: the opening starts when the clocks jump to 02:00
	 * BST (01:00Z) and ends at 03:00 BST (02:00Z). */
	T_ASSERT(parse("sun 01:30-03:00", &h));
	memset(&o, 0, sizeof(o));
	hours_each_open(&h, LONDON, mar29, mar29 + 86400, collect_open, &o);
	T_EQ_INT(o.n, 1);
	T_EQ_INT(o.start[0], mar29 + 3600);
	T_EQ_INT(o.end[0], mar29 + 2 * 3600);
}

struct inside {
	int64_t start, end;
	bool found;
};

static bool find_inside(int64_t start, int64_t end, void *arg)
{
	struct inside *o = arg;

	if (start <= o->start && o->end <= end)
		o->found = true;
	return !o->found;
}

/* hours_each_open and hours_allow tell the same story, half hour by half hour, over the
 * days around each clock change, for opening hours in the daytime. */
TEST(hours_each_open_matches_allow)
{
	static const char *const texts[] = {
	    "mon-sun 09:00-22:00",
	    "mon-fri 09:00-12:00,13:00-17:30; sat 10:00-16:00",
	    "sat 18:00-24:00; sun 00:00-00:30,08:00-24:00; mon 00:00-02:00",
	    /* Opening inside the hour the clocks skip or repeat. */
	    "sun 01:30-03:00",
	    "sun 00:30-01:30,02:00-04:00",
	};
	static const int64_t changes[] = {1774746000, 1792890000, 1806195600, 1824944400};
	struct week_hours h;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		T_ASSERT(parse(texts[i], &h));
		for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
			int bad = 0;

			for (int64_t s = changes[c] - 2 * 86400;
			     s < changes[c] + 2 * 86400 && bad < 3; s += 1800) {
				struct inside o = {s, s + 3600, false};
				bool allow = hours_allow(&h, LONDON, s, s + 3600);

				hours_each_open(&h, LONDON, s - 86400, s + 86400, find_inside, &o);
				if (allow != o.found) {
					t_fail(__FILE__, __LINE__,
					       "\"%s\" at %lld: hours_allow %d, hours_each_open %d",
					       texts[i], (long long)s, allow, o.found);
					bad++;
				}
			}
		}
	}
}

/* Long ranges cost a bounded walk: a booking over years is judged without walking its
 * days (the old walk took seconds for 1970-2199), and hours_each_open stops after
 * HOURS_WALK_DAYS. */
struct open_count {
	size_t n;
	int64_t last;
};

static bool count_open(int64_t start, int64_t end, void *arg)
{
	struct open_count *c = arg;

	(void)start;
	c->n++;
	c->last = end;
	return true;
}

TEST(hours_long_ranges_bounded)
{
	struct week_hours h, all;
	struct open_count c = {0, 0};

	T_ASSERT(parse("mon-fri 09:00-22:00; sat 10:00-16:00", &h));
	hours_always(&all);
	T_CHECK(!hours_allow(&h, LONDON, TIME_MIN, TIME_MAX - 1));
	T_CHECK(!hours_allow(&h, LONDON, AT(0, 9, 0), AT(0, 9, 0) + 9 * 86400));
	/* Open all day every day, whatever the length. */
	T_CHECK(hours_allow(&all, LONDON, TIME_MIN, TIME_MAX - 1));
	T_ASSERT(parse("mon-sun 00:00-12:00,12:00-24:00", &h));
	T_CHECK(hours_allow(&h, LONDON, AT(0, 9, 0), AT(0, 9, 0) + 30 * 86400));
	/* Always open: one opening, cut at HOURS_WALK_DAYS. */
	hours_each_open(&all, LONDON, TIME_MIN, TIME_MAX, count_open, &c);
	T_EQ_INT(c.n, 1);
	T_EQ_INT(c.last, TIME_MIN + (int64_t)HOURS_WALK_DAYS * 86400);
}
