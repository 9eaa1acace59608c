/* Places (place.h): a room with its venue, the per-transaction cache of them, and the
 * zone a time about a room or a venue is read in. */
#include "t.h"

#include "fixture.h"

TEST(place_load_and_refusal)
{
	struct fx f;
	struct place p;
	struct txn t;
	uint64_t venue, room;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Harbour Hall", "America/New_York", NULL);
	room = fx_room(&f, venue, NULL);
	T_ASSERT(room != 0);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(place_load(&t, room, &p), H_OK, &f.err);
	T_EQ_INT(p.room.id, room);
	T_EQ_INT(p.venue.id, venue);
	T_EQ_STR(p.venue.name, "Harbour Hall");
	T_EQ_STR(p.venue.tz, "America/New_York");
	place_free(&p);
	/* No such room: refused, sticky, in words; p can still be freed. */
	T_EQ_ERR(place_load(&t, 99, &p), H_ENOTFOUND, &f.err);
	T_EQ_INT(t.ret, H_ENOTFOUND);
	T_EQ_STR(f.err.msg, "there is no room 99");
	T_EQ_INT(p.room.id, 0);
	place_free(&p);
	db_read_end(&t);
	fx_close(&f);
}

TEST(places_cache_keeps_pointers)
{
	struct fx f;
	struct places ps = {0};
	const struct place *first, *again, *gone;
	uint64_t venue, rooms[20];
	struct txn t;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Library", "Europe/Paris", NULL);
	for (size_t i = 0; i < 20; i++)
		T_ASSERT((rooms[i] = fx_room(&f, venue, NULL)) != 0);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	first = places_get(&ps, &t, rooms[0]);
	/* Enough entries to move any array of places: the first pointer stays good. */
	for (size_t i = 1; i < 20; i++)
		T_EQ_INT(places_get(&ps, &t, rooms[i])->room.id, rooms[i]);
	again = places_get(&ps, &t, rooms[0]);
	T_CHECK(again == first);
	T_EQ_INT(first->room.id, rooms[0]);
	T_EQ_INT(first->room.venue_id, venue);
	T_EQ_STR(first->venue.tz, "Europe/Paris");
	T_EQ_INT(ps.n, 20);
	/* A room that has gone: no venue, the default zone, nothing refused, no message. */
	herror_clear(&f.err);
	gone = places_get(&ps, &t, 4242);
	T_EQ_INT(gone->room.id, 4242);
	T_EQ_INT(gone->room.venue_id, 0);
	T_EQ_INT(gone->venue.id, 0);
	T_EQ_STR(gone->venue.tz, TZ_DEFAULT);
	T_EQ_INT(t.ret, H_OK);
	T_EQ_STR(f.err.msg, "");
	T_CHECK(places_get(&ps, &t, 4242) == gone);
	places_free(&ps);
	T_EQ_INT(ps.n, 0);
	db_read_end(&t);
	fx_close(&f);
}

TEST(place_zone_of_room_and_venue)
{
	struct fx f;
	uint64_t paris, tokyo, room;
	char *zone;
	struct txn t;

	T_ASSERT(fx_open(&f));
	paris = fx_venue(&f, "Salle", "Europe/Paris", NULL);
	tokyo = fx_venue(&f, "Hall", "Asia/Tokyo", NULL);
	room = fx_room(&f, tokyo, NULL);
	T_ASSERT(room != 0);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	/* Neither: the default. */
	T_EQ_ERR(place_zone(&t, 0, 0, &zone), H_OK, &f.err);
	T_EQ_STR(zone, TZ_DEFAULT);
	free(zone);
	T_EQ_ERR(place_zone(&t, paris, 0, &zone), H_OK, &f.err);
	T_EQ_STR(zone, "Europe/Paris");
	free(zone);
	/* A room's is its venue's, and the room is asked before a venue also given. */
	T_EQ_ERR(place_zone(&t, 0, room, &zone), H_OK, &f.err);
	T_EQ_STR(zone, "Asia/Tokyo");
	free(zone);
	T_EQ_ERR(place_zone(&t, paris, room, &zone), H_OK, &f.err);
	T_EQ_STR(zone, "Asia/Tokyo");
	free(zone);
	/* Missing: not found in words, the default zone, and the transaction goes on. */
	T_EQ_ERR(place_zone(&t, 0, 77, &zone), H_ENOTFOUND, &f.err);
	T_EQ_STR(f.err.msg, "there is no room 77");
	T_EQ_STR(zone, TZ_DEFAULT);
	free(zone);
	T_EQ_ERR(place_zone(&t, 78, 0, &zone), H_ENOTFOUND, &f.err);
	T_EQ_STR(f.err.msg, "there is no venue 78");
	free(zone);
	T_EQ_INT(t.ret, H_OK);
	db_read_end(&t);
	/* The same in a transaction of its own. */
	T_EQ_ERR(place_zone_read(f.db, 0, room, &zone, &f.err), H_OK, &f.err);
	T_EQ_STR(zone, "Asia/Tokyo");
	free(zone);
	T_EQ_ERR(place_zone_read(f.db, 0, 77, &zone, &f.err), H_ENOTFOUND, &f.err);
	free(zone);
	fx_close(&f);
}

static bool room_id_add(const struct room *r, void *arg)
{
	uint64_t *ids = arg;

	if (ids[0] < 7)
		ids[++ids[0]] = r->id;
	return true;
}

static bool json_id_add(const json_t *o, void *arg)
{
	uint64_t *ids = arg;

	if (ids[0] < 7)
		ids[++ids[0]] = (uint64_t)json_int(o, "id", 0);
	return true;
}

/* A venue's rooms, in id order, as the room search and `halls room list --venue` list
 * them; a venue that does not exist is refused, naming it, rather than shown empty. */
TEST(place_rooms_of_venue)
{
	struct fx f;
	struct txn t;
	uint64_t v1, v2, r1, r2, r3, r4;
	uint64_t rooms[8] = {0}, records[8] = {0}, none[8] = {0};

	T_ASSERT(fx_open(&f));
	v1 = fx_venue(&f, "Centre", NULL, NULL);
	v2 = fx_venue(&f, "Library", NULL, NULL);
	r1 = fx_room(&f, v1, NULL);
	r2 = fx_room(&f, v1, NULL);
	r3 = fx_room(&f, v2, NULL);
	r4 = fx_room(&f, v1, NULL);
	T_ASSERT(r1 && r2 && r3 && r4);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(room_each(&t, v1, room_id_add, rooms), H_OK, &f.err);
	T_EQ_ERR(kind_room.each_within(&t, v1, json_id_add, records), H_OK, &f.err);
	T_EQ_INT(rooms[0], 3);
	T_EQ_INT(rooms[1], r1);
	T_EQ_INT(rooms[2], r2);
	T_EQ_INT(rooms[3], r4);
	T_CHECK(memcmp(rooms, records, sizeof(rooms)) == 0);
	T_EQ_ERR(room_each(&t, 999, room_id_add, none), H_ENOTFOUND, &f.err);
	T_EQ_STR(f.err.msg, "there is no venue 999");
	T_EQ_INT(t.ret, H_ENOTFOUND);
	db_read_end(&t);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(kind_room.each_within(&t, 999, json_id_add, none), H_ENOTFOUND, &f.err);
	T_EQ_STR(f.err.msg, "there is no venue 999");
	T_EQ_INT(none[0], 0);
	db_read_end(&t);
	/* The other kinds are only listed whole. */
	T_CHECK(kind_venue.each_within == NULL && kind_group.each_within == NULL &&
	        kind_user.each_within == NULL);
	fx_close(&f);
}
