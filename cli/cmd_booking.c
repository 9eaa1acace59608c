/* halls booking request|approve|decline|cancel|show|list|move
 *
 * The options become a body that the core judges as it judges the API's
 * (booking_fields_judge): times as text read in the zone of the room's venue, numbers as
 * numbers, so a value is refused in the same words whichever front end sent it. Only
 * what is not a number at all is the command line's own usage error. Bookings are
 * printed with "start" and "end" in the zone's offset (RFC 3339), and "start_ts" and
 * "end_ts" in UTC seconds. */
#include "cli.h"

#include "hold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

json_t *cmd_booking_json(struct txn *t, const struct booking *b)
{
	char *zone;
	json_t *o;

	struct hold h;
	char when[32];

	place_zone(t, 0, b->room_id, &zone);
	o = booking_to_json_local(b, zone);
	/* A provisional hold (hold.h), as the API shows it. */
	if (b->status == BOOKING_PENDING && hold_get(t, b->id, &h) == 1) {
		time_format(h.until, zone, when);
		json_object_set_new(o, "held_until", json_string(when));
		json_object_set_new(o, "held_until_ts", json_integer(h.until));
	}
	free(zone);
	return o;
}

/* One booking command's work, run (perhaps more than once) inside db_write. */
struct cmd_booking_op {
	struct cli *c;
	enum {
		CMD_BOOKING_REQUEST,
		CMD_BOOKING_APPROVE,
		CMD_BOOKING_DECLINE,
		CMD_BOOKING_CANCEL,
		CMD_BOOKING_MOVE
	} what;
	uint64_t id;
	bool override;    /* approve: over the group's allowances */
	struct booking b; /* request: the request */
	bool approve_now;
	const char *note;
	json_t *fields; /* move */
	json_t *result;
	uint64_t pending[HERR_MAX_CONFLICTS]; /* approve: pending requests now conflicting */
	size_t npending;
};

static enum herr cmd_booking_write(struct txn *t, void *arg)
{
	struct cmd_booking_op *op = arg;
	struct booking out;
	enum herr ret;
	int64_t now = op->c->now;

	op->npending = 0;
	booking_init(&out);
	switch (op->what) {
	case CMD_BOOKING_REQUEST:
		ret = booking_request(t, &cli_console, &op->b, op->approve_now, now);
		if (ret == H_OK)
			op->result = cmd_booking_json(t, &op->b);
		return ret;
	case CMD_BOOKING_APPROVE:
		ret = op->override
		          ? booking_approve_overriding(t, &cli_console, op->id, op->note, now, &out)
		          : booking_approve(t, &cli_console, op->id, op->note, now, &out);
		break;
	case CMD_BOOKING_DECLINE:
		ret = booking_decline(t, &cli_console, op->id, op->note, now, &out);
		break;
	case CMD_BOOKING_CANCEL:
		ret = booking_cancel(t, &cli_console, op->id, op->note, now, &out);
		break;
	case CMD_BOOKING_MOVE:
	default:
		ret = booking_update(t, &cli_console, op->id, op->fields, now, &out);
		break;
	}
	if (ret == H_OK && op->what == CMD_BOOKING_APPROVE && t->err != NULL) {
		op->npending = t->err->nconflicts;
		memcpy(op->pending, t->err->conflicts, op->npending * sizeof(op->pending[0]));
	}
	if (ret == H_OK)
		op->result = cmd_booking_json(t, &out);
	booking_free(&out);
	return ret;
}

static int cmd_booking_run(struct cli *c, struct cmd_booking_op *op)
{
	char *ids;
	int rc;

	op->c = c;
	if ((rc = run_write(c, cmd_booking_write, op, &op->result)) != CLI_OK)
		return rc;
	if (op->what == CMD_BOOKING_APPROVE) {
		json_object_set_new(op->result, "conflicting_pending",
		                    json_ids_new(op->pending, op->npending));
		if (op->npending > 0 && !c->json) {
			ids = out_ids(op->pending, op->npending);
			out_note("pending requests now conflicting: %s", ids);
			free(ids);
		}
	}
	out_object(c, op->result);
	op->result = NULL;
	return CLI_OK;
}

