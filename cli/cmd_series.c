/* halls series add|show|list|approve|decline|cancel|set
 *
 * A series is one request for many dates ("every Tuesday 19:00-21:00 until June"): its
 * RFC 5545 rule is expanded on the wall clock of the room's venue, and each date is an
 * ordinary booking linked to it (series.h). Times on the command line are read in that
 * zone; the series is printed with "start" and "end" (its first date) and every "..._at"
 * in the zone's offset, "first_start_ts" in UTC seconds and "duration_seconds".
 *
 * The dates a command could not apply to are listed with the rule each broke: for add
 * without --skip-conflicts any such date refuses the whole series (exit 1); for add with
 * it, and for approve, decline and cancel, they are left out and the rest goes ahead. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *cmd_series_zone(const struct series *s)
{
	return s->zone != NULL && *s->zone != '\0' ? s->zone : TZ_DEFAULT;
}

/* The dates left out, for programs: start (RFC 3339 in zone), error, message, conflicts. */
static json_t *cmd_series_dates_json(const struct series_outcome *out, const char *zone)
{
	json_t *a = json_array();

	for (size_t i = 0; i < out->nrefused; i++) {
		const struct series_refusal *r = &out->refused[i];
		json_t *m = json_string(r->msg);
		char when[32];

		time_format(r->start, zone, when);
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:o, s:o}", "start", when, "error", herr_name(r->code),
		                 "message", m != NULL ? m : json_string(herr_title(r->code)),
		                 "conflicts", json_ids_new(r->conflicts, r->nconflicts)));
	}
	return a;
}

/* The dates left out, for people: one line each, with the rule broken and the bookings
 * in the way. */
static void cmd_series_dates_print(FILE *f, const char *prefix, const struct series_outcome *out,
                                   const char *zone)
{
	for (size_t i = 0; i < out->nrefused; i++) {
		const struct series_refusal *r = &out->refused[i];
		char when[32];

		out_local(r->start, zone, when);
		fprintf(f, "%s%s (%s): %s", prefix, when, herr_name(r->code), r->msg);
		if (r->nconflicts > 0) {
			char *ids = out_ids(r->conflicts, r->nconflicts);

			fprintf(f, "; conflicts with booking%s %s", r->nconflicts > 1 ? "s" : "",
			        ids);
			free(ids);
		}
		fputc('\n', f);
	}
}

/* A whole series refused because of some of its dates: the core's message, then every
 * date with its reason; under --json one object on stderr with those dates as "dates". */
static int cmd_series_refused(struct cli *c, const struct herror *err,
                              const struct series_outcome *out, const char *zone, bool skip)
{
	size_t total = out->created + out->nrefused;

	if (c->json)
		return out_error_with(
		    c, err, json_pack("{s:o}", "dates", cmd_series_dates_json(out, zone)));
	if (skip || out->created == 0)
		fprintf(stderr, "halls: none of the %zu dates can be booked; nothing was stored:\n",
		        total);
	else
		fprintf(stderr,
		        "halls: %zu of the %zu dates cannot be booked, so nothing was stored "
		        "(--skip-conflicts books the others):\n",
		        out->nrefused, total);
	cmd_series_dates_print(stderr, "halls:   ", out, zone);
	return CLI_REFUSED;
}

/* The zone and record of series id, in a read transaction of its own. */
static enum herr cmd_series_read(struct cli *c, uint64_t id, struct series *s, struct herror *err)
{
	struct txn t;
	enum herr ret;

	series_init(s);
	ret = db_read_begin(c->db, &t, err);
	if (ret != H_OK)
		return ret;
	ret = series_get(&t, id, s);
	db_read_end(&t);
	return ret;
}

/* Counts the statuses of a series' dates (for the line add prints). */
struct cmd_series_count {
	size_t pending, approved;
};

static bool cmd_series_count_one(const struct booking *b, void *arg)
{
	struct cmd_series_count *n = arg;

	if (b->status == BOOKING_PENDING)
		n->pending++;
	else if (b->status == BOOKING_APPROVED)
		n->approved++;
	return true;
}

/* halls series add */

struct cmd_series_add {
	struct cli *c;
	struct series s;
	bool approve_now, skip;
	struct series_outcome out;
	struct cmd_series_count count;
	json_t *result;
};

static enum herr cmd_series_add_write(struct txn *t, void *arg)
{
	struct cmd_series_add *op = arg;
	enum herr ret;

