/* One page of a listing: where it resumes and how much of the store it may read.
 *
 * Every listing the API pages is a scan in a key order, or a merge of such scans, so a
 * position in it is a key: (start, id) for bookings and closures, (0, id) for series and
 * the audit log. A page resumes strictly after the last entry the previous page
 * examined, and examines at most budget entries, shown or not, so one request costs
 * O(log n + budget) however much the store holds and however little of it the caller
 * may see. */
#ifndef HALLS_WALK_H
#define HALLS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct walk_pos {
	int64_t at;  /* a booking's start; 0 where the order is by id alone */
	uint64_t id; /* the record's id */
};

struct walk {
	bool has_after;        /* in: resume strictly after `after` */
	struct walk_pos after; /* in */
	size_t budget;         /* in: entries to examine at most; 0: no bound */
	bool more;             /* out: stopped before the end of the listing */
	struct walk_pos last;  /* out: the last entry examined (when more) */
	size_t examined;       /* out: entries examined so far */
};

/* Starts a page (w may be NULL: no page, no bound). */
void walk_begin(struct walk *w);
/* Takes the entry at pos as examined: false, with w->more set, when the budget is spent
 * before it, and the scan should stop there. */
bool walk_take(struct walk *w, struct walk_pos pos);

/* Position order: at, then id. */
int walk_pos_cmp(struct walk_pos a, struct walk_pos b);
/* Whether pos comes after w's resume point: always when w is NULL or has none. */
bool walk_after(const struct walk *w, struct walk_pos pos);
/* Where a scan in id order starts (under the 8-byte prefix `owner`, 0 for none): its first
 * entry, or the one after w->after. False when nothing can follow (the resume point is
 * the last id there can be). */
struct key;
bool walk_first_id_key(uint64_t owner, const struct walk *w, struct key *from);

/* Where an index key keeps its position: the key's whole length, and the offsets of the
 * big-endian start and id in it; what names the index in the refusal of a corrupt key. */
struct walk_layout {
	size_t len, at, id;
	const char *what;
};
/* Moves scan s to its next entry that lies after w's resume point and starts before
 * until (INT64_MAX: no end), its position in *pos; false at the end. A key that is not
 * layout->len bytes long is refused on t (H_ESTORAGE) and ends the scan. */
struct txn;
struct scan;
bool walk_scan_next(struct txn *t, struct scan *s, const struct walk_layout *layout,
                    const struct walk *w, int64_t until, struct walk_pos *pos);

/* The sources of a k-way merge (one index scan each) by the position each is on, least
 * first, so that a listing drawn from several scans comes out in one order without being
 * collected or sorted. A source is any struct whose first member is its struct
 * walk_pos; the heap holds pointers to them and owns none. */
struct walk_heap {
	struct walk_pos **v;
	size_t n, cap;
};

void walk_heap_push(struct walk_heap *h, struct walk_pos *src);
/* After the least source moved on to a later position. */
void walk_heap_sift(struct walk_heap *h);
/* Takes the least source out and returns it. */
struct walk_pos *walk_heap_pop(struct walk_heap *h);
/* Frees the array, not the sources. */
void walk_heap_free(struct walk_heap *h);

#endif
