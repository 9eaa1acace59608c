#include "waitlist_record.h"

#include "record.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

enum { KEY_ENTRY = 'E', KEY_ROOM = 'R', KEY_OFFER = 'O' };
#define SLOT_VAL_LEN 17 /* end i64 | group u64 | state u8 */

static const char *const state_names[WAITLIST_STATE_COUNT] = {
    [WAITLIST_WAITING] = "waiting",   [WAITLIST_OFFERED] = "offered",
    [WAITLIST_ACCEPTED] = "accepted", [WAITLIST_DECLINED] = "declined",
    [WAITLIST_LAPSED] = "lapsed",     [WAITLIST_LEFT] = "left",
    [WAITLIST_EXPIRED] = "expired",
};

void waitlist_entry_init(struct waitlist_entry *e)
{
	memset(e, 0, sizeof(*e));
}

void waitlist_entry_free(struct waitlist_entry *e)
{
	free(e->title);
	memset(e, 0, sizeof(*e));
}

const char *waitlist_state_name(enum waitlist_state s)
{
	return (unsigned)s < WAITLIST_STATE_COUNT ? state_names[s] : "?";
}

int waitlist_state_parse(const char *s, enum waitlist_state *out)
{
	for (int i = 0; s != NULL && i < WAITLIST_STATE_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum waitlist_state)i;
			return 0;
		}
	return -1;
}

bool waitlist_live(enum waitlist_state s)
{
	return s == WAITLIST_WAITING || s == WAITLIST_OFFERED;
}

int64_t waitlist_offer_end(const struct waitlist_entry *e)
{
	return e->start < e->offer_until ? e->start : e->offer_until;
}

bool waitlist_offer_open(const struct waitlist_entry *e, int64_t now)
{
	return e->state == WAITLIST_OFFERED && now < waitlist_offer_end(e);
}

static struct key entry_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_ENTRY);
	key_u64(&k, id);
	return k;
}

static struct key slot_key(uint64_t room_id, int64_t start, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_ROOM);
	key_u64(&k, room_id);
	key_i64(&k, start);
	key_u64(&k, id);
	return k;
}

static struct key offer_key(int64_t until, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_OFFER);
	key_i64(&k, until);
	key_u64(&k, id);
	return k;
}

json_t *waitlist_entry_to_json(const struct waitlist_entry *e)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "id",
	    (json_int_t)e->id, "room_id", (json_int_t)e->room_id, "group_id",
	    (json_int_t)e->group_id, "start", (json_int_t)e->start, "end", (json_int_t)e->end,
	    "joined_at", (json_int_t)e->joined_at, "joined_by", (json_int_t)e->joined_by, "state",
	    waitlist_state_name(e->state), "offered_at", (json_int_t)e->offered_at, "offer_until",
	    (json_int_t)e->offer_until, "booking_id", (json_int_t)e->booking_id, "updated_at",
	    (json_int_t)e->updated_at, "updated_by", (json_int_t)e->updated_by);

	json_object_set_new(o, "title", e->title != NULL ? json_string(e->title) : json_null());
	return o;
}

enum herr waitlist_entry_from_json(const json_t *o, struct waitlist_entry *e, struct herror *err)
{
	const char *title = json_str(o, "title");

	waitlist_entry_init(e);
	if (waitlist_state_parse(json_str(o, "state"), &e->state) != 0)
		return herror_set(err, H_EINVAL, "waitlist entry lacks a state");
	e->id = (uint64_t)json_int(o, "id", 0);
	e->room_id = (uint64_t)json_int(o, "room_id", 0);
	e->group_id = (uint64_t)json_int(o, "group_id", 0);
	e->start = json_int(o, "start", 0);
	e->end = json_int(o, "end", 0);
	e->joined_at = json_int(o, "joined_at", 0);
	e->joined_by = (uint64_t)json_int(o, "joined_by", 0);
	e->offered_at = json_int(o, "offered_at", 0);
	e->offer_until = json_int(o, "offer_until", 0);
	e->booking_id = (uint64_t)json_int(o, "booking_id", 0);
	e->updated_at = json_int(o, "updated_at", 0);
	e->updated_by = (uint64_t)json_int(o, "updated_by", 0);
	e->title = title != NULL ? xstrdup(title) : NULL;
	if (e->id == 0 || e->room_id == 0 || e->group_id == 0 || e->start >= e->end)
		return herror_set(err, H_EINVAL, "waitlist entry %llu is incomplete",
		                  (unsigned long long)e->id);
	return H_OK;
}

enum herr waitlist_entry_get(struct txn *t, uint64_t id, struct waitlist_entry *out)
{
	struct key k = entry_key(id);
	json_t *rec = NULL;
	enum herr ret;

	waitlist_entry_init(out);
	if ((ret = record_get_key(t, DBI_WAITLIST, &k, "waitlist entry", id, &rec)) != H_OK)
		return ret;
	ret = waitlist_entry_from_json(rec, out, t->err);
	json_decref(rec);
	return ret != H_OK ? txn_refuse(t, H_ESTORAGE, "%s", t->err->msg) : H_OK;
}

static void index_put(struct txn *t, const struct waitlist_entry *e)
{
	struct key k;
	uint8_t v[SLOT_VAL_LEN];

	if (!waitlist_live(e->state))
		return;
	k = slot_key(e->room_id, e->start, e->id);
	key_put_i64(v, e->end);
	key_put_u64(v + 8, e->group_id);
	v[16] = (uint8_t)e->state;
	txn_put(t, DBI_WAITLIST, &k, v, sizeof(v));
	if (e->state == WAITLIST_OFFERED) {
		k = offer_key(e->offer_until, e->id);
		txn_put(t, DBI_WAITLIST, &k, "", 0);
	}
}

