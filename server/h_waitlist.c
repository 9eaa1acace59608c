/* Waitlists with timed offers (docs/fair-access.md#waitlists-with-timed-offers).
 *
 *   GET    /api/v1/waitlist?room=&group=&venue=&state=
 *                                          the entries the caller may see (members: their
 *                                          groups'; managers: their venues'; admins: all)
 *   GET    /api/v1/waitlist/<id>
 *   POST   /api/v1/waitlist                {"room_id", "group_id", "start", "end",
 *                                          ["title"]} -> 201: joins a taken slot's line
 *   POST   /api/v1/waitlist/<id>/accept    [{"title", "description", "attendees",
 *                                          "public"}] -> 201 {"entry", "booking"}: the
 *                                          request made from an open offer
 *   POST   /api/v1/waitlist/<id>/decline   -> 200: the next group gets the offer
 *   DELETE /api/v1/waitlist/<id>           -> 200: leaves the line
 *
 * Every rule is the core's (waitlist.c, offer.c); what a reader sees, view.c's. */
#include "server.h"

#include "waitlist.h"

#include <stdlib.h>
#include <string.h>

static json_t *entry_json(struct txn *t, const struct waitlist_entry *e)
{
	struct places ps = {0};
	json_t *o = waitlist_entry_json(t, &ps, e);

	places_free(&ps);
	return o;
}

enum herr h_waitlist_list(struct request *r)
{
	static const char *const known[] = {"room", "group", "venue", "state", NULL};
	struct waitlist_filter f;
	const char *state;
	enum waitlist_state s;
	struct viewer v;
	struct txn t;
	enum herr ret;

	waitlist_filter_init(&f);
	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "room", &f.room_id)) != H_OK ||
	    (ret = request_query_id(r, "group", &f.group_id)) != H_OK ||
	    (ret = request_query_id(r, "venue", &f.venue_id)) != H_OK)
		return ret;
	if ((state = request_query(r, "state")) != NULL) {
		if (waitlist_state_parse(state, &s) != 0)
			return herror_set(
			    &r->err, H_EINVAL,
			    "state must be waiting, offered, accepted, declined, lapsed "
			    "or left");
		f.state = (int)s;
	}
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = waitlist_list(&t, &v, &f, &r->reply);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}

enum herr h_waitlist_get(struct request *r)
{
	struct viewer v;
	struct txn t;
	enum herr ret;

	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = waitlist_show(&t, &v, r->ids[0], &r->reply);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}

/* A join or an answer waiting for the group commit. */
struct waitlist_op {
	struct request *r;
	enum { WL_JOIN, WL_ACCEPT, WL_DECLINE, WL_LEAVE } what;
	json_t *out;
};

static json_t *accepted_json(struct txn *t, struct request *r, const struct booking *b)
{
	struct waitlist_entry e;
	struct places ps = {0};
	struct viewer v;
	json_t *o = json_object();

	if (waitlist_entry_get(t, r->ids[0], &e) == H_OK)
		json_object_set_new(o, "entry", waitlist_entry_json(t, &ps, &e));
	waitlist_entry_free(&e);
	request_viewer(r, t, &v);
	json_object_set_new(o, "booking", view_booking_json(t, &v, &ps, b));
	viewer_free(&v);
	places_free(&ps);
	return o;
}

static enum herr waitlist_op_run(struct txn *t, void *arg)
{
	struct waitlist_op *op = arg;
	struct request *r = op->r;
	struct waitlist_entry e;
	struct booking b;
	enum herr ret;

	json_decref(op->out);
	op->out = NULL;
	waitlist_entry_init(&e);
	booking_init(&b);
	switch (op->what) {
	case WL_ACCEPT:
		ret = waitlist_accept(t, &r->actor, r->ids[0], r->body, r->now, &b);
		if (ret == H_OK)
			op->out = accepted_json(t, r, &b);
		booking_free(&b);
		return ret;
	case WL_DECLINE:
		ret = waitlist_decline(t, &r->actor, r->ids[0], r->now, &e);
		break;
	case WL_LEAVE:
		ret = waitlist_leave(t, &r->actor, r->ids[0], r->now, &e);
		break;
	case WL_JOIN:
	default:
		ret = waitlist_join(t, &r->actor, r->body, r->now, &e);
		break;
	}
	if (ret == H_OK)
		op->out = entry_json(t, &e);
	waitlist_entry_free(&e);
	return ret;
}

static void waitlist_op_done(struct request *r, enum herr ret, void *arg)
{
	struct waitlist_op *op = arg;

	if (ret == H_OK) {
		r->reply = op->out;
		r->status = op->what == WL_JOIN || op->what == WL_ACCEPT ? 201 : 200;
		op->out = NULL;
	}
	json_decref(op->out);
	free(op);
	request_finish(r, ret);
}

static enum herr submit(struct request *r, int what)
{
	struct waitlist_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->what = what;
	commit_submit(r, waitlist_op_run, op, waitlist_op_done);
	return H_OK;
}

enum herr h_waitlist_join(struct request *r)
{
	return submit(r, WL_JOIN);
}

enum herr h_waitlist_accept(struct request *r)
{
	return submit(r, WL_ACCEPT);
}

enum herr h_waitlist_decline(struct request *r)
{
	return submit(r, WL_DECLINE);
}

enum herr h_waitlist_leave(struct request *r)
{
	return submit(r, WL_LEAVE);
}
