/* halls feed-token issue|list|revoke: the secrets in the addresses of private calendar
 * feeds (/feeds/private/<token>.ics), for a group's bookings or a manager's venues. The
 * secret is printed once, when issued; halls keeps only its SHA-256. The core decides who
 * may have which feed (token.c), so halls cannot hand out a feed the API would refuse. */
#include "cli.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define CMD_FEED_PATH_FMT "/feeds/private/%s.ics"

struct cmd_feed_issue {
	uint64_t user_id;
	enum feed_kind feed;
	uint64_t scope_id;
	const char *label;
	int64_t now;
	char secret[TOKEN_HEX];
	struct token tk;
};

static enum herr cmd_feed_issue_run(struct txn *t, void *arg)
{
	struct cmd_feed_issue *is = arg;

	token_free(&is->tk);
	return token_feed_issue(t, &cli_console, is->user_id, is->feed, is->scope_id, is->label,
	                        is->now, is->secret, &is->tk);
}

/* "group 3" or "manager": which feed a token opens, for people. */
static void cmd_feed_scope(const struct token *tk, char out[48])
{
	if (tk->feed == FEED_GROUP)
		snprintf(out, 48, "group %llu", (unsigned long long)tk->scope_id);
	else
		snprintf(out, 48, "manager");
}

/* The options that say which feed: exactly one of --group ID and --manager. */
static int cmd_feed_which(struct cli *c, struct opt *opts, struct cmd_feed_issue *is)
{
	bool manager = opt_flag(opts, "manager");
	bool group = opt_find(opts, "group")->count > 0;

	if (manager == group)
		return out_usage(c,
		                 "give --group ID (a group's feed) or --manager (the feed of the "
		                 "user's venues)");
	is->feed = manager ? FEED_MANAGER : FEED_GROUP;
	return manager ? CLI_OK : opt_id(c, opts, "group", &is->scope_id);
}

static void cmd_feed_issue_print(struct cli *c, const struct cmd_feed_issue *is)
{
	char path[sizeof(CMD_FEED_PATH_FMT) + TOKEN_HEX], scope[48];

	snprintf(path, sizeof(path), CMD_FEED_PATH_FMT, is->secret);
	if (c->json) {
		json_t *o = token_to_json(&is->tk);

		json_object_set_new(o, "token", json_string(is->secret));
		json_object_set_new(o, "path", json_string(path));
		out_object(c, o);
	} else {
		cmd_feed_scope(&is->tk, scope);
		printf("token:   %s\nid:      %llu\nuser:    %llu\nfeed:    %s\npath:    %s\n",
		       is->secret, (unsigned long long)is->tk.id,
		       (unsigned long long)is->tk.user_id, scope, path);
		/* Not out_note: that would copy the secret into a buffer nobody cleanses. */
		fflush(stdout);
		fprintf(stderr,
		        "halls: the token is shown only now; subscribe to "
		        "https://<this server>%s (or webcal://)\n",
		        path);
	}
	OPENSSL_cleanse(path, sizeof(path));
}

int cmd_feed_token_issue(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "user", .type = OPT_VALUE},
	                     {.name = "group", .type = OPT_VALUE},
	                     {.name = "manager", .type = OPT_FLAG},
	                     {.name = "label", .type = OPT_VALUE},
	                     {.name = NULL}};
	struct cmd_feed_issue is;
	size_t nargs;
	int rc;

	memset(&is, 0, sizeof(is));
	token_init(&is.tk);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	if ((rc = opt_need(c, opts, "user")) != CLI_OK ||
	    (rc = opt_id(c, opts, "user", &is.user_id)) != CLI_OK ||
	    (rc = cmd_feed_which(c, opts, &is)) != CLI_OK)
		goto out;
	is.label = opt_str(opts, "label");
	is.now = c->now;
	if ((rc = run_write(c, cmd_feed_issue_run, &is, NULL)) != CLI_OK)
		goto out;
	cmd_feed_issue_print(c, &is);
out:
	OPENSSL_cleanse(is.secret, sizeof(is.secret));
	token_free(&is.tk);
	opt_free(opts);
	return rc;
}

static bool cmd_feed_list_one(const struct token *tk, void *arg)
{
	struct run_list *l = arg;
	char id[24], user[24], scope[48], created[32];

	if (l->c->json) {
		json_array_append_new(l->array, token_to_json(tk));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)tk->id);
	snprintf(user, sizeof(user), "%llu", (unsigned long long)tk->user_id);
	cmd_feed_scope(tk, scope);
	time_format_utc(tk->created_at, created);
	table_add(&l->table, id, user, scope, tk->label, created);
	return true;
}

int cmd_feed_token_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "USER", "FEED", "LABEL", "CREATED"};
	struct opt opts[] = {{.name = "user", .type = OPT_VALUE}, {.name = NULL}};
	uint64_t user_id = 0; /* every user's */
	struct run_list l;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	rc = opt_id(c, opts, "user", &user_id);
	opt_free(opts);
	if (rc != CLI_OK || (rc = run_list_begin(c, &l, 5, headers)) != CLI_OK)
		return rc;
	return run_list_end(&l, token_feed_each(&l.t, user_id, cmd_feed_list_one, &l));
}

int cmd_feed_token_revoke(struct cli *c, int argc, char **argv)
{
	return cmd_tokens_revoke(c, argc, argv, token_feed_revoke, "feed-token");
}
