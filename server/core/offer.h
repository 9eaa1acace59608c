/* Waitlist offers, as bookings meet them (docs/fair-access.md#waitlists-with-timed-offers).
 *
 * While a group holds an open offer for a slot of its waitlist, no other group's request,
 * move or approval may take any of it; the offered group's own request may. When a slot
 * frees, the first group waiting whose slot is now wholly free gets the next offer, for
 * the room's offer_hours. offer.c sits below booking.c: it reads bookings
 * (booking_blocks) and never calls booking.c; taking up, declining and lapsing offers are
 * waitlist.c's, above it. */
#ifndef HALLS_OFFER_H
#define HALLS_OFFER_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"
#include "waitlist_record.h"

/* Refuses b when its slot, buffers counted, overlaps an open offer to another group
 * (H_RULE_OFFERED: "Main Hall is offered to a group on its waitlist until Thursday 3
 * December 2026, 2pm"). Reads only. */
enum herr offer_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now);
/* A slot given up (declined, cancelled, moved away, a hold released) goes to its waitlist
 * (offer_next); a request of a group for the slot it was offered takes the offer up. */
void offer_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                        const struct booking *b, const struct place *p, int64_t now);
/* Offers what is free of [start, end) in room p to its waitlist: as long as a waiting
 * entry overlapping it finds its own slot wholly free (no approved booking, buffers
 * counted, no other group's hold, no other offer) and not yet begun, the first of them
 * in the room's order (waitlist_priority's kinds first, in that order, then everyone;
 * each first come, first served) is offered it until now + offer_hours. Each offer is
 * audit-logged and its group told; next: the words say it came because the group before
 * declined or let its offer lapse. */
enum herr offer_next(struct txn *t, const struct actor *a, const struct place *p, int64_t start,
                     int64_t end, bool next, int64_t now);
/* Whether entry e's slot is wholly free for its group now, as offer_next judges it
 * (except: an entry to leave out of the offers that block, 0 none). */
bool offer_slot_free(struct txn *t, const struct place *p, const struct waitlist_entry *e,
                     uint64_t except, int64_t now);
/* The open offer (or, with any_state, any offer still marked offered) of another group
 * than group_id over [start, end) of p's room, widened by the room's buffers: its id, or
 * 0. */
uint64_t offer_in_the_way(struct txn *t, const struct place *p, uint64_t group_id, int64_t start,
                          int64_t end, bool any_state, int64_t now, int64_t *until);

#endif
