/* Bookings over HTTP.
 *
 *   POST  /api/v1/bookings                 a request -> 201 (pending, or approved)
 *   GET   /api/v1/bookings?room=&venue=&group=&status=&from=&to=&limit=&after=   paged
 *   GET   /api/v1/bookings/<id>
 *   PATCH /api/v1/bookings/<id>            title, description, attendees, public, start, end
 *   POST  /api/v1/bookings/<id>/approve    {"note"}, body optional (also decline, cancel);
 *                                          approve also takes "override_allowance": true,
 *                                          the manager's approval over an allowance
 *
 * Each booking is shown as the caller may see it (view.h: in full, public without the
 * decision's note, or as a busy slot). A booking the caller may not see at all is
 * answered 404, never 403, and is left out of lists and of the ids a 409 names. A request
 * or move refused for its slot (taken, closed, outside the hours) is answered with
 * "suggestions": free slots of the same length nearby (avail_suggest). */
#include "server.h"

#include <stdlib.h>
#include <string.h>

/* Writes. */

enum booking_what { OP_REQUEST, OP_APPROVE, OP_DECLINE, OP_CANCEL, OP_UPDATE };

struct booking_op {
	struct request *r;
	enum booking_what what;
	uint64_t id;
	struct booking b; /* request */
	bool approve_now;
	bool override;    /* approve: over the group's allowances */
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
	struct places ps = {0};
	struct viewer v;
	json_t *o;

	request_viewer(r, t, &v);
	o = view_booking_json(t, &v, &ps, b);
	viewer_free(&v);
	places_free(&ps);
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
		ret = op->override ? booking_approve_overriding(t, a, op->id, op->note, now, &out)
		                   : booking_approve(t, a, op->id, op->note, now, &out);
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

/* Suggestions: when a request or a move is refused for its slot (taken, closed, outside
 * the hours), the problem body offers free slots of the same length nearby
 * (avail_suggest), read after the refusal in a transaction of their own. */

static bool refused_for_slot(enum herr ret)
{
	return ret == H_ECONFLICT || ret == H_RULE_HOURS || ret == H_RULE_CLOSED;
}

static json_t *slots_json(struct txn *t, const struct avail_slot *slots, size_t n, const char *zone)
{
	struct places ps = {0};
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++) {
		const char *name = places_get(&ps, t, slots[i].room_id)->room.name;
		json_t *o = json_pack("{s:I, s:s?}", "room_id", (json_int_t)slots[i].room_id,
		                      "room_name", name);

		reply_time(o, "start", slots[i].start, zone);
		reply_time(o, "end", slots[i].end, zone);
		json_array_append_new(list, o);
	}
	places_free(&ps);
	return list;
}

/* The booking the refused operation wanted: the request, or the booking moved. */
static bool wanted_booking(struct txn *t, const struct booking_op *op, struct booking *out)
{
	if (op->what == OP_REQUEST) {
		/* The numbers only: out owns no text. */
		out->room_id = op->b.room_id;
		out->start = op->b.start;
		out->end = op->b.end;
		out->attendees = op->b.attendees;
		return true;
	}
	/* As booking_update moves it: a start alone keeps the length. */
	return booking_get(t, op->id, out) == H_OK && booking_apply(t, out, op->fields) == H_OK;
}

/* Sets the problem body's "suggestions" for booking b (room, times, attendees) at p. */
static void suggest_for(struct request *r, struct txn *t, const struct place *p,
                        const struct booking *b)
{
	struct avail_slot slots[AVAIL_SUGGEST_MAX];
	struct avail_want w = {&p->room, &p->venue, b->start, b->end, b->attendees, r->now};
	size_t n = avail_suggest(t, &w, slots, AVAIL_SUGGEST_MAX);

	if (t->ret != H_OK)
		return;
	json_decref(r->problem_extra);
	r->problem_extra = json_pack("{s:o}", "suggestions", slots_json(t, slots, n, p->venue.tz));
}

static void booking_suggest(struct request *r, const struct booking_op *op)
{
	struct herror scratch;
	struct booking b;
	struct txn t;

	herror_clear(&scratch);
	if (db_read_begin(r->srv->db, &t, &scratch) != H_OK)
		return;
	booking_init(&b);
	if (wanted_booking(&t, op, &b)) {
		struct place p;

		if (place_load(&t, b.room_id, &p) == H_OK)
			suggest_for(r, &t, &p, &b);
		place_free(&p);
	}
	booking_free(&b);
	db_read_end(&t);
}

