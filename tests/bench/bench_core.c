/* Core benchmarks: prints figures, asserts nothing (see docs/operations.md).
 *
 *   conflict check   median time of one booking_blocks() over a room holding N approved
 *                    bookings, for growing N: flat figures mean O(log n + k), not O(n).
 *   durable request  median latency of one booking_request() in its own db_write (one
 *                    fsync per request), and the requests per second that implies.
 *   messages         median CPU time of one booking_request() in a transaction that is
 *                    then undone (no fsync), when its venue's 2 managers and its group's
 *                    3 members are told (5 messages: receipts, requests to decide), over
 *                    the anchor: the same request when every one of them has turned
 *                    messages off. The ratio is what telling people costs a write.
 */
#include "halls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DAY 86400
#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct fill {
	uint64_t room, group;
	size_t from, to; /* booking numbers: one each half hour, 08:00-22:00 */
	int64_t now;
};

static int64_t slot_start(size_t i)
{
	return NOW + DAY + (int64_t)(i / 28) * DAY + 8 * 3600 + (int64_t)(i % 28) * 1800;
}

static enum herr setup(struct txn *t, void *arg)
{
	struct fill *f = arg;
	struct venue v;
	struct room r;
	struct group g;
	json_t *room = json_pack("{s:s, s:i, s:i, s:s, s:i}", "name", "Hall", "capacity", 100,
	                         "horizon_days", 3650, "approval", "auto", "venue_id", 1);

	venue_init(&v);
	v.name = xstrdup("Bench Centre");
	room_init(&r);
	room_apply(&r, room, NULL);
	group_init(&g);
	g.name = xstrdup("Bench Group");
	if (venue_create(t, &ACTOR_CONSOLE, &v, f->now) == H_OK &&
	    room_create(t, &ACTOR_CONSOLE, &r, f->now) == H_OK)
		group_create(t, &ACTOR_CONSOLE, &g, f->now);
	f->room = r.id;
	f->group = g.id;
	venue_free(&v);
	room_free(&r);
	group_free(&g);
	json_decref(room);
	return t->ret;
}

static enum herr add_bookings(struct txn *t, void *arg)
{
	struct fill *f = arg;
	enum herr ret = H_OK;

	for (size_t i = f->from; i < f->to && ret == H_OK; i++) {
		struct booking b;

		booking_init(&b);
		b.room_id = f->room;
		b.group_id = f->group;
		b.title = xstrdup("Weekly session");
		b.start = slot_start(i);
		b.end = b.start + 1800;
		ret = booking_request(t, &ACTOR_CONSOLE, &b, false, f->now);
		booking_free(&b);
	}
	return ret;
}

static bool count_block(const struct block *b, void *arg)
{
	(void)b;
	(*(size_t *)arg)++;
	return true;
}

static void bench_conflicts(struct db *db, struct fill *f, size_t n, const char *pass)
{
	enum { SAMPLES = 2001 };
	static double ns[SAMPLES];
	struct herror err;
	struct txn t;
	size_t found = 0;

	for (int i = 0; i < SAMPLES; i++) {
		int64_t s = slot_start((size_t)rand() % n);
		double t0 = now_ns();

		db_read_begin(db, &t, &err);
		booking_blocks(&t, f->room, BOOKING_APPROVED, s + 600, s + 1200, 0, count_block,
		               &found);
		db_read_end(&t);
		ns[i] = now_ns() - t0;
	}
	printf("conflict check   bookings=%-7zu median %8.0f ns  %s (read txn + index scan; %zu "
	       "hits)\n",
	       n, median(ns, SAMPLES), pass, found);
}

static void bench_durable(struct db *db, struct fill *f)
{
	enum { SAMPLES = 201 };
	static double ns[SAMPLES];
	struct herror err;

	for (int i = 0; i < SAMPLES; i++) {
		double t0 = now_ns();

		f->from = f->to;
		f->to = f->from + 1;
		if (db_write(db, add_bookings, f, &err) != H_OK)
			printf("durable request failed: %s\n", err.msg);
		ns[i] = now_ns() - t0;
	}
	double m = median(ns, SAMPLES);
	printf("durable request  median %8.0f us per booking_request + commit (%.0f/s one at a "
	       "time)\n",
	       m / 1000, 1e9 / m);
}

/* Two managers of the venue and three members of the group, each wanting messages or
 * not. */
struct people {
	struct fill *f;
	bool quiet;
};

static enum herr add_people(struct txn *t, void *arg)
{
	struct people *p = arg;

