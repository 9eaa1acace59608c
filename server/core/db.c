#include "db.h"

#include "text.h"
#include "xmalloc.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MAP_SIZE     ((size_t)64 << 20)
#define DEFAULT_MAX_MAP_SIZE ((size_t)64 << 30)
#define WRITE_ATTEMPTS       16

struct db {
	MDB_env *env;
	MDB_dbi dbi[DBI_COUNT];
	char *path;
	size_t max_map_size;
	/* LMDB changes the map's size only with no transaction open in the process. hallsd
	 * opens transactions on two threads (the loop, and the delivery thread), so each
	 * transaction holds this shared from its beginning to its end, and a change of size
	 * (db_grow, or adopting a size another process set) holds it exclusively. */
	pthread_rwlock_t resize;
};

static const char *const dbi_names[DBI_COUNT] = {
    [DBI_META] = "meta",
    [DBI_VENUE] = "venue",
    [DBI_ROOM] = "room",
    [DBI_GROUP] = "group",
    [DBI_USER] = "user",
    [DBI_CLOSURE] = "closure",
    [DBI_BOOKING] = "booking",
    [DBI_AUDIT] = "audit",
    [DBI_TOKEN] = "token",
    [DBI_USER_EMAIL] = "idx:user-email",
    [DBI_ROOM_VENUE] = "idx:room-venue",
    [DBI_BOOKING_ROOM] = "idx:booking-room",
    [DBI_BOOKING_GROUP] = "idx:booking-group",
    [DBI_BLOCK] = "idx:block",
    [DBI_CLOSURE_AT] = "idx:closure-at",
    [DBI_AUDIT_BOOKING] = "idx:audit-booking",
    [DBI_SERIES] = "series",
    [DBI_SERIES_OCC] = "idx:series-occurrence",
    [DBI_OUTBOX] = "outbox",
    [DBI_USER_ROLE] = "idx:user-role",
    [DBI_ALLOWANCE] = "allowance",
    [DBI_HOLD] = "hold",
    [DBI_WAITLIST] = "waitlist",
    [DBI_DATE_SET] = "date-set",
    [DBI_ROUND] = "round",
};

static struct key meta_key(const char *name)
{
	struct key k;
	size_t n = strlen(name);

	if (n > KEY_MAX)
		fatal("meta key %s too long", name);
	memcpy(k.b, name, n);
	k.len = n;
	return k;
}

static enum herr mdb_to_herr(int rc)
{
	return rc == MDB_MAP_FULL ? H_EFULL : H_ESTORAGE;
}

enum herr txn_fail(struct txn *t, int rc, const char *what)
{
	if (t->ret != H_OK)
		return t->ret;
	if (rc == MDB_MAP_FULL)
		t->map_full = true;
	t->ret = mdb_to_herr(rc);
	herror_set(t->err, t->ret, "storage: %s: %s", what, mdb_strerror(rc));
	return t->ret;
}

enum herr txn_refuse(struct txn *t, enum herr code, const char *fmt, ...)
{
	va_list ap;

