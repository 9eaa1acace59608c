/* Provisional holds: the rule that refuses a held slot, and the records of who holds
 * what until when (hold.h). Below booking.c: reads bookings, never changes them. */
#include "hold.h"

#include "audit.h"
#include "record.h"
#include "text.h"
#include "when.h"

#include <jansson.h>
#include <string.h>

enum { HOLD_TAG = 'H', LAPSE_TAG = 'Q', WARN_TAG = 'W' };

#define HOLD_VALUE_LEN 17

static struct key hold_key(uint64_t booking_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, HOLD_TAG);
	key_u64(&k, booking_id);
	return k;
}

static struct key queue_key(uint8_t tag, int64_t at, uint64_t booking_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, tag);
	key_i64(&k, at);
	key_u64(&k, booking_id);
	return k;
}

static void hold_put(struct txn *t, const struct hold *h)
{
	uint8_t v[HOLD_VALUE_LEN];
	struct key k = hold_key(h->booking_id);

	key_put_i64(v, h->until);
	key_put_i64(v + 8, h->warn_at);
	v[16] = h->warned ? 1 : 0;
	txn_put(t, DBI_HOLD, &k, v, sizeof(v));
}

int hold_get(struct txn *t, uint64_t booking_id, struct hold *out)
{
	struct key k = hold_key(booking_id);
	MDB_val v;

	if (txn_get(t, DBI_HOLD, &k, &v) != 1 || v.mv_size != HOLD_VALUE_LEN)
		return 0;
	out->booking_id = booking_id;
	out->until = key_get_i64(v.mv_data);
	out->warn_at = key_get_i64((const uint8_t *)v.mv_data + 8);
	out->warned = ((const uint8_t *)v.mv_data)[16] != 0;
	out->orphan = false;
	return 1;
}

bool hold_live(struct txn *t, uint64_t booking_id, int64_t now, int64_t *until)
{
	struct hold h;

	if (hold_get(t, booking_id, &h) != 1 || now >= h.until)
		return false;
	if (until != NULL)
		*until = h.until;
	return true;
}

void hold_end_entries(struct txn *t, const struct hold *h)
{
	struct key k = queue_key(LAPSE_TAG, h->until, h->booking_id);

	txn_del(t, DBI_HOLD, &k);
	if (!h->warned) {
		k = queue_key(WARN_TAG, h->warn_at, h->booking_id);
		txn_del(t, DBI_HOLD, &k);
	}
	k = hold_key(h->booking_id);
	txn_del(t, DBI_HOLD, &k);
}

void hold_end(struct txn *t, uint64_t booking_id)
{
	struct hold h;

	if (hold_get(t, booking_id, &h) == 1)
		hold_end_entries(t, &h);
}

void hold_mark_warned(struct txn *t, const struct hold *h)
{
	struct hold warned = *h;
	struct key k = queue_key(WARN_TAG, h->warn_at, h->booking_id);

	txn_del(t, DBI_HOLD, &k);
	warned.warned = true;
	hold_put(t, &warned);
}

/* --- the rule --- */

struct held_ctx {
	struct txn *t;
	const struct booking *b;
	int64_t now;
	int64_t until; /* the latest end of a hold met; 0: none */
};

static bool held_block(const struct block *blk, void *arg)
{
	struct held_ctx *c = arg;
	struct booking other;
	int64_t until;

	if (blk->booking_id == c->b->id || !hold_live(c->t, blk->booking_id, c->now, &until))
		return true;
	booking_init(&other);
	if (booking_get(c->t, blk->booking_id, &other) == H_OK &&
	    other.group_id != c->b->group_id && until > c->until)
		c->until = until;
	booking_free(&other);
	return c->t->ret == H_OK;
}

enum herr hold_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now)
{
	struct held_ctx c = {t, b, now, 0};
	char when[WHEN_MAX];

	if (booking_blocks(t, b->room_id, BOOKING_PENDING, b->start, b->end,
	                   room_gap_seconds(&p->room), held_block, &c) != H_OK)
		return t->ret;
	if (c.until == 0)
		return H_OK;
	/* Never who holds it: the other group's request is theirs and its managers'. */
	when_moment(c.until, p->venue.tz, when, sizeof(when));
	if (p->room.setup_min == 0 && p->room.cleanup_min == 0)
		return txn_refuse(t, H_RULE_HELD, "%s is held for another group's request until %s",
		                  p->room.name, when);
	return txn_refuse(t, H_RULE_HELD,
	                  "%s is held for another group's request until %s, counting %u minutes "
	                  "to set up and %u to clear away",
	                  p->room.name, when, p->room.setup_min, p->room.cleanup_min);
}

/* --- starting and ending --- */

/* The time left before until at which the warning goes: a quarter of the hold, at most
 * HOLD_WARN_MAX_SECONDS. */
static int64_t warn_lead(int64_t from, int64_t until)
{
	int64_t quarter = (until - from) / 4;

	return quarter < HOLD_WARN_MAX_SECONDS ? quarter : HOLD_WARN_MAX_SECONDS;
}

