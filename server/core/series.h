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
#include "series_record.h"
#include "series_rule.h"
#include "db.h"
#include "policy.h"
#include "tz.h"
#include "walk.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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
	size_t created;    /* occurrences booked, or decided by series_decide */
	uint64_t *decided; /* series_decide: the ids of those decided (malloc'd, created of them) */
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

/* series_create, less the rule's dates in exdates (instants; each must be one of the
 * rule's dates, named once, and at least one date must be left): the group does not ask
 * for those, and they are neither booked nor listed as refused. The series keeps its
 * whole rule; a calendar feed shows a date without a booking as an exception (EXDATE). */
enum herr series_create_except(struct txn *t, const struct actor *a, struct series *s,
                               const int64_t *exdates, size_t nexdates, bool approve_now,
                               bool skip_refused, int64_t now, struct series_outcome *out);
/* s->skip_date_sets (at most DATE_SET_SKIP_MAX, each of the borough's or the room's
 * venue's) leave out the rule's dates whose local day, in the venue's zone, is in any of
 * them, as exdates do, and none of them is listed as refused. At least one date must be
 * left.
 * The most exdates a request may name: no room takes more dates in a series. */
#define SERIES_EXDATES_MAX 1000

/* What series_create_except would do with each date of the rule, judged the same way (the
 * whole series first, then each date as its request would be, an earlier date that would
 * be approved blocking a later one as when they are stored), writing nothing: t may be a
 * read transaction. A refusal of the whole series (a rule that cannot be used, too many
 * dates, a caller who may not, the same series asked for already) is the answer, as it
 * would be for the request; otherwise every date is in out, in rule order. s->rrule is
 * normalised and s->zone set, as for a request. */
enum series_date_outcome {
	SERIES_DATE_PENDING,  /* would be booked, waiting for a manager */
	SERIES_DATE_APPROVED, /* would be booked and approved at once */
	SERIES_DATE_REFUSED,  /* cannot be booked: refusal says why */
	SERIES_DATE_LEFT_OUT, /* named in exdates */
	SERIES_DATE_SKIPPED,  /* its local date is in a date set the series skips */
};
struct series_date {
	int64_t start;
	enum series_date_outcome outcome;
	struct series_refusal refusal;
	uint64_t date_set_id; /* skipped: the first set skipped that has the date */
	char date_set_name[128];
	char date_label[128]; /* the date's label in that set, "" when none */
};
struct series_preview {
	struct series_date *dates; /* malloc'd */
	size_t n;
};
void series_preview_free(struct series_preview *pv);
enum herr series_preview(struct txn *t, const struct actor *a, struct series *s,
                         const int64_t *exdates, size_t nexdates, bool approve_now, int64_t now,
                         struct series_preview *out);

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
#endif
