/* The messages of provisional holds (hold.h): before a hold lapses, the group's members
 * and the venue's managers are told when it will; when it lapses, what became of the
 * request. */
#include "hold.h"

#include "notify.h"
#include "notify_parts.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct held {
	struct notify_ctx c;
	const struct booking *b;
	struct place p;
	char *group;
	char day[WHEN_MAX];   /* the booking's day, for subjects */
	char until[WHEN_MAX]; /* when the hold lapses (or lapsed) */
	bool release;         /* the room's hold_lapse: the request is released */
};

static enum herr held_init(struct held *h, struct txn *t, const struct booking *b, int64_t until,
                           int64_t now)
{
	memset(h, 0, sizeof(*h));
	h->b = b;
	place_init(&h->p);
	if (notify_ctx_init(&h->c, t, NULL, now) != H_OK)
		return t->ret;
	place_free(&h->p);
	if (place_load(t, b->room_id, &h->p) != H_OK)
		return t->ret;
	h->group = notify_group_name(t, b->group_id);
	h->release = h->p.room.hold_lapse == HOLD_LAPSE_RELEASE;
	when_day(b->start, h->p.venue.tz, h->day, sizeof(h->day));
	when_moment(until, h->p.venue.tz, h->until, sizeof(h->until));
	return t->ret;
}

static void held_free(struct held *h)
{
	notify_ctx_free(&h->c);
	place_free(&h->p);
	free(h->group);
}

static void held_link(struct held *h, struct mail_body *body, const char *words, const char *path)
{
	char *url = notify_url(&h->c, path);

	mail_link(body, words, url);
	free(url);
}

static void held_send(struct held *h, const struct user *to, struct notify_msg *m, bool member)
{
	char *why = member ? notify_why_member(h->group) : notify_why_manager(&h->p);

	m->why = why;
	notify_send(&h->c, to, m);
	free(why);
}

static void held_msg(struct notify_msg *m, const char *kind, uint64_t about, const char *subject)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->about_id = about;
	m->subject = subject;
	mail_body_init(&m->body);
}

/* --- before --- */

static void ending(struct held *h, const struct user *u, bool member)
{
	char subject[512];
	struct notify_msg m;

	if (member)
		text_format(subject, sizeof(subject), "Hold ends soon: %s, %s", h->b->title,
		            h->day);
	else
		text_format(subject, sizeof(subject), "Hold ends soon: %s, %s, %s", h->group,
		            h->p.room.name, h->day);
	held_msg(&m, "hold-ending", h->b->id, subject);
	if (member)
		mail_para(&m.body,
		          "%s at %s is held for the request of %s until %s. If the venue has not "
		          "approved it by then, %s.",
		          h->p.room.name, h->p.venue.name, h->group, h->until,
		          h->release ? "the hold lapses and the request is released"
		                     : "the hold lapses: the request still waits for a decision, "
		                       "but another group may then ask for the same time");
	else
		mail_para(&m.body,
		          "The request of %s holds %s until %s. Please approve or decline it "
		          "before then; if not, %s.",
		          h->group, h->p.room.name, h->until,
		          h->release ? "it will be declined and the time freed"
		                     : "it will stay waiting without a hold");
	notify_booking_facts(&m.body, h->b, &h->p, h->group);
	mail_fact(&m.body, "Held until", h->until);
	if (member)
		held_link(h, &m.body, "See your group's bookings", "/my-bookings");
	else
		held_link(h, &m.body, "Approve or decline it", "/requests");
	held_send(h, u, &m, member);
	mail_body_free(&m.body);
}

/* --- at the end --- */

static void lapsed(struct held *h, const struct user *u, bool member)
{
	char subject[512];
	struct notify_msg m;

	if (member)
		text_format(subject, sizeof(subject), "%s: %s, %s",
		            h->release ? "Request released" : "Hold lapsed", h->b->title, h->day);
	else
		text_format(subject, sizeof(subject), "%s: %s, %s, %s",
		            h->release ? "Request released" : "Hold lapsed", h->group,
		            h->p.room.name, h->day);
	held_msg(&m, "hold-lapsed", h->b->id, subject);
	mail_para(&m.body,
	          "The hold on %s at %s for the request of %s ended on %s before the venue had "
	          "decided it.",
	          h->p.room.name, h->p.venue.name, h->group, h->until);
	if (h->release)
		mail_para(&m.body, "So the request has been released (declined), and the time is "
		                   "free for others to ask for.");
	else
		mail_para(&m.body,
		          "The request still waits for a decision, but no longer holds the "
		          "time: another group may now ask for it too.");
	notify_booking_facts(&m.body, h->b, &h->p, h->group);
	if (member && h->release) {
		char path[64];

		snprintf(path, sizeof(path), "/request?room=%llu",
		         (unsigned long long)h->b->room_id);
		held_link(h, &m.body, "Ask again", path);
	} else if (member) {
		held_link(h, &m.body, "See your group's bookings", "/my-bookings");
	} else if (!h->release) {
		held_link(h, &m.body, "Approve or decline it", "/requests");
	}
	held_send(h, u, &m, member);
	mail_body_free(&m.body);
}

/* Tells every member (release: what the lapse did; -1: what the room says) of b's group and manager
 * of its venue, through fn. */
static enum herr held_tell(struct txn *t, const struct booking *b, int64_t until, int release,
                           int64_t now,
                           void (*fn)(struct held *h, const struct user *u, bool member))
{
	struct held h;
	struct people people = {0};

	if (held_init(&h, t, b, until, now) == H_OK && release >= 0)
		h.release = release != 0;
	if (t->ret == H_OK &&
	    people_load(t, NOTICE_DECISIONS, b->group_id, h.p.venue.id, &people) == H_OK) {
		for (size_t i = 0; i < people.n && t->ret == H_OK; i++) {
			const struct user *u = &people.v[i];

			if (person_member_of(u, b->group_id))
				fn(&h, u, true);
			else if (person_manages(u, h.p.venue.id))
				fn(&h, u, false);
		}
	}
	people_free(&people);
	held_free(&h);
	return t->ret;
}

enum herr notify_hold_ending(struct txn *t, const struct booking *b, int64_t until, int64_t now)
{
	return held_tell(t, b, until, -1, now, ending);
}

enum herr notify_hold_lapsed(struct txn *t, const struct booking *b, int64_t until, bool released,
                             int64_t now)
{
	return held_tell(t, b, until, released, now, lapsed);
}
