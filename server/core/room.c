#include "room.h"

#include "audit.h"
#include "policy.h"
#include "record.h"
#include "refs.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 4000
#define MINUTES_MAX    (366 * 24 * 60)

static const char *const feature_names[FEATURE_COUNT] = {
    "step_free", "hearing_loop",      "kitchen",     "stage", "parking",      "projector",
    "wifi",      "accessible_toilet", "baby_change", "piano", "sports_floor", "outdoor_space",
};

static const char *const approval_names[] = {
    [APPROVAL_MANUAL] = "manual",
    [APPROVAL_AUTO] = "auto",
    [APPROVAL_TRUSTED] = "trusted",
};

static const char *const hold_lapse_names[] = {
    [HOLD_LAPSE_RELEASE] = "release",
    [HOLD_LAPSE_KEEP] = "keep",
};

const char *hold_lapse_name(enum hold_lapse l)
{
	return l == HOLD_LAPSE_KEEP ? hold_lapse_names[l] : hold_lapse_names[HOLD_LAPSE_RELEASE];
}

static enum herr take_hold_lapse(enum hold_lapse *out, const json_t *fields, struct herror *err)
{
	const json_t *v = json_object_get(fields, "hold_lapse");
	const char *s = json_string_value(v);

	if (v == NULL)
		return H_OK;
	if (s != NULL && strcmp(s, "release") == 0)
		*out = HOLD_LAPSE_RELEASE;
	else if (s != NULL && strcmp(s, "keep") == 0)
		*out = HOLD_LAPSE_KEEP;
	else
		return herror_set(err, H_EINVAL, "hold_lapse must be release or keep");
	return H_OK;
}

/* An ordered list of group kinds, each at most once. */
static enum herr take_waitlist_priority(struct room *r, const json_t *fields, struct herror *err)
{
	const json_t *a = json_object_get(fields, "waitlist_priority"), *v;
	enum group_kind kinds[GROUP_KIND_COUNT];
	size_t i, n = 0;

	if (a == NULL)
		return H_OK;
	if (!json_is_array(a))
		return herror_set(err, H_EINVAL, "waitlist_priority must be a list of group kinds");
	json_array_foreach(a, i, v)
	{
		enum group_kind k;

		if (group_kind_parse(json_string_value(v), &k) != 0)
			return herror_set(err, H_EINVAL,
			                  "waitlist_priority: \"%s\" is not a group kind (charity, "
			                  "community, school, commercial, council)",
			                  json_is_string(v) ? json_string_value(v) : "?");
		for (size_t j = 0; j < n; j++)
			if (kinds[j] == k)
				return herror_set(err, H_EINVAL, "waitlist_priority names %s twice",
				                  group_kind_name(k));
		kinds[n++] = k;
	}
	memcpy(r->waitlist_priority, kinds, n * sizeof(kinds[0]));
	r->nwaitlist_priority = n;
	return H_OK;
}

const char *approval_name(enum approval a)
{
	return (unsigned)a <= APPROVAL_TRUSTED ? approval_names[a] : "manual";
}

int approval_parse(const char *s, enum approval *out)
{
	for (int i = 0; i <= APPROVAL_TRUSTED; i++)
		if (s != NULL && strcmp(s, approval_names[i]) == 0) {
			*out = (enum approval)i;
			return 0;
		}
	return -1;
}

const char *feature_name(unsigned bit_index)
{
	return bit_index < FEATURE_COUNT ? feature_names[bit_index] : NULL;
}

int feature_parse(const char *s, uint32_t *bit)
{
	for (unsigned i = 0; i < FEATURE_COUNT; i++)
		if (s != NULL && strcmp(s, feature_names[i]) == 0) {
			*bit = 1u << i;
			return 0;
		}
	return -1;
}

void room_init(struct room *r)
{
	memset(r, 0, sizeof(*r));
	r->capacity = 1;
	r->min_length_min = 30;
	r->max_length_min = 12 * 60;
	r->horizon_days = 365;
	r->max_occurrences = 104; /* two years of a weekly group */
	r->approval = APPROVAL_MANUAL;
	r->hold_lapse = HOLD_LAPSE_RELEASE;
	r->offer_hours = 24;
}

void room_free(struct room *r)
{
	free(r->name);
	free(r->description);
	memset(r, 0, sizeof(*r));
}

static enum herr take_features(uint32_t *out, const json_t *fields, struct herror *err)
{
	json_t *a = json_object_get(fields, "features"), *v;
	uint32_t set = 0, bit;
	size_t i;