	/* An earlier run belonged to a transaction that was thrown away. */
	json_decref(op->result);
	op->result = NULL;
	series_outcome_free(&op->out);
	memset(&op->count, 0, sizeof(op->count));
	op->s.id = 0;
	ret =
	    series_create(t, &cli_console, &op->s, op->approve_now, op->skip, op->c->now, &op->out);
	if (ret != H_OK)
		return ret;
	ret = series_each_occurrence(t, op->s.id, cmd_series_count_one, &op->count);
	if (ret == H_OK)
		op->result = series_to_json_local(&op->s);
	return ret;
}

/* --skip-date-set ID...: the date sets whose dates the series leaves out. */
static int cmd_series_skip_sets(struct cli *c, struct opt *opts, struct series *s)
{
	struct opt *o = opt_find(opts, "skip-date-set");

	for (int i = 0; o != NULL && i < o->count; i++) {
		uint64_t id;
		int rc = arg_id(c, "--skip-date-set", o->values[i], &id);

		if (rc != CLI_OK)
			return rc;
		s->skip_date_sets = xrealloc(s->skip_date_sets, (s->nskip + 1) * sizeof(id));
		s->skip_date_sets[s->nskip++] = id;
	}
	return CLI_OK;
}

int cmd_series_add(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "title", .type = OPT_VALUE},
	    {.name = "start", .type = OPT_VALUE},
	    {.name = "end", .type = OPT_VALUE},
	    {.name = "rrule", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "attendees", .type = OPT_VALUE},
	    {.name = "public", .type = OPT_FLAG},
	    {.name = "approve", .type = OPT_FLAG},
	    {.name = "skip-conflicts", .type = OPT_FLAG},
	    {.name = "skip-date-set", .type = OPT_MULTI},
	    {.name = NULL},
	};
	static const char *const required[] = {"room", "group", "title", "start", "end", "rrule"};
	struct cmd_series_add op = {.c = c};
	struct booking first;
	struct herror err;
	char *zone = NULL;
	const char *dates_zone;
	size_t nargs;
	int rc;

	series_init(&op.s);
	booking_init(&first);
	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = cmd_booking_opts(c, opts, required, 6, &first, &zone)) != CLI_OK)
		goto out;
	herror_clear(&err);
	if (series_set_first(&op.s, first.start, first.end, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	/* The first date's fields are the series'. */
	op.s.room_id = first.room_id;
	op.s.group_id = first.group_id;
	op.s.title = first.title;
	op.s.description = first.description;
	first.title = first.description = NULL;
	op.s.attendees = first.attendees;
	op.s.public = first.public;
	op.s.rrule = xstrdup(opt_str(opts, "rrule"));
	op.approve_now = opt_flag(opts, "approve");
	op.skip = opt_flag(opts, "skip-conflicts");
	if ((rc = cmd_series_skip_sets(c, opts, &op.s)) != CLI_OK)
		goto out;
	herror_clear(&err);
	/* The rule's zone is the venue's, which series_create sets; the room's is the same. */
	if (db_write(c->db, cmd_series_add_write, &op, &err) != H_OK) {
		dates_zone = op.s.zone != NULL ? op.s.zone : zone;
		rc = op.out.nrefused > 0 ? cmd_series_refused(c, &err, &op.out, dates_zone, op.skip)
		                         : out_error(c, &err);
		goto out;
	}
	dates_zone = cmd_series_zone(&op.s);
	if (c->json) {
		out_json(json_pack("{s:o, s:I, s:o}", "series", op.result, "created",
		                   (json_int_t)op.out.created, "skipped",
		                   cmd_series_dates_json(&op.out, dates_zone)));
	} else {
		out_object(c, op.result);
		printf("\nbooked %zu of the %zu dates (%zu approved, %zu pending)", op.out.created,
		       op.out.created + op.out.nrefused, op.count.approved, op.count.pending);
		if (op.out.nrefused > 0) {
			printf("; left out:\n");
			cmd_series_dates_print(stdout, "  ", &op.out, dates_zone);
		} else {
			printf("\n");
		}
	}
	op.result = NULL;
	rc = CLI_OK;
out:
	json_decref(op.result);
	series_outcome_free(&op.out);
	series_free(&op.s);
	booking_free(&first);
	free(zone);
	opt_free(opts);
	return rc;
}

/* halls series show */

struct cmd_series_show {
	struct cli *c;
	const char *zone;
	json_t *array;
	struct table table;
};

static bool cmd_series_show_one(const struct booking *b, void *arg)
{
	struct cmd_series_show *sh = arg;
	char id[24], start[32], end[32];
	struct localtm a, z;

	if (sh->c->json) {
		json_array_append_new(sh->array, booking_to_json_local(b, sh->zone));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)b->id);
	out_local(b->start, sh->zone, start);
	tz_to_local(sh->zone, b->start, &a);
	tz_to_local(sh->zone, b->end, &z);
	if (a.year == z.year && a.month == z.month && a.day == z.day)
		out_clock(b->end, sh->zone, end);
	else
		out_local(b->end, sh->zone, end);
	table_add(&sh->table, id, booking_status_name(b->status), start, end,
	          b->start != b->recurrence_id ? "moved" : NULL, b->title);
	return true;
}

