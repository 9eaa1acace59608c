/* The delivery thread (deliver.h): the outbox, sent through SMTP with libcurl.
 *
 * The thread owns everything here but the few fields under lock, which deliver_nudge
 * and deliver_stop touch from the loop. It sleeps until the next message is due, for
 * DELIVER_POLL_S at most (to see what `halls` queued: the CLI cannot wake it), and
 * wakes at once when a commit of the loop may have queued messages (deliver_nudge). */
#include "deliver.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DELIVER_POLL_S       5   /* the longest sleep: how soon `halls` writes are seen */
#define DELIVER_SWEEP_S      60  /* between notify_sweep runs (reminders, digests) */
#define DELIVER_CONNECT_S    10  /* the longest wait for the relay to answer a connection */
#define DELIVER_STOP_GRACE_S 5   /* a send in progress at stop gets this long to finish */
#define DELIVER_WORDS_MAX    300 /* bytes of the relay's words kept with a failure */
#define DELIVER_AUTH_MAX     1024

struct deliver {
	struct db *db;
	struct deliver_config cfg;
	char *user, *password; /* from cfg.auth_file; NULL: no AUTH */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* on CLOCK_MONOTONIC */
	bool stop;           /* under lock */
	bool nudged;         /* under lock: a commit since the thread last looked */
	/* When deliver_stop was called (monotonic seconds), 0 before: read by curl's
	 * progress callback, which abandons a send DELIVER_STOP_GRACE_S after it. */
	atomic_llong stop_at;
	/* What became of each try, for /metrics: counted here, read by the loop. */
	atomic_ullong sent, failed, refused;
	CURL *curl;     /* the thread's: one handle, so that a connection is reused */
	int lock_fd;    /* DATA/deliver.lock, -1 until opened */
	bool lock_held; /* this process sends (flock) */
	bool lock_said; /* "another hallsd sends" was said */
};

/* One SMTP exchange: the message's bytes and what the relay said. */
struct deliver_send {
	const char *raw;
	size_t len, pos;
	/* From curl's debug callback: the relay's last line and the command it answered. */
	char last_line[DELIVER_WORDS_MAX];
	int last_code;
	char stage[16]; /* "MAIL FROM", "RCPT TO", "DATA", "the message" (its end), ... */
	bool body_sent; /* the DATA bytes went out: the next answer is the message's */
	bool quitting;  /* QUIT went out: what follows is no answer to the message */
	char errbuf[CURL_ERROR_SIZE];
	struct deliver *d;
};

static int64_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static int64_t deliver_clock(const struct deliver *d)
{
	return d->cfg.fixed_now ? d->cfg.fixed_now : (int64_t)time(NULL);
}

static bool deliver_stopping(struct deliver *d)
{
	bool stop;

	pthread_mutex_lock(&d->lock);
	stop = d->stop;
	pthread_mutex_unlock(&d->lock);
	return stop;
}

/* --- the relay's words --- */

/* Printable ASCII of s (n bytes) into out, other bytes as '?', line ends dropped: the
 * relay's words go into the store, a listing and a log line. */
static void words_copy(char *out, size_t size, const char *s, size_t n)
{
	size_t o = 0;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++)
		out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[o] = '\0';
}

/* The command a line the client sent begins: what the next answer answers. */
static void stage_of(char *stage, size_t size, const char *line, size_t n)
{
	static const char *const commands[] = {"MAIL FROM", "RCPT TO", "DATA",    "EHLO",
	                                       "HELO",      "AUTH",    "STARTTLS"};

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t m = strlen(commands[i]);

		if (n >= m && strncasecmp(line, commands[i], m) == 0) {
			snprintf(stage, size, "%s", commands[i]);
			return;
		}
	}
	snprintf(stage, size, "%s", "AUTH"); /* a continuation of AUTH (the credentials) */
}

