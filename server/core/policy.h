/* Permissions: who may do what, in one place for the CLI and the API alike.
 *
 * The rules about a user are written once, on a user already loaded (policy_user_*):
 * who is an administrator, who manages a venue, who acts for a group. The checks below
 * load the acting user and ask them; view.h asks them for what a reader may see. Each
 * check returns H_OK or refuses on t: H_EFORBIDDEN, or H_EAUTH for an unknown user. The
 * console (user 0) passes every check. */
#ifndef HALLS_POLICY_H
#define HALLS_POLICY_H

#include "actor.h"
#include "db.h"

struct user;

bool policy_user_admin(const struct user *u);
/* Admins manage every venue; a manager, the venues listed. */
bool policy_user_manages(const struct user *u, uint64_t venue_id);
/* Admins and managers, whichever venues a manager has: who has a manager's feed (of
 * the venues they manage) and reads the audit log (about them). */
bool policy_user_manager(const struct user *u);
/* A member acts for the groups listed (managers and admins act as the venue's). */
bool policy_user_member_of(const struct user *u, uint64_t group_id);

enum herr policy_admin(struct txn *t, const struct actor *a);
/* Admins and managers of the venue. */
enum herr policy_manage_venue(struct txn *t, const struct actor *a, uint64_t venue_id);
/* Admins, members of the group, and managers of venue_id (booking on a group's behalf). */
enum herr policy_act_for_group(struct txn *t, const struct actor *a, uint64_t group_id,
                               uint64_t venue_id);
/* True without setting an error (for decisions such as "approve at once?"). */
bool policy_is_venue_manager(struct txn *t, const struct actor *a, uint64_t venue_id);
/* The same question of an administrator (an unknown user is not one). */
bool policy_is_admin(struct txn *t, const struct actor *a);
/* Who may list user_id's tokens (API tokens, sessions, feed tokens): the user, and
 * admins anyone's. */
enum herr policy_list_tokens(struct txn *t, const struct actor *a, uint64_t user_id);
/* Who may read user_id's record: the user, and admins anyone's. Managers are not told of
 * other users: a group has no venue, so "the members at my venues" is no set the data
 * holds, and a manager books for any group at their venue without knowing its members. */
enum herr policy_read_user(struct txn *t, const struct actor *a, uint64_t user_id);

/* What ties a group to venues, for the invitation rule: its record's trusted_at, and a
 * question about its bookings that the caller answers (policy.c sits below them). */
struct group_ties {
	uint64_t group_id;
	const uint64_t *trusted_at;
	size_t ntrusted;
	/* Whether group_id has a booking (in any state, past or future) at venue_id. */
	bool (*has_booking_at)(struct txn *t, uint64_t group_id, uint64_t venue_id, void *arg);
	void *arg;
};
/* The groups of a manager's venues, whose members the manager may invite: a group that is
 * trusted at a venue the manager manages, or has a booking there. A group a venue has
 * never seen is not the manager's to add people to. */
bool policy_user_group_of_venues(struct txn *t, const struct user *u, const struct group_ties *g);
/* Who may invite invitee (a user as the invitation would make, or leave, them; ties: one
 * per invitee->groups[i]): admins (and the console) anyone, in any role; a manager, a
 * member whose groups are all groups of the manager's venues; nobody else. */
enum herr policy_invite(struct txn *t, const struct actor *a, const struct user *invitee,
                        const struct group_ties *ties);

#endif
