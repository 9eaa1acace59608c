/* hallsd: one libevent loop over the core. Everything the loop owns hangs off struct
 * server; there is no other mutable global state. */
#ifndef HALLS_SERVER_H
#define HALLS_SERVER_H

#include "deliver.h"
#include "halls.h"
#include "metrics.h"

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>
#include <stdio.h>

#define MAX_LISTENERS  8
#define PATH_MAX_BYTES 1024
#define ROUTE_MAX_IDS  3
/* The most hex digits a "<token>" placeholder takes. */
#define ROUTE_TOKEN_MAX 128

struct commit_queue;
struct deliver;
struct worker;
struct ratelimit;
struct feed_cache;

enum log_format {
	LOG_TEXT, /* one readable line a request (default) */
	LOG_JSON, /* one JSON object a line, for log shippers */
};

struct server_config {
	const char *data;
	const char *listen[MAX_LISTENERS];
	size_t nlisten;
	const char *log_path; /* NULL: stdout */
	enum log_format log_format;
	const char *metrics_listen; /* --metrics-listen ADDR:PORT; NULL: no /metrics */
	size_t max_body;            /* bytes */
	size_t max_headers;         /* bytes */
	int timeout_s;              /* read and write timeout of a connection */
	unsigned max_connections;
	unsigned max_feed_builds; /* feeds being built at once, past which a build is 503 */
	unsigned scrypt_log2n;
	int64_t session_ttl;   /* seconds */
	int64_t token_max_ttl; /* seconds: the longest life of an API token */
	int64_t fixed_now;     /* HALLS_NOW, for tests: the clock the rules see (0: real) */
	const char *trusted_proxies[MAX_LISTENERS]; /* peers whose X-Forwarded-For is believed */
	size_t ntrusted_proxies;
	const char *tls_cert; /* both or neither: HTTPS on every listener */
	const char *tls_key;
	const char *web_dir; /* --web-dir, resolved: pages from disk (development only) */
	/* Mail (deliver.h): the relay, and the site's settings written to the store. */
	struct deliver_config smtp; /* smtp.smtp_url NULL: nothing is sent */
	const char *smtp_from, *smtp_from_name, *public_url; /* NULL: as the store holds */
};

struct server {
	struct server_config cfg;
	struct event_base *base;
	struct evhttp *http;
	struct db *db;
	FILE *log;
	unsigned connections; /* open now (conn.c) */
	SSL_CTX *tls;         /* NULL: plain HTTP */
	/* "/<random hex>": the path of the internal requests that carry a refusal made
	 * before evhttp saw the request (conn.c); unguessable, so no client can send one. */
	char refusal_prefix[40];
	struct commit_queue *commits;
	struct worker *worker;
	struct worker *builder;   /* the feed builder: feeds are built there (h_feed.c) */
	struct deliver *deliver;  /* the delivery thread (deliver.h), nudged after commits */
	struct ratelimit *limits; /* failed sign-ins (ratelimit.c) */
	struct event *purge;      /* the next token_purge run (purge.c) */
	struct sweep *sweep;      /* the clock of fair access (sweep.c) */
	uint64_t purge_next;      /* where it begins */
	char *dummy_hash;         /* verified for unknown emails, to take as long */
	struct event *sig_int, *sig_term, *sig_hup;
	struct evhttp_bound_socket *listeners[MAX_LISTENERS];
	unsigned deferred; /* requests whose handler answers later (workers, group commit) */
	bool stopping;     /* SIGTERM/SIGINT: no new connections; exit once deferred is 0 */
	bool accepting;    /* the listeners take new connections (conn.c) */
	struct lingerer *lingering; /* refused connections being drained (conn.c) */
	struct feed_cache *feeds;   /* recently served feed bytes (h_feed.c) */
	struct ics_memo
	    *feed_memo;          /* event texts of the feeds: the builder thread's alone (ics.h) */
	struct metrics *metrics; /* what /metrics shows (metrics.c) */
	struct evhttp *metrics_http; /* the --metrics-listen listener, or NULL */
	uint64_t request_seq;        /* the id of the latest request (the access log's) */
};

struct request;
typedef enum herr (*handler_fn)(struct request *r);

#define ROUTE_AUTH          0x1 /* needs a signed-in caller */
#define ROUTE_BODY          0x2 /* takes a JSON object body */
#define ROUTE_BODY_OPTIONAL 0x4 /* takes one if given (booking decisions) */
#define ROUTE_QUERY         0x8 /* takes query parameters (the handler checks which) */

