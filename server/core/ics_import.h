/* Calendar import: bookings brought over from another system's iCalendar (RFC 5545) export
 * into one room, for one group, with what became of every event and why.
 *
 * Every VEVENT is tried on its own: a one-off event becomes a booking request, a recurring
 * one (RRULE) a series whose dates left out are listed, not fatal. The source's EXDATEs
 * cancel their dates; its RECURRENCE-ID overrides move, edit or cancel theirs. Every rule
 * is the booking and series code's (booking_request, series_create...), as the actor
 * given. The whole import is one durable write, each event in a transaction nested in it
 * (txn_try), so that a refusal undoes only that event; a dry run does everything, then
 * refuses the write, so that nothing is stored.
 *
 * Times: a TZID is an IANA name (also in libical's "/freeassociation.sourceforge.net/"
 * form) or a VTIMEZONE of the file; without TZID a time is UTC ("Z") or floating, and
 * floating times are read in the venue's zone, by RFC 5545's rule for the times clock
 * changes skip or repeat (tz_from_local_rfc5545). A series repeats on the venue's wall
 * clock (series.h); when the source repeats on another clock (UTC, another zone), the
 * dates where the two differ are moved to the source's instants, so that every date is
 * where the source has it. */
#ifndef HALLS_ICS_IMPORT_H
#define HALLS_ICS_IMPORT_H

#include "actor.h"
#include "booking.h"
#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Import-only reasons an event is not placed (the core's refusals keep their herr_name). */
#define ICS_IMPORT_E_CANCELLED "cancelled"
#define ICS_IMPORT_E_ALLDAY    "all-day"
#define ICS_IMPORT_E_TZ        "unknown-time-zone"
#define ICS_IMPORT_E_UNSUPP    "unsupported"
#define ICS_IMPORT_E_MASTER    "series-not-placed"

/* The title of an event without a SUMMARY. */
#define ICS_IMPORT_TITLE "Imported booking"
/* The notes on dates the source excludes or cancels (also the cancelled bookings' notes). */
#define ICS_IMPORT_NOTE_EXDATE "excluded in the imported calendar"
#define ICS_IMPORT_NOTE_CANCEL "cancelled in the imported calendar"

struct ics_import_options {
	const char *name; /* names the calendar in messages (a file's path) */
	uint64_t room_id, group_id;
	bool approve; /* approved at once (for the venue's managers) */
	bool dry_run; /* everything tried and reported, nothing stored */
	int64_t now;
};

/* What became of one date of a series, in its own list of the series. */
enum ics_import_note {
	ICS_NOTE_SKIPPED,   /* left out: a rule refused it */
	ICS_NOTE_EXCLUDED,  /* an EXDATE (or a date the source's clock does not have) */
	ICS_NOTE_MOVED,     /* a RECURRENCE-ID moved or edited it */
	ICS_NOTE_RETIMED,   /* the source has it at another instant (another clock) */
	ICS_NOTE_CANCELLED, /* a RECURRENCE-ID cancelled it */
};
#define ICS_NOTE_KINDS 5

struct ics_import_date {
	enum ics_import_note note;
	int64_t start;
	int64_t end;            /* ICS_NOTE_MOVED */
	int64_t original_start; /* ICS_NOTE_MOVED, ICS_NOTE_RETIMED: the rule's date */
	uint64_t booking_id;    /* 0: none */
	/* ICS_NOTE_SKIPPED: why (herr_name, the sentence, the bookings in the way). */
	const char *error;
	char *message;
	uint64_t conflicts[HERR_MAX_CONFLICTS];
	size_t nconflicts;
};

enum ics_import_kind { ICS_IMPORT_PLACED, ICS_IMPORT_NOT_PLACED, ICS_IMPORT_SERIES };

/* One event of the calendar, or one RECURRENCE-ID of it, and what became of it. Text
 * from the file is as read, or "(not UTF-8)" when it is not UTF-8. */
struct ics_import_item {
	enum ics_import_kind kind;
	char *uid, *summary; /* NULL when the event has none */
	bool timed;          /* start is a known instant */
	bool has_end;        /* and so is end */
	int64_t start, end;
	char when[64];         /* not timed: DTSTART as written, or "" when it has none */
	bool has_rid;          /* a RECURRENCE-ID whose instant is known */
	int64_t recurrence_id; /* that instant */
	/* ICS_IMPORT_PLACED */
	uint64_t booking_id;
	enum booking_status status;
	/* ICS_IMPORT_NOT_PLACED: why (herr_name or ICS_IMPORT_E_*), in words, and the
	 * bookings in the way; for a RECURRENCE-ID of a series placed, series_id, and the
	 * booking cancelled on the date it replaces (0: none). */
	const char *error;
	char *reason;
	uint64_t conflicts[HERR_MAX_CONFLICTS];
	size_t nconflicts;
	uint64_t cancelled_booking;
	/* ICS_IMPORT_SERIES (and series_id for the above) */
	uint64_t series_id;
	char *rrule;                /* the series' rule, as stored */
	size_t extra_dates_ignored; /* RDATEs */
	struct ics_import_date *dates;
	size_t ndates;
	size_t total;             /* the source's dates, less those excluded or cancelled */
	size_t approved, pending; /* the series' dates standing */
};

struct ics_import_outcome {
	size_t events;                 /* VEVENTs read */
	struct ics_import_item *items; /* in the order the events were tried */
	size_t nitems;
	size_t placed, not_placed, series; /* items of each kind */
	size_t series_dates;               /* dates standing in every series placed */
	size_t already;                    /* items not placed because they were there already */
	char *zone;                        /* the venue's: the zone times are shown in */
};

void ics_import_outcome_free(struct ics_import_outcome *o);

/* Imports the calendar in text (len bytes) as opt says, acting as a: checks that the
 * room and the group exist and that a may book for the group, reads the calendar, then
 * places its events in one write. H_OK (with *out) when every event was tried, whatever
 * became of each, dry run or not; otherwise nothing was stored and err says why (an
 * unknown room or group, text that is not iCalendar, a storage failure). */
enum herr ics_import(struct db *db, const struct actor *a, const char *text, size_t len,
                     const struct ics_import_options *opt, struct ics_import_outcome *out,
                     struct herror *err);

/* The outcome as `halls import-ics --json` shows it (and the API would): room_id,
 * group_id, dry_run, events, and the items in three lists, placed, not_placed and series,
 * each time as RFC 3339 in the venue's zone and as UTC seconds (key_ts). */
json_t *ics_import_to_json(const struct ics_import_options *opt,
                           const struct ics_import_outcome *o);

#endif
