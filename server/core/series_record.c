/* The series record in DBI_SERIES, the key of its occurrence index DBI_SERIES_OCC
 * (series | rule start -> booking id), and the listing of series. Apart from series.c,
 * whose operations book every date through booking.c, because booking.c keeps that index
 * and a series' sequence as its occurrences change: in one file, the two called each
 * other. */
#include "series_record.h"

#include "date_set.h"
#include "record.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct key series_occ_key(uint64_t series_id, int64_t recurrence_id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, series_id);
	key_i64(&k, recurrence_id);
	return k;
}

void series_init(struct series *s)
{
	memset(s, 0, sizeof(*s));
}

void series_free(struct series *s)
{
	free(s->title);
	free(s->description);
	free(s->zone);
	free(s->rrule);
	free(s->skip_date_sets);
	series_init(s);
}

json_t *series_to_json(const struct series *s)
{
	json_t *o =
	    json_pack("{s:I, s:I, s:I, s:s, s:o, s:I, s:b, s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}",
	              "id", (json_int_t)s->id, "room_id", (json_int_t)s->room_id, "group_id",
	              (json_int_t)s->group_id, "title", s->title, "description",
	              json_text(s->description), "attendees", (json_int_t)s->attendees, "public",
	              s->public, "zone", s->zone, "first_start_ts", (json_int_t)s->first_start,
	              "duration_seconds", (json_int_t)s->duration, "rrule", s->rrule, "created_by",
	              (json_int_t)s->created_by, "created_at", (json_int_t)s->created_at,
	              "updated_at", (json_int_t)s->updated_at, "sequence", (json_int_t)s->sequence);

	json_object_set_new(o, "skip_date_sets", json_ids_new(s->skip_date_sets, s->nskip));
	return o;
}

json_t *series_to_json_local(const struct series *s)
{
	const struct tz_zone *z = tz_zone_find(s->zone != NULL ? s->zone : TZ_DEFAULT);
	json_t *o = series_to_json(s);
	char when[32];

	json_instants_format_in(o, z);
	time_format_in(s->first_start, z, when);
	json_object_set_new(o, "start", json_string(when));
	time_format_in(s->first_start + (int64_t)s->duration, z, when);
	json_object_set_new(o, "end", json_string(when));
	return o;
}

enum herr series_set_first(struct series *s, int64_t start, int64_t end, struct herror *err)
{
	if (end <= start)
		return herror_set(err, H_RULE_ORDER, "the first date must end after it starts");
	s->first_start = start;
	s->duration = end - start > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
	return H_OK;
}

enum herr series_from_json(const json_t *o, struct series *s, struct herror *err)
{
	series_init(s);
	if (json_str(o, "title") == NULL || json_str(o, "zone") == NULL ||
	    json_str(o, "rrule") == NULL)
		return herror_set(err, H_ESTORAGE, "series record lacks a title, zone or rule");
	s->id = (uint64_t)json_int(o, "id", 0);
	s->room_id = (uint64_t)json_int(o, "room_id", 0);
	s->group_id = (uint64_t)json_int(o, "group_id", 0);
	s->title = xstrdup(json_str(o, "title"));
	s->description = xstrdup_or_null(json_str(o, "description"));
	s->attendees = (uint32_t)json_int(o, "attendees", 0);
	s->public = json_flag(o, "public", false);
	s->zone = xstrdup(json_str(o, "zone"));
	s->first_start = json_int(o, "first_start_ts", 0);
	s->duration = (uint32_t)json_int(o, "duration_seconds", 0);
	s->rrule = xstrdup(json_str(o, "rrule"));
	s->created_by = (uint64_t)json_int(o, "created_by", 0);
	s->created_at = json_int(o, "created_at", 0);
	s->updated_at = json_int(o, "updated_at", 0);
	s->sequence = (uint32_t)json_int(o, "sequence", 0);
	s->skip_date_sets = json_ids(o, "skip_date_sets", &s->nskip);
	return H_OK;
}

enum herr series_get(struct txn *t, uint64_t id, struct series *out)
{
	json_t *o;
	enum herr ret = record_get(t, DBI_SERIES, id, "series", &o);

	series_init(out);
	if (ret != H_OK)
		return ret;
	ret = series_from_json(o, out, t->err);
	json_decref(o);
	return ret;
}

void series_put(struct txn *t, const struct series *s)
{
	json_t *o = series_to_json(s);

	record_put(t, DBI_SERIES, s->id, o);
	json_decref(o);
	for (size_t i = 0; i < s->nskip; i++)
		date_set_use(t, s->skip_date_sets[i], DATE_SET_BY_SERIES, s->id, true);
}

void series_touch(struct txn *t, uint64_t id, int64_t now)
{
	struct series s;

	if (series_get(t, id, &s) == H_OK) {
		s.sequence++;
		if (now > s.updated_at)
			s.updated_at = now;
		series_put(t, &s);
	}
	series_free(&s);
}

static bool series_match(const struct series *s, uint64_t room_id, uint64_t group_id)
{
	return (room_id == 0 || s->room_id == room_id) &&
	       (group_id == 0 || s->group_id == group_id);
}

/* No index tells a series' room or group, so every record the scan passes is decoded and
 * counts against the budget, whether it matches or not. */
enum herr series_each_page(struct txn *t, uint64_t room_id, uint64_t group_id, struct walk *w,
                           bool (*fn)(const struct series *s, void *arg), void *arg)
{
	struct key prefix, from;
	struct scan sc;
	bool more = true;

	walk_begin(w);
	if ((room_id != 0 && record_need(t, DBI_ROOM, room_id, "room") != H_OK) ||
	    (group_id != 0 && record_need(t, DBI_GROUP, group_id, "group") != H_OK) ||
	    !walk_first_id_key(0, w, &from))
		return t->ret;
	key_init(&prefix);
	scan_begin(&sc, t, DBI_SERIES, &prefix, from.len > 0 ? &from : NULL);
	while (more && scan_next(&sc)) {
		struct series s;
		uint64_t id;

		if (sc.k.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "a series key is corrupt");
			break;
		}
		id = key_get_u64(sc.k.mv_data);
		if (!walk_take(w, (struct walk_pos){0, id}))
			break;
		if (series_get(t, id, &s) != H_OK) {
			series_free(&s);
			break;
		}
		if (series_match(&s, room_id, group_id))
			more = fn(&s, arg);
		series_free(&s);
	}
	/* Stopped by fn: say there may be more rather than read one entry ahead. */
	if (w != NULL && !more && t->ret == H_OK)
		w->more = true;
	scan_end(&sc);
	return t->ret;
}

enum herr series_each(struct txn *t, uint64_t room_id, uint64_t group_id,
                      bool (*fn)(const struct series *s, void *arg), void *arg)
{
	return series_each_page(t, room_id, group_id, NULL, fn, arg);
}