/* One row of the route table: `GET /api/v1/rooms/<id>` and what answers it. */
struct route {
	enum evhttp_cmd_type method;
	/* Segments; "<id>" matches a positive integer and "<token>" 1 to ROUTE_TOKEN_MAX
	 * lowercase hex digits; either may be followed by literal text ("<id>.ics"). */
	const char *pattern;
	handler_fn fn;
	const void *arg; /* e.g. the record kind of the generic record handlers */
	unsigned flags;
};

/* One HTTP request on its way through the router to a handler and back. */
struct request {
	struct server *srv;
	struct evhttp_request *req;
	const struct route *route;
	enum evhttp_cmd_type method;
	char path[PATH_MAX_BYTES];   /* canonical */
	uint64_t ids[ROUTE_MAX_IDS]; /* the <id> placeholders of the route, in order */
	/* The <token> placeholder of the route (a private feed's secret): never logged. */
	char token[ROUTE_TOKEN_MAX + 1];
	struct evkeyvalq query;
	json_t *body; /* POST/PATCH: the parsed JSON object */
	struct actor actor;
	bool signed_in;
	bool cookie_auth;  /* signed in by the session cookie (request_session_cookie) */
	uint64_t token_id; /* the bearer token or session used, 0 for none */
	int64_t now;
	int64_t started_us;
	uint64_t id;      /* the access log's request id: 1, 2, ... in this process */
	enum limit limit; /* the limit that refused it (metrics.h), or LIMIT_NONE */
	bool page;        /* web_serve answered it: a page's file, or the pages' 404 */
	/* The answer: a status and body, or an error. */
	int status;
	json_t *reply;
	struct herror err;
	json_t *problem_extra; /* more members for the problem body (a series' refused dates) */
	bool deferred;         /* the handler answers later (group commit, worker thread) */
	bool refusal;          /* an internal request carrying a refusal (conn.c) */
	/* A reply that is not JSON (a feed): raw_len bytes of raw as raw_type (none with a
	 * 304), and cache_control in place of no-store. raw is sent without a copy and must
	 * stay valid until raw_release(raw, raw_len, raw_arg) is called: by libevent once
	 * the bytes are on the wire (or the client gone), or by request_finish when they
	 * were not sent (HEAD, 304, an error). */
	const char *raw;
	size_t raw_len;
	const char *raw_type;
	const char *cache_control;
	void (*raw_release)(const void *raw, size_t len, void *arg);
	void *raw_arg;
	bool raw_handed; /* raw went to libevent, which now releases it */
};

/* A handler returns H_OK with r->reply (and r->status, 200 by default) set, or an error
 * in r->err; or it calls request_defer() and answers later with request_finish(). The
 * router alone sends replies. */

void request_defer(struct request *r);
/* Sends the reply that ret and r describe, logs it and frees r. */
void request_finish(struct request *r, enum herr ret);
/* The query parameter name, or NULL. */
const char *request_query(const struct request *r, const char *name);

/* web.c: the pages (server/web/), for GET and HEAD of paths web_path_claims (web.h). */
enum herr web_serve(struct request *r);
/* The 404 page, with the pages' headers. */
enum herr web_not_found(struct request *r);

/* router.c */
void router_dispatch(struct evhttp_request *req, void *arg);
/* The route table, for the metrics' route labels: its length, a route's index, and the
 * route at an index. */
size_t router_route_count(void);
size_t router_route_index(const struct route *rt);
const struct route *router_route_at(size_t i);
/* "GET", "POST", ...; "OTHER" for none of the methods hallsd serves. */
const char *router_method_name(enum evhttp_cmd_type m);
/* The same with the method and target given apart (query NULL for none): the seam
 * through which tests/fuzz/ drives every handler without a socket. */
void router_run(struct server *srv, struct evhttp_request *req, enum evhttp_cmd_type method,
                const char *path, const char *query);

/* Past the cap, connections are still accepted (to be answered 503) up to this many
 * more; beyond it the listeners pause. */
#define CONN_OVER_CAP(max) ((max) / 8 + 16)

/* conn.c: evhttp's bufferevent callback; counts, caps and guards each connection. */
struct bufferevent *conn_accept(struct event_base *base, void *arg);
/* Closes the connections still lingering after a refusal (at exit). */
void conn_lingering_free(struct server *srv);

/* tls.c */
SSL_CTX *tls_context_new(const char *cert, const char *key);
/* Reloads the certificate and key; on failure keeps the old ones and returns -1. */
int tls_reload(struct server *srv);

