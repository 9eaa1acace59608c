#include "allowance.h"

#include "audit.h"
#include "group.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "text.h"
#include "tz.h"
#include "venue.h"
#include "view.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entries of DBI_ALLOWANCE, told apart by their first byte:
 *   'A' | allowance u64          -> record (RECORD_V1, JSON: allowance_to_json)
 *   'G' | group u64 | allowance u64 -> ""   (a group's allowances, for judging)
 *   'V' | venue u64 | allowance u64 -> ""   (a venue's; venue 0: the borough's)
 *   e.g. 47  00 00 00 00 00 00 00 05  00 00 00 00 00 00 00 01 -> ""
 *        (allowance 1 of group 5) */

#define KEY_RECORD  'A'
#define KEY_GROUP   'G'
#define KEY_VENUE   'V'
#define NOTE_MAX    500
#define NAME_MAX    100
#define ROOMS_MAX   100
#define TERMS_MAX   20
#define MINUTES_MAX (366u * 24u * 60u) /* a year's every minute */
#define WORDS_MAX   1024

static const char *const period_names[] = {"week", "month", "term", "year"};
static const char *const over_names[] = {"refuse", "approval"};
static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

void allowance_init(struct allowance *al)
{
	memset(al, 0, sizeof(*al));
	al->period = ALLOWANCE_MONTH;
}

static void terms_free(struct allowance_term *terms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(terms[i].name);
	free(terms);
}

void allowance_free(struct allowance *al)
{
	free(al->room_ids);
	terms_free(al->terms, al->n_terms);
	free(al->note);
	allowance_init(al);
}

/* Keys. */

static struct key record_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_RECORD);
	key_u64(&k, id);
	return k;
}

static struct key index_key(uint8_t kind, uint64_t owner, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, kind);
	key_u64(&k, owner);
	key_u64(&k, id);
	return k;
}

/* Dates, as local days from 1970-01-01. */

static void date_text(int64_t day, char out[16])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m, d);
}

static bool date_parse(const char *s, int64_t *day)
{
	int y, m, d, n = 0, y2, m2, d2;

	if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[4] != '-' || s[7] != '-' || y < TIME_YEAR_MIN || y > TIME_YEAR_MAX ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*day = days_from_civil(y, m, d);
	/* 31 February comes back as another day. */
	civil_from_days(*day, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d;
}

/* "1 September 2026"; year false: "1 September". */
static void date_words(int64_t day, bool year, char *out, size_t size)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	if (year)
		snprintf(out, size, "%d %s %d", d, month_names[m - 1], y);
	else
		snprintf(out, size, "%d %s", d, month_names[m - 1]);
}

/* The record. */

static json_t *terms_to_json(const struct allowance *al)
{
	json_t *a = json_array();

	for (size_t i = 0; i < al->n_terms; i++) {
		char first[16], last[16];
		json_t *o;

		date_text(al->terms[i].first, first);
		date_text(al->terms[i].last, last);
		o = json_pack("{s:s, s:s}", "start", first, "end", last);
		if (al->terms[i].name != NULL)
			json_object_set_new(o, "name", json_string(al->terms[i].name));
		json_array_append_new(a, o);
	}
	return a;
}

json_t *allowance_to_json(const struct allowance *al)
{
	json_t *o = json_pack(
	    "{s:I, s:I, s:o, s:o, s:s, s:I, s:s}", "id", (json_int_t)al->id, "group_id",
	    (json_int_t)al->group_id, "venue_id",
	    al->venue_id != 0 ? json_integer((json_int_t)al->venue_id) : json_null(), "room_ids",
	    json_ids_new(al->room_ids, al->n_rooms), "period", period_names[al->period], "minutes",
	    (json_int_t)al->minutes, "over", over_names[al->over]);

	json_object_set_new(o, "terms", terms_to_json(al));
	json_object_set_new(o, "note", al->note != NULL ? json_string(al->note) : json_null());
	return o;
}

