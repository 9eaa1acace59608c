/* What hallsd counts about itself, and GET /metrics, which shows it in the Prometheus
 * text format (version 0.0.4) on a listener of its own (--metrics-listen), never on the
 * public one: docs/operations.md#monitoring lists every metric.
 *
 * struct metrics belongs to the loop (struct server) and is only touched there, so its
 * counters are plain integers. What other threads count (the delivery thread's sends) is
 * theirs, in atomics, read when the page is rendered. */
#ifndef HALLS_METRICS_H
#define HALLS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct request;
struct server;

/* The limits that refuse a request, as halls_http_refusals_total{limit} and the access
 * log name them. */
enum limit {
	LIMIT_NONE,
	LIMIT_CONNECTIONS,  /* --max-connections: 503 */
	LIMIT_HEADER_SIZE,  /* the request line and headers: 431 */
	LIMIT_BODY_SIZE,    /* --max-body: 413 */
	LIMIT_TIMEOUT,      /* --timeout: a head not in by then is 408, a body cut off */
	LIMIT_SIGNIN_RATE,  /* failed sign-ins (ratelimit.c): 429 */
	LIMIT_ACCOUNT_RATE, /* password changes and resets, on the same counters: 429 */
	LIMIT_FEED_BUILDS,  /* --max-feed-builds feeds being built: 503 */
	LIMIT_COUNT
};
/* "connections", "header_size", ...; NULL for LIMIT_NONE. */
const char *limit_name(enum limit l);

/* Upper bounds of a histogram's buckets, ascending; +Inf is implied. */
#define HISTOGRAM_MAX 16
struct histogram {
	uint64_t buckets[HISTOGRAM_MAX + 1]; /* per bucket, not cumulative; the last: +Inf */
	uint64_t count;
	double sum;
};

/* One (route, method, status) that has been answered, and how often. */
struct metrics_requests;

struct metrics {
	double started_at; /* process_start_time_seconds: the real clock, not HALLS_NOW */
	/* Requests, by route label (the route table's index, then METRICS_ROUTE_PAGES and
	 * METRICS_ROUTE_OTHER): counts by method and status, and a latency histogram. */
	struct metrics_requests *requests;
	struct histogram *latency;
	size_t nroutes; /* route labels */
	uint64_t connections_total;
	uint64_t refusals[LIMIT_COUNT];
	struct histogram commit_batch;    /* writes per group commit */
	struct histogram commit_duration; /* seconds per group commit */
	uint64_t commits_total;
	uint64_t commit_failures; /* shared commits that failed (storage) */
	uint64_t feed_hits, feed_misses, feed_not_modified;
	uint64_t feed_builds;        /* builds submitted to the feed builder */
	uint64_t feed_build_joins;   /* requests that waited for a build already on its way */
	uint64_t feed_builds_queued; /* builds submitted and not yet done (a gauge) */
	uint64_t signin_failures, signin_throttled;
	uint64_t hold_lapses; /* provisional holds lapsed by the clock (sweep.c) */
};

/* The route label of a request that no route answered: a page's file, and all else. */
#define METRICS_ROUTE_PAGES(m) ((m)->nroutes - 2)
#define METRICS_ROUTE_OTHER(m) ((m)->nroutes - 1)

/* The route label of r's reply of status: its route's, else a page's file when one was
 * served, else "other", so that no client can add a label by asking for a new path. */
size_t metrics_route_label(const struct metrics *m, const struct request *r, int status);
/* The route table's pattern ("/api/v1/bookings/<id>"), "pages" or "other". */
const char *metrics_route_name(const struct metrics *m, size_t label);

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
/* One reply sent: route is a route label, method an evhttp_cmd_type (0: none, a refusal
 * made before the request was read), micros its time in hallsd. */
void metrics_request(struct metrics *m, size_t route, int method, int status, int64_t micros);
/* One group commit of batch writes, taking micros; ok: it was durable. */
void metrics_commit(struct metrics *m, size_t batch, int64_t micros, bool ok);

/* n provisional holds lapsed in one sweep. */
void metrics_hold_lapses(struct metrics *m, size_t n);

/* The page, in the text format. */
void metrics_render(struct server *srv, struct evbuffer *out);
/* The --metrics-listen listener (none without the option): 0, or -1 having said why. */
int metrics_start(struct server *srv);
void metrics_stop(struct server *srv);

#endif
