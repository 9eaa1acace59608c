/* The audit log over HTTP.
 *
 *   GET /api/v1/audit?booking=&venue=&limit=&after=   oldest first, paged
 *
 * Admins see every entry; managers the entries about their venues (the venue, its rooms,
 * its closures and the bookings and series of its rooms); members are refused (403) and anonymous
 * callers must sign in (401). An entry whose venue cannot be told any more (a removed
 * room or closure, users, groups, tokens) is for admins only. Each entry is as
 * `halls audit --json` prints it. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

struct audit_listing {
	struct txn *t;
	struct viewer *v;
	struct places pl;
	uint64_t venue_id; /* filter; 0: any */
	json_t *items;
	struct page pg;
};

/* The room of series id, or 0 when it is gone. */
static uint64_t series_room(struct txn *t, uint64_t id)
{
	struct series s;
	uint64_t room = series_get(t, id, &s) == H_OK ? s.room_id : 0;

	series_free(&s);
	return room;
}

/* The venue an entry is about, or 0. */
static uint64_t entry_venue(struct audit_listing *l, const json_t *e)
{
	const char *kind = json_str(e, "kind");
	const json_t *detail = json_object_get(e, "detail");
	uint64_t venue = 0, room = 0;

	if (kind == NULL)
		return 0;
	if (strcmp(kind, "venue") == 0)
		venue = (uint64_t)json_int(e, "object_id", 0);
	else if (strcmp(kind, "booking") == 0)
		room = (uint64_t)json_int(detail, "room_id", 0);
	else if (strcmp(kind, "room") == 0)
		venue = (uint64_t)json_int(detail, "venue_id", 0);
	else if (strcmp(kind, "series") == 0) {
		/* Decisions on a series carry no detail: the series names its room. */
		room = (uint64_t)json_int(detail, "room_id", 0);
		if (room == 0)
			room = series_room(l->t, (uint64_t)json_int(e, "object_id", 0));
	} else if (strcmp(kind, "closure") == 0) {
		venue = (uint64_t)json_int(detail, "venue_id", 0);
		room = (uint64_t)json_int(detail, "room_id", 0);
	}
	return room != 0 ? places_get(&l->pl, l->t, room)->venue_id : venue;
}

static bool audit_list_one(const json_t *e, void *arg)
{
	struct audit_listing *l = arg;
	uint64_t venue = entry_venue(l, e);

	if ((l->venue_id != 0 && venue != l->venue_id) ||
	    (!viewer_admin(l->v) && (venue == 0 || !viewer_manages(l->v, venue))))
		return true;
	json_array_append_new(l->items, json_deep_copy(e));
	return !page_full(&l->pg);
}

enum herr h_audit_list(struct request *r)
{
	static const char *const known[] = {"booking", "venue", "limit", "after", NULL};
	struct audit_listing l = {0};
	struct viewer v;
	uint64_t booking;
	struct txn t;
	enum herr ret;

	if ((ret = query_known(r, known)) != H_OK ||
	    (ret = query_id(r, "booking", &booking)) != H_OK ||
	    (ret = query_id(r, "venue", &l.venue_id)) != H_OK ||
	    (ret = page_read(r, 'a', &l.pg)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	viewer_load(r, &t, &v);
	if (!v.known)
		ret = herror_set(&r->err, H_EAUTH, "sign in first (POST /api/v1/session)");
	else if (v.u.role == ROLE_MEMBER)
		ret = herror_set(&r->err, H_EFORBIDDEN,
		                 "the audit log is for venue managers and administrators");
	else if (l.venue_id != 0 && !viewer_manages(&v, l.venue_id))
		ret = herror_set(&r->err, H_EFORBIDDEN, "only a manager of venue %llu may do this",
		                 (unsigned long long)l.venue_id);
	if (ret == H_OK) {
		l.t = &t;
		l.v = &v;
		l.items = json_array();
		ret = audit_each_page(&t, booking, &l.pg.w, audit_list_one, &l);
		if (ret == H_OK) {
			r->reply = l.items;
			page_link(r, &l.pg);
		} else
			json_decref(l.items);
	}
	places_free(&l.pl);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}
