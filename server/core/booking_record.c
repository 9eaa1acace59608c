/* The booking record and its indexes: the record's JSON, storing it with every index
 * entry, the conflict index's range scan, and listings. A file apart from booking.c,
 * which holds the rules, because the messages a change writes (notify.h) are written by
 * booking.c and read bookings here: together they would call each other.
 *
 * Records in DBI_BOOKING, and three indexes (layouts in schemas/db.md):
 *
 *   DBI_BOOKING_ROOM   room | start | id -> status           every booking, for listings
 *   DBI_BOOKING_GROUP  group | start | id -> ""              every booking, for listings
 *   DBI_BLOCK          room | 'A'/'P' | start | id -> end    approved and pending only
 *                      room | 'L' -> longest booking (s)     bounds every range scan
 *   DBI_SERIES_OCC     series | rule start -> id             occurrences of a series
 *
 * Conflict checks read only DBI_BLOCK. Entries are in start order, so the bookings that
 * can overlap [s, e) widened by the buffers start in [s - gap - longest, e + gap): one
 * seek and a scan of the k candidates, O(log n + k), never a whole-record decode. A
 * request its group has made already is found by the same scan, decoding only the
 * entries of exactly its slot, to read their group. */
#include "booking.h"

#include "flat_json.h"
#include "record.h"
#include "room.h"
#include "series_record.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_APPROVED 'A'
#define BLOCK_PENDING  'P'
#define BLOCK_LONGEST  'L'

static const char *const status_names[] = {
    [BOOKING_PENDING] = "pending",
    [BOOKING_APPROVED] = "approved",
    [BOOKING_DECLINED] = "declined",
    [BOOKING_CANCELLED] = "cancelled",
};

const char *booking_status_name(enum booking_status s)
{
	return (unsigned)s <= BOOKING_CANCELLED ? status_names[s] : "pending";
}

int booking_status_parse(const char *s, enum booking_status *out)
{
	for (int i = 0; i <= BOOKING_CANCELLED; i++)
		if (s != NULL && strcmp(s, status_names[i]) == 0) {
			*out = (enum booking_status)i;
			return 0;
		}
	return -1;
}

void booking_init(struct booking *b)
{
	memset(b, 0, sizeof(*b));
}

void booking_free(struct booking *b)
{
	free(b->title);
	free(b->description);
	free(b->note);
	memset(b, 0, sizeof(*b));
}

void booking_copy(struct booking *dst, const struct booking *src)
{
	*dst = *src;
	dst->title = xstrdup_or_null(src->title);
	dst->description = xstrdup_or_null(src->description);
	dst->note = xstrdup_or_null(src->note);
}

static void set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new_nocheck(o, key, json_integer((json_int_t)v));
}

json_t *booking_to_json(const struct booking *b)
{
	/* Member by member rather than by json_pack, whose format is parsed anew for every
	 * booking of a listing; the keys are ASCII literals (the _nocheck forms), the
	 * strings are checked. */
	json_t *o = json_object();

	set_int(o, "id", (int64_t)b->id);
	set_int(o, "room_id", (int64_t)b->room_id);
	set_int(o, "group_id", (int64_t)b->group_id);
	json_object_set_new_nocheck(o, "title", json_string(b->title));
	json_object_set_new_nocheck(o, "description", json_text(b->description));
	set_int(o, "attendees", b->attendees);
	set_int(o, "start_ts", b->start);
	set_int(o, "end_ts", b->end);
	json_object_set_new_nocheck(o, "status", json_string(booking_status_name(b->status)));
	json_object_set_new_nocheck(o, "public", json_boolean(b->public));
	set_int(o, "created_by", (int64_t)b->created_by);
	set_int(o, "created_at", b->created_at);
	set_int(o, "sequence", b->sequence);
	set_int(o, "updated_at", b->updated_at);
	set_int(o, "decided_at", b->decided_at);
	json_object_set_new_nocheck(
	    o, "series_id", b->series_id ? json_integer((json_int_t)b->series_id) : json_null());
	if (b->series_id)
		set_int(o, "recurrence_id", b->recurrence_id);
	json_object_set_new_nocheck(o, "was_approved", json_boolean(b->was_approved));
	json_object_set_new_nocheck(
	    o, "decided_by", b->decided_at ? json_integer((json_int_t)b->decided_by) : json_null());
	json_object_set_new_nocheck(o, "note", b->note ? json_string(b->note) : json_null());
	return o;
}

