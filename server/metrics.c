/* The counters of metrics.h, and GET /metrics on the --metrics-listen listener.
 *
 * Every label value comes from a fixed set (the route table's patterns, the methods
 * hallsd serves, the statuses it sends, the limits), never from a client's bytes, so no
 * request can grow the page: a path no route knows is counted as route "other". */
#include "server.h"

#include "outbox.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

static const char *const limit_names[LIMIT_COUNT] = {
    [LIMIT_NONE] = NULL,
    [LIMIT_CONNECTIONS] = "connections",
    [LIMIT_HEADER_SIZE] = "header_size",
    [LIMIT_BODY_SIZE] = "body_size",
    [LIMIT_TIMEOUT] = "timeout",
    [LIMIT_SIGNIN_RATE] = "signin_rate",
    [LIMIT_ACCOUNT_RATE] = "account_rate",
    [LIMIT_FEED_BUILDS] = "feed_builds",
};

const char *limit_name(enum limit l)
{
	return l > LIMIT_NONE && l < LIMIT_COUNT ? limit_names[l] : NULL;
}

/* Seconds a request takes: most well under a millisecond, a sign-in a few tenths. */
static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
/* Seconds a group commit takes: mostly the disk's fsync. */
static const double commit_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                       0.025,  0.05,    0.1,    0.25,  0.5,    1};
/* Writes a group commit carries. */
static const double batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

#define NBOUNDS(b) (sizeof(b) / sizeof((b)[0]))

static void histogram_observe(struct histogram *h, const double *bounds, size_t n, double v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	h->buckets[i]++;
	h->count++;
	h->sum += v;
}

/* ---- requests by (route, method, status): an open-addressing table ---- */

/* key: (route label + 1) << 16 | method index << 10 | status; 0 is a free slot. */
struct request_count {
	uint32_t key;
	uint64_t n;
};

struct metrics_requests {
	struct request_count *slots;
	size_t cap, used; /* cap: a power of two */
};

/* The method as a small index: 0 for none (a refusal), else its bit's position + 1. */
static unsigned method_index(int method)
{
	return method > 0 ? (unsigned)ffs(method) & 0xf : 0;
}

static const char *method_label(unsigned index)
{
	return index == 0 ? "-" : router_method_name((enum evhttp_cmd_type)(1 << (index - 1)));
}

static struct request_count *requests_slot(struct metrics_requests *t, uint32_t key)
{
	size_t i = (key * 2654435761u) & (t->cap - 1);

	while (t->slots[i].key != 0 && t->slots[i].key != key)
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void requests_grow(struct metrics_requests *t)
{
	struct request_count *old = t->slots;
	size_t old_cap = t->cap;

	t->cap = old_cap ? old_cap * 2 : 64;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key != 0)
			*requests_slot(t, old[i].key) = old[i];
	free(old);
}

static void requests_count(struct metrics_requests *t, uint32_t key)
{
	struct request_count *s;

	if ((t->used + 1) * 2 > t->cap)
		requests_grow(t);
	s = requests_slot(t, key);
	if (s->key == 0) {
		s->key = key;
		t->used++;
	}
	s->n++;
}

static int count_order(const void *a, const void *b)
{
	uint32_t x = ((const struct request_count *)a)->key;
	uint32_t y = ((const struct request_count *)b)->key;

	return x < y ? -1 : x > y;
}

/* ---- counting ---- */

struct metrics *metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));
	struct timeval tv;

	gettimeofday(&tv, NULL);
	m->started_at = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
	m->nroutes = router_route_count() + 2;
	m->latency = xcalloc(m->nroutes, sizeof(*m->latency));
	m->requests = xcalloc(1, sizeof(*m->requests));
	requests_grow(m->requests);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->requests->slots);
	free(m->requests);
	free(m->latency);
	free(m);
}

size_t metrics_route_label(const struct metrics *m, const struct request *r, int status)
{
	if (r->route != NULL)
		return router_route_index(r->route);
	if (r->page && status < 400)
		return METRICS_ROUTE_PAGES(m);
	return METRICS_ROUTE_OTHER(m);
}

const char *metrics_route_name(const struct metrics *m, size_t label)
{
	if (label == METRICS_ROUTE_PAGES(m))
		return "pages";
	if (label >= METRICS_ROUTE_OTHER(m))
		return "other";
	return router_route_at(label)->pattern;
}

