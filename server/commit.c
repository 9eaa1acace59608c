/* Group commit. Writes submitted while the loop handles one batch of ready sockets share
 * one LMDB write transaction and so one fsync; each runs nested (txn_try), so that a
 * refusal undoes only its own changes. Replies go out after the commit is durable. A
 * batch whose every write was refused has nothing to keep: it is aborted, not committed,
 * so that refusals cost no fsync and leave the change counter (and every cached feed)
 * as it was. */
#include "server.h"

#include <stdlib.h>
#include <sys/time.h>

struct commit_op {
	struct request *r;
	db_write_fn fn;
	void *arg;
	void (*done)(struct request *r, enum herr ret, void *arg);
	enum herr ret;
	struct commit_op *next;
};

struct commit_queue {
	struct server *srv;
	struct event *ev;
	struct commit_op *head, **tail;
	bool refused_all; /* the last batch run: every write in it was refused */
};

static enum herr commit_batch(struct txn *t, void *arg)
{
	struct commit_queue *q = arg;
	struct herror *shared = t->err;
	enum herr refusal = H_OK;
	bool kept = false;

	q->refused_all = false; /* db_write may run the batch again, after growing the map */
	for (struct commit_op *op = q->head; op != NULL; op = op->next) {
		herror_clear(&op->r->err);
		t->err = &op->r->err;
		op->ret = txn_try(t, op->fn, op->arg);
		t->err = shared;
		if (t->ret != H_OK)
			return t->ret;
		if (op->ret == H_OK)
			kept = true;
		else
			refusal = op->ret;
	}
	if (kept || refusal == H_OK)
		return H_OK;
	/* Nothing to keep. A refusal from fn makes db_write abort the transaction instead
	 * of committing it: no fsync, no bump of the change counter. Each write keeps its
	 * own answer (commit_run). */
	q->refused_all = true;
	return refusal;
}

static int64_t now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void commit_run(evutil_socket_t fd, short what, void *arg)
{
	struct commit_queue *q = arg;
	struct commit_op *op, *next;
	struct herror err;
	enum herr ret;
	int64_t began = now_us();
	size_t batch = 0;

	(void)fd;
	(void)what;
	for (op = q->head; op != NULL; op = op->next)
		batch++;
	herror_clear(&err);
	q->refused_all = false;
	ret = db_write(q->srv->db, commit_batch, q, &err);
	if (q->refused_all) {
		/* Aborted, not committed: each op's refusal is its answer, and there was no
		 * commit to count. */
		ret = H_OK;
	} else {
		metrics_commit(q->srv->metrics, batch, now_us() - began, ret == H_OK);
		/* The writes may have queued mail: the delivery thread looks now. */
		if (ret == H_OK) {
			deliver_nudge(q->srv->deliver);
			sweep_nudge(q->srv->sweep);
		}
	}
	op = q->head;
	q->head = NULL;
	q->tail = &q->head;
	for (; op != NULL; op = next) {
		next = op->next;
		if (ret != H_OK) {
			/* The shared commit failed: nothing any of them wrote is kept. */
			op->r->err = err;
			op->ret = ret;
		}
		if (op->done != NULL)
			op->done(op->r, op->ret, op->arg);
		else
			request_finish(op->r, op->ret);
		free(op);
	}
}

struct commit_queue *commit_queue_new(struct server *srv)
{
	struct commit_queue *q = xcalloc(1, sizeof(*q));

	q->srv = srv;
	q->tail = &q->head;
	q->ev = event_new(srv->base, -1, 0, commit_run, q);
	if (q->ev == NULL)
		fatal("cannot create the commit event");
	return q;
}

void commit_queue_free(struct commit_queue *q)
{
	if (q == NULL)
		return;
	if (q->head != NULL)
		commit_run(-1, 0, q);
	event_free(q->ev);
	free(q);
}

void commit_submit(struct request *r, db_write_fn fn, void *arg,
                   void (*done)(struct request *r, enum herr ret, void *arg))
{
	struct commit_queue *q = r->srv->commits;
	struct commit_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	op->fn = fn;
	op->arg = arg;
	op->done = done;
	*q->tail = op;
	q->tail = &op->next;
	request_defer(r);
	/* Runs after the callbacks already due in this loop turn, so requests that arrive
	 * together commit together. */
	if (!event_pending(q->ev, EV_TIMEOUT, NULL))
		event_active(q->ev, EV_TIMEOUT, 0);
}
