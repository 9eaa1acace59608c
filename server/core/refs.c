#include "refs.h"

#include "closure.h"
#include "group.h"
#include "user.h"

/* The first key under prefix in d, decoded as the u64 at offset; 0 when none. */
static uint64_t first_under(struct txn *t, enum dbi d, const struct key *prefix, size_t offset)
{
	struct scan s;
	uint64_t id = 0;

	scan_begin(&s, t, d, prefix, NULL);
	if (scan_next(&s) && s.k.mv_size >= offset + 8)
		id = key_get_u64((const uint8_t *)s.k.mv_data + offset);
	scan_end(&s);
	return id;
}

static uint64_t first_closure(struct txn *t, enum closure_scope scope, uint64_t target)
{
	struct key prefix;

	key_init(&prefix);
	key_u8(&prefix, (uint8_t)scope);
	key_u64(&prefix, target);
	return first_under(t, DBI_CLOSURE_AT, &prefix, 1 + 8 + 8);
}

struct user_ref {
	uint64_t venue_id, group_id, found;
};

static bool user_refers(const struct user *u, void *arg)
{
	struct user_ref *r = arg;
	bool refers = false;

	for (size_t i = 0; i < u->nvenues; i++)
		refers = refers || u->venues[i] == r->venue_id;
	for (size_t i = 0; i < u->ngroups; i++)
		refers = refers || u->groups[i] == r->group_id;
	if (refers)
		r->found = u->id;
	return !refers;
}

static bool group_refers(const struct group *g, void *arg)
{
	struct user_ref *r = arg;

	if (group_trusted_at(g, r->venue_id))
		r->found = g->id;
	return r->found == 0;
}

static enum herr in_use(struct txn *t, const char *what, uint64_t id, const char *by,
                        uint64_t by_id, const char *advice)
{
	return txn_refuse(t, H_RULE_INUSE, "%s %llu is still referred to by %s %llu; %s", what,
	                  (unsigned long long)id, by, (unsigned long long)by_id, advice);
}

enum herr refs_venue(struct txn *t, uint64_t venue_id)
{
	struct key prefix = key_id(venue_id);
	struct user_ref r = {.venue_id = venue_id};
	uint64_t id;

	if ((id = first_under(t, DBI_ROOM_VENUE, &prefix, 8)) != 0)
		return in_use(t, "venue", venue_id, "room", id, "remove its rooms first");
	if ((id = first_closure(t, CLOSURE_VENUE, venue_id)) != 0)
		return in_use(t, "venue", venue_id, "closure", id, "remove its closures first");
	user_each(t, user_refers, &r);
	if (r.found)
		return in_use(t, "venue", venue_id, "user", r.found,
		              "take the venue off its managers first");
	group_each(t, group_refers, &r);
	if (r.found)
		return in_use(t, "venue", venue_id, "group", r.found,
		              "take the venue off the groups that are trusted there first");
	return t->ret;
}

enum herr refs_room(struct txn *t, uint64_t room_id)
{
	struct key prefix = key_id(room_id);
	uint64_t id;

	/* Bookings of any state: declined and cancelled ones are history that must still
	 * name their room. */
	if ((id = first_under(t, DBI_BOOKING_ROOM, &prefix, 16)) != 0)
		return in_use(t, "room", room_id, "booking", id,
		              "a room with bookings on record cannot be removed; set its "
		              "approval to manual to stop new bookings");
	if ((id = first_closure(t, CLOSURE_ROOM, room_id)) != 0)
		return in_use(t, "room", room_id, "closure", id, "remove its closures first");
	return t->ret;
}

enum herr refs_group(struct txn *t, uint64_t group_id)
{
	struct key prefix = key_id(group_id);
	struct user_ref r = {.group_id = group_id};
	uint64_t id;

	if ((id = first_under(t, DBI_BOOKING_GROUP, &prefix, 16)) != 0)
		return in_use(t, "group", group_id, "booking", id,
		              "a group with bookings on record cannot be removed");
	user_each(t, user_refers, &r);
	if (r.found)
		return in_use(t, "group", group_id, "user", r.found,
		              "take the group off its members first");
	return t->ret;
}
