#include "record.h"

#include "text.h"
#include "tz.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

enum herr record_get_key(struct txn *t, enum dbi d, const struct key *k, const char *what,
                         uint64_t id, json_t **out)
{
	json_error_t jerr;
	MDB_val v;

	*out = NULL;
	if (!txn_get(t, d, k, &v))
		return t->ret != H_OK ? t->ret
		                      : herror_set(t->err, H_ENOTFOUND, "there is no %s %llu", what,
		                                   (unsigned long long)id);
	if (v.mv_size < 1 || ((const uint8_t *)v.mv_data)[0] != RECORD_V1)
		return txn_refuse(t, H_ESTORAGE, "%s %llu has an unknown record layout", what,
		                  (unsigned long long)id);
	*out = json_loadb((const char *)v.mv_data + 1, v.mv_size - 1, 0, &jerr);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return txn_refuse(t, H_ESTORAGE, "%s %llu is corrupt: %s", what,
		                  (unsigned long long)id, jerr.text);
	}
	return H_OK;
}

enum herr record_get(struct txn *t, enum dbi d, uint64_t id, const char *what, json_t **out)
{
	struct key k = key_id(id);

	return record_get_key(t, d, &k, what, id, out);
}

void record_put_key(struct txn *t, enum dbi d, const struct key *k, const json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n;
	uint8_t *buf;

	if (text == NULL)
		fatal("cannot encode record");
	n = strlen(text);
	buf = xmalloc(n + 1);
	buf[0] = RECORD_V1;
	memcpy(buf + 1, text, n);
	txn_put(t, d, k, buf, n + 1);
	free(buf);
	free(text);
}

void record_put(struct txn *t, enum dbi d, uint64_t id, const json_t *rec)
{
	struct key k = key_id(id);

	record_put_key(t, d, &k, rec);
}

bool record_exists(struct txn *t, enum dbi d, uint64_t id)
{
	struct key k = key_id(id);
	MDB_val v;

	return txn_get(t, d, &k, &v) == 1;
}

enum herr record_not_found(struct txn *t, const char *what, uint64_t id)
{
	return txn_refuse(t, H_ENOTFOUND, "there is no %s %llu", what, (unsigned long long)id);
}

enum herr record_need(struct txn *t, enum dbi d, uint64_t id, const char *what)
{
	return record_exists(t, d, id) ? H_OK : record_not_found(t, what, id);
}

enum herr record_in_use(struct txn *t, const char *what, uint64_t id, const char *by,
                        uint64_t by_id, const char *advice)
{
	return txn_refuse(t, H_RULE_INUSE, "%s %llu is still referred to by %s %llu; %s", what,
	                  (unsigned long long)id, by, (unsigned long long)by_id, advice);
}

enum herr text_check(const char *s, const char *field, size_t max, bool required, bool multiline,
                     struct herror *err)
{
	const unsigned char *p = (const unsigned char *)s;
	bool blank = true;

	if (s == NULL)
		return required ? herror_set(err, H_EINVAL, "%s is required", field) : H_OK;
	if (strlen(s) > max)
		return herror_set(err, H_EINVAL, "%s is longer than %zu bytes", field, max);
	while (*p) {
		size_t n = text_utf8_len((const char *)p);

		if (n == 0)
			return herror_set(err, H_EINVAL, "%s is not valid UTF-8", field);
		/* C1 controls (U+0080-U+009F) can start terminal escape sequences too. */
		if (*p == 0xc2 && p[1] < 0xa0)
			return herror_set(err, H_EINVAL, "%s contains a control character", field);
		if (*p < 0x20 || *p == 0x7f) {
			if (!multiline || (*p != '\n' && *p != '\t' && *p != '\r'))
				return herror_set(err, H_EINVAL, "%s contains a control character",
				                  field);
		}
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			blank = false;
		p += n;
	}
	if (required && blank)
		return herror_set(err, H_EINVAL, "%s must not be blank", field);
	return H_OK;
}

