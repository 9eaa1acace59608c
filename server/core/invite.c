#include "invite.h"

#include "account.h"
#include "account_mail.h"
#include "booking.h"
#include "group.h"
#include "link.h"
#include "policy.h"
#include "record.h"
#include "user.h"
#include "xmalloc.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void invitation_free(struct invitation *inv)
{
	json_decref(inv->user);
	memset(inv, 0, sizeof(*inv));
}

static bool booking_found(const struct booking *b, void *arg)
{
	(void)b;
	*(bool *)arg = true;
	return false;
}

/* The question policy_user_group_of_venues asks of the bookings: the first booking of the
 * group at the venue, in any state, ends the scan. */
static bool group_booked_at(struct txn *t, uint64_t group_id, uint64_t venue_id, void *arg)
{
	struct booking_filter f;
	bool found = false;

	(void)arg;
	booking_filter_init(&f);
	f.group_id = group_id;
	f.venue_id = venue_id;
	f.status = -1;
	booking_each(t, &f, booking_found, &found);
	return found;
}

/* Whether a may invite u as u stands: the groups' records read (each must exist), then
 * policy_invite. */
static enum herr invite_allowed(struct txn *t, const struct actor *a, const struct user *u)
{
	struct group *groups = xcalloc(u->ngroups + 1, sizeof(*groups));
	struct group_ties *ties = xcalloc(u->ngroups + 1, sizeof(*ties));
	size_t loaded = 0;

	for (; loaded < u->ngroups; loaded++) {
		if (record_need(t, DBI_GROUP, u->groups[loaded], "group") != H_OK ||
		    group_get(t, u->groups[loaded], &groups[loaded]) != H_OK)
			break;
		ties[loaded] = (struct group_ties){.group_id = u->groups[loaded],
		                                   .trusted_at = groups[loaded].trusted_at,
		                                   .ntrusted = groups[loaded].ntrusted,
		                                   .has_booking_at = group_booked_at};
	}
	if (loaded == u->ngroups && t->ret == H_OK)
		policy_invite(t, a, u, ties);
	for (size_t i = 0; i < u->ngroups; i++)
		group_free(&groups[i]);
	free(groups);
	free(ties);
	return t->ret;
}

/* The person fields describe, as a user record not yet stored. */
static enum herr invitee_read(struct txn *t, const json_t *fields, struct user *u)
{
	static const char *const known[] = {"email", "name", "role", "venues", "groups", NULL};
	struct herror e;

	herror_clear(&e);
	user_init(u);
	if (fields_known(fields, known, &e) != H_OK || user_apply(u, fields, &e) != H_OK)
		return txn_refuse(t, e.code, "%s", e.msg);
	return H_OK;
}

/* An invitation to an email that has an account already: allowed when the account has
 * no password and a may invite it as it is; u then takes its place. */
static enum herr invitee_again(struct txn *t, const struct actor *a, uint64_t id, struct user *u)
{
	struct user old;

	if (user_get(t, id, &old) != H_OK) {
		user_free(&old);
		return t->ret;
	}
	if (old.password_hash != NULL) {
		user_free(&old);
		return txn_refuse(t, H_EEXISTS,
		                  "%s already has an account with a password: they can sign in, "
		                  "or use \"Forgot your password?\" on the sign-in page",
		                  u->email);
	}
	if (invite_allowed(t, a, &old) == H_OK) {
		u->id = old.id;
		u->created_at = old.created_at;
		u->notices = old.notices;
	}
	user_free(&old);
	return t->ret;
}

enum herr invite_user(struct txn *t, const struct actor *a, const json_t *fields, int64_t now,
                      struct invitation *out)
{
	char secret[TOKEN_HEX] = "";
	struct user u;
	struct link l = {0};
	uint64_t existing;

	memset(out, 0, sizeof(*out));
	if (invitee_read(t, fields, &u) != H_OK) {
		user_free(&u);
		return t->ret;
	}
	existing = user_email_owner(t, u.email);
	if ((existing == 0 || invitee_again(t, a, existing, &u) == H_OK) &&
	    invite_allowed(t, a, &u) == H_OK && account_save_invited(t, a, &u, now) == H_OK &&
	    link_issue(t, u.id, LINK_INVITATION, now, secret, &l) == H_OK &&
	    account_mail_invitation(t, a, &u, secret, l.expires_at, now, &out->message_id) ==
	        H_OK) {
		out->user = user_to_json(&u, false);
		out->expires_at = l.expires_at;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	user_free(&u);
	return t->ret;
}