static int name_index(const char *s, const char *const *names, int n)
{
	for (int i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static enum herr terms_apply(struct allowance *al, const json_t *v, struct herror *err)
{
	struct allowance_term *terms;
	size_t i, n;
	json_t *o;

	if (!json_is_array(v) || json_array_size(v) > TERMS_MAX)
		return herror_set(err, H_EINVAL,
		                  "terms must be a list of at most %d terms, each {\"start\": "
		                  "\"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\", \"name\"}",
		                  TERMS_MAX);
	n = json_array_size(v);
	terms = xcalloc(n ? n : 1, sizeof(*terms));
	json_array_foreach(v, i, o)
	{
		const char *name = json_str(o, "name");
		static const char *const known[] = {"start", "end", "name", NULL};

		if (!json_is_object(o) || fields_known(o, known, err) != H_OK ||
		    !date_parse(json_str(o, "start"), &terms[i].first) ||
		    !date_parse(json_str(o, "end"), &terms[i].last)) {
			terms_free(terms, n);
			return herror_set(err, H_EINVAL,
			                  "term %zu needs a start and an end, each a date "
			                  "\"YYYY-MM-DD\"",
			                  i + 1);
		}
		if (terms[i].last < terms[i].first) {
			terms_free(terms, n);
			return herror_set(err, H_EINVAL, "term %zu ends before it starts", i + 1);
		}
		if ((json_object_get(o, "name") != NULL &&
		     !json_is_null(json_object_get(o, "name")) && name == NULL) ||
		    text_check(name, "a term's name", NAME_MAX, false, false, err) != H_OK) {
			terms_free(terms, n);
			return herror_set(err, H_EINVAL,
			                  "term %zu's name must be text of at most %d bytes", i + 1,
			                  NAME_MAX);
		}
		terms[i].name = xstrdup_or_null(name);
		for (size_t j = 0; j < i; j++)
			if (terms[j].first <= terms[i].last && terms[i].first <= terms[j].last) {
				terms_free(terms, n);
				return herror_set(err, H_EINVAL, "terms %zu and %zu overlap", j + 1,
				                  i + 1);
			}
	}
	terms_free(al->terms, al->n_terms);
	al->terms = terms;
	al->n_terms = n;
	return H_OK;
}

/* "minutes" (a whole number) or "hours" (a number whose minutes are whole). */
static enum herr amount_apply(struct allowance *al, const json_t *fields, bool required,
                              struct herror *err)
{
	json_t *minutes = json_object_get(fields, "minutes"),
	       *hours = json_object_get(fields, "hours");
	int64_t m;

	if (minutes != NULL && hours != NULL)
		return herror_set(err, H_EINVAL, "give minutes or hours, not both");
	if (minutes == NULL && hours == NULL)
		return required ? herror_set(err, H_EINVAL, "hours (or minutes) is required")
		                : H_OK;
	if (minutes != NULL) {
		if (!json_int_in(minutes, 1, MINUTES_MAX, &m))
			return herror_set(err, H_EINVAL,
			                  "minutes must be a whole number from 1 to %u",
			                  MINUTES_MAX);
	} else {
		double h = json_is_number(hours) ? json_number_value(hours) : -1;

		m = (int64_t)(h * 60 + 0.5);
		if (!(h > 0 && h <= MINUTES_MAX / 60.0) || m < 1 || (double)m != h * 60)
			return herror_set(
			    err, H_EINVAL,
			    "hours must be a number from 1 minute to %u hours, in whole "
			    "minutes",
			    MINUTES_MAX / 60);
	}
	al->minutes = (uint32_t)m;
	return H_OK;
}

static enum herr enum_apply(int *dst, const json_t *fields, const char *key,
                            const char *const *names, int n, const char *says, struct herror *err)
{
	json_t *v = json_object_get(fields, key);
	int i;

	if (v == NULL)
		return H_OK;
	if ((i = name_index(json_string_value(v), names, n)) < 0)
		return herror_set(err, H_EINVAL, "%s must be %s", key, says);
	*dst = i;
	return H_OK;
}

/* group_id and venue_id, only when the allowance is made. */
static enum herr owner_apply(struct allowance *al, const json_t *fields, struct herror *err)
{
	json_t *venue = json_object_get(fields, "venue_id");
	int64_t v = 0;

	if (json_object_get(fields, "group_id") == NULL)
		return herror_set(err, H_EINVAL, "group_id is required");
	if (field_id(&al->group_id, fields, "group_id", err) != H_OK)
		return H_EINVAL;
	if (venue != NULL && !json_is_null(venue) && !json_int_in(venue, 1, INT64_MAX, &v))
		return herror_set(err, H_EINVAL, "venue_id must be an id, or null for the borough");
	al->venue_id = (uint64_t)v;
	return H_OK;
}

enum herr allowance_apply(struct allowance *al, const json_t *fields, bool create,
                          struct herror *err)
{
	static const char *const known[] = {"group_id", "venue_id", "room_ids", "period", "terms",
	                                    "minutes",  "hours",    "over",     "note",   NULL};
	static const char *const changeable[] = {"room_ids", "period", "terms", "minutes",
	                                         "hours",    "over",   "note",  NULL};
	json_t *rooms = json_object_get(fields, "room_ids");
	json_t *terms = json_object_get(fields, "terms");
	int period = (int)al->period, over = (int)al->over;

	if (!json_is_object(fields))
		return herror_set(err, H_EINVAL, "an allowance is a JSON object");
	if (fields_known(fields, create ? known : changeable, err) != H_OK)
		return H_EINVAL;
	if (create && owner_apply(al, fields, err) != H_OK)
		return H_EINVAL;
	if (create && json_object_get(fields, "period") == NULL)
		return herror_set(err, H_EINVAL, "period is required: week, month, term or year");
	if (rooms != NULL && (!json_is_array(rooms) || json_array_size(rooms) > ROOMS_MAX))
		return herror_set(err, H_EINVAL, "room_ids must be a list of at most %d ids",
		                  ROOMS_MAX);
	if (field_ids(&al->room_ids, &al->n_rooms, fields, "room_ids", err) != H_OK ||
	    enum_apply(&period, fields, "period", period_names, 4, "week, month, term or year",
	               err) != H_OK ||
	    enum_apply(&over, fields, "over", over_names, 2, "\"refuse\" or \"approval\"", err) !=
	        H_OK ||
	    (terms != NULL && terms_apply(al, terms, err) != H_OK) ||
	    amount_apply(al, fields, create, err) != H_OK ||
	    field_text(&al->note, fields, "note", NOTE_MAX, false, true, err) != H_OK)
		return H_EINVAL;
	al->period = (enum allowance_period)period;
	al->over = (enum allowance_over)over;
	if (al->period == ALLOWANCE_TERM && al->n_terms == 0)
		return herror_set(err, H_EINVAL, "an allowance per term needs its terms");
	if (al->period != ALLOWANCE_TERM && terms != NULL && al->n_terms > 0)
		return herror_set(err, H_EINVAL, "terms are for an allowance per term");
	if (al->period != ALLOWANCE_TERM) {
		terms_free(al->terms, al->n_terms);
		al->terms = NULL;
		al->n_terms = 0;
	}
	if (al->venue_id == 0 && al->n_rooms > 0)
		return herror_set(
		    err, H_EINVAL,
		    "rooms are named with their venue: give venue_id, or no room_ids");
	return H_OK;
}

enum herr allowance_from_json(const json_t *o, struct allowance *al, struct herror *err)
{
	json_t *fields = json_deep_copy(o);
	enum herr ret;

	allowance_init(al);
	al->id = (uint64_t)json_int(o, "id", 0);
	json_object_del(fields, "id");
	ret = allowance_apply(al, fields, true, err);
	json_decref(fields);
	return ret;
}

enum herr allowance_get(struct txn *t, uint64_t id, struct allowance *out)
{
	struct key k = record_key(id);
	json_t *o;
	enum herr ret = record_get_key(t, DBI_ALLOWANCE, &k, "allowance", id, &o);

	allowance_init(out);
	if (ret != H_OK)
		return ret;
	ret = allowance_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "allowance %llu is corrupt", (unsigned long long)id);
}

/* Writing. */

void allowance_store(struct txn *t, const struct allowance *al)
{
	struct key k = record_key(al->id), g = index_key(KEY_GROUP, al->group_id, al->id),
	           v = index_key(KEY_VENUE, al->venue_id, al->id);
	json_t *o = allowance_to_json(al);

	record_put_key(t, DBI_ALLOWANCE, &k, o);
	txn_put(t, DBI_ALLOWANCE, &g, "", 0);
	txn_put(t, DBI_ALLOWANCE, &v, "", 0);
	json_decref(o);
}

static void allowance_unstore(struct txn *t, const struct allowance *al)
{
	struct key k = record_key(al->id), g = index_key(KEY_GROUP, al->group_id, al->id),
	           v = index_key(KEY_VENUE, al->venue_id, al->id);

	txn_del(t, DBI_ALLOWANCE, &k);
	txn_del(t, DBI_ALLOWANCE, &g);
	txn_del(t, DBI_ALLOWANCE, &v);
}

bool allowance_exists(struct txn *t, uint64_t id)
{
	struct key k = record_key(id);
	MDB_val v;

	return txn_get(t, DBI_ALLOWANCE, &k, &v) == 1;
}

/* Who may change al: the managers of its venue, admins across the borough. */
static enum herr allowance_may_change(struct txn *t, const struct actor *a,
                                      const struct allowance *al)
{
	if (al->venue_id == 0)
		return policy_admin(t, a);
	return policy_manage_venue(t, a, al->venue_id);
}

/* The group, venue and rooms al names exist, and the rooms are the venue's. */
static enum herr allowance_check_refs(struct txn *t, const struct allowance *al)
{
	if (record_need(t, DBI_GROUP, al->group_id, "group") != H_OK ||
	    (al->venue_id != 0 && record_need(t, DBI_VENUE, al->venue_id, "venue") != H_OK))
		return t->ret;
	for (size_t i = 0; i < al->n_rooms; i++) {
		struct room r;

		room_init(&r);
		if (room_get(t, al->room_ids[i], &r) != H_OK) {
			room_free(&r);
			return record_not_found(t, "room", al->room_ids[i]);
		}
		if (r.venue_id != al->venue_id) {
			room_free(&r);
			return txn_refuse(t, H_EINVAL, "room %llu is not at venue %llu",
			                  (unsigned long long)al->room_ids[i],
			                  (unsigned long long)al->venue_id);
		}
		room_free(&r);
	}
	return t->ret;
}

static void allowance_audit(struct txn *t, const struct actor *a, const struct allowance *al,
                            const char *action, int64_t now)
{
	json_t *detail = allowance_to_json(al);

	audit_append(t, a, "allowance", al->id, action, al->note, detail, now);
	json_decref(detail);
}

enum herr allowance_create(struct txn *t, const struct actor *a, const json_t *fields, int64_t now,
                           uint64_t *id)
{
	struct allowance al;
	struct herror e;

	allowance_init(&al);
	herror_clear(&e);
	if (allowance_apply(&al, fields, true, &e) != H_OK)
		txn_refuse(t, H_EINVAL, "%s", e.msg);
	else if (allowance_may_change(t, a, &al) == H_OK && allowance_check_refs(t, &al) == H_OK) {
		al.id = txn_next_id(t, "allowance");
		allowance_store(t, &al);
		allowance_audit(t, a, &al, "create", now);
		if (id != NULL)
			*id = al.id;
	}
	allowance_free(&al);
	return t->ret;
}

enum herr allowance_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                           int64_t now)
{
	struct allowance al;
	struct herror e;

