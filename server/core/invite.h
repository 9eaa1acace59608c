/* Invitations: an administrator, or a venue's manager for the groups of their venues,
 * invites someone by email; the person sets their own password with the link in the
 * message (link.h, account_mail.h), and the account then signs in like any other.
 *
 * Who may invite whom is policy_invite's (policy.h); this module gathers what that rule
 * needs to know (each group's record, and whether it has bookings at a venue), makes or
 * renews the account, issues the link and queues the message, in one transaction. */
#ifndef HALLS_INVITE_H
#define HALLS_INVITE_H

#include "actor.h"
#include "db.h"

#include <jansson.h>

struct invitation {
	json_t *user;        /* the account as account_show gives it */
	int64_t expires_at;  /* when the link stops working */
	uint64_t message_id; /* the outbox message that carries the link */
};

void invitation_free(struct invitation *inv);

/* Invites the person fields describe ("email", "name", "role", "venues", "groups", as
 * user_apply reads them; any other field is refused). A new email makes a new account
 * with no password. An email whose account has no password yet (invited before, or
 * made without one) is invited again: the account takes the fields given, and the new
 * link ends the one before; the inviter must be allowed to invite the account both as
 * it was and as it becomes. An account that has a password is H_EEXISTS: its owner
 * signs in, or asks for a reset. */
enum herr invite_user(struct txn *t, const struct actor *a, const json_t *fields, int64_t now,
                      struct invitation *out);

#endif
