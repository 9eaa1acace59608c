/* Dates from an iCalendar file (RFC 5545), as the government publishes the bank holidays
 * of England and Wales: each all-day VEVENT (DTSTART;VALUE=DATE) gives its dates, from
 * DTSTART up to DTEND (exclusive) for an event of several days, with its SUMMARY as their
 * label; a simple RRULE (FREQ with INTERVAL, COUNT or UNTIL, nothing else) and EXDATEs of
 * dates are followed. Events with a time of day, rules that are not simple, and dates
 * outside the years a set holds are skipped, each with a note saying why. A file that is
 * not a calendar, not UTF-8, too large, or that gives no date or too many is refused. */
#ifndef HALLS_DATE_SET_ICS_H
#define HALLS_DATE_SET_ICS_H

#include "date_set.h"

#define DATE_SET_ICS_MAX_BYTES (1024 * 1024)
#define DATE_SET_ICS_NOTES     10

struct date_set_ics_report {
	size_t events;                       /* VEVENTs read */
	size_t added;                        /* dates new to the set */
	size_t duplicates;                   /* dates the set had already (or given twice) */
	size_t skipped;                      /* events left out */
	char notes[DATE_SET_ICS_NOTES][240]; /* why, for the first few left out */
	size_t nnotes;
	char calname[DATE_SET_NAME_MAX + 1]; /* X-WR-CALNAME, "" when none */
};

/* Adds the dates of the calendar text[0..len) to into; H_EINVAL with words (err) when the
 * file is refused, into then unchanged. */
enum herr date_set_ics_read(const char *text, size_t len, struct date_set *into,
                            struct date_set_ics_report *rep, struct herror *err);
/* Imports the calendar text into a new set s (name, description, venue_id given; a
 * missing name is the file's X-WR-CALNAME), or, with into, adds its dates to set into (s
 * then receives it). Same permissions as making or changing the set. */
enum herr date_set_import(struct txn *t, const struct actor *a, struct date_set *s, uint64_t into,
                          const char *text, size_t len, int64_t now,
                          struct date_set_ics_report *rep);
/* The report as JSON: {"events","added","duplicates","skipped","notes":[...]} */
json_t *date_set_ics_report_json(const struct date_set_ics_report *rep);

#endif