	herror_clear(&e);
	if (allowance_get(t, id, &al) != H_OK) {
		allowance_free(&al);
		return record_not_found(t, "allowance", id);
	}
	if (allowance_may_change(t, a, &al) == H_OK) {
		if (allowance_apply(&al, fields, false, &e) != H_OK)
			txn_refuse(t, H_EINVAL, "%s", e.msg);
		else if (allowance_check_refs(t, &al) == H_OK) {
			allowance_store(t, &al);
			allowance_audit(t, a, &al, "update", now);
		}
	}
	allowance_free(&al);
	return t->ret;
}

enum herr allowance_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct allowance al;

	if (allowance_get(t, id, &al) != H_OK) {
		allowance_free(&al);
		return record_not_found(t, "allowance", id);
	}
	if (allowance_may_change(t, a, &al) == H_OK) {
		allowance_unstore(t, &al);
		allowance_audit(t, a, &al, "remove", now);
	}
	allowance_free(&al);
	return t->ret;
}

/* Reading. */

static bool visit(struct txn *t, uint64_t id, bool (*fn)(const struct allowance *al, void *arg),
                  void *arg)
{
	struct allowance al;
	bool more;

	if (allowance_get(t, id, &al) != H_OK) {
		allowance_free(&al);
		txn_refuse(t, H_ESTORAGE, "allowance %llu is missing", (unsigned long long)id);
		return false;
	}
	more = fn(&al, arg);
	allowance_free(&al);
	return more;
}

