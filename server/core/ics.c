/* iCalendar feeds: libical 3.0 builds the components, this file owns the final text.
 *
 * What libical gets wrong for calendar apps, and what is done about it here:
 * - its built-in zones are named "/freeassociation.sourceforge.net/Europe/London" and
 *   carry every observance since 1847: the clone in the feed is renamed to the IANA name
 *   and trimmed to the observances the feed's events need;
 * - it escapes "\" and line breaks in X- property values but not "," and ";", so
 *   X-WR-CALNAME and X-WR-CALDESC are escaped here and handed to libical as values it
 *   writes verbatim;
 * - its folding can split a backslash escape: its text is unfolded and folded again by
 *   ics_fold, with CRLF line ends.
 *
 * Each VEVENT is written by libical alone and its final text appended to the calendar's
 * body, or copied from an ics_memo when the same event was rendered before; the
 * calendar's own lines and VTIMEZONEs are written around the body at the end. Every line
 * is folded on its own, so the bytes are those of the whole calendar written at once. */
#include "ics.h"

#include "tz.h"
#include "xmalloc.h"

#include <libical/ical.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define LINE_OCTETS 75
#define PRODID      "-//halls//halls feeds//EN"

/* A zone's observances are kept from this long before its earliest event: apps show
 * the weeks around an event, and a year also absorbs any slack in how onsets are
 * compared (local wall time against the window's UTC start). */
#define ZONE_HISTORY ((int64_t)366 * 86400)

struct zone_use {
	char *name;       /* IANA name, as the events give it */
	int64_t earliest; /* the earliest instant any event shows in this zone */
};

/* A growing byte string. */
struct buf {
	char *p;
	size_t len, cap;
};

struct ics_calendar {
	enum ics_method method;
	char *organizer_email, *organizer_name; /* an invitation's (ics_calendar_invite) */
	char *attendee_email, *attendee_name;
	char *name;
	char *description; /* NULL: none */
	unsigned refresh_minutes;
	struct ics_memo *memo;  /* NULL: every event rendered */
	struct buf body;        /* the VEVENTs' final text, in the order added */
	struct zone_use *zones; /* the zones of the events, in order of first use */
	size_t nzones, zones_cap;
};

/* Room for n more bytes and the NUL after them; the string stays NUL-terminated. */
static void buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
		b->p[b->len] = '\0';
	}
}

/* Appends n bytes of s. */
static void buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static char *buf_finish(struct buf *b, size_t *len)
{
	if (b->p == NULL)
		buf_add(b, "", 0);
	if (len != NULL)
		*len = b->len;
	return b->p;
}

static void *grow(void *array, size_t *cap, size_t want, size_t size)
{
	if (want <= *cap)
		return array;
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(array, *cap * size);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* ---- Text ---- */

/* What TEXT (RFC 5545 3.3.11) can carry of s: it allows no control character but HTAB,
 * and line breaks travel as "\n", so CR LF and a lone CR become LF and the other
 * controls are dropped. */
static char *text_clean(const char *s)
{
	struct buf b = {0};

	for (const char *p = or_empty(s); *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\r') {
			buf_add(&b, "\n", 1);
			if (p[1] == '\n')
				p++;
		} else if ((ch >= 0x20 && ch != 0x7f) || ch == '\t' || ch == '\n') {
			buf_add(&b, p, 1);
		}
	}
	return buf_finish(&b, NULL);
}

char *ics_text_escape(const char *s)
{
	char *clean = text_clean(s);
	struct buf b = {0};

	for (const char *p = clean; *p; p++) {
		if (*p == '\n')
			buf_add(&b, "\\n", 2);
		else if (*p == '\\' || *p == ';' || *p == ',') {
			buf_add(&b, "\\", 1);
			buf_add(&b, p, 1);
		} else
			buf_add(&b, p, 1);
	}
	free(clean);
	return buf_finish(&b, NULL);
}

/* ---- Folding ---- */

/* The length of the UTF-8 sequence at p: its lead byte's count, cut short where the
 * continuation bytes stop (so that malformed input still moves forward). */
