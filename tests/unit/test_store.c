/* The LMDB store: opening, the schema version, map growth and a full map. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t read_change_counter(struct fx *f)
{
	struct txn t;
	uint64_t n = 0;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	n = txn_change_counter(&t);
	db_read_end(&t);
	return n;
}

static bool count_venue(const struct venue *v, void *arg)
{
	(void)v;
	(*(size_t *)arg)++;
	return true;
}

static size_t count_venues(struct fx *f)
{
	struct txn t;
	size_t n = 0;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	T_EQ_ERR(venue_each(&t, count_venue, &n), H_OK, &f->err);
	db_read_end(&t);
	return n;
}

TEST(store_open_create_reopen)
{
	struct fx f;
	struct herror err;
	struct db *db = NULL;
	uint64_t venue;

	T_ASSERT(fx_open(&f));
	T_EQ_STR(db_path(f.db), f.dir);
	T_CHECK(db_env(f.db) != NULL);
	venue = fx_venue(&f, "Hall", NULL, NULL);
	T_EQ_INT(venue, 1);
	T_CHECK(read_change_counter(&f) >= 2);
	db_close(f.db);
	f.db = NULL;

	/* Reopening without create sees what was written. */
	herror_clear(&err);
	T_EQ_ERR(db_open(&db, f.dir, false, NULL, &err), H_OK, &err);
	if (db != NULL) {
		f.db = db;
		T_EQ_INT(count_venues(&f), 1);
		/* Reopening with create keeps it too. */
		db_close(db);
		f.db = NULL;
		T_EQ_ERR(db_open(&db, f.dir, true, NULL, &err), H_OK, &err);
		f.db = db;
		if (db != NULL)
			T_EQ_INT(count_venues(&f), 1);
	}
	fx_close(&f);
}

TEST(store_open_missing)
{
	char dir[64], sub[96];
	struct herror err;
	struct db *db = (struct db *)&err; /* must be reset to NULL */
	enum herr ret;

	snprintf(dir, sizeof(dir), "/tmp/halls-unit-XXXXXX");
	T_ASSERT(mkdtemp(dir) != NULL);
	snprintf(sub, sizeof(sub), "%s/nothing-here", dir);

	/* A directory that does not exist, without create. */
	herror_clear(&err);
	ret = db_open(&db, sub, false, NULL, &err);
	T_EQ_ERR(ret, H_ESCHEMA, &err);
	T_CHECK(db == NULL);
	T_CHECK(err.msg[0] != '\0');

	/* An empty directory is not a halls data directory either. */
	db = (struct db *)&err;
	herror_clear(&err);
	ret = db_open(&db, dir, false, NULL, &err);
	T_EQ_ERR(ret, H_ESCHEMA, &err);
	T_CHECK(db == NULL);
	T_HAS_STR(err.msg, "halls init");
	db_close(db);

	/* With create, a missing directory is made. */
	herror_clear(&err);
	T_EQ_ERR(db_open(&db, sub, true, NULL, &err), H_OK, &err);
	db_close(db);
	fx_rmtree(dir);
}

/* Writes meta "schema" = version with LMDB itself, as a newer halls would. */
static bool write_schema(const char *dir, uint64_t version)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	uint8_t b[8];
	MDB_val k = {6, (void *)"schema"}, v = {8, b};
	int rc;

	key_put_u64(b, version);
	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(env, 64);
	if (rc == 0)
		rc = mdb_env_open(env, dir, 0, 0640);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &dbi);
	if (rc == 0)
		rc = mdb_put(txn, dbi, &k, &v, 0);
	if (rc == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "writing the schema version: %s", mdb_strerror(rc));
	return rc == 0;
}

/* Deletes a named database with LMDB itself, as a directory of an older layout lacks it. */
static bool drop_database(const char *dir, const char *name)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rc;

	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(env, 64);
	if (rc == 0)
		rc = mdb_env_open(env, dir, 0, 0640);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, 0, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, name, 0, &dbi);
	if (rc == 0)
		rc = mdb_drop(txn, dbi, 1);
	if (rc == 0) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (env != NULL)
		mdb_env_close(env);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "dropping %s: %s", name, mdb_strerror(rc));
	return rc == 0;
}

static uint64_t read_schema(struct db *db)
{
	struct txn t;
	struct herror err;
	MDB_val v;
	struct key k = {.len = 6};
	uint64_t version = 0;

	memcpy(k.b, "schema", 6);
	if (db_read_begin(db, &t, &err) != H_OK)
		return 0;
	if (txn_get(&t, DBI_META, &k, &v) == 1 && v.mv_size == 8)
		version = key_get_u64(v.mv_data);
	db_read_end(&t);
	return version;
}

/* A layout-2 directory (no outbox, no idx:user-role) opened by this build gains an
 * empty outbox and the current layout, keeping its records; opening it read-only (no
 * create) migrates too. */
