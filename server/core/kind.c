#include "kind.h"

#include "account.h"
#include "group.h"
#include "room.h"
#include "user.h"
#include "venue.h"
#include "view.h"
#include "record.h"
#include "xmalloc.h"

#include <stdlib.h>

/* Each kind needs the same four adapters from its typed functions to JSON. They are
 * written out rather than generated, so that every call is type-checked. */

struct each_json {
	bool (*fn)(const json_t *o, void *arg);
	void *arg;
};

static bool each_json_call(struct each_json *e, json_t *o)
{
	bool more = e->fn(o, e->arg);

	json_decref(o);
	return more;
}

/* A write names only fields the kind has: a typo must not pass as a change made. */
static enum herr kind_fields_known(const char *const *names, const json_t *fields,
                                   struct herror *err)
{
	if (!json_is_object(fields))
		return herror_set(err, H_EINVAL, "a record must be a JSON object");
	return fields_known(fields, names, err);
}

/* venue */

static const char *const venue_fields[] = {"name",        "timezone",      "hours", "address",
                                           "description", "accessibility", "email", NULL};

static enum herr venue_save_json(struct txn *t, const struct actor *a, uint64_t id,
                                 const json_t *fields, int64_t now, json_t **out)
{
	struct venue v;
	enum herr ret = kind_fields_known(venue_fields, fields, t->err);

	if (ret != H_OK)
		return ret;
	ret = id ? venue_get(t, id, &v) : (venue_init(&v), H_OK);

	if (ret == H_OK)
		ret = venue_apply(&v, fields, t->err);
	if (ret == H_OK)
		ret = id ? venue_update(t, a, &v, now) : venue_create(t, a, &v, now);
	*out = ret == H_OK ? venue_to_json(&v) : NULL;
	venue_free(&v);
	return ret;
}

static enum herr venue_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct venue v;
	enum herr ret = venue_get(t, id, &v);

	*out = ret == H_OK ? venue_to_json(&v) : NULL;
	venue_free(&v);
	return ret;
}

static bool venue_each_one(const struct venue *v, void *arg)
{
	return each_json_call(arg, venue_to_json(v));
}

static enum herr venue_each_json(struct txn *t, bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct each_json e = {fn, arg};

	return venue_each(t, venue_each_one, &e);
}

const struct kind kind_venue = {.name = "venue",
                                .fields = venue_fields,
                                .save = venue_save_json,
                                .remove = venue_remove,
                                .show = venue_show_json,
                                .each = venue_each_json};

/* room */

static const char *const room_fields[] = {"venue_id",          "name",
                                          "description",       "capacity",
                                          "setup_minutes",     "cleanup_minutes",
                                          "min_minutes",       "max_minutes",
                                          "notice_minutes",    "horizon_days",
                                          "max_occurrences",   "approval",
                                          "features",          "hold_hours",
                                          "hold_lapse",        "offer_hours",
                                          "waitlist_priority", NULL};

static enum herr room_save_json(struct txn *t, const struct actor *a, uint64_t id,
                                const json_t *fields, int64_t now, json_t **out)
{
	struct room r;
	enum herr ret = kind_fields_known(room_fields, fields, t->err);

	if (ret != H_OK)
		return ret;
	ret = id ? room_get(t, id, &r) : (room_init(&r), H_OK);

	if (ret == H_OK)
		ret = room_apply(&r, fields, t->err);
	if (ret == H_OK)
		ret = id ? room_update(t, a, &r, now) : room_create(t, a, &r, now);
	*out = ret == H_OK ? room_to_json(&r) : NULL;
	room_free(&r);
	return ret;
}

static enum herr room_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct room r;
	enum herr ret = room_get(t, id, &r);

	*out = ret == H_OK ? room_to_json(&r) : NULL;
	room_free(&r);
	return ret;
}

static bool room_each_one(const struct room *r, void *arg)
{
	return each_json_call(arg, room_to_json(r));
}

static enum herr room_each_json(struct txn *t, bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct each_json e = {fn, arg};

	return room_each(t, 0, room_each_one, &e);
}

