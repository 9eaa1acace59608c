/* Date sets: the record, its dates, who may change them, and the index of what uses a
 * set. Changing a set, which rewrites the closures that follow it, is date_set_write.c's
 * (above closure.c); this file is below closure.c and series.c, which read sets.
 *
 * DBI_DATE_SET has two key spaces, told apart by the first byte:
 *   'D' | set u64                        -> record (version byte, JSON)
 *       e.g. 44 00 00 00 00 00 00 00 01 -> 01 {"dates":[{"date":"2026-12-25",...}],...}
 *   'U' | set u64 | kind u8 | user u64   -> ""  (kind 'C' a closure follows the set,
 *                                               'S' a series skips it)
 *       e.g. 55 00 00 00 00 00 00 00 01 43 00 00 00 00 00 00 00 04: closure 4 follows set 1 */
#include "date_set.h"

#include "policy.h"
#include "record.h"
#include "text.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_RECORD  'D'
#define TAG_USE     'U'
#define USE_KEY_LEN (1 + 8 + 1 + 8)

void date_set_init(struct date_set *s)
{
	memset(s, 0, sizeof(*s));
}

void date_set_free(struct date_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->dates[i].label);
	free(s->dates);
	free(s->name);
	free(s->description);
	date_set_init(s);
}

void date_set_copy(struct date_set *dst, const struct date_set *src)
{
	*dst = *src;
	dst->name = xstrdup_or_null(src->name);
	dst->description = xstrdup_or_null(src->description);
	dst->dates = xcalloc(src->n + 1, sizeof(*dst->dates));
	for (size_t i = 0; i < src->n; i++) {
		dst->dates[i].day = src->dates[i].day;
		dst->dates[i].label = xstrdup_or_null(src->dates[i].label);
	}
}

static int32_t day_min(void)
{
	return (int32_t)days_from_civil(DATE_SET_YEAR_MIN, 1, 1);
}

static int32_t day_max(void)
{
	return (int32_t)days_from_civil(DATE_SET_YEAR_MAX, 12, 31);
}

bool date_set_parse_date(const char *text, int32_t *day)
{
	int y, m, d, yy, mm, dd;
	char tail;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return false;
	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	if (y < DATE_SET_YEAR_MIN || y > DATE_SET_YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	/* A day that does not exist (31 April) comes back as another. */
	civil_from_days(days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return false;
	*day = (int32_t)days_from_civil(y, m, d);
	return true;
}

void date_set_format_date(int32_t day, char out[16])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
}

int32_t date_set_day_of(const char *zone, int64_t t)
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	return (int32_t)days_from_civil(lt.year, lt.month, lt.day);
}

void date_set_day_span(const char *zone, int32_t day, int64_t *start, int64_t *end)
{
	struct localtm lt = {0};

	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	*start = tz_at_or_after(zone, &lt);
	civil_from_days(day + 1, &lt.year, &lt.month, &lt.day);
	*end = tz_at_or_after(zone, &lt);
}

