/* `halls check`: every invariant a data directory must keep, checked from the records
 * and the indexes independently, so that a bug in one is caught by the other. */
#include "check.h"

#include "text.h"

#include "allowance.h"
#include "booking.h"
#include "closure.h"
#include "date_set.h"
#include "group.h"
#include "hold.h"
#include "record.h"
#include "room.h"
#include "series.h"
#include "user.h"
#include "waitlist_record.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check {
	struct txn *t;
	void (*report)(const char *problem, void *arg);
	void *arg;
	size_t problems;
};

__attribute__((format(printf, 2, 3))) static void problem(struct check *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	text_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	c->report(msg, c->arg);
}

static bool index_has(struct txn *t, enum dbi d, const struct key *k, MDB_val *v)
{
	return txn_get(t, d, k, v) == 1;
}

static struct key key3(uint64_t a, int64_t b, uint64_t c)
{
	struct key k;

	key_init(&k);
	key_u64(&k, a);
	key_i64(&k, b);
	key_u64(&k, c);
	return k;
}

/* Each booking record has exactly the index entries its fields call for. */
static bool check_booking(const struct booking *b, void *arg)
{
	struct check *c = arg;
	struct key k = key3(b->room_id, b->start, b->id);
	bool blocks = b->status == BOOKING_PENDING || b->status == BOOKING_APPROVED;
	MDB_val v;

	if (!record_exists(c->t, DBI_ROOM, b->room_id))
		problem(c, "booking %llu: room %llu does not exist", (unsigned long long)b->id,
		        (unsigned long long)b->room_id);
	if (!record_exists(c->t, DBI_GROUP, b->group_id))
		problem(c, "booking %llu: group %llu does not exist", (unsigned long long)b->id,
		        (unsigned long long)b->group_id);
	if (b->end <= b->start)
		problem(c, "booking %llu ends before it starts", (unsigned long long)b->id);
	if (!index_has(c->t, DBI_BOOKING_ROOM, &k, &v) || v.mv_size != 1 ||
	    *(const uint8_t *)v.mv_data != b->status)
		problem(c, "booking %llu: room index entry missing or stale",
		        (unsigned long long)b->id);
	k = key3(b->group_id, b->start, b->id);
	if (!index_has(c->t, DBI_BOOKING_GROUP, &k, &v))
		problem(c, "booking %llu: group index entry missing", (unsigned long long)b->id);
	key_init(&k);
	key_u64(&k, b->room_id);
	key_u8(&k, b->status == BOOKING_APPROVED ? 'A' : 'P');
	key_i64(&k, b->start);
	key_u64(&k, b->id);
	if (blocks != index_has(c->t, DBI_BLOCK, &k, &v) ||
	    (blocks && (v.mv_size != 8 || key_get_i64(v.mv_data) != b->end)))
		problem(c, "booking %llu: block index entry missing or stale",
		        (unsigned long long)b->id);
	if (b->series_id != 0) {
		k = series_occ_key(b->series_id, b->recurrence_id);
		if (!record_exists(c->t, DBI_SERIES, b->series_id))
			problem(c, "booking %llu: series %llu does not exist",
			        (unsigned long long)b->id, (unsigned long long)b->series_id);
		if (!index_has(c->t, DBI_SERIES_OCC, &k, &v) || v.mv_size != 8 ||
		    key_get_u64(v.mv_data) != b->id)
			problem(c, "booking %llu: series occurrence index entry missing or stale",
			        (unsigned long long)b->id);
	}
	return true;
}

/* Every entry of a by-start index names a booking whose fields match it. */
static void check_index(struct check *c, enum dbi d, const char *name, size_t owner_field)
{
	struct key none;
	struct scan s;

	key_init(&none);
	scan_begin(&s, c->t, d, &none, NULL);
	while (scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;
		struct booking b;
		uint64_t id;

		if (s.k.mv_size != 24) {
			problem(c, "%s: malformed key", name);
			continue;
		}
		id = key_get_u64(k + 16);
		if (booking_get(c->t, id, &b) != H_OK) {
			problem(c, "%s: entry for missing booking %llu", name,
			        (unsigned long long)id);
		} else if (b.start != key_get_i64(k + 8) ||
		           (owner_field == 0 ? b.room_id : b.group_id) != key_get_u64(k)) {
			problem(c, "%s: entry for booking %llu does not match it", name,
			        (unsigned long long)id);
		}
		booking_free(&b);
	}
	scan_end(&s);
}

/* Approved bookings of a room never overlap, buffers included. Read from the records
 * through the listing index, not from the block index, so that a lost block entry
 * cannot hide a double booking. */