void metrics_request(struct metrics *m, size_t route, int method, int status, int64_t micros)
{
	if (route >= m->nroutes)
		route = METRICS_ROUTE_OTHER(m);
	if (status < 0 || status > 999)
		status = 999;
	requests_count(m->requests,
	               (uint32_t)(route + 1) << 16 | method_index(method) << 10 | (uint32_t)status);
	histogram_observe(&m->latency[route], latency_bounds, NBOUNDS(latency_bounds),
	                  (double)micros / 1e6);
}

void metrics_commit(struct metrics *m, size_t batch, int64_t micros, bool ok)
{
	m->commits_total++;
	if (!ok)
		m->commit_failures++;
	histogram_observe(&m->commit_batch, batch_bounds, NBOUNDS(batch_bounds), (double)batch);
	histogram_observe(&m->commit_duration, commit_bounds, NBOUNDS(commit_bounds),
	                  (double)micros / 1e6);
}

void metrics_hold_lapses(struct metrics *m, size_t n)
{
	m->hold_lapses += n;
}

/* ---- the text format ---- */

static void family(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format asks (backslash, quote, newline). */
static void label_value(struct evbuffer *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(out, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, v, 1);
	}
}

static void value_u64(struct evbuffer *out, const char *name, uint64_t v)
{
	evbuffer_add_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

/* A family of one sample without labels: most of them. */
static void family_u64(struct evbuffer *out, const char *name, const char *type, const char *help,
                       uint64_t v)
{
	family(out, name, type, help);
	value_u64(out, name, v);
}

/* A float as the format reads it (Go's ParseFloat: "+Inf" for infinity). */
static void number(struct evbuffer *out, double v)
{
	if (isinf(v))
		evbuffer_add_printf(out, "%s", v > 0 ? "+Inf" : "-Inf");
	else
		evbuffer_add_printf(out, "%.9g", v);
}

/* The samples of h, with the label route="..." when route is not NULL. */
static void histogram_render(struct evbuffer *out, const char *name, const char *route,
                             const struct histogram *h, const double *bounds, size_t n)
{
	uint64_t cumulative = 0;

	for (size_t i = 0; i <= n; i++) {
		cumulative += h->buckets[i];
		evbuffer_add_printf(out, "%s_bucket{", name);
		if (route != NULL) {
			evbuffer_add_printf(out, "route=\"");
			label_value(out, route);
			evbuffer_add_printf(out, "\",");
		}
		evbuffer_add_printf(out, "le=\"");
		number(out, i < n ? bounds[i] : INFINITY);
		evbuffer_add_printf(out, "\"} %llu\n", (unsigned long long)cumulative);
	}
	for (int part = 0; part < 2; part++) {
		evbuffer_add_printf(out, "%s_%s", name, part == 0 ? "sum" : "count");
		if (route != NULL) {
			evbuffer_add_printf(out, "{route=\"");
			label_value(out, route);
			evbuffer_add_printf(out, "\"}");
		}
		evbuffer_add_printf(out, " ");
		if (part == 0)
			number(out, h->sum);
		else
			evbuffer_add_printf(out, "%llu", (unsigned long long)h->count);
		evbuffer_add_printf(out, "\n");
	}
}

static void render_requests(struct metrics *m, struct evbuffer *out)
{
	struct metrics_requests *t = m->requests;
	struct request_count *sorted = xcalloc(t->used ? t->used : 1, sizeof(*sorted));
	size_t n = 0;

	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].key != 0)
			sorted[n++] = t->slots[i];
	qsort(sorted, n, sizeof(*sorted), count_order);
	family(out, "halls_http_requests_total", "counter",
	       "Requests answered, by route pattern (\"other\": no route), method and status.");
	for (size_t i = 0; i < n; i++) {
		uint32_t k = sorted[i].key;

		evbuffer_add_printf(out, "halls_http_requests_total{route=\"");
		label_value(out, metrics_route_name(m, (k >> 16) - 1));
		evbuffer_add_printf(out, "\",method=\"%s\",code=\"%u\"} %llu\n",
		                    method_label((k >> 10) & 0xf), k & 0x3ff,
		                    (unsigned long long)sorted[i].n);
	}
	free(sorted);
	family(out, "halls_http_request_duration_seconds", "histogram",
	       "Time from a request's arrival to its reply, by route pattern.");
	for (size_t i = 0; i < m->nroutes; i++)
		if (m->latency[i].count > 0)
			histogram_render(out, "halls_http_request_duration_seconds",
			                 metrics_route_name(m, i), &m->latency[i], latency_bounds,
			                 NBOUNDS(latency_bounds));
}

