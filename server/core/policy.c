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

bool policy_user_group_of_venues(struct txn *t, const struct user *u, const struct group_ties *g)
{
	if (u->role != ROLE_MANAGER)
		return false;
	for (size_t i = 0; i < u->nvenues; i++) {
		uint64_t v = u->venues[i];

		if (id_listed(g->trusted_at, g->ntrusted, v) ||
		    (g->has_booking_at != NULL && g->has_booking_at(t, g->group_id, v, g->arg)))
			return true;
	}
	return false;
}

/* A manager's invitation: a member, for groups of the manager's venues only. */
static enum herr manager_invites(struct txn *t, const struct user *u, const struct user *invitee,
                                 const struct group_ties *ties)
{
	if (invitee->role != ROLE_MEMBER)
		return txn_refuse(t, H_EFORBIDDEN,
		                  "a manager invites members of groups; only an administrator may "
		                  "invite a %s",
		                  role_name(invitee->role));
	if (invitee->nvenues > 0)
		return txn_refuse(t, H_EFORBIDDEN, "only an administrator may give a user venues");
	for (size_t i = 0; i < invitee->ngroups; i++)
		if (!policy_user_group_of_venues(t, u, &ties[i]))
			return t->ret != H_OK
			           ? t->ret
			           : txn_refuse(
			                 t, H_EFORBIDDEN,
			                 "you may invite members only for groups that are "
			                 "trusted at, or have booked, a venue you manage; group "
			                 "%llu is neither",
			                 (unsigned long long)invitee->groups[i]);
	return t->ret;
}

enum herr policy_invite(struct txn *t, const struct actor *a, const struct user *invitee,
                        const struct group_ties *ties)
{
	struct user u;
	enum herr ret;

	if (a->user_id == 0)
		return H_OK;
	if (actor_user(t, a, &u) != H_OK)
		return t->ret;
	if (policy_user_admin(&u))
		ret = H_OK;
	else if (u.role == ROLE_MANAGER)
		ret = manager_invites(t, &u, invitee, ties);
	else
		ret = txn_refuse(t, H_EFORBIDDEN,
		                 "only an administrator, or a venue's manager for its groups, may "
		                 "invite people");
	user_free(&u);
	return ret;
}
