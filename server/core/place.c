#include "place.h"

#include "group.h"
#include "record.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>

void place_init(struct place *p)
{
	room_init(&p->room);
	venue_init(&p->venue);
}

void place_free(struct place *p)
{
	room_free(&p->room);
	venue_free(&p->venue);
}

/* Fills p (initialised) with room room_id and its venue: H_ENOTFOUND, with the message
 * in t->err but not sticky, when either is missing. */
static enum herr place_read(struct txn *t, uint64_t room_id, struct place *p)
{
	enum herr ret;

	room_free(&p->room);
	if ((ret = room_get(t, room_id, &p->room)) != H_OK)
		return ret;
	venue_free(&p->venue);
	return venue_get(t, p->room.venue_id, &p->venue);
}

enum herr place_load(struct txn *t, uint64_t room_id, struct place *p)
{
	enum herr ret;

	place_init(p);
	ret = place_read(t, room_id, p);
	if (ret != H_ENOTFOUND || t->ret != H_OK)
		return ret;
	if (p->room.id == 0)
		return record_not_found(t, "room", room_id);
	return record_not_found(t, "venue", p->room.venue_id);
}

const struct place *places_get(struct places *ps, struct txn *t, uint64_t room_id)
{
	struct place *p;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->items[i]->room.id == room_id)
			return ps->items[i];
	p = xmalloc(sizeof(*p));
	place_init(p);
	/* Asked first, so that a gone room leaves no message in t->err. A room whose venue
	 * has gone keeps its venue id, in the default zone. */
	if (record_exists(t, DBI_ROOM, room_id))
		place_read(t, room_id, p);
	/* Found again by its id even when it has gone. */
	p->room.id = room_id;
	ps->items = xrealloc(ps->items, (ps->n + 1) * sizeof(*ps->items));
	ps->items[ps->n++] = p;
	return p;
}

const char *places_group_name(struct places *ps, struct txn *t, uint64_t group_id)
{
	struct places_group *gn;
	struct group g;

	for (size_t i = 0; i < ps->n_groups; i++)
		if (ps->groups[i]->id == group_id)
			return ps->groups[i]->name;
	gn = xcalloc(1, sizeof(*gn));
	gn->id = group_id;
	group_init(&g);
	/* Asked first, so that a gone group leaves no message in t->err. */
	if (group_id != 0 && record_exists(t, DBI_GROUP, group_id) &&
	    group_get(t, group_id, &g) == H_OK) {
		gn->name = g.name; /* taken */
		g.name = NULL;
	}
	group_free(&g);
	ps->groups = xrealloc(ps->groups, (ps->n_groups + 1) * sizeof(*ps->groups));
	ps->groups[ps->n_groups++] = gn;
	return gn->name;
}

void places_free(struct places *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		place_free(ps->items[i]);
		free(ps->items[i]);
	}
	free(ps->items);
	ps->items = NULL;
	ps->n = 0;
	for (size_t i = 0; i < ps->n_groups; i++) {
		free(ps->groups[i]->name);
		free(ps->groups[i]);
	}
	free(ps->groups);
	ps->groups = NULL;
	ps->n_groups = 0;
}

enum herr place_zone(struct txn *t, uint64_t venue_id, uint64_t room_id, char **zone)
{
	struct place p;
	enum herr ret = H_OK;

	place_init(&p);
	if (room_id != 0) {
		ret = place_read(t, room_id, &p);
	} else if (venue_id != 0) {
		venue_free(&p.venue);
		ret = venue_get(t, venue_id, &p.venue);
	}
	/* A venue that could not be read is back to the default zone. */
	*zone = xstrdup(ret == H_OK ? p.venue.tz : TZ_DEFAULT);
	place_free(&p);
	return ret;
}

enum herr place_zone_read(struct db *db, uint64_t venue_id, uint64_t room_id, char **zone,
                          struct herror *err)
{
	struct txn t;
	enum herr ret = db_read_begin(db, &t, err);

	*zone = NULL;
	if (ret != H_OK)
		return ret;
	ret = place_zone(&t, venue_id, room_id, zone);
	db_read_end(&t);
	return ret;
}