static void render_connections(struct server *srv, struct evbuffer *out)
{
	struct metrics *m = srv->metrics;

	family_u64(out, "halls_http_connections_open", "gauge",
	           "Connections open now, refused ones still draining included.", srv->connections);
	family_u64(out, "halls_http_connections_total", "counter", "Connections accepted.",
	           m->connections_total);
	family(out, "halls_http_refusals_total", "counter",
	       "Requests refused by a limit, by the limit.");
	for (int l = LIMIT_NONE + 1; l < LIMIT_COUNT; l++)
		evbuffer_add_printf(out, "halls_http_refusals_total{limit=\"%s\"} %llu\n",
		                    limit_name(l), (unsigned long long)m->refusals[l]);
}

static void render_commits(struct metrics *m, struct evbuffer *out)
{
	family_u64(out, "halls_commits_total", "counter",
	           "Group commits: write transactions, each one fsync.", m->commits_total);
	family_u64(out, "halls_commit_failures_total", "counter",
	           "Group commits that failed, undoing every write in them.", m->commit_failures);
	family_u64(out, "halls_hold_lapses_total", "counter",
	           "Provisional holds lapsed by the clock (released or kept pending).",
	           m->hold_lapses);
	family(out, "halls_commit_batch_size", "histogram", "Writes carried by one group commit.");
	histogram_render(out, "halls_commit_batch_size", NULL, &m->commit_batch, batch_bounds,
	                 NBOUNDS(batch_bounds));
	family(out, "halls_commit_duration_seconds", "histogram",
	       "Time one group commit takes, the writes and the fsync.");
	histogram_render(out, "halls_commit_duration_seconds", NULL, &m->commit_duration,
	                 commit_bounds, NBOUNDS(commit_bounds));
}

static void render_counters(struct metrics *m, struct evbuffer *out)
{
	family_u64(out, "halls_feed_cache_hits_total", "counter",
	           "Feed requests answered from the cache of built feeds.", m->feed_hits);
	family_u64(out, "halls_feed_cache_misses_total", "counter",
	           "Feed requests that waited for a build (none cached, or changed since).",
	           m->feed_misses);
	family_u64(out, "halls_feed_builds_total", "counter",
	           "Feeds built, each on the feed builder thread.", m->feed_builds);
	family_u64(out, "halls_feed_build_joins_total", "counter",
	           "Feed requests that waited for a build of the same feed already on its way.",
	           m->feed_build_joins);
	family_u64(out, "halls_feed_builds_queued", "gauge", "Feed builds waiting or running now.",
	           m->feed_builds_queued);
	family_u64(out, "halls_feed_not_modified_total", "counter",
	           "Feed requests answered 304 Not Modified.", m->feed_not_modified);
	family_u64(out, "halls_signin_failures_total", "counter",
	           "Sign-ins refused for a wrong email or password.", m->signin_failures);
	family_u64(out, "halls_signin_throttled_total", "counter",
	           "Sign-ins refused unchecked by the failed sign-in limits (429).",
	           m->signin_throttled);
}

/* What the store says: the map, the change counter and the mail waiting. Left out when
 * the store cannot be read (/healthz says why). */
static void render_store(struct server *srv, struct evbuffer *out)
{
	uint64_t map_size, map_used, change = 0, waiting = 0;
	struct herror err;
	struct txn t;
	bool read;

	db_map_usage(srv->db, &map_size, &map_used);
	herror_clear(&err);
	read = db_read_begin(srv->db, &t, &err) == H_OK;
	if (read) {
		change = txn_change_counter(&t);
		waiting = outbox_waiting_count(&t);
		read = t.ret == H_OK;
		db_read_end(&t);
	}
	family_u64(out, "halls_lmdb_map_size_bytes", "gauge",
	           "The LMDB map: the most the data may take before the map grows.", map_size);
	family_u64(out, "halls_lmdb_map_used_bytes", "gauge",
	           "Pages of the map in use (free pages for reuse included) times the page size.",
	           map_used);
	family(out, "halls_store_change", "gauge",
	       "The store's change counter: writes committed by any process, ever.");
	if (read)
		value_u64(out, "halls_store_change", change);
	family(out, "halls_outbox_messages", "gauge", "Messages in the outbox, by state.");
	if (read)
		evbuffer_add_printf(out, "halls_outbox_messages{state=\"waiting\"} %llu\n",
		                    (unsigned long long)waiting);
}

