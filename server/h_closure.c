/* Closures: a venue or one room closed for a while.
 *
 *   GET    /api/v1/closures?venue=&room=&limit=&after=
 *                                          closure_each_page's listing, as `halls closure
 *                                          list` gives it: venue: its closures and its
 *                                          rooms'; room: its closures and its venue's
 *                                          (what applies to it); by start, then id, paged
 *   GET    /api/v1/closures/<id>
 *   POST   /api/v1/closures                {"venue_id" | "room_id", "start", "end",
 *                                          "reason"} -> 201 (managers of the venue);
 *                                          or "date_set_id" in place of start and end:
 *                                          closed each whole day of the set, following
 *                                          its changes (closure.h)
 *   PATCH  /api/v1/closures/<id>           {"start", "end", "reason"}, any of them -> 200
 *   DELETE /api/v1/closures/<id>           -> 204
 *
 * Closures are public: residents see why a hall is shut. The permission rules are the
 * core's (closure.c). Output as `halls closure show --json`: closure_to_json with
 * "start"/"end" in the venue's offset and "start_ts"/"end_ts" in UTC seconds. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

/* The zone of a closure's venue (Europe/London when its room or venue has gone). */
static char *closure_zone(struct txn *t, enum closure_scope scope, uint64_t target)
{
	char *zone;

	place_zone(t, scope == CLOSURE_VENUE ? target : 0, scope == CLOSURE_ROOM ? target : 0,
	           &zone);
	return zone;
}

static json_t *closure_json(struct txn *t, const struct closure *c)
{
	char *zone = closure_zone(t, c->scope, c->target);
	json_t *o = closure_to_json_local(c, zone);

	free(zone);
	return o;
}

struct closure_listing {
	struct txn *t;
	json_t *items;
	struct page pg;
};

static bool closure_list_one(const struct closure *c, void *arg)
{
	struct closure_listing *l = arg;

	json_array_append_new(l->items, closure_json(l->t, c));
	return !page_full(&l->pg);
}

enum herr h_closure_list(struct request *r)
{
	static const char *const known[] = {"venue", "room", "limit", "after", NULL};
	struct closure_listing l = {0};
	uint64_t venue, room;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = request_query_id(r, "room", &room)) != H_OK ||
	    (ret = page_read(r, 'c', &l.pg)) != H_OK)
		return ret;
	if (venue != 0 && room != 0)
		return herror_set(&r->err, H_EINVAL,
		                  "give query parameter venue or room, not both");
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	l.t = &t;
	l.items = json_array();
	ret = closure_each_page(&t, venue, room, &l.pg.w, closure_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
	db_read_end(&t);
	return ret;
}

enum herr h_closure_get(struct request *r)
{
	struct closure c;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = closure_get(&t, r->ids[0], &c);
	if (ret == H_OK)
		r->reply = closure_json(&t, &c);
	closure_free(&c);
	db_read_end(&t);
	return ret;
}

/* A create, change or removal waiting for the group commit. */
struct closure_op {
	struct request *r;
	enum { CLOSURE_OP_CREATE, CLOSURE_OP_CHANGE, CLOSURE_OP_REMOVE } what;
	struct closure c;   /* create */
	uint64_t id;        /* change, remove */
	int64_t start, end; /* change: CLOSURE_UNCHANGED or the new time */
	char *reason;       /* change: NULL unchanged */
	json_t *out;
};

static enum herr closure_op_run(struct txn *t, void *arg)
{
	struct closure_op *op = arg;
	enum herr ret;

	json_decref(op->out);
	op->out = NULL;
	switch (op->what) {
	case CLOSURE_OP_REMOVE:
		return closure_remove(t, &op->r->actor, op->id, op->r->now);
	case CLOSURE_OP_CHANGE:
		closure_free(&op->c);
		ret = closure_change(t, &op->r->actor, op->id, op->start, op->end, op->reason,
		                     op->r->now, &op->c);
		break;
	case CLOSURE_OP_CREATE:
	default:
		ret = closure_create(t, &op->r->actor, &op->c, op->r->now);
		break;
	}
	if (ret == H_OK)
		op->out = closure_json(t, &op->c);
	return ret;
}

