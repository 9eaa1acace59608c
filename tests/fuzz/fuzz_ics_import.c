/* The core's calendar import (ics_import.h) on arbitrary calendars: whatever the text
 * holds, the import does not crash or leak, accounts for every event it read, writes
 * every booking and series it says it placed and nothing else (check finds no fault in
 * the store afterwards), gives a report that encodes as JSON, and a dry run (or an import
 * refused as a whole) writes nothing at all. It links the core alone: no front end is
 * between the bytes and the import.
 *
 * Input: the calendar's bytes. Each is imported twice into one room of a store made in
 * LLVMFuzzerInitialize: as a dry run, then for real. The store is made anew every
 * FUZZ_RESET inputs so that it stays small. */
#include "fuzz.h"
#include "halls.h"
#include "ics_import.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_RESET 200
/* 2026-03-01T12:00:00Z: the import's "now". */
#define FUZZ_NOW ((int64_t)1772366400)

/* The harness's own store: libFuzzer's entry points take no context. */
static struct {
	char dir[64];
	struct db *db;
	uint64_t room_id, group_id;
	unsigned inputs;
} fz;

static void fz_close(void)
{
	fuzz_store_remove(fz.db, fz.dir);
	fz.db = NULL;
	fz.dir[0] = '\0';
}

/* A fresh store: one venue open all week, one room taking what a calendar may hold, one
 * group. */
static void fz_open(void)
{
	char fields[256];
	uint64_t venue;

	fz.db = fuzz_store_open("fuzz_ics_import", fz.dir);
	venue = fuzz_store_add(fz.db, &kind_venue,
	                       "{\"name\": \"Fuzz Hall\", \"timezone\": \"Europe/London\", "
	                       "\"hours\": \"mon-sun 00:00-24:00\"}",
	                       FUZZ_NOW);
	snprintf(fields, sizeof(fields),
	         "{\"venue_id\": %llu, \"name\": \"Room\", \"capacity\": 50, \"approval\": "
	         "\"auto\", \"min_minutes\": 1, \"horizon_days\": 3660, \"max_occurrences\": 1000}",
	         (unsigned long long)venue);
	fz.room_id = fuzz_store_add(fz.db, &kind_room, fields, FUZZ_NOW);
	fz.group_id = fuzz_store_add(fz.db, &kind_group, "{\"name\": \"Fuzzers\"}", FUZZ_NOW);
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
	fprintf(stderr, "fuzz_ics_import: check: %s\n", problem);
}

/* The store's change counter, and check's count of faults. */
static void fz_state(uint64_t *counter, size_t *faults)
{
	struct herror err;
	struct txn t;

	herror_clear(&err);
	if (db_read_begin(fz.db, &t, &err) != H_OK)
		abort();
	*counter = txn_change_counter(&t);
	*faults = check_run(&t, fz_problem, NULL);
	db_read_end(&t);
}

/* Every booking and series the outcome says was placed is there. */
static void fz_placed_exist(const struct ics_import_outcome *o)
{
	struct herror err;
	struct txn t;

	herror_clear(&err);
	if (db_read_begin(fz.db, &t, &err) != H_OK)
		abort();
	for (size_t i = 0; i < o->nitems; i++) {
		const struct ics_import_item *it = &o->items[i];
		struct booking b;
		struct series s;

		if (it->kind == ICS_IMPORT_PLACED) {
			if (booking_get(&t, it->booking_id, &b) != H_OK || b.room_id != fz.room_id)
				abort();
			booking_free(&b);
		} else if (it->kind == ICS_IMPORT_SERIES) {
			if (series_get(&t, it->series_id, &s) != H_OK)
				abort();
			series_free(&s);
		}
	}
	db_read_end(&t);
}

/* Every event read is accounted for (placed, a series, or not placed with a reason),
 * the counts agree with the items, and the report encodes. */
static void fz_accounted(const struct ics_import_outcome *o)
{
	size_t kinds[3] = {0, 0, 0};
	json_t *report;
	char *text;

	if ((o->events == 0) != (o->nitems == 0) || o->nitems > o->events)
		abort();
	for (size_t i = 0; i < o->nitems; i++) {
		const struct ics_import_item *it = &o->items[i];

		kinds[it->kind]++;
		if (it->kind == ICS_IMPORT_NOT_PLACED && (it->error == NULL || it->reason == NULL))
			abort();
	}
	if (kinds[ICS_IMPORT_PLACED] != o->placed ||
	    kinds[ICS_IMPORT_NOT_PLACED] != o->not_placed || kinds[ICS_IMPORT_SERIES] != o->series)
		abort();
	report = ics_import_to_json(&(struct ics_import_options){0}, o);
	text = json_dumps(report, JSON_COMPACT);
	if (text == NULL)
		abort();
	free(text);
	json_decref(report);
}

static void fz_import(const uint8_t *data, size_t size, bool dry_run)
{
	struct ics_import_options opt = {.name = "fuzz.ics",
	                                 .room_id = fz.room_id,
	                                 .group_id = fz.group_id,
	                                 .dry_run = dry_run,
	                                 .now = FUZZ_NOW};
	struct ics_import_outcome out;
	uint64_t before, after;
	size_t faults;
	struct herror err;
	enum herr ret;

	fz_state(&before, &faults);
	herror_clear(&err);
	ret = ics_import(fz.db, &ACTOR_CONSOLE, (const char *)data, size, &opt, &out, &err);
	fz_state(&after, &faults);
	if (faults != 0 || (ret != H_OK && (err.code == H_OK || out.nitems != 0)))
		abort();
	/* A dry run, or an import refused as a whole, leaves the store as it was. */
	if ((dry_run || ret != H_OK) && after != before)
		abort();
	if (ret == H_OK) {
		fz_accounted(&out);
		if (!dry_run)
			fz_placed_exist(&out);
	}
	ics_import_outcome_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_import(data, size, true);
	fz_import(data, size, false);
	if (++fz.inputs % FUZZ_RESET == 0) {
		fz_close();
		fz_open();
	}
	return 0;
}