static size_t date_index(const struct date_set *s, int32_t day)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->dates[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct date_set_date *date_set_find(const struct date_set *s, int32_t day)
{
	size_t i = date_index(s, day);

	return i < s->n && s->dates[i].day == day ? &s->dates[i] : NULL;
}

enum herr date_set_add(struct date_set *s, int32_t day, const char *label, bool *added,
                       struct herror *err)
{
	size_t i = date_index(s, day);
	char when[16];

	if (added != NULL)
		*added = false;
	if (day < day_min() || day > day_max()) {
		date_set_format_date(day, when);
		return herror_set(err, H_EINVAL,
		                  "%s is outside the years a date set can hold (%d to %d)", when,
		                  DATE_SET_YEAR_MIN, DATE_SET_YEAR_MAX);
	}
	if (label != NULL && label[0] == '\0')
		label = NULL;
	if (label != NULL &&
	    text_check(label, "a date's label", DATE_SET_LABEL_MAX, false, false, err) != H_OK)
		return H_EINVAL;
	if (i < s->n && s->dates[i].day == day) {
		if (s->dates[i].label == NULL && label != NULL)
			s->dates[i].label = xstrdup(label);
		return H_OK;
	}
	if (s->n >= DATE_SET_MAX_DATES)
		return herror_set(err, H_EINVAL, "a date set holds at most %d dates",
		                  DATE_SET_MAX_DATES);
	s->dates = xrealloc(s->dates, (s->n + 1) * sizeof(*s->dates));
	memmove(&s->dates[i + 1], &s->dates[i], (s->n - i) * sizeof(*s->dates));
	s->dates[i].day = day;
	s->dates[i].label = xstrdup_or_null(label);
	s->n++;
	if (added != NULL)
		*added = true;
	return H_OK;
}

bool date_set_remove_date(struct date_set *s, int32_t day)
{
	size_t i = date_index(s, day);

	if (i >= s->n || s->dates[i].day != day)
		return false;
	free(s->dates[i].label);
	memmove(&s->dates[i], &s->dates[i + 1], (s->n - i - 1) * sizeof(*s->dates));
	s->n--;
	return true;
}

static json_t *dates_to_json(const struct date_set *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++) {
		char when[16];
		json_t *d;

		date_set_format_date(s->dates[i].day, when);
		d = json_pack("{s:s}", "date", when);
		json_object_set_new(d, "label",
		                    s->dates[i].label != NULL ? json_string(s->dates[i].label)
		                                              : json_null());
		json_array_append_new(a, d);
	}
	return a;
}

json_t *date_set_to_json(const struct date_set *s)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)s->id, "name",
	                      s->name != NULL ? s->name : "", "venue_id", (json_int_t)s->venue_id,
	                      "created_by", (json_int_t)s->created_by, "created_at",
	                      (json_int_t)s->created_at, "updated_at", (json_int_t)s->updated_at);

	json_object_set_new(o, "description", json_text(s->description));
	json_object_set_new(o, "dates", dates_to_json(s));
	return o;
}

json_t *date_set_to_json_local(const struct date_set *s)
{
	json_t *o = date_set_to_json(s);

	json_instants_format(o, TZ_DEFAULT);
	if (s->venue_id == 0)
		json_object_set_new(o, "venue_id", json_null());
	json_object_set_new(o, "count", json_integer((json_int_t)s->n));
	return o;
}

/* One entry of "dates": "YYYY-MM-DD" or {"date": "YYYY-MM-DD", "label": text or null}. */
static enum herr date_from_json(const json_t *v, size_t i, struct date_set *s, struct herror *err)
{
	static const char *const names[] = {"date", "label", NULL};
	const json_t *date = v, *label = NULL;
	int32_t day;

	if (json_is_object(v)) {
		if (fields_known(v, names, err) != H_OK)
			return H_EINVAL;
		date = json_object_get(v, "date");
		label = json_object_get(v, "label");
		if (label != NULL && !json_is_string(label) && !json_is_null(label))
			return herror_set(err, H_EINVAL, "dates[%zu].label must be text or null",
			                  i);
	}
	if (!json_is_string(date))
		return herror_set(
		    err, H_EINVAL,
		    "dates[%zu] must be a date as YYYY-MM-DD, or {\"date\", \"label\"}", i);
	if (!date_set_parse_date(json_string_value(date), &day))
		return herror_set(err, H_EINVAL,
		                  "dates[%zu] is not a date as YYYY-MM-DD between %d and %d", i,
		                  DATE_SET_YEAR_MIN, DATE_SET_YEAR_MAX);
	return date_set_add(s, day, json_is_string(label) ? json_string_value(label) : NULL, NULL,
	                    err);
}

enum herr date_set_dates_from_json(const json_t *a, struct date_set *s, struct herror *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a))
		return herror_set(err, H_EINVAL, "dates must be an array");
	if (json_array_size(a) > DATE_SET_MAX_DATES)
		return herror_set(err, H_EINVAL, "a date set holds at most %d dates",
		                  DATE_SET_MAX_DATES);
	json_array_foreach(a, i, v)
	{
		if (date_from_json(v, i, s, err) != H_OK)
			return H_EINVAL;
	}
	return H_OK;
}

enum herr date_set_from_json(const json_t *o, struct date_set *s, struct herror *err)
{
	const json_t *venue = json_object_get(o, "venue_id");
	const json_t *dates = json_object_get(o, "dates");
	int64_t v = 0;