static size_t utf8_len(const char *p, const char *end)
{
	unsigned char lead = (unsigned char)*p;
	size_t want = lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf8 ? 4 : 1;
	size_t n = 1;

	while (n < want && p + n < end && ((unsigned char)p[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* The bytes at p that must stay on one line: a character, or a backslash with the
 * character it escapes (an app that meets "\" at a line's end may not join the escape
 * to the next line's first character). */
static size_t unbreakable_len(const char *p, const char *end)
{
	size_t n = utf8_len(p, end);

	if (*p == '\\' && p + 1 < end && p[1] != '\r' && p[1] != '\n')
		n += utf8_len(p + 1, end);
	return n;
}

/* Appends one content line, folded, with its CRLF. The space that starts a continuation
 * line counts towards its 75 octets. Each piece between breaks is copied at once. */
static void fold_line(struct buf *out, const char *line, size_t len)
{
	const char *p = line, *end = line + len, *piece = line;
	size_t used = 0;

	if (len <= LINE_OCTETS) { /* most lines: nothing to break */
		buf_add(out, line, len);
		buf_add(out, "\r\n", 2);
		return;
	}
	while (p < end) {
		size_t n = unbreakable_len(p, end);

		if (used > 0 && used + n > LINE_OCTETS) {
			buf_add(out, piece, (size_t)(p - piece));
			buf_add(out, "\r\n ", 3);
			piece = p;
			used = 1;
		}
		used += n;
		p += n;
	}
	buf_add(out, piece, (size_t)(end - piece));
	buf_add(out, "\r\n", 2);
}

char *ics_fold(const char *text, size_t len, size_t *out_len)
{
	struct buf out = {0};
	const char *p = text, *end = text + len;

	/* The CRLFs and a continuation every 74 octets, with room to spare. */
	buf_reserve(&out, len + len / 16 + 64);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;

		if (stop > p && stop[-1] == '\r')
			stop--;
		fold_line(&out, p, (size_t)(stop - p));
		p = next;
	}
	return buf_finish(&out, out_len);
}

/* Joins folded lines back into content lines (RFC 5545 3.1: a line break, CRLF or LF,
 * followed by a space or a tab continues the line). The text between two continuations
 * is copied at once. */
static char *unfold(const char *text, size_t *len)
{
	struct buf out = {0};
	const char *p = text, *end = text + strlen(text), *piece = text, *nl;

	buf_reserve(&out, (size_t)(end - text));
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		/* text is NUL-terminated: nl[1] is a byte of it. */
		if (nl[1] == ' ' || nl[1] == '\t') {
			/* A CR of the break is the byte before, unless a continuation took it. */
			const char *stop = nl > piece && nl[-1] == '\r' ? nl - 1 : nl;

			buf_add(&out, piece, (size_t)(stop - piece));
			piece = nl + 2;
		}
		p = nl + 1;
	}
	buf_add(&out, piece, (size_t)(end - piece));
	return buf_finish(&out, len);
}

/* ---- Zones ---- */

/* libical's VTIMEZONE for an IANA name (libical owns it), or NULL for a zone it does not
 * know. libical keeps "UTC" apart from its tzdata zones, with no component: its tzdata
 * twin Etc/UTC stands in. */
static icalcomponent *zone_builtin(const char *name)
{
	icaltimezone *z;

	if (name == NULL || name[0] == '\0')
		return NULL;
	/* Through tz.c, which searches and loads zones safely across threads. */
	z = (icaltimezone *)(uintptr_t)tz_zone_find(strcmp(name, "UTC") == 0 ? "Etc/UTC" : name);
	return z ? icaltimezone_get_component(z) : NULL;
}

/* A zone's VTIMEZONE, read once per process (tz_zone_derived) so that a feed or an
 * invitation only searches it: following the observances' RRULEs with libical's
 * iterator, for every zone of every calendar written, was most of the CPU of a booking
 * request (its invitation) and a tenth of a feed's. */
struct observance {
	icalcomponent *c; /* libical's, only ever cloned */
	int64_t *onsets;  /* UTC, ascending: DTSTART, RDATEs, RRULE occurrences */
	size_t n;
	bool onsets_beyond; /* more onsets follow the last one here, or cannot be told */
};

struct zone_form {
	icalcomponent *head; /* the VTIMEZONE's properties, without X-LIC-LOCATION */
	struct observance *obs;
	size_t nobs;
};

/* An observance's RRULE is followed up to the first onset at or after TIME_MAX, the end
 * of the instants halls accepts (tz.h), or this many onsets: tzdata's yearly rules need a
 * few hundred. Past the cap the observance is kept, as if it never ended. */
#define ONSET_STEPS_MAX 10000

struct onset_list {
	int64_t *t;
	size_t n, cap;
	bool beyond;
};

static void onset_add(struct onset_list *l, int64_t t)
{
	l->t = grow(l->t, &l->cap, l->n + 1, sizeof(*l->t));
	l->t[l->n++] = t;
}

static int onset_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Seconds since 1970 of a wall-clock time read as if it were UTC. */
static int64_t wall_seconds(struct icaltimetype t)
{
	return days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 +
	       t.second;
}

static void rrule_onsets(icalproperty *rrule, struct icaltimetype dtstart, int offset_from,
                         struct onset_list *l)
{
	struct icalrecurrencetype rule = icalproperty_get_rrule(rrule);
	icalrecur_iterator *it;
	bool ended = false;

	/* An observance's UNTIL is in UTC (RFC 5545 3.3.10), its onsets in wall-clock time,
	 * and libical's iterator compares the two as if both were UTC, dropping the last
	 * onset of rules east of Greenwich and of those that change at 02:00 local. Moved to
	 * the wall clock first, as libical's own zone code does. */
	if (!icaltime_is_null_time(rule.until) && icaltime_is_utc(rule.until)) {
		icaltime_adjust(&rule.until, 0, 0, 0, offset_from);
		rule.until.zone = NULL;
	}
	it = icalrecur_iterator_new(rule, dtstart);
	if (it == NULL) {
		l->beyond = true; /* cannot tell: keep it */
		return;
	}
	for (int steps = 0; steps < ONSET_STEPS_MAX; steps++) {
		struct icaltimetype t = icalrecur_iterator_next(it);
		int64_t onset;

		if (icaltime_is_null_time(t)) {
			ended = true;
			break;
		}
		onset = wall_seconds(t) - offset_from;
		onset_add(l, onset);
		if (onset >= TIME_MAX)
			break;
	}
	/* Stopped at TIME_MAX or at the cap rather than at the rule's end, it may go on: the
	 * observance is then needed by every window, as a longer walk would find. */
	if (!ended)
		l->beyond = true;
	icalrecur_iterator_free(it);
}

/* The onsets of a STANDARD or DAYLIGHT observance: DTSTART, every RDATE and every RRULE
 * occurrence, each a wall-clock time in the offset in force before it (TZOFFSETFROM). */
static struct observance observance_read(icalcomponent *obs)
{
	struct onset_list l = {NULL, 0, 0, false};
	icalproperty *dtprop = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
	icalproperty *fromprop = icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY);
	int offset_from = fromprop ? icalproperty_get_tzoffsetfrom(fromprop) : 0;
	struct icaltimetype dtstart;

	if (dtprop == NULL) /* malformed: keep it rather than guess */
		return (struct observance){obs, NULL, 0, true};
	dtstart = icalproperty_get_dtstart(dtprop);
	onset_add(&l, wall_seconds(dtstart) - offset_from);
	for (icalproperty *p = icalcomponent_get_first_property(obs, ICAL_RDATE_PROPERTY); p;
	     p = icalcomponent_get_next_property(obs, ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype rd = icalproperty_get_rdate(p);
		struct icaltimetype t = icaltime_is_null_time(rd.time) ? rd.period.start : rd.time;

		onset_add(&l, wall_seconds(t) - offset_from);
	}
	for (icalproperty *p = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY); p;
	     p = icalcomponent_get_next_property(obs, ICAL_RRULE_PROPERTY))
		rrule_onsets(p, dtstart, offset_from, &l);
	qsort(l.t, l.n, sizeof(*l.t), onset_cmp);
	return (struct observance){obs, l.t, l.n, l.beyond};
}

static bool is_observance(icalcomponent *c)
{
	icalcomponent_kind k = icalcomponent_isa(c);

	return k == ICAL_XSTANDARD_COMPONENT || k == ICAL_XDAYLIGHT_COMPONENT;
}

static void zone_form_free(struct zone_form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nobs; i++)
		free(f->obs[i].onsets);
	free(f->obs);
	icalcomponent_free(f->head);
	free(f);
}

static void remove_x_property(icalcomponent *c, const char *name)
{
	icalproperty *p;

	do {
		for (p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p;
		     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY))
			if (strcmp(or_empty(icalproperty_get_x_name(p)), name) == 0)
				break;
		if (p != NULL) {
			icalcomponent_remove_property(c, p);
			icalproperty_free(p);
		}
	} while (p != NULL);
}

