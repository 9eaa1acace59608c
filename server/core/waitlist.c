#include "waitlist.h"

#include "audit.h"
#include "group.h"
#include "hold.h"
#include "notify_waitlist.h"
#include "offer.h"
#include "policy.h"
#include "record.h"
#include "tz.h"
#include "when.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static void audit_entry(struct txn *t, const struct actor *a, const struct waitlist_entry *e,
                        const char *action, int64_t now)
{
	json_t *detail =
	    json_pack("{s:I, s:I, s:I, s:I, s:s}", "room_id", (json_int_t)e->room_id, "group_id",
	              (json_int_t)e->group_id, "start", (json_int_t)e->start, "end",
	              (json_int_t)e->end, "state", waitlist_state_name(e->state));

	audit_append(t, a, "waitlist", e->id, action, NULL, detail, now);
	json_decref(detail);
}

/* --- joining --- */

static enum herr time_field(struct txn *t, const json_t *body, const char *key, const char *zone,
                            int64_t *out)
{
	json_t *judged = NULL;

	if (booking_field_judge(key, json_object_get(body, key), zone, &judged, t->err) != H_OK)
		return txn_refuse(t, t->err->code, "%s", t->err->msg);
	*out = (int64_t)json_integer_value(judged);
	json_decref(judged);
	return H_OK;
}

static bool any_block(const struct block *b, void *arg)
{
	(void)b;
	*(bool *)arg = true;
	return false;
}

static bool same_slot_live(const struct waitlist_slot *s, void *arg)
{
	const struct waitlist_entry *e = arg;

	if (s->group_id == e->group_id && s->start == e->start && s->end == e->end) {
		((struct waitlist_entry *)arg)->id = s->id;
		return false;
	}
	return true;
}

static bool twin_found(const struct booking *twin, void *arg)
{
	*(uint64_t *)arg = twin->id;
	return false;
}

struct hold_probe {
	const struct place *p;
	struct booking b;
	int64_t now;
};

static enum herr hold_probe_run(struct txn *t, void *arg)
{
	struct hold_probe *h = arg;

	return hold_judge(t, &h->b, h->p, h->now);
}

/* Whether anything keeps e's group from the slot now: an approved booking, buffers
 * counted, another group's hold, or an offer to another group. */
static bool slot_taken(struct txn *t, const struct place *p, const struct waitlist_entry *e,
                       int64_t now)
{
	struct hold_probe h = {.p = p, .now = now};
	struct herror kept = *t->err;
	bool taken = false;

	booking_blocks(t, p->room.id, BOOKING_APPROVED, e->start, e->end,
	               room_gap_seconds(&p->room), any_block, &taken);
	if (taken || offer_in_the_way(t, p, e->group_id, e->start, e->end, true, now, NULL) != 0)
		return true;
	booking_init(&h.b);
	h.b.room_id = e->room_id;
	h.b.group_id = e->group_id;
	h.b.start = e->start;
	h.b.end = e->end;
	h.b.status = BOOKING_PENDING;
	taken = txn_ask(t, hold_probe_run, &h) != H_OK;
	if (t->ret == H_OK)
		*t->err = kept;
	return taken;
}

static enum herr join_judge(struct txn *t, const struct place *p, struct waitlist_entry *e,
                            int64_t now)
{
	char when[WHEN_MAX * 2];
	struct waitlist_entry probe = *e;
	struct booking b;
	uint64_t twin = 0;

	when_words(e->start, e->end, p->venue.tz, when, sizeof(when));
	if (e->end <= e->start)
		return txn_refuse(t, H_EINVAL, "the end must be after the start");
	if (e->end - e->start > WAITLIST_LENGTH_MAX)
		return txn_refuse(t, H_EINVAL, "a waitlist is for a slot of at most 7 days");
	if (e->start <= now)
		return txn_refuse(t, H_EINVAL,
		                  "%s has begun already: a waitlist is for a slot to come", when);
	probe.id = 0;
	if (waitlist_slots(t, p->room.id, e->start, e->end, 0, same_slot_live, &probe) == H_OK &&
	    probe.id != 0)
		return txn_refuse(t, H_EEXISTS,
		                  "the group is already on the waitlist for %s, %s (entry %llu)",
		                  p->room.name, when, (unsigned long long)probe.id);
	booking_init(&b);
	b.room_id = e->room_id;
	b.group_id = e->group_id;
	b.start = e->start;
	b.end = e->end;
	if (booking_each_twin(t, &b, twin_found, &twin) == H_OK && twin != 0)
		return txn_refuse(t, H_EEXISTS,
		                  "the group has asked for %s, %s already (booking %llu)",
		                  p->room.name, when, (unsigned long long)twin);
	if (t->ret == H_OK && !slot_taken(t, p, e, now))
		return t->ret != H_OK
		           ? t->ret
		           : txn_refuse(t, H_ESTATE,
		                        "%s is free on %s: ask for it with a booking request "
		                        "instead of joining its waitlist",
		                        p->room.name, when);
	return t->ret;
}

