#include "outbox.h"

#include "record.h"
#include "xmalloc.h"

#include <stdio.h>
#include <string.h>

#define KEY_MSG   'I'
#define KEY_QUEUE 'Q'
#define KEY_ONCE  'K'
#define KEY_SITE  'S'
#define KEY_RAW   'R'

#define BACKOFF_FIRST 60
#define BACKOFF_MAX   (6 * 3600)

static const char *const state_names[] = {
    [OUTBOX_WAITING] = "waiting",
    [OUTBOX_SENT] = "sent",
    [OUTBOX_FAILED] = "failed",
};

void outbox_msg_init(struct outbox_msg *m)
{
	memset(m, 0, sizeof(*m));
}

void outbox_msg_free(struct outbox_msg *m)
{
	free(m->kind);
	free(m->to);
	free(m->subject);
	free(m->message_id);
	free(m->raw);
	free(m->last_error);
	outbox_msg_init(m);
}

const char *outbox_state_name(enum outbox_state s)
{
	return s <= OUTBOX_FAILED ? state_names[s] : "unknown";
}

int outbox_state_parse(const char *s, enum outbox_state *out)
{
	for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum outbox_state)i;
			return 1;
		}
	}
	return 0;
}

static struct key msg_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_MSG);
	key_u64(&k, id);
	return k;
}

static struct key queue_key(int64_t due, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_QUEUE);
	key_i64(&k, due);
	key_u64(&k, id);
	return k;
}

json_t *outbox_msg_to_json(const struct outbox_msg *m)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer((json_int_t)m->id));
	json_object_set_new(o, "kind", json_text(m->kind));
	json_object_set_new(o, "user_id",
	                    m->user_id ? json_integer((json_int_t)m->user_id) : json_null());
	json_object_set_new(o, "to", json_text(m->to));
	json_object_set_new(o, "subject", json_text(m->subject));
	json_object_set_new(o, "message_id", json_text(m->message_id));
	json_object_set_new(o, "state", json_string(outbox_state_name(m->state)));
	json_object_set_new(o, "created_at", json_integer(m->created_at));
	json_object_set_new(o, "due_at",
	                    m->state == OUTBOX_WAITING ? json_integer(m->due_at) : json_null());
	json_object_set_new(o, "sent_at", m->sent_at ? json_integer(m->sent_at) : json_null());
	json_object_set_new(o, "attempts", json_integer(m->attempts));
	json_object_set_new(o, "last_error",
	                    m->last_error ? json_text(m->last_error) : json_null());
	json_object_set_new(o, "about_id",
	                    m->about_id ? json_integer((json_int_t)m->about_id) : json_null());
	return o;
}

static struct key raw_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_RAW);
	key_u64(&k, id);
	return k;
}

static char *dup_str(const json_t *o, const char *key)
{
	return xstrdup_or_null(json_str(o, key));
}

static void msg_from_record(const json_t *o, struct outbox_msg *m)
{
	enum outbox_state st = OUTBOX_FAILED;
	const char *state = json_str(o, "state");

	if (state != NULL)
		outbox_state_parse(state, &st);
	m->id = (uint64_t)json_int(o, "id", 0);
	m->kind = dup_str(o, "kind");
	m->user_id = (uint64_t)json_int(o, "user_id", 0);
	m->to = dup_str(o, "to");
	m->subject = dup_str(o, "subject");
	m->message_id = dup_str(o, "message_id");
	m->state = st;
	m->created_at = json_int(o, "created_at", 0);
	m->due_at = json_int(o, "due_at", 0);
	m->sent_at = json_int(o, "sent_at", 0);
	m->attempts = (uint32_t)json_int(o, "attempts", 0);
	m->last_error = dup_str(o, "last_error");
	m->about_id = (uint64_t)json_int(o, "about_id", 0);
}

/* The record holds what changes as a message is tried (its state, attempts, the
 * relay's words); the bytes, which never change, lie apart under their own key, stored
 * once and never escaped as JSON text. */
