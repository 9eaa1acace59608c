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
#include "store.h"

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

static void fz_close(void)
{
	fuzz_store_remove(fz.c.db, fz.dir);
	fz.c.db = NULL;
	fz.dir[0] = '\0';
}

/* A fresh store: one venue open all week, one room taking what a calendar may hold, one
 * group. */
static void fz_open(void)
{
	char fields[256];
	uint64_t venue;

	fz.c.db = fuzz_store_open("fuzz_cli_import_ics", fz.dir);
	fz.c.data_dir = fz.dir;
	fz.c.now = FUZZ_NOW;
	venue = fuzz_store_add(fz.c.db, &kind_venue,
	                       "{\"name\": \"Fuzz Hall\", \"timezone\": \"Europe/London\", "
	                       "\"hours\": \"mon-sun 00:00-24:00\"}",
	                       FUZZ_NOW);
	snprintf(fields, sizeof(fields),
	         "{\"venue_id\": %llu, \"name\": \"Room\", \"capacity\": 50, \"approval\": "
	         "\"auto\", \"min_minutes\": 1, \"horizon_days\": 3660, \"max_occurrences\": 1000}",
	         (unsigned long long)venue);
	fz.room_id = fuzz_store_add(fz.c.db, &kind_room, fields, FUZZ_NOW);
	fz.group_id = fuzz_store_add(fz.c.db, &kind_group, "{\"name\": \"Fuzzers\"}", FUZZ_NOW);
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