/* Reads libical's VTIMEZONE (vtimezone): its properties apart from X-LIC-LOCATION, which
 * only repeats the name for libical's own look-ups, and each observance with its onsets.
 * A tz_derive_fn: what it returns is kept for the life of the process. */
static const void *zone_form_new(void *vtimezone)
{
	icalcomponent *vtz = vtimezone;
	struct zone_form *f = xcalloc(1, sizeof(*f));
	size_t cap = 0;

	f->head = icalcomponent_new_vtimezone();
	for (icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_ANY_PROPERTY); p;
	     p = icalcomponent_get_next_property(vtz, ICAL_ANY_PROPERTY))
		icalcomponent_add_property(f->head, icalproperty_new_clone(p));
	remove_x_property(f->head, "X-LIC-LOCATION");
	for (icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); c;
	     c = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (!is_observance(c))
			continue;
		f->obs = grow(f->obs, &cap, f->nobs + 1, sizeof(*f->obs));
		f->obs[f->nobs++] = observance_read(c);
	}
	return f;
}

/* How many of an observance's onsets come before `from` (a binary search). */
static size_t onsets_before(const struct observance *o, int64_t from)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->onsets[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether an observance is needed by instants from `from` on: when it has an onset at or
 * after from, or when it is the one in force at from (the latest onset before from, of
 * any observance). keep[] gets the answer for each of f's observances. */
static void observances_needed(const struct zone_form *f, int64_t from, bool *keep)
{
	size_t in_force = SIZE_MAX;
	int64_t latest = INT64_MIN;

	for (size_t i = 0; i < f->nobs; i++) {
		const struct observance *o = &f->obs[i];
		size_t before = onsets_before(o, from);

		keep[i] = before < o->n || o->onsets_beyond;
		if (before > 0 && o->onsets[before - 1] > latest) {
			latest = o->onsets[before - 1];
			in_force = i;
		}
	}
	if (in_force != SIZE_MAX)
		keep[in_force] = true;
}

/* The feed's VTIMEZONE for a zone: libical's tzdata observances under the IANA name, only
 * those that instants from ZONE_HISTORY before the earliest event on need. */
static icalcomponent *vtimezone_new(const struct zone_use *z)
{
	const char *known = strcmp(z->name, "UTC") == 0 ? "Etc/UTC" : z->name;
	const struct zone_form *f = tz_zone_derived(known, zone_form_new);
	struct zone_form *own = NULL;
	icalcomponent *vtz;
	icalproperty *tzid;
	bool *keep;

	if (f == NULL) /* a zone the cache does not hold: read for this calendar alone */
		f = own = (struct zone_form *)zone_form_new(zone_builtin(z->name));
	vtz = icalcomponent_new_clone(f->head);
	if (vtz == NULL)
		fatal("out of memory (VTIMEZONE %s)", z->name);
	tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (tzid != NULL)
		icalproperty_set_tzid(tzid, z->name);
	else
		icalcomponent_add_property(vtz, icalproperty_new_tzid(z->name));
	keep = xcalloc(f->nobs + 1, sizeof(*keep));
	observances_needed(f, z->earliest - ZONE_HISTORY, keep);
	for (size_t i = 0; i < f->nobs; i++)
		if (keep[i])
			icalcomponent_add_component(vtz, icalcomponent_new_clone(f->obs[i].c));
	free(keep);
	zone_form_free(own);
	return vtz;
}

static void zone_note(struct ics_calendar *c, const char *name, int64_t t)
{
	for (size_t i = 0; i < c->nzones; i++)
		if (strcmp(c->zones[i].name, name) == 0) {
			if (t < c->zones[i].earliest)
				c->zones[i].earliest = t;
			return;
		}
	c->zones = grow(c->zones, &c->zones_cap, c->nzones + 1, sizeof(*c->zones));
	c->zones[c->nzones].name = xstrdup(name);
	c->zones[c->nzones].earliest = t;
	c->nzones++;
}

/* ---- Events ---- */

static struct icaltimetype utc_time(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* t as wall-clock time in zone, without a zone of its own: the TZID parameter is added
 * to the property by hand, since libical 3.0 drops it from some properties it builds. */
static struct icaltimetype wall_time(int64_t t, const char *zone)
{
	struct icaltimetype w = icaltime_null_time();
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	w.year = lt.year;
	w.month = lt.month;
	w.day = lt.day;
	w.hour = lt.hour;
	w.minute = lt.min;
	w.second = lt.sec;
	return w;
}

/* A DATE-TIME property (DTSTART, DTEND, EXDATE, RECURRENCE-ID) at instant t: local time
 * with TZID=zone, or UTC when zone is NULL (a zone libical does not know: the instant
 * stays right even though the wall clock cannot be shown). */
static icalproperty *time_property(icalproperty *(*make)(struct icaltimetype), int64_t t,
                                   const char *zone)
{
	icalproperty *p;

	if (zone == NULL)
		return make(utc_time(t));
	p = make(wall_time(t, zone));
	icalproperty_add_parameter(p, icalparameter_new_tzid(zone));
	return p;
}

/* A TEXT property; libical escapes what text_clean leaves, exactly as ics_text_escape. */
static icalproperty *text_property(icalproperty *(*make)(const char *), const char *s)
{
	char *clean = text_clean(s);
	icalproperty *p = make(clean);

	free(clean);
	return p;
}

static enum icalproperty_status status_of(enum ics_status s)
{
	switch (s) {
	case ICS_TENTATIVE:
		return ICAL_STATUS_TENTATIVE;
	case ICS_CANCELLED:
		return ICAL_STATUS_CANCELLED;
	case ICS_CONFIRMED:
		break;
	}
	return ICAL_STATUS_CONFIRMED;
}

/* UID, DTSTAMP, LAST-MODIFIED, SEQUENCE and STATUS. DTSTAMP is the last change rather
 * than the time of writing, so that an unchanged calendar gives unchanged bytes. */
static void event_identity(icalcomponent *vevent, const struct ics_event *ev)
{
	icalcomponent_add_property(vevent, icalproperty_new_uid(or_empty(ev->uid)));
	icalcomponent_add_property(vevent, icalproperty_new_dtstamp(utc_time(ev->last_modified)));
	icalcomponent_add_property(vevent,
	                           icalproperty_new_lastmodified(utc_time(ev->last_modified)));
	icalcomponent_add_property(
	    vevent,
	    icalproperty_new_sequence(ev->sequence > INT_MAX ? INT_MAX : (int)ev->sequence));
	icalcomponent_add_property(vevent, icalproperty_new_status(status_of(ev->status)));
}

static void event_text(icalcomponent *vevent, const struct ics_event *ev)
{
	icalcomponent_add_property(vevent, text_property(icalproperty_new_summary, ev->summary));
	if (ev->description != NULL && ev->description[0] != '\0')
		icalcomponent_add_property(
		    vevent, text_property(icalproperty_new_description, ev->description));
	if (ev->location != NULL && ev->location[0] != '\0')
		icalcomponent_add_property(vevent,
		                           text_property(icalproperty_new_location, ev->location));
}

/* The RRULE as libical reads the rule, so that the feed carries exactly what was
 * validated (libical's reader skips junk such as "COUNT=5 junk", which a verbatim copy
 * would pass on). A rule libical cannot read is left out: the master then shows as its
 * first occurrence, where one bad line could make an app refuse the whole feed. */
static void event_rrule(icalcomponent *vevent, const char *rule)
{
	struct icalrecurrencetype r;

	if (rule == NULL || rule[0] == '\0')
		return;
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE || r.rscale != NULL) {
		/* series.c refuses RSCALE; libical strdup'd it, and it is ours to free. */
		free(r.rscale);
		icalerror_clear_errno();
		return;
	}
	icalcomponent_add_property(vevent, icalproperty_new_rrule(r));
}

/* DTSTART, DTEND, RECURRENCE-ID, RRULE and EXDATE. Each EXDATE is a property of its own:
 * some apps read only the first value of a list. */
static void event_times(icalcomponent *vevent, const struct ics_event *ev, const char *zone)
{
	if (ev->recurrence_id != 0)
		icalcomponent_add_property(
		    vevent, time_property(icalproperty_new_recurrenceid, ev->recurrence_id, zone));
	icalcomponent_add_property(vevent,
	                           time_property(icalproperty_new_dtstart, ev->start, zone));
	icalcomponent_add_property(vevent, time_property(icalproperty_new_dtend, ev->end, zone));
	event_rrule(vevent, ev->rrule);
	for (size_t i = 0; i < ev->nexdates; i++)
		icalcomponent_add_property(
		    vevent, time_property(icalproperty_new_exdate, ev->exdates[i], zone));
}

/* A CN parameter's value: libical quotes a value with ":", ";" or ",", but a DQUOTE
 * cannot be inside a quoted value (RFC 5545 3.2), nor can a control character. */
static char *param_text(const char *s)
{
	char *clean = text_clean(s);

	for (char *p = clean; *p; p++)
		if (*p == '"')
			*p = '\'';
		else if (*p == '\n' || *p == '\t')
			*p = ' ';
	return clean;
}

static icalproperty *party_property(icalproperty *(*make)(const char *), const char *email,
                                    const char *name)
{
	char *uri = xasprintf("mailto:%s", or_empty(email));
	icalproperty *p = make(uri);

	free(uri);
	if (name != NULL && name[0] != '\0') {
		char *cn = param_text(name);

		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
		free(cn);
	}
	return p;
}

/* ORGANIZER and ATTENDEE of an invitation's event. The attendee's answer is not asked
 * for (RSVP=FALSE): halls reads no replies, and the booking stands whatever the
 * calendar says. */
static void event_people(icalcomponent *vevent, const struct ics_calendar *c)
{
	icalproperty *att;

	icalcomponent_add_property(vevent, party_property(icalproperty_new_organizer,
	                                                  c->organizer_email, c->organizer_name));
	att = party_property(icalproperty_new_attendee, c->attendee_email, c->attendee_name);
	icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
	icalproperty_add_parameter(att, icalparameter_new_rsvp(ICAL_RSVP_FALSE));
	icalcomponent_add_property(vevent, att);
}

/* The earliest instant ev shows in its zone, for trimming the zone's history. */
static int64_t event_earliest(const struct ics_event *ev)
{
	int64_t t = ev->start;

	if (ev->recurrence_id != 0 && ev->recurrence_id < t)
		t = ev->recurrence_id;
	for (size_t i = 0; i < ev->nexdates; i++)
		if (ev->exdates[i] < t)
			t = ev->exdates[i];
	return t;
}

/* ---- Calendar ---- */

struct ics_calendar *ics_calendar_new(const char *name, const char *description,
                                      unsigned refresh_minutes)
{
	struct ics_calendar *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(or_empty(name));
	c->description = description ? xstrdup(description) : NULL;
	c->refresh_minutes = refresh_minutes;
	return c;
}

void ics_calendar_invite(struct ics_calendar *c, enum ics_method method,
                         const struct ics_party *organizer, const struct ics_party *attendee)
{
	c->method = method;
	free(c->organizer_email);
	free(c->organizer_name);
	free(c->attendee_email);
	free(c->attendee_name);
	c->organizer_email = xstrdup(or_empty(organizer->email));
	c->organizer_name = dup_or_null(organizer->name);
	c->attendee_email = xstrdup(or_empty(attendee->email));
	c->attendee_name = dup_or_null(attendee->name);
}

char *ics_uid(const char *prefix, const char *what, uint64_t id, uint64_t instance)
{
	return xasprintf("%s%s-%llu@%016llx.halls", or_empty(prefix), or_empty(what),
	                 (unsigned long long)id, (unsigned long long)instance);
}

/* ev's final text, folded with CRLFs, as it stands in c (malloc'd, *len bytes): written by
 * libical alone, unfolded and folded again as the calendar's own lines are. */
static char *event_render(const struct ics_calendar *c, const struct ics_event *ev,
                          const char *zone, size_t *len)
{
	icalcomponent *vevent = icalcomponent_new_vevent();
	char *raw, *flat, *out;
	size_t flat_len;

	event_identity(vevent, ev);
	event_text(vevent, ev);
	event_times(vevent, ev, zone);
	if (c->method != ICS_PUBLISH)
		event_people(vevent, c);
	raw = icalcomponent_as_ical_string_r(vevent);
	icalcomponent_free(vevent);
	if (raw == NULL)
		fatal("libical could not write an event");
	flat = unfold(raw, &flat_len);
	icalmemory_free_buffer(raw);
	out = ics_fold(flat, flat_len, len);
	free(flat);
	return out;
}

/* ---- The memo of rendered events ---- */

#define MEMO_KEY_LEN 32 /* SHA-256 */

struct memo_entry {
	unsigned char key[MEMO_KEY_LEN];
	char *text; /* the event's final text, len bytes */
	size_t len;
	struct memo_entry *chain;         /* the next entry of the same bucket */
	struct memo_entry *newer, *older; /* use order: the oldest goes first */
};

struct ics_memo {
	size_t max_entries, max_bytes;
	struct memo_entry **buckets;
	size_t nbuckets; /* a power of two */
	struct memo_entry *newest, *oldest;
	struct ics_memo_stats stats;
	EVP_MD *sha256;      /* fetched once: an implicit fetch per key costs a lookup */
	EVP_MD_CTX *md_ctx;  /* reused for every key */
	struct buf key_text; /* reused: what a key is the digest of */
};

/* What an entry costs: its text and its own bookkeeping. */
static size_t memo_entry_size(size_t len)
{
	return sizeof(struct memo_entry) + len;
}

struct ics_memo *ics_memo_new(size_t max_entries, size_t max_bytes)
{
	struct ics_memo *m = xcalloc(1, sizeof(*m));

	m->max_entries = max_entries ? max_entries : 1;
	m->max_bytes = max_bytes;
	/* About one entry a bucket when full; no more than a million buckets. */
	m->nbuckets = 16;
	while (m->nbuckets < m->max_entries && m->nbuckets < ((size_t)1 << 20))
		m->nbuckets *= 2;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	m->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	m->md_ctx = EVP_MD_CTX_new();
	if (m->sha256 == NULL || m->md_ctx == NULL)
		fatal("out of memory (event memo)");
	return m;
}

static void memo_entry_free(struct memo_entry *e)
{
	free(e->text);
	free(e);
}

void ics_memo_free(struct ics_memo *m)
{
	if (m == NULL)
		return;
	for (struct memo_entry *e = m->newest, *next; e != NULL; e = next) {
		next = e->older;
		memo_entry_free(e);
	}
	free(m->buckets);
	EVP_MD_CTX_free(m->md_ctx);
	EVP_MD_free(m->sha256);
	free(m->key_text.p);
	free(m);
}

struct ics_memo_stats ics_memo_stats(const struct ics_memo *m)
{
	return m->stats;
}

static struct memo_entry **memo_bucket(struct ics_memo *m, const unsigned char *key)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h)); /* a digest's bytes are as good as any hash of them */
	return &m->buckets[h & (m->nbuckets - 1)];
}

