#include "mail.h"

#include "text.h"
#include "xmalloc.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* RFC 5322 allows 998 octets a line and asks for 78; encoded words are at most 75. */
#define LINE_SOFT 76
#define WORD_MAX  75

void mail_buf_add(struct mail_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void mail_buf_puts(struct mail_buf *b, const char *s)
{
	mail_buf_add(b, s, strlen(s));
}

static void buf_vprintf(struct mail_buf *b, const char *fmt, va_list ap)
{
	char *s;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	mail_buf_add(b, s, (size_t)n);
	free(s);
}

void mail_buf_printf(struct mail_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mail_buf_free(struct mail_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* --- the body, as text and HTML --- */

void mail_body_init(struct mail_body *b)
{
	memset(b, 0, sizeof(*b));
}

void mail_body_free(struct mail_body *b)
{
	mail_buf_free(&b->text);
	mail_buf_free(&b->html);
}

/* Stored text is valid UTF-8 already; this keeps a message valid whatever it is given. */
static char *clean(const char *s)
{
	size_t n = strlen(s) * 4 + 1;
	char *out = xmalloc(n);

	text_sanitize(out, n, s);
	return out;
}

static void html_escaped(struct mail_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			mail_buf_puts(b, "&amp;");
			break;
		case '<':
			mail_buf_puts(b, "&lt;");
			break;
		case '>':
			mail_buf_puts(b, "&gt;");
			break;
		case '"':
			mail_buf_puts(b, "&quot;");
			break;
		case '\'':
			mail_buf_puts(b, "&#39;");
			break;
		case '\n':
			mail_buf_puts(b, "<br>\n");
			break;
		case '\r':
			break;
		default:
			mail_buf_add(b, s, 1);
		}
	}
}

static void facts_close(struct mail_body *b)
{
	if (b->facts_open) {
		mail_buf_puts(&b->html, "</table>\n");
		b->facts_open = 0;
	}
}

void mail_para(struct mail_body *b, const char *fmt, ...)
{
	struct mail_buf words = {0};
	char *safe;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&words, fmt, ap);
	va_end(ap);
	safe = clean(words.s != NULL ? words.s : "");
	facts_close(b);
	if (b->text.len > 0)
		mail_buf_puts(&b->text, "\n");
	mail_buf_printf(&b->text, "%s\n", safe);
	mail_buf_puts(&b->html, "<p>");
	html_escaped(&b->html, safe);
	mail_buf_puts(&b->html, "</p>\n");
	free(safe);
	mail_buf_free(&words);
}

void mail_fact(struct mail_body *b, const char *label, const char *value)
{
	char *l = clean(label), *v = clean(value);

	if (!b->facts_open) {
		if (b->text.len > 0)
			mail_buf_puts(&b->text, "\n");
		mail_buf_puts(&b->html, "<table role=\"presentation\">\n");
		b->facts_open = 1;
	}
	mail_buf_printf(&b->text, "%s: %s\n", l, v);
	mail_buf_puts(&b->html, "<tr><th align=\"left\" valign=\"top\">");
	html_escaped(&b->html, l);
	mail_buf_puts(&b->html, "</th><td>");
	html_escaped(&b->html, v);
	mail_buf_puts(&b->html, "</td></tr>\n");
	free(l);
	free(v);
}

void mail_link(struct mail_body *b, const char *words, const char *url)
{
	char *w = clean(words), *u = clean(url);

	facts_close(b);
	if (b->text.len > 0)
		mail_buf_puts(&b->text, "\n");
	mail_buf_printf(&b->text, "%s:\n%s\n", w, u);
	mail_buf_puts(&b->html, "<p><a href=\"");
	html_escaped(&b->html, u);
	mail_buf_puts(&b->html, "\">");
	html_escaped(&b->html, w);
	mail_buf_puts(&b->html, "</a></p>\n");
	free(w);
	free(u);
}

void mail_quote(struct mail_body *b, const char *who, const char *words)
{
	char *w = clean(who), *q = clean(words);
	const char *line = q;

	facts_close(b);
	if (b->text.len > 0)
		mail_buf_puts(&b->text, "\n");
	mail_buf_printf(&b->text, "%s wrote:\n", w);
	while (*line) {
		size_t n = strcspn(line, "\n");

		mail_buf_puts(&b->text, "> ");
		mail_buf_add(&b->text, line, n);
		mail_buf_puts(&b->text, "\n");
		line += n + (line[n] == '\n');
	}
	mail_buf_puts(&b->html, "<p>");
	html_escaped(&b->html, w);
	mail_buf_puts(&b->html, " wrote:</p>\n<blockquote>");
	html_escaped(&b->html, q);
	mail_buf_puts(&b->html, "</blockquote>\n");
	free(w);
	free(q);
}

