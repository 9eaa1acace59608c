/* Date sets over HTTP (docs/fair-access.md, "Date sets").
 *
 *   GET    /api/v1/date-sets?venue=&limit=&after=
 *                                          every set (venue: the venue's and the
 *                                          borough's), by id, paged
 *   GET    /api/v1/date-sets/<id>
 *   POST   /api/v1/date-sets               {"name", "description", "venue_id" (null: the
 *                                          borough), "dates"} -> 201
 *   PATCH  /api/v1/date-sets/<id>          {"name", "description", "dates", "add",
 *                                          "remove"}, any of them -> 200
 *   DELETE /api/v1/date-sets/<id>          -> 204; 409 while a closure or series uses it
 *   POST   /api/v1/date-sets/import        {"ics": the calendar file's text, "name",
 *                                          "description", "venue_id"} -> 201, or with
 *                                          "into": a set's id, its dates added -> 200;
 *                                          {"date_set", "import": {"events", "added",
 *                                          "duplicates", "skipped", "notes"}}
 *
 * The import takes JSON, like every other write of the API, so that a page sends the
 * file's text as read by the browser and the server's body limit (--max-body) applies as
 * to any body. Sets are public, as closures are: residents see why a date is skipped.
 * The rules are the core's (date_set.c, date_set_write.c). */
#include "server.h"

#include "date_set.h"
#include "date_set_ics.h"

#include <stdlib.h>
#include <string.h>

struct date_set_listing {
	json_t *items;
	struct page pg;
};

static bool date_set_list_one(const struct date_set *s, void *arg)
{
	struct date_set_listing *l = arg;

	json_array_append_new(l->items, date_set_to_json_local(s));
	return !page_full(&l->pg);
}

enum herr h_date_set_list(struct request *r)
{
	static const char *const known[] = {"venue", "limit", "after", NULL};
	struct date_set_listing l = {0};
	uint64_t venue;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = page_read(r, 'd', &l.pg)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	l.items = json_array();
	ret = date_set_each(&t, venue != 0 ? venue : UINT64_MAX, &l.pg.w, date_set_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
	db_read_end(&t);
	return ret;
}

enum herr h_date_set_get(struct request *r)
{
	struct date_set s;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = date_set_get(&t, r->ids[0], &s);
	if (ret == H_OK)
		r->reply = date_set_to_json_local(&s);
	date_set_free(&s);
	db_read_end(&t);
	return ret;
}

/* A write waiting for the group commit. */
struct date_set_op {
	struct request *r;
	enum { DS_CREATE, DS_UPDATE, DS_REMOVE, DS_IMPORT } what;
	struct date_set s; /* create, import: the new set's fields */
	uint64_t id;       /* update, remove; import: into (0: a new set) */
	json_t *fields;    /* update */
	char *ics;         /* import */
	size_t ics_len;
	struct date_set_ics_report rep;
	json_t *out;
};

static void date_set_op_free(struct date_set_op *op)
{
	date_set_free(&op->s);
	json_decref(op->fields);
	json_decref(op->out);
	free(op->ics);
	free(op);
}

/* Runs again after the map grows: works on a copy of the fields each time. */
static enum herr date_set_op_run(struct txn *t, void *arg)
{
	struct date_set_op *op = arg;
	const struct actor *a = &op->r->actor;
	struct date_set s;
	enum herr ret;

	json_decref(op->out);
	op->out = NULL;
	date_set_init(&s);
	switch (op->what) {
	case DS_REMOVE:
		return date_set_remove(t, a, op->id, op->r->now);
	case DS_UPDATE:
		ret = date_set_update(t, a, op->id, op->fields, op->r->now, &s);
		break;
	case DS_IMPORT:
	case DS_CREATE:
	default:
		date_set_copy(&s, &op->s);
		ret = op->what == DS_CREATE ? date_set_create(t, a, &s, op->r->now)
		                            : date_set_import(t, a, &s, op->id, op->ics,
		                                              op->ics_len, op->r->now, &op->rep);
		break;
	}
	if (ret == H_OK) {
		op->out = date_set_to_json_local(&s);
		if (op->what == DS_IMPORT)
			op->out = json_pack("{s:o, s:o}", "date_set", op->out, "import",
			                    date_set_ics_report_json(&op->rep));
	}
	date_set_free(&s);
	return ret;
}

static void date_set_op_done(struct request *r, enum herr ret, void *arg)
{
	struct date_set_op *op = arg;

	if (ret == H_OK) {
		r->reply = op->out;
		op->out = NULL;
		r->status = op->what == DS_REMOVE                  ? 204
		            : op->what == DS_CREATE                ? 201
		            : op->what == DS_IMPORT && op->id == 0 ? 201
		                                                   : 200;
	}
	date_set_op_free(op);
	request_finish(r, ret);
}

static struct date_set_op *op_new(struct request *r, int what)
{
	struct date_set_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->what = what;
	date_set_init(&op->s);
	return op;
}

enum herr h_date_set_create(struct request *r)
{
	static const char *const known[] = {"name", "description", "venue_id", "dates", NULL};
	struct date_set_op *op;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	op = op_new(r, DS_CREATE);
	if ((ret = date_set_from_json(r->body, &op->s, &r->err)) != H_OK) {
		date_set_op_free(op);
		return ret;
	}
	commit_submit(r, date_set_op_run, op, date_set_op_done);
	return H_OK;
}

enum herr h_date_set_update(struct request *r)
{
	struct date_set_op *op = op_new(r, DS_UPDATE);

	op->id = r->ids[0];
	op->fields = json_incref(r->body);
	commit_submit(r, date_set_op_run, op, date_set_op_done);
	return H_OK;
}

enum herr h_date_set_delete(struct request *r)
{
	struct date_set_op *op = op_new(r, DS_REMOVE);

	op->id = r->ids[0];
	commit_submit(r, date_set_op_run, op, date_set_op_done);
	return H_OK;
}

enum herr h_date_set_import(struct request *r)
{
	static const char *const known[] = {"ics", "name", "description", "venue_id", "into", NULL};
	const json_t *ics = json_object_get(r->body, "ics");
	json_t *fields;
	struct date_set_op *op;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	if (!json_is_string(ics))
		return herror_set(&r->err, H_EINVAL, "ics must be the calendar file's text");
	op = op_new(r, DS_IMPORT);
	if ((ret = field_id(&op->id, r->body, "into", &r->err)) != H_OK) {
		date_set_op_free(op);
		return ret;
	}
	/* The new set's fields, judged as a new set's; the name may come from the file. */
	fields = json_deep_copy(r->body);
	json_object_del(fields, "ics");
	json_object_del(fields, "into");
	if (json_object_get(fields, "name") == NULL)
		json_object_set_new(fields, "name", json_string("(from the file)"));
	ret = date_set_from_json(fields, &op->s, &r->err);
	if (ret == H_OK && json_object_get(r->body, "name") == NULL) {
		free(op->s.name);
		op->s.name = NULL;
	}
	json_decref(fields);
	if (ret != H_OK) {
		date_set_op_free(op);
		return ret;
	}
	op->ics_len = json_string_length(ics);
	op->ics = xmalloc(op->ics_len + 1);
	memcpy(op->ics, json_string_value(ics), op->ics_len + 1);
	commit_submit(r, date_set_op_run, op, date_set_op_done);
	return H_OK;
}
