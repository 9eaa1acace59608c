/* The one general callback: canonicalise the path, find the route, authenticate, parse
 * the body, run the handler, and send the single reply. */
#include "server.h"
#include "web.h"

#include "frame.h"
#include "problem.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const struct route routes[] = {
    {EVHTTP_REQ_GET, "/healthz", h_health, NULL, 0},
    {EVHTTP_REQ_POST, "/api/v1/session", h_session_create, NULL, ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/session", h_session_get, NULL, 0},
    {EVHTTP_REQ_DELETE, "/api/v1/session", h_session_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/tokens", h_token_list, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/tokens", h_token_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/tokens/<id>", h_token_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/users/me", h_user_me, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_PATCH, "/api/v1/users/me", h_user_me_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/users/me/password", h_user_password, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/invitations", h_invitation_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/password-resets", h_password_reset, NULL, ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/account-links/check", h_account_link_check, NULL, ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/account-links/use", h_account_link_use, NULL, ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/users", h_user_list, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/users", h_user_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/users/<id>", h_user_get, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_PATCH, "/api/v1/users/<id>", h_user_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/users/<id>", h_record_delete, &kind_user, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/feed-tokens", h_feed_token_list, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/feed-tokens", h_feed_token_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/feed-tokens/<id>", h_feed_token_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/venues", h_record_list, &kind_venue, 0},
    {EVHTTP_REQ_POST, "/api/v1/venues", h_record_create, &kind_venue, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/venues/<id>", h_record_get, &kind_venue, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/venues/<id>", h_record_update, &kind_venue,
     ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/venues/<id>", h_record_delete, &kind_venue, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/rooms", h_room_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/rooms", h_record_create, &kind_room, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/rooms/<id>", h_record_get, &kind_room, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/rooms/<id>", h_record_update, &kind_room, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/rooms/<id>", h_record_delete, &kind_room, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/groups", h_record_list, &kind_group, 0},
    {EVHTTP_REQ_POST, "/api/v1/groups", h_record_create, &kind_group, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/groups/<id>", h_record_get, &kind_group, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/groups/<id>", h_record_update, &kind_group,
     ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/groups/<id>", h_record_delete, &kind_group, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/rooms/<id>/availability", h_room_availability, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_GET, "/api/v1/rules", h_rules, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_GET, "/api/v1/venues/<id>/availability", h_venue_availability, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_GET, "/api/v1/bookings", h_booking_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/bookings", h_booking_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/bookings/<id>", h_booking_get, NULL, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/bookings/<id>", h_booking_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/bookings/<id>/approve", h_booking_approve, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_POST, "/api/v1/bookings/<id>/decline", h_booking_decline, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_POST, "/api/v1/bookings/<id>/cancel", h_booking_cancel, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_GET, "/api/v1/series", h_series_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/series", h_series_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/series/preview", h_series_preview, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/series/<id>", h_series_get, NULL, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/series/<id>", h_series_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/series/<id>/approve", h_series_approve, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_POST, "/api/v1/series/<id>/decline", h_series_decline, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_POST, "/api/v1/series/<id>/cancel", h_series_cancel, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_GET, "/api/v1/closures", h_closure_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/closures", h_closure_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/closures/<id>", h_closure_get, NULL, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/closures/<id>", h_closure_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/closures/<id>", h_closure_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/date-sets", h_date_set_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/date-sets", h_date_set_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_POST, "/api/v1/date-sets/import", h_date_set_import, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/date-sets/<id>", h_date_set_get, NULL, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/date-sets/<id>", h_date_set_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/date-sets/<id>", h_date_set_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/waitlist", h_waitlist_list, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/waitlist", h_waitlist_join, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/waitlist/<id>", h_waitlist_get, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_DELETE, "/api/v1/waitlist/<id>", h_waitlist_leave, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_POST, "/api/v1/waitlist/<id>/accept", h_waitlist_accept, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_POST, "/api/v1/waitlist/<id>/decline", h_waitlist_decline, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_GET, "/api/v1/allowances", h_allowance_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/allowances", h_allowance_create, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/allowances/<id>", h_allowance_get, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_PATCH, "/api/v1/allowances/<id>", h_allowance_update, NULL,
     ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/allowances/<id>", h_allowance_delete, NULL, ROUTE_AUTH},
    {EVHTTP_REQ_GET, "/api/v1/rounds", h_round_list, NULL, ROUTE_QUERY},
    {EVHTTP_REQ_POST, "/api/v1/rounds", h_round_open, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/rounds/<id>", h_round_get, NULL, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/rounds/<id>", h_round_update, NULL, ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_GET, "/api/v1/rounds/<id>/applications", h_round_applications, NULL, 0},
    {EVHTTP_REQ_POST, "/api/v1/rounds/<id>/applications", h_round_apply, NULL,
     ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_PATCH, "/api/v1/rounds/<id>/applications/<id>", h_round_application_update, NULL,
     ROUTE_AUTH | ROUTE_BODY},
    {EVHTTP_REQ_DELETE, "/api/v1/rounds/<id>/applications/<id>", h_round_application_delete, NULL,
     ROUTE_AUTH},
    {EVHTTP_REQ_POST, "/api/v1/rounds/<id>/allocate", h_round_allocate, NULL,
     ROUTE_AUTH | ROUTE_BODY_OPTIONAL},
    {EVHTTP_REQ_GET, "/api/v1/rounds/<id>/inputs", h_round_inputs, NULL, 0},
    {EVHTTP_REQ_GET, "/api/v1/rounds/<id>/result", h_round_result, NULL, 0},
    {EVHTTP_REQ_GET, "/api/v1/audit", h_audit_list, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_GET, "/api/v1/reports/usage", h_report_usage, NULL, ROUTE_AUTH | ROUTE_QUERY},
    {EVHTTP_REQ_GET, "/feeds/all.ics", h_feed_all, NULL, 0},
    {EVHTTP_REQ_GET, "/feeds/venues/<id>.ics", h_feed_venue, NULL, 0},
    {EVHTTP_REQ_GET, "/feeds/rooms/<id>.ics", h_feed_room, NULL, 0},
    {EVHTTP_REQ_GET, "/feeds/rooms/<id>/busy.ics", h_feed_busy, NULL, 0},
    {EVHTTP_REQ_GET, "/feeds/private/<token>.ics", h_feed_private, NULL, 0},
};

#define ROUTE_COUNT (sizeof(routes) / sizeof(routes[0]))

static const struct {
	enum evhttp_cmd_type method;
	const char *name;
} method_names[] = {
    {EVHTTP_REQ_GET, "GET"},         {EVHTTP_REQ_POST, "POST"},   {EVHTTP_REQ_PUT, "PUT"},
    {EVHTTP_REQ_DELETE, "DELETE"},   {EVHTTP_REQ_PATCH, "PATCH"}, {EVHTTP_REQ_HEAD, "HEAD"},
    {EVHTTP_REQ_OPTIONS, "OPTIONS"},
};

const char *router_method_name(enum evhttp_cmd_type m)
{
	for (size_t i = 0; i < sizeof(method_names) / sizeof(method_names[0]); i++)
		if (method_names[i].method == m)
			return method_names[i].name;
	return "OTHER";
}

size_t router_route_count(void)
{
	return ROUTE_COUNT;
}

size_t router_route_index(const struct route *rt)
{
	return (size_t)(rt - routes);
}

const struct route *router_route_at(size_t i)
{
	return i < ROUTE_COUNT ? &routes[i] : NULL;
}

static int64_t now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Canonical form: one slash between segments, no trailing slash, no "." or ".."
 * segments, no percent-escapes (no halls path needs one). False when malformed. */
static bool path_canonical(const char *raw, char *out, size_t size)
{
	size_t n = 0;
	const char *p = raw;

	if (raw == NULL || raw[0] != '/')
		return false;
	while (*p) {
		const char *seg;
		size_t len;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0)
			break;
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.') ||
		    memchr(seg, '%', len) != NULL || n + len + 2 > size)
			return false;
		out[n++] = '/';
		memcpy(out + n, seg, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return true;
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Matches path against pattern, filling ids for "<id>" and token for "<token>". Each
 * takes all the digits there are, so the literal text after one (".ics", "/busy.ics")
 * must not begin with a digit. */
static bool route_match(const char *pattern, const char *path, uint64_t *ids, char *token)
{
	size_t nid = 0;

	while (*pattern && *path) {
		/* Most of a path is literal: compared byte by byte, the placeholders only
		 * where a pattern has a '<' (every request is matched against every route). */
		if (*pattern != '<') {
			if (*pattern++ != *path++)
				return false;
			continue;
		}
		if (strncmp(pattern, "<id>", 4) == 0) {
			uint64_t v = 0;
			const char *start = path;

			while (*path >= '0' && *path <= '9' && path - start < 18)
				v = v * 10 + (uint64_t)(*path++ - '0');
			if (path == start || v == 0 || (*path >= '0' && *path <= '9') ||
			    nid == ROUTE_MAX_IDS)
				return false;
			ids[nid++] = v;
			pattern += 4;
			continue;
		}
		if (strncmp(pattern, "<token>", 7) == 0) {
			size_t n = 0;

			while (n <= ROUTE_TOKEN_MAX && is_lower_hex(path[n]))
				n++;
			if (n == 0 || n > ROUTE_TOKEN_MAX)
				return false;
			memcpy(token, path, n);
			token[n] = '\0';
			path += n;
			pattern += 7;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return *pattern == '\0' && *path == '\0';
}

/* The route for r; when only the method is wrong, fills allow for a 405. */
static const struct route *route_find(struct request *r, char *allow, size_t size)
{
	uint64_t ids[ROUTE_MAX_IDS];
	char token[ROUTE_TOKEN_MAX + 1];
	size_t n = 0;

	allow[0] = '\0';
	for (size_t i = 0; i < ROUTE_COUNT; i++) {
		if (!route_match(routes[i].pattern, r->path, ids, token))
			continue;
		if (routes[i].method == r->method ||
		    (r->method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET)) {
			memcpy(r->ids, ids, sizeof(ids));
			if (strstr(routes[i].pattern, "<token>") != NULL)
				memcpy(r->token, token, sizeof(token));
			return &routes[i];
		}
		n += (size_t)snprintf(allow + n, size > n ? size - n : 0, "%s%s", n ? ", " : "",
		                      router_method_name(routes[i].method));
	}
	return NULL;
}

/* The caller a secret stands for (a bearer token or the session cookie's value). */
static enum herr credential_check(struct request *r, const char *secret)
{
	struct txn t;
	enum herr ret;

	ret = db_read_begin(r->srv->db, &t, &r->err);
	if (ret != H_OK)
		return ret;
	ret = token_authenticate(&t, secret, r->now, &r->actor, &r->token_id);
	db_read_end(&t);
	r->signed_in = ret == H_OK;
	if (!r->signed_in) {
		memset(&r->actor, 0, sizeof(r->actor));
		r->token_id = 0;
	}
	return ret;
}

/* The session cookie, when there is no Authorization header (docs/api.md, "Signing in
 * from a browser"). A browser sends it with every request to this host, whoever's page
 * made the request, so a request that may change something must come from this site's
 * own pages (request_cross_site); checked before the cookie itself, so a page on
 * another site learns nothing about it. A cookie that opens nothing (signed out,
 * expired, or sent twice) is dropped: a read goes on anonymously, so a resident's page
 * still shows what anyone may see, and the browser is told to forget it; a write that
 * needs a caller is 401 (not the route's own "sign in first"), saying the session ended. */
static enum herr cookie_authenticate(struct request *r)
{
	char secret[TOKEN_HEX];
	size_t n = request_session_cookie(r, secret);
	const char *why;
	enum herr ret = H_EAUTH;

	if (n == 0)
		return H_OK;
	if (request_unsafe(r) && (why = request_cross_site(r)) != NULL)
		return herror_set(&r->err, H_ECROSSSITE,
		                  "a change made with the sign-in cookie must come from this "
		                  "site's own pages, and this request does not: %s",
		                  why);
	if (n == 1 && secret[0] != '\0')
		ret = credential_check(r, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	if (ret == H_OK) {
		r->cookie_auth = true;
		return H_OK;
	}
	if (ret != H_EAUTH)
		return ret;
	reply_session_cookie(r, NULL, 0);
	/* Signing in again is a write without ROUTE_AUTH: the stale cookie must not stop it. */
	if (request_unsafe(r) && (r->route->flags & ROUTE_AUTH))
		return herror_set(
		    &r->err, H_EAUTH,
		    n == 1 ? "your session has ended (signed out or expired); sign in "
		             "again"
		           : "the sign-in cookie was sent more than once; sign in again");
	herror_clear(&r->err);
	return H_OK;
}

/* A bearer Authorization header, else the session cookie; neither is anonymous. A bad
 * bearer token is refused, whatever the method: an API client wants to know. */
static enum herr request_authenticate(struct request *r)
{
	const char *h;
	size_t n = request_header(r, "Authorization", &h);

	if (n == 0)
		return cookie_authenticate(r);
	if (n > 1)
		return herror_set(&r->err, H_EAUTH, "send one Authorization header, not %zu", n);
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return herror_set(&r->err, H_EAUTH, "use an Authorization: Bearer token");
	return credential_check(r, h + 7);
}

static enum herr request_parse_body(struct request *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	const char *type =
	    evhttp_find_header(evhttp_request_get_input_headers(r->req), "Content-Type");
	size_t len = evbuffer_get_length(in);
	bool optional = r->route->flags & ROUTE_BODY_OPTIONAL;
	json_error_t jerr;

	/* An optional body may be left out entirely (no bytes, no Content-Type). */
	if (len == 0 && optional)
		return H_OK;
	if ((type == NULL && !optional) ||
	    (type != NULL && strncasecmp(type, "application/json", 16) != 0))
		return herror_set(&r->err, H_EMEDIA, "send the body as application/json");
	r->body =
	    json_loadb((const char *)evbuffer_pullup(in, -1), len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->body == NULL)
		return herror_set(&r->err, H_EINVAL, "the body is not valid JSON: %s (line %d)",
		                  jerr.text, jerr.line);
	if (!json_is_object(r->body))
		return herror_set(&r->err, H_EINVAL, "the body must be a JSON object");
	return H_OK;
}

void request_defer(struct request *r)
{
	/* A sign-in defers twice (the worker, then the group commit): count it once. */
	if (!r->deferred)
		r->srv->deferred++;
	r->deferred = true;
}

const char *request_query(const struct request *r, const char *name)
{
	return evhttp_find_header(&r->query, name);
}

static void reply_problem(struct request *r, enum herr ret)
{
	char *text = problem_render(ret, &r->err, r->problem_extra);

	if (ret == H_EAUTH)
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
		                  "Bearer realm=\"halls\"");
	http_send(r, herr_http_status(ret), "application/problem+json", text, strlen(text));
	free(text);
}

/* A reply the handler made itself (a feed): its bytes and type, or a bare 304. */
static void reply_raw(struct request *r)
{
	int status = r->status ? r->status : 200;

	if (status == 304)
		http_send(r, status, NULL, NULL, 0);
	else
		http_send(r, status, r->raw_type, r->raw, r->raw_len);
}

void request_finish(struct request *r, enum herr ret)
{
	if (ret != H_OK && r->err.code != ret)
		r->err.code = ret;
	if (ret != H_OK)
		r->cache_control = NULL; /* an error is never cached */
	if (ret == H_OK && r->raw_type != NULL) {
		reply_raw(r);
	} else if (ret == H_OK) {
		size_t len = 0;
		char *text;

		/* Handlers that know a venue have already used its offset. */
		json_instants_format(r->reply, NULL);
		text = r->reply ? reply_json_text(r->reply, &len) : NULL;

		if (r->reply != NULL && text == NULL)
			/* Cannot happen with values jansson accepted; never send a blank 204. */
			reply_problem(
			    r, herror_set(&r->err, H_ESTORAGE, "the reply cannot be encoded"));
		else if (r->status == 204 || text == NULL)
			http_send(r, r->status ? r->status : 204, NULL, NULL, 0);
		else if (r->raw_release != NULL)
			http_send(r, r->status ? r->status : 200, "application/json", text, len);
		else {
			/* Sent by reference, as a feed is (http_send): freed once written. */
			r->raw = text;
			r->raw_len = len;
			r->raw_release = reply_text_release;
			text = NULL;
			http_send(r, r->status ? r->status : 200, "application/json", r->raw,
			          r->raw_len);
		}
		free(text);
	} else {
		reply_problem(r, ret);
	}
	if (r->raw_release != NULL && !r->raw_handed)
		r->raw_release(r->raw, r->raw_len, r->raw_arg);
	json_decref(r->reply);
	json_decref(r->problem_extra);
	json_decref(r->body);
	evhttp_clear_headers(&r->query);
	if (r->deferred) {
		r->srv->deferred--;
		http_exit_when_idle(r->srv);
	}
	free(r);
}

/* The internal request conn.c puts in place of one it refused: /<secret>/<code>. */
static bool request_refusal(struct request *r, const char *path, enum herr *ret)
{
	const struct server_config *cfg = &r->srv->cfg;
	size_t n = strlen(r->srv->refusal_prefix);
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
	const char *why;

	if (path == NULL || strncmp(path, r->srv->refusal_prefix, n) != 0 || path[n] != '/')
		return false;
	/* evhttp closes after the reply; conn.c lingers on the socket (see there). */
	r->refusal = true;
	snprintf(r->path, sizeof(r->path), "-");
	evhttp_add_header(out, "Connection", "close");
	why = strchr(path + n + 1, '/');
	switch (atoi(path + n + 1)) {
	case H_EINVAL:
		*ret = herror_set(&r->err, H_EINVAL, "%s", frame_why_text(why ? atoi(why + 1) : 0));
		break;
	case H_ENOTIMPL:
		*ret = herror_set(&r->err, H_ENOTIMPL, "%s", frame_why_text(FRAME_METHOD));
		break;
	case H_ETOOLARGE:
		r->limit = LIMIT_BODY_SIZE;
		*ret = herror_set(&r->err, H_ETOOLARGE, "a request body may have at most %zu bytes",
		                  cfg->max_body);
		break;
	case H_EHEADERS:
		r->limit = LIMIT_HEADER_SIZE;
		*ret = herror_set(&r->err, H_EHEADERS,
		                  "the request line and headers may have at most %zu bytes",
		                  cfg->max_headers);
		break;
	case H_ELENGTH:
		*ret = herror_set(&r->err, H_ELENGTH,
		                  "send the body with a Content-Length header, not chunked");
		break;
	case H_ETIMEOUT:
		r->limit = LIMIT_TIMEOUT;
		*ret =
		    herror_set(&r->err, H_ETIMEOUT,
		               "a request must arrive in full within %d seconds", cfg->timeout_s);
		break;
	default:
		r->limit = LIMIT_CONNECTIONS;
		evhttp_add_header(out, "Retry-After", "1");
		*ret =
		    herror_set(&r->err, H_EBUSY,
		               "the server has too many open connections; try again in a moment");
		break;
	}
	return true;
}

/* A private feed's path holds its secret, and the access log shows r->path: keep
 * only its shape, whether or not the path is well formed or routed. */
static void path_scrub(struct request *r)
{
	static const char prefix[] = "/feeds/private/";

	if (strncasecmp(r->path, prefix, sizeof(prefix) - 1) == 0)
		snprintf(r->path, sizeof(r->path), "%s-.ics", prefix);
}

static enum herr request_route(struct request *r, const char *path, const char *query)
{
	char allow[128];
	enum herr ret;

	if (request_refusal(r, path, &ret))
		return ret;
	if (!path_canonical(path, r->path, sizeof(r->path))) {
		path_scrub(r);
		if (web_path_claims(path) &&
		    (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_HEAD))
			return web_not_found(r);
		return herror_set(&r->err, H_ENOTFOUND, "no such path");
	}
	if (query != NULL && evhttp_parse_query_str(query, &r->query) != 0)
		return herror_set(&r->err, H_EINVAL, "the query string is malformed");
	r->route = route_find(r, allow, sizeof(allow));
	path_scrub(r);
	/* Any other path that is not the API's is a page's, or the pages' 404. */
	if (r->route == NULL && allow[0] == '\0' && web_path_claims(r->path) &&
	    (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_HEAD)) {
		r->page = true;
		return web_serve(r);
	}
	if (r->route == NULL && allow[0] != '\0') {
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
		return herror_set(&r->err, H_EMETHOD, "%s is not allowed here; use %s",
		                  router_method_name(r->method), allow);
	}
	if (r->route == NULL)
		return herror_set(&r->err, H_ENOTFOUND, "no such path: %s", r->path);
	if (!(r->route->flags & ROUTE_QUERY) && !TAILQ_EMPTY(&r->query))
		return herror_set(&r->err, H_EINVAL, "%s takes no query parameters (got %s)",
		                  r->path, TAILQ_FIRST(&r->query)->key);
	if ((ret = request_authenticate(r)) != H_OK)
		return ret;
	if ((r->route->flags & ROUTE_AUTH) && !r->signed_in)
		return herror_set(&r->err, H_EAUTH, "sign in first (POST /api/v1/session)");
	if ((r->route->flags & (ROUTE_BODY | ROUTE_BODY_OPTIONAL)) &&
	    (ret = request_parse_body(r)) != H_OK)
		return ret;
	if (r->method == EVHTTP_REQ_PATCH && json_object_size(r->body) == 0)
		return herror_set(&r->err, H_EINVAL, "the body names nothing to change");
	return r->route->fn(r);
}

void router_run(struct server *srv, struct evhttp_request *req, enum evhttp_cmd_type method,
                const char *path, const char *query)
{
	struct request *r = xcalloc(1, sizeof(*r));
	enum herr ret;

	r->srv = srv;
	r->req = req;
	r->method = method;
	r->started_us = now_us();
	r->id = ++srv->request_seq;
	r->now = r->srv->cfg.fixed_now ? r->srv->cfg.fixed_now : r->started_us / 1000000;
	TAILQ_INIT(&r->query);
	ret = request_route(r, path, query);
	if (!r->deferred)
		request_finish(r, ret);
}

void router_dispatch(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);

	router_run(arg, req, evhttp_request_get_command(req), evhttp_uri_get_path(uri),
	           evhttp_uri_get_query(uri));
}
