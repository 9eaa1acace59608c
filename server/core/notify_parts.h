/* What the notify*.c files share (notify.h is what the rest of the core calls): the
 * people a message may go to, one message to one person, and the words every booking
 * message uses. */
#ifndef HALLS_NOTIFY_PARTS_H
#define HALLS_NOTIFY_PARTS_H

#include "booking.h"
#include "db.h"
#include "ics.h"
#include "mail.h"
#include "outbox.h"
#include "place.h"
#include "series_record.h"
#include "user.h"
#include "when.h"

#include <stdbool.h>
#include <stdint.h>

/* The users who want one kind of message and could be told it: members and managers,
 * each loaded whole so that policy.c's rules and user.c's choices are asked of them. */
struct people {
	struct user *v;
	size_t n;
};
/* Every member of group_id and manager of venue_id who wants notice n, in user id order,
 * each once; with both 0, every member of any group and manager of any venue who does
 * (the daily sweeps, closures). One group or venue reads only its users, found through
 * idx:user-role (user_ids_of); both 0 walks every user. */
enum herr people_load(struct txn *t, enum notice n, uint64_t group_id, uint64_t venue_id,
                      struct people *out);
void people_free(struct people *p);
/* As people tell of a change: a member of group_id, or a manager of venue_id (0: none). */
bool person_member_of(const struct user *u, uint64_t group_id);
bool person_manages(const struct user *u, uint64_t venue_id);

/* What one change's messages share, loaded once. */
struct notify_ctx {
	struct txn *t;
	int64_t now;
	struct outbox_site site;
	char *actor_name; /* who acted, as the words say it; NULL: the console */
	uint64_t actor_id;
};
enum herr notify_ctx_init(struct notify_ctx *c, struct txn *t, const struct actor *a, int64_t now);
void notify_ctx_free(struct notify_ctx *c);
/* "{site url}{path}" (malloc'd). */
char *notify_url(const struct notify_ctx *c, const char *path);

/* One message to one person. The caller writes the words into body; notify_send adds the
 * footer (why it came, and where to choose otherwise), composes it and queues it. */
struct notify_msg {
	uint64_t id;         /* the outbox id, when chosen before (outbox_once); 0: a new one */
	const char *kind;    /* outbox_msg.kind: "booking-approved", ... */
	uint64_t about_id;   /* the booking, series or closure */
	const char *subject; /* cut to OUTBOX_SUBJECT_MAX on a character boundary */
	struct mail_body body;
	const char *why;      /* the footer's words */
	const char *calendar; /* iCalendar text of an invitation, or NULL */
	enum ics_method method;
};
void notify_send(struct notify_ctx *c, const struct user *to, struct notify_msg *m);

/* Words. */
/* "Main Hall, Hartley Road Community Centre, 14 Hartley Road" (malloc'd): where. */
char *notify_where(const struct place *p);
/* The facts of a booking: what, when, where, the group. */
void notify_booking_facts(struct mail_body *body, const struct booking *b, const struct place *p,
                          const char *group);
/* The name of group_id, or "group N" (malloc'd). */
char *notify_group_name(struct txn *t, uint64_t group_id);
/* A list in a message (a closure's bookings, a digest's requests, a series' dates)
 * shows at most this many lines, then how many more: the page it links to has them all. */
#define NOTIFY_LIST_MAX 60
/* Whether lines may take item i of n; when not, lines end with how many more there are
 * (once, at i == NOTIFY_LIST_MAX). */
bool notify_list_room(struct mail_buf *lines, size_t i, size_t n);
/* Footers. */
char *notify_why_member(const char *group);
char *notify_why_manager(const struct place *p);

/* A series' dates, each its booking, in rule order. */
struct notify_dates {
	struct booking *v;
	size_t n;
};
enum herr notify_dates_load(struct txn *t, uint64_t series_id, struct notify_dates *out);
void notify_dates_free(struct notify_dates *d);

/* Invitations (notify_invite.c): the iCalendar text of b as method, to person `to`
 * (malloc'd); an occurrence of a series is the series' event for its date, as in the
 * feeds. */
char *notify_invite_booking(struct notify_ctx *c, const struct booking *b, const struct place *p,
                            const struct user *to, enum ics_method method);
/* The series as it now stands: its approved dates (a master with its RRULE, EXDATEs for
 * the rest, an override for each date that differs), as REQUEST; or, with none left,
 * CANCEL. *method receives which. NULL when it was never in anyone's calendar. */
char *notify_invite_series(struct notify_ctx *c, const struct series *s, const struct place *p,
                           const struct user *to, enum ics_method *method);

#endif
