/* halls group add|list|show|set|rm */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct opt cmd_group_opts[] = {
    {.name = "name", .type = OPT_VALUE},       {.name = "kind", .type = OPT_VALUE},
    {.name = "contact", .type = OPT_VALUE},    {.name = "description", .type = OPT_VALUE},
    {.name = "trusted-at", .type = OPT_MULTI}, {.name = NULL},
};

struct cmd_group_op {
	struct cli *c;
	uint64_t id; /* 0: a new group */
	json_t *fields;
	bool remove;
	json_t *result;
};

static enum herr cmd_group_write(struct txn *t, void *arg)
{
	struct cmd_group_op *op = arg;
	struct group g;
	enum herr ret;

	json_decref(op->result);
	op->result = NULL;
	if (op->remove)
		return group_remove(t, &cli_console, op->id, op->c->now);
	if (op->id == 0)
		group_init(&g);
	else if ((ret = group_get(t, op->id, &g)) != H_OK)
		goto out;
	ret = group_apply(&g, op->fields, t->err);
	if (ret == H_OK)
		ret = op->id == 0 ? group_create(t, &cli_console, &g, op->c->now)
		                  : group_update(t, &cli_console, &g, op->c->now);
	if (ret == H_OK)
		op->result = group_to_json(&g);
out:
	group_free(&g);
	return ret;
}

static int cmd_group_run(struct cli *c, struct cmd_group_op *op)
{
	struct herror err;

	herror_clear(&err);
	op->c = c;
	if (db_write(c->db, cmd_group_write, op, &err) != H_OK) {
		json_decref(op->result);
		return out_error(c, &err);
	}
	if (op->remove)
		out_done(c,
		         json_pack("{s:s, s:I, s:b}", "kind", "group", "id", (json_int_t)op->id,
		                   "removed", 1),
		         "removed group %llu", (unsigned long long)op->id);
	else
		out_object(c, op->result);
	return CLI_OK;
}

static int cmd_group_fields(struct cli *c, struct opt *opts, json_t **out)
{
	json_t *f = json_object();
	int rc = opt_to_json_ids(c, opts, "trusted-at", f, "trusted_at");

	if (rc != CLI_OK) {
		json_decref(f);
		return rc;
	}
	opt_to_json_str(opts, "name", f, "name");
	opt_to_json_str(opts, "kind", f, "kind");
	opt_to_json_str(opts, "contact", f, "contact");
	opt_to_json_str(opts, "description", f, "description");
	*out = f;
	return CLI_OK;
}

int cmd_group_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_group_opts)];
	struct cmd_group_op op = {0};
	size_t nargs;
	int rc;

	memcpy(opts, cmd_group_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) == CLI_OK &&
	    (rc = opt_need(c, opts, "name")) == CLI_OK &&
	    (rc = cmd_group_fields(c, opts, &op.fields)) == CLI_OK) {
		rc = cmd_group_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_group_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_group_opts)];
	struct cmd_group_op op = {0};
	char *args[1];
	size_t nargs;
	int rc;

	memcpy(opts, cmd_group_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK &&
	    (rc = cmd_group_fields(c, opts, &op.fields)) == CLI_OK) {
		rc = cmd_group_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_group_rm(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_group_op op = {.remove = true};
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK)
		rc = cmd_group_run(c, &op);
	return rc;
}

int cmd_group_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct herror err;
	struct group g;
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
	if (group_get(&t, id, &g) != H_OK) {
		db_read_end(&t);
		group_free(&g);
		return out_error(c, &err);
	}
	db_read_end(&t);
	out_object(c, group_to_json(&g));
	group_free(&g);
	return CLI_OK;
}

struct cmd_group_list {
	struct cli *c;
	json_t *array;
	struct table table;
};

static bool cmd_group_list_one(const struct group *g, void *arg)
{
	struct cmd_group_list *l = arg;
	char id[24], *trusted;

	if (l->c->json) {
		json_array_append_new(l->array, group_to_json(g));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)g->id);
	trusted = out_ids(g->trusted_at, g->ntrusted);
	table_add(&l->table, id, group_kind_name(g->kind), g->name, trusted);
	free(trusted);
	return true;
}

int cmd_group_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "KIND", "NAME", "TRUSTED AT"};
	struct opt opts[] = {{.name = NULL}};
	struct cmd_group_list l = {.c = c};
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
	table_init(&l.table, 4, headers);
	ret = group_each(&t, cmd_group_list_one, &l);
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