	date_set_init(s);
	if (!json_is_object(o))
		return herror_set(err, H_EINVAL, "a date set must be an object");
	if (field_text(&s->name, o, "name", DATE_SET_NAME_MAX, true, false, err) != H_OK)
		return H_EINVAL;
	if (s->name == NULL)
		return herror_set(err, H_EINVAL, "a date set needs a name");
	if (field_text(&s->description, o, "description", DATE_SET_DESC_MAX, false, true, err) !=
	    H_OK)
		return H_EINVAL;
	if (venue != NULL && !json_is_null(venue) && !json_int_in(venue, 0, INT64_MAX, &v))
		return herror_set(err, H_EINVAL,
		                  "venue_id must be a venue's id, or null for the "
		                  "whole borough");
	s->venue_id = (uint64_t)v;
	if (dates != NULL && date_set_dates_from_json(dates, s, err) != H_OK)
		return H_EINVAL;
	s->id = (uint64_t)json_int(o, "id", 0);
	s->created_by = (uint64_t)json_int(o, "created_by", 0);
	s->created_at = json_int(o, "created_at", 0);
	s->updated_at = json_int(o, "updated_at", 0);
	return H_OK;
}

static struct key record_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, TAG_RECORD);
	key_u64(&k, id);
	return k;
}

enum herr date_set_get(struct txn *t, uint64_t id, struct date_set *out)
{
	struct key k = record_key(id);
	json_t *o;
	enum herr ret = record_get_key(t, DBI_DATE_SET, &k, "date set", id, &o);

	date_set_init(out);
	if (ret != H_OK)
		return ret;
	ret = date_set_from_json(o, out, t->err);
	json_decref(o);
	return ret == H_OK
	           ? H_OK
	           : txn_refuse(t, H_ESTORAGE, "date set %llu is corrupt", (unsigned long long)id);
}

void date_set_put(struct txn *t, const struct date_set *s)
{
	struct key k = record_key(s->id);
	json_t *o = date_set_to_json(s);

	record_put_key(t, DBI_DATE_SET, &k, o);
	json_decref(o);
}

void date_set_delete(struct txn *t, uint64_t id)
{
	struct key k = record_key(id);

	txn_del(t, DBI_DATE_SET, &k);
}

static bool set_matches(const struct date_set *s, uint64_t venue_id)
{
	return venue_id == UINT64_MAX || s->venue_id == 0 || s->venue_id == venue_id;
}

enum herr date_set_each(struct txn *t, uint64_t venue_id, struct walk *w,
                        bool (*fn)(const struct date_set *s, void *arg), void *arg)
{
	struct key prefix, from;
	struct scan sc;
	bool more = true;

	walk_begin(w);
	if (venue_id != 0 && venue_id != UINT64_MAX &&
	    record_need(t, DBI_VENUE, venue_id, "venue") != H_OK)
		return t->ret;
	key_init(&prefix);
	key_u8(&prefix, TAG_RECORD);
	from = prefix;
	if (w != NULL && w->has_after) {
		if (w->after.id == UINT64_MAX)
			return t->ret;
		key_u64(&from, w->after.id + 1);
	}
	scan_begin(&sc, t, DBI_DATE_SET, &prefix, &from);
	while (more && scan_next(&sc)) {
		struct date_set s;
		uint64_t id;

		if (sc.k.mv_size != 9) {
			txn_refuse(t, H_ESTORAGE, "a date set key is corrupt");
			break;
		}
		id = key_get_u64((const uint8_t *)sc.k.mv_data + 1);
		if (!walk_take(w, (struct walk_pos){0, id}))
			break;
		if (date_set_get(t, id, &s) != H_OK) {
			date_set_free(&s);
			break;
		}
		if (set_matches(&s, venue_id))
			more = fn(&s, arg);
		date_set_free(&s);
	}
	if (w != NULL && !more && t->ret == H_OK)
		w->more = true;
	scan_end(&sc);
	return t->ret;
}

static bool first_of_venue(const struct date_set *s, void *arg)
{
	uint64_t *want = arg;

	if (s->venue_id != want[0])
		return true;
	want[1] = s->id;
	return false;
}

