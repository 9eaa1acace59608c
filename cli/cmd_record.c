/* halls venue|room|group|user add|set|show|list|rm
 *
 * The five verbs, written once over the core's struct kind. Each row of the command
 * table names its noun's description (c->cmd->record, kept in cmd_NOUN.c), as tmux's
 * command entries share one exec function: the nouns differ only in their options, the
 * fields those become, and the columns of their listing. */
#include "cli.h"

#include <stdlib.h>

static size_t cmd_record_nfields(const struct cmd_record *r)
{
	size_t n = 0;

	while (r->fields[n].opt != NULL)
		n++;
	return n;
}

static size_t cmd_record_ncolumns(const struct cmd_record *r)
{
	size_t n = 0;

	while (r->columns[n].header != NULL)
		n++;
	return n;
}

static enum opt_type cmd_record_opt_type(enum cmd_field_type type)
{
	switch (type) {
	case FIELD_STRS:
	case FIELD_IDS:
		return OPT_MULTI;
	case FIELD_FLAG:
		return OPT_FLAG;
	default:
		return OPT_VALUE;
	}
}

/* The options of add and set, one per field; the caller frees. */
static struct opt *cmd_record_opts(const struct cmd_record *r)
{
	size_t n = cmd_record_nfields(r);
	struct opt *opts = xcalloc(n + 1, sizeof(*opts));

	for (size_t i = 0; i < n; i++) {
		opts[i].name = r->fields[i].opt;
		opts[i].type = cmd_record_opt_type(r->fields[i].type);
	}
	return opts;
}

/* The options add needs, in the order of the table. */
static int cmd_record_need(struct cli *c, const struct cmd_record *r, struct opt *opts)
{
	int rc = CLI_OK;

	for (const struct cmd_field *f = r->fields; rc == CLI_OK && f->opt != NULL; f++)
		if (f->required)
			rc = opt_need(c, opts, f->opt);
	return rc;
}

/* Puts option f, when given, into fields; CLI_USAGE on a malformed number. */
static int cmd_record_field(struct cli *c, struct opt *opts, const struct cmd_field *f,
                            json_t *fields)
{
	switch (f->type) {
	case FIELD_STR:
		return opt_to_json_str(opts, f->opt, fields, f->key);
	case FIELD_UINT:
		return opt_to_json_uint(c, opts, f->opt, f->max, fields, f->key);
	case FIELD_ID:
		return opt_to_json_id(c, opts, f->opt, fields, f->key);
	case FIELD_STRS:
		opt_to_json_strs(opts, f->opt, fields, f->key);
		return CLI_OK;
	case FIELD_IDS:
		return opt_to_json_ids(c, opts, f->opt, fields, f->key);
	case FIELD_FLAG:
		break;
	}
	return CLI_OK;
}

/* The fields of kind->save from the options (the first malformed one is reported). */
static int cmd_record_fields(struct cli *c, const struct cmd_record *r, struct opt *opts,
                             uint64_t id, json_t **out)
{
	json_t *fields = json_object();
	int rc = CLI_OK;

	for (const struct cmd_field *f = r->fields; rc == CLI_OK && f->opt != NULL; f++)
		rc = cmd_record_field(c, opts, f, fields);
	if (rc == CLI_OK && r->prepare != NULL)
		rc = r->prepare(c, opts, id, fields);
	if (rc != CLI_OK) {
		json_decref(fields);
		return rc;
	}
	*out = fields;
	return CLI_OK;
}

/* add or set, run inside db_write. */
struct cmd_record_op {
	const struct kind *kind;
	int64_t now;
	uint64_t id; /* 0: add */
	const json_t *fields;
	json_t *result;
};

static enum herr cmd_record_write(struct txn *t, void *arg)
{
	struct cmd_record_op *op = arg;

	return op->kind->save(t, &cli_console, op->id, op->fields, op->now, &op->result);
}

/* add and set: the same options; add has no ID (so adds) and needs the required ones. */
static int cmd_record_save(struct cli *c, int argc, char **argv, bool add)
{
	const struct cmd_record *r = c->cmd->record;
	struct cmd_record_op op = {.kind = r->kind, .now = c->now};
	struct opt *opts = cmd_record_opts(r);
	json_t *fields = NULL;
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, add ? 0 : 1, &nargs)) != CLI_OK)
		goto out;
	if (add && (rc = cmd_record_need(c, r, opts)) != CLI_OK)
		goto out;
	if (!add && (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK)
		goto out;
	if ((rc = cmd_record_fields(c, r, opts, op.id, &fields)) != CLI_OK)
		goto out;
	op.fields = fields;
	if ((rc = run_write(c, cmd_record_write, &op, &op.result)) == CLI_OK)
		out_object(c, op.result);
out:
	json_decref(fields);
	opt_free(opts);
	free(opts);
	return rc;
}

int cmd_record_add(struct cli *c, int argc, char **argv)
{
	return cmd_record_save(c, argc, argv, true);
}

int cmd_record_set(struct cli *c, int argc, char **argv)
{
	return cmd_record_save(c, argc, argv, false);
}

int cmd_record_rm(struct cli *c, int argc, char **argv)
{
	const struct kind *k = c->cmd->record->kind;

	return run_rm(c, argc, argv, k->name, k->remove);
}

int cmd_record_show(struct cli *c, int argc, char **argv)
{
	return run_show(c, argc, argv, c->cmd->record->kind->show);
}

struct cmd_record_list {
	struct run_list list;
	const struct cmd_record *r;
	uint64_t filter; /* 0: every record */
};

/* A cell for people: the field's text, or what the noun computes for other columns. */
static char *cmd_record_cell(struct cmd_record_list *l, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL)
		return out_text(key, v);
	return l->r->cell != NULL ? l->r->cell(&l->list.t, o, key) : NULL;
}

static bool cmd_record_list_one(const json_t *o, void *arg)
{
	struct cmd_record_list *l = arg;
	size_t n = cmd_record_ncolumns(l->r);
	char **cells;

	if (l->list.c->json) {
		json_array_append_new(l->list.array, json_deep_copy(o));
		return true;
	}
	cells = xcalloc(n, sizeof(*cells));
	for (size_t i = 0; i < n; i++)
		cells[i] = cmd_record_cell(l, o, l->r->columns[i].key);
	table_add_row(&l->list.table, (const char *const *)cells);
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
	return true;
}

int cmd_record_list(struct cli *c, int argc, char **argv)
{
	const struct cmd_record *r = c->cmd->record;
	const struct cmd_filter *f = r->filter;
	/* The filter's option, when the noun has one; else the first row ends the table. */
	struct opt opts[] = {{.name = f != NULL ? f->opt : NULL, .type = OPT_VALUE},
	                     {.name = NULL}};
	struct cmd_record_list l = {.r = r};
	size_t n = cmd_record_ncolumns(r);
	const char **headers;
	enum herr ret;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (f != NULL && (rc = opt_id(c, opts, f->opt, &l.filter)) != CLI_OK))
		return rc;
	headers = xcalloc(n, sizeof(*headers));
	for (size_t i = 0; i < n; i++)
		headers[i] = r->columns[i].header;
	if ((rc = run_list_begin(c, &l.list, n, headers)) != CLI_OK)
		goto out;
	if (l.filter != 0)
		ret = r->kind->each_within(&l.list.t, l.filter, cmd_record_list_one, &l);
	else
		ret = r->kind->each(&l.list.t, cmd_record_list_one, &l);
	rc = run_list_end(&l.list, ret);
out:
	free(headers);
	return rc;
}
