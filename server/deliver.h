/* The delivery thread: sends the outbox (server/core/outbox.h) to the SMTP relay that
 * `hallsd --smtp URL` names, with libcurl, and records what the relay answered. It never
 * runs on the event loop, and the loop's only part in it is deliver_nudge after a commit.
 *
 * One message at a time: the message due soonest is read in a read transaction, its
 * stored bytes are sent unchanged (envelope: MAIL FROM the site's from address, RCPT TO
 * the message's recipient), and the answer is written with db_write_aside: sent, or
 * failed (for good when the relay refused the recipient or the message with a 5xx
 * answer; else tried again after outbox_backoff). A crash after the relay accepted a
 * message and before it was recorded sends it again on the next start, with the same
 * Message-ID: the one window of at-least-once delivery.
 *
 * Among several hallsd processes on one data directory, one sends at a time: the one
 * holding the lock on DATA/deliver.lock (flock, released when the process ends).
 *
 * At start and about once a minute, with or without a relay, the thread also runs
 * notify_sweep (reminders and managers' digests) in a db_write_aside. */
#ifndef HALLS_DELIVER_H
#define HALLS_DELIVER_H

#include "halls.h"

#include <stdbool.h>
#include <stdint.h>

enum deliver_tls {
	DELIVER_TLS_NONE,     /* smtp:// never asks for STARTTLS (a relay on this host) */
	DELIVER_TLS_TRY,      /* smtp:// uses STARTTLS when the relay offers it (default) */
	DELIVER_TLS_REQUIRED, /* smtp:// sends nothing unless STARTTLS succeeds */
};

struct deliver_config {
	const char *smtp_url;  /* smtp://host[:port][/ehlo-name] or smtps://; NULL: none */
	enum deliver_tls tls;  /* smtps:// is TLS from the start whatever this says */
	const char *auth_file; /* "USER:PASSWORD" on its first line; NULL: no AUTH */
	const char *ca_file;   /* PEM certificates to verify the relay with; NULL: the system's */
	long timeout_s;        /* a whole SMTP exchange; connecting takes at most 10 of it */
	int64_t fixed_now;     /* HALLS_NOW: the clock the outbox sees (0: the real one) */
};

struct deliver;

/* Checks cfg (the URL, the credentials file) and starts the thread, which also works
 * through the outbox waiting at start. NULL, having said why on stderr, when cfg is
 * unusable. The strings of cfg must outlive the thread. */
struct deliver *deliver_start(struct db *db, const struct deliver_config *cfg);
/* A commit may have queued messages: look now rather than at the next poll. Cheap, for
 * the loop (a mutex and a signal); d may be NULL. */
void deliver_nudge(struct deliver *d);
/* What became of the tries so far (for /metrics; any thread): the relay took the
 * message, it failed and waits to be tried again, or it was refused for good. Zeros
 * when d is NULL. */
struct deliver_counts {
	uint64_t sent, failed, refused;
};
void deliver_counts(struct deliver *d, struct deliver_counts *out);
/* Stops and joins the thread: a send in progress is finished, or abandoned a few
 * seconds after being asked (then sent again on the next start). d may be NULL. */
void deliver_stop(struct deliver *d);

/* The site's mail settings (outbox_site) from --public-url, --smtp-from and
 * --smtp-from-name (NULL: keep what the store holds), written when they differ, so that
 * `halls` writes the same messages. 0, or -1 having said why on stderr. */
int deliver_site_update(struct db *db, const char *url, const char *from, const char *from_name);

#endif
