/* iCalendar feeds (ics.c): escaping, folding, and whole calendars read back line by line.
 * Wall-clock times and UTC offsets expected here were worked out with date(1) from the
 * system's tzdata, not with the code under test.
 *
 * With HALLS_ICS_SAMPLE=/some/file.ics, ics_sample also writes its calendar there, for
 * tests/e2e/ics_check.py to read with Python's icalendar and zoneinfo. */
#include "t.h"

#include "fixture.h"
#include "ics.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef T_LEAK_CHECK
#include <sanitizer/lsan_interface.h>
#endif

#define LONDON   "Europe/London"
#define AUCKLAND "Pacific/Auckland"
#define SAO      "America/Sao_Paulo"

/* Characters of each UTF-8 width. */
#define U2 "\xc3\xa9"         /* é */
#define U3 "\xe2\x82\xac"     /* € */
#define U4 "\xf0\x9f\x98\x80" /* 😀 */

static char *repeat(const char *s, int n)
{
	size_t len = strlen(s);
	char *out = xmalloc(len * (size_t)n + 1);

	for (int i = 0; i < n; i++)
		memcpy(out + len * (size_t)i, s, len);
	out[len * (size_t)n] = '\0';
	return out;
}

/* RFC 5545 3.1 unfolding, written apart from ics.c's: CRLF and one space or tab go. */
static char *unfold(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' || s[2] == '\t')) {
			s += 3;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* TEXT unescaping (RFC 5545 3.3.11); NULL when a backslash escapes nothing it may. */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 'n' || *s == 'N')
			*o++ = '\n';
		else if (*s == '\\' || *s == ';' || *s == ',')
			*o++ = *s;
		else {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	return out;
}

/* The value of the first content line of an unfolded calendar that starts with prefix
 * (e.g. "SUMMARY:"), from after the prefix to the CRLF; malloc'd, NULL if none. */
static char *line_value(const char *unfolded, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = unfolded; p && *p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
		if (strncmp(p, prefix, n) == 0) {
			const char *end = strstr(p, "\r\n");

			return xstrndup(p + n, end ? (size_t)(end - p - n) : strlen(p + n));
		}
	return NULL;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static const char *find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

/* The octets of folded text: every line ends in CRLF, with no CR or LF elsewhere; no line
 * is over 75 octets; no continuation line starts inside a UTF-8 sequence or a backslash
 * escape (tracked across the physical lines of each content line). */
static void check_octets(const char *file, int line, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool escaping = false;
	int before = t_failures;

	if (len > 0 && (len < 2 || end[-2] != '\r' || end[-1] != '\n'))
		t_fail(file, line, "text does not end in CRLF");
	while (p < end && t_failures - before < 3) {
		const char *eol = find_crlf(p, end), *q;
		size_t n;

		if (eol == NULL) {
			t_fail(file, line, "a line without CRLF: \"%.40s\"", p);
			return;
		}
		n = (size_t)(eol - p);
		if (n > 75)
			t_fail(file, line, "line of %zu octets: \"%.*s\"", n, (int)n, p);
		if (memchr(p, '\r', n) || memchr(p, '\n', n))
			t_fail(file, line, "bare CR or LF in \"%.*s\"", (int)n, p);
		q = p;
		if (n > 0 && p[0] == ' ') {
			if (n < 2 || ((unsigned char)p[1] & 0xc0) == 0x80)
				t_fail(file, line, "continuation starts inside a UTF-8 sequence");
			if (escaping)
				t_fail(file, line, "a backslash escape is split before \"%.*s\"",
				       (int)n, p);
			q = p + 1;
		} else {
			escaping = false;
		}
		for (; q < eol; q++)
			escaping = escaping ? false : *q == '\\';
		p = eol + 2;
	}
}
#define CHECK_OCTETS(text, len) check_octets(__FILE__, __LINE__, text, len)

/* Every DTSTART, DTEND, EXDATE and RECURRENCE-ID of a VEVENT carries exactly one
 * parameter, TZID, naming one of the calendar's VTIMEZONEs, and that name is an IANA name
 * (not libical's "/freeassociation.sourceforge.net/..."). */
static void check_tzids(const char *file, int line, const char *unfolded)
{
	static const char *const props[] = {"DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID"};
	bool in_event = false;

	for (const char *p = unfolded; *p;) {
		const char *eol = strstr(p, "\r\n");
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (strncmp(p, "BEGIN:VEVENT\r\n", 14) == 0)
			in_event = true;
		else if (strncmp(p, "END:VEVENT\r\n", 12) == 0)
			in_event = false;
		for (size_t i = 0; in_event && i < 4; i++) {
			size_t k = strlen(props[i]);
			const char *colon, *z;
			char *want;

			if (strncmp(p, props[i], k) != 0 || (p[k] != ';' && p[k] != ':'))
				continue;
			colon = memchr(p, ':', n);
			z = p + k + 6;
			if (strncmp(p + k, ";TZID=", 6) != 0 || colon == NULL ||
			    memchr(z, ';', (size_t)(colon - z)) != NULL || *z == '/') {
				t_fail(file, line, "no single IANA TZID on \"%.*s\"", (int)n, p);
				continue;
			}
			want = xasprintf("BEGIN:VTIMEZONE\r\nTZID:%.*s\r\n", (int)(colon - z), z);
			if (strstr(unfolded, want) == NULL)
				t_fail(file, line, "no VTIMEZONE for \"%.*s\"", (int)n, p);
			free(want);
		}
		p = eol ? eol + 2 : p + n;
	}
}
#define CHECK_TZIDS(unfolded) check_tzids(__FILE__, __LINE__, unfolded)

/* A plain event in London: 19:00-21:00 local on the day given. */
static struct ics_event london_event(const char *uid, const char *day)
{
	char start[32], end[32];
	struct ics_event ev = {0};

	snprintf(start, sizeof(start), "%sT19:00", day);
	snprintf(end, sizeof(end), "%sT21:00", day);
	ev.uid = uid;
	ev.sequence = 0;
	ev.last_modified = T_NOW;
	ev.status = ICS_CONFIRMED;
	ev.summary = "Tuesday Knitters";
	ev.zone = LONDON;
	ev.start = fx_at(start);
	ev.end = fx_at(end);
	return ev;
}

/* Finishes c and checks its octets; *flat gets the unfolded text (free both). */
static char *finish(const char *file, int line, struct ics_calendar *c, char **flat)
{
	size_t len = 0;
	char *text = ics_calendar_finish(c, &len);

	if (strlen(text) != len)
		t_fail(file, line, "length %zu, but %zu bytes before the NUL", len, strlen(text));
	check_octets(file, line, text, len);
	*flat = unfold(text);
	return text;
}

/* The VEVENTs of an unfolded calendar (after its VTIMEZONEs, whose RRULEs and DTSTARTs
 * are not the events'), or "" when there are none. */
static const char *events_of(const char *flat)
{
	const char *ev = strstr(flat, "BEGIN:VEVENT\r\n");

	return ev ? ev : "";
}

/* The n-th VEVENT (from 0) of an unfolded calendar, malloc'd; NULL if there is none. */
static char *event_nth(const char *flat, int n)
{
	const char *ev = strstr(flat, "BEGIN:VEVENT\r\n"), *end;

	for (; ev != NULL && n > 0; n--)
		ev = strstr(ev + 1, "BEGIN:VEVENT\r\n");
	end = ev ? strstr(ev, "END:VEVENT\r\n") : NULL;
	return end ? xstrndup(ev, (size_t)(end - ev) + 12) : NULL;
}
#define FINISH(c, flat) finish(__FILE__, __LINE__, c, flat)

/* A calendar of one event. */
static char *one_event(const struct ics_event *ev, char **flat)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);

	ics_calendar_add(c, ev);
	return FINISH(c, flat);
}

