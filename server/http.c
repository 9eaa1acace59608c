/* Listening, limits and the bytes on the wire. evhttp 2.1 has no limits, timeouts or
 * TCP_NODELAY unless asked, so every one is set here. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

/* Why a listening socket could not be had, in words for whoever starts hallsd. */
static const char *listen_hint(int e, unsigned short port)
{
	switch (e) {
	case EADDRINUSE:
		return " (another program, or another hallsd, serves there)";
	case EACCES:
		return port < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "";
	case EADDRNOTAVAIL:
		return " (no network interface of this machine has that address)";
	default:
		return "";
	}
}

/* A listening socket for host and port, or -1 with errno set (and *gai the resolver's
 * error, when that is what failed). Made here, not by evhttp_bind_socket, which keeps
 * the reason to itself. */
static evutil_socket_t listen_socket(const char *host, unsigned short port, int *gai)
{
	struct addrinfo hints, *ai = NULL;
	char service[8];
	evutil_socket_t fd;
	int one = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", port);
	*gai = getaddrinfo(host, service, &hints, &ai);
	if (*gai != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	                bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0)) {
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	e = errno;
	freeaddrinfo(ai);
	errno = e;
	return fd;
}

struct evhttp_bound_socket *http_listen(struct evhttp *http, const char *spec, const char *option)
{
	struct evhttp_bound_socket *bound;
	char host[256];
	unsigned short port;
	evutil_socket_t fd;
	int gai;

	if (split_listen(spec, host, sizeof(host), &port) != 0) {
		fprintf(stderr, "hallsd: %s wants ADDR:PORT, not %s\n", option, spec);
		return NULL;
	}
	fd = listen_socket(host, port, &gai);
	if (fd < 0 && gai != 0) {
		fprintf(stderr, "hallsd: cannot listen on %s: cannot resolve %s: %s\n", spec, host,
		        gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
		return NULL;
	}
	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "hallsd: cannot listen on %s: %s%s\n", spec, strerror(e),
		        listen_hint(e, port));
		return NULL;
	}
	bound = evhttp_accept_socket_with_handle(http, fd);
	if (bound == NULL) {
		fprintf(stderr, "hallsd: cannot listen on %s: out of memory\n", spec);
		close(fd);
	}
	return bound;
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
		srv->listeners[i] = http_listen(srv->http, srv->cfg.listen[i], "--listen");
		if (srv->listeners[i] == NULL)
			return -1;
	}
	return metrics_start(srv);
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
	metrics_stop(srv);
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

static int64_t now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
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
	int64_t took;

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
	took = now_us() - r->started_us;
	access_log(r, status, len, took);
	metrics_request(r->srv->metrics, metrics_route_label(r->srv->metrics, r, status),
	                r->refusal ? 0 : (int)r->method, status, took);
	if (r->limit != LIMIT_NONE)
		r->srv->metrics->refusals[r->limit]++;
	evhttp_send_reply(r->req, status, reason, out);
	evbuffer_free(out);
}
