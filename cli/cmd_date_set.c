/* halls date-set add|list|show|set|rm|import: named sets of dates (date_set.h). A date
 * on the command line is "YYYY-MM-DD", or "YYYY-MM-DD LABEL" for one with a label. */
#include "cli.h"

#include "date_set.h"
#include "date_set_ics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "YYYY-MM-DD" or "YYYY-MM-DD LABEL" as the API's {"date", "label"}. */
static json_t *cmd_date_set_date(const char *arg)
{
	char date[11];

	if (strlen(arg) <= 10)
		return json_string(arg);
	memcpy(date, arg, 10);
	date[10] = '\0';
	return json_pack("{s:s, s:s}", "date", date, "label", arg[10] == ' ' ? arg + 11 : arg + 10);
}

static json_t *cmd_date_set_dates(struct opt *opts, const char *name)
{
	struct opt *o = opt_find(opts, name);
	json_t *a = json_array();

	for (int i = 0; o != NULL && i < o->count; i++)
		json_array_append_new(a, cmd_date_set_date(o->values[i]));
	return a;
}

/* For people: the set's fields, then its dates one a line. */
static void cmd_date_set_print(struct cli *c, json_t *o)
{
	json_t *dates = json_incref(json_object_get(o, "dates")), *d;
	size_t i;

	if (c->json) {
		json_decref(dates);
		out_object(c, o);
		return;
	}
	json_object_del(o, "dates");
	out_object(c, o);
	printf("dates:\n");
	json_array_foreach(dates, i, d)
	{
		const char *label = json_str(d, "label");

		printf("  %s%s%s\n", json_str(d, "date"), label != NULL ? "  " : "",
		       label != NULL ? label : "");
	}
	json_decref(dates);
}

struct cmd_date_set_op {
	int64_t now;
	json_t *fields;  /* add: the new set's; set: the change */
	uint64_t id;     /* set; import: into */
	const char *ics; /* import */
	size_t ics_len;
	bool named; /* import: --name given (else the file's X-WR-CALNAME) */
	struct date_set_ics_report rep;
	json_t *result;
};

static enum herr cmd_date_set_add_write(struct txn *t, void *arg)
{
	struct cmd_date_set_op *op = arg;
	struct date_set s;
	enum herr ret = date_set_from_json(op->fields, &s, t->err);

	if (ret == H_OK)
		ret = date_set_create(t, &cli_console, &s, op->now);
	else
		ret = txn_refuse(t, ret, "%s", t->err->msg);
	if (ret == H_OK)
		op->result = date_set_to_json_local(&s);
	date_set_free(&s);
	return ret;
}

int cmd_date_set_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "name", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "date", .type = OPT_MULTI},
	    {.name = NULL},
	};
	struct cmd_date_set_op op = {.now = c->now};
	size_t nargs;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "name")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "venue", op.fields, "venue_id")) != CLI_OK)
		goto out;
	opt_to_json_str(opts, "name", op.fields, "name");
	opt_to_json_str(opts, "description", op.fields, "description");
	json_object_set_new(op.fields, "dates", cmd_date_set_dates(opts, "date"));
	if ((rc = run_write(c, cmd_date_set_add_write, &op, &op.result)) == CLI_OK) {
		cmd_date_set_print(c, op.result);
		op.result = NULL;
	}
out:
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

static enum herr cmd_date_set_set_write(struct txn *t, void *arg)
{
	struct cmd_date_set_op *op = arg;
	struct date_set s;
	enum herr ret = date_set_update(t, &cli_console, op->id, op->fields, op->now, &s);

	if (ret == H_OK) {
		op->result = date_set_to_json_local(&s);
		date_set_free(&s);
	}
	return ret;
}

int cmd_date_set_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "name", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "add", .type = OPT_MULTI},
	    {.name = "remove", .type = OPT_MULTI},
	    {.name = NULL},
	};
	struct cmd_date_set_op op = {.now = c->now};
	char *args[1];
	size_t nargs;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK)
		goto out;
	opt_to_json_str(opts, "name", op.fields, "name");
	opt_to_json_str(opts, "description", op.fields, "description");
	if (opt_find(opts, "add")->count > 0)
		json_object_set_new(op.fields, "add", cmd_date_set_dates(opts, "add"));
	opt_to_json_strs(opts, "remove", op.fields, "remove");
	if ((rc = run_write(c, cmd_date_set_set_write, &op, &op.result)) == CLI_OK) {
		cmd_date_set_print(c, op.result);
		op.result = NULL;
	}
out:
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

int cmd_date_set_rm(struct cli *c, int argc, char **argv)
{
	return run_rm(c, argc, argv, "date set", date_set_remove);
}

