/* Groups: the charities, clubs and associations that book rooms. */
#ifndef HALLS_GROUP_H
#define HALLS_GROUP_H

#include "actor.h"
#include "db.h"

#include <jansson.h>

enum group_kind { GROUP_CHARITY, GROUP_COMMUNITY, GROUP_SCHOOL, GROUP_COMMERCIAL, GROUP_COUNCIL };
#define GROUP_KIND_COUNT 5

struct group {
	uint64_t id;
	char *name;
	enum group_kind kind;
	char *contact; /* name, email or phone of the group's contact: never in public output */
	char *description;
	uint64_t *trusted_at; /* venues where the group is trusted */
	size_t ntrusted;
};

void group_init(struct group *g);
void group_free(struct group *g);
/* Fields: "name", "kind", "contact", "description", "trusted_at" (array of venue ids). */
enum herr group_apply(struct group *g, const json_t *fields, struct herror *err);
json_t *group_to_json(const struct group *g);
enum herr group_from_json(const json_t *o, struct group *g, struct herror *err);
const char *group_kind_name(enum group_kind k);
int group_kind_parse(const char *s, enum group_kind *out);
bool group_trusted_at(const struct group *g, uint64_t venue_id);

enum herr group_get(struct txn *t, uint64_t id, struct group *out);
/* Admins only; trusted_at venues must exist. */
enum herr group_create(struct txn *t, const struct actor *a, struct group *g, int64_t now);
enum herr group_update(struct txn *t, const struct actor *a, const struct group *g, int64_t now);
/* Refused while bookings (of any state) or users refer to the group. */
enum herr group_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
enum herr group_each(struct txn *t, bool (*fn)(const struct group *g, void *arg), void *arg);
/* The first group trusted at venue_id; 0 when none is. */
uint64_t group_first_trusted_at(struct txn *t, uint64_t venue_id);
void group_store(struct txn *t, const struct group *g);

#endif
