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