static enum herr room_each_within_json(struct txn *t, uint64_t venue_id,
                                       bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct each_json e = {fn, arg};

	return room_each(t, venue_id, room_each_one, &e);
}

const struct kind kind_room = {.name = "room",
                               .fields = room_fields,
                               .save = room_save_json,
                               .remove = room_remove,
                               .show = room_show_json,
                               .each = room_each_json,
                               .each_within = room_each_within_json};

/* group */

static const char *const group_fields[] = {"name",        "kind",       "contact",
                                           "description", "trusted_at", NULL};

static enum herr group_save_json(struct txn *t, const struct actor *a, uint64_t id,
                                 const json_t *fields, int64_t now, json_t **out)
{
	struct group g;
	enum herr ret = kind_fields_known(group_fields, fields, t->err);

	if (ret != H_OK)
		return ret;
	ret = id ? group_get(t, id, &g) : (group_init(&g), H_OK);

	if (ret == H_OK)
		ret = group_apply(&g, fields, t->err);
	if (ret == H_OK)
		ret = id ? group_update(t, a, &g, now) : group_create(t, a, &g, now);
	*out = ret == H_OK ? group_to_json(&g) : NULL;
	group_free(&g);
	return ret;
}

static enum herr group_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct group g;
	enum herr ret = group_get(t, id, &g);

	*out = ret == H_OK ? group_to_json(&g) : NULL;
	group_free(&g);
	return ret;
}

static bool group_each_one(const struct group *g, void *arg)
{
	return each_json_call(arg, group_to_json(g));
}

static enum herr group_each_json(struct txn *t, bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct each_json e = {fn, arg};

	return group_each(t, group_each_one, &e);
}

const struct kind kind_group = {.name = "group",
                                .fields = group_fields,
                                .save = group_save_json,
                                .remove = group_remove,
                                .show = group_show_json,
                                .each = group_each_json,
                                .redact = view_group};

/* user: "password_hash" in fields (from the front end, which hashed the password off
 * any event loop) sets the password; it is never accepted by user_apply itself. */

static const char *const user_fields[] = {"name",   "email",         "role", "venues",
                                          "groups", "password_hash", NULL};

static enum herr user_save_json(struct txn *t, const struct actor *a, uint64_t id,
                                const json_t *fields, int64_t now, json_t **out)
{
	struct user u;
	const char *hash = json_str(fields, "password_hash");
	json_t *rest;
	enum herr ret = kind_fields_known(user_fields, fields, t->err);

	if (ret != H_OK)
		return ret;
	rest = json_deep_copy(fields);
	ret = id ? user_get(t, id, &u) : (user_init(&u), H_OK);

	json_object_del(rest, "password_hash");
	if (ret == H_OK)
		ret = user_apply(&u, rest, t->err);
	if (ret == H_OK && hash != NULL) {
		free(u.password_hash);
		u.password_hash = xstrdup(hash);
	}
	if (ret == H_OK)
		ret = id ? account_update(t, a, &u, now) : account_create(t, a, &u, now);
	*out = ret == H_OK ? user_to_json(&u, false) : NULL;
	user_free(&u);
	json_decref(rest);
	return ret;
}

static enum herr user_show_json(struct txn *t, uint64_t id, json_t **out)
{
	struct user u;
	enum herr ret = user_get(t, id, &u);

	*out = ret == H_OK ? user_to_json(&u, false) : NULL;
	user_free(&u);
	return ret;
}

static bool user_each_one(const struct user *u, void *arg)
{
	return each_json_call(arg, user_to_json(u, false));
}

static enum herr user_each_json(struct txn *t, bool (*fn)(const json_t *o, void *arg), void *arg)
{
	struct each_json e = {fn, arg};

	return user_each(t, user_each_one, &e);
}

const struct kind kind_user = {.name = "user",
                               .fields = user_fields,
                               .save = user_save_json,
                               .remove = account_remove,
                               .show = user_show_json,
                               .each = user_each_json};