static void check_room_overlaps(struct check *c, const struct room *r)
{
	struct key prefix = key_id(r->id);
	struct scan s;
	int64_t gap = room_gap_seconds(r), last_end = INT64_MIN / 2;
	uint64_t last_id = 0;

	scan_begin(&s, c->t, DBI_BOOKING_ROOM, &prefix, NULL);
	while (scan_next(&s)) {
		uint64_t id = key_get_u64((const uint8_t *)s.k.mv_data + 16);
		struct booking b;

		if (s.v.mv_size != 1 || *(const uint8_t *)s.v.mv_data != BOOKING_APPROVED)
			continue;
		if (booking_get(c->t, id, &b) == H_OK && b.status == BOOKING_APPROVED) {
			if (b.start < last_end + gap)
				problem(c,
				        "room %llu: approved bookings %llu and %llu overlap "
				        "(buffers included)",
				        (unsigned long long)r->id, (unsigned long long)last_id,
				        (unsigned long long)id);
			if (b.end > last_end) {
				last_end = b.end;
				last_id = id;
			}
		}
		booking_free(&b);
	}
	scan_end(&s);
}

/* Every block entry is a live booking in the state the entry says. */
static void check_room_blocks(struct check *c, const struct room *r, uint8_t state)
{
	struct key prefix;
	struct scan s;

	key_init(&prefix);
	key_u64(&prefix, r->id);
	key_u8(&prefix, state);
	scan_begin(&s, c->t, DBI_BLOCK, &prefix, NULL);
	while (scan_next(&s)) {
		uint64_t id = key_get_u64((const uint8_t *)s.k.mv_data + 17);
		enum booking_status want = state == 'A' ? BOOKING_APPROVED : BOOKING_PENDING;
		struct booking b;

		if (booking_get(c->t, id, &b) != H_OK || b.status != want)
			problem(c, "room %llu: block entry for booking %llu, which is not %s",
			        (unsigned long long)r->id, (unsigned long long)id,
			        booking_status_name(want));
		booking_free(&b);
	}
	scan_end(&s);
}

static bool check_room(const struct room *r, void *arg)
{
	struct check *c = arg;

	check_room_overlaps(c, r);
	check_room_blocks(c, r, 'A');
	check_room_blocks(c, r, 'P');
	return true;
}