int cmd_booking_number(struct cli *c, struct opt *opts, const char *name, json_t *body,
                       const char *key)
{
	const char *s = opt_str(opts, name), *digits;
	long long v;

	if (s == NULL)
		return CLI_OK;
	digits = *s == '-' ? s + 1 : s;
	if (*digits == '\0' || digits[strspn(digits, "0123456789")] != '\0')
		return out_usage(c, "--%s must be a whole number, not \"%s\"", name, s);
	errno = 0;
	v = strtoll(s, NULL, 10);
	/* Past what JSON integers hold here: still a number, which the core refuses in the
	 * words an API caller sending it would get. */
	json_object_set_new(body, key,
	                    errno == ERANGE ? json_real(strtod(s, NULL)) : json_integer(v));
	return CLI_OK;
}

/* --start and --end as given, for the core to read in zone. */
static void cmd_booking_times(struct opt *opts, json_t *body)
{
	opt_to_json_str(opts, "start", body, "start");
	opt_to_json_str(opts, "end", body, "end");
}

/* Judges the body the options became, as the API judges its own (booking_fields_judge,
 * times read in zone), and applies it to b; *judged (may be NULL) receives the fields
 * judged. */
static int cmd_booking_judge(struct cli *c, const json_t *body, enum booking_form form,
                             const char *zone, struct booking *b, json_t **judged)
{
	struct herror err;
	json_t *fields;

	herror_clear(&err);
	if (booking_fields_judge(body, form, zone, true, &fields, &err) != H_OK)
		return out_error(c, &err);
	if (b != NULL)
		booking_fields_apply(b, fields);
	if (judged != NULL)
		*judged = fields;
	else
		json_decref(fields);
	return CLI_OK;
}

/* The room of a new request, judged by the core before the rest, since its venue's zone
 * reads the times. */
static int cmd_booking_room_id(struct cli *c, const json_t *body, uint64_t *room_id)
{
	struct herror err;
	json_t *v;

	herror_clear(&err);
	if (booking_field_judge("room_id", json_object_get(body, "room_id"), NULL, &v, &err) !=
	    H_OK)
		return out_error(c, &err);
	*room_id = (uint64_t)json_integer_value(v);
	json_decref(v);
	return CLI_OK;
}

int cmd_booking_opts(struct cli *c, struct opt *opts, const char *const *required, size_t nreq,
                     struct booking *b, char **zone)
{
	json_t *body = json_object();
	uint64_t room_id = 0;
	struct herror err;
	int rc;

	*zone = NULL;
	for (size_t i = 0; i < nreq; i++)
		if ((rc = opt_need(c, opts, required[i])) != CLI_OK)
			goto out;
	if ((rc = cmd_booking_number(c, opts, "room", body, "room_id")) != CLI_OK ||
	    (rc = cmd_booking_number(c, opts, "group", body, "group_id")) != CLI_OK ||
	    (rc = cmd_booking_number(c, opts, "attendees", body, "attendees")) != CLI_OK ||
	    (rc = cmd_booking_room_id(c, body, &room_id)) != CLI_OK)
		goto out;
	herror_clear(&err);
	if (place_zone_read(c->db, 0, room_id, zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	cmd_booking_times(opts, body);
	opt_to_json_str(opts, "title", body, "title");
	opt_to_json_str(opts, "description", body, "description");
	json_object_set_new(body, "public", json_boolean(opt_flag(opts, "public")));
	rc = cmd_booking_judge(c, body, BOOKING_NEW, *zone, b, NULL);
out:
	json_decref(body);
	return rc;
}

int cmd_booking_request(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},      {.name = "group", .type = OPT_VALUE},
	    {.name = "start", .type = OPT_VALUE},     {.name = "end", .type = OPT_VALUE},
	    {.name = "title", .type = OPT_VALUE},     {.name = "description", .type = OPT_VALUE},
	    {.name = "attendees", .type = OPT_VALUE}, {.name = "public", .type = OPT_FLAG},
	    {.name = "approve", .type = OPT_FLAG},    {.name = NULL},
	};
	static const char *const required[] = {"room", "group", "start", "end", "title"};
	struct cmd_booking_op op = {.what = CMD_BOOKING_REQUEST};
	char *zone = NULL;
	size_t nargs;
	int rc;

