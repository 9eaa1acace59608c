/* Fair access (docs/fair-access.md): the rules of provisional holds, waitlist offers
 * and allowances, met by every booking on its way through booking.c.
 *
 * booking.c names fair access at three moments of a booking's life, here, and each rule
 * keeps its own file: holds (hold.c), offers (offer.c) and allowances (allowance.c).
 * These sit below booking.c and never call it; what changes bookings on the clock (a
 * hold's lapse, an offer's end) is fair_clock.h's, above it. */
#ifndef HALLS_FAIR_H
#define HALLS_FAIR_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

/* A new request, or a move of b to a new slot (b->id set), that has passed every rule
 * of booking.c, with b->status the state those rules give it. Reads only. Refuses a slot
 * that another group holds or has been offered, and applies b's group's allowances:
 * refuses, or turns an approved request into a pending one (b->status), as each
 * allowance says. */
enum herr fair_judge_request(struct txn *t, const struct actor *a, struct booking *b,
                             const struct place *p, int64_t now);
/* The approval of pending b by a (a manager), before it is stored. Reads only. Refuses a
 * slot another group holds or has been offered, and an approval over an allowance unless
 * override (the manager's choice, which fair_after_change records). */
enum herr fair_judge_approval(struct txn *t, const struct actor *a, const struct booking *b,
                              const struct place *p, bool override, int64_t now);
/* After b was stored: old NULL for a new request, else b before the change (a decision,
 * a cancellation, a move or an edit). A hold starts or ends; a slot given up goes to its
 * waitlist. override: an approval that overrode an allowance. */
void fair_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                       const struct booking *b, const struct place *p, bool override, int64_t now);

#endif