static void memo_unlink_use(struct ics_memo *m, struct memo_entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		m->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		m->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void memo_link_newest(struct ics_memo *m, struct memo_entry *e)
{
	e->older = m->newest;
	e->newer = NULL;
	if (m->newest != NULL)
		m->newest->newer = e;
	m->newest = e;
	if (m->oldest == NULL)
		m->oldest = e;
}

/* The entry of key, now the most recently used, or NULL. */
static struct memo_entry *memo_find(struct ics_memo *m, const unsigned char *key)
{
	for (struct memo_entry *e = *memo_bucket(m, key); e != NULL; e = e->chain)
		if (memcmp(e->key, key, MEMO_KEY_LEN) == 0) {
			memo_unlink_use(m, e);
			memo_link_newest(m, e);
			m->stats.hits++;
			return e;
		}
	m->stats.misses++;
	return NULL;
}

static void memo_evict_oldest(struct ics_memo *m)
{
	struct memo_entry *e = m->oldest, **at = memo_bucket(m, e->key);

	while (*at != e)
		at = &(*at)->chain;
	*at = e->chain;
	memo_unlink_use(m, e);
	m->stats.entries--;
	m->stats.bytes -= memo_entry_size(e->len);
	m->stats.evictions++;
	memo_entry_free(e);
}

/* Keeps text (taken: the memo frees it) under key, a key memo_find did not find; the
 * least recently used go to make room. A text larger than the whole memo is not kept. */
static void memo_put(struct ics_memo *m, const unsigned char *key, char *text, size_t len)
{
	size_t size = memo_entry_size(len);
	struct memo_entry *e, **bucket;

	if (size > m->max_bytes) {
		free(text);
		return;
	}
	while (m->oldest != NULL &&
	       (m->stats.entries + 1 > m->max_entries || m->stats.bytes + size > m->max_bytes))
		memo_evict_oldest(m);
	e = xcalloc(1, sizeof(*e));
	memcpy(e->key, key, MEMO_KEY_LEN);
	e->text = text;
	e->len = len;
	bucket = memo_bucket(m, key);
	e->chain = *bucket;
	*bucket = e;
	memo_link_newest(m, e);
	m->stats.entries++;
	m->stats.bytes += size;
}

/* The key's text is a sequence of fields, each with its length (strings) or a fixed
 * width (numbers), so that no two sequences of fields give the same text. */
static void key_u64(struct buf *b, uint64_t v)
{
	buf_add(b, (const char *)&v, sizeof(v));
}

/* NULL and "" are told apart, though they render alike today. */
static void key_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	key_u64(b, s ? (uint64_t)n : UINT64_MAX);
	buf_add(b, or_empty(s), n);
}

