/* Messages: who may be told (people), one message to one person (notify_send), and the
 * words every booking message shares. The messages themselves are notify_booking.c's,
 * notify_series.c's, notify_closure.c's and notify_sweep.c's. */
#include "notify_parts.h"

#include "group.h"
#include "policy.h"
#include "record.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- people --- */

bool person_member_of(const struct user *u, uint64_t group_id)
{
	return group_id != 0 && policy_user_member_of(u, group_id);
}

/* Admins manage every venue (policy.c) but are told only of what they do themselves:
 * the messages are for the people a venue names as its managers. */
bool person_manages(const struct user *u, uint64_t venue_id)
{
	return venue_id != 0 && !policy_user_admin(u) && policy_user_manages(u, venue_id);
}

struct people_load {
	struct txn *t;
	enum notice n;
	uint64_t group_id, venue_id; /* 0 and 0: any group's, any venue's */
	struct people *out;
};

static bool person_concerned(const struct people_load *l, const struct user *u)
{
	if (u->ngroups == 0 && u->nvenues == 0)
		return false;
	if (l->group_id == 0 && l->venue_id == 0)
		return true;
	return person_member_of(u, l->group_id) || person_manages(u, l->venue_id);
}

/* Whether u, found by the walk or by the index, is one of the people l asks for. */
static bool people_wanted(const struct people_load *l, const struct user *u)
{
	return !policy_user_admin(u) && user_wants(u, l->n) && u->email != NULL &&
	       person_concerned(l, u);
}

/* The list takes u (moved: the caller no longer frees it). */
static void people_keep(struct people *p, struct user *u)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = *u;
	user_init(u);
}

static bool people_add(const struct user *u, void *arg)
{
	struct people_load *l = arg;
	struct user copy;

	if (!people_wanted(l, u))
		return true;
	/* A copy of its own, owned by the list: user_each lends each user for one call. */
	if (user_get(l->t, u->id, &copy) != H_OK) {
		user_free(&copy);
		return false;
	}
	people_keep(l->out, &copy);
	return true;
}

/* One user the index names as of the group or the venue. */
static bool people_add_id(uint64_t user_id, void *arg)
{
	struct people_load *l = arg;
	struct user u;
	enum herr ret = user_get(l->t, user_id, &u);

	if (ret == H_OK && people_wanted(l, &u))
		people_keep(l->out, &u);
	user_free(&u);
	/* An entry naming a user who is gone tells nobody (`halls check` reports it). */
	return ret == H_OK || (ret == H_ENOTFOUND && l->t->ret == H_OK);
}

enum herr people_load(struct txn *t, enum notice n, uint64_t group_id, uint64_t venue_id,
                      struct people *out)
{
	struct people_load l = {t, n, group_id, venue_id, out};

	out->v = NULL;
	out->n = 0;
	/* One group and one venue: their users through idx:user-role, in id order as the
	 * walk finds them, so that a change costs the people it concerns, not every user. */
	if (group_id != 0 || venue_id != 0)
		return user_ids_of(t, group_id, venue_id, people_add_id, &l);
	return user_each(t, people_add, &l);
}