TEST(ics_text_escape_specials)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"", ""},
	    {"a,b;c\\d\ne", "a\\,b\\;c\\\\d\\ne"},
	    {"\\n is not a newline", "\\\\n is not a newline"},
	    {",;\\\n", "\\,\\;\\\\\\n"},
	    /* Line breaks of every kind become \n; TEXT has no other control characters. */
	    {"a\r\nb\rc\n", "a\\nb\\nc\\n"},
	    {"bell\x07 esc\x1b del\x7f nul-free", "bell esc del nul-free"},
	    /* Allowed as they are: tab, colon, double quote, and every UTF-8 character. */
	    {"tab\there: \"quoted\"", "tab\there: \"quoted\""},
	    {U2 U3 U4 ",", U2 U3 U4 "\\,"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = ics_text_escape(cases[i].in);

		T_EQ_STR(got, cases[i].out);
		free(got);
	}
	char *none = ics_text_escape(NULL);
	T_EQ_STR(none, "");
	free(none);
}

TEST(ics_fold_lengths)
{
	char *a75 = repeat("a", 75), *a76 = repeat("a", 76), *a149 = repeat("a", 149);
	char *a150 = repeat("a", 150), *in, *out, *want;
	size_t len = 99;

	out = ics_fold("", 0, &len);
	T_EQ_STR(out, "");
	T_EQ_INT(len, 0);
	free(out);

	/* Line ends become CRLF, a last line without one gets it. */
	in = "A:1\nB:2\r\nC:3";
	out = ics_fold(in, strlen(in), &len);
	T_EQ_STR(out, "A:1\r\nB:2\r\nC:3\r\n");
	T_EQ_INT(len, strlen(out));
	free(out);

	/* 75 octets fit; the 76th starts a continuation line, whose space counts. */
	in = xasprintf("%s\r\n", a75);
	out = ics_fold(in, strlen(in), &len);
	T_EQ_STR(out, in);
	free(out);
	free(in);
	in = xasprintf("%s\r\n%s\r\n", a76, a149);
	out = ics_fold(in, strlen(in), &len);
	want = xasprintf("%s\r\n a\r\n%s\r\n %s\r\n", a75, a75, a75 + 1);
	T_EQ_STR(out, want);
	CHECK_OCTETS(out, len);
	free(out);
	free(in);
	free(want);
	in = xasprintf("%s\r\n", a150);
	out = ics_fold(in, strlen(in), &len);
	want = xasprintf("%s\r\n %s\r\n a\r\n", a75, a75 + 1);
	T_EQ_STR(out, want);
	free(out);
	free(in);
	free(want);
	free(a75);
	free(a76);
	free(a149);
	free(a150);
}

/* Folds "<prefix>text" and checks the octets and that unfolding gives it back; also that
 * no physical line but a content line's last is shorter than it needed to be. */
static void fold_round_trip(const char *file, int line, const char *prefix, const char *text)
{
	char *in = xasprintf("%s%s\r\n", prefix, text), *out, *back;
	size_t len;

	out = ics_fold(in, strlen(in), &len);
	check_octets(file, line, out, len);
	back = unfold(out);
	if (strcmp(back, in) != 0)
		t_fail(file, line, "fold and unfold changed \"%s\" to \"%s\"", in, back);
	for (const char *p = out; *p;) {
		const char *eol = strstr(p, "\r\n");

		if (eol[2] == ' ' && eol - p < 75 - 5)
			t_fail(file, line, "a line of %d octets is folded early", (int)(eol - p));
		p = eol + 2;
	}
	free(in);
	free(out);
	free(back);
}
#define FOLD_ROUND_TRIP(prefix, text) fold_round_trip(__FILE__, __LINE__, prefix, text)

TEST(ics_fold_utf8)
{
	static const char *const chars[] = {U2, U3, U4, U2 U3 U4, "a" U4 U3, U3 "a"};

	/* Each run starts at every offset from a line boundary. */
	for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++)
		for (int shift = 0; shift < 9; shift++) {
			char *pad = repeat("x", shift), *run = repeat(chars[c], 70);
			char *text = xasprintf("%s%s", pad, run);

			FOLD_ROUND_TRIP("DESCRIPTION:", text);
			free(pad);
			free(run);
			free(text);
		}
}

