/* Venues, rooms and groups: the same five verbs over the core's kind table (kind.h), as
 * `halls NOUN add|set|show|list|rm` does. */
#include "server.h"

#include <string.h>

/* What anonymous callers (residents) may not see. */
static void record_redact(const struct request *r, json_t *o)
{
	if (!r->signed_in && r->route->arg == &kind_group)
		json_object_del(o, "contact");
}

struct record_list {
	struct request *r;
	json_t *items;
};

static bool record_list_one(const json_t *o, void *arg)
{
	struct record_list *l = arg;
	json_t *copy = json_deep_copy(o);

	record_redact(l->r, copy);
	json_array_append_new(l->items, copy);
	return true;
}

enum herr h_record_list(struct request *r)
{
	const struct kind *k = r->route->arg;
	struct record_list l = {r, json_array()};
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret == H_OK) {
		ret = k->each(&t, record_list_one, &l);
		db_read_end(&t);
	}
	if (ret == H_OK)
		r->reply = l.items;
	else
		json_decref(l.items);
	return ret;
}

enum herr h_record_get(struct request *r)
{
	const struct kind *k = r->route->arg;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = k->show(&t, r->ids[0], &r->reply);
	db_read_end(&t);
	if (ret == H_OK)
		record_redact(r, r->reply);
	return ret;
}

/* A create, update or removal waiting for the group commit. */
struct record_write {
	const struct kind *kind;
	struct request *r;
	uint64_t id;
	bool remove;
	json_t *out;
};

static enum herr record_write_run(struct txn *t, void *arg)
{
	struct record_write *w = arg;

	json_decref(w->out);
	w->out = NULL;
	if (w->remove)
		return w->kind->remove(t, &w->r->actor, w->id, w->r->now);
	return w->kind->save(t, &w->r->actor, w->id, w->r->body, w->r->now, &w->out);
}

static void record_write_done(struct request *r, enum herr ret, void *arg)
{
	struct record_write *w = arg;

	if (ret == H_OK) {
		r->reply = w->out;
		r->status = w->remove ? 204 : w->id == 0 ? 201 : 200;
		w->out = NULL;
	}
	json_decref(w->out);
	free(w);
	request_finish(r, ret);
}

static enum herr record_write_submit(struct request *r, uint64_t id, bool remove)
{
	struct record_write *w = xcalloc(1, sizeof(*w));

	w->kind = r->route->arg;
	w->r = r;
	w->id = id;
	w->remove = remove;
	commit_submit(r, record_write_run, w, record_write_done);
	return H_OK;
}

enum herr h_record_create(struct request *r)
{
	return record_write_submit(r, 0, false);
}

enum herr h_record_update(struct request *r)
{
	return record_write_submit(r, r->ids[0], false);
}

enum herr h_record_delete(struct request *r)
{
	return record_write_submit(r, r->ids[0], true);
}
