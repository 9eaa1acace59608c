/* Every route, through the real router and handlers, without a socket: path
 * canonicalisation, routing, query parsing, authentication, JSON bodies and the replies,
 * against a demo store (`halls init --demo`), with the group commit, the sign-in worker and the
 * feed builder running as in hallsd.
 *
 * Input: byte 0 picks the caller (anonymous, an admin, a manager, a member, a bad token),
 * byte 1 the method; then the request target ("/api/v1/bookings?room=1") up to a newline;
 * the rest is the body, sent as application/json when there is one.
 *
 * Each request must be answered exactly once, with a status hallsd knows and, for JSON,
 * a body that parses (a problem body with its type, title, status and detail), and no
 * request may end in 500. The store is kept between inputs (as a server's is), with
 * MDB_NOSYNC: a crash may depend on the inputs before it, which replay in order.
 *
 * Links with -Wl,--wrap=http_send, so each reply passes through check_reply on its way
 * to the real http_send (and the access log). */
#include "fuzz.h"
#include "halls.h"
#include "server.h"
#include "store.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* 2026-11-30T00:00:00Z: the demo's clock and the server's. */
#define FUZZ_NOW "1796083200"

extern char **environ;

void __real_http_send(struct request *r, int status, const char *content_type, const char *body,
                      size_t len);
void __wrap_http_send(struct request *r, int status, const char *content_type, const char *body,
                      size_t len);

/* The harness's one server, made once. */
static struct server srv;
static char tokens[4][TOKEN_HEX];
static unsigned replies;
static char store_dir[64];

static void remove_store(void)
{
	fuzz_store_remove(srv.db, store_dir);
}

static void make_demo(const char *self, const char *data)
{
	char halls[4096];
	char *copy = strdup(self);
	char *argv[] = {halls, "--data", (char *)data, "init", "--demo", NULL};
	posix_spawn_file_actions_t quiet;
	pid_t pid;
	int status;

	snprintf(halls, sizeof(halls), "%s/../halls", dirname(copy));
	free(copy);
	setenv("HALLS_NOW", FUZZ_NOW, 1);
	setenv("HALLS_SCRYPT_LOG2N", "4", 1);
	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, halls, &quiet, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fatal("fuzz_http: %s init --demo failed (make build first)", halls);
	posix_spawn_file_actions_destroy(&quiet);
}

struct issue_ctx {
	int64_t now;
};

/* An API token for the first admin, manager and member of the demo. */
static enum herr issue_tokens(struct txn *t, void *arg)
{
	const struct issue_ctx *ctx = arg;
	const enum role want[] = {ROLE_ADMIN, ROLE_MANAGER, ROLE_MEMBER};

	for (size_t i = 0; i < 3; i++) {
		for (uint64_t id = 1; id < 64; id++) {
			struct user u;
			struct token tk;
			bool match;

			if (user_get(t, id, &u) != H_OK)
				continue;
			match = u.role == want[i];
			user_free(&u);
			if (!match)
				continue;
			token_init(&tk);
			if (token_issue(t, &ACTOR_CONSOLE, id, TOKEN_API, "fuzz", 0, 365 * 86400,
			                ctx->now, tokens[i + 1], &tk) != H_OK)
				fatal("fuzz_http: cannot issue a token");
			token_free(&tk);
			break;
		}
	}
	return t->ret;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char data[sizeof(store_dir) + 8];
	struct herror err;
	struct issue_ctx ctx = {strtoll(FUZZ_NOW, NULL, 10)};

	(void)argc;
	snprintf(store_dir, sizeof(store_dir), "/tmp/halls-fuzz-http.XXXXXX");
	if (mkdtemp(store_dir) == NULL)
		fatal("fuzz_http: mkdtemp");
	atexit(remove_store);
	snprintf(data, sizeof(data), "%s/data", store_dir);
	make_demo((*argv)[0], data);
	herror_clear(&err);
	srv.db = fuzz_store_reopen("fuzz_http", data);
	if (db_write(srv.db, issue_tokens, &ctx, &err) != H_OK)
		fatal("fuzz_http: %s", err.msg);
	snprintf(tokens[0], sizeof(tokens[0]), "not-a-token");

