/* The demo's finished allocation round: St Aidan's Primary School Hall (venue 3) offers
 * weekly evening slots in its School Hall (room 6) and Music Room (room 7) for a spring
 * term that starts about three months from now (and so crosses the spring clock change).
 * The round was opened four weeks ago, six groups applied, the deadline passed two days
 * ago, and it is allocated now; the series it makes are approved at once, as the round says
 *
 * A real round draws its seed with RAND_bytes. The demo must be the same on every run
 * (HALLS_NOW makes the docs' examples repeatable), so its seed alone is derived: the
 * SHA-256 of a fixed text, said so in the round's seed_source. */
#include "demo.h"

#include "round.h"
#include "tz.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#define DEMO_VENUE     3
#define DEMO_SEED_TEXT "halls demo round: St Aidan's spring term"

/* The Monday about thirteen weeks from today, and the Friday twelve weeks on. */
static void demo_season(int64_t now, char first[16], char last[16], int *year)
{
	struct localtm lt;
	int64_t d;
	int y, m, dd;

	tz_to_local(TZ_DEFAULT, now, &lt);
	d = days_from_civil(lt.year, lt.month, lt.day) + 91;
	civil_from_days(d, &y, &m, &dd);
	d += (7 - civil_weekday(y, m, dd)) % 7;
	civil_from_days(d, &y, &m, &dd);
	snprintf(first, 16, "%04d-%02d-%02d", y, m, dd);
	*year = y;
	civil_from_days(d + 7 * 11 + 4, &y, &m, &dd);
	snprintf(last, 16, "%04d-%02d-%02d", y, m, dd);
}

/* The instant of local day (today + days) at hh:00 in London (demo.c's demo_instant,
 * not called so that the demo's files do not call each other both ways). */
static bool demo_round_instant(int64_t now, int days, int hour, int64_t *out)
{
	struct localtm lt;
	struct herror err;
	int64_t d;

	tz_to_local(TZ_DEFAULT, now, &lt);
	d = days_from_civil(lt.year, lt.month, lt.day) + days;
	civil_from_days(d, &lt.year, &lt.month, &lt.day);
	lt.hour = hour;
	lt.min = lt.sec = 0;
	herror_clear(&err);
	return tz_from_local(TZ_DEFAULT, &lt, out, &err) == H_OK;
}

static json_t *demo_slot(int room, int weekday, const char *start, const char *end)
{
	return json_pack("{si si ss ss}", "room_id", room, "weekday", weekday, "start", start,
	                 "end", end);
}

static enum herr demo_round_open(struct txn *t, int64_t opened, int64_t deadline, int64_t now,
                                 uint64_t *id)
{
	uint8_t seed[ROUND_SEED_LEN];
	char first[16], last[16], name[80];
	json_t *fields, *out = NULL;
	int year;
	enum herr ret;

	demo_season(now, first, last, &year);
	snprintf(name, sizeof(name), "Spring %d weekly evening slots", year);
	SHA256((const unsigned char *)DEMO_SEED_TEXT, strlen(DEMO_SEED_TEXT), seed);
	fields = json_pack("{si ss s[oooo] ss ss sI s[{s[s] ss} {sb ss}] ss}", "venue_id",
	                   DEMO_VENUE, "name", name, "slots", demo_slot(6, 2, "18:00", "20:00"),
	                   demo_slot(6, 3, "18:00", "20:00"), demo_slot(7, 2, "18:00", "19:30"),
	                   demo_slot(7, 4, "17:30", "19:00"), "first_date", first, "last_date",
	                   last, "deadline", (json_int_t)deadline, "classes", "group_kinds",
	                   "charity", "says", "charities", "trusted", 1, "says",
	                   "groups trusted at St Aidan's", "outcome", "approved");
	ret = round_open(t, &ACTOR_CONSOLE, fields, seed,
	                 "demo only: SHA-256 of the text \"" DEMO_SEED_TEXT
	                 "\", so that the demo is the same on every run; a real round draws 32 "
	                 "random bytes",
	                 opened, &out);
	if (ret == H_OK)
		*id = (uint64_t)json_integer_value(json_object_get(out, "id"));
	json_decref(fields);
	json_decref(out);
	return ret;
}

/* Group, then its preferences (slot ids, most wanted first; 0 ends them). */
static const int demo_applications[][4] = {
    {6, 1, 2, 0},  /* Brook Park Yoga: the hall on Tuesday, else Wednesday */
    {2, 1, 2, 0},  /* Riverside Youth FC (charity) */
    {4, 1, 3, 0},  /* St Aidan's PTA (trusted at St Aidan's) */
    {10, 2, 4, 0}, /* Lea Valley Community Choir */
    {1, 3, 4, 0},  /* Tuesday Knitters */
    {5, 4, 0, 0},  /* Age Well Lunch Club (charity) */
};

enum herr demo_rounds_make(struct txn *t, int64_t now)
{
	int64_t opened, deadline;
	json_t *out = NULL;
	uint64_t id = 0;
	enum herr ret;

	if (!demo_round_instant(now, -28, 10, &opened) ||
	    !demo_round_instant(now, -2, 12, &deadline))
		return herror_set(t->err, H_EINVAL, "demo: cannot place the round's dates");
	if ((ret = demo_round_open(t, opened, deadline, now, &id)) != H_OK)
		return ret;
	for (size_t i = 0; i < sizeof(demo_applications) / sizeof(demo_applications[0]); i++) {
		json_t *prefs = json_array(), *fields;

		for (int k = 1; k < 4 && demo_applications[i][k] != 0; k++)
			json_array_append_new(prefs, json_integer(demo_applications[i][k]));
		fields =
		    json_pack("{si so}", "group_id", demo_applications[i][0], "preferences", prefs);
		ret = round_apply(t, &ACTOR_CONSOLE, id, fields, opened + 3600 * (int64_t)(i + 1),
		                  &out);
		json_decref(fields);
		json_decref(out);
		out = NULL;
		if (ret != H_OK)
			return ret;
	}
	ret = round_allocate(t, &ACTOR_CONSOLE, id, now, &out);
	json_decref(out);
	return ret;
}
