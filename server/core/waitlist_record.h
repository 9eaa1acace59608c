/* Waitlist entries as stored (DBI_WAITLIST), and the questions every part of waitlists
 * asks of them: which live entries a room has around a time, which offers are open.
 * Below booking.c: it reads nothing of bookings.
 *
 * Key spaces (schemas/db.md "### waitlist"):
 *   'E' | id (u64)                            -> record (version byte + JSON)
 *   'R' | room (u64) | start (i64) | id (u64) -> end (i64) | group (u64) | state (u8)
 *                                                live entries only (waiting, offered)
 *   'O' | offer_until (i64) | id (u64)        -> ""   open offers, soonest end first
 */
#ifndef HALLS_WAITLIST_RECORD_H
#define HALLS_WAITLIST_RECORD_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum waitlist_state {
	WAITLIST_WAITING,  /* in line */
	WAITLIST_OFFERED,  /* holds an exclusive offer until offer_until */
	WAITLIST_ACCEPTED, /* took the offer: booking_id is its request */
	WAITLIST_DECLINED, /* turned the offer down */
	WAITLIST_LAPSED,   /* let the offer run out */
	WAITLIST_LEFT,     /* left the line */
	WAITLIST_EXPIRED,  /* the slot began while still in line or offered */
};
#define WAITLIST_STATE_COUNT 7

/* The longest slot a waitlist takes: the index finds the entries that overlap a time by
 * looking back this far from it. */
#define WAITLIST_LENGTH_MAX (7 * 24 * 3600)
#define WAITLIST_TITLE_MAX  200

struct waitlist_entry {
	uint64_t id;
	uint64_t room_id;
	uint64_t group_id;
	int64_t start, end; /* UTC seconds; end exclusive */
	int64_t joined_at;
	uint64_t joined_by; /* user id, 0 for the console */
	enum waitlist_state state;
	int64_t offered_at;  /* 0: never offered */
	int64_t offer_until; /* the offer's end (exclusive): open while now < offer_until */
	uint64_t booking_id; /* accepted: the request made */
	char *title;         /* what the group would book it for; NULL: said at accept */
	int64_t updated_at;
	uint64_t updated_by;
};

void waitlist_entry_init(struct waitlist_entry *e);
void waitlist_entry_free(struct waitlist_entry *e);
const char *waitlist_state_name(enum waitlist_state s);
int waitlist_state_parse(const char *s, enum waitlist_state *out); /* 0 on success */
/* Waiting or offered: in the line, in the index. */
bool waitlist_live(enum waitlist_state s);
/* When an offer ends: at offer_until, or when its slot begins if that is sooner. */
int64_t waitlist_offer_end(const struct waitlist_entry *e);
/* An offer open at now. */
bool waitlist_offer_open(const struct waitlist_entry *e, int64_t now);

json_t *waitlist_entry_to_json(const struct waitlist_entry *e);
enum herr waitlist_entry_from_json(const json_t *o, struct waitlist_entry *e, struct herror *err);

/* Entry id; H_ENOTFOUND "there is no waitlist entry 4" (not sticky) when none. */
enum herr waitlist_entry_get(struct txn *t, uint64_t id, struct waitlist_entry *out);
/* Writes e and its index entries, old the entry before (NULL: new). */
void waitlist_entry_store(struct txn *t, const struct waitlist_entry *e,
                          const struct waitlist_entry *old);

/* An entry of the room index: enough to judge overlap and order without the record. */
struct waitlist_slot {
	uint64_t id, group_id;
	int64_t start, end;
	enum waitlist_state state;
};
/* Calls fn for each live entry of room whose slot, widened by gap on each side, overlaps
 * [start, end): O(log n + k), k the entries starting in that window less the longest
 * slot. fn returning false stops. */
enum herr waitlist_slots(struct txn *t, uint64_t room_id, int64_t start, int64_t end, int64_t gap,
                         bool (*fn)(const struct waitlist_slot *s, void *arg), void *arg);
/* Calls fn for each live entry of every room, room by room and soonest start first:
 * O(live entries). fn returning false stops. */
enum herr waitlist_slots_all(struct txn *t, bool (*fn)(const struct waitlist_slot *s, void *arg),
                             void *arg);
/* Calls fn with each open offer whose offer_until is at most until, soonest first. */
enum herr waitlist_offers_due(struct txn *t, int64_t until,
                              bool (*fn)(uint64_t id, int64_t offer_until, void *arg), void *arg);
/* The earliest offer_until of any offer still marked open (INT64_MAX: none). */
int64_t waitlist_next_offer_end(struct txn *t);
/* Every entry in id order. */
enum herr waitlist_each_record(struct txn *t, bool (*fn)(const struct waitlist_entry *e, void *arg),
                               void *arg);
/* The id of the first entry (any state) of group_id, 0 for none: a group on a waitlist,
 * like one with bookings, has history that must still name it. Walks every entry. */
uint64_t waitlist_group_first(struct txn *t, uint64_t group_id);
/* Writes entry e as imported (its id kept). */
enum herr waitlist_entry_import(struct txn *t, const json_t *o);

#endif
