/* halls round open|list|show|apply|allocate|result|verify: allocation rounds for weekly
 * slots (server/core/round.h). verify also works offline, from the published JSON. */
#include "cli.h"
#include "round.h"

#include <stdlib.h>
#include <string.h>

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* "ROOM:DAY:HH:MM-HH:MM" (DAY mon..sun or 1..7) as a slot object, or NULL. */
static json_t *slot_parse(const char *s)
{
	char day[8], from[6], to[6];
	unsigned long long room;
	int n = 0, wd = 0;

	if (sscanf(s, "%llu:%3[a-zA-Z0-9]:%5[0-9:]-%5[0-9:]%n", &room, day, from, to, &n) != 4 ||
	    s[n] != '\0' || room == 0)
		return NULL;
	for (int i = 0; i < 7; i++)
		if (strcasecmp(day, day_names[i]) == 0 || (day[0] == '1' + i && day[1] == '\0'))
			wd = i + 1;
	if (wd == 0)
		return NULL;
	return json_pack("{sI si ss ss}", "room_id", (json_int_t)room, "weekday", wd, "start", from,
	                 "end", to);
}

/* "kind=charity,community" | "held=ROUND" | "trusted", with an optional "/SAYS". */
static json_t *class_parse(const char *s)
{
	char *copy = xstrdup(s), *says = strchr(copy, '/');
	json_t *c = NULL;

	if (says != NULL)
		*says++ = '\0';
	if (strncmp(copy, "kind=", 5) == 0) {
		json_t *kinds = json_array();

		for (char *k = strtok(copy + 5, ","); k != NULL; k = strtok(NULL, ","))
			json_array_append_new(kinds, json_string(k));
		c = json_pack("{so}", "group_kinds", kinds);
	} else if (strncmp(copy, "held=", 5) == 0) {
		uint64_t id;

		if (parse_u64(copy + 5, &id) == 0)
			c = json_pack("{sI}", "held_in_round", (json_int_t)id);
	} else if (strcmp(copy, "trusted") == 0)
		c = json_pack("{sb}", "trusted", 1);
	if (c != NULL && says != NULL)
		json_object_set_new(c, "says", json_string(says));
	free(copy);
	return c;
}

struct round_op {
	int64_t now;
	uint64_t id;
	json_t *fields;
	const char *what; /* "open", "apply", "allocate" */
	json_t *result;
};

static enum herr round_op_write(struct txn *t, void *arg)
{
	struct round_op *op = arg;
	json_t *out = NULL;
	enum herr ret;

	if (strcmp(op->what, "open") == 0)
		ret = round_open(t, &cli_console, op->fields, NULL, NULL, op->now, &out);
	else if (strcmp(op->what, "apply") == 0)
		ret = round_apply(t, &cli_console, op->id, op->fields, op->now, &out);
	else
		ret = round_allocate(t, &cli_console, op->id, op->now, &out);
	if (ret == H_OK)
		op->result = out;
	else
		json_decref(out);
	return ret;
}

static int round_run(struct cli *c, struct round_op *op)
{
	int rc = run_write(c, round_op_write, op, &op->result);

	if (rc == CLI_OK)
		out_object(c, op->result);
	return rc;
}

