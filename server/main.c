/* hallsd: the halls HTTP server.
 *
 * For now it serves /healthz only, so that `make run` has something to talk to; the JSON
 * API and the feeds are built on this loop. */
#include "halls.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct server {
	struct event_base *base;
	struct evhttp *http;
	struct db *db;
};

static void reply_json(struct evhttp_request *req, int status, const char *reason,
		       const char *content_type, json_t *body)
{
	struct evbuffer *out = evbuffer_new();
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);

	evbuffer_add_printf(out, "%s\n", text);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type);
	evhttp_send_reply(req, status, reason, out);
	evbuffer_free(out);
	free(text);
	json_decref(body);
}

static void handle_request(struct evhttp_request *req, void *arg)
{
	struct server *srv = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct herror err;
	struct txn t;

	herror_clear(&err);
	if (path != NULL && strcmp(path, "/healthz") == 0) {
		uint64_t change;

		if (db_read_begin(srv->db, &t, &err) != H_OK) {
			reply_json(req, 503, "Service Unavailable", "application/problem+json",
				   json_pack("{s:s, s:s, s:i, s:s}", "type", "/problems/storage-error",
					     "title", "Storage error", "status", 503, "detail",
					     err.msg));
			return;
		}
		change = txn_change_counter(&t);
		db_read_end(&t);
		reply_json(req, 200, "OK", "application/json",
			   json_pack("{s:s, s:i, s:s, s:I}", "status", "ok", "schema",
				     SCHEMA_VERSION, "version", HALLS_VERSION, "change",
				     (json_int_t)change));
		return;
	}
	reply_json(req, 404, "Not Found", "application/problem+json",
		   json_pack("{s:s, s:s, s:i}", "type", "/problems/not-found", "title",
			     "Not found", "status", 404));
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopexit(arg, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hallsd [--data DIR] [--listen ADDR:PORT]\n"
		   "  --data DIR          data directory (default $HALLS_DATA, then ./halls-data)\n"
		   "  --listen ADDR:PORT  address to serve on (default 127.0.0.1:8080)\n");
}

static int split_listen(char *spec, char **host, unsigned short *port)
{
	char *colon = strrchr(spec, ':');
	char *end;
	long p;

	if (colon == NULL)
		return -1;
	*colon = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p <= 0 || p > 65535)
		return -1;
	*host = spec;
	if ((*host)[0] == '[') {
		(*host)++;
		(*host)[strlen(*host) - 1] = '\0';
	}
	*port = (unsigned short)p;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"data", required_argument, NULL, 'd'},
					     {"listen", required_argument, NULL, 'l'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *data = getenv("HALLS_DATA") ? getenv("HALLS_DATA") : "halls-data";
	char listen_spec[256] = "127.0.0.1:8080", *host;
	struct server srv = {0};
	struct event *sigint, *sigterm;
	unsigned short port;
	struct herror err;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			data = optarg;
			break;
		case 'l':
			snprintf(listen_spec, sizeof(listen_spec), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (split_listen(listen_spec, &host, &port) != 0) {
		fprintf(stderr, "hallsd: --listen wants ADDR:PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	herror_clear(&err);
	if (db_open(&srv.db, data, false, NULL, &err) != H_OK) {
		fprintf(stderr, "hallsd: %s\n", err.msg);
		return 1;
	}
	srv.base = event_base_new();
	srv.http = evhttp_new(srv.base);
	if (srv.base == NULL || srv.http == NULL)
		fatal("cannot create the event loop");
	evhttp_set_gencb(srv.http, handle_request, &srv);
	if (evhttp_bind_socket(srv.http, host, port) != 0) {
		fprintf(stderr, "hallsd: cannot listen on %s:%u\n", host, port);
		goto out;
	}
	sigint = evsignal_new(srv.base, SIGINT, on_signal, srv.base);
	sigterm = evsignal_new(srv.base, SIGTERM, on_signal, srv.base);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);
	printf("hallsd: serving %s on http://%s:%u/ (try /healthz)\n", data, host, port);
	fflush(stdout);
	event_base_dispatch(srv.base);
	event_free(sigint);
	event_free(sigterm);
	rc = 0;
out:
	evhttp_free(srv.http);
	event_base_free(srv.base);
	db_close(srv.db);
	return rc;
}
