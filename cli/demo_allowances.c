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

/* The instant of hour:00 on weekday wday (0 Monday) of the week after next. */
static bool demo_allowance_at(int64_t now, int wday, int hour, int64_t *out)
{
	return demo_instant(TZ_DEFAULT, now, demo_day(TZ_DEFAULT, now, wday, 1), hour, 0, out);
}

struct demo_allowance_booking {
	int64_t now;
	uint64_t room;
	int wday, hour, minutes;
	const char *title;
	bool approve;
};

static enum herr demo_allowance_ask(struct txn *t, void *arg)
{
	const struct demo_allowance_booking *d = arg;
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = d->room;
	b.group_id = DEMO_GROUP;
	b.attendees = 12;
	b.public = true;
	b.title = xstrdup(d->title);
	if (!demo_allowance_at(d->now, d->wday, d->hour, &b.start)) {
		booking_free(&b);
		return t->ret;
	}
	b.end = b.start + (int64_t)d->minutes * 60;
	/* The request over the allowance is the Association's own: one a manager made would
	 * stand approved, a manager's decision. */
	ret = booking_request(t, d->approve ? &ACTOR_CONSOLE : &(struct actor){DEMO_HELEN}, &b,
	                      d->approve, d->now);
	booking_free(&b);
	return ret;
}

/* A request the rules refuse on the day the demo is made (a closure, a clash) is left
 * out, as demo.c leaves out its own: the demo is made whatever the date. */
static enum herr demo_allowance_book(struct txn *t, int64_t now, uint64_t room, int wday, int hour,
                                     int minutes, const char *title, bool approve)
{
	struct demo_allowance_booking d = {now, room, wday, hour, minutes, title, approve};
	txn_try(t, demo_allowance_ask, &d);
	return t->ret;
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
