/* hallsd: the halls HTTP server. Thin: options, then the loop. */
#include "server.h"
#include "service.h"

#include <event2/thread.h>
#include <getopt.h>
#include <openssl/rand.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: hallsd [--data DIR] [--listen ADDR:PORT]... [--tls-cert FILE --tls-key FILE]\n"
	    "              [--log FILE] [options]\n"
	    "  --data DIR          data directory (default $HALLS_DATA, then ./halls-data)\n"
	    "  --listen ADDR:PORT  address to serve on, IPv4 or [IPv6] (default "
	    "127.0.0.1:8080);\n"
	    "                      may be given several times\n"
	    "  --tls-cert FILE     serve HTTPS with this PEM certificate chain; SIGHUP reloads\n"
	    "  --tls-key FILE      and this PEM private key\n"
	    "  --log FILE          access log (default standard output); SIGHUP reopens it\n"
	    "  --log-format FORMAT the access log's: text (default), a readable line a\n"
	    "                      request, or json, a JSON object a line for log shippers\n"
	    "  --metrics-listen ADDR:PORT\n"
	    "                      serve GET /metrics (Prometheus text format) there, in\n"
	    "                      plain HTTP, and nowhere else (default: not served)\n"
	    "  --timeout SECONDS   cut off a connection silent for this long (default 30)\n"
	    "  --max-body BYTES    largest request body (default 65536)\n"
	    "  --max-connections N open connections at most; more are answered 503 (default "
	    "1024)\n"
	    "  --max-feed-builds N feeds being built at once; a request for another is\n"
	    "                      answered 503 (default 32)\n"
	    "  --trusted-proxy ADDR  a reverse proxy whose X-Forwarded-For names the client, for\n"
	    "                      sign-in throttling (may be given several times)\n"
	    "  --scrypt-log2n N    scrypt cost of password checks, 1-22 (default "
	    "$HALLS_SCRYPT_LOG2N, then 17)\n"
	    "  --token-max-days N  longest life of an API token (default $HALLS_TOKEN_MAX_DAYS,\n"
	    "                      then 365); a longer or unlimited request gets this\n"
	    "  --web-dir DIR       serve the pages from DIR (a build's web/) instead of those\n"
	    "                      built in, for working on them; not for production\n"
	    "  --version           print the version and exit\n"
	    "mail (docs/operations.md#email); without --smtp nothing is sent and messages wait\n"
	    "in the outbox (`halls outbox list`):\n"
	    "  --smtp URL          the relay: smtp://HOST[:PORT] (STARTTLS when offered) or\n"
	    "                      smtps://HOST[:PORT] (TLS from the start); no credentials\n"
	    "  --smtp-tls MODE     STARTTLS on smtp://: try (default), required, or none (a\n"
	    "                      relay on this host)\n"
	    "  --smtp-auth-file FILE  USER:PASSWORD on its first line, for the relay's AUTH\n"
	    "  --smtp-ca FILE      PEM certificates to verify the relay with (default: the\n"
	    "                      system's)\n"
	    "  --smtp-timeout SECONDS  longest SMTP exchange, 1-3600 (default 60)\n"
	    "  --smtp-from ADDR    the address messages come from (kept in the store)\n"
	    "  --smtp-from-name NAME  its display name, e.g. \"Hartley rooms\" (kept)\n"
	    "  --public-url URL    where links in messages point, e.g. https://rooms.example.org\n"
	    "                      (kept in the store, so `halls` writes the same links)\n");
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)what;
	/* Stop accepting; the loop ends once what is in flight has been answered. */
	service_stopping();
	http_drain(srv);
}

static int log_open(struct server *srv)
{
	FILE *f;

	if (srv->cfg.log_path == NULL) {
		srv->log = stdout;
		return 0;
	}
	f = fopen(srv->cfg.log_path, "a");
	if (f == NULL) {
		fprintf(stderr, "hallsd: cannot open the log %s\n", srv->cfg.log_path);
		return -1;
	}
	if (srv->log != NULL && srv->log != stdout)
		fclose(srv->log);
	srv->log = f;
	return 0;
}

