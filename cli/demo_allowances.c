/* The demo's allowance: Hartley Road Residents' Association (group 3) may book 12 hours a
 * month in the Main Hall and Committee Room of Hartley Road Community Centre (venue 1),
 * requests over it going to the manager. With its meeting and quiz night, a Christmas fair
 * brings the month's use to 10 hours, and a planning committee of 3 hours, which would
 * make 13, waits for approval in a room that would otherwise approve it at once. */
#include "demo.h"

#include "halls.h"

#include <string.h>

#define DEMO_GROUP 3 /* Hartley Road Residents' Association */
#define DEMO_VENUE 1 /* Hartley Road Community Centre */
#define DEMO_HALL  1 /* Main Hall */
#define DEMO_ROOM  2 /* Committee Room: approves requests at once */
#define DEMO_HELEN 9 /* Helen Marsh, a member of the Association */

/* The instant of hour:00 on weekday wday (0 Monday) of the week after next, counted as
 * demo.c counts (its demo_day, week 1), here rather than called: demo.c calls the parts,
 * and a part calling it back would make a loop (tests/lint/test_layers.py). */
static bool demo_allowance_at(int64_t now, int wday, int hour, int64_t *out)
{
	struct localtm lt;
	struct herror err;
	int64_t day;

	tz_to_local(TZ_DEFAULT, now, &lt);
	day = days_from_civil(lt.year, lt.month, lt.day);
	day += 2 + ((wday - (lt.wday + 2)) % 7 + 7) % 7 + 7;
	memset(&lt, 0, sizeof(lt));
	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	lt.hour = hour;
	herror_clear(&err);
	return tz_from_local(TZ_DEFAULT, &lt, out, &err) == H_OK;
}

static enum herr demo_allowance_book(struct txn *t, int64_t now, uint64_t room, int wday, int hour,
                                     int minutes, const char *title, bool approve)
{
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = room;
	b.group_id = DEMO_GROUP;
	b.attendees = 12;
	b.public = true;
	b.title = xstrdup(title);
	if (!demo_allowance_at(now, wday, hour, &b.start)) {
		booking_free(&b);
		return t->ret;
	}
	b.end = b.start + (int64_t)minutes * 60;
	/* The request over the allowance is the Association's own: one a manager made would
	 * stand approved, a manager's decision. */
	ret = booking_request(t, approve ? &ACTOR_CONSOLE : &(struct actor){DEMO_HELEN}, &b,
	                      approve, now);
	booking_free(&b);
	return ret;
}

enum herr demo_allowances_make(struct txn *t, int64_t now)
{
	json_t *fields = json_pack(
	    "{s:i, s:i, s:[i, i], s:s, s:i, s:s, s:s}", "group_id", DEMO_GROUP, "venue_id",
	    DEMO_VENUE, "room_ids", DEMO_HALL, DEMO_ROOM, "period", "month", "hours", 12, "over",
	    "approval", "note", "Shared fairly between the groups that use the hall most");
	enum herr ret = allowance_create(t, &ACTOR_CONSOLE, fields, now, NULL);

	json_decref(fields);
	if (ret != H_OK)
		return ret;
	/* Saturday and Monday of next week: a 5-hour fair, then 3 hours over. */
	if ((ret = demo_allowance_book(t, now, DEMO_HALL, 5, 10, 300, "Christmas fair", true)) !=
	    H_OK)
		return ret;
	return demo_allowance_book(t, now, DEMO_ROOM, 0, 18, 180, "Planning committee", false);
}