static void closure_op_done(struct request *r, enum herr ret, void *arg)
{
	struct closure_op *op = arg;

	if (ret == H_OK) {
		r->reply = op->out;
		r->status = op->what == CLOSURE_OP_REMOVE   ? 204
		            : op->what == CLOSURE_OP_CREATE ? 201
		                                            : 200;
		op->out = NULL;
	}
	json_decref(op->out);
	closure_free(&op->c);
	free(op->reason);
	free(op);
	request_finish(r, ret);
}

enum herr h_closure_create(struct request *r)
{
	static const char *const known[] = {"venue_id", "room_id",     "start", "end",
	                                    "reason",   "date_set_id", NULL};
	json_t *venue = json_object_get(r->body, "venue_id");
	json_t *room = json_object_get(r->body, "room_id");
	json_t *fields = NULL;
	struct closure_op *op;
	int64_t start, end;
	char *zone = NULL;
	json_t *v;
	struct txn t;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	if ((venue != NULL) == (room != NULL))
		return herror_set(&r->err, H_EINVAL,
		                  "a closure needs exactly one of venue_id and room_id");
	v = venue != NULL ? venue : room;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return herror_set(&r->err, H_EINVAL, "%s must be an id",
		                  venue != NULL ? "venue_id" : "room_id");
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	/* No such venue or room: H_ENOTFOUND, naming it. */
	ret = place_zone(&t, venue != NULL ? (uint64_t)json_integer_value(v) : 0,
	                 room != NULL ? (uint64_t)json_integer_value(v) : 0, &zone);
	db_read_end(&t);
	if (ret != H_OK) {
		free(zone);
		return ret;
	}
	if (json_object_get(r->body, "date_set_id") != NULL) {
		if (json_object_get(r->body, "start") != NULL ||
		    json_object_get(r->body, "end") != NULL)
			ret = herror_set(&r->err, H_EINVAL,
			                 "a closure that follows a date set is closed on the set's "
			                 "dates: give date_set_id without start and end");
		else
			fields = json_deep_copy(r->body);
	} else if ((ret = request_body_time(r, r->body, "start", zone, &start)) == H_OK &&
	           (ret = request_body_time(r, r->body, "end", zone, &end)) == H_OK) {
		fields = json_deep_copy(r->body);
		json_object_set_new(fields, "start", json_integer((json_int_t)start));
		json_object_set_new(fields, "end", json_integer((json_int_t)end));
	}
	free(zone);
	if (ret != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = CLOSURE_OP_CREATE;
	ret = closure_from_json(fields, &op->c, &r->err);
	json_decref(fields);
	if (ret != H_OK) {
		closure_free(&op->c);
		free(op);
		return ret;
	}
	op->c.id = 0;
	commit_submit(r, closure_op_run, op, closure_op_done);
	return H_OK;
}

/* New times are read in the zone of the closure's venue. */
enum herr h_closure_update(struct request *r)
{
	static const char *const known[] = {"start", "end", "reason", NULL};
	json_t *reason = json_object_get(r->body, "reason");
	struct closure_op *op;
	struct closure c;
	char *zone = NULL;
	struct txn t;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	if (reason != NULL && !json_is_string(reason))
		return herror_set(&r->err, H_EINVAL, "reason must be text");
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = closure_get(&t, r->ids[0], &c);
	if (ret == H_OK)
		zone = closure_zone(&t, c.scope, c.target);
	closure_free(&c);
	db_read_end(&t);
	if (ret != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = CLOSURE_OP_CHANGE;
	op->id = r->ids[0];
	op->start = op->end = CLOSURE_UNCHANGED;
	closure_init(&op->c);
	if ((json_object_get(r->body, "start") != NULL &&
	     (ret = request_body_time(r, r->body, "start", zone, &op->start)) != H_OK) ||
	    (json_object_get(r->body, "end") != NULL &&
	     (ret = request_body_time(r, r->body, "end", zone, &op->end)) != H_OK)) {
		free(zone);
		free(op);
		return ret;
	}
	free(zone);
	op->reason = reason != NULL ? xstrdup(json_string_value(reason)) : NULL;
	commit_submit(r, closure_op_run, op, closure_op_done);
	return H_OK;
}

enum herr h_closure_delete(struct request *r)
{
	struct closure_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->what = CLOSURE_OP_REMOVE;
	closure_init(&op->c);
	op->id = r->ids[0];
	commit_submit(r, closure_op_run, op, closure_op_done);
	return H_OK;
}
