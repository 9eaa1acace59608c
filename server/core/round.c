/* Allocation rounds (round.h): the records, the deadline, the seed and its commitment,
 * applications, and the allocation that turns round_alloc.c's answer into series. Above
 * booking.c: it makes series through series_create, as a group would. */
#include "round.h"

#include "date_set.h"

#include "audit.h"
#include "group.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "series.h"
#include "text.h"
#include "tz.h"
#include "venue.h"
#include "view.h"
#include "when.h"
#include "xmalloc.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_ROUND = 'R', KEY_APP = 'A', KEY_GROUP = 'G' };

#define NAME_MAX_BYTES  120
#define SAYS_MAX_BYTES  200
#define SEASON_MAX_DAYS 366

static struct key round_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_ROUND);
	key_u64(&k, id);
	return k;
}

static struct key app_key(uint64_t round_id, uint64_t app_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_APP);
	key_u64(&k, round_id);
	key_u64(&k, app_id);
	return k;
}

static struct key group_key(uint64_t round_id, uint64_t group_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_GROUP);
	key_u64(&k, round_id);
	key_u64(&k, group_id);
	return k;
}

enum herr round_get(struct txn *t, uint64_t id, json_t **out)
{
	struct key k = round_key(id);

	*out = NULL;
	return record_get_key(t, DBI_ROUND, &k, "round", id, out);
}

static void round_put(struct txn *t, uint64_t id, const json_t *rec)
{
	struct key k = round_key(id);

	record_put_key(t, DBI_ROUND, &k, rec);
}

/* audit_append with a detail made for it (taken: audit_append only borrows). */
static void round_audit(struct txn *t, const struct actor *a, uint64_t id, const char *action,
                        const char *note, json_t *detail, int64_t now)
{
	audit_append(t, a, "round", id, action, note, detail, now);
	json_decref(detail);
}

static uint64_t rec_id(const json_t *rec, const char *key)
{
	return (uint64_t)json_int(rec, key, 0);
}

/* Dates: "YYYY-MM-DD" to days since 1970-01-01, or false. */
static bool date_parse(const char *s, int64_t *days)
{
	int y, m, d;
	char tail;

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || y < TIME_YEAR_MIN || y > TIME_YEAR_MAX || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return false;
	*days = days_from_civil(y, m, d);
	{
		int yy, mm, dd;

		civil_from_days(*days, &yy, &mm, &dd);
		return yy == y && mm == m && dd == d;
	}
}

static const char *rec_zone(struct txn *t, uint64_t venue_id, char *buf, size_t size)
{
	struct venue v;

	snprintf(buf, size, "%s", TZ_DEFAULT);
	if (venue_get(t, venue_id, &v) == H_OK && v.tz != NULL)
		snprintf(buf, size, "%s", v.tz);
	venue_free(&v);
	return buf;
}

/* The instant of local date days at minutes past midnight in zone, by RFC 5545's rule
 * (a series' dates are read the same way). */
static int64_t local_instant(const char *zone, int64_t days, int minutes)
{
	struct localtm lt = {0};

	civil_from_days(days, &lt.year, &lt.month, &lt.day);
	lt.hour = minutes / 60;
	lt.min = minutes % 60;
	if (lt.hour == 24) {
		civil_from_days(days + 1, &lt.year, &lt.month, &lt.day);
		lt.hour = 0;
	}
	return tz_from_local_rfc5545(zone, &lt);
}

/* Refuses with the words a check left in t->err, after prefix: txn_refuse writes
 * t->err, so the words are copied out first. */
static enum herr refuse_told(struct txn *t, enum herr code, const char *prefix)
{
	char msg[sizeof(t->err->msg)];

	memcpy(msg, t->err->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	return txn_refuse(t, code, "%s%s", prefix, msg);
}

/* Checking what a manager sends. */

static enum herr check_slots(struct txn *t, uint64_t venue_id, json_t *slots)
{
	size_t i;
	json_t *s;

	if (!json_is_array(slots) || json_array_size(slots) == 0 ||
	    json_array_size(slots) > ROUND_SLOTS_MAX)
		return txn_refuse(t, H_EINVAL, "slots must be a list of 1 to %d weekly slots",
		                  ROUND_SLOTS_MAX);
	json_array_foreach(slots, i, s)
	{
		static const char *const known[] = {"id",    "room_id", "weekday",
		                                    "start", "end",     NULL};
		int64_t room_id, wd;
		int from, to;
		struct room r;
		enum herr ret;

		char prefix[48];

		snprintf(prefix, sizeof(prefix), "slot %zu: ", i + 1);
		if (!json_is_object(s))
			return txn_refuse(t, H_EINVAL, "%smust be an object", prefix);
		if (fields_known(s, known, t->err) != H_OK)
			return refuse_told(t, H_EINVAL, prefix);
		if (!json_int_in(json_object_get(s, "room_id"), 1, INT64_MAX, &room_id) ||
		    !json_int_in(json_object_get(s, "weekday"), 1, 7, &wd))
			return txn_refuse(
			    t, H_EINVAL,
			    "slot %zu needs a room_id and a weekday (1 Monday to 7 Sunday)", i + 1);
		from = round_clock_parse(json_string_value(json_object_get(s, "start")));
		to = round_clock_parse(json_string_value(json_object_get(s, "end")));
		if (from < 0 || to < 0 || to <= from)
			return txn_refuse(
			    t, H_EINVAL, "slot %zu needs a start and a later end, as HH:MM (19:00)",
			    i + 1);
		ret = room_get(t, (uint64_t)room_id, &r);
		if (ret == H_OK && r.venue_id != venue_id)
			ret = txn_refuse(t, H_EINVAL, "slot %zu: room %lld is not at venue %llu",
			                 i + 1, (long long)room_id, (unsigned long long)venue_id);
		room_free(&r);
		if (ret != H_OK)
			return ret;
		for (size_t j = 0; j < i; j++) {
			json_t *o = json_array_get(slots, j);

			if (json_equal(json_object_get(o, "room_id"),
			               json_object_get(s, "room_id")) &&
			    json_equal(json_object_get(o, "weekday"),
			               json_object_get(s, "weekday")) &&
			    round_clock_parse(json_string_value(json_object_get(o, "start"))) <
			        to &&
			    from < round_clock_parse(json_string_value(json_object_get(o, "end"))))
				return txn_refuse(t, H_EINVAL,
				                  "slots %zu and %zu overlap in the same room",
				                  j + 1, i + 1);
		}
		json_object_set_new(s, "id", json_integer((json_int_t)i + 1));
	}
	return H_OK;
}

static enum herr check_class(struct txn *t, uint64_t round_id, json_t *c, size_t n)
{
	static const char *const known[] = {"group_kinds", "held_in_round", "trusted", "says",
	                                    NULL};
	json_t *kinds = json_object_get(c, "group_kinds");
	json_t *held = json_object_get(c, "held_in_round");
	json_t *trusted = json_object_get(c, "trusted");
	const char *says = json_string_value(json_object_get(c, "says"));
	char words[SAYS_MAX_BYTES + 64];
	int64_t held_id;
	size_t i;
	json_t *k;

	char prefix[48];

