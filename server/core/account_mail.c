#include "account_mail.h"

#include "group.h"
#include "mail.h"
#include "outbox.h"
#include "tz.h"
#include "venue.h"
#include "when.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list of names in a sentence names at most this many, then "and N more". */
#define NAMES_MAX 8

/* Why every account message comes, whoever it is for. */
#define ALWAYS_SENT "Messages about your account are always sent."

/* The first venue there is, for a zone when the user has none of their own. */
static bool first_venue(const struct venue *v, void *arg)
{
	char **zone = arg;

	*zone = xstrdup(v->tz != NULL ? v->tz : TZ_DEFAULT);
	return false;
}

/* The zone a message to u gives its times in (caller frees): their first venue's, else
 * the first venue's of the site, else TZ_DEFAULT. A user has no zone of their own, and
 * a site's venues are nearly always in one. */
static char *account_zone(struct txn *t, const struct user *u)
{
	char *zone = NULL;
	struct venue v;

	if (u->nvenues > 0 && venue_get(t, u->venues[0], &v) == H_OK && v.tz != NULL)
		zone = xstrdup(v.tz);
	if (u->nvenues > 0)
		venue_free(&v);
	if (zone == NULL && t->ret == H_OK)
		venue_each(t, first_venue, &zone);
	return zone != NULL ? zone : xstrdup(TZ_DEFAULT);
}

/* Appends "A", "A and B" or "A, B and C" (at most NAMES_MAX, then "and N more") of the
 * names of ids, read by name_of into b. */
static void names_list(struct txn *t, const uint64_t *ids, size_t n,
                       char *(*name_of)(struct txn *t, uint64_t id), struct mail_buf *b)
{
	size_t shown = n > NAMES_MAX ? NAMES_MAX : n;

	for (size_t i = 0; i < shown; i++) {
		char *name = name_of(t, ids[i]);

		if (i > 0)
			mail_buf_puts(b, i + 1 == shown && shown == n ? " and " : ", ");
		mail_buf_puts(b, name);
		free(name);
	}
	if (shown < n)
		mail_buf_printf(b, " and %zu more", n - shown);
}

static char *group_name_of(struct txn *t, uint64_t id)
{
	struct group g;
	char *name = NULL;

	if (group_get(t, id, &g) == H_OK && g.name != NULL)
		name = xstrdup(g.name);
	group_free(&g);
	return name != NULL ? name : xasprintf("group %llu", (unsigned long long)id);
}

static char *venue_name_of(struct txn *t, uint64_t id)
{
	struct venue v;
	char *name = NULL;

	if (venue_get(t, id, &v) == H_OK && v.name != NULL)
		name = xstrdup(v.name);
	venue_free(&v);
	return name != NULL ? name : xasprintf("venue %llu", (unsigned long long)id);
}

/* What u is invited to do: "to book rooms for Chess Club", "to manage Hartley Hall",
 * "as an administrator". */
static void invited_to(struct txn *t, const struct user *u, struct mail_buf *b)
{
	if (u->role == ROLE_ADMIN) {
		mail_buf_puts(b, "as an administrator");
	} else if (u->role == ROLE_MANAGER) {
		mail_buf_puts(b, "to manage the bookings of ");
		names_list(t, u->venues, u->nvenues, venue_name_of, b);
	} else {
		mail_buf_puts(b, "to book rooms for ");
		names_list(t, u->groups, u->ngroups, group_name_of, b);
	}
}

/* Who invited: a user's name, or for the console "An administrator". */
static char *inviter_name(struct txn *t, const struct actor *a)
{
	struct user u;
	char *name = NULL;

	if (a->user_id != 0 && user_get(t, a->user_id, &u) == H_OK && u.name != NULL)
		name = xstrdup(u.name);
	if (a->user_id != 0)
		user_free(&u);
	return name != NULL ? name : xstrdup("An administrator");
}

/* The link to set a password with secret (caller frees). */
static char *set_password_url(const struct outbox_site *site, const char *secret)
{
	return xasprintf("%s/set-password#token=%s", site->url, secret);
}

static void greet(struct mail_body *b, const struct user *u)
{
	if (u->name != NULL && u->name[0] != '\0')
		mail_para(b, "Hello %s,", u->name);
	else
		mail_para(b, "Hello,");
}

/* Composes body to u as kind with subject, and queues it (queue false: makes the same
 * bytes and drops them). */
static enum herr account_mail_send(struct txn *t, const struct outbox_site *site, const char *kind,
                                   const struct user *u, const char *subject,
                                   const struct mail_body *body, int64_t now, bool queue,
                                   uint64_t *msg_id)
{
	struct outbox_msg m;
	struct mail mail;

	if (t->ret != H_OK)
		return t->ret;
	outbox_msg_init(&m);
	m.id = queue ? outbox_new_id(t) : 0;
	m.kind = xstrdup(kind);
	m.user_id = u->id;
	m.to = xstrdup(u->email);
	m.subject = xstrdup(subject);
	m.message_id = outbox_message_id(t, m.id, site->url);
	mail = (struct mail){.from_name = site->from_name,
	                     .from = site->from,
	                     .to_name = u->name,
	                     .to = u->email,
	                     .subject = subject,
	                     .date = now,
	                     .message_id = m.message_id,
	                     .body = body};
	m.raw = mail_compose(&mail);
	if (queue)
		outbox_put(t, &m, now);
	if (msg_id != NULL)
		*msg_id = m.id;
	outbox_msg_free(&m);
	return t->ret;
}

