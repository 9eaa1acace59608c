/* Dates from an .ics file (date_set_ics.h). A small reader of its own rather than
 * ics_import.c's: that one reads timed bookings into rooms; this one wants only the days of
 * all-day events, and says of everything else why it was left out. Every line is read at
 * most once, every event gives at most DATE_SET_MAX_DATES dates, and nothing is kept of
 * an event but its dates and label, so a hostile file costs time and memory in
 * proportion to its size (at most DATE_SET_ICS_MAX_BYTES). */
#include "date_set_ics.h"

#include "record.h"
#include "text.h"
#include "tz.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The longest an event may last: a school's summer holiday is six weeks. */
#define EVENT_DAYS_MAX 366

struct event {
	size_t line; /* where BEGIN:VEVENT is */
	bool has_start, timed, bad;
	int32_t start, end; /* days; end exclusive, 0 when not given */
	int32_t duration;   /* days from DURATION, 0 when not given */
	char *summary;
	char *rrule;
	int32_t *exdates;
	size_t nexdates;
	char why[160]; /* when bad: why */
};

static void event_clear(struct event *e)
{
	free(e->summary);
	free(e->rrule);
	free(e->exdates);
	memset(e, 0, sizeof(*e));
}

struct reader {
	struct date_set *into;
	struct date_set_ics_report *rep;
	struct herror *err;
	bool refused;
};

__attribute__((format(printf, 3, 4))) static void note(struct reader *r, const struct event *e,
                                                       const char *fmt, ...)
{
	char why[200], label[64];
	va_list ap;

	r->rep->skipped++;
	if (r->rep->nnotes >= DATE_SET_ICS_NOTES)
		return;
	va_start(ap, fmt);
	text_vformat(why, sizeof(why), fmt, ap);
	va_end(ap);
	text_quote(label, sizeof(label), e->summary != NULL ? e->summary : "", 40);
	text_format(r->rep->notes[r->rep->nnotes++], sizeof(r->rep->notes[0]),
	            "event at line %zu (\"%s\") left out: %s", e->line, label, why);
}

