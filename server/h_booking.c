/* Bookings over HTTP, and what a caller may see of them.
 *
 *   POST  /api/v1/bookings                 a request -> 201 (pending, or approved)
 *   GET   /api/v1/bookings?room=&venue=&group=&status=&from=&to=&limit=&after=   paged
 *   GET   /api/v1/bookings/<id>
 *   PATCH /api/v1/bookings/<id>            title, description, attendees, public, start, end
 *   POST  /api/v1/bookings/<id>/approve    {"note"}, body optional (also decline, cancel)
 *
 * Visibility (booking_view): admins see everything; managers everything at their
 * venues; members everything of their own groups. Everyone else (anonymous callers,
 * members of other groups, managers of other venues) sees approved bookings only: a
 * public one without the decision's note, a private one as a busy slot without id,
 * group, title or description. A booking a caller may not see at all is answered 404,
 * never 403, and is left out of lists and of the ids a 409 names.
 *
 * Also here, shared by h_room.c, h_closure.c and h_audit.c: the caller as a viewer,
 * the zone of a room, and strict query parameters. */
#include "server.h"

#include <event2/buffer.h>
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The caller. */

void viewer_load(struct request *r, struct txn *t, struct viewer *v)
{
	memset(v, 0, sizeof(*v));
	user_init(&v->u);
	if (!r->signed_in)
		return;
	if (user_get(t, r->actor.user_id, &v->u) == H_OK) {
		v->known = true;
		return;
	}
	user_free(&v->u);
	user_init(&v->u);
}

void viewer_free(struct viewer *v)
{
	user_free(&v->u);
	v->known = false;
}

bool viewer_admin(const struct viewer *v)
{
	return v->known && v->u.role == ROLE_ADMIN;
}

bool viewer_manages(const struct viewer *v, uint64_t venue_id)
{
	return viewer_admin(v) || (v->known && user_manages(&v->u, venue_id));
}

enum view booking_view_level(const struct viewer *v, const struct booking *b, uint64_t venue_id)
{
	if (viewer_manages(v, venue_id) || (v->known && user_member_of(&v->u, b->group_id)))
		return VIEW_FULL;
	if (b->status != BOOKING_APPROVED)
		return VIEW_NONE;
	return b->public ? VIEW_PUBLIC : VIEW_BUSY;
}

/* Rooms' venues and zones, looked up once per request. */

const struct place_entry *places_get(struct places *p, struct txn *t, uint64_t room_id)
{
	struct place_entry *e;
	struct room rm;
	struct venue v;

	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].room_id == room_id)
			return &p->items[i];
	p->items = xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
	e = &p->items[p->n++];
	e->room_id = room_id;
	e->venue_id = 0;
	e->zone = NULL;
	if (room_get(t, room_id, &rm) == H_OK) {
		e->venue_id = rm.venue_id;
		if (venue_get(t, rm.venue_id, &v) == H_OK)
			e->zone = xstrdup(v.tz);
		venue_free(&v);
	}
	room_free(&rm);
	if (e->zone == NULL)
		e->zone = xstrdup(TZ_DEFAULT);
	return e;
}

void places_free(struct places *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].zone);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

void json_set_time(json_t *o, const char *key, int64_t t, const char *zone)
{
	char when[32];

	time_format(t, zone, when);
	json_object_set_new(o, key, json_string(when));
}

json_t *booking_view(const struct viewer *v, const struct booking *b, const struct place_entry *pl)
{
	enum view level = booking_view_level(v, b, pl->venue_id);
	json_t *o;

	switch (level) {
	case VIEW_NONE:
		return NULL;
	case VIEW_BUSY:
		o = json_pack("{s:n, s:I, s:s, s:b, s:s}", "id", "room_id", (json_int_t)b->room_id,
		              "status", "approved", "busy", 1, "title", "Booked");
		break;
	case VIEW_PUBLIC:
		/* The record, but the reason given with the decision is for the group. */
		o = booking_to_json_local(b, pl->zone);
		json_object_set_new(o, "note", json_null());
		return o;
	case VIEW_FULL:
	default:
		return booking_to_json_local(b, pl->zone);
	}
	json_set_time(o, "start", b->start, pl->zone);
	json_set_time(o, "end", b->end, pl->zone);
	return o;
}