	if (t->ret != H_OK)
		return t->ret;
	t->ret = code;
	if (t->err != NULL) {
		t->err->code = code;
		va_start(ap, fmt);
		text_vformat(t->err->msg, sizeof(t->err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int txn_get(struct txn *t, enum dbi d, const struct key *k, MDB_val *val)
{
	MDB_val mk = {k->len, (void *)k->b};
	int rc;

	if (t->ret != H_OK)
		return 0;
	rc = mdb_get(t->txn, t->db->dbi[d], &mk, val);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		txn_fail(t, rc, "get");
		return 0;
	}
	return 1;
}

void txn_put(struct txn *t, enum dbi d, const struct key *k, const void *val, size_t len)
{
	MDB_val mk = {k->len, (void *)k->b};
	MDB_val mv = {len, (void *)val};
	int rc;

	if (t->ret != H_OK)
		return;
	rc = mdb_put(t->txn, t->db->dbi[d], &mk, &mv, 0);
	if (rc != 0)
		txn_fail(t, rc, "put");
}

void txn_empty(struct txn *t, enum dbi d)
{
	int rc;

	if (t->ret != H_OK)
		return;
	rc = mdb_drop(t->txn, t->db->dbi[d], 0);
	if (rc != 0)
		txn_fail(t, rc, "empty");
}

void txn_del(struct txn *t, enum dbi d, const struct key *k)
{
	MDB_val mk = {k->len, (void *)k->b};
	int rc;

	if (t->ret != H_OK)
		return;
	rc = mdb_del(t->txn, t->db->dbi[d], &mk, NULL);
	if (rc != 0 && rc != MDB_NOTFOUND)
		txn_fail(t, rc, "del");
}

static uint64_t meta_get_u64(struct txn *t, const char *name)
{
	struct key k = meta_key(name);
	MDB_val v;

	if (!txn_get(t, DBI_META, &k, &v) || v.mv_size != 8)
		return 0;
	return key_get_u64(v.mv_data);
}

static void meta_put_u64(struct txn *t, const char *name, uint64_t value)
{
	struct key k = meta_key(name);
	uint8_t b[8];

	key_put_u64(b, value);
	txn_put(t, DBI_META, &k, b, sizeof(b));
}

uint64_t txn_next_id(struct txn *t, const char *kind)
{
	char name[KEY_MAX + 1];
	uint64_t id;

	snprintf(name, sizeof(name), "seq:%s", kind);
	id = meta_get_u64(t, name) + 1;
	meta_put_u64(t, name, id);
	return id;
}

uint64_t txn_last_id(struct txn *t, const char *kind)
{
	char name[KEY_MAX + 1];

	snprintf(name, sizeof(name), "seq:%s", kind);
	return meta_get_u64(t, name);
}

void txn_seen_id(struct txn *t, const char *kind, uint64_t id)
{
	char name[KEY_MAX + 1];

	snprintf(name, sizeof(name), "seq:%s", kind);
	if (meta_get_u64(t, name) < id)
		meta_put_u64(t, name, id);
}

/* A random number naming this data directory, so that the UIDs its feeds publish are
 * unique across every halls installation a resident subscribes to. */
static void instance_init(struct txn *t)
{
	uint64_t id = 0;

	if (meta_get_u64(t, "instance") != 0)
		return;
	while (id == 0)
		if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1) {
			txn_refuse(t, H_ESTORAGE, "cannot draw random bytes for the instance id");
			return;
		}
	meta_put_u64(t, "instance", id);
}

uint64_t txn_instance(struct txn *t)
{
	return meta_get_u64(t, "instance");
}

void txn_set_instance(struct txn *t, uint64_t id)
{
	meta_put_u64(t, "instance", id);
}

uint64_t txn_change_counter(struct txn *t)
{
	return meta_get_u64(t, "change");
}

/* Changes the map's size (0: adopts the size another process set), with no transaction
 * of this process open. */
static int db_set_mapsize(struct db *db, size_t size)
{
	int rc;

	pthread_rwlock_wrlock(&db->resize);
	rc = mdb_env_set_mapsize(db->env, size);
	pthread_rwlock_unlock(&db->resize);
	return rc;
}

/* Ends the hold that txn_begin took; after the transaction's commit or abort. */
static void txn_release(struct db *db)
{
	pthread_rwlock_unlock(&db->resize);
}

/* Begins a transaction, adopting a map that another process has grown. */
static enum herr txn_begin(struct db *db, struct txn *t, unsigned flags, struct herror *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->db = db;
	t->err = err;
	pthread_rwlock_rdlock(&db->resize);
	rc = mdb_txn_begin(db->env, NULL, flags, &t->txn);
	if (rc == MDB_MAP_RESIZED) {
		txn_release(db);
		rc = db_set_mapsize(db, 0);
		pthread_rwlock_rdlock(&db->resize);
		if (rc == 0)
			rc = mdb_txn_begin(db->env, NULL, flags, &t->txn);
	}
	if (rc != 0) {
		txn_release(db);
		t->txn = NULL;
		return herror_set(err, mdb_to_herr(rc), "storage: cannot begin transaction: %s",
		                  mdb_strerror(rc));
	}
	return H_OK;
}

enum herr db_read_begin(struct db *db, struct txn *t, struct herror *err)
{
	return txn_begin(db, t, MDB_RDONLY, err);
}

void db_read_end(struct txn *t)
{
	if (t->txn != NULL) {
		mdb_txn_abort(t->txn);
		txn_release(t->db);
	}
	t->txn = NULL;
}

/* Doubles the map, up to the configured maximum. Only called with no transaction open
 * in this process, as LMDB requires. */
static enum herr db_grow(struct db *db, struct herror *err)
{
	MDB_envinfo info;
	size_t next;
	int rc;

	mdb_env_info(db->env, &info);
	if (info.me_mapsize >= db->max_map_size)
		return herror_set(err, H_EFULL, "storage is full (%zu MiB, the configured maximum)",
		                  info.me_mapsize >> 20);
	next = info.me_mapsize * 2;
	if (next > db->max_map_size)
		next = db->max_map_size;
	rc = db_set_mapsize(db, next);
	if (rc != 0)
		return herror_set(err, H_EFULL, "storage is full and cannot grow: %s",
		                  mdb_strerror(rc));
	return H_OK;
}

static enum herr db_write_as(struct db *db, db_write_fn fn, void *arg, bool bump,
                             struct herror *err)
{
	struct txn t;
	enum herr ret;
	int rc;

	for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
		herror_clear(err);
		ret = txn_begin(db, &t, 0, err);
		if (ret != H_OK)
			return ret;
		ret = fn(&t, arg);
		if (ret == H_OK && t.ret == H_OK) {
			if (bump)
				meta_put_u64(&t, "change", meta_get_u64(&t, "change") + 1);
			if (t.ret == H_OK) {
				rc = mdb_txn_commit(t.txn);
				t.txn = NULL;
				txn_release(db);
				if (rc == 0)
					return H_OK;
				txn_fail(&t, rc, "commit");
			}
		}
		if (t.txn != NULL) {
			mdb_txn_abort(t.txn);
			txn_release(db);
		}
		if (!t.map_full)
			return ret != H_OK ? ret : t.ret;
		ret = db_grow(db, err);
		if (ret != H_OK)
			return ret;
	}
	return herror_set(err, H_EFULL, "storage is full: gave up growing the map");
}

enum herr db_write(struct db *db, db_write_fn fn, void *arg, struct herror *err)
{
	return db_write_as(db, fn, arg, true, err);
}

enum herr db_write_aside(struct db *db, db_write_fn fn, void *arg, struct herror *err)
{
	return db_write_as(db, fn, arg, false, err);
}

enum herr txn_try(struct txn *t, db_write_fn fn, void *arg)
{
	struct txn child = *t;
	enum herr ret;
	int rc;

