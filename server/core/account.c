/* Accounts: the changes someone makes to a user (create, update, remove), with who may
 * make them and what follows (tokens ended, the audit log). Apart from user.c, the user
 * record, because policy.c reads that record to answer every permission question: with
 * both in one file, the record and the rules about it called each other. */
#include "account.h"

#include "audit.h"
#include "policy.h"
#include "record.h"
#include "token.h"
#include "walk.h"

#include <string.h>

enum herr account_password_check(const char *password, size_t len, struct herror *err)
{
	if (password == NULL || len == 0)
		return herror_set(err, H_EINVAL, "the password is empty");
	if (len > PASSWORD_MAX_BYTES)
		return herror_set(err, H_EINVAL, "the password is longer than %d bytes",
		                  PASSWORD_MAX_BYTES);
	if (memchr(password, '\0', len) != NULL)
		return herror_set(err, H_EINVAL, "the password may not hold a NUL character");
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

/* A new password or a new role: whoever holds a token made under the old one must prove
 * themselves again. */
static bool account_credentials_changed(const struct user *old, const struct user *u)
{
	if (old->role != u->role)
		return true;
	if (old->password_hash == NULL || u->password_hash == NULL)
		return old->password_hash != u->password_hash;
	return strcmp(old->password_hash, u->password_hash) != 0;
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
	audit_append(t, a, "user", id, "remove", NULL, NULL, now);
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
