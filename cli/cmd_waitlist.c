/* halls waitlist join|list|show|accept|decline|leave: waitlists with timed offers
 * (docs/fair-access.md#waitlists-with-timed-offers), at the console. */
#include "cli.h"

#include "waitlist.h"

#include <stdlib.h>
#include <string.h>

static json_t *entry_json(struct txn *t, const struct waitlist_entry *e)
{
	struct places ps = {0};
	json_t *o = waitlist_entry_json(t, &ps, e);

	places_free(&ps);
	return o;
}

struct cmd_waitlist_op {
	int64_t now;
	const char *what;
	uint64_t id;
	json_t *body;
	json_t *result;
};

static enum herr cmd_waitlist_write(struct txn *t, void *arg)
{
	struct cmd_waitlist_op *op = arg;
	struct waitlist_entry e;
	struct booking b;
	enum herr ret;

	waitlist_entry_init(&e);
	booking_init(&b);
	if (strcmp(op->what, "accept") == 0) {
		ret = waitlist_accept(t, &cli_console, op->id, op->body, op->now, &b);
		if (ret == H_OK && waitlist_entry_get(t, op->id, &e) == H_OK) {
			op->result = json_pack("{s:o, s:o}", "entry", entry_json(t, &e), "booking",
			                       cmd_booking_json(t, &b));
		}
		booking_free(&b);
		waitlist_entry_free(&e);
		return ret;
	}
	if (strcmp(op->what, "join") == 0)
		ret = waitlist_join(t, &cli_console, op->body, op->now, &e);
	else if (strcmp(op->what, "decline") == 0)
		ret = waitlist_decline(t, &cli_console, op->id, op->now, &e);
	else
		ret = waitlist_leave(t, &cli_console, op->id, op->now, &e);
	if (ret == H_OK)
		op->result = entry_json(t, &e);
	waitlist_entry_free(&e);
	return ret;
}

static int cmd_waitlist_run(struct cli *c, struct cmd_waitlist_op *op)
{
	int rc;

	op->now = c->now;
	if ((rc = run_write(c, cmd_waitlist_write, op, &op->result)) == CLI_OK)
		out_object(c, op->result);
	json_decref(op->body);
	return rc;
}

int cmd_waitlist_join(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},  {.name = "group", .type = OPT_VALUE},
	    {.name = "start", .type = OPT_VALUE}, {.name = "end", .type = OPT_VALUE},
	    {.name = "title", .type = OPT_VALUE}, {.name = NULL},
	};
	struct cmd_waitlist_op op = {.what = "join"};
	size_t nargs;
	int rc;

	op.body = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "room")) != CLI_OK ||
	    (rc = opt_need(c, opts, "group")) != CLI_OK ||
	    (rc = opt_need(c, opts, "start")) != CLI_OK ||
	    (rc = opt_need(c, opts, "end")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "room", op.body, "room_id")) != CLI_OK ||
	    (rc = opt_to_json_id(c, opts, "group", op.body, "group_id")) != CLI_OK) {
		json_decref(op.body);
		opt_free(opts);
		return rc;
	}
	/* The times as typed: the core reads them in the venue's zone. */
	opt_to_json_str(opts, "start", op.body, "start");
	opt_to_json_str(opts, "end", op.body, "end");
	opt_to_json_str(opts, "title", op.body, "title");
	opt_free(opts);
	return cmd_waitlist_run(c, &op);
}

/* accept|decline|leave ID. */
static int cmd_waitlist_answer(struct cli *c, int argc, char **argv, const char *what)
{
	struct opt opts[] = {
	    {.name = "title", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "attendees", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_waitlist_op op = {.what = what};
	char *args[1];
	size_t nargs;
	int rc;

	if (strcmp(what, "accept") != 0)
		opts[0].name = NULL;
	op.body = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK ||
	    (strcmp(what, "accept") == 0 &&
	     (rc = opt_to_json_uint(c, opts, "attendees", UINT32_MAX, op.body, "attendees")) !=
	         CLI_OK)) {
		json_decref(op.body);
		opt_free(opts);
		return rc;
	}
	if (strcmp(what, "accept") == 0) {
		opt_to_json_str(opts, "title", op.body, "title");
		opt_to_json_str(opts, "description", op.body, "description");
	}
	opt_free(opts);
	return cmd_waitlist_run(c, &op);
}

int cmd_waitlist_accept(struct cli *c, int argc, char **argv)
{
	return cmd_waitlist_answer(c, argc, argv, "accept");
}

int cmd_waitlist_decline(struct cli *c, int argc, char **argv)
{
	return cmd_waitlist_answer(c, argc, argv, "decline");
}

int cmd_waitlist_leave(struct cli *c, int argc, char **argv)
{
	return cmd_waitlist_answer(c, argc, argv, "leave");
}

static enum herr cmd_waitlist_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct viewer v;
	enum herr ret;

	viewer_load(t, &cli_console, &v);
	ret = waitlist_show(t, &v, id, out);
	viewer_free(&v);
	return ret;
}

int cmd_waitlist_show(struct cli *c, int argc, char **argv)
{
	return run_show(c, argc, argv, cmd_waitlist_show_json);
}

/* A listing's time: "Tue 01 Dec 2026 19:00" from an RFC 3339 instant of the entry. */
static void local_of(const json_t *o, const char *key, const char *zone, char out[32])
{
	const json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (json_is_integer(v))
		out_local((int64_t)json_integer_value(v), zone, out);
}

int cmd_waitlist_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "ROOM", "GROUP", "FROM", "TO", "STATE", "OFFER ENDS"};
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "state", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct waitlist_filter f;
	enum waitlist_state s;
	struct run_list l;
	struct viewer v;
	json_t *items = NULL, *o;
	size_t nargs, i;
	enum herr ret;
	int rc;

	waitlist_filter_init(&f);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", &f.room_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &f.group_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &f.venue_id)) != CLI_OK)
		goto out;
	if (opt_str(opts, "state") != NULL) {
		if (waitlist_state_parse(opt_str(opts, "state"), &s) != 0) {
			rc =
			    out_usage(c, "--state is waiting, offered, accepted, declined, lapsed, "
			                 "left or expired");
			goto out;
		}
		f.state = (int)s;
	}
	if ((rc = run_list_begin(c, &l, 7, headers)) != CLI_OK)
		goto out;
	viewer_load(&l.t, &cli_console, &v);
	ret = waitlist_list(&l.t, &v, &f, &items);
	viewer_free(&v);
	json_array_foreach(items, i, o)
	{
		char id[24], from[32], to[32], until[32];
		const char *zone;
		char *z = NULL;

		if (c->json) {
			json_array_append(l.array, o);
			continue;
		}
		place_zone(&l.t, 0, (uint64_t)json_int(o, "room_id", 0), &z);
		zone = z;
		snprintf(id, sizeof(id), "%lld", (long long)json_int(o, "id", 0));
		local_of(o, "start_ts", zone, from);
		local_of(o, "end_ts", zone, to);
		local_of(o, "offer_until_ts", zone, until);
		table_add(&l.table, id, json_str(o, "room_name"), json_str(o, "group_name"), from,
		          to, json_str(o, "state"), until);
		free(z);
	}
	json_decref(items);
	rc = run_list_end(&l, ret);
out:
	opt_free(opts);
	return rc;
}
