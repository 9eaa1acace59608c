/* The messages about one booking: a request received (the group's receipt, the
 * managers' request to decide), approved, declined, cancelled and moved. */
#include "notify.h"

#include "allowance.h"
#include "notify_parts.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One booking and what every message about it needs, loaded once per change. */
struct about {
	struct notify_ctx c;
	const struct booking *b;
	struct place p;
	char *group;
	char day[WHEN_MAX]; /* "Tuesday 8 December 2026": the booking's day, for subjects */
	bool at_once;       /* approved as it was asked for */
	/* A request sent for approval by the group's allowance (allowance.h): the figures. */
	bool over_allowance;
	char allowance[1024];
	struct herror kept; /* t->err as the change left it (an approval's conflicts) */
};

static enum herr about_init(struct about *ab, struct txn *t, const struct actor *a,
                            const struct booking *b, int64_t now)
{
	memset(ab, 0, sizeof(*ab));
	ab->kept = *t->err;
	ab->b = b;
	place_init(&ab->p);
	if (notify_ctx_init(&ab->c, t, a, now) != H_OK)
		return t->ret;
	place_free(&ab->p);
	if (place_load(t, b->room_id, &ab->p) != H_OK)
		return t->ret;
	ab->group = notify_group_name(t, b->group_id);
	when_day(b->start, ab->p.venue.tz, ab->day, sizeof(ab->day));
	return t->ret;
}

/* Ends the change's messages; t->err goes back to what the change itself said. */
static enum herr about_free(struct about *ab)
{
	struct txn *t = ab->c.t;

	if (t != NULL && t->ret == H_OK)
		*t->err = ab->kept;
	notify_ctx_free(&ab->c);
	place_free(&ab->p);
	free(ab->group);
	return t != NULL ? t->ret : H_OK;
}

/* Who acted, as a quotation names them. */
static const char *actor_words(const struct about *ab)
{
	return ab->c.actor_name != NULL ? ab->c.actor_name : "The venue's staff";
}

static void link_to(struct about *ab, struct mail_body *body, const char *words, const char *path)
{
	char *url = notify_url(&ab->c, path);

	mail_link(body, words, url);
	free(url);
}

/* The page where a group asks for the room again. */
static void link_request_again(struct about *ab, struct mail_body *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/request?room=%llu", (unsigned long long)ab->b->room_id);
	link_to(ab, body, "Ask for another time", path);
}

/* Sends m to to, as a member of the group, with the booking as an invitation when
 * method is REQUEST or CANCEL (ICS_PUBLISH: none). */
static void send_member(struct about *ab, const struct user *to, struct notify_msg *m,
                        enum ics_method method)
{
	char *why = notify_why_member(ab->group);
	char *cal = NULL;

	if (method != ICS_PUBLISH) {
		cal = notify_invite_booking(&ab->c, ab->b, &ab->p, to, method);
		mail_para(&m->body,
		          method == ICS_CANCEL
		              ? "The cancellation is attached for your calendar."
		              : "The booking is attached as a calendar invitation: accept "
		                "it to add it to your calendar.");
	}
	m->why = why;
	m->calendar = cal;
	m->method = method;
	notify_send(&ab->c, to, m);
	free(cal);
	free(why);
}

static void send_manager(struct about *ab, const struct user *to, struct notify_msg *m)
{
	char *why = notify_why_manager(&ab->p);

	m->why = why;
	notify_send(&ab->c, to, m);
	free(why);
}

/* Calls fn for each person of people who is a member of the booking's group (told as a
 * member) or a manager of its venue (as a manager), other than except (0: none). */
static void each_told(struct about *ab, const struct people *people, uint64_t except,
                      void (*member)(struct about *ab, const struct user *u),
                      void (*manager)(struct about *ab, const struct user *u))
{
	for (size_t i = 0; i < people->n && ab->c.t->ret == H_OK; i++) {
		const struct user *u = &people->v[i];

		if (u->id == except)
			continue;
		if (member != NULL && person_member_of(u, ab->b->group_id))
			member(ab, u);
		else if (manager != NULL && person_manages(u, ab->p.venue.id))
			manager(ab, u);
	}
}

static void msg_init(struct notify_msg *m, const char *kind, uint64_t about, const char *subject)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->about_id = about;
	m->subject = subject;
	mail_body_init(&m->body);
}

/* --- a request --- */

static void receipt(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	text_format(subject, sizeof(subject), "Request sent: %s, %s", ab->b->title, ab->day);
	msg_init(&m, "booking-requested", ab->b->id, subject);
	mail_para(&m.body,
	          "%s has asked for %s at %s. A manager of the venue will approve or "
	          "decline the request, and you will get a message when they do.",
	          ab->group, ab->p.room.name, ab->p.venue.name);
	if (ab->over_allowance)
		mail_para(&m.body,
		          "It waits for a manager because it is over your group's allowance of "
		          "hours: %s.",
		          ab->allowance);
	notify_booking_facts(&m.body, ab->b, &ab->p, ab->group);
	if (ab->c.actor_name != NULL)
		mail_fact(&m.body, "Asked by", ab->c.actor_name);
	link_to(ab, &m.body, "See your group's bookings", "/my-bookings");
	send_member(ab, u, &m, ICS_PUBLISH);
	mail_body_free(&m.body);
}

