#include "store.h"

#include <dirent.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct db *store_open(const char *harness, const char *dir, bool create)
{
	struct db *db = NULL;
	struct herror err;

	herror_clear(&err);
	if (db_open(&db, dir, create, NULL, &err) != H_OK) {
		fprintf(stderr, "%s: store %s: %s\n", harness, dir, err.msg);
		abort();
	}
	mdb_env_set_flags(db_env(db), MDB_NOSYNC, 1);
	return db;
}

struct db *fuzz_store_open(const char *harness, char dir[64])
{
	snprintf(dir, 64, "/tmp/halls-fuzz-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror(harness);
		abort();
	}
	return store_open(harness, dir, true);
}

struct db *fuzz_store_reopen(const char *harness, const char *dir)
{
	return store_open(harness, dir, false);
}

/* A store is one level deep (data.mdb, lock.mdb), or two for a data dir inside a temp
 * dir: enough for every harness. */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0 && depth > 0)
			remove_tree(path, depth - 1);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

void fuzz_store_remove(struct db *db, const char *dir)
{
	if (db != NULL)
		db_close(db);
	if (dir != NULL && dir[0] != '\0')
		remove_tree(dir, 1);
}

struct store_add {
	const struct kind *kind;
	const char *fields;
	int64_t now;
	uint64_t id;
};

static enum herr store_add_run(struct txn *t, void *arg)
{
	struct store_add *s = arg;
	json_t *fields = json_loads(s->fields, 0, NULL), *out = NULL;
	enum herr ret = s->kind->save(t, &ACTOR_CONSOLE, 0, fields, s->now, &out);

	s->id = (uint64_t)json_int(out, "id", 0);
	json_decref(out);
	json_decref(fields);
	return ret;
}

uint64_t fuzz_store_add(struct db *db, const struct kind *k, const char *fields, int64_t now)
{
	struct store_add s = {k, fields, now, 0};
	struct herror err;

	herror_clear(&err);
	if (db_write(db, store_add_run, &s, &err) != H_OK) {
		fprintf(stderr, "fuzz store: %s: %s\n", k->name, err.msg);
		abort();
	}
	return s.id;
}
