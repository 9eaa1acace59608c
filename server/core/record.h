/* Records on disk: a version byte, then the record as compact JSON (layouts in
 * schemas/db.md). JSON keeps records readable by `halls export` and easy to extend;
 * nothing on a hot path decodes them: conflict and availability checks read only the
 * binary index entries. */
#ifndef HALLS_RECORD_H
#define HALLS_RECORD_H

#include "db.h"
#include "tz.h"

#include <jansson.h>
#include <stdbool.h>

#define RECORD_V1 0x01

/* Loads record id of d into *out (a new reference). Returns H_ENOTFOUND, without making
 * it sticky, when there is none; `what` names the kind in the message ("room"). */
enum herr record_get(struct txn *t, enum dbi d, uint64_t id, const char *what, json_t **out);
void record_put(struct txn *t, enum dbi d, uint64_t id, const json_t *rec);
/* The same under a key of the caller's (a database with several key spaces); id only
 * names the record in messages. */
enum herr record_get_key(struct txn *t, enum dbi d, const struct key *k, const char *what,
                         uint64_t id, json_t **out);
void record_put_key(struct txn *t, enum dbi d, const struct key *k, const json_t *rec);
bool record_exists(struct txn *t, enum dbi d, uint64_t id);
/* H_OK when record id of d exists; otherwise refuses with H_ENOTFOUND "there is no
 * <what> <id>" (or passes a store error on): the one way the core says a record named in
 * a request, or a listing's filter, is missing. */
enum herr record_need(struct txn *t, enum dbi d, uint64_t id, const char *what);
/* The same refusal for a record already found missing, or one the reader may not see,
 * which is told the same way: H_ENOTFOUND "there is no <what> <id>" on t, or the store
 * error t already holds. */
enum herr record_not_found(struct txn *t, const char *what, uint64_t id);
/* Refuses removing <what> <id> while <by> <by_id> still refers to it, with advice. */
enum herr record_in_use(struct txn *t, const char *what, uint64_t id, const char *by,
                        uint64_t by_id, const char *advice);

/* Validated text: valid UTF-8, no control characters (newlines and tabs allowed when
 * multiline), at most max bytes; required text must not be blank. */
enum herr text_check(const char *s, const char *field, size_t max, bool required, bool multiline,
                     struct herror *err);

/* The one test of an integer taken from JSON: true, with *out, when v is a whole number
 * in [min, max]. Every integer field goes through it, so that nothing is cut to fit. */
bool json_int_in(const json_t *v, int64_t min, int64_t max, int64_t *out);
/* H_EINVAL naming the first key of fields not in names (NULL-terminated). */
enum herr fields_known(const json_t *fields, const char *const *names, struct herror *err);
/* The refusal of a key no field has ("unknown field KEY", the key quoted safely). */
enum herr field_unknown(const char *key, struct herror *err);

/* Readers of one optional field of a create or update request (fields): when the key
 * is present, the value is validated and replaces *dst; absent keys leave *dst alone.
 * field_text: a string (or null when not required) checked with text_check.
 * field_uint: a whole number in [min, max].
 * field_id: a positive id.
 * field_instant: UTC seconds in [TIME_MIN, TIME_MAX) (tz.h).
 * field_ids: an array of distinct positive ids (duplicates are dropped). */
enum herr field_text(char **dst, const json_t *fields, const char *key, size_t max, bool required,
                     bool multiline, struct herror *err);
enum herr field_uint(uint32_t *dst, const json_t *fields, const char *key, uint32_t min,
                     uint32_t max, struct herror *err);
enum herr field_id(uint64_t *dst, const json_t *fields, const char *key, struct herror *err);
/* The one judge of a time in a body: UTC seconds, or text time_parse reads in zone (NULL:
 * seconds only), within [TIME_MIN, TIME_MAX); key names it in the refusal. */
enum herr json_time(const json_t *v, const char *key, const char *zone, int64_t *out,
                    struct herror *err);
enum herr field_instant(int64_t *dst, const json_t *fields, const char *key, struct herror *err);
enum herr field_ids(uint64_t **dst, size_t *n, const json_t *fields, const char *key,
                    struct herror *err);
/* An array of at most max times, each judged by json_time in zone (a series' exdates):
 * *dst malloc'd (replacing what it held), in the order given; duplicates are left to the
 * caller, who knows what they mean. */
enum herr field_instants(int64_t **dst, size_t *n, const json_t *fields, const char *key,
                         const char *zone, size_t max, struct herror *err);
uint64_t *ids_copy(const uint64_t *ids, size_t n);

/* Field readers for decoding records and request bodies. */
const char *json_str(const json_t *o, const char *key); /* NULL when absent or not a string */
int64_t json_int(const json_t *o, const char *key, int64_t dflt);
bool json_flag(const json_t *o, const char *key, bool dflt);
/* Copies of an id array; *n receives the count. */
uint64_t *json_ids(const json_t *o, const char *key, size_t *n);
json_t *json_ids_new(const uint64_t *ids, size_t n);
/* Records keep instants as UTC seconds under keys named "at" or "..._at"; people and
 * programs reading the API or `--json` get RFC 3339. Rewrites every such integer in v,
 * nested objects and arrays included: in zone's offset (NULL: UTC, "Z"), 0 as null
 * ("never" or "not yet"). */
void json_instants_format(json_t *v, const char *zone);
/* The same in a zone already found (tz_zone_find), for many records in one zone. */
struct tz_zone;
void json_instants_format_in(json_t *v, const struct tz_zone *zone);
/* A NULL-safe json_string that never fails on NULL (gives ""). */
json_t *json_text(const char *s);
char *xstrdup_or_null(const char *s);

#endif