/* An instant of the record as json_instants_format_in shows it: local time, or null for
 * none. */
static void set_local_instant(json_t *o, const char *key, int64_t t, const struct tz_zone *z)
{
	char when[32];

	if (t <= 0) {
		json_object_set_new_nocheck(o, key, json_null());
		return;
	}
	time_format_in(t, z, when);
	json_object_set_new_nocheck(o, key, json_string_nocheck(when));
}

json_t *booking_to_json_local(const struct booking *b, const char *zone)
{
	const struct tz_zone *z = tz_zone_find(zone);
	json_t *o = booking_to_json(b);
	char when[32];

	/* The record's three instants, set directly rather than by walking every member
	 * (json_instants_format_in): a listing shows many bookings. */
	set_local_instant(o, "created_at", b->created_at, z);
	set_local_instant(o, "updated_at", b->updated_at, z);
	set_local_instant(o, "decided_at", b->decided_at, z);
	time_format_in(b->start, z, when);
	json_object_set_new_nocheck(o, "start", json_string_nocheck(when));
	time_format_in(b->end, z, when);
	json_object_set_new_nocheck(o, "end", json_string_nocheck(when));
	if (b->series_id) {
		time_format_in(b->recurrence_id, z, when);
		json_object_set_new_nocheck(o, "original_start", json_string_nocheck(when));
	}
	return o;
}

enum herr booking_from_json(const json_t *o, struct booking *b, struct herror *err)
{
	booking_init(b);
	if (booking_status_parse(json_str(o, "status"), &b->status) != 0 || !json_str(o, "title"))
		return herror_set(err, H_EINVAL, "booking record lacks a status or title");
	b->id = (uint64_t)json_int(o, "id", 0);
	b->room_id = (uint64_t)json_int(o, "room_id", 0);
	b->group_id = (uint64_t)json_int(o, "group_id", 0);
	b->series_id = (uint64_t)json_int(o, "series_id", 0);
	b->recurrence_id = json_int(o, "recurrence_id", 0);
	b->title = xstrdup(json_str(o, "title"));
	b->description = xstrdup_or_null(json_str(o, "description"));
	b->attendees = (uint32_t)json_int(o, "attendees", 0);
	b->start = json_int(o, "start_ts", 0);
	b->end = json_int(o, "end_ts", 0);
	b->public = json_flag(o, "public", false);
	b->created_by = (uint64_t)json_int(o, "created_by", 0);
	b->created_at = json_int(o, "created_at", 0);
	b->decided_by = (uint64_t)json_int(o, "decided_by", 0);
	b->decided_at = json_int(o, "decided_at", 0);
	b->note = xstrdup_or_null(json_str(o, "note"));
	b->sequence = (uint32_t)json_int(o, "sequence", 0);
	b->updated_at = json_int(o, "updated_at", 0);
	/* Records from before this field: an approved one was approved. */
	b->was_approved = json_flag(o, "was_approved", b->status == BOOKING_APPROVED);
	return H_OK;
}

/* The fields of a booking record, as booking_from_json reads them. */
enum booking_field {
	BF_ID,
	BF_ROOM_ID,
	BF_GROUP_ID,
	BF_SERIES_ID,
	BF_RECURRENCE_ID,
	BF_TITLE,
	BF_DESCRIPTION,
	BF_ATTENDEES,
	BF_START_TS,
	BF_END_TS,
	BF_PUBLIC,
	BF_CREATED_BY,
	BF_CREATED_AT,
	BF_DECIDED_BY,
	BF_DECIDED_AT,
	BF_NOTE,
	BF_SEQUENCE,
	BF_UPDATED_AT,
	BF_WAS_APPROVED,
	BF_STATUS,
	BF_COUNT
};

