/* The audit log over HTTP.
 *
 *   GET /api/v1/audit?booking=&venue=&limit=&after=   oldest first, paged
 *
 * Who may read the log, and which entries, is the core's (view.h:
 * view_audit_each_page): admins see every entry; managers the entries
 * about their venues; members are refused (403) and anonymous callers must sign in
 * (401). Each entry is as `halls audit --json` prints it. */
#include "server.h"

struct audit_listing {
	json_t *items;
	struct page pg;
};

static bool audit_list_one(const json_t *e, void *arg)
{
	struct audit_listing *l = arg;

	json_array_append_new(l->items, json_deep_copy(e));
	return !page_full(&l->pg);
}

enum herr h_audit_list(struct request *r)
{
	static const char *const known[] = {"booking", "venue", "limit", "after", NULL};
	struct audit_listing l = {0};
	struct viewer v;
	uint64_t booking, venue;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "booking", &booking)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = page_read(r, 'a', &l.pg)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	l.items = json_array();
	ret = view_audit_each_page(&t, &v, booking, venue, &l.pg.w, audit_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}