size_t ids_visible(struct request *r, uint64_t *ids, size_t n)
{
	struct viewer v;
	struct places pl = {0};
	struct herror scratch;
	struct txn t;
	size_t kept = 0;

	herror_clear(&scratch);
	if (n == 0 || db_read_begin(r->srv->db, &t, &scratch) != H_OK)
		return 0;
	viewer_load(r, &t, &v);
	for (size_t i = 0; i < n; i++) {
		struct booking b;

		if (booking_get(&t, ids[i], &b) == H_OK &&
		    booking_view_level(&v, &b, places_get(&pl, &t, b.room_id)->venue_id) >=
		        VIEW_PUBLIC)
			ids[kept++] = ids[i];
		booking_free(&b);
	}
	viewer_free(&v);
	places_free(&pl);
	db_read_end(&t);
	return kept;
}

/* Strict query parameters. */

enum herr query_known(struct request *r, const char *const *names)
{
	struct evkeyval *kv;

	TAILQ_FOREACH(kv, &r->query, next)
	{
		size_t i;

		for (i = 0; names[i] != NULL; i++)
			if (strcmp(kv->key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return herror_set(&r->err, H_EINVAL, "unknown query parameter %s", kv->key);
	}
	return H_OK;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n >= 18)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0 || s[n] != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

enum herr query_id(struct request *r, const char *name, uint64_t *out)
{
	const char *s = request_query(r, name);

	*out = 0;
	if (s == NULL)
		return H_OK;
	if (!parse_uint(s, UINT64_MAX, out) || *out == 0) {
		char shown[64];

		text_quote(shown, sizeof(shown), s, 40);
		return herror_set(&r->err, H_EINVAL, "query parameter %s must be an id, not \"%s\"",
		                  name, shown);
	}
	return H_OK;
}

enum herr query_uint(struct request *r, const char *name, uint32_t min, uint32_t max, uint32_t *out,
                     bool *present)
{
	const char *s = request_query(r, name);
	uint64_t v;

	*present = s != NULL;
	if (s == NULL)
		return H_OK;
	if (!parse_uint(s, max, &v) || v < min) {
		char shown[64];

		text_quote(shown, sizeof(shown), s, 40);
		if (min == 0)
			return herror_set(
			    &r->err, H_EINVAL,
			    "query parameter %s must be a whole number up to %u, not \"%s\"", name,
			    max, shown);
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter %s must be a whole number from %u to %u, not "
		                  "\"%s\"",
		                  name, min, max, shown);
	}
	*out = (uint32_t)v;
	return H_OK;
}

enum herr query_time(struct request *r, const char *name, const char *zone, int64_t *out,
                     bool *present)
{
	const char *s = request_query(r, name);
	struct herror e;

	*present = s != NULL;
	if (s == NULL)
		return H_OK;
	herror_clear(&e);
	if (time_parse(s, zone, out, &e) != H_OK)
		return herror_set(&r->err, H_EINVAL, "query parameter %s: %s", name, e.msg);
	return H_OK;
}

enum herr body_time(struct request *r, const json_t *body, const char *key, const char *zone,
                    int64_t *out)
{
	return json_time(json_object_get(body, key), key, zone, out, &r->err);
}

/* Writes. */

enum booking_what { OP_REQUEST, OP_APPROVE, OP_DECLINE, OP_CANCEL, OP_UPDATE };

struct booking_op {
	struct request *r;
	enum booking_what what;
	uint64_t id;
	struct booking b; /* request */
	bool approve_now;
	const char *note; /* borrowed from r->body */
	json_t *fields;   /* update */
	json_t *out;
	uint64_t pending[HERR_MAX_CONFLICTS];
	size_t npending;
};

static void booking_op_free(struct booking_op *op)
{
	booking_free(&op->b);
	json_decref(op->fields);
	json_decref(op->out);
	free(op);
}

/* The booking as the caller sees it, inside the write transaction. */
static json_t *render_in(struct txn *t, struct request *r, const struct booking *b)
{
	struct places pl = {0};
	struct viewer v;
	json_t *o;

	viewer_load(r, t, &v);
	o = booking_view(&v, b, places_get(&pl, t, b->room_id));
	viewer_free(&v);
	places_free(&pl);
	return o;
}

static enum herr booking_op_run(struct txn *t, void *arg)
{
	struct booking_op *op = arg;
	const struct actor *a = &op->r->actor;
	int64_t now = op->r->now;
	struct booking out;
	enum herr ret;