TEST(ics_fold_escapes)
{
	/* Escaped text, placed so that each escape meets the fold at every offset. */
	static const char *const runs[] = {"\\,",     "\\;",    "\\\\",   "\\n",  "a\\,",
	                                   "\\\\\\,", U2 "\\;", U4 "\\n", "\\" U3};

	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
		for (int shift = 60; shift < 80; shift++) {
			char *pad = repeat("y", shift), *run = repeat(runs[r], 60);
			char *text = xasprintf("%s%s", pad, run);

			FOLD_ROUND_TRIP("SUMMARY:", text);
			free(pad);
			free(run);
			free(text);
		}
}

/* Text that must come back unchanged from escaping, folding, unfolding, unescaping. */
static const char *const nasty[] = {
    "Knit & natter, tea; cake \\ chat\nbring wool \xe2\x80\x94 caf\xc3\xa9 \xe2\x98\x95 " U4,
    ",;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;"
    "\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n,;\\\n",
    "\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"
    "\\\\\\\\\\\\\\\\\\\\\\\\",
    "\\n\\N\\,\\; literally, with a tab\tand \"quotes\": all kept",
    "trailing backslash \\",
    "\n\n\nleading and trailing newlines\n\n",
};

/* Checks the round trip of s through escaping, folding under prefix, and back. */
static void text_round_trip(const char *file, int line, const char *prefix, const char *s)
{
	char *esc = ics_text_escape(s), *in = xasprintf("%s%s\r\n", prefix, esc);
	size_t len;
	char *out = ics_fold(in, strlen(in), &len), *flat, *value, *back;

	check_octets(file, line, out, len);
	flat = unfold(out);
	value = line_value(flat, prefix);
	back = value ? unescape(value) : NULL;
	if (back == NULL || strcmp(back, s) != 0)
		t_fail(file, line, "\"%s\" came back as \"%s\"", s, back ? back : "(invalid)");
	free(esc);
	free(in);
	free(out);
	free(flat);
	free(value);
	free(back);
}

TEST(ics_text_round_trip)
{
	static const char *const prefixes[] = {
	    "SUMMARY:", "LOCATION:", "DESCRIPTION:", "X-WR-CALNAME:", "X:"};
	static const char *const runs[] = {U2,   U3,   U4,     U2 U3 U4, ",",      ";",
	                                   "\\", "\n", U4 ",", U2 "\\",  U3 "\n;", "a,b;c\\d\ne"};

	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++)
			text_round_trip(__FILE__, __LINE__, prefixes[p], nasty[i]);
		/* Long runs of every width and every escape, from every offset. */
		for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
			for (int shift = 0; shift < 6; shift++) {
				char *pad = repeat("z", shift), *run = repeat(runs[r], 90);
				char *s = xasprintf("%s%s", pad, run);

				text_round_trip(__FILE__, __LINE__, prefixes[p], s);
				free(pad);
				free(run);
				free(s);
			}
	}
}

TEST(ics_calendar_header)
{
	const char *name = "Hartley Road, Main Hall; \"A\\B\"\nsecond line " U4;
	const char *desc = "Bookings; all, of \\ them\n" U3;
	char *flat, *text, *v, *back;
	struct ics_calendar *c = ics_calendar_new(name, desc, 60);

	text = FINISH(c, &flat);
	T_CHECK(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
	T_HAS_STR(flat, "\r\nPRODID:-//halls//halls feeds//EN\r\n");
	T_HAS_STR(flat, "\r\nCALSCALE:GREGORIAN\r\n");
	T_HAS_STR(flat, "\r\nMETHOD:PUBLISH\r\n");
	T_HAS_STR(flat, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT60M\r\n");
	T_HAS_STR(flat, "\r\nX-PUBLISHED-TTL:PT60M\r\n");
	T_CHECK(strstr(flat, "X-WR-TIMEZONE") == NULL);
	T_CHECK(strstr(flat, "BEGIN:VTIMEZONE") == NULL);
	T_CHECK(strstr(flat, "BEGIN:VEVENT") == NULL);
	T_CHECK(strlen(text) > 15 && strcmp(text + strlen(text) - 15, "END:VCALENDAR\r\n") == 0);
	/* The X-WR-* values libical writes raw are escaped, like NAME, and come back whole. */
	static const char *const props[] = {"\r\nX-WR-CALNAME:", "\r\nNAME:", "\r\nX-WR-CALDESC:"};
	for (size_t i = 0; i < 3; i++) {
		const char *want = i < 2 ? name : desc;
		char *esc = ics_text_escape(want);

		v = line_value(flat, props[i] + 2);
		T_EQ_STR(v, esc);
		back = v ? unescape(v) : NULL;
		T_EQ_STR(back, want);
		free(v);
		free(back);
		free(esc);
	}
	free(text);
	free(flat);

	/* No description, no refresh advice. */
	c = ics_calendar_new("Hall", NULL, 0);
	text = FINISH(c, &flat);
	T_HAS_STR(flat, "\r\nX-WR-CALNAME:Hall\r\nNAME:Hall\r\n");
	T_CHECK(strstr(flat, "X-WR-CALDESC") == NULL);
	T_CHECK(strstr(flat, "REFRESH-INTERVAL") == NULL);
	T_CHECK(strstr(flat, "X-PUBLISHED-TTL") == NULL);
	free(text);
	free(flat);
}

TEST(ics_event_properties)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);
	struct ics_event summer = london_event("booking-12@halls", "2026-07-15");
	struct ics_event winter = london_event("booking-13@halls", "2026-12-01");
	struct ics_event plain = london_event("booking-14@halls", "2026-12-08");
	char *flat, *text, *ev1, *ev2, *ev3;

	summer.sequence = 3;
	summer.status = ICS_TENTATIVE;
	summer.last_modified = T_NOW + 59; /* 2026-03-01T12:00:59Z */
	summer.description = "";
	summer.location = NULL;
	winter.status = ICS_CANCELLED;
	winter.description = "Bring needles";
	winter.location = "Hartley Road, Main Hall";
	ics_calendar_add(c, &summer);
	ics_calendar_add(c, &winter);
	ics_calendar_add(c, &plain);
	text = FINISH(c, &flat);

	/* Each VEVENT, in the order added. */
	T_EQ_INT(count(flat, "BEGIN:VEVENT\r\n"), 3);
	ev1 = event_nth(flat, 0);
	ev2 = event_nth(flat, 1);
	ev3 = event_nth(flat, 2);
	T_ASSERT(ev1 != NULL && ev2 != NULL && ev3 != NULL);
	T_CHECK(strstr(text, "END:VEVENT\r\nEND:VCALENDAR\r\n") != NULL);

	T_HAS_STR(ev1, "\r\nUID:booking-12@halls\r\n");
	T_HAS_STR(ev1, "\r\nDTSTAMP:20260301T120059Z\r\n");
	T_HAS_STR(ev1, "\r\nLAST-MODIFIED:20260301T120059Z\r\n");
	T_HAS_STR(ev1, "\r\nSEQUENCE:3\r\n");
	T_HAS_STR(ev1, "\r\nSTATUS:TENTATIVE\r\n");
	T_HAS_STR(ev1, "\r\nSUMMARY:Tuesday Knitters\r\n");
	/* 19:00 BST is 18:00Z; the feed shows the wall clock. */
	T_HAS_STR(ev1, "\r\nDTSTART;TZID=Europe/London:20260715T190000\r\n");
	T_HAS_STR(ev1, "\r\nDTEND;TZID=Europe/London:20260715T210000\r\n");
	T_CHECK(strstr(ev1, "DESCRIPTION") == NULL);
	T_CHECK(strstr(ev1, "LOCATION") == NULL);
	T_CHECK(strstr(ev1, "RRULE") == NULL);
	T_CHECK(strstr(ev1, "EXDATE") == NULL);
	T_CHECK(strstr(ev1, "RECURRENCE-ID") == NULL);

	T_HAS_STR(ev2, "\r\nUID:booking-13@halls\r\n");
	T_HAS_STR(ev2, "\r\nDTSTAMP:20260301T120000Z\r\n");
	T_HAS_STR(ev2, "\r\nSEQUENCE:0\r\n");
	T_HAS_STR(ev2, "\r\nSTATUS:CANCELLED\r\n");
	T_HAS_STR(ev2, "\r\nDESCRIPTION:Bring needles\r\n");
	T_HAS_STR(ev2, "\r\nLOCATION:Hartley Road\\, Main Hall\r\n");
	T_HAS_STR(ev2, "\r\nDTSTART;TZID=Europe/London:20261201T190000\r\n");
	T_HAS_STR(ev2, "\r\nDTEND;TZID=Europe/London:20261201T210000\r\n");

	T_HAS_STR(ev3, "\r\nUID:booking-14@halls\r\n");
	T_HAS_STR(ev3, "\r\nSTATUS:CONFIRMED\r\n");
	CHECK_TZIDS(flat);
	free(ev1);
	free(ev2);
	free(ev3);
	free(text);
	free(flat);
}

