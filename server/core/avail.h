/* When a room is busy, and why, and when it is free: computed once here for the
 * availability listing, the free-room search and whatever else asks.
 *
 * Busy is an approved booking, the room's setup and cleanup buffers around it, a closure
 * of the room or of its venue (closure_each_over), or time outside the venue's opening
 * hours in its zone (hours_each_open). Free is the rest of the window: exactly the
 * intervals a request could have as far as the slot goes (booking_check adds the rules
 * about the booking itself: length, attendees, notice, horizon). Pending requests are not
 * busy: they do not block each other. */
#ifndef HALLS_AVAIL_H
#define HALLS_AVAIL_H

#include "db.h"
#include "room.h"
#include "venue.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest window asked about, in days. Within hours_each_open's walk (HOURS_WALK_DAYS),
 * and short enough that one room's window costs the loop little. */
#define AVAIL_MAX_DAYS 62

enum avail_why {
	AVAIL_BOOKING, /* an approved booking (id: the booking) */
	/* The time before or after a booking that another booking may not have (id: the
	 * booking): room_gap_seconds(r), the room's setup plus cleanup, on each side, since
	 * between two bookings there must be time to clear away after one and set up for
	 * the other. */
	AVAIL_BUFFER,
	AVAIL_ROOM_CLOSED,  /* a closure of the room (id: the closure) */
	AVAIL_VENUE_CLOSED, /* a closure of the room's venue (id: the closure) */
	AVAIL_HOURS,        /* outside the venue's opening hours (id: 0) */
};

struct avail_busy {
	int64_t start, end; /* clipped to the window, never empty */
	enum avail_why why;
	uint64_t id;
};

struct avail_free {
	int64_t start, end;
};

struct avail {
	int64_t from, to;
	/* By start, ties in the order found: bookings (each with its buffers) in (start, id)
	 * order, closures of the room, of the venue, then hours. Entries may overlap (a
	 * closure on a day the venue is shut anyway). */
	struct avail_busy *busy;
	size_t n_busy;
	/* In order, never empty and never touching: the window less every busy entry. */
	struct avail_free *free;
	size_t n_free;
};

/* Room r (of venue v) over [from, to). Refuses (txn_refuse, H_EINVAL) a window that is
 * empty or longer than AVAIL_MAX_DAYS days; a front end that names its own parameters
 * checks that first. out is always initialised: free it with avail_release. */
enum herr avail_room(struct txn *t, const struct room *r, const struct venue *v, int64_t from,
                     int64_t to, struct avail *out);
void avail_release(struct avail *a);
/* Whether room r could take a booking over all of [start, end): avail_room over that
 * window finds nothing busy (so its one free interval is the window), computed by the
 * same code, which stops reading at the first busy entry. False also when the window is
 * refused (t->ret says why). */
bool avail_room_free(struct txn *t, const struct room *r, const struct venue *v, int64_t start,
                     int64_t end);

/* What a group looks for: rooms of venue_id (0: any venue) that hold at least
 * min_capacity people, have every feature in features (room.h), and, when free_from is
 * not NULL, are free (avail_room_free) over [free_from, free_to): text read in each
 * room's own zone, as a person means "Tuesday 7pm" wherever the room is. */
struct avail_search {
	uint64_t venue_id;
	uint32_t min_capacity;
	uint32_t features;
	const char *free_from, *free_to;
};
/* fn gets each room that fits, in id order (false stops). A venue that does not exist is
 * refused (room_each); times that cannot be read in a room's zone leave the room out. */
enum herr avail_search(struct txn *t, const struct avail_search *q,
                       bool (*fn)(const struct room *r, void *arg), void *arg);

/* Free times to offer when a request is refused for its slot (taken, closed, outside
 * the hours): slots as long as the one asked for, each one a request could have as far as
 * the slot goes (avail_room_free) and the room's notice and horizon allow at now, and in
 * a room that holds the attendees. First in the same room, nearest first: on the day
 * asked, the nearest before and after; then the same wall-clock time on the days around
 * it, up to AVAIL_SUGGEST_DAYS away (a day across a clock change is 23 or 25 hours long,
 * so the same time of day, not 24 hours later). Then the same slot in the venue's other
 * rooms that fit (capacity, length), in id order. Bounded: one avail_room over at most
 * 2 * AVAIL_SUGGEST_DAYS + 1 days, and one avail_room_free per other room. */
#define AVAIL_SUGGEST_DAYS 3
#define AVAIL_SUGGEST_MAX  5

struct avail_slot {
	uint64_t room_id;
	int64_t start, end;
};

/* The request: room r of venue v, [start, end), for attendees people, asked at now. */
struct avail_want {
	const struct room *r;
	const struct venue *v;
	int64_t start, end;
	uint32_t attendees;
	int64_t now;
};
/* Up to max (at most AVAIL_SUGGEST_MAX) slots into out, best first; the count. At most
 * max - 2 from the same room when other rooms fit, so that both kinds are offered.
 * Nothing is refused on t for a slot that will not do; a store error stops (t->ret). */
size_t avail_suggest(struct txn *t, const struct avail_want *w, struct avail_slot *out, size_t max);

#endif