/* Scans entries of kind (and owner, with_owner) and visits the allowance each names
 * (at offset in the key), skipping those filtered out by the other owner. */
struct each_ctx {
	uint64_t venue_id, group_id; /* 0: any; venue ALLOWANCE_BOROUGH: venue 0 */
	bool (*fn)(const struct allowance *al, void *arg);
	void *arg;
};

static bool each_filter(const struct allowance *al, void *arg)
{
	struct each_ctx *c = arg;
	uint64_t venue = c->venue_id == ALLOWANCE_BOROUGH ? 0 : c->venue_id;

	if (c->group_id != 0 && al->group_id != c->group_id)
		return true;
	if (c->venue_id != 0 && al->venue_id != venue)
		return true;
	return c->fn(al, c->arg);
}

enum herr allowance_each(struct txn *t, uint64_t venue_id, uint64_t group_id,
                         bool (*fn)(const struct allowance *al, void *arg), void *arg)
{
	struct each_ctx c = {venue_id, group_id, fn, arg};
	struct key prefix;
	struct scan s;
	bool more = true;
	size_t idlen = 9;

	key_init(&prefix);
	if (group_id != 0) {
		key_u8(&prefix, KEY_GROUP);
		key_u64(&prefix, group_id);
		idlen = 17;
	} else if (venue_id != 0) {
		key_u8(&prefix, KEY_VENUE);
		key_u64(&prefix, venue_id == ALLOWANCE_BOROUGH ? 0 : venue_id);
		idlen = 17;
	} else
		key_u8(&prefix, KEY_RECORD);
	scan_begin(&s, t, DBI_ALLOWANCE, &prefix, NULL);
	while (more && scan_next(&s)) {
		if (s.k.mv_size != idlen) {
			txn_refuse(t, H_ESTORAGE, "an allowance entry is corrupt");
			break;
		}
		more = visit(t, key_get_u64((const uint8_t *)s.k.mv_data + idlen - 8), each_filter,
		             &c);
	}
	scan_end(&s);
	return t->ret;
}

char *allowance_zone(struct txn *t, const struct allowance *al)
{
	char *zone = NULL;

	if (al->venue_id == 0)
		return xstrdup(TZ_DEFAULT);
	/* A venue that has gone reads in the default zone; that is not a refusal here. */
	if (record_exists(t, DBI_VENUE, al->venue_id))
		place_zone(t, al->venue_id, 0, &zone);
	return zone != NULL ? zone : xstrdup(TZ_DEFAULT);
}

/* Periods. */

static int64_t local_midnight(const char *zone, int64_t day)
{
	struct localtm lt = {0};

	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	return tz_at_or_after(zone, &lt);
}

/* The period of al containing instant at, in zone, as local days [*first, *end); false
 * outside every term. *term: the term's index (ALLOWANCE_TERM). */