/* curl's debug callback (CURLOPT_VERBOSE): keeps the relay's last answer, and what it
 * answered, and nothing of what the client sent (which would include AUTH's secret). */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t n, void *arg)
{
	struct deliver_send *s = arg;

	(void)h;
	/* After QUIT (curl's goodbye, even after a refusal) the answer that mattered is in. */
	if (s->quitting)
		return 0;
	if (type == CURLINFO_HEADER_OUT && n >= 4 && strncasecmp(data, "QUIT", 4) == 0) {
		s->quitting = true;
	} else if (type == CURLINFO_HEADER_OUT) {
		stage_of(s->stage, sizeof(s->stage), data, n);
		s->body_sent = false;
	} else if (type == CURLINFO_DATA_OUT) {
		s->body_sent = true;
	} else if (type == CURLINFO_HEADER_IN && n >= 3) {
		words_copy(s->last_line, sizeof(s->last_line), data, n);
		s->last_code = 0;
		for (size_t i = 0; i < 3 && data[i] >= '0' && data[i] <= '9'; i++)
			s->last_code = s->last_code * 10 + (data[i] - '0');
		if (s->last_code < 100)
			s->last_code = 0;
		if (s->body_sent)
			snprintf(s->stage, sizeof(s->stage), "%s", "the message");
	}
	return 0;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct deliver_send *s = arg;
	size_t n = size * nitems;

	if (n > s->len - s->pos)
		n = s->len - s->pos;
	memcpy(buf, s->raw + s->pos, n);
	s->pos += n;
	return n;
}

/* Abandons a send once stopping has waited DELIVER_STOP_GRACE_S for it. */
static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t e)
{
	struct deliver_send *s = arg;
	long long stop_at = atomic_load(&s->d->stop_at);

	(void)a;
	(void)b;
	(void)c;
	(void)e;
	return stop_at != 0 && mono_now() - stop_at >= DELIVER_STOP_GRACE_S;
}

/* --- one message --- */

struct deliver_outcome {
	bool sent;
	bool permanent;
	char words[DELIVER_WORDS_MAX + 64];
};

/* "<addr>" for the envelope (caller frees). */
static char *envelope(const char *addr)
{
	return xasprintf("<%s>", addr);
}

static void deliver_options(struct deliver *d, struct deliver_send *s, const char *from,
                            struct curl_slist *rcpt)
{
	CURL *h = d->curl;
	long connect = d->cfg.timeout_s < DELIVER_CONNECT_S ? d->cfg.timeout_s : DELIVER_CONNECT_S;
	static const curl_usessl use_ssl[] = {
	    [DELIVER_TLS_NONE] = CURLUSESSL_NONE,
	    [DELIVER_TLS_TRY] = CURLUSESSL_TRY,
	    [DELIVER_TLS_REQUIRED] = CURLUSESSL_ALL,
	};

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, d->cfg.smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)use_ssl[d->cfg.tls]);
	if (d->cfg.ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, d->cfg.ca_file);
	if (d->user != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, d->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, d->password);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, d->cfg.timeout_s);
	/* A connection idle this long may have been closed by the relay: open a new one. */
	curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, 30L);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)s->len);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
}

/* What the relay's answer means for the message. A 5xx to the recipient or to the
 * message itself is for good; a 5xx before them (to the greeting, EHLO, STARTTLS, AUTH or
 * MAIL FROM) is about the relay's settings or ours, which an operator can mend, so the
 * message waits and is tried again, as after a 4xx or a connection that failed. */
static void deliver_judge(const struct deliver_send *s, CURLcode rc, struct deliver_outcome *o)
{
	bool about_message = strcmp(s->stage, "RCPT TO") == 0 || strcmp(s->stage, "DATA") == 0 ||
	                     strcmp(s->stage, "the message") == 0;

	o->sent = rc == CURLE_OK;
	o->permanent = false;
	if (o->sent)
		return;
	if (s->last_code >= 400 && s->last_code < 600) {
		o->permanent = s->last_code >= 500 && about_message && rc != CURLE_LOGIN_DENIED;
		snprintf(o->words, sizeof(o->words), "%s (the answer to %s)", s->last_line,
		         s->stage);
		return;
	}
	snprintf(o->words, sizeof(o->words), "%s%s%s", curl_easy_strerror(rc),
	         s->errbuf[0] ? ": " : "", s->errbuf);
	words_copy(o->words, sizeof(o->words), o->words, strlen(o->words));
}

/* Hands raw to the relay, from and to as the envelope. */
static void deliver_smtp(struct deliver *d, const char *from, const char *to, const char *raw,
                         struct deliver_outcome *o)
{
	struct deliver_send s;
	struct curl_slist *rcpt;
	char *env_from = envelope(from), *env_to = envelope(to);
	CURLcode rc;

	memset(&s, 0, sizeof(s));
	s.raw = raw;
	s.len = strlen(raw);
	s.d = d;
	snprintf(s.stage, sizeof(s.stage), "%s", "connect");
	rcpt = curl_slist_append(NULL, env_to);
	if (rcpt == NULL)
		fatal("out of memory");
	deliver_options(d, &s, env_from, rcpt);
	rc = curl_easy_perform(d->curl);
	deliver_judge(&s, rc, o);
	curl_slist_free_all(rcpt);
	free(env_from);
	free(env_to);
}