TEST(ics_event_text)
{
	/* SUMMARY, DESCRIPTION and LOCATION go through libical's escaping: it must agree with
	 * ics_text_escape, and the text must come back whole. */
	for (size_t i = 0; i < sizeof(nasty) / sizeof(nasty[0]); i++) {
		struct ics_event ev = london_event("booking-1@halls", "2026-12-01");
		static const char *const props[] = {"SUMMARY:", "DESCRIPTION:", "LOCATION:"};
		char *flat, *text, *esc = ics_text_escape(nasty[i]);

		ev.summary = ev.description = ev.location = nasty[i];
		text = one_event(&ev, &flat);
		CHECK_TZIDS(flat);
		for (size_t p = 0; p < 3; p++) {
			char *v = line_value(flat, props[p]), *back = v ? unescape(v) : NULL;

			T_EQ_STR(v, esc);
			T_EQ_STR(back, nasty[i]);
			free(v);
			free(back);
		}
		free(esc);
		free(text);
		free(flat);
	}

	/* What TEXT cannot carry: CR LF is a line break, other controls are dropped. */
	struct ics_event ev = london_event("booking-1@halls", "2026-12-01");
	char *flat, *text;

	ev.summary = "one\r\ntwo\x01three\x7f";
	text = one_event(&ev, &flat);
	T_HAS_STR(flat, "\r\nSUMMARY:one\\ntwothree\r\n");
	free(text);
	free(flat);
}

/* Tuesdays at 19:00 in London from 6 Oct 2026 for 30 weeks: across the clocks going back
 * on 25 Oct 2026 and forward on 28 Mar 2027; none on 22 and 29 Dec; the one of 16 Feb
 * 2027 moved to Thursday 18 Feb, 19:30-21:00. */
static const int64_t *series_exdates(size_t *n)
{
	static int64_t ex[2];

	ex[0] = fx_at("2026-12-22T19:00");
	ex[1] = fx_at("2026-12-29T19:00");
	*n = 2;
	return ex;
}

static struct ics_event series_master(void)
{
	struct ics_event ev = {0};

	ev.uid = "series-7@halls";
	ev.sequence = 1;
	ev.last_modified = T_NOW;
	ev.status = ICS_CONFIRMED;
	ev.summary = "Tuesday Knitters, weekly; \\ " U4;
	ev.description = nasty[0];
	ev.location = "Hartley Road Community Centre, Committee Room";
	ev.zone = LONDON;
	ev.start = fx_at("2026-10-06T19:00");
	ev.end = fx_at("2026-10-06T20:30");
	ev.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=30";
	ev.exdates = series_exdates(&ev.nexdates);
	return ev;
}

static struct ics_event series_override(void)
{
	struct ics_event ev = series_master();

	ev.sequence = 2;
	ev.status = ICS_TENTATIVE;
	ev.summary = "Tuesday Knitters (on Thursday this week)";
	ev.start = fx_at("2027-02-18T19:30");
	ev.end = fx_at("2027-02-18T21:00");
	ev.rrule = NULL;
	ev.exdates = NULL;
	ev.nexdates = 0;
	ev.recurrence_id = fx_at("2027-02-16T19:00");
	return ev;
}