/* The keys, with their lengths: most members are told apart by length alone. */
#define FIELD(name)                                                                                \
	{                                                                                          \
		name, sizeof(name) - 1                                                             \
	}
static const struct {
	const char *key;
	size_t len;
} booking_field_names[BF_COUNT] = {
    [BF_ID] = FIELD("id"),
    [BF_ROOM_ID] = FIELD("room_id"),
    [BF_GROUP_ID] = FIELD("group_id"),
    [BF_SERIES_ID] = FIELD("series_id"),
    [BF_RECURRENCE_ID] = FIELD("recurrence_id"),
    [BF_TITLE] = FIELD("title"),
    [BF_DESCRIPTION] = FIELD("description"),
    [BF_ATTENDEES] = FIELD("attendees"),
    [BF_START_TS] = FIELD("start_ts"),
    [BF_END_TS] = FIELD("end_ts"),
    [BF_PUBLIC] = FIELD("public"),
    [BF_CREATED_BY] = FIELD("created_by"),
    [BF_CREATED_AT] = FIELD("created_at"),
    [BF_DECIDED_BY] = FIELD("decided_by"),
    [BF_DECIDED_AT] = FIELD("decided_at"),
    [BF_NOTE] = FIELD("note"),
    [BF_SEQUENCE] = FIELD("sequence"),
    [BF_UPDATED_AT] = FIELD("updated_at"),
    [BF_WAS_APPROVED] = FIELD("was_approved"),
    [BF_STATUS] = FIELD("status"),
};
#undef FIELD

/* The members read, by field; kind FLAT_NULL stands for absent too, which
 * booking_from_json treats alike (json_int, json_str and json_flag give their default). */
struct booking_fields {
	struct flat_member m[BF_COUNT];
	bool seen[BF_COUNT];
};

static int64_t field_int(const struct booking_fields *f, enum booking_field i, int64_t dflt)
{
	return f->m[i].kind == FLAT_INT ? f->m[i].i : dflt;
}

static char *field_str(const struct booking_fields *f, enum booking_field i)
{
	return f->m[i].kind == FLAT_STR ? flat_strdup(&f->m[i]) : NULL;
}

static bool field_flag(const struct booking_fields *f, enum booking_field i, bool dflt)
{
	return f->m[i].kind == FLAT_TRUE || (f->m[i].kind != FLAT_FALSE && dflt);
}

/* Reads the members of text[0, n) into *f; false for what flat_json leaves to jansson, and
 * for a field given twice (jansson keeps the last). */
static bool booking_fields_read(const char *text, size_t n, struct booking_fields *f)
{
	struct flat_reader r;
	struct flat_member m;
	int more;

	memset(f, 0, sizeof(*f));
	if (!flat_begin(&r, text, n))
		return false;
	while ((more = flat_next(&r, &m)) == 1)
		for (int i = 0; i < BF_COUNT; i++)
			if (m.key_len == booking_field_names[i].len &&
			    memcmp(m.key, booking_field_names[i].key, m.key_len) == 0) {
				if (f->seen[i])
					return false;
				f->seen[i] = true;
				f->m[i] = m;
				break;
			}
	return more == 0;
}

/* booking_from_json on the record's text, read in place (flat_json.h): true with *b set
 * as booking_from_json sets it, or false, *b untouched, when the record is to be read by
 * jansson -- anything unusual, and every record booking_from_json would refuse. */
