/* The iCalendar feeds, for calendar apps to subscribe to.
 *
 *   GET /feeds/all.ics                every venue's public bookings
 *   GET /feeds/venues/<id>.ics        one venue's
 *   GET /feeds/rooms/<id>.ics         one room's
 *   GET /feeds/rooms/<id>/busy.ics    one room's busy times, and nothing else
 *   GET /feeds/private/<token>.ics    a group's or a manager's, opened by a feed token
 *
 * What a feed shows is the core's (feed.c); this file is about HTTP. Apps poll feeds far
 * more often than anything changes, so each reply carries a strong ETag (the SHA-256 of
 * the bytes) and Last-Modified, conditional requests get a bare 304, and the bytes of
 * recent feeds are kept in a small cache in struct server. A cached feed is reused only
 * while the store's change counter (bumped by every write, from hallsd or halls) is what
 * it was when the feed was built, and for at most FEED_CACHE_TTL seconds, because a feed
 * also changes with the clock (cancelled bookings drop out after a while). Reading the
 * counter takes a read transaction; a public feed first asks LMDB, without one, whether
 * any write was committed since the counter was last read, and when none was, the
 * cached bytes are served as they are (the path of most polls, and of every 304). A private
 * feed's token is checked on every request, cached bytes or not, so that revoking it
 * closes the feed at once. */
#include "server.h"

#include "feed.h"
#include "web.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#define FEED_CACHE_MAX 64
#define FEED_CACHE_TTL 60 /* seconds */
#define FEED_TYPE      "text/calendar; charset=utf-8"
#define FEED_ETAG_SIZE (2 * SHA256_DIGEST_LENGTH + 3) /* quotes and NUL */

/* One built feed. Shared by the cache and by each reply still being sent, and freed when
 * the last of them lets go, so that eviction never pulls bytes from under a reply. */
struct feed_entry {
	unsigned refs;
	enum feed_kind kind; /* the key: kind and id */
	uint64_t id;
	uint64_t change;  /* the store's change counter the bytes were built at */
	uint64_t txn;     /* the store's last write when change was last seen to hold */
	int64_t built_at; /* UTC seconds */
	int64_t last_modified;
	uint64_t used; /* the cache's clock when last served: the least recent goes first */
	char etag[FEED_ETAG_SIZE];
	char *text;
	size_t len;
};

struct feed_cache {
	struct feed_entry *items[FEED_CACHE_MAX];
	size_t n;
	uint64_t clock;
};

/* Drops one reference: the cache's own, or one reply's until libevent has sent it. */
static void entry_release(const void *data, size_t len, void *arg)
{
	struct feed_entry *e = arg;

	(void)data;
	(void)len;
	if (--e->refs > 0)
		return;
	free(e->text);
	free(e);
}

struct feed_cache *h_feed_cache_new(void)
{
	return xcalloc(1, sizeof(struct feed_cache));
}

void h_feed_cache_free(struct feed_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_release(NULL, 0, c->items[i]);
	free(c);
}

static size_t cache_index(const struct feed_cache *c, enum feed_kind kind, uint64_t id)
{
	size_t i = 0;

	while (i < c->n && (c->items[i]->kind != kind || c->items[i]->id != id))
		i++;
	return i;
}

static struct feed_entry *cache_get(struct feed_cache *c, enum feed_kind kind, uint64_t id)
{
	size_t i = cache_index(c, kind, id);

	return i < c->n ? c->items[i] : NULL;
}

static void cache_drop(struct feed_cache *c, enum feed_kind kind, uint64_t id)
{
	size_t i = cache_index(c, kind, id);

	if (i == c->n)
		return;
	entry_release(NULL, 0, c->items[i]);
	c->items[i] = c->items[--c->n];
}

/* Puts e in the cache (which takes the reference e comes with), in place of the entry
 * for the same feed, else of the least recently served one when full. */
static void cache_put(struct feed_cache *c, struct feed_entry *e)
{
	size_t i = cache_index(c, e->kind, e->id);

	if (i == c->n && c->n == FEED_CACHE_MAX) {
		i = 0;
		for (size_t k = 1; k < c->n; k++)
			if (c->items[k]->used < c->items[i]->used)
				i = k;
	}
	if (i < c->n)
		entry_release(NULL, 0, c->items[i]);
	else
		c->n++;
	c->items[i] = e;
}