static void on_hup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	service_reloading();
	log_open(arg);
	tls_reload(arg);
	service_ready(arg);
}

/* Days from 1 to 36500, or 0 (refused by parse_args) for anything else. */
static int64_t token_max_days(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return end != s && *end == '\0' && v >= 1 && v <= 36500 ? v : 0;
}

/* The options with no one-letter code. */
enum {
	OPT_SMTP = 256,
	OPT_SMTP_TLS,
	OPT_SMTP_AUTH_FILE,
	OPT_SMTP_CA,
	OPT_SMTP_TIMEOUT,
	OPT_SMTP_FROM,
	OPT_SMTP_FROM_NAME,
	OPT_PUBLIC_URL,
	OPT_LOG_FORMAT,
	OPT_METRICS_LISTEN,
	OPT_MAX_FEED_BUILDS,
};

/* The mail options; 0, or 2 (usage) having said why. */
static int parse_mail_arg(struct server_config *cfg, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case OPT_SMTP:
		cfg->smtp.smtp_url = arg;
		return 0;
	case OPT_SMTP_TLS:
		if (strcmp(arg, "none") == 0)
			cfg->smtp.tls = DELIVER_TLS_NONE;
		else if (strcmp(arg, "try") == 0)
			cfg->smtp.tls = DELIVER_TLS_TRY;
		else if (strcmp(arg, "required") == 0)
			cfg->smtp.tls = DELIVER_TLS_REQUIRED;
		else
			break;
		return 0;
	case OPT_SMTP_AUTH_FILE:
		cfg->smtp.auth_file = arg;
		return 0;
	case OPT_SMTP_CA:
		cfg->smtp.ca_file = arg;
		return 0;
	case OPT_SMTP_TIMEOUT:
		v = strtol(arg, &end, 10);
		if (end == arg || *end != '\0' || v < 1 || v > 3600)
			break;
		cfg->smtp.timeout_s = v;
		return 0;
	case OPT_SMTP_FROM:
		cfg->smtp_from = arg;
		return 0;
	case OPT_SMTP_FROM_NAME:
		cfg->smtp_from_name = arg;
		return 0;
	case OPT_PUBLIC_URL:
		cfg->public_url = arg;
		return 0;
	}
	fprintf(stderr, "hallsd: unusable value \"%s\" (see hallsd --help)\n", arg);
	return 2;
}

