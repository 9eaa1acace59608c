/* Calendar import (ics_import.h): reading another system's VEVENTs, and placing each as a
 * booking or a series through the booking and series code.
 *
 * A series is made on the venue's clock (series_create); when the source repeats on
 * another clock, its rule is expanded on that clock too (series_expand_on), the n-th date
 * of one being the n-th of the other, and EXDATEs and RECURRENCE-IDs are matched on the
 * source's. */
#include "ics_import.h"

#include "err.h"
#include "place.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "series.h"
#include "text.h"
#include "tz.h"
#include "venue.h"
#include "xmalloc.h"

#include <libical/ical.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMP_TZ_PREFIX "/freeassociation.sourceforge.net/"

/* Where a source time's wall clock is. */
enum imp_zone_kind { IMP_UTC, IMP_FLOATING, IMP_NAMED, IMP_CUSTOM };

struct imp_zone {
	enum imp_zone_kind kind;
	char name[128];       /* IMP_NAMED: an IANA name */
	icaltimezone *custom; /* IMP_CUSTOM: a VTIMEZONE of the file */
};

/* One VEVENT of the file, read before the write. */
struct imp_event {
	icalcomponent *comp;
	const char *uid, *summary, *description; /* libical's, or NULL */
	const char *title;                       /* summary, or ICS_IMPORT_TITLE */
	bool cancelled;
	/* Set: the event cannot be tried (all-day, unknown zone...); why in reason. */
	const char *error;
	char reason[320];
	char when[64]; /* DTSTART as written, for events without an instant */
	bool timed;    /* start is a known instant */
	bool has_end;  /* and so is end */
	int64_t start, end;
	struct icaltimetype local; /* DTSTART's wall clock */
	struct imp_zone zone;      /* DTSTART's zone */
	char *rrule;               /* the RRULE value (malloc'd), or NULL */
	size_t nrdates;
	int64_t *exdates; /* EXDATE instants */
	size_t nexdates;
	int (*exdays)[3]; /* EXDATE dates (y, m, d) in the source's zone */
	size_t nexdays;
	bool override;  /* has a RECURRENCE-ID */
	bool rid_known; /* and its instant is known */
	int64_t rid;    /* that instant */
	size_t master;  /* an override: its recurring event's index + 1, else 0 */
};

struct imp_op {
	const struct actor *a;
	const struct ics_import_options *opt;
	const char *zone; /* the venue's */
	struct imp_event *ev;
	size_t nev;
	struct ics_import_outcome *out; /* reset before each run of the write */
	bool finished;                  /* the last event was tried (a dry run's refusal is ours) */
};

/* Zones and instants. */

/* The zone of a date-time property: a TZID resolved to an IANA zone or to a VTIMEZONE of
 * the file, else UTC or floating. False when the TZID names nothing halls knows. */
static bool imp_zone_of(icalcomponent *comp, icalproperty *p, struct icaltimetype tt,
                        struct imp_zone *z)
{
	icalparameter *param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	const char *tzid = param != NULL ? icalparameter_get_tzid(param) : NULL;
	const char *name;

	memset(z, 0, sizeof(*z));
	if (tzid == NULL || *tzid == '\0') {
		z->kind = icaltime_is_utc(tt) ? IMP_UTC : IMP_FLOATING;
		return true;
	}
	snprintf(z->name, sizeof(z->name), "%s", tzid);
	name = tzid;
	if (strncmp(name, IMP_TZ_PREFIX, strlen(IMP_TZ_PREFIX)) == 0) {
		name += strlen(IMP_TZ_PREFIX);
		if (strncmp(name, "Tzfile/", 7) == 0)
			name += 7;
	}
	/* An IANA name is read with tzdata, even when the file defines it too. */
	if (strlen(name) < sizeof(z->name) && tz_valid(name)) {
		z->kind = IMP_NAMED;
		snprintf(z->name, sizeof(z->name), "%s", name);
		return true;
	}
	for (icalcomponent *up = comp; up != NULL; up = icalcomponent_get_parent(up)) {
		z->custom = icalcomponent_get_timezone(up, tzid);
		if (z->custom != NULL) {
			z->kind = IMP_CUSTOM;
			return true;
		}
	}
	return false;
}

static struct localtm imp_localtm(const struct icaltimetype *tt)
{
	return (struct localtm){.year = tt->year,
	                        .month = tt->month,
	                        .day = tt->day,
	                        .hour = tt->hour,
	                        .min = tt->minute,
	                        .sec = tt->second};
}

/* The instant of a source time on its clock; an IANA zone's (and a floating time's, in
 * the venue's zone) by RFC 5545's rule for the times clock changes skip or repeat. */
static int64_t imp_instant(const struct imp_zone *z, const char *venue_zone, struct icaltimetype tt)
{
	struct localtm lt = imp_localtm(&tt);

	/* Far from the years halls takes, an instant just outside them does (time_check
	 * refuses it), without asking libical, whose cost grows with the year. */
	if (tt.year < TIME_YEAR_MIN - 1)
		return TIME_MIN - 2 * 86400;
	if (tt.year > TIME_YEAR_MAX + 1)
		return TIME_MAX + 2 * 86400;
	switch (z->kind) {
	case IMP_UTC:
		return civil_to_utc(&lt);
	case IMP_FLOATING:
		return tz_from_local_rfc5545(venue_zone, &lt);
	case IMP_NAMED:
		return tz_from_local_rfc5545(z->name, &lt);
	case IMP_CUSTOM:
	default:
		tt.zone = NULL;
		tt.is_date = 0;
		return (int64_t)icaltime_as_timet_with_zone(tt, z->custom);
	}
}

/* The date (y, m, d) of instant t on the source's clock. */
static void imp_local_day(const struct imp_zone *z, const char *venue_zone, int64_t t, int day[3])
{
	struct localtm lt;

	if (z->kind == IMP_CUSTOM) {
		struct icaltimetype tt;

		t = t < TIME_MIN ? TIME_MIN : t >= TIME_MAX ? TIME_MAX - 1 : t;
		tt = icaltime_from_timet_with_zone((time_t)t, 0, z->custom);

		day[0] = tt.year;
		day[1] = tt.month;
		day[2] = tt.day;
		return;
	}
	tz_to_local(z->kind == IMP_UTC        ? "UTC"
	            : z->kind == IMP_FLOATING ? venue_zone
	                                      : z->name,
	            t, &lt);
	day[0] = lt.year;
	day[1] = lt.month;
	day[2] = lt.day;
}

/* Whether the source repeats on the venue's clock, so that its dates are the series'. */
static bool imp_same_clock(const struct imp_zone *z, const char *venue_zone)
{
	return z->kind == IMP_FLOATING ||
	       (z->kind == IMP_NAMED && strcmp(z->name, venue_zone) == 0);
}

/* The source's clock, for series_expand_on. */
struct imp_clock {
	const struct imp_zone *zone;
	const char *venue_zone;
};

static int64_t imp_clock_instant(const struct localtm *lt, const void *arg)
{
	const struct imp_clock *c = arg;
	struct icaltimetype tt = icaltime_null_time();

	tt.year = lt->year;
	tt.month = lt->month;
	tt.day = lt->day;
	tt.hour = lt->hour;
	tt.minute = lt->min;
	tt.second = lt->sec;
	return imp_instant(c->zone, c->venue_zone, tt);
}

/* The instants of the source's rule on its own clock, at most max of them. */
struct imp_dates {
	int64_t *v;
	size_t n, max;
};

static bool imp_dates_add(int64_t start, void *arg)
{
	struct imp_dates *d = arg;

	if (d->n == d->max)
		return false;
	d->v[d->n++] = start;
	return true;
}

