/* Bookings: every rule a request, a decision, a cancellation or a move must pass, and
 * the messages each change writes (notify.h). The record, its indexes (the conflict
 * index that the rules read, DBI_BLOCK) and listings are booking_record.c's. */
#include "booking.h"

#include "audit.h"
#include "closure.h"
#include "fair.h"
#include "group.h"
#include "notify.h"
#include "place.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "series_record.h"
#include "text.h"
#include "tz.h"
#include "venue.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_BYTES 200
#define TEXT_MAX_BYTES  4000
#define NOTE_MAX_BYTES  1000

/* The rules. */

struct conflict_ctx {
	uint64_t exclude;
	struct herror *err;
	size_t count;
};

static bool collect_conflict(const struct block *b, void *arg)
{
	struct conflict_ctx *c = arg;

	if (b->booking_id == c->exclude)
		return true;
	c->count++;
	herror_add_conflict(c->err, b->booking_id);
	return true;
}

static void format_local(int64_t t, const char *zone, char *out, size_t size)
{
	static const char *const days[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	snprintf(out, size, "%s %04d-%02d-%02d %02d:%02d", days[lt.wday], lt.year, lt.month, lt.day,
	         lt.hour, lt.min);
}

enum herr booking_refuse_taken(struct txn *t, const struct room *r)
{
	/* No booking id in the words: the API shows a caller only the conflicting bookings
	 * it may see (err->conflicts), never one it may not. */
	return txn_refuse(t, H_ECONFLICT,
	                  "%s is already booked then, counting %u minutes to set up and %u to "
	                  "clear away",
	                  r->name, r->setup_min, r->cleanup_min);
}

/* Checks that b may hold room r at venue v. with_lead_time adds the notice and horizon
 * rules, which speak of when a request is made, not of when it is approved. */
/* The rules about the booking itself, whatever its slot: order, length, capacity. */
static enum herr booking_check_self(struct txn *t, const struct booking *b, const struct room *r)
{
	int64_t minutes = (b->end - b->start) / 60;

	if (b->end <= b->start)
		return txn_refuse(t, H_RULE_ORDER, "the booking must end after it starts");
	if ((b->end - b->start) % 60 != 0 || minutes < r->min_length_min ||
	    minutes > r->max_length_min)
		return txn_refuse(t, H_RULE_LENGTH,
		                  "%s takes bookings from %u to %u minutes in whole minutes; this "
		                  "one is %lld minutes",
		                  r->name, r->min_length_min, r->max_length_min,
		                  (long long)((b->end - b->start) / 60));
	if (b->attendees > r->capacity)
		return txn_refuse(t, H_RULE_CAPACITY, "%s holds %u people; the booking expects %u",
		                  r->name, r->capacity, b->attendees);
	return H_OK;
}

static enum herr booking_check(struct txn *t, const struct booking *b, const struct room *r,
                               const struct venue *v, bool with_lead_time, int64_t now)
{
	char when[64];
	uint64_t closure;
	struct conflict_ctx cc = {.exclude = b->id, .err = t->err};

	if (booking_check_self(t, b, r) != H_OK)
		return t->ret;
	if (!hours_allow(&v->hours, v->tz, b->start, b->end)) {
		char *hours = hours_format(&v->hours);

		format_local(b->start, v->tz, when, sizeof(when));
		txn_refuse(t, H_RULE_HOURS,
		           "%s is not open for the whole booking (from %s); its "
		           "opening hours are: %s",
		           v->name, when, hours);
		free(hours);
		return t->ret;
	}
	closure = closure_find(t, r->id, r->venue_id, b->start, b->end);
	if (closure != 0) {
		struct closure c;
		enum herr ret = closure_get(t, closure, &c);

		if (ret == H_OK)
			txn_refuse(t, H_RULE_CLOSED, "%s is closed then: %s", r->name, c.reason);
		closure_free(&c);
		return ret == H_OK ? t->ret : ret;
	}
	if (with_lead_time && b->start < now + (int64_t)r->notice_min * 60)
		return b->start < now
		           ? txn_refuse(t, H_RULE_NOTICE, "the booking starts in the past")
		           : txn_refuse(t, H_RULE_NOTICE,
		                        "%s must be requested at least %u minutes ahead", r->name,
		                        r->notice_min);
	if (!with_lead_time && b->start <= now)
		return txn_refuse(t, H_RULE_NOTICE, "the booking has already started");
	if (with_lead_time && b->start > now + (int64_t)r->horizon_days * 86400)
		return txn_refuse(t, H_RULE_HORIZON, "%s takes bookings up to %u days ahead",
		                  r->name, r->horizon_days);
	if (booking_blocks(t, r->id, BOOKING_APPROVED, b->start, b->end, room_gap_seconds(r),
	                   collect_conflict, &cc) != H_OK)
		return t->ret;
	if (cc.count > 0)
		return booking_refuse_taken(t, r);
	return H_OK;
}

enum herr booking_check_text(struct txn *t, const struct booking *b)
{
	struct herror *err = t->err;
	enum herr ret = text_check(b->title, "title", TITLE_MAX_BYTES, true, false, err);

	if (ret == H_OK)
		ret = text_check(b->description, "description", TEXT_MAX_BYTES, false, true, err);
	return ret;
}

/* Whether the room's policy approves b without a manager. */
static bool policy_approves(struct txn *t, const struct place *p, uint64_t group_id)
{
	struct group g;
	bool trusted;

	if (p->room.approval == APPROVAL_AUTO)
		return true;
	if (p->room.approval != APPROVAL_TRUSTED || group_get(t, group_id, &g) != H_OK)
		return false;
	trusted = group_trusted_at(&g, p->venue.id);
	group_free(&g);
	return trusted;
}

static void booking_audit(struct txn *t, const struct actor *a, const struct booking *b,
                          const char *action, const char *note, int64_t now)
{
	json_t *detail = booking_to_json(b);

	audit_append(t, a, "booking", b->id, action, note, detail, now);
	json_decref(detail);
}

/* Asking twice. A group that asks again for the same room at the same times has made a
 * mistake (a form sent twice, two secretaries asking for one meeting), not a second
 * booking: pending requests do not block each other, so both would stand, and approving
 * one would leave the other as a conflict for a manager to decline by hand. */

struct twins {
	struct txn *t;
	const struct booking *b;
	bool (*fn)(const struct booking *twin, void *arg);
	void *arg;
	bool more;
};

static bool twin_block(const struct block *blk, void *arg)
{
	struct twins *w = arg;
	struct booking twin;

	if (blk->booking_id == w->b->id || blk->start != w->b->start || blk->end != w->b->end)
		return true;
	if (booking_get(w->t, blk->booking_id, &twin) == H_OK && twin.group_id == w->b->group_id)
		w->more = w->fn(&twin, w->arg);
	booking_free(&twin);
	return w->more && w->t->ret == H_OK;
}

enum herr booking_each_twin(struct txn *t, const struct booking *b,
                            bool (*fn)(const struct booking *twin, void *arg), void *arg)
{
	struct twins w = {t, b, fn, arg, true};

	/* The exact slot is inside the window of every booking that overlaps it, with no
	 * buffers: one seek and the few candidates. */
	return booking_blocks(t, b->room_id, -1, b->start, b->end, 0, twin_block, &w);
}

/* The twins found: all of them for the conflicts list, the first asked for the words. */
struct twin_list {
	uint64_t ids[HERR_MAX_CONFLICTS];
	size_t n;
	uint64_t first;
	enum booking_status first_status;
};

static bool twin_note(const struct booking *twin, void *arg)
{
	struct twin_list *l = arg;

	if (l->n < HERR_MAX_CONFLICTS)
		l->ids[l->n++] = twin->id;
	if (l->first == 0 || twin->id < l->first) {
		l->first = twin->id;
		l->first_status = twin->status;
	}
	return true;
}

void booking_group_name(struct txn *t, uint64_t group_id, char *out, size_t size)
{
	struct group g;

	if (group_get(t, group_id, &g) == H_OK)
		text_quote(out, size, g.name, 80);
	else
		snprintf(out, size, "group %llu", (unsigned long long)group_id);
	group_free(&g);
}

/* Refuses b (in room r, whose venue's zone is zone) when its group already has a pending
 * or approved booking of the same room at the same times. The words name that booking:
 * whoever may act for the group may see the group's bookings. */
static enum herr booking_check_twin(struct txn *t, const struct booking *b, const struct room *r,
                                    const char *zone)
{
	struct twin_list l = {0};
	char group[128], room[128], when[64];

	if (booking_each_twin(t, b, twin_note, &l) != H_OK || l.n == 0)
		return t->ret;
	booking_group_name(t, b->group_id, group, sizeof(group));
	text_quote(room, sizeof(room), r->name, 80);
	format_local(b->start, zone, when, sizeof(when));
	for (size_t i = 0; i < l.n; i++)
		herror_add_conflict(t->err, l.ids[i]);
	return txn_refuse(
	    t, H_ECONFLICT, "%s already asked for this: booking %llu (%s), %s from %s", group,
	    (unsigned long long)l.first, booking_status_name(l.first_status), room, when);
}

/* Every rule a new request must pass, and the state it would take (b->status), with
 * its place loaded into p (always initialised, freed by the caller). Reads only. */
static enum herr request_judge(struct txn *t, const struct actor *a, struct booking *b,
                               bool approve_now, int64_t now, struct place *p)
{
	enum herr ret;

	place_init(p);
	if ((ret = booking_check_text(t, b)) != H_OK)
		return ret;
	place_free(p);
	if ((ret = place_load(t, b->room_id, p)) != H_OK ||
	    (ret = record_need(t, DBI_GROUP, b->group_id, "group")) != H_OK ||
	    (ret = policy_act_for_group(t, a, b->group_id, p->venue.id)) != H_OK)
		return ret;
	if (approve_now && (ret = policy_manage_venue(t, a, p->venue.id)) != H_OK)
		return ret;
	b->id = 0;
	if ((ret = booking_check_twin(t, b, &p->room, p->venue.tz)) != H_OK ||
	    (ret = booking_check(t, b, &p->room, &p->venue, true, now)) != H_OK)
		return ret;
	b->status =
	    approve_now || policy_approves(t, p, b->group_id) ? BOOKING_APPROVED : BOOKING_PENDING;
	return fair_judge_request(t, a, b, p, now);
}

enum herr booking_request_judge(struct txn *t, const struct actor *a, struct booking *b,
                                bool approve_now, int64_t now)
{
	struct place p;
	enum herr ret = request_judge(t, a, b, approve_now, now, &p);

	place_free(&p);
	return ret;
}

enum herr booking_request(struct txn *t, const struct actor *a, struct booking *b, bool approve_now,
                          int64_t now)
{
	struct place p;
	enum herr ret = request_judge(t, a, b, approve_now, now, &p);

	if (ret != H_OK)
		goto out;
	b->id = txn_next_id(t, "booking");
	b->created_by = a->user_id;
	b->created_at = b->updated_at = now;
	b->sequence = 0;
	if (b->status == BOOKING_APPROVED) {
		b->decided_by = a->user_id;
		b->decided_at = now;
		b->was_approved = true;
	}
	booking_store(t, b, NULL);
	booking_audit(t, a, b, "request", NULL, now);
	fair_after_change(t, a, NULL, b, &p, false, now);
	/* A series' dates are told of in the series' one message (series.c). */
	if (b->series_id == 0)
		notify_booking_requested(t, a, b, now);
	ret = t->ret;
out:
	place_free(&p);
	return ret;
}

/* Loads booking id with its place, for a change by a. */
static enum herr booking_load(struct txn *t, uint64_t id, struct booking *b, struct place *p)
{
	enum herr ret = booking_get(t, id, b);

	if (ret != H_OK) {
		place_init(p);
		return ret;
	}
	return place_load(t, b->room_id, p);
}

static enum herr note_check(struct txn *t, const char *note)
{
	return text_check(note, "note", NOTE_MAX_BYTES, false, true, t->err);
}

/* Moves b to status by a decision of a, and stores it. */
static void booking_decide(struct txn *t, const struct actor *a, struct booking *b,
                           const struct booking *old, enum booking_status status, const char *note,
                           int64_t now)
{
	b->status = status;
	b->was_approved |= status == BOOKING_APPROVED;
	b->decided_by = a->user_id;
	b->decided_at = now;
	b->updated_at = now;
	b->sequence++;
	free(b->note);
	b->note = xstrdup_or_null(note);
	booking_store(t, b, old);
}

static bool collect_pending(const struct block *b, void *arg)
{
	struct conflict_ctx *c = arg;

	if (b->booking_id != c->exclude && b->status == BOOKING_PENDING) {
		c->count++;
		herror_add_conflict(c->err, b->booking_id);
	}
	return true;
}

/* Shared shape of approve, decline and cancel. */
struct transition {
	const char *action;
	enum booking_status to;
	unsigned from_mask; /* 1 << status allowed before */
	bool by_manager;    /* else by the group (or the venue's managers) */
};

/* tell: the change writes its own messages (false for a date of a series decided as a
 * whole, which the series' one message tells of). */
static enum herr booking_transition(struct txn *t, const struct actor *a, uint64_t id,
                                    const char *note, int64_t now, const struct transition *tr,
                                    bool tell, bool override, struct booking *out)
{
	struct booking b, old;
	struct place p;
	enum herr ret;

	booking_init(&old);
	ret = note_check(t, note);
	if (ret != H_OK)
		return ret;
	ret = booking_load(t, id, &b, &p);
	if (ret != H_OK)
		goto out;
	ret = tr->by_manager ? policy_manage_venue(t, a, p.venue.id)
	                     : policy_act_for_group(t, a, b.group_id, p.venue.id);
	if (ret != H_OK)
		goto out;
	if (!(tr->from_mask & (1u << b.status))) {
		ret = txn_refuse(t, H_ESTATE, "booking %llu is %s and cannot be %s",
		                 (unsigned long long)id, booking_status_name(b.status),
		                 booking_status_name(tr->to));
		goto out;
	}
	if (tr->to == BOOKING_CANCELLED && b.end <= now) {
		ret = txn_refuse(t, H_ESTATE, "booking %llu has already taken place",
		                 (unsigned long long)id);
		goto out;
	}
	if (tr->to == BOOKING_APPROVED) {
		ret = booking_check(t, &b, &p.room, &p.venue, false, now);
		if (ret == H_OK)
			ret = fair_judge_approval(t, a, &b, &p, override, now);
		if (ret != H_OK)
			goto out;
	}
	booking_copy(&old, &b);
	booking_decide(t, a, &b, &old, tr->to, note, now);
	booking_audit(t, a, &b, tr->action, note, now);
	fair_after_change(t, a, &old, &b, &p, override, now);
	if (tell)
		notify_booking_decided(t, a, &b, now);
	ret = t->ret;
	if (ret == H_OK && tr->to == BOOKING_APPROVED) {
		struct conflict_ctx cc = {.exclude = b.id, .err = t->err};

		ret = booking_blocks(t, b.room_id, BOOKING_PENDING, b.start, b.end,
		                     room_gap_seconds(&p.room), collect_pending, &cc);
	}
	if (ret == H_OK && out != NULL) {
		*out = b;
		booking_init(&b);
	}
out:
	booking_free(&old);
	booking_free(&b);
	place_free(&p);
	return ret;
}

static const struct transition approval = {"approve", BOOKING_APPROVED, 1u << BOOKING_PENDING,
                                           true};
static const struct transition refusal = {"decline", BOOKING_DECLINED, 1u << BOOKING_PENDING, true};
static const struct transition cancellation = {
    "cancel", BOOKING_CANCELLED, (1u << BOOKING_PENDING) | (1u << BOOKING_APPROVED), false};

enum herr booking_approve(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                          int64_t now, struct booking *out)
{
	return booking_transition(t, a, id, note, now, &approval, true, false, out);
}

enum herr booking_approve_overriding(struct txn *t, const struct actor *a, uint64_t id,
                                     const char *note, int64_t now, struct booking *out)
{
	return booking_transition(t, a, id, note, now, &approval, true, true, out);
}

enum herr booking_decline(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                          int64_t now, struct booking *out)
{
	return booking_transition(t, a, id, note, now, &refusal, true, false, out);
}

enum herr booking_cancel(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                         int64_t now, struct booking *out)
{
	return booking_transition(t, a, id, note, now, &cancellation, true, false, out);
}

enum herr booking_release(struct txn *t, uint64_t id, const char *note, int64_t now,
                          struct booking *out)
{
	struct actor clock = ACTOR_CONSOLE;

	return booking_transition(t, &clock, id, note, now, &refusal, false, false, out);
}

enum herr booking_decide_in_series(struct txn *t, const struct actor *a, uint64_t id,
                                   enum booking_status to, const char *note, int64_t now)
{
	const struct transition *tr = to == BOOKING_APPROVED   ? &approval
	                              : to == BOOKING_DECLINED ? &refusal
	                                                       : &cancellation;

	return booking_transition(t, a, id, note, now, tr, false, false, NULL);
}

/* Judging a body. Every field a booking body may carry, once: its type, and whether an
 * edit may change it. POST, PATCH, `halls booking request|move` and series requests all
 * come through booking_fields_judge, so a value refused by one is refused by all. */

enum booking_field_type { BF_ID, BF_TITLE, BF_TEXT, BF_COUNT, BF_FLAG, BF_TIME };

struct booking_field {
	const char *key;
	enum booking_field_type type;
	bool editable; /* by PATCH and booking_update */
	bool required; /* by a new request */
};

static const struct booking_field booking_fields[] = {
    {"room_id", BF_ID, false, true},      {"group_id", BF_ID, false, true},
    {"title", BF_TITLE, true, true},      {"description", BF_TEXT, true, false},
    {"attendees", BF_COUNT, true, false}, {"public", BF_FLAG, true, false},
    {"start", BF_TIME, true, true},       {"end", BF_TIME, true, true},
    {"approve", BF_FLAG, false, false},
};

#define BOOKING_NFIELDS (sizeof(booking_fields) / sizeof(booking_fields[0]))

static const struct booking_field *booking_field_find(const char *key)
{
	for (size_t i = 0; i < BOOKING_NFIELDS; i++)
		if (strcmp(key, booking_fields[i].key) == 0)
			return &booking_fields[i];
	return NULL;
}

/* One value, judged by its field's type; *out: the value as the record keeps it. */
static enum herr booking_judge_one(const struct booking_field *f, const json_t *v, const char *zone,
                                   json_t **out, struct herror *err)
{
	enum herr ret = H_OK;
	int64_t n;

	*out = NULL;
	switch (f->type) {
	case BF_ID:
		if (!json_int_in(v, 1, INT64_MAX, &n))
			return herror_set(err, H_EINVAL, "%s must be an id", f->key);
		break;
	case BF_TITLE:
	case BF_TEXT:
		if (!json_is_string(v) && !(f->type == BF_TEXT && json_is_null(v)))
			return herror_set(err, H_EINVAL, "%s must be text%s", f->key,
			                  f->type == BF_TEXT ? " or null" : "");
		ret = text_check(json_string_value(v), f->key,
		                 f->type == BF_TITLE ? TITLE_MAX_BYTES : TEXT_MAX_BYTES,
		                 f->type == BF_TITLE, f->type == BF_TEXT, err);
		break;
	case BF_COUNT:
		if (!json_int_in(v, 0, UINT32_MAX, &n))
			return herror_set(err, H_EINVAL, "%s must be a whole number from 0 to %u",
			                  f->key, UINT32_MAX);
		break;
	case BF_FLAG:
		if (!json_is_boolean(v))
			return herror_set(err, H_EINVAL, "%s must be true or false", f->key);
		break;
	case BF_TIME:
		if ((ret = json_time(v, f->key, zone, &n, err)) == H_OK)
			*out = json_integer((json_int_t)n);
		return ret;
	}
	if (ret == H_OK)
		*out = json_deep_copy(v);
	return ret;
}

enum herr booking_fields_judge(const json_t *body, enum booking_form form, const char *zone,
                               bool strict, json_t **out, struct herror *err)
{
	json_t *judged = json_object(), *v;
	const char *key;
	enum herr ret = H_OK;

	*out = NULL;
	if (!json_is_object(body))
		ret = herror_set(err, H_EINVAL, "a booking must be a JSON object");
	json_object_foreach((json_t *)body, key, v)
	{
		const struct booking_field *f = booking_field_find(key);
		json_t *one;

		if (ret != H_OK)
			break;
		if (f == NULL) {
			if (strict)
				ret = field_unknown(key, err);
			continue;
		}
		if (form == BOOKING_EDIT && !f->editable) {
			ret = herror_set(err, H_EINVAL, "%s cannot be changed", key);
			break;
		}
		if ((ret = booking_judge_one(f, v, zone, &one, err)) == H_OK)
			json_object_set_new(judged, key, one);
	}
	for (size_t i = 0; ret == H_OK && form == BOOKING_NEW && i < BOOKING_NFIELDS; i++)
		if (booking_fields[i].required &&
		    json_object_get(judged, booking_fields[i].key) == NULL)
			ret = herror_set(err, H_EINVAL, "%s is required", booking_fields[i].key);
	if (ret != H_OK) {
		json_decref(judged);
		return ret;
	}
	*out = judged;
	return H_OK;
}

enum herr booking_field_judge(const char *key, const json_t *v, const char *zone, json_t **out,
                              struct herror *err)
{
	const struct booking_field *f = booking_field_find(key);

	*out = NULL;
	if (f == NULL)
		return field_unknown(key, err);
	if (v == NULL)
		return herror_set(err, H_EINVAL, "%s is required", key);
	return booking_judge_one(f, v, zone, out, err);
}

void booking_fields_apply(struct booking *b, const json_t *judged)
{
	if (json_object_get(judged, "title")) {
		free(b->title);
		b->title = xstrdup(json_str(judged, "title"));
	}
	if (json_object_get(judged, "description")) {
		free(b->description);
		b->description = xstrdup_or_null(json_str(judged, "description"));
	}
	b->room_id = (uint64_t)json_int(judged, "room_id", (int64_t)b->room_id);
	b->group_id = (uint64_t)json_int(judged, "group_id", (int64_t)b->group_id);
	b->attendees = (uint32_t)json_int(judged, "attendees", b->attendees);
	b->public = json_flag(judged, "public", b->public);
	b->start = json_int(judged, "start", b->start);
	b->end = json_int(judged, "end", b->end);
}

enum herr booking_apply(struct txn *t, struct booking *b, const json_t *fields)
{
	int64_t length = b->end - b->start;
	json_t *judged;
	enum herr ret = booking_fields_judge(fields, BOOKING_EDIT, NULL, true, &judged, t->err);

	if (ret != H_OK)
		return ret;
	booking_fields_apply(b, judged);
	/* A start alone moves the whole booking. Its length is elapsed time, which is what
	 * holds the room (and what a group pays for), so a move across a clock change keeps
	 * the same number of minutes, not the same wall-clock end. */
	if (json_object_get(judged, "start") != NULL && json_object_get(judged, "end") == NULL)
		b->end = b->start + length;
	json_decref(judged);
	return booking_check_text(t, b);
}

enum herr booking_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                         int64_t now, struct booking *out)
{
	struct booking b, old;
	struct place p;
	bool moved;
	enum herr ret;

