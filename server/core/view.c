#include "view.h"

#include "hold.h"

#include "audit.h"

#include "policy.h"
#include "record.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The reader. */

void viewer_load(struct txn *t, const struct actor *a, struct viewer *v)
{
	memset(v, 0, sizeof(*v));
	user_init(&v->u);
	if (a == NULL)
		return;
	if (a->user_id == 0) {
		v->known = v->console = true;
		return;
	}
	/* Asked first, so that a user who has gone leaves no message in t->err. */
	if (record_exists(t, DBI_USER, a->user_id) && user_get(t, a->user_id, &v->u) == H_OK) {
		v->known = true;
		return;
	}
	user_free(&v->u);
	user_init(&v->u);
}

void viewer_free(struct viewer *v)
{
	user_free(&v->u);
	v->known = v->console = false;
}

bool viewer_admin(const struct viewer *v)
{
	return v->console || (v->known && policy_user_admin(&v->u));
}

bool viewer_manages(const struct viewer *v, uint64_t venue_id)
{
	return v->console || (v->known && policy_user_manages(&v->u, venue_id));
}

bool viewer_member_of(const struct viewer *v, uint64_t group_id)
{
	return v->known && !v->console && policy_user_member_of(&v->u, group_id);
}

/* Bookings. */

enum view view_booking(const struct viewer *v, const struct booking *b, uint64_t venue_id)
{
	if (viewer_manages(v, venue_id) || viewer_member_of(v, b->group_id))
		return VIEW_FULL;
	if (b->status != BOOKING_APPROVED)
		return VIEW_NONE;
	return b->public ? VIEW_PUBLIC : VIEW_BUSY;
}

static void set_time(json_t *o, const char *key, int64_t t, const char *zone)
{
	char when[32];

	time_format(t, zone, when);
	json_object_set_new(o, key, json_string(when));
}

/* An approved private booking as others see it: that the room is taken, and when. */
static json_t *busy_slot_json(const struct booking *b, const char *zone)
{
	json_t *o = json_pack("{s:n, s:I, s:s, s:b, s:s}", "id", "room_id", (json_int_t)b->room_id,
	                      "status", "approved", "busy", 1, "title", "Booked");

	set_time(o, "start", b->start, zone);
	set_time(o, "end", b->end, zone);
	return o;
}

static void set_name(json_t *o, const char *key, const char *name)
{
	json_object_set_new(o, key, name != NULL ? json_string(name) : json_null());
}

/* Where: the room and venue by name beside their ids. */
static void set_place_names(json_t *o, const struct place *p)
{
	set_name(o, "room_name", p->room.name);
	json_object_set_new(o, "venue_id", json_integer((json_int_t)p->room.venue_id));
	set_name(o, "venue_name", p->venue.name);
}

/* What stands in the way of approving a request, for those who decide it: "conflicts",
 * the approved bookings of its room too close to it (buffers counted), which would make
 * an approval 409; and "conflicting_pending", the other requests for the same time,
 * which an approval would put out of reach. The index walk approval itself makes, so no
 * page restates the rule. */
struct in_the_way {
	uint64_t self;
	json_t *approved, *pending;
};

static bool gather_in_the_way(const struct block *blk, void *arg)
{
	struct in_the_way *w = arg;

	if (blk->booking_id != w->self)
		json_array_append_new(blk->status == BOOKING_APPROVED ? w->approved : w->pending,
		                      json_integer((json_int_t)blk->booking_id));
	return true;
}

static void set_in_the_way(struct txn *t, const struct place *p, const struct booking *b, json_t *o)
{
	struct in_the_way w = {b->id, json_array(), json_array()};

	if (booking_blocks(t, b->room_id, -1, b->start, b->end, room_gap_seconds(&p->room),
	                   gather_in_the_way, &w) == H_OK) {
		json_object_set(o, "conflicts", w.approved);
		json_object_set(o, "conflicting_pending", w.pending);
	}
	json_decref(w.approved);
	json_decref(w.pending);
}

/* A pending request's provisional hold (hold.h), for those who see it in full: when it
 * ends, for the pages' "Held until ...". */