static void render_mail(struct server *srv, struct evbuffer *out)
{
	struct deliver_counts c;

	deliver_counts(srv->deliver, &c);
	family(out, "halls_mail_deliveries_total", "counter",
	       "Tries to hand a message to the relay: sent, failed (tried again later), or "
	       "refused for good.");
	evbuffer_add_printf(out,
	                    "halls_mail_deliveries_total{result=\"sent\"} %llu\n"
	                    "halls_mail_deliveries_total{result=\"failed\"} %llu\n"
	                    "halls_mail_deliveries_total{result=\"refused\"} %llu\n",
	                    (unsigned long long)c.sent, (unsigned long long)c.failed,
	                    (unsigned long long)c.refused);
}

void metrics_render(struct server *srv, struct evbuffer *out)
{
	struct metrics *m = srv->metrics;

	family(out, "halls_build_info", "gauge", "The halls release running, as a label.");
	evbuffer_add_printf(out, "halls_build_info{version=\"%s\"} 1\n", HALLS_VERSION);
	family(out, "process_start_time_seconds", "gauge",
	       "Start time of the process since the Unix epoch in seconds.");
	evbuffer_add_printf(out, "process_start_time_seconds %.3f\n", m->started_at);
	render_requests(m, out);
	render_connections(srv, out);
	render_commits(m, out);
	render_counters(m, out);
	render_store(srv, out);
	render_mail(srv, out);
}

/* ---- the listener ---- */

static void metrics_reply(struct evhttp_request *req, int status, const char *reason,
                          const char *type, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, status, reason, body);
}

/* The listener's one path; anything else is 404, and it is never logged (a scraper asks
 * every few seconds). */
static void metrics_on_request(struct evhttp_request *req, void *arg)
{
	struct server *srv = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	struct evbuffer *body = evbuffer_new();
	char length[24];

	if (body == NULL)
		fatal("cannot answer /metrics (out of memory)");
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evbuffer_add_printf(body, "not found: this listener serves only GET /metrics\n");
		metrics_reply(req, 404, "Not Found", "text/plain; charset=utf-8", body);
	} else if (method == EVHTTP_REQ_HEAD) {
		/* HEAD tells the length GET would send; evhttp would say 0. */
		metrics_render(srv, body);
		snprintf(length, sizeof(length), "%zu", evbuffer_get_length(body));
		evbuffer_drain(body, evbuffer_get_length(body));
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", length);
		metrics_reply(req, 200, "OK", METRICS_TYPE, body);
	} else {
		metrics_render(srv, body);
		metrics_reply(req, 200, "OK", METRICS_TYPE, body);
	}
	evbuffer_free(body);
}

int metrics_start(struct server *srv)
{
	struct timeval tv = {srv->cfg.timeout_s, 0};

	if (srv->cfg.metrics_listen == NULL)
		return 0;
	srv->metrics_http = evhttp_new(srv->base);
	if (srv->metrics_http == NULL)
		return -1;
	/* No bufferevent callback: plain HTTP whatever the public listeners speak, and none
	 * of conn.c's guard; a scraper's requests are small, so evhttp's limits suffice. */
	evhttp_set_max_headers_size(srv->metrics_http, 8192);
	evhttp_set_max_body_size(srv->metrics_http, 0);
	evhttp_set_timeout_tv(srv->metrics_http, &tv);
	evhttp_set_allowed_methods(srv->metrics_http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(srv->metrics_http, metrics_on_request, srv);
	if (http_listen(srv->metrics_http, srv->cfg.metrics_listen, "--metrics-listen") == NULL)
		return -1;
	return 0;
}

void metrics_stop(struct server *srv)
{
	if (srv->metrics_http != NULL)
		evhttp_free(srv->metrics_http);
	srv->metrics_http = NULL;
}