static bool booking_from_text(const char *text, size_t n, struct booking *b)
{
	struct booking_fields f;
	const struct flat_member *st = &f.m[BF_STATUS];
	enum booking_status status;
	char name[16];

	if (!booking_fields_read(text, n, &f) || st->kind != FLAT_STR || st->s_escaped ||
	    st->s_len >= sizeof(name) || f.m[BF_TITLE].kind != FLAT_STR)
		return false;
	memcpy(name, st->s, st->s_len);
	name[st->s_len] = '\0';
	if (booking_status_parse(name, &status) != 0)
		return false;
	booking_init(b);
	b->status = status;
	b->id = (uint64_t)field_int(&f, BF_ID, 0);
	b->room_id = (uint64_t)field_int(&f, BF_ROOM_ID, 0);
	b->group_id = (uint64_t)field_int(&f, BF_GROUP_ID, 0);
	b->series_id = (uint64_t)field_int(&f, BF_SERIES_ID, 0);
	b->recurrence_id = field_int(&f, BF_RECURRENCE_ID, 0);
	b->title = field_str(&f, BF_TITLE);
	b->description = field_str(&f, BF_DESCRIPTION);
	b->attendees = (uint32_t)field_int(&f, BF_ATTENDEES, 0);
	b->start = field_int(&f, BF_START_TS, 0);
	b->end = field_int(&f, BF_END_TS, 0);
	b->public = field_flag(&f, BF_PUBLIC, false);
	b->created_by = (uint64_t)field_int(&f, BF_CREATED_BY, 0);
	b->created_at = field_int(&f, BF_CREATED_AT, 0);
	b->decided_by = (uint64_t)field_int(&f, BF_DECIDED_BY, 0);
	b->decided_at = field_int(&f, BF_DECIDED_AT, 0);
	b->note = field_str(&f, BF_NOTE);
	b->sequence = (uint32_t)field_int(&f, BF_SEQUENCE, 0);
	b->updated_at = field_int(&f, BF_UPDATED_AT, 0);
	b->was_approved = field_flag(&f, BF_WAS_APPROVED, b->status == BOOKING_APPROVED);
	return true;
}

/* The record through jansson: what booking_from_text leaves, and its errors. */
static enum herr booking_get_tree(struct txn *t, uint64_t id, struct booking *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_BOOKING, id, "booking", &o);

	booking_init(out);
	if (ret != H_OK)
		return ret;
	ret = booking_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "booking %llu is corrupt", (unsigned long long)id);
}

enum herr booking_get(struct txn *t, uint64_t id, struct booking *out)
{
	struct key k = key_id(id);
	MDB_val v;

	/* Listings and availability read many records: most are read in place. */
	if (txn_get(t, DBI_BOOKING, &k, &v) && v.mv_size >= 1 &&
	    ((const uint8_t *)v.mv_data)[0] == RECORD_V1 &&
	    booking_from_text((const char *)v.mv_data + 1, v.mv_size - 1, out))
		return H_OK;
	return booking_get_tree(t, id, out);
}

/* Index keys. */

static struct key block_key(uint64_t room, uint8_t state, int64_t start, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, room);
	key_u8(&k, state);
	key_i64(&k, start);
	key_u64(&k, id);
	return k;
}

static struct key block_prefix(uint64_t room, uint8_t state)
{
	struct key k;

	key_init(&k);
	key_u64(&k, room);
	key_u8(&k, state);
	return k;
}

static struct key by_start_key(uint64_t owner, int64_t start, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, owner);
	key_i64(&k, start);
	key_u64(&k, id);
	return k;
}

static uint8_t block_state(enum booking_status s)
{
	return s == BOOKING_APPROVED ? BLOCK_APPROVED : s == BOOKING_PENDING ? BLOCK_PENDING : 0;
}

static int64_t room_longest(struct txn *t, uint64_t room)
{
	struct key k = block_prefix(room, BLOCK_LONGEST);
	MDB_val v;

	if (!txn_get(t, DBI_BLOCK, &k, &v) || v.mv_size != 8)
		return 0;
	return key_get_i64(v.mv_data);
}

static void index_remove(struct txn *t, const struct booking *b)
{
	struct key k = by_start_key(b->room_id, b->start, b->id);

	txn_del(t, DBI_BOOKING_ROOM, &k);
	k = by_start_key(b->group_id, b->start, b->id);
	txn_del(t, DBI_BOOKING_GROUP, &k);
	if (block_state(b->status)) {
		k = block_key(b->room_id, block_state(b->status), b->start, b->id);
		txn_del(t, DBI_BLOCK, &k);
	}
}

