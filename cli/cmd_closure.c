/* halls closure add|set|list|show|rm: a venue or a room closed for an interval. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The zone of a closure's venue; Europe/London when its room or venue has gone. */
static char *cmd_closure_zone(struct txn *t, const struct closure *cl)
{
	char *zone;

	place_zone(t, cl->scope == CLOSURE_VENUE ? cl->target : 0,
	           cl->scope == CLOSURE_ROOM ? cl->target : 0, &zone);
	return zone;
}

json_t *cmd_closure_json(struct txn *t, const struct closure *cl)
{
	char *zone = cmd_closure_zone(t, cl);
	json_t *o = closure_to_json_local(cl, zone);

	free(zone);
	return o;
}

struct cmd_closure_op {
	int64_t now;
	struct closure cl;
	json_t *result;
};

static enum herr cmd_closure_write(struct txn *t, void *arg)
{
	struct cmd_closure_op *op = arg;
	enum herr ret;

	op->cl.id = 0;
	ret = closure_create(t, &cli_console, &op->cl, op->now);
	if (ret == H_OK)
		op->result = cmd_closure_json(t, &op->cl);
	return ret;
}

/* --venue ID | --room ID: exactly one when required, at most one otherwise. */
static int cmd_closure_target(struct cli *c, struct opt *opts, bool required, uint64_t *venue,
                              uint64_t *room)
{
	int rc;

	if ((rc = opt_id(c, opts, "venue", venue)) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", room)) != CLI_OK)
		return rc;
	if (*venue != 0 && *room != 0)
		return out_usage(c, "give --venue or --room, not both");
	if (required && *venue == 0 && *room == 0)
		return out_usage(c, "--venue or --room is required");
	return CLI_OK;
}

int cmd_closure_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "from", .type = OPT_VALUE},
	    {.name = "to", .type = OPT_VALUE},
	    {.name = "reason", .type = OPT_VALUE},
	    {.name = "date-set", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_closure_op op = {.now = c->now};
	uint64_t venue = 0, room = 0;
	struct herror err;
	char *zone = NULL;
	size_t nargs;
	int rc;

	closure_init(&op.cl);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = cmd_closure_target(c, opts, true, &venue, &room)) != CLI_OK ||
	    (rc = opt_id(c, opts, "date-set", &op.cl.date_set_id)) != CLI_OK ||
	    (rc = opt_need(c, opts, "reason")) != CLI_OK)
		goto out;
	if (op.cl.date_set_id != 0 && (opt_str(opts, "from") || opt_str(opts, "to"))) {
		rc = out_usage(c, "give --date-set or --from and --to, not both");
		goto out;
	}
	if (op.cl.date_set_id == 0 && ((rc = opt_need(c, opts, "from")) != CLI_OK ||
	                               (rc = opt_need(c, opts, "to")) != CLI_OK))
		goto out;
	herror_clear(&err);
	if (place_zone_read(c->db, venue, room, &zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	if (op.cl.date_set_id == 0 &&
	    ((rc = opt_time(c, opts, "from", zone, &op.cl.start)) != CLI_OK ||
	     (rc = opt_time(c, opts, "to", zone, &op.cl.end)) != CLI_OK))
		goto out;
	op.cl.scope = venue != 0 ? CLOSURE_VENUE : CLOSURE_ROOM;
	op.cl.target = venue != 0 ? venue : room;
	op.cl.reason = xstrdup(opt_str(opts, "reason"));
	if ((rc = run_write(c, cmd_closure_write, &op, &op.result)) == CLI_OK)
		out_object(c, op.result);
out:
	free(zone);
	closure_free(&op.cl);
	return rc;
}

/* The change `closure set` makes: times already parsed in the closure's zone. */
struct cmd_closure_change {
	int64_t now;
	uint64_t id;
	int64_t start, end; /* CLOSURE_UNCHANGED: unchanged */
	const char *reason; /* NULL: unchanged */
	json_t *result;
};

static enum herr cmd_closure_change_write(struct txn *t, void *arg)
{
	struct cmd_closure_change *ch = arg;
	struct closure cl;
	enum herr ret =
	    closure_change(t, &cli_console, ch->id, ch->start, ch->end, ch->reason, ch->now, &cl);

	if (ret == H_OK) {
		ch->result = cmd_closure_json(t, &cl);
		closure_free(&cl);
	}
	return ret;
}

/* The zone that a closure's times are written in. */
static enum herr cmd_closure_zone_of(struct cli *c, uint64_t id, char **zone, struct herror *err)
{
	struct closure cl;
	struct txn t;
	enum herr ret = db_read_begin(c->db, &t, err);

	if (ret != H_OK)
		return ret;
	ret = closure_get(&t, id, &cl);
	if (ret == H_OK)
		*zone = cmd_closure_zone(&t, &cl);
	closure_free(&cl);
	db_read_end(&t);
	return ret;
}

int cmd_closure_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "from", .type = OPT_VALUE},
	    {.name = "to", .type = OPT_VALUE},
	    {.name = "reason", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_closure_change ch = {
	    .now = c->now, .start = CLOSURE_UNCHANGED, .end = CLOSURE_UNCHANGED};
	struct herror err;
	char *args[1], *zone = NULL;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &ch.id)) != CLI_OK)
		goto out;
	herror_clear(&err);
	if (cmd_closure_zone_of(c, ch.id, &zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	if ((rc = opt_time(c, opts, "from", zone, &ch.start)) != CLI_OK ||
	    (rc = opt_time(c, opts, "to", zone, &ch.end)) != CLI_OK)
		goto out;
	ch.reason = opt_str(opts, "reason");
	if ((rc = run_write(c, cmd_closure_change_write, &ch, &ch.result)) == CLI_OK)
		out_object(c, ch.result);
out:
	free(zone);
	opt_free(opts);
	return rc;
}

int cmd_closure_rm(struct cli *c, int argc, char **argv)
{
	return run_rm(c, argc, argv, "closure", closure_remove);
}

static enum herr cmd_closure_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct closure cl;
	enum herr ret = closure_get(t, id, &cl);

	*out = ret == H_OK ? cmd_closure_json(t, &cl) : NULL;
	closure_free(&cl);
	return ret;
}

