/* What a handler reads from its request, strictly, and the caller as the core sees it.
 *
 * Every handler reads its query and body through these, so that an unknown parameter or
 * field and a malformed value are refused the same way everywhere (H_EINVAL naming the
 * parameter), and so that the h_*.c files are about their resources. Whatever is a rule
 * (which fields a booking takes, who sees what) is the core's: this file only gets the
 * values to it. request_* read the request; reply_* build pieces of the answer. */
#include "server.h"

#include <openssl/crypto.h>
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The longest Host header taken into a URL. */
#define HOST_MAX 255

/* The caller. */

const struct actor *request_reader(const struct request *r)
{
	return r->signed_in ? &r->actor : NULL;
}

void request_viewer(const struct request *r, struct txn *t, struct viewer *v)
{
	viewer_load(t, request_reader(r), v);
}

size_t request_visible_bookings(struct request *r, uint64_t *ids, size_t n)
{
	struct viewer v;
	struct herror scratch;
	struct txn t;
	size_t kept;

	herror_clear(&scratch);
	if (n == 0 || db_read_begin(r->srv->db, &t, &scratch) != H_OK)
		return 0;
	request_viewer(r, &t, &v);
	kept = view_booking_ids(&t, &v, ids, n);
	viewer_free(&v);
	db_read_end(&t);
	return kept;
}

/* Where the request came from. */

static bool proxy_trusted(const struct server_config *cfg, const char *peer)
{
	for (size_t i = 0; i < cfg->ntrusted_proxies; i++)
		if (strcmp(cfg->trusted_proxies[i], peer) == 0)
			return true;
	return false;
}

/* Whether the connection's peer is a proxy named with --trusted-proxy. */
static bool peer_trusted(struct request *r, const char **peer_out)
{
	struct evhttp_connection *con = evhttp_request_get_connection(r->req);
	ev_uint16_t port = 0;
	char *peer = NULL;

	if (con != NULL)
		evhttp_connection_get_peer(con, &peer, &port);
	if (peer_out != NULL)
		*peer_out = peer;
	return peer != NULL && proxy_trusted(&r->srv->cfg, peer);
}

/* The client's address, for throttling. Behind a reverse proxy every request comes from
 * the proxy, and one client's failures would lock everyone out: from a proxy named with
 * --trusted-proxy, the address it appended to X-Forwarded-For (the last one; what comes
 * before it, the client could have written) is the client's. */
void request_peer(struct request *r, char *out, size_t size)
{
	const char *peer = NULL, *xff, *last;
	bool trusted = peer_trusted(r, &peer);
	size_t n;

	snprintf(out, size, "%s", peer != NULL ? peer : "-");
	if (!trusted)
		return;
	xff = evhttp_find_header(evhttp_request_get_input_headers(r->req), "X-Forwarded-For");
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strcspn(last, " \t");
	if (n > 0 && n < size) {
		memcpy(out, last, n);
		out[n] = '\0';
	}
}

/* The Host header, when it is a plain host name or address with an optional port: it
 * goes into the URLs handed back, so nothing else may pass. */
const char *request_host(struct request *r)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Host");
	size_t n;

	if (h == NULL || h[0] == '\0')
		return NULL;
	n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]");
	return n == strlen(h) && n <= HOST_MAX ? h : NULL;
}

/* Headers a browser sends, read strictly: a header that may decide who the caller is
 * counts only when it comes once, since a proxy and hallsd could each read a different
 * copy. */

size_t request_header(const struct request *r, const char *name, const char **value)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->req);
	struct evkeyval *kv;
	size_t n = 0;

	*value = NULL;
	TAILQ_FOREACH(kv, h, next)
	{
		if (strcasecmp(kv->key, name) != 0)
			continue;
		if (n++ == 0)
			*value = kv->value;
	}
	return n;
}

bool request_secure(struct request *r)
{
	const char *proto;

	if (r->srv->tls != NULL)
		return true;
	/* Only a proxy hallsd trusts may say the client spoke HTTPS to it: anyone else
	 * could claim it, and a Secure cookie it cannot read back would sign it out. */
	return peer_trusted(r, NULL) && request_header(r, "X-Forwarded-Proto", &proto) == 1 &&
	       strcasecmp(proto, "https") == 0;
}

bool request_unsafe(const struct request *r)
{
	return r->method != EVHTTP_REQ_GET && r->method != EVHTTP_REQ_HEAD &&
	       r->method != EVHTTP_REQ_OPTIONS;
}

/* Whether origin is "scheme://host" for this request, the Host header's default port
 * aside (a browser leaves it out of Origin). */
