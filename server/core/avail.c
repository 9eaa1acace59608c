#include "avail.h"

#include "booking.h"
#include "closure.h"
#include "hours.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* What is busy is gathered from three sources (the booking index, the closure index and
 * the opening hours), clipped to the window and sorted; free is what lies between. */
struct gather {
	struct txn *t;
	const struct room *r;
	int64_t from, to;
	bool whole;      /* only whether the window is free: each source stops at its first */
	int64_t open_at; /* hours: where the time since the last opening began */
	size_t cap;
	struct avail *a;
};

static void busy_add(struct gather *g, int64_t start, int64_t end, enum avail_why why, uint64_t id)
{
	struct avail *a = g->a;

	start = start < g->from ? g->from : start;
	end = end > g->to ? g->to : end;
	if (end <= start)
		return;
	if (a->n_busy == g->cap) {
		g->cap = g->cap == 0 ? 16 : 2 * g->cap;
		a->busy = xrealloc(a->busy, g->cap * sizeof(*a->busy));
	}
	a->busy[a->n_busy++] = (struct avail_busy){start, end, why, id};
}

static bool gather_block(const struct block *b, void *arg)
{
	struct gather *g = arg;
	int64_t gap = room_gap_seconds(g->r);

	busy_add(g, b->start - gap, b->start, AVAIL_BUFFER, b->booking_id);
	busy_add(g, b->start, b->end, AVAIL_BOOKING, b->booking_id);
	busy_add(g, b->end, b->end + gap, AVAIL_BUFFER, b->booking_id);
	return !g->whole;
}

static bool gather_closure(const struct closure_span *c, void *arg)
{
	struct gather *g = arg;

	busy_add(g, c->start, c->end,
	         c->scope == CLOSURE_ROOM ? AVAIL_ROOM_CLOSED : AVAIL_VENUE_CLOSED, c->id);
	return !g->whole;
}

/* The time before each opening is outside the hours. */
static bool gather_opening(int64_t start, int64_t end, void *arg)
{
	struct gather *g = arg;

	busy_add(g, g->open_at, start, AVAIL_HOURS, 0);
	g->open_at = end;
	/* Whole: past the first opening, the rest of the window is outside it. */
	return !g->whole;
}

static void gather_hours(struct gather *g, const struct venue *v)
{
	g->open_at = g->from;
	hours_each_open(&v->hours, v->tz, g->from, g->to, gather_opening, g);
	busy_add(g, g->open_at, g->to, AVAIL_HOURS, 0);
}

struct ranked {
	struct avail_busy b;
	size_t seq; /* the order found, for ties */
};

static int ranked_cmp(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->b.start != b->b.start)
		return a->b.start < b->b.start ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* By start, ties in the order found: a stable sort, so that bookings clipped to the same
 * start keep the index's (start, id) order. */
static void busy_sort(struct avail *a)
{
	struct ranked *r;

	if (a->n_busy < 2)
		return;
	r = xmalloc(a->n_busy * sizeof(*r));
	for (size_t i = 0; i < a->n_busy; i++)
		r[i] = (struct ranked){a->busy[i], i};
	qsort(r, a->n_busy, sizeof(*r), ranked_cmp);
	for (size_t i = 0; i < a->n_busy; i++)
		a->busy[i] = r[i].b;
	free(r);
}

/* The window less the busy entries (sorted by start). */
static void free_between(struct avail *a)
{
	int64_t at = a->from;
	size_t cap = a->n_busy + 1;

	a->free = xmalloc(cap * sizeof(*a->free));
	for (size_t i = 0; i < a->n_busy; i++) {
		const struct avail_busy *b = &a->busy[i];

		if (b->start > at)
			a->free[a->n_free++] = (struct avail_free){at, b->start};
		if (b->end > at)
			at = b->end;
	}
	if (a->to > at)
		a->free[a->n_free++] = (struct avail_free){at, a->to};
}

static enum herr avail_gather(struct txn *t, const struct room *r, const struct venue *v,
                              int64_t from, int64_t to, bool whole, struct avail *out)
{
	struct gather g = {.t = t, .r = r, .from = from, .to = to, .whole = whole, .a = out};

	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	if (to <= from)
		return txn_refuse(t, H_EINVAL, "a window of availability must end after it starts");
	if (to - from > (int64_t)AVAIL_MAX_DAYS * 86400)
		return txn_refuse(t, H_EINVAL, "a window of availability is at most %d days",
		                  AVAIL_MAX_DAYS);
	/* Approved bookings just outside the window still take buffer time in it. */
	if (booking_blocks(t, r->id, BOOKING_APPROVED, from, to, room_gap_seconds(r), gather_block,
	                   &g) != H_OK)
		return t->ret;
	if (whole && out->n_busy > 0)
		return H_OK;
	if (closure_each_over(t, r->id, r->venue_id, from, to, gather_closure, &g) != H_OK)
		return t->ret;
	if (whole && out->n_busy > 0)
		return H_OK;
	/* Last, since it is the dearest: a few zone conversions a day. */
	gather_hours(&g, v);
	busy_sort(out);
	free_between(out);
	return t->ret;
}