static void set_hold(struct txn *t, const struct place *p, const struct booking *b, json_t *o)
{
	struct hold h;
	char when[32];

	if (b->status != BOOKING_PENDING || hold_get(t, b->id, &h) != 1)
		return;
	time_format(h.until, p->venue.tz, when);
	json_object_set_new(o, "held_until", json_string(when));
	json_object_set_new(o, "held_until_ts", json_integer(h.until));
}

json_t *view_booking_json(struct txn *t, const struct viewer *v, struct places *ps,
                          const struct booking *b)
{
	const struct place *p = places_get(ps, t, b->room_id);
	json_t *o;

	switch (view_booking(v, b, p->room.venue_id)) {
	case VIEW_NONE:
		return NULL;
	case VIEW_BUSY:
		/* Where, but never whose. */
		o = busy_slot_json(b, p->venue.tz);
		set_place_names(o, p);
		return o;
	case VIEW_PUBLIC:
		/* The record, but the reason given with the decision is for the group. */
		o = booking_to_json_local(b, p->venue.tz);
		json_object_set_new(o, "note", json_null());
		break;
	case VIEW_FULL:
	default:
		o = booking_to_json_local(b, p->venue.tz);
		if (b->status == BOOKING_PENDING && viewer_manages(v, p->room.venue_id))
			set_in_the_way(t, p, b, o);
		set_hold(t, p, b, o);
		break;
	}
	set_place_names(o, p);
	set_name(o, "group_name", places_group_name(ps, t, b->group_id));
	return o;
}

json_t *view_booking_listed(struct txn *t, const struct viewer *v, struct places *ps,
                            const struct booking *b, const struct booking_filter *f)
{
	if (f->group_id != 0 &&
	    view_booking(v, b, places_get(ps, t, b->room_id)->room.venue_id) < VIEW_PUBLIC)
		return NULL;
	return view_booking_json(t, v, ps, b);
}

enum herr view_booking_get(struct txn *t, const struct viewer *v, uint64_t id, json_t **out,
                           char **zone)
{
	struct places ps = {0};
	struct booking b;
	enum herr ret = booking_get(t, id, &b);

	*out = NULL;
	if (zone != NULL)
		*zone = NULL;
	if (ret == H_OK) {
		*out = view_booking_json(t, v, &ps, &b);
		if (*out == NULL)
			ret = record_not_found(t, "booking", id);
		else if (zone != NULL)
			*zone = xstrdup(places_get(&ps, t, b.room_id)->venue.tz);
	}
	booking_free(&b);
	places_free(&ps);
	return ret;
}

size_t view_booking_ids(struct txn *t, const struct viewer *v, uint64_t *ids, size_t n)
{
	struct places ps = {0};
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		struct booking b;

		if (booking_get(t, ids[i], &b) == H_OK &&
		    view_booking(v, &b, places_get(&ps, t, b.room_id)->room.venue_id) >=
		        VIEW_PUBLIC)
			ids[kept++] = ids[i];
		booking_free(&b);
	}
	places_free(&ps);
	return kept;
}

/* Series. */

bool view_series(const struct viewer *v, const struct series *s, uint64_t venue_id)
{
	return s->public || viewer_manages(v, venue_id) || viewer_member_of(v, s->group_id);
}

enum herr view_series_get(struct txn *t, const struct viewer *v, struct places *ps, uint64_t id,
                          struct series *out, const struct place **p)
{
	const struct place *at;
	enum herr ret = series_get(t, id, out);

	if (p != NULL)
		*p = NULL;
	if (ret == H_ENOTFOUND)
		return record_not_found(t, "series", id);
	if (ret != H_OK)
		return ret;
	at = places_get(ps, t, out->room_id);
	if (!view_series(v, out, at->room.venue_id))
		return record_not_found(t, "series", id);
	if (p != NULL)
		*p = at;
	return H_OK;
}

/* The audit log. */

/* The room of series id, or 0 when it has gone. */
static uint64_t series_room(struct txn *t, uint64_t id)
{
	struct series s;
	uint64_t room = 0;

	series_init(&s);
	if (record_exists(t, DBI_SERIES, id) && series_get(t, id, &s) == H_OK)
		room = s.room_id;
	series_free(&s);
	return room;
}