	snprintf(prefix, sizeof(prefix), "class %zu: ", n);
	if (!json_is_object(c))
		return txn_refuse(t, H_EINVAL, "%smust be an object", prefix);
	if (fields_known(c, known, t->err) != H_OK)
		return refuse_told(t, H_EINVAL, prefix);
	if ((kinds != NULL) + (held != NULL) + (trusted != NULL) != 1)
		return txn_refuse(t, H_EINVAL,
		                  "class %zu needs exactly one of group_kinds, held_in_round and "
		                  "trusted",
		                  n);
	if (kinds != NULL) {
		if (!json_is_array(kinds) || json_array_size(kinds) == 0 ||
		    json_array_size(kinds) > 5)
			return txn_refuse(t, H_EINVAL,
			                  "class %zu: group_kinds must list 1 to 5 kinds", n);
		json_array_foreach(kinds, i, k)
		{
			enum group_kind gk;

			if (!json_is_string(k) || group_kind_parse(json_string_value(k), &gk) != 0)
				return txn_refuse(
				    t, H_EINVAL,
				    "class %zu: a group kind is one of charity, community, "
				    "school, commercial, council",
				    n);
		}
		snprintf(words, sizeof(words), "groups of kind ");
		json_array_foreach(kinds, i, k)
		{
			size_t len = strlen(words);

			snprintf(words + len, sizeof(words) - len, "%s%s",
			         i == 0                            ? ""
			         : i + 1 == json_array_size(kinds) ? " or "
			                                           : ", ",
			         json_string_value(k));
		}
	} else if (held != NULL) {
		json_t *prev;

		if (!json_int_in(held, 1, INT64_MAX, &held_id) || (uint64_t)held_id == round_id)
			return txn_refuse(t, H_EINVAL,
			                  "class %zu: held_in_round must name an earlier round", n);
		if (round_get(t, (uint64_t)held_id, &prev) != H_OK)
			return txn_refuse(t, H_ENOTFOUND, "class %zu: there is no round %lld", n,
			                  (long long)held_id);
		snprintf(words, sizeof(words), "groups that got a slot in round %lld (%s)",
		         (long long)held_id, json_str(prev, "name") ? json_str(prev, "name") : "");
		json_decref(prev);
	} else {
		if (!json_is_true(trusted))
			return txn_refuse(t, H_EINVAL, "class %zu: trusted must be true", n);
		snprintf(words, sizeof(words), "groups trusted at the venue");
	}
	if (says != NULL) {
		if (text_check(says, "says", SAYS_MAX_BYTES, true, false, t->err) != H_OK)
			return refuse_told(t, H_EINVAL, prefix);
	} else
		json_object_set_new(c, "says", json_string(words));
	return H_OK;
}

static enum herr check_classes(struct txn *t, uint64_t round_id, json_t *classes)
{
	size_t i;
	json_t *c;

	if (!json_is_array(classes) || json_array_size(classes) > ROUND_CLASSES_MAX - 1)
		return txn_refuse(
		    t, H_EINVAL, "classes must be a list of at most %d (everyone else is the last)",
		    ROUND_CLASSES_MAX - 1);
	json_array_foreach(classes, i,
	                   c) if (check_class(t, round_id, c, i + 1) != H_OK) return t->ret;
	return H_OK;
}

/* The whole record, after a change or on opening: every field as it must be. */
static enum herr check_round(struct txn *t, json_t *rec, bool check_slot_list, int64_t now)
{
	int64_t first, last, deadline;
	char zone[64];
	json_t *ids = json_object_get(rec, "skip_date_sets");
	uint64_t *set_ids = NULL;
	size_t nsets = 0;
	const char *outcome = json_str(rec, "outcome");

	if (text_check(json_str(rec, "name"), "name", NAME_MAX_BYTES, true, false, t->err) != H_OK)
		return refuse_told(t, H_EINVAL, "");
	if (!date_parse(json_str(rec, "first_date"), &first) ||
	    !date_parse(json_str(rec, "last_date"), &last))
		return txn_refuse(t, H_EINVAL,
		                  "first_date and last_date must be dates (2027-04-05)");
	if (last < first || last - first >= SEASON_MAX_DAYS)
		return txn_refuse(t, H_EINVAL,
		                  "the season must end on or after its first date and last at most "
		                  "%d days",
		                  SEASON_MAX_DAYS);
	if (outcome == NULL ||
	    (strcmp(outcome, "pending") != 0 && strcmp(outcome, "approved") != 0))
		return txn_refuse(t, H_EINVAL, "outcome must be pending or approved");
	if (field_ids(&set_ids, &nsets, rec, "skip_date_sets", t->err) != H_OK)
		return refuse_told(t, H_EINVAL, "");
	if (ids != NULL && json_array_size(ids) > DATE_SET_SKIP_MAX) {
		free(set_ids);
		return txn_refuse(t, H_EINVAL, "skip_date_sets may name at most %d date sets",
		                  DATE_SET_SKIP_MAX);
	}
	/* The series the round makes skip them: each must be one a series there may skip,
	 * found now rather than when the allocation runs. */
	for (size_t i = 0; i < nsets && t->ret == H_OK; i++)
		date_set_usable(t, set_ids[i], rec_id(rec, "venue_id"), NULL);
	free(set_ids);
	if (t->ret != H_OK)
		return t->ret;
	deadline = json_int(rec, "deadline", 0);
	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	if (deadline <= now)
		return txn_refuse(t, H_EINVAL, "the deadline must be in the future");
	if (deadline > local_instant(zone, first, 0))
		return txn_refuse(t, H_EINVAL,
		                  "the deadline must be before the season's first day");
	if (check_slot_list &&
	    check_slots(t, rec_id(rec, "venue_id"), json_object_get(rec, "slots")) != H_OK)
		return t->ret;
	return check_classes(t, rec_id(rec, "id"), json_object_get(rec, "classes"));
}

/* Showing. */

static json_t *slots_shown(struct txn *t, const json_t *slots)
{
	json_t *out = json_array(), *s;
	size_t i;

	json_array_foreach(slots, i, s)
	{
		json_t *o = json_deep_copy(s);
		struct room r;
		char words[256];

		if (room_get(t, rec_id(s, "room_id"), &r) == H_OK)
			json_object_set_new(o, "room", json_string(r.name));
		else
			json_object_set_new(
			    o, "room",
			    json_sprintf("room %llu", (unsigned long long)rec_id(s, "room_id")));
		room_free(&r);
		round_slot_words((int)json_int(s, "weekday", 0), json_str(s, "start"),
		                 json_str(s, "end"), json_str(o, "room"), words, sizeof(words));
		json_object_set_new(o, "words", json_string(words));
		json_array_append_new(out, o);
	}
	return out;
}

/* Every "..._at" as RFC 3339 in zone, and no user ids: what is shown names groups, never
 * people. */
static void shown_times(json_t *o, const char *zone)
{
	static const char *const keys[] = {"created_at", "updated_at", "allocated_at"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(o, keys[i]);
		char when[32];

		if (json_is_integer(v)) {
			time_format((int64_t)json_integer_value(v), zone, when);
			json_object_set_new(o, keys[i], json_string(when));
		}
	}
	json_object_del(o, "created_by");
	json_object_del(o, "allocated_by");
}

static bool seed_public(const json_t *rec, int64_t now)
{
	return now >= json_int(rec, "deadline", 0);
}

static json_t *round_shown(struct txn *t, const json_t *rec, int64_t now)
{
	json_t *o = json_deep_copy(rec);
	char zone[64], when[32], words[WHEN_MAX];
	struct venue v;
	int64_t deadline = json_int(rec, "deadline", 0);

	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	if (!seed_public(rec, now))
		json_object_set_new(o, "seed", json_null());
	json_object_del(o, "result");
	json_object_del(o, "inputs");
	json_object_set_new(o, "slots", slots_shown(t, json_object_get(rec, "slots")));
	time_format(deadline, zone, when);
	json_object_set_new(o, "deadline", json_string(when));
	json_object_set_new(o, "deadline_ts", json_integer((json_int_t)deadline));
	when_moment(deadline, zone, words, sizeof(words));
	json_object_set_new(o, "deadline_words", json_string(words));
	json_object_set_new(o, "accepting", json_boolean(now < deadline));
	shown_times(o, zone);
	if (venue_get(t, rec_id(rec, "venue_id"), &v) == H_OK)
		json_object_set_new(o, "venue", json_string(v.name));
	venue_free(&v);
	return o;
}

enum herr round_show(struct txn *t, uint64_t id, int64_t now, json_t **out)
{
	json_t *rec;
	enum herr ret = round_get(t, id, &rec);

