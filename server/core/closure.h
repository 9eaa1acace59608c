/* Closures: a venue or one room closed for an interval (works, holidays, elections). */
#ifndef HALLS_CLOSURE_H
#define HALLS_CLOSURE_H

#include "actor.h"
#include "db.h"
#include "walk.h"

#include <jansson.h>

enum closure_scope { CLOSURE_VENUE = 'V', CLOSURE_ROOM = 'R' };

/* One whole local day a closure that follows a date set covers. */
struct closure_day {
	int64_t start, end;
};

/* A closure covers [start, end), or, when it follows a date set (date_set_id), each whole
 * local day of the set's dates in its venue's zone, and follows later changes of the set
 * (date_set_write.c); start and end are then the first day's start and the last day's
 * end, kept for showing, and its index has one entry per day (schemas/db.md). */
struct closure {
	uint64_t id;
	enum closure_scope scope;
	uint64_t target; /* venue or room id */
	int64_t start, end;
	char *reason;
	uint64_t date_set_id;     /* 0: none */
	struct closure_day *days; /* following a set: its days, once closure_store has run */
	size_t ndays;
};

void closure_init(struct closure *c);
void closure_free(struct closure *c);
json_t *closure_to_json(const struct closure *c);
/* As shown (API, `halls --json`): "start" and "end" as RFC 3339 in zone's offset,
 * "start_ts" and "end_ts" in UTC seconds. */
json_t *closure_to_json_local(const struct closure *c, const char *zone);
/* A record, or a new closure's fields: with date_set_id, start and end may be left out. */
enum herr closure_from_json(const json_t *o, struct closure *c, struct herror *err);

enum herr closure_get(struct txn *t, uint64_t id, struct closure *out);
/* Managers of the venue (or the room's venue) and admins. Existing bookings are not
 * touched: a manager decides what to do with them (booking_each over the interval). */
enum herr closure_create(struct txn *t, const struct actor *a, struct closure *c, int64_t now);
/* Changes the interval or reason (same permission); the venue or room stays. */
enum herr closure_update(struct txn *t, const struct actor *a, const struct closure *c,
                         int64_t now);
#define CLOSURE_UNCHANGED INT64_MIN
/* closure_update of closure id with new times (CLOSURE_UNCHANGED: unchanged) or reason
 * (NULL: unchanged);
 * out (may be NULL) receives the closure as changed. */
/* A closure that follows a date set keeps the set's days: new times are refused. */
enum herr closure_change(struct txn *t, const struct actor *a, uint64_t id, int64_t start,
                         int64_t end, const char *reason, int64_t now, struct closure *out);
enum herr closure_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* A closure as its index entry gives it, without its record. */
struct closure_span {
	uint64_t id;
	enum closure_scope scope;
	int64_t start, end;
};
/* The closures that apply to room room_id of venue venue_id (the room's own, then its
 * venue's, each in start order) and overlap [start, end), read from the index alone.
 * fn returning false stops the scan. */
enum herr closure_each_over(struct txn *t, uint64_t room_id, uint64_t venue_id, int64_t start,
                            int64_t end, bool (*fn)(const struct closure_span *c, void *arg),
                            void *arg);
/* The first closure of the room (or its venue) that overlaps [start, end), or 0. */
uint64_t closure_find(struct txn *t, uint64_t room_id, uint64_t venue_id, int64_t start,
                      int64_t end);
/* scope 0: every closure, in id order; else those of that scope and target (target 0:
 * every target), in start order. */
enum herr closure_each(struct txn *t, enum closure_scope scope, uint64_t target,
                       bool (*fn)(const struct closure *c, void *arg), void *arg);
/* What a listing of closures shows, GET /api/v1/closures a page at a time and `halls
 * closure list` whole, in (start, id) order: with room_id, those that apply to the room
 * (its own and its venue's; H_ENOTFOUND when there is no such room); with venue_id, the
 * venue's and those of the rooms it has now (H_ENOTFOUND when there is no such venue);
 * with neither, every closure. Resumes strictly after w->after and examines at most
 * w->budget closures (walk.h); w NULL: all of them. */
enum herr closure_each_page(struct txn *t, uint64_t venue_id, uint64_t room_id, struct walk *w,
                            bool (*fn)(const struct closure *c, void *arg), void *arg);
/* Writes the record and its index entries (for a closure following a set: one per day of
 * the set as it is now, c->days, start and end set from them, and the set's "used by"
 * entry). */
void closure_store(struct txn *t, struct closure *c);
/* Rewrites the index entries of closure id, which follows a date set that has just
 * changed, and tells the groups whose bookings the new days cover. */
/* For halls check: whether the index entries of closure c, which follows a date set, are
 * exactly one per date of the set as it is now. */
bool closure_days_match(struct txn *t, const struct closure *c);
enum herr closure_follow_set(struct txn *t, const struct actor *a, uint64_t id, int64_t now);

#endif