static void hold_start(struct txn *t, const struct actor *a, const struct booking *b,
                       const struct place *p, int64_t now)
{
	struct hold h = {.booking_id = b->id};
	struct key k;
	json_t *detail;

	h.until = now + (int64_t)p->room.hold_hours * 3600;
	if (h.until > b->start)
		h.until = b->start;
	if (h.until <= now)
		return;
	h.warn_at = h.until - warn_lead(now, h.until);
	hold_put(t, &h);
	k = queue_key(LAPSE_TAG, h.until, b->id);
	txn_put(t, DBI_HOLD, &k, "", 0);
	k = queue_key(WARN_TAG, h.warn_at, b->id);
	txn_put(t, DBI_HOLD, &k, "", 0);
	detail = json_pack("{sI}", "until", (json_int_t)h.until);
	audit_append(t, a, "booking", b->id, "hold", NULL, detail, now);
	json_decref(detail);
}

void hold_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                       const struct booking *b, const struct place *p, int64_t now)
{
	struct hold h;

	if (t->ret != H_OK)
		return;
	if (old == NULL) {
		/* A series is decided as a whole: its dates hold nothing. */
		if (b->status == BOOKING_PENDING && b->series_id == 0 && p->room.hold_hours > 0)
			hold_start(t, a, b, p, now);
		return;
	}
	if (hold_get(t, b->id, &h) != 1)
		return;
	if (b->status != BOOKING_PENDING || b->start != old->start || b->end != old->end) {
		json_t *detail = json_pack(
		    "{sIss}", "until", (json_int_t)h.until, "why",
		    b->status != BOOKING_PENDING ? booking_status_name(b->status) : "moved");

		hold_end(t, b->id);
		audit_append(t, a, "booking", b->id, "hold-end", NULL, detail, now);
		json_decref(detail);
	}
}

/* --- the queues --- */

size_t hold_due(struct txn *t, bool warnings, int64_t now, struct hold *out, size_t max, bool *more,
                int64_t *next)
{
	struct key prefix = key_tag(warnings ? WARN_TAG : LAPSE_TAG);
	struct scan s;
	size_t n = 0;

	*more = false;
	*next = INT64_MAX;
	scan_begin(&s, t, DBI_HOLD, &prefix, NULL);
	while (scan_next(&s)) {
		const uint8_t *kb = s.k.mv_data;
		int64_t at;

		if (s.k.mv_size != 17)
			continue;
		at = key_get_i64(kb + 1);
		if (at > now) {
			*next = at;
			break;
		}
		if (n == max) {
			*more = true;
			break;
		}
		out[n].booking_id = key_get_u64(kb + 9);
		if (hold_get(t, out[n].booking_id, &out[n]) != 1) {
			/* A queue entry without its hold (halls check reports it): the hold
			 * is gone, so it lapses at once, which removes the entry. */
			out[n].until = out[n].warn_at = at;
			out[n].warned = !warnings;
			out[n].orphan = true;
		}
		n++;
	}
	scan_end(&s);
	return n;
}

/* --- halls check --- */

struct hold_check_ctx {
	struct txn *t;
	void (*report)(const char *problem, void *arg);
	void *arg;
	size_t problems;
};

static void hold_problem(struct hold_check_ctx *c, const char *what, uint64_t booking_id)
{
	char msg[160];

	text_format(msg, sizeof(msg), "hold of booking %llu: %s", (unsigned long long)booking_id,
	            what);
	c->problems++;
	c->report(msg, c->arg);
}

static void check_hold(struct hold_check_ctx *c, const struct hold *h)
{
	struct booking b;
	struct key k;
	MDB_val v;

	booking_init(&b);
	if (booking_get(c->t, h->booking_id, &b) != H_OK)
		hold_problem(c, "the booking does not exist", h->booking_id);
	else if (b.status != BOOKING_PENDING)
		hold_problem(c, "the booking is not pending", h->booking_id);
	booking_free(&b);
	k = queue_key(LAPSE_TAG, h->until, h->booking_id);
	if (txn_get(c->t, DBI_HOLD, &k, &v) != 1)
		hold_problem(c, "its lapse queue entry is missing", h->booking_id);
	k = queue_key(WARN_TAG, h->warn_at, h->booking_id);
	if (!h->warned && txn_get(c->t, DBI_HOLD, &k, &v) != 1)
		hold_problem(c, "its warning queue entry is missing", h->booking_id);
}

/* A queue entry must match its hold: same time, and a warning only while not sent. */
static void check_queue_entry(struct hold_check_ctx *c, uint8_t tag, const uint8_t *kb)
{
	struct hold h;
	int64_t at = key_get_i64(kb + 1);
	uint64_t id = key_get_u64(kb + 9);

	if (hold_get(c->t, id, &h) != 1)
		hold_problem(c, "a queue entry without its hold", id);
	else if (tag == LAPSE_TAG ? h.until != at : h.warned || h.warn_at != at)
		hold_problem(c, "a queue entry that does not match its hold", id);
}