enum herr avail_room(struct txn *t, const struct room *r, const struct venue *v, int64_t from,
                     int64_t to, struct avail *out)
{
	return avail_gather(t, r, v, from, to, false, out);
}

void avail_release(struct avail *a)
{
	free(a->busy);
	free(a->free);
	memset(a, 0, sizeof(*a));
}

bool avail_room_free(struct txn *t, const struct room *r, const struct venue *v, int64_t start,
                     int64_t end)
{
	struct avail a;
	bool open = avail_gather(t, r, v, start, end, true, &a) == H_OK && a.n_busy == 0;

	avail_release(&a);
	return open;
}

struct search_walk {
	struct txn *t;
	const struct avail_search *q;
	bool (*fn)(const struct room *r, void *arg);
	void *arg;
};

/* Whether room r of venue v is free over the search's window, read in v's zone. */
static bool search_free(struct txn *t, const struct avail_search *q, const struct room *r,
                        const struct venue *v)
{
	struct herror e;
	int64_t start, end;

	herror_clear(&e);
	return time_parse(q->free_from, v->tz, &start, &e) == H_OK &&
	       time_parse(q->free_to, v->tz, &end, &e) == H_OK && end > start &&
	       avail_room_free(t, r, v, start, end);
}

static bool search_one(const struct room *r, void *arg)
{
	struct search_walk *w = arg;
	bool fits =
	    r->capacity >= w->q->min_capacity && (r->features & w->q->features) == w->q->features;

	if (fits && w->q->free_from != NULL) {
		struct venue v;

		fits = venue_get(w->t, r->venue_id, &v) == H_OK && search_free(w->t, w->q, r, &v);
		venue_free(&v);
	}
	if (w->t->ret != H_OK)
		return false;
	return !fits || w->fn(r, w->arg);
}

enum herr avail_search(struct txn *t, const struct avail_search *q,
                       bool (*fn)(const struct room *r, void *arg), void *arg)
{
	struct search_walk w = {t, q, fn, arg};

	return room_each(t, q->venue_id, search_one, &w);
}

/* Suggestions. */

/* Whether room r would take a booking over [start, end) of attendees people asked at
 * now, by the rules about the booking beside its slot (booking.c's): capacity, length,
 * notice and horizon. */
static bool suggest_fits(const struct room *r, int64_t start, int64_t end, uint32_t attendees,
                         int64_t now)
{
	int64_t minutes = (end - start) / 60;

	return r->capacity >= attendees && (end - start) % 60 == 0 &&
	       minutes >= r->min_length_min && minutes <= r->max_length_min &&
	       start >= now + (int64_t)r->notice_min * 60 &&
	       start <= now + (int64_t)r->horizon_days * 86400;
}

/* The instant of t's wall-clock time days days later (or earlier) in zone; at midnight
 * when midnight is true. */
static int64_t local_shift(const char *zone, int64_t t, int days, bool midnight)
{
	struct localtm lt;
	int y, m, d;

	tz_to_local(zone, t, &lt);
	civil_from_days(days_from_civil(lt.year, lt.month, lt.day) + days, &y, &m, &d);
	lt.year = y;
	lt.month = m;
	lt.day = d;
	if (midnight)
		lt.hour = lt.min = lt.sec = 0;
	return tz_at_or_after(zone, &lt);
}

static int64_t distance(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

/* The nearest start found so far on one side of the time wanted. */
struct nearest {
	bool found;
	int64_t start;
};

static void nearest_offer(struct nearest *n, int64_t want, int64_t place)
{
	if (!n->found || distance(place, want) < distance(n->start, want)) {
		n->found = true;
		n->start = place;
	}
}

/* Where a slot of length len may start in free interval f nearest to want, no earlier
 * than earliest: false when it does not fit, or only more than half a day from want
 * (which is another day's). */
static bool place_in(const struct avail_free *f, int64_t len, int64_t earliest, int64_t want,
                     int64_t *at)
{
	int64_t lo = f->start > earliest ? f->start : earliest, hi = f->end - len;

	if (hi < lo)
		return false;
	*at = want < lo ? lo : want > hi ? hi : want;
	return distance(*at, want) < 43200;
}

static bool slot_taken(const struct avail_slot *out, size_t n, int64_t start)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].start == start)
			return true;
	return false;
}