/* http.c */
int http_start(struct server *srv);
/* Stops accepting connections; the loop ends once no request is in flight. */
void http_drain(struct server *srv);
/* With stopping set and nothing in flight, ends the loop (after a moment for the last
 * replies to be written). */
void http_exit_when_idle(struct server *srv);
void http_stop(struct server *srv);
/* Listens on spec (ADDR:PORT, as --listen takes it) for http: the bound socket, or NULL
 * having said why on stderr ("cannot listen on ...: Address already in use"); option
 * names the option that gave spec. */
struct evhttp_bound_socket *http_listen(struct evhttp *http, const char *spec, const char *option);
void http_send(struct request *r, int status, const char *content_type, const char *body,
               size_t len);

/* accesslog.c: one line a request, as --log-format says (docs/operations.md#the-access-log). */
/* The line of r's reply (status, bytes of body), micros after it began. */
void access_log(struct request *r, int status, size_t bytes, int64_t micros);
/* The line of a request cut off by limit before any reply (a body that did not arrive
 * in time), from peer, micros after it began; it takes the next request id. */
void access_log_cut(struct server *srv, const char *peer, enum limit limit, int64_t micros);

/* commit.c: group commit. fn runs in a write transaction shared with the other writes
 * submitted in the same loop turn, nested so that a refusal undoes only its own part;
 * done runs after the shared commit is durable (or failed). */
struct commit_queue *commit_queue_new(struct server *srv);
void commit_queue_free(struct commit_queue *q);
void commit_submit(struct request *r, db_write_fn fn, void *arg,
                   void (*done)(struct request *r, enum herr ret, void *arg));

/* worker.c: a thread for slow jobs, one job at a time (hallsd has two: scrypt, and the
 * feed builder). run runs on that thread and may touch only arg (and, the feed builder's,
 * the store through a read transaction of its own); done then runs on the loop.
 * worker_free finishes the queued jobs first. */
struct worker *worker_new(struct server *srv);
void worker_free(struct worker *w);
void worker_submit(struct worker *w, void (*run)(void *arg), void (*done)(void *arg), void *arg);

/* ratelimit.c: failed sign-ins per (account, client address), per address, and per
 * account with a progressive delay; the rule is in ratelimit.c and docs/operations.md. */
#define RATELIMIT_WINDOW       (15 * 60) /* seconds */
#define RATELIMIT_PAIR_MAX     5
#define RATELIMIT_ADDR_MAX     20
#define RATELIMIT_ACCOUNT_SLOW 10
#define RATELIMIT_DELAY_MAX    RATELIMIT_WINDOW
struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* Counts an attempt at account (the normalised email) from addr, or returns false (and
 * how long to wait) when the rule refuses it. */
bool ratelimit_begin(struct ratelimit *rl, const char *account, const char *addr, int64_t now,
                     int64_t *retry_after);
/* The attempt's outcome: a success clears the pair and is not held against the address
 * or the account. */
void ratelimit_end(struct ratelimit *rl, const char *account, const char *addr, bool ok,
                   int64_t now);

/* purge.c: deletes dead tokens a bounded batch at a time, on a timer on the loop. */
void purge_start(struct server *srv);
void purge_stop(struct server *srv);

/* sweep.c: the clock of fair access (fair_clock.h): a timer on the loop that lapses
 * holds and offers when due (at least once a minute), first at start before serving. */
struct sweep;
struct sweep *sweep_start(struct server *srv);
/* A commit may have made something due sooner: sweep at once. */
void sweep_nudge(struct sweep *s);
void sweep_stop(struct sweep *s);