	*out = NULL;
	if (ret == H_OK)
		*out = round_shown(t, rec, now);
	json_decref(rec);
	return ret;
}

enum herr round_list(struct txn *t, uint64_t venue_id, int64_t now, json_t *out)
{
	struct key prefix;
	struct scan sc;

	if (venue_id != 0 && record_need(t, DBI_VENUE, venue_id, "venue") != H_OK)
		return t->ret;
	key_init(&prefix);
	key_u8(&prefix, KEY_ROUND);
	scan_begin(&sc, t, DBI_ROUND, &prefix, NULL);
	while (scan_next(&sc)) {
		json_t *rec;

		if (round_get(t, key_get_u64((const uint8_t *)sc.k.mv_data + 1), &rec) != H_OK)
			break;
		if (venue_id == 0 || rec_id(rec, "venue_id") == venue_id)
			json_array_append_new(out, round_shown(t, rec, now));
		json_decref(rec);
	}
	scan_end(&sc);
	return t->ret;
}

/* Opening and changing. */

static enum herr need_before_deadline(struct txn *t, const json_t *rec, int64_t now,
                                      const char *what)
{
	char zone[64], words[WHEN_MAX];
	int64_t deadline = json_int(rec, "deadline", 0);

	if (now < deadline)
		return H_OK;
	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	when_moment(deadline, zone, words, sizeof(words));
	return txn_refuse(t, H_ESTATE, "the round's deadline (%s) has passed: %s", words, what);
}

static json_t *round_seed_fields(const uint8_t *given, const char *source)
{
	uint8_t seed[ROUND_SEED_LEN], commit[ROUND_RANK_LEN];
	char seed_hex[2 * ROUND_SEED_LEN + 1], commit_hex[2 * ROUND_RANK_LEN + 1];

	if (given != NULL)
		memcpy(seed, given, sizeof(seed));
	else if (RAND_bytes(seed, sizeof(seed)) != 1)
		return NULL;
	round_commitment(seed, commit);
	round_hex(seed, sizeof(seed), seed_hex);
	round_hex(commit, sizeof(commit), commit_hex);
	return json_pack("{ss ss ss}", "seed", seed_hex, "commitment", commit_hex, "seed_source",
	                 given != NULL && source != NULL ? source
	                                                 : "32 random bytes (OpenSSL RAND_bytes)");
}

static enum herr round_fields(struct txn *t, json_t *rec, const json_t *fields, bool opening)
{
	static const char *const known_open[] = {
	    "venue_id",       "name",     "slots",   "first_date", "last_date",
	    "skip_date_sets", "deadline", "classes", "outcome",    NULL};
	static const char *const known_patch[] = {"name",      "slots",          "first_date",
	                                          "last_date", "skip_date_sets", "deadline",
	                                          "classes",   "outcome",        NULL};
	const char *key;
	json_t *v;

	if (!json_is_object(fields))
		return txn_refuse(t, H_EINVAL, "the round must be a JSON object");
	if (fields_known(fields, opening ? known_open : known_patch, t->err) != H_OK)
		return refuse_told(t, H_EINVAL, "");
	json_object_foreach((json_t *)fields, key, v)
	{
		if (strcmp(key, "deadline") == 0) {
			json_t *venue = json_object_get(fields, "venue_id");
			char zone[64];
			int64_t d;

			/* A time as text is read in the venue's zone ("2027-01-15 12:00"). */
			rec_zone(t,
			         json_is_integer(venue) && json_integer_value(venue) > 0
			             ? (uint64_t)json_integer_value(venue)
			             : rec_id(rec, "venue_id"),
			         zone, sizeof(zone));
			if (json_time(v, "deadline", zone, &d, t->err) != H_OK)
				return refuse_told(t, H_EINVAL, "");
			json_object_set_new(rec, key, json_integer((json_int_t)d));
		} else
			json_object_set_new(rec, key, json_deep_copy(v));
	}
	if (json_object_get(rec, "classes") == NULL)
		json_object_set_new(rec, "classes", json_array());
	if (json_object_get(rec, "skip_date_sets") == NULL)
		json_object_set_new(rec, "skip_date_sets", json_array());
	if (json_object_get(rec, "outcome") == NULL)
		json_object_set_new(rec, "outcome", json_string("pending"));
	return H_OK;
}

enum herr round_open(struct txn *t, const struct actor *a, const json_t *fields,
                     const uint8_t *seed, const char *seed_source, int64_t now, json_t **out)
{
	json_t *rec = json_object(), *seeded;
	int64_t venue_id;
	uint64_t id;

	*out = NULL;
	if (round_fields(t, rec, fields, true) != H_OK)
		goto done;
	if (!json_int_in(json_object_get(rec, "venue_id"), 1, INT64_MAX, &venue_id)) {
		txn_refuse(t, H_EINVAL, "venue_id must be an id");
		goto done;
	}
	if (record_need(t, DBI_VENUE, (uint64_t)venue_id, "venue") != H_OK ||
	    policy_manage_venue(t, a, (uint64_t)venue_id) != H_OK ||
	    check_round(t, rec, true, now) != H_OK)
		goto done;
	if ((seeded = round_seed_fields(seed, seed_source)) == NULL) {
		txn_refuse(t, H_ESTORAGE, "could not draw the round's seed");
		goto done;
	}
	json_object_update(rec, seeded);
	json_decref(seeded);
	id = txn_next_id(t, "round");
	json_object_set_new(rec, "id", json_integer((json_int_t)id));
	json_object_set_new(rec, "state", json_string("open"));
	json_object_set_new(rec, "created_by", json_integer((json_int_t)a->user_id));
	json_object_set_new(rec, "created_at", json_integer((json_int_t)now));
	json_object_set_new(rec, "updated_at", json_integer((json_int_t)now));
	round_put(t, id, rec);
	round_audit(t, a, id, "open", json_str(rec, "name"),
	            json_pack("{sO sO}", "commitment", json_object_get(rec, "commitment"),
	                      "deadline", json_object_get(rec, "deadline")),
	            now);
	if (t->ret == H_OK)
		*out = round_shown(t, rec, now);
done:
	json_decref(rec);
	return t->ret;
}

static bool round_has_applications(struct txn *t, uint64_t round_id)
{
	struct key prefix;

	key_init(&prefix);
	key_u8(&prefix, KEY_APP);
	key_u64(&prefix, round_id);
	return scan_first_u64(t, DBI_ROUND, &prefix, 9) != 0;
}

enum herr round_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                       int64_t now, json_t **out)
{
	json_t *rec;
	bool slots;

