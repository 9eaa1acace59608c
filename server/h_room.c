/* Finding a room, and when it is free.
 *
 *   GET /api/v1/rooms?venue=&min_capacity=&feature=&free_from=&free_to=
 *   GET /api/v1/rooms/<id>/availability?from=&to=
 *
 * "Free" means what booking_check would let a request have, apart from the rules about
 * length and notice: inside one opening of the venue, no closure of the room or venue,
 * and no approved booking within the room's buffers. Times without an offset are read
 * in the room's venue zone; times come out in that zone's offset. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#define AVAIL_DEFAULT_DAYS 7
#define AVAIL_MAX_DAYS     62

struct room_search {
	struct request *r;
	struct txn *t;
	json_t *items;
	uint32_t min_capacity;
	uint32_t features;
	const char *free_from, *free_to; /* read in each room's zone */
	enum herr ret;
};

static bool room_search_one(const struct room *rm, void *arg)
{
	struct room_search *s = arg;
	struct venue v;
	bool keep = rm->capacity >= s->min_capacity && (rm->features & s->features) == s->features;

	if (keep && s->free_from != NULL) {
		int64_t start, end;
		struct herror e;

		herror_clear(&e);
		keep = venue_get(s->t, rm->venue_id, &v) == H_OK &&
		       time_parse(s->free_from, v.tz, &start, &e) == H_OK &&
		       time_parse(s->free_to, v.tz, &end, &e) == H_OK && end > start &&
		       booking_room_free(s->t, rm, &v, start, end);
		venue_free(&v);
	}
	if (keep)
		json_array_append_new(s->items, room_to_json(rm));
	return s->t->ret == H_OK;
}

enum herr h_room_list(struct request *r)
{
	static const char *const known[] = {"venue",     "min_capacity", "feature",
	                                    "free_from", "free_to",      NULL};
	struct room_search s = {.r = r};
	const char *feature = request_query(r, "feature");
	uint64_t venue;
	int64_t from, to;
	bool has_cap, has_from, has_to;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &venue)) != H_OK ||
	    (ret = request_query_uint(r, "min_capacity", 0, UINT32_MAX, &s.min_capacity,
	                              &has_cap)) != H_OK)
		return ret;
	if (feature != NULL) {
		/* One name, or several separated by commas: rooms with all of them. */
		char *copy = xstrdup(feature), *save = NULL;

		for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			uint32_t bit;

			if (feature_parse(tok, &bit) != 0) {
				char shown[64];

				text_quote(shown, sizeof(shown), tok, 40);
				ret = herror_set(&r->err, H_EINVAL,
				                 "query parameter feature: unknown feature \"%s\"",
				                 shown);
				break;
			}
			s.features |= bit;
		}
		if (ret == H_OK && s.features == 0)
			ret = herror_set(&r->err, H_EINVAL, "query parameter feature is empty");
		free(copy);
		if (ret != H_OK)
			return ret;
	}
	/* Checked once here, read again in each room's zone. */
	if ((ret = request_query_time(r, "free_from", TZ_DEFAULT, &from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "free_to", TZ_DEFAULT, &to, &has_to)) != H_OK)
		return ret;
	if (has_from != has_to)
		return herror_set(&r->err, H_EINVAL,
		                  "query parameters free_from and free_to go together");
	if (has_from && to <= from)
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter free_to must be after free_from");
	if (has_from && to - from > (int64_t)AVAIL_MAX_DAYS * 86400)
		return herror_set(
		    &r->err, H_EINVAL,
		    "query parameter free_to: at most %d days after free_from, please",
		    AVAIL_MAX_DAYS);
	if (has_from) {
		s.free_from = request_query(r, "free_from");
		s.free_to = request_query(r, "free_to");
	}
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	s.t = &t;
	s.items = json_array();
	if (venue != 0 && !record_exists(&t, DBI_VENUE, venue))
		ret = t.ret != H_OK ? t.ret
		                    : herror_set(&r->err, H_ENOTFOUND, "there is no venue %llu",
		                                 (unsigned long long)venue);
	else
		ret = room_each(&t, venue, room_search_one, &s);
	db_read_end(&t);
	if (ret == H_OK)
		r->reply = s.items;
	else
		json_decref(s.items);
	return ret;
}

/* Availability. */

struct span {
	int64_t start, end;
};

struct spans {
	struct span *items;
	size_t n;
};

