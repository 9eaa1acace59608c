/* Usage reports: what the venues were booked for, over a window of local dates.
 *
 * A reader, like avail.c: it changes nothing. Over the dates [from, to) (each venue's
 * own local midnights), optionally of one venue and of groups of one kind, it sums per
 * venue, room, group, group kind and month (the local month a booking starts in):
 *   - approved hours, and pending hours apart: end - start in seconds, so a booking
 *     across a clock change counts the hours that really passed;
 *   - open hours: the venue's opening hours (hours.h, which reads each local day in the
 *     venue's zone, so a day of 23 or 25 hours counts as such) less the closures of the
 *     room and of its venue (closure.h), per room; occupancy is approved / open;
 *   - distinct groups served (with at least one approved booking);
 *   - cancellations and declines, and their reasons grouped: the booking's note trimmed,
 *     its runs of spaces made one and its ASCII letters lower case; "no reason given"
 *     for none.
 * A booking belongs to the window when its start does, and counts whole.
 *
 * Who may read one is view.h's (view_usage_report): admins every venue, a manager the
 * venues they manage; a report without a venue covers exactly the reader's venues.
 * Bookings are read through the by-start index over the window alone (booking_each).
 *
 * One structure, two renderings: report_to_json (the API's and `halls --json`'s) and
 * report_csv (one table per CSV). */
#ifndef HALLS_REPORT_H
#define HALLS_REPORT_H

#include "db.h"
#include "view.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The longest window, in days: three years (with a leap day). A report reads every
 * booking that starts inside it. */
#define REPORT_MAX_DAYS  1096
#define REPORT_NO_REASON "no reason given"

struct report_query {
	/* Local dates, YYYY-MM-DD; to is not included. from NULL: the first of the month of
	 * now (in TZ_DEFAULT); to NULL: the first of the month after from's. */
	const char *from, *to;
	int64_t now;
	uint64_t venue_id; /* 0: every venue the reader may read */
	const char *kind;  /* a group kind (group.h), or NULL for every kind */
};

/* The figures of one row. open < 0: not a figure of this row (groups, kinds). */
struct report_figures {
	int64_t approved, pending, open; /* seconds */
	uint32_t bookings;               /* approved bookings */
	uint32_t cancelled, declined;
	uint32_t groups; /* distinct groups served (approved) */
};

struct report_row {
	uint64_t id;       /* venue, room or group id; 0 for kinds and months */
	uint64_t venue_id; /* rooms: their venue */
	char *name;        /* venue, room or group name; kind name; month "YYYY-MM" */
	const char *kind;  /* groups: their kind */
	struct report_figures f;
	uint64_t *served; /* distinct group ids, sorted (for f.groups) */
	size_t nserved, capserved;
};

struct report_table {
	struct report_row *rows;
	size_t n, cap;
};

struct report_reason {
	const char *status; /* "cancelled" or "declined" */
	char *reason;       /* normalised */
	uint32_t count;
};

struct report {
	char from[11], to[11];
	uint64_t venue_id;
	const char *kind;        /* NULL: every kind */
	struct report_row total; /* name "total" */
	struct report_table venues, rooms, groups, kinds, months;
	struct report_reason *reasons; /* by count (most first), then status and reason */
	size_t nreasons;
};

/* The report q asks for, as reader v may read it, into out (always initialised: free it
 * with report_free). Refused on t: H_EAUTH for an anonymous reader, H_EFORBIDDEN for one
 * who manages no venue or not q's, H_ENOTFOUND for a venue that does not exist, H_EINVAL
 * for a date that is not one, an empty window, one longer than REPORT_MAX_DAYS, or an
 * unknown kind, each in words. */
enum herr report_usage(struct txn *t, const struct viewer *v, const struct report_query *q,
                       struct report *out);
void report_free(struct report *r);

/* "  Choir  " -> "choir"; NULL or blank -> REPORT_NO_REASON. The caller frees. */
char *report_reason_normalise(const char *note);

/* The JSON form (schemas/api/report-usage.schema.json). */
json_t *report_to_json(const struct report *r);

/* The tables a CSV may hold, as `table=` and `--table` name them. */
extern const char *const report_tables[];
/* Whether name is one of report_tables. */
bool report_table_known(const char *name);
/* Table name of r as one CSV (RFC 4180: CRLF, quoted when needed, a header row, UTF-8
 * with a byte order mark so that spreadsheets read it as such; a cell that a spreadsheet
 * would take for a formula, starting with = + - @ tab or CR, is prefixed with '). NULL
 * for an unknown table; else malloc'd, its length in *len. */
char *report_csv(const struct report *r, const char *table, size_t *len);
/* The same table as rows of plain cells (no quoting, no prefix), the header row first,
 * each handed to row: for a table printed for people. False for an unknown table. */
bool report_rows(const struct report *r, const char *table,
                 void (*row)(const char *const *cells, size_t n, void *arg), void *arg);

#endif