static void index_del(struct txn *t, const struct waitlist_entry *e)
{
	struct key k;

	if (!waitlist_live(e->state))
		return;
	k = slot_key(e->room_id, e->start, e->id);
	txn_del(t, DBI_WAITLIST, &k);
	if (e->state == WAITLIST_OFFERED) {
		k = offer_key(e->offer_until, e->id);
		txn_del(t, DBI_WAITLIST, &k);
	}
}

void waitlist_entry_store(struct txn *t, const struct waitlist_entry *e,
                          const struct waitlist_entry *old)
{
	struct key k = entry_key(e->id);
	json_t *rec = waitlist_entry_to_json(e);

	if (old != NULL)
		index_del(t, old);
	record_put_key(t, DBI_WAITLIST, &k, rec);
	json_decref(rec);
	index_put(t, e);
}

/* Reads the room index entry under the scan's cursor into s; false if it is not one. */
static bool slot_read(const struct scan *sc, struct waitlist_slot *s)
{
	const uint8_t *k = sc->k.mv_data, *v = sc->v.mv_data;

	if (sc->k.mv_size != 25 || sc->v.mv_size != SLOT_VAL_LEN)
		return false;
	s->start = key_get_i64(k + 9);
	s->id = key_get_u64(k + 17);
	s->end = key_get_i64(v);
	s->group_id = key_get_u64(v + 8);
	s->state = (enum waitlist_state)v[16];
	return true;
}

enum herr waitlist_slots(struct txn *t, uint64_t room_id, int64_t start, int64_t end, int64_t gap,
                         bool (*fn)(const struct waitlist_slot *s, void *arg), void *arg)
{
	struct key prefix, from;
	struct scan sc;

	key_init(&prefix);
	key_u8(&prefix, KEY_ROOM);
	key_u64(&prefix, room_id);
	from = slot_key(room_id, start - gap - WAITLIST_LENGTH_MAX, 0);
	scan_begin(&sc, t, DBI_WAITLIST, &prefix, &from);
	while (scan_next(&sc)) {
		struct waitlist_slot s;

		if (!slot_read(&sc, &s))
			continue;
		if (s.start >= end + gap)
			break;
		if (s.end + gap > start && !fn(&s, arg))
			break;
	}
	scan_end(&sc);
	return t->ret;
}

enum herr waitlist_slots_all(struct txn *t, bool (*fn)(const struct waitlist_slot *s, void *arg),
                             void *arg)
{
	struct key prefix = key_tag(KEY_ROOM);
	struct scan sc;

	scan_begin(&sc, t, DBI_WAITLIST, &prefix, NULL);
	while (scan_next(&sc)) {
		struct waitlist_slot s;

		if (slot_read(&sc, &s) && !fn(&s, arg))
			break;
	}
	scan_end(&sc);
	return t->ret;
}

enum herr waitlist_offers_due(struct txn *t, int64_t until,
                              bool (*fn)(uint64_t id, int64_t offer_until, void *arg), void *arg)
{
	struct key prefix = key_tag(KEY_OFFER);
	struct scan sc;

	scan_begin(&sc, t, DBI_WAITLIST, &prefix, NULL);
	while (scan_next(&sc)) {
		const uint8_t *k = sc.k.mv_data;
		int64_t when;

		if (sc.k.mv_size != 17)
			continue;
		when = key_get_i64(k + 1);
		if (when > until || !fn(key_get_u64(k + 9), when, arg))
			break;
	}
	scan_end(&sc);
	return t->ret;
}

static bool first_due(uint64_t id, int64_t offer_until, void *arg)
{
	(void)id;
	*(int64_t *)arg = offer_until;
	return false;
}

int64_t waitlist_next_offer_end(struct txn *t)
{
	int64_t next = INT64_MAX;

	waitlist_offers_due(t, INT64_MAX, first_due, &next);
	return next;
}

enum herr waitlist_each_record(struct txn *t, bool (*fn)(const struct waitlist_entry *e, void *arg),
                               void *arg)
{
	struct key prefix = key_tag(KEY_ENTRY);
	struct scan sc;
	bool go = true;

	scan_begin(&sc, t, DBI_WAITLIST, &prefix, NULL);
	while (go && scan_next(&sc)) {
		json_error_t jerr;
		json_t *rec;
		struct waitlist_entry e;

		if (sc.v.mv_size < 2)
			continue;
		rec = json_loadb((const char *)sc.v.mv_data + 1, sc.v.mv_size - 1, 0, &jerr);
		if (rec == NULL)
			continue;
		if (waitlist_entry_from_json(rec, &e, t->err) == H_OK)
			go = fn(&e, arg);
		waitlist_entry_free(&e);
		json_decref(rec);
	}
	scan_end(&sc);
	return t->ret;
}

struct group_first {
	uint64_t group_id, found;
};

static bool group_match(const struct waitlist_entry *e, void *arg)
{
	struct group_first *g = arg;

	if (e->group_id == g->group_id)
		g->found = e->id;
	return g->found == 0;
}

uint64_t waitlist_group_first(struct txn *t, uint64_t group_id)
{
	struct group_first g = {group_id, 0};

	waitlist_each_record(t, group_match, &g);
	return g.found;
}

enum herr waitlist_entry_import(struct txn *t, const json_t *o)
{
	struct waitlist_entry e;

	if (waitlist_entry_from_json(o, &e, t->err) != H_OK) {
		waitlist_entry_free(&e);
		return txn_refuse(t, H_EINVAL, "%s", t->err->msg);
	}
	waitlist_entry_store(t, &e, NULL);
	txn_seen_id(t, "waitlist", e.id);
	waitlist_entry_free(&e);
	return t->ret;
}