	booking_init(&old);
	ret = booking_load(t, id, &b, &p);
	if (ret != H_OK)
		goto out;
	ret = policy_act_for_group(t, a, b.group_id, p.venue.id);
	if (ret != H_OK)
		goto out;
	if (b.status != BOOKING_PENDING && b.status != BOOKING_APPROVED) {
		ret = txn_refuse(t, H_ESTATE, "booking %llu is %s and cannot be changed",
		                 (unsigned long long)id, booking_status_name(b.status));
		goto out;
	}
	booking_copy(&old, &b);
	ret = booking_apply(t, &b, fields);
	if (ret != H_OK)
		goto out;
	moved = b.start != old.start || b.end != old.end;
	/* An edit that keeps the slot is not judged on the slot: a closure added since, or
	 * an approved booking a pending request clashes with, must not block a rename. A
	 * move onto the slot of another of the group's bookings is asking twice. */
	ret = moved ? booking_check_twin(t, &b, &p.room, p.venue.tz) : H_OK;
	if (ret == H_OK)
		ret = moved ? booking_check(t, &b, &p.room, &p.venue, true, now)
		            : booking_check_self(t, &b, &p.room);
	if (ret == H_OK && moved)
		ret = fair_judge_request(t, a, &b, &p, now);
	if (ret != H_OK)
		goto out;
	if (moved && b.status == BOOKING_APPROVED && !policy_is_venue_manager(t, a, p.venue.id) &&
	    !policy_approves(t, &p, b.group_id)) {
		/* Back to a request: the old decision no longer stands (the audit log keeps
		 * it). */
		b.status = BOOKING_PENDING;
		b.decided_at = 0;
		b.decided_by = 0;
		free(b.note);
		b.note = NULL;
	}
	if (moved || b.status != old.status)
		b.sequence++;
	b.updated_at = now;
	booking_store(t, &b, &old);
	booking_audit(t, a, &b, moved ? "move" : "edit", NULL, now);
	fair_after_change(t, a, &old, &b, &p, false, now);
	if (moved)
		notify_booking_moved(t, a, &old, &b, now);
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = b;
		booking_init(&b);
	}
out:
	booking_free(&old);
	booking_free(&b);
	place_free(&p);
	return ret;
}