static void spans_add(struct spans *s, int64_t start, int64_t end)
{
	s->items = xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
	s->items[s->n].start = start;
	s->items[s->n].end = end;
	s->n++;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

struct avail {
	struct txn *t;
	struct viewer *v;
	const struct place *p;
	const struct room *room;
	int64_t from, to;
	json_t *busy;
	struct spans taken; /* closures and approved bookings widened by the buffers */
};

static bool avail_block(const struct block *blk, void *arg)
{
	struct avail *a = arg;
	struct booking b;
	json_t *o;

	spans_add(&a->taken, blk->start - room_gap_seconds(a->room),
	          blk->end + room_gap_seconds(a->room));
	if (blk->end <= a->from || blk->start >= a->to)
		return true; /* only its buffers reach into the interval */
	o = booking_get(a->t, blk->booking_id, &b) == H_OK ? view_booking_json(a->v, &b, a->p)
	                                                   : NULL;
	booking_free(&b);
	if (o != NULL)
		json_array_append_new(a->busy, o);
	return true;
}

static bool avail_closure(const struct closure *c, void *arg)
{
	struct avail *a = arg;

	if (c->end > a->from && c->start < a->to)
		spans_add(&a->taken, c->start, c->end);
	return true;
}

struct free_ctx {
	const struct spans *taken; /* sorted by start */
	const char *zone;
	json_t *free;
};

static void free_add(struct free_ctx *f, int64_t start, int64_t end)
{
	json_t *o;

	if (end <= start)
		return;
	o = json_object();
	reply_time(o, "start", start, f->zone);
	reply_time(o, "end", end, f->zone);
	json_array_append_new(f->free, o);
}

/* One opening minus what is taken. */
static bool free_open(int64_t start, int64_t end, void *arg)
{
	struct free_ctx *f = arg;
	int64_t at = start;

	for (size_t i = 0; i < f->taken->n && at < end; i++) {
		const struct span *s = &f->taken->items[i];

		if (s->end <= at || s->start >= end)
			continue;
		free_add(f, at, s->start);
		if (s->end > at)
			at = s->end;
	}
	free_add(f, at, end);
	return true;
}

enum herr h_room_availability(struct request *r)
{
	static const char *const known[] = {"from", "to", NULL};
	struct places ps = {0};
	struct viewer v;
	struct room rm;
	struct txn t;
	struct avail a = {0};
	struct free_ctx fc;
	bool has_from, has_to;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = room_get(&t, r->ids[0], &rm);
	if (ret != H_OK)
		goto out;
	a.p = places_get(&ps, &t, rm.id);
	if ((ret = request_query_time(r, "from", a.p->venue.tz, &a.from, &has_from)) != H_OK ||
	    (ret = request_query_time(r, "to", a.p->venue.tz, &a.to, &has_to)) != H_OK)
		goto out;
	if (!has_from) {
		/* Today, from local midnight. */
		struct localtm lt;

		tz_to_local(a.p->venue.tz, r->now, &lt);
		lt.hour = lt.min = lt.sec = 0;
		a.from = tz_at_or_after(a.p->venue.tz, &lt);
	}
	if (!has_to) {
		struct localtm lt;
		int y, m, d;

		tz_to_local(a.p->venue.tz, a.from, &lt);
		civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + AVAIL_DEFAULT_DAYS, &y,
		                &m, &d);
		lt.year = y;
		lt.month = m;
		lt.day = d;
		a.to = tz_at_or_after(a.p->venue.tz, &lt);
	}
	if (a.to <= a.from) {
		ret = herror_set(&r->err, H_EINVAL, "query parameter to must be after from");
		goto out;
	}
	if (a.to - a.from > (int64_t)AVAIL_MAX_DAYS * 86400) {
		ret = herror_set(&r->err, H_EINVAL,
		                 "query parameter to: at most %d days after from, please",
		                 AVAIL_MAX_DAYS);
		goto out;
	}
	{
		struct venue ven;

		ret = venue_get(&t, rm.venue_id, &ven);
		if (ret == H_OK) {
			a.t = &t;
			a.v = &v;
			a.room = &rm;
			a.busy = json_array();
			/* Approved bookings just outside [from, to) still take buffer time. */
			ret = booking_blocks(&t, rm.id, BOOKING_APPROVED, a.from, a.to,
			                     room_gap_seconds(&rm), avail_block, &a);
			if (ret == H_OK)
				ret = closure_each(&t, CLOSURE_ROOM, rm.id, avail_closure, &a);
			if (ret == H_OK)
				ret =
				    closure_each(&t, CLOSURE_VENUE, rm.venue_id, avail_closure, &a);
			if (a.taken.n > 0)
				qsort(a.taken.items, a.taken.n, sizeof(*a.taken.items), span_cmp);
			fc.taken = &a.taken;
			fc.zone = a.p->venue.tz;
			fc.free = json_array();
			if (ret == H_OK)
				hours_each_open(&ven.hours, ven.tz, a.from, a.to, free_open, &fc);
			if (ret == H_OK) {
				r->reply =
				    json_pack("{s:I, s:o, s:o}", "room_id", (json_int_t)rm.id,
				              "busy", a.busy, "free", fc.free);
				reply_time(r->reply, "from", a.from, a.p->venue.tz);
				reply_time(r->reply, "to", a.to, a.p->venue.tz);
			} else {
				json_decref(a.busy);
				json_decref(fc.free);
			}
			free(a.taken.items);
		}
		venue_free(&ven);
	}
out:
	room_free(&rm);
	viewer_free(&v);
	places_free(&ps);
	db_read_end(&t);
	return ret;
}