static bool period_days(const struct allowance *al, const char *zone, int64_t at, int64_t *first,
                        int64_t *end, size_t *term)
{
	struct localtm lt;
	int64_t day;

	tz_to_local(zone, at, &lt);
	day = days_from_civil(lt.year, lt.month, lt.day);
	switch (al->period) {
	case ALLOWANCE_WEEK:
		*first = day - lt.wday;
		*end = *first + 7;
		return true;
	case ALLOWANCE_MONTH:
		*first = days_from_civil(lt.year, lt.month, 1);
		*end = lt.month == 12 ? days_from_civil(lt.year + 1, 1, 1)
		                      : days_from_civil(lt.year, lt.month + 1, 1);
		return true;
	case ALLOWANCE_YEAR:
		*first = days_from_civil(lt.year, 1, 1);
		*end = days_from_civil(lt.year + 1, 1, 1);
		return true;
	case ALLOWANCE_TERM:
	default:
		for (size_t i = 0; i < al->n_terms; i++)
			if (al->terms[i].first <= day && day <= al->terms[i].last) {
				*first = al->terms[i].first;
				*end = al->terms[i].last + 1;
				*term = i;
				return true;
			}
		return false;
	}
}

/* Whether booking b (in room room_id at venue venue_id) is in al's scope. */
static bool in_scope(const struct allowance *al, uint64_t room_id, uint64_t venue_id)
{
	if (al->venue_id != 0 && al->venue_id != venue_id)
		return false;
	if (al->n_rooms == 0)
		return true;
	for (size_t i = 0; i < al->n_rooms; i++)
		if (al->room_ids[i] == room_id)
			return true;
	return false;
}

struct count_ctx {
	struct txn *t;
	const struct allowance *al;
	int64_t start, end;
	uint64_t exclude;
	int64_t seconds;
};

static bool count_one(const struct booking *b, void *arg)
{
	struct count_ctx *c = arg;

	if (b->id == c->exclude || b->start < c->start || b->start >= c->end ||
	    (b->status != BOOKING_PENDING && b->status != BOOKING_APPROVED))
		return true;
	if (c->al->n_rooms > 0 && !in_scope(c->al, b->room_id, c->al->venue_id))
		return true;
	c->seconds += b->end - b->start;
	return true;
}

/* Seconds of the group's pending and approved bookings in al's scope that start in
 * [start, end), other than booking exclude. */
static int64_t used_seconds(struct txn *t, const struct allowance *al, int64_t start, int64_t end,
                            uint64_t exclude)
{
	struct count_ctx c = {t, al, start, end, exclude, 0};
	struct booking_filter f;

	booking_filter_init(&f);
	f.group_id = al->group_id;
	f.venue_id = al->venue_id;
	f.from = start;
	f.to = end;
	if (!record_exists(t, DBI_GROUP, al->group_id) ||
	    (al->venue_id != 0 && !record_exists(t, DBI_VENUE, al->venue_id)))
		return 0; /* nothing can be booked for a group or at a venue that has gone */
	booking_each(t, &f, count_one, &c);
	return c.seconds;
}

enum herr allowance_use_at(struct txn *t, const struct allowance *al, const char *zone, int64_t at,
                           struct allowance_use *out)
{
	int64_t first, end;
	size_t term = 0;

	memset(out, 0, sizeof(*out));
	if (!period_days(al, zone, at, &first, &end, &term))
		return t->ret;
	out->applies = true;
	out->start = local_midnight(zone, first);
	out->end = local_midnight(zone, end);
	out->used_seconds = used_seconds(t, al, out->start, out->end, 0);
	return t->ret;
}

/* Words. */

/* "10", "1 hour" (unit), "10 hours 30 minutes" (always with units when not whole). */
static void hours_words(int64_t seconds, bool unit, char *out, size_t size)
{
	int64_t minutes = seconds / 60, h = minutes / 60, m = minutes % 60;

	if (m == 0 && !unit)
		snprintf(out, size, "%lld", (long long)h);
	else if (m == 0)
		snprintf(out, size, "%lld hour%s", (long long)h, h == 1 ? "" : "s");
	else if (h == 0)
		snprintf(out, size, "%lld minute%s", (long long)m, m == 1 ? "" : "s");
	else
		snprintf(out, size, "%lld hour%s %lld minute%s", (long long)h, h == 1 ? "" : "s",
		         (long long)m, m == 1 ? "" : "s");
}

/* The period's own name: "December 2026", "Monday 30 November to Sunday 6 December 2026",
 * "Autumn term, 1 September to 18 December 2026", "2026"; false outside every term. */
static bool period_label(const struct allowance *al, const char *zone, int64_t at, char *out,
                         size_t size)
{
	int64_t first = 0, end = 0;
	size_t term = 0;
	char a[48], b[48], name[NAME_MAX + 8];
	int y, m, d;

	if (!period_days(al, zone, at, &first, &end, &term)) {
		snprintf(out, size, "outside its terms");
		return false;
	}
	civil_from_days(first, &y, &m, &d);
	date_words(first, false, a, sizeof(a));
	date_words(end - 1, true, b, sizeof(b));
	if (al->period == ALLOWANCE_WEEK)
		snprintf(out, size, "Monday %s to Sunday %s", a, b);
	else if (al->period == ALLOWANCE_MONTH)
		snprintf(out, size, "%s %d", month_names[m - 1], y);
	else if (al->period == ALLOWANCE_YEAR)
		snprintf(out, size, "%d", y);
	else if (al->terms[term].name != NULL) {
		text_quote(name, sizeof(name), al->terms[term].name, NAME_MAX);
		snprintf(out, size, "%s, %s to %s", name, a, b);
	} else
		snprintf(out, size, "%s to %s", a, b);
	return true;
}

