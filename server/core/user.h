/* People who sign in: admins, venue managers, and group members. */
#ifndef HALLS_USER_H
#define HALLS_USER_H

#include "actor.h"
#include "db.h"

#include <jansson.h>

enum role { ROLE_ADMIN, ROLE_MANAGER, ROLE_MEMBER };

struct user {
	uint64_t id;
	char *name;
	char *email; /* stored lower-case; unique */
	enum role role;
	uint64_t *venues; /* managers: the venues they manage (policy.h) */
	size_t nvenues;
	uint64_t *groups; /* members: the groups they act for (policy.h) */
	size_t ngroups;
	char *password_hash; /* auth.c format; NULL: cannot sign in with a password */
	int64_t created_at;
};

void user_init(struct user *u);
void user_free(struct user *u);
/* Fields: "name", "email", "role", "venues", "groups". Passwords are never set through
 * fields: the caller hashes one (auth.h, off any event loop) into password_hash. */
enum herr user_apply(struct user *u, const json_t *fields, struct herror *err);
/* with_secret adds the password hash (export only). */
json_t *user_to_json(const struct user *u, bool with_secret);
enum herr user_from_json(const json_t *o, struct user *u, struct herror *err);
const char *role_name(enum role r);
/* The one canonical form of an email address (trimmed, ASCII lower-cased; caller frees),
 * or NULL when s does not look like local@domain.tld. Sign-in, its throttling and the
 * email index all key on it. */
char *user_email_normalize(const char *s);
int role_parse(const char *s, enum role *out);

enum herr user_get(struct txn *t, uint64_t id, struct user *out);
enum herr user_find_email(struct txn *t, const char *email, struct user *out);
/* Admins only; the email must be free; venues and groups must exist. */
enum herr user_create(struct txn *t, const struct actor *a, struct user *u, int64_t now);
/* A new password or role ends the user's bearer tokens (token_end_user). */
enum herr user_update(struct txn *t, const struct actor *a, const struct user *u, int64_t now);
/* Replaces the user's password hash old_hash by new_hash, the same password at another
 * cost (after a sign-in proved it): not a change of password, so no token ends. Does
 * nothing when the hash is no longer old_hash, or the user is gone. */
enum herr user_password_upgrade(struct txn *t, uint64_t id, const char *old_hash,
                                const char *new_hash);
/* Ends every token of the user at once (each names a user that is gone). */
enum herr user_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
enum herr user_each(struct txn *t, bool (*fn)(const struct user *u, void *arg), void *arg);
/* The first user who manages venue_id or is a member of group_id (0 matches neither);
 * 0 when there is none. */
uint64_t user_first_referring(struct txn *t, uint64_t venue_id, uint64_t group_id);
void user_store(struct txn *t, const struct user *u, const struct user *old);

#endif
