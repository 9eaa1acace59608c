/* Accounts: the changes someone makes to a user (create, update, remove), with who may
 * make them and what follows (tokens ended, the audit log). Apart from user.c, the user
 * record, because policy.c reads that record to answer every permission question: with
 * both in one file, the record and the rules about it called each other. */
#include "account.h"

#include "account_mail.h"
#include "audit.h"
#include "link.h"
#include "policy.h"
#include "record.h"
#include "text.h"
#include "token.h"
#include "walk.h"
#include "xmalloc.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* The local part of an email is refused inside a password from this many characters:
 * shorter ones ("al", "jo") are parts of too many words. */
#define LOCAL_PART_MIN 4

static const char *const common_passwords[] = {
#include "common-passwords.inc"
};

#define COMMON_COUNT (sizeof(common_passwords) / sizeof(common_passwords[0]))

size_t account_common_count(void)
{
	return COMMON_COUNT;
}

const char *account_common_entry(size_t i)
{
	return i < COMMON_COUNT ? common_passwords[i] : NULL;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether s (n bytes) equals lower (lower case), ASCII case ignored. */
static bool same_ignoring_case(const char *s, size_t n, const char *lower)
{
	if (strlen(lower) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != lower[i])
			return false;
	return true;
}

/* Whether s (n bytes) holds needle (m bytes, lower case), ASCII case ignored. */
static bool holds_ignoring_case(const char *s, size_t n, const char *needle, size_t m)
{
	if (m == 0 || m > n)
		return false;
	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && ascii_lower(s[i + j]) == needle[j])
			j++;
		if (j == m)
			return true;
	}
	return false;
}

bool account_password_common(const char *password, size_t len)
{
	for (size_t i = 0; i < COMMON_COUNT; i++)
		if (same_ignoring_case(password, len, common_passwords[i]))
			return true;
	return false;
}

/* The characters of a password known to hold no NUL in its len bytes; (size_t)-1 when it
 * is not valid UTF-8. */
static size_t password_chars(const char *password, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++) {
		size_t c = text_utf8_len(password + i);

		if (c == 0 || i + c > len)
			return (size_t)-1;
		i += c;
	}
	return n;
}

/* Refuses a password that holds the account's email, or its local part of
 * LOCAL_PART_MIN characters or more (email normalised, so lower case). */
static enum herr password_not_email(const char *password, size_t len, const char *email,
                                    struct herror *err)
{
	const char *at;

	if (email == NULL)
		return H_OK;
	if (holds_ignoring_case(password, len, email, strlen(email)))
		return herror_set(err, H_EINVAL,
		                  "the password may not contain the account's email address");
	at = strchr(email, '@');
	if (at != NULL && (size_t)(at - email) >= LOCAL_PART_MIN &&
	    holds_ignoring_case(password, len, email, (size_t)(at - email)))
		return herror_set(err, H_EINVAL,
		                  "the password may not contain the first part of the account's "
		                  "email address (before the @)");
	return H_OK;
}

enum herr account_password_check(const char *password, size_t len, const char *email,
                                 struct herror *err)
{
	size_t chars;

	if (password == NULL || len == 0)
		return herror_set(err, H_EINVAL, "the password is empty");
	if (len > PASSWORD_MAX_BYTES)
		return herror_set(err, H_EINVAL, "the password is longer than %d bytes",
		                  PASSWORD_MAX_BYTES);
	if (memchr(password, '\0', len) != NULL)
		return herror_set(err, H_EINVAL, "the password may not hold a NUL character");
	chars = password_chars(password, len);
	if (chars == (size_t)-1)
		return herror_set(err, H_EINVAL, "the password is not valid UTF-8 text");
	if (chars < PASSWORD_MIN_CHARS)
		return herror_set(err, H_EINVAL,
		                  "the password is too short: use at least %d characters (a few "
		                  "words you will remember make a good one)",
		                  PASSWORD_MIN_CHARS);
	if (password_not_email(password, len, email, err) != H_OK)
		return H_EINVAL;
	if (account_password_common(password, len))
		return herror_set(err, H_EINVAL,
		                  "the password is on the list of common passwords that attackers "
		                  "try first: choose another");
	return H_OK;
}

enum herr account_may_write(struct txn *t, const struct actor *a)
{
	return policy_admin(t, a);
}

