/* Bookings and the rules no booking may break.
 *
 * States: pending -> approved | declined; pending | approved -> cancelled. Approved
 * bookings, with the room's setup and cleanup buffers around them, block the room.
 * Pending requests do not block each other; approving one re-checks every rule in the
 * same write transaction. */
#ifndef HALLS_BOOKING_H
#define HALLS_BOOKING_H

#include "actor.h"
#include "db.h"
#include "room.h"
#include "venue.h"
#include "walk.h"

#include <jansson.h>

enum booking_status { BOOKING_PENDING, BOOKING_APPROVED, BOOKING_DECLINED, BOOKING_CANCELLED };

struct booking {
	uint64_t id;
	uint64_t room_id;
	uint64_t group_id;
	uint64_t series_id;    /* 0: a one-off booking */
	int64_t recurrence_id; /* an occurrence: the start its series' rule gave it */
	char *title;
	char *description;
	uint32_t attendees;
	int64_t start, end; /* UTC seconds; end exclusive */
	enum booking_status status;
	bool public;         /* title shown in public listings and feeds */
	uint64_t created_by; /* user id, 0 for the console */
	int64_t created_at;
	uint64_t decided_by;
	int64_t decided_at;
	char *note;        /* the last decision's or cancellation's reason */
	uint32_t sequence; /* rises with every change of time or status */
	bool was_approved; /* approved at some time: public feeds show it as cancelled */
	int64_t updated_at;
};

void booking_init(struct booking *b);
void booking_free(struct booking *b);
/* A deep copy: dst owns its own strings. */
void booking_copy(struct booking *dst, const struct booking *src);
json_t *booking_to_json(const struct booking *b);
/* As shown to people and programs (API, `halls --json`): "start", "end" and every
 * "..._at" as RFC 3339 in zone's offset, "start_ts" and "end_ts" in UTC seconds. */
json_t *booking_to_json_local(const struct booking *b, const char *zone);
enum herr booking_from_json(const json_t *o, struct booking *b, struct herror *err);
const char *booking_status_name(enum booking_status s);
int booking_status_parse(const char *s, enum booking_status *out);

enum herr booking_get(struct txn *t, uint64_t id, struct booking *out);

/* What a body may say about a booking, judged field by field the same way for POST,
 * PATCH, series requests and `halls booking`: a new request (BOOKING_NEW) takes
 * room_id, group_id, title, description, attendees, public, start, end and approve, and
 * needs room_id, group_id, title, start and end; an edit (BOOKING_EDIT) takes only
 * title, description, attendees, public, start and end. Ids are positive, attendees a
 * whole number up to 2^32-1, text valid UTF-8 within its length, flags booleans, and
 * times UTC seconds or (when zone is given) text read in zone, from 1970 to 2200.
 * strict: a key of no field is refused (a caller with fields of its own, as a series
 * request, leaves them to itself). *out: the fields judged, instants as UTC seconds. */
enum booking_form { BOOKING_NEW, BOOKING_EDIT };
enum herr booking_fields_judge(const json_t *body, enum booking_form form, const char *zone,
                               bool strict, json_t **out, struct herror *err);
/* One field, judged as booking_fields_judge judges it, for a front end that needs one
 * value before the rest (the room, whose zone reads the times). v NULL: "KEY is
 * required". *out: the value as judged. */
enum herr booking_field_judge(const char *key, const json_t *v, const char *zone, json_t **out,
                              struct herror *err);
/* Copies fields judged by booking_fields_judge into b. */
void booking_fields_apply(struct booking *b, const json_t *judged);
/* Applies fields ("title", "description", "attendees", "public", "start", "end") to b,
 * judged as an edit with instants in UTC seconds; nothing about the room. A start
 * without an end keeps b's length. */
enum herr booking_apply(struct txn *t, struct booking *b, const json_t *fields);
/* The title and description rules (t->err says which is broken). */
enum herr booking_check_text(struct txn *t, const struct booking *b);

/* A new request. In: room_id, group_id, title, description, attendees, start, end,
 * public. Out: id, status (pending, or approved by the room's policy, or approved at
 * once when approve_now and the actor manages the venue). Every rule is checked, and a
 * request the group has made already (a pending or approved booking of the same room,
 * start and end) is refused with H_ECONFLICT naming it in the words and in conflicts. */
enum herr booking_request(struct txn *t, const struct actor *a, struct booking *b, bool approve_now,
                          int64_t now);
/* booking_request without storing anything: every rule checked the same way, and on
 * H_OK b->status is the state the request would take. Reads only (a series preview). */
enum herr booking_request_judge(struct txn *t, const struct actor *a, struct booking *b,
                                bool approve_now, int64_t now);
