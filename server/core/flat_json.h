/* A flat JSON object read in place: the members of a record as the core writes it (one
 * object of strings, integers, booleans and nulls, json_dumps compact), without building
 * a jansson tree. Reading a booking's record through jansson was most of the time of a
 * listing or an availability (a hash table, and an allocation per key and per value, for
 * each record); this reads the bytes once and allocates only the strings kept.
 *
 * It accepts only what it can read exactly as json_loadb would (RFC 8259, UTF-8 checked);
 * anything else -- a nested value, a real number, a \u escape, an integer of more than 18
 * digits -- is left to a full parser: the caller then decodes the record with jansson, so
 * the values and the errors are always jansson's. */
#ifndef FLAT_JSON_H
#define FLAT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum flat_kind { FLAT_NULL, FLAT_FALSE, FLAT_TRUE, FLAT_INT, FLAT_STR };

/* One member, pointing into the text read. */
struct flat_member {
	const char *key; /* the key's bytes, without quotes; never an escape */
	size_t key_len;
	enum flat_kind kind;
	int64_t i;     /* FLAT_INT */
	const char *s; /* FLAT_STR: the bytes between the quotes, escapes not yet undone */
	size_t s_len;
	bool s_escaped; /* whether s holds a backslash escape */
};

struct flat_reader {
	const char *p, *end;
	bool first; /* before the first member */
};

/* Starts reading text[0, n) as an object: false unless it opens one. */
bool flat_begin(struct flat_reader *r, const char *text, size_t n);

/* The next member into *m: 1 when one was read; 0 at the end of the object, when nothing
 * but white space follows it; -1 for anything this reader leaves to a full parser (or
 * that is not JSON). */
int flat_next(struct flat_reader *r, struct flat_member *m);

/* Whether m is the key given (a NUL-terminated literal). */
bool flat_key_is(const struct flat_member *m, const char *key);

/* The value of string m with its escapes undone, newly allocated (the caller frees it). */
char *flat_strdup(const struct flat_member *m);

#endif