static bool entry_young(const struct feed_entry *e, int64_t now)
{
	return now >= e->built_at && now - e->built_at < FEED_CACHE_TTL;
}

static bool entry_fresh(const struct feed_entry *e, uint64_t change, int64_t now)
{
	return e->change == change && entry_young(e, now);
}

/* e, served now: a reference for the caller. */
static struct feed_entry *entry_take(struct feed_cache *c, struct feed_entry *e)
{
	e->used = ++c->clock;
	e->refs++;
	return e;
}

/* The cached feed of scope when no write was committed since its change counter was last
 * read (so the counter is the same), without a transaction; else NULL. */
static struct feed_entry *cache_current(struct request *r, const struct feed_scope *s)
{
	struct feed_cache *c = r->srv->feeds;
	struct feed_entry *e = cache_get(c, s->kind, s->id);

	if (e == NULL || e->txn == 0 || !entry_young(e, r->now) ||
	    e->txn != db_last_txn_id(r->srv->db))
		return NULL;
	r->srv->metrics->feed_hits++;
	return entry_take(c, e);
}

/* A new entry for scope from feed_build's bytes (taken from f). */
static struct feed_entry *entry_new(const struct feed_scope *s, struct feed *f, uint64_t change,
                                    int64_t now, const struct feed_entry *old)
{
	struct feed_entry *e = xcalloc(1, sizeof(*e));
	unsigned char md[SHA256_DIGEST_LENGTH];

	e->refs = 1;
	e->kind = s->kind;
	e->id = s->id;
	e->change = change;
	e->built_at = now;
	e->text = f->text;
	e->len = f->len;
	f->text = NULL;
	SHA256((const unsigned char *)e->text, e->len, md);
	e->etag[0] = '"';
	hex_encode(md, sizeof(md), e->etag + 1);
	strcat(e->etag, "\"");
	/* feed.last_modified is the newest record shown; an empty feed has none. Bytes
	 * that are the same as before keep their date, so that If-Modified-Since stays
	 * true; bytes that changed without a newer record (a room renamed, a booking gone
	 * from the feed) are dated now, so that it turns false. */
	e->last_modified = f->last_modified ? f->last_modified : now;
	if (old != NULL && strcmp(old->etag, e->etag) == 0)
		e->last_modified = old->last_modified;
	else if (old != NULL && e->last_modified <= old->last_modified)
		e->last_modified = now;
	return e;
}

/* The feed of scope, from the cache or built now in t; a reference for the caller. */
static enum herr feed_entry_get(struct request *r, struct txn *t, const struct feed_scope *s,
                                struct feed_entry **out)
{
	struct feed_cache *c = r->srv->feeds;
	uint64_t change = txn_change_counter(t);
	struct feed_entry *e = cache_get(c, s->kind, s->id);
	struct feed f;
	enum herr ret;

	*out = NULL;
	if (t->ret != H_OK)
		return t->ret;
	if (e != NULL && entry_fresh(e, change, r->now)) {
		r->srv->metrics->feed_hits++;
	} else {
		r->srv->metrics->feed_misses++;
		/* evmemo (issue 12, P5): the loop's memo of event texts; to be moved to the
		 * feed-building thread when builds leave the loop. */
		struct feed_scope memo_scope = *s;

		memo_scope.memo = r->srv->feed_memo;
		ret = feed_build(t, &memo_scope, &f);
		if (ret != H_OK) {
			feed_free(&f);
			/* The room or venue has gone, say: its old bytes must not come back. */
			cache_drop(c, s->kind, s->id);
			return ret;
		}
		e = entry_new(s, &f, change, r->now, e);
		feed_free(&f);
		cache_put(c, e);
	}
	e->txn = txn_id(t);
	*out = entry_take(c, e);
	return H_OK;
}

