/* JSON bodies of booking and record writes, through the core's own judges: whatever a
 * body holds, each write either succeeds with a record that its judge takes again, or
 * fails with an H_E... code and a message that is valid UTF-8; nothing crashes, and no
 * refused or undone write leaves anything behind (check finds no fault and the store's
 * change counter does not move).
 *
 * Input: the first byte picks the write (booking request, booking edit, venue, room,
 * group, closure, series record); the rest is the JSON body. Each write runs in a write
 * transaction that is then undone, in a store made once in LLVMFuzzerInitialize. */
#include "halls.h"
#include "fuzz.h"
#include "store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_NOW  ((int64_t)1772366400) /* 2026-03-01T12:00:00Z */
#define FUZZ_ZONE "Europe/London"

enum fz_write { FZ_REQUEST, FZ_EDIT, FZ_VENUE, FZ_ROOM, FZ_GROUP, FZ_CLOSURE, FZ_SERIES, FZ_N };

/* The harness's own store: libFuzzer's entry points take no context. */
static struct {
	char dir[64];
	struct db *db;
	uint64_t venue, room, group, booking;
} fz;

struct fz_op {
	enum fz_write what;
	const json_t *body;
	enum herr ret; /* the write's own result, before it was undone */
	struct herror err;
	json_t *out; /* a record written, when the kind gives one */
};

static const struct kind *fz_kind(enum fz_write what)
{
	return what == FZ_VENUE ? &kind_venue : what == FZ_ROOM ? &kind_room : &kind_group;
}

static enum herr fz_booking(struct txn *t, struct fz_op *op)
{
	enum booking_form form = op->what == FZ_REQUEST ? BOOKING_NEW : BOOKING_EDIT;
	struct booking b;
	json_t *judged;
	enum herr ret = booking_fields_judge(op->body, form, FUZZ_ZONE, true, &judged, t->err);

	if (ret != H_OK)
		return ret;
	booking_init(&b); /* booking_update fills it only when it succeeds */
	if (form == BOOKING_EDIT) {
		ret = booking_update(t, &ACTOR_CONSOLE, fz.booking, judged, FUZZ_NOW, &b);
	} else {
		booking_fields_apply(&b, judged);
		ret = booking_request(t, &ACTOR_CONSOLE, &b, json_flag(judged, "approve", false),
		                      FUZZ_NOW);
	}
	if (ret == H_OK)
		op->out = judged; /* judged again below */
	else
		json_decref(judged);
	booking_free(&b);
	return ret;
}

static enum herr fz_closure(struct txn *t, struct fz_op *op)
{
	struct closure c;
	enum herr ret = closure_from_json(op->body, &c, t->err);

	if (ret == H_OK)
		ret = closure_create(t, &ACTOR_CONSOLE, &c, FUZZ_NOW);
	if (ret == H_OK)
		op->out = closure_to_json(&c);
	closure_free(&c);
	return ret;
}

static enum herr fz_series(struct txn *t, struct fz_op *op)
{
	struct series s;
	enum herr ret = series_from_json(op->body, &s, t->err);

	(void)t;
	if (ret == H_OK)
		op->out = series_to_json(&s);
	series_free(&s);
	return ret;
}

/* The write, then undone: the transaction always fails, with the write's result kept. */
static enum herr fz_write_run(struct txn *t, void *arg)
{
	struct fz_op *op = arg;

	json_decref(op->out);
	op->out = NULL;
	switch (op->what) {
	case FZ_REQUEST:
	case FZ_EDIT:
		op->ret = fz_booking(t, op);
		break;
	case FZ_CLOSURE:
		op->ret = fz_closure(t, op);
		break;
	case FZ_SERIES:
		op->ret = fz_series(t, op);
		break;
	default:
		/* Create, or update the record made at start. */
		op->ret = fz_kind(op->what)->save(t, &ACTOR_CONSOLE,
		                                  json_object_get(op->body, "name") != NULL &&
		                                          json_object_size(op->body) % 2
		                                      ? 0
		                                      : (op->what == FZ_VENUE  ? fz.venue
		                                         : op->what == FZ_ROOM ? fz.room
		                                                               : fz.group),
		                                  op->body, FUZZ_NOW, &op->out);
		break;
	}
	if (op->ret != H_OK)
		op->err = *t->err;
	return herror_set(t->err, H_ESTATE, "fuzz: undone");
}