/* The message due soonest (1), none due (0, *next_due when one waits), or a fault
 * (-1, said). from receives the site's address. */
static int deliver_take(struct deliver *d, int64_t now, struct outbox_msg *m, char **from,
                        int64_t *next_due)
{
	struct outbox_site site;
	struct herror err;
	struct txn t;
	int got;

	herror_clear(&err);
	*from = NULL;
	if (db_read_begin(d->db, &t, &err) != H_OK) {
		fprintf(stderr, "hallsd: mail: %s\n", err.msg);
		return -1;
	}
	got = outbox_next_due(&t, now, m, next_due);
	if (got == 1 && outbox_site_get(&t, &site) == H_OK) {
		*from = site.from;
		site.from = NULL;
		outbox_site_free(&site);
	}
	if (t.ret != H_OK || (got == 1 && *from == NULL)) {
		fprintf(stderr, "hallsd: mail: %s\n",
		        err.msg[0] ? err.msg : "cannot read the outbox");
		got = -1;
	}
	db_read_end(&t);
	return got;
}

struct deliver_record {
	uint64_t id;
	int64_t now;
	const struct deliver_outcome *o;
};

static enum herr deliver_record_run(struct txn *t, void *arg)
{
	struct deliver_record *r = arg;
	enum herr ret;

	if (r->o->sent)
		ret = outbox_mark_sent(t, r->id, r->now);
	else
		ret = outbox_mark_failed(t, r->id, r->o->words, r->o->permanent, r->now);
	/* Dropped by `halls outbox drop` while it was being sent: nothing to record. */
	return ret == H_ENOTFOUND ? H_OK : ret;
}

/* Writes what became of message id; false when the store refused (said). */
static bool deliver_record(struct deliver *d, uint64_t id, int64_t now,
                           const struct deliver_outcome *o)
{
	struct deliver_record r = {id, now, o};
	struct herror err;

	herror_clear(&err);
	if (db_write_aside(d->db, deliver_record_run, &r, &err) == H_OK)
		return true;
	fprintf(stderr, "hallsd: mail %llu: cannot record that it was %s: %s\n",
	        (unsigned long long)id, o->sent ? "sent" : "refused", err.msg);
	return false;
}

static void deliver_say(const struct outbox_msg *m, const struct deliver_outcome *o)
{
	if (o->sent)
		fprintf(stderr, "hallsd: mail %llu (%s) sent\n", (unsigned long long)m->id,
		        m->kind);
	else if (o->permanent)
		fprintf(stderr, "hallsd: mail %llu (%s) refused for good: %s\n",
		        (unsigned long long)m->id, m->kind, o->words);
	else
		fprintf(stderr, "hallsd: mail %llu (%s) not sent, tried again later: %s\n",
		        (unsigned long long)m->id, m->kind, o->words);
}

/* Sends the message due soonest: 1 when it was sent or refused for good and recorded,
 * so the next may go at once; 0 when none is due (*next_due: when the next one is, or
 * 0); -1 when the relay could not take it or the store failed: wait before the next, so
 * that a relay that is down is not called again and again. */
static int deliver_one(struct deliver *d, int64_t *next_due)
{
	int64_t now = deliver_clock(d);
	struct deliver_outcome o;
	struct outbox_msg m;
	char *from = NULL;
	int got;

	memset(&o, 0, sizeof(o));
	got = deliver_take(d, now, &m, &from, next_due);
	if (got != 1) {
		outbox_msg_free(&m);
		return got;
	}
	if (!outbox_address_ok(m.to) || m.raw == NULL) {
		o.permanent = true;
		snprintf(o.words, sizeof(o.words), "%s",
		         "halls cannot send to this address: it is not one an SMTP envelope can "
		         "carry");
	} else {
		deliver_smtp(d, from, m.to, m.raw, &o);
	}
	deliver_say(&m, &o);
	atomic_fetch_add_explicit(o.sent        ? &d->sent
	                          : o.permanent ? &d->refused
	                                        : &d->failed,
	                          1, memory_order_relaxed);
	got = deliver_record(d, m.id, deliver_clock(d), &o) && (o.sent || o.permanent) ? 1 : -1;
	outbox_msg_free(&m);
	free(from);
	return got;
}

/* --- among several processes, one sends --- */

