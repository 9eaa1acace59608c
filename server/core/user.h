/* People who sign in (admins, venue managers, group members): the user record, its
 * fields and its email index. Who may change a user is account.h's. */
#ifndef HALLS_USER_H
#define HALLS_USER_H

#include "actor.h"
#include "db.h"

#include <jansson.h>

#define EMAIL_MAX_BYTES 254
/* The email index keys are the address itself, so an address must fit in a key. */
#define EMAIL_KEY_MAX (EMAIL_MAX_BYTES < KEY_MAX ? EMAIL_MAX_BYTES : KEY_MAX)

enum role { ROLE_ADMIN, ROLE_MANAGER, ROLE_MEMBER };

/* The messages a user chooses to get (notify.h); account messages (an invitation, a
 * reset link) are always sent. Every kind is on until the user turns it off. */
enum notice {
	NOTICE_REQUESTS,  /* a request received: the group's receipt, a manager's to decide */
	NOTICE_DECISIONS, /* approved, declined, a series decided */
	NOTICE_CHANGES,   /* cancelled, moved */
	NOTICE_CLOSURES,  /* a closure over a booking */
	NOTICE_REMINDERS, /* before each approved booking */
	NOTICE_DIGEST,    /* managers: the daily list of requests still waiting */
	NOTICE_COUNT
};

#define REMINDER_HOURS_DEFAULT 24
#define REMINDER_HOURS_MAX     (14 * 24)

struct user_notices {
	bool off[NOTICE_COUNT];  /* false: wanted (the default) */
	uint32_t reminder_hours; /* lead time of reminders; 0 in a record means the default */
};

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
	struct user_notices notices;
};

void user_init(struct user *u);
void user_free(struct user *u);
/* Fields: "name", "email", "role", "venues", "groups", "notifications" (an object of
 * notice_name keys with booleans, and "reminder_hours", 1 to REMINDER_HOURS_MAX; keys
 * absent are left as they were). Passwords are never set through fields: the caller
 * hashes one (auth.h, off any event loop) into password_hash. */
enum herr user_apply(struct user *u, const json_t *fields, struct herror *err);
/* with_secret adds the password hash (export only). */
json_t *user_to_json(const struct user *u, bool with_secret);
enum herr user_from_json(const json_t *o, struct user *u, struct herror *err);
const char *role_name(enum role r);
/* "requests", "decisions", "changes", "closures", "reminders", "digest". */
const char *notice_name(enum notice n);
bool user_wants(const struct user *u, enum notice n);
/* Seconds before a booking that the user's reminder is due. */
int64_t user_reminder_lead(const struct user *u);
/* The one canonical form of an email address (trimmed, ASCII lower-cased; caller frees),
 * or NULL when s does not look like local@domain.tld. Sign-in, its throttling and the
 * email index all key on it. */
char *user_email_normalize(const char *s);
int role_parse(const char *s, enum role *out);

enum herr user_get(struct txn *t, uint64_t id, struct user *out);
enum herr user_find_email(struct txn *t, const char *email, struct user *out);
/* The id of the user whose email (already normalised) this is; 0 for none. */
uint64_t user_email_owner(struct txn *t, const char *email);
/* Replaces the user's password hash old_hash by new_hash, the same password at another
 * cost (after a sign-in proved it): not a change of password, so no token ends. Does
 * nothing when the hash is no longer old_hash, or the user is gone. */
enum herr user_password_upgrade(struct txn *t, uint64_t id, const char *old_hash,
                                const char *new_hash);
enum herr user_each(struct txn *t, bool (*fn)(const struct user *u, void *arg), void *arg);
/* The same, one page (walk.h: positions (0, id); w NULL: every user). Who may list users
 * is account.h's (account_each_page). */
struct walk;
enum herr user_each_page(struct txn *t, struct walk *w, bool (*fn)(const struct user *u, void *arg),
                         void *arg);
/* The first user whose record lists venue_id among its venues or group_id among its
 * groups, whatever its role (0 matches neither); 0 when there is none. */
uint64_t user_first_referring(struct txn *t, uint64_t venue_id, uint64_t group_id);

/* idx:user-role (key_user_role, schemas/db.md) has an entry for each id in a user's
 * groups and venues, whatever the user's role, so that the people of one group or venue
 * are found without decoding every user. Calls fn with the id of each user whose record lists
 * group_id among its groups or venue_id among its venues (0: neither), once each, in id order,
 * until fn returns false. Only the index is read: fn loads the users it wants. */
enum herr user_ids_of(struct txn *t, uint64_t group_id, uint64_t venue_id,
                      bool (*fn)(uint64_t user_id, void *arg), void *arg);
/* Writes the record, its email index entry and its idx:user-role entries. old: the record
 * it replaces, whose entries differing from u's are deleted; NULL when there is none, or
 * when its email, groups and venues are u's. */
void user_store(struct txn *t, const struct user *u, const struct user *old);
/* Deletes the record and its index entries; account_remove says who may and what follows. */
void user_delete(struct txn *t, const struct user *u);

#endif
