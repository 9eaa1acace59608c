/* halls import-ics on arbitrary calendars: whatever a file holds, the import does not
 * crash or leak, reports every event it read, writes every booking it says it placed
 * and nothing else (check finds no fault in the store afterwards), and --dry-run writes
 * nothing at all.
 *
 * Input: the calendar's bytes. Each is imported twice into one room of a store made in
 * LLVMFuzzerInitialize: as a dry run, then for real. The store is made anew every
 * FUZZ_RESET inputs so that it stays small. */
#include "cli.h"
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_RESET 200
/* 2026-03-01T12:00:00Z: the import's "now". */
#define FUZZ_NOW ((int64_t)1772366400)

/* The harness's own store: libFuzzer's entry points take no context. */
static struct {
	char dir[64];
	struct cli c;
	uint64_t room_id, group_id;
	unsigned inputs;
} fz;

static void fz_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

struct fz_save {
	const struct kind *kind;
	const char *fields;
	uint64_t id;
};

static enum herr fz_save_run(struct txn *t, void *arg)
{
	struct fz_save *s = arg;
	json_t *fields = json_loads(s->fields, 0, NULL), *out = NULL;
	enum herr ret = s->kind->save(t, &cli_console, 0, fields, FUZZ_NOW, &out);

	s->id = (uint64_t)json_int(out, "id", 0);
	json_decref(out);
	json_decref(fields);
	return ret;
}

static uint64_t fz_save(const struct kind *k, const char *fields)
{
	struct fz_save s = {k, fields, 0};
	struct herror err;

	herror_clear(&err);
	if (db_write(fz.c.db, fz_save_run, &s, &err) != H_OK) {
		fprintf(stderr, "fuzz_cli_import_ics: %s: %s\n", k->name, err.msg);
		abort();
	}
	return s.id;
}

static void fz_close(void)
{
	if (fz.c.db != NULL)
		db_close(fz.c.db);
	fz.c.db = NULL;
	if (fz.dir[0] != '\0')
		fz_rmtree(fz.dir);
	fz.dir[0] = '\0';
}

/* A fresh store: one venue open all week, one room taking what a calendar may hold, one
 * group. */
static void fz_open(void)
{
	struct herror err;
	char fields[256];
	uint64_t venue;

	snprintf(fz.dir, sizeof(fz.dir), "/tmp/halls-fuzz-XXXXXX");
	herror_clear(&err);
	if (mkdtemp(fz.dir) == NULL || db_open(&fz.c.db, fz.dir, true, NULL, &err) != H_OK) {
		fprintf(stderr, "fuzz_cli_import_ics: store: %s\n", err.msg);
		abort();
	}
	/* A store thrown away at exit needs no flush to disk at each commit; without one
	 * the harness runs many times faster. */
	mdb_env_set_flags(db_env(fz.c.db), MDB_NOSYNC, 1);
	fz.c.data_dir = fz.dir;
	fz.c.now = FUZZ_NOW;
	venue = fz_save(&kind_venue, "{\"name\": \"Fuzz Hall\", \"timezone\": \"Europe/London\", "
	                             "\"hours\": \"mon-sun 00:00-24:00\"}");
	snprintf(fields, sizeof(fields),
	         "{\"venue_id\": %llu, \"name\": \"Room\", \"capacity\": 50, \"approval\": "
	         "\"auto\", \"min_minutes\": 1, \"horizon_days\": 3660, \"max_occurrences\": 1000}",
	         (unsigned long long)venue);
	fz.room_id = fz_save(&kind_room, fields);
	fz.group_id = fz_save(&kind_group, "{\"name\": \"Fuzzers\"}");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Messages from libical about malformed input are noise here. */
	setenv("TZ", "UTC", 1);
	fz_open();
	atexit(fz_close);
	return 0;
}

static void fz_problem(const char *problem, void *arg)
{
	(void)arg;
	fprintf(stderr, "fuzz_cli_import_ics: check: %s\n", problem);
}

/* The store's change counter, and check's count of faults. */
static void fz_state(uint64_t *counter, size_t *faults)
{
	struct herror err;
	struct txn t;

	herror_clear(&err);
	if (db_read_begin(fz.c.db, &t, &err) != H_OK)
		abort();
	*counter = txn_change_counter(&t);
	*faults = check_run(&t, fz_problem, NULL);
	db_read_end(&t);
}

/* Every booking the report says was placed is there. */
static void fz_placed_exist(const json_t *report)
{
	const json_t *placed = json_object_get(report, "placed"), *o;
	struct herror err;
	struct txn t;
	size_t i;

	herror_clear(&err);
	if (db_read_begin(fz.c.db, &t, &err) != H_OK)
		abort();
	json_array_foreach(placed, i, o)
	{
		struct booking b;

		if (booking_get(&t, (uint64_t)json_int(o, "booking_id", 0), &b) != H_OK)
			abort();
		booking_free(&b);
	}
	db_read_end(&t);
}

/* Every event read is accounted for: placed, a series, or not placed with a reason. */
static void fz_accounted(const json_t *report)
{
	size_t events = (size_t)json_int(report, "events", -1);
	size_t told = json_array_size(json_object_get(report, "placed")) +
	              json_array_size(json_object_get(report, "not_placed")) +
	              json_array_size(json_object_get(report, "series"));
	const json_t *o;
	size_t i;

	if ((events == 0) != (told == 0) || told > events)
		abort();
	json_array_foreach(json_object_get(report, "not_placed"), i, o)
	{
		if (!json_is_string(json_object_get(o, "error")) ||
		    !json_is_string(json_object_get(o, "reason")))
			abort();
	}
}

static void fz_import(const char *text, bool dry_run)
{
	struct import_ics in = {"fuzz.ics", fz.room_id, fz.group_id, false, dry_run};
	uint64_t before, after;
	size_t faults;
	json_t *report = NULL;
	struct herror err;
	enum herr ret;

	fz_state(&before, &faults);
	herror_clear(&err);
	ret = import_ics_text(&fz.c, &in, text, &report, &err);
	fz_state(&after, &faults);
	if (faults != 0 || (ret == H_OK) != (report != NULL))
		abort();
	/* A dry run, or an import refused as a whole, leaves the store as it was. */
	if ((dry_run || ret != H_OK) && after != before)
		abort();
	if (ret == H_OK) {
		fz_accounted(report);
		if (!dry_run)
			fz_placed_exist(report);
	}
	json_decref(report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	fz_import(text, true);
	fz_import(text, false);
	free(text);
	if (++fz.inputs % FUZZ_RESET == 0) {
		fz_close();
		fz_open();
	}
	return 0;
}