int cmd_series_show(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "STATUS", "START", "END", "MOVED", "TITLE"};
	struct cmd_series_show sh = {.c = c};
	struct series s;
	struct herror err;
	struct txn t;
	enum herr ret;
	uint64_t id;
	int rc;

	if ((rc = arg_only_id(c, argc, argv, &id)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	series_init(&s);
	sh.array = json_array();
	table_init(&sh.table, 6, headers);
	ret = series_get(&t, id, &s);
	if (ret == H_OK) {
		sh.zone = cmd_series_zone(&s);
		ret = series_each_occurrence(&t, id, cmd_series_show_one, &sh);
	}
	db_read_end(&t);
	if (ret != H_OK) {
		rc = out_error(c, &err);
	} else if (c->json) {
		out_json(json_pack("{s:o, s:o}", "series", series_to_json_local(&s), "occurrences",
		                   sh.array));
		sh.array = NULL;
	} else {
		out_object(c, series_to_json_local(&s));
		printf("\n");
		table_print(&sh.table, stdout);
	}
	json_decref(sh.array);
	table_free(&sh.table);
	series_free(&s);
	return rc;
}

/* halls series list */

struct cmd_series_list {
	struct run_list list;
};

static char *cmd_series_room_name(struct txn *t, uint64_t id)
{
	struct room r;
	char *name;

	name = room_get(t, id, &r) == H_OK ? xstrdup(r.name)
	                                   : xasprintf("room %llu", (unsigned long long)id);
	room_free(&r);
	return name;
}

static char *cmd_series_group_name(struct txn *t, uint64_t id)
{
	struct group g;
	char *name;

	name = group_get(t, id, &g) == H_OK ? xstrdup(g.name)
	                                    : xasprintf("group %llu", (unsigned long long)id);
	group_free(&g);
	return name;
}

static bool cmd_series_list_one(const struct series *s, void *arg)
{
	struct run_list *l = arg;
	const char *zone = cmd_series_zone(s);
	char id[24], first[32], end[32], *room, *group;

	if (l->c->json) {
		json_array_append_new(l->array, series_to_json_local(s));
		return true;
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)s->id);
	out_local(s->first_start, zone, first);
	out_clock(s->first_start + (int64_t)s->duration, zone, end);
	/* A failed lookup leaves an error in the transaction's err: the name stands in. */
	room = cmd_series_room_name(&l->t, s->room_id);
	group = cmd_series_group_name(&l->t, s->group_id);
	if (l->t.ret == H_OK)
		herror_clear(&l->err);
	table_add(&l->table, id, room, group, first, end, s->rrule, s->title);
	free(room);
	free(group);
	return true;
}

int cmd_series_list(struct cli *c, int argc, char **argv)
{
	static const char *headers[] = {"ID", "ROOM", "GROUP", "FIRST", "END", "RULE", "TITLE"};
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct run_list l;
	uint64_t room_id = 0, group_id = 0;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", &room_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &group_id)) != CLI_OK)
		return rc;
	if ((rc = run_list_begin(c, &l, 7, headers)) != CLI_OK)
		return rc;
	return run_list_end(&l, series_each(&l.t, room_id, group_id, cmd_series_list_one, &l));
}

/* halls series approve|decline|cancel */

struct cmd_series_decide {
	struct cli *c;
	uint64_t id;
	enum series_action act;
	int64_t from;
	const char *note;
	struct series_outcome out;
	char *zone;
	json_t *result;
};

static enum herr cmd_series_decide_write(struct txn *t, void *arg)
{
	struct cmd_series_decide *op = arg;
	struct series s;
	enum herr ret;

	series_outcome_free(&op->out);
	free(op->zone);
	op->zone = NULL;
	ret = series_decide(t, &cli_console, op->id, op->act, op->from, op->note, op->c->now,
	                    &op->out);
	if (ret != H_OK)
		return ret;
	ret = series_get(t, op->id, &s);
	if (ret == H_OK) {
		op->zone = xstrdup(cmd_series_zone(&s));
		op->result = series_to_json_local(&s);
	}
	series_free(&s);
	return ret;
}

