/* Email messages (RFC 5322, MIME) as the outbox stores them and the relay receives them.
 *
 * A message's words are written once, as blocks (a paragraph, a fact such as "When:
 * Tuesday 8 December 2026, 7pm to 9pm", a link, the footer that says why it was sent),
 * and mail.c renders the blocks twice: as plain text and as the HTML alternative, so
 * the two can never say different things. Text from records (a group's name, a
 * manager's note) is escaped for HTML here and nowhere else.
 *
 * The bytes: CRLF line ends; headers folded under 78 columns; names and subjects that
 * are not plain ASCII as RFC 2047 encoded words; bodies quoted-printable (UTF-8) and
 * calendars base64; boundaries made from the Message-ID, so the same message is always
 * the same bytes. */
#ifndef HALLS_MAIL_H
#define HALLS_MAIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A growing, NUL-terminated string. */
struct mail_buf {
	char *s;
	size_t len, cap;
};
void mail_buf_add(struct mail_buf *b, const char *s, size_t n);
void mail_buf_puts(struct mail_buf *b, const char *s);
void mail_buf_printf(struct mail_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void mail_buf_free(struct mail_buf *b);

/* The words of a message, as plain text and HTML side by side. */
struct mail_body {
	struct mail_buf text, html;
	int facts_open; /* an HTML table of facts is open */
};
void mail_body_init(struct mail_body *b);
void mail_body_free(struct mail_body *b);
/* A paragraph of words (UTF-8, formatted as printf does). */
void mail_para(struct mail_body *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A fact in a short list of label and value ("When", "Tuesday 8 December ..."). */
void mail_fact(struct mail_body *b, const char *label, const char *value);
/* A link: its words, then its address (shown whole in the text). */
void mail_link(struct mail_body *b, const char *words, const char *url);
/* A quotation of someone's words (a manager's note), set apart. */
void mail_quote(struct mail_body *b, const char *who, const char *words);
/* The footer every message ends with: why it was sent, and where to choose otherwise
 * (choices_url NULL: a message that cannot be turned off, such as a password reset). */
void mail_footer(struct mail_body *b, const char *why, const char *choices_url);

/* An attached calendar (a booking as an invitation, mail_compose). */
struct mail_calendar {
	const char *text;   /* iCalendar text, CRLF line ends */
	const char *method; /* "REQUEST" or "CANCEL": the METHOD inside text */
};

struct mail {
	const char *from_name, *from; /* the site's (outbox_site) */
	const char *to_name, *to;     /* to_name may be NULL */
	const char *subject;          /* UTF-8, one line */
	int64_t date;                 /* UTC seconds: the Date header */
	const char *message_id;       /* "<...@host>" (outbox_message_id) */
	const struct mail_body *body;
	const struct mail_calendar *calendar; /* NULL: none */
};

/* The whole message (malloc'd). */
char *mail_compose(const struct mail *m);

/* The pieces, for tests. An RFC 2047 encoded phrase or unstructured header value:
 * plain ASCII printable text stays as it is (quoted as a phrase when it holds
 * specials), anything else becomes UTF-8 B encoded words of whole characters. */
char *mail_header_words(const char *s, int phrase);
/* Quoted-printable (RFC 2045) of UTF-8 text with LF or CRLF line ends, lines under 77. */
char *mail_quoted_printable(const char *s);
/* RFC 5322 date ("Thu, 03 Dec 2026 14:50:00 +0000"). */
void mail_date(int64_t t, char *out, size_t size);

#endif
