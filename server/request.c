/* What a handler reads from its request, strictly, and the caller as the core sees it.
 *
 * Every handler reads its query and body through these, so that an unknown parameter or
 * field and a malformed value are refused the same way everywhere (H_EINVAL naming the
 * parameter), and so that the h_*.c files are about their resources. Whatever is a rule
 * (which fields a booking takes, who sees what) is the core's: this file only gets the
 * values to it. request_* read the request; reply_* build pieces of the answer. */
#include "server.h"

#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>

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

/* The client's address, for throttling. Behind a reverse proxy every request comes from
 * the proxy, and one client's failures would lock everyone out: from a proxy named with
 * --trusted-proxy, the address it appended to X-Forwarded-For (the last one; what comes
 * before it, the client could have written) is the client's. */
void request_peer(struct request *r, char *out, size_t size)
{
	struct evhttp_connection *con = evhttp_request_get_connection(r->req);
	const char *xff, *last;
	ev_uint16_t port = 0;
	char *peer = NULL;
	size_t n;

	if (con != NULL)
		evhttp_connection_get_peer(con, &peer, &port);
	snprintf(out, size, "%s", peer != NULL ? peer : "-");
	if (peer == NULL || !proxy_trusted(&r->srv->cfg, peer))
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