	*out = NULL;
	if (round_get(t, id, &rec) != H_OK)
		return record_not_found(t, "round", id);
	slots = json_is_object(fields) && json_object_get(fields, "slots") != NULL;
	if (policy_manage_venue(t, a, rec_id(rec, "venue_id")) == H_OK &&
	    need_before_deadline(t, rec, now, "the round can no longer change") == H_OK &&
	    (!slots || !round_has_applications(t, id) ||
	     txn_refuse(t, H_ESTATE,
	                "groups have applied for the round's slots: its slots can no longer "
	                "change") == H_OK) &&
	    round_fields(t, rec, fields, false) == H_OK &&
	    check_round(t, rec, slots, now) == H_OK) {
		json_object_set_new(rec, "updated_at", json_integer((json_int_t)now));
		round_put(t, id, rec);
		audit_append(t, a, "round", id, "update", NULL, fields, now);
		if (t->ret == H_OK)
			*out = round_shown(t, rec, now);
	}
	json_decref(rec);
	return t->ret;
}

/* Applications. */

static enum herr app_get(struct txn *t, uint64_t round_id, uint64_t app_id, json_t **out)
{
	struct key k = app_key(round_id, app_id);

	*out = NULL;
	return record_get_key(t, DBI_ROUND, &k, "application", app_id, out);
}

static enum herr check_preferences(struct txn *t, const json_t *rec, const json_t *prefs)
{
	json_t *slots = json_object_get(rec, "slots"), *p;
	size_t i;

	if (!json_is_array(prefs) || json_array_size(prefs) == 0 ||
	    json_array_size(prefs) > ROUND_PREFS_MAX)
		return txn_refuse(t, H_EINVAL,
		                  "preferences must list 1 to %d of the round's slots, most wanted "
		                  "first",
		                  ROUND_PREFS_MAX);
	json_array_foreach(prefs, i, p)
	{
		int64_t id;

		if (!json_int_in(p, 1, (int64_t)json_array_size(slots), &id))
			return txn_refuse(
			    t, H_EINVAL,
			    "preference %zu must be one of the round's slots (1 to %zu)", i + 1,
			    json_array_size(slots));
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(prefs, j), p))
				return txn_refuse(t, H_EINVAL, "slot %lld is named twice",
				                  (long long)id);
	}
	return H_OK;
}

/* The application as shown: with its group's name and its preferences in words. */
static json_t *app_shown(struct txn *t, const json_t *rec, const json_t *app)
{
	json_t *o = json_deep_copy(app), *words = json_array(), *p;
	json_t *slots = slots_shown(t, json_object_get(rec, "slots"));
	struct group g;
	size_t i;

	if (group_get(t, rec_id(app, "group_id"), &g) == H_OK)
		json_object_set_new(o, "group", json_string(g.name));
	group_free(&g);
	json_array_foreach(json_object_get(app, "preferences"), i, p)
	{
		json_t *s = json_array_get(slots, (size_t)json_integer_value(p) - 1);

		json_array_append_new(words, json_string(s != NULL ? json_str(s, "words") : "?"));
	}
	json_object_set_new(o, "preference_words", words);
	json_decref(slots);
	{
		char zone[64];

		shown_times(o, rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone)));
	}
	return o;
}

enum herr round_apply(struct txn *t, const struct actor *a, uint64_t round_id, const json_t *fields,
                      int64_t now, json_t **out)
{
	static const char *const known[] = {"group_id", "preferences", NULL};
	json_t *rec, *app;
	int64_t group_id;
	struct key gk;
	MDB_val v;
	uint64_t id;
	uint8_t idb[8];

	*out = NULL;
	if (round_get(t, round_id, &rec) != H_OK)
		return record_not_found(t, "round", round_id);
	if (!json_is_object(fields) || fields_known(fields, known, t->err) != H_OK) {
		if (json_is_object(fields))
			refuse_told(t, H_EINVAL, "");
		else
			txn_refuse(t, H_EINVAL, "the application must be an object");
		goto done;
	}
	if (!json_int_in(json_object_get(fields, "group_id"), 1, INT64_MAX, &group_id)) {
		txn_refuse(t, H_EINVAL, "group_id must be an id");
		goto done;
	}
	if (record_need(t, DBI_GROUP, (uint64_t)group_id, "group") != H_OK ||
	    policy_act_for_group(t, a, (uint64_t)group_id, rec_id(rec, "venue_id")) != H_OK ||
	    need_before_deadline(t, rec, now, "applications are closed") != H_OK ||
	    check_preferences(t, rec, json_object_get(fields, "preferences")) != H_OK)
		goto done;
	gk = group_key(round_id, (uint64_t)group_id);
	if (txn_get(t, DBI_ROUND, &gk, &v)) {
		txn_refuse(t, H_EEXISTS,
		           "your group has applied already (application %llu): change that one "
		           "instead",
		           (unsigned long long)key_get_u64(v.mv_data));
		goto done;
	}
	id = txn_next_id(t, "round-application");
	app =
	    json_pack("{sI sI sI sO sI sI sI}", "id", (json_int_t)id, "round_id",
	              (json_int_t)round_id, "group_id", (json_int_t)group_id, "preferences",
	              json_object_get(fields, "preferences"), "created_by", (json_int_t)a->user_id,
	              "created_at", (json_int_t)now, "updated_at", (json_int_t)now);
	{
		struct key k = app_key(round_id, id);

		record_put_key(t, DBI_ROUND, &k, app);
	}
	key_put_u64(idb, id);
	txn_put(t, DBI_ROUND, &gk, idb, sizeof(idb));
	audit_append(t, a, "round", round_id, "apply", NULL, app, now);
	if (t->ret == H_OK)
		*out = app_shown(t, rec, app);
	json_decref(app);
done:
	json_decref(rec);
	return t->ret;
}

/* The round and one of its applications, for a change by a (member or manager) before
 * the deadline. */
static enum herr app_for_change(struct txn *t, const struct actor *a, uint64_t round_id,
                                uint64_t app_id, int64_t now, json_t **rec, json_t **app)
{
	*app = NULL;
	if (round_get(t, round_id, rec) != H_OK)
		return record_not_found(t, "round", round_id);
	if (app_get(t, round_id, app_id, app) != H_OK)
		return record_not_found(t, "application", app_id);
	if (policy_act_for_group(t, a, rec_id(*app, "group_id"), rec_id(*rec, "venue_id")) != H_OK)
		return t->ret;
	return need_before_deadline(t, *rec, now, "applications can no longer change");
}

enum herr round_application_update(struct txn *t, const struct actor *a, uint64_t round_id,
                                   uint64_t app_id, const json_t *fields, int64_t now, json_t **out)
{
	static const char *const known[] = {"preferences", NULL};
	json_t *rec = NULL, *app = NULL;

	*out = NULL;
	if (app_for_change(t, a, round_id, app_id, now, &rec, &app) == H_OK) {
		if (!json_is_object(fields) || fields_known(fields, known, t->err) != H_OK)
			json_is_object(fields)
			    ? refuse_told(t, H_EINVAL, "")
			    : txn_refuse(t, H_EINVAL, "the change must be an object");
		else if (check_preferences(t, rec, json_object_get(fields, "preferences")) ==
		         H_OK) {
			struct key k = app_key(round_id, app_id);

			json_object_set(app, "preferences", json_object_get(fields, "preferences"));
			json_object_set_new(app, "updated_at", json_integer((json_int_t)now));
			record_put_key(t, DBI_ROUND, &k, app);
			audit_append(t, a, "round", round_id, "apply-change", NULL, app, now);
			if (t->ret == H_OK)
				*out = app_shown(t, rec, app);
		}
	}
	json_decref(rec);
	json_decref(app);
	return t->ret;
}

