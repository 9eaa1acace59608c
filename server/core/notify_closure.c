/* The message about a closure: to each group with pending or approved bookings that a
 * new (or changed) closure covers, one message listing them and what the group can do
 * next. A closure does not cancel bookings (closure.h): a manager or the group decides. */
#include "notify.h"

#include "notify_parts.h"
#include "room.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hits {
	struct txn *t;
	const struct closure *c, *old;
	int64_t now;
	struct booking *v; /* the bookings the closure newly covers */
	size_t n;
};

static bool overlaps(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Whether closure c (its days, for one that follows a date set) covers [start, end). */
static bool covers(const struct closure *c, int64_t start, int64_t end)
{
	if (c->ndays == 0)
		return overlaps(start, end, c->start, c->end);
	for (size_t i = 0; i < c->ndays; i++)
		if (overlaps(start, end, c->days[i].start, c->days[i].end))
			return true;
	return false;
}

static bool hit_add(const struct block *blk, void *arg)
{
	struct hits *h = arg;
	struct booking b;

	/* What is over is past helping; what the closure covered before has been told;
	 * a booking met on two days of a set is one. */
	if (blk->end <= h->now || (h->old != NULL && covers(h->old, blk->start, blk->end)))
		return true;
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].id == blk->booking_id)
			return true;
	if (booking_get(h->t, blk->booking_id, &b) != H_OK) {
		booking_free(&b);
		return h->t->ret == H_OK;
	}
	h->v = xrealloc(h->v, (h->n + 1) * sizeof(*h->v));
	h->v[h->n++] = b;
	return true;
}

static void hits_in_room(struct hits *h, uint64_t room_id)
{
	if (h->c->ndays == 0) {
		booking_blocks(h->t, room_id, -1, h->c->start, h->c->end, 0, hit_add, h);
		return;
	}
	for (size_t i = 0; i < h->c->ndays && h->t->ret == H_OK; i++)
		if (h->c->days[i].end > h->now)
			booking_blocks(h->t, room_id, -1, h->c->days[i].start, h->c->days[i].end, 0,
			               hit_add, h);
}

static bool hits_room(const struct room *r, void *arg)
{
	struct hits *h = arg;

	hits_in_room(h, r->id);
	return h->t->ret == H_OK;
}

