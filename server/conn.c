/* Connections: how many are open, TLS, and the limits evhttp 2.1 cannot answer in JSON.
 *
 * evhttp 2.1 has no connection cap and no hook to build one, and when a request is over
 * its size limits it answers with its own HTML page. So every accepted connection gets a
 * guard (struct conn) that reads the request stream as it arrives, before evhttp does:
 *
 * - It follows the framing of each request: the head up to its empty line, judged by
 *   frame_head (frame.c) on rules evhttp cannot read differently, then Content-Length
 *   bytes of body. A head that breaks them is refused (400, 411, 413, 431, 501).
 * - While a head is incomplete at the front of the input, the input's front is frozen,
 *   so evhttp sees the head only once it is complete and passed.
 * - A request over a limit, a head that takes longer than the timeout, or a connection
 *   over the cap is refused by replacing what evhttp would read with a small internal
 *   request, GET /<secret>/<code>. The router answers it like any other request, with a
 *   problem+json body and "Connection: close", so every reply is sent and logged in one
 *   place. The secret is random per process: no client can ask for such a path.
 * - A head pipelined behind another request is judged as it arrives too; once the
 *   requests before it are read, it is at the front and held back like any other. A
 *   refusal keeps the requests before the refused head, so they are answered first, and
 *   drops the refused head and all after it.
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

#include "frame.h"

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
	CONN_HEAD,     /* waiting for a head, at head_at, to be complete */
	CONN_BODY,     /* following body_left more bytes of a body, from scan */
	CONN_REFUSED,  /* answered by a refusal; what the client sends is dropped */
	CONN_UNGUARDED /* framing lost (evhttp read part of a head not judged): evhttp alone */
};

struct conn {
	struct server *srv;
	struct bufferevent *bev;
	struct evbuffer_cb_entry *watch;
	struct event *deadline; /* the current request must have arrived by then */
	enum conn_state state;
	enum herr refuse_pending; /* H_OK, or a refusal to make once the connection is set up */
	int linger_fd;            /* refused: a duplicate of the socket, to linger on */
	bool frozen;              /* the input's front, while the head there arrives */
	bool head_more;           /* the head at head_at was judged incomplete */
	bool injecting;           /* our own change to the input: not client bytes */
	size_t injected;          /* refused: bytes evhttp must still read (ours included) */
	size_t head_at;           /* CONN_HEAD: where the current head starts in the input */
	size_t scan;              /* CONN_BODY: bytes of input already followed */
	uint64_t body_left;
};

static void conn_refuse(struct conn *c, enum frame_why why, enum herr code, bool in_read);

