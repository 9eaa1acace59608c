/* Connections: how many are open, TLS, and the limits evhttp 2.1 cannot answer in JSON.
 *
 * evhttp 2.1 has no connection cap and no hook to build one, and when a request is over
 * its size limits it answers with its own HTML page. So every accepted connection gets a
 * guard (struct conn) that reads the request stream as it arrives, before evhttp does:
 *
 * - It follows the framing of each request (the head up to its empty line, then
 *   Content-Length bytes of body) without copying anything.
 * - While a head is arriving at the front of the input, the input's front is frozen, so
 *   evhttp sees the head only once it is complete and within the limits.
 * - A request over a limit, a head that takes longer than the timeout, or a connection
 *   over the cap is refused by replacing what evhttp would read with a small internal
 *   request, GET /<secret>/<code>. The router answers it like any other request, with a
 *   problem+json body and "Connection: close", so every reply is sent and logged in one
 *   place. The secret is random per process: no client can ask for such a path.
 * - A head that is not at the front (a request pipelined behind another in the same
 *   read) cannot be held back; evhttp's own limits, set above ours, still apply to it.
 *
 * A refusal says "Connection: close", and evhttp closes the connection once the reply is
 * written. The client may still be sending (the body of a 413), and closing a socket with
 * unread data resets it, which can destroy the reply before the client reads it. So the
 * guard keeps a duplicate of the socket: evhttp's close only half-closes it (FIN after
 * the reply), and the guard reads and drops what still arrives until the client closes
 * or LINGER_SECONDS pass (lingering close, as Apache and nginx do).
 *
 * A guard lives as long as its evhttp connection: the connection's close callback frees
 * it and counts the connection out (after the lingering, if any). Past the cap, new
 * connections are answered 503; well past it, the listeners stop accepting until the
 * count falls, so that a flood cannot use up the process's file descriptors. */
#include "server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <event2/listener.h>
#include <sys/socket.h>
#include <unistd.h>

/* Large feeds go out in one pass instead of libevent 2.1's default 16 KiB a loop turn. */
#define MAX_SINGLE_WRITE (256 * 1024)
/* How long a refused connection is read and ignored after its reply (lingering close). */
#define LINGER_SECONDS 5

enum conn_state {
	CONN_HEAD,     /* reading a request line and headers */
	CONN_BODY,     /* reading body_left more bytes of a body */
	CONN_REFUSED,  /* answered by a refusal; what the client sends is dropped */
	CONN_UNGUARDED /* framing lost (a pipelined head over a limit): evhttp alone */
};

struct conn {
	struct server *srv;
	struct bufferevent *bev;
	struct evbuffer_cb_entry *watch;
	struct event *deadline; /* the current request must have arrived by then */
	enum conn_state state;
	enum herr refuse_pending; /* H_OK, or a refusal to make once the connection is set up */
	int linger_fd;            /* refused: a duplicate of the socket, to linger on */
	bool guarded;             /* the current head arrived at the front and is held */
	bool frozen;              /* the input's front, while a guarded head arrives */
	bool injecting;           /* our own change to the input: not client bytes */
	size_t injected;          /* refused: bytes of the internal request evhttp has not read */
	size_t scan;              /* bytes of input already read by the guard */
	size_t head_bytes;        /* of the current head, scanned lines only */
	size_t head_lines;
	bool chunked;
	bool no_body; /* HEAD: evhttp reads no body, whatever the headers say */
	uint64_t length;
	uint64_t body_left;
};

static void conn_refuse(struct conn *c, enum herr code, bool in_read);

static void deadline_arm(struct conn *c)
{
	struct timeval tv = {c->srv->cfg.timeout_s, 0};

	if (!evtimer_pending(c->deadline, NULL))
		evtimer_add(c->deadline, &tv);
}

static void head_reset(struct conn *c)
{
	c->state = CONN_HEAD;
	c->head_bytes = c->head_lines = 0;
	c->chunked = c->no_body = false;
	c->length = c->body_left = 0;
	evtimer_del(c->deadline);
}

static void input_freeze(struct conn *c, struct evbuffer *in, bool on)
{
	if (on == c->frozen)
		return;
	if (on)
		evbuffer_freeze(in, 1);
	else
		evbuffer_unfreeze(in, 1);
	c->frozen = on;
}