/* What determines ev's text in c: every field event_render writes, zone as resolved (a
 * zone libical does not know is written in UTC), and an invitation's method and people. */
static void event_key(struct ics_memo *m, const struct ics_calendar *c, const struct ics_event *ev,
                      const char *zone, unsigned char key[MEMO_KEY_LEN])
{
	struct buf *b = &m->key_text;
	unsigned int key_len = 0;

	b->len = 0;
	key_str(b, ev->uid);
	key_u64(b, ev->sequence);
	key_u64(b, (uint64_t)ev->last_modified);
	key_u64(b, (uint64_t)ev->status);
	key_str(b, ev->summary);
	key_str(b, ev->description);
	key_str(b, ev->location);
	key_str(b, zone);
	key_u64(b, (uint64_t)ev->start);
	key_u64(b, (uint64_t)ev->end);
	key_str(b, ev->rrule);
	key_u64(b, ev->nexdates);
	for (size_t i = 0; i < ev->nexdates; i++)
		key_u64(b, (uint64_t)ev->exdates[i]);
	key_u64(b, (uint64_t)ev->recurrence_id);
	key_u64(b, (uint64_t)c->method);
	if (c->method != ICS_PUBLISH) {
		key_str(b, c->organizer_email);
		key_str(b, c->organizer_name);
		key_str(b, c->attendee_email);
		key_str(b, c->attendee_name);
	}
	if (EVP_DigestInit_ex(m->md_ctx, m->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(m->md_ctx, b->p, b->len) != 1 ||
	    EVP_DigestFinal_ex(m->md_ctx, key, &key_len) != 1 || key_len != MEMO_KEY_LEN)
		fatal("SHA-256 failed (event memo)");
}

void ics_calendar_memo(struct ics_calendar *c, struct ics_memo *memo)
{
	c->memo = memo;
}

void ics_calendar_add(struct ics_calendar *c, const struct ics_event *ev)
{
	const char *zone = zone_builtin(ev->zone) ? ev->zone : NULL;
	unsigned char key[MEMO_KEY_LEN];
	struct memo_entry *known = NULL;

	if (c->memo != NULL) {
		event_key(c->memo, c, ev, zone, key);
		known = memo_find(c->memo, key);
	}
	if (known != NULL) {
		buf_add(&c->body, known->text, known->len);
	} else {
		size_t len;
		char *text = event_render(c, ev, zone, &len);

		buf_add(&c->body, text, len);
		if (c->memo != NULL)
			memo_put(c->memo, key, text, len);
		else
			free(text);
	}
	if (zone != NULL)
		zone_note(c, zone, event_earliest(ev));
}

/* An X- property whose value is written exactly as given: as a STRING value, which
 * libical copies verbatim but labels ";VALUE=STRING" (no RFC 5545 type), a label that
 * drop_string_labels takes out of the text again. */
static void add_x(icalcomponent *cal, const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x("");

	icalproperty_set_x_name(p, name);
	icalproperty_set_value(p, icalvalue_new_string(value));
	icalcomponent_add_property(cal, p);
}

/* Turns "NAME;VALUE=STRING:" back into "NAME:" on the unfolded lines of the X-
 * properties add_x wrote. */
static void drop_string_labels(char *text, size_t *len)
{
	static const char *const names[] = {"X-WR-CALNAME", "X-WR-CALDESC", "X-PUBLISHED-TTL"};
	static const char label[] = ";VALUE=STRING:";
	const size_t label_len = sizeof(label) - 1;

	for (char *line = text; line != NULL && *line;) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = strlen(names[i]);

			if (strncmp(line, names[i], n) == 0 &&
			    strncmp(line + n, label, label_len) == 0) {
				/* Keep the ':' that ends the label. */
				memmove(line + n, line + n + label_len - 1,
				        *len - (size_t)(line + n + label_len - 1 - text) + 1);
				*len -= label_len - 1;
				break;
			}
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
}

static void add_x_text(icalcomponent *cal, const char *name, const char *text)
{
	char *escaped = ics_text_escape(text);

	add_x(cal, name, escaped);
	free(escaped);
}

/* REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL, its older spelling that Outlook
 * reads; 0 minutes: no advice. */
static void add_refresh(icalcomponent *cal, unsigned minutes)
{
	struct icaldurationtype d = icaldurationtype_null_duration();
	icalproperty *p;
	char *ttl;

	if (minutes == 0)
		return;
	d.minutes = minutes;
	p = icalproperty_new_refreshinterval(d);
	/* RFC 7986 requires VALUE=DURATION, which libical leaves out as the default. */
	icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION));
	icalcomponent_add_property(cal, p);
	ttl = xasprintf("PT%uM", minutes);
	add_x(cal, "X-PUBLISHED-TTL", ttl);
	free(ttl);
}

