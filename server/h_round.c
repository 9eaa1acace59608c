/* Allocation rounds for weekly slots (server/core/round.h).
 *
 *   GET    /api/v1/rounds?venue=                   every round (or a venue's), as shown
 *   GET    /api/v1/rounds/<id>                     one round: slots, classes, deadline,
 *                                                  commitment (the seed after the deadline)
 *   POST   /api/v1/rounds                          open one (managers of the venue) -> 201
 *   PATCH  /api/v1/rounds/<id>                     change it before the deadline
 *   GET    /api/v1/rounds/<id>/applications        those the caller may see
 *   POST   /api/v1/rounds/<id>/applications        {"group_id", "preferences"} -> 201
 *   PATCH  /api/v1/rounds/<id>/applications/<id>   {"preferences"}
 *   DELETE /api/v1/rounds/<id>/applications/<id>   withdraw -> 204
 *   POST   /api/v1/rounds/<id>/allocate            after the deadline (managers) -> result
 *   GET    /api/v1/rounds/<id>/inputs              what the allocation used (once allocated)
 *   GET    /api/v1/rounds/<id>/result              what it gave, with explanations
 *
 * Rounds, their inputs and results are public: they name groups and slots, never people.
 * Every rule is the core's; writes go through the group commit. */
#include "server.h"

#include "round.h"

#include <stdlib.h>
#include <string.h>

enum round_what {
	ROUND_OPEN,
	ROUND_PATCH,
	ROUND_APPLY,
	ROUND_APP_PATCH,
	ROUND_APP_DELETE,
	ROUND_ALLOCATE,
};

struct round_op {
	struct request *r;
	enum round_what what;
	json_t *out;
};

static enum herr round_op_run(struct txn *t, void *arg)
{
	struct round_op *op = arg;
	struct request *r = op->r;
	const struct actor *a = &r->actor;

	json_decref(op->out);
	op->out = NULL;
	switch (op->what) {
	case ROUND_OPEN:
		return round_open(t, a, r->body, NULL, NULL, r->now, &op->out);
	case ROUND_PATCH:
		return round_update(t, a, r->ids[0], r->body, r->now, &op->out);
	case ROUND_APPLY:
		return round_apply(t, a, r->ids[0], r->body, r->now, &op->out);
	case ROUND_APP_PATCH:
		return round_application_update(t, a, r->ids[0], r->ids[1], r->body, r->now,
		                                &op->out);
	case ROUND_APP_DELETE:
		return round_application_withdraw(t, a, r->ids[0], r->ids[1], r->now);
	case ROUND_ALLOCATE:
	default:
		return round_allocate(t, a, r->ids[0], r->now, &op->out);
	}
}

static void round_op_done(struct request *r, enum herr ret, void *arg)
{
	struct round_op *op = arg;

	if (ret == H_OK) {
		r->reply = op->out;
		op->out = NULL;
		r->status = op->what == ROUND_APP_DELETE                        ? 204
		            : op->what == ROUND_OPEN || op->what == ROUND_APPLY ? 201
		                                                                : 200;
	}
	json_decref(op->out);
	free(op);
	request_finish(r, ret);
}

static enum herr round_submit(struct request *r, enum round_what what)
{
	struct round_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->what = what;
	commit_submit(r, round_op_run, op, round_op_done);
	return H_OK;
}

enum herr h_round_open(struct request *r)
{
	return round_submit(r, ROUND_OPEN);
}

enum herr h_round_update(struct request *r)
{
	return round_submit(r, ROUND_PATCH);
}

enum herr h_round_apply(struct request *r)
{
	return round_submit(r, ROUND_APPLY);
}

enum herr h_round_application_update(struct request *r)
{
	return round_submit(r, ROUND_APP_PATCH);
}

enum herr h_round_application_delete(struct request *r)
{
	return round_submit(r, ROUND_APP_DELETE);
}

enum herr h_round_allocate(struct request *r)
{
	return round_submit(r, ROUND_ALLOCATE);
}

/* Reads. */

enum herr h_round_list(struct request *r)
{
	static const char *const known[] = {"venue", NULL};
	uint64_t venue;
	struct txn t;
	enum herr ret;
	json_t *items;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	items = json_array();
	ret = round_list(&t, venue, r->now, items);
	if (ret == H_OK)
		r->reply = items;
	else
		json_decref(items);
	db_read_end(&t);
	return ret;
}

enum herr h_round_get(struct request *r)
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = round_show(&t, r->ids[0], r->now, &r->reply);
	db_read_end(&t);
	return ret;
}

enum herr h_round_applications(struct request *r)
{
	struct txn t;
	json_t *items;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	items = json_array();
	ret = round_applications(&t, request_reader(r), r->ids[0], r->now, items);
	if (ret == H_OK)
		r->reply = items;
	else
		json_decref(items);
	db_read_end(&t);
	return ret;
}

static enum herr round_read(struct request *r, enum herr (*read)(struct txn *, uint64_t, json_t **))
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = read(&t, r->ids[0], &r->reply);
	db_read_end(&t);
	return ret;
}

enum herr h_round_inputs(struct request *r)
{
	return round_read(r, round_inputs);
}

enum herr h_round_result(struct request *r)
{
	return round_read(r, round_result);
}