enum herr round_application_withdraw(struct txn *t, const struct actor *a, uint64_t round_id,
                                     uint64_t app_id, int64_t now)
{
	json_t *rec = NULL, *app = NULL;

	if (app_for_change(t, a, round_id, app_id, now, &rec, &app) == H_OK) {
		struct key k = app_key(round_id, app_id);
		struct key gk = group_key(round_id, rec_id(app, "group_id"));

		txn_del(t, DBI_ROUND, &k);
		txn_del(t, DBI_ROUND, &gk);
		audit_append(t, a, "round", round_id, "withdraw", NULL, app, now);
	}
	json_decref(rec);
	json_decref(app);
	return t->ret;
}

/* Every application of the round, in id order, to fn. */
static enum herr apps_each(struct txn *t, uint64_t round_id,
                           bool (*fn)(const json_t *app, void *arg), void *arg)
{
	struct key prefix;
	struct scan sc;

	key_init(&prefix);
	key_u8(&prefix, KEY_APP);
	key_u64(&prefix, round_id);
	scan_begin(&sc, t, DBI_ROUND, &prefix, NULL);
	while (scan_next(&sc)) {
		json_t *app;
		bool more;

		if (app_get(t, round_id, key_get_u64((const uint8_t *)sc.k.mv_data + 9), &app) !=
		    H_OK)
			break;
		more = fn(app, arg);
		json_decref(app);
		if (!more)
			break;
	}
	scan_end(&sc);
	return t->ret;
}

struct app_listing {
	struct txn *t;
	const json_t *rec;
	struct viewer *v;
	bool all;
	json_t *out;
};

static bool app_list_one(const json_t *app, void *arg)
{
	struct app_listing *l = arg;

	if (l->all || viewer_member_of(l->v, rec_id(app, "group_id")))
		json_array_append_new(l->out, app_shown(l->t, l->rec, app));
	return true;
}

enum herr round_applications(struct txn *t, const struct actor *a, uint64_t round_id, int64_t now,
                             json_t *out)
{
	struct viewer v;
	json_t *rec;
	struct app_listing l = {.t = t, .v = &v, .out = out};

	(void)now;
	if (round_get(t, round_id, &rec) != H_OK)
		return record_not_found(t, "round", round_id);
	viewer_load(t, a, &v);
	l.rec = rec;
	l.all = viewer_manages(&v, rec_id(rec, "venue_id")) ||
	        strcmp(json_str(rec, "state") ? json_str(rec, "state") : "", "allocated") == 0;
	apps_each(t, round_id, app_list_one, &l);
	viewer_free(&v);
	json_decref(rec);
	return t->ret;
}

/* The allocation. */

/* True when group_id got a slot in round prev_id's allocation. */
static bool held_in_round(struct txn *t, uint64_t prev_id, uint64_t group_id)
{
	json_t *prev, *a;
	bool held = false;
	size_t i;

	if (round_get(t, prev_id, &prev) != H_OK)
		return false;
	json_array_foreach(
	    json_object_get(json_object_get(json_object_get(prev, "result"), "allocation"),
	                    "applications"),
	    i, a) if (rec_id(a, "group_id") == group_id &&
	              json_is_integer(json_object_get(a, "slot_id"))) held = true;
	json_decref(prev);
	return held;
}

/* The group's priority class: the first of the venue's classes that names it, else the
 * last (everyone else). */
static int64_t group_class(struct txn *t, const json_t *rec, const struct group *g)
{
	json_t *classes = json_object_get(rec, "classes"), *c;
	size_t i;

	json_array_foreach(classes, i, c)
	{
		json_t *kinds = json_object_get(c, "group_kinds"), *k;
		size_t j;

		json_array_foreach(kinds, j,
		                   k) if (strcmp(json_string_value(k), group_kind_name(g->kind)) ==
		                          0) return (int64_t)i +
		    1;
		if (json_is_true(json_object_get(c, "trusted")) &&
		    group_trusted_at(g, rec_id(rec, "venue_id")))
			return (int64_t)i + 1;
		if (json_object_get(c, "held_in_round") != NULL &&
		    held_in_round(t, rec_id(c, "held_in_round"), g->id))
			return (int64_t)i + 1;
	}
	return (int64_t)json_array_size(classes) + 1;
}

struct inputs_build {
	struct txn *t;
	const json_t *rec;
	json_t *apps;
};

static bool inputs_app(const json_t *app, void *arg)
{
	struct inputs_build *b = arg;
	struct group g;

	if (group_get(b->t, rec_id(app, "group_id"), &g) == H_OK)
		json_array_append_new(
		    b->apps, json_pack("{sI sI ss ss sI sO}", "id", (json_int_t)rec_id(app, "id"),
		                       "group_id", (json_int_t)g.id, "group", g.name, "kind",
		                       group_kind_name(g.kind), "class",
		                       (json_int_t)group_class(b->t, b->rec, &g), "preferences",
		                       json_object_get(app, "preferences")));
	group_free(&g);
	return b->t->ret == H_OK;
}

/* What the allocation uses, fixed at the moment it runs. */
static json_t *inputs_make(struct txn *t, const json_t *rec)
{
	struct inputs_build b = {.t = t, .rec = rec, .apps = json_array()};
	json_t *classes = json_array(), *c;
	size_t i;
	struct venue v;
	json_t *out;

	json_array_foreach(json_object_get(rec, "classes"), i, c)
	{
		json_t *o = json_deep_copy(c);

		json_object_set_new(o, "class", json_integer((json_int_t)i + 1));
		json_array_append_new(classes, o);
	}
	apps_each(t, rec_id(rec, "id"), inputs_app, &b);
	venue_get(t, rec_id(rec, "venue_id"), &v);
	out = json_pack(
	    "{sO sO sO ss* sO sO sO sO so so so sO sO}", "round_id", json_object_get(rec, "id"),
	    "round", json_object_get(rec, "name"), "venue_id", json_object_get(rec, "venue_id"),
	    "venue", v.name, "deadline", json_object_get(rec, "deadline"), "commitment",
	    json_object_get(rec, "commitment"), "seed", json_object_get(rec, "seed"), "seed_source",
	    json_object_get(rec, "seed_source"), "classes", classes, "slots",
	    slots_shown(t, json_object_get(rec, "slots")), "applications", b.apps, "first_date",
	    json_object_get(rec, "first_date"), "last_date", json_object_get(rec, "last_date"));
	venue_free(&v);
	return out;
}

/* A granted application's series. */
struct series_job {
	const struct actor *a;
	struct series s;
	bool approve;
	int64_t now;
	struct series_outcome outcome;
};

static enum herr series_job_run(struct txn *t, void *arg)
{
	struct series_job *j = arg;

	series_outcome_free(&j->outcome);
	j->s.id = 0;
	return series_create(t, j->a, &j->s, j->approve, true, j->now, &j->outcome);
}

/* The first day on or after from (to: on or before) that is weekday (1 Monday). */
static int64_t day_on_weekday(int64_t from, int weekday, int step)
{
	for (int i = 0; i < 7; i++) {
		int64_t d = from + step * i;
		int y, m, dd;

		civil_from_days(d, &y, &m, &dd);
		if (civil_weekday(y, m, dd) == weekday - 1)
			return d;
	}
	return from;
}

/* The series' rule for a slot over the season, or NULL with the reason in err. */
static bool series_for_slot(const json_t *rec, const json_t *slot, const char *zone,
                            struct series *s, struct herror *err)
{
	int64_t first, last, d1, dn;
	int wd = (int)json_int(slot, "weekday", 1);
	int from = round_clock_parse(json_str(slot, "start"));
	int to = round_clock_parse(json_str(slot, "end"));
	char rule[64];
	int y, m, d;

