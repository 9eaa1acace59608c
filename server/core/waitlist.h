/* Waitlists: joining, leaving, taking up and declining offers, and offers that run out
 * (docs/fair-access.md#waitlists-with-timed-offers).
 *
 * A group joins the waitlist of a slot that is taken (an approved booking in the way,
 * buffers counted, another group's hold, or an open offer). When the slot frees, the
 * first group waiting gets an exclusive offer (offer.h, below booking.c); accepting it
 * makes the group's request through booking_request, every rule checked. This file is
 * above booking.c. Every act is audit-logged ("waitlist" entries, detail.room_id). */
#ifndef HALLS_WAITLIST_H
#define HALLS_WAITLIST_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"
#include "view.h"
#include "waitlist_record.h"

#include <jansson.h>

/* Joins: body {"room_id", "group_id", "start", "end", ["title"]}, times as booking
 * requests take them (UTC seconds, or text in the venue's zone). Refuses a slot that is
 * free (request it instead), one the group is already waiting for or has asked for, and
 * one that has begun. */
enum herr waitlist_join(struct txn *t, const struct actor *a, const json_t *body, int64_t now,
                        struct waitlist_entry *out);
/* Leaves the line (waiting or offered; an offer left passes to the next group). */
enum herr waitlist_leave(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                         struct waitlist_entry *out);
/* Declines an open offer: the next group gets one. */
enum herr waitlist_decline(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                           struct waitlist_entry *out);
/* Accepts an open offer: the group's request for the slot is made by booking_request
 * (fields: "title", "description", "attendees", "public"; the title defaults to the
 * entry's, else the group's name), and the offer closes with it. A request a rule refuses
 * leaves the offer open, with that rule's words. *booking: the request made. */
enum herr waitlist_accept(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                          int64_t now, struct booking *booking);
/* Lapses every offer due by now (the next group gets one); lowers *next_due. */
enum herr offer_sweep(struct txn *t, int64_t now, int64_t *next_due);

/* Reading. */
struct waitlist_filter {
	uint64_t room_id, group_id, venue_id;
	int state; /* -1: any */
};
void waitlist_filter_init(struct waitlist_filter *f);
/* The entries v may see (members: their groups'; managers: their venues'; admins and the
 * console: all) that match f, in id order, as JSON in each venue's zone. Refuses a filter
 * naming a record that does not exist, and the anonymous (H_EAUTH). */
enum herr waitlist_list(struct txn *t, const struct viewer *v, const struct waitlist_filter *f,
                        json_t **out);
/* Entry id as v sees it; not found when v may not. */
enum herr waitlist_show(struct txn *t, const struct viewer *v, uint64_t id, json_t **out);
/* e as shown: times in place's zone, the names of room, venue and group. */
json_t *waitlist_entry_json(struct txn *t, struct places *ps, const struct waitlist_entry *e);

#endif