int cmd_date_set_show(struct cli *c, int argc, char **argv)
{
	struct date_set s;
	struct herror err;
	struct txn t;
	uint64_t id;
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	if (date_set_get(&t, id, &s) != H_OK) {
		date_set_free(&s);
		db_read_end(&t);
		return out_error(c, &err);
	}
	db_read_end(&t);
	cmd_date_set_print(c, date_set_to_json_local(&s));
	date_set_free(&s);
	return CLI_OK;
}

static bool cmd_date_set_list_one(const struct date_set *s, void *arg)
{
	struct run_list *l = arg;
	char id[24], venue[40], n[24], first[16] = "-", last[16] = "-";

	if (l->c->json) {
		json_array_append_new(l->array, date_set_to_json_local(s));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)s->id);
	if (s->venue_id != 0)
		snprintf(venue, sizeof(venue), "venue %llu", (unsigned long long)s->venue_id);
	else
		snprintf(venue, sizeof(venue), "borough");
	snprintf(n, sizeof(n), "%zu", s->n);
	if (s->n > 0) {
		date_set_format_date(s->dates[0].day, first);
		date_set_format_date(s->dates[s->n - 1].day, last);
	}
	table_add(&l->table, id, venue, n, first, last, s->name);
	return true;
}

int cmd_date_set_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "OF", "DATES", "FIRST", "LAST", "NAME"};
	struct opt opts[] = {{.name = "venue", .type = OPT_VALUE}, {.name = NULL}};
	uint64_t venue = 0;
	struct run_list l;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK)
		return rc;
	if ((rc = run_list_begin(c, &l, 6, headers)) != CLI_OK)
		return rc;
	return run_list_end(&l, date_set_each(&l.t, venue != 0 ? venue : UINT64_MAX, NULL,
	                                      cmd_date_set_list_one, &l));
}

/* The file's bytes, NUL-terminated; a file over the import's limit is refused unread. */
static char *cmd_date_set_slurp(const char *path, size_t *len, struct herror *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL) {
		herror_set(err, H_EINVAL, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(DATE_SET_ICS_MAX_BYTES + 2);
	*len = fread(buf, 1, DATE_SET_ICS_MAX_BYTES + 1, f);
	if (ferror(f)) {
		herror_set(err, H_EINVAL, "cannot read %s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else
		buf[*len] = '\0';
	fclose(f);
	return buf;
}

static enum herr cmd_date_set_import_write(struct txn *t, void *arg)
{
	struct cmd_date_set_op *op = arg;
	struct date_set s;
	enum herr ret;

	json_decref(op->result);
	op->result = NULL;
	/* The name may come from the file: judged as a new set's with a stand-in. */
	ret = date_set_from_json(op->fields, &s, t->err);
	if (ret != H_OK)
		return txn_refuse(t, ret, "%s", t->err->msg);
	if (!op->named) {
		free(s.name);
		s.name = NULL;
	}
	ret = date_set_import(t, &cli_console, &s, op->id, op->ics, op->ics_len, op->now, &op->rep);
	if (ret == H_OK)
		op->result = json_pack("{s:o, s:o}", "date_set", date_set_to_json_local(&s),
		                       "import", date_set_ics_report_json(&op->rep));
	date_set_free(&s);
	return ret;
}

int cmd_date_set_import(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "name", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "into", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_date_set_op op = {.now = c->now};
	struct herror err;
	char *args[1], *text = NULL;
	size_t nargs;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "venue", op.fields, "venue_id")) != CLI_OK ||
	    (rc = opt_id(c, opts, "into", &op.id)) != CLI_OK)
		goto out;
	if (nargs != 1) {
		rc = out_usage(c, "name the .ics file to import");
		goto out;
	}
	opt_to_json_str(opts, "name", op.fields, "name");
	opt_to_json_str(opts, "description", op.fields, "description");
	op.named = opt_str(opts, "name") != NULL;
	if (!op.named)
		json_object_set_new(op.fields, "name", json_string("(from the file)"));
	herror_clear(&err);
	if ((text = cmd_date_set_slurp(args[0], &op.ics_len, &err)) == NULL) {
		rc = out_error(c, &err);
		goto out;
	}
	op.ics = text;
	if ((rc = run_write(c, cmd_date_set_import_write, &op, &op.result)) != CLI_OK)
		goto out;
	if (c->json) {
		out_object(c, op.result);
	} else {
		printf(
		    "%s: %zu event%s read; %zu date%s added, %zu already in the set; %zu event%s "
		    "left out\n",
		    args[0], op.rep.events, op.rep.events == 1 ? "" : "s", op.rep.added,
		    op.rep.added == 1 ? "" : "s", op.rep.duplicates, op.rep.skipped,
		    op.rep.skipped == 1 ? "" : "s");
		for (size_t i = 0; i < op.rep.nnotes; i++)
			printf("  %s\n", op.rep.notes[i]);
		cmd_date_set_print(c, json_incref(json_object_get(op.result, "date_set")));
		json_decref(op.result);
	}
	op.result = NULL;
out:
	free(text);
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}