static size_t slot_add(const struct avail_want *w, struct avail_slot *out, size_t n, size_t max,
                       const struct nearest *near)
{
	int64_t len = w->end - w->start;

	if (n >= max || !near->found || near->start == w->start ||
	    slot_taken(out, n, near->start) ||
	    !suggest_fits(w->r, near->start, near->start + len, w->attendees, w->now))
		return n;
	out[n] = (struct avail_slot){w->r->id, near->start, near->start + len};
	return n + 1;
}

/* On day k (0: the day asked), the nearest before and after want; day 0 offers both,
 * other days the nearer. */
static size_t suggest_day(const struct avail_want *w, const struct avail *a, int k,
                          int64_t earliest, struct avail_slot *out, size_t n, size_t max)
{
	int64_t len = w->end - w->start, want = local_shift(w->v->tz, w->start, k, false);
	struct nearest before = {0}, after = {0};

	for (size_t i = 0; i < a->n_free; i++) {
		int64_t at;

		if (place_in(&a->free[i], len, earliest, want, &at))
			nearest_offer(at < want ? &before : &after, want, at);
	}
	if (k != 0 && before.found && after.found) {
		if (distance(before.start, want) < distance(after.start, want))
			after.found = false;
		else
			before.found = false;
	}
	if (before.found && after.found &&
	    distance(after.start, want) < distance(before.start, want)) {
		n = slot_add(w, out, n, max, &after);
		return slot_add(w, out, n, max, &before);
	}
	n = slot_add(w, out, n, max, &before);
	return slot_add(w, out, n, max, &after);
}

/* Same room: one avail_room over the days around the slot asked for. */
static size_t suggest_same_room(struct txn *t, const struct avail_want *w, struct avail_slot *out,
                                size_t max)
{
	const char *zone = w->v->tz;
	/* Not before the notice the room asks, on a quarter hour. */
	int64_t earliest = w->now + (int64_t)w->r->notice_min * 60;
	int64_t from = local_shift(zone, w->start, -AVAIL_SUGGEST_DAYS, true);
	int64_t to = local_shift(zone, w->start, AVAIL_SUGGEST_DAYS + 1, true);
	struct avail a;
	size_t n = 0;

	earliest = (earliest + 899) / 900 * 900;
	if (from < earliest)
		from = earliest;
	if (to <= from)
		return 0;
	if (avail_room(t, w->r, w->v, from, to, &a) != H_OK) {
		avail_release(&a);
		return 0;
	}
	n = suggest_day(w, &a, 0, earliest, out, n, max);
	for (int k = 1; k <= AVAIL_SUGGEST_DAYS; k++) {
		n = suggest_day(w, &a, k, earliest, out, n, max);
		n = suggest_day(w, &a, -k, earliest, out, n, max);
	}
	avail_release(&a);
	return n;
}

struct other_rooms {
	struct txn *t;
	const struct avail_want *w;
	struct avail_slot *out;
	size_t n, max;
};

static bool suggest_other_one(const struct room *r, void *arg)
{
	struct other_rooms *o = arg;
	const struct avail_want *w = o->w;

	if (r->id != w->r->id && suggest_fits(r, w->start, w->end, w->attendees, w->now) &&
	    avail_room_free(o->t, r, w->v, w->start, w->end))
		o->out[o->n++] = (struct avail_slot){r->id, w->start, w->end};
	return o->t->ret == H_OK && o->n < o->max;
}

size_t avail_suggest(struct txn *t, const struct avail_want *w, struct avail_slot *out, size_t max)
{
	struct avail_slot same[AVAIL_SUGGEST_MAX], other[AVAIL_SUGGEST_MAX];
	struct other_rooms o = {t, w, other, 0, 0};
	size_t n_same, quota, n = 0;

	if (max > AVAIL_SUGGEST_MAX)
		max = AVAIL_SUGGEST_MAX;
	if (max == 0 || w->end <= w->start)
		return 0;
	n_same = suggest_same_room(t, w, same, max);
	if (t->ret != H_OK)
		return 0;
	o.max = max;
	room_each(t, w->v->id, suggest_other_one, &o);
	if (t->ret != H_OK)
		return 0;
	quota = o.n == 0 ? max : max - (o.n < 2 ? o.n : 2);
	for (size_t i = 0; i < n_same && n < quota; i++)
		out[n++] = same[i];
	for (size_t i = 0; i < o.n && n < max; i++)
		out[n++] = other[i];
	return n;
}
