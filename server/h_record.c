/* Venues, rooms and groups: the same five verbs over the core's kind table (kind.h), as
 * `halls NOUN add|set|show|list|rm` does; and the removal of users (h_user.c has their
 * other verbs, since a password must be hashed and reading users is not for everyone). What a
 * caller may not see of a record is the kind's to take out (its redact, from view.h: a group's
 * contact is for signed-in callers). */
#include "server.h"

#include <string.h>

/* The caller's view of the records listed, each as the kind lets the caller see it. */
struct record_list {
	const struct kind *kind;
	struct viewer *v;
	json_t *items;
};

static bool record_list_one(const json_t *o, void *arg)
{
	struct record_list *l = arg;
	json_t *copy = json_deep_copy(o);

	if (l->kind->redact != NULL)
		l->kind->redact(l->v, copy);
	json_array_append_new(l->items, copy);
	return true;
}

enum herr h_record_list(struct request *r)
{
	const struct kind *k = r->route->arg;
	struct viewer v;
	struct record_list l = {k, &v, json_array()};
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret == H_OK) {
		request_viewer(r, &t, &v);
		ret = k->each(&t, record_list_one, &l);
		viewer_free(&v);
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
	struct viewer v;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = k->show(&t, r->ids[0], &r->reply);
	if (ret == H_OK && k == &kind_room) {
		/* A room as read carries its venue's name beside the venue's id. */
		struct places ps = {0};
		const char *venue = places_get(&ps, &t, r->ids[0])->venue.name;

		json_object_set_new(r->reply, "venue_name",
		                    venue != NULL ? json_string(venue) : json_null());
		places_free(&ps);
	}
	if (ret == H_OK && k->redact != NULL) {
		request_viewer(r, &t, &v);
		k->redact(&v, r->reply);
		viewer_free(&v);
	}
	db_read_end(&t);
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