	date_parse(json_str(rec, "first_date"), &first);
	date_parse(json_str(rec, "last_date"), &last);
	d1 = day_on_weekday(first, wd, 1);
	dn = day_on_weekday(last, wd, -1);
	if (d1 > last || dn < first) {
		herror_set(err, H_EINVAL, "the season has no such weekday");
		return false;
	}
	civil_from_days(dn, &y, &m, &d);
	snprintf(rule, sizeof(rule), "FREQ=WEEKLY;UNTIL=%04d%02d%02d", y, m, d);
	s->zone = xstrdup(zone);
	s->rrule = series_rule_normalise(rule, zone, err);
	s->first_start = local_instant(zone, d1, from);
	s->duration = (uint32_t)(local_instant(zone, d1, to) - s->first_start);
	s->room_id = rec_id(slot, "room_id");
	s->title = xstrdup(json_str(rec, "name"));
	s->attendees = 1;
	/* The round's date sets: their dates are not asked for. */
	s->skip_date_sets = json_ids(rec, "skip_date_sets", &s->nskip);
	return s->rrule != NULL;
}

static json_t *refused_dates(const struct series_outcome *o, const char *zone)
{
	json_t *out = json_array();

	for (size_t i = 0; i < o->nrefused; i++) {
		char day[WHEN_MAX];

		when_day(o->refused[i].start, zone, day, sizeof(day));
		json_array_append_new(out, json_pack("{ss ss sI}", "date", day, "reason",
		                                     o->refused[i].msg, "start",
		                                     (json_int_t)o->refused[i].start));
	}
	return out;
}

/* Makes the series of one granted application; returns what happened to it. */
static json_t *series_make(struct txn *t, const struct actor *a, const json_t *rec,
                           const json_t *granted, const char *zone, int64_t now)
{
	json_t *slot = json_array_get(json_object_get(rec, "slots"),
	                              (size_t)json_int(granted, "slot_id", 1) - 1);
	struct series_job j = {.a = a, .now = now};
	bool approve = strcmp(json_str(rec, "outcome"), "approved") == 0;
	char words[1024];
	json_t *out;
	enum herr ret;

	series_init(&j.s);
	j.approve = approve;
	j.s.group_id = rec_id(granted, "group_id");
	if (!series_for_slot(rec, slot, zone, &j.s, t->err))
		ret = t->err->code;
	else
		ret = txn_try(t, series_job_run, &j);
	if (ret != H_OK) {
		snprintf(
		    words, sizeof(words),
		    "%s: no series could be made for the slot: %s. A manager will be in touch.",
		    json_str(granted, "group"), t->err->msg);
		out = json_pack("{sO sn sn ss ss}", "application_id",
		                json_object_get(granted, "application_id"), "series_id", "status",
		                "refused", t->err->msg, "words", words);
	} else {
		json_t *shown = slots_shown(t, json_object_get(rec, "slots"));
		json_t *sw = json_array_get(shown, (size_t)json_int(granted, "slot_id", 1) - 1);
		int len = snprintf(
		    words, sizeof(words), "%s: series %llu, %s, %zu weekly dates, %s.",
		    json_str(granted, "group"), (unsigned long long)j.s.id, json_str(sw, "words"),
		    j.outcome.created, approve ? "approved" : "waiting for a manager's approval");

		json_decref(shown);

		for (size_t i = 0; i < j.outcome.nrefused && len > 0 && (size_t)len < sizeof(words);
		     i++) {
			char day[WHEN_MAX];

			when_day(j.outcome.refused[i].start, zone, day, sizeof(day));
			len += snprintf(words + len, sizeof(words) - (size_t)len,
			                " %s was refused: %s.", day, j.outcome.refused[i].msg);
		}
		out = json_pack("{sO sI ss sI so ss}", "application_id",
		                json_object_get(granted, "application_id"), "series_id",
		                (json_int_t)j.s.id, "status", approve ? "approved" : "pending",
		                "dates_booked", (json_int_t)j.outcome.created, "dates_refused",
		                refused_dates(&j.outcome, zone), "words", words);
	}
	series_outcome_free(&j.outcome);
	series_free(&j.s);
	return out;
}

static enum herr need_allocatable(struct txn *t, const json_t *rec, int64_t now)
{
	char zone[64], words[WHEN_MAX];
	int64_t deadline = json_int(rec, "deadline", 0);

	if (strcmp(json_str(rec, "state") ? json_str(rec, "state") : "", "open") != 0)
		return txn_refuse(t, H_ESTATE, "round %llu has been allocated already",
		                  (unsigned long long)rec_id(rec, "id"));
	if (now >= deadline)
		return H_OK;
	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	when_moment(deadline, zone, words, sizeof(words));
	return txn_refuse(t, H_ESTATE,
	                  "the round is open for applications until %s: it can be allocated "
	                  "only after that",
	                  words);
}

enum herr round_allocate(struct txn *t, const struct actor *a, uint64_t id, int64_t now,
                         json_t **out)
{
	json_t *rec, *inputs = NULL, *alloc = NULL, *series, *g;
	char zone[64];
	size_t i;

	*out = NULL;
	if (round_get(t, id, &rec) != H_OK)
		return record_not_found(t, "round", id);
	if (policy_manage_venue(t, a, rec_id(rec, "venue_id")) != H_OK ||
	    need_allocatable(t, rec, now) != H_OK)
		goto done;
	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	inputs = inputs_make(t, rec);
	if (t->ret != H_OK)
		goto done;
	if ((alloc = round_alloc(inputs, NULL, t->err)) == NULL) {
		refuse_told(t, H_EINVAL, "");
		goto done;
	}
	series = json_array();
	json_array_foreach(json_object_get(alloc, "applications"), i, g)
	{
		if (json_is_integer(json_object_get(g, "slot_id")))
			json_array_append_new(series, series_make(t, a, rec, g, zone, now));
		if (t->ret != H_OK)
			break;
	}
	json_object_set(rec, "inputs", inputs);
	json_object_set_new(rec, "result",
	                    json_pack("{sO so}", "allocation", alloc, "series", series));
	json_object_set_new(rec, "state", json_string("allocated"));
	json_object_set_new(rec, "allocated_at", json_integer((json_int_t)now));
	json_object_set_new(rec, "allocated_by", json_integer((json_int_t)a->user_id));
	round_put(t, id, rec);
	notify_round_result(t, a, rec, inputs, alloc, series, now);
	round_audit(t, a, id, "allocate", NULL,
	            json_pack("{sO sO}", "seed", json_object_get(rec, "seed"), "order",
	                      json_object_get(alloc, "order")),
	            now);
	if (t->ret == H_OK)
		round_result(t, id, out);
done:
	json_decref(alloc);
	json_decref(inputs);
	json_decref(rec);
	return t->ret;
}

static enum herr need_allocated(struct txn *t, uint64_t id, json_t **rec)
{
	if (round_get(t, id, rec) != H_OK)
		return record_not_found(t, "round", id);
	if (strcmp(json_str(*rec, "state") ? json_str(*rec, "state") : "", "allocated") != 0)
		return txn_refuse(
		    t, H_ESTATE,
		    "round %llu has not been allocated yet: its inputs and result are "
		    "published when it is",
		    (unsigned long long)id);
	return H_OK;
}

enum herr round_inputs(struct txn *t, uint64_t id, json_t **out)
{
	json_t *rec = NULL;

	*out = NULL;
	if (need_allocated(t, id, &rec) == H_OK)
		*out = json_incref(json_object_get(rec, "inputs"));
	json_decref(rec);
	return t->ret;
}

enum herr round_result(struct txn *t, uint64_t id, json_t **out)
{
	json_t *rec = NULL;