static void index_add(struct txn *t, const struct booking *b)
{
	struct key k = by_start_key(b->room_id, b->start, b->id);
	uint8_t status = (uint8_t)b->status, end[8];

	txn_put(t, DBI_BOOKING_ROOM, &k, &status, 1);
	k = by_start_key(b->group_id, b->start, b->id);
	txn_put(t, DBI_BOOKING_GROUP, &k, "", 0);
	if (block_state(b->status)) {
		k = block_key(b->room_id, block_state(b->status), b->start, b->id);
		key_put_i64(end, b->end);
		txn_put(t, DBI_BLOCK, &k, end, sizeof(end));
	}
	if (b->series_id != 0) {
		k = series_occ_key(b->series_id, b->recurrence_id);
		key_put_u64(end, b->id);
		txn_put(t, DBI_SERIES_OCC, &k, end, sizeof(end));
	}
	if (b->end - b->start > room_longest(t, b->room_id)) {
		k = block_prefix(b->room_id, BLOCK_LONGEST);
		key_put_i64(end, b->end - b->start);
		txn_put(t, DBI_BLOCK, &k, end, sizeof(end));
	}
}

void booking_store(struct txn *t, const struct booking *b, const struct booking *old)
{
	json_t *o = booking_to_json(b);

	if (old != NULL)
		index_remove(t, old);
	record_put(t, DBI_BOOKING, b->id, o);
	index_add(t, b);
	json_decref(o);
	/* A change to an occurrence changes its series' feed entry. */
	if (old != NULL && b->series_id != 0)
		series_touch(t, b->series_id, b->updated_at);
}

static bool scan_state(struct txn *t, uint64_t room, uint8_t state, int64_t start, int64_t end,
                       int64_t gap, bool (*fn)(const struct block *b, void *arg), void *arg)
{
	struct key prefix = block_prefix(room, state);
	struct key from = block_key(room, state, start - gap - room_longest(t, room), 0);
	struct scan s;
	bool more = true;

	scan_begin(&s, t, DBI_BLOCK, &prefix, &from);
	while (more && scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;
		struct block blk;

		if (s.k.mv_size != 25 || s.v.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "corrupt entry in the booking index of room %llu",
			           (unsigned long long)room);
			break;
		}
		blk.start = key_get_i64(k + 9);
		blk.booking_id = key_get_u64(k + 17);
		blk.end = key_get_i64(s.v.mv_data);
		blk.status = state == BLOCK_APPROVED ? BOOKING_APPROVED : BOOKING_PENDING;
		if (blk.start >= end + gap)
			break;
		if (blk.end + gap > start)
			more = fn(&blk, arg);
	}
	scan_end(&s);
	return more;
}

enum herr booking_blocks(struct txn *t, uint64_t room_id, int status, int64_t start, int64_t end,
                         int64_t gap, bool (*fn)(const struct block *b, void *arg), void *arg)
{
	bool more = true;

	if (status < 0 || status == BOOKING_APPROVED)
		more = scan_state(t, room_id, BLOCK_APPROVED, start, end, gap, fn, arg);
	if (more && (status < 0 || status == BOOKING_PENDING))
		scan_state(t, room_id, BLOCK_PENDING, start, end, gap, fn, arg);
	return t->ret;
}

/* Listing. */

void booking_filter_init(struct booking_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->status = -1;
}

static bool filter_match(const struct booking_filter *f, const struct booking *b,
                         uint64_t venue_of_room)
{
	if (f->room_id && b->room_id != f->room_id)
		return false;
	if (f->group_id && b->group_id != f->group_id)
		return false;
	if (f->venue_id && venue_of_room != f->venue_id)
		return false;
	if (f->status >= 0 && (int)b->status != f->status)
		return false;
	if (f->to > f->from && (b->end <= f->from || b->start >= f->to))
		return false;
	return true;
}

/* A listing is a k-way merge of by-start index scans (one per room, or one for a
 * group), each already in (start, id) order, so bookings come out in that order without
 * being collected or sorted, a caller's early stop saves the rest, and a page resumes
 * with one seek per scan. A record is decoded only when its index entry passes what the
 * index can tell (its status, the window's end). */

