/* halls user add|list|show|set|rm */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct opt cmd_user_opts[] = {
    {.name = "name", .type = OPT_VALUE},
    {.name = "email", .type = OPT_VALUE},
    {.name = "role", .type = OPT_VALUE},
    {.name = "venue", .type = OPT_MULTI},
    {.name = "group", .type = OPT_MULTI},
    {.name = "password-stdin", .type = OPT_FLAG},
    {.name = NULL},
};

struct cmd_user_op {
	struct cli *c;
	uint64_t id; /* 0: a new user */
	json_t *fields;
	const char *hash; /* a new password hash, or NULL */
	bool remove;
	json_t *result;
};

unsigned cmd_user_log2n(unsigned dflt)
{
	const char *env = getenv("HALLS_SCRYPT_LOG2N");
	uint64_t v;

	if (env != NULL && parse_u64(env, &v) == 0 && v >= 1 && v <= 30)
		return (unsigned)v;
	return dflt;
}

static enum herr cmd_user_write(struct txn *t, void *arg)
{
	struct cmd_user_op *op = arg;
	struct user u;
	enum herr ret;

	json_decref(op->result);
	op->result = NULL;
	if (op->remove)
		return user_remove(t, &cli_console, op->id, op->c->now);
	if (op->id == 0)
		user_init(&u);
	else if ((ret = user_get(t, op->id, &u)) != H_OK)
		goto out;
	ret = user_apply(&u, op->fields, t->err);
	if (ret == H_OK && op->hash != NULL) {
		free(u.password_hash);
		u.password_hash = xstrdup(op->hash);
	}
	if (ret == H_OK)
		ret = op->id == 0 ? user_create(t, &cli_console, &u, op->c->now)
		                  : user_update(t, &cli_console, &u, op->c->now);
	if (ret == H_OK)
		op->result = user_to_json(&u, false);
out:
	user_free(&u);
	return ret;
}

static int cmd_user_run(struct cli *c, struct cmd_user_op *op)
{
	struct herror err;

	herror_clear(&err);
	op->c = c;
	if (db_write(c->db, cmd_user_write, op, &err) != H_OK) {
		json_decref(op->result);
		return out_error(c, &err);
	}
	if (op->remove)
		out_done(c,
		         json_pack("{s:s, s:I, s:b}", "kind", "user", "id", (json_int_t)op->id,
		                   "removed", 1),
		         "removed user %llu", (unsigned long long)op->id);
	else
		out_object(c, op->result);
	return CLI_OK;
}

/* Reads one line from standard input and hashes it (slow: outside any transaction). */
static int cmd_user_password(struct cli *c, char **hash)
{
	struct herror err;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	herror_clear(&err);
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		herror_set(&err, H_EINVAL, "--password-stdin: no password on standard input");
		return out_error(c, &err);
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		herror_set(&err, H_EINVAL, "--password-stdin: the password is empty");
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

static int cmd_user_fields(struct cli *c, struct opt *opts, json_t **out)
{
	json_t *f = json_object();
	int rc;

	if ((rc = opt_to_json_ids(c, opts, "venue", f, "venues")) != CLI_OK ||
	    (rc = opt_to_json_ids(c, opts, "group", f, "groups")) != CLI_OK) {
		json_decref(f);
		return rc;
	}
	opt_to_json_str(opts, "name", f, "name");
	opt_to_json_str(opts, "email", f, "email");
	opt_to_json_str(opts, "role", f, "role");
	*out = f;
	return CLI_OK;
}

/* add and set: id 0 adds. */
static int cmd_user_save(struct cli *c, int argc, char **argv, bool add)
{
	struct opt opts[OPT_COUNT(cmd_user_opts)];
	struct cmd_user_op op = {0};
	char *args[1], *hash = NULL;
	size_t nargs;
	int rc;

	memcpy(opts, cmd_user_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, args, add ? 0 : 1, &nargs)) != CLI_OK)
		goto out;
	if (add && ((rc = opt_need(c, opts, "name")) != CLI_OK ||
	            (rc = opt_need(c, opts, "email")) != CLI_OK ||
	            (rc = opt_need(c, opts, "role")) != CLI_OK))
		goto out;
	if (!add && (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK)
		goto out;
	if ((rc = cmd_user_fields(c, opts, &op.fields)) != CLI_OK)
		goto out;
	if (opt_flag(opts, "password-stdin") && (rc = cmd_user_password(c, &hash)) != CLI_OK)
		goto out;
	op.hash = hash;
	rc = cmd_user_run(c, &op);
out:
	free(hash);
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

int cmd_user_add(struct cli *c, int argc, char **argv)
{
	return cmd_user_save(c, argc, argv, true);
}

int cmd_user_set(struct cli *c, int argc, char **argv)
{
	return cmd_user_save(c, argc, argv, false);
}

int cmd_user_rm(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_user_op op = {.remove = true};
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK)
		rc = cmd_user_run(c, &op);
	return rc;
}

int cmd_user_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct herror err;
	struct user u;
	struct txn t;
	char *args[1];
	size_t nargs;
	uint64_t id;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	if (user_get(&t, id, &u) != H_OK) {
		db_read_end(&t);
		user_free(&u);
		return out_error(c, &err);
	}
	db_read_end(&t);
	out_object(c, user_to_json(&u, false));
	user_free(&u);
	return CLI_OK;
}

struct cmd_user_list {
	struct cli *c;
	json_t *array;
	struct table table;
};

static bool cmd_user_list_one(const struct user *u, void *arg)
{
	struct cmd_user_list *l = arg;
	char id[24], *venues, *groups;

	if (l->c->json) {
		json_array_append_new(l->array, user_to_json(u, false));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)u->id);
	venues = out_ids(u->venues, u->nvenues);
	groups = out_ids(u->groups, u->ngroups);
	table_add(&l->table, id, role_name(u->role), u->email, u->name, venues, groups,
	          u->password_hash != NULL ? "yes" : "no");
	free(venues);
	free(groups);
	return true;
}

int cmd_user_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID",     "ROLE",   "EMAIL",   "NAME",
	                                "VENUES", "GROUPS", "PASSWORD"};
	struct opt opts[] = {{.name = NULL}};
	struct cmd_user_list l = {.c = c};
	struct herror err;
	struct txn t;
	size_t nargs;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	l.array = json_array();
	table_init(&l.table, 7, headers);
	ret = user_each(&t, cmd_user_list_one, &l);
	db_read_end(&t);
	if (ret != H_OK) {
		rc = out_error(c, &err);
	} else if (c->json) {
		out_json(l.array);
		l.array = NULL;
	} else {
		table_print(&l.table, stdout);
	}
	json_decref(l.array);
	table_free(&l.table);
	return rc;
}