void mail_footer(struct mail_body *b, const char *why, const char *choices_url)
{
	char *w = clean(why);

	facts_close(b);
	mail_buf_printf(&b->text, "\n-- \n%s\n", w);
	mail_buf_puts(&b->html, "<hr>\n<p><small>");
	html_escaped(&b->html, w);
	if (choices_url != NULL) {
		char *u = clean(choices_url);

		mail_buf_printf(&b->text, "Choose which messages you get: %s\n", u);
		mail_buf_puts(&b->html, " <a href=\"");
		html_escaped(&b->html, u);
		mail_buf_puts(&b->html, "\">Choose which messages you get</a>.");
		free(u);
	}
	mail_buf_puts(&b->html, "</small></p>\n");
	free(w);
}

/* --- encodings --- */

void mail_date(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, size, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static bool plain_ascii(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

/* RFC 5322 specials, which a display name may hold only inside quotes. */
static bool has_specials(const char *s)
{
	return strpbrk(s, "()<>[]:;@\\,.\"") != NULL;
}

static void base64_into(struct mail_buf *b, const unsigned char *s, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock((unsigned char *)out, s, (int)n);

	mail_buf_add(b, out, (size_t)len);
	free(out);
}

/* Encoded words of whole UTF-8 characters, each at most WORD_MAX long, separated by
 * CRLF and a space (folding). */
static void encoded_words(struct mail_buf *b, const char *s)
{
	/* "=?UTF-8?B?" + "?=" take 12 of 75; 63 base64 characters carry 45 bytes. */
	const size_t chunk_max = 45;
	const char *p = s;
	bool first = true;

	while (*p) {
		size_t n = 0;

		while (p[n]) {
			size_t c = text_utf8_len(p + n);

			if (c == 0)
				c = 1;
			if (n + c > chunk_max)
				break;
			n += c;
		}
		if (!first)
			mail_buf_puts(b, "\r\n ");
		mail_buf_puts(b, "=?UTF-8?B?");
		base64_into(b, (const unsigned char *)p, n);
		mail_buf_puts(b, "?=");
		p += n;
		first = false;
	}
}

char *mail_header_words(const char *s, int phrase)
{
	struct mail_buf b = {0};
	char *safe = clean(s);

	mail_buf_puts(&b, "");
	if (plain_ascii(safe) && strlen(safe) <= WORD_MAX) {
		if (phrase && has_specials(safe)) {
			mail_buf_puts(&b, "\"");
			for (const char *p = safe; *p; p++) {
				if (*p == '"' || *p == '\\')
					mail_buf_puts(&b, "\\");
				mail_buf_add(&b, p, 1);
			}
			mail_buf_puts(&b, "\"");
		} else {
			mail_buf_puts(&b, safe);
		}
	} else {
		encoded_words(&b, safe);
	}
	free(safe);
	return b.s;
}

static void qp_line(struct mail_buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		bool last = i + 1 == n;
		bool literal =
		    (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
		size_t w = literal ? 1 : 3;

		if (col + w > LINE_SOFT - 1) {
			mail_buf_puts(b, "=\r\n");
			col = 0;
		}
		if (literal) {
			mail_buf_add(b, (const char *)&c, 1);
		} else {
			char enc[3] = {'=', hex[c >> 4], hex[c & 15]};

			mail_buf_add(b, enc, 3);
		}
		col += w;
	}
	mail_buf_puts(b, "\r\n");
}

char *mail_quoted_printable(const char *s)
{
	struct mail_buf b = {0};
	const char *p = s;

	mail_buf_puts(&b, "");
	while (*p) {
		size_t n = strcspn(p, "\n");
		size_t len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

		qp_line(&b, (const unsigned char *)p, len);
		p += n + (p[n] == '\n');
	}
	return b.s;
}

/* --- the message --- */

static void header(struct mail_buf *b, const char *name, const char *value)
{
	mail_buf_printf(b, "%s: %s\r\n", name, value);
}

static void address_header(struct mail_buf *b, const char *name, const char *who, const char *addr)
{
	if (who != NULL && *who != '\0') {
		char *words = mail_header_words(who, 1);

		mail_buf_printf(b, "%s: %s <%s>\r\n", name, words, addr);
		free(words);
	} else {
		mail_buf_printf(b, "%s: %s\r\n", name, addr);
	}
}

static void part_qp(struct mail_buf *b, const char *boundary, const char *type, const char *body)
{
	char *qp = mail_quoted_printable(body);

	mail_buf_printf(b,
	                "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
	                "Content-Transfer-Encoding: quoted-printable\r\n\r\n%s",
	                boundary, type, qp);
	free(qp);
}

static void base64_lines(struct mail_buf *b, const char *s)
{
	size_t n = strlen(s);

	/* 57 bytes make one 76-character line. */
	for (size_t i = 0; i < n; i += 57) {
		base64_into(b, (const unsigned char *)s + i, n - i < 57 ? n - i : 57);
		mail_buf_puts(b, "\r\n");
	}
}

static void part_calendar(struct mail_buf *b, const char *boundary, const struct mail_calendar *cal,
                          bool attachment)
{
	mail_buf_printf(b, "--%s\r\n", boundary);
	if (attachment)
		mail_buf_printf(b, "Content-Type: application/ics; name=\"invite.ics\"\r\n"
		                   "Content-Disposition: attachment; filename=\"invite.ics\"\r\n");
	else
		mail_buf_printf(b, "Content-Type: text/calendar; charset=UTF-8; method=%s\r\n",
		                cal->method);
	mail_buf_puts(b, "Content-Transfer-Encoding: base64\r\n\r\n");
	base64_lines(b, cal->text);
}

static void html_document(struct mail_buf *out, const struct mail *m)
{
	mail_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	                   "<title>");
	html_escaped(out, m->subject);
	mail_buf_puts(out, "</title>\n</head>\n<body>\n");
	mail_buf_puts(out, m->body->html.s != NULL ? m->body->html.s : "");
	mail_buf_puts(out, "</body>\n</html>\n");
}

/* A boundary no body can contain: quoted-printable writes "=" as "=3D" and base64
 * has no "_", so "=_" never occurs inside a part. */
static void boundary_for(const char *message_id, const char *what, char *out, size_t size)
{
	unsigned long h = 5381;

	for (const unsigned char *p = (const unsigned char *)message_id; *p; p++)
		h = h * 33 + *p;
	snprintf(out, size, "=_halls_%s_%08lx", what, h & 0xffffffffUL);
}

char *mail_compose(const struct mail *m)
{
	struct mail_buf b = {0}, html = {0};
	char date[64], mixed[64], alt[64], *subject;

	mail_date(m->date, date, sizeof(date));
	boundary_for(m->message_id, "mixed", mixed, sizeof(mixed));
	boundary_for(m->message_id, "alt", alt, sizeof(alt));
	subject = mail_header_words(m->subject, 0);
	address_header(&b, "From", m->from_name, m->from);
	address_header(&b, "To", m->to_name, m->to);
	header(&b, "Subject", subject);
	header(&b, "Date", date);
	header(&b, "Message-ID", m->message_id);
	header(&b, "MIME-Version", "1.0");
	/* RFC 3834: no vacation replies or loops. */
	header(&b, "Auto-Submitted", "auto-generated");
	free(subject);
	if (m->calendar != NULL)
		mail_buf_printf(&b,
		                "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n",
		                mixed, mixed);
	mail_buf_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", alt);
	part_qp(&b, alt, "text/plain", m->body->text.s != NULL ? m->body->text.s : "");
	html_document(&html, m);
	part_qp(&b, alt, "text/html", html.s);
	mail_buf_free(&html);
	/* Outlook and Gmail take the invitation from a text/calendar alternative with its
	 * method; Apple Mail and others from the attached file. */
	if (m->calendar != NULL)
		part_calendar(&b, alt, m->calendar, false);
	mail_buf_printf(&b, "--%s--\r\n", alt);
	if (m->calendar != NULL) {
		part_calendar(&b, mixed, m->calendar, true);
		mail_buf_printf(&b, "--%s--\r\n", mixed);
	}
	return b.s;
}
