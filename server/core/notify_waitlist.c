/* The messages of waitlists: an exclusive offer (to the group whose turn it is, at once)
 * and an offer that ran out. */
#include "notify_waitlist.h"

#include "notify_parts.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What every waitlist message says of the slot. */
static void slot_facts(struct mail_body *body, const struct waitlist_entry *e,
                       const struct place *p, const char *group)
{
	char when[WHEN_MAX * 2];
	char *where = notify_where(p);

	when_words(e->start, e->end, p->venue.tz, when, sizeof(when));
	mail_fact(body, "When", when);
	mail_fact(body, "Where", where);
	mail_fact(body, "Group", group);
	free(where);
}

struct wl_msg {
	struct notify_ctx c;
	char *group;
	char day[WHEN_MAX];
	char until[WHEN_MAX];
	struct herror kept;
};

static enum herr wl_init(struct wl_msg *w, struct txn *t, const struct actor *a,
                         const struct waitlist_entry *e, const struct place *p, int64_t now)
{
	memset(w, 0, sizeof(*w));
	w->kept = *t->err;
	if (notify_ctx_init(&w->c, t, a, now) != H_OK)
		return t->ret;
	w->group = notify_group_name(t, e->group_id);
	when_day(e->start, p->venue.tz, w->day, sizeof(w->day));
	when_moment(e->offer_until, p->venue.tz, w->until, sizeof(w->until));
	return t->ret;
}

static enum herr wl_free(struct wl_msg *w, struct txn *t)
{
	if (t->ret == H_OK)
		*t->err = w->kept;
	notify_ctx_free(&w->c);
	free(w->group);
	return t->ret;
}

/* Sends one message (built by compose) to each member of e's group who wants notice n. */
static void to_members(struct wl_msg *w, struct txn *t, const struct waitlist_entry *e,
                       const struct place *p, const char *kind, const char *subject,
                       void (*compose)(struct wl_msg *w, struct mail_body *body,
                                       const struct waitlist_entry *e, const struct place *p,
                                       bool next),
                       bool next)
{
	struct people people = {0};
	char *why = notify_why_member(w->group);

	if (people_load(t, NOTICE_DECISIONS, e->group_id, 0, &people) == H_OK) {
		for (size_t i = 0; i < people.n && t->ret == H_OK; i++) {
			struct notify_msg m;

			if (!person_member_of(&people.v[i], e->group_id))
				continue;
			memset(&m, 0, sizeof(m));
			m.kind = kind;
			m.about_id = e->id;
			m.subject = subject;
			m.why = why;
			mail_body_init(&m.body);
			compose(w, &m.body, e, p, next);
			notify_send(&w->c, &people.v[i], &m);
			mail_body_free(&m.body);
		}
	}
	people_free(&people);
	free(why);
}

static void offered_words(struct wl_msg *w, struct mail_body *body, const struct waitlist_entry *e,
                          const struct place *p, bool next)
{
	char *url = notify_url(&w->c, "/waitlist");

	if (next)
		mail_para(body,
		          "You are next in line: the group before %s on the waitlist did not take "
		          "the slot, so %s at %s is now offered to %s.",
		          w->group, p->room.name, p->venue.name, w->group);
	else
		mail_para(body, "%s at %s has come free, and %s is first on its waitlist.",
		          p->room.name, p->venue.name, w->group);
	mail_para(body,
	          "It is offered to %s alone until %s. Accept it before then to ask for the "
	          "booking, or decline it so that the next group can have it.",
	          w->group, w->until);
	slot_facts(body, e, p, w->group);
	mail_fact(body, "Offer ends", w->until);
	mail_link(body, "Accept or decline the offer", url);
	free(url);
}

enum herr notify_waitlist_offered(struct txn *t, const struct actor *a,
                                  const struct waitlist_entry *e, const struct place *p, bool next,
                                  int64_t now)
{
	struct wl_msg w;
	char subject[512];

	if (wl_init(&w, t, a, e, p, now) == H_OK) {
		text_format(subject, sizeof(subject), "Offered to you: %s, %s", p->room.name,
		            w.day);
		to_members(&w, t, e, p, "waitlist-offered", subject, offered_words, next);
	}
	return wl_free(&w, t);
}

static void lapsed_words(struct wl_msg *w, struct mail_body *body, const struct waitlist_entry *e,
                         const struct place *p, bool next)
{
	char *url = notify_url(&w->c, "/waitlist");

	(void)next;
	mail_para(body,
	          "The offer of %s at %s to %s ended on %s without an answer. %s is no longer "
	          "on this waitlist; if another group is waiting, the offer has passed to it.",
	          p->room.name, p->venue.name, w->group, w->until, w->group);
	slot_facts(body, e, p, w->group);
	mail_link(body, "See your group's waitlists", url);
	free(url);
}

enum herr notify_waitlist_lapsed(struct txn *t, const struct waitlist_entry *e,
                                 const struct place *p, int64_t now)
{
	struct wl_msg w;
	char subject[512];

	if (wl_init(&w, t, NULL, e, p, now) == H_OK) {
		text_format(subject, sizeof(subject), "Offer ended: %s, %s", p->room.name, w.day);
		to_members(&w, t, e, p, "waitlist-offer-lapsed", subject, lapsed_words, false);
	}
	return wl_free(&w, t);
}