	if (t->ret != H_OK)
		return t->ret;
	rc = mdb_txn_begin(mdb_txn_env(t->txn), t->txn, 0, &child.txn);
	if (rc != 0)
		return txn_fail(t, rc, "nested transaction");
	ret = fn(&child, arg);
	if (ret == H_OK && child.ret == H_OK) {
		rc = mdb_txn_commit(child.txn);
		return rc == 0 ? H_OK : txn_fail(t, rc, "nested commit");
	}
	mdb_txn_abort(child.txn);
	if (ret == H_OK)
		ret = child.ret;
	/* A refusal undoes only fn's writes; a storage fault ends the whole transaction. */
	if (!herr_is_refusal(ret)) {
		t->map_full = child.map_full;
		t->ret = ret;
	}
	return ret;
}

enum herr txn_ask(struct txn *t, db_write_fn fn, void *arg)
{
	enum herr ret;

	if (t->ret != H_OK)
		return t->ret;
	ret = fn(t, arg);
	if (ret == H_OK)
		ret = t->ret;
	if (herr_is_refusal(ret))
		t->ret = H_OK;
	return ret;
}

/* The first database that layout 2 added: an older directory lacks it or ones after it
 * (layout 3's outbox, layout 4's idx:user-role, layout 5's fair access), which db_open creates
 * (they start empty) before migrating the version. */
#define DBI_LAYOUT2_FIRST DBI_SERIES
/* The layout that added idx:user-role, which an older directory's users fill. */
#define LAYOUT_USER_ROLE 4

static enum herr db_open_dbis(struct db *db, bool create, struct herror *err)
{
	struct txn t;
	enum herr ret;
	int rc;