uint64_t view_audit_venue(struct txn *t, struct places *ps, const json_t *entry)
{
	const char *kind = json_str(entry, "kind");
	const json_t *detail = json_object_get(entry, "detail");
	uint64_t venue = 0, room = 0;

	if (kind == NULL)
		return 0;
	if (strcmp(kind, "venue") == 0) {
		venue = (uint64_t)json_int(entry, "object_id", 0);
	} else if (strcmp(kind, "booking") == 0 || strcmp(kind, "waitlist") == 0) {
		room = (uint64_t)json_int(detail, "room_id", 0);
	} else if (strcmp(kind, "room") == 0) {
		venue = (uint64_t)json_int(detail, "venue_id", 0);
	} else if (strcmp(kind, "series") == 0) {
		/* Decisions on a series carry no detail: the series names its room. */
		room = (uint64_t)json_int(detail, "room_id", 0);
		if (room == 0)
			room = series_room(t, (uint64_t)json_int(entry, "object_id", 0));
	} else if (strcmp(kind, "closure") == 0) {
		venue = (uint64_t)json_int(detail, "venue_id", 0);
		room = (uint64_t)json_int(detail, "room_id", 0);
	} else if (strcmp(kind, "date-set") == 0 || strcmp(kind, "allowance") == 0) {
		/* A venue's set or allowance is its managers'; the borough's (venue 0 or null)
		 * only the admins'. */
		venue = (uint64_t)json_int(detail, "venue_id", 0);
	}
	return room != 0 ? places_get(ps, t, room)->room.venue_id : venue;
}

enum herr view_audit_log(struct txn *t, const struct viewer *v, uint64_t venue_id)
{
	if (!v->known)
		return txn_refuse(t, H_EAUTH, "sign in first (POST /api/v1/session)");
	if (!viewer_admin(v) && !policy_user_manager(&v->u))
		return txn_refuse(t, H_EFORBIDDEN,
		                  "the audit log is for venue managers and administrators");
	if (venue_id != 0 && !viewer_manages(v, venue_id))
		return txn_refuse(t, H_EFORBIDDEN, "only a manager of venue %llu may do this",
		                  (unsigned long long)venue_id);
	return H_OK;
}

bool view_audit_entry(const struct viewer *v, uint64_t venue_id)
{
	return viewer_admin(v) || (venue_id != 0 && viewer_manages(v, venue_id));
}

struct audit_reading {
	struct txn *t;
	const struct viewer *v;
	struct places ps;
	uint64_t venue_id;
	bool (*fn)(const json_t *e, void *arg);
	void *arg;
};

static bool audit_read_one(const json_t *e, void *arg)
{
	struct audit_reading *r = arg;
	uint64_t venue = view_audit_venue(r->t, &r->ps, e);

	if ((r->venue_id != 0 && venue != r->venue_id) || !view_audit_entry(r->v, venue))
		return true;
	return r->fn(e, r->arg);
}

enum herr view_audit_each_page(struct txn *t, const struct viewer *v, uint64_t booking_id,
                               uint64_t venue_id, struct walk *w,
                               bool (*fn)(const json_t *e, void *arg), void *arg)
{
	struct audit_reading r = {.t = t, .v = v, .venue_id = venue_id, .fn = fn, .arg = arg};

	if (view_audit_log(t, v, venue_id) != H_OK)
		return t->ret;
	audit_each_page(t, booking_id, w, audit_read_one, &r);
	places_free(&r.ps);
	return t->ret;
}

/* Usage reports. */

enum herr view_usage_report(struct txn *t, const struct viewer *v, uint64_t venue_id)
{
	if (!v->known)
		return txn_refuse(t, H_EAUTH, "sign in first (POST /api/v1/session)");
	if (!viewer_admin(v) && !policy_user_manager(&v->u))
		return txn_refuse(t, H_EFORBIDDEN,
		                  "usage reports are for venue managers and administrators");
	if (venue_id != 0 && !viewer_manages(v, venue_id))
		return txn_refuse(t, H_EFORBIDDEN, "only a manager of venue %llu may do this",
		                  (unsigned long long)venue_id);
	return H_OK;
}

/* Groups. */

void view_group(const struct viewer *v, json_t *group)
{
	if (!v->known)
		json_object_del(group, "contact");
}

/* Allowances. */

bool view_allowance_use(const struct viewer *v, uint64_t group_id, uint64_t venue_id)
{
	return viewer_admin(v) || viewer_member_of(v, group_id) ||
	       (venue_id != 0 && viewer_manages(v, venue_id));
}
