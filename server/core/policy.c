#include "policy.h"

#include "user.h"

bool policy_user_admin(const struct user *u)
{
	return u->role == ROLE_ADMIN;
}

static bool id_listed(const uint64_t *ids, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

bool policy_user_manages(const struct user *u, uint64_t venue_id)
{
	return u->role == ROLE_ADMIN ||
	       (u->role == ROLE_MANAGER && id_listed(u->venues, u->nvenues, venue_id));
}

bool policy_user_manager(const struct user *u)
{
	return u->role == ROLE_ADMIN || u->role == ROLE_MANAGER;
}

bool policy_user_member_of(const struct user *u, uint64_t group_id)
{
	return u->role == ROLE_MEMBER && id_listed(u->groups, u->ngroups, group_id);
}

/* Loads the acting user; an actor whose user has gone cannot act. */
static enum herr actor_user(struct txn *t, const struct actor *a, struct user *u)
{
	if (user_get(t, a->user_id, u) != H_OK) {
		user_free(u);
		return txn_refuse(t, H_EAUTH, "unknown user %llu", (unsigned long long)a->user_id);
	}
	return H_OK;
}

enum herr policy_admin(struct txn *t, const struct actor *a)
{
	struct user u;
	bool ok;

	if (a->user_id == 0)
		return H_OK;
	if (actor_user(t, a, &u) != H_OK)
		return t->ret;
	ok = policy_user_admin(&u);
	user_free(&u);
	return ok ? H_OK : txn_refuse(t, H_EFORBIDDEN, "only an administrator may do this");
}

/* A question, not a check: an unknown user is simply not a manager. */
bool policy_is_venue_manager(struct txn *t, const struct actor *a, uint64_t venue_id)
{
	struct user u;
	bool ok;

	if (a->user_id == 0)
		return true;
	ok = user_get(t, a->user_id, &u) == H_OK && policy_user_manages(&u, venue_id);
	user_free(&u);
	return ok;
}

bool policy_is_admin(struct txn *t, const struct actor *a)
{
	struct user u;
	bool ok;

	if (a->user_id == 0)
		return true;
	ok = user_get(t, a->user_id, &u) == H_OK && policy_user_admin(&u);
	user_free(&u);
	return ok;
}

enum herr policy_manage_venue(struct txn *t, const struct actor *a, uint64_t venue_id)
{
	struct user u;
	bool ok;

	if (a->user_id == 0)
		return H_OK;
	if (actor_user(t, a, &u) != H_OK)
		return t->ret;
	ok = policy_user_manages(&u, venue_id);
	user_free(&u);
	return ok ? H_OK
	          : txn_refuse(t, H_EFORBIDDEN, "only a manager of venue %llu may do this",
	                       (unsigned long long)venue_id);
}

enum herr policy_act_for_group(struct txn *t, const struct actor *a, uint64_t group_id,
                               uint64_t venue_id)
{
	struct user u;
	bool ok;

	if (a->user_id == 0)
		return H_OK;
	if (actor_user(t, a, &u) != H_OK)
		return t->ret;
	ok = policy_user_member_of(&u, group_id) || policy_user_manages(&u, venue_id);
	user_free(&u);
	return ok ? H_OK
	          : txn_refuse(t, H_EFORBIDDEN, "you may only act for your own group's bookings");
}

enum herr policy_list_tokens(struct txn *t, const struct actor *a, uint64_t user_id)
{
	return a->user_id == user_id ? H_OK : policy_admin(t, a);
}

enum herr policy_read_user(struct txn *t, const struct actor *a, uint64_t user_id)
{
	return a->user_id == user_id ? H_OK : policy_admin(t, a);
}