TEST(store_schema_migrates_2_to_3)
{
	struct fx f;

	T_ASSERT(fx_open(&f));
	fx_venue(&f, "Hall", NULL, NULL);
	db_close(f.db);
	f.db = NULL;
	T_ASSERT(drop_database(f.dir, "outbox"));
	T_ASSERT(drop_database(f.dir, "idx:user-role"));
	T_ASSERT(write_schema(f.dir, 2));
	herror_clear(&f.err);
	T_EQ_ERR(db_open(&f.db, f.dir, false, NULL, &f.err), H_OK, &f.err);
	T_ASSERT(f.db != NULL);
	T_EQ_INT(read_schema(f.db), SCHEMA_VERSION);
	T_EQ_INT(count_venues(&f), 1);
	fx_close(&f);
}

struct messages {
	uint64_t about;
	char text[512]; /* "kind:user " for each message about `about`, in queue order */
};

static bool message_add(const struct outbox_msg *m, void *arg)
{
	struct messages *l = arg;
	size_t len = strlen(l->text);

	if (m->about_id == l->about)
		snprintf(l->text + len, sizeof(l->text) - len, "%s:%llu ", m->kind,
		         (unsigned long long)m->user_id);
	return true;
}

static void messages_about(struct fx *f, uint64_t booking, struct messages *l)
{
	struct txn t;

	l->about = booking;
	l->text[0] = '\0';
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return;
	outbox_each(&t, -1, message_add, l);
	db_read_end(&t);
}

/* A layout-3 directory (no idx:user-role) opened by this build gets the index built from
 * its users, the same entries as the ones kept by each write, and a booking request then
 * tells the same people as before, in the same order. */
TEST(store_schema_migrates_3_to_4)
{
	struct fx f;
	char before[512], after[512];
	struct messages first, second;
	uint64_t venue, room, choir, knit, booking;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, NULL);
	choir = fx_group(&f, "Choir", 0);
	knit = fx_group(&f, "Knitters", 0);
	fx_user(&f, "mgr1@hall.example", ROLE_MANAGER, venue);
	fx_user(&f, "pat@choir.example", ROLE_MEMBER, choir);
	fx_user(&f, "ola@knit.example", ROLE_MEMBER, knit);
	fx_user(&f, "ada@hall.example", ROLE_ADMIN, 0);
	fx_user(&f, "lee@choir.example", ROLE_MEMBER, choir);
	fx_user(&f, "mgr2@hall.example", ROLE_MANAGER, venue);
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, choir, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &booking, NULL),
	         H_OK, &f.err);
	messages_about(&f, booking, &first);
	fx_role_index(&f, before, sizeof(before));
	T_CHECK(strlen(before) > 0);
	db_close(f.db);
	f.db = NULL;

	T_ASSERT(drop_database(f.dir, "idx:user-role"));
	T_ASSERT(write_schema(f.dir, 3));
	herror_clear(&f.err);
	T_EQ_ERR(db_open(&f.db, f.dir, false, NULL, &f.err), H_OK, &f.err);
	T_ASSERT(f.db != NULL);
	T_EQ_INT(read_schema(f.db), SCHEMA_VERSION);
	fx_role_index(&f, after, sizeof(after));
	T_EQ_STR(after, before);
	T_EQ_INT(fx_check(&f), 0);

	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, choir, fx_at("2026-03-11T10:00"),
	                    fx_at("2026-03-11T11:00"), false, &booking, NULL),
	         H_OK, &f.err);
	messages_about(&f, booking, &second);
	T_CHECK(strlen(first.text) > 0);
	T_EQ_STR(second.text, first.text);
	fx_close(&f);
}

/* A layout-4 directory lacks the databases of fair access: opening it creates them empty
 * and keeps every record. */
TEST(store_schema_migrates_4_to_5)
{
	static const char *const added[] = {"allowance", "hold", "waitlist", "date-set", "round"};
	struct fx f;
	uint64_t venue, room, choir, booking;
	struct booking b;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, NULL);
	choir = fx_group(&f, "Choir", 0);
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, choir, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &booking, NULL),
	         H_OK, &f.err);
	db_close(f.db);
	f.db = NULL;
	for (size_t i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		T_ASSERT(drop_database(f.dir, added[i]));
	T_ASSERT(write_schema(f.dir, 4));
	herror_clear(&f.err);
	T_EQ_ERR(db_open(&f.db, f.dir, false, NULL, &f.err), H_OK, &f.err);
	T_ASSERT(f.db != NULL);
	T_EQ_INT(read_schema(f.db), 5);
	T_EQ_INT(fx_check(&f), 0);
	{
		struct txn t;

		T_EQ_ERR(db_read_begin(f.db, &t, &f.err), H_OK, &f.err);
		T_EQ_ERR(booking_get(&t, booking, &b), H_OK, &f.err);
		T_EQ_INT(b.room_id, room);
		booking_free(&b);
		db_read_end(&t);
	}
	fx_close(&f);
}