static int cmd_series_decide(struct cli *c, int argc, char **argv, enum series_action act)
{
	static const char *const done[] = {"approved", "declined", "cancelled"};
	struct opt opts[] = {
	    {.name = "from", .type = OPT_VALUE},
	    {.name = "note", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_series_decide op = {.c = c, .act = act};
	struct series s;
	struct herror err;
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK)
		goto out;
	op.note = opt_str(opts, "note");
	if (opt_str(opts, "from") != NULL) {
		/* --from is read on the series' own clock. */
		herror_clear(&err);
		if (cmd_series_read(c, op.id, &s, &err) != H_OK) {
			series_free(&s);
			rc = out_error(c, &err);
			goto out;
		}
		rc = opt_time(c, opts, "from", cmd_series_zone(&s), &op.from);
		series_free(&s);
		if (rc != CLI_OK)
			goto out;
	}
	if ((rc = run_write(c, cmd_series_decide_write, &op, &op.result)) != CLI_OK)
		goto out;
	if (c->json) {
		out_json(json_pack("{s:o, s:I, s:o}", "series", op.result, "changed",
		                   (json_int_t)op.out.created, "refused",
		                   cmd_series_dates_json(&op.out, op.zone)));
	} else {
		json_decref(op.result);
		printf("%s %zu date%s of series %llu", done[act], op.out.created,
		       op.out.created == 1 ? "" : "s", (unsigned long long)op.id);
		if (opt_str(opts, "from") != NULL) {
			char when[32];

			out_local(op.from, op.zone, when);
			printf(" from %s", when);
		}
		if (op.out.nrefused > 0) {
			printf("; not %s, so unchanged:\n", done[act]);
			cmd_series_dates_print(stdout, "  ", &op.out, op.zone);
		} else {
			printf("\n");
		}
	}
	op.result = NULL;
out:
	json_decref(op.result);
	series_outcome_free(&op.out);
	free(op.zone);
	opt_free(opts);
	return rc;
}

int cmd_series_approve(struct cli *c, int argc, char **argv)
{
	return cmd_series_decide(c, argc, argv, SERIES_APPROVE);
}

int cmd_series_decline(struct cli *c, int argc, char **argv)
{
	return cmd_series_decide(c, argc, argv, SERIES_DECLINE);
}

int cmd_series_cancel(struct cli *c, int argc, char **argv)
{
	return cmd_series_decide(c, argc, argv, SERIES_CANCEL);
}

/* halls series set */

struct cmd_series_set {
	struct cli *c;
	uint64_t id;
	json_t *fields;
	json_t *result;
};

static enum herr cmd_series_set_write(struct txn *t, void *arg)
{
	struct cmd_series_set *op = arg;
	struct series s;
	enum herr ret;

	series_init(&s);
	ret = series_update(t, &cli_console, op->id, op->fields, op->c->now, &s);
	if (ret == H_OK)
		op->result = series_to_json_local(&s);
	series_free(&s);
	return ret;
}

int cmd_series_set(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "title", .type = OPT_VALUE},
	    {.name = "description", .type = OPT_VALUE},
	    {.name = "attendees", .type = OPT_VALUE},
	    {.name = "public", .type = OPT_VALUE},
	    {.name = NULL},
	};
	struct cmd_series_set op = {.c = c};
	const char *pub;
	char *args[1];
	size_t nargs;
	int rc;

	op.fields = json_object();
	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK ||
	    (rc = arg_id(c, "ID", nargs ? args[0] : NULL, &op.id)) != CLI_OK ||
	    (rc = cmd_booking_number(c, opts, "attendees", op.fields, "attendees")) != CLI_OK)
		goto out;
	opt_to_json_str(opts, "title", op.fields, "title");
	opt_to_json_str(opts, "description", op.fields, "description");
	if ((pub = opt_str(opts, "public")) != NULL) {
		if (strcmp(pub, "yes") != 0 && strcmp(pub, "no") != 0) {
			rc = out_usage(c, "--public must be yes or no, not \"%s\"", pub);
			goto out;
		}
		json_object_set_new(op.fields, "public", json_boolean(strcmp(pub, "yes") == 0));
	}
	if (json_object_size(op.fields) == 0) {
		rc = out_usage(c, "nothing to change");
		goto out;
	}
	if ((rc = run_write(c, cmd_series_set_write, &op, &op.result)) != CLI_OK)
		goto out;
	out_object(c, op.result);
	op.result = NULL;
out:
	json_decref(op.result);
	json_decref(op.fields);
	opt_free(opts);
	return rc;
}