static bool origin_is_own(struct request *r, const char *origin)
{
	const char *scheme = request_secure(r) ? "https://" : "http://";
	const char *port = request_secure(r) ? ":443" : ":80";
	const char *host = request_host(r);
	size_t ns = strlen(scheme), nh, np = strlen(port);

	if (host == NULL)
		return false;
	nh = strlen(host);
	if (nh > np && strcmp(host + nh - np, port) == 0)
		nh -= np;
	return strlen(origin) == ns + nh && strncasecmp(origin, scheme, ns) == 0 &&
	       strncasecmp(origin + ns, host, nh) == 0;
}

const char *request_cross_site(struct request *r)
{
	const char *site, *origin;
	size_t nsite = request_header(r, "Sec-Fetch-Site", &site);
	size_t norigin = request_header(r, "Origin", &origin);

	/* Sec-Fetch-Site is the browser's own verdict and cannot be set by a page; "none"
	 * is a request the user made (a bookmark, the address bar). */
	if (nsite > 1)
		return "Sec-Fetch-Site was sent more than once";
	if (nsite == 1)
		return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0
		           ? NULL
		           : "the browser says it came from another site (Sec-Fetch-Site)";
	/* Without it (an older browser, or plain HTTP to a host name), Origin, which every
	 * browser sends with a POST, PATCH, PUT or DELETE. */
	if (norigin == 0)
		return "it carries neither Sec-Fetch-Site nor Origin";
	if (norigin > 1)
		return "Origin was sent more than once";
	if (strcmp(origin, "null") == 0)
		return "its Origin is null (a sandboxed page, a file, or a redirect from another "
		       "site)";
	if (request_host(r) == NULL)
		return "its Host header is missing or malformed, so Origin cannot be compared";
	return origin_is_own(r, origin) ? NULL : "its Origin is another site";
}

/* Cookies (RFC 6265 section 5.4: "name=value" pairs joined by "; "). */

size_t cookie_find(const char *header, const char *name, const char **value, size_t *len)
{
	size_t count = 0, nname = strlen(name);
	const char *p = header;

	while (*p != '\0') {
		const char *pair, *end, *eq;

		while (*p == ' ' || *p == '\t')
			p++;
		pair = p;
		end = pair + strcspn(pair, ";");
		eq = memchr(pair, '=', (size_t)(end - pair));
		if (eq != NULL && (size_t)(eq - pair) == nname && memcmp(pair, name, nname) == 0) {
			const char *v = eq + 1, *v_end = end;

			while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
				v_end--;
			if (count++ == 0) {
				*value = v;
				*len = (size_t)(v_end - v);
			}
		}
		p = *end != '\0' ? end + 1 : end;
	}
	return count;
}

/* Under HTTPS the cookie carries the __Host- prefix, which a browser keeps only when it
 * is Secure, for the whole site (Path=/) and for this host alone (no Domain): so a
 * sibling subdomain or a plain-HTTP attacker on the network cannot plant one of that
 * name. Over plain HTTP the prefix would be refused, and the plain name is read. */
static const char *session_cookie_name(bool secure)
{
	return secure ? "__Host-halls_session" : "halls_session";
}

size_t request_session_cookie(struct request *r, char secret[TOKEN_HEX])
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->req);
	const char *name = session_cookie_name(request_secure(r));
	const char *first = NULL;
	struct evkeyval *kv;
	size_t n = 0, len = 0;

	secret[0] = '\0';
	TAILQ_FOREACH(kv, h, next)
	{
		const char *v = NULL;
		size_t vlen = 0, found;

		if (strcasecmp(kv->key, "Cookie") != 0)
			continue;
		found = cookie_find(kv->value, name, &v, &vlen);
		if (found > 0 && n == 0) {
			first = v;
			len = vlen;
		}
		n += found;
	}
	/* Only a value of a secret's length is copied; token_authenticate judges its form. */
	if (n == 1 && len == TOKEN_HEX - 1) {
		memcpy(secret, first, len);
		secret[len] = '\0';
	}
	return n;
}

void reply_session_cookie(struct request *r, const char *secret, int64_t max_age)
{
	bool secure = request_secure(r);
	char value[256];

	snprintf(value, sizeof(value), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
	         session_cookie_name(secure), secret != NULL ? secret : "",
	         (long long)(secret != NULL && max_age > 0 ? max_age : 0),
	         secure ? "; Secure" : "");
	/* The last word only: signing in over a stale cookie first forgets the stale one. */
	evhttp_remove_header(evhttp_request_get_output_headers(r->req), "Set-Cookie");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", value);
	OPENSSL_cleanse(value, sizeof(value));
}

/* Query parameters. */

enum herr request_query_known(struct request *r, const char *const *names)
{
	struct evkeyval *kv;

