/* The clock of fair access (fair_clock.h): provisional holds and waitlist offers lapse
 * on time whether or not anyone makes a request. A timer on the loop runs fair_sweep in
 * one durable write at the next time something falls due, and at least once a minute,
 * so that a hold made by `halls` in another process (which hallsd learns of only by
 * reading the store) lapses at most a minute late; every commit of hallsd re-arms it at
 * once, since a write may have made something due sooner. The first sweep runs at start,
 * before serving, and catches up with whatever lapsed while hallsd was down.
 *
 * A sweep that did nothing (nothing of holds due, no audit entry, no message) is aborted, not
 * committed, so that an idle minute costs no fsync and leaves the change counter, and every cached
 * feed, as it was. */
#include "server.h"

#include "fair_clock.h"
#include "hold.h"

#include <stdlib.h>
#include <time.h>

#define SWEEP_POLL 60 /* seconds: the longest wait between sweeps */

struct sweep {
	struct server *srv;
	struct event *ev;
};

struct sweep_run {
	int64_t now;
	int64_t next_due;
	size_t lapses; /* holds that lapsed */
};

/* Holds due by now (a batch at most), which the sweep lapses: the metrics' count.
 * *any: whether anything of holds is due at all (a warning, a stale queue entry). */
static size_t holds_due(struct txn *t, int64_t now, bool *any)
{
	struct hold *due = xcalloc(HOLD_SWEEP_BATCH, sizeof(*due));
	size_t n, lapses = 0;
	int64_t next;
	bool more, warnings;

	n = hold_due(t, false, now, due, HOLD_SWEEP_BATCH, &more, &next);
	for (size_t i = 0; i < n; i++)
		lapses += !due[i].orphan;
	free(due);
	hold_due(t, true, now, NULL, 0, &warnings, &next);
	*any = n > 0 || warnings;
	return lapses;
}

/* May run more than once (db_write retries after growing the map). */
static enum herr sweep_write(struct txn *t, void *arg)
{
	struct sweep_run *run = arg;
	uint64_t audit = txn_last_id(t, "audit"), messages = txn_last_id(t, "message");
	bool holds;

	run->lapses = holds_due(t, run->now, &holds);
	if (fair_sweep(t, run->now, &run->next_due) != H_OK)
		return t->ret;
	/* Anything of holds was due, or the offers' sweep wrote an audit entry or a
	 * message: keep it. Else nothing was done: abort, no fsync. */
	if (!holds && txn_last_id(t, "audit") == audit && txn_last_id(t, "message") == messages)
		return H_ENOTFOUND;
	return H_OK;
}

static int64_t sweep_now(const struct server *srv)
{
	return srv->cfg.fixed_now ? srv->cfg.fixed_now : (int64_t)time(NULL);
}

static void sweep_arm(struct sweep *s, int64_t seconds)
{
	struct timeval tv = {0, 0};

	if (seconds > SWEEP_POLL)
		seconds = SWEEP_POLL;
	tv.tv_sec = seconds > 0 ? (time_t)seconds : 0;
	event_add(s->ev, &tv);
}

/* One sweep now; returns when the next is due, in seconds from now. */
static int64_t sweep_once(struct server *srv)
{
	struct sweep_run run = {.now = sweep_now(srv), .next_due = INT64_MAX};
	struct herror err;
	enum herr ret;

	herror_clear(&err);
	ret = db_write(srv->db, sweep_write, &run, &err);
	/* Nothing was done: whatever is due next is still to come. At least a second, so
	 * that a part whose sweep says "due now" and does nothing cannot spin the loop. */
	if (ret == H_ENOTFOUND)
		return run.next_due == INT64_MAX    ? SWEEP_POLL
		       : run.next_due - run.now < 1 ? 1
		                                    : run.next_due - run.now;
	if (ret != H_OK) {
		/* Nothing is lost: the holds are still due, and the next sweep tries again. */
		fprintf(stderr, "hallsd: sweep: %s\n", err.msg);
		return SWEEP_POLL;
	}
	metrics_hold_lapses(srv->metrics, run.lapses);
	deliver_nudge(srv->deliver);
	return run.next_due == INT64_MAX ? SWEEP_POLL : run.next_due - run.now;
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct sweep *s = arg;

	(void)fd;
	(void)what;
	sweep_arm(s, sweep_once(s->srv));
}

struct sweep *sweep_start(struct server *srv)
{
	struct sweep *s = xcalloc(1, sizeof(*s));
	int64_t next;

	s->srv = srv;
	s->ev = evtimer_new(srv->base, on_sweep, s);
	if (s->ev == NULL)
		fatal("cannot create the sweep timer");
	/* Before serving: whatever lapsed while hallsd was down lapses first. A batch left
	 * over (next 0) goes on from the loop at once. */
	next = sweep_once(srv);
	sweep_arm(s, next);
	return s;
}

void sweep_nudge(struct sweep *s)
{
	if (s == NULL)
		return;
	event_del(s->ev);
	sweep_arm(s, 0);
}

void sweep_stop(struct sweep *s)
{
	if (s == NULL)
		return;
	event_free(s->ev);
	free(s);
}