static void http_date_format(int64_t t, char out[40])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int month_parse(const char *s)
{
	static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

	for (int i = 0; i < 12; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* An HTTP-date in any of the three forms RFC 9110 5.6.7 asks recipients to accept:
 * IMF-fixdate, RFC 850 and asctime. */
static bool http_date_parse(const char *s, int64_t *out)
{
	char wday[16], mon[4];
	int d = 0, y = 0, h = 0, mi = 0, sec = 0, end = -1, m;
	size_t len = strlen(s);
	struct tm tm;
	bool ok;

	ok = sscanf(s, "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", wday, &d, mon, &y, &h, &mi,
	            &sec, &end) == 7 &&
	     (size_t)end == len;
	if (!ok &&
	    sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wday, &d, mon, &y, &h, &mi,
	           &sec, &end) == 7 &&
	    (size_t)end == len) {
		ok = true;
		y += y < 70 ? 2000 : 1900;
	}
	if (!ok)
		ok = sscanf(s, "%15[A-Za-z] %3s %2d %2d:%2d:%2d %4d%n", wday, mon, &d, &h, &mi,
		            &sec, &y, &end) == 7 &&
		     (size_t)end == len;
	if (!ok || (m = month_parse(mon)) < 0 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 60 || y < 1970)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm);
	return true;
}

/* Whether the client's copy is current: If-None-Match (every such header) when there is
 * one, else If-Modified-Since (RFC 9110 13.2.2). */
static bool not_modified(struct request *r, const struct feed_entry *e)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
	const char *since = evhttp_find_header(in, "If-Modified-Since");
	struct evkeyval *h;
	bool any = false;
	int64_t t;

	TAILQ_FOREACH(h, in, next)
	{
		if (strcasecmp(h->key, "If-None-Match") != 0)
			continue;
		any = true;
		if (web_etag_listed(h->value, e->etag))
			return true;
	}
	if (any || since == NULL)
		return false;
	return http_date_parse(since, &t) && e->last_modified <= t;
}

/* The reply: e's bytes (or a 304), with the headers that let apps and caches keep them. */
static void feed_reply(struct request *r, struct feed_entry *e, bool private_feed)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
	char date[40];

	r->raw_release = entry_release;
	r->raw_arg = e;
	r->raw_type = FEED_TYPE;
	r->cache_control = private_feed ? "private, max-age=300" : "max-age=300";
	evhttp_add_header(out, "ETag", e->etag);
	if (not_modified(r, e)) {
		r->srv->metrics->feed_not_modified++;
		r->status = 304;
		return;
	}
	http_date_format(e->last_modified, date);
	evhttp_add_header(out, "Last-Modified", date);
	r->status = 200;
	r->raw = e->text;
	r->raw_len = e->len;
}

/* Serves the feed of scope, or (scope NULL) the one r->token opens. */
static enum herr feed_serve(struct request *r, const struct feed_scope *scope)
{
	struct feed_scope mine;
	struct feed_entry *e;
	struct txn t;
	enum herr ret;

	if (scope != NULL && (e = cache_current(r, scope)) != NULL) {
		feed_reply(r, e, false);
		return H_OK;
	}
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	if (scope == NULL) {
		ret = token_feed_scope(&t, r->token, r->now, &mine);
		/* Done with the secret: it need not linger in memory. */
		OPENSSL_cleanse(r->token, sizeof(r->token));
		scope = &mine;
	}
	if (ret == H_OK)
		ret = feed_entry_get(r, &t, scope, &e);
	db_read_end(&t);
	if (ret != H_OK)
		return ret;
	feed_reply(r, e, scope == &mine);
	return H_OK;
}

static enum herr feed_public(struct request *r, enum feed_kind kind, uint64_t id)
{
	struct feed_scope s = {.kind = kind, .id = id, .now = r->now};

	return feed_serve(r, &s);
}

enum herr h_feed_all(struct request *r)
{
	return feed_public(r, FEED_ALL, 0);
}

enum herr h_feed_venue(struct request *r)
{
	return feed_public(r, FEED_VENUE, r->ids[0]);
}

enum herr h_feed_room(struct request *r)
{
	return feed_public(r, FEED_ROOM, r->ids[0]);
}

enum herr h_feed_busy(struct request *r)
{
	return feed_public(r, FEED_BUSY, r->ids[0]);
}

enum herr h_feed_private(struct request *r)
{
	return feed_serve(r, NULL);
}