enum herr waitlist_join(struct txn *t, const struct actor *a, const json_t *body, int64_t now,
                        struct waitlist_entry *out)
{
	static const char *const names[] = {"room_id", "group_id", "start", "end", "title", NULL};
	struct waitlist_entry e;
	struct place p;
	json_t *room = NULL;
	enum herr ret;

	waitlist_entry_init(&e);
	place_init(&p);
	if (!json_is_object(body)) {
		ret = txn_refuse(t, H_EINVAL, "the body must be a JSON object");
		goto out;
	}
	if ((ret = fields_known(body, names, t->err)) != H_OK) {
		ret = txn_refuse(t, ret, "%s", t->err->msg);
		goto out;
	}
	if ((ret = booking_field_judge("room_id", json_object_get(body, "room_id"), NULL, &room,
	                               t->err)) != H_OK) {
		ret = txn_refuse(t, ret, "%s", t->err->msg);
		goto out;
	}
	e.room_id = (uint64_t)json_integer_value(room);
	json_decref(room);
	place_free(&p);
	if ((ret = place_load(t, e.room_id, &p)) != H_OK ||
	    (ret = field_id(&e.group_id, body, "group_id", t->err)) != H_OK)
		goto refused;
	if (e.group_id == 0) {
		ret = txn_refuse(t, H_EINVAL, "group_id is required");
		goto out;
	}
	if ((ret = record_need(t, DBI_GROUP, e.group_id, "group")) != H_OK ||
	    (ret = policy_act_for_group(t, a, e.group_id, p.venue.id)) != H_OK ||
	    (ret = time_field(t, body, "start", p.venue.tz, &e.start)) != H_OK ||
	    (ret = time_field(t, body, "end", p.venue.tz, &e.end)) != H_OK ||
	    (ret = field_text(&e.title, body, "title", WAITLIST_TITLE_MAX, false, false, t->err)) !=
	        H_OK)
		goto refused;
	if ((ret = join_judge(t, &p, &e, now)) != H_OK)
		goto out;
	e.id = txn_next_id(t, "waitlist");
	e.state = WAITLIST_WAITING;
	e.joined_at = e.updated_at = now;
	e.joined_by = e.updated_by = a != NULL ? a->user_id : 0;
	waitlist_entry_store(t, &e, NULL);
	audit_entry(t, a, &e, "join", now);
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = e;
		waitlist_entry_init(&e);
	}
	goto out;
refused:
	/* field_* set err without making it sticky. */
	if (t->ret == H_OK && ret != H_OK)
		ret = txn_refuse(t, ret, "%s", t->err->msg);
out:
	waitlist_entry_free(&e);
	place_free(&p);
	return ret;
}

/* --- answers to an offer --- */

/* Loads entry id and its place, and checks that a may act for its group. */
static enum herr entry_load(struct txn *t, const struct actor *a, uint64_t id,
                            struct waitlist_entry *e, struct place *p)
{
	enum herr ret;

	place_init(p);
	if ((ret = waitlist_entry_get(t, id, e)) != H_OK)
		return ret == H_ENOTFOUND ? record_not_found(t, "waitlist entry", id) : ret;
	place_free(p);
	if ((ret = place_load(t, e->room_id, p)) != H_OK)
		return ret;
	return policy_act_for_group(t, a, e->group_id, p->venue.id);
}

/* Ends entry e in state to, and passes an offer it held to the next group. */
static enum herr entry_end(struct txn *t, const struct actor *a, struct waitlist_entry *e,
                           const struct place *p, enum waitlist_state to, const char *action,
                           int64_t now)
{
	struct waitlist_entry old;
	bool was_offered = e->state == WAITLIST_OFFERED;

	waitlist_entry_get(t, e->id, &old);
	e->state = to;
	e->updated_at = now;
	e->updated_by = a != NULL ? a->user_id : 0;
	waitlist_entry_store(t, e, &old);
	waitlist_entry_free(&old);
	audit_entry(t, a, e, action, now);
	if (was_offered)
		offer_next(t, a, p, e->start, e->end, true, now);
	return t->ret;
}

