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
 * closes the feed at once.
 *
 * Cached feeds are answered on the loop. A feed that must be built is built on the feed
 * builder (srv->builder, a worker thread of its own), since a big one takes tens of
 * milliseconds or more and the loop would serve nothing else meanwhile: the request is
 * deferred and answered when its build is done. Requests for a feed already being built
 * wait for that build, but only when no write was committed since it was submitted, since
 * a write answered before a request arrived must show in the feed it gets. */
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

/* A request waiting for a build: answered when it is done. */
struct feed_waiter {
	struct request *r;
	bool private_feed;
	struct feed_waiter *next;
};

/* One feed being built on the feed builder (srv->builder, a worker of its own), and the
 * requests waiting for it. The loop fills in the first part and then leaves the build
 * alone until done runs; the builder reads that part and writes only the result. */
struct feed_build {
	struct db *db;
	struct feed_scope scope;
	uint64_t submitted_txn; /* the store's last write when submitted (db_last_txn_id) */
	/* The result, written on the builder. */
	enum herr ret;
	struct herror err;
	struct feed f;
	uint64_t change; /* the change counter of the builder's transaction */
	uint64_t txn;    /* and its id */
	char etag[FEED_ETAG_SIZE];
	/* On the loop only. */
	struct server *srv;
	struct feed_waiter *waiters;
	struct feed_build *next; /* in feed_cache.building */
};

struct feed_cache {
	struct feed_entry *items[FEED_CACHE_MAX];
	size_t n;
	uint64_t clock;
	struct feed_build *building; /* submitted, not yet done */
	size_t nbuilding;
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
	/* worker_free(srv->builder) ran every build's done first, so none is left. */
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

/* The SHA-256 of the bytes, as a quoted strong ETag. */
static void etag_make(const char *text, size_t len, char etag[FEED_ETAG_SIZE])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)text, len, md);
	etag[0] = '"';
	hex_encode(md, sizeof(md), etag + 1);
	strcat(etag, "\"");
}

/* A new entry from a finished build's bytes (taken from b), dated against the entry it
 * replaces, old (or NULL). */
static struct feed_entry *entry_new(struct feed_build *b, int64_t now, const struct feed_entry *old)
{
	struct feed_entry *e = xcalloc(1, sizeof(*e));

	e->refs = 1;
	e->kind = b->scope.kind;
	e->id = b->scope.id;
	e->change = b->change;
	e->txn = b->txn;
	e->built_at = b->scope.now;
	e->text = b->f.text;
	e->len = b->f.len;
	b->f.text = NULL;
	memcpy(e->etag, b->etag, sizeof(e->etag));
	/* feed.last_modified is the newest record shown; an empty feed has none. Bytes
	 * that are the same as before keep their date, so that If-Modified-Since stays
	 * true; bytes that changed without a newer record (a room renamed, a booking gone
	 * from the feed) are dated now, so that it turns false. */
	e->last_modified = b->f.last_modified ? b->f.last_modified : now;
	if (old != NULL && strcmp(old->etag, e->etag) == 0)
		e->last_modified = old->last_modified;
	else if (old != NULL && e->last_modified <= old->last_modified)
		e->last_modified = now;
	return e;
}

/* The cached feed of scope when it is as the store is in t (and young); a reference for
 * the caller, or NULL: the feed must be built. */
static struct feed_entry *cache_fresh(struct request *r, struct txn *t, const struct feed_scope *s)
{
	struct feed_cache *c = r->srv->feeds;
	uint64_t change = txn_change_counter(t);
	struct feed_entry *e = cache_get(c, s->kind, s->id);

	if (t->ret != H_OK || e == NULL || !entry_fresh(e, change, r->now))
		return NULL;
	r->srv->metrics->feed_hits++;
	e->txn = txn_id(t);
	return entry_take(c, e);
}

/* On the builder thread: the feed, in a read transaction of this thread's own (the store
 * is opened with MDB_NOTLS, so a read transaction may live on any thread, begun and ended
 * on the one that uses it), and its ETag. Touches nothing but b and the store. */
static void build_run(void *arg)
{
	struct feed_build *b = arg;
	struct txn t;

	if ((b->ret = db_read_begin(b->db, &t, &b->err)) != H_OK)
		return;
	b->change = txn_change_counter(&t);
	b->txn = txn_id(&t);
	b->ret = t.ret;
	/* The one call of feed_build: what it is handed (struct feed_scope) is all here. */
	if (b->ret == H_OK)
		b->ret = feed_build(&t, &b->scope, &b->f);
	db_read_end(&t);
	if (b->ret == H_OK)
		etag_make(b->f.text, b->f.len, b->etag);
}

static void feed_reply(struct request *r, struct feed_entry *e, bool private_feed);

