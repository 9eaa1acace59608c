/* Dead tokens (expired, of removed users, ended by a new password or role) are deleted by
 * token_purge, run from a timer on the loop. Each run is one write transaction that
 * looks at PURGE_VISITS tokens at most and deletes PURGE_DELETES at most, so that it holds
 * the loop and LMDB's writer for a few milliseconds, never for the whole table; a run
 * that stops short is followed by the next batch a moment later, a finished one by a
 * pause of PURGE_INTERVAL. The first run is at start. */
#include "server.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define PURGE_VISITS   1000
#define PURGE_DELETES  200
#define PURGE_INTERVAL 60 /* seconds between full passes */
#define PURGE_PAUSE    1  /* seconds between the batches of one pass */

struct purge_run {
	uint64_t from;
	int64_t now;
	struct token_purge p;
};

/* May run more than once (db_write retries after growing the map): starts from run->from
 * each time. */
static enum herr purge_batch(struct txn *t, void *arg)
{
	struct purge_run *run = arg;

	enum herr ret;

	memset(&run->p, 0, sizeof(run->p));
	run->p.next = run->from;
	run->p.max_visits = PURGE_VISITS;
	run->p.max_deletes = PURGE_DELETES;
	ret = token_purge(t, run->now, &run->p);
	/* Nothing deleted: abort rather than commit, so that an idle pass costs no fsync and
	 * does not move the change counter (which would make every cached feed stale). */
	return ret == H_OK && run->p.deleted == 0 ? H_ENOTFOUND : ret;
}

static void purge_schedule(struct server *srv, int seconds)
{
	struct timeval tv = {seconds, 0};

	event_add(srv->purge, &tv);
}

static void on_purge(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct purge_run run = {.from = srv->purge_next};
	struct herror err;
	enum herr ret;

	(void)fd;
	(void)what;
	run.now = srv->cfg.fixed_now ? srv->cfg.fixed_now : (int64_t)time(NULL);
	herror_clear(&err);
	ret = db_write(srv->db, purge_batch, &run, &err);
	if (ret != H_OK && ret != H_ENOTFOUND) {
		/* Nothing is lost: the tokens are still refused, and the next pass tries again. */
		fprintf(stderr, "hallsd: token purge: %s\n", err.msg);
		srv->purge_next = 0;
		purge_schedule(srv, PURGE_INTERVAL);
		return;
	}
	srv->purge_next = run.p.done ? 0 : run.p.next;
	purge_schedule(srv, run.p.done ? PURGE_INTERVAL : PURGE_PAUSE);
}

void purge_start(struct server *srv)
{
	srv->purge = evtimer_new(srv->base, on_purge, srv);
	if (srv->purge == NULL)
		fatal("cannot create the purge timer");
	purge_schedule(srv, 0);
}

void purge_stop(struct server *srv)
{
	if (srv->purge != NULL)
		event_free(srv->purge);
	srv->purge = NULL;
}