TEST(ics_recurrence)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);
	struct ics_event master = series_master(), over = series_override();
	char *flat, *text, *ev1, *ev2;

	ics_calendar_add(c, &master);
	ics_calendar_add(c, &over);
	text = FINISH(c, &flat);
	CHECK_TZIDS(flat);
	ev1 = event_nth(flat, 0);
	ev2 = event_nth(flat, 1);
	T_ASSERT(ev1 != NULL && ev2 != NULL);
	/* libical writes the rule it read, in its own order. */
	T_HAS_STR(ev1, "\r\nRRULE:FREQ=WEEKLY;COUNT=30;BYDAY=TU\r\n");
	T_EQ_INT(count(events_of(flat), "RRULE"), 1);
	/* One EXDATE each, local time (GMT in December). */
	T_HAS_STR(ev1, "\r\nEXDATE;TZID=Europe/London:20261222T190000\r\n");
	T_HAS_STR(ev1, "\r\nEXDATE;TZID=Europe/London:20261229T190000\r\n");
	T_EQ_INT(count(flat, "EXDATE"), 2);
	T_HAS_STR(ev1, "\r\nDTSTART;TZID=Europe/London:20261006T190000\r\n");
	T_HAS_STR(ev1, "\r\nDTEND;TZID=Europe/London:20261006T203000\r\n");
	T_CHECK(strstr(ev1, "RECURRENCE-ID") == NULL);
	/* The override: same UID, the original start as RECURRENCE-ID. */
	T_HAS_STR(ev2, "\r\nUID:series-7@halls\r\n");
	T_HAS_STR(ev2, "\r\nRECURRENCE-ID;TZID=Europe/London:20270216T190000\r\n");
	T_HAS_STR(ev2, "\r\nDTSTART;TZID=Europe/London:20270218T193000\r\n");
	T_HAS_STR(ev2, "\r\nDTEND;TZID=Europe/London:20270218T210000\r\n");
	T_HAS_STR(ev2, "\r\nSEQUENCE:2\r\n");
	T_CHECK(strstr(ev2, "RRULE") == NULL);
	T_CHECK(strstr(ev2, "EXDATE") == NULL);
	T_EQ_INT(count(flat, "BEGIN:VTIMEZONE"), 1);
	free(ev1);
	free(ev2);
	free(text);
	free(flat);
}

TEST(ics_rrule_validated)
{
	struct ics_event ev = series_master();
	char *flat, *text;

	/* A rule libical cannot read is left out rather than breaking the feed. */
	ev.rrule = "FREQ=SOMETIMES;COUNT=3";
	text = one_event(&ev, &flat);
	T_CHECK(strstr(events_of(flat), "RRULE") == NULL);
	T_HAS_STR(flat, "\r\nDTSTART;TZID=Europe/London:20261006T190000\r\n");
	free(text);
	free(flat);
	ev.rrule = "FREQ=WEEKLY;BYDAY=XX";
	text = one_event(&ev, &flat);
	T_CHECK(strstr(events_of(flat), "RRULE") == NULL);
	free(text);
	free(flat);
	/* What libical's lenient reader accepted is written as it understood it. */
	ev.rrule = "freq=weekly;count=5 junk;";
	text = one_event(&ev, &flat);
	T_HAS_STR(flat, "\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n");
	free(text);
	free(flat);
	ev.rrule = "FREQ=WEEKLY;UNTIL=20270330T235959Z;BYDAY=TU";
	text = one_event(&ev, &flat);
	T_HAS_STR(flat, "\r\nRRULE:FREQ=WEEKLY;UNTIL=20270330T235959Z;BYDAY=TU\r\n");
	free(text);
	free(flat);
}

/* The VTIMEZONE block of zone in an unfolded calendar (malloc'd), or NULL. */
static char *vtimezone_of(const char *flat, const char *zone)
{
	char *head = xasprintf("BEGIN:VTIMEZONE\r\nTZID:%s\r\n", zone);
	const char *start = strstr(flat, head), *end;

	free(head);
	if (start == NULL)
		return NULL;
	end = strstr(start, "END:VTIMEZONE\r\n");
	return end ? xstrndup(start, (size_t)(end - start) + 15) : NULL;
}

TEST(ics_vtimezone_london)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);
	struct ics_event a = london_event("a@halls", "2026-07-15");
	struct ics_event b = london_event("b@halls", "2027-01-12");
	char *flat, *text, *vtz;

	ics_calendar_add(c, &a);
	ics_calendar_add(c, &b);
	text = FINISH(c, &flat);
	CHECK_TZIDS(flat);
	T_EQ_INT(count(flat, "BEGIN:VTIMEZONE"), 1);
	T_CHECK(strstr(flat, "freeassociation") == NULL);
	T_CHECK(strstr(flat, "X-LIC-LOCATION") == NULL);
	T_CHECK(strstr(flat, "BEGIN:VTIMEZONE") < strstr(flat, "BEGIN:VEVENT"));
	vtz = vtimezone_of(flat, LONDON);
	T_ASSERT(vtz != NULL);
	/* GMT to BST in spring, back in autumn. */
	T_HAS_STR(vtz,
	          "BEGIN:DAYLIGHT\r\nTZNAME:BST\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n");
	T_HAS_STR(vtz,
	          "BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n");
	/* Trimmed: not London's history since 1847 (local mean time, -00:01:15), nor
	 * 1968-71's British Standard Time (+01:00 all year), nor the 1990s' October rules. */
	T_CHECK(strstr(vtz, "-000115") == NULL);
	T_CHECK(strstr(vtz, "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n") == NULL);
	T_CHECK(strstr(vtz, "UNTIL=19") == NULL);
	T_CHECK(count(vtz, "BEGIN:STANDARD") + count(vtz, "BEGIN:DAYLIGHT") <= 6);
	free(vtz);
	free(text);
	free(flat);

	/* An event in 1970 keeps what was in force then: British Standard Time since 1968. */
	c = ics_calendar_new("Hall", NULL, 60);
	a = london_event("a@halls", "1970-06-02");
	ics_calendar_add(c, &a);
	ics_calendar_add(c, &b);
	text = FINISH(c, &flat);
	vtz = vtimezone_of(flat, LONDON);
	T_ASSERT(vtz != NULL);
	T_HAS_STR(vtz, "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n");
	T_HAS_STR(vtz, "DTSTART:19681027T000000\r\n");
	T_CHECK(strstr(vtz, "-000115") == NULL);
	T_CHECK(strstr(vtz, "DTSTART:19670319") == NULL);
	T_HAS_STR(flat, "\r\nDTSTART;TZID=Europe/London:19700602T190000\r\n");
	free(vtz);
	free(text);
	free(flat);
}