/* "this month (December 2026)", "this week (Monday 30 November to ...)", ... */
static void period_words(const struct allowance *al, const char *zone, int64_t at, char *out,
                         size_t size)
{
	char label[256];

	if (period_label(al, zone, at, label, sizeof(label)))
		text_format(out, size, "this %s (%s)", period_names[al->period], label);
	else
		snprintf(out, size, "%s", label);
}

static void group_words(struct txn *t, uint64_t group_id, char *out, size_t size)
{
	struct group g;

	group_init(&g);
	if (record_exists(t, DBI_GROUP, group_id) && group_get(t, group_id, &g) == H_OK)
		text_quote(out, size, g.name, 80);
	else
		snprintf(out, size, "group %llu", (unsigned long long)group_id);
	group_free(&g);
}

static void room_name(struct txn *t, uint64_t id, char *out, size_t size)
{
	struct room r;

	room_init(&r);
	if (record_exists(t, DBI_ROOM, id) && room_get(t, id, &r) == H_OK)
		text_quote(out, size, r.name, 60);
	else
		snprintf(out, size, "room %llu", (unsigned long long)id);
	room_free(&r);
}

/* "at Hartley Road Community Centre", "in Main Hall and Committee Room at ...",
 * "across the borough". */
static void scope_words(struct txn *t, const struct allowance *al, char *out, size_t size)
{
	char venue[128], rooms[512] = "";
	struct venue v;
	size_t len = 0;

	if (al->venue_id == 0) {
		snprintf(out, size, "across the borough");
		return;
	}
	snprintf(venue, sizeof(venue), "venue %llu", (unsigned long long)al->venue_id);
	if (record_exists(t, DBI_VENUE, al->venue_id)) {
		/* venue_get initialises v whatever it finds. */
		if (venue_get(t, al->venue_id, &v) == H_OK)
			text_quote(venue, sizeof(venue), v.name, 100);
		venue_free(&v);
	}
	for (size_t i = 0; i < al->n_rooms && i < 5 && len + 80 < sizeof(rooms); i++) {
		char name[72];

		room_name(t, al->room_ids[i], name, sizeof(name));
		len += (size_t)snprintf(rooms + len, sizeof(rooms) - len, "%s%s",
		                        i == 0 ? ""
		                        : i + 1 == al->n_rooms || (i == 4 && al->n_rooms == 5)
		                            ? " and "
		                            : ", ",
		                        name);
	}
	if (al->n_rooms > 5)
		snprintf(rooms + len, sizeof(rooms) - len, " and %zu more rooms", al->n_rooms - 5);
	if (al->n_rooms > 0)
		snprintf(out, size, "in %s at %s", rooms, venue);
	else
		snprintf(out, size, "at %s", venue);
}

/* "Hartley Road Residents' Association has used 10 of its 12 hours at Hartley Road
 * Community Centre this month (December 2026); this booking of 3 hours would make 13". */
static void over_words(struct txn *t, const struct allowance *al, const char *zone, int64_t at,
                       int64_t used, int64_t length, char *out, size_t size)
{
	char group[128], scope[768], period[256], u[48], limit[48], len[48], total[48];

	group_words(t, al->group_id, group, sizeof(group));
	scope_words(t, al, scope, sizeof(scope));
	period_words(al, zone, at, period, sizeof(period));
	hours_words(used, false, u, sizeof(u));
	hours_words((int64_t)al->minutes * 60, true, limit, sizeof(limit));
	hours_words(length, true, len, sizeof(len));
	hours_words(used + length, false, total, sizeof(total));
	text_format(out, size, "%s has used %s of its %s %s %s; this booking of %s would make %s",
	            group, u, limit, scope, period, len, total);
}

/* Judging. */

/* An allowance that b would go over: its figures. */
struct overrun {
	struct allowance al;
	int64_t used, start, end;
};

/* Calls fn for each allowance of b's group whose limit b (at place venue_id, in zone)
 * would go over. */
struct overrun_ctx {
	struct txn *t;
	const struct booking *b;
	uint64_t venue_id;
	const char *zone;
	bool (*fn)(struct overrun *o, void *arg);
	void *arg;
};

static bool overrun_one(const struct allowance *al, void *arg)
{
	struct overrun_ctx *c = arg;
	struct overrun o;
	int64_t first, end;
	size_t term = 0;
	bool more;

	if (!in_scope(al, c->b->room_id, c->venue_id) ||
	    !period_days(al, c->zone, c->b->start, &first, &end, &term))
		return true;
	o.start = local_midnight(c->zone, first);
	o.end = local_midnight(c->zone, end);
	o.used = used_seconds(c->t, al, o.start, o.end, c->b->id);
	if (o.used + (c->b->end - c->b->start) <= (int64_t)al->minutes * 60)
		return c->t->ret == H_OK;
	/* fn takes its own copy's worth: al lives only during this call. */
	o.al = *al;
	more = c->fn(&o, c->arg);
	return more && c->t->ret == H_OK;
}

