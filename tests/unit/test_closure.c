/* Closures listed in pages: the merge of a venue's and its rooms' scans in (start, id)
 * order equals the old listing (every record, filtered, sorted), unpaged and in pages of
 * every small budget. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCLOSURES 14

struct clist {
	struct closure c[NCLOSURES + 2];
	size_t n, limit;
};

static bool clist_add(const struct closure *c, void *arg)
{
	struct clist *l = arg;

	if (l->n < NCLOSURES + 2) {
		l->c[l->n] = *c;
		l->c[l->n].reason = NULL;
	}
	l->n++;
	return l->limit == 0 || l->n < l->limit;
}

static int clist_cmp(const void *pa, const void *pb)
{
	const struct closure *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The old listing: every closure, those that apply to the venue or room, by (start, id). */
struct want {
	uint64_t venue, room, room_venue;
	const uint64_t *venue_of; /* by room id */
	struct clist l;
};

static bool want_add(const struct closure *c, void *arg)
{
	struct want *w = arg;
	uint64_t venue = c->scope == CLOSURE_VENUE ? c->target : w->venue_of[c->target];

	if (w->room != 0 &&
	    !(c->scope == CLOSURE_ROOM ? c->target == w->room : c->target == w->room_venue))
		return true;
	if (w->venue != 0 && venue != w->venue)
		return true;
	return clist_add(c, &w->l);
}

static void same(const char *file, int line, const struct clist *got, const struct clist *want,
                 const char *how)
{
	bool ok = got->n == want->n;

	for (size_t i = 0; ok && i < want->n; i++)
		ok = got->c[i].id == want->c[i].id;
	if (!ok)
		t_fail(file, line, "%s: %zu closures, not the %zu wanted in (start, id) order", how,
		       got->n, want->n);
}

static void check_pages(const char *file, int line, struct fx *fx, struct want *w)
{
	struct clist got = {0};
	struct txn t;

	if (db_read_begin(fx->db, &t, &fx->err) != H_OK)
		return;
	closure_each(&t, 0, 0, want_add, w);
	qsort(w->l.c, w->l.n, sizeof(w->l.c[0]), clist_cmp);
	closure_each_page(&t, w->venue, w->room, NULL, clist_add, &got);
	same(file, line, &got, &w->l, "unpaged");
	for (size_t budget = 0; budget <= 4; budget++) {
		struct walk wk = {.budget = budget};
		size_t pages = 0;
		char how[80];

		memset(&got, 0, sizeof(got));
		/* budget 0: no bound, but fn takes one item a page. */
		do {
			size_t before = got.n;

			got.limit = budget == 0 ? got.n + 1 : 0;
			closure_each_page(&t, w->venue, w->room, &wk, clist_add, &got);
			if (budget != 0 && got.n - before > budget)
				t_fail(file, line, "a page of budget %zu showed %zu", budget,
				       got.n - before);
			wk.has_after = true;
			wk.after = wk.last;
		} while (wk.more && ++pages < 100);
		snprintf(how, sizeof(how), "venue %llu room %llu budget %zu",
		         (unsigned long long)w->venue, (unsigned long long)w->room, budget);
		same(file, line, &got, &w->l, how);
	}
	db_read_end(&t);
}

TEST(closure_each_in_pages)
{
	struct fx f;
	uint64_t v1, v2, r[3], venue_of[16] = {0};
	const char *days[] = {"2026-05-04T09:00", "2026-05-02T09:00", "2026-05-03T09:00"};

	T_ASSERT(fx_open(&f));
	v1 = fx_venue(&f, "Centre", NULL, NULL);
	v2 = fx_venue(&f, "Library", NULL, NULL);
	r[0] = fx_room(&f, v1, "{\"name\": \"Hall\"}");
	r[1] = fx_room(&f, v1, "{\"name\": \"Kitchen\"}");
	r[2] = fx_room(&f, v2, "{\"name\": \"Attic\"}");
	T_ASSERT(r[2] < 16);
	venue_of[r[0]] = venue_of[r[1]] = v1;
	venue_of[r[2]] = v2;
	/* Out of start order, the same starts at several targets (ties broken by id). */
	for (size_t i = 0; i < NCLOSURES; i++) {
		enum closure_scope scope = i % 5 == 0 ? CLOSURE_VENUE : CLOSURE_ROOM;
		uint64_t target = scope == CLOSURE_VENUE ? (i % 2 ? v2 : v1) : r[i % 3];
		int64_t start = fx_at(days[i % 3]) + (int64_t)(i % 2) * 3600;

		T_EQ_ERR(fx_closure(&f, scope, target, start, start + 7200, NULL), H_OK, &f.err);
	}
	{
		struct want cases[] = {
		    {.venue_of = venue_of},
		    {.venue = v1, .venue_of = venue_of},
		    {.venue = v2, .venue_of = venue_of},
		    {.room = r[0], .room_venue = v1, .venue_of = venue_of},
		    {.room = r[2], .room_venue = v2, .venue_of = venue_of},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			check_pages(__FILE__, __LINE__, &f, &cases[i]);
	}
	fx_close(&f);
}
