/* The anchor of P3 (tests/bench/ratios.sh): durable LMDB commits per second, one small
 * write each, in a scratch environment made in DIR (on the file system of the store being
 * compared). Each transaction puts one 16-byte value under a new 8-byte key and commits
 * with LMDB's default durability (an fdatasync of the data and of the meta page), opened
 * as hallsd opens its store (MDB_NOTLS). Prints one line, "commits=N seconds=S rate=R",
 * and asserts nothing.
 *
 * Usage: lmdb_commits DIR [SECONDS]   (DIR must exist and be empty; default 3 seconds)
 */
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One transaction with one put, committed durably. */
static int commit_one(MDB_env *env, uint64_t n)
{
	char value[16] = "bench-commit....";
	MDB_val k = {sizeof(n), &n}, v = {sizeof(value), value};
	MDB_txn *txn;
	MDB_dbi dbi;
	int rc;

	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		return rc;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 ||
	    (rc = mdb_put(txn, dbi, &k, &v, 0)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 3.0;
	MDB_env *env;
	uint64_t n = 0;
	double t0, t;
	int rc;

	if (argc < 2 || seconds <= 0) {
		fprintf(stderr, "usage: lmdb_commits DIR [SECONDS]\n");
		return 2;
	}
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_mapsize(env, (size_t)64 << 20)) != 0 ||
	    (rc = mdb_env_open(env, argv[1], MDB_NOTLS, 0600)) != 0) {
		fprintf(stderr, "lmdb_commits: %s: %s\n", argv[1], mdb_strerror(rc));
		return 1;
	}
	t0 = now_s();
	do {
		if ((rc = commit_one(env, n)) != 0) {
			fprintf(stderr, "lmdb_commits: commit %llu: %s\n", (unsigned long long)n,
			        mdb_strerror(rc));
			mdb_env_close(env);
			return 1;
		}
		n++;
	} while ((t = now_s() - t0) < seconds);
	printf("commits=%llu seconds=%.2f rate=%.0f\n", (unsigned long long)n, t, (double)n / t);
	mdb_env_close(env);
	return 0;
}
