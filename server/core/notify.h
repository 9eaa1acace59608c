/* Messages about bookings: who is told of each change, in what words, written to the
 * outbox (outbox.h) in the change's own transaction.
 *
 * The core writes them, not a front end, so that `halls` and hallsd tell people the same
 * things, and so that a message exists exactly when its change committed: a refused
 * change rolls back its messages with it. Each message is composed whole (mail.h) when it
 * is queued, with its Message-ID, so a resend after a crash is the same bytes.
 *
 * Who hears of what:
 * - a group's members (users with role member whose groups include it) hear of their
 *   group's bookings: the receipt of a request (the one message a person gets about
 *   their own action), decisions, cancellations, moves, closures over them, reminders;
 * - a venue's managers (role manager whose venues include it) hear of requests to
 *   decide, cancellations and moves there, and a daily digest of requests still waiting;
 * - nobody else is told of their own action, and each person gets their own message (own
 *   To:, own footer saying why it came, own calendar attendee), unless user_wants says
 *   they chose not to get that kind.
 * - the dates of a series requested or decided as a whole are told of in one message for
 *   the series, never one per date.
 *
 * Confirmations to a group's members carry the booking as an iCalendar invitation
 * (METHOD:REQUEST; METHOD:CANCEL when a booking that was approved goes), with the same
 * UID and SEQUENCE as the feeds, and the venue's email (else the site's From) as
 * ORGANIZER.
 *
 * The hooks below return t->ret; they only ever add to the outbox. */
#ifndef HALLS_NOTIFY_H
#define HALLS_NOTIFY_H

#include "actor.h"
#include "booking.h"
#include "closure.h"
#include "db.h"
#include "series_record.h"

#include <stdint.h>

struct series_outcome;

/* A new request b by a (booking_request), pending or approved at once. */
enum herr notify_booking_requested(struct txn *t, const struct actor *a, const struct booking *b,
                                   int64_t now);
/* b was approved, declined or cancelled by a (b->status says which, b->note is a's
 * note). */
enum herr notify_booking_decided(struct txn *t, const struct actor *a, const struct booking *b,
                                 int64_t now);
/* b was moved by a from old's times to its own (booking_update). */
enum herr notify_booking_moved(struct txn *t, const struct actor *a, const struct booking *old,
                               const struct booking *b, int64_t now);
/* A new series s by a (series_create): one message for all its dates, read from the
 * store; out lists the dates that could not be booked. */
enum herr notify_series_requested(struct txn *t, const struct actor *a, const struct series *s,
                                  const struct series_outcome *out, int64_t now);
/* A decision by a on a whole series (series_decide): the dates it changed to status `to`
 * (out->decided), in one message; note is a's; out lists the dates that could not take it. */
enum herr notify_series_decided(struct txn *t, const struct actor *a, const struct series *s,
                                enum booking_status to, const char *note,
                                const struct series_outcome *out, int64_t now);
/* Closure c was made (old NULL) or changed from old by a: each group with pending or
 * approved bookings that c covers, and old did not, hears of them in one message. */
enum herr notify_closure(struct txn *t, const struct actor *a, const struct closure *c,
                         const struct closure *old, int64_t now);

/* Queues what is due by now and not made yet (each once, by outbox_once): a reminder to
 * each member of a booking's group at their lead time (user_reminder_lead) before each
 * approved booking that has not started, and from 08:00 in their venue's zone a daily
 * digest to each manager of the requests at their venues that have waited more than two
 * days (none when nothing waits). hallsd's delivery thread runs it about once a minute. */
enum herr notify_sweep(struct txn *t, int64_t now);

#endif
