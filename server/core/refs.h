/* What still refers to a venue or a room. Removing one that anything refers to would
 * leave a dangling id (a booking's room, a manager's venue), so removal is refused with
 * H_RULE_INUSE and a sentence naming the first thing that refers to it. */
#ifndef HALLS_REFS_H
#define HALLS_REFS_H

#include "db.h"

enum herr refs_venue(struct txn *t, uint64_t venue_id);
enum herr refs_room(struct txn *t, uint64_t room_id);

#endif