/* Refuses when the user's venues or groups do not exist, or the email belongs to another
 * user. */
static enum herr account_check(struct txn *t, const struct user *u)
{
	uint64_t owner;

	if (u->name == NULL || u->email == NULL)
		return txn_refuse(t, H_EINVAL, "a user needs a name and an email");
	if (strlen(u->email) > EMAIL_KEY_MAX)
		return txn_refuse(t, H_EINVAL, "email is longer than %d bytes", (int)EMAIL_KEY_MAX);
	if (u->role == ROLE_MANAGER && u->nvenues == 0)
		return txn_refuse(t, H_EINVAL, "a manager needs at least one venue");
	if (u->role == ROLE_MEMBER && u->ngroups == 0)
		return txn_refuse(t, H_EINVAL, "a member needs at least one group");
	for (size_t i = 0; i < u->nvenues; i++) {
		if (record_need(t, DBI_VENUE, u->venues[i], "venue") != H_OK)
			return t->ret;
	}
	for (size_t i = 0; i < u->ngroups; i++) {
		if (record_need(t, DBI_GROUP, u->groups[i], "group") != H_OK)
			return t->ret;
	}
	owner = user_email_owner(t, u->email);
	if (owner != 0 && owner != u->id)
		return txn_refuse(t, H_EEXISTS, "another user already has the email %s", u->email);
	return t->ret;
}

enum herr account_create(struct txn *t, const struct actor *a, struct user *u, int64_t now)
{
	json_t *detail;

