/* Allowances: hours a group may hold per period (docs/fair-access.md#allowances).
 *
 * An allowance gives a group so many minutes of bookings per period (a week from
 * Monday, a calendar month, a calendar year, or each of the terms it lists as local date
 * ranges) at a venue, or across the borough (venue 0), in every room or some. The
 * group's pending and approved bookings in its scope count, each in the period it starts
 * in, read in the zone of the booking's venue. A request that would go over is refused
 * with the figures, or sent to a manager for approval, as the allowance says; an
 * approval over it needs the manager's override, which the audit log records.
 *
 * Sits below booking.c: reads bookings through booking_record.c, never calls booking.c. */
#ifndef HALLS_ALLOWANCE_H
#define HALLS_ALLOWANCE_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

#include <jansson.h>

enum allowance_period { ALLOWANCE_WEEK, ALLOWANCE_MONTH, ALLOWANCE_TERM, ALLOWANCE_YEAR };
enum allowance_over { ALLOWANCE_REFUSE, ALLOWANCE_APPROVAL };

/* A term: local dates, first and last inclusive, as days from 1970-01-01. */
struct allowance_term {
	int64_t first, last;
	char *name; /* may be NULL */
};

struct allowance {
	uint64_t id;
	uint64_t group_id;
	uint64_t venue_id;  /* 0: across the borough */
	uint64_t *room_ids; /* of the venue; none: every room */
	size_t n_rooms;
	enum allowance_period period;
	struct allowance_term *terms; /* ALLOWANCE_TERM only */
	size_t n_terms;
	uint32_t minutes;
	enum allowance_over over;
	char *note;
};

/* The use of an allowance in one period. */
struct allowance_use {
	bool applies;         /* false: outside every term */
	int64_t start, end;   /* the period, UTC seconds, end exclusive */
	int64_t used_seconds; /* pending and approved bookings starting in it */
};

void allowance_init(struct allowance *al);
void allowance_free(struct allowance *al);
/* The stored record. */
json_t *allowance_to_json(const struct allowance *al);
enum herr allowance_from_json(const json_t *o, struct allowance *al, struct herror *err);
/* Applies the fields of a create (create true: "group_id", "venue_id" (absent or null:
 * the borough) and "period" and one of "minutes" or "hours" are required) or of a change
 * ("room_ids", "period", "terms", "minutes" or "hours", "over", "note") to al, each judged.
 * Terms are [{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", "name"}]. */
enum herr allowance_apply(struct allowance *al, const json_t *fields, bool create,
                          struct herror *err);

enum herr allowance_get(struct txn *t, uint64_t id, struct allowance *out);
bool allowance_exists(struct txn *t, uint64_t id);
/* Writes the record and its index entries as is (import). */
void allowance_store(struct txn *t, const struct allowance *al);
/* Managers of the venue, admins for the borough; group, venue and rooms must exist. */
enum herr allowance_create(struct txn *t, const struct actor *a, const json_t *fields, int64_t now,
                           uint64_t *id);
/* A change of the fields allowance_apply takes; the group and venue stay. */
enum herr allowance_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                           int64_t now);
enum herr allowance_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* Every allowance in id order, or those of group_id and of venue_id (0: any; with
 * ALLOWANCE_BOROUGH: the borough-wide ones); fn returning false stops. */
#define ALLOWANCE_BOROUGH UINT64_MAX
enum herr allowance_each(struct txn *t, uint64_t venue_id, uint64_t group_id,
                         bool (*fn)(const struct allowance *al, void *arg), void *arg);
/* The zone an allowance's periods are shown in: its venue's, Europe/London across the
 * borough. malloc'd. */
char *allowance_zone(struct txn *t, const struct allowance *al);
/* al's use in the period containing instant at, read in zone. */
enum herr allowance_use_at(struct txn *t, const struct allowance *al, const char *zone, int64_t at,
                           struct allowance_use *out);
/* An allowance as actor a sees it: the published rule to anyone, with "use" (its use in
 * the period containing at) for the group's members, the venue's managers and admins
 * (view.c), else "use": null. */
enum herr allowance_view_json(struct txn *t, const struct actor *a, const struct allowance *al,
                              int64_t at, json_t **out);
/* The listing GET /api/v1/allowances and `halls allowance list|use` show: filters as
 * allowance_each (a venue or group that does not exist is refused), each as
 * allowance_view_json. */
enum herr allowance_list(struct txn *t, const struct actor *a, uint64_t venue_id, uint64_t group_id,
                         int64_t at, json_t **out);

/* b against its group's allowances. A request or move (approving false): refuses with
 * the figures, or sets b->status to pending, as the allowance says; a request the venue's
 * manager makes approved stays approved (a manager has decided), and is recorded as an
 * override. An approval (approving true): refuses unless override. Reads only. */
enum herr allowance_judge(struct txn *t, const struct actor *a, struct booking *b,
                          const struct place *p, bool approving, bool override, int64_t now);
/* After a change: records an override in the audit log, with the figures: an approval
 * with override that mattered, or a request or move by the venue's manager left approved
 * over an allowance. */
void allowance_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                            const struct booking *b, const struct place *p, bool override,
                            int64_t now);
/* Whether b, as it stands, is over an allowance that sends such requests for approval;
 * if so the words (as a refusal would say them) in out. For the messages that tell of a
 * request (notify_booking.c). Reads only; never refuses on t. */
bool allowance_sent_for_approval(struct txn *t, const struct booking *b, char *out, size_t size);

/* Appends to the JSON array rules one object per allowance that applies at venue_id
 * (0: everywhere): {"rule": "allowance", "venue_id": N or null for the whole borough,
 * "room_ids": [..] (empty: every room), "says": "<one sentence>"} plus "allowance_id",
 * "group_id", "period", "minutes", "over". Reads only. */
enum herr allowance_rules(struct txn *t, uint64_t venue_id, json_t *rules);

#endif