const char *json_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t json_int(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool json_flag(const json_t *o, const char *key, bool dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

uint64_t *json_ids(const json_t *o, const char *key, size_t *n)
{
	json_t *a = json_object_get(o, key);
	size_t i, count = json_is_array(a) ? json_array_size(a) : 0;
	uint64_t *ids = xcalloc(count ? count : 1, sizeof(*ids));
	json_t *v;

	*n = 0;
	json_array_foreach(a, i, v)
	{
		if (json_is_integer(v) && json_integer_value(v) > 0)
			ids[(*n)++] = (uint64_t)json_integer_value(v);
	}
	return ids;
}

json_t *json_ids_new(const uint64_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)ids[i]));
	return a;
}

json_t *json_text(const char *s)
{
	return json_string(s ? s : "");
}

char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

enum herr field_text(char **dst, const json_t *fields, const char *key, size_t max, bool required,
                     bool multiline, struct herror *err)
{
	json_t *v = json_object_get(fields, key);
	enum herr ret;

	if (v == NULL)
		return H_OK;
	if (!json_is_string(v) && !(json_is_null(v) && !required))
		return herror_set(err, H_EINVAL, "%s must be a string", key);
	ret = text_check(json_string_value(v), key, max, required, multiline, err);
	if (ret != H_OK)
		return ret;
	free(*dst);
	*dst = xstrdup_or_null(json_string_value(v));
	return H_OK;
}

bool json_int_in(const json_t *v, int64_t min, int64_t max, int64_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return false;
	n = json_integer_value(v);
	if (n < min || n > max)
		return false;
	*out = (int64_t)n;
	return true;
}

enum herr fields_known(const json_t *fields, const char *const *names, struct herror *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)fields, key, v)
	{
		size_t i;

		(void)v;
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL)
			return field_unknown(key, err);
	}
	return H_OK;
}

enum herr field_unknown(const char *key, struct herror *err)
{
	char shown[64];

	text_quote(shown, sizeof(shown), key, 40);
	return herror_set(err, H_EINVAL, "unknown field %s", shown);
}

enum herr field_uint(uint32_t *dst, const json_t *fields, const char *key, uint32_t min,
                     uint32_t max, struct herror *err)
{
	json_t *v = json_object_get(fields, key);
	int64_t n;

	if (v == NULL)
		return H_OK;
	if (!json_int_in(v, min, max, &n))
		return herror_set(err, H_EINVAL, "%s must be a whole number from %u to %u", key,
		                  min, max);
	*dst = (uint32_t)n;
	return H_OK;
}

enum herr field_id(uint64_t *dst, const json_t *fields, const char *key, struct herror *err)
{
	json_t *v = json_object_get(fields, key);
	int64_t n;

	if (v == NULL)
		return H_OK;
	if (!json_int_in(v, 1, INT64_MAX, &n))
		return herror_set(err, H_EINVAL, "%s must be an id", key);
	*dst = (uint64_t)n;
	return H_OK;
}

/* A time: UTC seconds, or text time_parse reads in zone (NULL: seconds only). */
enum herr json_time(const json_t *v, const char *key, const char *zone, int64_t *out,
                    struct herror *err)
{
	struct herror e;

	if (!json_is_string(v) || zone == NULL) {
		herror_clear(&e);
		/* In range, or refused in time_check's words, as a time written out is. */
		if (json_int_in(v, INT64_MIN, INT64_MAX, out))
			return time_check(*out, &e) == H_OK
			           ? H_OK
			           : herror_set(err, H_EINVAL, "%s: %s", key, e.msg);
		if (json_is_integer(v) || zone == NULL)
			return herror_set(err, H_EINVAL,
			                  "%s must be an instant in UTC seconds from %lld to %lld",
			                  key, (long long)TIME_MIN, (long long)(TIME_MAX - 1));
		return herror_set(err, H_EINVAL,
		                  "%s must be a time: RFC 3339 (\"2026-12-01T19:00:00+00:00\"), "
		                  "local (\"2026-12-01T19:00\") or UTC seconds",
		                  key);
	}
	herror_clear(&e);
	if (time_parse(json_string_value(v), zone, out, &e) != H_OK)
		return herror_set(err, H_EINVAL, "%s: %s", key, e.msg);
	return H_OK;
}

