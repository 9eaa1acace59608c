/* Accounts: creating, changing, removing and reading users, by an actor the policy
 * allows (administrators; a user may read and change their own), with the audit entry,
 * the tokens and links that must end and the messages that must go (account_mail.h);
 * the rule every new password meets; password resets and the links of invitations and
 * resets (link.h) as people use them. Invitations are invite.h's. */
#ifndef HALLS_ACCOUNT_H
#define HALLS_ACCOUNT_H

#include "user.h"

struct walk;

/* The longest password: what a sign-in takes (h_session.c), so that no password can be
 * set that could never be used to sign in. */
#define PASSWORD_MAX_BYTES 1024
/* The shortest new password, in characters (code points, not bytes, so that a password in
 * any script counts alike). Long passphrases are welcome, up to PASSWORD_MAX_BYTES. */
#define PASSWORD_MIN_CHARS 12

/* The rule a new password meets, whichever front end sets it (after NIST SP 800-63B):
 * valid UTF-8 with no NUL, at least PASSWORD_MIN_CHARS characters and at most
 * PASSWORD_MAX_BYTES bytes; not containing the account's email (email: normalised, or
 * NULL when not known), nor its local part when that has 4 characters or more, ASCII
 * case ignored; and not on the list of common passwords (common-passwords.inc). No rule
 * about kinds of character. len: the password's length as given, which a NUL inside
 * would make longer than strlen. H_EINVAL in words that never quote it. Asked before
 * the slow hash; the core stores only the hash (auth.h). Existing passwords are not
 * judged again: a sign-in takes any password that matches its hash. */
enum herr account_password_check(const char *password, size_t len, const char *email,
                                 struct herror *err);
/* Whether the password is on the list of common passwords (ASCII case ignored). */
bool account_password_common(const char *password, size_t len);
/* The number of entries of that list, and entry i (for tests). */
size_t account_common_count(void);
const char *account_common_entry(size_t i);

/* Whether a may create, change or remove users at all: asked before slow work done for
 * a write (hashing its password), which then asks again in its own transaction. */
enum herr account_may_write(struct txn *t, const struct actor *a);
/* User id as a (policy_read_user: the user, or an admin) may read it: *out is the record
 * without the password hash (user_to_json). Another user's is refused before it is
 * looked up, so a refusal does not tell whether the id exists. */
enum herr account_show(struct txn *t, const struct actor *a, uint64_t id, json_t **out);
/* One page (walk.h) of every user, in id order, each as account_show gives it, for
 * admins only; fn returning false stops. */
enum herr account_each_page(struct txn *t, const struct actor *a, struct walk *w,
                            bool (*fn)(const json_t *o, void *arg), void *arg);

/* Admins only; the email must be free; venues and groups must exist. */
enum herr account_create(struct txn *t, const struct actor *a, struct user *u, int64_t now);
/* A new password or role ends the user's bearer tokens (token_end_user). */
enum herr account_update(struct txn *t, const struct actor *a, const struct user *u, int64_t now);
/* Ends every token and link of the user at once (each names a user that is gone). */
enum herr account_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);

/* Stores an invited user u (u->id 0: a new user; else the record of a user without a
 * password that u replaces), after the checks account_create makes, with an audit
 * entry "invite". It does not ask who may: invite.c, the only caller, has asked
 * policy_invite. */
enum herr account_save_invited(struct txn *t, const struct actor *a, struct user *u, int64_t now);

/* The caller's own account (PATCH /api/v1/users/me): fields "name" and "notifications"
 * only; *out the record as account_show gives it. */
enum herr account_update_self(struct txn *t, const struct actor *a, const json_t *fields,
                              int64_t now, json_t **out);
/* The caller changes their own password to new_hash, after the front end checked the
 * current password against old_hash (refused if the stored hash is no longer old_hash:
 * changed meanwhile). Every other session and API token of the user ends; keep_token (the
 * session that asked) goes on. Every link of the user ends, and a password-changed
 * message is queued. */
enum herr account_password_change(struct txn *t, const struct actor *a, const char *old_hash,
                                  const char *new_hash, uint64_t keep_token, int64_t now);

/* Asks for a reset link for email (POST /api/v1/password-resets, which anyone may ask):
 * when it is an account's, a reset link (link.h) and a password-reset message to it;
 * otherwise the same work (a secret made, a message composed) and nothing kept. H_OK
 * either way, so the answer never tells whether the email has an account. */
enum herr account_reset_ask(struct txn *t, const char *email, int64_t now);
/* The same for an administrator or the console (`halls user reset EMAIL`), which is
 * told when there is no such user. *msg_id (may be NULL): the message queued;
 * *expires_at (may be NULL): when the link stops working. */
enum herr account_reset_for(struct txn *t, const struct actor *a, const char *email, int64_t now,
                            uint64_t *msg_id, int64_t *expires_at);
/* What a link is (POST /api/v1/account-links/check): {"purpose": "invitation" |
 * "reset", "email", "name", "expires_at"}, or H_EGONE, one answer whatever the reason. */
enum herr account_link_check(struct txn *t, const char *secret, int64_t now, json_t **out);
/* Uses a link: sets the user's password to hash (made from a password that met
 * account_password_check with the email account_link_check gave), consumes the link,
 * ends every session, API token and link of the user; an invited account becomes one
 * that signs in. A password-changed message follows when the user had a password. */
enum herr account_link_use(struct txn *t, const char *secret, const char *hash, int64_t now);

#endif
