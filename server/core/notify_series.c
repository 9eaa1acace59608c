/* The messages about a series as a whole: requested (the group's receipt, the managers'
 * request to decide) and decided (approved, declined or cancelled), each one message for
 * all the dates it concerns. A date changed on its own is told of as any booking is
 * (notify_booking.c). */
#include "notify.h"

#include "notify_parts.h"
#include "series.h"
#include "text.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One series and what its messages need, loaded once per change. */
struct series_about {
	struct notify_ctx c;
	const struct series *s;
	struct place p;
	char *group;
	struct notify_dates all;      /* every date of the series, in rule order */
	const struct booking **dates; /* the dates this message is about */
	size_t n;
	const struct series_outcome *out; /* the dates that could not be booked or decided */
	enum booking_status to;           /* what the dates became */
	const char *note;                 /* the decision's words */
	bool decision;                    /* a decision, not a request */
	struct herror kept;
};

static enum herr series_about_init(struct series_about *sa, struct txn *t, const struct actor *a,
                                   const struct series *s, int64_t now)
{
	memset(sa, 0, sizeof(*sa));
	sa->kept = *t->err;
	sa->s = s;
	place_init(&sa->p);
	if (notify_ctx_init(&sa->c, t, a, now) != H_OK)
		return t->ret;
	place_free(&sa->p);
	if (place_load(t, s->room_id, &sa->p) != H_OK ||
	    notify_dates_load(t, s->id, &sa->all) != H_OK)
		return t->ret;
	sa->group = notify_group_name(t, s->group_id);
	sa->dates = xcalloc(sa->all.n ? sa->all.n : 1, sizeof(*sa->dates));
	return t->ret;
}

static enum herr series_about_free(struct series_about *sa)
{
	struct txn *t = sa->c.t;

	if (t != NULL && t->ret == H_OK)
		*t->err = sa->kept;
	notify_ctx_free(&sa->c);
	place_free(&sa->p);
	notify_dates_free(&sa->all);
	free(sa->dates);
	free(sa->group);
	return t != NULL ? t->ret : H_OK;
}

/* "1 date", "12 dates". */
static void count_words(size_t n, char *out, size_t size)
{
	snprintf(out, size, "%zu date%s", n, n == 1 ? "" : "s");
}

/* The subject's tail: "Choir practice, 12 dates from Tuesday 6 January 2026". */
static void series_headline(const struct series_about *sa, const char *title, char *out,
                            size_t size)
{
	char count[32], day[WHEN_MAX];

	count_words(sa->n, count, sizeof(count));
	when_day(sa->n > 0 ? sa->dates[0]->start : sa->s->first_start, sa->p.venue.tz, day,
	         sizeof(day));
	text_format(out, size, "%s, %s from %s", title, count, day);
}

/* Each date of the message on a line of its own, and the dates that could not be. */
static void series_dates_words(struct series_about *sa, struct mail_body *body, const char *label,
                               const char *refused_label)
{
	struct mail_buf lines = {0};
	char when[WHEN_MAX * 2];

	for (size_t i = 0; i < sa->n && notify_list_room(&lines, i, sa->n); i++) {
		when_words(sa->dates[i]->start, sa->dates[i]->end, sa->p.venue.tz, when,
		           sizeof(when));
		mail_buf_printf(&lines, "%s%s", i > 0 ? "\n" : "", when);
	}
	if (sa->n > 0)
		mail_para(body, "%s:\n%s", label, lines.s);
	mail_buf_free(&lines);
	if (sa->out == NULL || sa->out->nrefused == 0)
		return;
	for (size_t i = 0; i < sa->out->nrefused && notify_list_room(&lines, i, sa->out->nrefused);
	     i++) {
		const struct series_refusal *r = &sa->out->refused[i];

		when_words(r->start, r->start + (int64_t)sa->s->duration, sa->p.venue.tz, when,
		           sizeof(when));
		mail_buf_printf(&lines, "%s%s: %s", i > 0 ? "\n" : "", when, r->msg);
	}
	mail_para(body, "%s:\n%s", refused_label, lines.s);
	mail_buf_free(&lines);
}

static void series_facts(struct series_about *sa, struct mail_body *body)
{
	char *where = notify_where(&sa->p);

	mail_fact(body, "What", sa->s->title);
	mail_fact(body, "Where", where);
	mail_fact(body, "Group", sa->group);
	free(where);
}

static void link_to(struct series_about *sa, struct mail_body *body, const char *words,
                    const char *path)
{
	char *url = notify_url(&sa->c, path);

	mail_link(body, words, url);
	free(url);
}

static void msg_init(struct notify_msg *m, const char *kind, uint64_t about, const char *subject)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->about_id = about;
	m->subject = subject;
	mail_body_init(&m->body);
}