/* A refusal names a failure and says why in valid UTF-8. */
static void fz_check_refusal(const struct fz_op *op)
{
	if (op->ret <= H_OK || op->ret >= H_ERR_COUNT || op->err.code != op->ret ||
	    op->err.msg[0] == '\0')
		abort();
	for (const char *p = op->err.msg; *p;) {
		size_t n = text_utf8_len(p);

		if (n == 0)
			abort();
		p += n;
	}
}

/* A record written is one its judge takes again, as a later edit would send it. */
static void fz_check_again(const struct fz_op *op)
{
	struct herror err;
	json_t *again = json_deep_copy(op->out), *judged = NULL;
	struct closure c;
	struct series s;

	herror_clear(&err);
	switch (op->what) {
	case FZ_REQUEST:
	case FZ_EDIT:
		json_object_del(again, "approve");
		if (booking_fields_judge(again, op->what == FZ_REQUEST ? BOOKING_NEW : BOOKING_EDIT,
		                         NULL, true, &judged, &err) != H_OK ||
		    !json_equal(judged, again))
			abort();
		json_decref(judged);
		break;
	case FZ_CLOSURE:
		if (closure_from_json(again, &c, &err) != H_OK)
			abort();
		closure_free(&c);
		break;
	case FZ_SERIES:
		if (series_from_json(again, &s, &err) != H_OK)
			abort();
		series_free(&s);
		break;
	default:
		/* Every field the kind shows is one it takes. */
		json_object_del(again, "id");
		if (fields_known(again, fz_kind(op->what)->fields, &err) != H_OK)
			abort();
		break;
	}
	json_decref(again);
}

static void fz_problem(const char *problem, void *arg)
{
	(void)arg;
	fprintf(stderr, "fuzz_bodies: check: %s\n", problem);
}

static uint64_t fz_state(void)
{
	struct herror err;
	struct txn t;
	uint64_t counter;

	herror_clear(&err);
	if (db_read_begin(fz.db, &t, &err) != H_OK)
		abort();
	counter = txn_change_counter(&t);
	if (check_run(&t, fz_problem, NULL) != 0)
		abort();
	db_read_end(&t);
	return counter;
}

static enum herr fz_setup_booking(struct txn *t, void *arg)
{
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = fz.room;
	b.group_id = fz.group;
	b.title = xstrdup("Choir");
	b.start = FUZZ_NOW + 10 * 86400;
	b.end = b.start + 3600;
	ret = booking_request(t, &ACTOR_CONSOLE, &b, true, FUZZ_NOW);
	*(uint64_t *)arg = b.id;
	booking_free(&b);
	return ret;
}

static void fz_close(void)
{
	fuzz_store_remove(fz.db, fz.dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct herror err;
	char fields[160];

	(void)argc;
	(void)argv;
	herror_clear(&err);
	fz.db = fuzz_store_open("fuzz_bodies", fz.dir);
	atexit(fz_close);
	fz.venue = fuzz_store_add(fz.db, &kind_venue,
	                          "{\"name\": \"Hall\", \"timezone\": \"" FUZZ_ZONE
	                          "\", \"hours\": \"mon-sun 08:00-22:00\"}",
	                          FUZZ_NOW);
	snprintf(fields, sizeof(fields),
	         "{\"venue_id\": %llu, \"name\": \"Room\", \"capacity\": 20, \"approval\": "
	         "\"auto\"}",
	         (unsigned long long)fz.venue);
	fz.room = fuzz_store_add(fz.db, &kind_room, fields, FUZZ_NOW);
	fz.group = fuzz_store_add(fz.db, &kind_group, "{\"name\": \"Choir\"}", FUZZ_NOW);
	if (db_write(fz.db, fz_setup_booking, &fz.booking, &err) != H_OK) {
		fprintf(stderr, "fuzz_bodies: booking: %s\n", err.msg);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_op op = {0};
	struct herror err;
	json_error_t jerr;
	json_t *body;
	uint64_t before;

	if (size == 0)
		return 0;
	body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		return 0; /* the router answers 400 before any judge sees it */
	}
	op.what = (enum fz_write)(data[0] % FZ_N);
	op.body = body;
	herror_clear(&op.err);
	herror_clear(&err);
	before = fz_state();
	if (db_write(fz.db, fz_write_run, &op, &err) != H_ESTATE)
		abort();
	if (fz_state() != before)
		abort();
	if (op.ret == H_OK)
		fz_check_again(&op);
	else
		fz_check_refusal(&op);
	json_decref(op.out);
	json_decref(body);
	return 0;
}