static int parse_args(struct server_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"log", required_argument, NULL, 'L'},
	    {"timeout", required_argument, NULL, 't'},
	    {"max-body", required_argument, NULL, 'b'},
	    {"scrypt-log2n", required_argument, NULL, 's'},
	    {"tls-cert", required_argument, NULL, 'c'},
	    {"tls-key", required_argument, NULL, 'k'},
	    {"max-connections", required_argument, NULL, 'm'},
	    {"trusted-proxy", required_argument, NULL, 'p'},
	    {"token-max-days", required_argument, NULL, 'T'},
	    {"web-dir", required_argument, NULL, 'w'},
	    {"smtp", required_argument, NULL, OPT_SMTP},
	    {"smtp-tls", required_argument, NULL, OPT_SMTP_TLS},
	    {"smtp-auth-file", required_argument, NULL, OPT_SMTP_AUTH_FILE},
	    {"smtp-ca", required_argument, NULL, OPT_SMTP_CA},
	    {"smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT},
	    {"smtp-from", required_argument, NULL, OPT_SMTP_FROM},
	    {"smtp-from-name", required_argument, NULL, OPT_SMTP_FROM_NAME},
	    {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
	    {"max-feed-builds", required_argument, NULL, OPT_MAX_FEED_BUILDS},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			cfg->data = optarg;
			break;
		case 'l':
			if (cfg->nlisten == MAX_LISTENERS)
				return 2;
			cfg->listen[cfg->nlisten++] = optarg;
			break;
		case 'L':
			cfg->log_path = optarg;
			break;
		case 't':
			cfg->timeout_s = atoi(optarg);
			break;
		case 'b':
			cfg->max_body = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			cfg->scrypt_log2n = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			cfg->tls_cert = optarg;
			break;
		case 'k':
			cfg->tls_key = optarg;
			break;
		case 'm':
			cfg->max_connections = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			if (cfg->ntrusted_proxies == MAX_LISTENERS)
				return 2;
			cfg->trusted_proxies[cfg->ntrusted_proxies++] = optarg;
			break;
		case 'T':
			cfg->token_max_ttl = token_max_days(optarg) * 86400;
			break;
		case 'w':
			cfg->web_dir = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") == 0)
				cfg->log_format = LOG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				cfg->log_format = LOG_JSON;
			else {
				fprintf(stderr,
				        "hallsd: --log-format is text or json, not \"%s\"\n",
				        optarg);
				return 2;
			}
			break;
		case OPT_METRICS_LISTEN:
			cfg->metrics_listen = optarg;
			break;
		case OPT_MAX_FEED_BUILDS:
			cfg->max_feed_builds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("hallsd %s\n", HALLS_VERSION);
			return 1;
		default:
			if (c >= OPT_SMTP && c <= OPT_PUBLIC_URL) {
				if (parse_mail_arg(cfg, c, optarg) != 0)
					return 2;
				break;
			}
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || cfg->timeout_s <= 0 || cfg->max_body == 0 ||
	    cfg->scrypt_log2n < AUTH_SCRYPT_LOG2N_MIN ||
	    cfg->scrypt_log2n > AUTH_SCRYPT_LOG2N_MAX || cfg->token_max_ttl <= 0 ||
	    cfg->max_connections == 0 || cfg->max_feed_builds == 0 ||
	    (cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		usage(stderr);
		return 2;
	}
	if (cfg->nlisten == 0)
		cfg->listen[cfg->nlisten++] = "127.0.0.1:8080";
	return 0;
}

/* The defaults, and what the environment changes of them; -1 (said on stderr) when the
 * environment holds a value hallsd cannot take: a mistake to correct, not a crash. */
static int config_defaults(struct server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->data = getenv("HALLS_DATA") ? getenv("HALLS_DATA") : "halls-data";
	cfg->max_body = 64 * 1024;
	cfg->max_headers = 16 * 1024;
	cfg->timeout_s = 30;
	cfg->max_connections = 1024;
	cfg->max_feed_builds = 32;
	cfg->scrypt_log2n = AUTH_SCRYPT_LOG2N_DEFAULT;
	/* As halls does (cmd_user_log2n): a value out of range is ignored. */
	if (getenv("HALLS_SCRYPT_LOG2N") != NULL) {
		unsigned long v = strtoul(getenv("HALLS_SCRYPT_LOG2N"), NULL, 10);

		if (v >= AUTH_SCRYPT_LOG2N_MIN && v <= AUTH_SCRYPT_LOG2N_MAX)
			cfg->scrypt_log2n = (unsigned)v;
	}
	cfg->session_ttl = 14 * 86400;
	cfg->smtp.tls = DELIVER_TLS_TRY;
	cfg->smtp.timeout_s = 60;
	cfg->token_max_ttl = TOKEN_API_MAX_DAYS_DEFAULT * 86400;
	if (getenv("HALLS_TOKEN_MAX_DAYS") != NULL &&
	    (cfg->token_max_ttl = token_max_days(getenv("HALLS_TOKEN_MAX_DAYS")) * 86400) == 0) {
		fprintf(stderr,
		        "hallsd: HALLS_TOKEN_MAX_DAYS must be whole days from 1 to 36500\n");
		return -1;
	}
	/* As halls does: the tests pin the clock the booking rules see. A value that is not
	 * UTC seconds is an error, not the real clock in disguise. */
	if (getenv("HALLS_NOW") != NULL) {
		const char *env = getenv("HALLS_NOW");
		char *end;

		cfg->fixed_now = strtoll(env, &end, 10);
		if (end == env || *end != '\0' || cfg->fixed_now <= 0 ||
		    time_check(cfg->fixed_now, NULL) != H_OK) {
			fprintf(
			    stderr,
			    "hallsd: HALLS_NOW must be UTC seconds from 1970 to 2199, not \"%s\"\n",
			    env);
			return -1;
		}
	}
	cfg->smtp.fixed_now = cfg->fixed_now;
	return 0;
}

/* Every connection is a file descriptor, and so is everything else the process holds.
 * Raise the soft limit as far as allowed, and keep the cap (plus the margin conn.c lets
 * through to answer 503, and some for LMDB, logs and listeners) under it. */
static void fd_limit_fit(struct server_config *cfg)
{
	struct rlimit rl;
	rlim_t need;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* 64 for LMDB, the log, the listeners and the worker. */
	need = (rlim_t)cfg->max_connections + CONN_OVER_CAP(cfg->max_connections) + 64;
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
		unsigned fit = rl.rlim_cur > 80 ? (unsigned)((rl.rlim_cur - 80) * 8 / 9) : 1;

		fprintf(stderr,
		        "hallsd: only %llu file descriptors allowed; serving at most %u "
		        "connections (raise LimitNOFILE / ulimit -n for more)\n",
		        (unsigned long long)rl.rlim_cur, fit);
		cfg->max_connections = fit > 0 ? fit : 1;
	}
}