/* Handlers, one file per resource (h_*.c). */
enum herr h_health(struct request *r);
enum herr h_record_list(struct request *r);
enum herr h_record_get(struct request *r);
enum herr h_record_create(struct request *r);
enum herr h_record_update(struct request *r);
enum herr h_record_delete(struct request *r);
enum herr h_booking_create(struct request *r);
enum herr h_booking_list(struct request *r);
enum herr h_booking_get(struct request *r);
enum herr h_booking_update(struct request *r);
enum herr h_booking_approve(struct request *r);
enum herr h_booking_decline(struct request *r);
enum herr h_booking_cancel(struct request *r);
enum herr h_room_list(struct request *r);
enum herr h_rules(struct request *r);
enum herr h_room_availability(struct request *r);
enum herr h_venue_availability(struct request *r);
enum herr h_series_list(struct request *r);
enum herr h_series_create(struct request *r);
enum herr h_series_preview(struct request *r);
enum herr h_series_get(struct request *r);
enum herr h_series_update(struct request *r);
enum herr h_series_approve(struct request *r);
enum herr h_series_decline(struct request *r);
enum herr h_series_cancel(struct request *r);
enum herr h_closure_list(struct request *r);
enum herr h_closure_get(struct request *r);
enum herr h_closure_create(struct request *r);
enum herr h_closure_update(struct request *r);
enum herr h_closure_delete(struct request *r);
/* h_date_set.c: named sets of dates (fair access). */
enum herr h_date_set_list(struct request *r);
enum herr h_date_set_get(struct request *r);
enum herr h_date_set_create(struct request *r);
enum herr h_date_set_update(struct request *r);
enum herr h_date_set_delete(struct request *r);
enum herr h_date_set_import(struct request *r);
enum herr h_waitlist_list(struct request *r);
enum herr h_waitlist_get(struct request *r);
enum herr h_waitlist_join(struct request *r);
enum herr h_waitlist_accept(struct request *r);
enum herr h_waitlist_decline(struct request *r);
enum herr h_waitlist_leave(struct request *r);
enum herr h_round_list(struct request *r);
enum herr h_round_get(struct request *r);
enum herr h_round_open(struct request *r);
enum herr h_round_update(struct request *r);
enum herr h_round_applications(struct request *r);
enum herr h_round_apply(struct request *r);
enum herr h_round_application_update(struct request *r);
enum herr h_round_application_delete(struct request *r);
enum herr h_round_allocate(struct request *r);
enum herr h_round_inputs(struct request *r);
enum herr h_round_result(struct request *r);
enum herr h_audit_list(struct request *r);
enum herr h_allowance_list(struct request *r);
enum herr h_allowance_get(struct request *r);
enum herr h_allowance_create(struct request *r);
enum herr h_allowance_update(struct request *r);
enum herr h_allowance_delete(struct request *r);
enum herr h_report_usage(struct request *r);

/* request.c: what a handler reads from its request, and the caller as the core sees it.
 * Malformed input is H_EINVAL in r->err, naming the parameter or field. */
/* The caller as a reader (view.h): NULL when not signed in, since actor 0, which an
 * anonymous request carries, is the console to the core. */
const struct actor *request_reader(const struct request *r);
void request_viewer(const struct request *r, struct txn *t, struct viewer *v);
/* The client's address, for throttling: the peer's, or from a proxy named with
 * --trusted-proxy the address it appended to X-Forwarded-For. */
void request_peer(struct request *r, char *out, size_t size);
/* The Host header when it is a plain host name or address with an optional port (it goes
 * into URLs handed back), else NULL. */
const char *request_host(struct request *r);
/* How many headers named name (any case) the request has; *value: the first, or NULL. */
size_t request_header(const struct request *r, const char *name, const char **value);
/* Whether the client spoke HTTPS: to hallsd, or to a --trusted-proxy that says so with
 * one X-Forwarded-Proto: https. */
bool request_secure(struct request *r);
/* Whether the method may change something (not GET, HEAD or OPTIONS). */
bool request_unsafe(const struct request *r);
/* NULL when the request comes from this site's own pages (Sec-Fetch-Site same-origin or
 * none; without it, one Origin equal to the request's scheme and Host), else why not, in
 * words that name no byte of the request. */
const char *request_cross_site(struct request *r);
/* How many pairs named name a Cookie header holds; *value and *len: the first one's
 * value (spaces and tabs around it dropped). Pure, for tests/fuzz/fuzz_cookie.c. */
size_t cookie_find(const char *header, const char *name, const char **value, size_t *len);
/* How many session cookies (of the name request_secure picks) the request carries, over
 * all its Cookie headers; secret: the value when there is exactly one of a secret's
 * length, else "". */
size_t request_session_cookie(struct request *r, char secret[TOKEN_HEX]);
/* Keeps in ids only the bookings the caller may be told of by id (view_booking_ids), in
 * a read transaction of its own; the new count. */
size_t request_visible_bookings(struct request *r, uint64_t *ids, size_t n);
/* Query parameters: names ends with NULL; any other name is refused. An absent id is 0;
 * *present says whether a number or time was given. */
enum herr request_query_known(struct request *r, const char *const *names);
enum herr request_query_id(struct request *r, const char *name, uint64_t *out);
enum herr request_query_uint(struct request *r, const char *name, uint32_t min, uint32_t max,
                             uint32_t *out, bool *present);
enum herr request_query_time(struct request *r, const char *name, const char *zone, int64_t *out,
                             bool *present);
