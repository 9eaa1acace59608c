/* The series record: a recurring request kept as its rule (series.h says what a series
 * is), its JSON, its occurrence index key, and the listing of series. */
#ifndef HALLS_SERIES_RECORD_H
#define HALLS_SERIES_RECORD_H

#include "db.h"
#include "key.h"
#include "walk.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct series {
	uint64_t id;
	uint64_t room_id;
	uint64_t group_id;
	char *title;
	char *description;
	uint32_t attendees;
	bool public;
	char *zone;          /* the venue's zone when the series was made: the rule's zone */
	int64_t first_start; /* the rule's first instant (DTSTART) */
	uint32_t duration;   /* seconds */
	char *rrule;         /* RFC 5545 RRULE value, UNTIL (if any) in UTC */
	uint64_t created_by;
	int64_t created_at;
	int64_t updated_at; /* the last change to the series or any of its occurrences */
	uint32_t sequence;  /* rises with every such change (the feed's master SEQUENCE) */
	/* Date sets (date_set.h) whose dates the series leaves out like exdates: a date of
	 * the rule whose local day is in any of them is not booked. */
	uint64_t *skip_date_sets;
	size_t nskip;
};

/* The DBI_SERIES_OCC key of an occurrence. */
struct key series_occ_key(uint64_t series_id, int64_t recurrence_id);

void series_init(struct series *s);
void series_free(struct series *s);
json_t *series_to_json(const struct series *s);
enum herr series_from_json(const json_t *o, struct series *s, struct herror *err);
/* As shown (API, `halls --json`): the record with "start" and "end" (the first date) and
 * every "..._at" as RFC 3339 in the series' zone. */
json_t *series_to_json_local(const struct series *s);
/* The first date of a new series: first_start and duration, or H_RULE_ORDER when end is
 * not after start. A date longer than any room allows is kept so (the room's length rule
 * then refuses every date), never wrapped to a short one. */
enum herr series_set_first(struct series *s, int64_t start, int64_t end, struct herror *err);

enum herr series_get(struct txn *t, uint64_t id, struct series *out);
/* The series, newest first would be odd: in id order; group_id / room_id 0 for any. A
 * room or group that does not exist is refused (H_ENOTFOUND "there is no room 4"), as
 * every listing refuses a filter that names no record. */
enum herr series_each(struct txn *t, uint64_t room_id, uint64_t group_id,
                      bool (*fn)(const struct series *s, void *arg), void *arg);
/* series_each in pages (walk.h): resumes strictly after w->after.id and examines at most
 * w->budget series, matching or not. w NULL: series_each. */
enum herr series_each_page(struct txn *t, uint64_t room_id, uint64_t group_id, struct walk *w,
                           bool (*fn)(const struct series *s, void *arg), void *arg);

/* Writes the record as is (import, and every path above), and the "used by" entries of
 * the date sets it skips. */
void series_put(struct txn *t, const struct series *s);
/* An occurrence changed (booking.c): the series' sequence and updated_at follow. */
void series_touch(struct txn *t, uint64_t id, int64_t now);

#endif
