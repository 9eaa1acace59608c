/* Places: a room with its venue, loaded together, and the zone a time about a room or a
 * venue is read in.
 *
 * Bookings, series and closures all happen somewhere: a room of a venue, whose manager
 * decides about them and whose zone reads and shows their times. place_load is for an
 * operation on the room, and refuses when there is none. struct places is for readers
 * that meet many rooms (a listing, a feed, the audit log): each room and its venue are
 * loaded once, and a room that has gone reads as no place rather than stopping the
 * listing. A places belongs to one transaction and is freed before it ends, so that it
 * can never show a venue another process has changed since. */
#ifndef HALLS_PLACE_H
#define HALLS_PLACE_H

#include "db.h"
#include "room.h"
#include "venue.h"

struct place {
	struct room room;
	struct venue venue;
};

/* An empty place: room 0 of venue 0, in TZ_DEFAULT. */
void place_init(struct place *p);
/* Room room_id and its venue. No such room (or venue): H_ENOTFOUND ("there is no room
 * 4"), refused on t. p is always initialised, and freed with place_free. */
enum herr place_load(struct txn *t, uint64_t room_id, struct place *p);
void place_free(struct place *p);

/* Rooms and their venues, each loaded once, and the names of the groups met (a page of
 * a hundred bookings of one group reads the group once). Entries are allocated one by
 * one, so a pointer places_get or places_group_name returned stays valid until
 * places_free, however many follow. */
struct places_group {
	uint64_t id;
	char *name; /* NULL: the group has gone */
};
struct places {
	struct place **items;
	size_t n;
	struct places_group **groups;
	size_t n_groups;
};
/* Room room_id with its venue. A room that has gone is an empty place (venue 0, the
 * default zone), so a listing of old records carries on; nothing is refused on t. */
const struct place *places_get(struct places *ps, struct txn *t, uint64_t room_id);
/* The name of group group_id, or NULL when it has gone (nothing refused on t). */
const char *places_group_name(struct places *ps, struct txn *t, uint64_t group_id);
void places_free(struct places *ps);

/* The zone a time about room_id, or else about venue_id, is read and shown in: the
 * venue's, through its room for a room; TZ_DEFAULT when both are 0. *zone (malloc'd) is
 * always set, to TZ_DEFAULT when the room or venue named does not exist, which is then
 * H_ENOTFOUND ("there is no room 4") in t->err, not sticky: a time typed about a
 * missing room is refused by the caller, while an old record can still be shown. */
enum herr place_zone(struct txn *t, uint64_t venue_id, uint64_t room_id, char **zone);
/* The same in a read transaction of its own, for a front end about to read a typed
 * time; the refusal in err, and *zone NULL when the store could not be read. */
enum herr place_zone_read(struct db *db, uint64_t venue_id, uint64_t room_id, char **zone,
                          struct herror *err);

#endif
