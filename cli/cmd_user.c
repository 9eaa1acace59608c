/* halls user add|list|show|set|rm: the description cmd_record.c works from, and the
 * password, which only users have. */
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

/* Reads one line from standard input and hashes it (slow: outside any transaction). */
static int cmd_user_password(struct cli *c, char **hash)
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
	if (account_password_check(line, (size_t)n, &rule) != H_OK) {
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

/* --password-stdin: hashed here, before the write transaction, because hashing is slow
 * and the write lock is shared with hallsd. kind_user.save takes the hash as a field. */
static int cmd_user_prepare(struct cli *c, struct opt *opts, json_t *fields)
{
	char *hash;
	int rc;

	if (!opt_flag(opts, "password-stdin"))
		return CLI_OK;
	if ((rc = cmd_user_password(c, &hash)) != CLI_OK)
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
