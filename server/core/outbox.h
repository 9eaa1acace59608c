/* The outbox: every message halls must send, written in the same transaction as the
 * change it tells of, so that a message is never lost and never sent for a change that
 * did not commit. A delivery thread in hallsd (server/deliver.c) takes the next message
 * due, hands it to the SMTP relay, and records the relay's answer; `halls outbox` lists,
 * retries and drops them.
 *
 * A message is stored whole, as the RFC 5322 bytes the relay receives (mail.h), with its
 * Message-ID fixed when it is queued: a crash between the relay's acceptance and the
 * record of it resends the same bytes, which mail clients show once.
 *
 * DBI_OUTBOX holds five key spaces (schemas/db.md):
 *   'I' | id (u64)               -> record (version byte + JSON: all but the bytes)
 *   'R' | id (u64)               -> the message's bytes, written once
 *   'Q' | due (i64) | id (u64)   -> ""     messages waiting to be sent, soonest first
 *   'K' | once key (bytes)       -> id     a message that must be made at most once (a
 *                                           reminder, a day's digest): outbox_once
 *   'S'                          -> JSON   the site's mail settings (outbox_site_*)
 */
#ifndef HALLS_OUTBOX_H
#define HALLS_OUTBOX_H

#include "db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum outbox_state {
	OUTBOX_WAITING, /* queued, or failed and waiting to be tried again */
	OUTBOX_SENT,    /* the relay accepted it */
	OUTBOX_FAILED,  /* given up: the relay refused it for good, or too many attempts */
};

/* The longest subject, in bytes, before it is encoded. */
#define OUTBOX_SUBJECT_MAX 200
/* Attempts before a message that keeps failing is given up (about two days: backoff). */
#define OUTBOX_MAX_ATTEMPTS 12

struct outbox_msg {
	uint64_t id;
	char *kind;       /* what it tells of: "booking-approved", "password-reset", ... */
	uint64_t user_id; /* the recipient's user id, 0 when the address is not a user's */
	char *to;         /* the recipient's address (envelope and To:) */
	char *subject;    /* as written, before encoding: for listings */
	char *message_id; /* "<...@host>", fixed at queueing */
	char *raw;        /* the whole message, CRLF line ends */
	enum outbox_state state;
	int64_t created_at;
	int64_t due_at;    /* waiting: when it may next be tried */
	int64_t sent_at;   /* sent: when the relay accepted it */
	uint32_t attempts; /* tries that failed */
	char *last_error;  /* the relay's (or the connection's) last words, or NULL */
	uint64_t about_id; /* the booking, series or closure it tells of, 0 for none */
};

void outbox_msg_init(struct outbox_msg *m);
void outbox_msg_free(struct outbox_msg *m);
const char *outbox_state_name(enum outbox_state s);
int outbox_state_parse(const char *s, enum outbox_state *out);
/* The message as `halls outbox list --json` shows it: everything but raw. */
json_t *outbox_msg_to_json(const struct outbox_msg *m);

/* The site's mail settings: where links in messages point and who they come from.
 * Kept in the store so that `halls` (which has no --smtp) writes the same messages as
 * hallsd; hallsd sets them from --public-url and --smtp-from when it starts. */
struct outbox_site {
	char *url;       /* "https://halls.example.org", no trailing slash */
	char *from;      /* the From: address */
	char *from_name; /* the From: display name ("Hartley Borough rooms") */
};
void outbox_site_init(struct outbox_site *s);
void outbox_site_free(struct outbox_site *s);
/* Defaults when never set: url "http://localhost:8080", from "halls@localhost",
 * from_name "halls". */
enum herr outbox_site_get(struct txn *t, struct outbox_site *out);
void outbox_site_put(struct txn *t, const struct outbox_site *s);
/* Whether s can be used: url http:// or https:// and a host, with no trailing slash,
 * space or quote; from an address (name@example.org) that an SMTP envelope can carry;
 * from_name one line of text, at most OUTBOX_FROM_NAME_MAX bytes. */
#define OUTBOX_FROM_NAME_MAX 100
enum herr outbox_site_check(const struct outbox_site *s, struct herror *err);
/* Whether an address can go in an SMTP envelope as it is (<addr>): an address as users
 * have them, and nothing a command line could be made of (<, >, quotes, spaces). */
bool outbox_address_ok(const char *addr);

/* Queues m (id from outbox_new_id; kind, user_id, to, subject, message_id, raw and
 * about_id set by the caller, raw made by mail_compose): sets created_at and due_at to
 * now and the state WAITING. Without a relay (hallsd without --smtp)
 * messages wait in the outbox, readable with `halls outbox list`. */
void outbox_put(struct txn *t, struct outbox_msg *m, int64_t now);
/* A new message's id, and the Message-ID that goes with it: a message's bytes name its
 * Message-ID, so both are chosen before the bytes are made. */
uint64_t outbox_new_id(struct txn *t);
/* "<halls.<instance>.<id>@<host of the site url>>" (caller frees). */
char *outbox_message_id(struct txn *t, uint64_t id, const char *site_url);
/* True the first time it is asked for key in this data directory (and records it with
 * id); false after: the one guard against a reminder or a digest made twice. */
bool outbox_once(struct txn *t, const char *key, uint64_t id);
/* Whether outbox_once has been asked for key already, asking nothing: a sweep that
 * finds a reminder made needs no message id to learn it. */
bool outbox_once_done(struct txn *t, const char *key);

enum herr outbox_get(struct txn *t, uint64_t id, struct outbox_msg *out);
/* The waiting message due soonest, when it is due by now: 1 with *out, 0 when none is
 * due (then *next_due, when not NULL, is when the next one will be, or 0). */
int outbox_next_due(struct txn *t, int64_t now, struct outbox_msg *out, int64_t *next_due);
/* How many messages wait to be sent (due or not): a walk of the queue, which holds only
 * those. */
uint64_t outbox_waiting_count(struct txn *t);
/* The relay accepted message id. */
enum herr outbox_mark_sent(struct txn *t, uint64_t id, int64_t now);
/* A try failed with error: permanent (the relay refused the message or its recipient
 * for good) fails it now; otherwise it waits outbox_backoff(attempts) and is tried
 * again, until OUTBOX_MAX_ATTEMPTS. */
enum herr outbox_mark_failed(struct txn *t, uint64_t id, const char *error, bool permanent,
                             int64_t now);
/* Seconds to wait after the n-th failed try: 1, 2, 4 ... minutes, at most 6 hours. */
int64_t outbox_backoff(uint32_t attempts);
/* A failed message waits again, due now, with its attempts reset; a waiting one is
 * made due now. A sent one is refused: it was delivered. */
enum herr outbox_retry(struct txn *t, uint64_t id, int64_t now);
/* Removes a message that is not sent (never deletes the record of what was sent). */
enum herr outbox_drop(struct txn *t, uint64_t id);
/* Every message in id order (newest last); state < 0 for all. fn returning false stops. */
enum herr outbox_each(struct txn *t, int state, bool (*fn)(const struct outbox_msg *m, void *arg),
                      void *arg);

#endif