static enum herr out_entry(struct txn *t, struct waitlist_entry *e, struct waitlist_entry *out)
{
	if (t->ret == H_OK && out != NULL) {
		*out = *e;
		waitlist_entry_init(e);
	}
	return t->ret;
}

enum herr waitlist_leave(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                         struct waitlist_entry *out)
{
	struct waitlist_entry e;
	struct place p;
	enum herr ret = entry_load(t, a, id, &e, &p);

	if (ret == H_OK && !waitlist_live(e.state))
		ret =
		    txn_refuse(t, H_ESTATE, "waitlist entry %llu is %s: there is no place to leave",
		               (unsigned long long)id, waitlist_state_name(e.state));
	if (ret == H_OK && entry_end(t, a, &e, &p, WAITLIST_LEFT, "leave", now) == H_OK)
		ret = out_entry(t, &e, out);
	waitlist_entry_free(&e);
	place_free(&p);
	return ret != H_OK ? ret : t->ret;
}

/* Refuses unless e holds an offer open at now. */
static enum herr need_open_offer(struct txn *t, const struct waitlist_entry *e,
                                 const struct place *p, int64_t now)
{
	char until[WHEN_MAX];

	if (e->state != WAITLIST_OFFERED)
		return txn_refuse(t, H_ESTATE,
		                  "waitlist entry %llu is %s: there is no offer to answer",
		                  (unsigned long long)e->id, waitlist_state_name(e->state));
	if (!waitlist_offer_open(e, now)) {
		when_moment(waitlist_offer_end(e), p->venue.tz, until, sizeof(until));
		return txn_refuse(t, H_ESTATE, "the offer of %s ended at %s", p->room.name, until);
	}
	return H_OK;
}

enum herr waitlist_decline(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                           struct waitlist_entry *out)
{
	struct waitlist_entry e;
	struct place p;
	enum herr ret = entry_load(t, a, id, &e, &p);

	if (ret == H_OK)
		ret = need_open_offer(t, &e, &p, now);
	if (ret == H_OK && entry_end(t, a, &e, &p, WAITLIST_DECLINED, "decline", now) == H_OK)
		ret = out_entry(t, &e, out);
	waitlist_entry_free(&e);
	place_free(&p);
	return ret != H_OK ? ret : t->ret;
}

/* The title of a request made from the waitlist when none was said: the group's name. */
static char *group_title(struct txn *t, uint64_t group_id)
{
	struct group g;
	char *title;

	group_init(&g);
	title = group_get(t, group_id, &g) == H_OK ? xstrdup(g.name) : xstrdup("Booking");
	group_free(&g);
	return title;
}

static enum herr accept_fields(struct txn *t, const json_t *fields, const struct waitlist_entry *e,
                               struct booking *b)
{
	static const char *const names[] = {"title", "description", "attendees", "public", NULL};
	json_t *judged = NULL;
	enum herr ret;

	if (fields != NULL && !json_is_object(fields))
		return txn_refuse(t, H_EINVAL, "the body must be a JSON object");
	if (fields != NULL && (ret = fields_known(fields, names, t->err)) != H_OK)
		return txn_refuse(t, ret, "%s", t->err->msg);
	if (fields != NULL &&
	    (ret = booking_fields_judge(fields, BOOKING_EDIT, NULL, true, &judged, t->err)) != H_OK)
		return txn_refuse(t, ret, "%s", t->err->msg);
	if (judged != NULL)
		booking_fields_apply(b, judged);
	json_decref(judged);
	if (b->title == NULL)
		b->title = e->title != NULL ? xstrdup(e->title) : group_title(t, e->group_id);
	return t->ret;
}

enum herr waitlist_accept(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                          int64_t now, struct booking *booking)
{
	struct waitlist_entry e, after;
	struct place p;
	struct booking b;
	enum herr ret = entry_load(t, a, id, &e, &p);