/* Refuses as a slot already taken in room r (H_ECONFLICT), in the words every such
 * refusal uses. */
enum herr booking_refuse_taken(struct txn *t, const struct room *r);
/* Calls fn with each pending or approved booking, other than b itself (b->id), of b's
 * group in b's room with b's start and end: b would ask again for what is asked already.
 * Reads the conflict index (O(log n + k)) and decodes only exact matches. */
enum herr booking_each_twin(struct txn *t, const struct booking *b,
                            bool (*fn)(const struct booking *twin, void *arg), void *arg);
/* A group's name as refusals quote it (at most 80 bytes), or "group N". */
void booking_group_name(struct txn *t, uint64_t group_id, char *out, size_t size);
/* After a successful approval, t->err (when set) lists in conflicts[] the pending
 * requests that now overlap it. */
enum herr booking_approve(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                          int64_t now, struct booking *out);
/* booking_approve over the group's allowances: the manager's choice, recorded in the
 * audit log (allowance.h). Every other rule stands. */
enum herr booking_approve_overriding(struct txn *t, const struct actor *a, uint64_t id,
                                     const char *note, int64_t now, struct booking *out);
enum herr booking_decline(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                          int64_t now, struct booking *out);
enum herr booking_cancel(struct txn *t, const struct actor *a, uint64_t id, const char *note,
                         int64_t now, struct booking *out);
/* A decline by the clock, not by a person: a request whose provisional hold lapsed
 * (hold_lapse.c). Declined as the console, with note, through every hook a decline runs
 * (a waitlist's offer for the freed slot), but with no message of its own: the caller
 * tells the group and the managers why. */
enum herr booking_release(struct txn *t, uint64_t id, const char *note, int64_t now,
                          struct booking *out);
/* booking_approve, booking_decline or booking_cancel (to: the status it takes) of one
 * date of a series decided as a whole (series_decide): every rule the same, but no
 * message of its own, since the series tells of all its dates in one (notify.h). */
enum herr booking_decide_in_series(struct txn *t, const struct actor *a, uint64_t id,
                                   enum booking_status to, const char *note, int64_t now);
/* Moves or edits: fields "title", "description", "attendees", "public", "start", "end"
 * (instants as integers). A start alone moves the booking keeping its length (elapsed
 * seconds), an end alone changes the end. Every rule is re-checked, a move onto the slot
 * of another of the group's bookings is refused as a request would be, and a moved
 * approved booking follows the room's policy again unless a manages the venue (the
 * console always does). */
enum herr booking_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                         int64_t now, struct booking *out);

struct booking_filter {
	uint64_t room_id, venue_id, group_id;
	int status;       /* -1: any */
	int64_t from, to; /* bookings that overlap [from, to); 0, 0: all */
};
void booking_filter_init(struct booking_filter *f);
/* H_OK when the room, venue and group the filter names exist; else refuses the first
 * that does not (H_ENOTFOUND "there is no room 4"). A listing filtered by a record that
 * does not exist is refused rather than empty; a front end asks first when it reads
 * times in the filter's zone. */
enum herr booking_filter_need(struct txn *t, const struct booking_filter *f);
/* In start order (then id), whatever the filter, streamed from the by-start indexes:
 * fn sees each booking as it is read, and returning false stops the scan. Refuses a
 * filter as booking_filter_need does. */
enum herr booking_each(struct txn *t, const struct booking_filter *f,
                       bool (*fn)(const struct booking *b, void *arg), void *arg);
/* As booking_each, one page: resumes strictly after w->after (a booking's start and id)
 * and examines at most w->budget index entries, matching or not (walk.h). Out: w->more,
 * and w->last, the position the next page resumes after. */
enum herr booking_each_page(struct txn *t, const struct booking_filter *f, struct walk *w,
                            bool (*fn)(const struct booking *b, void *arg), void *arg);
/* Every stored record, in id order, whatever the indexes say (`halls check`). */
enum herr booking_each_record(struct txn *t, bool (*fn)(const struct booking *b, void *arg),
                              void *arg);

/* An entry of the compact (room, state, start) index that conflict checks read. */
struct block {
	uint64_t booking_id;
	int64_t start, end;
	enum booking_status status;
};
/* Calls fn for each pending or approved booking of room (status filter: -1 any) whose
 * interval widened by gap seconds on each side overlaps [start, end). Reads only the
 * index: O(log n + k). */
enum herr booking_blocks(struct txn *t, uint64_t room_id, int status, int64_t start, int64_t end,
                         int64_t gap, bool (*fn)(const struct block *b, void *arg), void *arg);
/* Writes the record and its index entries as is (import, and every path above). */
void booking_store(struct txn *t, const struct booking *b, const struct booking *old);

#endif
