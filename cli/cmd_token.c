/* halls token issue|list|revoke|purge: personal API tokens, for scripts and for the first
 * sign-in of a data directory that has no passwords yet. The secret is printed once, when
 * issued; halls keeps only its SHA-256. A token lives at most $HALLS_TOKEN_MAX_DAYS days
 * (default 365), as hallsd's do. */
#include "cli.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define CMD_TOKEN_DAYS_MAX 36500

struct cmd_token_issue {
	uint64_t user_id;
	const char *label;
	int64_t ttl; /* asked for; 0: the most allowed */
	int64_t max_ttl;
	int64_t now;
	char secret[TOKEN_HEX];
	struct token tk;
};

static enum herr cmd_token_issue_run(struct txn *t, void *arg)
{
	struct cmd_token_issue *is = arg;

	token_free(&is->tk);
	return token_issue(t, &cli_console, is->user_id, TOKEN_API, is->label, is->ttl, is->max_ttl,
	                   is->now, is->secret, &is->tk);
}

/* The longest life of a token, in seconds: $HALLS_TOKEN_MAX_DAYS as hallsd reads it; a
 * value that is not 1 to CMD_TOKEN_DAYS_MAX days is ignored. */
static int64_t cmd_token_max_ttl(void)
{
	const char *env = getenv("HALLS_TOKEN_MAX_DAYS");
	uint64_t v;

	if (env != NULL && parse_u64(env, &v) == 0 && v >= 1 && v <= CMD_TOKEN_DAYS_MAX)
		return (int64_t)v * 86400;
	return TOKEN_API_MAX_DAYS_DEFAULT * 86400;
}

/* "never" or RFC 3339 in UTC. */
static void cmd_token_when(int64_t t, char out[32])
{
	if (t == 0)
		snprintf(out, 32, "never");
	else
		time_format_utc(t, out);
}

int cmd_token_issue(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "user", .type = OPT_VALUE},
	                     {.name = "label", .type = OPT_VALUE},
	                     {.name = "days", .type = OPT_VALUE},
	                     {.name = NULL}};
	struct cmd_token_issue is;
	uint64_t days = 0;
	size_t nargs;
	int rc;

	memset(&is, 0, sizeof(is));
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	if ((rc = opt_need(c, opts, "user")) != CLI_OK ||
	    (rc = opt_id(c, opts, "user", &is.user_id)) != CLI_OK ||
	    (rc = opt_uint(c, opts, "days", CMD_TOKEN_DAYS_MAX, &days)) != CLI_OK)
		goto out;
	is.label = opt_str(opts, "label");
	is.ttl = (int64_t)days * 86400;
	is.max_ttl = cmd_token_max_ttl();
	is.now = c->now;
	token_init(&is.tk);
	if ((rc = run_write(c, cmd_token_issue_run, &is, NULL)) != CLI_OK)
		goto out;
	if (c->json) {
		json_t *o = token_to_json(&is.tk);

		json_object_set_new(o, "token", json_string(is.secret));
		out_object(c, o);
	} else {
		char when[32];

		cmd_token_when(is.tk.expires_at, when);
		printf("token:   %s\nid:      %llu\nexpires: %s\n", is.secret,
		       (unsigned long long)is.tk.id, when);
		out_note("the token is shown only now; keep it somewhere safe");
	}
out:
	OPENSSL_cleanse(is.secret, sizeof(is.secret));
	token_free(&is.tk);
	opt_free(opts);
	return rc;
}

static bool cmd_token_list_one(const struct token *tk, void *arg)
{
	struct run_list *l = arg;
	char id[24], created[32], expires[32];

	if (l->c->json) {
		json_array_append_new(l->array, token_to_json(tk));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)tk->id);
	time_format_utc(tk->created_at, created);
	cmd_token_when(tk->expires_at, expires);
	table_add(&l->table, id, token_kind_name(tk->kind), tk->label, created, expires);
	return true;
}

int cmd_token_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "KIND", "LABEL", "CREATED", "EXPIRES"};
	struct opt opts[] = {{.name = "user", .type = OPT_VALUE}, {.name = NULL}};
	uint64_t user_id = 0;
	struct run_list l;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	rc = opt_need(c, opts, "user");
	if (rc == CLI_OK)
		rc = opt_id(c, opts, "user", &user_id);
	opt_free(opts);
	if (rc != CLI_OK || (rc = run_list_begin(c, &l, 5, headers)) != CLI_OK)
		return rc;
	return run_list_end(&l, token_each(&l.t, user_id, cmd_token_list_one, &l));
}

struct cmd_token_revoke {
	token_revoke_fn revoke;
	uint64_t id;
	int64_t now;
};

static enum herr cmd_token_revoke_run(struct txn *t, void *arg)
{
	struct cmd_token_revoke *v = arg;

	return v->revoke(t, &cli_console, v->id, v->now);
}

int cmd_tokens_revoke(struct cli *c, int argc, char **argv, token_revoke_fn revoke,
                      const char *kind)
{
	struct cmd_token_revoke v = {revoke, 0, c->now};
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &v.id)) != CLI_OK ||
	    (rc = run_write(c, cmd_token_revoke_run, &v, NULL)) != CLI_OK)
		return rc;
	out_done(c,
	         json_pack("{s:s, s:I, s:b}", "kind", kind, "id", (json_int_t)v.id, "revoked", 1),
	         "revoked %s %llu", kind, (unsigned long long)v.id);
	return CLI_OK;
}

int cmd_token_revoke(struct cli *c, int argc, char **argv)
{
	return cmd_tokens_revoke(c, argc, argv, token_revoke, "token");
}

struct cmd_token_purge {
	int64_t now;
	struct token_purge p;
};

/* One pass over every token, without limits: halls holds the writer only as long as the
 * pass takes, and nobody waits on its loop. */
static enum herr cmd_token_purge_run(struct txn *t, void *arg)
{
	struct cmd_token_purge *x = arg;

	memset(&x->p, 0, sizeof(x->p));
	return token_purge(t, x->now, &x->p);
}

int cmd_token_purge(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_token_purge x = {.now = c->now};
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	opt_free(opts);
	if ((rc = run_write(c, cmd_token_purge_run, &x, NULL)) != CLI_OK)
		return rc;
	out_done(c, json_pack("{s:I}", "purged", (json_int_t)x.p.deleted), "purged %zu tokens",
	         x.p.deleted);
	return CLI_OK;
}