#define BY_START_LEN 24 /* owner | start | id */

struct source {
	struct walk_pos pos; /* the entry s is on; first, for struct walk_heap */
	struct scan s;
	bool has_status; /* DBI_BOOKING_ROOM: the value is the status byte */
	bool in_venue;   /* a room of the venue filter, so no look-up */
};

/* The sources that still have entries, least position first. The merge owns them. */
struct merge {
	struct txn *t;
	const struct booking_filter *f;
	const struct walk *w; /* NULL: from the start, no bound */
	struct walk_heap h;
};

static struct source *merge_least(const struct merge *m)
{
	return (struct source *)m->h.v[0];
}

static bool windowed(const struct booking_filter *f)
{
	return f->to > f->from;
}

/* Moves s to its next entry that starts before the window's end and lies after the
 * resume point; false at the end of s. */
static bool source_next(struct merge *m, struct source *s)
{
	static const struct walk_layout by_start = {BY_START_LEN, 8, 16, "booking"};

	return walk_scan_next(m->t, &s->s, &by_start, m->w, windowed(m->f) ? m->f->to : INT64_MAX,
	                      &s->pos);
}

static void source_free(struct source *s)
{
	scan_end(&s->s);
	free(s);
}

/* Opens a scan of owner's entries in index d from start `from` (or the resume point,
 * whichever is later) and adds it to the heap when it has an entry. */
static void merge_add(struct merge *m, enum dbi d, uint64_t owner, int64_t from, bool in_venue)
{
	struct walk_pos at = {from, 0};
	struct key prefix = key_id(owner), first;
	struct source *s;

	if (m->w != NULL && m->w->has_after && walk_pos_cmp(m->w->after, at) > 0)
		at = m->w->after;
	first = by_start_key(owner, at.at, at.id);
	s = xcalloc(1, sizeof(*s));
	s->has_status = d == DBI_BOOKING_ROOM;
	s->in_venue = in_venue;
	scan_begin(&s->s, m->t, d, &prefix, &first);
	if (!source_next(m, s)) {
		source_free(s);
		return;
	}
	walk_heap_push(&m->h, &s->pos);
}

/* A room's scan starts its longest booking before the window: nothing earlier can
 * reach into it. */
static void merge_room_id(struct merge *m, uint64_t room, bool in_venue)
{
	int64_t from = windowed(m->f) ? m->f->from - room_longest(m->t, room) : INT64_MIN / 2;

	merge_add(m, DBI_BOOKING_ROOM, room, from, in_venue);
}

static bool merge_venue_room(const struct room *r, void *arg)
{
	struct merge *m = arg;

	merge_room_id(m, r->id, true);
	return m->t->ret == H_OK;
}

/* The first room at or after *room that has bookings, read from the index itself (one
 * seek), into *room; false when there is none. */
static bool next_booked_room(struct txn *t, uint64_t *room)
{
	struct key none, from = key_id(*room);
	struct scan s;
	bool found;

	key_init(&none);
	scan_begin(&s, t, DBI_BOOKING_ROOM, &none, &from);
	found = scan_next(&s) && s.k.mv_size == BY_START_LEN;
	if (found)
		*room = key_get_u64(s.k.mv_data);
	scan_end(&s);
	return found;
}

/* Every room that has bookings, so that the listing holds every indexed booking, as
 * the records do. */
static void merge_every_room(struct merge *m)
{
	for (uint64_t room = 0; next_booked_room(m->t, &room); room++) {
		merge_room_id(m, room, false);
		if (room == UINT64_MAX || m->t->ret != H_OK)
			return;
	}
}

/* The longest booking of any room: a group's bookings are in any room, so its scan of
 * a window starts that long before the window. */
static int64_t longest_anywhere(struct txn *t)
{
	int64_t longest = 0;

	for (uint64_t room = 0; next_booked_room(t, &room); room++) {
		int64_t l = room_longest(t, room);

		if (l > longest)
			longest = l;
		if (room == UINT64_MAX || t->ret != H_OK)
			break;
	}
	return longest;
}