TEST(store_schema_newer)
{
	struct fx f;
	struct herror err;
	struct db *db = NULL;

	T_ASSERT(fx_open(&f));
	fx_venue(&f, "Hall", NULL, NULL);
	db_close(f.db);
	f.db = NULL;

	/* The current version opens. */
	T_ASSERT(write_schema(f.dir, SCHEMA_VERSION));
	herror_clear(&err);
	T_EQ_ERR(db_open(&db, f.dir, false, NULL, &err), H_OK, &err);
	db_close(db);
	db = NULL;

	/* A newer one is refused, with or without create, and nothing is changed. */
	T_ASSERT(write_schema(f.dir, 99));
	for (int create = 0; create < 2; create++) {
		herror_clear(&err);
		T_EQ_ERR(db_open(&db, f.dir, create, NULL, &err), H_ESCHEMA, &err);
		T_CHECK(db == NULL);
		T_HAS_STR(err.msg, "newer");
		T_HAS_STR(err.msg, "99");
		db_close(db);
		db = NULL;
	}
	fx_close(&f);
}

/* Creates n venues, each with a description of desc bytes, in one transaction. */
struct op_venues {
	int n;
	size_t desc;
	int created;
};

static enum herr do_venues(struct txn *t, void *arg)
{
	struct op_venues *o = arg;
	char *desc = malloc(o->desc + 1);
	enum herr ret = H_OK;

	memset(desc, 'x', o->desc);
	desc[o->desc] = '\0';
	o->created = 0;
	for (int i = 0; i < o->n && ret == H_OK; i++) {
		struct venue v;
		json_t *fields = json_pack("{s:s, s:s}", "name", "Hall", "description", desc);

		venue_init(&v);
		ret = venue_apply(&v, fields, t->err);
		json_decref(fields);
		if (ret == H_OK)
			ret = venue_create(t, &ACTOR_CONSOLE, &v, T_NOW);
		if (ret == H_OK)
			o->created++;
		venue_free(&v);
	}
	free(desc);
	return ret;
}

TEST(store_map_grows)
{
	struct db_options opt = {.initial_map_size = (size_t)1 << 20,
	                         .max_map_size = (size_t)64 << 20};
	struct fx f;
	MDB_envinfo info;
	MDB_stat st;
	int total = 0;

	T_ASSERT(fx_open_opt(&f, &opt));
	mdb_env_info(db_env(f.db), &info);
	T_EQ_INT(info.me_mapsize, (size_t)1 << 20);
	/* 2000 venues of 4000 bytes, each also copied into its audit entry: ~16 MiB. */
	for (int batch = 0; batch < 20; batch++) {
		struct op_venues o = {100, 4000, 0};
		enum herr ret = db_write(f.db, do_venues, &o, &f.err);

		T_EQ_ERR(ret, H_OK, &f.err);
		if (ret != H_OK)
			break;
		total += o.created;
	}
	T_EQ_INT(total, 2000);
	T_EQ_INT(count_venues(&f), 2000);
	mdb_env_info(db_env(f.db), &info);
	mdb_env_stat(db_env(f.db), &st);
	T_CHECK(info.me_mapsize > ((size_t)8 << 20));
	T_CHECK(info.me_mapsize <= ((size_t)64 << 20));
	T_CHECK((info.me_last_pgno + 1) * st.ms_psize > ((size_t)1 << 20));
	fx_close(&f);
}

TEST(store_map_full)
{
	struct db_options opt = {.initial_map_size = (size_t)1 << 20,
	                         .max_map_size = (size_t)1 << 20};
	struct fx f;
	enum herr ret = H_OK;
	int ok = 0;
	uint64_t changes;

	T_ASSERT(fx_open_opt(&f, &opt));
	/* One venue per write until the map is full; 1 MiB holds fewer than 300. */
	while (ok < 300) {
		struct op_venues o = {1, 4000, 0};

		ret = db_write(f.db, do_venues, &o, &f.err);
		if (ret != H_OK)
			break;
		ok++;
	}
	T_EQ_ERR(ret, H_EFULL, &f.err);
	T_CHECK(ok > 10);
	T_HAS_STR(f.err.msg, "full");
	changes = read_change_counter(&f);

	/* A write of several venues that does not fit is not half done. */
	{
		struct op_venues o = {20, 4000, 0};

		T_EQ_ERR(db_write(f.db, do_venues, &o, &f.err), H_EFULL, &f.err);
	}
	/* Nothing of the failed writes is there, and the store still reads and checks. */
	T_EQ_INT(count_venues(&f), ok);
	T_EQ_INT(read_change_counter(&f), changes);
	{
		struct txn t;
		struct venue v;

		T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
		T_EQ_ERR(venue_get(&t, (uint64_t)ok + 1, &v), H_ENOTFOUND, &f.err);
		venue_free(&v);
		T_EQ_ERR(venue_get(&t, (uint64_t)ok, &v), H_OK, &f.err);
		venue_free(&v);
		db_read_end(&t);
		T_EQ_INT(fx_check(&f), 0);
	}
	/* A small write may still fit; either way the answer is clean. */
	{
		struct op_venues o = {1, 10, 0};

		ret = db_write(f.db, do_venues, &o, &f.err);
		T_CHECK(ret == H_OK || ret == H_EFULL);
		if (ret == H_OK)
			T_EQ_INT(count_venues(&f), ok + 1);
	}
	fx_close(&f);
}
