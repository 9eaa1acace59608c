/* flat_json.c, the in-place reader of booking records, against jansson. A booking's
 * record is read by flat_json when it can and by jansson otherwise, and the two must never
 * disagree: whatever the bytes (a damaged store, a hand-edited import), an object that the
 * reader reads to its end must be one that json_loadb reads too, with the same members,
 * kinds and values, strings byte for byte once their escapes are undone.
 *
 * Input: the record's bytes. */
#include "flat_json.h"
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS_MAX 256

static bool same_value(const struct flat_member *m, json_t *v)
{
	char *s;
	bool same;

	switch (m->kind) {
	case FLAT_NULL:
		return json_is_null(v);
	case FLAT_FALSE:
		return json_is_false(v);
	case FLAT_TRUE:
		return json_is_true(v);
	case FLAT_INT:
		return json_is_integer(v) && json_integer_value(v) == m->i;
	case FLAT_STR:
		if (!json_is_string(v))
			return false;
		s = flat_strdup(m);
		same = strlen(s) == json_string_length(v) &&
		       memcmp(s, json_string_value(v), json_string_length(v)) == 0;
		free(s);
		return same;
	}
	return false;
}

/* The member of o named by m's key (which the reader promises holds no escape). */
static json_t *member_of(json_t *o, const struct flat_member *m)
{
	char *key = strndup(m->key, m->key_len);
	json_t *v;

	if (key == NULL)
		abort();
	v = json_object_get(o, key);
	free(key);
	return v;
}

/* Whether member i's key is given again after it. */
static bool given_later(const struct flat_member *m, size_t n, size_t i)
{
	for (size_t k = i + 1; k < n; k++)
		if (m[k].key_len == m[i].key_len && memcmp(m[k].key, m[i].key, m[i].key_len) == 0)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flat_member m[MEMBERS_MAX];
	struct flat_reader r;
	size_t n = 0;
	json_t *o;
	int got;

	if (!flat_begin(&r, (const char *)data, size))
		return 0;
	while (n < MEMBERS_MAX && (got = flat_next(&r, &m[n])) == 1)
		n++;
	if (n == MEMBERS_MAX || got != 0)
		return 0; /* left to jansson */
	/* As record.c reads records: a key given twice keeps its last value. */
	o = json_loadb((const char *)data, size, 0, NULL);
	if (o == NULL || !json_is_object(o) || json_object_size(o) > n)
		abort(); /* the reader took what jansson refuses, or read other members */
	for (size_t i = 0; i < n; i++) {
		json_t *v = member_of(o, &m[i]);

		if (v == NULL)
			abort();
		if (!given_later(m, n, i) && !same_value(&m[i], v))
			abort();
	}
	json_decref(o);
	return 0;
}