	ret = txn_begin(db, &t, create ? 0 : MDB_RDONLY, err);
	if (ret != H_OK)
		return ret;
	for (int i = 0; i < DBI_COUNT; i++) {
		rc = mdb_dbi_open(t.txn, dbi_names[i], create ? MDB_CREATE : 0, &db->dbi[i]);
		if (rc != 0) {
			mdb_txn_abort(t.txn);
			txn_release(db);
		}
		if (rc == MDB_NOTFOUND && i >= DBI_LAYOUT2_FIRST && !create)
			return db_open_dbis(db, true, err);
		if (rc == MDB_NOTFOUND)
			return herror_set(err, H_ESCHEMA,
			                  "%s is not a halls data directory (run `halls init`)",
			                  db->path);
		if (rc != 0)
			return herror_set(err, H_ESTORAGE, "storage: cannot open %s: %s",
			                  dbi_names[i], mdb_strerror(rc));
	}
	/* Committing (even a read-only transaction) keeps the handles; aborting would
	 * close the ones this transaction opened. */
	rc = mdb_txn_commit(t.txn);
	txn_release(db);
	if (rc != 0)
		return herror_set(err, mdb_to_herr(rc), "storage: %s", mdb_strerror(rc));
	return H_OK;
}

static enum herr schema_init(struct txn *t, void *arg)
{
	(void)arg;
	if (meta_get_u64(t, "schema") == 0)
		meta_put_u64(t, "schema", SCHEMA_VERSION);
	instance_init(t);
	return t->ret;
}

/* The entries of one list of ids ("groups" or "venues") of user user_id. */
static void user_role_entries(struct txn *t, uint8_t tag, uint64_t user_id, const json_t *ids)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
	{
		struct key k;

		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			continue;
		k = key_user_role(tag, (uint64_t)json_integer_value(v), user_id);
		txn_put(t, DBI_USER_ROLE, &k, "", 0);
	}
}

/* Fills idx:user-role from the user records, read from their bytes as layouts 1 to 3
 * store them (schemas/db.md: a version byte 01, then JSON whose "groups" and "venues"
 * are arrays of ids), with the entries user_store writes. A migration reads the layout it
 * upgrades, not the user code of today, which may one day read records otherwise. */
static void user_role_build(struct txn *t)
{
	struct key none;
	struct scan s;

	txn_empty(t, DBI_USER_ROLE);
	key_init(&none);
	scan_begin(&s, t, DBI_USER, &none, NULL);
	while (scan_next(&s)) {
		const uint8_t *v = s.v.mv_data;
		json_t *o = NULL;
		uint64_t id;

		if (s.k.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "a user key is corrupt");
			break;
		}
		id = key_get_u64(s.k.mv_data);
		if (s.v.mv_size > 1 && v[0] == 0x01)
			o = json_loadb((const char *)v + 1, s.v.mv_size - 1, 0, NULL);
		if (!json_is_object(o)) {
			json_decref(o);
			txn_refuse(t, H_ESTORAGE, "user %llu is corrupt", (unsigned long long)id);
			break;
		}
		user_role_entries(t, USER_OF_GROUP, id, json_object_get(o, "groups"));
		user_role_entries(t, USER_OF_VENUE, id, json_object_get(o, "venues"));
		json_decref(o);
	}
	scan_end(&s);
}

/* Layouts 2, 3 and 5 only added databases, which start empty. Layout 4 added the index of
 * users by group and venue, built here from the user records, in the transaction that
 * stores the new version: a crash leaves layout 3 or a whole layout 4. The version is read
 * again in this transaction, so two processes opening one directory build it once. */
static enum herr schema_migrate(struct txn *t, void *arg)
{
	uint64_t from = meta_get_u64(t, "schema");

	(void)arg;
	if (from < LAYOUT_USER_ROLE)
		user_role_build(t);
	if (from < SCHEMA_VERSION)
		meta_put_u64(t, "schema", SCHEMA_VERSION);
	instance_init(t);
	return t->ret;
}

static enum herr db_check_schema(struct db *db, bool create, struct herror *err)
{
	struct txn t;
	uint64_t version;
	enum herr ret;

	ret = db_read_begin(db, &t, err);
	if (ret != H_OK)
		return ret;
	version = meta_get_u64(&t, "schema");
	ret = t.ret;
	db_read_end(&t);
	if (ret != H_OK)
		return ret;
	if (version == 0 && create)
		return db_write(db, schema_init, NULL, err);
	if (version == 0)
		return herror_set(err, H_ESCHEMA,
		                  "%s has no halls schema version (run `halls init`)", db->path);
	if (version > SCHEMA_VERSION)
		return herror_set(err, H_ESCHEMA,
		                  "%s uses data layout %llu, newer than this build of halls "
		                  "understands (%d); upgrade halls",
		                  db->path, (unsigned long long)version, SCHEMA_VERSION);
	/* Layout 2 added the series databases and layout 3 the outbox, created empty by
	 * db_open_dbis; layout 4 the index of users by group and venue, which
	 * schema_migrate fills. */
	if (version < SCHEMA_VERSION)
		return db_write(db, schema_migrate, NULL, err);
	return H_OK;
}

enum herr db_open(struct db **out, const char *dir, bool create, const struct db_options *opt,
                  struct herror *err)
{
	struct db *db = xcalloc(1, sizeof(*db));
	size_t map = opt && opt->initial_map_size ? opt->initial_map_size : DEFAULT_MAP_SIZE;
	enum herr ret;
	int rc, dead;