TEST(ics_vtimezone_until)
{
	/* An event on 1 Dec 2037 keeps what is in force from 30 Nov 2036: GMT since the last
	 * onset, 26 Oct 2036 02:00 local, of the rule that ends with UNTIL=20361026T010000Z
	 * (01:00Z is that same instant, so the onset must count as within the rule). */
	struct ics_event ev = london_event("late@halls", "2037-12-01");
	char *flat, *text = one_event(&ev, &flat), *vtz = vtimezone_of(flat, LONDON);

	T_ASSERT(vtz != NULL);
	T_HAS_STR(vtz, "BEGIN:STANDARD\r\nTZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
	               "DTSTART:19991031T020000\r\nRRULE:FREQ=YEARLY;UNTIL=20361026T010000Z;");
	free(vtz);
	free(text);
	free(flat);
}

TEST(ics_vtimezone_far)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);
	struct ics_event lon = london_event("lon@halls", "2026-12-01");
	struct ics_event akl = london_event("akl@halls", "2026-12-01");
	struct ics_event sao = london_event("sao@halls", "2026-12-01");
	char *flat, *text, *vtz;

	akl.zone = AUCKLAND;
	akl.start = fx_at("2026-12-05T10:00:00+13:00"); /* NZDT */
	akl.end = fx_at("2026-12-05T12:00:00+13:00");
	sao.zone = SAO;
	sao.start = fx_at("2026-06-01T19:00:00-03:00");
	sao.end = fx_at("2026-06-01T21:00:00-03:00");
	ics_calendar_add(c, &lon);
	ics_calendar_add(c, &akl);
	ics_calendar_add(c, &sao);
	ics_calendar_add(c, &akl);
	text = FINISH(c, &flat);
	CHECK_TZIDS(flat);

	/* One VTIMEZONE per zone, in order of first use, all before the first VEVENT. */
	T_EQ_INT(count(flat, "BEGIN:VTIMEZONE"), 3);
	T_ASSERT(strstr(flat, "TZID:" SAO "\r\n") != NULL);
	T_ASSERT(strstr(flat, "TZID:" LONDON "\r\n") != NULL);
	T_ASSERT(strstr(flat, "TZID:" AUCKLAND "\r\n") != NULL);
	T_CHECK(strstr(flat, "TZID:" LONDON "\r\n") < strstr(flat, "TZID:" AUCKLAND "\r\n"));
	T_CHECK(strstr(flat, "TZID:" AUCKLAND "\r\n") < strstr(flat, "TZID:" SAO "\r\n"));
	T_CHECK(strstr(flat, "TZID:" SAO "\r\n") < strstr(flat, "BEGIN:VEVENT"));
	T_HAS_STR(flat, "\r\nDTSTART;TZID=Pacific/Auckland:20261205T100000\r\n");
	T_HAS_STR(flat, "\r\nDTSTART;TZID=America/Sao_Paulo:20260601T190000\r\n");

	/* New Zealand: +12:00 in winter, +13:00 from late September to early April. */
	vtz = vtimezone_of(flat, AUCKLAND);
	T_ASSERT(vtz != NULL);
	T_HAS_STR(vtz,
	          "BEGIN:DAYLIGHT\r\nTZNAME:NZDT\r\nTZOFFSETFROM:+1200\r\nTZOFFSETTO:+1300\r\n");
	T_HAS_STR(vtz,
	          "BEGIN:STANDARD\r\nTZNAME:NZST\r\nTZOFFSETFROM:+1300\r\nTZOFFSETTO:+1200\r\n");
	T_CHECK(count(vtz, "BEGIN:STANDARD") + count(vtz, "BEGIN:DAYLIGHT") <= 6);
	free(vtz);

	/* Brazil has had no summer time since 2019: what is left is -03:00 from its last
	 * change back, and no DAYLIGHT at all. */
	vtz = vtimezone_of(flat, SAO);
	T_ASSERT(vtz != NULL);
	T_HAS_STR(vtz, "TZOFFSETFROM:-0200\r\nTZOFFSETTO:-0300\r\n");
	T_CHECK(strstr(vtz, "BEGIN:DAYLIGHT") == NULL);
	T_CHECK(strstr(vtz, "TZOFFSETTO:-0200") == NULL);
	free(vtz);
	free(text);
	free(flat);
}

/* Each zone's observances are read once per process and kept (tz_zone_derived), up to
 * the zone cache's size; zones past it are read for each calendar. Both ways must give
 * the same VTIMEZONE, and the same again on a second calendar: 80 of libical's zones
 * take both paths. */
TEST(ics_vtimezone_kept_and_not)
{
	icalarray *zones = icaltimezone_get_builtin_timezones();
	size_t n = zones->num_elements < 80 ? zones->num_elements : 80;

	for (size_t i = 0; i < n; i++) {
		icaltimezone *z = icalarray_element_at(zones, i);
		struct ics_event ev = london_event("z@halls", "2026-12-01");
		char *flat[2], *text[2], *head;

		/* A copy: loading the zone replaces the string libical gave. */
		char *name = xstrdup(icaltimezone_get_location(z));

		ev.zone = name;
		for (int round = 0; round < 2; round++)
			text[round] = one_event(&ev, &flat[round]);
		head = xasprintf("BEGIN:VTIMEZONE\r\nTZID:%s\r\n", ev.zone);
		T_HAS_STR(flat[0], head);
		T_CHECK(count(flat[0], "TZOFFSETTO:") >= 1);
		T_EQ_STR(flat[0], flat[1]);
		free(head);
		free(name);
		for (int round = 0; round < 2; round++) {
			free(text[round]);
			free(flat[round]);
		}
	}
}