static enum herr each_overrun(struct txn *t, const struct booking *b, uint64_t venue_id,
                              const char *zone, bool (*fn)(struct overrun *o, void *arg), void *arg)
{
	struct overrun_ctx c = {t, b, venue_id, zone, fn, arg};

	if (b->status != BOOKING_PENDING && b->status != BOOKING_APPROVED)
		return t->ret;
	return allowance_each(t, 0, b->group_id, overrun_one, &c);
}

struct judge_ctx {
	struct booking *b;
	const char *zone;
	bool approving, override;
	bool manager; /* the venue's manager asks: a manager has decided already */
	struct txn *t;
};

static bool judge_one(struct overrun *o, void *arg)
{
	struct judge_ctx *c = arg;
	char words[WORDS_MAX];

	if (c->approving && c->override)
		return true;
	if (!c->approving && o->al.over == ALLOWANCE_APPROVAL) {
		/* A manager decides: the request waits for approval, unless the venue's manager
		 * made it approved (allowance_after_change records that as an override). */
		if (!c->manager)
			c->b->status = BOOKING_PENDING;
		return true;
	}
	over_words(c->t, &o->al, c->zone, c->b->start, o->used, c->b->end - c->b->start, words,
	           sizeof(words));
	if (c->approving)
		txn_refuse(c->t, H_RULE_ALLOWANCE,
		           "%s. A manager may approve it over the allowance", words);
	else
		txn_refuse(c->t, H_RULE_ALLOWANCE, "%s", words);
	return false;
}

enum herr allowance_judge(struct txn *t, const struct actor *a, struct booking *b,
                          const struct place *p, bool approving, bool override, int64_t now)
{
	struct judge_ctx c = {
	    b, p->venue.tz != NULL ? p->venue.tz : TZ_DEFAULT, approving, override, false, t};

	(void)now;
	c.manager = !approving && b->status == BOOKING_APPROVED &&
	            policy_is_venue_manager(t, a, p->venue.id);
	return each_overrun(t, b, p->venue.id, c.zone, judge_one, &c);
}

struct record_ctx {
	struct txn *t;
	const struct actor *a;
	const struct booking *b;
	const char *zone;
	int64_t now;
};

static bool record_override(struct overrun *o, void *arg)
{
	struct record_ctx *c = arg;
	char words[WORDS_MAX], start[32], end[32];
	json_t *detail;

	over_words(c->t, &o->al, c->zone, c->b->start, o->used, c->b->end - c->b->start, words,
	           sizeof(words));
	time_format(o->start, c->zone, start);
	time_format(o->end, c->zone, end);
	/* room_id: the booking's, which tells the audit log's readers whose venue it is. */
	detail = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:s, s:s}", "room_id", (json_int_t)c->b->room_id,
	    "allowance_id", (json_int_t)o->al.id, "used_minutes", (json_int_t)(o->used / 60),
	    "limit_minutes", (json_int_t)o->al.minutes, "booking_minutes",
	    (json_int_t)((c->b->end - c->b->start) / 60), "period_start", start, "period_end", end);
	audit_append(c->t, c->a, "booking", c->b->id, "override-allowance", words, detail, c->now);
	json_decref(detail);
	return true;
}

void allowance_after_change(struct txn *t, const struct actor *a, const struct booking *old,
                            const struct booking *b, const struct place *p, bool override,
                            int64_t now)
{
	struct record_ctx c = {t, a, b, p->venue.tz != NULL ? p->venue.tz : TZ_DEFAULT, now};
	bool approved_now, manager_asked;

	if (b->status != BOOKING_APPROVED)
		return;
	/* A manager's approval over the allowance, or a request or move the venue's manager
	 * made approved over it (allowance_judge let it stand). */
	approved_now = override && old != NULL && old->status != BOOKING_APPROVED;
	manager_asked = (old == NULL || old->start != b->start || old->end != b->end) &&
	                policy_is_venue_manager(t, a, p->venue.id);
	if (approved_now || manager_asked)
		each_overrun(t, b, p->venue.id, c.zone, record_override, &c);
}

struct sent_ctx {
	struct txn *t;
	const struct booking *b;
	const char *zone;
	char *out;
	size_t size;
	bool found;
};

static bool sent_one(struct overrun *o, void *arg)
{
	struct sent_ctx *c = arg;

	if (o->al.over != ALLOWANCE_APPROVAL)
		return true;
	over_words(c->t, &o->al, c->zone, c->b->start, o->used, c->b->end - c->b->start, c->out,
	           c->size);
	c->found = true;
	return false;
}

bool allowance_sent_for_approval(struct txn *t, const struct booking *b, char *out, size_t size)
{
	struct sent_ctx c = {t, b, NULL, out, size, false};
	struct place p;

	if (b->status != BOOKING_PENDING || t->ret != H_OK ||
	    !record_exists(t, DBI_ROOM, b->room_id))
		return false;
	if (place_load(t, b->room_id, &p) == H_OK) {
		c.zone = p.venue.tz != NULL ? p.venue.tz : TZ_DEFAULT;
		each_overrun(t, b, p.venue.id, c.zone, sent_one, &c);
	}
	place_free(&p);
	return c.found && t->ret == H_OK;
}