enum herr account_mail_invitation(struct txn *t, const struct actor *inviter, const struct user *u,
                                  const char *secret, int64_t expires_at, int64_t now,
                                  uint64_t *msg_id)
{
	struct outbox_site site;
	struct mail_body b;
	struct mail_buf what = {0};
	char *who, *url, *subject, *zone, when[WHEN_MAX];
	enum herr ret;

	if (outbox_site_get(t, &site) != H_OK) {
		outbox_site_free(&site);
		return t->ret;
	}
	who = inviter_name(t, inviter);
	invited_to(t, u, &what);
	url = set_password_url(&site, secret);
	zone = account_zone(t, u);
	when_moment(expires_at, zone, when, sizeof(when));
	subject = xasprintf("You are invited to %s", site.from_name);
	mail_body_init(&b);
	greet(&b, u);
	mail_para(&b, "%s has invited you to %s %s.", who, site.from_name, what.s);
	mail_para(&b,
	          "Choose a password to finish setting up your account. You will sign in "
	          "with your email address, %s.",
	          u->email);
	mail_link(&b, "Set your password", url);
	mail_para(&b,
	          "The link works once, until %s. If it has stopped working, use \"Forgot your "
	          "password?\" on the sign-in page, or ask to be invited again.",
	          when);
	mail_para(&b, "If you were not expecting this, you can ignore this email: nobody can "
	              "use the account until a password is set.");
	{
		char *why = xasprintf("You get this because %s invited %s. " ALWAYS_SENT,
		                      inviter->user_id != 0 ? who : "an administrator", u->email);

		mail_footer(&b, why, NULL);
		free(why);
	}
	ret = account_mail_send(t, &site, "invitation", u, subject, &b, now, true, msg_id);
	mail_body_free(&b);
	mail_buf_free(&what);
	free(who);
	free(url);
	free(subject);
	free(zone);
	outbox_site_free(&site);
	return ret;
}

enum herr account_mail_reset(struct txn *t, const struct user *u, const char *secret,
                             int64_t expires_at, int64_t now, bool queue, uint64_t *msg_id)
{
	struct outbox_site site;
	struct mail_body b;
	char *url, *subject, *zone, *why, when[WHEN_MAX];
	enum herr ret;

	if (outbox_site_get(t, &site) != H_OK) {
		outbox_site_free(&site);
		return t->ret;
	}
	url = set_password_url(&site, secret);
	zone = account_zone(t, u);
	when_moment(expires_at, zone, when, sizeof(when));
	subject = xasprintf("Reset your password for %s", site.from_name);
	why = xasprintf(
	    "You get this because someone asked for a new password for %s on %s. " ALWAYS_SENT,
	    u->email, site.from_name);
	mail_body_init(&b);
	greet(&b, u);
	mail_para(&b, "Someone asked to reset the password of your %s account, %s.", site.from_name,
	          u->email);
	mail_link(&b, "Choose a new password", url);
	mail_para(&b, "The link works once, for one hour: until %s.", when);
	mail_para(&b, "If you did not ask, ignore this email. Your password stays as it is, and "
	              "the link stops working on its own.");
	mail_footer(&b, why, NULL);
	ret = account_mail_send(t, &site, "password-reset", u, subject, &b, now, queue, msg_id);
	mail_body_free(&b);
	free(url);
	free(subject);
	free(zone);
	free(why);
	outbox_site_free(&site);
	return ret;
}

static const char *changer_words(enum password_changer by)
{
	switch (by) {
	case CHANGED_BY_USER:
		return "by someone signed in to your account";
	case CHANGED_BY_LINK:
		return "with a reset link sent to this address";
	case CHANGED_BY_ADMIN:
		break;
	}
	return "by an administrator";
}

enum herr account_mail_password_changed(struct txn *t, const struct user *u,
                                        enum password_changer by, int64_t now)
{
	struct outbox_site site;
	struct mail_body b;
	char *subject, *zone, *forgot, when[WHEN_MAX];
	enum herr ret;

	if (outbox_site_get(t, &site) != H_OK) {
		outbox_site_free(&site);
		return t->ret;
	}
	zone = account_zone(t, u);
	when_moment(now, zone, when, sizeof(when));
	subject = xasprintf("Your password for %s was changed", site.from_name);
	forgot = xasprintf("%s/forgot-password", site.url);
	mail_body_init(&b);
	greet(&b, u);
	mail_para(&b, "The password of your %s account, %s, was changed %s.", site.from_name,
	          u->email, changer_words(by));
	mail_fact(&b, "When", when);
	if (by == CHANGED_BY_USER)
		mail_para(&b, "Every other place where the account was signed in has been signed "
		              "out; the one where the change was made stays signed in.");
	else
		mail_para(&b, "Every place where the account was signed in has been signed out.");
	mail_para(&b, "If you made or asked for this change, there is nothing more to do. If not, "
	              "choose a new password now with \"Forgot your password?\", and tell an "
	              "administrator.");
	mail_link(&b, "Choose a new password", forgot);
	mail_footer(&b, "You get this because the password of your account changed. " ALWAYS_SENT,
	            NULL);
	ret = account_mail_send(t, &site, "password-changed", u, subject, &b, now, true, NULL);
	mail_body_free(&b);
	free(subject);
	free(zone);
	free(forgot);
	outbox_site_free(&site);
	return ret;
}
