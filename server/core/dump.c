#include "dump.h"

#include "allowance.h"
#include "audit.h"
#include "booking.h"
#include "closure.h"
#include "date_set.h"
#include "group.h"
#include "hold.h"
#include "record.h"
#include "room.h"
#include "round.h"
#include "series.h"
#include "user.h"
#include "venue.h"
#include "waitlist_record.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Dependency order: a record's references are always loaded before it. */
static const struct {
	const char *kind;
	enum dbi dbi;
} dump_kinds[] = {
    {"venue", DBI_VENUE},   {"room", DBI_ROOM},         {"group", DBI_GROUP},
    {"user", DBI_USER},     {"date-set", DBI_DATE_SET}, {"closure", DBI_CLOSURE},
    {"series", DBI_SERIES}, {"booking", DBI_BOOKING},   {"audit", DBI_AUDIT},
};

#define DUMP_KIND_COUNT (sizeof(dump_kinds) / sizeof(dump_kinds[0]))

static void dump_line(const char *kind, json_t *o, FILE *out)
{
	json_t *line = json_pack("{s:s, s:o}", "kind", kind, "record", o);
	char *text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);

	fprintf(out, "%s\n", text);
	free(text);
	json_decref(line);
}

/* Date sets have key spaces of their own (date_set.c): the records alone; the "used by"
 * entries are rebuilt as the closures and series that use them are loaded. */
static bool dump_date_set(const struct date_set *s, void *arg)
{
	dump_line("date-set", date_set_to_json(s), arg);
	return true;
}

static enum herr dump_kind(struct txn *t, const char *kind, enum dbi d, FILE *out)
{
	struct key none;
	struct scan s;

	if (d == DBI_DATE_SET)
		return date_set_each(t, UINT64_MAX, NULL, dump_date_set, out);
	key_init(&none);
	scan_begin(&s, t, d, &none, NULL);
	while (scan_next(&s)) {
		json_t *o, *line;
		char *text;

		if (record_get(t, d, key_get_u64(s.k.mv_data), kind, &o) != H_OK)
			break;
		line = json_pack("{s:s, s:o}", "kind", kind, "record", o);
		text = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
		fprintf(out, "%s\n", text);
		free(text);
		json_decref(line);
	}
	scan_end(&s);
	return t->ret;
}

/* Waitlist entries share their database with other key spaces (waitlist_record.h), so
 * they are read by their own walk, after the bookings their offers may have become. */
static bool dump_waitlist_entry(const struct waitlist_entry *e, void *arg)
{
	dump_line("waitlist", waitlist_entry_to_json(e), arg);
	return true;
}

/* Allowances keep several kinds of entry in their database (allowance.h), so they are
 * listed through allowance_each; they refer only to groups, venues and rooms, loaded
 * before them. */
static bool dump_allowance(const struct allowance *al, void *arg)
{
	dump_line("allowance", allowance_to_json(al), arg);
	return true;
}

/* A hold is its pending request's: after the bookings. */
static bool dump_hold(json_t *rec, void *arg)
{
	dump_line("hold", rec, arg);
	return true;
}

/* Rounds come last, each followed by its applications. A round refers to its venue,
 * rooms, groups and date sets, and once allocated names the series it made, which do not
 * name it back: so after the series and bookings, and an import loads what each round
 * refers to before it. */
static bool dump_round(const char *kind, json_t *rec, void *arg)
{
	dump_line(kind, rec, arg);
	return true;
}

enum herr dump_export(struct txn *t, FILE *out)
{
	/* The instance id first: the UIDs in feeds contain it, and must survive a move to a
	 * new data directory, or every subscribed calendar would see new events. */
	fprintf(out, "{\"kind\":\"instance\",\"record\":{\"id\":1,\"value\":\"%016llx\"}}\n",
	        (unsigned long long)txn_instance(t));
	for (size_t i = 0; i < DUMP_KIND_COUNT && t->ret == H_OK; i++)
		dump_kind(t, dump_kinds[i].kind, dump_kinds[i].dbi, out);
	if (t->ret == H_OK)
		allowance_each(t, 0, 0, dump_allowance, out);
	if (t->ret == H_OK)
		waitlist_each_record(t, dump_waitlist_entry, out);
	if (t->ret == H_OK)
		hold_each_record(t, dump_hold, out);
	if (t->ret == H_OK)
		round_each_record(t, dump_round, out);
	if (t->ret == H_OK && fflush(out) != 0)
		return herror_set(t->err, H_ESTORAGE, "cannot write the export");
	return t->ret;
}

