/* Messages from hostile text. A group's name, a manager's note or a subject may hold
 * any bytes a stranger typed; whatever they are, the message mail_compose makes is plain
 * 7-bit text with CRLF line ends, no line over RFC 5322's 998 octets, exactly the
 * headers halls writes (no text can start a header of its own: "\r\nBcc:"), and the same
 * bytes when made again.
 *
 * Input: NUL-separated fields: display name, subject, paragraph, note, link. */
#include "fuzz.h"
#include "mail.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 5

static void split(const uint8_t *data, size_t size, char *fields[FIELDS])
{
	size_t at = 0;

	for (int i = 0; i < FIELDS; i++) {
		size_t n = 0;

		while (at + n < size && data[at + n] != '\0')
			n++;
		fields[i] = malloc(n + 1);
		memcpy(fields[i], data + at, n);
		fields[i][n] = '\0';
		at = at + n < size ? at + n + 1 : size;
	}
}

/* 7-bit, CRLF only, lines of at most 998 octets. */
static void check_lines(const char *raw)
{
	size_t col = 0;

	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		if (*p >= 0x80)
			abort();
		if (*p == '\r' && p[1] != '\n')
			abort();
		if (*p == '\n') {
			if (p == (const unsigned char *)raw || p[-1] != '\r')
				abort();
			col = 0;
			continue;
		}
		if (++col > 998)
			abort();
	}
}

/* The header block holds exactly these fields, once each, in this order. */
static void check_headers(const char *raw)
{
	static const char *const names[] = {
	    "From:",       "To:",           "Subject:",        "Date:",
	    "Message-ID:", "MIME-Version:", "Auto-Submitted:", "Content-Type:"};
	const char *end = strstr(raw, "\r\n\r\n");
	size_t next = 0;

	if (end == NULL)
		abort();
	for (const char *line = raw; line < end;) {
		const char *eol = strstr(line, "\r\n");

		if (*line != ' ') {
			if (next >= sizeof(names) / sizeof(names[0]) ||
			    strncmp(line, names[next], strlen(names[next])) != 0)
				abort();
			next++;
		}
		line = eol + 2;
	}
	if (next != sizeof(names) / sizeof(names[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[FIELDS], *raw, *again;
	struct mail_body body;
	struct mail_calendar cal = {"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "REQUEST"};
	struct mail m = {.from = "rooms@h.example", .to = "pat@example.org"};

	if (size > 8192)
		return 0;
	split(data, size, f);
	mail_body_init(&body);
	mail_para(&body, "%s", f[2]);
	mail_fact(&body, f[0], f[1]);
	mail_quote(&body, f[0], f[3]);
	mail_link(&body, f[2], f[4]);
	mail_footer(&body, f[3], size % 2 ? f[4] : NULL);
	m.from_name = f[0];
	m.to_name = f[0];
	m.subject = f[1];
	m.date = (int64_t)size * 86400;
	m.message_id = "<halls.1.1@h.example>";
	m.body = &body;
	m.calendar = size % 3 ? &cal : NULL;
	raw = mail_compose(&m);
	check_lines(raw);
	check_headers(raw);
	again = mail_compose(&m);
	if (strcmp(raw, again) != 0)
		abort();
	free(again);
	free(raw);
	mail_body_free(&body);
	for (int i = 0; i < FIELDS; i++)
		free(f[i]);
	return 0;
}