	booking_init(&op.b);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = cmd_booking_opts(c, opts, required, 5, &op.b, &zone)) != CLI_OK)
		goto out;
	op.approve_now = opt_flag(opts, "approve");
	rc = cmd_booking_run(c, &op);
out:
	free(zone);
	booking_free(&op.b);
	return rc;
}

/* approve, decline and cancel: ID [--note TEXT]; approve also [--override-allowance]. */
static int cmd_booking_decide(struct cli *c, int argc, char **argv, int what)
{
	struct opt opts[] = {{.name = "note", .type = OPT_VALUE},
	                     {.name = "override-allowance", .type = OPT_FLAG},
	                     {.name = NULL}};
	struct cmd_booking_op op = {.what = what};
	char *args[1];
	size_t nargs;
	int rc;

	booking_init(&op.b);
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK)
		return rc;
	op.note = opt_str(opts, "note");
	op.override = opt_flag(opts, "override-allowance");
	if (op.override && what != CMD_BOOKING_APPROVE)
		return out_usage(c, "--override-allowance is for approve");
	return cmd_booking_run(c, &op);
}

int cmd_booking_approve(struct cli *c, int argc, char **argv)
{
	return cmd_booking_decide(c, argc, argv, CMD_BOOKING_APPROVE);
}

int cmd_booking_decline(struct cli *c, int argc, char **argv)
{
	return cmd_booking_decide(c, argc, argv, CMD_BOOKING_DECLINE);
}

int cmd_booking_cancel(struct cli *c, int argc, char **argv)
{
	return cmd_booking_decide(c, argc, argv, CMD_BOOKING_CANCEL);
}

/* The zone of booking id's venue, in a read transaction of its own. */
static enum herr cmd_booking_zone(struct cli *c, uint64_t id, char **zone, struct herror *err)
{
	struct booking b;
	struct txn t;
	enum herr ret;

	*zone = NULL;
	ret = db_read_begin(c->db, &t, err);
	if (ret != H_OK)
		return ret;
	ret = booking_get(&t, id, &b);
	if (ret == H_OK)
		ret = place_zone(&t, 0, b.room_id, zone);
	booking_free(&b);
	db_read_end(&t);
	return ret;
}

int cmd_booking_move(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "start", .type = OPT_VALUE},
	    {.name = "end", .type = OPT_VALUE},
	    {.name = "title", .type = OPT_VALUE},
	    {.name = "attendees", .type = OPT_VALUE},
	    {.name = "public", .type = OPT_FLAG},
	    {.name = "private", .type = OPT_FLAG},
	    {.name = NULL},
	};
	struct cmd_booking_op op = {.what = CMD_BOOKING_MOVE};
	json_t *body = json_object();
	struct herror err;
	char *args[1], *zone = NULL;
	size_t nargs;
	int rc;

	booking_init(&op.b);
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK ||
	    (rc = cmd_booking_number(c, opts, "attendees", body, "attendees")) != CLI_OK)
		goto out;
	if (opt_flag(opts, "public") && opt_flag(opts, "private")) {
		rc = out_usage(c, "give --public or --private, not both");
		goto out;
	}
	herror_clear(&err);
	if (cmd_booking_zone(c, op.id, &zone, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	cmd_booking_times(opts, body);
	opt_to_json_str(opts, "title", body, "title");
	if (opt_flag(opts, "public") || opt_flag(opts, "private"))
		json_object_set_new(body, "public", json_boolean(opt_flag(opts, "public")));
	if (json_object_size(body) == 0) {
		rc = out_usage(c, "nothing to change");
		goto out;
	}
	/* A start alone keeps the booking's length (booking_update). */
	if ((rc = cmd_booking_judge(c, body, BOOKING_EDIT, zone, NULL, &op.fields)) != CLI_OK)
		goto out;
	rc = cmd_booking_run(c, &op);
out:
	free(zone);
	json_decref(body);
	json_decref(op.fields);
	return rc;
}

static enum herr cmd_booking_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct booking b;
	enum herr ret = booking_get(t, id, &b);

	*out = ret == H_OK ? cmd_booking_json(t, &b) : NULL;
	booking_free(&b);
	return ret;
}