	json_decref(op->out);
	op->out = NULL;
	op->npending = 0;
	booking_init(&out);
	switch (op->what) {
	case OP_REQUEST:
		ret = booking_request(t, a, &op->b, op->approve_now, now);
		if (ret == H_OK)
			op->out = render_in(t, op->r, &op->b);
		return ret;
	case OP_APPROVE:
		ret = booking_approve(t, a, op->id, op->note, now, &out);
		break;
	case OP_DECLINE:
		ret = booking_decline(t, a, op->id, op->note, now, &out);
		break;
	case OP_CANCEL:
		ret = booking_cancel(t, a, op->id, op->note, now, &out);
		break;
	case OP_UPDATE:
	default:
		ret = booking_update(t, a, op->id, op->fields, now, &out);
		break;
	}
	if (ret == H_OK && op->what == OP_APPROVE && t->err != NULL) {
		op->npending = t->err->nconflicts;
		memcpy(op->pending, t->err->conflicts, op->npending * sizeof(op->pending[0]));
	}
	if (ret == H_OK)
		op->out = render_in(t, op->r, &out);
	booking_free(&out);
	return ret;
}

static void booking_op_done(struct request *r, enum herr ret, void *arg)
{
	struct booking_op *op = arg;

	if (ret == H_OK) {
		if (op->what == OP_APPROVE) {
			op->npending = ids_visible(r, op->pending, op->npending);
			json_object_set_new(op->out, "conflicting_pending",
			                    json_ids_new(op->pending, op->npending));
		}
		r->reply = op->out;
		op->out = NULL;
		r->status = op->what == OP_REQUEST ? 201 : 200;
	} else if (ret == H_ECONFLICT) {
		r->err.nconflicts = ids_visible(r, r->err.conflicts, r->err.nconflicts);
	}
	booking_op_free(op);
	request_finish(r, ret);
}

enum herr body_known(struct request *r, const char *const *names)
{
	return fields_known(r->body, names, &r->err);
}

/* The zone of a room's venue, or H_ENOTFOUND. */
static enum herr room_zone(struct request *r, uint64_t room_id, char **zone)
{
	struct places pl = {0};
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	*zone = NULL;
	if (ret != H_OK)
		return ret;
	if (!record_exists(&t, DBI_ROOM, room_id))
		ret = t.ret != H_OK ? t.ret
		                    : herror_set(&r->err, H_ENOTFOUND, "there is no room %llu",
		                                 (unsigned long long)room_id);
	else
		*zone = xstrdup(places_get(&pl, &t, room_id)->zone);
	places_free(&pl);
	db_read_end(&t);
	return ret;
}

/* A new request's body, judged by the core in its room's zone; strict: every other key
 * is refused (a series request judges its own keys). */
static enum herr booking_body_judge(struct request *r, bool strict, struct booking *b,
                                    bool *approve_now, char **zone)
{
	uint64_t room_id = 0;
	json_t *judged;
	enum herr ret;

	*zone = NULL;
	/* The room's zone reads the times, so the room comes first. */
	if ((ret = field_id(&room_id, r->body, "room_id", &r->err)) != H_OK)
		return ret;
	if (room_id == 0)
		return herror_set(&r->err, H_EINVAL, "room_id is required");
	if ((ret = room_zone(r, room_id, zone)) != H_OK ||
	    (ret = booking_fields_judge(r->body, BOOKING_NEW, *zone, strict, &judged, &r->err)) !=
	        H_OK)
		return ret;
	booking_fields_apply(b, judged);
	*approve_now = json_flag(judged, "approve", false);
	json_decref(judged);
	return H_OK;
}

enum herr booking_body(struct request *r, struct booking *b, bool *approve_now, char **zone)
{
	return booking_body_judge(r, false, b, approve_now, zone);
}

enum herr h_booking_create(struct request *r)
{
	struct booking_op *op = xcalloc(1, sizeof(*op));
	char *zone = NULL;
	enum herr ret;

