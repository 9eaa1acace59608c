#include "group.h"

#include "audit.h"
#include "policy.h"
#include "record.h"
#include "user.h"
#include "waitlist_record.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 4000

static const char *const kind_names[] = {
    [GROUP_CHARITY] = "charity",       [GROUP_COMMUNITY] = "community", [GROUP_SCHOOL] = "school",
    [GROUP_COMMERCIAL] = "commercial", [GROUP_COUNCIL] = "council",
};

#define KIND_COUNT (sizeof(kind_names) / sizeof(kind_names[0]))

void group_init(struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->kind = GROUP_COMMUNITY;
}

void group_free(struct group *g)
{
	free(g->name);
	free(g->contact);
	free(g->description);
	free(g->trusted_at);
	memset(g, 0, sizeof(*g));
}

const char *group_kind_name(enum group_kind k)
{
	return (size_t)k < KIND_COUNT ? kind_names[k] : "community";
}

int group_kind_parse(const char *s, enum group_kind *out)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < KIND_COUNT; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum group_kind)i;
			return 0;
		}
	}
	return -1;
}

bool group_trusted_at(const struct group *g, uint64_t venue_id)
{
	for (size_t i = 0; i < g->ntrusted; i++)
		if (g->trusted_at[i] == venue_id)
			return true;
	return false;
}

enum herr group_apply(struct group *g, const json_t *fields, struct herror *err)
{
	struct group n = *g;
	json_t *kind = json_object_get(fields, "kind");
	enum herr ret;

	/* Work on copies so that g is untouched when a later field is refused. */
	n.name = xstrdup_or_null(g->name);
	n.contact = xstrdup_or_null(g->contact);
	n.description = xstrdup_or_null(g->description);
	n.trusted_at = ids_copy(g->trusted_at, g->ntrusted);
	if (kind != NULL && group_kind_parse(json_string_value(kind), &n.kind) != 0) {
		ret = herror_set(err, H_EINVAL,
		                 "kind must be one of charity, community, school, "
		                 "commercial, council");
		goto fail;
	}
	if ((ret = field_text(&n.name, fields, "name", NAME_MAX_BYTES, true, false, err)) ||
	    (ret = field_text(&n.contact, fields, "contact", TEXT_MAX_BYTES, false, false, err)) ||
	    (ret = field_text(&n.description, fields, "description", TEXT_MAX_BYTES, false, true,
	                      err)) ||
	    (ret = field_ids(&n.trusted_at, &n.ntrusted, fields, "trusted_at", err)))
		goto fail;
	if (n.name == NULL) {
		ret = herror_set(err, H_EINVAL, "name is required");
		goto fail;
	}
	group_free(g);
	*g = n;
	return H_OK;
fail:
	group_free(&n);
	return ret;
}

json_t *group_to_json(const struct group *g)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)g->id, "name", g->name, "kind",
	                      group_kind_name(g->kind));

	json_object_set_new(o, "contact", json_text(g->contact));
	json_object_set_new(o, "description", json_text(g->description));
	json_object_set_new(o, "trusted_at", json_ids_new(g->trusted_at, g->ntrusted));
	return o;
}

enum herr group_from_json(const json_t *o, struct group *g, struct herror *err)
{
	group_init(g);
	g->id = (uint64_t)json_int(o, "id", 0);
	return group_apply(g, o, err);
}

enum herr group_get(struct txn *t, uint64_t id, struct group *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_GROUP, id, "group", &o);

	group_init(out);
	if (ret != H_OK)
		return ret;
	ret = group_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "group %llu is corrupt", (unsigned long long)id);
}

void group_store(struct txn *t, const struct group *g)
{
	json_t *o = group_to_json(g);

	record_put(t, DBI_GROUP, g->id, o);
	json_decref(o);
}

/* Refuses when a venue the group is trusted at does not exist. */
static enum herr check_venues(struct txn *t, const struct group *g)
{
	for (size_t i = 0; i < g->ntrusted; i++) {
		if (record_need(t, DBI_VENUE, g->trusted_at[i], "venue") != H_OK)
			return t->ret;
	}
	return t->ret;
}

enum herr group_create(struct txn *t, const struct actor *a, struct group *g, int64_t now)
{
	json_t *detail;

	if (policy_admin(t, a) != H_OK || check_venues(t, g) != H_OK)
		return t->ret;
	g->id = txn_next_id(t, "group");
	group_store(t, g);
	detail = group_to_json(g);
	audit_append(t, a, "group", g->id, "create", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

enum herr group_update(struct txn *t, const struct actor *a, const struct group *g, int64_t now)
{
	json_t *detail;

	if (record_need(t, DBI_GROUP, g->id, "group") != H_OK)
		return t->ret;
	if (policy_admin(t, a) != H_OK || check_venues(t, g) != H_OK)
		return t->ret;
	group_store(t, g);
	detail = group_to_json(g);
	audit_append(t, a, "group", g->id, "update", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

/* Bookings of any state are history that must still name their group. */
static enum herr group_in_use(struct txn *t, uint64_t group_id)
{
	struct key prefix = key_id(group_id);
	uint64_t id;

	if ((id = scan_first_u64(t, DBI_BOOKING_GROUP, &prefix, 16)) != 0)
		return record_in_use(t, "group", group_id, "booking", id,
		                     "a group with bookings on record cannot be removed");
	if ((id = waitlist_group_first(t, group_id)) != 0)
		return record_in_use(t, "group", group_id, "waitlist entry", id,
		                     "a group on a waitlist, now or before, cannot be removed");
	if ((id = user_first_referring(t, 0, group_id)) != 0)
		return record_in_use(t, "group", group_id, "user", id,
		                     "take the group off its members first");
	return t->ret;
}

enum herr group_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct key k = key_id(id);

	if (record_need(t, DBI_GROUP, id, "group") != H_OK || policy_admin(t, a) != H_OK ||
	    group_in_use(t, id) != H_OK)
		return t->ret;
	txn_del(t, DBI_GROUP, &k);
	audit_append(t, a, "group", id, "remove", NULL, NULL, now);
	return t->ret;
}

enum herr group_each(struct txn *t, bool (*fn)(const struct group *g, void *arg), void *arg)
{
	struct key none;
	struct scan s;
	bool more = true;

	key_init(&none);
	scan_begin(&s, t, DBI_GROUP, &none, NULL);
	while (more && scan_next(&s)) {
		struct group g;

		if (group_get(t, key_get_u64(s.k.mv_data), &g) != H_OK)
			break;
		more = fn(&g, arg);
		group_free(&g);
	}
	scan_end(&s);
	return t->ret;
}

struct trusted_ref {
	uint64_t venue_id, found;
};

static bool group_trusted_one(const struct group *g, void *arg)
{
	struct trusted_ref *r = arg;

	if (group_trusted_at(g, r->venue_id))
		r->found = g->id;
	return r->found == 0;
}

uint64_t group_first_trusted_at(struct txn *t, uint64_t venue_id)
{
	struct trusted_ref r = {.venue_id = venue_id};

	group_each(t, group_trusted_one, &r);
	return r.found;
}
