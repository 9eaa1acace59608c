/* Allocation rounds for regular weekly slots (docs/fair-access.md, "Allocation rounds").
 *
 * A venue's manager opens a round for a season: the weekly slots on offer (room, weekday,
 * local start and end), the season's first and last dates, date sets to skip, a deadline,
 * the venue's priority classes, and whether the series it makes are pending or approved.
 * On opening, 32 random bytes are drawn as the lottery's seed and only their SHA-256 (the
 * commitment) is published; the seed is published once the deadline has passed, so anyone
 * can check SHA-256(seed) = commitment and re-run the allocation.
 *
 * Until the deadline each group may have one application (members for their group, and
 * the venue's managers), with ranked preferences among the round's slots; at the deadline
 * (exactly) nothing more changes. A manager then allocates: the inputs are fixed (every
 * application with its priority class), round_alloc.c's pure rules decide, and each
 * successful application becomes a series (series_create: every booking rule applies;
 * dates a rule refuses are left out and reported), all in one transaction. The inputs and
 * the result are public from then on.
 *
 * Records (schemas/db.md, "round"): R | round -> round; A | round | application ->
 * application; G | round | group -> application id. */
#ifndef HALLS_ROUND_H
#define HALLS_ROUND_H

#include "actor.h"
#include "db.h"
#include "round_alloc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Opens a round (policy_manage_venue). fields: "venue_id", "name", "slots" [{"room_id",
 * "weekday" (1 Monday .. 7 Sunday), "start", "end" ("HH:MM", local)}], "first_date",
 * "last_date" ("YYYY-MM-DD", at most 366 days apart), "skip_date_sets" (ids),
 * "deadline" (an instant after now and before the season starts), "classes" (ordered:
 * each {"group_kinds": [...]} or {"held_in_round": id} or {"trusted": true}, with an
 * optional "says"), "outcome" ("pending" or "approved"). seed NULL draws one with
 * RAND_bytes; the demo alone passes its own, and seed_source says how it was made.
 * *out: the round as shown to actor a (round_show). */
enum herr round_open(struct txn *t, const struct actor *a, const json_t *fields,
                     const uint8_t *seed, const char *seed_source, int64_t now, json_t **out);
/* Changes name, deadline, classes, outcome, dates, skip_date_sets, or slots (only while
 * the round has no application) before the deadline (same permission). */
enum herr round_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                       int64_t now, json_t **out);
/* The stored record (seed included): for this module and tests. */
enum herr round_get(struct txn *t, uint64_t id, json_t **out);
/* The round as anyone may see it at now: the seed only once the deadline has passed,
 * slots with their rooms and words, times in the venue's zone, its state. */
enum herr round_show(struct txn *t, uint64_t id, int64_t now, json_t **out);
/* Every round (venue_id 0) or a venue's, in id order, as round_show. */
enum herr round_list(struct txn *t, uint64_t venue_id, int64_t now, json_t *out);

/* Applications. fields: "group_id" (create only), "preferences" (slot ids, most wanted
 * first, at most ROUND_PREFS_MAX, each once). Members of the group or the venue's
 * managers, before the deadline; one per group per round. */
enum herr round_apply(struct txn *t, const struct actor *a, uint64_t round_id, const json_t *fields,
                      int64_t now, json_t **out);
enum herr round_application_update(struct txn *t, const struct actor *a, uint64_t round_id,
                                   uint64_t app_id, const json_t *fields, int64_t now,
                                   json_t **out);
enum herr round_application_withdraw(struct txn *t, const struct actor *a, uint64_t round_id,
                                     uint64_t app_id, int64_t now);
/* The applications a may see (the venue's managers: all; members: their groups'; once
 * allocated: all), into the array out. */
enum herr round_applications(struct txn *t, const struct actor *a, uint64_t round_id, int64_t now,
                             json_t *out);

/* Runs the allocation (policy_manage_venue; at or after the deadline, once) and makes the
 * series. *out: the result (round_result). */
enum herr round_allocate(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                         json_t **out);
/* What the allocation used (round_alloc's inputs, plus the round's commitment) and what
 * it gave: {"allocation": round_alloc's result, "series": [...]}. Public once allocated;
 * refused before. */
enum herr round_inputs(struct txn *t, uint64_t id, json_t **out);
enum herr round_result(struct txn *t, uint64_t id, json_t **out);

/* Re-runs the allocation from published inputs and compares it with a published result
 * (its "allocation"); also checks SHA-256(seed) = commitment. H_OK when they agree, else
 * H_EINVAL with what differs. Pure, like round_alloc. */
enum herr round_verify(const json_t *inputs, const json_t *result, struct herror *err);

/* Tells every member of each group that applied (notify_round.c) its outcome: the slot
 * or none, the explanation, the series made. Called by round_allocate. */
enum herr notify_round_result(struct txn *t, const struct actor *a, const json_t *rec,
                              const json_t *inputs, const json_t *allocation, const json_t *series,
                              int64_t now);

/* The rules page: one object per round open at venue_id (0: everywhere), with its
 * classes and deadline (see common rules). Reads only. */
enum herr round_rules(struct txn *t, uint64_t venue_id, json_t *rules);

/* `halls export`: calls fn with each round's record (kind "round", seed, inputs and result
 * included), each followed by its applications' (kind "round-application"), in id order,
 * until it returns false. fn takes the object. The G index is not exported: it follows
 * from the applications. */
enum herr round_each_record(struct txn *t, bool (*fn)(const char *kind, json_t *rec, void *arg),
                            void *arg);
/* `halls import`: stores a record of kind "round" or "round-application" as it was
 * exported, rebuilding the G index. Refuses, in words, a malformed record (a seed that is
 * not the commitment's included), one that appears twice, a second application of a
 * group to a round, and a round whose venue, or an application whose round, is not
 * loaded. The rooms, groups, date sets and series a round names are its history, kept as
 * they were decided even if they are removed later, so they are not required. */
enum herr round_import(struct txn *t, const char *kind, const json_t *o);

#endif