static void msg_store(struct txn *t, const struct outbox_msg *m)
{
	struct key k = msg_key(m->id);
	json_t *rec = outbox_msg_to_json(m);

	record_put_key(t, DBI_OUTBOX, &k, rec);
	json_decref(rec);
}

static void raw_load(struct txn *t, struct outbox_msg *m)
{
	struct key k = raw_key(m->id);
	MDB_val v;

	if (txn_get(t, DBI_OUTBOX, &k, &v))
		m->raw = xstrndup(v.mv_data, v.mv_size);
}

enum herr outbox_get(struct txn *t, uint64_t id, struct outbox_msg *out)
{
	struct key k = msg_key(id);
	json_t *rec = NULL;
	enum herr ret;

	outbox_msg_init(out);
	ret = record_get_key(t, DBI_OUTBOX, &k, "message", id, &rec);
	if (ret != H_OK)
		return ret;
	msg_from_record(rec, out);
	json_decref(rec);
	raw_load(t, out);
	return H_OK;
}

/* --- the site's settings --- */

void outbox_site_init(struct outbox_site *s)
{
	memset(s, 0, sizeof(*s));
}

void outbox_site_free(struct outbox_site *s)
{
	free(s->url);
	free(s->from);
	free(s->from_name);
	outbox_site_init(s);
}

static char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *v = o != NULL ? json_str(o, key) : NULL;

	return xstrdup(v != NULL && *v != '\0' ? v : dflt);
}

enum herr outbox_site_get(struct txn *t, struct outbox_site *out)
{
	struct key k = key_tag(KEY_SITE);
	json_t *rec = NULL;
	enum herr ret;

	outbox_site_init(out);
	ret = record_get_key(t, DBI_OUTBOX, &k, "site setting", 0, &rec);
	if (ret != H_OK && ret != H_ENOTFOUND)
		return ret;
	out->url = str_or(rec, "url", "http://localhost:8080");
	out->from = str_or(rec, "from", "halls@localhost");
	out->from_name = str_or(rec, "from_name", "halls");
	json_decref(rec);
	return H_OK;
}

void outbox_site_put(struct txn *t, const struct outbox_site *s)
{
	struct key k = key_tag(KEY_SITE);
	json_t *rec = json_object();

	json_object_set_new(rec, "url", json_text(s->url));
	json_object_set_new(rec, "from", json_text(s->from));
	json_object_set_new(rec, "from_name", json_text(s->from_name));
	record_put_key(t, DBI_OUTBOX, &k, rec);
	json_decref(rec);
}

bool outbox_address_ok(const char *addr)
{
	const char *at = addr != NULL ? strchr(addr, '@') : NULL;
	size_t n = addr != NULL ? strlen(addr) : 0;

	/* One @ between a local part and a domain ("halls@localhost" will do: a relay on
	 * this host delivers it). */
	if (at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@') != NULL || n > 254)
		return false;
	for (const char *p = addr; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>\"\\()[],;:", *p) != NULL)
			return false;
	return text_check(addr, "address", 254, true, false, NULL) == H_OK;
}

static bool site_url_ok(const char *url)
{
	const char *host;
	size_t n;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return false;
	n = strlen(url);
	if (*host == '\0' || *host == '/' || *host == ':' || url[n - 1] == '/')
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '\'' ||
		    *p == '<' || *p == '>' || *p == '\\' || *p == '#' || *p == '?')
			return false;
	return true;
}

enum herr outbox_site_check(const struct outbox_site *s, struct herror *err)
{
	enum herr ret;

	if (s->url == NULL || strlen(s->url) > 200 || !site_url_ok(s->url))
		return herror_set(err, H_EINVAL,
		                  "the site url must be http:// or https:// and a host, such as "
		                  "https://rooms.example.org, with no trailing slash");
	if (!outbox_address_ok(s->from))
		return herror_set(err, H_EINVAL,
		                  "the from address must be an address such as rooms@example.org");
	ret = text_check(s->from_name, "the from name", OUTBOX_FROM_NAME_MAX, true, false, err);
	return ret;
}

/* --- queueing --- */

uint64_t outbox_new_id(struct txn *t)
{
	return txn_next_id(t, "message");
}