/* Sends m to a member, with the series as it now stands as an invitation when
 * invite. */
static void send_member(struct series_about *sa, const struct user *to, struct notify_msg *m,
                        bool invite)
{
	char *why = notify_why_member(sa->group);
	char *cal = NULL;
	enum ics_method method = ICS_REQUEST;

	if (invite)
		cal = notify_invite_series(&sa->c, sa->s, &sa->p, to, &method);
	if (cal != NULL)
		mail_para(&m->body, method == ICS_CANCEL
		                        ? "The cancellation is attached for your calendar."
		                        : "The series is attached as a calendar invitation: accept "
		                          "it to add its dates to your calendar.");
	m->why = why;
	m->calendar = cal;
	m->method = method;
	notify_send(&sa->c, to, m);
	free(cal);
	free(why);
}

static void send_manager(struct series_about *sa, const struct user *to, struct notify_msg *m)
{
	char *why = notify_why_manager(&sa->p);

	m->why = why;
	notify_send(&sa->c, to, m);
	free(why);
}

/* --- requested --- */

static void receipt(struct series_about *sa, const struct user *u)
{
	char subject[512], head[400], count[32];
	struct notify_msg m;

	series_headline(sa, sa->s->title, head, sizeof(head));
	text_format(subject, sizeof(subject), "Series requested: %s", head);
	count_words(sa->n, count, sizeof(count));
	msg_init(&m, "series-requested", sa->s->id, subject);
	mail_para(&m.body,
	          "%s has asked for %s at %s on %s. A manager of the venue will approve or "
	          "decline the request, and you will get one message for the whole series when "
	          "they do.",
	          sa->group, sa->p.room.name, sa->p.venue.name, count);
	series_facts(sa, &m.body);
	if (sa->c.actor_name != NULL)
		mail_fact(&m.body, "Asked by", sa->c.actor_name);
	series_dates_words(sa, &m.body, "The dates", "Dates that could not be booked");
	link_to(sa, &m.body, "See your group's bookings", "/my-bookings");
	send_member(sa, u, &m, false);
	mail_body_free(&m.body);
}

static void to_decide(struct series_about *sa, const struct user *u)
{
	char subject[512], head[400], count[32];
	struct notify_msg m;

	series_headline(sa, sa->group, head, sizeof(head));
	text_format(subject, sizeof(subject), "New series request: %s", head);
	count_words(sa->n, count, sizeof(count));
	msg_init(&m, "series-request-to-decide", sa->s->id, subject);
	mail_para(&m.body,
	          "%s asks for %s at %s on %s. You can approve or decline the whole series at "
	          "once, or each date on its own.",
	          sa->group, sa->p.room.name, sa->p.venue.name, count);
	series_facts(sa, &m.body);
	if (sa->c.actor_name != NULL)
		mail_fact(&m.body, "Asked by", sa->c.actor_name);
	series_dates_words(sa, &m.body, "The dates", "Dates that could not be booked");
	link_to(sa, &m.body, "Approve or decline it", "/requests");
	send_manager(sa, u, &m);
	mail_body_free(&m.body);
}

/* --- decided --- */

static const char *decision_word(enum booking_status to)
{
	switch (to) {
	case BOOKING_APPROVED:
		return "approved";
	case BOOKING_DECLINED:
		return "declined";
	default:
		return "cancelled";
	}
}

static void decided_words(struct series_about *sa, struct notify_msg *m, char *subject, size_t size,
                          const char *title)
{
	char head[400], count[32];

	series_headline(sa, title, head, sizeof(head));
	text_format(subject, size, "Series %s: %s", decision_word(sa->to), head);
	count_words(sa->n, count, sizeof(count));
	msg_init(m, "series-decided", sa->s->id, subject);
	if (!sa->decision && sa->c.actor_name != NULL)
		mail_para(&m->body, "%s has booked %s at %s for %s on %s.", sa->c.actor_name,
		          sa->p.room.name, sa->p.venue.name, sa->group, count);
	else if (!sa->decision)
		mail_para(&m->body, "%s at %s is booked for %s on %s.", sa->p.room.name,
		          sa->p.venue.name, sa->group, count);
	else if (sa->c.actor_name != NULL)
		mail_para(&m->body, "%s has %s %s of the series of %s at %s.", sa->c.actor_name,
		          decision_word(sa->to), count, sa->group, sa->p.room.name);
	else
		mail_para(&m->body, "%s of the series of %s at %s %s been %s.", count, sa->group,
		          sa->p.room.name, sa->n == 1 ? "has" : "have", decision_word(sa->to));
	series_facts(sa, &m->body);
	if (sa->note != NULL && sa->note[0] != '\0')
		mail_quote(&m->body,
		           sa->c.actor_name != NULL ? sa->c.actor_name : "The venue's staff",
		           sa->note);
	series_dates_words(sa, &m->body, "The dates",
	                   sa->to == BOOKING_APPROVED ? "Dates that could not be approved"
	                                              : "Dates left as they were");
}