static void refusal_prefix_new(char out[40])
{
	uint8_t secret[16];

	if (RAND_bytes(secret, sizeof(secret)) != 1)
		fatal("cannot draw random bytes (OpenSSL failed)");
	out[0] = '/';
	hex_encode(secret, sizeof(secret), out + 1);
}

/* --web-dir as an absolute path without symbolic links, which web.c keeps every file
 * inside (malloc'd); NULL, having said why, when it is no directory. */
static char *web_dir_resolve(const char *dir)
{
	char *real = realpath(dir, NULL);
	struct stat st;

	if (real == NULL || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "hallsd: --web-dir %s is not a directory\n", dir);
		free(real);
		return NULL;
	}
	return real;
}

static struct event *signal_watch(struct server *srv, int sig, event_callback_fn fn)
{
	struct event *ev = evsignal_new(srv->base, sig, fn, srv);

	if (ev == NULL || event_add(ev, NULL) != 0)
		fatal("cannot watch signal %d", sig);
	return ev;
}

/* The event loop. With epoll's change list, the watches a request adds and drops within
 * one turn of the loop (evhttp stops reading while it answers, then starts again) reach
 * the kernel as one epoll_ctl at most, not four per request. libevent warns that the
 * change list misbehaves with descriptors copied by dup(): hallsd never dup()s a
 * descriptor it watches. */
static struct event_base *loop_new(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;

	if (cfg == NULL)
		fatal("cannot configure the event loop");
	event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base == NULL)
		fatal("cannot create the event loop");
	return base;
}