static bool deliver_hold_lock(struct deliver *d)
{
	if (d->lock_held)
		return true;
	if (d->lock_fd < 0) {
		char *path = xasprintf("%s/deliver.lock", db_path(d->db));

		d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
		if (d->lock_fd < 0 && !d->lock_said)
			fprintf(stderr, "hallsd: mail: cannot open %s: %s; nothing is sent\n", path,
			        strerror(errno));
		free(path);
		if (d->lock_fd < 0) {
			d->lock_said = true;
			return false;
		}
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		d->lock_held = true;
		if (d->lock_said)
			fprintf(stderr, "hallsd: mail: this hallsd sends the outbox now\n");
		return true;
	}
	if (!d->lock_said)
		fprintf(stderr, "hallsd: mail: another hallsd on this data directory sends the "
		                "outbox; this one takes over if it stops\n");
	d->lock_said = true;
	return false;
}

/* --- reminders and digests --- */

static enum herr deliver_sweep_run(struct txn *t, void *arg)
{
	return notify_sweep(t, *(const int64_t *)arg);
}

/* Queues the reminders and digests due by now. Every process may: outbox_once makes
 * each message once, whoever runs it. A failure is said, and tried at the next sweep. */
static void deliver_sweep(struct deliver *d)
{
	int64_t now = deliver_clock(d);
	struct herror err;

	herror_clear(&err);
	if (db_write_aside(d->db, deliver_sweep_run, &now, &err) != H_OK)
		fprintf(stderr, "hallsd: reminders and digests: %s\n", err.msg);
}

/* --- the thread --- */

/* Sleeps up to seconds, or until nudged or stopped. */
static void deliver_wait(struct deliver *d, int64_t seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)seconds;
	pthread_mutex_lock(&d->lock);
	while (!d->stop && !d->nudged)
		if (pthread_cond_timedwait(&d->wake, &d->lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&d->lock);
}

/* How long to sleep when nothing is due now. */
static int64_t deliver_pause(const struct deliver *d, int64_t next_due)
{
	int64_t wait = next_due ? next_due - deliver_clock(d) : DELIVER_POLL_S;

	if (wait < 1)
		wait = 1;
	return wait < DELIVER_POLL_S ? wait : DELIVER_POLL_S;
}

static void *deliver_main(void *arg)
{
	struct deliver *d = arg;
	int64_t next_sweep = 0; /* monotonic: at start, then every DELIVER_SWEEP_S */

	while (!deliver_stopping(d)) {
		int64_t next_due = 0, wait = DELIVER_POLL_S;

		pthread_mutex_lock(&d->lock);
		d->nudged = false;
		pthread_mutex_unlock(&d->lock);
		if (mono_now() >= next_sweep) {
			deliver_sweep(d);
			next_sweep = mono_now() + DELIVER_SWEEP_S;
		}
		if (d->cfg.smtp_url != NULL && deliver_hold_lock(d)) {
			int got = deliver_one(d, &next_due);

			if (got == 1)
				continue; /* the next one at once */
			if (got == 0)
				wait = deliver_pause(d, next_due);
		}
		deliver_wait(d, wait);
	}
	return NULL;
}

/* --- start and stop --- */

