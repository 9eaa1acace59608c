/* halls init|check|export|import|backup: the data directory as a whole. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cmd_admin_counts {
	size_t venues, rooms, bookings;
};

static bool cmd_admin_count_venue(const struct venue *v, void *arg)
{
	(void)v;
	((struct cmd_admin_counts *)arg)->venues++;
	return true;
}

static bool cmd_admin_count_room(const struct room *r, void *arg)
{
	(void)r;
	((struct cmd_admin_counts *)arg)->rooms++;
	return true;
}

static bool cmd_admin_count_booking(const struct booking *b, void *arg)
{
	(void)b;
	((struct cmd_admin_counts *)arg)->bookings++;
	return true;
}

static enum herr cmd_admin_count(struct txn *t, struct cmd_admin_counts *n)
{
	struct booking_filter f;

	memset(n, 0, sizeof(*n));
	booking_filter_init(&f);
	venue_each(t, cmd_admin_count_venue, n);
	room_each(t, 0, cmd_admin_count_room, n);
	booking_each(t, &f, cmd_admin_count_booking, n);
	return t->ret;
}

int cmd_admin_init(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "demo", .type = OPT_FLAG}, {.name = NULL}};
	struct cmd_admin_counts n = {0};
	struct herror err;
	struct txn t;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	if (opt_flag(opts, "demo") && (rc = demo_fill(c)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	cmd_admin_count(&t, &n);
	db_read_end(&t);
	out_done(c,
	         json_pack("{s:s, s:b, s:I, s:I, s:I}", "data_dir", c->data_dir, "demo",
	                   opt_flag(opts, "demo"), "venues", (json_int_t)n.venues, "rooms",
	                   (json_int_t)n.rooms, "bookings", (json_int_t)n.bookings),
	         "initialised %s: %zu venues, %zu rooms, %zu bookings", c->data_dir, n.venues,
	         n.rooms, n.bookings);
	return CLI_OK;
}

static void cmd_admin_problem(const char *problem, void *arg)
{
	json_t *s = json_string(problem);

	json_array_append_new(arg, s != NULL ? s : json_string("(a problem, not UTF-8)"));
}

int cmd_admin_check(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_admin_counts n;
	struct herror err;
	json_t *problems;
	struct txn t;
	size_t nargs, i;
	json_t *p;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK)
		return rc;
	herror_clear(&err);
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	problems = json_array();
	check_run(&t, cmd_admin_problem, problems);
	if (t.ret == H_OK)
		cmd_admin_count(&t, &n);
	db_read_end(&t);
	if (t.ret != H_OK) {
		json_decref(problems);
		return out_error(c, &err);
	}
	if (c->json) {
		out_json(json_pack("{s:b, s:O, s:I, s:I, s:I}", "ok",
		                   json_array_size(problems) == 0, "problems", problems, "venues",
		                   (json_int_t)n.venues, "rooms", (json_int_t)n.rooms, "bookings",
		                   (json_int_t)n.bookings));
	} else if (json_array_size(problems) == 0) {
		printf("check: ok, %zu venues, %zu rooms, %zu bookings\n", n.venues, n.rooms,
		       n.bookings);
	} else {
		json_array_foreach(problems, i, p) printf("check: %s\n", json_string_value(p));
		printf("check: %zu problems\n", json_array_size(problems));
	}
	rc = json_array_size(problems) == 0 ? CLI_OK : CLI_REFUSED;
	json_decref(problems);
	return rc;
}

int cmd_admin_export(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
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
	ret = dump_export(&t, stdout);
	db_read_end(&t);
	if (ret != H_OK)
		return out_error(c, &err);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		herror_set(&err, H_ESTORAGE, "cannot write the export: %s", strerror(errno));
		return out_error(c, &err);
	}
	return CLI_OK;
}

struct cmd_admin_import {
	FILE *f;
	const char *path;
	size_t records;
};

/* Loads every line of the file; re-runnable, since it starts from the top each time. */
static enum herr cmd_admin_import_all(struct txn *t, void *arg)
{
	struct cmd_admin_import *im = arg;
	char *line = NULL, msg[sizeof(t->err->msg)];
	size_t cap = 0, lineno = 0;
	enum herr ret;
	ssize_t len;

	im->records = 0;
	if ((ret = dump_refuse_filled(t)) != H_OK)
		return ret;
	rewind(im->f);
	while ((len = getline(&line, &cap, im->f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		ret = dump_import_line(t, line, t->err);
		if (ret == H_OK)
			ret = t->ret;
		if (ret != H_OK) {
			memcpy(msg, t->err->msg, sizeof(msg));
			herror_set(t->err, ret, "%s line %zu: %s", im->path, lineno, msg);
			free(line);
			return ret;
		}
		im->records++;
	}
	free(line);
	if (ferror(im->f))
		return herror_set(t->err, H_ESTORAGE, "cannot read %s: %s", im->path,
		                  strerror(errno));
	return t->ret;
}

int cmd_admin_import(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct cmd_admin_import im = {0};
	struct herror err;
	char *args[1];
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		return rc;
	if (nargs != 1)
		return out_usage(c, "FILE is required");
	herror_clear(&err);
	im.path = args[0];
	im.f = fopen(im.path, "r");
	if (im.f == NULL) {
		herror_set(&err, H_EINVAL, "cannot open %s: %s", im.path, strerror(errno));
		return out_error(c, &err);
	}
	if (db_write(c->db, cmd_admin_import_all, &im, &err) != H_OK)
		rc = out_error(c, &err);
	else
		out_done(c,
		         json_pack("{s:s, s:s, s:I}", "data_dir", c->data_dir, "file", im.path,
		                   "records", (json_int_t)im.records),
		         "imported %zu records from %s into %s", im.records, im.path, c->data_dir);
	fclose(im.f);
	return rc;
}

int cmd_admin_backup(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = NULL}};
	struct herror err;
	struct stat st;
	char *args[1], *file;
	size_t nargs;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		return rc;
	if (nargs != 1)
		return out_usage(c, "DIR is required");
	herror_clear(&err);
	if (mkdir(args[0], 0750) != 0 && errno != EEXIST) {
		herror_set(&err, H_EINVAL, "cannot create %s: %s", args[0], strerror(errno));
		return out_error(c, &err);
	}
	file = xasprintf("%s/data.mdb", args[0]);
	if (stat(file, &st) == 0) {
		herror_set(&err, H_EEXISTS, "%s already holds a data.mdb; back up somewhere new",
		           args[0]);
		free(file);
		return out_error(c, &err);
	}
	free(file);
	rc = mdb_env_copy2(db_env(c->db), args[0], MDB_CP_COMPACT);
	if (rc != 0) {
		herror_set(&err, H_ESTORAGE, "cannot back up into %s: %s", args[0],
		           mdb_strerror(rc));
		return out_error(c, &err);
	}
	out_done(c, json_pack("{s:s, s:s}", "data_dir", c->data_dir, "backup", args[0]),
	         "backed up %s into %s", c->data_dir, args[0]);
	return CLI_OK;
}