	op->r = r;
	op->what = OP_REQUEST;
	booking_init(&op->b);
	ret = booking_body_judge(r, true, &op->b, &op->approve_now, &zone);
	free(zone);
	if (ret != H_OK) {
		booking_op_free(op);
		return ret;
	}
	commit_submit(r, booking_op_run, op, booking_op_done);
	return H_OK;
}

/* Loads booking id for the caller: H_ENOTFOUND when the caller may not see it at all.
 * *zone (may be NULL) receives the zone of its venue. */
enum herr booking_for_caller(struct request *r, uint64_t id, json_t **view, char **zone)
{
	struct places pl = {0};
	struct viewer v;
	struct booking b;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (view != NULL)
		*view = NULL;
	if (zone != NULL)
		*zone = NULL;
	if (ret != H_OK)
		return ret;
	viewer_load(r, &t, &v);
	ret = booking_get(&t, id, &b);
	if (ret == H_OK) {
		const struct place_entry *pe = places_get(&pl, &t, b.room_id);
		json_t *o = booking_view(&v, &b, pe);

		if (o == NULL)
			ret = herror_set(&r->err, H_ENOTFOUND, "there is no booking %llu",
			                 (unsigned long long)id);
		else if (zone != NULL)
			*zone = xstrdup(pe->zone);
		if (view != NULL)
			*view = o;
		else
			json_decref(o);
	}
	booking_free(&b);
	viewer_free(&v);
	places_free(&pl);
	db_read_end(&t);
	return ret;
}

enum herr h_booking_get(struct request *r)
{
	return booking_for_caller(r, r->ids[0], &r->reply, NULL);
}

enum herr h_booking_update(struct request *r)
{
	struct booking_op *op;
	json_t *fields;
	char *zone = NULL;
	enum herr ret = booking_for_caller(r, r->ids[0], NULL, &zone);

	if (ret == H_OK)
		ret = booking_fields_judge(r->body, BOOKING_EDIT, zone, true, &fields, &r->err);
	free(zone);
	if (ret != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = OP_UPDATE;
	op->id = r->ids[0];
	op->fields = fields;
	commit_submit(r, booking_op_run, op, booking_op_done);
	return H_OK;
}

static enum herr booking_decision(struct request *r, enum booking_what what)
{
	struct booking_op *op;
	json_t *note;
	enum herr ret;

