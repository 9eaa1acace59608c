/* halls allowance add|set|list|show|rm|use: hours a group may book per period
 * (docs/fair-access.md#allowances). The options become the fields allowance.c judges,
 * as POST and PATCH /api/v1/allowances send them. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* --term [NAME=]START..END, each into fields' "terms". */
static int cmd_allowance_terms(struct cli *c, struct opt *opts, json_t *fields)
{
	struct opt *o = opt_find(opts, "term");
	json_t *terms;

	if (o->count == 0)
		return CLI_OK;
	terms = json_array();
	for (int i = 0; i < o->count; i++) {
		const char *v = o->values[i], *eq = strrchr(v, '='), *dates = eq ? eq + 1 : v;
		const char *dots = strstr(dates, "..");
		json_t *term;

		if (dots == NULL) {
			json_decref(terms);
			return out_usage(c,
			                 "--term is [NAME=]START..END, such as \"Autumn "
			                 "term=2026-09-01..2026-12-18\", not \"%s\"",
			                 v);
		}
		term = json_object();
		json_object_set_new(term, "start", json_stringn(dates, (size_t)(dots - dates)));
		json_object_set_new(term, "end", json_string(dots + 2));
		if (eq != NULL)
			json_object_set_new(term, "name", json_stringn(v, (size_t)(eq - v)));
		json_array_append_new(terms, term);
	}
	json_object_set_new(fields, "terms", terms);
	return CLI_OK;
}

/* --hours H (a number, fractions allowed) into fields' "hours". */
static int cmd_allowance_hours(struct cli *c, struct opt *opts, json_t *fields)
{
	const char *s = opt_str(opts, "hours");
	char *end;
	double h;

	if (s == NULL)
		return CLI_OK;
	h = strtod(s, &end);
	if (end == s || *end != '\0' || !(h >= 0))
		return out_usage(
		    c, "--hours must be a number of hours such as 12 or 1.5, not \"%s\"", s);
	json_object_set_new(fields, "hours", json_real(h));
	return CLI_OK;
}

/* The options add and set share, into fields. */
static int cmd_allowance_fields(struct cli *c, struct opt *opts, json_t *fields)
{
	int rc;

	if ((rc = opt_to_json_ids(c, opts, "room", fields, "room_ids")) != CLI_OK ||
	    (rc = cmd_allowance_terms(c, opts, fields)) != CLI_OK ||
	    (rc = cmd_allowance_hours(c, opts, fields)) != CLI_OK ||
	    (rc = opt_to_json_uint(c, opts, "minutes", UINT32_MAX, fields, "minutes")) != CLI_OK)
		return rc;
	opt_to_json_str(opts, "period", fields, "period");
	opt_to_json_str(opts, "over", fields, "over");
	opt_to_json_str(opts, "note", fields, "note");
	return CLI_OK;
}

struct cmd_allowance_op {
	int64_t now;
	uint64_t id; /* set, and what add made */
	json_t *fields;
	json_t *result;
};

static enum herr cmd_allowance_show_json(struct txn *t, uint64_t id, int64_t at, json_t **out);

static enum herr cmd_allowance_add_write(struct txn *t, void *arg)
{
	struct cmd_allowance_op *op = arg;

	if (allowance_create(t, &cli_console, op->fields, op->now, &op->id) != H_OK)
		return t->ret;
	return cmd_allowance_show_json(t, op->id, op->now, &op->result);
}

static enum herr cmd_allowance_set_write(struct txn *t, void *arg)
{
	struct cmd_allowance_op *op = arg;

	if (allowance_update(t, &cli_console, op->id, op->fields, op->now) != H_OK)
		return t->ret;
	return cmd_allowance_show_json(t, op->id, op->now, &op->result);
}

/* The options add and set share; add has two more before them. */
#define CMD_ALLOWANCE_FIELDS 7
static const struct opt cmd_allowance_field_opts[CMD_ALLOWANCE_FIELDS] = {
    {.name = "room", .type = OPT_MULTI},    {.name = "period", .type = OPT_VALUE},
    {.name = "term", .type = OPT_MULTI},    {.name = "hours", .type = OPT_VALUE},
    {.name = "minutes", .type = OPT_VALUE}, {.name = "over", .type = OPT_VALUE},
    {.name = "note", .type = OPT_VALUE},
};

int cmd_allowance_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[CMD_ALLOWANCE_FIELDS + 3] = {
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "venue", .type = OPT_VALUE},
	};
	struct cmd_allowance_op op = {.now = c->now, .fields = json_object()};
	size_t nargs;
	int rc;

	memcpy(opts + 2, cmd_allowance_field_opts, sizeof(cmd_allowance_field_opts));
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "group")) != CLI_OK ||
	    (rc = opt_need(c, opts, "period")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "group", op.fields, "group_id")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "venue", op.fields, "venue_id")) != CLI_OK ||
	    (rc = cmd_allowance_fields(c, opts, op.fields)) != CLI_OK)
		goto out;
	if (opt_str(opts, "hours") == NULL && opt_str(opts, "minutes") == NULL) {
		rc = out_usage(c, "--hours or --minutes is required");
		goto out;
	}
	if ((rc = run_write(c, cmd_allowance_add_write, &op, &op.result)) == CLI_OK)
		out_object(c, op.result);
out:
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