/* Content-Length and Transfer-Encoding are all the guard needs of a header line. */
static void head_line(struct conn *c, struct evbuffer *in, struct evbuffer_ptr *at, size_t len)
{
	char line[96];
	size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;

	/* libevent refuses to copy out of a buffer whose front is frozen, even without
	 * draining it: the guard lifts its own freeze for the copy. */
	evbuffer_unfreeze(in, 1);
	evbuffer_copyout_from(in, at, line, n);
	if (c->frozen)
		evbuffer_freeze(in, 1);
	line[n] = '\0';
	if (strncasecmp(line, "Transfer-Encoding:", 18) == 0) {
		c->chunked = true;
	} else if (strncasecmp(line, "Content-Length:", 15) == 0) {
		char *p = line + 15, *end;
		unsigned long long v;

		while (*p == ' ' || *p == '\t')
			p++;
		v = strtoull(p, &end, 10);
		/* A malformed length is evhttp's to refuse; the guard only needs the size. */
		if (end != p && v > c->length)
			c->length = v;
	}
}

/* evhttp reads no body for HEAD (nor TRACE, which it does not serve), so the guard must
 * not wait for one either, or it would count the next request as body. */
static void request_line(struct conn *c, struct evbuffer *in, struct evbuffer_ptr *at, size_t len)
{
	char method[6] = {0};

	if (len < 5)
		return;
	evbuffer_unfreeze(in, 1);
	evbuffer_copyout_from(in, at, method, 5);
	if (c->frozen)
		evbuffer_freeze(in, 1);
	c->no_body = strcmp(method, "HEAD ") == 0 || strcmp(method, "TRACE") == 0;
}

/* The head is complete: refuse it, or let evhttp have it and expect its body. */
static void head_done(struct conn *c, struct evbuffer *in)
{
	const struct server_config *cfg = &c->srv->cfg;

	if (c->no_body)
		c->length = 0;
	else if (c->chunked) {
		conn_refuse(c, H_ELENGTH, true);
		return;
	}
	if (c->length > cfg->max_body) {
		conn_refuse(c, H_ETOOLARGE, true);
		return;
	}
	input_freeze(c, in, false);
	if (c->length > 0) {
		c->state = CONN_BODY;
		c->body_left = c->length;
	} else {
		head_reset(c);
	}
}

/* Scans the unscanned lines of a head; false when more bytes are needed. */
static bool head_scan(struct conn *c, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in);

	if (c->head_lines == 0 && c->head_bytes == 0 && c->scan < avail) {
		/* A new request starts here. Only one at the front can be held back. */
		c->guarded = c->scan == 0;
		if (c->guarded) {
			input_freeze(c, in, true);
			deadline_arm(c);
		}
	}
	while (c->scan < avail) {
		struct evbuffer_ptr at, eol;
		size_t eol_len = 0, len;

		evbuffer_ptr_set(in, &at, c->scan, EVBUFFER_PTR_SET);
		eol = at;
		eol = evbuffer_search_eol(in, &eol, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0)
			break;
		len = (size_t)eol.pos - c->scan;
		c->scan += len + eol_len;
		c->head_bytes += len + eol_len;
		if (c->head_bytes > c->srv->cfg.max_headers) {
			conn_refuse(c, H_EHEADERS, true);
			return false;
		}
		if (len == 0 && c->head_lines > 0) {
			head_done(c, in);
			return c->state != CONN_REFUSED;
		}
		if (len > 0 && c->head_lines++ > 0)
			head_line(c, in, &at, len);
		else if (len > 0)
			request_line(c, in, &at, len);
	}
	if (c->head_bytes + (avail - c->scan) > c->srv->cfg.max_headers)
		conn_refuse(c, H_EHEADERS, true);
	return false;
}

/* Follows the framing over the bytes added since the last call. */
static void conn_follow(struct conn *c, struct evbuffer *in)
{
	for (;;) {
		size_t avail = evbuffer_get_length(in);

		if (c->state == CONN_HEAD) {
			if (!head_scan(c, in))
				return;
		} else if (c->state == CONN_BODY) {
			size_t n = avail - c->scan;

			if (n == 0)
				return;
			if (n > c->body_left)
				n = (size_t)c->body_left;
			c->scan += n;
			c->body_left -= n;
			if (c->body_left == 0)
				head_reset(c);
		} else {
			return;
		}
	}
}

