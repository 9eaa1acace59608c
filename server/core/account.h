/* Accounts: creating, changing and removing users, by an actor the policy allows (today
 * administrators), with the audit entry and the tokens that must end. */
#ifndef HALLS_ACCOUNT_H
#define HALLS_ACCOUNT_H

#include "user.h"

/* Admins only; the email must be free; venues and groups must exist. */
enum herr account_create(struct txn *t, const struct actor *a, struct user *u, int64_t now);
/* A new password or role ends the user's bearer tokens (token_end_user). */
enum herr account_update(struct txn *t, const struct actor *a, const struct user *u, int64_t now);
/* Ends every token of the user at once (each names a user that is gone). */
enum herr account_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);

#endif
