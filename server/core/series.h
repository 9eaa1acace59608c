/* Recurring bookings: a series is one request ("every Tuesday 19:00-21:00 until June")
 * kept as its rule, and each occurrence is also an ordinary booking linked to it, so that
 * conflicts, approval, cancellation and moves work per occurrence.
 *
 * Occurrences keep their wall-clock time in the venue's zone across clock changes: the
 * rule is expanded on local dates and times (libical's iterator over a floating start,
 * which cannot drift), and each local time becomes an instant by RFC 5545's rule: a time
 * the clocks skip is taken with the offset before the gap (01:30 on the spring-forward day
 * in London is 02:30 BST), a time that happens twice is the first of the two. Calendar apps
 * expand the feed's RRULE by the same rule, so they list exactly these instants.
 *
 * An occurrence's booking keeps the instant the rule gave it (recurrence_id) even when it
 * is moved, which is how feeds tell a moved occurrence (RECURRENCE-ID) from the rule. */
#ifndef HALLS_SERIES_H
#define HALLS_SERIES_H

#include "booking.h"
#include "db.h"
#include "key.h"
#include "policy.h"
#include "tz.h"
#include "walk.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SERIES_RRULE_MAX 256
/* No series date lies further than this past the first: the longest horizon a room may
 * have. Every expansion stops there, so its work is bounded whatever the rule. */
#define SERIES_SPAN_DAYS 3660

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

/* Checks rule (FREQ DAILY, WEEKLY or MONTHLY; INTERVAL, BYDAY, BYMONTHDAY, BYSETPOS,
 * COUNT or UNTIL) and returns it in the form stored and published: UNTIL as the UTC
 * instant that ends the local day or time given, in zone. malloc'd, or NULL with err. */
char *series_rule_normalise(const char *rule, const char *zone, struct herror *err);

/* Calls fn with the instants of the rule's occurrences in order, at most max of them
 * (fn returning false stops early). H_EINVAL when the rule cannot be read;
 * H_RULE_SERIES when its dates go on past SERIES_SPAN_DAYS from the first (those found
 * until then have been given to fn). */
enum herr series_expand(const char *rrule, const char *zone, int64_t first_start, size_t max,
                        bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err);

/* The clock a rule's wall-clock dates are read on: how each becomes an instant.
 * series_expand reads the series' zone by RFC 5545's rule (tz_from_local_rfc5545); a
 * calendar import reads the file's own (its TZID, a VTIMEZONE of the file, or UTC). */
struct series_clock {
	int64_t (*instant)(const struct localtm *lt, const void *arg);
	const void *arg;
};

/* series_expand for a rule as a calendar file has it, on any clock: the rule's dates from
 * the wall time first on, each made an instant by clock, in order, at most max (fn
 * returning false stops early). UNTIL is read on the same clock, as RFC 5545 reads it: a
 * date ends the dates after that day, a UTC time or a wall time (made an instant by
 * clock) after that instant. Bounded as series_expand is; H_EINVAL when the rule cannot be
 * read, H_RULE_SERIES when it goes on past SERIES_SPAN_DAYS. */
enum herr series_expand_on(const char *rrule, const struct localtm *first,
                           const struct series_clock *clock, size_t max,
                           bool (*fn)(int64_t start, void *arg), void *arg, struct herror *err);

/* An occurrence a new series could not have, and why. */
struct series_refusal {
	int64_t start;
	enum herr code;
	char msg[256];
	uint64_t conflicts[HERR_MAX_CONFLICTS]; /* for a conflict: the bookings in the way */
	size_t nconflicts;
};

struct series_outcome {
	struct series_refusal *refused; /* malloc'd */
	size_t nrefused;
	size_t created; /* occurrences booked */
};
void series_outcome_free(struct series_outcome *o);

/* A new series: in s, room_id, group_id, title, description, attendees, public,
 * first_start, duration and rrule (normalised); out, the rest. Every occurrence is
 * checked against every rule, and follows the room's approval policy (or is approved at
 * once with approve_now, for the venue's managers). With skip_refused, the occurrences
 * that cannot be booked are left out and listed; without, any refusal refuses the whole
 * series (H_ECONFLICT when one is a conflict, else the first refusal's code) and every
 * refused occurrence is listed. Fails when the rule has more than the room's
 * max_occurrences or none at all. */
enum herr series_create(struct txn *t, const struct actor *a, struct series *s, bool approve_now,
                        bool skip_refused, int64_t now, struct series_outcome *out);

enum herr series_get(struct txn *t, uint64_t id, struct series *out);
/* Books one date of series id at [start, end) as the series' occurrence for the rule
 * date recurrence_id (a date the series could not have when it was made, or one moved in
 * an import): the series' group, room and text (title, if not NULL, in place of its
 * own), every rule checked as for any request. Refused when the series already holds that
 * date. */
enum herr series_occurrence_add(struct txn *t, const struct actor *a, uint64_t id,
                                int64_t recurrence_id, int64_t start, int64_t end,
                                const char *title, bool approve_now, int64_t now,
                                struct booking *out);
/* The series' occurrence bookings in rule order (recurrence_id); fn returning false stops. */
enum herr series_each_occurrence(struct txn *t, uint64_t series_id,
                                 bool (*fn)(const struct booking *b, void *arg), void *arg);
/* The series, newest first would be odd: in id order; group_id / room_id 0 for any. */
enum herr series_each(struct txn *t, uint64_t room_id, uint64_t group_id,
                      bool (*fn)(const struct series *s, void *arg), void *arg);
/* series_each in pages (walk.h): resumes strictly after w->after.id and examines at most
 * w->budget series, matching or not. w NULL: series_each. */
enum herr series_each_page(struct txn *t, uint64_t room_id, uint64_t group_id, struct walk *w,
                           bool (*fn)(const struct series *s, void *arg), void *arg);

/* What a decision on a whole series (or from an instant on) did to each occurrence. */
enum series_action { SERIES_APPROVE, SERIES_DECLINE, SERIES_CANCEL };
/* Applies the action to every occurrence starting at or after from (0: all) that is in a
 * state the action applies to; each is checked as a single booking would be. Those that
 * cannot take it (an approval that now conflicts) are listed in out and left as they
 * were. */
enum herr series_decide(struct txn *t, const struct actor *a, uint64_t id, enum series_action act,
                        int64_t from, const char *note, int64_t now, struct series_outcome *out);
/* Edits title, description, attendees or public ("fields") on the series and on every
 * occurrence still pending or approved. Times are not edited here: an occurrence moves on
 * its own (booking_update), and no edit brings back a cancelled one. */
enum herr series_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                        int64_t now, struct series *out);
/* Writes the record as is (import, and every path above). */
void series_put(struct txn *t, const struct series *s);
/* An occurrence changed (booking.c): the series' sequence and updated_at follow. */
void series_touch(struct txn *t, uint64_t id, int64_t now);

#endif
