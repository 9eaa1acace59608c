/* Who may see what: the reading side of the permissions, beside policy.c.
 *
 * policy.c refuses what an actor may not do. This module says how much a reader may see
 * of bookings, series, the audit log and groups, and mostly does not refuse: a listing
 * leaves out, or shows less of, what its reader may not see, and a record the reader may
 * not see at all is "not found", never "forbidden", which would tell that it exists.
 * It is a module of its own rather than more of policy.c because its questions are asked
 * once per record shown (a page of a hundred bookings), so the reader is loaded once as
 * a struct viewer rather than once per check; and because it knows the records it shows,
 * which policy.c, below all of them, does not. The rules about the reader's user (who is
 * an admin, who manages a venue, who acts for a group) are policy.c's, so each is still
 * written once. */
#ifndef HALLS_VIEW_H
#define HALLS_VIEW_H

#include "actor.h"
#include "booking.h"
#include "db.h"
#include "place.h"
#include "series.h"
#include "user.h"

#include <jansson.h>

/* The reader: anonymous (a resident, a calendar app), the console, or a user. */
struct viewer {
	bool known;   /* the console or a user who exists; false: anonymous */
	bool console; /* user 0 sees everything */
	struct user u;
};
/* a NULL: anonymous. A user who has gone reads as anonymous. */
void viewer_load(struct txn *t, const struct actor *a, struct viewer *v);
void viewer_free(struct viewer *v);
bool viewer_admin(const struct viewer *v);
/* Admins too (policy_user_manages). */
bool viewer_manages(const struct viewer *v, uint64_t venue_id);
bool viewer_member_of(const struct viewer *v, uint64_t group_id);

/* How much of a booking a reader sees. Admins and the managers of its venue see every
 * booking there, and the members of its group every booking of the group, in full.
 * Anyone else sees approved bookings only: a public one without the decision's note
 * (VIEW_PUBLIC), a private one as a busy slot without id, group, title or description
 * (VIEW_BUSY); nothing of a pending, declined or cancelled one (VIEW_NONE). */
enum view { VIEW_NONE, VIEW_BUSY, VIEW_PUBLIC, VIEW_FULL };
enum view view_booking(const struct viewer *v, const struct booking *b, uint64_t venue_id);
/* Booking b as v sees it, "start" and "end" in its venue's offset, NULL when not at
 * all; with the names a reader wants beside the ids ("room_name", "venue_id",
 * "venue_name" and, unless a busy slot, "group_name"; null for a record that has gone),
 * read through ps, which caches rooms, venues and groups for the transaction t. The
 * stored record (booking_to_json) never carries them: a name may change. */
json_t *view_booking_json(struct txn *t, const struct viewer *v, struct places *ps,
                          const struct booking *b);
/* Booking b as v sees it in a listing by filter f: as view_booking_json, but a listing
 * by group shows no busy slots, since a slot listed under a group would tell whose it
 * is. */
json_t *view_booking_listed(struct txn *t, const struct viewer *v, struct places *ps,
                            const struct booking *b, const struct booking_filter *f);
/* Booking id as v sees it; H_ENOTFOUND ("there is no booking 4"), refused on t, when v
 * may not see it at all. *zone (may be NULL) receives its venue's zone, malloc'd. */
enum herr view_booking_get(struct txn *t, const struct viewer *v, uint64_t id, json_t **out,
                           char **zone);
/* Keeps in ids, in order, the bookings v may be told of by id (a conflict, a pending
 * request an approval left conflicting): those it sees at least as VIEW_PUBLIC, since a
 * busy slot has no id. The new count. */
size_t view_booking_ids(struct txn *t, const struct viewer *v, uint64_t *ids, size_t n);

/* A series is seen by its group, the managers of its venue and admins, and, when
 * public, by anyone; a private series by no one else. It is the rule of its dates once
 * approved, so a reader who may see a series may see its approved dates as themselves. */
bool view_series(const struct viewer *v, const struct series *s, uint64_t venue_id);
/* Series id into *out (series_free it whatever the answer) when v may see it; else
 * H_ENOTFOUND ("there is no series 4"), whether it is missing or hidden. ps caches its
 * room, whose place *p (may be NULL) receives. */
enum herr view_series_get(struct txn *t, const struct viewer *v, struct places *ps, uint64_t id,
                          struct series *out, const struct place **p);

/* The venue an audit entry is about: a venue's own, a room's, a closure's, and through
 * its room a booking's, a series' or a room closure's (ps caches the rooms); 0 when it
 * cannot be told (users, groups, tokens, a removed room). */
uint64_t view_audit_venue(struct txn *t, struct places *ps, const json_t *entry);
/* Whether v may read the audit log, of venue_id (0: of every venue v may see). It is for
 * managers and admins: anonymous readers are refused on t with H_EAUTH, members with
 * H_EFORBIDDEN, and a manager asking for another venue with H_EFORBIDDEN. */
enum herr view_audit_log(struct txn *t, const struct viewer *v, uint64_t venue_id);
/* Whether v may read an entry about venue_id (view_audit_venue): admins every entry,
 * managers those about their venues; an entry about no venue is for admins only. */
bool view_audit_entry(const struct viewer *v, uint64_t venue_id);
/* The entries v may read, oldest first, of booking_id and about venue_id (each 0: any),
 * one page (walk.h; w NULL: all of them); fn returning false stops. Refused as
 * view_audit_log refuses; a booking filter naming no booking is H_ENOTFOUND. A venue
 * filter may name a removed venue, whose history stays readable. */
enum herr view_audit_each_page(struct txn *t, const struct viewer *v, uint64_t booking_id,
                               uint64_t venue_id, struct walk *w,
                               bool (*fn)(const json_t *e, void *arg), void *arg);

/* Whether v may see how much of an allowance of group_id at venue_id (0: across the
 * borough) is used: the group's members, the venue's managers and admins. The allowance
 * itself is a published rule, for anyone. */
bool view_allowance_use(const struct viewer *v, uint64_t group_id, uint64_t venue_id);
/* Whether v may read usage reports (report.h), of venue_id (0: of every venue v
 * manages). Their figures per group tell of private bookings, so they are for managers
 * and admins alone: anonymous readers are refused on t with H_EAUTH, members with
 * H_EFORBIDDEN, and a manager asking for another venue with H_EFORBIDDEN. */
enum herr view_usage_report(struct txn *t, const struct viewer *v, uint64_t venue_id);

/* A group's record (group_to_json) as v may see it: its contact is for people who have
 * signed in, not for residents browsing anonymously. */
void view_group(const struct viewer *v, json_t *group);

#endif
