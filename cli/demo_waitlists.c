/* The demo's waitlist with an open offer: Brook Park Yoga's booking of the Committee
 * Room on a Friday afternoon, the Tuesday Knitters and then the Northside Coding Club
 * on its waitlist, and the booking cancelled, so that the Knitters hold the offer (Pat
 * Okafor, a member, can accept it on /waitlist). */
#include "cli.h"
#include "demo.h"

#include "waitlist.h"

#include <string.h>

#define DEMO_WL_ROOM   2 /* Committee Room, Hartley Road: approves every request */
#define DEMO_WL_OWNER  6 /* Brook Park Yoga */
#define DEMO_WL_FIRST  1 /* Tuesday Knitters */
#define DEMO_WL_SECOND 8 /* Northside Coding Club */
#define DEMO_WL_FRIDAY 4 /* civil_weekday: 0 is Monday */

/* 2pm local on Friday of next week (Friday 11 December 2026 in the docs' and the page
 * tests' demo). */
static bool demo_waitlist_slot(const char *zone, int64_t now, int64_t *start)
{
	struct localtm lt;

	tz_to_local(zone, now, &lt);
	return demo_instant(zone, now,
	                    (DEMO_WL_FRIDAY - civil_weekday(lt.year, lt.month, lt.day) + 7) % 7 + 7,
	                    14, 0, start);
}

static enum herr demo_waitlist_join(struct txn *t, uint64_t group, int64_t start, int64_t end,
                                    const char *title, int64_t now)
{
	json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:s}", "room_id", (json_int_t)DEMO_WL_ROOM,
	                         "group_id", (json_int_t)group, "start", (json_int_t)start, "end",
	                         (json_int_t)end, "title", title);
	struct waitlist_entry e;
	enum herr ret;

	waitlist_entry_init(&e);
	ret = waitlist_join(t, &cli_console, body, now, &e);
	waitlist_entry_free(&e);
	json_decref(body);
	return ret;
}

/* The slot, booked, waited for by two groups, and given up: the first group waiting
 * then holds an offer. */
static enum herr demo_waitlist_try(struct txn *t, void *arg)
{
	const int64_t now = *(const int64_t *)arg;
	const char *zone = TZ_DEFAULT;
	struct booking b, out;
	enum herr ret;

	booking_init(&b);
	booking_init(&out);
	b.room_id = DEMO_WL_ROOM;
	b.group_id = DEMO_WL_OWNER;
	b.title = xstrdup("Yoga workshop");
	b.attendees = 12;
	if (!demo_waitlist_slot(zone, now, &b.start)) {
		booking_free(&b);
		return txn_refuse(t, H_EINVAL, "demo: cannot place the waitlist's slot");
	}
	b.end = b.start + 2 * 3600;
	if ((ret = booking_request(t, &cli_console, &b, true, now)) == H_OK &&
	    (ret = demo_waitlist_join(t, DEMO_WL_FIRST, b.start, b.end, "Knitting circle", now)) ==
	        H_OK &&
	    (ret = demo_waitlist_join(t, DEMO_WL_SECOND, b.start, b.end, "Coding club", now)) ==
	        H_OK)
		ret = booking_cancel(t, &cli_console, b.id, "The workshop moved online", now, &out);
	booking_free(&out);
	booking_free(&b);
	return ret;
}

/* A slot the rules refuse on the day the demo is made (a closure, a holiday) leaves the
 * demo without a waitlist rather than without a demo. */
enum herr demo_waitlists_make(struct txn *t, int64_t now)
{
	txn_try(t, demo_waitlist_try, &now);
	return t->ret;
}