static int by_group_then_start(const void *a, const void *b)
{
	const struct booking *x = a, *y = b;

	if (x->group_id != y->group_id)
		return x->group_id < y->group_id ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void hits_free(struct hits *h)
{
	for (size_t i = 0; i < h->n; i++)
		booking_free(&h->v[i]);
	free(h->v);
}

/* One group's bookings in the closure, and the words about the closure. */
struct closure_about {
	struct notify_ctx c;
	const struct closure *cl;
	struct places places;
	const struct place *first; /* the first booking's place: the venue, its zone */
	const struct booking *v;   /* the group's bookings hit, in start order */
	size_t n;
	char *group;
};

static void closure_words(struct closure_about *ca, struct notify_msg *m, char *subject,
                          size_t size)
{
	const struct place *p = ca->first;
	struct mail_buf lines = {0};
	char when[WHEN_MAX * 2], path[64], *url;

	text_format(subject, size, "Closure at %s: %zu booking%s of %s", p->venue.name, ca->n,
	            ca->n == 1 ? "" : "s", ca->group);
	memset(m, 0, sizeof(*m));
	m->kind = "closure-notice";
	m->about_id = ca->cl->id;
	m->subject = subject;
	mail_body_init(&m->body);
	when_words(ca->cl->start, ca->cl->end, p->venue.tz, when, sizeof(when));
	if (ca->cl->ndays > 0)
		text_format(when + strlen(when), sizeof(when) - strlen(when),
		            " (the %zu days of date set %llu, each the whole day)", ca->cl->ndays,
		            (unsigned long long)ca->cl->date_set_id);
	if (ca->cl->scope == CLOSURE_ROOM)
		mail_para(&m->body, "%s at %s will be closed: %s.", p->room.name, p->venue.name,
		          when);
	else
		mail_para(&m->body, "%s will be closed: %s.", p->venue.name, when);
	mail_fact(&m->body, "Reason", ca->cl->reason != NULL ? ca->cl->reason : "");
	for (size_t i = 0; i < ca->n && notify_list_room(&lines, i, ca->n); i++) {
		const struct place *bp = places_get(&ca->places, ca->c.t, ca->v[i].room_id);

		when_words(ca->v[i].start, ca->v[i].end, bp->venue.tz, when, sizeof(when));
		mail_buf_printf(&lines, "%s%s: %s, %s (%s)", i > 0 ? "\n" : "", ca->v[i].title,
		                bp->room.name, when, booking_status_name(ca->v[i].status));
	}
	mail_para(&m->body, "The closure falls on %s of %s:\n%s",
	          ca->n == 1 ? "this booking" : "these bookings", ca->group, lines.s);
	mail_buf_free(&lines);
	mail_para(&m->body,
	          "The room cannot be used then. %s not been cancelled: please find another "
	          "time or another room, and cancel what you no longer need so that the venue "
	          "knows.",
	          ca->n == 1 ? "The booking has" : "The bookings have");
	snprintf(path, sizeof(path), "/request?room=%llu", (unsigned long long)ca->v[0].room_id);
	url = notify_url(&ca->c, path);
	mail_link(&m->body, "Find another time", url);
	free(url);
	url = notify_url(&ca->c, "/my-bookings");
	mail_link(&m->body, "See and cancel your group's bookings", url);
	free(url);
	if (p->venue.email != NULL && p->venue.email[0] != '\0')
		mail_para(&m->body, "Questions about the closure: write to %s at %s.",
		          p->venue.name, p->venue.email);
}

static void tell_group(struct closure_about *ca, const struct people *people)
{
	char *why = notify_why_member(ca->group);

	for (size_t i = 0; i < people->n && ca->c.t->ret == H_OK; i++) {
		const struct user *u = &people->v[i];
		char subject[512];
		struct notify_msg m;

		if (u->id == ca->c.actor_id || !person_member_of(u, ca->v[0].group_id))
			continue;
		closure_words(ca, &m, subject, sizeof(subject));
		m.why = why;
		notify_send(&ca->c, u, &m);
		mail_body_free(&m.body);
	}
	free(why);
}

enum herr notify_closure(struct txn *t, const struct actor *a, const struct closure *c,
                         const struct closure *old, int64_t now)
{
	struct herror kept = *t->err;
	struct hits h = {.t = t, .c = c, .old = old, .now = now};
	struct closure_about ca = {.cl = c};
	struct people people = {0};

	if (c->scope == CLOSURE_ROOM)
		hits_in_room(&h, c->target);
	else
		room_each(t, c->target, hits_room, &h);
	if (t->ret != H_OK || h.n == 0 || notify_ctx_init(&ca.c, t, a, now) != H_OK ||
	    people_load(t, NOTICE_CLOSURES, 0, 0, &people) != H_OK)
		goto out;
	qsort(h.v, h.n, sizeof(*h.v), by_group_then_start);
	for (size_t i = 0, j; i < h.n && t->ret == H_OK; i = j) {
		for (j = i; j < h.n && h.v[j].group_id == h.v[i].group_id; j++)
			;
		ca.v = &h.v[i];
		ca.n = j - i;
		ca.first = places_get(&ca.places, t, h.v[i].room_id);
		ca.group = notify_group_name(t, h.v[i].group_id);
		tell_group(&ca, &people);
		free(ca.group);
		ca.group = NULL;
	}
out:
	people_free(&people);
	places_free(&ca.places);
	notify_ctx_free(&ca.c);
	hits_free(&h);
	if (t->ret == H_OK)
		*t->err = kept;
	return t->ret;
}
