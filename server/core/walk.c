#include "walk.h"

#include "db.h"
#include "key.h"
#include "xmalloc.h"

#include <stdlib.h>

int walk_pos_cmp(struct walk_pos a, struct walk_pos b)
{
	if (a.at != b.at)
		return a.at < b.at ? -1 : 1;
	return (a.id > b.id) - (a.id < b.id);
}

bool walk_after(const struct walk *w, struct walk_pos pos)
{
	return w == NULL || !w->has_after || walk_pos_cmp(pos, w->after) > 0;
}

bool walk_scan_next(struct txn *t, struct scan *s, const struct walk_layout *layout,
                    const struct walk *w, int64_t until, struct walk_pos *pos)
{
	while (scan_next(s)) {
		const uint8_t *k = s->k.mv_data;

		if (s->k.mv_size != layout->len) {
			txn_refuse(t, H_ESTORAGE, "a %s index entry is corrupt", layout->what);
			return false;
		}
		pos->at = key_get_i64(k + layout->at);
		pos->id = key_get_u64(k + layout->id);
		if (pos->at >= until)
			return false;
		if (walk_after(w, *pos))
			return true;
	}
	return false;
}

void walk_begin(struct walk *w)
{
	if (w != NULL) {
		w->more = false;
		w->examined = 0;
	}
}

bool walk_take(struct walk *w, struct walk_pos pos)
{
	if (w == NULL)
		return true;
	if (w->budget != 0 && w->examined == w->budget) {
		w->more = true;
		return false;
	}
	w->examined++;
	w->last = pos;
	return true;
}

bool walk_first_id_key(uint64_t owner, const struct walk *w, struct key *from)
{
	key_init(from);
	if (owner != 0)
		key_u64(from, owner);
	if (w == NULL || !w->has_after)
		return true;
	if (w->after.id == UINT64_MAX)
		return false;
	key_u64(from, w->after.id + 1);
	return true;
}

static bool less(const struct walk_heap *h, size_t a, size_t b)
{
	return walk_pos_cmp(*h->v[a], *h->v[b]) < 0;
}

static void swap(struct walk_heap *h, size_t a, size_t b)
{
	struct walk_pos *x = h->v[a];

	h->v[a] = h->v[b];
	h->v[b] = x;
}

static void heap_down(struct walk_heap *h, size_t i)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1;

		if (l < h->n && less(h, l, least))
			least = l;
		if (r < h->n && less(h, r, least))
			least = r;
		if (least == i)
			return;
		swap(h, i, least);
		i = least;
	}
}

void walk_heap_push(struct walk_heap *h, struct walk_pos *src)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	i = h->n++;
	h->v[i] = src;
	while (i > 0 && less(h, i, (i - 1) / 2)) {
		swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

void walk_heap_sift(struct walk_heap *h)
{
	heap_down(h, 0);
}

struct walk_pos *walk_heap_pop(struct walk_heap *h)
{
	struct walk_pos *least = h->v[0];

	h->v[0] = h->v[--h->n];
	heap_down(h, 0);
	return least;
}

void walk_heap_free(struct walk_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}