	u->id = 0;
	if (account_may_write(t, a) != H_OK || account_check(t, u) != H_OK)
		return t->ret;
	u->id = txn_next_id(t, "user");
	u->created_at = now;
	user_store(t, u, NULL);
	detail = user_to_json(u, false);
	audit_append(t, a, "user", u->id, "create", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

/* Whether u's password differs from old's (a first password counts). */
static bool account_password_changed(const struct user *old, const struct user *u)
{
	if (old->password_hash == NULL || u->password_hash == NULL)
		return old->password_hash != u->password_hash;
	return strcmp(old->password_hash, u->password_hash) != 0;
}

/* A new password or a new role: whoever holds a token made under the old one must prove
 * themselves again. */
static bool account_credentials_changed(const struct user *old, const struct user *u)
{
	return old->role != u->role || account_password_changed(old, u);
}

/* What follows a new password, however it was set: the user's links end (a reset link
 * asked for before must not undo it), and, when it replaced one, the user is told. */
static enum herr account_password_set(struct txn *t, const struct user *old, const struct user *u,
                                      enum password_changer by, int64_t now)
{
	link_end_user(t, u->id);
	if (old->password_hash == NULL || u->password_hash == NULL)
		return t->ret;
	return account_mail_password_changed(t, u, by, now);
}

enum herr account_update(struct txn *t, const struct actor *a, const struct user *u, int64_t now)
{
	struct user old;
	json_t *detail;

	if (record_need(t, DBI_USER, u->id, "user") != H_OK || account_may_write(t, a) != H_OK ||
	    account_check(t, u) != H_OK)
		return t->ret;
	if (user_get(t, u->id, &old) != H_OK) {
		user_free(&old);
		return t->ret;
	}
	user_store(t, u, &old);
	if (account_credentials_changed(&old, u))
		token_end_user(t, u->id);
	if (account_password_changed(&old, u))
		account_password_set(t, &old, u,
		                     a->user_id == u->id ? CHANGED_BY_USER : CHANGED_BY_ADMIN, now);
	/* A link sent to the old address must not set the password of an account that has
	 * moved on from it. */
	if (strcmp(old.email, u->email) != 0)
		link_end_user(t, u->id);
	user_free(&old);
	detail = user_to_json(u, false);
	audit_append(t, a, "user", u->id, "update", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

enum herr account_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct user old;

	if (record_need(t, DBI_USER, id, "user") != H_OK || account_may_write(t, a) != H_OK)
		return t->ret;
	if (user_get(t, id, &old) == H_OK)
		user_delete(t, &old);
	user_free(&old);
	if (t->ret != H_OK)
		return t->ret;
	/* Its tokens stop at once (they name a user that is gone); token_purge deletes them. */
	token_forget_user(t, id);
	link_end_user(t, id);
	audit_append(t, a, "user", id, "remove", NULL, NULL, now);
	return t->ret;
}

enum herr account_save_invited(struct txn *t, const struct actor *a, struct user *u, int64_t now)
{
	struct user old;
	json_t *detail;

	user_init(&old);
	if (account_check(t, u) != H_OK)
		return t->ret;
	if (u->id == 0) {
		u->id = txn_next_id(t, "user");
		u->created_at = now;
	} else if (user_get(t, u->id, &old) != H_OK) {
		user_free(&old);
		return t->ret;
	}
	/* Re-invited: the record as it was is replaced, email index and all. */
	user_store(t, u, old.id != 0 ? &old : NULL);
	user_free(&old);
	detail = user_to_json(u, false);
	audit_append(t, a, "user", u->id, "invite", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

/* A field of a user that is not the user's own to change says who changes it. */
static enum herr self_fields_known(struct txn *t, const json_t *fields)
{
	static const char *const admins[] = {"email", "role", "venues", "groups"};

	for (size_t i = 0; i < sizeof(admins) / sizeof(admins[0]); i++)
		if (json_object_get(fields, admins[i]) != NULL)
			return txn_refuse(
			    t, H_EINVAL,
			    "only an administrator may change your %s; you may change "
			    "your name and your notifications",
			    admins[i]);
	if (json_object_get(fields, "password") != NULL)
		return txn_refuse(t, H_EINVAL,
		                  "a password is changed with the current one, at "
		                  "/api/v1/users/me/password");
	return t->ret;
}

enum herr account_update_self(struct txn *t, const struct actor *a, const json_t *fields,
                              int64_t now, json_t **out)
{
	static const char *const known[] = {"name", "notifications", NULL};
	struct herror e;
	struct user u;
	json_t *detail;

	*out = NULL;
	herror_clear(&e);
	if (self_fields_known(t, fields) != H_OK)
		return t->ret;
	if (fields_known(fields, known, &e) != H_OK)
		return txn_refuse(t, e.code, "%s", e.msg);
	if (user_get(t, a->user_id, &u) != H_OK) {
		user_free(&u);
		return t->ret != H_OK ? t->ret
		                      : txn_refuse(t, H_EAUTH, "your account has been removed");
	}
	if (user_apply(&u, fields, &e) != H_OK) {
		user_free(&u);
		return txn_refuse(t, e.code, "%s", e.msg);
	}
	user_store(t, &u, NULL);
	detail = user_to_json(&u, false);
	audit_append(t, a, "user", u.id, "update", NULL, detail, now);
	*out = detail;
	user_free(&u);
	return t->ret;
}

enum herr account_password_change(struct txn *t, const struct actor *a, const char *old_hash,
                                  const char *new_hash, uint64_t keep_token, int64_t now)
{
	struct user old, u;

	if (user_get(t, a->user_id, &old) != H_OK) {
		user_free(&old);
		return t->ret != H_OK ? t->ret
		                      : txn_refuse(t, H_EAUTH, "your account has been removed");
	}
	/* Changed meanwhile (a reset, an administrator): the current password checked is no
	 * longer the current one. */
	if (old.password_hash == NULL || old_hash == NULL ||
	    strcmp(old.password_hash, old_hash) != 0) {
		user_free(&old);
		return txn_refuse(t, H_EFORBIDDEN,
		                  "the password was changed meanwhile; sign in again with the new "
		                  "one");
	}
	u = old;
	u.password_hash = (char *)new_hash;
	user_store(t, &u, NULL);
	token_end_user_except(t, u.id, keep_token);
	account_password_set(t, &old, &u, CHANGED_BY_USER, now);
	audit_append(t, a, "user", u.id, "password", "changed by the user", NULL, now);
	user_free(&old);
	return t->ret;
}

/* A reset link for u and the message that carries it. */
static enum herr reset_send(struct txn *t, const struct user *u, int64_t now, uint64_t *msg_id,
                            int64_t *expires_at)
{
	char secret[TOKEN_HEX];
	struct link l = {0};

	if (link_issue(t, u->id, LINK_RESET, now, secret, &l) == H_OK)
		account_mail_reset(t, u, secret, l.expires_at, now, true, msg_id);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (expires_at != NULL)
		*expires_at = l.expires_at;
	return t->ret;
}

/* What reset_send does for an email with no account, without keeping any of it. */
static enum herr reset_pretend(struct txn *t, const char *email, int64_t now)
{
	char secret[TOKEN_HEX];
	uint8_t hash[32];
	struct user u;

	user_init(&u);
	u.email = (char *)email;
	if (!token_new(secret, hash))
		return txn_refuse(t, H_ESTORAGE, "cannot make a random link (OpenSSL failed)");
	account_mail_reset(t, &u, secret, now + LINK_RESET_LIFE, now, false, NULL);
	OPENSSL_cleanse(secret, sizeof(secret));
	return t->ret;
}

enum herr account_reset_ask(struct txn *t, const char *email, int64_t now)
{
	char *e = user_email_normalize(email);
	struct user u;
	enum herr ret;

	if (e == NULL)
		return txn_refuse(t, H_EINVAL, "email must be an address such as name@example.org");
	ret = user_find_email(t, e, &u);
	if (ret == H_OK)
		reset_send(t, &u, now, NULL, NULL);
	else if (ret == H_ENOTFOUND)
		reset_pretend(t, e, now);
	user_free(&u);
	free(e);
	return t->ret;
}

enum herr account_reset_for(struct txn *t, const struct actor *a, const char *email, int64_t now,
                            uint64_t *msg_id, int64_t *expires_at)
{
	struct user u;

	if (policy_admin(t, a) != H_OK)
		return t->ret;
	if (user_find_email(t, email, &u) != H_OK) {
		user_free(&u);
		return t->ret != H_OK ? t->ret
		                      : txn_refuse(t, H_ENOTFOUND,
		                                   "there is no user with the email %s", email);
	}
	reset_send(t, &u, now, msg_id, expires_at);
	user_free(&u);
	return t->ret;
}

enum herr account_link_check(struct txn *t, const char *secret, int64_t now, json_t **out)
{
	struct link l;
	struct user u;

	*out = NULL;
	if (link_find(t, secret, now, &l) != H_OK)
		return t->ret;
	if (user_get(t, l.user_id, &u) != H_OK) {
		user_free(&u);
		return t->ret != H_OK ? t->ret : txn_refuse(t, H_EGONE, LINK_GONE_WORDS);
	}
	*out = json_pack("{s:s, s:s, s:s, s:I}", "purpose", link_purpose_name(l.purpose), "email",
	                 u.email, "name", u.name, "expires_at", (json_int_t)l.expires_at);
	user_free(&u);
	return t->ret;
}

enum herr account_link_use(struct txn *t, const char *secret, const char *hash, int64_t now)
{
	struct user old, u;
	struct link l;
	struct actor self;

	if (link_consume(t, secret, now, &l) != H_OK)
		return t->ret;
	if (user_get(t, l.user_id, &old) != H_OK) {
		user_free(&old);
		return t->ret != H_OK ? t->ret : txn_refuse(t, H_EGONE, LINK_GONE_WORDS);
	}
	u = old;
	u.password_hash = (char *)hash;
	user_store(t, &u, NULL);
	token_end_user(t, u.id);
	account_password_set(t, &old, &u, CHANGED_BY_LINK, now);
	self = (struct actor){u.id};
	audit_append(t, &self, "user", u.id, "password",
	             l.purpose == LINK_INVITATION ? "set with an invitation link"
	                                          : "set with a reset link",
	             NULL, now);
	user_free(&old);
	return t->ret;
}

enum herr account_show(struct txn *t, const struct actor *a, uint64_t id, json_t **out)
{
	struct user u;

	*out = NULL;
	if (policy_read_user(t, a, id) != H_OK || record_need(t, DBI_USER, id, "user") != H_OK)
		return t->ret;
	if (user_get(t, id, &u) == H_OK)
		*out = user_to_json(&u, false);
	user_free(&u);
	return t->ret;
}

struct account_listing {
	bool (*fn)(const json_t *o, void *arg);
	void *arg;
};

static bool account_list_one(const struct user *u, void *arg)
{
	struct account_listing *l = arg;
	json_t *o = user_to_json(u, false);
	bool more = l->fn(o, l->arg);

	json_decref(o);
	return more;
}

enum herr account_each_page(struct txn *t, const struct actor *a, struct walk *w,
                            bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct account_listing l = {fn, arg};

	if (policy_admin(t, a) != H_OK)
		return t->ret;
	return user_each_page(t, w, account_list_one, &l);
}
