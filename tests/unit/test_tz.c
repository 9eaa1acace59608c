/* Time zones and RFC 3339, through libical's tzdata. Expected instants were worked out
 * with date(1) from the system's tzdata, not with the code under test. */
#include "t.h"

#include "fixture.h"

#include <libical/ical.h>
#include <pthread.h>

#define LONDON "Europe/London"

static struct localtm wall(int y, int mo, int d, int h, int mi)
{
	struct localtm lt = {0};

	lt.year = y, lt.month = mo, lt.day = d, lt.hour = h, lt.min = mi;
	return lt;
}

/* The instant of a London wall-clock time, or -1 on error. */
static int64_t from_local(const char *zone, int y, int mo, int d, int h, int mi, enum herr *ret)
{
	struct localtm lt = wall(y, mo, d, h, mi);
	struct herror err;
	int64_t t = -1;

	herror_clear(&err);
	*ret = tz_from_local(zone, &lt, &t, &err);
	return *ret == H_OK ? t : -1;
}

static void check_local(const char *file, int line, const char *zone, int64_t t, int y, int mo,
                        int d, int h, int mi, int off)
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	if (lt.year != y || lt.month != mo || lt.day != d || lt.hour != h || lt.min != mi ||
	    lt.utc_offset != off)
		t_fail(
		    file, line,
		    "%s at %lld: got %04d-%02d-%02d %02d:%02d %+d, want %04d-%02d-%02d %02d:%02d "
		    "%+d",
		    zone, (long long)t, lt.year, lt.month, lt.day, lt.hour, lt.min, lt.utc_offset,
		    y, mo, d, h, mi, off);
}
#define CHECK_LOCAL(zone, t, y, mo, d, h, mi, off)                                                 \
	check_local(__FILE__, __LINE__, zone, t, y, mo, d, h, mi, off)

TEST(tz_civil)
{
	T_EQ_INT(days_from_civil(1970, 1, 1), 0);
	T_EQ_INT(days_from_civil(1969, 12, 31), -1);
	T_EQ_INT(days_from_civil(2026, 3, 1) * 86400 + 12 * 3600, T_NOW);
	T_EQ_INT(civil_weekday(1970, 1, 1), 3);  /* Thursday */
	T_EQ_INT(civil_weekday(2026, 3, 1), 6);  /* Sunday */
	T_EQ_INT(civil_weekday(2026, 3, 29), 6); /* the clocks go forward on a Sunday */
	T_EQ_INT(civil_weekday(2026, 10, 25), 6);
	T_EQ_INT(civil_weekday(2027, 3, 28), 6);
	T_EQ_INT(civil_weekday(2027, 10, 31), 6);
	T_EQ_INT(civil_weekday(2028, 2, 29), 1); /* Tuesday */
	CHECK_LOCAL("UTC", -1, 1969, 12, 31, 23, 59, 0);
	CHECK_LOCAL("UTC", T_NOW, 2026, 3, 1, 12, 0, 0);
}