	booking_init(&b);
	waitlist_entry_init(&after);
	if (ret == H_OK)
		ret = need_open_offer(t, &e, &p, now);
	if (ret != H_OK)
		goto out;
	b.room_id = e.room_id;
	b.group_id = e.group_id;
	b.start = e.start;
	b.end = e.end;
	if ((ret = accept_fields(t, fields, &e, &b)) != H_OK ||
	    (ret = booking_request(t, a, &b, false, now)) != H_OK)
		goto out;
	/* offer_after_change took the offer up as the request was stored; should it not have
	 * (nothing else closes it), close it here, so no offer outlives its acceptance. */
	if ((ret = waitlist_entry_get(t, id, &after)) == H_OK && after.state != WAITLIST_ACCEPTED) {
		struct waitlist_entry old;

		waitlist_entry_get(t, id, &old);
		after.state = WAITLIST_ACCEPTED;
		after.booking_id = b.id;
		after.updated_at = now;
		after.updated_by = a != NULL ? a->user_id : 0;
		waitlist_entry_store(t, &after, &old);
		waitlist_entry_free(&old);
		audit_entry(t, a, &after, "accept", now);
	}
	ret = t->ret;
	if (ret == H_OK && booking != NULL) {
		*booking = b;
		booking_init(&b);
	}
out:
	booking_free(&b);
	waitlist_entry_free(&e);
	waitlist_entry_free(&after);
	place_free(&p);
	return ret;
}

/* --- the clock --- */

struct due {
	uint64_t *ids;
	size_t n, cap;
};

static bool collect_due(uint64_t id, int64_t offer_until, void *arg)
{
	struct due *d = arg;

	(void)offer_until;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->ids = xrealloc(d->ids, d->cap * sizeof(*d->ids));
	}
	d->ids[d->n++] = id;
	return true;
}

/* Ends entry id as expired: its slot began while it was still in line or offered. No
 * email: the slot has passed, and the group's list shows why the entry ended. */
static void entry_expire(struct txn *t, uint64_t id, int64_t now)
{
	struct waitlist_entry e;
	struct place p;

	place_init(&p);
	if (waitlist_entry_get(t, id, &e) == H_OK && waitlist_live(e.state) && e.start <= now) {
		place_free(&p);
		if (place_load(t, e.room_id, &p) == H_OK)
			entry_end(t, NULL, &e, &p, WAITLIST_EXPIRED, "expire", now);
	}
	waitlist_entry_free(&e);
	place_free(&p);
}

static void offer_lapse(struct txn *t, uint64_t id, int64_t now)
{
	struct waitlist_entry e;
	struct place p;

	place_init(&p);
	if (waitlist_entry_get(t, id, &e) == H_OK && e.state == WAITLIST_OFFERED &&
	    e.offer_until <= now) {
		place_free(&p);
		/* An offer whose slot began before its end ended then: the slot expired. */
		if (e.start < e.offer_until)
			entry_expire(t, id, now);
		else if (place_load(t, e.room_id, &p) == H_OK) {
			notify_waitlist_lapsed(t, &e, &p, now);
			entry_end(t, NULL, &e, &p, WAITLIST_LAPSED, "lapse", now);
		}
	}
	waitlist_entry_free(&e);
	place_free(&p);
}

/* The live entries whose slot has begun at now, and the soonest start still to come. */
struct begun {
	struct due due;
	int64_t now, next_start;
};

static bool collect_begun(const struct waitlist_slot *s, void *arg)
{
	struct begun *b = arg;

	if (s->start <= b->now)
		collect_due(s->id, s->start, &b->due);
	else if (s->start < b->next_start)
		b->next_start = s->start;
	return true;
}

enum herr offer_sweep(struct txn *t, int64_t now, int64_t *next_due)
{
	struct due d = {0};
	struct begun b = {.now = now, .next_start = INT64_MAX};
	int64_t next;

	if (waitlist_offers_due(t, now, collect_due, &d) == H_OK)
		for (size_t i = 0; i < d.n && t->ret == H_OK; i++)
			offer_lapse(t, d.ids[i], now);
	free(d.ids);
	/* After the lapses, which may offer slots on: a slot begun is offered to nobody. */
	if (t->ret == H_OK && waitlist_slots_all(t, collect_begun, &b) == H_OK)
		for (size_t i = 0; i < b.due.n && t->ret == H_OK; i++)
			entry_expire(t, b.due.ids[i], now);
	free(b.due.ids);
	next = waitlist_next_offer_end(t);
	if (b.next_start < next)
		next = b.next_start;
	if (next < *next_due)
		*next_due = next;
	return t->ret;
}

/* --- reading --- */

void waitlist_filter_init(struct waitlist_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->state = -1;
}

