/* Messages made by the clock rather than by a change: reminders before approved bookings
 * and managers' daily digests. notify_sweep runs about once a minute (hallsd's delivery
 * thread) and makes what is due; outbox_once makes each at most once, however often it
 * runs and whichever process runs it. */
#include "notify.h"

#include "notify_parts.h"
#include "room.h"
#include "text.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Requests waiting longer than this are in the digest. */
#define DIGEST_WAIT (2 * 86400)
/* The digest is sent from this local hour on. */
#define DIGEST_HOUR 8

/* --- reminders --- */

struct reminders {
	struct notify_ctx c;
	struct people people; /* members who want reminders */
	struct places places;
};

/* "reminder:<booking>:<user>:<start>": a moved booking's new start is another key, so
 * it gets its own reminder, and the old one can never be sent after the move. */
static void reminder_key(const struct booking *b, const struct user *u, char *out, size_t size)
{
	snprintf(out, size, "reminder:%llu:%llu:%lld", (unsigned long long)b->id,
	         (unsigned long long)u->id, (long long)b->start);
}

static void reminder_send(struct reminders *r, const struct booking *b, const struct place *p,
                          const struct user *u, uint64_t id)
{
	char subject[512], when[WHEN_MAX * 2];
	char *group = notify_group_name(r->c.t, b->group_id), *why = notify_why_member(group);
	char *url = notify_url(&r->c, "/my-bookings");
	struct notify_msg m;

	when_words(b->start, b->end, p->venue.tz, when, sizeof(when));
	text_format(subject, sizeof(subject), "Reminder: %s, %s", b->title, when);
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.kind = "reminder";
	m.about_id = b->id;
	m.subject = subject;
	m.why = why;
	mail_body_init(&m.body);
	mail_para(&m.body, "%s has %s at %s booked:", group, p->room.name, p->venue.name);
	notify_booking_facts(&m.body, b, p, group);
	if (p->venue.accessibility != NULL && p->venue.accessibility[0] != '\0')
		mail_fact(&m.body, "Access", p->venue.accessibility);
	mail_para(&m.body, "If the group no longer needs the room, please cancel the booking so "
	                   "that another group can have it.");
	mail_link(&m.body, "See your group's bookings", url);
	notify_send(&r->c, u, &m);
	mail_body_free(&m.body);
	free(url);
	free(why);
	free(group);
}

static bool reminder_booking(const struct booking *b, void *arg)
{
	struct reminders *r = arg;
	const struct place *p = NULL;

	if (b->status != BOOKING_APPROVED || b->start <= r->c.now)
		return true;
	for (size_t i = 0; i < r->people.n && r->c.t->ret == H_OK; i++) {
		const struct user *u = &r->people.v[i];
		char key[128];
		uint64_t id;

		if (!person_member_of(u, b->group_id) ||
		    r->c.now < b->start - user_reminder_lead(u))
			continue;
		reminder_key(b, u, key, sizeof(key));
		if (outbox_once_done(r->c.t, key))
			continue;
		if (p == NULL)
			p = places_get(&r->places, r->c.t, b->room_id);
		id = outbox_new_id(r->c.t);
		if (p->venue.id != 0 && outbox_once(r->c.t, key, id))
			reminder_send(r, b, p, u, id);
	}
	return r->c.t->ret == H_OK;
}

static enum herr sweep_reminders(struct txn *t, int64_t now)
{
	struct reminders r = {0};
	struct booking_filter f;
	int64_t lead = 0;

	if (notify_ctx_init(&r.c, t, NULL, now) != H_OK ||
	    people_load(t, NOTICE_REMINDERS, 0, 0, &r.people) != H_OK)
		goto out;
	for (size_t i = 0; i < r.people.n; i++)
		if (r.people.v[i].ngroups > 0 && user_reminder_lead(&r.people.v[i]) > lead)
			lead = user_reminder_lead(&r.people.v[i]);
	if (lead == 0)
		goto out;
	/* The approved bookings that start within the longest lead: each room's by-start
	 * index from now, never the history. */
	booking_filter_init(&f);
	f.status = BOOKING_APPROVED;
	f.from = now;
	f.to = now + lead + 1;
	booking_each(t, &f, reminder_booking, &r);
out:
	people_free(&r.people);
	places_free(&r.places);
	notify_ctx_free(&r.c);
	return t->ret;
}

/* --- digests --- */

struct waiting {
	struct txn *t;
	int64_t now;
	struct booking *v;
	size_t n;
};

static bool waiting_add(const struct block *blk, void *arg)
{
	struct waiting *w = arg;
	struct booking b;

	if (blk->start <= w->now)
		return true;
	if (booking_get(w->t, blk->booking_id, &b) != H_OK || b.status != BOOKING_PENDING ||
	    b.created_at > w->now - DIGEST_WAIT) {
		booking_free(&b);
		return w->t->ret == H_OK;
	}
	w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
	w->v[w->n++] = b;
	return true;
}

