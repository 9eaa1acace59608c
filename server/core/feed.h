/* iCalendar feeds: what each feed shows, as ics.c text.
 *
 * Public feeds (all, a venue, a room) show approved bookings; a booking's title only when
 * its group made it public, otherwise "Booked"; never contact details. The busy feed of a
 * room shows approved bookings as "Busy" and nothing else. A group's private feed shows its
 * own bookings in every state; a manager's shows everything at their venues, pending
 * requests as TENTATIVE. Bookings cancelled or declined in the last FEED_KEEP_CANCELLED
 * seconds stay as STATUS:CANCELLED, so that subscribed apps remove them. A one-off booking
 * shows until a month after it ended; a series, whole, until a month after its last date
 * in the feed's scope. A build reads only that window of the by-start indexes, and the
 * dates of the series it meets there.
 *
 * A booking is one VEVENT with UID booking-<id>@<host>; a series is one VEVENT with its
 * RRULE (UID series-<id>@<host>), an EXDATE for each date the feed does not show, and a
 * RECURRENCE-ID override for each date that differs from the rule (moved, renamed,
 * pending among approved ones). DTSTAMP and LAST-MODIFIED are the last change, so an
 * unchanged feed is byte-for-byte the same. */
#ifndef HALLS_FEED_H
#define HALLS_FEED_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

#define FEED_KEEP_CANCELLED  (30 * 86400)
#define FEED_REFRESH_MINUTES 60

enum feed_kind {
	FEED_ALL,     /* every venue's public bookings */
	FEED_VENUE,   /* id: venue */
	FEED_ROOM,    /* id: room */
	FEED_BUSY,    /* id: room; busy times only */
	FEED_GROUP,   /* id: group; its own bookings in every state */
	FEED_MANAGER, /* id: user; everything at the venues the user manages */
};

struct ics_memo;

/* The bounds of the memo of event texts that hallsd keeps for each thread that builds
 * feeds: a 1,000-event feed needs about 600 kB of it. */
#define FEED_MEMO_ENTRIES 16384
#define FEED_MEMO_BYTES   (8u << 20)

struct feed_scope {
	enum feed_kind kind;
	uint64_t id;
	int64_t now;           /* for how long cancelled bookings stay */
	struct ics_memo *memo; /* events rendered before (ics.h), owned by the caller; NULL:
	                        * every event rendered; it does not change the bytes */
};

struct feed {
	char *text; /* malloc'd iCalendar, CRLF lines */
	size_t len;
	int64_t last_modified; /* the latest change of anything in it (0: empty feed) */
};

/* Builds the feed of scope: H_ENOTFOUND when its venue, room, group or user is gone. */
enum herr feed_build(struct txn *t, const struct feed_scope *scope, struct feed *out);
void feed_free(struct feed *f);

#endif