size_t hold_check(struct txn *t, void (*report)(const char *problem, void *arg), void *arg)
{
	struct hold_check_ctx c = {t, report, arg, 0};
	struct key prefix;
	struct scan s;

	prefix = key_tag(HOLD_TAG);
	scan_begin(&s, t, DBI_HOLD, &prefix, NULL);
	while (scan_next(&s)) {
		struct hold h;
		uint64_t id;

		if (s.k.mv_size != 9) {
			hold_problem(&c, "a malformed key", 0);
			continue;
		}
		id = key_get_u64((const uint8_t *)s.k.mv_data + 1);
		if (hold_get(t, id, &h) != 1)
			hold_problem(&c, "a malformed value", id);
		else
			check_hold(&c, &h);
	}
	scan_end(&s);
	for (int i = 0; i < 2; i++) {
		uint8_t tag = i == 0 ? LAPSE_TAG : WARN_TAG;

		prefix = key_tag(tag);
		scan_begin(&s, t, DBI_HOLD, &prefix, NULL);
		while (scan_next(&s)) {
			if (s.k.mv_size != 17)
				hold_problem(&c, "a malformed queue key", 0);
			else
				check_queue_entry(&c, tag, s.k.mv_data);
		}
		scan_end(&s);
	}
	return c.problems;
}

/* --- export and import --- */

enum herr hold_each_record(struct txn *t, bool (*fn)(json_t *rec, void *arg), void *arg)
{
	struct key prefix = key_tag(HOLD_TAG);
	struct scan s;
	bool go = true;

	scan_begin(&s, t, DBI_HOLD, &prefix, NULL);
	while (go && scan_next(&s)) {
		struct hold h;

		/* A malformed entry is halls check's to report; it cannot be exported. */
		if (s.k.mv_size != 9 ||
		    hold_get(t, key_get_u64((const uint8_t *)s.k.mv_data + 1), &h) != 1)
			continue;
		go = fn(json_pack("{sI sI sI sI sb}", "id", (json_int_t)h.booking_id, "booking_id",
		                  (json_int_t)h.booking_id, "until", (json_int_t)h.until, "warn_at",
		                  (json_int_t)h.warn_at, "warned", h.warned),
		        arg);
	}
	scan_end(&s);
	return t->ret;
}

/* Reads o into h, or says what is wrong with it. */
static enum herr hold_from_json(struct txn *t, const json_t *o, struct hold *h)
{
	static const char *const known[] = {"id", "booking_id", "until", "warn_at", "warned", NULL};
	int64_t id, booking_id;

	if (fields_known(o, known, t->err) != H_OK) {
		/* txn_refuse writes t->err: the words are copied out first. */
		char msg[sizeof(t->err->msg)];

		text_format(msg, sizeof(msg), "%s", t->err->msg);
		return txn_refuse(t, H_EINVAL, "a hold: %s", msg);
	}
	if (!json_int_in(json_object_get(o, "id"), 1, INT64_MAX, &id) ||
	    !json_int_in(json_object_get(o, "booking_id"), 1, INT64_MAX, &booking_id) ||
	    id != booking_id)
		return txn_refuse(t, H_EINVAL,
		                  "a hold needs an id and a booking_id, the same booking's id");
	h->booking_id = (uint64_t)id;
	if (!json_int_in(json_object_get(o, "until"), 1, INT64_MAX, &h->until) ||
	    !json_int_in(json_object_get(o, "warn_at"), 1, h->until, &h->warn_at) ||
	    !json_is_boolean(json_object_get(o, "warned")))
		return txn_refuse(t, H_EINVAL,
		                  "the hold of booking %llu needs until and warn_at (seconds, "
		                  "warn_at not after until) and warned (true or false)",
		                  (unsigned long long)h->booking_id);
	h->warned = json_is_true(json_object_get(o, "warned"));
	h->orphan = false;
	return H_OK;
}

enum herr hold_import(struct txn *t, const json_t *o)
{
	struct hold h, had;
	struct booking b;
	struct key k;

	if (hold_from_json(t, o, &h) != H_OK)
		return t->ret;
	if (hold_get(t, h.booking_id, &had) == 1)
		return txn_refuse(t, H_EEXISTS, "the hold of booking %llu appears twice",
		                  (unsigned long long)h.booking_id);
	booking_init(&b);
	if (booking_get(t, h.booking_id, &b) == H_OK && b.status != BOOKING_PENDING)
		txn_refuse(t, H_EINVAL,
		           "the hold of booking %llu: the booking is %s, and only a pending "
		           "request holds its slot",
		           (unsigned long long)h.booking_id, booking_status_name(b.status));
	booking_free(&b);
	if (t->ret != H_OK)
		return t->ret;
	hold_put(t, &h);
	k = queue_key(LAPSE_TAG, h.until, h.booking_id);
	txn_put(t, DBI_HOLD, &k, "", 0);
	if (!h.warned) {
		k = queue_key(WARN_TAG, h.warn_at, h.booking_id);
		txn_put(t, DBI_HOLD, &k, "", 0);
	}
	return t->ret;
}