static bool waiting_room(const struct room *r, void *arg)
{
	struct waiting *w = arg;

	booking_blocks(w->t, r->id, BOOKING_PENDING, w->now, TIME_MAX, 0, waiting_add, w);
	return w->t->ret == H_OK;
}

static int by_start(const void *a, const void *b)
{
	const struct booking *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void waiting_free(struct waiting *w)
{
	for (size_t i = 0; i < w->n; i++)
		booking_free(&w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* The zone of the manager's day: their first venue's. */
static bool manager_zone(struct txn *t, const struct user *u, struct venue *out)
{
	for (size_t i = 0; i < u->nvenues; i++) {
		if (venue_get(t, u->venues[i], out) == H_OK)
			return true;
		venue_free(out);
	}
	return false;
}

static void digest_send(struct notify_ctx *c, const struct user *u, const struct waiting *w,
                        uint64_t id)
{
	struct places places = {0};
	struct mail_buf lines = {0};
	char subject[256], when[WHEN_MAX * 2], asked[WHEN_MAX];
	char *url = notify_url(c, "/requests");
	struct notify_msg m;

	for (size_t i = 0; i < w->n && notify_list_room(&lines, i, w->n); i++) {
		const struct booking *b = &w->v[i];
		const struct place *p = places_get(&places, c->t, b->room_id);
		const char *group = places_group_name(&places, c->t, b->group_id);

		when_words(b->start, b->end, p->venue.tz, when, sizeof(when));
		when_day(b->created_at, p->venue.tz, asked, sizeof(asked));
		mail_buf_printf(&lines, "%s%s: %s, %s, %s (asked on %s)", i > 0 ? "\n" : "",
		                group != NULL ? group : "A group", b->title, p->room.name, when,
		                asked);
	}
	text_format(subject, sizeof(subject), "%zu request%s waiting more than two days", w->n,
	            w->n == 1 ? "" : "s");
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.kind = "digest";
	m.subject = subject;
	m.why = "You get this message each morning when requests at the venues you manage have "
	        "waited more than two days.";
	mail_body_init(&m.body);
	mail_para(&m.body,
	          "%s at the venues you manage %s waited more than two days for a "
	          "decision:\n%s",
	          w->n == 1 ? "This request" : "These requests", w->n == 1 ? "has" : "have",
	          lines.s);
	mail_link(&m.body, w->n == 1 ? "Approve or decline it" : "Approve or decline them", url);
	notify_send(c, u, &m);
	mail_body_free(&m.body);
	mail_buf_free(&lines);
	places_free(&places);
	free(url);
}

/* u's digest for today, when it is due and not made yet and something waits. */
static void digest_for(struct notify_ctx *c, const struct user *u)
{
	struct waiting w = {.t = c->t, .now = c->now};
	struct venue v;
	struct localtm lt;
	char key[96];

	if (!manager_zone(c->t, u, &v))
		return;
	tz_to_local(v.tz, c->now, &lt);
	venue_free(&v);
	snprintf(key, sizeof(key), "digest:%llu:%04d-%02d-%02d", (unsigned long long)u->id, lt.year,
	         lt.month, lt.day);
	if (lt.hour < DIGEST_HOUR || outbox_once_done(c->t, key))
		return;
	for (size_t i = 0; i < u->nvenues && c->t->ret == H_OK; i++)
		if (person_manages(u, u->venues[i]))
			room_each(c->t, u->venues[i], waiting_room, &w);
	if (w.n > 0 && c->t->ret == H_OK) {
		uint64_t id = outbox_new_id(c->t);

		qsort(w.v, w.n, sizeof(*w.v), by_start);
		if (outbox_once(c->t, key, id))
			digest_send(c, u, &w, id);
	}
	waiting_free(&w);
}

static enum herr sweep_digests(struct txn *t, int64_t now)
{
	struct notify_ctx c;
	struct people people = {0};

	if (notify_ctx_init(&c, t, NULL, now) == H_OK &&
	    people_load(t, NOTICE_DIGEST, 0, 0, &people) == H_OK)
		for (size_t i = 0; i < people.n && t->ret == H_OK; i++)
			if (people.v[i].nvenues > 0 &&
			    person_manages(&people.v[i], people.v[i].venues[0]))
				digest_for(&c, &people.v[i]);
	people_free(&people);
	notify_ctx_free(&c);
	return t->ret;
}

enum herr notify_sweep(struct txn *t, int64_t now)
{
	if (sweep_reminders(t, now) == H_OK)
		sweep_digests(t, now);
	return t->ret;
}
