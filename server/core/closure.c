#include "closure.h"

#include "audit.h"
#include "date_set.h"
#include "notify.h"
#include "place.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "text.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Records in DBI_CLOSURE under their id:
 *   {"id","scope":"venue"|"room","venue_id"|"room_id","start","end","reason"}
 * Index DBI_CLOSURE_AT, in (scope, target, start) order:
 *   scope u8 ('V'/'R') | target u64 | start i64 | closure u64 -> end i64
 *   e.g. 52  00 00 00 00 00 00 00 03  80 00 00 00 67 5c 05 a0  00 00 00 00 00 00 00 09
 *        -> 80 00 00 00 67 5d 57 20   (room 3, closure 9, 2024-12-13 10:00Z to +1 day)
 * A closure that follows a date set ("date_set_id" in its record) has one such entry per
 * date of the set, from that local day's midnight to the next in its venue's zone, so
 * that every reader of the index (bookings' rules, availability, the listings, refs.c)
 * sees its days without knowing about sets; its record's start and end are the first
 * day's start and the last day's end, which bound the scan that finds its entries again.
 * The entries are rewritten whenever the set changes (closure_follow_set). */

#define REASON_MAX_BYTES 500
#define AT_KEY_LEN       25

void closure_init(struct closure *c)
{
	memset(c, 0, sizeof(*c));
	c->scope = CLOSURE_VENUE;
}

void closure_free(struct closure *c)
{
	free(c->reason);
	free(c->days);
	memset(c, 0, sizeof(*c));
}

static const char *scope_name(enum closure_scope s)
{
	return s == CLOSURE_ROOM ? "room" : "venue";
}

static const char *target_field(enum closure_scope s)
{
	return s == CLOSURE_ROOM ? "room_id" : "venue_id";
}

json_t *closure_to_json(const struct closure *c)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I}", "id", (json_int_t)c->id, "scope",
	                      scope_name(c->scope), target_field(c->scope), (json_int_t)c->target,
	                      "start", (json_int_t)c->start, "end", (json_int_t)c->end);

	json_object_set_new(o, "reason", json_text(c->reason));
	if (c->date_set_id != 0)
		json_object_set_new(o, "date_set_id", json_integer((json_int_t)c->date_set_id));
	return o;
}

json_t *closure_to_json_local(const struct closure *c, const char *zone)
{
	json_t *o = closure_to_json(c);
	char when[32];

	json_object_set_new(o, "start_ts", json_integer((json_int_t)c->start));
	json_object_set_new(o, "end_ts", json_integer((json_int_t)c->end));
	time_format(c->start, zone, when);
	json_object_set_new(o, "start", json_string(when));
	time_format(c->end, zone, when);
	json_object_set_new(o, "end", json_string(when));
	return o;
}

enum herr closure_from_json(const json_t *o, struct closure *c, struct herror *err)
{
	json_t *venue = json_object_get(o, "venue_id"), *room = json_object_get(o, "room_id");
	json_t *scope = json_object_get(o, "scope");
	json_t *start = json_object_get(o, "start"), *end = json_object_get(o, "end");
	const char *reason = json_str(o, "reason");
	enum herr ret;

	closure_init(c);
	if ((venue != NULL) == (room != NULL))
		return herror_set(err, H_EINVAL,
		                  "a closure needs exactly one of venue_id and "
		                  "room_id");
	c->scope = venue != NULL ? CLOSURE_VENUE : CLOSURE_ROOM;
	if (scope != NULL &&
	    (!json_is_string(scope) || strcmp(json_string_value(scope), scope_name(c->scope)) != 0))
		return herror_set(err, H_EINVAL, "scope must be \"%s\" with %s",
		                  scope_name(c->scope), target_field(c->scope));
	if (field_id(&c->target, o, target_field(c->scope), err) != H_OK)
		return H_EINVAL;
	if (json_object_get(o, "date_set_id") != NULL) {
		if (field_id(&c->date_set_id, o, "date_set_id", err) != H_OK)
			return H_EINVAL;
	}
	/* A closure following a set takes its days from the set: a new one gives no times,
	 * a record gives the span last stored. */
	if ((c->date_set_id == 0 || start != NULL || end != NULL) &&
	    (json_time(start, "start", NULL, &c->start, err) != H_OK ||
	     json_time(end, "end", NULL, &c->end, err) != H_OK))
		return H_EINVAL;
	if (json_object_get(o, "reason") != NULL && reason == NULL)
		return herror_set(err, H_EINVAL, "reason must be a string");
	ret = text_check(reason, "reason", REASON_MAX_BYTES, true, false, err);
	if (ret != H_OK)
		return ret;
	c->id = (uint64_t)json_int(o, "id", 0);
	c->reason = xstrdup(reason);
	return H_OK;
}