	if (a == NULL)
		return H_OK;
	if (!json_is_array(a))
		return herror_set(err, H_EINVAL, "features must be a list of names");
	json_array_foreach(a, i, v)
	{
		if (feature_parse(json_string_value(v), &bit) != 0)
			return herror_set(err, H_EINVAL,
			                  "unknown feature \"%s\" (known: step_free, hearing_loop, "
			                  "kitchen, stage, parking, projector, wifi, "
			                  "accessible_toilet, baby_change, piano, sports_floor, "
			                  "outdoor_space)",
			                  json_is_string(v) ? json_string_value(v) : "?");
		set |= bit;
	}
	*out = set;
	return H_OK;
}

enum herr room_apply(struct room *r, const json_t *fields, struct herror *err)
{
	struct room n = *r;
	json_t *venue = json_object_get(fields, "venue_id");
	json_t *approval = json_object_get(fields, "approval");
	enum herr ret;

	n.name = xstrdup_or_null(r->name);
	n.description = xstrdup_or_null(r->description);
	if (venue != NULL && field_id(&n.venue_id, fields, "venue_id", err) != H_OK) {
		ret = herror_set(err, H_EINVAL, "venue_id must be a venue's id");
		goto fail;
	}
	if (approval != NULL && approval_parse(json_string_value(approval), &n.approval) != 0) {
		ret = herror_set(err, H_EINVAL, "approval must be manual, auto or trusted");
		goto fail;
	}
	if ((ret = field_text(&n.name, fields, "name", NAME_MAX_BYTES, true, false, err)) ||
	    (ret = field_text(&n.description, fields, "description", TEXT_MAX_BYTES, false, true,
	                      err)) ||
	    (ret = field_uint(&n.capacity, fields, "capacity", 1, 100000, err)) ||
	    (ret = field_uint(&n.setup_min, fields, "setup_minutes", 0, 24 * 60, err)) ||
	    (ret = field_uint(&n.cleanup_min, fields, "cleanup_minutes", 0, 24 * 60, err)) ||
	    (ret = field_uint(&n.min_length_min, fields, "min_minutes", 1, MINUTES_MAX, err)) ||
	    (ret = field_uint(&n.max_length_min, fields, "max_minutes", 1, MINUTES_MAX, err)) ||
	    (ret = field_uint(&n.notice_min, fields, "notice_minutes", 0, MINUTES_MAX, err)) ||
	    (ret = field_uint(&n.horizon_days, fields, "horizon_days", 1, 3660, err)) ||
	    (ret = field_uint(&n.max_occurrences, fields, "max_occurrences", 1, 1000, err)) ||
	    (ret = field_uint(&n.hold_hours, fields, "hold_hours", 0, 30 * 24, err)) ||
	    (ret = field_uint(&n.offer_hours, fields, "offer_hours", 1, 14 * 24, err)) ||
	    (ret = take_hold_lapse(&n.hold_lapse, fields, err)) ||
	    (ret = take_waitlist_priority(&n, fields, err)) ||
	    (ret = take_features(&n.features, fields, err)))
		goto fail;
	if (n.name == NULL || n.venue_id == 0) {
		ret = herror_set(err, H_EINVAL, "a room needs a name and a venue");
		goto fail;
	}
	if (n.min_length_min > n.max_length_min) {
		ret = herror_set(err, H_EINVAL, "min_minutes (%u) is more than max_minutes (%u)",
		                 n.min_length_min, n.max_length_min);
		goto fail;
	}
	room_free(r);
	*r = n;
	return H_OK;
fail:
	room_free(&n);
	return ret;
}

json_t *room_to_json(const struct room *r)
{
	json_t *features = json_array(), *priority = json_array();

	for (unsigned i = 0; i < FEATURE_COUNT; i++)
		if (r->features & (1u << i))
			json_array_append_new(features, json_string(feature_names[i]));
	for (size_t i = 0; i < r->nwaitlist_priority; i++)
		json_array_append_new(priority,
		                      json_string(group_kind_name(r->waitlist_priority[i])));
	return json_pack(
	    "{s:I, s:I, s:s, s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, "
	    "s:I, s:s, s:I, s:o}",
	    "id", (json_int_t)r->id, "venue_id", (json_int_t)r->venue_id, "name", r->name,
	    "description", json_text(r->description), "capacity", (json_int_t)r->capacity,
	    "features", features, "setup_minutes", (json_int_t)r->setup_min, "cleanup_minutes",
	    (json_int_t)r->cleanup_min, "min_minutes", (json_int_t)r->min_length_min, "max_minutes",
	    (json_int_t)r->max_length_min, "notice_minutes", (json_int_t)r->notice_min,
	    "horizon_days", (json_int_t)r->horizon_days, "max_occurrences",
	    (json_int_t)r->max_occurrences, "approval", approval_name(r->approval), "hold_hours",
	    (json_int_t)r->hold_hours, "hold_lapse", hold_lapse_name(r->hold_lapse), "offer_hours",
	    (json_int_t)r->offer_hours, "waitlist_priority", priority);
}

