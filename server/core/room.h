/* Rooms: what groups book. A room belongs to a venue and carries the booking rules that
 * are about the room itself: capacity, buffers, length limits, notice and approval. */
#ifndef HALLS_ROOM_H
#define HALLS_ROOM_H

#include "actor.h"
#include "db.h"
#include "group.h"

#include <jansson.h>

enum approval {
	APPROVAL_MANUAL,  /* a manager approves every request */
	APPROVAL_AUTO,    /* every request that passes the rules is approved */
	APPROVAL_TRUSTED, /* automatic for groups trusted at the venue, manual otherwise */
};

/* What becomes of a provisional hold that no manager has decided when its time is up
 * (hold.h): the request is released (declined), or stays pending with no hold. */
enum hold_lapse { HOLD_LAPSE_RELEASE, HOLD_LAPSE_KEEP };

/* Room features, as a bit set; names in room.c (step_free, hearing_loop, ...). */
enum room_feature {
	FEATURE_STEP_FREE = 1u << 0,
	FEATURE_HEARING_LOOP = 1u << 1,
	FEATURE_KITCHEN = 1u << 2,
	FEATURE_STAGE = 1u << 3,
	FEATURE_PARKING = 1u << 4,
	FEATURE_PROJECTOR = 1u << 5,
	FEATURE_WIFI = 1u << 6,
	FEATURE_ACCESSIBLE_TOILET = 1u << 7,
	FEATURE_BABY_CHANGE = 1u << 8,
	FEATURE_PIANO = 1u << 9,
	FEATURE_SPORTS_FLOOR = 1u << 10,
	FEATURE_OUTDOOR_SPACE = 1u << 11,
};
#define FEATURE_COUNT 12

struct room {
	uint64_t id;
	uint64_t venue_id;
	char *name;
	char *description;
	uint32_t capacity;
	uint32_t features;
	uint32_t setup_min;       /* buffer before each booking */
	uint32_t cleanup_min;     /* buffer after each booking */
	uint32_t min_length_min;  /* shortest booking */
	uint32_t max_length_min;  /* longest booking */
	uint32_t notice_min;      /* how long before its start a request must arrive */
	uint32_t horizon_days;    /* how far ahead a booking may start */
	uint32_t max_occurrences; /* the most occurrences one series may have here */
	enum approval approval;
	/* Fair access (docs/fair-access.md). */
	uint32_t hold_hours;        /* a pending request holds its slot this long; 0: no holds */
	enum hold_lapse hold_lapse; /* what a hold's end does to an undecided request */
	uint32_t offer_hours;       /* how long a waitlist offer is the offered group's alone */
	/* Group kinds a waitlist serves first, in this order, each kind first come, first
	 * served, then every other group; none: first come, first served. */
	enum group_kind waitlist_priority[GROUP_KIND_COUNT];
	size_t nwaitlist_priority;
};

void room_init(struct room *r);
void room_free(struct room *r);
/* Fields: "venue_id", "name", "description", "capacity", "features" (array of names),
 * "setup_minutes", "cleanup_minutes", "min_minutes", "max_minutes", "notice_minutes",
 * "horizon_days", "max_occurrences", "approval", "hold_hours", "hold_lapse" ("release" or
 * "keep"), "offer_hours", "waitlist_priority" (array of group kind names). */
enum herr room_apply(struct room *r, const json_t *fields, struct herror *err);
json_t *room_to_json(const struct room *r);
enum herr room_from_json(const json_t *o, struct room *r, struct herror *err);

const char *approval_name(enum approval a);
const char *hold_lapse_name(enum hold_lapse l);
int approval_parse(const char *s, enum approval *out); /* 0 on success */
const char *feature_name(unsigned bit_index);
int feature_parse(const char *s, uint32_t *bit); /* 0 on success */

enum herr room_get(struct txn *t, uint64_t id, struct room *out);
enum herr room_create(struct txn *t, const struct actor *a, struct room *r, int64_t now);
enum herr room_update(struct txn *t, const struct actor *a, const struct room *r, int64_t now);
/* Refused while bookings (of any state) or closures refer to the room (refs.h). */
enum herr room_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* venue_id 0: every room, else the venue's rooms; in id order. A venue that does not
 * exist is refused (H_ENOTFOUND "there is no venue 4"), as every listing refuses a filter
 * that names no record. */
enum herr room_each(struct txn *t, uint64_t venue_id, bool (*fn)(const struct room *r, void *arg),
                    void *arg);
void room_store(struct txn *t, const struct room *r, const struct room *old);
/* Total buffer that must separate two bookings of this room. */
int64_t room_gap_seconds(const struct room *r);
/* Whether two bookings of this room, [a_start, a_end) and [b_start, b_end), are too
 * close: they overlap once the room's buffers are counted. The one statement of the rule
 * for bookings held in memory; the store's own is booking_blocks. */
bool room_slots_clash(const struct room *r, int64_t a_start, int64_t a_end, int64_t b_start,
                      int64_t b_end);

#endif
