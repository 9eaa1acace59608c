/* The demo's provisional hold (docs/fair-access.md#holds-that-expire): the Community
 * Kitchen (room 3) holds each request for 48 hours and then releases it, and the Tuesday
 * Knitters (group 1) have just asked for it, so `make run` shows a held request on the
 * manager's /requests and on Pat Okafor's /my-bookings. */
#include "demo.h"

#include "cli.h"

#include <stdlib.h>

#define DEMO_HOLD_ROOM  3 /* Community Kitchen, Hartley Road */
#define DEMO_HOLD_GROUP 1 /* Tuesday Knitters */

static enum herr demo_hold_room(struct txn *t, int64_t now)
{
	json_t *fields = json_pack("{siss}", "hold_hours", 48, "hold_lapse", "release");
	struct room r;
	enum herr ret;

	room_init(&r);
	if ((ret = room_get(t, DEMO_HOLD_ROOM, &r)) == H_OK &&
	    (ret = room_apply(&r, fields, t->err)) == H_OK)
		ret = room_update(t, &ACTOR_CONSOLE, &r, now);
	room_free(&r);
	json_decref(fields);
	return ret;
}

/* 11:00 on the day ten days after now's, in zone. */
static int64_t demo_hold_start(const char *zone, int64_t now)
{
	int64_t start = 0;

	demo_instant(zone, now, 10, 11, 0, &start);
	return start;
}

struct demo_hold_ask {
	struct booking *b;
	int64_t now;
};

static enum herr demo_hold_ask(struct txn *t, void *arg)
{
	struct demo_hold_ask *x = arg;

	return booking_request(t, &ACTOR_CONSOLE, x->b, false, x->now);
}

enum herr demo_holds_make(struct txn *t, int64_t now)
{
	struct booking b;
	struct demo_hold_ask x = {&b, now};
	enum herr ret;

	if ((ret = demo_hold_room(t, now)) != H_OK)
		return ret;
	booking_init(&b);
	b.room_id = DEMO_HOLD_ROOM;
	b.group_id = DEMO_HOLD_GROUP;
	b.title = xstrdup("Christmas baking");
	b.attendees = 10;
	b.public = true;
	b.start = demo_hold_start(TZ_DEFAULT, now);
	b.end = b.start + 2 * 3600;
	/* With the real clock the day may be closed or taken: then there is no held request,
	 * and the rest of the demo stands. */
	ret = txn_try(t, demo_hold_ask, &x);
	booking_free(&b);
	return herr_is_refusal(ret) ? t->ret : ret;
}
