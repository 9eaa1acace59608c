/* Waitlists: joining, leaving, taking up and declining offers (docs/fair-access.md).
 * SCAFFOLD: helper "waitlist" replaces this file. */
#ifndef HALLS_WAITLIST_H
#define HALLS_WAITLIST_H

#include "db.h"

/* Lapses every offer due by now (the next group gets one); lowers *next_due. (waitlist.c,
 * above booking.c) */
enum herr offer_sweep(struct txn *t, int64_t now, int64_t *next_due);

#endif