static void set_instant(json_t *o, const char *key, int64_t v, const struct tz_zone *z)
{
	char when[32];

	if (v == 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	time_format_in(v, z, when);
	json_object_set_new(o, key, json_string(when));
}

json_t *waitlist_entry_json(struct txn *t, struct places *ps, const struct waitlist_entry *e)
{
	const struct place *p = places_get(ps, t, e->room_id);
	const char *group = places_group_name(ps, t, e->group_id);
	const struct tz_zone *z = tz_zone_find(p->venue.tz);
	json_t *o = waitlist_entry_to_json(e);

	json_object_set_new(o, "start_ts", json_integer((json_int_t)e->start));
	json_object_set_new(o, "end_ts", json_integer((json_int_t)e->end));
	json_object_set_new(o, "offer_until_ts",
	                    e->offer_until ? json_integer((json_int_t)e->offer_until)
	                                   : json_null());
	set_instant(o, "start", e->start, z);
	set_instant(o, "end", e->end, z);
	set_instant(o, "joined_at", e->joined_at, z);
	set_instant(o, "offered_at", e->offered_at, z);
	set_instant(o, "offer_until", e->offer_until, z);
	set_instant(o, "updated_at", e->updated_at, z);
	json_object_set_new(o, "booking_id",
	                    e->booking_id ? json_integer((json_int_t)e->booking_id) : json_null());
	json_object_set_new(o, "room_name", p->room.id ? json_string(p->room.name) : json_null());
	json_object_set_new(o, "venue_id",
	                    p->venue.id ? json_integer((json_int_t)p->venue.id) : json_null());
	json_object_set_new(o, "venue_name",
	                    p->venue.id ? json_string(p->venue.name) : json_null());
	json_object_set_new(o, "group_name", group ? json_string(group) : json_null());
	return o;
}

static bool viewer_sees(const struct viewer *v, const struct waitlist_entry *e, uint64_t venue_id)
{
	return viewer_member_of(v, e->group_id) || viewer_manages(v, venue_id);
}

struct listing {
	struct txn *t;
	const struct viewer *v;
	const struct waitlist_filter *f;
	struct places ps;
	json_t *out;
};

static bool list_one(const struct waitlist_entry *e, void *arg)
{
	struct listing *l = arg;
	const struct place *p = places_get(&l->ps, l->t, e->room_id);

	if ((l->f->room_id && e->room_id != l->f->room_id) ||
	    (l->f->group_id && e->group_id != l->f->group_id) ||
	    (l->f->venue_id && p->venue.id != l->f->venue_id) ||
	    (l->f->state >= 0 && (int)e->state != l->f->state) ||
	    !viewer_sees(l->v, e, p->venue.id))
		return true;
	json_array_append_new(l->out, waitlist_entry_json(l->t, &l->ps, e));
	return l->t->ret == H_OK;
}

enum herr waitlist_list(struct txn *t, const struct viewer *v, const struct waitlist_filter *f,
                        json_t **out)
{
	struct listing l = {.t = t, .v = v, .f = f};

	*out = NULL;
	if (!v->known)
		return txn_refuse(t, H_EAUTH, "sign in first (POST /api/v1/session)");
	if ((f->room_id && record_need(t, DBI_ROOM, f->room_id, "room") != H_OK) ||
	    (f->group_id && record_need(t, DBI_GROUP, f->group_id, "group") != H_OK) ||
	    (f->venue_id && record_need(t, DBI_VENUE, f->venue_id, "venue") != H_OK))
		return t->ret;
	l.out = json_array();
	waitlist_each_record(t, list_one, &l);
	places_free(&l.ps);
	if (t->ret != H_OK) {
		json_decref(l.out);
		return t->ret;
	}
	*out = l.out;
	return H_OK;
}

enum herr waitlist_show(struct txn *t, const struct viewer *v, uint64_t id, json_t **out)
{
	struct waitlist_entry e;
	struct places ps = {0};
	enum herr ret;

	*out = NULL;
	if (!v->known)
		return txn_refuse(t, H_EAUTH, "sign in first (POST /api/v1/session)");
	ret = waitlist_entry_get(t, id, &e);
	if (ret == H_OK && viewer_sees(v, &e, places_get(&ps, t, e.room_id)->venue.id))
		*out = waitlist_entry_json(t, &ps, &e);
	else if (ret == H_OK || ret == H_ENOTFOUND)
		ret = record_not_found(t, "waitlist entry", id);
	waitlist_entry_free(&e);
	places_free(&ps);
	return *out != NULL ? H_OK : (ret != H_OK ? ret : t->ret);
}