int cmd_round_open(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "venue", .type = OPT_VALUE},  {.name = "name", .type = OPT_VALUE},
	    {.name = "slot", .type = OPT_MULTI},   {.name = "from", .type = OPT_VALUE},
	    {.name = "to", .type = OPT_VALUE},     {.name = "deadline", .type = OPT_VALUE},
	    {.name = "class", .type = OPT_MULTI},  {.name = "skip-date-set", .type = OPT_MULTI},
	    {.name = "approve", .type = OPT_FLAG}, {.name = NULL},
	};
	struct round_op op = {.now = c->now, .what = "open"};
	json_t *slots = json_array(), *classes = json_array();
	struct opt *o;
	size_t nargs;
	int64_t deadline;
	uint64_t venue;
	char *zone = NULL;
	struct herror err;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "venue")) != CLI_OK ||
	    (rc = opt_need(c, opts, "name")) != CLI_OK ||
	    (rc = opt_need(c, opts, "slot")) != CLI_OK ||
	    (rc = opt_need(c, opts, "from")) != CLI_OK ||
	    (rc = opt_need(c, opts, "to")) != CLI_OK ||
	    (rc = opt_need(c, opts, "deadline")) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK)
		goto out;
	o = opt_find(opts, "slot");
	for (int i = 0; i < o->count; i++) {
		json_t *s = slot_parse(o->values[i]);

		if (s == NULL) {
			rc = out_usage(c,
			               "--slot is ROOM:DAY:HH:MM-HH:MM (3:tue:19:00-21:00), not %s",
			               o->values[i]);
			goto out;
		}
		json_array_append_new(slots, s);
	}
	o = opt_find(opts, "class");
	for (int i = 0; i < o->count; i++) {
		json_t *k = class_parse(o->values[i]);

		if (k == NULL) {
			rc = out_usage(c,
			               "--class is kind=K[,K] | held=ROUND | trusted, then /WORDS "
			               "if you like; not %s",
			               o->values[i]);
			goto out;
		}
		json_array_append_new(classes, k);
	}
	herror_clear(&err);
	if (place_zone_read(c->db, venue, 0, &zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	if ((rc = opt_time(c, opts, "deadline", zone, &deadline)) != CLI_OK ||
	    (rc = opt_to_json_ids(c, opts, "skip-date-set", op.fields, "skip_date_sets")) != CLI_OK)
		goto out;
	json_object_set_new(op.fields, "venue_id", json_integer((json_int_t)venue));
	json_object_set_new(op.fields, "name", json_string(opt_str(opts, "name")));
	json_object_set(op.fields, "slots", slots);
	json_object_set(op.fields, "classes", classes);
	json_object_set_new(op.fields, "first_date", json_string(opt_str(opts, "from")));
	json_object_set_new(op.fields, "last_date", json_string(opt_str(opts, "to")));
	json_object_set_new(op.fields, "deadline", json_integer((json_int_t)deadline));
	json_object_set_new(op.fields, "outcome",
	                    json_string(opt_flag(opts, "approve") ? "approved" : "pending"));
	rc = round_run(c, &op);
out:
	free(zone);
	json_decref(slots);
	json_decref(classes);
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

static bool round_list_row(struct run_list *l, json_t *r)
{
	char id[24], slots[24];

	if (l->c->json) {
		json_array_append(l->array, r);
		return true;
	}
	snprintf(id, sizeof(id), "%lld", (long long)json_int(r, "id", 0));
	snprintf(slots, sizeof(slots), "%zu", json_array_size(json_object_get(r, "slots")));
	table_add(&l->table, id, json_str(r, "name"), json_str(r, "venue"), slots,
	          json_str(r, "deadline"), json_str(r, "state"));
	return true;
}

int cmd_round_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "NAME", "VENUE", "SLOTS", "DEADLINE", "STATE"};
	struct opt opts[] = {{.name = "venue", .type = OPT_VALUE}, {.name = NULL}};
	json_t *all = json_array(), *r;
	struct run_list l;
	uint64_t venue = 0;
	size_t nargs, i;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &venue)) != CLI_OK ||
	    (rc = run_list_begin(c, &l, 6, headers)) != CLI_OK) {
		json_decref(all);
		return rc;
	}
	ret = round_list(&l.t, venue, c->now, all);
	json_array_foreach(all, i, r) round_list_row(&l, r);
	json_decref(all);
	return run_list_end(&l, ret);
}

int cmd_round_show(struct cli *c, int argc, char **argv)
{
	return run_show_at(c, argc, argv, round_show);
}

int cmd_round_apply(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "pref", .type = OPT_MULTI},
	    {.name = NULL},
	};
	struct round_op op = {.now = c->now, .what = "apply"};
	char *args[1];
	size_t nargs;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK ||
	    (rc = opt_need(c, opts, "group")) != CLI_OK ||
	    (rc = opt_need(c, opts, "pref")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "group", op.fields, "group_id")) != CLI_OK ||
	    (rc = opt_to_json_ids(c, opts, "pref", op.fields, "preferences")) != CLI_OK)
		goto out;
	rc = round_run(c, &op);
out:
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}

