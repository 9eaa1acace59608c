/* The published rules of an allocation round, as one pure function: the round's inputs
 * (JSON, as GET /api/v1/rounds/<id>/inputs publishes them) in, the allocation (JSON, as
 * /result publishes its "allocation") out. It reads no store and no clock, so the live
 * run (round.c) and anyone's re-run (`halls round verify`) are the same code and give the
 * same bytes.
 *
 * The rules: applications are taken in order of priority class (1 first; the last class
 * is everyone the venue's classes do not name), then of lottery rank, the SHA-256 of the
 * seed's 32 bytes followed by the application id as 8 big-endian bytes, compared as bytes
 * (smaller first), ties (only equal hashes) going to the smaller application id. In that
 * order each application gets its highest preference whose slot no earlier application
 * got, or none. Every application gets an explanation in words. */
#ifndef HALLS_ROUND_ALLOC_H
#define HALLS_ROUND_ALLOC_H

#include "err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROUND_SEED_LEN 32
#define ROUND_RANK_LEN 32
/* What the inputs may hold: a venue's season, never more. */
#define ROUND_SLOTS_MAX   500
#define ROUND_CLASSES_MAX 20
#define ROUND_APPS_MAX    5000
#define ROUND_PREFS_MAX   10

/* The lottery rank of application app_id: SHA-256(seed || app_id as 8 big-endian bytes). */
void round_rank(const uint8_t seed[ROUND_SEED_LEN], uint64_t app_id, uint8_t out[ROUND_RANK_LEN]);
/* SHA-256(seed): the commitment published when a round opens. */
void round_commitment(const uint8_t seed[ROUND_SEED_LEN], uint8_t out[ROUND_RANK_LEN]);
/* Lower-case hex of n bytes into out (2n + 1 bytes); and back (false unless exactly 2n
 * hex digits). */
void round_hex(const uint8_t *in, size_t n, char *out);
bool round_unhex(const char *hex, uint8_t *out, size_t n);

/* "Tuesday 7pm–9pm, Main Hall": a slot in words (weekday 1 Monday .. 7 Sunday, times
 * "HH:MM"). */
void round_slot_words(int weekday, const char *start, const char *end, const char *room, char *out,
                      size_t size);
/* Minutes since midnight of "HH:MM" (00:00 to 24:00), or -1. */
int round_clock_parse(const char *s);

/* The allocation of inputs (round_alloc.h's header says the rules). ranks NULL: each
 * application's rank from the inputs' "seed"; else ranks[i] is the rank of the inputs'
 * applications[i] (tests force ties through it). NULL, with err, when the inputs are not
 * a round's (a missing seed, an unknown slot, too many of anything). The result:
 *   {"round_id", "rules", "order": [application ids],
 *    "applications": [{"application_id", "group_id", "group", "class", "lottery_rank",
 *                      "place", "slot_id" (or null), "preference" (or null),
 *                      "explanation"}] in order,
 *    "slots": [{"slot_id", "application_id" (or null), "group_id", "group"}]} */
json_t *round_alloc(const json_t *inputs, const uint8_t (*ranks)[ROUND_RANK_LEN],
                    struct herror *err);

/* The rules in one sentence, as published in every result. */
extern const char round_rules_words[];

#endif