/* Checks that what a record refers to was loaded before it. */
static enum herr need(struct txn *t, enum dbi d, uint64_t id, const char *what, uint64_t from)
{
	if (record_exists(t, d, id))
		return H_OK;
	return herror_set(t->err, H_EINVAL, "record %llu refers to %s %llu, which is not loaded",
	                  (unsigned long long)from, what, (unsigned long long)id);
}

static enum herr need_all(struct txn *t, enum dbi d, const uint64_t *ids, size_t n,
                          const char *what, uint64_t from)
{
	enum herr ret = H_OK;

	for (size_t i = 0; i < n && ret == H_OK; i++)
		ret = need(t, d, ids[i], what, from);
	return ret;
}

static enum herr need_date_sets(struct txn *t, const uint64_t *ids, size_t n, uint64_t from)
{
	for (size_t i = 0; i < n; i++) {
		struct date_set s;
		enum herr ret = date_set_get(t, ids[i], &s);

		date_set_free(&s);
		if (ret != H_OK)
			return herror_set(
			    t->err, H_EINVAL,
			    "record %llu refers to date set %llu, which is not loaded",
			    (unsigned long long)from, (unsigned long long)ids[i]);
	}
	return H_OK;
}

static enum herr import_record(struct txn *t, const char *kind, const json_t *o, uint64_t id)
{
	struct herror *err = t->err;
	enum herr ret = H_EINVAL;

	if (strcmp(kind, "venue") == 0) {
		struct venue v;

		if ((ret = venue_from_json(o, &v, err)) == H_OK)
			venue_store(t, &v);
		venue_free(&v);
	} else if (strcmp(kind, "room") == 0) {
		struct room r;

		if ((ret = room_from_json(o, &r, err)) == H_OK &&
		    (ret = need(t, DBI_VENUE, r.venue_id, "venue", id)) == H_OK)
			room_store(t, &r, NULL);
		room_free(&r);
	} else if (strcmp(kind, "group") == 0) {
		struct group g;

		if ((ret = group_from_json(o, &g, err)) == H_OK &&
		    (ret = need_all(t, DBI_VENUE, g.trusted_at, g.ntrusted, "venue", id)) == H_OK)
			group_store(t, &g);
		group_free(&g);
	} else if (strcmp(kind, "user") == 0) {
		struct user u;

		if ((ret = user_from_json(o, &u, err)) == H_OK &&
		    (ret = need_all(t, DBI_VENUE, u.venues, u.nvenues, "venue", id)) == H_OK &&
		    (ret = need_all(t, DBI_GROUP, u.groups, u.ngroups, "group", id)) == H_OK)
			user_store(t, &u, NULL);
		user_free(&u);
	} else if (strcmp(kind, "date-set") == 0) {
		struct date_set s, had;

		if ((ret = date_set_from_json(o, &s, err)) == H_OK && s.venue_id != 0)
			ret = need(t, DBI_VENUE, s.venue_id, "venue", id);
		if (ret == H_OK && date_set_get(t, s.id, &had) == H_OK)
			ret = herror_set(err, H_EEXISTS, "date-set %llu appears twice",
			                 (unsigned long long)s.id);
		else if (ret == H_OK)
			date_set_put(t, &s);
		date_set_free(&had);
		date_set_free(&s);
	} else if (strcmp(kind, "closure") == 0) {
		struct closure c;

		if ((ret = closure_from_json(o, &c, err)) == H_OK &&
		    (ret = need(t, c.scope == CLOSURE_ROOM ? DBI_ROOM : DBI_VENUE, c.target,
		                c.scope == CLOSURE_ROOM ? "room" : "venue", id)) == H_OK &&
		    (ret = need_date_sets(t, &c.date_set_id, c.date_set_id != 0, id)) == H_OK)
			closure_store(t, &c);
		closure_free(&c);
	} else if (strcmp(kind, "series") == 0) {
		struct series s;

		if ((ret = series_from_json(o, &s, err)) == H_OK &&
		    (ret = need(t, DBI_ROOM, s.room_id, "room", id)) == H_OK &&
		    (ret = need(t, DBI_GROUP, s.group_id, "group", id)) == H_OK &&
		    (ret = need_date_sets(t, s.skip_date_sets, s.nskip, id)) == H_OK)
			series_put(t, &s);
		series_free(&s);
	} else if (strcmp(kind, "booking") == 0) {
		struct booking b;

		if ((ret = booking_from_json(o, &b, err)) == H_OK &&
		    (ret = need(t, DBI_ROOM, b.room_id, "room", id)) == H_OK &&
		    (ret = need(t, DBI_GROUP, b.group_id, "group", id)) == H_OK &&
		    (b.series_id == 0 ||
		     (ret = need(t, DBI_SERIES, b.series_id, "series", id)) == H_OK))
			booking_store(t, &b, NULL);
		booking_free(&b);
	} else if (strcmp(kind, "allowance") == 0) {
		struct allowance al;

		if (allowance_exists(t, id))
			ret = herror_set(err, H_EEXISTS, "allowance %llu appears twice",
			                 (unsigned long long)id);
		else if ((ret = allowance_from_json(o, &al, err)) == H_OK &&
		         (ret = need(t, DBI_GROUP, al.group_id, "group", id)) == H_OK &&
		         (al.venue_id == 0 ||
		          (ret = need(t, DBI_VENUE, al.venue_id, "venue", id)) == H_OK) &&
		         (ret = need_all(t, DBI_ROOM, al.room_ids, al.n_rooms, "room", id)) == H_OK)
			allowance_store(t, &al);
		allowance_free(&al);
	} else if (strcmp(kind, "instance") == 0) {
		const char *hex = json_str(o, "value");
		char *end = NULL;
		unsigned long long v = hex ? strtoull(hex, &end, 16) : 0;

		ret = hex != NULL && strlen(hex) == 16 && *end == '\0' && v != 0
		          ? H_OK
		          : herror_set(err, H_EINVAL, "the instance line needs 16 hex digits");
		if (ret == H_OK)
			txn_set_instance(t, (uint64_t)v);
	} else if (strcmp(kind, "waitlist") == 0) {
		struct waitlist_entry e;

		if (waitlist_entry_get(t, id, &e) == H_OK)
			ret = herror_set(err, H_EEXISTS, "waitlist %llu appears twice",
			                 (unsigned long long)id);
		else if ((ret = need(t, DBI_ROOM, (uint64_t)json_int(o, "room_id", 0), "room",
		                     id)) == H_OK &&
		         (ret = need(t, DBI_GROUP, (uint64_t)json_int(o, "group_id", 0), "group",
		                     id)) == H_OK)
			ret = waitlist_entry_import(t, o);
		waitlist_entry_free(&e);
	} else if (strcmp(kind, "hold") == 0) {
		if ((ret = need(t, DBI_BOOKING, id, "booking", id)) == H_OK)
			ret = hold_import(t, o);
	} else if (strcmp(kind, "round") == 0 || strcmp(kind, "round-application") == 0) {
		ret = round_import(t, kind, o);
	} else if (strcmp(kind, "audit") == 0) {
		audit_store(t, id, o);
		ret = H_OK;
	} else {
		ret = herror_set(err, H_EINVAL, "unknown kind of record \"%s\"", kind);
	}
	return ret != H_OK ? ret : t->ret;
}

