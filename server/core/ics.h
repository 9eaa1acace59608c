/* iCalendar (RFC 5545) text for feeds, built with libical and corrected where libical 3.0
 * gets calendar apps wrong.
 *
 * The caller describes events; this module owns the text: VCALENDAR with the calendar's
 * name, REFRESH-INTERVAL and X-PUBLISHED-TTL; one VTIMEZONE per zone used, under its IANA
 * name (libical's built-in zones carry a "/freeassociation.sourceforge.net/" prefix that
 * Outlook and Thunderbird do not recognise) with observances from tzdata; VEVENTs whose
 * DTSTART, DTEND, EXDATE and RECURRENCE-ID all carry that TZID; text escaped (the X-WR-*
 * properties too, which libical leaves raw); CRLF line ends; lines folded at 75 octets
 * without splitting a UTF-8 character or a backslash escape. The same calendar always
 * gives the same bytes. */
#ifndef HALLS_ICS_H
#define HALLS_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ics_status { ICS_CONFIRMED, ICS_TENTATIVE, ICS_CANCELLED };

/* One VEVENT: a one-off event, the master of a recurring one (rrule set), or an
 * override of one occurrence of a master with the same uid (recurrence_id set). */
struct ics_event {
	const char *uid;       /* stable across feeds and time, e.g. "booking-12@halls" */
	uint32_t sequence;     /* rises with every change of time or status */
	int64_t last_modified; /* UTC seconds; also DTSTAMP, so an unchanged feed is unchanged */
	enum ics_status status;
	const char *summary;     /* UTF-8, any characters */
	const char *description; /* NULL or "": none */
	const char *location;    /* NULL or "": none */
	const char *zone;        /* IANA zone of DTSTART/DTEND/EXDATE/RECURRENCE-ID */
	int64_t start, end;      /* UTC seconds; shown as local time in zone */
	const char *rrule;      /* NULL: not recurring; else e.g. "FREQ=WEEKLY;BYDAY=TU;COUNT=52" */
	const int64_t *exdates; /* original starts (UTC) of occurrences that do not happen */
	size_t nexdates;
	int64_t recurrence_id; /* 0: none; else the original start (UTC) this event replaces */
};

struct ics_calendar;

/* What a calendar is for (RFC 5546, iTIP): a feed publishes (PUBLISH, the default); an
 * email invitation asks the attendee's calendar to add or update its events (REQUEST) or
 * to remove them (CANCEL, whose events are STATUS:CANCELLED). */
enum ics_method { ICS_PUBLISH, ICS_REQUEST, ICS_CANCEL };

/* A person on an invitation: ORGANIZER or ATTENDEE, as mailto: with a CN. */
struct ics_party {
	const char *email;
	const char *name; /* NULL or "": no CN */
};

/* name: the calendar's name (X-WR-CALNAME and NAME); description may be NULL;
 * refresh_minutes: how often apps should poll (REFRESH-INTERVAL, X-PUBLISHED-TTL). */
struct ics_calendar *ics_calendar_new(const char *name, const char *description,
                                      unsigned refresh_minutes);
/* Makes c an invitation (method REQUEST or CANCEL) from organizer to attendee: METHOD is
 * the method rather than PUBLISH, the calendar has no name or refresh advice, and every
 * event added after carries ORGANIZER and ATTENDEE. A feed never calls it, so feeds stay
 * byte for byte what they were. */
void ics_calendar_invite(struct ics_calendar *c, enum ics_method method,
                         const struct ics_party *organizer, const struct ics_party *attendee);
/* A memo of rendered events: each VEVENT's final text (folded, CRLF) under a SHA-256 of
 * everything that determines it (every field of struct ics_event that is written, and the
 * calendar's method, organizer and attendee when it is an invitation), so that a calendar
 * built again after one change renders only the events that changed and copies the rest.
 * The bytes are the same with or without a memo.
 *
 * It is bounded by entries and by bytes (texts and entries together); past either, the
 * least recently used events go. One owner, not locked: a thread that builds calendars
 * keeps its own. */
struct ics_memo;

struct ics_memo_stats {
	uint64_t hits, misses; /* events copied from the memo, events rendered for it */
	uint64_t evictions;    /* entries dropped to stay inside the bounds */
	size_t entries, bytes; /* held now */
};

/* max_entries and max_bytes must be positive. */
struct ics_memo *ics_memo_new(size_t max_entries, size_t max_bytes);
void ics_memo_free(struct ics_memo *m);
struct ics_memo_stats ics_memo_stats(const struct ics_memo *m);

/* Events added to c after this are looked up in memo (NULL: each rendered anew, as
 * without a call); memo must outlive c's ics_calendar_add calls. */
void ics_calendar_memo(struct ics_calendar *c, struct ics_memo *memo);

/* Copies what it needs of ev. Events appear in the order added. */
void ics_calendar_add(struct ics_calendar *c, const struct ics_event *ev);
/* The finished text (malloc'd, NUL-terminated, *len bytes without the NUL); frees c. */
char *ics_calendar_finish(struct ics_calendar *c, size_t *len);
/* Drops c unfinished. */
void ics_calendar_free(struct ics_calendar *c);

/* The UID of a record in feeds and invitations alike: "<prefix><what>-<id>@<instance as
 * 16 hex digits>.halls" (prefix "" or "busy-", what "booking" or "series"), with the data
 * directory's instance id (txn_instance), so that two installations never share a UID.
 * Malloc'd. */
char *ics_uid(const char *prefix, const char *what, uint64_t id, uint64_t instance);

/* The pieces, for tests and import: TEXT escaping (RFC 5545 3.3.11) of s, malloc'd. */
char *ics_text_escape(const char *s);
/* Folds CRLF-separated lines at 75 octets (RFC 5545 3.1) without splitting a UTF-8
 * sequence or a backslash escape; malloc'd. */
char *ics_fold(const char *text, size_t len, size_t *out_len);

#endif
