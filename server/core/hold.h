/* Provisional holds (docs/fair-access.md#holds-that-expire).
 *
 * In a room with hold_hours > 0, a new pending request (not a date of a series, which is
 * decided as a whole) holds its slot, its buffers counted, until created_at + hold_hours
 * and never past its start: until then no other group's request, move or approval can
 * take it. The hold ends when the request is approved, declined, cancelled or moved
 * (moved: it stays pending at its new time, holding nothing), or lapses when its time is
 * up (hold_sweep). A hold is live while now < until.
 *
 * DBI_HOLD (schemas/db.md "### hold"):
 *   'H' | booking (u64)                -> until (i64) | warn_at (i64) | warned (u8)
 *   'Q' | until (i64) | booking (u64)  -> ""   holds to lapse, soonest first
 *   'W' | warn_at (i64) | booking (u64) -> ""  warnings not sent yet, soonest first */
#ifndef HALLS_HOLD_H
#define HALLS_HOLD_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

/* The warning before a hold lapses goes when a quarter of the hold, at most this long,
 * remains. */
#define HOLD_WARN_MAX_SECONDS (24 * 3600)
/* At most this many warnings and this many lapses in one sweep; more waiting makes the
 * sweep's next_due now, so the next sweep (in its own transaction) goes on. */
#define HOLD_SWEEP_BATCH 200

struct hold {
	uint64_t booking_id;
	int64_t until;   /* the hold lapses at until (live while now < until) */
	int64_t warn_at; /* when the group and managers are told it will lapse */
	bool warned;
	bool orphan; /* hold_due: a queue entry whose hold is gone (halls check reports it) */
};

/* Refuses b (a request, a move or an approval) when another group's live hold takes its
 * slot, buffers counted. Reads only. (hold.c, below booking.c) */
enum herr hold_judge(struct txn *t, const struct booking *b, const struct place *p, int64_t now);
/* A hold starts with a pending request in a room with hold_hours, and ends with its
 * decision, cancellation or move. (hold.c) */
void hold_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                       const struct booking *b, const struct place *p, int64_t now);
/* The hold of booking_id: 1 with *out, 0 when it has none (or on an error). A hold whose
 * until has passed is returned too, until the sweep lapses it. */
int hold_get(struct txn *t, uint64_t booking_id, struct hold *out);
/* Whether booking_id holds its slot now (now < until); *until receives when it ends. */
bool hold_live(struct txn *t, uint64_t booking_id, int64_t now, int64_t *until);
/* Removes booking_id's hold and its queue entries (nothing when it has none). */
void hold_end(struct txn *t, uint64_t booking_id);
/* Removes h's entries as h says they are: its hold and its queue entries (an orphan's
 * queue entry). */
void hold_end_entries(struct txn *t, const struct hold *h);
/* Up to max holds due by now, soonest first: those whose warning is due (warnings
 * true) or whose time is up. *more: whether more are due; *next: the time the first not
 * due falls due (INT64_MAX: none). Returns how many were put in out. */
size_t hold_due(struct txn *t, bool warnings, int64_t now, struct hold *out, size_t max, bool *more,
                int64_t *next);
/* Records that h's warning went. */
void hold_mark_warned(struct txn *t, const struct hold *h);
/* `halls check`: a hold of a booking that is not pending, and a queue entry without its
 * hold, each reported. The number found. */
size_t hold_check(struct txn *t, void (*report)(const char *problem, void *arg), void *arg);

/* `halls export`: calls fn with each hold's record, in booking id order, until it returns
 * false: {"id": the booking's id (a hold is named by its request), "booking_id" (the
 * same), "until", "warn_at", "warned"}. fn takes the object. The queues are not
 * exported: they follow from the holds. */
enum herr hold_each_record(struct txn *t, bool (*fn)(json_t *rec, void *arg), void *arg);
/* `halls import`: stores the hold o describes, with its queue entries. Refuses, in words,
 * a malformed record, a second hold of the same booking, and a hold of a booking that
 * is not pending (the caller checks first that the booking is loaded). */
enum herr hold_import(struct txn *t, const json_t *o);

/* Messages (notify_hold.c): b's hold lapses at until, soon (every member of its group and
 * manager of its venue who wants decisions); b's hold lapsed at until, and the request
 * was released (declined) or kept pending. */
enum herr notify_hold_ending(struct txn *t, const struct booking *b, int64_t until, int64_t now);
enum herr notify_hold_lapsed(struct txn *t, const struct booking *b, int64_t until, bool released,
                             int64_t now);

/* Lapses every hold due by now, and sends the warnings due before; lowers *next_due to
 * the next time anything of holds falls due. (hold_lapse.c, above booking.c) */
enum herr hold_sweep(struct txn *t, int64_t now, int64_t *next_due);

#endif