int cmd_closure_show(struct cli *c, int argc, char **argv)
{
	return run_show(c, argc, argv, cmd_closure_show_json);
}

static bool cmd_closure_list_one(const struct closure *cl, void *arg)
{
	struct run_list *l = arg;
	char id[24], target[40], from[32], to[32];
	char *zone;

	if (l->c->json) {
		json_array_append_new(l->array, cmd_closure_json(&l->t, cl));
		return true;
	}
	zone = cmd_closure_zone(&l->t, cl);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)cl->id);
	snprintf(target, sizeof(target), "%s %llu", cl->scope == CLOSURE_ROOM ? "room" : "venue",
	         (unsigned long long)cl->target);
	out_local(cl->start, zone, from);
	out_local(cl->end, zone, to);
	table_add(&l->table, id, target, from, to, cl->reason);
	free(zone);
	return true;
}

int cmd_closure_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "CLOSED", "FROM", "TO", "REASON"};
	struct opt opts[] = {
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "room", .type = OPT_VALUE},
	    {.name = NULL},
	};
	uint64_t venue = 0, room = 0;
	struct run_list l;
	size_t nargs;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = cmd_closure_target(c, opts, false, &venue, &room)) != CLI_OK)
		return rc;
	if ((rc = run_list_begin(c, &l, 5, headers)) != CLI_OK)
		return rc;
	/* What GET /api/v1/closures lists for the same venue or room, whole. */
	ret = closure_each_page(&l.t, venue, room, NULL, cmd_closure_list_one, &l);
	return run_list_end(&l, ret);
}