	TAILQ_FOREACH(kv, &r->query, next)
	{
		size_t i;

		for (i = 0; names[i] != NULL; i++)
			if (strcmp(kv->key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return herror_set(&r->err, H_EINVAL, "unknown query parameter %s", kv->key);
	}
	return H_OK;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n >= 18)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0 || s[n] != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

enum herr request_query_id(struct request *r, const char *name, uint64_t *out)
{
	const char *s = request_query(r, name);

	*out = 0;
	if (s == NULL)
		return H_OK;
	if (!parse_uint(s, UINT64_MAX, out) || *out == 0) {
		char shown[64];

		text_quote(shown, sizeof(shown), s, 40);
		return herror_set(&r->err, H_EINVAL, "query parameter %s must be an id, not \"%s\"",
		                  name, shown);
	}
	return H_OK;
}

enum herr request_query_uint(struct request *r, const char *name, uint32_t min, uint32_t max,
                             uint32_t *out, bool *present)
{
	const char *s = request_query(r, name);
	uint64_t v;

	*present = s != NULL;
	if (s == NULL)
		return H_OK;
	if (!parse_uint(s, max, &v) || v < min) {
		char shown[64];

		text_quote(shown, sizeof(shown), s, 40);
		if (min == 0)
			return herror_set(
			    &r->err, H_EINVAL,
			    "query parameter %s must be a whole number up to %u, not \"%s\"", name,
			    max, shown);
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter %s must be a whole number from %u to %u, not "
		                  "\"%s\"",
		                  name, min, max, shown);
	}
	*out = (uint32_t)v;
	return H_OK;
}

enum herr request_query_time(struct request *r, const char *name, const char *zone, int64_t *out,
                             bool *present)
{
	const char *s = request_query(r, name);
	struct herror e;

	*present = s != NULL;
	if (s == NULL)
		return H_OK;
	herror_clear(&e);
	if (time_parse(s, zone, out, &e) != H_OK)
		return herror_set(&r->err, H_EINVAL, "query parameter %s: %s", name, e.msg);
	return H_OK;
}

/* Body fields. */

enum herr request_body_known(struct request *r, const char *const *names)
{
	return fields_known(r->body, names, &r->err);
}

enum herr request_body_time(struct request *r, const json_t *body, const char *key,
                            const char *zone, int64_t *out)
{
	return json_time(json_object_get(body, key), key, zone, out, &r->err);
}

enum herr request_body_uint(struct request *r, const char *key, int64_t min, int64_t max,
                            int64_t *out)
{
	json_t *v = json_object_get(r->body, key);

	if (v == NULL)
		return H_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return herror_set(&r->err, H_EINVAL,
		                  "\"%s\" must be a whole number from %lld to %lld", key,
		                  (long long)min, (long long)max);
	*out = json_integer_value(v);
	return H_OK;
}

enum herr request_booking(struct request *r, bool strict, struct booking *b, bool *approve_now,
                          char **zone)
{
	uint64_t room_id = 0;
	json_t *judged;
	enum herr ret;

	*zone = NULL;
	/* The room's zone reads the times, so the room comes first. */
	if ((ret = field_id(&room_id, r->body, "room_id", &r->err)) != H_OK)
		return ret;
	if (room_id == 0)
		return herror_set(&r->err, H_EINVAL, "room_id is required");
	if ((ret = place_zone_read(r->srv->db, 0, room_id, zone, &r->err)) != H_OK ||
	    (ret = booking_fields_judge(r->body, BOOKING_NEW, *zone, strict, &judged, &r->err)) !=
	        H_OK)
		return ret;
	booking_fields_apply(b, judged);
	*approve_now = json_flag(judged, "approve", false);
	json_decref(judged);
	return H_OK;
}

/* Replies. */

void reply_time(json_t *o, const char *key, int64_t t, const char *zone)
{
	char when[32];

	time_format(t, zone, when);
	json_object_set_new(o, key, json_string(when));
}

/* The text of a JSON reply as it is dumped: grown by doubling, from a size that holds
 * most replies at once. */
struct reply_text {
	char *s;
	size_t len, cap;
};

static int reply_text_add(const char *buf, size_t n, void *arg)
{
	struct reply_text *t = arg;

	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;

		while (t->len + n + 1 > cap)
			cap *= 2;
		t->s = xrealloc(t->s, cap);
		t->cap = cap;
	}
	memcpy(t->s + t->len, buf, n);
	t->len += n;
	t->s[t->len] = '\0';
	return 0;
}

char *reply_json_text(const json_t *reply, size_t *len)
{
	/* json_dumps would copy its buffer once more (a strdup) and leave the length to be
	 * counted again; a reply of many bookings is tens of KB. */
	struct reply_text t = {0};

	if (json_dump_callback(reply, reply_text_add, &t, JSON_COMPACT | JSON_SORT_KEYS) != 0) {
		free(t.s);
		return NULL;
	}
	if (t.s == NULL)
		reply_text_add("", 0, &t);
	*len = t.len;
	return t.s;
}

void reply_text_release(const void *text, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)text);
}
