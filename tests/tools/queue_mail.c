/* test-queue-mail DATA TO SUBJECT: queues one message in DATA's outbox as the core's
 * flows do (outbox_site, outbox_message_id, mail_compose, outbox_put in one write), and
 * prints its id. For the outbox and delivery tests alone; never installed, never a
 * hallsd route. HALLS_NOW (UTC seconds) pins the clock, as for halls. */
#include "halls.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct queue_mail {
	const char *to, *subject;
	int64_t now;
	uint64_t id;
};

static void queue_mail_body(struct mail_body *b, const struct queue_mail *q, const char *url)
{
	char *link = xasprintf("%s/my-bookings", url);
	char *choices = xasprintf("%s/account#notifications", url);

	mail_para(b, "This is a test message for %s.", q->to);
	mail_fact(b, "Subject", q->subject);
	mail_link(b, "See your bookings", link);
	mail_footer(b, "You get this because a test asked for it.", choices);
	free(link);
	free(choices);
}

static enum herr queue_mail_run(struct txn *t, void *arg)
{
	struct queue_mail *q = arg;
	struct outbox_site site;
	struct outbox_msg m;
	struct mail_body body;
	struct mail mail = {0};

	if (outbox_site_get(t, &site) != H_OK)
		return t->ret;
	outbox_msg_init(&m);
	mail_body_init(&body);
	m.id = outbox_new_id(t);
	m.kind = xstrdup("test");
	m.to = xstrdup(q->to);
	m.subject = xstrdup(q->subject);
	m.message_id = outbox_message_id(t, m.id, site.url);
	queue_mail_body(&body, q, site.url);
	mail.from_name = site.from_name;
	mail.from = site.from;
	mail.to = q->to;
	mail.subject = q->subject;
	mail.date = q->now;
	mail.message_id = m.message_id;
	mail.body = &body;
	m.raw = mail_compose(&mail);
	outbox_put(t, &m, q->now);
	q->id = m.id;
	mail_body_free(&body);
	outbox_msg_free(&m);
	outbox_site_free(&site);
	return t->ret;
}

int main(int argc, char **argv)
{
	struct queue_mail q = {0};
	const char *env = getenv("HALLS_NOW");
	struct herror err;
	struct db *db = NULL;
	int rc = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: test-queue-mail DATA TO SUBJECT\n");
		return 2;
	}
	q.to = argv[2];
	q.subject = argv[3];
	q.now = env != NULL && *env != '\0' ? (int64_t)strtoll(env, NULL, 10) : (int64_t)time(NULL);
	herror_clear(&err);
	if (db_open(&db, argv[1], false, NULL, &err) != H_OK ||
	    db_write(db, queue_mail_run, &q, &err) != H_OK) {
		fprintf(stderr, "test-queue-mail: %s\n", err.msg);
		rc = 1;
	} else {
		printf("%llu\n", (unsigned long long)q.id);
	}
	db_close(db);
	return rc;
}