	srv.cfg.data = data;
	srv.cfg.max_body = 64 * 1024;
	srv.cfg.max_headers = 16 * 1024;
	srv.cfg.timeout_s = 30;
	srv.cfg.max_connections = 16;
	srv.cfg.max_feed_builds = 32;
	srv.cfg.scrypt_log2n = 4;
	srv.cfg.session_ttl = 3600;
	srv.cfg.token_max_ttl = 365 * 86400;
	srv.cfg.fixed_now = ctx.now;
	srv.log = fopen("/dev/null", "w");
	if (evthread_use_pthreads() != 0 || (srv.base = event_base_new()) == NULL)
		fatal("fuzz_http: event loop");
	srv.metrics = metrics_new();
	srv.commits = commit_queue_new(&srv);
	srv.limits = ratelimit_new();
	srv.dummy_hash = password_hash("fuzz-dummy-password", srv.cfg.scrypt_log2n);
	srv.worker = worker_new(&srv);
	srv.builder = worker_new(&srv);
	srv.feeds = h_feed_cache_new();
	snprintf(srv.refusal_prefix, sizeof(srv.refusal_prefix), "/%032x", 0x5ec2e7);
	return 0;
}

static bool is_problem(const json_t *p, int status)
{
	return json_is_object(p) && json_is_string(json_object_get(p, "type")) &&
	       json_is_string(json_object_get(p, "title")) &&
	       json_is_string(json_object_get(p, "detail")) &&
	       json_integer_value(json_object_get(p, "status")) == status;
}

static void check_reply(int status, const char *type, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *j;

	if (status < 200 || status > 503 || status == 500)
		abort();
	if (type == NULL || strstr(type, "json") == NULL)
		return;
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL || (!json_is_object(j) && !json_is_array(j)))
		abort();
	if (strcmp(type, "application/problem+json") == 0 && !is_problem(j, status))
		abort();
	if (strcmp(type, "application/problem+json") != 0 && status >= 400)
		abort();
	json_decref(j);
}

void __wrap_http_send(struct request *r, int status, const char *content_type, const char *body,
                      size_t len)
{
	replies++;
	check_reply(status, content_type, body, len);
	__real_http_send(r, status, content_type, body, len);
}

static const enum evhttp_cmd_type methods[] = {
    EVHTTP_REQ_GET,  EVHTTP_REQ_POST, EVHTTP_REQ_PATCH,   EVHTTP_REQ_DELETE,
    EVHTTP_REQ_HEAD, EVHTTP_REQ_PUT,  EVHTTP_REQ_OPTIONS,
};

static struct evhttp_request *request_new(uint8_t who, const uint8_t *body, size_t len)
{
	struct evhttp_request *req = evhttp_request_new(NULL, NULL);
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	char auth[sizeof(tokens) + 16];

	if (who % 5 != 0) {
		snprintf(auth, sizeof(auth), "Bearer %s", tokens[who % 5 == 4 ? 0 : who % 5]);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (len > 0) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_input_buffer(req), body, len);
	}
	return req;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	char *target;
	struct evhttp_uri *uri;
	struct evhttp_request *req;
	size_t tlen;

	if (size < 3)
		return 0;
	nl = memchr(data + 2, '\n', size - 2);
	tlen = nl ? (size_t)(nl - (data + 2)) : size - 2;
	target = strndup((const char *)data + 2, tlen);
	/* What evhttp itself does with a request line's target; what it refuses never
	 * reaches the router. */
	uri = strlen(target) == tlen ? evhttp_uri_parse_with_flags(target, 0) : NULL;
	free(target);
	if (uri == NULL)
		return 0;
	req = request_new(data[0], nl ? nl + 1 : NULL, nl ? size - tlen - 3 : 0);
	replies = 0;
	router_run(&srv, req, methods[data[1] % (sizeof(methods) / sizeof(methods[0]))],
	           evhttp_uri_get_path(uri), evhttp_uri_get_query(uri));
	/* A write waits for the group commit, a sign-in for the worker. */
	while (replies == 0)
		event_base_loop(srv.base, EVLOOP_ONCE);
	event_base_loop(srv.base, EVLOOP_NONBLOCK);
	if (replies != 1 || srv.deferred != 0)
		abort();
	evhttp_uri_free(uri);
	return 0;
}
