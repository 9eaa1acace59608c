/* Accounts: creating, changing, removing and reading users, by an actor the policy
 * allows (today administrators; a user may read their own record), with the audit entry
 * and the tokens that must end, and the rule every new password meets. */
#ifndef HALLS_ACCOUNT_H
#define HALLS_ACCOUNT_H

#include "user.h"

struct walk;

/* The longest password: what a sign-in takes (h_session.c), so that no password can be
 * set that could never be used to sign in. */
#define PASSWORD_MAX_BYTES 1024

/* The rule a new password meets, whichever front end sets it: 1 to PASSWORD_MAX_BYTES
 * bytes with no NUL byte (len: its length as given, which a NUL inside would make
 * longer than strlen). H_EINVAL in words that never quote it. Asked before the slow
 * hash; the core stores only the hash (auth.h). */
enum herr account_password_check(const char *password, size_t len, struct herror *err);
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
/* Ends every token of the user at once (each names a user that is gone). */
enum herr account_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);

#endif
