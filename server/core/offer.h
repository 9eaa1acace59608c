/* Waitlist offers, as bookings meet them (docs/fair-access.md#waitlists).
 * SCAFFOLD: helper "waitlist" replaces this file. */
#ifndef HALLS_OFFER_H
#define HALLS_OFFER_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

/* Refuses b when its slot is offered to another group and the offer is open. Reads only.
 * (offer.c, below booking.c) */
enum herr offer_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now);
/* A slot given up (declined, cancelled, moved away, a hold released) goes to the first
 * group on its waitlist as an offer; an offer taken up ends. (offer.c) */
void offer_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                        const struct booking *b, const struct place *p, int64_t now);

#endif