TEST(ics_zone_utc_and_unknown)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);
	struct ics_event utc = london_event("utc@halls", "2026-12-01");
	struct ics_event odd = london_event("odd@halls", "2026-12-01");
	char *flat, *text;

	utc.zone = "UTC";
	odd.zone = "Mars/Olympus_Mons";
	ics_calendar_add(c, &utc);
	ics_calendar_add(c, &odd);
	text = FINISH(c, &flat);
	/* UTC is a zone like any other, through tzdata's Etc/UTC. */
	T_HAS_STR(flat, "BEGIN:VTIMEZONE\r\nTZID:UTC\r\n");
	T_HAS_STR(flat, "\r\nDTSTART;TZID=UTC:20261201T190000\r\n");
	/* A zone libical does not know: the instant in UTC, still right. */
	T_HAS_STR(flat, "\r\nUID:odd@halls\r\n");
	T_HAS_STR(flat, "\r\nDTSTART:20261201T190000Z\r\n");
	T_HAS_STR(flat, "\r\nDTEND:20261201T210000Z\r\n");
	T_EQ_INT(count(flat, "BEGIN:VTIMEZONE"), 1);
	T_CHECK(strstr(flat, "Mars") == NULL);
	free(text);
	free(flat);
}

/* The sample calendar: a one-off, the London series with its override, a weekly series
 * in Auckland across New Zealand's change back on 4 Apr 2027, and one in Sao Paulo; its
 * events looked up in memo (NULL: none). */
static struct ics_calendar *sample_calendar_memo(struct ics_memo *memo)
{
	const char *name = "Hartley Road, Main Hall; \\ bookings\n" U2 U3 U4;
	struct ics_calendar *c = ics_calendar_new(name, nasty[0], 60);
	struct ics_event one = london_event("booking-1@halls", "2026-11-24");
	struct ics_event master = series_master(), over = series_override();
	struct ics_event akl = london_event("series-8@halls", "2027-03-21");
	struct ics_event sao = london_event("booking-2@halls", "2026-12-01");

	ics_calendar_memo(c, memo);
	one.summary = nasty[1];
	one.description = nasty[3];
	one.location = "Main Hall, Hartley Road; ground floor \\ step-free";
	ics_calendar_add(c, &one);
	ics_calendar_add(c, &master);
	ics_calendar_add(c, &over);
	akl.zone = AUCKLAND;
	akl.summary = "Sunday market " U3 U4;
	akl.start = fx_at("2027-03-21T10:00:00+13:00");
	akl.end = fx_at("2027-03-21T12:00:00+13:00");
	akl.rrule = "FREQ=WEEKLY;COUNT=4";
	ics_calendar_add(c, &akl);
	sao.zone = SAO;
	sao.summary = "Caf\xc3\xa9 da manh\xc3\xa3";
	sao.start = fx_at("2026-12-01T19:00:00-03:00");
	sao.end = fx_at("2026-12-01T20:00:00-03:00");
	ics_calendar_add(c, &sao);
	return c;
}

static struct ics_calendar *sample_calendar(void)
{
	return sample_calendar_memo(NULL);
}

TEST(ics_sample)
{
	char *flat, *text, *again, *flat2;
	const char *path = getenv("HALLS_ICS_SAMPLE");
	size_t len;

	text = FINISH(sample_calendar(), &flat);
	CHECK_TZIDS(flat);
	len = strlen(text);
	/* No clock anywhere: the same calendar gives the same bytes. */
	again = FINISH(sample_calendar(), &flat2);
	T_EQ_INT(strlen(again), len);
	T_CHECK(strcmp(text, again) == 0);
	T_EQ_INT(count(flat, "BEGIN:VTIMEZONE"), 3);
	T_EQ_INT(count(flat, "BEGIN:VEVENT"), 5);
	T_HAS_STR(flat, "\r\nDTSTART;TZID=Pacific/Auckland:20270321T100000\r\n");
	if (path != NULL && path[0] != '\0') {
		FILE *f = fopen(path, "wb");

		if (f == NULL || fwrite(text, 1, len, f) != len)
			t_fail(__FILE__, __LINE__, "cannot write %s", path);
		if (f != NULL && fclose(f) != 0)
			t_fail(__FILE__, __LINE__, "cannot write %s", path);
	}
	free(text);
	free(flat);
	free(again);
	free(flat2);
}

/* ics_calendar_finish's text of a calendar of ev alone, through memo (NULL: none). */
static char *memo_one(struct ics_memo *memo, const struct ics_event *ev)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 60);

	ics_calendar_memo(c, memo);
	ics_calendar_add(c, ev);
	return ics_calendar_finish(c, NULL);
}

/* An invitation of ev from the hall to a person, through memo (NULL: none). */
static char *memo_invite(struct ics_memo *memo, const struct ics_event *ev, const char *to)
{
	struct ics_calendar *c = ics_calendar_new("Hall", NULL, 0);
	struct ics_party organizer = {"bookings@halls.example", "Hartley Road"};
	struct ics_party attendee = {to, "Ann \"Knit\" Smith"};

	ics_calendar_invite(c, ICS_REQUEST, &organizer, &attendee);
	ics_calendar_memo(c, memo);
	ics_calendar_add(c, ev);
	return ics_calendar_finish(c, NULL);
}

/* The memo changes no byte: the sample (three zones, a series, an override) comes out the
 * same without it, when its events are first rendered into it, and when they are copied
 * from it. */
TEST(ics_memo_same_bytes)
{
	struct ics_memo *memo = ics_memo_new(64, 1 << 20);
	char *plain = ics_calendar_finish(sample_calendar(), NULL);
	char *first = ics_calendar_finish(sample_calendar_memo(memo), NULL);
	struct ics_memo_stats st = ics_memo_stats(memo);
	char *again;

	T_EQ_STR(first, plain);
	T_EQ_INT(st.misses, 5);
	T_EQ_INT(st.hits, 0);
	T_EQ_INT(st.entries, 5);
	again = ics_calendar_finish(sample_calendar_memo(memo), NULL);
	st = ics_memo_stats(memo);
	T_EQ_STR(again, plain);
	T_EQ_INT(st.misses, 5);
	T_EQ_INT(st.hits, 5);
	free(plain);
	free(first);
	free(again);
	ics_memo_free(memo);
	ics_memo_free(NULL);
}