/* Showing. */

static json_t *use_json(struct txn *t, const struct allowance *al, const char *zone, int64_t at)
{
	struct allowance_use u;
	char start[32], end[32], period[256];
	json_t *o;

	if (allowance_use_at(t, al, zone, at, &u) != H_OK)
		return json_null();
	if (!u.applies)
		return json_pack("{s:b, s:n, s:n, s:n, s:n, s:n, s:I, s:s}", "applies", 0, "start",
		                 "end", "start_ts", "end_ts", "used_minutes", "limit_minutes",
		                 (json_int_t)al->minutes, "period", "outside its terms");
	time_format(u.start, zone, start);
	time_format(u.end, zone, end);
	period_label(al, zone, u.start, period, sizeof(period));
	o = json_pack("{s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "applies", 1, "start", start,
	              "end", end, "start_ts", (json_int_t)u.start, "end_ts", (json_int_t)u.end,
	              "used_minutes", (json_int_t)(u.used_seconds / 60), "limit_minutes",
	              (json_int_t)al->minutes, "period", period);
	return o;
}

static json_t *view_json(struct txn *t, const struct viewer *v, const struct allowance *al,
                         int64_t at)
{
	json_t *o = allowance_to_json(al);
	char *zone = allowance_zone(t, al);
	char group[128];

	group_words(t, al->group_id, group, sizeof(group));
	json_object_set_new(o, "group_name", json_string(group));
	json_object_set_new(o, "hours", json_real(al->minutes / 60.0));
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "use",
	                    view_allowance_use(v, al->group_id, al->venue_id)
	                        ? use_json(t, al, zone, at)
	                        : json_null());
	free(zone);
	return o;
}

enum herr allowance_view_json(struct txn *t, const struct actor *a, const struct allowance *al,
                              int64_t at, json_t **out)
{
	struct viewer v;

	viewer_load(t, a, &v);
	*out = view_json(t, &v, al, at);
	viewer_free(&v);
	return t->ret;
}

struct list_ctx {
	struct txn *t;
	const struct viewer *v;
	int64_t at;
	json_t *items;
};

static bool list_one(const struct allowance *al, void *arg)
{
	struct list_ctx *c = arg;

	json_array_append_new(c->items, view_json(c->t, c->v, al, c->at));
	return c->t->ret == H_OK;
}

enum herr allowance_list(struct txn *t, const struct actor *a, uint64_t venue_id, uint64_t group_id,
                         int64_t at, json_t **out)
{
	struct list_ctx c = {t, NULL, at, NULL};
	struct viewer v;

	*out = NULL;
	if ((venue_id != 0 && venue_id != ALLOWANCE_BOROUGH &&
	     record_need(t, DBI_VENUE, venue_id, "venue") != H_OK) ||
	    (group_id != 0 && record_need(t, DBI_GROUP, group_id, "group") != H_OK))
		return t->ret;
	viewer_load(t, a, &v);
	c.v = &v;
	c.items = json_array();
	if (allowance_each(t, venue_id, group_id, list_one, &c) == H_OK)
		*out = c.items;
	else
		json_decref(c.items);
	viewer_free(&v);
	return t->ret;
}

/* The rules page. */

struct rules_ctx {
	struct txn *t;
	uint64_t venue_id;
	json_t *rules;
};

static bool rules_one(const struct allowance *al, void *arg)
{
	struct rules_ctx *c = arg;
	char group[128], scope[768], limit[48], says[WORDS_MAX];
	static const char *const per[] = {"week (Monday to Sunday)", "calendar month", "term",
	                                  "calendar year"};
	json_t *o;

	if (c->venue_id != 0 && al->venue_id != 0 && al->venue_id != c->venue_id)
		return true;
	group_words(c->t, al->group_id, group, sizeof(group));
	scope_words(c->t, al, scope, sizeof(scope));
	hours_words((int64_t)al->minutes * 60, true, limit, sizeof(limit));
	text_format(says, sizeof(says), "%s may book %s %s per %s; a request over that is %s.",
	            group, limit, scope, per[al->period],
	            al->over == ALLOWANCE_REFUSE ? "refused" : "sent to a manager for approval");
	o = json_pack("{s:s, s:o, s:o, s:s, s:I, s:I, s:s, s:I, s:s}", "rule", "allowance",
	              "venue_id",
	              al->venue_id != 0 ? json_integer((json_int_t)al->venue_id) : json_null(),
	              "room_ids", json_ids_new(al->room_ids, al->n_rooms), "says", says,
	              "allowance_id", (json_int_t)al->id, "group_id", (json_int_t)al->group_id,
	              "period", period_names[al->period], "minutes", (json_int_t)al->minutes,
	              "over", over_names[al->over]);
	json_array_append_new(c->rules, o);
	return true;
}

enum herr allowance_rules(struct txn *t, uint64_t venue_id, json_t *rules)
{
	struct rules_ctx c = {t, venue_id, rules};

	return allowance_each(t, 0, 0, rules_one, &c);
}
