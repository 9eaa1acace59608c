/* halls import-ics FILE --room ID --group ID [--approve] [--dry-run]
 *
 * Brings bookings over from another system's iCalendar (RFC 5545) export into one room,
 * for one group, and reports each event it could not place and why.
 *
 * Every VEVENT is tried on its own: a one-off event becomes a booking request, a recurring
 * one (RRULE) a series whose dates left out are listed, not fatal. The source's EXDATEs
 * cancel their dates; its RECURRENCE-ID overrides move, edit or cancel theirs. Each event
 * runs in a transaction nested in one write (txn_try), so that a refusal undoes only that
 * event, and the whole import is one durable commit; --dry-run does everything, reports
 * it, and then refuses the write, so that nothing is stored.
 *
 * Times: a TZID is an IANA name (also in libical's "/freeassociation.sourceforge.net/"
 * form) or a VTIMEZONE of the file; without TZID a time is UTC ("Z") or floating, and
 * floating times are read in the venue's zone. A series repeats on the venue's wall clock
 * (series.h); when the source repeats on another clock (UTC, another zone), the dates
 * where the two differ are moved to the source's instants, so that every date is where
 * the source has it. So the rule is expanded on both clocks, the n-th date of one being
 * the n-th of the other, and EXDATEs and RECURRENCE-IDs are matched on the source's. */
#include "cli.h"

#include <errno.h>
#include <libical/ical.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define IMP_FILE_MAX    (64u << 20)
#define IMP_TZ_PREFIX   "/freeassociation.sourceforge.net/"
#define IMP_TITLE       "Imported booking"
#define IMP_NOTE_EXDATE "excluded in the imported calendar"
#define IMP_NOTE_CANCEL "cancelled in the imported calendar"

/* Import-only reasons (the core's refusals keep their herr_name). */
#define IMP_E_CANCELLED "cancelled"
#define IMP_E_ALLDAY    "all-day"
#define IMP_E_TZ        "unknown-time-zone"
#define IMP_E_UNSUPP    "unsupported"
#define IMP_E_MASTER    "series-not-placed"

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
	const char *title;                       /* summary, or IMP_TITLE */
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
	struct icalrecurrencetype recur;
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

/* A line of the report, in the order the events were tried. */
enum imp_kind { IMP_PLACED, IMP_NOT_PLACED, IMP_SERIES };

struct imp_item {
	enum imp_kind kind;
	json_t *o; /* borrowed from the arrays below */
};