/* After a refusal the client may still be sending (the body of a 413, the rest of a
 * head). Closing at once would reset the connection and could destroy the reply before
 * the client reads it, so the connection lingers: what arrives is dropped unseen until
 * the client closes or the timeout passes (conn_on_deadline). */
static void conn_discard(struct conn *c, struct evbuffer *in, const struct evbuffer_cb_info *info)
{
	c->injected -= info->n_deleted < c->injected ? info->n_deleted : c->injected;
	/* Until evhttp has read the internal request, what follows it stays (evhttp stops
	 * reading after that request; TLS adds each record separately, so the request may
	 * still be unread when the next one arrives). */
	if (info->n_added == 0 || c->injected > 0)
		return;
	c->injecting = true;
	evbuffer_drain(in, evbuffer_get_length(in));
	c->injecting = false;
}

static void conn_on_input(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;

	if (c->injecting)
		return;
	if (c->state == CONN_REFUSED) {
		conn_discard(c, in, info);
		return;
	}
	if (c->state == CONN_UNGUARDED)
		return;
	/* evhttp reads from the front, so what it took shifts what the guard has scanned. */
	c->scan -= info->n_deleted < c->scan ? info->n_deleted : c->scan;
	if (info->n_added == 0)
		return;
	if (c->refuse_pending != H_OK) {
		conn_refuse(c, c->refuse_pending, true);
		return;
	}
	conn_follow(c, in);
}

/* Replaces the input with the internal request that makes the router send the refusal.
 * Outside a read (in_read false), evhttp is told to read it now. */
static void conn_refuse(struct conn *c, enum herr code, bool in_read)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	char line[128];

	if (!c->guarded && c->refuse_pending == H_OK) {
		/* evhttp already has part of this request; its own limits will answer. */
		c->state = CONN_UNGUARDED;
		return;
	}
	input_freeze(c, in, false);
	evtimer_del(c->deadline);
	deadline_arm(c);
	if (c->linger_fd < 0 && bufferevent_getfd(c->bev) >= 0)
		c->linger_fd = dup(bufferevent_getfd(c->bev));
	c->state = CONN_REFUSED;
	c->refuse_pending = H_OK;
	snprintf(line, sizeof(line), "GET %s/%d HTTP/1.1\r\nHost: halls\r\n\r\n",
	         c->srv->refusal_prefix, (int)code);
	c->injecting = true;
	evbuffer_drain(in, evbuffer_get_length(in));
	/* A socket bufferevent keeps its input's end frozen between its own reads. */
	evbuffer_unfreeze(in, 0);
	evbuffer_add(in, line, strlen(line));
	c->injected = strlen(line);
	if (!in_read && c->srv->tls == NULL)
		evbuffer_freeze(in, 0);
	c->injecting = false;
	if (!in_read)
		bufferevent_trigger(c->bev, EV_READ, 0);
}

/* The request did not arrive in time: a slow head is answered 408; a slow body is cut
 * off (evhttp is reading it and cannot take a reply in between), and so is a refused
 * connection still lingering. */
static void conn_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CONN_HEAD && c->frozen)
		conn_refuse(c, H_ETIMEOUT, false);
	else if (c->state == CONN_BODY || c->state == CONN_REFUSED)
		bufferevent_trigger_event(c->bev, BEV_EVENT_READING | BEV_EVENT_TIMEOUT,
		                          BEV_TRIG_DEFER_CALLBACKS);
}

/* Stops or restarts accepting: well past the cap, a flood must not use up the file
 * descriptors (accept() would then fail in a busy loop). */
static void listeners_enable(struct server *srv, bool on)
{
	if (srv->stopping || srv->accepting == on)
		return;
	for (size_t i = 0; i < srv->cfg.nlisten; i++) {
		struct evconnlistener *l =
		    srv->listeners[i] ? evhttp_bound_socket_get_listener(srv->listeners[i]) : NULL;

		if (l != NULL && on)
			evconnlistener_enable(l);
		else if (l != NULL)
			evconnlistener_disable(l);
	}
	srv->accepting = on;
}

static void conn_count_out(struct server *srv)
{
	srv->connections--;
	if (srv->connections < srv->cfg.max_connections)
		listeners_enable(srv, true);
}