/* "YYYYMMDD" or "YYYYMMDDTHHMMSS[Z]": the day, and whether a time follows. */
static bool read_date(const char *v, int32_t *day, bool *timed)
{
	int y, m, d, yy, mm, dd;

	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)v[i]))
			return false;
	y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
	m = (v[4] - '0') * 10 + (v[5] - '0');
	d = (v[6] - '0') * 10 + (v[7] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	civil_from_days(days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return false;
	*day = (int32_t)days_from_civil(y, m, d);
	*timed = v[8] == 'T';
	return v[8] == '\0' || v[8] == 'T';
}

/* TEXT values (RFC 5545 3.3.11): \\ \; \, \n unescaped in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *p = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			*w++ = (*p == 'n' || *p == 'N') ? ' ' : *p;
		} else
			*w++ = *p;
	}
	*w = '\0';
}

/* A label as a set keeps it: control characters as spaces, cut (on a character's
 * boundary) to DATE_SET_LABEL_MAX bytes; NULL when nothing is left. */
static char *label_clean(const char *v)
{
	size_t n = 0, len = strlen(v);
	char *out = xmalloc(len + 1);

	for (size_t i = 0; i < len;) {
		size_t c = (unsigned char)v[i] < 0x80 ? 1 : text_utf8_len(v + i);

		if (c == 0 || n + c > DATE_SET_LABEL_MAX)
			break;
		if (c == 1 && ((unsigned char)v[i] < 0x20 || v[i] == 0x7f))
			out[n++] = ' ';
		else
			memcpy(out + n, v + i, c), n += c;
		i += c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The value's parameters say VALUE=DATE (or nothing says otherwise). */
static bool params_value_date(const char *params)
{
	static const char want[] = "VALUE=DATE-TIME";

	for (const char *p = params; p != NULL && *p != '\0'; p++)
		if (strncasecmp(p, want, sizeof(want) - 1) == 0)
			return false;
	return true;
}

static void event_date(struct event *e, const char *params, const char *value, bool start)
{
	int32_t day;
	bool timed;

	if (!read_date(value, &day, &timed)) {
		e->bad = true;
		snprintf(e->why, sizeof(e->why), "%s is not a date (YYYYMMDD)",
		         start ? "DTSTART" : "DTEND");
		return;
	}
	if (timed || !params_value_date(params))
		e->timed = true;
	if (start) {
		e->has_start = true;
		e->start = day;
	} else
		e->end = day;
}

/* DURATION of whole days or weeks ("P3D", "P1W"); anything else is a time of day. */
static void event_duration(struct event *e, const char *v)
{
	char *end;
	long n;

	if (v[0] != 'P' || !isdigit((unsigned char)v[1])) {
		e->timed = true;
		return;
	}
	n = strtol(v + 1, &end, 10);
	if ((end[0] != 'D' && end[0] != 'W') || end[1] != '\0' || n < 1 || n > EVENT_DAYS_MAX) {
		e->timed = true;
		return;
	}
	e->duration = (int32_t)(end[0] == 'W' ? n * 7 : n);
}

static void event_exdate(struct event *e, char *v)
{
	for (char *tok = strtok(v, ","); tok != NULL; tok = strtok(NULL, ",")) {
		int32_t day;
		bool timed;

		if (!read_date(tok, &day, &timed) || e->nexdates >= DATE_SET_MAX_DATES)
			continue;
		e->exdates = xrealloc(e->exdates, (e->nexdates + 1) * sizeof(*e->exdates));
		e->exdates[e->nexdates++] = day;
	}
}

static void event_property(struct event *e, const char *name, const char *params, char *value)
{
	if (strcasecmp(name, "DTSTART") == 0)
		event_date(e, params, value, true);
	else if (strcasecmp(name, "DTEND") == 0)
		event_date(e, params, value, false);
	else if (strcasecmp(name, "DURATION") == 0)
		event_duration(e, value);
	else if (strcasecmp(name, "SUMMARY") == 0 && e->summary == NULL) {
		unescape(value);
		e->summary = label_clean(value);
	} else if (strcasecmp(name, "RRULE") == 0 && e->rrule == NULL)
		e->rrule = xstrdup(value);
	else if (strcasecmp(name, "EXDATE") == 0)
		event_exdate(e, value);
}

/* A simple rule: FREQ, and at most INTERVAL, COUNT and UNTIL. */
struct rule {
	char freq; /* 'D', 'W', 'M', 'Y' */
	long interval, count;
	int32_t until; /* INT32_MAX: none */
};

static bool rule_parse(const char *text, struct rule *r, char *why, size_t size)
{
	char *copy = xstrdup(text), *save = NULL;
	bool ok = true;

	r->freq = 0;
	r->interval = 1;
	r->count = 0;
	r->until = INT32_MAX;
	for (char *part = strtok_r(copy, ";", &save); ok && part != NULL;
	     part = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(part, '=');
		bool timed;

		if (eq == NULL) {
			ok = false;
			text_format(why, size, "its RRULE is not name=value parts");
			break;
		}
		*eq++ = '\0';
		if (strcasecmp(part, "FREQ") == 0) {
			r->freq = strcasecmp(eq, "DAILY") == 0     ? 'D'
			          : strcasecmp(eq, "WEEKLY") == 0  ? 'W'
			          : strcasecmp(eq, "MONTHLY") == 0 ? 'M'
			          : strcasecmp(eq, "YEARLY") == 0  ? 'Y'
			                                           : 0;
			ok = r->freq != 0;
		} else if (strcasecmp(part, "INTERVAL") == 0) {
			r->interval = strtol(eq, NULL, 10);
			ok = r->interval >= 1 && r->interval <= 1000;
		} else if (strcasecmp(part, "COUNT") == 0) {
			r->count = strtol(eq, NULL, 10);
			ok = r->count >= 1 && r->count <= DATE_SET_MAX_DATES;
		} else if (strcasecmp(part, "UNTIL") == 0) {
			ok = read_date(eq, &r->until, &timed);
		} else if (strcasecmp(part, "WKST") != 0) {
			ok = false;
		}
		if (!ok)
			text_format(why, size,
			            "its RRULE has %s; only FREQ with INTERVAL, COUNT or UNTIL is "
			            "followed (add such dates one by one)",
			            part);
	}
	free(copy);
	if (ok && r->freq == 0) {
		text_format(why, size, "its RRULE has no FREQ");
		ok = false;
	}
	if (ok && r->count == 0 && r->until == INT32_MAX) {
		text_format(why, size, "its RRULE repeats for ever (give COUNT or UNTIL)");
		ok = false;
	}
	return ok;
}

/* The k-th date of the rule from start, or false when that month or year lacks the day
 * (the 31st, 29 February), which RFC 5545 skips. */
static bool rule_date(const struct rule *r, int32_t start, long k, int32_t *out)
{
	int y, m, d, yy, mm, dd;
	long months;

	if (r->freq == 'D' || r->freq == 'W') {
		*out = (int32_t)(start + k * r->interval * (r->freq == 'W' ? 7 : 1));
		return true;
	}
	civil_from_days(start, &y, &m, &d);
	months = (long)(m - 1) + k * r->interval * (r->freq == 'Y' ? 12 : 1);
	y += (int)(months / 12);
	m = (int)(months % 12) + 1;
	if (y > DATE_SET_YEAR_MAX + 1)
		y = DATE_SET_YEAR_MAX + 1;
	civil_from_days(days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return false;
	*out = (int32_t)days_from_civil(y, m, d);
	return true;
}

static bool excluded(const struct event *e, int32_t day)
{
	for (size_t i = 0; i < e->nexdates; i++)
		if (e->exdates[i] == day)
			return true;
	return false;
}

/* Adds the days [first, first + len) to the set. false when the set is refused (full). */
static bool add_days(struct reader *r, const struct event *e, int32_t first, int32_t len)
{
	static const int32_t lo_year = DATE_SET_YEAR_MIN, hi_year = DATE_SET_YEAR_MAX;
	int32_t lo = (int32_t)days_from_civil(lo_year, 1, 1);
	int32_t hi = (int32_t)days_from_civil(hi_year, 12, 31);

	for (int32_t d = first; d < first + len; d++) {
		bool added;

		if (d < lo || d > hi) {
			char when[16];

			date_set_format_date(d, when);
			note(r, e, "%s is outside the years a date set can hold (%d to %d)", when,
			     DATE_SET_YEAR_MIN, DATE_SET_YEAR_MAX);
			return true;
		}
		if (date_set_add(r->into, d, e->summary, &added, r->err) != H_OK) {
			r->refused = true;
			return false;
		}
		if (added)
			r->rep->added++;
		else
			r->rep->duplicates++;
	}
	return true;
}

/* The event's dates added to the set, or a note of why it was left out. */
static void event_finish(struct reader *r, struct event *e)
{
	struct rule rule;
	int32_t len;
	char why[200];

	r->rep->events++;
	if (e->summary != NULL &&
	    text_check(e->summary, "label", DATE_SET_LABEL_MAX, false, false, r->err) != H_OK) {
		free(e->summary); /* a label a set cannot keep: the dates without it */
		e->summary = NULL;
		herror_clear(r->err);
	}
	if (e->bad) {
		note(r, e, "%s", e->why);
		return;
	}
	if (!e->has_start) {
		note(r, e, "it has no DTSTART");
		return;
	}
	if (e->timed) {
		note(r, e,
		     "it has a time of day; only all-day events (DTSTART;VALUE=DATE) give "
		     "dates");
		return;
	}
	len = e->end != 0 ? e->end - e->start : e->duration != 0 ? e->duration : 1;
	if (len < 1 || len > EVENT_DAYS_MAX) {
		note(r, e, "it lasts %s (at most %d days)", len < 1 ? "no days" : "too long",
		     EVENT_DAYS_MAX);
		return;
	}
	if (e->rrule == NULL) {
		add_days(r, e, e->start, len);
		return;
	}
	if (!rule_parse(e->rrule, &rule, why, sizeof(why))) {
		note(r, e, "%s", why);
		return;
	}
	for (long k = 0, n = 0; k < 10 * DATE_SET_MAX_DATES; k++) {
		int32_t day;

		if (!rule_date(&rule, e->start, k, &day))
			continue;
		if (day > rule.until || (rule.count != 0 && n >= rule.count) ||
		    day > (int32_t)days_from_civil(DATE_SET_YEAR_MAX, 12, 31))
			break;
		n++;
		if (!excluded(e, day) && !add_days(r, e, day, len))
			return;
	}
}

/* The next unfolded content line of text (CRLF or LF ends, a leading space or tab
 * continues), copied into *line (reused); false at the end. */
static bool next_line(const char **p, const char *end, char **line, size_t *cap, size_t *lineno)
{
	size_t n = 0;

	if (*p >= end)
		return false;
	for (;;) {
		const char *eol = memchr(*p, '\n', (size_t)(end - *p));
		const char *stop = eol != NULL ? eol : end;
		size_t len = (size_t)(stop - *p);

		if (len > 0 && (*p)[len - 1] == '\r')
			len--;
		if (n + len + 1 > *cap) {
			*cap = (n + len + 1) * 2;
			*line = xrealloc(*line, *cap);
		}
		memcpy(*line + n, *p, len);
		n += len;
		(*lineno)++;
		*p = eol != NULL ? eol + 1 : end;
		if (*p >= end || (**p != ' ' && **p != '\t'))
			break;
		(*p)++; /* the folding space */
	}
	(*line)[n] = '\0';
	return true;
}

/* Splits "NAME;PARAMS:VALUE" in place; false when there is no colon. A colon inside a
 * quoted parameter value does not end the name. */
static bool split(char *line, char **name, char **params, char **value)
{
	bool quoted = false;

	*name = line;
	*params = NULL;
	for (char *p = line; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ';' && *params == NULL) {
			*p = '\0';
			*params = p + 1;
		} else if (!quoted && *p == ':') {
			*p = '\0';
			*value = p + 1;
			return true;
		}
	}
	return false;
}

static enum herr check_bytes(const char *text, size_t len, struct herror *err)
{
	size_t line = 1;

	for (size_t i = 0; i < len;) {
		size_t n;

		if (text[i] == '\0')
			return herror_set(err, H_EINVAL,
			                  "line %zu of the calendar file has a NUL byte", line);
		if ((unsigned char)text[i] < 0x80) {
			line += text[i] == '\n';
			i++;
			continue;
		}
		n = text_utf8_len(text + i);
		if (n == 0 || i + n > len)
			return herror_set(err, H_EINVAL,
			                  "line %zu of the calendar file is not UTF-8 text", line);
		i += n;
	}
	return H_OK;
}

struct parse {
	struct reader r;
	struct event e;
	bool in_calendar, seen_calendar, in_event;
	int depth; /* components nested inside the event (VALARM) */
};

static void parse_line(struct parse *ps, char *line, size_t lineno)
{
	char *name, *params, *value;

	if (line[0] == '\0' || !split(line, &name, &params, &value))
		return;
	if (strcasecmp(name, "BEGIN") == 0) {
		if (strcasecmp(value, "VCALENDAR") == 0)
			ps->in_calendar = ps->seen_calendar = true;
		else if (ps->in_event)
			ps->depth++;
		else if (ps->in_calendar && strcasecmp(value, "VEVENT") == 0) {
			ps->in_event = true;
			ps->e.line = lineno;
		}
	} else if (strcasecmp(name, "END") == 0) {
		if (ps->in_event && ps->depth > 0)
			ps->depth--;
		else if (ps->in_event && strcasecmp(value, "VEVENT") == 0) {
			event_finish(&ps->r, &ps->e);
			event_clear(&ps->e);
			ps->in_event = false;
		} else if (strcasecmp(value, "VCALENDAR") == 0)
			ps->in_calendar = false;
	} else if (ps->in_event && ps->depth == 0) {
		event_property(&ps->e, name, params, value);
	} else if (ps->in_calendar && !ps->in_event && strcasecmp(name, "X-WR-CALNAME") == 0) {
		unescape(value);
		text_sanitize(ps->r.rep->calname, sizeof(ps->r.rep->calname), value);
	}
}

enum herr date_set_ics_read(const char *text, size_t len, struct date_set *into,
                            struct date_set_ics_report *rep, struct herror *err)
{
	struct parse ps = {{into, rep, err, false}, {0}, false, false, false, 0};
	struct date_set before;
	const char *p, *end;
	char *line = NULL, *copy;
	size_t cap = 0, lineno = 0;
	enum herr ret;

	memset(rep, 0, sizeof(*rep));
	if (len > DATE_SET_ICS_MAX_BYTES)
		return herror_set(err, H_EINVAL,
		                  "the calendar file is %zu bytes; at most %d can be imported", len,
		                  DATE_SET_ICS_MAX_BYTES);
	/* A copy that ends in a NUL: the text need not, and UTF-8 is read up to one. */
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	p = copy;
	end = copy + len;
	if ((ret = check_bytes(copy, len, err)) != H_OK) {
		free(copy);
		return ret;
	}
	/* A copy to go back to: a refused file leaves the set as it was. */
	date_set_init(&before);
	before.n = into->n;
	before.dates = xcalloc(into->n + 1, sizeof(*before.dates));
	for (size_t i = 0; i < into->n; i++) {
		before.dates[i].day = into->dates[i].day;
		before.dates[i].label = xstrdup_or_null(into->dates[i].label);
	}
	while (!ps.r.refused && next_line(&p, end, &line, &cap, &lineno))
		parse_line(&ps, line, lineno);
	free(line);
	free(copy);
	event_clear(&ps.e);
	if (!ps.r.refused && !ps.seen_calendar)
		ret = herror_set(err, H_EINVAL,
		                 "this is not a calendar file: it has no BEGIN:VCALENDAR");
	else if (!ps.r.refused && ps.in_event)
		ret = herror_set(err, H_EINVAL,
		                 "the calendar file ends inside an event (no END:VEVENT)");
	else if (!ps.r.refused && rep->added + rep->duplicates == 0)
		ret = herror_set(err, H_EINVAL,
		                 "the calendar file has no all-day events to take dates from "
		                 "(%zu event%s read, %zu left out)",
		                 rep->events, rep->events == 1 ? "" : "s", rep->skipped);
	else if (ps.r.refused)
		ret = H_EINVAL;
	if (ret != H_OK) {
		struct date_set_date *swap = into->dates;
		size_t n = into->n;

		into->dates = before.dates;
		into->n = before.n;
		before.dates = swap;
		before.n = n;
	}
	for (size_t i = 0; i < before.n; i++)
		free(before.dates[i].label);
	free(before.dates);
	return ret;
}

json_t *date_set_ics_report_json(const struct date_set_ics_report *rep)
{
	json_t *notes = json_array();

	for (size_t i = 0; i < rep->nnotes; i++)
		json_array_append_new(notes, json_string(rep->notes[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:o}", "events", (json_int_t)rep->events, "added",
	                 (json_int_t)rep->added, "duplicates", (json_int_t)rep->duplicates,
	                 "skipped", (json_int_t)rep->skipped, "notes", notes);
}
