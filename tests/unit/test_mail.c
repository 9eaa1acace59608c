/* Email messages: encoded words, quoted-printable, the MIME structure, and the outbox's
 * queue of them. */
#include "t.h"

#include "fixture.h"

#include <stdlib.h>

TEST(mail_header_words)
{
	char *s;

	s = mail_header_words("Booking approved", 0);
	T_EQ_STR(s, "Booking approved");
	free(s);
	/* A display name with specials is quoted, its quotes escaped. */
	s = mail_header_words("Smith, \"Pat\"", 1);
	T_EQ_STR(s, "\"Smith, \\\"Pat\\\"\"");
	free(s);
	/* Non-ASCII becomes UTF-8 B words: "Café" */
	s = mail_header_words("Caf\xc3\xa9", 1);
	T_EQ_STR(s, "=?UTF-8?B?Q2Fmw6k=?=");
	free(s);
	/* Long text folds into several words of whole characters, none over 75. */
	s = mail_header_words("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	                      0);
	T_HAS_STR(s, "?=\r\n =?UTF-8?B?");
	for (char *line = s; line != NULL;) {
		char *end = strstr(line, "\r\n");
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		T_CHECK(n <= 76);
		line = end != NULL ? end + 2 : NULL;
	}
	free(s);
	/* A line break cannot reach a header. */
	s = mail_header_words("Subject\r\nBcc: x@example.org", 0);
	T_CHECK(strchr(s, '\n') == NULL || strstr(s, "\r\n =?") != NULL);
	T_CHECK(strstr(s, "\r\nBcc") == NULL);
	free(s);
}

TEST(mail_quoted_printable)
{
	char *s;
	char long_line[200];

	s = mail_quoted_printable("a=b caf\xc3\xa9 \nend ");
	T_EQ_STR(s, "a=3Db caf=C3=A9=20\r\nend=20\r\n");
	free(s);
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	s = mail_quoted_printable(long_line);
	for (char *line = s; *line;) {
		char *end = strstr(line, "\r\n");

		T_ASSERT(end != NULL);
		T_CHECK(end - line <= 76);
		line = end + 2;
	}
	free(s);
}

TEST(mail_body_text_and_html)
{
	struct mail_body b;

	mail_body_init(&b);
	mail_para(&b, "Your request for %s was approved.", "<Chess & Draughts>");
	mail_fact(&b, "When", "Tuesday 8 December 2026, 7pm to 9pm");
	mail_fact(&b, "Where", "Main hall, Hartley Road");
	mail_quote(&b, "Sam", "See you there.\nBring chairs.");
	mail_link(&b, "See your bookings", "http://h.example/my-bookings?a=1&b=2");
	mail_footer(&b, "You get this because you are a member of the Chess Club.",
	            "http://h.example/account");
	T_HAS_STR(b.text.s, "Your request for <Chess & Draughts> was approved.\n");
	T_HAS_STR(b.text.s, "\nWhen: Tuesday 8 December 2026, 7pm to 9pm\nWhere: Main hall");
	T_HAS_STR(b.text.s, "Sam wrote:\n> See you there.\n> Bring chairs.\n");
	T_HAS_STR(b.text.s, "See your bookings:\nhttp://h.example/my-bookings?a=1&b=2\n");
	T_HAS_STR(b.text.s, "\n-- \nYou get this because");
	T_HAS_STR(b.html.s, "<p>Your request for &lt;Chess &amp; Draughts&gt; was approved.</p>");
	T_HAS_STR(b.html.s, "<th align=\"left\" valign=\"top\">When</th><td>Tuesday");
	T_HAS_STR(b.html.s, "</table>\n<p>Sam wrote:</p>\n<blockquote>See you there.<br>\n");
	T_HAS_STR(b.html.s, "<a href=\"http://h.example/my-bookings?a=1&amp;b=2\">See your");
	mail_body_free(&b);
}

TEST(mail_compose_structure)
{
	struct mail_body b;
	struct mail_calendar cal = {"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n",
	                            "REQUEST"};
	struct mail m = {.from_name = "Hartley rooms",
	                 .from = "rooms@h.example",
	                 .to_name = "Pat O'Neill",
	                 .to = "pat@example.org",
	                 .subject = "Approved: Chess Club, Tuesday 8 December",
	                 .date = 1796151600,
	                 .message_id = "<halls.1.2@h.example>",
	                 .body = &b,
	                 .calendar = &cal};
	char *raw, *again;

	mail_body_init(&b);
	mail_para(&b, "Hello");
	raw = mail_compose(&m);
	T_HAS_STR(raw, "From: Hartley rooms <rooms@h.example>\r\n");
	T_HAS_STR(raw, "To: Pat O'Neill <pat@example.org>\r\n");
	T_HAS_STR(raw, "Date: Tue, 01 Dec 2026 19:00:00 +0000\r\n");
	T_HAS_STR(raw, "Message-ID: <halls.1.2@h.example>\r\n");
	T_HAS_STR(raw, "Content-Type: multipart/mixed; boundary=");
	T_HAS_STR(raw, "Content-Type: multipart/alternative; boundary=");
	T_HAS_STR(raw, "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n");
	T_HAS_STR(raw, "Content-Disposition: attachment; filename=\"invite.ics\"\r\n");
	T_CHECK(strstr(raw, "\n") == strstr(raw, "\r\n") + 1);
	for (char *p = raw; (p = strchr(p, '\n')) != NULL; p++)
		T_ASSERT(p > raw && p[-1] == '\r');
	again = mail_compose(&m);
	T_EQ_STR(raw, again);
	free(again);
	free(raw);
	mail_body_free(&b);
}

static bool count_msg(const struct outbox_msg *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
	return true;
}

static enum herr queue_two(struct txn *t, void *arg)
{
	struct outbox_site site;

	(void)arg;
	T_EQ_ERR(outbox_site_get(t, &site), H_OK, NULL);
	T_EQ_STR(site.url, "http://localhost:8080");
	for (int i = 0; i < 2; i++) {
		struct outbox_msg m;

		outbox_msg_init(&m);
		m.id = outbox_new_id(t);
		m.kind = xstrdup("test");
		m.to = xstrdup("pat@example.org");
		m.subject = xstrdup("Hello");
		m.message_id = outbox_message_id(t, m.id, site.url);
		m.raw = xstrdup("Subject: Hello\r\n\r\nHi\r\n");
		outbox_put(t, &m, T_NOW + i);
		outbox_msg_free(&m);
	}
	outbox_site_free(&site);
	T_CHECK(outbox_once(t, "reminder:1:2", 1));
	T_CHECK(!outbox_once(t, "reminder:1:2", 2));
	return t->ret;
}

static enum herr fail_first(struct txn *t, void *arg)
{
	return outbox_mark_failed(t, 1, "421 try later", *(bool *)arg, T_NOW + 10);
}

static enum herr send_second(struct txn *t, void *arg)
{
	(void)arg;
	return outbox_mark_sent(t, 2, T_NOW + 11);
}

static enum herr retry_first(struct txn *t, void *arg)
{
	(void)arg;
	return outbox_retry(t, 1, T_NOW + 20);
}

static enum herr drop_second(struct txn *t, void *arg)
{
	(void)arg;
	return outbox_drop(t, 2);
}

/* The message due soonest at `now`, or 0. */
static uint64_t due(struct fx *f, int64_t now, int64_t *next)
{
	struct txn t;
	struct outbox_msg m;
	uint64_t id = 0;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	if (outbox_next_due(&t, now, &m, next) == 1)
		id = m.id;
	outbox_msg_free(&m);
	db_read_end(&t);
	return id;
}

TEST(outbox_queue)
{
	struct fx f;
	struct txn t;
	struct outbox_msg m;
	int64_t next = 0;
	bool permanent = false;
	int n = 0;

	T_ASSERT(fx_open(&f));
	T_EQ_ERR(db_write(f.db, queue_two, NULL, &f.err), H_OK, &f.err);
	T_EQ_INT(due(&f, T_NOW - 1, &next), 0);
	T_EQ_INT(next, T_NOW);
	T_EQ_INT(due(&f, T_NOW + 5, NULL), 1);
	/* A failed try waits a minute; the other message comes first meanwhile. */
	T_EQ_ERR(db_write_aside(f.db, fail_first, &permanent, &f.err), H_OK, &f.err);
	T_EQ_INT(due(&f, T_NOW + 11, NULL), 2);
	T_EQ_ERR(db_write_aside(f.db, send_second, NULL, &f.err), H_OK, &f.err);
	T_EQ_INT(due(&f, T_NOW + 11, &next), 0);
	T_EQ_INT(next, T_NOW + 10 + 60);
	T_EQ_INT(due(&f, T_NOW + 70, NULL), 1);
	/* A permanent refusal fails it; retry brings it back, attempts reset. */
	permanent = true;
	T_EQ_ERR(db_write_aside(f.db, fail_first, &permanent, &f.err), H_OK, &f.err);
	T_EQ_INT(due(&f, T_NOW + 100000, NULL), 0);
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(outbox_get(&t, 1, &m), H_OK, t.err);
	T_EQ_INT(m.state, OUTBOX_FAILED);
	T_EQ_INT(m.attempts, 2);
	T_EQ_STR(m.last_error, "421 try later");
	T_HAS_STR(m.message_id, "<halls.");
	outbox_msg_free(&m);
	T_EQ_ERR(outbox_get(&t, 2, &m), H_OK, t.err);
	T_EQ_INT(m.state, OUTBOX_SENT);
	T_EQ_INT(m.sent_at, T_NOW + 11);
	outbox_msg_free(&m);
	T_EQ_ERR(outbox_each(&t, -1, count_msg, &n), H_OK, t.err);
	T_EQ_INT(n, 2);
	db_read_end(&t);
	T_EQ_ERR(db_write_aside(f.db, retry_first, NULL, &f.err), H_OK, &f.err);
	T_EQ_INT(due(&f, T_NOW + 20, NULL), 1);
	/* A sent message stays on record. */
	T_EQ_ERR(db_write_aside(f.db, drop_second, NULL, &f.err), H_ESTATE, &f.err);
	fx_close(&f);
}

TEST(outbox_backoff)
{
	T_EQ_INT(outbox_backoff(1), 60);
	T_EQ_INT(outbox_backoff(2), 120);
	T_EQ_INT(outbox_backoff(5), 960);
	T_EQ_INT(outbox_backoff(40), 6 * 3600);
}