	for (int i = 0; i < 5 && t->ret == H_OK; i++) {
		struct user u;
		char email[64];

		user_init(&u);
		snprintf(email, sizeof(email), "person%d@bench.example", i);
		u.email = xstrdup(email);
		u.name = xstrdup(email);
		u.role = i < 2 ? ROLE_MANAGER : ROLE_MEMBER;
		u.venues = xcalloc(1, sizeof(uint64_t));
		u.groups = xcalloc(1, sizeof(uint64_t));
		if (i < 2) {
			u.venues[0] = 1;
			u.nvenues = 1;
		} else {
			u.groups[0] = p->f->group;
			u.ngroups = 1;
		}
		account_create(t, &ACTOR_CONSOLE, &u, p->f->now);
		user_free(&u);
	}
	return t->ret;
}

static bool quieten_one(const struct user *u, void *arg)
{
	struct txn *t = arg;
	struct user q;

	user_init(&q);
	if (user_get(t, u->id, &q) != H_OK)
		return false;
	for (int i = 0; i < NOTICE_COUNT; i++)
		q.notices.off[i] = true;
	user_store(t, &q, u);
	user_free(&q);
	return t->ret == H_OK;
}

static enum herr quieten(struct txn *t, void *arg)
{
	(void)arg;
	return user_each(t, quieten_one, t);
}

/* A manual-approval request (receipts to the members, requests to decide to the
 * managers), then undone: the work of the write without its fsync. */
static enum herr request_undone(struct txn *t, void *arg)
{
	struct fill *f = arg;
	struct booking b;

	booking_init(&b);
	b.room_id = f->room + 1;
	b.group_id = f->group;
	b.title = xstrdup("Weekly session");
	b.start = slot_start(f->to++);
	b.end = b.start + 1800;
	booking_request(t, &ACTOR_CONSOLE, &b, false, f->now);
	booking_free(&b);
	if (t->ret != H_OK)
		return t->ret;
	return txn_refuse(t, H_EINVAL, "undone");
}

static enum herr add_manual_room(struct txn *t, void *arg)
{
	struct fill *f = arg;
	struct room r;
	json_t *room = json_pack("{s:s, s:i, s:i, s:s, s:i}", "name", "Manual hall", "capacity",
	                         100, "horizon_days", 3650, "approval", "manual", "venue_id", 1);

	room_init(&r);
	room_apply(&r, room, NULL);
	room_create(t, &ACTOR_CONSOLE, &r, f->now);
	room_free(&r);
	json_decref(room);
	return t->ret;
}

static double median_request_ns(struct db *db, struct fill *f)
{
	enum { SAMPLES = 1001 };
	static double ns[SAMPLES];
	struct herror err;

	for (int i = 0; i < SAMPLES; i++) {
		double t0 = now_ns();

		db_write(db, request_undone, f, &err);
		ns[i] = now_ns() - t0;
	}
	return median(ns, SAMPLES);
}

static void bench_messages(struct db *db, struct fill *f)
{
	struct people p = {.f = f};
	struct herror err;
	double told, quiet;

	if (db_write(db, add_manual_room, f, &err) != H_OK ||
	    db_write(db, add_people, &p, &err) != H_OK) {
		printf("messages: set-up failed: %s\n", err.msg);
		return;
	}
	told = median_request_ns(db, f);
	if (db_write(db, quieten, NULL, &err) != H_OK) {
		printf("messages: set-up failed: %s\n", err.msg);
		return;
	}
	quiet = median_request_ns(db, f);
	printf("messages         median %8.0f us per request telling 5 people, %8.0f us with "
	       "nobody told (anchor): ratio %.2f\n",
	       told / 1000, quiet / 1000, told / quiet);
}

int main(void)
{
	char dir[] = "/tmp/halls-bench.XXXXXX";
	static const size_t sizes[] = {1000, 10000, 100000};
	struct fill f = {.now = NOW};
	struct herror err;
	struct db *db;
	char cmd[64];

	if (mkdtemp(dir) == NULL || db_open(&db, dir, true, NULL, &err) != H_OK) {
		fprintf(stderr, "bench: cannot open a store: %s\n", err.msg);
		return 1;
	}
	srand(1);
	db_write(db, setup, &f, &err);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		f.from = f.to;
		f.to = sizes[i];
		if (db_write(db, add_bookings, &f, &err) != H_OK) {
			fprintf(stderr, "bench: fill failed: %s\n", err.msg);
			return 1;
		}
		/* The first pass faults the grown map's pages in; the second is steady state. */
		bench_conflicts(db, &f, sizes[i], "cold");
		bench_conflicts(db, &f, sizes[i], "warm");
	}
	bench_durable(db, &f);
	bench_messages(db, &f);
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