static bool ids_have(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Each id of a user's groups (tag USER_OF_GROUP) or venues has its idx:user-role entry. */
static void check_user_roles(struct check *c, const struct user *u, uint8_t tag,
                             const uint64_t *ids, size_t n)
{
	MDB_val v;

	for (size_t i = 0; i < n; i++) {
		struct key k = key_user_role(tag, ids[i], u->id);

		if (!index_has(c->t, DBI_USER_ROLE, &k, &v))
			problem(c, "user %llu: user-role index entry for %s %llu missing",
			        (unsigned long long)u->id, tag == USER_OF_GROUP ? "group" : "venue",
			        (unsigned long long)ids[i]);
	}
}

/* Every idx:user-role entry names a user whose record lists that group or venue. */
static void check_role_index(struct check *c)
{
	struct key none;
	struct scan s;

	key_init(&none);
	scan_begin(&s, c->t, DBI_USER_ROLE, &none, NULL);
	while (scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;
		uint64_t target, id;
		struct user u;
		bool listed;

		if (s.k.mv_size != ROLE_KEY_LEN ||
		    (k[0] != USER_OF_GROUP && k[0] != USER_OF_VENUE)) {
			problem(c, "user-role index: malformed key");
			continue;
		}
		target = key_get_u64(k + 1);
		id = key_get_u64(k + 9);
		if (user_get(c->t, id, &u) != H_OK) {
			problem(c, "user-role index: entry for missing user %llu",
			        (unsigned long long)id);
			user_free(&u);
			continue;
		}
		listed = k[0] == USER_OF_GROUP ? ids_have(u.groups, u.ngroups, target)
		                               : ids_have(u.venues, u.nvenues, target);
		if (!listed)
			problem(c,
			        "user-role index: entry for user %llu and %s %llu, which the user "
			        "does not list",
			        (unsigned long long)id, k[0] == USER_OF_GROUP ? "group" : "venue",
			        (unsigned long long)target);
		user_free(&u);
	}
	scan_end(&s);
}

static bool check_user(const struct user *u, void *arg)
{
	struct check *c = arg;
	struct key k;
	MDB_val v;
	size_t n = strlen(u->email);

	if (n > KEY_MAX) {
		problem(c, "user %llu: email too long for the index", (unsigned long long)u->id);
		return true;
	}
	memcpy(k.b, u->email, n);
	k.len = n;
	if (!index_has(c->t, DBI_USER_EMAIL, &k, &v) || v.mv_size != 8 ||
	    key_get_u64(v.mv_data) != u->id)
		problem(c, "user %llu: email index entry missing or wrong",
		        (unsigned long long)u->id);
	check_user_roles(c, u, USER_OF_GROUP, u->groups, u->ngroups);
	check_user_roles(c, u, USER_OF_VENUE, u->venues, u->nvenues);
	for (size_t i = 0; i < u->nvenues; i++)
		if (!record_exists(c->t, DBI_VENUE, u->venues[i]))
			problem(c, "user %llu manages missing venue %llu",
			        (unsigned long long)u->id, (unsigned long long)u->venues[i]);
	for (size_t i = 0; i < u->ngroups; i++)
		if (!record_exists(c->t, DBI_GROUP, u->groups[i]))
			problem(c, "user %llu is a member of missing group %llu",
			        (unsigned long long)u->id, (unsigned long long)u->groups[i]);
	return true;
}

static bool check_room_venue(const struct room *r, void *arg)
{
	struct check *c = arg;
	struct key k;
	MDB_val v;

	key_init(&k);
	key_u64(&k, r->venue_id);
	key_u64(&k, r->id);
	if (!record_exists(c->t, DBI_VENUE, r->venue_id))
		problem(c, "room %llu: venue %llu does not exist", (unsigned long long)r->id,
		        (unsigned long long)r->venue_id);
	if (!index_has(c->t, DBI_ROOM_VENUE, &k, &v))
		problem(c, "room %llu: venue index entry missing", (unsigned long long)r->id);
	return true;
}

/* Date sets: what refers to a set exists, a closure following a set has one index entry
 * per date of it, and the "used by" index names exactly the closures and series that
 * use each set. */
static bool check_date_set(const struct date_set *s, void *arg)
{
	struct check *c = arg;

	if (s->venue_id != 0 && !record_exists(c->t, DBI_VENUE, s->venue_id))
		problem(c, "date set %llu: venue %llu does not exist", (unsigned long long)s->id,
		        (unsigned long long)s->venue_id);
	for (size_t i = 1; i < s->n; i++)
		if (s->dates[i].day <= s->dates[i - 1].day)
			problem(c, "date set %llu: dates out of order", (unsigned long long)s->id);
	return true;
}

static bool check_set_used(struct check *c, uint64_t set_id, enum date_set_user kind, uint64_t id)
{
	struct date_set s;

	if (date_set_get(c->t, set_id, &s) != H_OK) {
		problem(c, "%s %llu uses date set %llu, which does not exist",
		        kind == DATE_SET_BY_CLOSURE ? "closure" : "series", (unsigned long long)id,
		        (unsigned long long)set_id);
		herror_clear(c->t->err);
	}
	date_set_free(&s);
	return true;
}

struct uses {
	struct check *c;
	uint64_t set_id, id;
	enum date_set_user kind;
	bool found;
};

static bool use_is(enum date_set_user kind, uint64_t id, void *arg)
{
	struct uses *u = arg;

	if (kind == u->kind && id == u->id)
		u->found = true;
	return !u->found;
}

static bool has_use(struct check *c, uint64_t set_id, enum date_set_user kind, uint64_t id)
{
	struct uses u = {c, set_id, id, kind, false};

	date_set_each_user(c->t, set_id, kind, use_is, &u);
	return u.found;
}

static bool check_closure_set(const struct closure *cl, void *arg)
{
	struct check *c = arg;

	if (cl->date_set_id == 0)
		return true;
	check_set_used(c, cl->date_set_id, DATE_SET_BY_CLOSURE, cl->id);
	if (!has_use(c, cl->date_set_id, DATE_SET_BY_CLOSURE, cl->id))
		problem(c, "closure %llu: date set %llu's \"used by\" entry is missing",
		        (unsigned long long)cl->id, (unsigned long long)cl->date_set_id);
	if (!closure_days_match(c->t, cl))
		problem(c, "closure %llu: its index entries are not the days of date set %llu",
		        (unsigned long long)cl->id, (unsigned long long)cl->date_set_id);
	return true;
}

static bool check_series_sets(const struct series *s, void *arg)
{
	struct check *c = arg;

	for (size_t i = 0; i < s->nskip; i++) {
		check_set_used(c, s->skip_date_sets[i], DATE_SET_BY_SERIES, s->id);
		if (!has_use(c, s->skip_date_sets[i], DATE_SET_BY_SERIES, s->id))
			problem(c, "series %llu: date set %llu's \"used by\" entry is missing",
			        (unsigned long long)s->id,
			        (unsigned long long)s->skip_date_sets[i]);
	}
	return true;
}

/* An allowance names a group, maybe a venue, and rooms of that venue, all existing. */
static bool check_allowance(const struct allowance *al, void *arg)
{
	struct check *c = arg;
	unsigned long long id = (unsigned long long)al->id;

	if (!record_exists(c->t, DBI_GROUP, al->group_id))
		problem(c, "allowance %llu: group %llu does not exist", id,
		        (unsigned long long)al->group_id);
	if (al->venue_id != 0 && !record_exists(c->t, DBI_VENUE, al->venue_id))
		problem(c, "allowance %llu: venue %llu does not exist", id,
		        (unsigned long long)al->venue_id);
	for (size_t i = 0; i < al->n_rooms; i++) {
		struct room r;

		room_init(&r);
		if (!record_exists(c->t, DBI_ROOM, al->room_ids[i]))
			problem(c, "allowance %llu: room %llu does not exist", id,
			        (unsigned long long)al->room_ids[i]);
		else if (room_get(c->t, al->room_ids[i], &r) == H_OK && r.venue_id != al->venue_id)
			problem(c, "allowance %llu: room %llu is not at venue %llu", id,
			        (unsigned long long)al->room_ids[i],
			        (unsigned long long)al->venue_id);
		room_free(&r);
	}
	return true;
}

static bool check_use_entry(uint64_t set_id, enum date_set_user kind, uint64_t id, void *arg)
{
	struct check *c = arg;
	bool ok = false;

	if (kind == DATE_SET_BY_CLOSURE) {
		struct closure cl;

		ok = closure_get(c->t, id, &cl) == H_OK && cl.date_set_id == set_id;
		closure_free(&cl);
	} else if (kind == DATE_SET_BY_SERIES) {
		struct series s;

		if (series_get(c->t, id, &s) == H_OK)
			for (size_t i = 0; i < s.nskip; i++)
				ok = ok || s.skip_date_sets[i] == set_id;
		series_free(&s);
	}
	herror_clear(c->t->err);
	if (!ok)
		problem(c, "date set %llu: \"used by\" names %s %llu, which does not use it",
		        (unsigned long long)set_id,
		        kind == DATE_SET_BY_SERIES ? "series" : "closure", (unsigned long long)id);
	return true;
}

static void check_date_sets(struct check *c)
{
	date_set_each(c->t, UINT64_MAX, NULL, check_date_set, c);
	closure_each(c->t, 0, 0, check_closure_set, c);
	series_each(c->t, 0, 0, check_series_sets, c);
	date_set_each_use(c->t, check_use_entry, c);
}

/* A waitlist entry: its room and group exist, its index entries are there exactly while
 * it is live (waitlist_record.h), and it expired no sooner than its slot began. */
static bool check_waitlist_entry(const struct waitlist_entry *e, void *arg)
{
	struct check *c = arg;
	struct key k;
	MDB_val v;
	bool indexed;

	if (!record_exists(c->t, DBI_ROOM, e->room_id) ||
	    !record_exists(c->t, DBI_GROUP, e->group_id))
		problem(c, "waitlist entry %llu: room %llu or group %llu does not exist",
		        (unsigned long long)e->id, (unsigned long long)e->room_id,
		        (unsigned long long)e->group_id);
	key_init(&k);
	key_u8(&k, 'R');
	key_u64(&k, e->room_id);
	key_i64(&k, e->start);
	key_u64(&k, e->id);
	indexed = index_has(c->t, DBI_WAITLIST, &k, &v);
	if (indexed != waitlist_live(e->state))
		problem(c, "waitlist entry %llu (%s): room index entry %s",
		        (unsigned long long)e->id, waitlist_state_name(e->state),
		        indexed ? "left behind" : "missing");
	key_init(&k);
	key_u8(&k, 'O');
	key_i64(&k, e->offer_until);
	key_u64(&k, e->id);
	indexed = index_has(c->t, DBI_WAITLIST, &k, &v);
	if (indexed != (e->state == WAITLIST_OFFERED))
		problem(c, "waitlist entry %llu (%s): offer index entry %s",
		        (unsigned long long)e->id, waitlist_state_name(e->state),
		        indexed ? "left behind" : "missing");
	/* The sweep ends an entry as expired only once its slot has begun. */
	if (e->state == WAITLIST_EXPIRED && e->updated_at < e->start)
		problem(c, "waitlist entry %llu: expired before its slot began",
		        (unsigned long long)e->id);
	return true;
}

size_t check_run(struct txn *t, void (*report)(const char *problem, void *arg), void *arg)
{
	struct check c = {t, report, arg, 0};

	booking_each_record(t, check_booking, &c);
	check_index(&c, DBI_BOOKING_ROOM, "room booking index", 0);
	check_index(&c, DBI_BOOKING_GROUP, "group booking index", 1);
	room_each(t, 0, check_room, &c);
	room_each(t, 0, check_room_venue, &c);
	user_each(t, check_user, &c);
	check_role_index(&c);
	check_date_sets(&c);
	c.problems += hold_check(t, report, arg);
	waitlist_each_record(t, check_waitlist_entry, &c);
	allowance_each(t, 0, 0, check_allowance, &c);
	if (t->ret != H_OK)
		problem(&c, "storage error while checking: %s", t->err ? t->err->msg : "");
	return c.problems;
}