	*out = NULL;
	if (need_allocated(t, id, &rec) == H_OK) {
		*out = json_deep_copy(json_object_get(rec, "result"));
		json_object_set(*out, "round_id", json_object_get(rec, "id"));
		json_object_set(*out, "commitment", json_object_get(rec, "commitment"));
		json_object_set(*out, "seed", json_object_get(rec, "seed"));
		json_object_set(*out, "seed_source", json_object_get(rec, "seed_source"));
		json_object_set(*out, "outcome", json_object_get(rec, "outcome"));
		json_object_set(*out, "allocated_at", json_object_get(rec, "allocated_at"));
	}
	json_decref(rec);
	return t->ret;
}

/* Verifying, from published JSON alone. */

static enum herr verify_commitment(const json_t *inputs, struct herror *err)
{
	uint8_t seed[ROUND_SEED_LEN], want[ROUND_RANK_LEN], got[ROUND_RANK_LEN];

	if (!round_unhex(json_string_value(json_object_get(inputs, "seed")), seed, sizeof(seed)))
		return herror_set(err, H_EINVAL, "the inputs have no seed (64 hex digits)");
	if (!round_unhex(json_string_value(json_object_get(inputs, "commitment")), want,
	                 sizeof(want)))
		return herror_set(err, H_EINVAL, "the inputs have no commitment (64 hex digits)");
	round_commitment(seed, got);
	if (memcmp(got, want, sizeof(got)) != 0)
		return herror_set(err, H_EINVAL,
		                  "SHA-256 of the seed is not the commitment published when the "
		                  "round opened");
	return H_OK;
}

/* Says where two allocations first differ. */
static enum herr verify_differs(const json_t *mine, const json_t *theirs, struct herror *err)
{
	json_t *ma = json_object_get(mine, "applications");
	json_t *ta = json_object_get(theirs, "applications");
	size_t i;

	if (!json_equal(json_object_get(mine, "order"), json_object_get(theirs, "order")))
		return herror_set(err, H_EINVAL,
		                  "the order of applications differs from the result's");
	for (i = 0; i < json_array_size(ma); i++)
		if (!json_equal(json_array_get(ma, i), json_array_get(ta, i)))
			return herror_set(
			    err, H_EINVAL,
			    "application %lld (place %zu) differs: the re-run gives slot "
			    "%lld, the result says %lld",
			    (long long)json_int(json_array_get(ma, i), "application_id", 0), i + 1,
			    (long long)json_int(json_array_get(ma, i), "slot_id", 0),
			    (long long)json_int(json_array_get(ta, i), "slot_id", 0));
	return herror_set(err, H_EINVAL, "the result differs from the re-run");
}

enum herr round_verify(const json_t *inputs, const json_t *result, struct herror *err)
{
	const json_t *theirs = json_object_get(result, "allocation");
	json_t *mine;
	enum herr ret;

	if (theirs == NULL)
		theirs = result;
	if ((ret = verify_commitment(inputs, err)) != H_OK)
		return ret;
	if ((mine = round_alloc(inputs, NULL, err)) == NULL)
		return err->code;
	ret = json_equal(mine, theirs) ? H_OK : verify_differs(mine, theirs, err);
	json_decref(mine);
	return ret;
}

/* The rules page. */

static json_t *rule_of(struct txn *t, const json_t *rec)
{
	json_t *rooms = json_array(), *s, *c, *classes = json_array();
	char zone[64], deadline[WHEN_MAX], says[2048];
	size_t i;
	int len;

	json_array_foreach(json_object_get(rec, "slots"), i, s)
	{
		bool seen = false;
		json_t *r;
		size_t j;

		json_array_foreach(rooms, j, r) seen |=
		    json_equal(r, json_object_get(s, "room_id"));
		if (!seen)
			json_array_append(rooms, json_object_get(s, "room_id"));
	}
	rec_zone(t, rec_id(rec, "venue_id"), zone, sizeof(zone));
	when_moment(json_int(rec, "deadline", 0), zone, deadline, sizeof(deadline));
	len = snprintf(says, sizeof(says),
	               "Round \"%s\": apply by %s for weekly slots from %s to %s; slots go ",
	               json_str(rec, "name"), deadline, json_str(rec, "first_date"),
	               json_str(rec, "last_date"));
	json_array_foreach(json_object_get(rec, "classes"), i, c)
	{
		json_array_append_new(classes, json_string(json_str(c, "says")));
		if (len > 0 && (size_t)len < sizeof(says))
			len += snprintf(says + len, sizeof(says) - (size_t)len, "%s to %s, ",
			                i == 0 ? "first" : "then", json_str(c, "says"));
	}
	json_array_append_new(classes, json_string("everyone else"));
	if (len > 0 && (size_t)len < sizeof(says))
		snprintf(says + len, sizeof(says) - (size_t)len,
		         "%s, in the order of a lottery whose seed's SHA-256 is %.16s...",
		         json_array_size(classes) > 1 ? "then to everyone else" : "to every group",
		         json_str(rec, "commitment"));
	return json_pack("{ss sO so ss sO sO so sO}", "rule", "round", "venue_id",
	                 json_object_get(rec, "venue_id"), "room_ids", rooms, "says", says,
	                 "round_id", json_object_get(rec, "id"), "deadline",
	                 json_object_get(rec, "deadline"), "classes", classes, "commitment",
	                 json_object_get(rec, "commitment"));
}

enum herr round_rules(struct txn *t, uint64_t venue_id, json_t *rules)
{
	struct key prefix;
	struct scan sc;

	key_init(&prefix);
	key_u8(&prefix, KEY_ROUND);
	scan_begin(&sc, t, DBI_ROUND, &prefix, NULL);
	while (scan_next(&sc)) {
		json_t *rec;

		if (round_get(t, key_get_u64((const uint8_t *)sc.k.mv_data + 1), &rec) != H_OK)
			break;
		if ((venue_id == 0 || rec_id(rec, "venue_id") == venue_id) &&
		    strcmp(json_str(rec, "state") ? json_str(rec, "state") : "", "open") == 0)
			json_array_append_new(rules, rule_of(t, rec));
		json_decref(rec);
	}
	scan_end(&sc);
	return t->ret;
}

/* Export and import. */

struct each_app {
	bool (*fn)(const char *kind, json_t *rec, void *arg);
	void *arg;
	bool go;
};

static bool each_app(const json_t *app, void *arg)
{
	struct each_app *e = arg;

	e->go = e->fn("round-application", json_deep_copy(app), e->arg);
	return e->go;
}

enum herr round_each_record(struct txn *t, bool (*fn)(const char *kind, json_t *rec, void *arg),
                            void *arg)
{
	struct each_app e = {fn, arg, true};
	struct key prefix;
	struct scan sc;

	key_init(&prefix);
	key_u8(&prefix, KEY_ROUND);
	scan_begin(&sc, t, DBI_ROUND, &prefix, NULL);
	while (e.go && scan_next(&sc)) {
		uint64_t id = key_get_u64((const uint8_t *)sc.k.mv_data + 1);
		json_t *rec;

		if (round_get(t, id, &rec) != H_OK)
			break;
		e.go = fn("round", rec, arg);
		if (e.go)
			apps_each(t, id, each_app, &e);
	}
	scan_end(&sc);
	return t->ret;
}

/* A slot as round.c made it: its id is its place, a weekday, and a start before its end. */
static bool import_slot_ok(const json_t *s, size_t i)
{
	int64_t id, room_id, wd;
	int from = round_clock_parse(json_str(s, "start"));
	int to = round_clock_parse(json_str(s, "end"));

	return json_is_object(s) && json_int_in(json_object_get(s, "id"), 1, INT64_MAX, &id) &&
	       (size_t)id == i + 1 &&
	       json_int_in(json_object_get(s, "room_id"), 1, INT64_MAX, &room_id) &&
	       json_int_in(json_object_get(s, "weekday"), 1, 7, &wd) && from >= 0 && to > from;
}