static void merge_sources(struct merge *m)
{
	const struct booking_filter *f = m->f;

	if (f->room_id) {
		struct room r;

		if (room_get(m->t, f->room_id, &r) == H_OK)
			merge_room_id(m, r.id, r.venue_id == f->venue_id);
		room_free(&r);
	} else if (f->group_id) {
		merge_add(m, DBI_BOOKING_GROUP, f->group_id,
		          windowed(f) ? f->from - longest_anywhere(m->t) : INT64_MIN / 2, false);
	} else if (f->venue_id) {
		room_each(m->t, f->venue_id, merge_venue_room, m);
	} else {
		merge_every_room(m);
	}
}

/* Moves the least source on, dropping it at its end. */
static void merge_advance(struct merge *m)
{
	if (source_next(m, merge_least(m)))
		walk_heap_sift(&m->h);
	else
		source_free((struct source *)walk_heap_pop(&m->h));
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->h.n; i++)
		source_free((struct source *)m->h.v[i]);
	walk_heap_free(&m->h);
}

/* Decodes the booking s is on and passes it to fn when it matches the filter; false
 * when fn asks to stop. */
static bool merge_emit(struct merge *m, const struct source *s,
                       bool (*fn)(const struct booking *b, void *arg), void *arg)
{
	const struct booking_filter *f = m->f;
	struct booking b;
	uint64_t venue = 0;
	bool more = true;

	if (s->has_status && f->status >= 0 && s->s.v.mv_size == 1 &&
	    *(const uint8_t *)s->s.v.mv_data != (uint8_t)f->status)
		return true;
	if (booking_get(m->t, s->pos.id, &b) != H_OK) {
		booking_free(&b);
		return true;
	}
	if (f->venue_id && s->in_venue) {
		venue = f->venue_id;
	} else if (f->venue_id) {
		struct room r;

		if (room_get(m->t, b.room_id, &r) == H_OK)
			venue = r.venue_id;
		room_free(&r);
	}
	if (filter_match(f, &b, venue))
		more = fn(&b, arg);
	booking_free(&b);
	return more;
}

enum herr booking_filter_need(struct txn *t, const struct booking_filter *f)
{
	if (f->room_id != 0 && record_need(t, DBI_ROOM, f->room_id, "room") != H_OK)
		return t->ret;
	if (f->venue_id != 0 && record_need(t, DBI_VENUE, f->venue_id, "venue") != H_OK)
		return t->ret;
	if (f->group_id != 0)
		record_need(t, DBI_GROUP, f->group_id, "group");
	return t->ret;
}

enum herr booking_each_page(struct txn *t, const struct booking_filter *f, struct walk *w,
                            bool (*fn)(const struct booking *b, void *arg), void *arg)
{
	struct merge m = {.t = t, .f = f, .w = w};
	bool more = true;

	walk_begin(w);
	if (booking_filter_need(t, f) != H_OK)
		return t->ret;
	merge_sources(&m);
	while (more && m.h.n > 0 && t->ret == H_OK) {
		if (!walk_take(w, merge_least(&m)->pos))
			break;
		more = merge_emit(&m, merge_least(&m), fn, arg);
		merge_advance(&m);
	}
	if (w != NULL && !more)
		w->more = m.h.n > 0;
	merge_free(&m);
	return t->ret;
}

enum herr booking_each(struct txn *t, const struct booking_filter *f,
                       bool (*fn)(const struct booking *b, void *arg), void *arg)
{
	return booking_each_page(t, f, NULL, fn, arg);
}

enum herr booking_each_record(struct txn *t, bool (*fn)(const struct booking *b, void *arg),
                              void *arg)
{
	struct key none;
	struct scan s;
	bool more = true;

	key_init(&none);
	scan_begin(&s, t, DBI_BOOKING, &none, NULL);
	while (more && scan_next(&s)) {
		struct booking b;

		if (booking_get(t, key_get_u64(s.k.mv_data), &b) == H_OK)
			more = fn(&b, arg);
		booking_free(&b);
	}
	scan_end(&s);
	return t->ret;
}