/* Every field that is written gives another text, never the one memoised before: each
 * variant is a miss and its bytes are those rendered without the memo. */
TEST(ics_memo_changed_fields)
{
	struct ics_memo *memo = ics_memo_new(256, 1 << 20);
	struct ics_event base = series_master(), v[15];
	int64_t other_exdates[] = {fx_at("2026-10-27T19:00")};
	char *base_text = memo_one(memo, &base);
	size_t n = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		v[i] = base;
	v[n++].uid = "series-8@halls";
	v[n++].sequence = 2;
	v[n++].last_modified = T_NOW + 1;
	v[n++].status = ICS_CANCELLED;
	v[n++].summary = "Tuesday Knitters, renamed";
	v[n++].description = NULL;
	v[n++].location = "Committee Room";
	v[n++].zone = AUCKLAND;
	v[n++].zone = "Mars/Olympus_Mons"; /* unknown: UTC times */
	v[n++].start = base.start + 1800;
	v[n++].end = base.end + 1800;
	v[n++].rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=31";
	v[n].exdates = other_exdates;
	v[n++].nexdates = 1;
	v[n++].nexdates = 0;
	v[n].rrule = NULL;
	v[n++].recurrence_id = fx_at("2026-10-13T19:00");
	T_EQ_INT(n, sizeof(v) / sizeof(v[0]));
	for (size_t i = 0; i < n; i++) {
		uint64_t misses = ics_memo_stats(memo).misses;
		char *plain = memo_one(NULL, &v[i]), *got = memo_one(memo, &v[i]);

		T_EQ_INT(ics_memo_stats(memo).misses, misses + 1);
		T_EQ_STR(got, plain);
		T_CHECK(strcmp(got, base_text) != 0);
		free(plain);
		free(got);
	}
	/* The unchanged event is still the one kept. */
	{
		uint64_t hits = ics_memo_stats(memo).hits;
		char *again = memo_one(memo, &base);

		T_EQ_STR(again, base_text);
		T_EQ_INT(ics_memo_stats(memo).hits, hits + 1);
		free(again);
	}
	/* An invitation's event carries its people: not the feed's text, and one per
	 * attendee. */
	{
		char *plain = memo_invite(NULL, &base, "ann@example.org");
		char *got = memo_invite(memo, &base, "ann@example.org");
		char *other = memo_invite(memo, &base, "bob@example.org");
		char *other_plain = memo_invite(NULL, &base, "bob@example.org");

		T_EQ_STR(got, plain);
		T_EQ_STR(other, other_plain);
		T_HAS_STR(got, "ann@example.org");
		T_CHECK(strstr(other, "ann@example.org") == NULL);
		free(plain);
		free(got);
		free(other);
		free(other_plain);
	}
	free(base_text);
	ics_memo_free(memo);
}

/* The memo stays inside its bounds, dropping the least recently used event first; a text
 * larger than the whole memo is rendered but not kept. */
TEST(ics_memo_bounds)
{
	struct ics_event ev[5];
	char uids[5][32];
	struct ics_memo *memo = ics_memo_new(3, 1 << 20);
	struct ics_memo_stats st;
	char *text, *plain;
	size_t one, bound;

	for (int i = 0; i < 5; i++) {
		snprintf(uids[i], sizeof(uids[i]), "booking-%d@halls", i + 1);
		ev[i] = london_event(uids[i], "2026-12-01");
		free(memo_one(memo, &ev[i]));
	}
	st = ics_memo_stats(memo);
	T_EQ_INT(st.entries, 3);
	T_EQ_INT(st.evictions, 2);
	T_EQ_INT(st.misses, 5);
	/* ev[2] is the oldest left: used now, it outlives ev[3] when ev[0] comes back. */
	free(memo_one(memo, &ev[2]));
	T_EQ_INT(ics_memo_stats(memo).hits, 1);
	free(memo_one(memo, &ev[0]));
	T_EQ_INT(ics_memo_stats(memo).misses, 6);
	free(memo_one(memo, &ev[2]));
	T_EQ_INT(ics_memo_stats(memo).hits, 2);
	free(memo_one(memo, &ev[3]));
	T_EQ_INT(ics_memo_stats(memo).misses, 7);
	ics_memo_free(memo);

	/* Bytes: room for two and a half of these events (their UIDs are as long). */
	memo = ics_memo_new(100, 1 << 20);
	plain = memo_one(memo, &ev[0]);
	one = ics_memo_stats(memo).bytes;
	bound = 2 * one + one / 2;
	ics_memo_free(memo);
	memo = ics_memo_new(100, bound);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5; i++) {
			char *want = memo_one(NULL, &ev[i]);

			text = memo_one(memo, &ev[i]);
			T_EQ_STR(text, want);
			free(text);
			free(want);
			st = ics_memo_stats(memo);
			T_CHECK(st.bytes <= bound);
			T_CHECK(st.entries <= 2);
		}
	st = ics_memo_stats(memo);
	T_EQ_INT(st.entries, 2);
	T_EQ_INT(st.hits, 0); /* a scan longer than the memo */
	ics_memo_free(memo);

	memo = ics_memo_new(100, 64);
	text = memo_one(memo, &ev[0]);
	T_EQ_STR(text, plain);
	st = ics_memo_stats(memo);
	T_EQ_INT(st.entries, 0);
	T_EQ_INT(st.bytes, 0);
	free(text);
	free(plain);
	ics_memo_free(memo);
}

#ifdef T_LEAK_CHECK
/* A calendar dropped unfinished, with events and zones in it (as feed_build does when a
 * read fails), frees all it holds: LeakSanitizer finds nothing unreachable afterwards.
 * (It would also report a leak of an earlier test here; the end of the run does too.) */
TEST(ics_calendar_free_unfinished)
{
	struct ics_calendar *c = sample_calendar();

	ics_calendar_free(c);
	ics_calendar_free(NULL);
	c = ics_calendar_new("Empty", "nothing", 5);
	ics_calendar_free(c);
	T_EQ_INT(__lsan_do_recoverable_leak_check(), 0);
}
#endif
