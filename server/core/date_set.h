/* Date sets: named sets of local dates, such as a school's holidays or the bank holidays
 * of England and Wales (docs/fair-access.md, "Date sets"). A series can skip the dates of
 * sets (series.c) and a closure can follow one (closure.c): what uses a set is kept in
 * this module's "used by" index, so that a set in use is never removed and a closure
 * following a set is rewritten when the set changes (date_set_write.c).
 *
 * A date is a day of the calendar, not an instant: "2026-12-25" is the whole of Christmas
 * Day wherever it is read, in the zone of the venue that reads it. Dates are kept as days
 * since 1970-01-01, sorted and unique, each with an optional label ("Christmas Day"). */
#ifndef HALLS_DATE_SET_H
#define HALLS_DATE_SET_H

#include "actor.h"
#include "db.h"
#include "walk.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define DATE_SET_MAX_DATES 1000
#define DATE_SET_YEAR_MIN  1970
#define DATE_SET_YEAR_MAX  2200
#define DATE_SET_NAME_MAX  200
#define DATE_SET_DESC_MAX  2000
#define DATE_SET_LABEL_MAX 200
/* The most sets one series may skip. */
#define DATE_SET_SKIP_MAX 20

struct date_set_date {
	int32_t day; /* days since 1970-01-01 */
	char *label; /* NULL: none */
};

struct date_set {
	uint64_t id;
	char *name;
	char *description;
	uint64_t venue_id; /* 0: the whole borough */
	struct date_set_date *dates;
	size_t n;
	uint64_t created_by;
	int64_t created_at, updated_at;
};

void date_set_init(struct date_set *s);
void date_set_free(struct date_set *s);
/* A deep copy of src into dst (initialised here). */
void date_set_copy(struct date_set *dst, const struct date_set *src);
/* The record, as stored and shown: dates as [{"date":"YYYY-MM-DD","label":...}]. */
json_t *date_set_to_json(const struct date_set *s);
/* The same with "..._at" as RFC 3339 (API, `halls --json`). */
json_t *date_set_to_json_local(const struct date_set *s);
/* A record, or a new set's fields (name, description, venue_id, dates): every field
 * judged, dates sorted and made unique. */
enum herr date_set_from_json(const json_t *o, struct date_set *s, struct herror *err);

/* Adds the entries of a "dates" array to s: "YYYY-MM-DD" or {"date", "label"}. */
enum herr date_set_dates_from_json(const json_t *a, struct date_set *s, struct herror *err);
/* "YYYY-MM-DD" (a real date in [DATE_SET_YEAR_MIN, DATE_SET_YEAR_MAX]) to days. */
bool date_set_parse_date(const char *text, int32_t *day);
/* day as "YYYY-MM-DD". */
void date_set_format_date(int32_t day, char out[16]);
/* The local date of instant t in zone, as days since 1970-01-01. */
int32_t date_set_day_of(const char *zone, int64_t t);
/* The instants at which local day begins and the next begins, in zone. */
void date_set_day_span(const char *zone, int32_t day, int64_t *start, int64_t *end);

/* Adds day (with label, copied; NULL none) keeping dates sorted and unique: a date already
 * there keeps its label, or takes this one when it had none. Refuses a date out of range
 * or a set at DATE_SET_MAX_DATES. true when the date is new. */
enum herr date_set_add(struct date_set *s, int32_t day, const char *label, bool *added,
                       struct herror *err);
/* Takes day out; false when it was not there. */
bool date_set_remove_date(struct date_set *s, int32_t day);
/* The date's entry, or NULL. */
const struct date_set_date *date_set_find(const struct date_set *s, int32_t day);

enum herr date_set_get(struct txn *t, uint64_t id, struct date_set *out);
/* Writes the record as is. */
void date_set_put(struct txn *t, const struct date_set *s);
void date_set_delete(struct txn *t, uint64_t id);
/* venue_id: UINT64_MAX every set; 0 the borough's; else the venue's and the borough's.
 * In id order, paged by w (NULL: all). */
enum herr date_set_each(struct txn *t, uint64_t venue_id, struct walk *w,
                        bool (*fn)(const struct date_set *s, void *arg), void *arg);

/* The first set of venue venue_id itself (not the borough's), or 0: removing a venue
 * whose sets remain would leave them naming nothing (refs.c). */
uint64_t date_set_first_of_venue(struct txn *t, uint64_t venue_id);

/* Who may make, change or remove a set of venue_id: admins for the borough's (0), the
 * venue's managers (and admins) for a venue's. */
enum herr date_set_may_manage(struct txn *t, const struct actor *a, uint64_t venue_id);
/* A set that records at venue_id may use: it exists, and it is the borough's or the
 * venue's own; out (may be NULL) receives it. Refusals name the set. */
enum herr date_set_usable(struct txn *t, uint64_t set_id, uint64_t venue_id, struct date_set *out);

/* The "used by" index: a closure following a set, or a series skipping it. */
enum date_set_user { DATE_SET_BY_CLOSURE = 'C', DATE_SET_BY_SERIES = 'S' };
void date_set_use(struct txn *t, uint64_t set_id, enum date_set_user kind, uint64_t id, bool on);
/* The users of set_id of kind (0: any kind), in kind then id order; fn false stops. */
enum herr date_set_each_user(struct txn *t, uint64_t set_id, enum date_set_user kind,
                             bool (*fn)(enum date_set_user kind, uint64_t id, void *arg),
                             void *arg);
/* Every "used by" entry, for halls check: (set, kind, id). */
enum herr date_set_each_use(struct txn *t,
                            bool (*fn)(uint64_t set_id, enum date_set_user kind, uint64_t id,
                                       void *arg),
                            void *arg);

/* Changes (date_set_write.c), each audit-logged. A new set (from date_set_from_json):
 * assigns s->id. */
enum herr date_set_create(struct txn *t, const struct actor *a, struct date_set *s, int64_t now);
/* fields: name, description, dates (the whole list), add (dates to add), remove (dates,
 * "YYYY-MM-DD", to take out). The venue stays. Closures that follow the set are rewritten
 * to its new dates, and a set they follow cannot lose its last date. out (may be NULL)
 * receives the set as changed. */
enum herr date_set_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                          int64_t now, struct date_set *out);
/* Refused (H_RULE_INUSE) while a closure follows it or a series skips it. */
enum herr date_set_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);

/* The closures that follow a date set at venue_id (0: everywhere) for GET /api/v1/rules:
 * appends {"rule":"date-set","venue_id","room_ids","says","closure_id","date_set_id",
 * "date_set":name,"dates":N}, one per closure. Reads only. */
enum herr date_set_rules(struct txn *t, uint64_t venue_id, json_t *rules);

#endif