/* The result for people: one paragraph per application, in the order of allocation. */
static void result_print(const json_t *res)
{
	json_t *a;
	size_t i;

	printf("Round %lld, allocated. Seed %s\nSHA-256 of the seed (published when the round "
	       "opened): %s\n\n",
	       (long long)json_int(res, "round_id", 0), json_str(res, "seed"),
	       json_str(res, "commitment"));
	json_array_foreach(json_object_get(json_object_get(res, "allocation"), "applications"), i,
	                   a)
	{
		printf("%lld. %s (application %lld, class %lld): %s\n   %s\n",
		       (long long)json_int(a, "place", 0), json_str(a, "group"),
		       (long long)json_int(a, "application_id", 0),
		       (long long)json_int(a, "class", 0),
		       json_is_integer(json_object_get(a, "slot_id")) ? "a slot" : "no slot",
		       json_str(a, "explanation"));
	}
	json_array_foreach(json_object_get(res, "series"), i, a)
	    printf("%s%s\n", i == 0 ? "\n" : "", json_str(a, "words"));
}

int cmd_round_allocate(struct cli *c, int argc, char **argv)
{
	struct round_op op = {.now = c->now, .what = "allocate"};
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &op.id)) != CLI_OK)
		return rc;
	if ((rc = run_write(c, round_op_write, &op, &op.result)) != CLI_OK)
		return rc;
	if (c->json)
		out_object(c, op.result);
	else {
		result_print(op.result);
		json_decref(op.result);
	}
	return CLI_OK;
}

/* Reads inputs or result (which) of round id into *out. */
static int round_read(struct cli *c, uint64_t id, bool inputs, json_t **out)
{
	struct herror err;
	struct txn t;
	enum herr ret;

	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	ret = inputs ? round_inputs(&t, id, out) : round_result(&t, id, out);
	db_read_end(&t);
	return ret == H_OK ? CLI_OK : out_error(c, &err);
}

int cmd_round_result(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "inputs", .type = OPT_FLAG}, {.name = NULL}};
	char *args[1];
	json_t *res = NULL;
	uint64_t id;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &id)) != CLI_OK ||
	    (rc = round_read(c, id, opt_flag(opts, "inputs"), &res)) != CLI_OK)
		goto out;
	if (c->json || opt_flag(opts, "inputs"))
		out_object(c, json_incref(res));
	else
		result_print(res);
out:
	json_decref(res);
	opt_free(opts);
	return rc;
}

static int read_json_file(struct cli *c, const char *path, json_t **out)
{
	json_error_t jerr;

	*out = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (*out == NULL) {
		struct herror err;

		herror_set(&err, H_EINVAL, "%s: %s (line %d)", path, jerr.text, jerr.line);
		return out_error(c, &err);
	}
	return CLI_OK;
}

/* With ID, the published inputs and result of the round in the data directory; with
 * --inputs and --result, files someone downloaded (no data directory needed). */
int cmd_round_verify(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "inputs", .type = OPT_VALUE},
	    {.name = "result", .type = OPT_VALUE},
	    {.name = NULL},
	};
	json_t *inputs = NULL, *result = NULL;
	struct herror err;
	char *args[1];
	uint64_t id = 0;
	size_t nargs;
	int rc;

	herror_clear(&err);
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		goto out;
	if (nargs == 1) {
		if ((rc = arg_id(c, "ID", args[0], &id)) != CLI_OK)
			goto out;
		if (db_open(&c->db, c->data_dir, false, NULL, &err) != H_OK) {
			rc = out_error(c, &err);
			goto out;
		}
		if ((rc = round_read(c, id, true, &inputs)) != CLI_OK ||
		    (rc = round_read(c, id, false, &result)) != CLI_OK)
			goto out;
	} else {
		if (opt_str(opts, "inputs") == NULL || opt_str(opts, "result") == NULL) {
			rc = out_usage(c, "give a round's ID, or --inputs FILE and --result FILE");
			goto out;
		}
		if ((rc = read_json_file(c, opt_str(opts, "inputs"), &inputs)) != CLI_OK ||
		    (rc = read_json_file(c, opt_str(opts, "result"), &result)) != CLI_OK)
			goto out;
	}
	if (round_verify(inputs, result, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	out_done(c,
	         json_pack("{sO sb sO sI}", "round_id", json_object_get(inputs, "round_id"),
	                   "verified", 1, "commitment", json_object_get(inputs, "commitment"),
	                   "applications",
	                   (json_int_t)json_array_size(json_object_get(inputs, "applications"))),
	         "verified: SHA-256 of the seed is the commitment, and re-running the allocation "
	         "of round %lld from its %zu applications gives the published result",
	         (long long)json_int(inputs, "round_id", 0),
	         json_array_size(json_object_get(inputs, "applications")));
out:
	json_decref(inputs);
	json_decref(result);
	opt_free(opts);
	return rc;
}