static bool dump_any_venue(const struct venue *v, void *arg)
{
	(void)v;
	*(bool *)arg = true;
	return false;
}

enum herr dump_refuse_filled(struct txn *t)
{
	bool any = false;

	if (venue_each(t, dump_any_venue, &any) != H_OK)
		return t->ret;
	if (any)
		return txn_refuse(t, H_EEXISTS, "%s already has data (it has venues)",
		                  db_path(t->db));
	return H_OK;
}

enum herr dump_import_line(struct txn *t, const char *line, struct herror *err)
{
	json_error_t jerr;
	json_t *line_obj = json_loads(line, 0, &jerr), *o;
	const char *kind;
	json_int_t id;
	enum herr ret;

	if (line_obj == NULL || !json_is_object(line_obj)) {
		json_decref(line_obj);
		return herror_set(err, H_EINVAL, "not a JSON object: %s", jerr.text);
	}
	kind = json_str(line_obj, "kind");
	o = json_object_get(line_obj, "record");
	id = json_int(o, "id", 0);
	if (kind == NULL || !json_is_object(o) || id <= 0) {
		json_decref(line_obj);
		return herror_set(err, H_EINVAL,
		                  "a line needs a kind and a record with a positive id");
	}
	for (size_t i = 0; i < DUMP_KIND_COUNT; i++)
		if (strcmp(kind, dump_kinds[i].kind) == 0 &&
		    record_exists(t, dump_kinds[i].dbi, (uint64_t)id)) {
			herror_set(err, H_EEXISTS, "%s %lld appears twice", dump_kinds[i].kind,
			           (long long)id);
			json_decref(line_obj);
			return H_EEXISTS;
		}
	ret = import_record(t, kind, o, (uint64_t)id);
	/* Records take their ids from a sequence; the instance line is not a record, and a
	 * hold is named by its booking. */
	if (ret == H_OK && strcmp(kind, "instance") != 0 && strcmp(kind, "hold") != 0)
		txn_seen_id(t, kind, (uint64_t)id);
	json_decref(line_obj);
	return ret;
}