/* Fields of the body other than names (ending with NULL) -> H_EINVAL naming one. */
enum herr request_body_known(struct request *r, const char *const *names);
/* A body field holding a time (RFC 3339, local wall time in zone, or UTC seconds). */
enum herr request_body_time(struct request *r, const json_t *body, const char *key,
                            const char *zone, int64_t *out);
/* A whole number field in [min, max], or absent (*out untouched). */
enum herr request_body_uint(struct request *r, const char *key, int64_t min, int64_t max,
                            int64_t *out);
/* The fields a booking request and a series share, judged by the core
 * (booking_fields_judge) with start and end read in the room's zone (*zone, malloc'd,
 * even on failure); strict: any other field is refused (a series judges its own). */
enum herr request_booking(struct request *r, bool strict, struct booking *b, bool *approve_now,
                          char **zone);
/* Set-Cookie for the session cookie: secret for max_age seconds, or (secret NULL) one
 * that makes the browser forget it. */
void reply_session_cookie(struct request *r, const char *secret, int64_t max_age);
/* Sets o[key] to instant t as RFC 3339 in zone's offset. */
void reply_time(json_t *o, const char *key, int64_t t, const char *zone);
/* reply as the API sends it (compact, keys sorted), newly allocated, its length in *len;
 * NULL when jansson cannot encode it. reply_text_release frees it, as a raw_release. */
char *reply_json_text(const json_t *reply, size_t *len);
void reply_text_release(const void *text, size_t len, void *arg);

/* page.c: pages of the list routes (docs/api.md#pages). */
#define PAGE_LIMIT_DEFAULT 100
#define PAGE_LIMIT_MAX     100
/* A page examines at most this many entries per item it may show, so that a caller who
 * may see few of them gets a short page (with a Link) rather than a scan of the store. */
#define PAGE_EXAMINE_FACTOR 10
struct page {
	char list;      /* which list's cursors it takes: 'b' bookings, 'a' audit, 's' series,
	                 'c' closures, 'u' users */
	uint32_t limit; /* the most items shown */
	uint32_t shown;
	struct walk w; /* where the scan resumes and stops; the handler passes it to the core */
};
/* limit (1-PAGE_LIMIT_MAX, default PAGE_LIMIT_DEFAULT) and after (a cursor of this list) ->
 * H_EINVAL in words. */
enum herr page_read(struct request *r, char list, struct page *p);
/* Counts one item shown; true when the page is full and the scan should stop. */
bool page_full(struct page *p);
/* When the scan stopped early, Link: <path?query&after=...>; rel="next". */
void page_link(struct request *r, const struct page *p);

/* h_session.c: signing in and out, API tokens, the caller's own record. */
enum herr h_session_create(struct request *r);
enum herr h_session_delete(struct request *r);
enum herr h_token_create(struct request *r);
enum herr h_token_list(struct request *r);
typedef enum herr (*token_each_fn)(struct txn *t, uint64_t user_id,
                                   bool (*fn)(const struct token *tk, void *arg), void *arg);
/* GET of a list of tokens (h_token_list, h_feed_token_list): those each lists for the
 * caller, or for ?user=N when policy_list_tokens allows it. */
enum herr h_token_list_of(struct request *r, token_each_fn each);
enum herr h_token_delete(struct request *r);
enum herr h_session_get(struct request *r);
enum herr h_user_me(struct request *r);

/* h_user.c: users, for administrators (`halls user ...`). */
enum herr h_user_list(struct request *r);
enum herr h_user_create(struct request *r);
enum herr h_user_get(struct request *r);
enum herr h_user_update(struct request *r);

/* h_account.c: the caller's own account, invitations, resets and their links. */
enum herr h_user_me_update(struct request *r);
enum herr h_user_password(struct request *r);
enum herr h_invitation_create(struct request *r);
enum herr h_password_reset(struct request *r);
enum herr h_account_link_check(struct request *r);
enum herr h_account_link_use(struct request *r);

/* h_feed_token.c: private feed tokens. */
enum herr h_feed_token_create(struct request *r);
enum herr h_feed_token_list(struct request *r);
enum herr h_feed_token_delete(struct request *r);

/* h_feed.c: the iCalendar feeds, and the cache of their bytes (made by http_start, freed
 * by http_stop). */
enum herr h_feed_all(struct request *r);
enum herr h_feed_venue(struct request *r);
enum herr h_feed_room(struct request *r);
enum herr h_feed_busy(struct request *r);
enum herr h_feed_private(struct request *r);
struct feed_cache *h_feed_cache_new(void);
void h_feed_cache_free(struct feed_cache *c);

#endif