enum herr closure_get(struct txn *t, uint64_t id, struct closure *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_CLOSURE, id, "closure", &o);

	closure_init(out);
	if (ret != H_OK)
		return ret;
	ret = closure_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "closure %llu is corrupt", (unsigned long long)id);
}

static void at_put(struct txn *t, const struct closure *c, int64_t start, int64_t end)
{
	struct key k;
	uint8_t v[8];

	key_init(&k);
	key_u8(&k, (uint8_t)c->scope);
	key_u64(&k, c->target);
	key_i64(&k, start);
	key_u64(&k, c->id);
	key_put_i64(v, end);
	txn_put(t, DBI_CLOSURE_AT, &k, v, sizeof(v));
}

/* The venue of the closure's target; 0 when it is gone. */
static uint64_t closure_venue(struct txn *t, const struct closure *c)
{
	struct room r;
	uint64_t venue_id = 0;

	if (c->scope == CLOSURE_VENUE)
		return c->target;
	room_init(&r);
	if (room_get(t, c->target, &r) == H_OK)
		venue_id = r.venue_id;
	room_free(&r);
	return venue_id;
}

/* c->days from its set as it is now, in its venue's zone; start and end follow. */
static void closure_days_load(struct txn *t, struct closure *c)
{
	struct date_set set;
	char *zone = NULL;

	free(c->days);
	c->days = NULL;
	c->ndays = 0;
	if (date_set_get(t, c->date_set_id, &set) != H_OK) {
		date_set_free(&set);
		return;
	}
	place_zone(t, c->scope == CLOSURE_VENUE ? c->target : 0,
	           c->scope == CLOSURE_ROOM ? c->target : 0, &zone);
	c->days = xcalloc(set.n + 1, sizeof(*c->days));
	for (size_t i = 0; i < set.n; i++)
		date_set_day_span(zone, set.dates[i].day, &c->days[i].start, &c->days[i].end);
	c->ndays = set.n;
	if (set.n > 0) {
		c->start = c->days[0].start;
		c->end = c->days[set.n - 1].end;
	}
	free(zone);
	date_set_free(&set);
}

void closure_store(struct txn *t, struct closure *c)
{
	json_t *o;

	if (c->date_set_id == 0) {
		at_put(t, c, c->start, c->end);
	} else {
		closure_days_load(t, c);
		for (size_t i = 0; i < c->ndays; i++)
			at_put(t, c, c->days[i].start, c->days[i].end);
		date_set_use(t, c->date_set_id, DATE_SET_BY_CLOSURE, c->id, true);
	}
	o = closure_to_json(c);
	record_put(t, DBI_CLOSURE, c->id, o);
	json_decref(o);
}

/* The index entries closure c (as last stored) has: its one entry, or for a closure
 * following a set, the entries of its id between its stored start and end. */
static void closure_days_indexed(struct txn *t, const struct closure *c, struct closure_day **out,
                                 size_t *n)
{
	struct key prefix, from;
	struct scan s;

	*out = NULL;
	*n = 0;
	key_init(&prefix);
	key_u8(&prefix, (uint8_t)c->scope);
	key_u64(&prefix, c->target);
	from = prefix;
	key_i64(&from, c->start);
	scan_begin(&s, t, DBI_CLOSURE_AT, &prefix, &from);
	while (scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;

		if (s.k.mv_size != AT_KEY_LEN || s.v.mv_size != 8 || key_get_i64(k + 9) >= c->end)
			break;
		if (key_get_u64(k + 17) != c->id)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].start = key_get_i64(k + 9);
		(*out)[(*n)++].end = key_get_i64(s.v.mv_data);
	}
	scan_end(&s);
}

/* Deletes every index entry of c as last stored. */
static void closure_unindex(struct txn *t, const struct closure *c)
{
	struct closure_day *days;
	size_t n;

	closure_days_indexed(t, c, &days, &n);
	for (size_t i = 0; i < n; i++) {
		struct key k;

		key_init(&k);
		key_u8(&k, (uint8_t)c->scope);
		key_u64(&k, c->target);
		key_i64(&k, days[i].start);
		key_u64(&k, c->id);
		txn_del(t, DBI_CLOSURE_AT, &k);
	}
	free(days);
}

