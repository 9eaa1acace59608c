/* The access log: one line per request answered (or cut off), as text for people or as
 * JSON for log shippers (--log-format). docs/operations.md#the-access-log shows both.
 *
 * Every byte a client chose (the path, the user agent) is escaped before it is written:
 * bytes that are not UTF-8 and control characters become "\xHH", so that a request can
 * neither forge a line nor reach a terminal, and the JSON encoder (which refuses text
 * that is not UTF-8) always gets text it takes. No query string, header other than the
 * user agent, cookie or token is ever logged. */
#include "server.h"

#include "text.h"

#include <string.h>
#include <sys/time.h>
#include <time.h>

/* The most bytes of a user agent logged; a real one is far shorter, and the rest of a
 * long one says nothing more. */
#define AGENT_MAX 256

/* One line's fields. Strings are NULL when there is nothing to say ("-" in text). */
struct log_entry {
	const char *peer;
	uint64_t id;
	const char *method;
	const char *path; /* escaped already */
	const char *route;
	int status; /* 0: no reply was sent */
	size_t bytes;
	int64_t micros;
	uint64_t user; /* 0: not signed in */
	const char *agent;
	enum limit limit;
};

static bool is_control(const unsigned char *p, size_t n)
{
	/* C1 controls (U+0080-U+009F) can start terminal escape sequences too. */
	return (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
}

/* src as a logged string in dst (at least 4 * max + 5 bytes): the bytes of characters
 * that are not UTF-8 or are controls as "\xHH", a backslash as "\\", a double quote as
 * "\"" when quote is set (text, where the string stands in quotes), and "..." after the
 * first max bytes of src. The result is valid UTF-8 without a control character. */
static void log_escape(char *dst, const char *src, size_t max, bool quote)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t out = 0, in = 0;

	while (p[in] != '\0' && in < max) {
		size_t n = text_utf8_len((const char *)p + in);

		if (in + (n ? n : 1) > max)
			break; /* a character cut at max goes with the rest */
		if (n == 0 || is_control(p + in, n)) {
			for (size_t i = 0; i < (n ? n : 1); i++)
				out += (size_t)sprintf(dst + out, "\\x%02X", p[in + i]);
			in += n ? n : 1;
			continue;
		}
		if (p[in] == '\\' || (quote && p[in] == '"'))
			dst[out++] = '\\';
		memcpy(dst + out, p + in, n);
		out += n;
		in += n;
	}
	if (p[in] != '\0') {
		memcpy(dst + out, "...", 3);
		out += 3;
	}
	dst[out] = '\0';
}

static void log_time(char when[32])
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* time client method path status bytes time id user agent [limit]: the first six as
 * before there were more, so that what read them still does. */
static void log_text(FILE *f, const char *when, const struct log_entry *e, const char *agent)
{
	char status[16] = "-", user[24] = "-";

	if (e->status > 0)
		snprintf(status, sizeof(status), "%d", e->status);
	if (e->user != 0)
		snprintf(user, sizeof(user), "%llu", (unsigned long long)e->user);
	fprintf(f, "%s %s %s %s %s %zu %.3fms id=%llu user=%s ua=%s%s%s%s", when,
	        e->peer ? e->peer : "-", e->method ? e->method : "-", e->path ? e->path : "-",
	        status, e->bytes, (double)e->micros / 1000, (unsigned long long)e->id, user,
	        agent ? "\"" : "-", agent ? agent : "", agent ? "\"" : "",
	        e->limit != LIMIT_NONE ? " limit=" : "");
	fprintf(f, "%s\n", e->limit != LIMIT_NONE ? limit_name(e->limit) : "");
}

static json_t *log_string(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	/* Every string here is escaped to UTF-8 already; null rather than no member. */
	return v ? v : json_null();
}

static json_t *log_count(uint64_t n)
{
	return n ? json_integer((json_int_t)n) : json_null();
}

static void log_json(FILE *f, const char *when, const struct log_entry *e, const char *agent)
{
	json_t *o = json_object();
	char *line;

	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "client", log_string(e->peer));
	json_object_set_new(o, "id", json_integer((json_int_t)e->id));
	json_object_set_new(o, "user", log_count(e->user));
	json_object_set_new(o, "method", log_string(e->method));
	json_object_set_new(o, "path", log_string(e->path));
	json_object_set_new(o, "route", log_string(e->route));
	json_object_set_new(o, "status", log_count((uint64_t)e->status));
	json_object_set_new(o, "bytes", json_integer((json_int_t)e->bytes));
	json_object_set_new(o, "ms", json_real((double)e->micros / 1000));
	json_object_set_new(o, "ua", log_string(agent));
	json_object_set_new(o, "limit", log_string(limit_name(e->limit)));
	line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(o);
	if (line == NULL)
		fatal("cannot write the access log (out of memory)");
	fprintf(f, "%s\n", line);
	free(line);
}

static void log_write(struct server *srv, const struct log_entry *e)
{
	char when[32], agent[4 * AGENT_MAX + 8];

	log_time(when);
	if (e->agent != NULL)
		log_escape(agent, e->agent, AGENT_MAX, srv->cfg.log_format == LOG_TEXT);
	if (srv->cfg.log_format == LOG_JSON)
		log_json(srv->log, when, e, e->agent ? agent : NULL);
	else
		log_text(srv->log, when, e, e->agent ? agent : NULL);
	fflush(srv->log);
}

void access_log(struct request *r, int status, size_t bytes, int64_t micros)
{
	struct evhttp_connection *con = evhttp_request_get_connection(r->req);
	struct log_entry e = {0};
	/* Each byte may become "\xHH". */
	char path[4 * PATH_MAX_BYTES + 4];
	ev_uint16_t port = 0;
	char *peer = NULL;

	if (con != NULL)
		evhttp_connection_get_peer(con, &peer, &port);
	/* The canonical path, never the query string: no secret is logged. The path is the
	 * client's bytes: control characters and bytes that are not UTF-8 are escaped, so a
	 * line can be neither forged nor turned into terminal escapes. */
	text_quote(path, sizeof(path), r->path[0] ? r->path : "-", sizeof(path) - 1);
	e.peer = peer;
	e.id = r->id;
	e.method = r->refusal ? NULL : router_method_name(r->method);
	e.path = r->refusal ? NULL : path;
	e.route =
	    metrics_route_name(r->srv->metrics, metrics_route_label(r->srv->metrics, r, status));
	e.status = status;
	e.bytes = bytes;
	e.micros = micros;
	e.user = r->actor.user_id;
	/* The first, when a client sent several. */
	e.agent = r->refusal
	              ? NULL
	              : evhttp_find_header(evhttp_request_get_input_headers(r->req), "User-Agent");
	e.limit = r->limit;
	log_write(r->srv, &e);
}

void access_log_cut(struct server *srv, const char *peer, enum limit limit, int64_t micros)
{
	struct log_entry e = {0};

	e.peer = peer;
	e.micros = micros;
	e.id = ++srv->request_seq;
	e.limit = limit;
	log_write(srv, &e);
}
