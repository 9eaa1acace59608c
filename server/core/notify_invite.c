/* Invitations: a booking, or a series, as the iCalendar a confirmation carries.
 *
 * Calendar apps (Outlook, Gmail, Apple Calendar) take an emailed calendar with METHOD
 * REQUEST as an invitation to add or update the event, and CANCEL to remove it; they
 * match it to what they hold by UID, and keep the highest SEQUENCE. So the UID and
 * SEQUENCE are the feeds' (feed.c): a one-off booking is booking-<id>, its own sequence;
 * a date of a series is the series' event (series-<id>, the series' sequence) with the
 * date's RECURRENCE-ID, since that is how the feeds show it, and an app that holds both
 * must see one event. */
#include "notify_parts.h"

#include "series_rule.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The rule's dates of a series a calendar could hold. */
#define INVITE_RULE_MAX 5000

/* ORGANIZER: the venue's bookings address, where a calendar's reply should go; else the
 * site's own. */
static struct ics_party organizer_of(const struct notify_ctx *c, const struct place *p)
{
	if (p->venue.email != NULL && p->venue.email[0] != '\0')
		return (struct ics_party){p->venue.email, p->venue.name};
	return (struct ics_party){c->site.from, c->site.from_name};
}

static struct ics_calendar *invitation_new(const struct notify_ctx *c, const struct place *p,
                                           const struct user *to, enum ics_method method)
{
	struct ics_calendar *cal = ics_calendar_new(p->venue.name, NULL, 0);
	struct ics_party org = organizer_of(c, p);
	struct ics_party att = {to->email, to->name};

	ics_calendar_invite(cal, method, &org, &att);
	return cal;
}

static enum ics_status status_of(const struct booking *b)
{
	switch (b->status) {
	case BOOKING_APPROVED:
		return ICS_CONFIRMED;
	case BOOKING_PENDING:
		return ICS_TENTATIVE;
	default:
		return ICS_CANCELLED;
	}
}

char *notify_invite_booking(struct notify_ctx *c, const struct booking *b, const struct place *p,
                            const struct user *to, enum ics_method method)
{
	uint64_t instance = txn_instance(c->t);
	char *location = notify_where(p), *uid, *text;
	struct ics_calendar *cal = invitation_new(c, p, to, method);
	struct series s;
	struct ics_event ev = {
	    .last_modified = b->updated_at,
	    .status = method == ICS_CANCEL ? ICS_CANCELLED : status_of(b),
	    .summary = b->title,
	    .description = b->description,
	    .location = location,
	    .zone = p->venue.tz,
	    .start = b->start,
	    .end = b->end,
	};

	series_init(&s);
	if (b->series_id != 0 && series_get(c->t, b->series_id, &s) == H_OK) {
		uid = ics_uid("", "series", s.id, instance);
		ev.sequence = s.sequence;
		ev.recurrence_id = b->recurrence_id;
		if (s.updated_at > ev.last_modified)
			ev.last_modified = s.updated_at;
	} else {
		uid = ics_uid("", "booking", b->id, instance);
		ev.sequence = b->sequence;
	}
	series_free(&s);
	ev.uid = uid;
	ics_calendar_add(cal, &ev);
	text = ics_calendar_finish(cal, NULL);
	free(uid);
	free(location);
	return text;
}

/* --- a series --- */

struct rule_dates {
	int64_t *v;
	size_t n;
};

static bool rule_add(int64_t start, void *arg)
{
	struct rule_dates *d = arg;

	d->v = xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
	d->v[d->n++] = start;
	return true;
}

/* The occurrence of occ whose rule date is at, or NULL. */
static const struct booking *occurrence_at(const struct notify_dates *occ, int64_t at)
{
	for (size_t i = 0; i < occ->n; i++)
		if (occ->v[i].recurrence_id == at)
			return &occ->v[i];
	return NULL;
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Adds the master (its rule, less the dates not approved) and an override for each
 * approved date that differs from the rule; false when no date is approved. */
static bool add_series_events(struct ics_calendar *cal, const struct series *s,
                              const struct notify_dates *occ, const struct rule_dates *rule,
                              const struct ics_event *master_in)
{
	struct ics_event master = *master_in;
	int64_t *exdates = xcalloc(rule->n ? rule->n : 1, sizeof(*exdates));
	size_t nex = 0, nshown = 0;

	for (size_t k = 0; k < rule->n; k++) {
		const struct booking *b = occurrence_at(occ, rule->v[k]);

		if (b != NULL && b->status == BOOKING_APPROVED)
			nshown++;
		else
			exdates[nex++] = rule->v[k];
	}
	if (nshown > 0) {
		master.exdates = exdates;
		master.nexdates = nex;
		ics_calendar_add(cal, &master);
	}
	for (size_t k = 0; nshown > 0 && k < rule->n; k++) {
		const struct booking *b = occurrence_at(occ, rule->v[k]);
		struct ics_event ev = master;

		if (b == NULL || b->status != BOOKING_APPROVED ||
		    (b->start == rule->v[k] && b->end - b->start == (int64_t)s->duration &&
		     same_text(b->title, s->title) && same_text(b->description, s->description)))
			continue;
		ev.rrule = NULL;
		ev.exdates = NULL;
		ev.nexdates = 0;
		ev.recurrence_id = rule->v[k];
		ev.start = b->start;
		ev.end = b->end;
		ev.summary = b->title;
		ev.description = b->description;
		ics_calendar_add(cal, &ev);
	}
	free(exdates);
	return nshown > 0;
}

char *notify_invite_series(struct notify_ctx *c, const struct series *s, const struct place *p,
                           const struct user *to, enum ics_method *method)
{
	struct notify_dates occ;
	struct rule_dates rule = {0};
	struct herror scratch;
	struct ics_calendar *cal;
	char *location, *uid, *text = NULL;
	bool held = false;
	struct ics_event master;

	if (notify_dates_load(c->t, s->id, &occ) != H_OK)
		return NULL;
	for (size_t i = 0; i < occ.n; i++)
		held |= occ.v[i].was_approved;
	if (!held) {
		notify_dates_free(&occ);
		return NULL;
	}
	herror_clear(&scratch);
	series_expand(s->rrule, s->zone, s->first_start, INVITE_RULE_MAX, rule_add, &rule,
	              &scratch);
	location = notify_where(p);
	uid = ics_uid("", "series", s->id, txn_instance(c->t));
	master = (struct ics_event){
	    .uid = uid,
	    .sequence = s->sequence,
	    .last_modified = s->updated_at,
	    .status = ICS_CONFIRMED,
	    .summary = s->title,
	    .description = s->description,
	    .location = location,
	    .zone = s->zone,
	    .start = s->first_start,
	    .end = s->first_start + s->duration,
	    .rrule = s->rrule,
	};
	*method = ICS_REQUEST;
	cal = invitation_new(c, p, to, ICS_REQUEST);
	if (!add_series_events(cal, s, &occ, &rule, &master)) {
		/* Nothing approved is left: the whole series goes from the calendar. */
		ics_calendar_free(cal);
		*method = ICS_CANCEL;
		cal = invitation_new(c, p, to, ICS_CANCEL);
		master.status = ICS_CANCELLED;
		ics_calendar_add(cal, &master);
	}
	text = ics_calendar_finish(cal, NULL);
	free(uid);
	free(location);
	free(rule.v);
	notify_dates_free(&occ);
	return text;
}