/* Checks that the closure's target exists and that a may manage its venue. */
static enum herr check_target(struct txn *t, const struct actor *a, const struct closure *c,
                              bool must_exist)
{
	uint64_t venue_id = c->target;

	if (c->scope == CLOSURE_ROOM) {
		struct room r;

		room_init(&r);
		if (room_get(t, c->target, &r) == H_OK) {
			venue_id = r.venue_id;
		} else if (must_exist || t->ret != H_OK) {
			room_free(&r);
			return record_not_found(t, "room", c->target);
		} else {
			/* The room is gone: only an admin may tidy up its closures. */
			room_free(&r);
			return policy_admin(t, a);
		}
		room_free(&r);
	} else if (c->scope != CLOSURE_VENUE) {
		return txn_refuse(t, H_EINVAL, "a closure's scope is venue or room");
	} else if (!record_exists(t, DBI_VENUE, venue_id)) {
		if (must_exist || t->ret != H_OK)
			return record_not_found(t, "venue", venue_id);
		return policy_admin(t, a);
	}
	return policy_manage_venue(t, a, venue_id);
}

/* A closure may follow a set of the borough's or of its own venue, one with dates. */
static enum herr closure_set_check(struct txn *t, struct closure *c)
{
	struct date_set set;
	char name[128];

	if (date_set_usable(t, c->date_set_id, closure_venue(t, c), &set) != H_OK)
		return t->ret;
	text_quote(name, sizeof(name), set.name, 80);
	if (set.n == 0)
		txn_refuse(t, H_EINVAL,
		           "date set %llu (%s) has no dates yet: add its dates first, then make "
		           "the closure follow it",
		           (unsigned long long)set.id, name);
	date_set_free(&set);
	return t->ret;
}

enum herr closure_create(struct txn *t, const struct actor *a, struct closure *c, int64_t now)
{
	struct herror e;
	json_t *detail;

	herror_clear(&e);
	if (check_target(t, a, c, true) != H_OK)
		return t->ret;
	if (c->date_set_id != 0 && closure_set_check(t, c) != H_OK)
		return t->ret;
	if (c->date_set_id == 0 && c->end <= c->start)
		return txn_refuse(t, H_RULE_ORDER, "a closure must end after it starts");
	if (text_check(c->reason, "reason", REASON_MAX_BYTES, true, false, &e) != H_OK)
		return txn_refuse(t, H_EINVAL, "%s", e.msg);
	c->id = txn_next_id(t, "closure");
	closure_store(t, c);
	detail = closure_to_json(c);
	audit_append(t, a, "closure", c->id, "create", c->reason, detail, now);
	json_decref(detail);
	notify_closure(t, a, c, NULL, now);
	return t->ret;
}

enum herr closure_update(struct txn *t, const struct actor *a, const struct closure *c, int64_t now)
{
	struct closure old;
	struct herror e;
	json_t *detail;

	herror_clear(&e);
	if (closure_get(t, c->id, &old) != H_OK) {
		closure_free(&old);
		return record_not_found(t, "closure", c->id);
	}
	if (old.scope != c->scope || old.target != c->target) {
		txn_refuse(t, H_EINVAL,
		           "a closure cannot move to another venue or room; remove it "
		           "and add a new one");
	} else if (old.date_set_id != c->date_set_id) {
		txn_refuse(t, H_EINVAL,
		           "a closure cannot start or stop following a date set; remove it and "
		           "add a new one");
	} else if (check_target(t, a, c, true) == H_OK) {
		if (c->date_set_id == 0 && c->end <= c->start)
			txn_refuse(t, H_RULE_ORDER, "a closure must end after it starts");
		else if (text_check(c->reason, "reason", REASON_MAX_BYTES, true, false, &e) != H_OK)
			txn_refuse(t, H_EINVAL, "%s", e.msg);
	}
	if (t->ret == H_OK) {
		closure_unindex(t, &old);
		closure_store(t, (struct closure *)c);
		detail = closure_to_json(c);
		audit_append(t, a, "closure", c->id, "update", c->reason, detail, now);
		json_decref(detail);
		notify_closure(t, a, c, &old, now);
	}
	closure_free(&old);
	return t->ret;
}

