/* halls room add|list|show|set|rm */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct opt cmd_room_opts[] = {
    {.name = "venue", .type = OPT_VALUE},
    {.name = "name", .type = OPT_VALUE},
    {.name = "capacity", .type = OPT_VALUE},
    {.name = "setup", .type = OPT_VALUE},
    {.name = "cleanup", .type = OPT_VALUE},
    {.name = "min-length", .type = OPT_VALUE},
    {.name = "max-length", .type = OPT_VALUE},
    {.name = "notice", .type = OPT_VALUE},
    {.name = "horizon", .type = OPT_VALUE},
    {.name = "approval", .type = OPT_VALUE},
    {.name = "feature", .type = OPT_MULTI},
    {.name = "description", .type = OPT_VALUE},
    {.name = NULL},
};

struct cmd_room_op {
	struct cli *c;
	uint64_t id; /* 0: a new room */
	json_t *fields;
	bool remove;
	json_t *result;
};

static enum herr cmd_room_write(struct txn *t, void *arg)
{
	struct cmd_room_op *op = arg;
	struct room r;
	enum herr ret;

	json_decref(op->result);
	op->result = NULL;
	if (op->remove)
		return room_remove(t, &cli_console, op->id, op->c->now);
	if (op->id == 0)
		room_init(&r);
	else if ((ret = room_get(t, op->id, &r)) != H_OK)
		goto out;
	ret = room_apply(&r, op->fields, t->err);
	if (ret == H_OK)
		ret = op->id == 0 ? room_create(t, &cli_console, &r, op->c->now)
		                  : room_update(t, &cli_console, &r, op->c->now);
	if (ret == H_OK)
		op->result = room_to_json(&r);
out:
	room_free(&r);
	return ret;
}

static int cmd_room_run(struct cli *c, struct cmd_room_op *op)
{
	struct herror err;

	herror_clear(&err);
	op->c = c;
	if (db_write(c->db, cmd_room_write, op, &err) != H_OK) {
		json_decref(op->result);
		return out_error(c, &err);
	}
	if (op->remove)
		out_done(c,
		         json_pack("{s:s, s:I, s:b}", "kind", "room", "id", (json_int_t)op->id,
		                   "removed", 1),
		         "removed room %llu", (unsigned long long)op->id);
	else
		out_object(c, op->result);
	return CLI_OK;
}

/* Builds the fields of room_apply from the options; CLI_USAGE on a malformed number. */
static int cmd_room_fields(struct cli *c, struct opt *opts, json_t **out)
{
	static const struct {
		const char *opt, *key;
	} numbers[] = {
	    {"capacity", "capacity"},       {"setup", "setup_minutes"},
	    {"cleanup", "cleanup_minutes"}, {"min-length", "min_minutes"},
	    {"max-length", "max_minutes"},  {"notice", "notice_minutes"},
	    {"horizon", "horizon_days"},
	};
	json_t *f = json_object();
	uint64_t venue = 0;
	int rc = opt_id(c, opts, "venue", &venue);

	if (venue != 0)
		json_object_set_new(f, "venue_id", json_integer((json_int_t)venue));
	for (size_t i = 0; rc == CLI_OK && i < sizeof(numbers) / sizeof(numbers[0]); i++)
		rc = opt_to_json_uint(c, opts, numbers[i].opt, (uint64_t)INT64_MAX, f,
		                      numbers[i].key);
	if (rc != CLI_OK) {
		json_decref(f);
		return rc;
	}
	opt_to_json_str(opts, "name", f, "name");
	opt_to_json_str(opts, "approval", f, "approval");
	opt_to_json_str(opts, "description", f, "description");
	opt_to_json_strs(opts, "feature", f, "features");
	*out = f;
	return CLI_OK;
}

int cmd_room_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_room_opts)];
	struct cmd_room_op op = {0};
	size_t nargs;
	int rc;

	memcpy(opts, cmd_room_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) == CLI_OK &&
	    (rc = opt_need(c, opts, "venue")) == CLI_OK &&
	    (rc = opt_need(c, opts, "name")) == CLI_OK &&
	    (rc = opt_need(c, opts, "capacity")) == CLI_OK &&
	    (rc = cmd_room_fields(c, opts, &op.fields)) == CLI_OK) {
		rc = cmd_room_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_room_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[OPT_COUNT(cmd_room_opts)];
	struct cmd_room_op op = {0};
	char *args[1];
	size_t nargs;
	int rc;

	memcpy(opts, cmd_room_opts, sizeof(opts));
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK &&
	    (rc = cmd_room_fields(c, opts, &op.fields)) == CLI_OK) {
		rc = cmd_room_run(c, &op);
		json_decref(op.fields);
	}
	opt_free(opts);
	return rc;
}

int cmd_room_rm(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_room_op op = {.remove = true};
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) == CLI_OK &&
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) == CLI_OK)
		rc = cmd_room_run(c, &op);
	return rc;
}

int cmd_room_show(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct herror err;
	struct room r;
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
	if (room_get(&t, id, &r) != H_OK) {
		db_read_end(&t);
		room_free(&r);
		return out_error(c, &err);
	}
	db_read_end(&t);
	out_object(c, room_to_json(&r));
	room_free(&r);
	return CLI_OK;
}

struct cmd_room_list {
	struct cli *c;
	json_t *array;
	struct table table;
};

static bool cmd_room_list_one(const struct room *r, void *arg)
{
	struct cmd_room_list *l = arg;
	char id[24], venue[24], capacity[24];
	json_t *o = room_to_json(r);
	char *features;

	if (l->c->json) {
		json_array_append_new(l->array, o);
		return true;
	}
	features = xstrdup("");
	for (size_t i = 0; i < json_array_size(json_object_get(o, "features")); i++) {
		char *next =
		    xasprintf("%s%s%s", features, i ? ", " : "",
		              json_string_value(json_array_get(json_object_get(o, "features"), i)));

		free(features);
		features = next;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)r->id);
	snprintf(venue, sizeof(venue), "%llu", (unsigned long long)r->venue_id);
	snprintf(capacity, sizeof(capacity), "%u", r->capacity);
	table_add(&l->table, id, venue, r->name, capacity, approval_name(r->approval), features);
	free(features);
	json_decref(o);
	return true;
}

int cmd_room_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "VENUE", "NAME", "CAPACITY", "APPROVAL", "FEATURES"};
	struct opt opts[] = {{.name = "venue", .type = OPT_VALUE}, {.name = NULL}};
	struct cmd_room_list l = {.c = c};
	struct herror err;
	uint64_t venue = 0;
	struct txn t;
	size_t nargs;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	l.array = json_array();
	table_init(&l.table, 6, headers);
	ret = H_OK;
	if (venue != 0 && !record_exists(&t, DBI_VENUE, venue))
		ret = herror_set(&err, H_ENOTFOUND, "there is no venue %llu",
		                 (unsigned long long)venue);
	if (ret == H_OK)
		ret = room_each(&t, venue, cmd_room_list_one, &l);
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
