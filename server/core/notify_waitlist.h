/* The messages of waitlists (notify_waitlist.c): an exclusive offer made to a group, and
 * an offer that ran out. Each goes to every member of the group who wants decisions. */
#ifndef HALLS_NOTIFY_WAITLIST_H
#define HALLS_NOTIFY_WAITLIST_H

#include "actor.h"
#include "db.h"
#include "place.h"
#include "waitlist_record.h"

/* e was offered its slot in p's room until e->offer_until; next: it came to e because the
 * group before it declined or let its offer lapse (the words say it is next in line). */
enum herr notify_waitlist_offered(struct txn *t, const struct actor *a,
                                  const struct waitlist_entry *e, const struct place *p, bool next,
                                  int64_t now);
/* e's offer ran out at e->offer_until without an answer. */
enum herr notify_waitlist_lapsed(struct txn *t, const struct waitlist_entry *e,
                                 const struct place *p, int64_t now);

#endif