/* Expanded by the series code, which is bounded whatever the rule says; a rule it
 * cannot read gives no date. */
static size_t imp_expand(const struct imp_event *e, const char *venue_zone, size_t max,
                         int64_t **out)
{
	const struct imp_clock c = {&e->zone, venue_zone};
	const struct series_clock clock = {imp_clock_instant, &c};
	struct localtm first = imp_localtm(&e->local);
	struct imp_dates d = {xcalloc(max > 0 ? max : 1, sizeof(int64_t)), 0, max};

	series_expand_on(e->rrule, &first, &clock, max, imp_dates_add, &d, NULL);
	*out = d.v;
	return d.n;
}

/* Reading the events. */

static void imp_refuse(struct imp_event *e, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void imp_refuse(struct imp_event *e, const char *error, const char *fmt, ...)
{
	va_list ap;

	if (e->error != NULL)
		return;
	e->error = error;
	va_start(ap, fmt);
	text_vformat(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

static void imp_when(struct imp_event *e, struct icaltimetype tt, const struct imp_zone *z)
{
	if (tt.is_date)
		snprintf(e->when, sizeof(e->when), "%04d-%02d-%02d", tt.year, tt.month, tt.day);
	else
		snprintf(e->when, sizeof(e->when), "%04d-%02d-%02dT%02d:%02d:%02d%s", tt.year,
		         tt.month, tt.day, tt.hour, tt.minute, tt.second,
		         z != NULL && z->kind == IMP_UTC ? "Z" : "");
}

/* Whether a time is in the years an instant may have (TIME_YEAR_MIN to TIME_YEAR_MAX):
 * past them each conversion through libical's zone rules can take seconds, so such times
 * are refused before any is converted. */
static bool imp_year_ok(struct icaltimetype tt)
{
	return tt.year >= TIME_YEAR_MIN && tt.year <= TIME_YEAR_MAX;
}

/* Why libical dropped a property it could not read, if it says. */
static const char *imp_parse_error(icalcomponent *comp)
{
	icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);

	return p != NULL ? icalproperty_get_xlicerror(p) : NULL;
}

static bool imp_blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* The end of a timed event: DTEND (in its own zone) or DTSTART + DURATION. */
static void imp_read_end(struct imp_event *e, const char *venue_zone)
{
	icalproperty *p = icalcomponent_get_first_property(e->comp, ICAL_DTEND_PROPERTY);
	struct imp_zone z;

	if (p != NULL) {
		struct icaltimetype tt = icalproperty_get_dtend(p);

		if (tt.is_date) {
			imp_refuse(e, "invalid-input",
			           "its end (DTEND) is a date but its start a time");
			return;
		}
		if (!imp_year_ok(tt)) {
			imp_refuse(e, "invalid-input",
			           "its end (DTEND) is not between 1970 and 2199");
			return;
		}
		if (!imp_zone_of(e->comp, p, tt, &z)) {
			imp_refuse(e, ICS_IMPORT_E_TZ, "unknown time zone %s", z.name);
			return;
		}
		e->end = imp_instant(&z, venue_zone, tt);
	} else if ((p = icalcomponent_get_first_property(e->comp, ICAL_DURATION_PROPERTY)) !=
	           NULL) {
		e->end = e->start + icaldurationtype_as_int(icalproperty_get_duration(p));
		if (e->end >= TIME_MAX) {
			imp_refuse(e, "invalid-input", "it ends after 2199");
			return;
		}
	} else {
		imp_refuse(e, "invalid-input", "it has no end (DTEND or DURATION)");
		return;
	}
	if (e->end <= e->start)
		imp_refuse(e, herr_name(H_RULE_ORDER), "the end must be after the start");
	else
		e->has_end = true;
}

/* An EXDATE: an instant, or a whole date on the source's clock. */
static void imp_read_exdate(struct imp_event *e, icalproperty *p, const char *venue_zone)
{
	struct icaltimetype tt = icalproperty_get_exdate(p);
	struct imp_zone z;

	/* A date outside the years of any booking excludes nothing. */
	if (icaltime_is_null_time(tt) || !imp_year_ok(tt))
		return;
	if (tt.is_date) {
		e->exdays = xrealloc(e->exdays, (e->nexdays + 1) * sizeof(*e->exdays));
		e->exdays[e->nexdays][0] = tt.year;
		e->exdays[e->nexdays][1] = tt.month;
		e->exdays[e->nexdays][2] = tt.day;
		e->nexdays++;
		return;
	}
	if (!imp_zone_of(e->comp, p, tt, &z)) {
		imp_refuse(e, ICS_IMPORT_E_TZ, "unknown time zone %s (in EXDATE)", z.name);
		return;
	}
	e->exdates = xrealloc(e->exdates, (e->nexdates + 1) * sizeof(*e->exdates));
	e->exdates[e->nexdates++] = imp_instant(&z, venue_zone, tt);
}

static void imp_read_rule(struct imp_event *e, const char *venue_zone)
{
	icalproperty *p;
	size_t nrules = 0;

	for (p = icalcomponent_get_first_property(e->comp, ICAL_RRULE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(e->comp, ICAL_RRULE_PROPERTY)) {
		if (nrules++ > 0)
			continue;
		char *text = icalproperty_get_value_as_string_r(p);

		e->rrule = xstrdup(text != NULL ? text : "");
		icalmemory_free_buffer(text);
	}
	if (nrules > 1)
		imp_refuse(e, ICS_IMPORT_E_UNSUPP, "it has %zu rules (RRULE); halls repeats by one",
		           nrules);
	for (p = icalcomponent_get_first_property(e->comp, ICAL_RDATE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(e->comp, ICAL_RDATE_PROPERTY))
		e->nrdates++;
	for (p = icalcomponent_get_first_property(e->comp, ICAL_EXDATE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(e->comp, ICAL_EXDATE_PROPERTY))
		imp_read_exdate(e, p, venue_zone);
}

/* Dates outside the years halls takes are refused with time_check's words. */
static void imp_check_range(struct imp_event *e)
{
	struct herror why;

	herror_clear(&why);
	if (time_check(e->start, &why) != H_OK || (e->has_end && time_check(e->end, &why) != H_OK))
		imp_refuse(e, "invalid-input", "%s", why.msg);
}

/* RECURRENCE-ID: the date of its series it replaces. */
static void imp_read_rid(struct imp_event *e, icalproperty *p, const char *venue_zone)
{
	icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
	struct icaltimetype tt = icalproperty_get_recurrenceid(p);
	struct imp_zone z;

	e->override = true;
	if (range != NULL)
		imp_refuse(e, ICS_IMPORT_E_UNSUPP,
		           "changes to \"this and following\" dates (RANGE=THISANDFUTURE) "
		           "are not supported");
	else if (!icaltime_is_null_time(tt) && !tt.is_date && imp_year_ok(tt) &&
	         imp_zone_of(e->comp, p, tt, &z)) {
		e->rid = imp_instant(&z, venue_zone, tt);
		e->rid_known = true;
	}
}

/* DTSTART, and the end when the start is a time. */
static void imp_read_start(struct imp_event *e, const char *venue_zone)
{
	icalproperty *p = icalcomponent_get_first_property(e->comp, ICAL_DTSTART_PROPERTY);
	struct icaltimetype tt = p != NULL ? icalproperty_get_dtstart(p) : icaltime_null_time();
	const char *why;

	if (p == NULL || icaltime_is_null_time(tt)) {
		why = imp_parse_error(e->comp);
		if (why != NULL)
			imp_refuse(e, "invalid-input", "it cannot be read: %s", why);
		else
			imp_refuse(e, "invalid-input", "it has no start (DTSTART)");
		return;
	}
	e->local = tt;
	if (!imp_zone_of(e->comp, p, tt, &e->zone)) {
		imp_when(e, tt, NULL);
		imp_refuse(e, ICS_IMPORT_E_TZ, "unknown time zone %s", e->zone.name);
	} else if (tt.is_date) {
		imp_when(e, tt, NULL);
		imp_refuse(e, ICS_IMPORT_E_ALLDAY, "all-day events are not bookings");
	} else if (!imp_year_ok(tt)) {
		imp_when(e, tt, &e->zone);
		imp_refuse(e, "invalid-input", "its start is not between 1970 and 2199");
	} else {
		imp_when(e, tt, &e->zone);
		e->start = imp_instant(&e->zone, venue_zone, tt);
		e->timed = true;
		imp_read_end(e, venue_zone);
		imp_check_range(e);
	}
}

static void imp_cancel_skip(struct imp_event *e)
{
	e->error = ICS_IMPORT_E_CANCELLED;
	snprintf(e->reason, sizeof(e->reason), "%s", ICS_IMPORT_NOTE_CANCEL);
}

static void imp_read(struct imp_event *e, const char *venue_zone)
{
	icalcomponent *comp = e->comp;
	icalproperty *p;

	e->uid = icalcomponent_get_uid(comp);
	e->summary = icalcomponent_get_summary(comp);
	e->description = icalcomponent_get_description(comp);
	e->title = imp_blank(e->summary) ? ICS_IMPORT_TITLE : e->summary;
	e->cancelled = icalcomponent_get_status(comp) == ICAL_STATUS_CANCELLED;
	p = icalcomponent_get_first_property(comp, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL)
		imp_read_rid(e, p, venue_zone);
	imp_read_start(e, venue_zone);
	if (!e->override)
		imp_read_rule(e, venue_zone);
	/* An override's cancellation is applied to its date; anything else cancelled is
	 * skipped, whatever else is wrong with it. */
	if (e->cancelled && !e->override)
		imp_cancel_skip(e);
}

/* Overrides find their recurring event by UID; those without one stand alone. */
static void imp_link(struct imp_op *op)
{
	for (size_t i = 0; i < op->nev; i++) {
		struct imp_event *e = &op->ev[i];

		if (!e->override || e->uid == NULL)
			continue;
		for (size_t j = 0; j < op->nev; j++) {
			const struct imp_event *m = &op->ev[j];

			if (!m->override && m->rrule != NULL && m->uid != NULL &&
			    strcmp(m->uid, e->uid) == 0) {
				e->master = j + 1;
				break;
			}
		}
		if (e->master == 0 && e->cancelled)
			imp_cancel_skip(e);
	}
}

static void imp_events_free(struct imp_op *op)
{
	for (size_t i = 0; i < op->nev; i++) {
		free(op->ev[i].rrule);
		free(op->ev[i].exdates);
		free(op->ev[i].exdays);
	}
	free(op->ev);
	op->ev = NULL;
	op->nev = 0;
}

/* The outcome. */

/* Text from the file as the outcome keeps it: as it is, or "(not UTF-8)". */
static char *imp_shown(const char *s)
{
	const char *p = s;
	size_t n;

	if (s == NULL)
		return NULL;
	while (*p != '\0' && (n = text_utf8_len(p)) > 0)
		p += n;
	return xstrdup(*p == '\0' ? s : "(not UTF-8)");
}

static void imp_item_free(struct ics_import_item *it)
{
	free(it->uid);
	free(it->summary);
	free(it->reason);
	free(it->rrule);
	for (size_t i = 0; i < it->ndates; i++)
		free(it->dates[i].message);
	free(it->dates);
	memset(it, 0, sizeof(*it));
}

static void imp_items_free(struct ics_import_outcome *o)
{
	for (size_t i = 0; i < o->nitems; i++)
		imp_item_free(&o->items[i]);
	free(o->items);
	o->items = NULL;
	o->nitems = o->placed = o->not_placed = o->series = o->series_dates = o->already = 0;
}

void ics_import_outcome_free(struct ics_import_outcome *o)
{
	imp_items_free(o);
	free(o->zone);
	memset(o, 0, sizeof(*o));
}

/* uid, summary, start and end of an event (start as written when it has no instant). */
static void imp_base(struct ics_import_item *it, enum ics_import_kind kind,
                     const struct imp_event *e)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->uid = imp_shown(e->uid);
	it->summary = imp_shown(e->summary);
	it->timed = e->timed;
	it->start = e->start;
	it->has_end = e->timed && e->has_end;
	it->end = e->end;
	if (!e->timed)
		snprintf(it->when, sizeof(it->when), "%s", e->when);
	it->has_rid = e->override && e->rid_known;
	it->recurrence_id = e->rid;
}

/* Adds it (taken over) to the outcome; the pointer is good until the next is added. */
static struct ics_import_item *imp_item_take(struct imp_op *op, struct ics_import_item *it)
{
	struct ics_import_outcome *o = op->out;

	o->items = xrealloc(o->items, (o->nitems + 1) * sizeof(*o->items));
	o->items[o->nitems] = *it;
	memset(it, 0, sizeof(*it));
	switch (o->items[o->nitems].kind) {
	case ICS_IMPORT_PLACED:
		o->placed++;
		break;
	case ICS_IMPORT_SERIES:
		o->series++;
		break;
	case ICS_IMPORT_NOT_PLACED:
	default:
		o->not_placed++;
		o->already += strcmp(o->items[o->nitems].error, herr_name(H_EEXISTS)) == 0;
		break;
	}
	return &o->items[o->nitems++];
}

static struct ics_import_item *imp_not_placed(struct imp_op *op, const struct imp_event *e,
                                              const char *error, const char *reason,
                                              const uint64_t *conflicts, size_t nconflicts)
{
	struct ics_import_item it;

	imp_base(&it, ICS_IMPORT_NOT_PLACED, e);
	it.error = error;
	it.reason = imp_shown(reason);
	it.nconflicts = nconflicts < HERR_MAX_CONFLICTS ? nconflicts : HERR_MAX_CONFLICTS;
	if (it.nconflicts > 0)
		memcpy(it.conflicts, conflicts, it.nconflicts * sizeof(*conflicts));
	return imp_item_take(op, &it);
}

static struct ics_import_item *imp_refused(struct imp_op *op, const struct imp_event *e,
                                           const struct herror *err)
{
	enum herr code = err->code != H_OK ? err->code : H_EINVAL;

	return imp_not_placed(op, e, herr_name(code), err->msg[0] ? err->msg : herr_title(code),
	                      err->conflicts, code == H_ECONFLICT ? err->nconflicts : 0);
}

/* A string for booking fields: text that is not UTF-8 is stored as the outcome shows it. */
static json_t *imp_json_str(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	return v != NULL ? v : json_string("(not UTF-8)");
}

/* "Tue 06 Oct 2026 19:00": a date in the words `halls` prints, for the notes stored. */
static void imp_local_words(int64_t t, const char *zone, char out[32])
{
	static const char *const days[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	snprintf(out, 32, "%s %02d %s %04d %02d:%02d", days[lt.wday % 7], lt.day,
	         months[(lt.month + 11) % 12], lt.year % 10000, lt.hour, lt.min);
}

/* One change to a booking, nested so that a refusal leaves the rest. */

enum imp_job_kind { IMP_JOB_REQUEST, IMP_JOB_UPDATE, IMP_JOB_CANCEL };

struct imp_job {
	struct imp_op *op;
	enum imp_job_kind what;
	uint64_t id;        /* update, cancel */
	const char *note;   /* cancel */
	int64_t start, end; /* request; update when set_times */
	const char *title, *description;
	bool set_times, set_title, set_description; /* update */
	uint64_t series_id;                         /* request: an occurrence of this series */
	int64_t recurrence_id;                      /* at this date of its rule */
	/* Out. */
	uint64_t out_id;
	enum booking_status out_status;
};

static enum herr imp_job_request(struct txn *t, struct imp_job *j, struct booking *b)
{
	const struct imp_op *op = j->op;

	if (j->series_id != 0)
		return series_occurrence_add(t, op->a, j->series_id, j->recurrence_id, j->start,
		                             j->end, j->title, op->opt->approve, op->opt->now, b);
	b->room_id = op->opt->room_id;
	b->group_id = op->opt->group_id;
	b->title = xstrdup(j->title);
	b->description = xstrdup_or_null(j->description);
	b->start = j->start;
	b->end = j->end;
	return booking_request(t, op->a, b, op->opt->approve, op->opt->now);
}

static enum herr imp_job_update(struct txn *t, struct imp_job *j, struct booking *b)
{
	json_t *fields = json_object();
	enum herr ret;

	if (j->set_times) {
		json_object_set_new(fields, "start", json_integer((json_int_t)j->start));
		json_object_set_new(fields, "end", json_integer((json_int_t)j->end));
	}
	if (j->set_title)
		json_object_set_new(fields, "title", imp_json_str(j->title));
	if (j->set_description)
		json_object_set_new(fields, "description", json_text(j->description));
	ret = booking_update(t, j->op->a, j->id, fields, j->op->opt->now, b);
	json_decref(fields);
	return ret;
}

static enum herr imp_job_run(struct txn *t, void *arg)
{
	struct imp_job *j = arg;
	struct booking b;
	enum herr ret;

	booking_init(&b);
	switch (j->what) {
	case IMP_JOB_REQUEST:
		ret = imp_job_request(t, j, &b);
		break;
	case IMP_JOB_UPDATE:
		ret = imp_job_update(t, j, &b);
		break;
	case IMP_JOB_CANCEL:
	default:
		ret = booking_cancel(t, j->op->a, j->id, j->note, j->op->opt->now, &b);
		break;
	}
	if (ret == H_OK) {
		j->out_id = b.id;
		j->out_status = b.status;
	}
	booking_free(&b);
	return ret != H_OK ? ret : t->ret;
}

/* Runs j nested in t. On a refusal, why says what it was (t->err is left clear). */
static enum herr imp_do(struct txn *t, struct imp_job *j, struct herror *why)
{
	enum herr ret;

	herror_clear(t->err);
	ret = txn_try(t, imp_job_run, j);
	if (ret != H_OK && why != NULL) {
		*why = *t->err;
		if (why->code == H_OK)
			why->code = ret;
	}
	if (t->ret == H_OK)
		herror_clear(t->err);
	return ret;
}

/* Bookings already there: an import run again (after fixing what it reported) places
 * only what is still missing. */

struct imp_dup {
	struct txn *t;
	const struct imp_op *op;
	const char *title, *rrule;
	int64_t start, end;
	uint32_t duration;
	uint64_t found;
};

static bool imp_dup_block(const struct block *blk, void *arg)
{
	struct imp_dup *d = arg;
	struct booking b;

	if (blk->start != d->start || blk->end != d->end)
		return true;
	if (booking_get(d->t, blk->booking_id, &b) == H_OK && b.group_id == d->op->opt->group_id &&
	    b.title != NULL && strcmp(b.title, d->title) == 0)
		d->found = b.id;
	booking_free(&b);
	return d->found == 0;
}

/* A pending or approved booking of the room for the group, with the same times and title. */
static uint64_t imp_dup_booking(struct txn *t, const struct imp_op *op, const struct imp_event *e)
{
	struct imp_dup d = {.t = t, .op = op, .title = e->title, .start = e->start, .end = e->end};

	if (booking_blocks(t, op->opt->room_id, -1, e->start, e->end, 0, imp_dup_block, &d) != H_OK)
		return 0;
	return d.found;
}

static bool imp_dup_one_series(const struct series *s, void *arg)
{
	struct imp_dup *d = arg;

	if (s->first_start == d->start && s->duration == d->duration && s->title != NULL &&
	    strcmp(s->title, d->title) == 0 && s->rrule != NULL && strcmp(s->rrule, d->rrule) == 0)
		d->found = s->id;
	return d->found == 0;
}

/* A series of the room for the group, with the same first date, length, rule and title. */
static uint64_t imp_dup_series(struct txn *t, const struct imp_op *op, const struct imp_event *e,
                               uint32_t duration)
{
	struct imp_dup d = {
	    .t = t, .op = op, .title = e->title, .start = e->start, .duration = duration};
	struct herror scratch;
	char *rule = series_rule_normalise(e->rrule, op->zone, &scratch);

	if (rule == NULL)
		return 0;
	d.rrule = rule;
	series_each(t, op->opt->room_id, op->opt->group_id, imp_dup_one_series, &d);
	free(rule);
	return d.found;
}

/* One-off events. */

static enum herr imp_one(struct txn *t, struct imp_op *op, const struct imp_event *e)
{
	struct imp_job j = {.op = op,
	                    .what = IMP_JOB_REQUEST,
	                    .start = e->start,
	                    .end = e->end,
	                    .title = e->title,
	                    .description = e->description};
	struct ics_import_item it;
	struct herror why;
	uint64_t dup = imp_dup_booking(t, op, e);

	herror_clear(&why);
	if (dup != 0) {
		herror_set(&why, H_EEXISTS,
		           "already booked: booking %llu has the same group, times and title",
		           (unsigned long long)dup);
		imp_refused(op, e, &why);
		return t->ret;
	}
	if (imp_do(t, &j, &why) != H_OK) {
		if (t->ret != H_OK)
			return t->ret;
		imp_refused(op, e, &why);
		return H_OK;
	}
	imp_base(&it, ICS_IMPORT_PLACED, e);
	it.booking_id = j.out_id;
	it.status = j.out_status;
	imp_item_take(op, &it);
	return H_OK;
}

/* Recurring events. */

/* What the source says of one date of the rule. */
enum imp_mark { IMP_DATE, IMP_DATE_EXCLUDED, IMP_DATE_OVERRIDDEN };

struct imp_occ {
	uint64_t id;
	int64_t rid;
	enum booking_status status;
};

struct imp_series {
	struct imp_op *op;
	struct imp_event *e;
	struct series s;
	struct series_outcome out;
	int64_t *h; /* the series' rule dates, on the venue's clock */
	size_t nh;
	int64_t *src; /* the same dates on the source's clock */
	size_t nsrc;
	unsigned char *mark; /* per date (max(nh, nsrc)) */
	size_t *ov;          /* per override of e: its date, or SIZE_MAX */
	size_t *ovs;         /* the overrides' indexes in op->ev */
	size_t nov;
	struct imp_occ *occ;
	size_t nocc;
	/* The series' item: draft until the series is placed, then op->out->items[at]. */
	struct ics_import_item draft;
	bool placed;
	size_t at;
	struct herror first; /* why the first date left out was */
};

static struct ics_import_item *imp_series_item(struct imp_series *x)
{
	return x->placed ? &x->op->out->items[x->at] : &x->draft;
}

static bool imp_occ_add(const struct booking *b, void *arg)
{
	struct imp_series *x = arg;

	x->occ = xrealloc(x->occ, (x->nocc + 1) * sizeof(*x->occ));
	x->occ[x->nocc].id = b->id;
	x->occ[x->nocc].rid = b->recurrence_id;
	x->occ[x->nocc].status = b->status;
	x->nocc++;
	return true;
}

static enum herr imp_occ_load(struct txn *t, struct imp_series *x)
{
	free(x->occ);
	x->occ = NULL;
	x->nocc = 0;
	return series_each_occurrence(t, x->s.id, imp_occ_add, x);
}

/* The booking of the rule date i, if the series has one. */
static const struct imp_occ *imp_occ_at(const struct imp_series *x, size_t i)
{
	if (i >= x->nh)
		return NULL;
	for (size_t k = 0; k < x->nocc; k++)
		if (x->occ[k].rid == x->h[i])
			return &x->occ[k];
	return NULL;
}

static bool imp_starts_add(int64_t start, void *arg)
{
	struct imp_series *x = arg;

	x->h = xrealloc(x->h, (x->nh + 1) * sizeof(*x->h));
	x->h[x->nh++] = start;
	return true;
}

static void imp_series_free(struct imp_series *x)
{
	series_free(&x->s);
	series_outcome_free(&x->out);
	free(x->h);
	free(x->src);
	free(x->mark);
	free(x->ov);
	free(x->ovs);
	free(x->occ);
	imp_item_free(&x->draft);
	memset(x, 0, sizeof(*x));
}

static bool imp_excluded(const struct imp_series *x, size_t i)
{
	const struct imp_event *e = x->e;
	int day[3];

	for (size_t k = 0; k < e->nexdates; k++)
		if (e->exdates[k] == x->src[i])
			return true;
	if (e->nexdays == 0)
		return false;
	imp_local_day(&e->zone, x->op->zone, x->src[i], day);
	for (size_t k = 0; k < e->nexdays; k++)
		if (memcmp(e->exdays[k], day, sizeof(day)) == 0)
			return true;
	return false;
}

/* A note on a date of the series; the pointer is good until the next is added. */
static struct ics_import_date *imp_note(struct imp_series *x, enum ics_import_note note,
                                        int64_t start, uint64_t booking_id)
{
	struct ics_import_item *it = imp_series_item(x);
	struct ics_import_date *d;

	it->dates = xrealloc(it->dates, (it->ndates + 1) * sizeof(*it->dates));
	d = &it->dates[it->ndates++];
	memset(d, 0, sizeof(*d));
	d->note = note;
	d->start = start;
	d->booking_id = booking_id;
	return d;
}

/* A date of the source left out, and why. */
static void imp_skip(struct imp_series *x, int64_t start, const struct herror *why)
{
	enum herr code = why->code != H_OK ? why->code : H_EINVAL;
	struct ics_import_date *d = imp_note(x, ICS_NOTE_SKIPPED, start, 0);

	if (x->first.code == H_OK) {
		x->first = *why;
		x->first.code = code;
	}
	d->error = herr_name(code);
	d->message = imp_shown(why->msg[0] ? why->msg : herr_title(code));
	if (code == H_ECONFLICT) {
		d->nconflicts = why->nconflicts;
		memcpy(d->conflicts, why->conflicts, why->nconflicts * sizeof(why->conflicts[0]));
	}
}

static void imp_retimed(struct imp_series *x, int64_t start, int64_t original, uint64_t id)
{
	imp_note(x, ICS_NOTE_RETIMED, start, id)->original_start = original;
}

/* The series' item, before its dates. */
static void imp_series_begin(struct imp_series *x)
{
	imp_base(&x->draft, ICS_IMPORT_SERIES, x->e);
	x->draft.series_id = x->s.id;
	x->draft.rrule = imp_shown(x->s.rrule);
	x->draft.extra_dates_ignored = x->e->nrdates;
}

/* Why the series could not have date want when it was made. */
static void imp_refusal_of(const struct imp_series *x, int64_t want, struct herror *why)
{
	for (size_t k = 0; k < x->out.nrefused; k++)
		if (x->out.refused[k].start == want) {
			const struct series_refusal *r = &x->out.refused[k];

			why->code = r->code;
			snprintf(why->msg, sizeof(why->msg), "%s", r->msg);
			why->nconflicts = r->nconflicts;
			memcpy(why->conflicts, r->conflicts,
			       r->nconflicts * sizeof(r->conflicts[0]));
			return;
		}
}

/* The booking of rule date occ moved to the source's instant want; when that cannot be
 * booked, the date goes. */
static enum herr imp_series_retime(struct txn *t, struct imp_series *x, const struct imp_occ *occ,
                                   int64_t want)
{
	struct imp_job j = {.op = x->op,
	                    .what = IMP_JOB_UPDATE,
	                    .id = occ->id,
	                    .set_times = true,
	                    .start = want,
	                    .end = want + (int64_t)x->s.duration};
	struct imp_job cancel = {.op = x->op, .what = IMP_JOB_CANCEL, .id = occ->id};
	struct herror why;

	herror_clear(&why);
	if (imp_do(t, &j, &why) == H_OK) {
		imp_retimed(x, want, occ->rid, occ->id);
		return H_OK;
	}
	if (t->ret != H_OK)
		return t->ret;
	cancel.note = "not at the time of the imported calendar, which could not be booked";
	imp_do(t, &cancel, NULL);
	imp_skip(x, want, &why);
	return t->ret;
}

/* One date of the rule, not excluded nor overridden: booked at the source's instant. */
static enum herr imp_series_date(struct txn *t, struct imp_series *x, size_t i)
{
	const struct imp_occ *occ = imp_occ_at(x, i);
	int64_t want = x->src[i];
	struct imp_job j = {.op = x->op};
	struct herror why;

	herror_clear(&why);
	if (occ != NULL && occ->rid == want)
		return H_OK;
	if (occ == NULL && i < x->nh && x->h[i] == want) {
		/* Refused when the series was made: say why. */
		imp_refusal_of(x, want, &why);
		imp_skip(x, want, &why);
		return H_OK;
	}
	if (occ != NULL) /* the source has this date at another instant (another clock) */
		return imp_series_retime(t, x, occ, want);
	if (i >= x->nh) {
		herror_set(&why, H_EINVAL, "the rule has no such date on %s's clock", x->s.zone);
		imp_skip(x, want, &why);
		return H_OK;
	}
	/* No booking yet (refused at its rule time): one at the source's instant, linked to
	 * its rule date. */
	j.what = IMP_JOB_REQUEST;
	j.start = want;
	j.end = want + (int64_t)x->s.duration;
	j.title = x->s.title;
	j.description = x->s.description;
	j.series_id = x->s.id;
	j.recurrence_id = x->h[i];
	if (imp_do(t, &j, &why) == H_OK) {
		imp_retimed(x, want, x->h[i], j.out_id);
		return H_OK;
	}
	imp_skip(x, want, &why);
	return t->ret;
}

/* A date the source excludes (or one its clock does not have): its booking cancelled. */
static enum herr imp_series_exclude(struct txn *t, struct imp_series *x, size_t i)
{
	const struct imp_occ *occ = imp_occ_at(x, i);
	struct imp_job j = {.op = x->op, .what = IMP_JOB_CANCEL, .note = ICS_IMPORT_NOTE_EXDATE};

	if (i >= x->nsrc)
		j.note = "not a date of the imported calendar";
	if (occ != NULL) {
		j.id = occ->id;
		imp_do(t, &j, NULL);
		if (t->ret != H_OK)
			return t->ret;
	}
	imp_note(x, ICS_NOTE_EXCLUDED, i < x->nsrc ? x->src[i] : x->h[i],
	         occ != NULL ? occ->id : 0);
	return H_OK;
}

/* The dates of the series on the venue's clock (h) and on the source's (src). */
static enum herr imp_series_dates(struct txn *t, struct imp_series *x)
{
	if (series_expand(x->s.rrule, x->s.zone, x->s.first_start, x->out.created + x->out.nrefused,
	                  imp_starts_add, x, t->err) != H_OK)
		return H_EINVAL;
	if (imp_same_clock(&x->e->zone, x->s.zone)) {
		x->nsrc = x->nh;
		x->src = xcalloc(x->nh > 0 ? x->nh : 1, sizeof(*x->src));
		memcpy(x->src, x->h, x->nh * sizeof(*x->h));
	} else {
		x->nsrc = imp_expand(x->e, x->s.zone, x->nh + 1, &x->src);
	}
	return H_OK;
}

/* Each date marked as the source has it: excluded, overridden, or as the rule gives it.
 * The number overridden. */
static size_t imp_series_mark(struct imp_series *x, size_t n)
{
	size_t overridden = 0;

	x->mark = xcalloc(n > 0 ? n : 1, 1);
	for (size_t i = 0; i < x->nsrc; i++)
		if (imp_excluded(x, i))
			x->mark[i] = IMP_DATE_EXCLUDED;
	for (size_t k = 0; k < x->nov; k++) {
		const struct imp_event *ov = &x->op->ev[x->ovs[k]];

		x->ov[k] = SIZE_MAX;
		for (size_t i = 0; ov->rid_known && i < x->nsrc; i++)
			if (x->src[i] == ov->rid && x->mark[i] == IMP_DATE) {
				x->ov[k] = i;
				x->mark[i] = IMP_DATE_OVERRIDDEN;
				overridden++;
				break;
			}
	}
	return overridden;
}

/* Nothing left of the series: refused as a whole, like `series add`. */
static enum herr imp_series_none(struct txn *t, struct imp_series *x)
{
	char msg[sizeof(x->first.msg)];

	memcpy(msg, x->first.msg, sizeof(msg));
	*t->err = x->first;
	return herror_set(t->err, x->first.code != H_OK ? x->first.code : H_EINVAL,
	                  "none of its dates can be booked%s%s%s", msg[0] ? " (first: " : "", msg,
	                  msg[0] ? ")" : "");
}

static size_t imp_standing(const struct imp_series *x, size_t *approved, size_t *pending)
{
	size_t a = 0, p = 0;

	for (size_t k = 0; k < x->nocc; k++) {
		a += x->occ[k].status == BOOKING_APPROVED;
		p += x->occ[k].status == BOOKING_PENDING;
	}
	if (approved != NULL)
		*approved = a;
	if (pending != NULL)
		*pending = p;
	return a + p;
}

/* The series of a recurring event, its EXDATEs, and its dates moved to the source's
 * clock; run nested, so that a refusal undoes it all. */
static enum herr imp_series_make(struct txn *t, void *arg)
{
	struct imp_series *x = arg;
	struct imp_op *op = x->op;
	struct imp_event *e = x->e;
	size_t n, overridden;
	uint64_t dup;
	enum herr ret;

	series_init(&x->s);
	x->s.room_id = op->opt->room_id;
	x->s.group_id = op->opt->group_id;
	x->s.title = xstrdup(e->title);
	x->s.description = xstrdup_or_null(e->description);
	if (series_set_first(&x->s, e->start, e->end, t->err) != H_OK)
		return H_RULE_ORDER;
	x->s.rrule = xstrdup(e->rrule);
	dup = imp_dup_series(t, op, e, x->s.duration);
	if (dup != 0)
		return herror_set(
		    t->err, H_EEXISTS,
		    "already booked: series %llu has the same group, first date, rule "
		    "and title",
		    (unsigned long long)dup);
	ret = series_create(t, op->a, &x->s, op->opt->approve, true, op->opt->now, &x->out);
	if (ret != H_OK || (ret = imp_series_dates(t, x)) != H_OK)
		return ret;
	n = x->nh > x->nsrc ? x->nh : x->nsrc;
	overridden = imp_series_mark(x, n);
	if ((ret = imp_occ_load(t, x)) != H_OK)
		return ret;
	imp_series_begin(x);
	for (size_t i = 0; i < n; i++) {
		if (i < x->nsrc && x->mark[i] == IMP_DATE)
			ret = imp_series_date(t, x, i);
		else if (i >= x->nsrc || x->mark[i] == IMP_DATE_EXCLUDED)
			ret = imp_series_exclude(t, x, i);
		if (ret != H_OK)
			return ret;
	}
	if ((ret = imp_occ_load(t, x)) != H_OK)
		return ret;
	if (imp_standing(x, NULL, NULL) == 0 && overridden == 0)
		return imp_series_none(t, x);
	return t->ret;
}

/* One RECURRENCE-ID override of a series placed: its date moved, edited or cancelled. */
struct imp_override {
	struct imp_series *x;
	struct imp_event *ov;
	size_t date; /* its date in the rule, SIZE_MAX: none */
	/* Out: a refusal to report (why), and the booking cancelled because of it. */
	struct herror why;
	bool refused;
	uint64_t cancelled_id;
};

static bool imp_text_differs(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") != 0;
}

static void imp_moved(struct imp_series *x, const struct imp_event *ov, int64_t from, uint64_t id)
{
	struct ics_import_date *d = imp_note(x, ICS_NOTE_MOVED, ov->start, id);

	d->end = ov->end;
	d->original_start = from;
}

/* The override cancels its date. */
static enum herr imp_override_cancel(struct txn *t, struct imp_override *y,
                                     const struct imp_occ *occ, int64_t from)
{
	struct imp_job j = {.op = y->x->op, .what = IMP_JOB_CANCEL};

	if (occ != NULL && (occ->status == BOOKING_PENDING || occ->status == BOOKING_APPROVED)) {
		j.id = occ->id;
		j.note = ICS_IMPORT_NOTE_CANCEL;
		if (imp_do(t, &j, &y->why) != H_OK) {
			y->refused = true;
			return t->ret;
		}
	}
	imp_note(y->x, ICS_NOTE_CANCELLED, from, occ != NULL ? occ->id : 0);
	return H_OK;
}

/* The override moves or edits its date's booking; when that cannot be, the date goes. */
static enum herr imp_override_change(struct txn *t, struct imp_override *y,
                                     const struct imp_occ *occ, int64_t from)
{
	struct imp_series *x = y->x;
	struct imp_op *op = x->op;
	const struct imp_event *ov = y->ov;
	struct imp_job j = {.op = op,
	                    .what = IMP_JOB_UPDATE,
	                    .id = occ->id,
	                    .start = ov->start,
	                    .end = ov->end,
	                    .title = ov->title,
	                    .description = ov->description};
	struct imp_job cancel = {.op = op, .what = IMP_JOB_CANCEL, .id = occ->id};
	char when[32], note[96];

	j.set_times = ov->start != occ->rid || ov->end != occ->rid + (int64_t)x->s.duration;
	j.set_title = strcmp(ov->title, x->s.title) != 0;
	j.set_description = imp_text_differs(ov->description, x->s.description);
	if (!j.set_times && !j.set_title && !j.set_description)
		return H_OK; /* the same as its rule date */
	if (imp_do(t, &j, &y->why) == H_OK) {
		imp_moved(x, ov, from, occ->id);
		return H_OK;
	}
	/* The date is not at its rule time in the source: it goes. */
	if (t->ret != H_OK)
		return t->ret;
	y->refused = true;
	imp_local_words(ov->start, op->zone, when);
	snprintf(note, sizeof(note),
	         "moved in the imported calendar to %s, which could not be booked", when);
	cancel.note = note;
	if (imp_do(t, &cancel, NULL) == H_OK)
		y->cancelled_id = occ->id;
	return t->ret;
}

/* The override's date could not be booked at its rule time; its own time may be free. */
static enum herr imp_override_book(struct txn *t, struct imp_override *y, int64_t from)
{
	struct imp_series *x = y->x;
	const struct imp_event *ov = y->ov;
	struct imp_job j = {.op = x->op,
	                    .what = IMP_JOB_REQUEST,
	                    .start = ov->start,
	                    .end = ov->end,
	                    .title = ov->title,
	                    .description = ov->description};

	if (y->date < x->nh) {
		j.series_id = x->s.id;
		j.recurrence_id = x->h[y->date];
	}
	if (imp_do(t, &j, &y->why) != H_OK) {
		y->refused = true;
		return t->ret;
	}
	imp_moved(x, ov, from, j.out_id);
	return H_OK;
}

static enum herr imp_override_apply(struct txn *t, void *arg)
{
	struct imp_override *y = arg;
	const struct imp_occ *occ = imp_occ_at(y->x, y->date);
	int64_t from = y->x->src[y->date];

	if (y->ov->cancelled)
		return imp_override_cancel(t, y, occ, from);
	if (occ != NULL)
		return imp_override_change(t, y, occ, from);
	return imp_override_book(t, y, from);
}

/* The overrides of a series that could not be placed (or was there already). */
static void imp_overrides_orphaned(struct imp_op *op, size_t master, bool there)
{
	for (size_t k = 0; k < op->nev; k++)
		if (op->ev[k].master == master + 1)
			imp_not_placed(op, &op->ev[k],
			               there ? herr_name(H_EEXISTS) : ICS_IMPORT_E_MASTER,
			               there ? "the recurring event it changes is already booked"
			                     : "the recurring event it changes was not placed",
			               NULL, 0);
}

/* One override of series x, in its own nested transaction. */
static enum herr imp_override(struct txn *t, struct imp_series *x, size_t k)
{
	struct imp_op *op = x->op;
	struct imp_override y = {.x = x, .ov = &op->ev[x->ovs[k]], .date = x->ov[k]};
	struct ics_import_item *np;
	enum herr ret;

	herror_clear(&y.why);
	if (y.ov->error != NULL &&
	    (!y.ov->cancelled || strcmp(y.ov->error, ICS_IMPORT_E_UNSUPP) == 0)) {
		imp_not_placed(op, y.ov, y.ov->error, y.ov->reason, NULL, 0);
		return H_OK;
	}
	if (y.date == SIZE_MAX) {
		/* Not a date of its rule: on its own, unless it is a cancellation. */
		if (y.ov->cancelled && y.ov->rid_known)
			imp_note(x, ICS_NOTE_CANCELLED, y.ov->rid, 0);
		else if (!y.ov->cancelled)
			return imp_one(t, op, y.ov);
		return H_OK;
	}
	herror_clear(t->err);
	ret = txn_try(t, imp_override_apply, &y);
	if (t->ret != H_OK)
		return t->ret;
	if (ret != H_OK && !y.refused) {
		y.refused = true;
		y.why = *t->err;
	}
	herror_clear(t->err);
	if (y.refused) {
		np = imp_refused(op, y.ov, &y.why);
		np->has_rid = true;
		np->recurrence_id = x->src[y.date];
		np->series_id = x->s.id;
		np->cancelled_booking = y.cancelled_id;
	}
	return H_OK;
}

/* The series' totals, once its overrides are applied. */
static enum herr imp_series_count(struct txn *t, struct imp_series *x)
{
	struct ics_import_item *it = imp_series_item(x);
	size_t standing, dates, excluded = 0, cancelled = 0;
	enum herr ret = imp_occ_load(t, x);

	if (ret != H_OK)
		return ret;
	standing = imp_standing(x, &it->approved, &it->pending);
	for (size_t i = 0; i < it->ndates; i++) {
		excluded += it->dates[i].note == ICS_NOTE_EXCLUDED;
		cancelled += it->dates[i].note == ICS_NOTE_CANCELLED;
	}
	dates = x->nsrc > x->nh ? x->nsrc : x->nh;
	it->total = dates > excluded + cancelled ? dates - excluded - cancelled : 0;
	x->op->out->series_dates += standing;
	return H_OK;
}

static enum herr imp_series(struct txn *t, struct imp_op *op, size_t index)
{
	struct imp_series x = {.op = op, .e = &op->ev[index]};
	enum herr ret = H_OK;

	for (size_t k = 0; k < op->nev; k++)
		if (op->ev[k].master == index + 1) {
			x.ovs = xrealloc(x.ovs, (x.nov + 1) * sizeof(*x.ovs));
			x.ovs[x.nov++] = k;
		}
	x.ov = xcalloc(x.nov > 0 ? x.nov : 1, sizeof(*x.ov));
	herror_clear(t->err);
	if (txn_try(t, imp_series_make, &x) != H_OK) {
		if (t->ret == H_OK) {
			bool there = t->err->code == H_EEXISTS;

			imp_refused(op, x.e, t->err);
			herror_clear(t->err);
			imp_overrides_orphaned(op, index, there);
		}
		imp_series_free(&x);
		return t->ret;
	}
	x.at = op->out->nitems;
	imp_item_take(op, &x.draft);
	x.placed = true;
	for (size_t k = 0; k < x.nov && ret == H_OK; k++)
		ret = imp_override(t, &x, k);
	if (ret == H_OK && t->ret == H_OK)
		imp_series_count(t, &x);
	imp_series_free(&x);
	return t->ret;
}

/* The write: every event in its own nested transaction. */
static enum herr imp_write(struct txn *t, void *arg)
{
	struct imp_op *op = arg;
	enum herr ret = H_OK;

	/* A write run again (the map grown) reports afresh. */
	imp_items_free(op->out);
	op->finished = false;
	for (size_t i = 0; i < op->nev && ret == H_OK; i++) {
		struct imp_event *e = &op->ev[i];

		if (e->master != 0)
			continue; /* with its recurring event */
		if (e->error != NULL) {
			imp_not_placed(op, e, e->error, e->reason, NULL, 0);
			if (e->rrule != NULL && !e->override)
				imp_overrides_orphaned(op, i, false);
			continue;
		}
		ret = e->rrule != NULL && !e->override ? imp_series(t, op, i) : imp_one(t, op, e);
		if (ret == H_OK)
			ret = t->ret;
	}
	if (ret != H_OK)
		return ret;
	op->finished = true;
	if (op->opt->dry_run)
		return herror_set(t->err, H_ESTATE, "dry run: nothing was stored");
	return t->ret;
}

/* The calendar. */

/* The VEVENTs of every VCALENDAR, in order. */
static void imp_collect(struct imp_op *op, icalcomponent *cal)
{
	for (icalcomponent *e = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     e != NULL; e = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		op->ev = xrealloc(op->ev, (op->nev + 1) * sizeof(*op->ev));
		memset(&op->ev[op->nev], 0, sizeof(op->ev[0]));
		op->ev[op->nev].comp = e;
		op->nev++;
	}
}

/* The calendar in text (len bytes), parsed; its events in op. NULL, with err, when it is
 * not iCalendar. */
static icalcomponent *imp_parse(struct imp_op *op, const char *text, size_t len, struct herror *err)
{
	/* libical reads a C string: the text up to a NUL, as from a file. */
	char *s = xmalloc(len + 1);
	icalcomponent *root;
	size_t ncal = 0;

	memcpy(s, text, len);
	s[len] = '\0';
	root = icalparser_parse_string(s);
	free(s);
	if (root != NULL && icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		imp_collect(op, root);
		ncal = 1;
	} else if (root != NULL && icalcomponent_isa(root) == ICAL_XROOT_COMPONENT) {
		for (icalcomponent *cal =
		         icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
		     cal != NULL;
		     cal = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
			imp_collect(op, cal);
			ncal++;
		}
	}
	if (ncal == 0) {
		herror_set(err, H_EINVAL,
		           "%s is not an iCalendar file (no BEGIN:VCALENDAR ... END:VCALENDAR)",
		           op->opt->name != NULL ? op->opt->name : "the calendar");
		if (root != NULL)
			icalcomponent_free(root);
		return NULL;
	}
	return root;
}

/* That the room and the group exist and that a may book for the group; the room's
 * zone. */
static enum herr imp_check(struct db *db, const struct actor *a,
                           const struct ics_import_options *opt, char **zone, struct herror *err)
{
	struct place p;
	struct txn t;
	enum herr ret;

	ret = db_read_begin(db, &t, err);
	if (ret != H_OK)
		return ret;
	if (place_load(&t, opt->room_id, &p) == H_OK &&
	    record_need(&t, DBI_GROUP, opt->group_id, "group") == H_OK &&
	    policy_act_for_group(&t, a, opt->group_id, p.venue.id) == H_OK)
		*zone = xstrdup(p.venue.tz);
	ret = t.ret;
	place_free(&p);
	db_read_end(&t);
	return ret;
}

enum herr ics_import(struct db *db, const struct actor *a, const char *text, size_t len,
                     const struct ics_import_options *opt, struct ics_import_outcome *out,
                     struct herror *err)
{
	struct imp_op op = {.a = a, .opt = opt, .out = out};
	icalcomponent *root = NULL;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = imp_check(db, a, opt, &out->zone, err)) != H_OK)
		goto out;
	if ((root = imp_parse(&op, text, len, err)) == NULL) {
		ret = err->code;
		goto out;
	}
	op.zone = out->zone;
	out->events = op.nev;
	for (size_t i = 0; i < op.nev; i++)
		imp_read(&op.ev[i], op.zone);
	imp_link(&op);
	herror_clear(err);
	ret = db_write(db, imp_write, &op, err);
	/* A dry run that tried every event ends in its own refusal: that is success. */
	if (ret != H_OK && opt->dry_run && op.finished) {
		herror_clear(err);
		ret = H_OK;
	}
out:
	imp_events_free(&op);
	if (root != NULL)
		icalcomponent_free(root);
	if (ret != H_OK)
		ics_import_outcome_free(out);
	return ret;
}

/* As shown. */

/* key as RFC 3339 in the venue's zone and key_ts in UTC seconds. */
static void imp_put_time(json_t *o, const char *key, int64_t t, const char *zone)
{
	char when[32], ts[48];

	time_format(t, zone, when);
	json_object_set_new(o, key, json_string(when));
	snprintf(ts, sizeof(ts), "%s_ts", key);
	json_object_set_new(o, ts, json_integer((json_int_t)t));
}

static json_t *imp_id_json(uint64_t id)
{
	return id != 0 ? json_integer((json_int_t)id) : json_null();
}

static json_t *imp_base_json(const struct ics_import_item *it, const char *zone)
{
	json_t *o = json_object();

	json_object_set_new(o, "uid", imp_json_str(it->uid));
	json_object_set_new(o, "summary", imp_json_str(it->summary));
	if (it->timed) {
		imp_put_time(o, "start", it->start, zone);
		if (it->has_end)
			imp_put_time(o, "end", it->end, zone);
	} else {
		json_object_set_new(o, "start", it->when[0] ? json_string(it->when) : json_null());
	}
	if (it->has_rid)
		imp_put_time(o, "recurrence_id", it->recurrence_id, zone);
	return o;
}

static json_t *imp_date_json(const struct ics_import_date *d, const char *zone)
{
	json_t *o = json_object();

	imp_put_time(o, "start", d->start, zone);
	if (d->note == ICS_NOTE_SKIPPED) {
		json_object_set_new(o, "error", json_string(d->error));
		json_object_set_new(o, "message", imp_json_str(d->message));
		json_object_set_new(o, "conflicts", json_ids_new(d->conflicts, d->nconflicts));
		return o;
	}
	if (d->note == ICS_NOTE_MOVED)
		imp_put_time(o, "end", d->end, zone);
	if (d->note == ICS_NOTE_MOVED || d->note == ICS_NOTE_RETIMED)
		imp_put_time(o, "original_start", d->original_start, zone);
	json_object_set_new(o, "booking_id", imp_id_json(d->booking_id));
	return o;
}

static json_t *imp_series_json(const struct ics_import_item *it, const char *zone)
{
	static const char *const lists[ICS_NOTE_KINDS] = {"skipped", "excluded", "moved", "retimed",
	                                                  "cancelled"};
	json_t *o = imp_base_json(it, zone);

	json_object_set_new(o, "series_id", json_integer((json_int_t)it->series_id));
	json_object_set_new(o, "rrule", imp_json_str(it->rrule));
	json_object_set_new(o, "extra_dates_ignored",
	                    json_integer((json_int_t)it->extra_dates_ignored));
	for (size_t k = 0; k < ICS_NOTE_KINDS; k++)
		json_object_set_new(o, lists[k], json_array());
	for (size_t i = 0; i < it->ndates; i++)
		json_array_append_new(json_object_get(o, lists[it->dates[i].note]),
		                      imp_date_json(&it->dates[i], zone));
	json_object_set_new(o, "dates", json_integer((json_int_t)it->total));
	json_object_set_new(o, "created", json_integer((json_int_t)(it->approved + it->pending)));
	json_object_set_new(o, "approved", json_integer((json_int_t)it->approved));
	json_object_set_new(o, "pending", json_integer((json_int_t)it->pending));
	return o;
}

static json_t *imp_item_json(const struct ics_import_item *it, const char *zone)
{
	json_t *o;

	if (it->kind == ICS_IMPORT_SERIES)
		return imp_series_json(it, zone);
	o = imp_base_json(it, zone);
	if (it->kind == ICS_IMPORT_PLACED) {
		json_object_set_new(o, "booking_id", json_integer((json_int_t)it->booking_id));
		json_object_set_new(o, "status", json_string(booking_status_name(it->status)));
		return o;
	}
	json_object_set_new(o, "error", json_string(it->error));
	json_object_set_new(o, "reason", imp_json_str(it->reason));
	json_object_set_new(o, "conflicts", json_ids_new(it->conflicts, it->nconflicts));
	if (it->series_id != 0)
		json_object_set_new(o, "series_id", json_integer((json_int_t)it->series_id));
	if (it->cancelled_booking != 0)
		json_object_set_new(o, "cancelled_booking",
		                    json_integer((json_int_t)it->cancelled_booking));
	return o;
}

json_t *ics_import_to_json(const struct ics_import_options *opt, const struct ics_import_outcome *o)
{
	static const char *const lists[] = {"placed", "not_placed", "series"};
	json_t *report = json_pack("{s:I, s:I, s:b, s:I}", "room_id", (json_int_t)opt->room_id,
	                           "group_id", (json_int_t)opt->group_id, "dry_run", opt->dry_run,
	                           "events", (json_int_t)o->events);

	for (size_t k = 0; k < 3; k++)
		json_object_set_new(report, lists[k], json_array());
	for (size_t i = 0; i < o->nitems; i++) {
		const struct ics_import_item *it = &o->items[i];

		json_array_append_new(json_object_get(report, lists[it->kind]),
		                      imp_item_json(it, o->zone));
	}
	return report;
}
