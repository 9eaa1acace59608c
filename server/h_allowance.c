/* Allowances: hours a group may book per period (docs/fair-access.md#allowances).
 *
 *   GET    /api/v1/allowances?venue=&group=&at=   allowance_list: every allowance (they are
 *                                          published rules), each with "use" in the
 *                                          period containing at (default now) for the
 *                                          group's members, the venue's managers and
 *                                          admins, else "use": null
 *   GET    /api/v1/allowances/<id>?at=
 *   POST   /api/v1/allowances              {"group_id", "venue_id" (null: the borough),
 *                                          "room_ids", "period", "terms", "hours" |
 *                                          "minutes", "over", "note"} -> 201
 *   PATCH  /api/v1/allowances/<id>         the same but group_id and venue_id -> 200
 *   DELETE /api/v1/allowances/<id>         -> 204
 *
 * Who may change which allowance, and who sees its use, is the core's (allowance.c,
 * policy.c, view.c). */
#include "server.h"

#include <stdlib.h>

/* ?at=: a date or time read in the venue's zone (Europe/London without a venue). */
static enum herr allowance_at(struct request *r, uint64_t venue, int64_t *at)
{
	char *zone = NULL;
	bool present = false;
	enum herr ret = H_OK;

	*at = r->now;
	if (venue != 0)
		ret = place_zone_read(r->srv->db, venue, 0, &zone, &r->err);
	if (ret == H_OK)
		ret = request_query_time(r, "at", zone != NULL ? zone : TZ_DEFAULT, at, &present);
	if (ret == H_OK && !present)
		*at = r->now;
	free(zone);
	return ret;
}

enum herr h_allowance_list(struct request *r)
{
	static const char *const known[] = {"venue", "group", "at", NULL};
	uint64_t venue, group;
	int64_t at;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = request_query_id(r, "group", &group)) != H_OK ||
	    (ret = allowance_at(r, venue, &at)) != H_OK ||
	    (ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = allowance_list(&t, request_reader(r), venue, group, at, &r->reply);
	db_read_end(&t);
	return ret;
}

enum herr h_allowance_get(struct request *r)
{
	static const char *const known[] = {"at", NULL};
	struct allowance al;
	int64_t at;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = allowance_at(r, 0, &at)) != H_OK ||
	    (ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = allowance_get(&t, r->ids[0], &al);
	if (ret == H_OK)
		ret = allowance_view_json(&t, request_reader(r), &al, at, &r->reply);
	allowance_free(&al);
	db_read_end(&t);
	return ret;
}

/* A create, change or removal waiting for the group commit. */
struct allowance_op {
	struct request *r;
	enum { ALLOWANCE_OP_CREATE, ALLOWANCE_OP_CHANGE, ALLOWANCE_OP_REMOVE } what;
	uint64_t id;
	json_t *out;
};

static enum herr allowance_op_run(struct txn *t, void *arg)
{
	struct allowance_op *op = arg;
	const struct actor *a = &op->r->actor;
	struct allowance al;
	enum herr ret;

	json_decref(op->out);
	op->out = NULL;
	switch (op->what) {
	case ALLOWANCE_OP_REMOVE:
		return allowance_remove(t, a, op->id, op->r->now);
	case ALLOWANCE_OP_CHANGE:
		ret = allowance_update(t, a, op->id, op->r->body, op->r->now);
		break;
	case ALLOWANCE_OP_CREATE:
	default:
		ret = allowance_create(t, a, op->r->body, op->r->now, &op->id);
		break;
	}
	if (ret != H_OK || allowance_get(t, op->id, &al) != H_OK)
		return t->ret;
	ret = allowance_view_json(t, a, &al, op->r->now, &op->out);
	allowance_free(&al);
	return ret;
}

static void allowance_op_done(struct request *r, enum herr ret, void *arg)
{
	struct allowance_op *op = arg;

	if (ret == H_OK) {
		r->reply = op->out;
		r->status = op->what == ALLOWANCE_OP_REMOVE   ? 204
		            : op->what == ALLOWANCE_OP_CREATE ? 201
		                                              : 200;
		op->out = NULL;
	}
	json_decref(op->out);
	free(op);
	request_finish(r, ret);
}

static enum herr allowance_submit(struct request *r, int what)
{
	struct allowance_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->what = what;
	op->id = what == ALLOWANCE_OP_CREATE ? 0 : r->ids[0];
	commit_submit(r, allowance_op_run, op, allowance_op_done);
	return H_OK;
}

enum herr h_allowance_create(struct request *r)
{
	return allowance_submit(r, ALLOWANCE_OP_CREATE);
}

enum herr h_allowance_update(struct request *r)
{
	return allowance_submit(r, ALLOWANCE_OP_CHANGE);
}

enum herr h_allowance_delete(struct request *r)
{
	return allowance_submit(r, ALLOWANCE_OP_REMOVE);
}
