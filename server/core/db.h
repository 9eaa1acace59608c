/* The LMDB environment of one data directory, and the transaction wrapper every core
 * function works through.
 *
 * A struct txn carries a sticky error: once an LMDB call fails, later calls on the same
 * txn do nothing and the first error is what the operation returns. Writes go through
 * db_write(), which runs an operation in one write transaction, bumps the change counter,
 * commits durably, and transparently grows the map and retries when it is full. */
#ifndef HALLS_DB_H
#define HALLS_DB_H

#include "err.h"
#include "key.h"

#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>

/* Named databases. The names on disk are in db.c; their layouts are in schemas/db.md. */
enum dbi {
	DBI_META,
	DBI_VENUE,
	DBI_ROOM,
	DBI_GROUP,
	DBI_USER,
	DBI_CLOSURE,
	DBI_BOOKING,
	DBI_AUDIT,
	DBI_TOKEN,
	DBI_USER_EMAIL,    /* lower-case email -> user id */
	DBI_ROOM_VENUE,    /* venue | room -> "" */
	DBI_BOOKING_ROOM,  /* room | start | booking -> status */
	DBI_BOOKING_GROUP, /* group | start | booking -> "" */
	DBI_BLOCK,         /* room | state | start | booking -> end   (pending and approved only) */
	DBI_CLOSURE_AT,    /* scope | target | start | closure -> end */
	DBI_AUDIT_BOOKING, /* booking | audit -> "" */
	/* Layout 2. */
	DBI_SERIES,     /* series id -> record */
	DBI_SERIES_OCC, /* series | recurrence start -> booking id */
	/* Layout 3. */
	DBI_OUTBOX, /* messages waiting or sent, their queue and settings (outbox.h) */
	/* Layout 4. */
	DBI_USER_ROLE, /* G | group | user, V | venue | user -> "": a user's groups and venues */
	/* Layout 5: fair access (docs/fair-access.md). Each is one module's, with key spaces
	 * of its own told apart by a first byte (schemas/db.md). */
	DBI_ALLOWANCE, /* allowances of hours per period (allowance.h) */
	DBI_HOLD,      /* provisional holds and when they end (hold.h) */
	DBI_WAITLIST,  /* waitlists and their offers (waitlist.h) */
	DBI_DATE_SET,  /* named sets of dates (date_set.h) */
	DBI_ROUND,     /* allocation rounds and their applications (round.h) */
	DBI_COUNT
};

#define SCHEMA_VERSION 5

struct db;

struct txn {
	struct db *db;
	MDB_txn *txn;
	enum herr ret;
	struct herror *err;
	bool map_full;
};

struct db_options {
	size_t initial_map_size; /* 0: 64 MiB */
	size_t max_map_size;     /* 0: 64 GiB */
};

/* Opens (creating when create is true) the environment in dir. */
enum herr db_open(struct db **out, const char *dir, bool create, const struct db_options *opt,
                  struct herror *err);
void db_close(struct db *db);
const char *db_path(const struct db *db);
MDB_env *db_env(struct db *db);
/* The map's size now, and how much of it is in use: the pages up to the last one used
 * (free pages kept for reuse included) times the page size, as `mdb_stat -e` shows. */
void db_map_usage(struct db *db, uint64_t *map_size, uint64_t *used);

/* Read transactions: begin, use, end. */
enum herr db_read_begin(struct db *db, struct txn *t, struct herror *err);
void db_read_end(struct txn *t);

typedef enum herr (*db_write_fn)(struct txn *t, void *arg);
/* Runs fn in one durable write transaction. fn may be called more than once (after the
 * map has grown), so it must not keep side effects outside the transaction until
 * db_write returns. */
enum herr db_write(struct db *db, db_write_fn fn, void *arg, struct herror *err);
/* db_write without bumping the change counter: for writes that no cached answer reads
 * (the outbox's delivery records), so that sending mail never throws away cached feeds. */
enum herr db_write_aside(struct db *db, db_write_fn fn, void *arg, struct herror *err);

/* Runs fn in a transaction nested in t (LMDB child transaction). When fn is refused,
 * its writes are undone and t goes on as if fn had not run; a storage fault is sticky on
 * t. For doing several independent things in one durable commit (group commit, demo
 * data) where one refusal must not undo the others. */
enum herr txn_try(struct txn *t, db_write_fn fn, void *arg);

/* Runs fn, which only reads, on t, and keeps a refusal from sticking: fn's refusal is
 * returned (its words left in t->err) and t goes on as if fn had not run; a storage
 * fault stays sticky. For judging many things in one read transaction (a series'
 * preview judges each date as its request would be judged). */
enum herr txn_ask(struct txn *t, db_write_fn fn, void *arg);

/* Sticky-error helpers. txn_get returns 1 when found, 0 when not (or on an earlier error). */
int txn_get(struct txn *t, enum dbi d, const struct key *k, MDB_val *val);
void txn_put(struct txn *t, enum dbi d, const struct key *k, const void *val, size_t len);
void txn_del(struct txn *t, enum dbi d, const struct key *k);
/* Deletes every entry of d (an index about to be rebuilt); d stays open. */
void txn_empty(struct txn *t, enum dbi d);
/* Records that an LMDB call failed; returns the sticky error. */
enum herr txn_fail(struct txn *t, int mdb_rc, const char *what);
/* Records a refusal (a rule, a missing record); returns the sticky error. */
enum herr txn_refuse(struct txn *t, enum herr code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The next id for a kind of record ("venue", "booking", ...), starting at 1. */
uint64_t txn_next_id(struct txn *t, const char *kind);
/* The last id handed out for kind (0: none yet), handing out none: whether a write added
 * any record of that kind (hallsd's clock keeps a sweep only when it did). */
uint64_t txn_last_id(struct txn *t, const char *kind);
/* Raises the id sequence so that it never hands out id again (used by import). */
void txn_seen_id(struct txn *t, const char *kind, uint64_t id);
/* The change counter: bumped by every write transaction, from any process. */
uint64_t txn_change_counter(struct txn *t);
/* The id of the last write transaction committed to the store, by any process, read
 * without opening a transaction; and the id of the last one committed when t began (what
 * t reads). The same id twice means that nothing was written in between: a cheap test
 * that what was read from the store (the change counter) still holds. */
uint64_t db_last_txn_id(struct db *db);
uint64_t txn_id(const struct txn *t);
/* This data directory's random id (meta "instance"), set when it was made. */
uint64_t txn_instance(struct txn *t);
void txn_set_instance(struct txn *t, uint64_t id);

/* Cursor scans over keys that start with a prefix, in key order. */
struct scan {
	struct txn *t;
	MDB_cursor *cur;
	struct key prefix;
	MDB_val k, v;
	bool started;
};
/* Starts at the first key >= from (from must begin with prefix). */
void scan_begin(struct scan *s, struct txn *t, enum dbi d, const struct key *prefix,
                const struct key *from);
/* Returns 1 with s->k and s->v set, or 0 at the end of the prefix (or on error). */
int scan_next(struct scan *s);
void scan_end(struct scan *s);
/* The u64 at offset in the first key under prefix in d; 0 when there is none (a question
 * such as "does any booking still name this room?"). */
uint64_t scan_first_u64(struct txn *t, enum dbi d, const struct key *prefix, size_t offset);

#endif