static icalproperty_method method_of(enum ics_method m)
{
	switch (m) {
	case ICS_REQUEST:
		return ICAL_METHOD_REQUEST;
	case ICS_CANCEL:
		return ICAL_METHOD_CANCEL;
	case ICS_PUBLISH:
		break;
	}
	return ICAL_METHOD_PUBLISH;
}

static icalcomponent *vcalendar_new(const struct ics_calendar *c)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();

	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(method_of(c->method)));
	/* An invitation is about its events, not a calendar to subscribe to. */
	if (c->method != ICS_PUBLISH)
		return cal;
	add_x_text(cal, "X-WR-CALNAME", c->name);
	icalcomponent_add_property(cal, text_property(icalproperty_new_name, c->name));
	if (c->description != NULL)
		add_x_text(cal, "X-WR-CALDESC", c->description);
	add_refresh(cal, c->refresh_minutes);
	return cal;
}

char *ics_calendar_finish(struct ics_calendar *c, size_t *len)
{
	static const char end_line[] = "END:VCALENDAR\r\n";
	const size_t end_len = sizeof(end_line) - 1;
	icalcomponent *cal = vcalendar_new(c);
	struct buf out;
	char *raw, *flat;
	size_t flat_len;

	/* libical puts each VTIMEZONE added in front of the calendar's components (apps
	 * resolve a TZID against the VTIMEZONEs read so far): adding the last used first
	 * leaves them in order of first use. The events follow them. */
	for (size_t i = c->nzones; i-- > 0;)
		icalcomponent_add_component(cal, vtimezone_new(&c->zones[i]));
	raw = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (raw == NULL)
		fatal("libical could not write a calendar");
	flat = unfold(raw, &flat_len);
	icalmemory_free_buffer(raw);
	drop_string_labels(flat, &flat_len);
	out.p = ics_fold(flat, flat_len, &out.len);
	out.cap = out.len + 1;
	free(flat);
	/* The events go between the calendar's last component and its END line. */
	if (out.len < end_len || memcmp(out.p + out.len - end_len, end_line, end_len) != 0)
		fatal("libical wrote a calendar without its END line");
	out.len -= end_len;
	buf_add(&out, or_empty(c->body.p), c->body.len);
	buf_add(&out, end_line, end_len);
	ics_calendar_free(c);
	return buf_finish(&out, len);
}

void ics_calendar_free(struct ics_calendar *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nzones; i++)
		free(c->zones[i].name);
	free(c->body.p);
	free(c->zones);
	free(c->organizer_email);
	free(c->organizer_name);
	free(c->attendee_email);
	free(c->attendee_name);
	free(c->name);
	free(c->description);
	free(c);
}