enum herr closure_change(struct txn *t, const struct actor *a, uint64_t id, int64_t start,
                         int64_t end, const char *reason, int64_t now, struct closure *out)
{
	struct closure c;
	enum herr ret = closure_get(t, id, &c);

	if (ret == H_OK && c.date_set_id != 0 &&
	    (start != CLOSURE_UNCHANGED || end != CLOSURE_UNCHANGED))
		ret =
		    txn_refuse(t, H_EINVAL,
		               "closure %llu follows date set %llu: its days are the set's dates, "
		               "so change the set (or remove the closure and add one with times)",
		               (unsigned long long)id, (unsigned long long)c.date_set_id);
	if (ret == H_OK) {
		c.start = start != CLOSURE_UNCHANGED ? start : c.start;
		c.end = end != CLOSURE_UNCHANGED ? end : c.end;
		if (reason != NULL) {
			free(c.reason);
			c.reason = xstrdup(reason);
		}
		ret = closure_update(t, a, &c, now);
	}
	if (ret == H_OK && out != NULL) {
		*out = c;
		return H_OK;
	}
	closure_free(&c);
	return ret;
}

enum herr closure_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct closure c;
	struct key k = key_id(id);

	if (closure_get(t, id, &c) != H_OK) {
		closure_free(&c);
		return record_not_found(t, "closure", id);
	}
	if (check_target(t, a, &c, false) != H_OK) {
		closure_free(&c);
		return t->ret;
	}
	closure_unindex(t, &c);
	if (c.date_set_id != 0)
		date_set_use(t, c.date_set_id, DATE_SET_BY_CLOSURE, id, false);
	txn_del(t, DBI_CLOSURE, &k);
	{
		/* What was removed, so that the venue's managers still find the entry. */
		json_t *detail = closure_to_json(&c);

		audit_append(t, a, "closure", id, "remove", NULL, detail, now);
		json_decref(detail);
	}
	closure_free(&c);
	return t->ret;
}

/* The targets whose closures apply to a room: the room's own, and its venue's. The one
 * statement of that rule, for bookings (closure_find), availability (closure_each_over)
 * and the listing (closure_each_page). */
struct targets {
	enum closure_scope scope[2];
	uint64_t id[2];
	size_t n;
};

static void targets_of_room(uint64_t room_id, uint64_t venue_id, struct targets *out)
{
	out->n = 0;
	if (room_id != 0) {
		out->scope[out->n] = CLOSURE_ROOM;
		out->id[out->n++] = room_id;
	}
	if (venue_id != 0) {
		out->scope[out->n] = CLOSURE_VENUE;
		out->id[out->n++] = venue_id;
	}
}

/* Calls fn for each closure of scope and target overlapping [start, end), from the index
 * alone, in start order; false when fn stopped the scan. */
static bool over_in(struct txn *t, enum closure_scope scope, uint64_t target, int64_t start,
                    int64_t end, bool (*fn)(const struct closure_span *c, void *arg), void *arg)
{
	struct key prefix;
	struct scan s;
	bool more = true;

	key_init(&prefix);
	key_u8(&prefix, (uint8_t)scope);
	key_u64(&prefix, target);
	scan_begin(&s, t, DBI_CLOSURE_AT, &prefix, NULL);
	while (more && scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;
		struct closure_span c = {.scope = scope};

		if (s.k.mv_size != AT_KEY_LEN || s.v.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "a closure index entry is corrupt");
			break;
		}
		c.start = key_get_i64(k + 9);
		if (c.start >= end)
			break;
		c.end = key_get_i64(s.v.mv_data);
		c.id = key_get_u64(k + 17);
		if (c.end > start)
			more = fn(&c, arg);
	}
	scan_end(&s);
	return more;
}

enum herr closure_each_over(struct txn *t, uint64_t room_id, uint64_t venue_id, int64_t start,
                            int64_t end, bool (*fn)(const struct closure_span *c, void *arg),
                            void *arg)
{
	struct targets tg;

	targets_of_room(room_id, venue_id, &tg);
	for (size_t i = 0; i < tg.n && t->ret == H_OK; i++)
		if (!over_in(t, tg.scope[i], tg.id[i], start, end, fn, arg))
			break;
	return t->ret;
}

static bool first_span(const struct closure_span *c, void *arg)
{
	*(uint64_t *)arg = c->id;
	return false;
}

uint64_t closure_find(struct txn *t, uint64_t room_id, uint64_t venue_id, int64_t start,
                      int64_t end)
{
	uint64_t id = 0;

	closure_each_over(t, room_id, venue_id, start, end, first_span, &id);
	return id;
}