int main(int argc, char **argv)
{
	struct server srv;
	struct herror err;
	int rc;

	memset(&srv, 0, sizeof(srv));
	if (config_defaults(&srv.cfg) != 0)
		return 2;
	rc = parse_args(&srv.cfg, argc, argv);
	if (rc != 0)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	fd_limit_fit(&srv.cfg);
	if (srv.cfg.web_dir != NULL && (srv.cfg.web_dir = web_dir_resolve(srv.cfg.web_dir)) == NULL)
		return 2;
	herror_clear(&err);
	if (log_open(&srv) != 0)
		return 1;
	if (db_open(&srv.db, srv.cfg.data, false, NULL, &err) != H_OK) {
		fprintf(stderr, "hallsd: %s\n", err.msg);
		return 1;
	}
	if ((srv.cfg.public_url != NULL || srv.cfg.smtp_from != NULL ||
	     srv.cfg.smtp_from_name != NULL) &&
	    deliver_site_update(srv.db, srv.cfg.public_url, srv.cfg.smtp_from,
	                        srv.cfg.smtp_from_name) != 0) {
		db_close(srv.db);
		return 2;
	}
	rc = 1;
	/* The worker thread wakes the loop with event_active. */
	if (evthread_use_pthreads() != 0)
		fatal("cannot make libevent thread-safe");
	srv.base = loop_new();
	srv.metrics = metrics_new();
	srv.feed_memo = ics_memo_new(FEED_MEMO_ENTRIES, FEED_MEMO_BYTES);
	srv.commits = commit_queue_new(&srv);
	srv.limits = ratelimit_new();
	/* A hash of a random password at the configured cost, checked for unknown emails. */
	{
		char pw[TOKEN_HEX];
		uint8_t unused[32];

		if (!token_new(pw, unused) ||
		    (srv.dummy_hash = password_hash(pw, srv.cfg.scrypt_log2n)) == NULL)
			fatal("cannot hash a password (OpenSSL failed)");
	}
	srv.worker = worker_new(&srv);
	srv.builder = worker_new(&srv);
	refusal_prefix_new(srv.refusal_prefix);
	if (srv.cfg.tls_cert != NULL &&
	    (srv.tls = tls_context_new(srv.cfg.tls_cert, srv.cfg.tls_key)) == NULL)
		goto out;
	if (http_start(&srv) != 0)
		goto out;
	srv.sig_int = signal_watch(&srv, SIGINT, on_stop);
	srv.sig_term = signal_watch(&srv, SIGTERM, on_stop);
	srv.sig_hup = signal_watch(&srv, SIGHUP, on_hup);
	purge_start(&srv);
	if ((srv.deliver = deliver_start(srv.db, &srv.cfg.smtp)) == NULL) {
		rc = 2;
		goto out;
	}
	srv.sweep = sweep_start(&srv);
	if (srv.cfg.smtp.smtp_url == NULL)
		fprintf(stderr, "hallsd: no --smtp relay: messages wait in the outbox "
		                "(`halls outbox list`)\n");
	for (size_t i = 0; i < srv.cfg.nlisten; i++)
		fprintf(stderr,
		        "hallsd: serving %s on %s://%s/ (the pages at /, the API at /api/v1/)\n",
		        srv.cfg.data, srv.tls ? "https" : "http", srv.cfg.listen[i]);
	/* Listening, the data open: systemctl start returns now. */
	service_ready(&srv);
	event_base_dispatch(srv.base);
	rc = 0;
out:
	purge_stop(&srv);
	sweep_stop(srv.sweep);
	if (srv.sig_int != NULL) {
		event_free(srv.sig_int);
		event_free(srv.sig_term);
		event_free(srv.sig_hup);
	}
	/* Jobs still on the workers (sign-ins, feed builds), then writes still queued,
	 * answer before the connections go. */
	worker_free(srv.worker);
	worker_free(srv.builder);
	commit_queue_free(srv.commits);
	/* After the last commit; a send in progress finishes or is abandoned. */
	deliver_stop(srv.deliver);
	srv.deliver = NULL;
	http_stop(&srv);
	ics_memo_free(srv.feed_memo);
	conn_lingering_free(&srv);
	SSL_CTX_free(srv.tls);
	ratelimit_free(srv.limits);
	free(srv.dummy_hash);
	event_base_free(srv.base);
	metrics_free(srv.metrics);
	db_close(srv.db);
	free((char *)srv.cfg.web_dir);
	if (srv.log != NULL && srv.log != stdout)
		fclose(srv.log);
	return rc;
}