	if (r->body != NULL) {
		static const char *const known[] = {"note", NULL};

		if ((ret = body_known(r, known)) != H_OK)
			return ret;
		note = json_object_get(r->body, "note");
		if (note != NULL && !json_is_string(note) && !json_is_null(note))
			return herror_set(&r->err, H_EINVAL, "note must be text");
	}
	if ((ret = booking_for_caller(r, r->ids[0], NULL, NULL)) != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = what;
	op->id = r->ids[0];
	op->note = r->body != NULL ? json_str(r->body, "note") : NULL;
	commit_submit(r, booking_op_run, op, booking_op_done);
	return H_OK;
}

enum herr h_booking_approve(struct request *r)
{
	return booking_decision(r, OP_APPROVE);
}

enum herr h_booking_decline(struct request *r)
{
	return booking_decision(r, OP_DECLINE);
}

enum herr h_booking_cancel(struct request *r)
{
	return booking_decision(r, OP_CANCEL);
}

/* Listing. */

struct booking_listing {
	struct txn *t;
	struct viewer *v;
	struct places *pl;
	json_t *items;
	bool by_group; /* filtered by group: slots without a group would tell it */
	struct page pg;
};

static bool booking_list_one(const struct booking *b, void *arg)
{
	struct booking_listing *l = arg;
	const struct place_entry *pe = places_get(l->pl, l->t, b->room_id);
	json_t *o;

	if (l->by_group && booking_view_level(l->v, b, pe->venue_id) < VIEW_PUBLIC)
		return true;
	o = booking_view(l->v, b, pe);
	if (o == NULL)
		return true;
	json_array_append_new(l->items, o);
	return !page_full(&l->pg);
}

/* A filter naming a record that does not exist is a mistake worth telling, as the room
 * and closure lists do, rather than an empty list. */
static enum herr filter_exists(struct request *r, struct txn *t, enum dbi d, const char *what,
                               uint64_t id)
{
	if (id == 0 || record_exists(t, d, id))
		return H_OK;
	if (t->ret != H_OK)
		return t->ret;
	return herror_set(&r->err, H_ENOTFOUND, "there is no %s %llu", what,
	                  (unsigned long long)id);
}

enum herr h_booking_list(struct request *r)
{
	static const char *const known[] = {"room", "group", "venue", "status", "from",
	                                    "to",   "limit", "after", NULL};
	struct booking_filter f;
	struct places pl = {0};
	struct viewer v;
	struct txn t;
	const char *status = request_query(r, "status");
	char *zone = NULL;
	struct booking_listing l = {.t = &t, .v = &v, .pl = &pl};
	bool has_from, has_to;
	enum herr ret;

	booking_filter_init(&f);
	if ((ret = query_known(r, known)) != H_OK ||
	    (ret = query_id(r, "room", &f.room_id)) != H_OK ||
	    (ret = query_id(r, "venue", &f.venue_id)) != H_OK ||
	    (ret = query_id(r, "group", &f.group_id)) != H_OK ||
	    (ret = page_read(r, 'b', &l.pg)) != H_OK)
		return ret;
	if (status != NULL) {
		enum booking_status s;

		if (booking_status_parse(status, &s) != 0)
			return herror_set(
			    &r->err, H_EINVAL,
			    "query parameter status must be pending, approved, declined "
			    "or cancelled");
		f.status = (int)s;
	}
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	viewer_load(r, &t, &v);
	if ((ret = filter_exists(r, &t, DBI_ROOM, "room", f.room_id)) != H_OK ||
	    (ret = filter_exists(r, &t, DBI_VENUE, "venue", f.venue_id)) != H_OK ||
	    (ret = filter_exists(r, &t, DBI_GROUP, "group", f.group_id)) != H_OK)
		goto out;
	if (f.room_id) {
		zone = xstrdup(places_get(&pl, &t, f.room_id)->zone);
	} else if (f.venue_id) {
		struct venue ven;

		if (venue_get(&t, f.venue_id, &ven) == H_OK)
			zone = xstrdup(ven.tz);
		venue_free(&ven);
	}
	if (zone == NULL)
		zone = xstrdup(TZ_DEFAULT);
	if ((ret = query_time(r, "from", zone, &f.from, &has_from)) != H_OK ||
	    (ret = query_time(r, "to", zone, &f.to, &has_to)) != H_OK)
		goto out;
	if (has_from && !has_to)
		f.to = INT64_MAX / 4;
	if (has_to && !has_from)
		f.from = INT64_MIN / 4;
	if ((has_from || has_to) && f.to <= f.from) {
		ret = herror_set(&r->err, H_EINVAL, "query parameter to must be after from");
		goto out;
	}
	l.items = json_array();
	l.by_group = f.group_id != 0;
	ret = booking_each_page(&t, &f, &l.pg.w, booking_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
out:
	free(zone);
	viewer_free(&v);
	places_free(&pl);
	db_read_end(&t);
	return ret;
}
