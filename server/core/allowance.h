/* Allowances: hours a group may hold per period (docs/fair-access.md#allowances).
 * SCAFFOLD: helper "allowance" replaces this file. */
#ifndef HALLS_ALLOWANCE_H
#define HALLS_ALLOWANCE_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

/* b against its group's allowances. A request (approving false): refuses with the
 * figures, or sets b->status to pending, as the allowance says. An approval (approving
 * true): refuses unless override. Reads only. */
enum herr allowance_judge(struct txn *t, const struct actor *a, struct booking *b,
                          const struct place *p, bool approving, bool override, int64_t now);
/* After a change: records an override (the audit log). */
void allowance_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                            const struct booking *b, const struct place *p, bool override,
                            int64_t now);

#endif
