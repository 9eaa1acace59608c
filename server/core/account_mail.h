/* The messages about a person's account, composed with mail.h and queued with outbox_put
 * in the caller's transaction, so that each goes out only when the change it tells of
 * commits. They are sent whatever the user's notification choices (user.h): a link the
 * user needs, or word that their password changed, cannot be turned off.
 *
 *   invitation        who invited them, to what (their groups or venues), the link to
 *                     set a password, and when it stops working
 *   password-reset    the link, valid for one hour; "if you did not ask, ignore this"
 *   password-changed  after any change of an existing password, with what to do if it
 *                     was not them
 *
 * Times are when.h's, in the zone of the user's first venue (else the site's first).
 * Links are {site url}/set-password#token=SECRET: a fragment never reaches a server, its
 * logs or a Referer. The secret in a link is the only secret any message carries. */
#ifndef HALLS_ACCOUNT_MAIL_H
#define HALLS_ACCOUNT_MAIL_H

#include "actor.h"
#include "db.h"
#include "user.h"

/* Who changed a password, for the words of password-changed. */
enum password_changer {
	CHANGED_BY_USER,  /* the user, signed in */
	CHANGED_BY_LINK,  /* with a reset link from a message */
	CHANGED_BY_ADMIN, /* an administrator, or the console */
};

/* The invitation to u (already stored), made by inviter, with the link's secret. The id
 * of the message queued goes to *msg_id (may be NULL). */
enum herr account_mail_invitation(struct txn *t, const struct actor *inviter, const struct user *u,
                                  const char *secret, int64_t expires_at, int64_t now,
                                  uint64_t *msg_id);
/* The reset link to u. queue false: the same message is made, and thrown away (a reset
 * asked for an email with no account does the same work, and sends nothing). */
enum herr account_mail_reset(struct txn *t, const struct user *u, const char *secret,
                             int64_t expires_at, int64_t now, bool queue, uint64_t *msg_id);
/* The notice to u that their password changed. */
enum herr account_mail_password_changed(struct txn *t, const struct user *u,
                                        enum password_changer by, int64_t now);
#endif