enum herr field_instant(int64_t *dst, const json_t *fields, const char *key, struct herror *err)
{
	json_t *v = json_object_get(fields, key);

	return v == NULL ? H_OK : json_time(v, key, NULL, dst, err);
}

enum herr field_ids(uint64_t **dst, size_t *n, const json_t *fields, const char *key,
                    struct herror *err)
{
	json_t *a = json_object_get(fields, key), *v;
	uint64_t *ids;
	size_t i, count = 0;

	if (a == NULL)
		return H_OK;
	if (!json_is_array(a))
		return herror_set(err, H_EINVAL, "%s must be an array of ids", key);
	ids = xcalloc(json_array_size(a) ? json_array_size(a) : 1, sizeof(*ids));
	json_array_foreach(a, i, v)
	{
		uint64_t id;
		bool seen = false;

		int64_t value;

		if (!json_int_in(v, 1, INT64_MAX, &value)) {
			free(ids);
			return herror_set(err, H_EINVAL, "%s must be an array of ids", key);
		}
		id = (uint64_t)value;
		for (size_t j = 0; j < count; j++)
			seen = seen || ids[j] == id;
		if (!seen)
			ids[count++] = id;
	}
	free(*dst);
	*dst = ids;
	*n = count;
	return H_OK;
}

enum herr field_instants(int64_t **dst, size_t *n, const json_t *fields, const char *key,
                         const char *zone, size_t max, struct herror *err)
{
	json_t *a = json_object_get(fields, key), *v;
	int64_t *at;
	size_t i;

	if (a == NULL)
		return H_OK;
	if (!json_is_array(a))
		return herror_set(err, H_EINVAL, "%s must be an array of times", key);
	if (json_array_size(a) > max)
		return herror_set(err, H_EINVAL, "%s may hold at most %zu times", key, max);
	at = xcalloc(json_array_size(a) ? json_array_size(a) : 1, sizeof(*at));
	json_array_foreach(a, i, v)
	{
		enum herr ret = json_time(v, key, zone, &at[i], err);

		if (ret != H_OK) {
			free(at);
			return ret;
		}
	}
	free(*dst);
	*dst = at;
	*n = json_array_size(a);
	return H_OK;
}

uint64_t *ids_copy(const uint64_t *ids, size_t n)
{
	uint64_t *c = xcalloc(n ? n : 1, sizeof(*c));

	if (n)
		memcpy(c, ids, n * sizeof(*c));
	return c;
}

static bool is_instant_key(const char *key)
{
	size_t n = strlen(key);

	return strcmp(key, "at") == 0 || (n > 3 && strcmp(key + n - 3, "_at") == 0);
}

/* zone NULL: UTC with "Z"; else that zone's offset. */
static void instants_format(json_t *v, const struct tz_zone *zone, bool utc)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) instants_format(e, zone, utc);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, key, e)
	{
		char when[32];
		json_int_t t;

		if (!json_is_integer(e) || !is_instant_key(key)) {
			instants_format(e, zone, utc);
			continue;
		}
		t = json_integer_value(e);
		if (t <= 0) {
			json_object_set_new(v, key, json_null());
			continue;
		}
		if (utc)
			time_format_utc((int64_t)t, when);
		else
			time_format_in((int64_t)t, zone, when);
		json_object_set_new(v, key, json_string(when));
	}
}

void json_instants_format_in(json_t *v, const struct tz_zone *zone)
{
	instants_format(v, zone, false);
}

void json_instants_format(json_t *v, const char *zone)
{
	instants_format(v, zone != NULL ? tz_zone_find(zone) : NULL, zone == NULL);
}