static void decided_member(struct series_about *sa, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	decided_words(sa, &m, subject, sizeof(subject), sa->s->title);
	if (sa->to == BOOKING_DECLINED) {
		char path[64];

		mail_para(&m.body, "You can ask for other times, or another room.");
		snprintf(path, sizeof(path), "/request-series?room=%llu",
		         (unsigned long long)sa->s->room_id);
		link_to(sa, &m.body, "Ask again", path);
	} else {
		link_to(sa, &m.body, "See your group's bookings", "/my-bookings");
	}
	send_member(sa, u, &m, sa->to != BOOKING_DECLINED);
	mail_body_free(&m.body);
}

static void decided_manager(struct series_about *sa, const struct user *u)
{
	char subject[512];
	struct notify_msg m;

	decided_words(sa, &m, subject, sizeof(subject), sa->group);
	link_to(sa, &m.body, "See the venue's calendar", "/venue-calendar");
	send_manager(sa, u, &m);
	mail_body_free(&m.body);
}

/* --- the hooks --- */

static void tell(struct series_about *sa, enum notice n, uint64_t except,
                 void (*member)(struct series_about *sa, const struct user *u),
                 void (*manager)(struct series_about *sa, const struct user *u))
{
	struct people people;

	if (sa->c.t->ret != H_OK ||
	    people_load(sa->c.t, n, sa->s->group_id, sa->p.venue.id, &people) != H_OK) {
		people_free(&people);
		return;
	}
	for (size_t i = 0; i < people.n && sa->c.t->ret == H_OK; i++) {
		const struct user *u = &people.v[i];

		if (u->id == except)
			continue;
		if (member != NULL && person_member_of(u, sa->s->group_id))
			member(sa, u);
		else if (manager != NULL && person_manages(u, sa->p.venue.id))
			manager(sa, u);
	}
	people_free(&people);
}

enum herr notify_series_requested(struct txn *t, const struct actor *a, const struct series *s,
                                  const struct series_outcome *out, int64_t now)
{
	struct series_about sa;
	size_t pending = 0;

	if (series_about_init(&sa, t, a, s, now) == H_OK) {
		sa.out = out;
		sa.to = BOOKING_APPROVED;
		for (size_t i = 0; i < sa.all.n; i++) {
			sa.dates[sa.n++] = &sa.all.v[i];
			pending += sa.all.v[i].status == BOOKING_PENDING;
		}
		/* The group hears of its own request, as of a booking's. */
		if (pending == 0) {
			tell(&sa, NOTICE_DECISIONS, 0, decided_member, NULL);
		} else {
			tell(&sa, NOTICE_REQUESTS, 0, receipt, NULL);
			tell(&sa, NOTICE_REQUESTS, sa.c.actor_id, NULL, to_decide);
		}
	}
	return series_about_free(&sa);
}

static bool decided_now(const struct series_outcome *out, uint64_t booking_id)
{
	for (size_t i = 0; out != NULL && out->decided != NULL && i < out->created; i++)
		if (out->decided[i] == booking_id)
			return true;
	return false;
}

enum herr notify_series_decided(struct txn *t, const struct actor *a, const struct series *s,
                                enum booking_status to, const char *note,
                                const struct series_outcome *out, int64_t now)
{
	struct series_about sa;
	struct series fresh;

	/* Each date decided raised the series' SEQUENCE: the invitation carries the last. */
	if (series_get(t, s->id, &fresh) != H_OK) {
		series_free(&fresh);
		return t->ret;
	}
	if (series_about_init(&sa, t, a, &fresh, now) == H_OK) {
		sa.out = out;
		sa.to = to;
		sa.note = note;
		sa.decision = true;
		/* The dates this decision changed, as series_decide lists them: not every date
		 * that took its state this second, which an earlier decision may have made. */
		for (size_t i = 0; i < sa.all.n; i++)
			if (decided_now(out, sa.all.v[i].id))
				sa.dates[sa.n++] = &sa.all.v[i];
		if (sa.n > 0 || (out != NULL && out->nrefused > 0)) {
			if (to == BOOKING_CANCELLED)
				tell(&sa, NOTICE_CHANGES, sa.c.actor_id, decided_member,
				     decided_manager);
			else
				tell(&sa, NOTICE_DECISIONS, sa.c.actor_id, decided_member, NULL);
		}
	}
	series_about_free(&sa);
	series_free(&fresh);
	return t->ret;
}