struct lingerer {
	struct server *srv;
	int fd;
	struct event *ev;
	struct lingerer *next, **prev; /* in srv->lingering */
};

static void linger_end(struct lingerer *l)
{
	*l->prev = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	event_free(l->ev);
	close(l->fd);
	conn_count_out(l->srv);
	free(l);
}

static void linger_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct lingerer *l = arg;
	char scratch[4096];
	ssize_t n = 1;

	while (what & EV_READ) {
		n = recv(fd, scratch, sizeof(scratch), 0);
		if (n <= 0)
			break;
	}
	if ((what & EV_TIMEOUT) || n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
		linger_end(l);
}

static void linger_start(struct server *srv, int fd)
{
	struct lingerer *l = xcalloc(1, sizeof(*l));
	struct timeval tv = {LINGER_SECONDS, 0};

	l->srv = srv;
	l->fd = fd;
	l->ev = event_new(srv->base, fd, EV_READ | EV_PERSIST, linger_on_read, l);
	if (l->ev == NULL)
		fatal("cannot linger on a connection (out of memory)");
	l->next = srv->lingering;
	l->prev = &srv->lingering;
	if (l->next != NULL)
		l->next->prev = &l->next;
	srv->lingering = l;
	evutil_make_socket_nonblocking(fd);
	event_add(l->ev, &tv);
}

void conn_lingering_free(struct server *srv)
{
	while (srv->lingering != NULL)
		linger_end(srv->lingering);
}

static void conn_free(struct conn *c)
{
	if (c->watch != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->watch);
	event_free(c->deadline);
	if (c->linger_fd >= 0 && !c->srv->stopping)
		linger_start(c->srv, c->linger_fd);
	else {
		if (c->linger_fd >= 0)
			close(c->linger_fd);
		conn_count_out(c->srv);
	}
	free(c);
}

static void conn_on_close(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	conn_free(arg);
}

/* One loop turn after the accept, evhttp has wrapped the bufferevent in its connection
 * (the callbacks' argument); the guard then follows that connection's life. The extra
 * reference taken at accept keeps the bufferevent readable if the connection is
 * already gone. */
static void conn_attach(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct bufferevent *bev = c->bev;
	void *evcon = NULL;
	int one = 1;

	(void)fd;
	(void)what;
	bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
	if (evcon == NULL) {
		conn_free(c);
		bufferevent_decref(bev);
		return;
	}
	evhttp_connection_set_closecb(evcon, conn_on_close, c);
	if (bufferevent_getfd(bev) >= 0)
		setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->refuse_pending != H_OK)
		conn_refuse(c, c->refuse_pending, false);
	bufferevent_decref(bev);
}

struct bufferevent *conn_accept(struct event_base *base, void *arg)
{
	struct server *srv = arg;
	struct conn *c = xcalloc(1, sizeof(*c));
	struct timeval now = {0, 0};

	if (srv->tls != NULL) {
		SSL *ssl = SSL_new(srv->tls);

		if (ssl == NULL)
			fatal("cannot start a TLS session (out of memory)");
		c->bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
		                                        BEV_OPT_CLOSE_ON_FREE);
		/* Clients often close without a TLS close_notify; that is an end, not an error. */
		if (c->bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else {
		c->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (c->bev == NULL)
		fatal("cannot set up a connection (out of memory)");
	c->srv = srv;
	c->linger_fd = -1;
	c->deadline = evtimer_new(base, conn_on_deadline, c);
	c->watch = evbuffer_add_cb(bufferevent_get_input(c->bev), conn_on_input, c);
	if (c->deadline == NULL || c->watch == NULL)
		fatal("cannot set up a connection (out of memory)");
	bufferevent_set_max_single_write(c->bev, MAX_SINGLE_WRITE);
	if (++srv->connections > srv->cfg.max_connections)
		c->refuse_pending = H_EBUSY;
	if (srv->connections >= srv->cfg.max_connections + CONN_OVER_CAP(srv->cfg.max_connections))
		listeners_enable(srv, false);
	bufferevent_incref(c->bev);
	if (event_base_once(base, -1, EV_TIMEOUT, conn_attach, c, &now) != 0)
		fatal("cannot set up a connection");
	return c->bev;
}
