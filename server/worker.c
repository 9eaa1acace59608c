/* A worker thread: slow jobs run off the event loop, one at a time, and come back to it.
 * hallsd has two: one for password checks (scrypt), and the feed builder (h_feed.c), so
 * that neither waits behind the other. A job's run function runs on the worker thread and
 * must touch nothing but its own argument (no libevent, no struct server); its done
 * function runs on the loop thread afterwards.
 *
 * The one exception is the store: the feed builder's jobs read it, each in a read
 * transaction of its own, begun and ended in run. That is sound because the environment
 * is opened with MDB_NOTLS (a read transaction belongs to the thread that uses it, not to
 * a slot fixed per thread), LMDB readers never wait for the writer, and db.c holds its
 * resize lock for every transaction, whichever thread opens it, as the delivery thread's
 * already do. A worker never writes: writes go through the group commit, on the loop.
 *
 * The thread hands finished jobs back through a mutex-protected list and wakes the loop
 * with event_active, which libevent allows from another thread once
 * evthread_use_pthreads() has been called (main.c). */
#include "server.h"

#include <pthread.h>
#include <stdlib.h>

struct worker_job {
	void (*run)(void *arg);
	void (*done)(void *arg);
	void *arg;
	struct worker_job *next;
};

struct job_list {
	struct worker_job *head, **tail;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job_list todo; /* under lock */
	struct job_list done; /* under lock */
	bool stop;            /* under lock */
	struct event *ev;     /* on the loop: runs the done list */
};

static void job_list_init(struct job_list *l)
{
	l->head = NULL;
	l->tail = &l->head;
}

static void job_list_push(struct job_list *l, struct worker_job *j)
{
	j->next = NULL;
	*l->tail = j;
	l->tail = &j->next;
}

static struct worker_job *job_list_pop(struct job_list *l)
{
	struct worker_job *j = l->head;

	if (j != NULL) {
		l->head = j->next;
		if (l->head == NULL)
			l->tail = &l->head;
	}
	return j;
}

/* Runs jobs until told to stop; every job already queued runs first. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct worker_job *j;

		while (w->todo.head == NULL && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		j = job_list_pop(&w->todo);
		if (j == NULL)
			break; /* stopping, and nothing left */
		pthread_mutex_unlock(&w->lock);
		j->run(j->arg);
		pthread_mutex_lock(&w->lock);
		job_list_push(&w->done, j);
		event_active(w->ev, EV_READ, 0);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* On the loop: hands each finished job its result. */
static void worker_deliver(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct worker_job *list, *j;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->lock);
	list = w->done.head;
	job_list_init(&w->done);
	pthread_mutex_unlock(&w->lock);
	while ((j = list) != NULL) {
		list = j->next;
		j->done(j->arg);
		free(j);
	}
}

struct worker *worker_new(struct server *srv)
{
	struct worker *w = xcalloc(1, sizeof(*w));

	job_list_init(&w->todo);
	job_list_init(&w->done);
	w->ev = event_new(srv->base, -1, 0, worker_deliver, w);
	if (w->ev == NULL)
		fatal("cannot create the worker event");
	if (pthread_mutex_init(&w->lock, NULL) != 0 || pthread_cond_init(&w->wake, NULL) != 0 ||
	    pthread_create(&w->thread, NULL, worker_main, w) != 0)
		fatal("cannot start the worker thread");
	return w;
}

void worker_submit(struct worker *w, void (*run)(void *arg), void (*done)(void *arg), void *arg)
{
	struct worker_job *j = xcalloc(1, sizeof(*j));

	j->run = run;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&w->lock);
	job_list_push(&w->todo, j);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void worker_free(struct worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	/* The loop has stopped: answer what finished since its last turn here. */
	worker_deliver(-1, 0, w);
	event_free(w->ev);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