	if (pthread_rwlock_init(&db->resize, NULL) != 0)
		fatal("cannot create the storage lock");
	db->path = xstrdup(dir);
	db->max_map_size = opt && opt->max_map_size ? opt->max_map_size : DEFAULT_MAX_MAP_SIZE;
	if (create && mkdir(dir, 0750) != 0 && errno != EEXIST) {
		ret = herror_set(err, H_ESTORAGE, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	rc = mdb_env_create(&db->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(db->env, DBI_COUNT + 8);
	if (rc == 0)
		rc = mdb_env_set_mapsize(db->env, map);
	if (rc == 0)
		rc = mdb_env_open(db->env, dir, MDB_NOTLS, 0640);
	if (rc != 0) {
		ret = herror_set(err, rc == ENOENT ? H_ESCHEMA : H_ESTORAGE,
		                 "cannot open data directory %s: %s%s", dir, mdb_strerror(rc),
		                 rc == ENOENT ? " (run `halls init`)" : "");
		goto fail;
	}
	/* Clear reader slots left by processes that died mid-read. */
	mdb_reader_check(db->env, &dead);
	ret = db_open_dbis(db, create, err);
	if (ret != H_OK)
		goto fail;
	ret = db_check_schema(db, create, err);
	if (ret != H_OK)
		goto fail;
	*out = db;
	return H_OK;
fail:
	db_close(db);
	*out = NULL;
	return ret;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->env != NULL)
		mdb_env_close(db->env);
	pthread_rwlock_destroy(&db->resize);
	free(db->path);
	free(db);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

void db_map_usage(struct db *db, uint64_t *map_size, uint64_t *used)
{
	MDB_envinfo info;
	MDB_stat st;

	/* Not while another thread of this process changes the map's size. */
	pthread_rwlock_rdlock(&db->resize);
	mdb_env_info(db->env, &info);
	mdb_env_stat(db->env, &st);
	pthread_rwlock_unlock(&db->resize);
	*map_size = info.me_mapsize;
	*used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
}

uint64_t db_last_txn_id(struct db *db)
{
	MDB_envinfo info;

	/* Not while another thread of this process changes the map's size. */
	pthread_rwlock_rdlock(&db->resize);
	mdb_env_info(db->env, &info);
	pthread_rwlock_unlock(&db->resize);
	return info.me_last_txnid;
}

uint64_t txn_id(const struct txn *t)
{
	return t->txn != NULL ? (uint64_t)mdb_txn_id(t->txn) : 0;
}

MDB_env *db_env(struct db *db)
{
	return db->env;
}

void scan_begin(struct scan *s, struct txn *t, enum dbi d, const struct key *prefix,
                const struct key *from)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->prefix = *prefix;
	if (t->ret != H_OK)
		return;
	rc = mdb_cursor_open(t->txn, t->db->dbi[d], &s->cur);
	if (rc != 0) {
		s->cur = NULL;
		txn_fail(t, rc, "cursor");
		return;
	}
	s->k.mv_data = (void *)(from ? from->b : prefix->b);
	s->k.mv_size = from ? from->len : prefix->len;
}

int scan_next(struct scan *s)
{
	int rc;

	if (s->cur == NULL || s->t->ret != H_OK)
		return 0;
	if (!s->started) {
		s->started = true;
		rc = s->k.mv_size ? mdb_cursor_get(s->cur, &s->k, &s->v, MDB_SET_RANGE)
		                  : mdb_cursor_get(s->cur, &s->k, &s->v, MDB_FIRST);
	} else {
		rc = mdb_cursor_get(s->cur, &s->k, &s->v, MDB_NEXT);
	}
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		txn_fail(s->t, rc, "cursor get");
		return 0;
	}
	if (s->k.mv_size < s->prefix.len || memcmp(s->k.mv_data, s->prefix.b, s->prefix.len) != 0)
		return 0;
	return 1;
}

void scan_end(struct scan *s)
{
	if (s->cur != NULL)
		mdb_cursor_close(s->cur);
	s->cur = NULL;
}

uint64_t scan_first_u64(struct txn *t, enum dbi d, const struct key *prefix, size_t offset)
{
	struct scan s;
	uint64_t id = 0;

	scan_begin(&s, t, d, prefix, NULL);
	if (scan_next(&s) && s.k.mv_size >= offset + 8)
		id = key_get_u64((const uint8_t *)s.k.mv_data + offset);
	scan_end(&s);
	return id;
}