static void to_decide(struct about *ab, const struct user *u)
{
	char subject[512], people[32];
	struct notify_msg m;

	text_format(subject, sizeof(subject), "New request: %s, %s, %s", ab->group, ab->p.room.name,
	            ab->day);
	msg_init(&m, "booking-request-to-decide", ab->b->id, subject);
	mail_para(&m.body, "%s asks for %s at %s. Please approve or decline the request.",
	          ab->group, ab->p.room.name, ab->p.venue.name);
	if (ab->over_allowance)
		mail_para(
		    &m.body,
		    "It is over the group's allowance of hours: %s. Approving it overrides the "
		    "allowance, which the audit log records.",
		    ab->allowance);
	notify_booking_facts(&m.body, ab->b, &ab->p, ab->group);
	snprintf(people, sizeof(people), "%u", ab->b->attendees);
	if (ab->b->attendees > 0)
		mail_fact(&m.body, "People", people);
	if (ab->c.actor_name != NULL)
		mail_fact(&m.body, "Asked by", ab->c.actor_name);
	if (ab->b->description != NULL && ab->b->description[0] != '\0')
		mail_quote(&m.body, ab->group, ab->b->description);
	link_to(ab, &m.body, "Approve or decline it", "/requests");
	send_manager(ab, u, &m);
	mail_body_free(&m.body);
}

/* --- decisions --- */

static void approved(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	text_format(subject, sizeof(subject), "Booking approved: %s, %s", ab->b->title, ab->day);
	msg_init(&m, "booking-approved", ab->b->id, subject);
	if (ab->at_once && ab->c.actor_name != NULL)
		mail_para(&m.body, "%s has booked %s at %s for %s.", ab->c.actor_name,
		          ab->p.room.name, ab->p.venue.name, ab->group);
	else if (ab->at_once)
		mail_para(&m.body, "%s at %s is booked for %s.", ab->p.room.name, ab->p.venue.name,
		          ab->group);
	else
		mail_para(&m.body, "%s has approved the request: %s is booked for %s.",
		          ab->p.venue.name, ab->p.room.name, ab->group);
	notify_booking_facts(&m.body, ab->b, &ab->p, ab->group);
	if (ab->b->note != NULL && ab->b->note[0] != '\0')
		mail_quote(&m.body, actor_words(ab), ab->b->note);
	link_to(ab, &m.body, "See your group's bookings", "/my-bookings");
	send_member(ab, u, &m, ICS_REQUEST);
	mail_body_free(&m.body);
}

static void declined(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	text_format(subject, sizeof(subject), "Request declined: %s, %s", ab->b->title, ab->day);
	msg_init(&m, "booking-declined", ab->b->id, subject);
	mail_para(&m.body, "%s has declined the request of %s for %s.", ab->p.venue.name, ab->group,
	          ab->p.room.name);
	notify_booking_facts(&m.body, ab->b, &ab->p, ab->group);
	if (ab->b->note != NULL && ab->b->note[0] != '\0')
		mail_quote(&m.body, actor_words(ab), ab->b->note);
	mail_para(&m.body, "You can ask for another time, or another room.");
	link_request_again(ab, &m.body);
	send_member(ab, u, &m, ab->b->was_approved ? ICS_CANCEL : ICS_PUBLISH);
	mail_body_free(&m.body);
}

static void cancelled_words(struct about *ab, struct notify_msg *m, char *subject, size_t size,
                            bool manager)
{
	if (manager)
		text_format(subject, size, "Booking cancelled: %s, %s, %s", ab->group,
		            ab->p.room.name, ab->day);
	else
		text_format(subject, size, "Booking cancelled: %s, %s", ab->b->title, ab->day);
	msg_init(m, "booking-cancelled", ab->b->id, subject);
	if (ab->c.actor_name != NULL)
		mail_para(&m->body, "%s has cancelled the booking of %s for %s.", ab->c.actor_name,
		          ab->p.room.name, ab->group);
	else
		mail_para(&m->body, "The booking of %s for %s has been cancelled.", ab->p.room.name,
		          ab->group);
	notify_booking_facts(&m->body, ab->b, &ab->p, ab->group);
	if (ab->b->note != NULL && ab->b->note[0] != '\0')
		mail_quote(&m->body, actor_words(ab), ab->b->note);
}

static void cancelled_member(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	cancelled_words(ab, &m, subject, sizeof(subject), false);
	link_to(ab, &m.body, "See your group's bookings", "/my-bookings");
	send_member(ab, u, &m, ab->b->was_approved ? ICS_CANCEL : ICS_PUBLISH);
	mail_body_free(&m.body);
}

static void cancelled_manager(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	cancelled_words(ab, &m, subject, sizeof(subject), true);
	if (ab->b->was_approved)
		mail_para(&m.body, "The room is free again at that time.");
	link_to(ab, &m.body, "See the venue's calendar", "/venue-calendar");
	send_manager(ab, u, &m);
	mail_body_free(&m.body);
}