/* A class as check_class leaves it: exactly one of group_kinds (known kinds, which the
 * allocation compares as strings), held_in_round (an id) and trusted (true), with its
 * words. */
static bool import_class_ok(const json_t *c)
{
	json_t *kinds = json_object_get(c, "group_kinds"), *k;
	json_t *held = json_object_get(c, "held_in_round");
	json_t *trusted = json_object_get(c, "trusted");
	int64_t held_id;
	size_t i;

	if (!json_is_object(c) || !json_is_string(json_object_get(c, "says")) ||
	    (kinds != NULL) + (held != NULL) + (trusted != NULL) != 1)
		return false;
	if (held != NULL)
		return json_int_in(held, 1, INT64_MAX, &held_id);
	if (trusted != NULL)
		return json_is_true(trusted);
	if (!json_is_array(kinds) || json_array_size(kinds) == 0 || json_array_size(kinds) > 5)
		return false;
	json_array_foreach(kinds, i, k)
	{
		enum group_kind gk;

		if (!json_is_string(k) || group_kind_parse(json_string_value(k), &gk) != 0)
			return false;
	}
	return true;
}

/* The fields the rest of this file reads from a stored round, as it reads them; the
 * words name the first that is wrong. */
static enum herr import_round_check(struct txn *t, uint64_t id, const json_t *o)
{
	const char *outcome = json_str(o, "outcome"), *state = json_str(o, "state");
	json_t *slots = json_object_get(o, "slots"), *classes = json_object_get(o, "classes"), *v;
	uint8_t seed[ROUND_SEED_LEN], want[ROUND_RANK_LEN], got[ROUND_RANK_LEN];
	int64_t first, last, n;
	uint64_t *ids = NULL;
	size_t nids = 0, i;
	const char *wrong = NULL;

	if (text_check(json_str(o, "name"), "name", NAME_MAX_BYTES, true, false, t->err) != H_OK)
		wrong = "a name";
	else if (!date_parse(json_str(o, "first_date"), &first) ||
	         !date_parse(json_str(o, "last_date"), &last) || last < first)
		wrong = "a first_date and a last_date not before it";
	else if (!json_int_in(json_object_get(o, "deadline"), INT64_MIN, INT64_MAX, &n) ||
	         !json_int_in(json_object_get(o, "created_at"), INT64_MIN, INT64_MAX, &n))
		wrong = "a deadline and a created_at (seconds)";
	else if (outcome == NULL ||
	         (strcmp(outcome, "pending") != 0 && strcmp(outcome, "approved") != 0))
		wrong = "an outcome, pending or approved";
	else if (state == NULL || (strcmp(state, "open") != 0 && strcmp(state, "allocated") != 0))
		wrong = "a state, open or allocated";
	else if (!round_unhex(json_str(o, "seed"), seed, sizeof(seed)) ||
	         !round_unhex(json_str(o, "commitment"), want, sizeof(want)) ||
	         (round_commitment(seed, got), memcmp(got, want, sizeof(got)) != 0))
		wrong = "a seed and its commitment (SHA-256 of the seed), 64 hex digits each";
	else if (!json_is_string(json_object_get(o, "seed_source")))
		wrong = "a seed_source";
	else if (!json_is_array(slots) || json_array_size(slots) == 0 ||
	         json_array_size(slots) > ROUND_SLOTS_MAX)
		wrong = "slots";
	else if (!json_is_array(classes) || json_array_size(classes) > ROUND_CLASSES_MAX - 1)
		wrong = "classes";
	else if (field_ids(&ids, &nids, o, "skip_date_sets", t->err) != H_OK ||
	         !json_is_array(json_object_get(o, "skip_date_sets")))
		wrong = "skip_date_sets (a list of ids)";
	else if (strcmp(state, "allocated") == 0 &&
	         (!json_is_object(json_object_get(o, "inputs")) ||
	          !json_is_object(json_object_get(o, "result")) ||
	          !json_int_in(json_object_get(o, "allocated_at"), INT64_MIN, INT64_MAX, &n)))
		wrong = "its inputs, result and allocated_at, as it is allocated";
	free(ids);
	json_array_foreach(slots, i, v) if (wrong == NULL && !import_slot_ok(v, i)) wrong =
	    "slots, each with its place as id, a room_id, a weekday and a start before its end";
	json_array_foreach(classes, i, v) if (wrong == NULL && !import_class_ok(v)) wrong =
	    "classes, each an object with its words (says)";
	if (wrong != NULL)
		return txn_refuse(t, H_EINVAL, "round %llu needs %s", (unsigned long long)id,
		                  wrong);
	return H_OK;
}

static enum herr import_round(struct txn *t, uint64_t id, const json_t *o)
{
	uint64_t venue_id = rec_id(o, "venue_id");
	json_t *had;

	if (round_get(t, id, &had) == H_OK) {
		json_decref(had);
		return txn_refuse(t, H_EEXISTS, "round %llu appears twice", (unsigned long long)id);
	}
	if (!record_exists(t, DBI_VENUE, venue_id))
		return txn_refuse(t, H_EINVAL,
		                  "round %llu refers to venue %llu, which is not loaded",
		                  (unsigned long long)id, (unsigned long long)venue_id);
	if (import_round_check(t, id, o) != H_OK)
		return t->ret;
	round_put(t, id, o);
	return t->ret;
}

static enum herr import_application(struct txn *t, uint64_t id, const json_t *o)
{
	uint64_t round_id = rec_id(o, "round_id"), group_id = rec_id(o, "group_id");
	json_t *rec = NULL, *had;
	struct key k, gk;
	uint8_t idb[8];
	MDB_val v;

	if (round_get(t, round_id, &rec) != H_OK)
		return txn_refuse(t, H_EINVAL,
		                  "application %llu refers to round %llu, which is not loaded",
		                  (unsigned long long)id, (unsigned long long)round_id);
	gk = group_key(round_id, group_id);
	if (app_get(t, round_id, id, &had) == H_OK)
		txn_refuse(t, H_EEXISTS, "application %llu appears twice", (unsigned long long)id);
	else if ((int64_t)group_id <= 0 || (int64_t)round_id <= 0)
		txn_refuse(t, H_EINVAL, "application %llu needs a round_id and a group_id",
		           (unsigned long long)id);
	else if (txn_get(t, DBI_ROUND, &gk, &v) == 1)
		txn_refuse(t, H_EEXISTS, "group %llu applies to round %llu twice",
		           (unsigned long long)group_id, (unsigned long long)round_id);
	else if (check_preferences(t, rec, json_object_get(o, "preferences")) == H_OK) {
		k = app_key(round_id, id);
		record_put_key(t, DBI_ROUND, &k, o);
		key_put_u64(idb, id);
		txn_put(t, DBI_ROUND, &gk, idb, sizeof(idb));
	}
	json_decref(had);
	json_decref(rec);
	return t->ret;
}

enum herr round_import(struct txn *t, const char *kind, const json_t *o)
{
	int64_t id;

	if (!json_is_object(o) || !json_int_in(json_object_get(o, "id"), 1, INT64_MAX, &id))
		return txn_refuse(t, H_EINVAL, "a %s needs a positive id", kind);
	if (strcmp(kind, "round") == 0)
		return import_round(t, (uint64_t)id, o);
	return import_application(t, (uint64_t)id, o);
}
