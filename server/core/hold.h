/* Provisional holds (docs/fair-access.md#holds-that-expire).
 * SCAFFOLD: helper "hold" replaces this file. */
#ifndef HALLS_HOLD_H
#define HALLS_HOLD_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

/* Refuses b (a request, a move or an approval) when another group's live hold takes its
 * slot, buffers counted. Reads only. (hold.c, below booking.c) */
enum herr hold_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now);
/* A hold starts with a pending request in a room with hold_hours, and ends with its
 * decision, cancellation or move. (hold.c) */
void hold_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                       const struct booking *b, const struct place *p, int64_t now);
/* Lapses every hold due by now, and sends the warnings due before; lowers *next_due to
 * the next time anything of holds falls due. (hold_lapse.c, above booking.c) */
enum herr hold_sweep(struct txn *t, int64_t now, int64_t *next_due);

#endif