/* Sets are few (a venue's holidays, the borough's): a scan of the records is cheap, and
 * removing a venue is rare. */
uint64_t date_set_first_of_venue(struct txn *t, uint64_t venue_id)
{
	uint64_t want[2] = {venue_id, 0};

	date_set_each(t, UINT64_MAX, NULL, first_of_venue, want);
	return want[1];
}

enum herr date_set_may_manage(struct txn *t, const struct actor *a, uint64_t venue_id)
{
	if (venue_id == 0)
		return policy_admin(t, a);
	if (record_need(t, DBI_VENUE, venue_id, "venue") != H_OK)
		return t->ret;
	return policy_manage_venue(t, a, venue_id);
}

enum herr date_set_usable(struct txn *t, uint64_t set_id, uint64_t venue_id, struct date_set *out)
{
	struct date_set s;
	enum herr ret = date_set_get(t, set_id, &s);

	if (ret != H_OK) {
		date_set_free(&s);
		return record_not_found(t, "date set", set_id);
	}
	if (s.venue_id != 0 && s.venue_id != venue_id) {
		char name[128];
		uint64_t owner = s.venue_id;

		text_quote(name, sizeof(name), s.name, 80);
		date_set_free(&s);
		return txn_refuse(
		    t, H_EINVAL,
		    "date set %llu (%s) belongs to venue %llu; only that venue's rooms "
		    "can use it",
		    (unsigned long long)set_id, name, (unsigned long long)owner);
	}
	if (out != NULL)
		*out = s;
	else
		date_set_free(&s);
	return H_OK;
}

static struct key use_key(uint64_t set_id, enum date_set_user kind, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, TAG_USE);
	key_u64(&k, set_id);
	key_u8(&k, (uint8_t)kind);
	key_u64(&k, id);
	return k;
}

void date_set_use(struct txn *t, uint64_t set_id, enum date_set_user kind, uint64_t id, bool on)
{
	struct key k = use_key(set_id, kind, id);

	if (on)
		txn_put(t, DBI_DATE_SET, &k, "", 0);
	else
		txn_del(t, DBI_DATE_SET, &k);
}

static bool use_decode(struct txn *t, const struct scan *sc, uint64_t *set_id,
                       enum date_set_user *kind, uint64_t *id)
{
	const uint8_t *k = sc->k.mv_data;

	if (sc->k.mv_size != USE_KEY_LEN) {
		txn_refuse(t, H_ESTORAGE, "a date set's \"used by\" entry is corrupt");
		return false;
	}
	*set_id = key_get_u64(k + 1);
	*kind = (enum date_set_user)k[9];
	*id = key_get_u64(k + 10);
	return true;
}

enum herr date_set_each_user(struct txn *t, uint64_t set_id, enum date_set_user kind,
                             bool (*fn)(enum date_set_user kind, uint64_t id, void *arg), void *arg)
{
	struct key prefix;
	struct scan sc;
	bool more = true;

	key_init(&prefix);
	key_u8(&prefix, TAG_USE);
	key_u64(&prefix, set_id);
	if (kind != 0)
		key_u8(&prefix, (uint8_t)kind);
	scan_begin(&sc, t, DBI_DATE_SET, &prefix, NULL);
	while (more && scan_next(&sc)) {
		uint64_t set, id;
		enum date_set_user k;

		if (!use_decode(t, &sc, &set, &k, &id))
			break;
		more = fn(k, id, arg);
	}
	scan_end(&sc);
	return t->ret;
}

enum herr date_set_each_use(struct txn *t,
                            bool (*fn)(uint64_t set_id, enum date_set_user kind, uint64_t id,
                                       void *arg),
                            void *arg)
{
	struct key prefix;
	struct scan sc;
	bool more = true;

	key_init(&prefix);
	key_u8(&prefix, TAG_USE);
	scan_begin(&sc, t, DBI_DATE_SET, &prefix, NULL);
	while (more && scan_next(&sc)) {
		uint64_t set, id;
		enum date_set_user k;

		if (!use_decode(t, &sc, &set, &k, &id))
			break;
		more = fn(set, k, id, arg);
	}
	scan_end(&sc);
	return t->ret;
}