/* Loads closure id and passes it to fn; false when the scan should stop. A closure that
 * follows a date set is met once per day in the index: it is passed as that day
 * ([start, end), from its index entry; start INT64_MIN: the whole closure). */
static bool visit(struct txn *t, uint64_t id, int64_t start, int64_t end,
                  bool (*fn)(const struct closure *c, void *arg), void *arg)
{
	struct closure c;
	bool more;

	if (closure_get(t, id, &c) != H_OK) {
		closure_free(&c);
		txn_refuse(t, H_ESTORAGE, "closure %llu is missing", (unsigned long long)id);
		return false;
	}
	if (c.date_set_id != 0 && start != INT64_MIN) {
		c.start = start;
		c.end = end;
	}
	more = fn(&c, arg);
	closure_free(&c);
	return more;
}

enum herr closure_each(struct txn *t, enum closure_scope scope, uint64_t target,
                       bool (*fn)(const struct closure *c, void *arg), void *arg)
{
	struct key prefix;
	struct scan s;
	bool more = true;

	key_init(&prefix);
	if (scope == 0) {
		scan_begin(&s, t, DBI_CLOSURE, &prefix, NULL);
		while (more && scan_next(&s))
			more = visit(t, key_get_u64(s.k.mv_data), INT64_MIN, 0, fn, arg);
		scan_end(&s);
		return t->ret;
	}
	/* target 0: every closure of that scope. */
	key_u8(&prefix, (uint8_t)scope);
	if (target != 0)
		key_u64(&prefix, target);
	scan_begin(&s, t, DBI_CLOSURE_AT, &prefix, NULL);
	while (more && scan_next(&s)) {
		if (s.k.mv_size != AT_KEY_LEN) {
			txn_refuse(t, H_ESTORAGE, "a closure index entry is corrupt");
			break;
		}
		more = visit(t, key_get_u64((const uint8_t *)s.k.mv_data + 17),
		             key_get_i64((const uint8_t *)s.k.mv_data + 9),
		             s.v.mv_size == 8 ? key_get_i64(s.v.mv_data) : 0, fn, arg);
	}
	scan_end(&s);
	return t->ret;
}

/* Pages in (start, id) order: a k-way merge (walk.h) of the DBI_CLOSURE_AT scans of the
 * targets listed, each already in start order and positioned after the resume point with
 * one seek, so a page costs a seek per target plus the entries it examines however many
 * closures there are. */

struct source {
	struct walk_pos pos; /* the entry s is on; first, for struct walk_heap */
	struct scan s;
};

struct merge {
	struct txn *t;
	const struct walk *w; /* NULL: from the start, no bound */
	struct walk_heap h;
};

/* Moves s to its next entry after the resume point; false at the end of s. */
static bool source_next(struct merge *m, struct source *s)
{
	static const struct walk_layout at = {AT_KEY_LEN, 9, 17, "closure"};

	return walk_scan_next(m->t, &s->s, &at, m->w, INT64_MAX, &s->pos);
}

static void source_free(struct source *s)
{
	scan_end(&s->s);
	free(s);
}

/* Opens the scan of one target's closures at the resume point and adds it to the heap
 * when it has an entry after it. */
static void merge_add(struct merge *m, enum closure_scope scope, uint64_t target)
{
	struct key prefix, first;
	struct source *s = xcalloc(1, sizeof(*s));

	key_init(&prefix);
	key_u8(&prefix, (uint8_t)scope);
	key_u64(&prefix, target);
	first = prefix;
	if (m->w != NULL && m->w->has_after) {
		key_i64(&first, m->w->after.at);
		key_u64(&first, m->w->after.id);
	}
	scan_begin(&s->s, m->t, DBI_CLOSURE_AT, &prefix, &first);
	if (source_next(m, s))
		walk_heap_push(&m->h, &s->pos);
	else
		source_free(s);
}

static bool merge_venue_room(const struct room *r, void *arg)
{
	struct merge *m = arg;

	merge_add(m, CLOSURE_ROOM, r->id);
	return m->t->ret == H_OK;
}