TEST(tz_london_spring_2026)
{
	/* BST starts at 2026-03-29T01:00:00Z. */
	const int64_t change = 1774746000;
	enum herr ret;

	CHECK_LOCAL(LONDON, change - 1, 2026, 3, 29, 0, 59, 0);
	CHECK_LOCAL(LONDON, change, 2026, 3, 29, 2, 0, 3600);
	T_EQ_INT(tz_local_minutes(LONDON, change - 60), 59);
	T_EQ_INT(tz_local_minutes(LONDON, change), 120);
	/* 01:30 does not exist that night. */
	T_EQ_INT(from_local(LONDON, 2026, 3, 29, 1, 30, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);
	T_EQ_INT(from_local(LONDON, 2026, 3, 29, 1, 0, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);
	/* Either side of the gap does. */
	T_EQ_INT(from_local(LONDON, 2026, 3, 29, 0, 59, &ret), change - 60);
	T_EQ_INT(from_local(LONDON, 2026, 3, 29, 2, 0, &ret), change);
	T_EQ_INT(from_local(LONDON, 2026, 3, 29, 9, 0, &ret), change + 7 * 3600);
}

TEST(tz_london_autumn_2026)
{
	/* BST ends at 2026-10-25T01:00:00Z: 01:00-02:00 local happens twice. */
	const int64_t change = 1792890000;
	enum herr ret;

	CHECK_LOCAL(LONDON, change - 1, 2026, 10, 25, 1, 59, 3600);
	CHECK_LOCAL(LONDON, change, 2026, 10, 25, 1, 0, 0);
	/* The ambiguous 01:30 is the first one, in BST: 00:30Z. */
	T_EQ_INT(from_local(LONDON, 2026, 10, 25, 1, 30, &ret), 1792888200);
	T_EQ_ERR(ret, H_OK, NULL);
	T_EQ_INT(from_local(LONDON, 2026, 10, 25, 1, 0, &ret), change - 3600);
	T_EQ_INT(from_local(LONDON, 2026, 10, 25, 0, 59, &ret), change - 3600 - 60);
	T_EQ_INT(from_local(LONDON, 2026, 10, 25, 2, 0, &ret), change + 3600);
	T_EQ_INT(from_local(LONDON, 2026, 10, 25, 9, 0, &ret), change + 8 * 3600);
}

TEST(tz_london_2027)
{
	const int64_t spring = 1806195600; /* 2027-03-28T01:00:00Z */
	const int64_t autumn = 1824944400; /* 2027-10-31T01:00:00Z */
	enum herr ret;

	CHECK_LOCAL(LONDON, spring - 1, 2027, 3, 28, 0, 59, 0);
	CHECK_LOCAL(LONDON, spring, 2027, 3, 28, 2, 0, 3600);
	CHECK_LOCAL(LONDON, autumn - 1, 2027, 10, 31, 1, 59, 3600);
	CHECK_LOCAL(LONDON, autumn, 2027, 10, 31, 1, 0, 0);
	T_EQ_INT(from_local(LONDON, 2027, 3, 28, 1, 30, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);
	T_EQ_INT(from_local(LONDON, 2027, 10, 31, 1, 30, &ret), autumn - 1800);
	/* 2026 rules do not leak into 2027: 29 Mar 2027 is an ordinary Monday in BST. */
	T_EQ_INT(from_local(LONDON, 2027, 3, 29, 1, 30, &ret), spring + 86400 - 1800);
}

TEST(tz_london_winter_summer)
{
	enum herr ret;

	/* 19:00 local is 19:00Z in January and 18:00Z in July. */
	T_EQ_INT(from_local(LONDON, 2026, 1, 15, 19, 0, &ret), 1768503600);
	T_EQ_INT(from_local(LONDON, 2026, 7, 15, 19, 0, &ret), 1784138400);
	CHECK_LOCAL(LONDON, 1768503600, 2026, 1, 15, 19, 0, 0);
	CHECK_LOCAL(LONDON, 1784138400, 2026, 7, 15, 19, 0, 3600);
	T_EQ_INT(from_local("UTC", 2026, 7, 15, 19, 0, &ret), 1784138400 + 3600);
}

TEST(tz_far_zones)
{
	const char *syd = "Australia/Sydney", *ny = "America/New_York";
	enum herr ret;
	char s[32];

	T_CHECK(tz_valid(syd));
	T_CHECK(tz_valid(ny));
	T_CHECK(tz_valid("UTC"));
	T_CHECK(!tz_valid("Mars/Olympus_Mons"));
	T_CHECK(!tz_valid(""));
	T_CHECK(!tz_valid(NULL));

	/* Sydney's summer is January: 19:00 AEDT (+11) is 08:00Z; in July AEST (+10). */
	T_EQ_INT(from_local(syd, 2026, 1, 15, 19, 0, &ret), 1768464000);
	T_EQ_INT(from_local(syd, 2026, 7, 15, 19, 0, &ret), 1784106000);
	CHECK_LOCAL(syd, 1768464000, 2026, 1, 15, 19, 0, 39600);
	CHECK_LOCAL(syd, 1784106000, 2026, 7, 15, 19, 0, 36000);
	time_format(1768464000, syd, s);
	T_EQ_STR(s, "2026-01-15T19:00:00+11:00");
	/* Sydney's clocks go back at 2026-04-04T16:00Z (03:00 -> 02:00 on 5 Apr): 02:30 is
	 * the first, in AEDT; on 4 Oct they go forward and 02:30 does not exist. */
	T_EQ_INT(from_local(syd, 2026, 4, 5, 2, 30, &ret), 1775318400 - 1800);
	T_EQ_INT(from_local(syd, 2026, 4, 5, 3, 0, &ret), 1775318400 + 3600);
	T_EQ_INT(from_local(syd, 2026, 10, 4, 2, 30, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);

	/* New York goes forward at 2026-03-08T07:00Z: 02:30 EST does not exist. */
	T_EQ_INT(from_local(ny, 2026, 3, 8, 2, 30, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);
	T_EQ_INT(from_local(ny, 2026, 3, 8, 3, 0, &ret), 1772953200);
	CHECK_LOCAL(ny, 1772953200 - 1, 2026, 3, 8, 1, 59, -18000);
	time_format(1772953200, ny, s);
	T_EQ_STR(s, "2026-03-08T03:00:00-04:00");
	time_format(1772953200 - 3600, ny, s);
	T_EQ_STR(s, "2026-03-08T01:00:00-05:00");

	/* Round trips at every hour of a year, in each zone: local -> instant -> local. */
	static const char *const zones[] = {LONDON, "Australia/Sydney", "America/New_York", "UTC"};
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		int bad = 0;

		for (int64_t t = 1767225600; t < 1767225600 + 366 * 86400 && bad < 3; t += 3600) {
			struct localtm lt;
			int64_t back = 0;

			tz_to_local(zones[z], t, &lt);
			if (tz_from_local(zones[z], &lt, &back, NULL) != H_OK || back != t) {
				/* The second of two ambiguous hours maps to the first. */
				struct localtm lb;

				tz_to_local(zones[z], back, &lb);
				if (back == t - 3600 && lb.hour == lt.hour && lb.day == lt.day)
					continue;
				t_fail(__FILE__, __LINE__, "%s: %lld round-trips to %lld", zones[z],
				       (long long)t, (long long)back);
				bad++;
			}
		}
	}
	T_EQ_INT(from_local("Nowhere/Else", 2026, 1, 1, 0, 0, &ret), -1);
	T_EQ_ERR(ret, H_EINVAL, NULL);
}

static void check_parse(const char *file, int line, const char *s, const char *zone, enum herr want,
                        int64_t want_t)
{
	struct herror err;
	int64_t t = -12345;
	enum herr ret;

	herror_clear(&err);
	ret = time_parse(s, zone, &t, &err);
	if (ret != want)
		t_fail(file, line, "time_parse(\"%s\"): got %s, want %s (%s)", s, herr_name(ret),
		       herr_name(want), err.msg);
	else if (ret == H_OK && t != want_t)
		t_fail(file, line, "time_parse(\"%s\"): got %lld, want %lld", s, (long long)t,
		       (long long)want_t);
	else if (ret != H_OK && err.msg[0] == '\0')
		t_fail(file, line, "time_parse(\"%s\") refused without a message", s);
}
#define PARSE_OK(s, zone, t) check_parse(__FILE__, __LINE__, s, zone, H_OK, t)
#define PARSE_BAD(s)         check_parse(__FILE__, __LINE__, s, LONDON, H_EINVAL, 0)

TEST(time_parse_forms)
{
	PARSE_OK("2026-12-01T19:00:00Z", LONDON, 1796151600);
	PARSE_OK("2026-12-01T19:00:00z", LONDON, 1796151600);
	PARSE_OK("2026-12-01T19:00:00.250Z", LONDON, 1796151600);
	PARSE_OK("2026-12-01T19:00Z", LONDON, 1796151600);
	PARSE_OK("2026-12-01T20:00:00+01:00", LONDON, 1796151600);
	PARSE_OK("2026-12-01T14:00:00-05:00", LONDON, 1796151600);
	PARSE_OK("2026-12-02T05:30:00+10:30", LONDON, 1796151600);
	PARSE_OK("2026-12-01T19:00:00+00:00", "Australia/Sydney", 1796151600);
	/* Without an offset: local time in the zone given. */
	PARSE_OK("2026-12-01T19:00", LONDON, 1796151600);
	PARSE_OK("2026-12-01 19:00", LONDON, 1796151600);
	PARSE_OK("2026-12-01T19:00:00", LONDON, 1796151600);
	PARSE_OK("2026-07-15T19:00", LONDON, 1784138400);
	PARSE_OK("2026-07-15T19:00", "UTC", 1784138400 + 3600);
	PARSE_OK("2026-01-15T19:00", "Australia/Sydney", 1768464000);
	PARSE_OK("2026-03-01T12:00", NULL, T_NOW);
	PARSE_OK("2026-10-25T01:30", LONDON, 1792888200);
	PARSE_OK("2028-02-29T10:00Z", LONDON, 1835431200);
	PARSE_OK("1970-01-01T00:00:00Z", LONDON, 0);
	/* A date alone is local midnight: in winter and in summer time, and where it is. */
	PARSE_OK("2026-12-01", LONDON, 1796083200);
	PARSE_OK("2026-07-15", LONDON, 1784070000);
	PARSE_OK("2026-07-15", "UTC", 1784073600);
	PARSE_OK("2026-03-29", LONDON, 1774742400);
}

TEST(time_parse_malformed)
{
	PARSE_BAD("2026-13-01T00:00");
	PARSE_BAD("2026-00-01T00:00");
	PARSE_BAD("2026-02-30T10:00");
	PARSE_BAD("2026-02-29T10:00");
	PARSE_BAD("2026-04-31T10:00");
	PARSE_BAD("2026-12-00T10:00");
	PARSE_BAD("2026-12-01T24:00");
	PARSE_BAD("2026-12-01T23:60");
	PARSE_BAD("2026-12-01T23:59:60Z");
	PARSE_BAD("yesterday");
	PARSE_BAD("");
	PARSE_BAD("2026-12-1");
	PARSE_BAD("2026-12-01Z");
	PARSE_BAD("2026-12-01T");
	PARSE_BAD("2026-12-01T19");
	PARSE_BAD("2026-12-01T19:0");
	PARSE_BAD("2026-12-1T19:00");
	PARSE_BAD("26-12-01T19:00");
	PARSE_BAD("2026-12-01T19:00:00+25:00");
	PARSE_BAD("2026-12-01T19:00:00+01:60");
	PARSE_BAD("2026-12-01T19:00:00+0100");
	PARSE_BAD("2026-12-01T19:00:00+01");
	PARSE_BAD("2026-12-01T19:00:00Zjunk");
	PARSE_BAD("2026-12-01T19:00:00 ");
	PARSE_BAD(" 2026-12-01T19:00:00Z");
	PARSE_BAD("2026-12-01T19:00:00UTC");
	/* A local time the clocks skip. */
	PARSE_BAD("2026-03-29T01:30");
	PARSE_BAD("2027-03-28T01:00");

	struct herror err;
	int64_t t;

	herror_clear(&err);
	T_EQ_ERR(time_parse(NULL, LONDON, &t, &err), H_EINVAL, &err);
	/* An unknown zone for a local time. */
	T_EQ_ERR(time_parse("2026-12-01T19:00", "Nowhere/Else", &t, &err), H_EINVAL, &err);
}

TEST(time_format_offsets)
{
	char s[32];

	time_format(1784138400, LONDON, s); /* 2026-07-15T18:00Z */
	T_EQ_STR(s, "2026-07-15T19:00:00+01:00");
	time_format(1796151600, LONDON, s); /* 2026-12-01T19:00Z */
	T_EQ_STR(s, "2026-12-01T19:00:00+00:00");
	time_format(1792888200, LONDON, s); /* the first 01:30 of 25 Oct 2026 */
	T_EQ_STR(s, "2026-10-25T01:30:00+01:00");
	time_format(1792888200 + 3600, LONDON, s); /* the second */
	T_EQ_STR(s, "2026-10-25T01:30:00+00:00");
	time_format(1796151600, "UTC", s);
	T_EQ_STR(s, "2026-12-01T19:00:00+00:00");
	time_format_utc(1796151600, s);
	T_EQ_STR(s, "2026-12-01T19:00:00Z");
	time_format_utc(0, s);
	T_EQ_STR(s, "1970-01-01T00:00:00Z");
	time_format_utc(T_NOW + 59, s);
	T_EQ_STR(s, "2026-03-01T12:00:59Z");

	/* Formatting and parsing are inverse, in every zone. */
	static const char *const zones[] = {LONDON, "Australia/Sydney", "America/New_York"};
	for (size_t z = 0; z < 3; z++)
		for (int64_t t = 1767225600; t < 1767225600 + 366 * 86400; t += 7 * 3600 + 17) {
			int64_t back = 0;

			time_format(t, zones[z], s);
			if (time_parse(s, LONDON, &back, NULL) != H_OK || back != t) {
				t_fail(__FILE__, __LINE__, "%s: %s parses to %lld, not %lld",
				       zones[z], s, (long long)back, (long long)t);
				break;
			}
		}
}

/* Instants are bounded where text becomes one: 1970 up to 2200. Before the bound, year
 * 9999 was accepted and each conversion cost libical up to half a second. */
TEST(time_parse_bounds)
{
	struct herror err;
	int64_t t = 0;

	herror_clear(&err);
	T_EQ_ERR(time_parse("2199-12-31T23:59:59Z", LONDON, &t, &err), H_OK, &err);
	T_EQ_INT(t, TIME_MAX - 1);
	T_EQ_ERR(time_parse("1970-01-01T00:00:00Z", LONDON, &t, &err), H_OK, &err);
	T_EQ_INT(t, TIME_MIN);
	T_EQ_INT(time_parse("2200-01-01T00:00:00Z", LONDON, &t, &err), H_EINVAL);
	T_HAS_STR(err.msg, "after 2199");
	T_EQ_INT(time_parse("9999-12-31T23:00", LONDON, &t, &err), H_EINVAL);
	T_HAS_STR(err.msg, "outside the times halls accepts");
	T_EQ_INT(time_parse("9999-12-31T23:00:00+01:00", LONDON, &t, &err), H_EINVAL);
	T_EQ_INT(time_parse("2200-01-01T00:30", LONDON, &t, &err), H_EINVAL);
	/* Local midnight on 1 Jan 1970 in London was 23:00 UTC the day before (BST all
	 * year then): refused, as is any earlier year. */
	T_EQ_INT(time_parse("1970-01-01T00:00", LONDON, &t, &err), H_EINVAL);
	T_HAS_STR(err.msg, "before 1970");
	T_EQ_INT(time_parse("1969-12-31T23:59:59Z", LONDON, &t, &err), H_EINVAL);
	T_EQ_INT(time_parse("0001-01-01T00:00:00Z", LONDON, &t, &err), H_EINVAL);
	T_EQ_ERR(time_check(TIME_MAX - 1, &err), H_OK, &err);
	T_EQ_INT(time_check(TIME_MAX, &err), H_EINVAL);
	T_EQ_INT(time_check(-1, &err), H_EINVAL);
	T_EQ_INT(time_check(INT64_MAX, NULL), H_EINVAL);
}

/* Stored or computed instants out of range are converted at the offset of the nearer
 * end, cheaply: the wall clock still follows the instant. */
TEST(tz_out_of_range_clamps)
{
	struct localtm lt;
	char out[32];

	/* 3000-06-01T12:00:00Z: GMT's offset at the end of 2199 (winter), not BST. */
	tz_to_local(LONDON, INT64_C(32516769600), &lt);
	T_EQ_INT(lt.year, 3000);
	T_EQ_INT(lt.utc_offset, 0);
	T_EQ_INT(lt.hour, 12);
	/* 9999-12-31T23:00:00Z */
	time_format(INT64_C(253402297200), LONDON, out);
	T_EQ_STR(out, "9999-12-31T23:00:00+00:00");
	/* Before 1970: London's offset on 1 Jan 1970 (British Standard Time, +01:00). */
	tz_to_local(LONDON, -86400, &lt);
	T_EQ_INT(lt.utc_offset, 3600);
	T_EQ_INT(lt.year, 1969);
}

/* A zone is looked up by name once (tz.c keeps what libical found): the same name gives
 * the same zone every time, the zone libical's own search gives, and a name that is no
 * zone is still refused, however often it is asked. */
TEST(tz_zone_lookup)
{
	icalarray *all = icaltimezone_get_builtin_timezones();
	struct localtm lt = wall(2026, 6, 1, 12, 0);
	struct herror err;
	int64_t t;

	T_ASSERT(tz_zone_find(LONDON) != NULL);
	T_CHECK(tz_zone_find(LONDON) == tz_zone_find(LONDON));
	T_CHECK(tz_zone_find(LONDON) ==
	        (const struct tz_zone *)icaltimezone_get_builtin_timezone(LONDON));
	T_CHECK(tz_zone_find("Pacific/Auckland") != tz_zone_find(LONDON));
	T_CHECK(tz_zone_find("UTC") == (const struct tz_zone *)icaltimezone_get_utc_timezone());
	T_CHECK(tz_zone_find("Europe/Nowhere") == NULL);
	T_CHECK(tz_zone_find("") == NULL);
	T_CHECK(tz_zone_find("europe/london") == NULL);
	T_CHECK(tz_zone_find("Europe/London ") == NULL);
	T_CHECK(!tz_valid("Europe/Nowhere"));
	T_CHECK(!tz_valid(""));
	T_CHECK(tz_valid(LONDON));
	herror_clear(&err);
	T_EQ_INT(tz_from_local("Europe/Nowhere", &lt, &t, &err), H_EINVAL);
	T_HAS_STR(err.msg, "unknown time zone");
	T_CHECK(tz_zone_find("Europe/Nowhere") == NULL);
	/* Every zone libical lists is found by its name, also past the number of zones tz.c
	 * keeps. The name is copied first: loading a zone (which tz_zone_find does) replaces
	 * libical's string. */
	for (size_t i = 0; i < all->num_elements; i++) {
		icaltimezone *z = icalarray_element_at(all, i);
		const char *location = icaltimezone_get_location(z);
		char name[128];

		if (location == NULL || location[0] == '\0' || strlen(location) >= sizeof(name))
			continue;
		strcpy(name, location);
		if (tz_zone_find(name) != (const struct tz_zone *)z)
			t_fail(__FILE__, __LINE__, "%s: not libical's zone", name);
	}
	T_CHECK(tz_zone_find(LONDON) ==
	        (const struct tz_zone *)icaltimezone_get_builtin_timezone(LONDON));
	T_CHECK(tz_zone_find("Asia/Tokyo") == tz_zone_find("Asia/Tokyo"));
}

static void *lookup_in_thread(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)tz_zone_find(LONDON);
}

/* hallsd's delivery thread formats times too: a lookup there gives the loop's zone. */
TEST(tz_zone_lookup_threads)
{
	pthread_t th;
	void *got = NULL;

	T_ASSERT(pthread_create(&th, NULL, lookup_in_thread, NULL) == 0);
	const struct tz_zone *here = tz_zone_find(LONDON);
	T_ASSERT(pthread_join(th, &got) == 0);
	T_CHECK((const struct tz_zone *)got == here);
}