static void booking_op_done(struct request *r, enum herr ret, void *arg)
{
	struct booking_op *op = arg;

	if (ret == H_OK) {
		if (op->what == OP_APPROVE) {
			op->npending = request_visible_bookings(r, op->pending, op->npending);
			json_object_set_new(op->out, "conflicting_pending",
			                    json_ids_new(op->pending, op->npending));
		}
		r->reply = op->out;
		op->out = NULL;
		r->status = op->what == OP_REQUEST ? 201 : 200;
	} else if (ret == H_ECONFLICT) {
		r->err.nconflicts =
		    request_visible_bookings(r, r->err.conflicts, r->err.nconflicts);
	}
	if (refused_for_slot(ret) && (op->what == OP_REQUEST || op->what == OP_UPDATE))
		booking_suggest(r, op);
	booking_op_free(op);
	request_finish(r, ret);
}

enum herr h_booking_create(struct request *r)
{
	struct booking_op *op = xcalloc(1, sizeof(*op));
	char *zone = NULL;
	enum herr ret;

	op->r = r;
	op->what = OP_REQUEST;
	booking_init(&op->b);
	ret = request_booking(r, true, &op->b, &op->approve_now, &zone);
	free(zone);
	if (ret != H_OK) {
		booking_op_free(op);
		return ret;
	}
	commit_submit(r, booking_op_run, op, booking_op_done);
	return H_OK;
}

/* Booking id as the caller may see it (*view, may be NULL), and its venue's zone (*zone,
 * may be NULL, malloc'd); H_ENOTFOUND when the caller may not see it at all. */
static enum herr booking_seen(struct request *r, uint64_t id, json_t **view, char **zone)
{
	struct viewer v;
	struct txn t;
	json_t *o = NULL;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (view != NULL)
		*view = NULL;
	if (zone != NULL)
		*zone = NULL;
	if (ret != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = view_booking_get(&t, &v, id, &o, zone);
	if (view != NULL)
		*view = o;
	else
		json_decref(o);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}

enum herr h_booking_get(struct request *r)
{
	return booking_seen(r, r->ids[0], &r->reply, NULL);
}

enum herr h_booking_update(struct request *r)
{
	struct booking_op *op;
	json_t *fields;
	char *zone = NULL;
	enum herr ret = booking_seen(r, r->ids[0], NULL, &zone);

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

	json_t *override = NULL;

	if (r->body != NULL) {
		static const char *const known[] = {"note", NULL};
		static const char *const approve_known[] = {"note", "override_allowance", NULL};

		if ((ret = request_body_known(r, what == OP_APPROVE ? approve_known : known)) !=
		    H_OK)
			return ret;
		note = json_object_get(r->body, "note");
		if (note != NULL && !json_is_string(note) && !json_is_null(note))
			return herror_set(&r->err, H_EINVAL, "note must be text");
		override = json_object_get(r->body, "override_allowance");
		if (override != NULL && !json_is_boolean(override))
			return herror_set(&r->err, H_EINVAL,
			                  "override_allowance must be true or false");
	}
	if ((ret = booking_seen(r, r->ids[0], NULL, NULL)) != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = what;
	op->id = r->ids[0];
	op->note = r->body != NULL ? json_str(r->body, "note") : NULL;
	op->override = json_is_true(override);
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
	struct places *ps;
	const struct booking_filter *f;
	json_t *items;
	struct page pg;
};

static bool booking_list_one(const struct booking *b, void *arg)
{
	struct booking_listing *l = arg;
	json_t *o = view_booking_listed(l->t, l->v, l->ps, b, l->f);

	if (o == NULL)
		return true;
	json_array_append_new(l->items, o);
	return !page_full(&l->pg);
}

enum herr h_booking_list(struct request *r)
{
	static const char *const known[] = {"room", "group", "venue", "status", "from",
	                                    "to",   "limit", "after", NULL};
	struct booking_filter f;
	struct places ps = {0};
	struct viewer v;
	struct txn t;
	const char *status = request_query(r, "status");
	char *zone = NULL;
	struct booking_listing l = {.t = &t, .v = &v, .ps = &ps, .f = &f};
	bool has_from, has_to;
	enum herr ret;

	booking_filter_init(&f);
	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "room", &f.room_id)) != H_OK ||
	    (ret = request_query_id(r, "venue", &f.venue_id)) != H_OK ||
	    (ret = request_query_id(r, "group", &f.group_id)) != H_OK ||
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
	request_viewer(r, &t, &v);
	/* Asked before the times are read in the filter's zone, which a missing room has
	 * not; booking_each_page would refuse it too. */
	if ((ret = booking_filter_need(&t, &f)) != H_OK)
		goto out;
	place_zone(&t, f.venue_id, f.room_id, &zone);
	if ((ret = request_query_time(r, "from", zone, &f.from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "to", zone, &f.to, &has_to)) != H_OK)
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
	ret = booking_each_page(&t, &f, &l.pg.w, booking_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
out:
	free(zone);
	viewer_free(&v);
	places_free(&ps);
	db_read_end(&t);
	return ret;
}
