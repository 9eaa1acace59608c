/* halls venue add|list|show|set|rm */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct opt cmd_venue_opts[] = {
    {.name = "name", .type = OPT_VALUE},
    {.name = "address", .type = OPT_VALUE},
    {.name = "tz", .type = OPT_VALUE},
    {.name = "hours", .type = OPT_VALUE},
    {.name = "description", .type = OPT_VALUE},
    {.name = "accessibility", .type = OPT_VALUE},
    {.name = NULL},
};

struct cmd_venue_op {
	struct cli *c;
	uint64_t id; /* 0: a new venue */
	json_t *fields;
	bool remove;
	json_t *result;
};

static enum herr cmd_venue_write(struct txn *t, void *arg)
{
	struct cmd_venue_op *op = arg;
	struct venue v;
	enum herr ret;

	json_decref(op->result);
	op->result = NULL;
	if (op->remove)
		return venue_remove(t, &cli_console, op->id, op->c->now);
	if (op->id == 0)
		venue_init(&v);
	else if ((ret = venue_get(t, op->id, &v)) != H_OK)
		goto out;
	ret = venue_apply(&v, op->fields, t->err);
	if (ret == H_OK)
		ret = op->id == 0 ? venue_create(t, &cli_console, &v, op->c->now)
		                  : venue_update(t, &cli_console, &v, op->c->now);
	if (ret == H_OK)
		op->result = venue_to_json(&v);
out:
	venue_free(&v);
	return ret;
}

/* Runs op in one write transaction and prints the outcome. */
static int cmd_venue_run(struct cli *c, struct cmd_venue_op *op)
{
	struct herror err;

	herror_clear(&err);
	op->c = c;
	if (db_write(c->db, cmd_venue_write, op, &err) != H_OK) {
		json_decref(op->result);
		return out_error(c, &err);
	}
	if (op->remove)
		out_done(c,
		         json_pack("{s:s, s:I, s:b}", "kind", "venue", "id", (json_int_t)op->id,
		                   "removed", 1),
		         "removed venue %llu", (unsigned long long)op->id);
	else
		out_object(c, op->result);
	return CLI_OK;
}

static json_t *cmd_venue_fields(struct opt *opts)
{
	json_t *f = json_object();

	opt_to_json_str(opts, "name", f, "name");
	opt_to_json_str(opts, "address", f, "address");
	opt_to_json_str(opts, "tz", f, "timezone");
	opt_to_json_str(opts, "hours", f, "hours");
	opt_to_json_str(opts, "description", f, "description");
	opt_to_json_str(opts, "accessibility", f, "accessibility");
	return f;
}

int cmd_venue_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_venue_opts)];
	struct cmd_venue_op op = {0};
	size_t nargs;
	int rc;

	memcpy(opts, cmd_venue_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) == CLI_OK &&
	    (rc = opt_need(c, opts, "name")) == CLI_OK) {
		op.fields = cmd_venue_fields(opts);
		rc = cmd_venue_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_venue_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_venue_opts)];
	struct cmd_venue_op op = {0};
	char *args[1];
	size_t nargs;
	int rc;

	memcpy(opts, cmd_venue_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK) {
		op.fields = cmd_venue_fields(opts);
		rc = cmd_venue_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_venue_rm(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_venue_op op = {.remove = true};
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK)
		rc = cmd_venue_run(c, &op);
	return rc;
}

int cmd_venue_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct herror err;
	struct venue v;
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
	if (venue_get(&t, id, &v) != H_OK) {
		db_read_end(&t);
		venue_free(&v);
		return out_error(c, &err);
	}
	db_read_end(&t);
	out_object(c, venue_to_json(&v));
	venue_free(&v);
	return CLI_OK;
}

struct cmd_venue_list {
	struct cli *c;
	json_t *array;
	struct table table;
};

static bool cmd_venue_list_one(const struct venue *v, void *arg)
{
	struct cmd_venue_list *l = arg;
	char id[24], *hours;

	if (l->c->json) {
		json_array_append_new(l->array, venue_to_json(v));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)v->id);
	hours = hours_format(&v->hours);
	table_add(&l->table, id, v->name, v->tz, hours);
	free(hours);
	return true;
}

int cmd_venue_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "NAME", "ZONE", "HOURS"};
	struct opt opts[] = {{.name = NULL}};
	struct cmd_venue_list l = {.c = c};
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
	ret = venue_each(&t, cmd_venue_list_one, &l);
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
