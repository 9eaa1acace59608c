/* The audit log: an append-only record of every change, who made it and why. */
#ifndef HALLS_AUDIT_H
#define HALLS_AUDIT_H

#include "actor.h"
#include "db.h"
#include "walk.h"

#include <jansson.h>

struct audit_entry {
	uint64_t id;
	int64_t at;
	uint64_t user_id; /* 0: the console */
	const char *kind; /* "booking", "room", ... */
	uint64_t object_id;
	const char *action; /* "request", "approve", "update", ... */
	const char *note;   /* reason given, may be NULL */
	const json_t *detail;
};

/* Appends an entry; detail (may be NULL) is borrowed. */
void audit_append(struct txn *t, const struct actor *a, const char *kind, uint64_t object_id,
                  const char *action, const char *note, const json_t *detail, int64_t now);
/* booking_id 0: all entries, newest last; else the booking's, which is refused when there
 * is no such booking (H_ENOTFOUND "there is no booking 4"). fn receives the entry as
 * JSON. */
enum herr audit_each(struct txn *t, uint64_t booking_id, bool (*fn)(const json_t *e, void *arg),
                     void *arg);
/* As audit_each, one page: resumes after entry w->after.id, examines at most w->budget
 * entries (walk.h). Out: w->more, and w->last = (0, the last entry's id). */
enum herr audit_each_page(struct txn *t, uint64_t booking_id, struct walk *w,
                          bool (*fn)(const json_t *e, void *arg), void *arg);
void audit_store(struct txn *t, uint64_t id, const json_t *entry);

#endif
