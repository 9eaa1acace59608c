/* Listening, limits and the bytes on the wire. evhttp 2.1 has no limits, timeouts or
 * TCP_NODELAY unless asked, so every one is set here. */
#include "server.h"

#include "text.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static int split_listen(const char *spec, char *host, size_t size, unsigned short *port)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long p;
	size_t n;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p <= 0 || p > 65535)
		return -1;
	n = (size_t)(colon - spec);
	if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') {
		spec++;
		n -= 2;
	}
	if (n == 0 || n >= size)
		return -1;
	memcpy(host, spec, n);
	host[n] = '\0';
	*port = (unsigned short)p;
	return 0;
}

int http_start(struct server *srv)
{
	struct timeval tv = {srv->cfg.timeout_s, 0};

	srv->http = evhttp_new(srv->base);
	if (srv->http == NULL)
		return -1;
	srv->feeds = h_feed_cache_new();
	/* conn.c answers the limits first, in JSON; evhttp's own, set above them, are the
	 * backstop for what the guard cannot hold back. */
	evhttp_set_max_headers_size(srv->http, (ev_ssize_t)srv->cfg.max_headers * 2);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)srv->cfg.max_body);
	evhttp_set_bevcb(srv->http, conn_accept, srv);
	evhttp_set_timeout_tv(srv->http, &tv);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
	                                          EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
	                                          EVHTTP_REQ_PUT | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(srv->http, router_dispatch, srv);
	srv->accepting = true;
	for (size_t i = 0; i < srv->cfg.nlisten; i++) {
		char host[256];
		unsigned short port;

		if (split_listen(srv->cfg.listen[i], host, sizeof(host), &port) != 0) {
			fprintf(stderr, "hallsd: --listen wants ADDR:PORT, not %s\n",
			        srv->cfg.listen[i]);
			return -1;
		}
		srv->listeners[i] = evhttp_bind_socket_with_handle(srv->http, host, port);
		if (srv->listeners[i] == NULL) {
			fprintf(stderr, "hallsd: cannot listen on %s\n", srv->cfg.listen[i]);
			return -1;
		}
	}
	return 0;
}

void http_drain(struct server *srv)
{
	if (srv->stopping) {
		/* Asked twice: stop now. */
		event_base_loopbreak(srv->base);
		return;
	}
	srv->stopping = true;
	for (size_t i = 0; i < srv->cfg.nlisten; i++)
		if (srv->listeners[i] != NULL)
			evhttp_del_accept_socket(srv->http, srv->listeners[i]);
	http_exit_when_idle(srv);
}

void http_exit_when_idle(struct server *srv)
{
	/* Long enough for replies just handed to evhttp to reach the sockets. */
	struct timeval flush = {0, 200 * 1000};

	if (srv->stopping && srv->deferred == 0)
		event_base_loopexit(srv->base, &flush);
}

void http_stop(struct server *srv)
{
	if (srv->http != NULL)
		evhttp_free(srv->http);
	srv->http = NULL;
	h_feed_cache_free(srv->feeds);
	srv->feeds = NULL;
}

/* On every reply hallsd makes, refusals included. nosniff: a feed or a problem body is
 * never run as a script or a page whatever a browser guesses. Under TLS, HSTS for a year
 * (the common preload minimum), without includeSubDomains: hallsd cannot know what else
 * runs under its domain. */
static void security_headers(const struct server *srv, struct evkeyvalq *h)
{
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (srv->tls != NULL)
		evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
}

void http_send(struct request *r, int status, const char *content_type, const char *body,
               size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
	struct evbuffer *out = evbuffer_new();
	static const char *const reasons[][2] = {
	    {"200", "OK"},
	    {"201", "Created"},
	    {"202", "Accepted"},
	    {"204", "No Content"},
	    {"304", "Not Modified"},
	    {"400", "Bad Request"},
	    {"401", "Unauthorized"},
	    {"403", "Forbidden"},
	    {"404", "Not Found"},
	    {"405", "Method Not Allowed"},
	    {"408", "Request Timeout"},
	    {"409", "Conflict"},
	    {"410", "Gone"},
	    {"411", "Length Required"},
	    {"413", "Payload Too Large"},
	    {"415", "Unsupported Media Type"},
	    {"422", "Unprocessable Content"},
	    {"429", "Too Many Requests"},
	    {"431", "Request Header Fields Too Large"},
	    {"501", "Not Implemented"},
	    {"500", "Internal Server Error"},
	    {"503", "Service Unavailable"},
	};
	const char *reason = "OK";
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i][0], code) == 0)
			reason = reasons[i][1];
	if (content_type != NULL)
		evhttp_add_header(h, "Content-Type", content_type);
	security_headers(r->srv, h);
	/* Only feeds and the pages' files may be kept (request.cache_control); the API's
	 * answers are per caller. */
	evhttp_add_header(h, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
	if (body != NULL && r->method != EVHTTP_REQ_HEAD && body == r->raw && r->raw_release) {
		/* A cached feed goes out by reference: no copy of its bytes per request. */
		evbuffer_add_reference(out, body, len, r->raw_release, r->raw_arg);
		r->raw_handed = true;
	} else if (body != NULL && r->method != EVHTTP_REQ_HEAD) {
		evbuffer_add(out, body, len);
	}
	if (body != NULL && r->method == EVHTTP_REQ_HEAD) {
		/* HEAD tells the length GET would send (RFC 9110 9.3.2); evhttp would say 0. */
		char n[24];

		snprintf(n, sizeof(n), "%zu", len);
		evhttp_add_header(h, "Content-Length", n);
	}
	/* Logged first: when the client has gone, evhttp_send_reply frees the request. */
	access_log(r, status, len);
	evhttp_send_reply(r->req, status, reason, out);
	evbuffer_free(out);
}

void access_log(struct request *r, int status, size_t bytes)
{
	struct evhttp_connection *con = evhttp_request_get_connection(r->req);
	char *peer = NULL, when[32];
	/* Each byte may become "\xHH". */
	char path[4 * PATH_MAX_BYTES + 4];
	ev_uint16_t port = 0;
	struct timeval tv;
	struct tm tm;

	if (con != NULL)
		evhttp_connection_get_peer(con, &peer, &port);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The canonical path, never the query string or headers: no secret is logged. The
	 * path is the client's bytes: control characters and bytes that are not UTF-8 are
	 * escaped, so a line can be neither forged nor turned into terminal escapes. */
	text_quote(path, sizeof(path), r->path[0] ? r->path : "-", sizeof(path) - 1);
	fprintf(r->srv->log, "%s %s %s %s %d %zu %lld\n", when, peer ? peer : "-",
	        r->refusal                        ? "-"
	        : r->method == EVHTTP_REQ_GET     ? "GET"
	        : r->method == EVHTTP_REQ_POST    ? "POST"
	        : r->method == EVHTTP_REQ_PATCH   ? "PATCH"
	        : r->method == EVHTTP_REQ_DELETE  ? "DELETE"
	        : r->method == EVHTTP_REQ_HEAD    ? "HEAD"
	        : r->method == EVHTTP_REQ_PUT     ? "PUT"
	        : r->method == EVHTTP_REQ_OPTIONS ? "OPTIONS"
	                                          : "OTHER",
	        path, status, bytes,
	        (long long)((int64_t)tv.tv_sec * 1000000 + tv.tv_usec - r->started_us));
	fflush(r->srv->log);
}
