/* halls user add|list|show|set|rm: the description cmd_record.c works from, and the
 * password, which only users have; halls user invite|reset: an invitation, or a reset
 * link, sent through the outbox (the link is in the message, never printed here). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

unsigned cmd_user_log2n(unsigned dflt)
{
	const char *env = getenv("HALLS_SCRYPT_LOG2N");
	uint64_t v;

	if (env != NULL && parse_u64(env, &v) == 0 && v >= AUTH_SCRYPT_LOG2N_MIN &&
	    v <= AUTH_SCRYPT_LOG2N_MAX)
		return (unsigned)v;
	return dflt;
}

/* Reads one line from standard input and hashes it (slow: outside any transaction);
 * email: the account's, which the password may not contain (NULL: not known). */
static int cmd_user_password(struct cli *c, const char *email, char **hash)
{
	struct herror err, rule;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	herror_clear(&err);
	herror_clear(&rule);
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		herror_set(&err, H_EINVAL, "--password-stdin: no password on standard input");
		return out_error(c, &err);
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	/* The core's rule, the one POST /api/v1/users applies. */
	if (account_password_check(line, (size_t)n, email, &rule) != H_OK) {
		memset(line, 0, (size_t)n);
		free(line);
		herror_set(&err, H_EINVAL, "--password-stdin: %s", rule.msg);
		return out_error(c, &err);
	}
	*hash = password_hash(line, cmd_user_log2n(AUTH_SCRYPT_LOG2N_DEFAULT));
	memset(line, 0, (size_t)n);
	free(line);
	if (*hash == NULL) {
		herror_set(&err, H_ESTORAGE, "cannot hash the password (OpenSSL failed)");
		return out_error(c, &err);
	}
	return CLI_OK;
}

/* The email the new password of user id (0: a new one) may not contain: --email, else
 * the stored one (caller frees; NULL when neither is known). */
static char *cmd_user_email(struct cli *c, struct opt *opts, uint64_t id)
{
	const char *given = opt_str(opts, "email");
	struct herror err;
	struct user u;
	struct txn t;
	char *email = NULL;

	if (given != NULL)
		return user_email_normalize(given);
	herror_clear(&err);
	if (id == 0 || db_read_begin(c->db, &t, &err) != H_OK)
		return NULL;
	if (user_get(&t, id, &u) == H_OK)
		email = xstrdup(u.email);
	user_free(&u);
	db_read_end(&t);
	return email;
}

/* --password-stdin: hashed here, before the write transaction, because hashing is slow
 * and the write lock is shared with hallsd. kind_user.save takes the hash as a field. */
static int cmd_user_prepare(struct cli *c, struct opt *opts, uint64_t id, json_t *fields)
{
	char *hash, *email;
	int rc;

	if (!opt_flag(opts, "password-stdin"))
		return CLI_OK;
	email = cmd_user_email(c, opts, id);
	rc = cmd_user_password(c, email, &hash);
	free(email);
	if (rc != CLI_OK)
		return rc;
	json_object_set_new(fields, "password_hash", json_string(hash));
	free(hash);
	return CLI_OK;
}

/* The PASSWORD column: whether the user can sign in with a password. */
static char *cmd_user_cell(struct txn *t, const json_t *o, const char *key)
{
	(void)t;
	(void)key; /* PASSWORD is the only column that is not a field */
	return xstrdup(json_flag(o, "has_password", false) ? "yes" : "no");
}

static const struct cmd_field cmd_user_fields[] = {
    {.opt = "name", .key = "name", .type = FIELD_STR, .required = true},
    {.opt = "email", .key = "email", .type = FIELD_STR, .required = true},
    {.opt = "role", .key = "role", .type = FIELD_STR, .required = true},
    {.opt = "venue", .key = "venues", .type = FIELD_IDS},
    {.opt = "group", .key = "groups", .type = FIELD_IDS},
    {.opt = "password-stdin", .key = NULL, .type = FIELD_FLAG},
    {.opt = NULL},
};

static const struct cmd_column cmd_user_columns[] = {
    {"ID", "id"},         {"ROLE", "role"},     {"EMAIL", "email"},       {"NAME", "name"},
    {"VENUES", "venues"}, {"GROUPS", "groups"}, {"PASSWORD", "password"}, {NULL, NULL},
};

const struct cmd_record cmd_user_record = {
    .kind = &kind_user,
    .fields = cmd_user_fields,
    .columns = cmd_user_columns,
    .prepare = cmd_user_prepare,
    .cell = cmd_user_cell,
};

struct cmd_user_invite {
	json_t *fields;
	int64_t now;
	struct invitation inv;
};

static enum herr cmd_user_invite_run(struct txn *t, void *arg)
{
	struct cmd_user_invite *op = arg;

	invitation_free(&op->inv);
	return invite_user(t, &cli_console, op->fields, op->now, &op->inv);
}

int cmd_user_invite(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "email", .type = OPT_VALUE}, {.name = "name", .type = OPT_VALUE},
	    {.name = "role", .type = OPT_VALUE},  {.name = "venue", .type = OPT_MULTI},
	    {.name = "group", .type = OPT_MULTI}, {.name = NULL}};
	struct cmd_user_invite op = {.fields = json_object(), .now = c->now};
	char when[32];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "email")) != CLI_OK ||
	    (rc = opt_need(c, opts, "name")) != CLI_OK ||
	    (rc = opt_need(c, opts, "role")) != CLI_OK ||
	    (rc = opt_to_json_str(opts, "email", op.fields, "email")) != CLI_OK ||
	    (rc = opt_to_json_str(opts, "name", op.fields, "name")) != CLI_OK ||
	    (rc = opt_to_json_str(opts, "role", op.fields, "role")) != CLI_OK ||
	    (rc = opt_to_json_ids(c, opts, "venue", op.fields, "venues")) != CLI_OK ||
	    (rc = opt_to_json_ids(c, opts, "group", op.fields, "groups")) != CLI_OK ||
	    (rc = run_write(c, cmd_user_invite_run, &op, NULL)) != CLI_OK)
		goto out;
	time_format_utc(op.inv.expires_at, when);
	out_done(c,
	         json_pack("{s:O, s:s, s:I}", "user", op.inv.user, "expires_at", when, "message_id",
	                   (json_int_t)op.inv.message_id),
	         "invited %s (user %lld): the link is in outbox message %llu and works until %s",
	         json_str(op.inv.user, "email"), (long long)json_int(op.inv.user, "id", 0),
	         (unsigned long long)op.inv.message_id, when);
out:
	invitation_free(&op.inv);
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

struct cmd_user_reset {
	const char *email;
	int64_t now;
	uint64_t message_id;
	int64_t expires_at;
};

static enum herr cmd_user_reset_run(struct txn *t, void *arg)
{
	struct cmd_user_reset *op = arg;

	return account_reset_for(t, &cli_console, op->email, op->now, &op->message_id,
	                         &op->expires_at);
}

int cmd_user_reset(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_user_reset op = {.now = c->now};
	char *args[1], when[32];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		return rc;
	if (nargs != 1)
		return out_usage(c, "give the EMAIL of the account");
	op.email = args[0];
	if ((rc = run_write(c, cmd_user_reset_run, &op, NULL)) != CLI_OK)
		return rc;
	time_format_utc(op.expires_at, when);
	out_done(c,
	         json_pack("{s:s, s:I, s:s}", "email", op.email, "message_id",
	                   (json_int_t)op.message_id, "expires_at", when),
	         "a reset link for %s is in outbox message %llu; it works until %s", op.email,
	         (unsigned long long)op.message_id, when);
	return CLI_OK;
}