void people_free(struct people *p)
{
	for (size_t i = 0; i < p->n; i++)
		user_free(&p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* --- one change's messages --- */

enum herr notify_ctx_init(struct notify_ctx *c, struct txn *t, const struct actor *a, int64_t now)
{
	struct user u;

	memset(c, 0, sizeof(*c));
	user_init(&u);
	c->t = t;
	c->now = now;
	c->actor_id = a != NULL ? a->user_id : 0;
	if (outbox_site_get(t, &c->site) != H_OK)
		return t->ret;
	if (c->actor_id != 0 && user_get(t, c->actor_id, &u) == H_OK)
		c->actor_name = xstrdup(u.name);
	user_free(&u);
	return t->ret;
}

void notify_ctx_free(struct notify_ctx *c)
{
	outbox_site_free(&c->site);
	free(c->actor_name);
	memset(c, 0, sizeof(*c));
}

char *notify_url(const struct notify_ctx *c, const char *path)
{
	return xasprintf("%s%s", c->site.url, path);
}

void notify_send(struct notify_ctx *c, const struct user *to, struct notify_msg *m)
{
	char subject[OUTBOX_SUBJECT_MAX + 1];
	char *choices = notify_url(c, "/account#notifications");
	struct mail_calendar cal = {m->calendar, m->method == ICS_CANCEL ? "CANCEL" : "REQUEST"};
	struct outbox_msg out;
	struct mail mail;

	if (c->t->ret != H_OK) {
		free(choices);
		return;
	}
	text_sanitize(subject, sizeof(subject), m->subject);
	mail_footer(&m->body, m->why, choices);
	outbox_msg_init(&out);
	out.id = m->id != 0 ? m->id : outbox_new_id(c->t);
	out.message_id = outbox_message_id(c->t, out.id, c->site.url);
	mail = (struct mail){
	    .from_name = c->site.from_name,
	    .from = c->site.from,
	    .to_name = to->name,
	    .to = to->email,
	    .subject = subject,
	    .date = c->now,
	    .message_id = out.message_id,
	    .body = &m->body,
	    .calendar = m->calendar != NULL ? &cal : NULL,
	};
	out.kind = xstrdup(m->kind);
	out.user_id = to->id;
	out.to = xstrdup(to->email);
	out.subject = xstrdup(subject);
	out.raw = mail_compose(&mail);
	out.about_id = m->about_id;
	outbox_put(c->t, &out, c->now);
	outbox_msg_free(&out);
	free(choices);
}

/* --- a series' dates --- */

enum herr notify_dates_load(struct txn *t, uint64_t series_id, struct notify_dates *out)
{
	struct key prefix;
	struct scan sc;

	out->v = NULL;
	out->n = 0;
	key_init(&prefix);
	key_u64(&prefix, series_id);
	scan_begin(&sc, t, DBI_SERIES_OCC, &prefix, NULL);
	while (scan_next(&sc)) {
		struct booking b;

		if (sc.v.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "corrupt occurrence index of series %llu",
			           (unsigned long long)series_id);
			break;
		}
		if (booking_get(t, key_get_u64(sc.v.mv_data), &b) != H_OK) {
			booking_free(&b);
			continue;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = b;
	}
	scan_end(&sc);
	return t->ret;
}

void notify_dates_free(struct notify_dates *d)
{
	for (size_t i = 0; i < d->n; i++)
		booking_free(&d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* --- words --- */

char *notify_where(const struct place *p)
{
	if (p->venue.address != NULL && p->venue.address[0] != '\0')
		return xasprintf("%s, %s, %s", p->room.name, p->venue.name, p->venue.address);
	return xasprintf("%s, %s", p->room.name, p->venue.name);
}

void notify_booking_facts(struct mail_body *body, const struct booking *b, const struct place *p,
                          const char *group)
{
	char when[WHEN_MAX * 2];
	char *where = notify_where(p);

	when_words(b->start, b->end, p->venue.tz, when, sizeof(when));
	mail_fact(body, "What", b->title);
	mail_fact(body, "When", when);
	mail_fact(body, "Where", where);
	mail_fact(body, "Group", group);
	free(where);
}

char *notify_group_name(struct txn *t, uint64_t group_id)
{
	struct group g;
	char *name;

	name = group_get(t, group_id, &g) == H_OK
	           ? xstrdup(g.name)
	           : xasprintf("group %llu", (unsigned long long)group_id);
	group_free(&g);
	return name;
}

bool notify_list_room(struct mail_buf *lines, size_t i, size_t n)
{
	if (i < NOTIFY_LIST_MAX)
		return true;
	if (i == NOTIFY_LIST_MAX)
		mail_buf_printf(lines, "\nand %zu more", n - i);
	return false;
}

char *notify_why_member(const char *group)
{
	return xasprintf("You get this message because you are a member of %s.", group);
}

char *notify_why_manager(const struct place *p)
{
	return xasprintf("You get this message because you manage %s.", p->venue.name);
}