enum herr room_from_json(const json_t *o, struct room *r, struct herror *err)
{
	room_init(r);
	r->id = (uint64_t)json_int(o, "id", 0);
	return room_apply(r, o, err);
}

enum herr room_get(struct txn *t, uint64_t id, struct room *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_ROOM, id, "room", &o);

	room_init(out);
	if (ret != H_OK)
		return ret;
	room_free(out);
	ret = room_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "room %llu is corrupt", (unsigned long long)id);
}

static struct key room_venue_key(uint64_t venue_id, uint64_t room_id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, venue_id);
	key_u64(&k, room_id);
	return k;
}

void room_store(struct txn *t, const struct room *r, const struct room *old)
{
	json_t *o = room_to_json(r);
	struct key k = room_venue_key(r->venue_id, r->id);

	if (old != NULL && old->venue_id != r->venue_id) {
		struct key ok = room_venue_key(old->venue_id, old->id);

		txn_del(t, DBI_ROOM_VENUE, &ok);
	}
	record_put(t, DBI_ROOM, r->id, o);
	txn_put(t, DBI_ROOM_VENUE, &k, "", 0);
	json_decref(o);
}

int64_t room_gap_seconds(const struct room *r)
{
	return ((int64_t)r->setup_min + r->cleanup_min) * 60;
}

bool room_slots_clash(const struct room *r, int64_t a_start, int64_t a_end, int64_t b_start,
                      int64_t b_end)
{
	int64_t gap = room_gap_seconds(r);

	return a_start - gap < b_end && a_end + gap > b_start;
}

static enum herr room_check_venue(struct txn *t, const struct actor *a, uint64_t venue_id)
{
	if (record_need(t, DBI_VENUE, venue_id, "venue") != H_OK)
		return t->ret;
	return policy_manage_venue(t, a, venue_id);
}

enum herr room_create(struct txn *t, const struct actor *a, struct room *r, int64_t now)
{
	json_t *detail;

	if (room_check_venue(t, a, r->venue_id) != H_OK)
		return t->ret;
	r->id = txn_next_id(t, "room");
	room_store(t, r, NULL);
	detail = room_to_json(r);
	audit_append(t, a, "room", r->id, "create", NULL, detail, now);
	json_decref(detail);
	return t->ret;
}

enum herr room_update(struct txn *t, const struct actor *a, const struct room *r, int64_t now)
{
	struct room old;
	json_t *detail;

	if (room_get(t, r->id, &old) != H_OK) {
		room_free(&old);
		return record_not_found(t, "room", r->id);
	}
	/* Both the old and the new venue's manager must agree to a move between venues. */
	if (policy_manage_venue(t, a, old.venue_id) == H_OK)
		room_check_venue(t, a, r->venue_id);
	if (t->ret == H_OK) {
		room_store(t, r, &old);
		detail = room_to_json(r);
		audit_append(t, a, "room", r->id, "update", NULL, detail, now);
		json_decref(detail);
	}
	room_free(&old);
	return t->ret;
}

enum herr room_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct room r;
	struct key k = key_id(id), vk;

	if (room_get(t, id, &r) != H_OK) {
		room_free(&r);
		return record_not_found(t, "room", id);
	}
	if (policy_manage_venue(t, a, r.venue_id) != H_OK)
		goto out;
	if (refs_room(t, id) != H_OK)
		goto out;
	vk = room_venue_key(r.venue_id, id);
	txn_del(t, DBI_ROOM, &k);
	txn_del(t, DBI_ROOM_VENUE, &vk);
	audit_append(t, a, "room", id, "remove", NULL, NULL, now);
out:
	room_free(&r);
	return t->ret;
}

static bool room_visit(struct txn *t, uint64_t id, bool (*fn)(const struct room *r, void *arg),
                       void *arg)
{
	struct room r;
	bool more;

	if (room_get(t, id, &r) != H_OK) {
		room_free(&r);
		return false;
	}
	more = fn(&r, arg);
	room_free(&r);
	return more;
}

enum herr room_each(struct txn *t, uint64_t venue_id, bool (*fn)(const struct room *r, void *arg),
                    void *arg)
{
	struct key prefix;
	struct scan s;
	bool more = true;

	if (venue_id != 0 && record_need(t, DBI_VENUE, venue_id, "venue") != H_OK)
		return t->ret;
	if (venue_id != 0)
		prefix = key_id(venue_id);
	else
		key_init(&prefix);
	scan_begin(&s, t, venue_id ? DBI_ROOM_VENUE : DBI_ROOM, &prefix, NULL);
	while (more && scan_next(&s))
		more = room_visit(t, key_get_u64((const uint8_t *)s.k.mv_data + (venue_id ? 8 : 0)),
		                  fn, arg);
	scan_end(&s);
	return t->ret;
}