/* --- a move --- */

struct moved_about {
	struct about ab;
	const struct booking *old;
};

static void moved_words(struct about *ab, struct notify_msg *m, char *subject, size_t size,
                        bool manager)
{
	const struct booking *old = ((struct moved_about *)ab)->old;
	char was[WHEN_MAX * 2];

	if (manager)
		text_format(subject, size, "Booking moved: %s, %s, now %s", ab->group,
		            ab->p.room.name, ab->day);
	else
		text_format(subject, size, "Booking moved: %s, now %s", ab->b->title, ab->day);
	msg_init(m, "booking-moved", ab->b->id, subject);
	if (ab->c.actor_name != NULL)
		mail_para(&m->body, "%s has moved the booking of %s for %s to another time.",
		          ab->c.actor_name, ab->p.room.name, ab->group);
	else
		mail_para(&m->body, "The booking of %s for %s has moved to another time.",
		          ab->p.room.name, ab->group);
	when_words(old->start, old->end, ab->p.venue.tz, was, sizeof(was));
	notify_booking_facts(&m->body, ab->b, &ab->p, ab->group);
	mail_fact(&m->body, "Was", was);
	if (ab->b->status == BOOKING_PENDING && old->status == BOOKING_APPROVED)
		mail_para(&m->body, "The new time waits for a manager of the venue to approve it.");
	else if (ab->b->status == BOOKING_PENDING)
		mail_para(&m->body, "The request still waits for a manager of the venue to approve "
		                    "it.");
}

static void moved_member(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	moved_words(ab, &m, subject, sizeof(subject), false);
	link_to(ab, &m.body, "See your group's bookings", "/my-bookings");
	/* A calendar that holds the booking follows it, tentative while it waits again. */
	send_member(ab, u, &m, ab->b->was_approved ? ICS_REQUEST : ICS_PUBLISH);
	mail_body_free(&m.body);
}

static void moved_manager(struct about *ab, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	moved_words(ab, &m, subject, sizeof(subject), true);
	if (ab->b->status == BOOKING_PENDING)
		link_to(ab, &m.body, "Approve or decline it", "/requests");
	else
		link_to(ab, &m.body, "See the venue's calendar", "/venue-calendar");
	send_manager(ab, u, &m);
	mail_body_free(&m.body);
}

/* --- the hooks --- */

/* Tells people of notice n: members through member, managers through manager, leaving
 * out except. */
static void tell(struct about *ab, enum notice n, uint64_t except,
                 void (*member)(struct about *ab, const struct user *u),
                 void (*manager)(struct about *ab, const struct user *u))
{
	struct people people;

	if (ab->c.t->ret != H_OK ||
	    people_load(ab->c.t, n, ab->b->group_id, ab->p.venue.id, &people) != H_OK) {
		people_free(&people);
		return;
	}
	each_told(ab, &people, except, member, manager);
	people_free(&people);
}

enum herr notify_booking_requested(struct txn *t, const struct actor *a, const struct booking *b,
                                   int64_t now)
{
	struct about ab;

	if (about_init(&ab, t, a, b, now) == H_OK) {
		/* The group hears of its own request: the receipt is its record of it. */
		if (b->status == BOOKING_APPROVED) {
			ab.at_once = true;
			tell(&ab, NOTICE_DECISIONS, 0, approved, NULL);
		} else {
			ab.over_allowance =
			    allowance_sent_for_approval(t, b, ab.allowance, sizeof(ab.allowance));
			tell(&ab, NOTICE_REQUESTS, 0, receipt, NULL);
			tell(&ab, NOTICE_REQUESTS, ab.c.actor_id, NULL, to_decide);
		}
	}
	return about_free(&ab);
}

enum herr notify_booking_decided(struct txn *t, const struct actor *a, const struct booking *b,
                                 int64_t now)
{
	struct about ab;

	if (about_init(&ab, t, a, b, now) == H_OK) {
		switch (b->status) {
		case BOOKING_APPROVED:
			tell(&ab, NOTICE_DECISIONS, ab.c.actor_id, approved, NULL);
			break;
		case BOOKING_DECLINED:
			tell(&ab, NOTICE_DECISIONS, ab.c.actor_id, declined, NULL);
			break;
		case BOOKING_CANCELLED:
			tell(&ab, NOTICE_CHANGES, ab.c.actor_id, cancelled_member,
			     cancelled_manager);
			break;
		case BOOKING_PENDING:
			break;
		}
	}
	return about_free(&ab);
}

enum herr notify_booking_moved(struct txn *t, const struct actor *a, const struct booking *old,
                               const struct booking *b, int64_t now)
{
	struct moved_about mv;

	mv.old = old;
	if (about_init(&mv.ab, t, a, b, now) == H_OK)
		tell(&mv.ab, NOTICE_CHANGES, mv.ab.c.actor_id, moved_member, moved_manager);
	return about_free(&mv.ab);
}