int cmd_allowance_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[CMD_ALLOWANCE_FIELDS + 1] = {{.name = NULL}};
	struct cmd_allowance_op op = {.now = c->now, .fields = json_object()};
	char *args[1];
	size_t nargs;
	int rc;

	memcpy(opts, cmd_allowance_field_opts, sizeof(cmd_allowance_field_opts));
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK ||
	    (rc = cmd_allowance_fields(c, opts, op.fields)) != CLI_OK)
		goto out;
	if ((rc = run_write(c, cmd_allowance_set_write, &op, &op.result)) == CLI_OK)
		out_object(c, op.result);
out:
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

int cmd_allowance_rm(struct cli *c, int argc, char **argv)
{
	return run_rm(c, argc, argv, "allowance", allowance_remove);
}

/* As the console sees it, with its use in the period containing at. */
static enum herr cmd_allowance_show_json(struct txn *t, uint64_t id, int64_t at, json_t **out)
{
	struct allowance al;
	enum herr ret = allowance_get(t, id, &al);

	*out = NULL;
	if (ret == H_OK)
		ret = allowance_view_json(t, &cli_console, &al, at, out);
	allowance_free(&al);
	return ret;
}

int cmd_allowance_show(struct cli *c, int argc, char **argv)
{
	return run_show_at(c, argc, argv, cmd_allowance_show_json);
}

/* "10 of 12 hours", "1.5 of 2 hours", in hours to two places at most. */
static void cmd_allowance_used(const json_t *use, char *out, size_t size)
{
	double used = (double)json_integer_value(json_object_get(use, "used_minutes")) / 60;
	double limit = (double)json_integer_value(json_object_get(use, "limit_minutes")) / 60;

	if (!json_is_true(json_object_get(use, "applies")))
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%.4g of %.4g hours", used, limit);
}

/* Where an allowance applies, in words: "borough", "venue 1" (every room of it), "venue 1,
 * room 2" or "venue 1, rooms 1, 2". */
static void cmd_allowance_where(const json_t *o, char *out, size_t size)
{
	json_t *venue = json_object_get(o, "venue_id"), *rooms = json_object_get(o, "room_ids");
	size_t n = json_array_size(rooms), len;

	if (json_integer_value(venue) == 0) /* null or 0: the whole borough */
		len = (size_t)snprintf(out, size, "borough");
	else
		len =
		    (size_t)snprintf(out, size, "venue %lld", (long long)json_integer_value(venue));
	for (size_t i = 0; i < n && len + 32 < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%lld",
		                        i > 0    ? ", "
		                        : n == 1 ? ", room "
		                                 : ", rooms ",
		                        (long long)json_integer_value(json_array_get(rooms, i)));
}

struct cmd_allowance_listing {
	uint64_t venue, group;
	int64_t at;
	bool use; /* `use`: the figures; else the rules */
};

static void cmd_allowance_row(struct table *tb, const json_t *o, bool use)
{
	char id[24], hours[32], where[160], used[64];
	const json_t *u = json_object_get(o, "use");

	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(o, "id")));
	snprintf(hours, sizeof(hours), "%.4g", json_real_value(json_object_get(o, "hours")));
	cmd_allowance_where(o, where, sizeof(where));
	if (!use) {
		table_add(tb, id, json_str(o, "group_name"), where, json_str(o, "period"), hours,
		          json_str(o, "over"));
		return;
	}
	cmd_allowance_used(u, used, sizeof(used));
	table_add(tb, id, json_str(o, "group_name"), where, json_str(u, "period"), used,
	          json_str(u, "start"), json_str(u, "end"));
}

static int cmd_allowance_listing(struct cli *c, const struct cmd_allowance_listing *w)
{
	static const char *rules[] = {"ID", "GROUP", "WHERE", "PER", "HOURS", "OVER"};
	static const char *figures[] = {"ID", "GROUP", "WHERE", "PERIOD", "USED", "FROM", "TO"};
	struct run_list l;
	json_t *items = NULL, *o;
	enum herr ret;
	size_t i;
	int rc;

	if ((rc = run_list_begin(c, &l, w->use ? 7 : 6, w->use ? figures : rules)) != CLI_OK)
		return rc;
	ret = allowance_list(&l.t, &cli_console, w->venue, w->group, w->at, &items);
	json_array_foreach(items, i, o)
	{
		if (c->json)
			json_array_append(l.array, o);
		else
			cmd_allowance_row(&l.table, o, w->use);
	}
	json_decref(items);
	return run_list_end(&l, ret);
}

static int cmd_allowance_filters(struct cli *c, int argc, char **argv, bool use)
{
	struct opt opts[] = {
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = use ? "at" : NULL, .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_allowance_listing w = {.at = c->now, .use = use};
	struct herror err;
	char *zone = NULL;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &w.venue)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &w.group)) != CLI_OK)
		goto out;
	herror_clear(&err);
	if (use && opt_str(opts, "at") != NULL) {
		if (place_zone_read(c->db, w.venue, 0, &zone, &err) != H_OK) {
			rc = out_error(c, &err);
			goto out;
		}
		if ((rc = opt_time(c, opts, "at", zone, &w.at)) != CLI_OK)
			goto out;
	}
	rc = cmd_allowance_listing(c, &w);
out:
	free(zone);
	opt_free(opts);
	return rc;
}

int cmd_allowance_list(struct cli *c, int argc, char **argv)
{
	return cmd_allowance_filters(c, argc, argv, false);
}

int cmd_allowance_use(struct cli *c, int argc, char **argv)
{
	return cmd_allowance_filters(c, argc, argv, true);
}
