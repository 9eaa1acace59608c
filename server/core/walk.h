/* One page of a listing: where it resumes and how much of the store it may read.
 *
 * Every listing the API pages (bookings, the audit log) is a scan in a key order, so a
 * position in it is a key: (start, id) for bookings, (0, id) for the audit log. A page
 * resumes strictly after the last entry the previous page examined, and examines at most
 * budget entries, shown or not, so one request costs O(log n + budget) however much the
 * store holds and however little of it the caller may see. */
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
};

#endif
