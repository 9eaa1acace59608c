/* What still refers to a venue or a room. A group's own rule is in group.c: keeping it
 * here made group.c and refs.c call each other. */
#include "refs.h"

#include "closure.h"
#include "date_set.h"
#include "group.h"
#include "record.h"
#include "user.h"

static uint64_t first_closure(struct txn *t, enum closure_scope scope, uint64_t target)
{
	struct key prefix;

	key_init(&prefix);
	key_u8(&prefix, (uint8_t)scope);
	key_u64(&prefix, target);
	return scan_first_u64(t, DBI_CLOSURE_AT, &prefix, 1 + 8 + 8);
}

enum herr refs_venue(struct txn *t, uint64_t venue_id)
{
	struct key prefix = key_id(venue_id);
	uint64_t id;

	if ((id = scan_first_u64(t, DBI_ROOM_VENUE, &prefix, 8)) != 0)
		return record_in_use(t, "venue", venue_id, "room", id, "remove its rooms first");
	if ((id = first_closure(t, CLOSURE_VENUE, venue_id)) != 0)
		return record_in_use(t, "venue", venue_id, "closure", id,
		                     "remove its closures first");
	if ((id = date_set_first_of_venue(t, venue_id)) != 0)
		return record_in_use(t, "venue", venue_id, "date set", id,
		                     "remove the venue's date sets first");
	if ((id = user_first_referring(t, venue_id, 0)) != 0)
		return record_in_use(t, "venue", venue_id, "user", id,
		                     "take the venue off its managers first");
	if ((id = group_first_trusted_at(t, venue_id)) != 0)
		return record_in_use(t, "venue", venue_id, "group", id,
		                     "take the venue off the groups that are trusted there first");
	return t->ret;
}

enum herr refs_room(struct txn *t, uint64_t room_id)
{
	struct key prefix = key_id(room_id);
	uint64_t id;

	/* Bookings of any state: declined and cancelled ones are history that must still
	 * name their room. */
	if ((id = scan_first_u64(t, DBI_BOOKING_ROOM, &prefix, 16)) != 0)
		return record_in_use(t, "room", room_id, "booking", id,
		                     "a room with bookings on record cannot be removed; set its "
		                     "approval to manual to stop new bookings");
	if ((id = first_closure(t, CLOSURE_ROOM, room_id)) != 0)
		return record_in_use(t, "room", room_id, "closure", id,
		                     "remove its closures first");
	return t->ret;
}