int cmd_booking_show(struct cli *c, int argc, char **argv)
{
	return run_show(c, argc, argv, cmd_booking_show_json);
}

/* The rooms (with their venues) and the groups' names a listing mentions, looked up
 * once each. */
struct cmd_booking_name {
	uint64_t id;
	char *name;
};

struct cmd_booking_list {
	struct run_list list;
	struct places rooms;
	struct cmd_booking_name *groups;
	size_t ngroups;
};

static const char *cmd_booking_group(struct cmd_booking_list *l, uint64_t id)
{
	struct cmd_booking_name *e;
	struct group g;

	for (size_t i = 0; i < l->ngroups; i++)
		if (l->groups[i].id == id)
			return l->groups[i].name;
	l->groups = xrealloc(l->groups, (l->ngroups + 1) * sizeof(*l->groups));
	e = &l->groups[l->ngroups++];
	e->id = id;
	if (group_get(&l->list.t, id, &g) == H_OK)
		e->name = xstrdup(g.name);
	else
		e->name = xasprintf("group %llu", (unsigned long long)id);
	group_free(&g);
	return e->name;
}

static bool cmd_booking_list_one(const struct booking *b, void *arg)
{
	struct cmd_booking_list *l = arg;
	const struct place *p = places_get(&l->rooms, &l->list.t, b->room_id);
	const char *zone = p->venue.tz;
	char id[24], room[32], start[32], end[32];
	struct localtm a, z;

	if (l->list.c->json) {
		json_array_append_new(l->list.array, booking_to_json_local(b, zone));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)b->id);
	snprintf(room, sizeof(room), "room %llu", (unsigned long long)b->room_id);
	out_local(b->start, zone, start);
	/* The end as a clock time when it is the same day, else in full. */
	tz_to_local(zone, b->start, &a);
	tz_to_local(zone, b->end, &z);
	if (a.year == z.year && a.month == z.month && a.day == z.day)
		out_clock(b->end, zone, end);
	else
		out_local(b->end, zone, end);
	table_add(&l->list.table, id, booking_status_name(b->status),
	          p->room.name != NULL ? p->room.name : room, cmd_booking_group(l, b->group_id),
	          start, end, b->title);
	return true;
}

static void cmd_booking_list_free(struct cmd_booking_list *l)
{
	places_free(&l->rooms);
	for (size_t i = 0; i < l->ngroups; i++)
		free(l->groups[i].name);
	free(l->groups);
}

int cmd_booking_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "STATUS", "ROOM", "GROUP", "START", "END", "TITLE"};
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "venue", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "status", .type = OPT_VALUE},
	    {.name = "from", .type = OPT_VALUE},
	    {.name = "to", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_booking_list l = {0};
	struct booking_filter f;
	enum booking_status status;
	struct herror err;
	char *zone = NULL;
	size_t nargs;
	enum herr ret;
	int rc;

	booking_filter_init(&f);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", &f.room_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &f.venue_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &f.group_id)) != CLI_OK)
		return rc;
	if (opt_str(opts, "status") != NULL) {
		if (booking_status_parse(opt_str(opts, "status"), &status) != 0)
			return out_usage(c, "--status must be pending, approved, declined or "
			                    "cancelled");
		f.status = (int)status;
	}
	herror_clear(&err);
	if (opt_str(opts, "from") != NULL || opt_str(opts, "to") != NULL) {
		if (place_zone_read(c->db, f.venue_id, f.room_id, &zone, &err) != H_OK) {
			free(zone);
			return out_error(c, &err);
		}
		f.from = INT64_MIN / 4;
		f.to = INT64_MAX / 4;
		rc = opt_time(c, opts, "from", zone, &f.from);
		if (rc == CLI_OK)
			rc = opt_time(c, opts, "to", zone, &f.to);
		free(zone);
		if (rc != CLI_OK)
			return rc;
		if (f.to <= f.from)
			return out_usage(c, "--to must be after --from");
	}
	if ((rc = run_list_begin(c, &l.list, 7, headers)) != CLI_OK)
		return rc;
	ret = booking_each(&l.list.t, &f, cmd_booking_list_one, &l);
	rc = run_list_end(&l.list, ret);
	cmd_booking_list_free(&l);
	return rc;
}