/* Puts a finished build's entry in the cache unless a newer one is there already (a later
 * build finished first): bytes never go back in time. A reference for the caller. */
static struct feed_entry *build_keep(struct feed_cache *c, struct feed_build *b, int64_t now)
{
	struct feed_entry *old = cache_get(c, b->scope.kind, b->scope.id);
	struct feed_entry *e;

	if (old != NULL && old->change > b->change)
		return entry_new(b, now, NULL);
	e = entry_new(b, now, old);
	cache_put(c, entry_take(c, e));
	return e;
}

/* On the loop: answers everyone waiting for b, then frees it. */
static void build_done(void *arg)
{
	struct feed_build *b = arg;
	struct server *srv = b->srv;
	struct feed_cache *c = srv->feeds;
	struct feed_build **p = &c->building;
	struct feed_entry *e = NULL, *old;
	struct feed_waiter *w;

	while (*p != b)
		p = &(*p)->next;
	*p = b->next;
	c->nbuilding--;
	srv->metrics->feed_builds_queued = c->nbuilding;
	if (b->ret == H_OK) {
		e = build_keep(c, b, b->scope.now);
	} else if ((old = cache_get(c, b->scope.kind, b->scope.id)) != NULL &&
	           old->change <= b->change) {
		/* The room or venue has gone, say: its old bytes must not come back. */
		cache_drop(c, b->scope.kind, b->scope.id);
	}
	while ((w = b->waiters) != NULL) {
		b->waiters = w->next;
		if (e != NULL) {
			feed_reply(w->r, entry_take(c, e), w->private_feed);
		} else {
			w->r->err = b->err;
		}
		request_finish(w->r, b->ret);
		free(w);
	}
	if (e != NULL)
		entry_release(NULL, 0, e);
	feed_free(&b->f);
	free(b);
}

static void build_wait(struct request *r, struct feed_build *b, bool private_feed)
{
	struct feed_waiter *w = xcalloc(1, sizeof(*w));

	w->r = r;
	w->private_feed = private_feed;
	w->next = b->waiters;
	b->waiters = w;
	request_defer(r);
}

/* The build of scope already on its way that r may wait for: one submitted when the store
 * was as it is now, since a write answered before r arrived must show in r's feed. */
static struct feed_build *build_joinable(struct feed_cache *c, const struct feed_scope *s,
                                         uint64_t last_txn)
{
	for (struct feed_build *b = c->building; b != NULL; b = b->next)
		if (b->scope.kind == s->kind && b->scope.id == s->id &&
		    b->submitted_txn == last_txn)
			return b;
	return NULL;
}

/* The feed of scope is not cached: r waits for a build of it, the one on its way or a new
 * one; or, with --max-feed-builds builds waiting already, is refused. */
static enum herr build_request(struct request *r, const struct feed_scope *s, bool private_feed)
{
	struct server *srv = r->srv;
	struct feed_cache *c = srv->feeds;
	uint64_t last_txn = db_last_txn_id(srv->db);
	struct feed_build *b = build_joinable(c, s, last_txn);

	srv->metrics->feed_misses++;
	if (b != NULL) {
		srv->metrics->feed_build_joins++;
		build_wait(r, b, private_feed);
		return H_OK;
	}
	if (c->nbuilding >= srv->cfg.max_feed_builds) {
		r->limit = LIMIT_FEED_BUILDS;
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "1");
		return herror_set(&r->err, H_EBUSY,
		                  "%u feeds are being built already; try again in a moment",
		                  srv->cfg.max_feed_builds);
	}
	b = xcalloc(1, sizeof(*b));
	b->db = srv->db;
	b->scope = *s;
	/* The memo of event texts is only ever touched on the builder thread (one thread, one
	 * build at a time), in build_run: it needs no lock. */
	b->scope.memo = srv->feed_memo;
	b->submitted_txn = last_txn;
	b->srv = srv;
	b->next = c->building;
	c->building = b;
	c->nbuilding++;
	srv->metrics->feed_builds++;
	srv->metrics->feed_builds_queued = c->nbuilding;
	build_wait(r, b, private_feed);
	worker_submit(srv->builder, build_run, build_done, b);
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

/* Serves the feed of scope, or (scope NULL) the one r->token opens: from the cache on the
 * loop, or (deferred) once the builder has built it. */
static enum herr feed_serve(struct request *r, const struct feed_scope *scope)
{
	struct feed_scope mine;
	struct feed_entry *e = NULL;
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
	if (ret == H_OK) {
		e = cache_fresh(r, &t, scope);
		ret = t.ret;
	}
	db_read_end(&t);
	if (ret != H_OK)
		return ret;
	if (e == NULL)
		return build_request(r, scope, scope == &mine);
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
