/* The record kinds that people create, change, show, list and remove through the same
 * verbs (venue, room, group, user), as one table of operations on JSON. `halls NOUN
 * add|set|show|list|rm` and the API's POST/PATCH/GET/DELETE both use it, so the two
 * front ends cannot drift apart. Every rule stays in the kind's own module. */
#ifndef HALLS_KIND_H
#define HALLS_KIND_H

#include "actor.h"
#include "db.h"

#include <jansson.h>

struct viewer;

struct kind {
	const char *name; /* "venue" */
	/* The fields save takes (NULL-terminated); any other is refused, naming it. NULL:
	 * the kind's apply judges its own keys. */
	const char *const *fields;
	/* Creates (id 0) or updates record id from request fields; *out: the record. */
	enum herr (*save)(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
	                  int64_t now, json_t **out);
	enum herr (*remove)(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
	/* *out: the record as its owner sees it (no secrets). */
	enum herr (*show)(struct txn *t, uint64_t id, json_t **out);
	/* Calls fn for every record in id order until it returns false. */
	enum herr (*each)(struct txn *t, bool (*fn)(const json_t *o, void *arg), void *arg);
	/* The same for the records within record `within` of the kind that holds them (a
	 * venue's rooms), refusing a `within` that does not exist (H_ENOTFOUND "there is no
	 * venue 4"). NULL: the kind is only listed whole. */
	enum herr (*each_within)(struct txn *t, uint64_t within,
	                         bool (*fn)(const json_t *o, void *arg), void *arg);
	/* Takes from a record that show or each gave what reader v may not see (view.h);
	 * NULL: every reader sees it whole. */
	void (*redact)(const struct viewer *v, json_t *o);
};

extern const struct kind kind_venue, kind_room, kind_group, kind_user;

#endif