/* "USER:PASSWORD" from the first line of path; 0, or -1 having said why. */
static int deliver_read_auth(struct deliver *d, const char *path)
{
	char buf[DELIVER_AUTH_MAX + 2], *colon;
	struct stat st;
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "hallsd: --smtp-auth-file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0007) != 0)
		fprintf(stderr,
		        "hallsd: --smtp-auth-file %s can be read by anyone on this machine "
		        "(chmod o-rwx it)\n",
		        path);
	n = fgets(buf, sizeof(buf), f) != NULL ? strlen(buf) : 0;
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	colon = strchr(buf, ':');
	if (n == 0 || n > DELIVER_AUTH_MAX || colon == NULL || colon == buf) {
		fprintf(stderr,
		        "hallsd: --smtp-auth-file %s must hold USER:PASSWORD on its first "
		        "line\n",
		        path);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	d->user = xstrndup(buf, (size_t)(colon - buf));
	d->password = xstrdup(colon + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* smtp:// or smtps://, a host, no credentials (they would show in `ps`), nothing a
 * terminal or curl would take for something else. */
static int deliver_check_url(const char *url)
{
	const char *host = strncmp(url, "smtp://", 7) == 0    ? url + 7
	                   : strncmp(url, "smtps://", 8) == 0 ? url + 8
	                                                      : NULL;
	size_t hostlen;

	if (host == NULL || *host == '\0' || *host == '/' || *host == ':') {
		fprintf(stderr,
		        "hallsd: --smtp must be smtp://HOST[:PORT] or smtps://HOST[:PORT], "
		        "not \"%s\"\n",
		        url);
		return -1;
	}
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
			fprintf(stderr,
			        "hallsd: --smtp must not contain spaces or control characters\n");
			return -1;
		}
	hostlen = strcspn(host, "/");
	if (memchr(host, '@', hostlen) != NULL) {
		fprintf(stderr,
		        "hallsd: --smtp must not carry a user or password (they would show in "
		        "`ps`); put USER:PASSWORD in a file named by --smtp-auth-file\n");
		return -1;
	}
	return 0;
}

static void deliver_free(struct deliver *d)
{
	if (d->password != NULL)
		explicit_bzero(d->password, strlen(d->password));
	free(d->user);
	free(d->password);
	if (d->curl != NULL)
		curl_easy_cleanup(d->curl);
	if (d->lock_fd >= 0)
		close(d->lock_fd); /* releases the flock */
	free(d);
}

static void deliver_sync_init(struct deliver *d)
{
	pthread_condattr_t attr;

	if (pthread_mutex_init(&d->lock, NULL) != 0 || pthread_condattr_init(&attr) != 0 ||
	    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&d->wake, &attr) != 0)
		fatal("cannot create the delivery thread's lock");
	pthread_condattr_destroy(&attr);
}

struct deliver *deliver_start(struct db *db, const struct deliver_config *cfg)
{
	struct deliver *d = xcalloc(1, sizeof(*d));
	sigset_t all, old;

	d->db = db;
	d->cfg = *cfg;
	d->lock_fd = -1;
	atomic_init(&d->stop_at, 0);
	atomic_init(&d->sent, 0);
	atomic_init(&d->failed, 0);
	atomic_init(&d->refused, 0);
	if (cfg->smtp_url != NULL &&
	    (deliver_check_url(cfg->smtp_url) != 0 ||
	     (cfg->auth_file != NULL && deliver_read_auth(d, cfg->auth_file) != 0))) {
		deliver_free(d);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (d->curl = curl_easy_init()) == NULL)
		fatal("cannot start libcurl");
	deliver_sync_init(d);
	/* Signals are the loop's (libevent's handlers): the thread never takes one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&d->thread, NULL, deliver_main, d) != 0)
		fatal("cannot start the delivery thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

void deliver_nudge(struct deliver *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->nudged = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void deliver_counts(struct deliver *d, struct deliver_counts *out)
{
	out->sent = d ? atomic_load_explicit(&d->sent, memory_order_relaxed) : 0;
	out->failed = d ? atomic_load_explicit(&d->failed, memory_order_relaxed) : 0;
	out->refused = d ? atomic_load_explicit(&d->refused, memory_order_relaxed) : 0;
}

void deliver_stop(struct deliver *d)
{
	if (d == NULL)
		return;
	atomic_store(&d->stop_at, (long long)mono_now());
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	deliver_free(d);
	curl_global_cleanup();
}

/* --- the site's settings --- */

struct deliver_site {
	const char *url, *from, *from_name; /* NULL: keep */
	bool changed;
};

static void site_take(char **field, const char *value, bool *changed)
{
	if (value == NULL || strcmp(*field, value) == 0)
		return;
	free(*field);
	*field = xstrdup(value);
	*changed = true;
}

static enum herr deliver_site_run(struct txn *t, void *arg)
{
	struct deliver_site *s = arg;
	struct outbox_site site;
	enum herr ret;

	s->changed = false;
	if ((ret = outbox_site_get(t, &site)) != H_OK)
		return ret;
	site_take(&site.url, s->url, &s->changed);
	site_take(&site.from, s->from, &s->changed);
	site_take(&site.from_name, s->from_name, &s->changed);
	ret = outbox_site_check(&site, t->err);
	if (ret == H_OK && s->changed)
		outbox_site_put(t, &site);
	outbox_site_free(&site);
	/* Unchanged: abort rather than commit, so that a start costs no fsync. */
	return ret == H_OK && !s->changed ? H_ENOTFOUND : ret;
}

int deliver_site_update(struct db *db, const char *url, const char *from, const char *from_name)
{
	struct deliver_site s = {NULL, from, from_name, false};
	char *trimmed = NULL;
	struct herror err;
	enum herr ret;

	if (url != NULL) {
		size_t n = strlen(url);

		/* "https://rooms.example.org/" means the same site: links add their own slash. */
		trimmed = xstrndup(url, n > 0 && url[n - 1] == '/' ? n - 1 : n);
		s.url = trimmed;
	}
	herror_clear(&err);
	ret = db_write_aside(db, deliver_site_run, &s, &err);
	free(trimmed);
	if (ret == H_OK || ret == H_ENOTFOUND)
		return 0;
	fprintf(stderr, "hallsd: %s\n", err.msg);
	return -1;
}