/* The host of a URL ("https://h.example:8443/x" -> "h.example"), or "localhost". */
static void url_host(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://");
	size_t n = 0;

	p = p != NULL ? p + 3 : url;
	while (p[n] != '\0' && p[n] != '/' && p[n] != ':' && p[n] != '@' && n + 1 < size)
		n++;
	if (n == 0) {
		snprintf(out, size, "localhost");
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

char *outbox_message_id(struct txn *t, uint64_t id, const char *site_url)
{
	char host[256], buf[400];

	url_host(site_url, host, sizeof(host));
	snprintf(buf, sizeof(buf), "<halls.%016llx.%llu@%s>", (unsigned long long)txn_instance(t),
	         (unsigned long long)id, host);
	return xstrdup(buf);
}

void outbox_put(struct txn *t, struct outbox_msg *m, int64_t now)
{
	struct key q, r;

	m->state = OUTBOX_WAITING;
	m->created_at = now;
	m->due_at = now;
	m->attempts = 0;
	msg_store(t, m);
	r = raw_key(m->id);
	txn_put(t, DBI_OUTBOX, &r, m->raw != NULL ? m->raw : "",
	        m->raw != NULL ? strlen(m->raw) : 0);
	q = queue_key(m->due_at, m->id);
	txn_put(t, DBI_OUTBOX, &q, "", 0);
}

static struct key once_key(const char *key)
{
	struct key k = key_tag(KEY_ONCE);
	size_t n = strlen(key);

	if (n > KEY_MAX - k.len)
		n = KEY_MAX - k.len;
	memcpy(k.b + k.len, key, n);
	k.len += n;
	return k;
}

bool outbox_once_done(struct txn *t, const char *key)
{
	struct key k = once_key(key);
	MDB_val val;

	return txn_get(t, DBI_OUTBOX, &k, &val) != 0;
}

bool outbox_once(struct txn *t, const char *key, uint64_t id)
{
	struct key k = once_key(key);
	uint8_t v[8];
	MDB_val val;

	if (txn_get(t, DBI_OUTBOX, &k, &val) || t->ret != H_OK)
		return false;
	key_put_u64(v, id);
	txn_put(t, DBI_OUTBOX, &k, v, sizeof(v));
	return t->ret == H_OK;
}

/* --- delivery --- */

uint64_t outbox_waiting_count(struct txn *t)
{
	struct key prefix = key_tag(KEY_QUEUE);
	struct scan sc;
	uint64_t n = 0;

	scan_begin(&sc, t, DBI_OUTBOX, &prefix, NULL);
	while (scan_next(&sc))
		n++;
	scan_end(&sc);
	return n;
}

int outbox_next_due(struct txn *t, int64_t now, struct outbox_msg *out, int64_t *next_due)
{
	struct key prefix = key_tag(KEY_QUEUE);
	struct scan sc;
	int64_t due = 0;
	uint64_t id = 0;

	outbox_msg_init(out);
	if (next_due != NULL)
		*next_due = 0;
	scan_begin(&sc, t, DBI_OUTBOX, &prefix, NULL);
	if (scan_next(&sc) && sc.k.mv_size == 17) {
		due = key_get_i64((const uint8_t *)sc.k.mv_data + 1);
		id = key_get_u64((const uint8_t *)sc.k.mv_data + 9);
	}
	scan_end(&sc);
	if (id == 0)
		return 0;
	if (due > now) {
		if (next_due != NULL)
			*next_due = due;
		return 0;
	}
	return outbox_get(t, id, out) == H_OK;
}

int64_t outbox_backoff(uint32_t attempts)
{
	int64_t wait = BACKOFF_FIRST;

	for (uint32_t i = 1; i < attempts && wait < BACKOFF_MAX; i++)
		wait *= 2;
	return wait < BACKOFF_MAX ? wait : BACKOFF_MAX;
}

static void unqueue(struct txn *t, const struct outbox_msg *m)
{
	struct key q = queue_key(m->due_at, m->id);

	if (m->state == OUTBOX_WAITING)
		txn_del(t, DBI_OUTBOX, &q);
}

static void requeue(struct txn *t, struct outbox_msg *m, int64_t due)
{
	struct key q;

	m->state = OUTBOX_WAITING;
	m->due_at = due;
	q = queue_key(due, m->id);
	txn_put(t, DBI_OUTBOX, &q, "", 0);
}

enum herr outbox_mark_sent(struct txn *t, uint64_t id, int64_t now)
{
	struct outbox_msg m;
	enum herr ret = outbox_get(t, id, &m);

	if (ret != H_OK)
		return ret; /* "there is no message ID" is not sticky on t */
	unqueue(t, &m);
	m.state = OUTBOX_SENT;
	m.sent_at = now;
	msg_store(t, &m);
	outbox_msg_free(&m);
	return t->ret;
}

enum herr outbox_mark_failed(struct txn *t, uint64_t id, const char *error, bool permanent,
                             int64_t now)
{
	struct outbox_msg m;
	enum herr ret = outbox_get(t, id, &m);

	if (ret != H_OK)
		return ret; /* "there is no message ID" is not sticky on t */
	if (m.state != OUTBOX_WAITING) {
		outbox_msg_free(&m);
		return t->ret;
	}
	unqueue(t, &m);
	m.attempts++;
	free(m.last_error);
	m.last_error = xstrdup(error != NULL ? error : "unknown failure");
	if (permanent || m.attempts >= OUTBOX_MAX_ATTEMPTS)
		m.state = OUTBOX_FAILED;
	else
		requeue(t, &m, now + outbox_backoff(m.attempts));
	msg_store(t, &m);
	outbox_msg_free(&m);
	return t->ret;
}

enum herr outbox_retry(struct txn *t, uint64_t id, int64_t now)
{
	struct outbox_msg m;
	enum herr ret = outbox_get(t, id, &m);

	if (ret != H_OK)
		return ret; /* "there is no message ID" is not sticky on t */
	if (m.state == OUTBOX_SENT) {
		outbox_msg_free(&m);
		return txn_refuse(t, H_ESTATE, "message %llu was sent already",
		                  (unsigned long long)id);
	}
	unqueue(t, &m);
	if (m.state == OUTBOX_FAILED)
		m.attempts = 0;
	requeue(t, &m, now);
	msg_store(t, &m);
	outbox_msg_free(&m);
	return t->ret;
}

enum herr outbox_drop(struct txn *t, uint64_t id)
{
	struct outbox_msg m;
	struct key k = msg_key(id), r = raw_key(id);
	enum herr ret = outbox_get(t, id, &m);

	if (ret != H_OK)
		return ret; /* "there is no message ID" is not sticky on t */
	if (m.state == OUTBOX_SENT) {
		outbox_msg_free(&m);
		return txn_refuse(t, H_ESTATE,
		                  "message %llu was sent already; a sent message stays on record",
		                  (unsigned long long)id);
	}
	unqueue(t, &m);
	txn_del(t, DBI_OUTBOX, &k);
	txn_del(t, DBI_OUTBOX, &r);
	outbox_msg_free(&m);
	return t->ret;
}

enum herr outbox_each(struct txn *t, int state, bool (*fn)(const struct outbox_msg *m, void *arg),
                      void *arg)
{
	struct key prefix = key_tag(KEY_MSG);
	struct scan sc;
	bool more = true;

	scan_begin(&sc, t, DBI_OUTBOX, &prefix, NULL);
	while (more && scan_next(&sc)) {
		struct outbox_msg m;
		json_t *rec = NULL;
		struct key k;

		if (sc.k.mv_size != 9)
			continue;
		memcpy(k.b, sc.k.mv_data, 9);
		k.len = 9;
		if (record_get_key(t, DBI_OUTBOX, &k, "message",
		                   key_get_u64((const uint8_t *)sc.k.mv_data + 1), &rec) != H_OK)
			break;
		outbox_msg_init(&m);
		msg_from_record(rec, &m);
		json_decref(rec);
		raw_load(t, &m);
		if (state < 0 || (int)m.state == state)
			more = fn(&m, arg);
		outbox_msg_free(&m);
	}
	scan_end(&sc);
	return t->ret;
}