static void deadline_arm(struct conn *c)
{
	struct timeval tv = {c->srv->cfg.timeout_s, 0};

	if (!evtimer_pending(c->deadline, NULL))
		evtimer_add(c->deadline, &tv);
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

/* The next request starts at offset at: a head, with nothing of it judged yet. */
static void head_next(struct conn *c, size_t at)
{
	c->state = CONN_HEAD;
	c->head_at = at;
	c->head_more = false;
	c->body_left = 0;
}

/* An incomplete head at the front is held back from evhttp until it is complete, and
 * must be complete within the timeout. */
static void head_hold(struct conn *c, struct evbuffer *in)
{
	if (c->state != CONN_HEAD || c->head_at != 0 || !c->head_more)
		return;
	input_freeze(c, in, true);
	deadline_arm(c);
}

/* Judges the head at head_at (frame.c), on a contiguous view of at most the bytes the
 * rules may read. libevent refuses to rearrange a buffer whose front is frozen, so the
 * guard lifts its own freeze for the pullup. */
static void head_judge(struct conn *c, struct evbuffer *in, struct frame *f)
{
	const struct server_config *cfg = &c->srv->cfg;
	struct frame_limits lim = {cfg->max_headers, cfg->max_body};
	size_t avail = evbuffer_get_length(in) - c->head_at;
	size_t n = avail < cfg->max_headers + 1 ? avail : cfg->max_headers + 1;
	const unsigned char *bytes;

	evbuffer_unfreeze(in, 1);
	bytes = evbuffer_pullup(in, (ev_ssize_t)(c->head_at + n));
	if (c->frozen)
		evbuffer_freeze(in, 1);
	/* Past max_headers + 1 bytes the verdict cannot change: over the limit is over. */
	frame_head((const char *)bytes + c->head_at, n, &lim, f);
}

/* evhttp parses the target of a head the rules passed; one it cannot parse would get
 * evhttp's own 400, unlogged and in HTML, so the guard asks first and refuses it. */
static bool target_parses(struct evbuffer *in, size_t at, size_t len)
{
	struct evbuffer_ptr p;
	struct evhttp_uri *uri;
	char *target = xmalloc(len + 1);
	bool ok;

	evbuffer_unfreeze(in, 1);
	evbuffer_ptr_set(in, &p, at, EVBUFFER_PTR_SET);
	evbuffer_copyout_from(in, &p, target, len);
	target[len] = '\0';
	uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
	ok = uri != NULL;
	if (ok)
		evhttp_uri_free(uri);
	free(target);
	return ok;
}

/* Follows the framing over the bytes added since the last call; false once refused. */
static bool conn_follow(struct conn *c, struct evbuffer *in)
{
	for (;;) {
		size_t avail = evbuffer_get_length(in);
		struct frame f;

		if (c->state == CONN_BODY) {
			size_t n = avail - c->scan;

			if (n > c->body_left)
				n = (size_t)c->body_left;
			c->scan += n;
			c->body_left -= n;
			if (c->body_left > 0)
				return true;
			evtimer_del(c->deadline);
			head_next(c, c->scan);
			continue;
		}
		if (c->state != CONN_HEAD || c->head_at >= avail)
			return true;
		head_judge(c, in, &f);
		if (f.verdict == FRAME_MORE) {
			c->head_more = true;
			head_hold(c, in);
			return true;
		}
		if (f.verdict == FRAME_DONE &&
		    !target_parses(in, c->head_at + f.target_at, f.target_len))
			f.verdict = FRAME_REFUSE, f.why = FRAME_REQUEST_LINE;
		if (f.verdict == FRAME_REFUSE) {
			conn_refuse(c, f.why, frame_why_code(f.why), true);
			return false;
		}
		/* Complete and well formed: evhttp may read it. */
		c->head_more = false;
		if (c->head_at == 0)
			input_freeze(c, in, false);
		if (f.body_len > 0) {
			c->state = CONN_BODY;
			c->scan = c->head_at + f.head_len;
			c->body_left = f.body_len;
			/* The body too must be in within the timeout (evhttp's own only
			 * counts silence, so a trickle would go on for ever). */
			deadline_arm(c);
		} else {
			evtimer_del(c->deadline);
			head_next(c, c->head_at + f.head_len);
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

/* evhttp reads from the front, so what it took shifts the guard's offsets. False when it
 * took bytes of a head the guard has not passed: the framing is evhttp's alone then (it
 * cannot happen while the rules and evhttp agree, as a head at the front is frozen). */
static bool input_taken(struct conn *c, size_t n)
{
	if (c->state == CONN_BODY) {
		c->scan -= n < c->scan ? n : c->scan;
		return true;
	}
	if (n > c->head_at) {
		c->state = CONN_UNGUARDED;
		input_freeze(c, bufferevent_get_input(c->bev), false);
		return false;
	}
	c->head_at -= n;
	return true;
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
	if (c->state == CONN_UNGUARDED || !input_taken(c, info->n_deleted))
		return;
	if (c->refuse_pending != H_OK) {
		conn_refuse(c, FRAME_OK, c->refuse_pending, true);
		return;
	}
	if (info->n_added > 0)
		conn_follow(c, in);
	else
		head_hold(c, in); /* a pipelined head, incomplete, may now be at the front */
}

/* Drops what follows the first keep bytes of the input. */
static void input_cut(struct evbuffer *in, size_t keep)
{
	struct evbuffer *kept = keep > 0 ? evbuffer_new() : NULL;

	if (keep > 0 && (kept == NULL || evbuffer_remove_buffer(in, kept, keep) != (int)keep))
		fatal("cannot refuse a request (out of memory)");
	evbuffer_drain(in, evbuffer_get_length(in));
	if (kept != NULL) {
		evbuffer_add_buffer(in, kept);
		evbuffer_free(kept);
	}
}

/* Replaces the refused request, and all after it, with the internal request that makes
 * the router send the refusal; the requests before it (pipelined) are still answered
 * first. Outside a read (in_read false), evhttp is told to read it now. */
static void conn_refuse(struct conn *c, enum frame_why why, enum herr code, bool in_read)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t keep = c->state == CONN_HEAD ? c->head_at : 0;
	char line[160];

	if (c->state == CONN_UNGUARDED || c->state == CONN_REFUSED)
		return;
	input_freeze(c, in, false);
	evtimer_del(c->deadline);
	deadline_arm(c);
	if (c->linger_fd < 0 && bufferevent_getfd(c->bev) >= 0)
		c->linger_fd = dup(bufferevent_getfd(c->bev));
	c->state = CONN_REFUSED;
	c->refuse_pending = H_OK;
	snprintf(line, sizeof(line), "GET %s/%d/%d HTTP/1.1\r\nHost: halls\r\n\r\n",
	         c->srv->refusal_prefix, (int)code, (int)why);
	c->injecting = true;
	/* A socket bufferevent keeps its input's end frozen between its own reads. */
	evbuffer_unfreeze(in, 0);
	input_cut(in, keep);
	evbuffer_add(in, line, strlen(line));
	c->injected = keep + strlen(line);
	if (!in_read && c->srv->tls == NULL)
		evbuffer_freeze(in, 0);
	c->injecting = false;
	if (!in_read)
		bufferevent_trigger(c->bev, EV_READ, 0);
}

/* A request cut off gets no reply, so no line from the router: it is counted and logged
 * here, with the client's address as evhttp has it, and how long it had been arriving
 * (the deadline, armed when it began, is due now or has just fired). */
static void conn_cut_logged(struct conn *c)
{
	struct timeval at, now;
	int64_t micros = (int64_t)c->srv->cfg.timeout_s * 1000000;
	void *evcon = NULL;
	char *peer = NULL;
	ev_uint16_t port;

	if (evtimer_pending(c->deadline, &at)) {
		event_base_gettimeofday_cached(bufferevent_get_base(c->bev), &now);
		micros -= ((int64_t)at.tv_sec - now.tv_sec) * 1000000 + (at.tv_usec - now.tv_usec);
	}
	bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &peer, &port);
	c->srv->metrics->refusals[LIMIT_TIMEOUT]++;
	access_log_cut(c->srv, peer, LIMIT_TIMEOUT, micros);
}

/* The request did not arrive in time: a slow head is answered 408; a slow body is cut
 * off (evhttp is reading it and cannot take a reply in between), and so is a refused
 * connection still lingering. */
static void conn_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->state == CONN_BODY)
		conn_cut_logged(c);
	if (c->state == CONN_HEAD && c->frozen)
		conn_refuse(c, FRAME_OK, H_ETIMEOUT, false);
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

/* Whether the deadline is due, give or take DEADLINE_SLACK_US: evhttp's own timeout,
 * which counts silence from the last read, fires a moment before it on a request that
 * went silent at once, and closes the connection first. */
#define DEADLINE_SLACK_US 100000
static bool deadline_due(struct conn *c)
{
	struct timeval at, now;

	if (!evtimer_pending(c->deadline, &at))
		return false;
	event_base_gettimeofday_cached(bufferevent_get_base(c->bev), &now);
	return ((int64_t)at.tv_sec - now.tv_sec) * 1000000 + (at.tv_usec - now.tv_usec) <=
	       DEADLINE_SLACK_US;
}

static void conn_on_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;

	(void)evcon;
	/* Cut off by evhttp's timeout rather than ours: the same limit, logged the same. */
	if ((c->state == CONN_BODY || (c->state == CONN_HEAD && c->frozen)) && deadline_due(c))
		conn_cut_logged(c);
	conn_free(c);
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
		conn_refuse(c, FRAME_OK, c->refuse_pending, false);
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
	srv->metrics->connections_total++;
	if (++srv->connections > srv->cfg.max_connections)
		c->refuse_pending = H_EBUSY;
	if (srv->connections >= srv->cfg.max_connections + CONN_OVER_CAP(srv->cfg.max_connections))
		listeners_enable(srv, false);
	bufferevent_incref(c->bev);
	if (event_base_once(base, -1, EV_TIMEOUT, conn_attach, c, &now) != 0)
		fatal("cannot set up a connection");
	return c->bev;
}
