#include "audit.h"

#include "record.h"

#include <string.h>

/* Entries live in DBI_AUDIT under their id, as JSON records:
 *   {"id","at","user_id","kind","object_id","action"[,"note"][,"detail"]}
 * Entries about bookings are also indexed in DBI_AUDIT_BOOKING:
 *   booking u64 | audit u64 -> ""
 *   e.g. 00 00 00 00 00 00 00 2a  00 00 00 00 00 00 01 07  (booking 42, entry 263) */

static void index_booking(struct txn *t, uint64_t id, const json_t *entry)
{
	const char *kind = json_str(entry, "kind");
	struct key k;

	if (kind == NULL || strcmp(kind, "booking") != 0)
		return;
	key_init(&k);
	key_u64(&k, (uint64_t)json_int(entry, "object_id", 0));
	key_u64(&k, id);
	txn_put(t, DBI_AUDIT_BOOKING, &k, "", 0);
}

void audit_store(struct txn *t, uint64_t id, const json_t *entry)
{
	if (t->ret != H_OK)
		return;
	record_put(t, DBI_AUDIT, id, entry);
	index_booking(t, id, entry);
	txn_seen_id(t, "audit", id);
}

void audit_append(struct txn *t, const struct actor *a, const char *kind, uint64_t object_id,
                  const char *action, const char *note, const json_t *detail, int64_t now)
{
	uint64_t id;
	json_t *o;

	if (t->ret != H_OK)
		return;
	id = txn_next_id(t, "audit");
	o = json_pack("{s:I, s:I, s:I, s:s, s:I, s:s}", "id", (json_int_t)id, "at", (json_int_t)now,
	              "user_id", (json_int_t)(a ? a->user_id : 0), "kind", kind ? kind : "",
	              "object_id", (json_int_t)object_id, "action", action ? action : "");
	if (note != NULL)
		json_object_set_new(o, "note", json_string(note));
	if (detail != NULL)
		json_object_set_new(o, "detail", json_deep_copy(detail));
	record_put(t, DBI_AUDIT, id, o);
	index_booking(t, id, o);
	json_decref(o);
}

/* Loads entry id and passes it to fn; false when the scan should stop. */
static bool visit(struct txn *t, uint64_t id, bool (*fn)(const json_t *e, void *arg), void *arg)
{
	json_t *o;
	bool more;

	if (record_get(t, DBI_AUDIT, id, "audit entry", &o) != H_OK) {
		txn_refuse(t, H_ESTORAGE, "audit entry %llu is missing", (unsigned long long)id);
		return false;
	}
	more = fn(o, arg);
	json_decref(o);
	return more;
}

enum herr audit_each_page(struct txn *t, uint64_t booking_id, struct walk *w,
                          bool (*fn)(const json_t *e, void *arg), void *arg)
{
	struct key prefix, from;
	struct scan s;
	bool more = true;

	walk_begin(w);
	if (booking_id != 0 && record_need(t, DBI_BOOKING, booking_id, "booking") != H_OK)
		return t->ret;
	if (booking_id == 0)
		key_init(&prefix);
	else
		prefix = key_id(booking_id);
	if (!walk_first_id_key(booking_id, w, &from))
		return t->ret;
	scan_begin(&s, t, booking_id ? DBI_AUDIT_BOOKING : DBI_AUDIT, &prefix,
	           from.len > 0 ? &from : NULL);
	while (more && scan_next(&s)) {
		const uint8_t *k = s.k.mv_data;
		uint64_t id;

		if (s.k.mv_size != (booking_id ? 16u : 8u)) {
			txn_refuse(t, H_ESTORAGE, "an audit key is corrupt");
			break;
		}
		id = key_get_u64(booking_id ? k + 8 : k);
		if (!walk_take(w, (struct walk_pos){0, id}))
			break;
		more = visit(t, id, fn, arg);
	}
	/* Stopped by fn: say there may be more rather than read one entry ahead. */
	if (w != NULL && !more && t->ret == H_OK)
		w->more = true;
	scan_end(&s);
	return t->ret;
}

enum herr audit_each(struct txn *t, uint64_t booking_id, bool (*fn)(const json_t *e, void *arg),
                     void *arg)
{
	return audit_each_page(t, booking_id, NULL, fn, arg);
}