/* Every target that has closures, read from the index itself (one seek per target). */
static void merge_every_target(struct merge *m)
{
	struct key none, from;

	key_init(&none);
	key_init(&from);
	for (;;) {
		struct scan s;
		uint8_t scope = 0;
		uint64_t target = 0;
		bool found;

		scan_begin(&s, m->t, DBI_CLOSURE_AT, &none, from.len > 0 ? &from : NULL);
		found = scan_next(&s) && s.k.mv_size == AT_KEY_LEN;
		if (found) {
			scope = *(const uint8_t *)s.k.mv_data;
			target = key_get_u64((const uint8_t *)s.k.mv_data + 1);
		}
		scan_end(&s);
		if (!found || m->t->ret != H_OK)
			return;
		merge_add(m, (enum closure_scope)scope, target);
		if (target == UINT64_MAX || m->t->ret != H_OK)
			return; /* no id is that large; nothing sound can follow */
		key_init(&from);
		key_u8(&from, scope);
		key_u64(&from, target + 1);
	}
}

/* A venue or room that does not exist is refused, as every listing refuses a filter
 * naming no record. */
static enum herr merge_sources(struct merge *m, uint64_t venue_id, uint64_t room_id)
{
	struct targets tg;
	struct room r;

	if (room_id == 0 && venue_id == 0) {
		merge_every_target(m);
		return m->t->ret;
	}
	if (room_id == 0) {
		/* room_each refuses a venue that does not exist. */
		if (room_each(m->t, venue_id, merge_venue_room, m) == H_OK)
			merge_add(m, CLOSURE_VENUE, venue_id);
		return m->t->ret;
	}
	if (room_get(m->t, room_id, &r) != H_OK) {
		room_free(&r);
		return record_not_found(m->t, "room", room_id);
	}
	targets_of_room(room_id, r.venue_id, &tg);
	for (size_t i = 0; i < tg.n && m->t->ret == H_OK; i++)
		merge_add(m, tg.scope[i], tg.id[i]);
	room_free(&r);
	return m->t->ret;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->h.n; i++)
		source_free((struct source *)m->h.v[i]);
	walk_heap_free(&m->h);
}

/* Moves the least source on, dropping it at its end. */
static void merge_advance(struct merge *m)
{
	if (source_next(m, (struct source *)m->h.v[0]))
		walk_heap_sift(&m->h);
	else
		source_free((struct source *)walk_heap_pop(&m->h));
}

enum herr closure_each_page(struct txn *t, uint64_t venue_id, uint64_t room_id, struct walk *w,
                            bool (*fn)(const struct closure *c, void *arg), void *arg)
{
	struct merge m = {.t = t, .w = w};
	bool more = true;
	enum herr ret;

	walk_begin(w);
	ret = merge_sources(&m, venue_id, room_id);
	while (ret == H_OK && more && m.h.n > 0 && t->ret == H_OK) {
		if (!walk_take(w, *m.h.v[0]))
			break;
		const struct source *src = (const struct source *)m.h.v[0];

		more = visit(t, src->pos.id, src->pos.at,
		             src->s.v.mv_size == 8 ? key_get_i64(src->s.v.mv_data) : 0, fn, arg);
		merge_advance(&m);
	}
	if (w != NULL && !more)
		w->more = m.h.n > 0;
	merge_free(&m);
	return ret != H_OK ? ret : t->ret;
}

enum herr closure_follow_set(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct closure c, old;
	json_t *detail;

	if (closure_get(t, id, &c) != H_OK) {
		closure_free(&c);
		return record_not_found(t, "closure", id);
	}
	closure_init(&old);
	old.id = c.id;
	old.scope = c.scope;
	old.target = c.target;
	old.start = c.start;
	old.end = c.end;
	old.date_set_id = c.date_set_id;
	closure_days_indexed(t, &c, &old.days, &old.ndays);
	closure_unindex(t, &c);
	closure_store(t, &c);
	detail = closure_to_json(&c);
	json_object_set_new(detail, "days", json_integer((json_int_t)c.ndays));
	audit_append(t, a, "closure", c.id, "follow", "its date set changed", detail, now);
	json_decref(detail);
	notify_closure(t, a, &c, &old, now);
	closure_free(&old);
	closure_free(&c);
	return t->ret;
}

bool closure_days_match(struct txn *t, const struct closure *c)
{
	struct closure now = *c;
	struct closure_day *had;
	size_t n;
	bool same;

	now.days = NULL;
	now.ndays = 0;
	closure_days_load(t, &now);
	closure_days_indexed(t, c, &had, &n);
	same = n == now.ndays && now.start == c->start && now.end == c->end;
	for (size_t i = 0; same && i < n; i++)
		same = had[i].start == now.days[i].start && had[i].end == now.days[i].end;
	free(had);
	free(now.days);
	return same;
}