struct imp_op {
	struct cli *c;
	const char *path;
	const char *zone; /* the venue's */
	uint64_t room_id, group_id;
	bool approve, dry_run;
	struct imp_event *ev;
	size_t nev;
	/* The report; reset before each run of the write. */
	json_t *placed, *not_placed, *series;
	struct imp_item *items;
	size_t nitems;
	size_t series_dates; /* dates of every series placed */
	bool finished;       /* the last event was tried (a dry run's refusal is ours) */
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

static int64_t imp_civil(const struct icaltimetype *tt)
{
	return days_from_civil(tt->year, tt->month, tt->day) * 86400 + tt->hour * 3600 +
	       tt->minute * 60 + tt->second;
}

/* A wall-clock time in an IANA zone as an instant, by RFC 5545's rule (as series.c): a
 * time the clocks skip is read with the offset before the gap, a repeated one is the
 * first. */
static int64_t imp_named_instant(const char *zone, const struct icaltimetype *tt)
{
	struct localtm lt = {.year = tt->year,
	                     .month = tt->month,
	                     .day = tt->day,
	                     .hour = tt->hour,
	                     .min = tt->minute,
	                     .sec = tt->second};
	struct localtm before;
	int64_t t;

	if (tz_from_local(zone, &lt, &t, NULL) == H_OK)
		return t;
	t = imp_civil(tt);
	tz_to_local(zone, t - 43200, &before);
	return t - before.utc_offset;
}

static int64_t imp_instant(const struct imp_zone *z, const char *venue_zone, struct icaltimetype tt)
{
	/* Far from the years halls takes, an instant just outside them does (time_check
	 * refuses it), without asking libical, whose cost grows with the year. */
	if (tt.year < TIME_YEAR_MIN - 1)
		return TIME_MIN - 2 * 86400;
	if (tt.year > TIME_YEAR_MAX + 1)
		return TIME_MAX + 2 * 86400;
	switch (z->kind) {
	case IMP_UTC:
		return imp_civil(&tt);
	case IMP_FLOATING:
		return imp_named_instant(venue_zone, &tt);
	case IMP_NAMED:
		return imp_named_instant(z->name, &tt);
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

/* The instants of the source's rule on its own clock, at most max of them. */
struct imp_walk {
	const struct imp_event *e;
	const char *venue_zone;
	int64_t until;
	int64_t *out;
	size_t n, max;
};

static bool imp_walk_one(const struct localtm *lt, void *arg)
{
	struct imp_walk *w = arg;
	struct icaltimetype tt = icaltime_null_time();
	int64_t at;

	tt.year = lt->year;
	tt.month = lt->month;
	tt.day = lt->day;
	tt.hour = lt->hour;
	tt.minute = lt->min;
	tt.second = lt->sec;
	at = imp_instant(&w->e->zone, w->venue_zone, tt);
	if (at > w->until || w->n == w->max)
		return false;
	w->out[w->n++] = at;
	return true;
}

/* Expanded by the core's walk (series_expand_local), which is bounded whatever the rule
 * says; libical's iterator is not. UNTIL is applied here: a date ends the walk after that
 * day, a time at that instant (a day later on the walk, to cover every offset). */
static size_t imp_expand(const struct imp_event *e, const char *venue_zone, size_t max,
                         int64_t **out)
{
	struct icaltimetype u = e->recur.until;
	struct localtm first = {.year = e->local.year,
	                        .month = e->local.month,
	                        .day = e->local.day,
	                        .hour = e->local.hour,
	                        .min = e->local.minute,
	                        .sec = e->local.second};
	struct imp_walk w = {e, venue_zone, INT64_MAX, NULL, 0, max};
	int64_t last_day = INT64_MAX;
	struct herror scratch;

	*out = w.out = xcalloc(max > 0 ? max : 1, sizeof(**out));
	if (!icaltime_is_null_time(u)) {
		last_day = days_from_civil(u.year, u.month, u.day) + (u.is_date ? 0 : 1);
		if (!u.is_date)
			w.until = icaltime_is_utc(u) ? imp_civil(&u)
			                             : imp_instant(&e->zone, venue_zone, u);
	}
	herror_clear(&scratch);
	series_expand_local(e->rrule, &first, last_day, max, imp_walk_one, &w, &scratch);
	return w.n;
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
			imp_refuse(e, IMP_E_TZ, "unknown time zone %s", z.name);
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
		e->recur = icalproperty_get_rrule(p);
	}
	if (nrules > 1)
		imp_refuse(e, IMP_E_UNSUPP, "it has %zu rules (RRULE); halls repeats by one",
		           nrules);
	for (p = icalcomponent_get_first_property(e->comp, ICAL_RDATE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(e->comp, ICAL_RDATE_PROPERTY))
		e->nrdates++;
	for (p = icalcomponent_get_first_property(e->comp, ICAL_EXDATE_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(e->comp, ICAL_EXDATE_PROPERTY)) {
		struct icaltimetype tt = icalproperty_get_exdate(p);
		struct imp_zone z;

		/* A date outside the years of any booking excludes nothing. */
		if (icaltime_is_null_time(tt) || !imp_year_ok(tt))
			continue;
		if (tt.is_date) {
			e->exdays = xrealloc(e->exdays, (e->nexdays + 1) * sizeof(*e->exdays));
			e->exdays[e->nexdays][0] = tt.year;
			e->exdays[e->nexdays][1] = tt.month;
			e->exdays[e->nexdays][2] = tt.day;
			e->nexdays++;
			continue;
		}
		if (!imp_zone_of(e->comp, p, tt, &z)) {
			imp_refuse(e, IMP_E_TZ, "unknown time zone %s (in EXDATE)", z.name);
			continue;
		}
		e->exdates = xrealloc(e->exdates, (e->nexdates + 1) * sizeof(*e->exdates));
		e->exdates[e->nexdates++] = imp_instant(&z, venue_zone, tt);
	}
}

/* Dates outside the years halls takes are refused with time_check's words. */
static void imp_check_range(struct imp_event *e)
{
	struct herror why;

	herror_clear(&why);
	if (time_check(e->start, &why) != H_OK || (e->has_end && time_check(e->end, &why) != H_OK))
		imp_refuse(e, "invalid-input", "%s", why.msg);
}

static void imp_read(struct imp_event *e, const char *venue_zone)
{
	icalcomponent *comp = e->comp;
	icalproperty *p;
	struct icaltimetype tt;
	const char *why;

	e->uid = icalcomponent_get_uid(comp);
	e->summary = icalcomponent_get_summary(comp);
	e->description = icalcomponent_get_description(comp);
	e->title = imp_blank(e->summary) ? IMP_TITLE : e->summary;
	e->cancelled = icalcomponent_get_status(comp) == ICAL_STATUS_CANCELLED;

	p = icalcomponent_get_first_property(comp, ICAL_RECURRENCEID_PROPERTY);
	if (p != NULL) {
		icalparameter *range = icalproperty_get_first_parameter(p, ICAL_RANGE_PARAMETER);
		struct imp_zone z;

		e->override = true;
		tt = icalproperty_get_recurrenceid(p);
		if (range != NULL)
			imp_refuse(e, IMP_E_UNSUPP,
			           "changes to \"this and following\" dates (RANGE=THISANDFUTURE) "
			           "are not supported");
		else if (!icaltime_is_null_time(tt) && !tt.is_date && imp_year_ok(tt) &&
		         imp_zone_of(comp, p, tt, &z)) {
			e->rid = imp_instant(&z, venue_zone, tt);
			e->rid_known = true;
		}
	}

	p = icalcomponent_get_first_property(comp, ICAL_DTSTART_PROPERTY);
	tt = p != NULL ? icalproperty_get_dtstart(p) : icaltime_null_time();
	if (p == NULL || icaltime_is_null_time(tt)) {
		why = imp_parse_error(comp);
		if (why != NULL)
			imp_refuse(e, "invalid-input", "it cannot be read: %s", why);
		else
			imp_refuse(e, "invalid-input", "it has no start (DTSTART)");
	} else {
		e->local = tt;
		if (!imp_zone_of(comp, p, tt, &e->zone)) {
			imp_when(e, tt, NULL);
			imp_refuse(e, IMP_E_TZ, "unknown time zone %s", e->zone.name);
		} else if (tt.is_date) {
			imp_when(e, tt, NULL);
			imp_refuse(e, IMP_E_ALLDAY, "all-day events are not bookings");
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
	if (!e->override)
		imp_read_rule(e, venue_zone);
	/* An override's cancellation is applied to its date; anything else cancelled is
	 * skipped, whatever else is wrong with it. */
	if (e->cancelled && !e->override) {
		e->error = IMP_E_CANCELLED;
		snprintf(e->reason, sizeof(e->reason), "%s", IMP_NOTE_CANCEL);
	}
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
		if (e->master == 0 && e->cancelled) {
			e->error = IMP_E_CANCELLED;
			snprintf(e->reason, sizeof(e->reason), "%s", IMP_NOTE_CANCEL);
		}
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

/* The report. */

static json_t *imp_str(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	return v != NULL ? v : json_string("(not UTF-8)");
}

/* key as RFC 3339 in the venue's zone and key_ts in UTC seconds. */
static void imp_put_time(json_t *o, const char *key, int64_t t, const char *zone)
{
	char when[32], ts[48];

	time_format(t, zone, when);
	json_object_set_new(o, key, json_string(when));
	snprintf(ts, sizeof(ts), "%s_ts", key);
	json_object_set_new(o, ts, json_integer((json_int_t)t));
}

/* uid, summary, start and end of an event (start as written when it has no instant). */
static json_t *imp_base(const struct imp_op *op, const struct imp_event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "uid", imp_str(e->uid));
	json_object_set_new(o, "summary", imp_str(e->summary));
	if (e->timed) {
		imp_put_time(o, "start", e->start, op->zone);
		if (e->has_end)
			imp_put_time(o, "end", e->end, op->zone);
	} else {
		json_object_set_new(o, "start", e->when[0] ? json_string(e->when) : json_null());
	}
	if (e->override && e->rid_known)
		imp_put_time(o, "recurrence_id", e->rid, op->zone);
	return o;
}

static void imp_item(struct imp_op *op, enum imp_kind kind, json_t *array, json_t *o)
{
	op->items = xrealloc(op->items, (op->nitems + 1) * sizeof(*op->items));
	op->items[op->nitems].kind = kind;
	op->items[op->nitems].o = o;
	op->nitems++;
	json_array_append_new(array, o);
}

static json_t *imp_not_placed(struct imp_op *op, const struct imp_event *e, const char *error,
                              const char *reason, const uint64_t *conflicts, size_t nconflicts)
{
	json_t *o = imp_base(op, e);

	json_object_set_new(o, "error", json_string(error));
	json_object_set_new(o, "reason", imp_str(reason));
	json_object_set_new(o, "conflicts", json_ids_new(conflicts, nconflicts));
	imp_item(op, IMP_NOT_PLACED, op->not_placed, o);
	return o;
}

static json_t *imp_refused(struct imp_op *op, const struct imp_event *e, const struct herror *err)
{
	enum herr code = err->code != H_OK ? err->code : H_EINVAL;

	return imp_not_placed(op, e, herr_name(code), err->msg[0] ? err->msg : herr_title(code),
	                      err->conflicts, code == H_ECONFLICT ? err->nconflicts : 0);
}

/* A date of a series, for its lists: start (and start_ts) and what else is given. */
static json_t *imp_date(const struct imp_op *op, int64_t start)
{
	json_t *o = json_object();

	imp_put_time(o, "start", start, op->zone);
	return o;
}

static json_t *imp_date_refused(const struct imp_op *op, int64_t start, const struct herror *err)
{
	json_t *o = imp_date(op, start);
	enum herr code = err->code != H_OK ? err->code : H_EINVAL;

	json_object_set_new(o, "error", json_string(herr_name(code)));
	json_object_set_new(o, "message", imp_str(err->msg[0] ? err->msg : herr_title(code)));
	json_object_set_new(
	    o, "conflicts",
	    json_ids_new(err->conflicts, code == H_ECONFLICT ? err->nconflicts : 0));
	return o;
}

static json_t *imp_id(uint64_t id)
{
	return id != 0 ? json_integer((json_int_t)id) : json_null();
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

static enum herr imp_job_run(struct txn *t, void *arg)
{
	struct imp_job *j = arg;
	struct imp_op *op = j->op;
	struct booking b;
	json_t *fields;
	enum herr ret;

	booking_init(&b);
	switch (j->what) {
	case IMP_JOB_REQUEST:
		if (j->series_id != 0) {
			ret = series_occurrence_add(t, &cli_console, j->series_id, j->recurrence_id,
			                            j->start, j->end, j->title, op->approve,
			                            op->c->now, &b);
			break;
		}
		b.room_id = op->room_id;
		b.group_id = op->group_id;
		b.title = xstrdup(j->title);
		b.description = xstrdup_or_null(j->description);
		b.start = j->start;
		b.end = j->end;
		ret = booking_request(t, &cli_console, &b, op->approve, op->c->now);
		break;
	case IMP_JOB_UPDATE:
		fields = json_object();
		if (j->set_times) {
			json_object_set_new(fields, "start", json_integer((json_int_t)j->start));
			json_object_set_new(fields, "end", json_integer((json_int_t)j->end));
		}
		if (j->set_title)
			json_object_set_new(fields, "title", imp_str(j->title));
		if (j->set_description)
			json_object_set_new(fields, "description", json_text(j->description));
		ret = booking_update(t, &cli_console, j->id, fields, op->c->now, &b);
		json_decref(fields);
		break;
	case IMP_JOB_CANCEL:
	default:
		ret = booking_cancel(t, &cli_console, j->id, j->note, op->c->now, &b);
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
	if (booking_get(d->t, blk->booking_id, &b) == H_OK && b.group_id == d->op->group_id &&
	    b.title != NULL && strcmp(b.title, d->title) == 0)
		d->found = b.id;
	booking_free(&b);
	return d->found == 0;
}

/* A pending or approved booking of the room for the group, with the same times and title. */
static uint64_t imp_dup_booking(struct txn *t, const struct imp_op *op, const struct imp_event *e)
{
	struct imp_dup d = {.t = t, .op = op, .title = e->title, .start = e->start, .end = e->end};

	if (booking_blocks(t, op->room_id, -1, e->start, e->end, 0, imp_dup_block, &d) != H_OK)
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
	series_each(t, op->room_id, op->group_id, imp_dup_one_series, &d);
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
	struct herror why;
	uint64_t dup = imp_dup_booking(t, op, e);
	json_t *o;

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
	o = imp_base(op, e);
	json_object_set_new(o, "booking_id", json_integer((json_int_t)j.out_id));
	json_object_set_new(o, "status", json_string(booking_status_name(j.out_status)));
	imp_item(op, IMP_PLACED, op->placed, o);
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
	json_t *o;           /* the report of the series */
	struct herror first; /* why the first date left out was */
};

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

/* The booking of the rule date at h, if the series has one. */
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
	json_decref(x->o);
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

static void imp_list_add(json_t *o, const char *key, json_t *v)
{
	json_array_append_new(json_object_get(o, key), v);
}

/* A date of the source left out, and why. */
static void imp_skip(struct imp_series *x, int64_t start, const struct herror *why)
{
	if (x->first.code == H_OK) {
		x->first = *why;
		if (x->first.code == H_OK)
			x->first.code = H_EINVAL;
	}
	imp_list_add(x->o, "skipped", imp_date_refused(x->op, start, why));
}

/* The series' report: one list per kind of note. */
static json_t *imp_series_json(struct imp_series *x)
{
	json_t *o = imp_base(x->op, x->e);
	static const char *const lists[] = {"skipped", "excluded", "moved", "retimed", "cancelled"};

	json_object_set_new(o, "series_id", json_integer((json_int_t)x->s.id));
	json_object_set_new(o, "rrule", imp_str(x->s.rrule));
	json_object_set_new(o, "extra_dates_ignored", json_integer((json_int_t)x->e->nrdates));
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
		json_object_set_new(o, lists[k], json_array());
	return o;
}

/* One date of the rule, not excluded nor overridden: booked at the source's instant. */
static enum herr imp_series_date(struct txn *t, struct imp_series *x, size_t i)
{
	const struct imp_occ *occ = imp_occ_at(x, i);
	int64_t want = x->src[i], dur = (int64_t)x->s.duration;
	struct imp_job j = {.op = x->op};
	struct herror why;
	json_t *d;

	herror_clear(&why);
	if (occ != NULL && occ->rid == want)
		return H_OK;
	if (occ == NULL && i < x->nh && x->h[i] == want) {
		/* Refused when the series was made: say why. */
		for (size_t k = 0; k < x->out.nrefused; k++)
			if (x->out.refused[k].start == want) {
				const struct series_refusal *r = &x->out.refused[k];

				why.code = r->code;
				snprintf(why.msg, sizeof(why.msg), "%s", r->msg);
				why.nconflicts = r->nconflicts;
				memcpy(why.conflicts, r->conflicts,
				       r->nconflicts * sizeof(r->conflicts[0]));
				break;
			}
		imp_skip(x, want, &why);
		return H_OK;
	}
	if (occ != NULL) {
		/* The source has this date at another instant (another clock). */
		j.what = IMP_JOB_UPDATE;
		j.id = occ->id;
		j.set_times = true;
		j.start = want;
		j.end = want + dur;
		if (imp_do(t, &j, &why) == H_OK) {
			d = imp_date(x->op, want);
			imp_put_time(d, "original_start", occ->rid, x->op->zone);
			json_object_set_new(d, "booking_id", imp_id(occ->id));
			imp_list_add(x->o, "retimed", d);
			return H_OK;
		}
		if (t->ret != H_OK)
			return t->ret;
		struct imp_job cancel = {.op = x->op, .what = IMP_JOB_CANCEL, .id = occ->id};

		cancel.note = "not at the time of the imported calendar, which could not be booked";
		imp_do(t, &cancel, NULL);
		imp_skip(x, want, &why);
		return t->ret;
	}
	if (i >= x->nh) {
		herror_set(&why, H_EINVAL, "the rule has no such date on %s's clock", x->s.zone);
		imp_skip(x, want, &why);
		return H_OK;
	}
	/* No booking yet (refused at its rule time): one at the source's instant, linked to
	 * its rule date. */
	j.what = IMP_JOB_REQUEST;
	j.start = want;
	j.end = want + dur;
	j.title = x->s.title;
	j.description = x->s.description;
	j.series_id = x->s.id;
	j.recurrence_id = x->h[i];
	if (imp_do(t, &j, &why) == H_OK) {
		d = imp_date(x->op, want);
		imp_put_time(d, "original_start", x->h[i], x->op->zone);
		json_object_set_new(d, "booking_id", imp_id(j.out_id));
		imp_list_add(x->o, "retimed", d);
		return H_OK;
	}
	imp_skip(x, want, &why);
	return t->ret;
}

/* The series of a recurring event, its EXDATEs, and its dates moved to the source's
 * clock; run nested, so that a refusal undoes it all. */
static enum herr imp_series_make(struct txn *t, void *arg)
{
	struct imp_series *x = arg;
	struct imp_op *op = x->op;
	struct imp_event *e = x->e;
	size_t n, standing = 0, overridden = 0;
	uint64_t dup;
	enum herr ret;

	series_init(&x->s);
	x->s.room_id = op->room_id;
	x->s.group_id = op->group_id;
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
	ret = series_create(t, &cli_console, &x->s, op->approve, true, op->c->now, &x->out);
	if (ret != H_OK)
		return ret;
	if (series_expand(x->s.rrule, x->s.zone, x->s.first_start, x->out.created + x->out.nrefused,
	                  imp_starts_add, x, t->err) != H_OK)
		return H_EINVAL;
	if (imp_same_clock(&e->zone, x->s.zone)) {
		x->nsrc = x->nh;
		x->src = xcalloc(x->nh > 0 ? x->nh : 1, sizeof(*x->src));
		memcpy(x->src, x->h, x->nh * sizeof(*x->h));
	} else {
		x->nsrc = imp_expand(e, x->s.zone, x->nh + 1, &x->src);
	}
	n = x->nh > x->nsrc ? x->nh : x->nsrc;
	x->mark = xcalloc(n > 0 ? n : 1, 1);
	for (size_t i = 0; i < x->nsrc; i++)
		if (imp_excluded(x, i))
			x->mark[i] = IMP_DATE_EXCLUDED;
	for (size_t k = 0; k < x->nov; k++) {
		const struct imp_event *ov = &op->ev[x->ovs[k]];

		x->ov[k] = SIZE_MAX;
		for (size_t i = 0; ov->rid_known && i < x->nsrc; i++)
			if (x->src[i] == ov->rid && x->mark[i] == IMP_DATE) {
				x->ov[k] = i;
				x->mark[i] = IMP_DATE_OVERRIDDEN;
				overridden++;
				break;
			}
	}
	if ((ret = imp_occ_load(t, x)) != H_OK)
		return ret;
	x->o = imp_series_json(x);
	for (size_t i = 0; i < n; i++) {
		const struct imp_occ *occ = imp_occ_at(x, i);

		if (i < x->nsrc && x->mark[i] == IMP_DATE) {
			if ((ret = imp_series_date(t, x, i)) != H_OK)
				return ret;
		} else if (i >= x->nsrc || x->mark[i] == IMP_DATE_EXCLUDED) {
			/* Excluded by the source (or a date its clock does not have). */
			struct imp_job j = {
			    .op = op, .what = IMP_JOB_CANCEL, .note = IMP_NOTE_EXDATE};

			if (i >= x->nsrc)
				j.note = "not a date of the imported calendar";
			json_t *d = imp_date(op, i < x->nsrc ? x->src[i] : x->h[i]);

			if (occ != NULL) {
				j.id = occ->id;
				imp_do(t, &j, NULL);
				if (t->ret != H_OK) {
					json_decref(d);
					return t->ret;
				}
			}
			json_object_set_new(d, "booking_id", imp_id(occ != NULL ? occ->id : 0));
			imp_list_add(x->o, "excluded", d);
		}
	}
	if ((ret = imp_occ_load(t, x)) != H_OK)
		return ret;
	for (size_t k = 0; k < x->nocc; k++)
		if (x->occ[k].status == BOOKING_PENDING || x->occ[k].status == BOOKING_APPROVED)
			standing++;
	if (standing == 0 && overridden == 0) {
		/* Nothing left of it: refused as a whole, like `series add`. */
		char msg[sizeof(x->first.msg)];

		memcpy(msg, x->first.msg, sizeof(msg));
		*t->err = x->first;
		return herror_set(t->err, x->first.code != H_OK ? x->first.code : H_EINVAL,
		                  "none of its dates can be booked%s%s%s",
		                  msg[0] ? " (first: " : "", msg, msg[0] ? ")" : "");
	}
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

static enum herr imp_override_apply(struct txn *t, void *arg)
{
	struct imp_override *y = arg;
	struct imp_series *x = y->x;
	struct imp_op *op = x->op;
	struct imp_event *ov = y->ov;
	const struct imp_occ *occ = imp_occ_at(x, y->date);
	int64_t from = x->src[y->date];
	struct imp_job j = {.op = op};
	json_t *d;

	if (ov->cancelled) {
		if (occ != NULL &&
		    (occ->status == BOOKING_PENDING || occ->status == BOOKING_APPROVED)) {
			j.what = IMP_JOB_CANCEL;
			j.id = occ->id;
			j.note = IMP_NOTE_CANCEL;
			if (imp_do(t, &j, &y->why) != H_OK) {
				y->refused = true;
				return t->ret;
			}
		}
		d = imp_date(op, from);
		json_object_set_new(d, "booking_id", imp_id(occ != NULL ? occ->id : 0));
		imp_list_add(x->o, "cancelled", d);
		return H_OK;
	}
	if (occ != NULL) {
		j.what = IMP_JOB_UPDATE;
		j.id = occ->id;
		j.start = ov->start;
		j.end = ov->end;
		j.set_times = ov->start != occ->rid || ov->end != occ->rid + (int64_t)x->s.duration;
		j.title = ov->title;
		j.set_title = strcmp(ov->title, x->s.title) != 0;
		j.description = ov->description;
		j.set_description = imp_text_differs(ov->description, x->s.description);
		if (!j.set_times && !j.set_title && !j.set_description)
			return H_OK; /* the same as its rule date */
		if (imp_do(t, &j, &y->why) != H_OK) {
			/* The date is not at its rule time in the source: it goes. */
			struct imp_job cancel = {.op = op, .what = IMP_JOB_CANCEL, .id = occ->id};
			char when[32], note[96];

			if (t->ret != H_OK)
				return t->ret;
			y->refused = true;
			out_local(ov->start, op->zone, when);
			snprintf(note, sizeof(note),
			         "moved in the imported calendar to %s, which could not be booked",
			         when);
			cancel.note = note;
			if (imp_do(t, &cancel, NULL) == H_OK)
				y->cancelled_id = occ->id;
			return t->ret;
		}
		j.out_id = occ->id;
	} else {
		/* Its rule date could not be booked; its own time may be free. */
		j.what = IMP_JOB_REQUEST;
		j.start = ov->start;
		j.end = ov->end;
		j.title = ov->title;
		j.description = ov->description;
		if (y->date < x->nh) {
			j.series_id = x->s.id;
			j.recurrence_id = x->h[y->date];
		}
		if (imp_do(t, &j, &y->why) != H_OK) {
			y->refused = true;
			return t->ret;
		}
	}
	d = imp_date(op, ov->start);
	imp_put_time(d, "end", ov->end, op->zone);
	imp_put_time(d, "original_start", from, op->zone);
	json_object_set_new(d, "booking_id", imp_id(j.out_id));
	imp_list_add(x->o, "moved", d);
	return H_OK;
}

/* The overrides of a series that could not be placed (or was there already). */
static void imp_overrides_orphaned(struct imp_op *op, size_t master, bool there)
{
	for (size_t k = 0; k < op->nev; k++)
		if (op->ev[k].master == master + 1)
			imp_not_placed(op, &op->ev[k], there ? herr_name(H_EEXISTS) : IMP_E_MASTER,
			               there ? "the recurring event it changes is already booked"
			                     : "the recurring event it changes was not placed",
			               NULL, 0);
}

static enum herr imp_series(struct txn *t, struct imp_op *op, size_t index)
{
	struct imp_series x = {.op = op, .e = &op->ev[index]};
	size_t standing = 0, dates, approved = 0, pending = 0, excluded, cancelled;
	enum herr ret;

	for (size_t k = 0; k < op->nev; k++)
		if (op->ev[k].master == index + 1) {
			x.ovs = xrealloc(x.ovs, (x.nov + 1) * sizeof(*x.ovs));
			x.ovs[x.nov++] = k;
		}
	x.ov = xcalloc(x.nov > 0 ? x.nov : 1, sizeof(*x.ov));
	herror_clear(t->err);
	ret = txn_try(t, imp_series_make, &x);
	if (ret != H_OK) {
		if (t->ret == H_OK) {
			bool there = t->err->code == H_EEXISTS;

			imp_refused(op, x.e, t->err);
			herror_clear(t->err);
			imp_overrides_orphaned(op, index, there);
		}
		imp_series_free(&x);
		return t->ret;
	}
	imp_item(op, IMP_SERIES, op->series, json_incref(x.o));
	for (size_t k = 0; k < x.nov; k++) {
		struct imp_override y = {.x = &x, .ov = &op->ev[x.ovs[k]], .date = x.ov[k]};
		json_t *np;

		herror_clear(&y.why);
		if (y.ov->error != NULL &&
		    (!y.ov->cancelled || strcmp(y.ov->error, IMP_E_UNSUPP) == 0)) {
			imp_not_placed(op, y.ov, y.ov->error, y.ov->reason, NULL, 0);
			continue;
		}
		if (y.date == SIZE_MAX) {
			/* Not a date of its rule: on its own, unless it is a cancellation. */
			if (y.ov->cancelled && y.ov->rid_known) {
				json_t *d = imp_date(op, y.ov->rid);

				json_object_set_new(d, "booking_id", json_null());
				imp_list_add(x.o, "cancelled", d);
			} else if (!y.ov->cancelled && (ret = imp_one(t, op, y.ov)) != H_OK) {
				break;
			}
			continue;
		}
		herror_clear(t->err);
		ret = txn_try(t, imp_override_apply, &y);
		if (t->ret != H_OK)
			break;
		if (ret != H_OK && !y.refused) {
			y.refused = true;
			y.why = *t->err;
		}
		herror_clear(t->err);
		if (y.refused) {
			np = imp_refused(op, y.ov, &y.why);
			imp_put_time(np, "recurrence_id", x.src[y.date], op->zone);
			json_object_set_new(np, "series_id", json_integer((json_int_t)x.s.id));
			if (y.cancelled_id != 0)
				json_object_set_new(np, "cancelled_booking",
				                    json_integer((json_int_t)y.cancelled_id));
		}
	}
	if (t->ret == H_OK && (ret = imp_occ_load(t, &x)) == H_OK) {
		for (size_t k = 0; k < x.nocc; k++) {
			approved += x.occ[k].status == BOOKING_APPROVED;
			pending += x.occ[k].status == BOOKING_PENDING;
		}
		standing = approved + pending;
		excluded = json_array_size(json_object_get(x.o, "excluded"));
		cancelled = json_array_size(json_object_get(x.o, "cancelled"));
		dates = x.nsrc > x.nh ? x.nsrc : x.nh;
		dates = dates > excluded + cancelled ? dates - excluded - cancelled : 0;
		json_object_set_new(x.o, "dates", json_integer((json_int_t)dates));
		json_object_set_new(x.o, "created", json_integer((json_int_t)standing));
		json_object_set_new(x.o, "approved", json_integer((json_int_t)approved));
		json_object_set_new(x.o, "pending", json_integer((json_int_t)pending));
		op->series_dates += standing;
	}
	imp_series_free(&x);
	return t->ret;
}

/* The write: every event in its own nested transaction. */
static void imp_reset(struct imp_op *op)
{
	json_decref(op->placed);
	json_decref(op->not_placed);
	json_decref(op->series);
	op->placed = json_array();
	op->not_placed = json_array();
	op->series = json_array();
	free(op->items);
	op->items = NULL;
	op->nitems = 0;
	op->series_dates = 0;
	op->finished = false;
}

static enum herr imp_write(struct txn *t, void *arg)
{
	struct imp_op *op = arg;
	enum herr ret = H_OK;

	imp_reset(op);
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
	if (op->dry_run)
		return herror_set(t->err, H_ESTATE, "dry run: nothing was stored");
	return t->ret;
}

/* Printing, for people. */

/* Text from the file, on one line. */
static void imp_print_text(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

static int64_t imp_ts(const json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* "Tue 06 Oct 2026 19:00-21:00", or the start as written. */
static void imp_print_when(FILE *f, const json_t *o, const char *zone)
{
	char a[32], b[32];
	struct localtm x, y;

	if (json_object_get(o, "start_ts") == NULL) {
		const char *s = json_string_value(json_object_get(o, "start"));

		fprintf(f, "%s", s != NULL ? s : "no start");
		return;
	}
	out_local(imp_ts(o, "start_ts"), zone, a);
	fprintf(f, "%s", a);
	if (json_object_get(o, "end_ts") == NULL)
		return;
	tz_to_local(zone, imp_ts(o, "start_ts"), &x);
	tz_to_local(zone, imp_ts(o, "end_ts"), &y);
	if (x.year == y.year && x.month == y.month && x.day == y.day)
		out_clock(imp_ts(o, "end_ts"), zone, b);
	else
		out_local(imp_ts(o, "end_ts"), zone, b);
	fprintf(f, "-%s", b);
}

/* "Title", when[, rule] (uid U). */
static void imp_print_event(FILE *f, const json_t *o, const char *zone, const char *rule)
{
	const char *summary = json_string_value(json_object_get(o, "summary"));
	const char *uid = json_string_value(json_object_get(o, "uid"));

	fputc('"', f);
	imp_print_text(f, summary != NULL ? summary : IMP_TITLE);
	fputc('"', f);
	if (json_object_get(o, "recurrence_id_ts") != NULL) {
		char was[32];

		out_local(imp_ts(o, "recurrence_id_ts"), zone, was);
		fprintf(f, " (instead of %s)", was);
	}
	fputs(", ", f);
	imp_print_when(f, o, zone);
	if (rule != NULL)
		fprintf(f, ", %s", rule);
	if (uid != NULL) {
		fputs(" (uid ", f);
		imp_print_text(f, uid);
		fputc(')', f);
	}
}

static void imp_print_conflicts(FILE *f, const json_t *ids)
{
	size_t n = json_array_size(ids);

	if (n == 0)
		return;
	fprintf(f, "; conflicts with booking%s ", n > 1 ? "s" : "");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%lld", i ? ", " : "",
		        (long long)json_integer_value(json_array_get(ids, i)));
}

/* A series' notes, one line each, in date order. */
struct imp_note {
	int64_t at;
	char *text;
};

static int imp_note_cmp(const void *a, const void *b)
{
	const struct imp_note *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static char *imp_note_text(const char *list, const json_t *d, const char *zone)
{
	char a[32], b[32], *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	long long id = (long long)json_integer_value(json_object_get(d, "booking_id"));

	if (f == NULL)
		fatal("out of memory");
	out_local(imp_ts(d, "start_ts"), zone, a);
	if (strcmp(list, "skipped") == 0) {
		fprintf(f, "  left out %s (%s): ", a,
		        json_string_value(json_object_get(d, "error")));
		imp_print_text(f, json_string_value(json_object_get(d, "message")));
		imp_print_conflicts(f, json_object_get(d, "conflicts"));
	} else if (strcmp(list, "excluded") == 0 || strcmp(list, "cancelled") == 0) {
		fprintf(f, "  %s %s: %s", list, a,
		        list[0] == 'e' ? IMP_NOTE_EXDATE : IMP_NOTE_CANCEL);
		if (id != 0)
			fprintf(f, " (booking %lld cancelled)", id);
	} else {
		out_local(imp_ts(d, "original_start_ts"), zone, b);
		if (strcmp(list, "moved") == 0 &&
		    imp_ts(d, "start_ts") == imp_ts(d, "original_start_ts")) {
			fprintf(f, "  changed %s: title or description as in the imported calendar",
			        b);
		} else if (strcmp(list, "moved") == 0) {
			fprintf(f, "  moved %s to ", b);
			imp_print_when(f, d, zone);
		} else {
			struct localtm x, y;

			tz_to_local(zone, imp_ts(d, "original_start_ts"), &x);
			tz_to_local(zone, imp_ts(d, "start_ts"), &y);
			if (x.year == y.year && x.month == y.month && x.day == y.day)
				out_clock(imp_ts(d, "start_ts"), zone, a);
			fprintf(f, "  retimed %s to %s, as in the imported calendar", b, a);
		}
		fprintf(f, " (booking %lld)", id);
	}
	fclose(f);
	return s;
}

static void imp_print_series(const json_t *o, const char *zone)
{
	static const char *const lists[] = {"skipped", "excluded", "moved", "retimed", "cancelled"};
	struct imp_note *notes = NULL;
	size_t n = 0, extra = (size_t)json_integer_value(json_object_get(o, "extra_dates_ignored"));

	printf("placed: series %lld, %lld of %lld dates (%lld approved, %lld pending): ",
	       (long long)json_integer_value(json_object_get(o, "series_id")),
	       (long long)json_integer_value(json_object_get(o, "created")),
	       (long long)json_integer_value(json_object_get(o, "dates")),
	       (long long)json_integer_value(json_object_get(o, "approved")),
	       (long long)json_integer_value(json_object_get(o, "pending")));
	imp_print_event(stdout, o, zone, json_string_value(json_object_get(o, "rrule")));
	putchar('\n');
	for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
		const json_t *a = json_object_get(o, lists[k]);

		for (size_t i = 0; i < json_array_size(a); i++) {
			const json_t *d = json_array_get(a, i);

			notes = xrealloc(notes, (n + 1) * sizeof(*notes));
			notes[n].at = imp_ts(d, json_object_get(d, "original_start_ts") != NULL
			                            ? "original_start_ts"
			                            : "start_ts");
			notes[n].text = imp_note_text(lists[k], d, zone);
			n++;
		}
	}
	if (n > 0) /* notes is NULL then, and qsort may not take NULL */
		qsort(notes, n, sizeof(*notes), imp_note_cmp);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", notes[i].text);
		free(notes[i].text);
	}
	free(notes);
	if (extra > 0)
		printf("  %zu extra date%s (RDATE) not imported: book %s with `halls booking "
		       "request`\n",
		       extra, extra == 1 ? "" : "s", extra == 1 ? "it" : "them");
}

static void imp_print(const struct imp_op *op, size_t nevents)
{
	size_t there = 0;

	for (size_t i = 0; i < json_array_size(op->not_placed); i++)
		there += strcmp(json_string_value(
		                    json_object_get(json_array_get(op->not_placed, i), "error")),
		                herr_name(H_EEXISTS)) == 0;
	for (size_t i = 0; i < op->nitems; i++) {
		const json_t *o = op->items[i].o;

		switch (op->items[i].kind) {
		case IMP_PLACED:
			printf("placed: booking %lld (%s): ",
			       (long long)json_integer_value(json_object_get(o, "booking_id")),
			       json_string_value(json_object_get(o, "status")));
			imp_print_event(stdout, o, op->zone, NULL);
			putchar('\n');
			break;
		case IMP_SERIES:
			imp_print_series(o, op->zone);
			break;
		case IMP_NOT_PLACED:
		default:
			printf("not placed: ");
			imp_print_event(stdout, o, op->zone, NULL);
			fputs(": ", stdout);
			imp_print_text(stdout, json_string_value(json_object_get(o, "reason")));
			imp_print_conflicts(stdout, json_object_get(o, "conflicts"));
			if (json_object_get(o, "cancelled_booking") != NULL)
				printf("; booking %lld, on the date it replaces, was cancelled",
				       (long long)json_integer_value(
				           json_object_get(o, "cancelled_booking")));
			putchar('\n');
			break;
		}
	}
	printf("%sread %zu event%s from %s: placed %zu booking%s and %zu series (%zu date%s); %zu "
	       "not placed",
	       op->dry_run ? "dry run, nothing was stored: " : "", nevents, nevents == 1 ? "" : "s",
	       op->path, json_array_size(op->placed), json_array_size(op->placed) == 1 ? "" : "s",
	       json_array_size(op->series), op->series_dates, op->series_dates == 1 ? "" : "s",
	       json_array_size(op->not_placed));
	if (there > 0)
		printf(" (%zu already booked)", there);
	putchar('\n');
}

/* The file. */

static char *imp_slurp(const char *path, struct herror *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		herror_set(err, H_EINVAL, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len <= IMP_FILE_MAX);
	if (ferror(f) || len > IMP_FILE_MAX) {
		herror_set(err, H_EINVAL, ferror(f) ? "cannot read %s: %s" : "%s is too large%s",
		           path, ferror(f) ? strerror(errno) : " (over 64 MiB)");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* The VEVENTs of every VCALENDAR in the file, in order. */
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

/* The calendar in text (named path in messages). */
static icalcomponent *imp_parse(struct imp_op *op, const char *text, struct herror *err)
{
	icalcomponent *root = icalparser_parse_string(text);
	size_t ncal = 0;

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
		           op->path);
		if (root != NULL)
			icalcomponent_free(root);
		return NULL;
	}
	return root;
}

/* The room's zone, and that the room and group exist. */
static enum herr imp_check(struct cli *c, struct imp_op *op, char **zone, struct herror *err)
{
	struct txn t;
	enum herr ret;

	ret = db_read_begin(c->db, &t, err);
	if (ret != H_OK)
		return ret;
	ret = place_zone(&t, 0, op->room_id, zone);
	if (ret == H_OK && !record_exists(&t, DBI_GROUP, op->group_id))
		ret = herror_set(err, H_ENOTFOUND, "there is no group %llu",
		                 (unsigned long long)op->group_id);
	db_read_end(&t);
	return ret;
}

/* Reads, places and reports the calendar in text for op (room, group, flags and path
 * set); the report is left in op. *root (freed by the caller) holds the events. */
static enum herr imp_run(struct imp_op *op, const char *text, icalcomponent **root, char **zone,
                         struct herror *err)
{
	enum herr ret;

	if ((ret = imp_check(op->c, op, zone, err)) != H_OK)
		return ret;
	if ((*root = imp_parse(op, text, err)) == NULL)
		return err->code;
	op->zone = *zone;
	for (size_t i = 0; i < op->nev; i++)
		imp_read(&op->ev[i], *zone);
	imp_link(op);
	herror_clear(err);
	ret = db_write(op->c->db, imp_write, op, err);
	/* A dry run that tried every event ends in its own refusal: that is success. */
	return ret != H_OK && op->dry_run && op->finished ? H_OK : ret;
}

static json_t *imp_report(const struct imp_op *op)
{
	return json_pack("{s:s, s:I, s:I, s:b, s:I, s:O, s:O, s:O}", "file", op->path, "room_id",
	                 (json_int_t)op->room_id, "group_id", (json_int_t)op->group_id, "dry_run",
	                 op->dry_run, "events", (json_int_t)op->nev, "placed", op->placed,
	                 "not_placed", op->not_placed, "series", op->series);
}

static void imp_free(struct imp_op *op, icalcomponent *root, char *zone)
{
	json_decref(op->placed);
	json_decref(op->not_placed);
	json_decref(op->series);
	free(op->items);
	imp_events_free(op);
	if (root != NULL)
		icalcomponent_free(root);
	free(zone);
}

enum herr import_ics_text(struct cli *c, const struct import_ics *in, const char *text,
                          json_t **report, struct herror *err)
{
	struct imp_op op = {.c = c,
	                    .path = in->name,
	                    .room_id = in->room_id,
	                    .group_id = in->group_id,
	                    .approve = in->approve,
	                    .dry_run = in->dry_run};
	icalcomponent *root = NULL;
	char *zone = NULL;
	enum herr ret = imp_run(&op, text, &root, &zone, err);

	*report = ret == H_OK ? imp_report(&op) : NULL;
	imp_free(&op, root, zone);
	return ret;
}

int cmd_import_ics(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "approve", .type = OPT_FLAG},
	    {.name = "dry-run", .type = OPT_FLAG},
	    {.name = NULL},
	};
	struct imp_op op = {.c = c};
	icalcomponent *root = NULL;
	struct herror err;
	char *args[1], *zone = NULL, *text = NULL;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		goto out;
	if (nargs != 1) {
		rc = out_usage(c, "FILE is required");
		goto out;
	}
	if ((rc = opt_need(c, opts, "room")) != CLI_OK ||
	    (rc = opt_need(c, opts, "group")) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", &op.room_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &op.group_id)) != CLI_OK)
		goto out;
	op.path = args[0];
	op.approve = opt_flag(opts, "approve");
	op.dry_run = opt_flag(opts, "dry-run");
	herror_clear(&err);
	if ((text = imp_slurp(op.path, &err)) == NULL ||
	    imp_run(&op, text, &root, &zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	if (c->json)
		out_json(imp_report(&op));
	else
		imp_print(&op, op.nev);
	rc = CLI_OK;
out:
	free(text);
	imp_free(&op, root, zone);
	opt_free(opts);
	return rc;
}
