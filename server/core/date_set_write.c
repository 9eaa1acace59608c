/* Making, changing, importing and removing date sets, and the rules page's words about
 * closures that follow them. Above closure.c: a change of a set rewrites the closures
 * that follow it (closure_follow_set) in the same transaction, so that no reader ever
 * sees a set and its closures disagree. */
#include "date_set.h"
#include "date_set_ics.h"

#include "audit.h"
#include "closure.h"
#include "record.h"
#include "room.h"
#include "text.h"
#include "venue.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

static void audit_set(struct txn *t, const struct actor *a, const struct date_set *s,
                      const char *action, const char *note, int64_t now)
{
	json_t *detail = json_pack("{s:s, s:I, s:I}", "name", s->name != NULL ? s->name : "",
	                           "venue_id", (json_int_t)s->venue_id, "dates", (json_int_t)s->n);

	audit_append(t, a, "date-set", s->id, action, note, detail, now);
	json_decref(detail);
}

enum herr date_set_create(struct txn *t, const struct actor *a, struct date_set *s, int64_t now)
{
	struct herror e;

	herror_clear(&e);
	if (date_set_may_manage(t, a, s->venue_id) != H_OK)
		return t->ret;
	if (text_check(s->name, "name", DATE_SET_NAME_MAX, true, false, &e) != H_OK)
		return txn_refuse(t, H_EINVAL, "%s", e.msg);
	s->id = txn_next_id(t, "date-set");
	s->created_by = a->user_id;
	s->created_at = s->updated_at = now;
	date_set_put(t, s);
	audit_set(t, a, s, "create", NULL, now);
	return t->ret;
}

struct follow {
	struct txn *t;
	const struct actor *a;
	int64_t now;
	size_t closures;
};

static bool follow_one(enum date_set_user kind, uint64_t id, void *arg)
{
	struct follow *f = arg;

	(void)kind;
	f->closures++;
	return closure_follow_set(f->t, f->a, id, f->now) == H_OK;
}

static bool first_user(enum date_set_user kind, uint64_t id, void *arg)
{
	uint64_t *found = arg;

	found[0] = (uint64_t)kind;
	found[1] = id;
	return false;
}

/* Stores s as changed, and every closure that follows it after it. */
static enum herr set_changed(struct txn *t, const struct actor *a, struct date_set *s,
                             const char *note, int64_t now)
{
	struct follow f = {t, a, now, 0};
	uint64_t found[2] = {0, 0};

	if (s->n == 0) {
		date_set_each_user(t, s->id, DATE_SET_BY_CLOSURE, first_user, found);
		if (t->ret == H_OK && found[0] != 0)
			return txn_refuse(
			    t, H_EINVAL,
			    "closures follow date set %llu, so it must keep at least one "
			    "date; remove those closures first",
			    (unsigned long long)s->id);
	}
	s->updated_at = now;
	date_set_put(t, s);
	audit_set(t, a, s, "update", note, now);
	date_set_each_user(t, s->id, DATE_SET_BY_CLOSURE, follow_one, &f);
	return t->ret;
}

/* "remove": dates to take out, as "YYYY-MM-DD"; each must be in the set. */
static enum herr remove_dates(struct txn *t, struct date_set *s, const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) > DATE_SET_MAX_DATES)
		return txn_refuse(t, H_EINVAL, "remove must be an array of dates (YYYY-MM-DD)");
	json_array_foreach(a, i, v)
	{
		int32_t day;

		if (!date_set_parse_date(json_string_value(v), &day))
			return txn_refuse(t, H_EINVAL, "remove[%zu] is not a date as YYYY-MM-DD",
			                  i);
		if (!date_set_remove_date(s, day))
			return txn_refuse(t, H_EINVAL, "remove[%zu]: %s is not in the set", i,
			                  json_string_value(v));
	}
	return H_OK;
}

/* Applies the fields of a change to s: name, description, dates (the whole list), add
 * (dates to add) and remove (dates to take out), in that order. */
static enum herr apply_fields(struct txn *t, struct date_set *s, const json_t *fields)
{
	static const char *const names[] = {"name", "description", "dates", "add", "remove", NULL};
	const json_t *dates = json_object_get(fields, "dates");
	const json_t *add = json_object_get(fields, "add");
	const json_t *rm = json_object_get(fields, "remove");

	if (fields_known(fields, names, t->err) != H_OK ||
	    field_text(&s->name, fields, "name", DATE_SET_NAME_MAX, true, false, t->err) != H_OK ||
	    field_text(&s->description, fields, "description", DATE_SET_DESC_MAX, false, true,
	               t->err) != H_OK)
		return txn_refuse(t, H_EINVAL, "%s", t->err->msg);
	if (dates != NULL) {
		for (size_t i = 0; i < s->n; i++)
			free(s->dates[i].label);
		s->n = 0;
		if (date_set_dates_from_json(dates, s, t->err) != H_OK)
			return txn_refuse(t, H_EINVAL, "%s", t->err->msg);
	}
	if (add != NULL && date_set_dates_from_json(add, s, t->err) != H_OK)
		return txn_refuse(t, H_EINVAL, "add: %s", t->err->msg);
	if (rm != NULL)
		return remove_dates(t, s, rm);
	return H_OK;
}

enum herr date_set_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                          int64_t now, struct date_set *out)
{
	struct date_set s;

	if (date_set_get(t, id, &s) != H_OK) {
		date_set_free(&s);
		return record_not_found(t, "date set", id);
	}
	if (!json_is_object(fields))
		txn_refuse(t, H_EINVAL, "a change of a date set must be an object");
	else if (date_set_may_manage(t, a, s.venue_id) == H_OK &&
	         apply_fields(t, &s, fields) == H_OK)
		set_changed(t, a, &s, NULL, now);
	if (t->ret == H_OK && out != NULL) {
		*out = s;
		return H_OK;
	}
	date_set_free(&s);
	return t->ret;
}

enum herr date_set_remove(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct date_set s;
	uint64_t found[2] = {0, 0};

	if (date_set_get(t, id, &s) != H_OK) {
		date_set_free(&s);
		return record_not_found(t, "date set", id);
	}
	if (date_set_may_manage(t, a, s.venue_id) == H_OK &&
	    date_set_each_user(t, id, 0, first_user, found) == H_OK) {
		if (found[0] == DATE_SET_BY_CLOSURE)
			record_in_use(t, "date set", id, "closure", found[1],
			              "remove the closure that follows it first");
		else if (found[0] == DATE_SET_BY_SERIES)
			record_in_use(t, "date set", id, "series", found[1],
			              "a series that skips its dates keeps naming it; the set can "
			              "be emptied or renamed instead");
	}
	if (t->ret == H_OK) {
		date_set_delete(t, id);
		audit_set(t, a, &s, "remove", NULL, now);
	}
	date_set_free(&s);
	return t->ret;
}

enum herr date_set_import(struct txn *t, const struct actor *a, struct date_set *s, uint64_t into,
                          const char *text, size_t len, int64_t now,
                          struct date_set_ics_report *rep)
{
	char note[200];

	if (into != 0) {
		date_set_free(s);
		if (date_set_get(t, into, s) != H_OK)
			return record_not_found(t, "date set", into);
		if (date_set_may_manage(t, a, s->venue_id) != H_OK)
			return t->ret;
	} else if (date_set_may_manage(t, a, s->venue_id) != H_OK) {
		return t->ret;
	}
	if (date_set_ics_read(text, len, s, rep, t->err) != H_OK)
		return txn_refuse(t, H_EINVAL, "%s", t->err->msg);
	if (into == 0 && s->name == NULL && rep->calname[0] != '\0')
		s->name = xstrdup(rep->calname);
	if (into == 0 && s->name == NULL)
		return txn_refuse(t, H_EINVAL,
		                  "give the date set a name (the calendar file has no "
		                  "X-WR-CALNAME)");
	text_format(note, sizeof(note),
	            "imported from a calendar file: %zu dates added, %zu "
	            "already there, %zu events left out",
	            rep->added, rep->duplicates, rep->skipped);
	if (into == 0) {
		if (date_set_create(t, a, s, now) == H_OK)
			audit_set(t, a, s, "import", note, now);
		return t->ret;
	}
	return set_changed(t, a, s, note, now);
}

/* The rules page. */

struct rules {
	struct txn *t;
	uint64_t venue_id;
	json_t *out;
	const struct date_set *set;
};

static void rule_add(struct rules *r, const struct closure *c, uint64_t venue_id)
{
	char where[300], name[128], says[700], next[64] = "";
	json_t *rooms = json_array(), *o;
	struct venue v;
	struct room room;

	room_init(&room);
	venue_get(r->t, venue_id, &v);
	if (c->scope == CLOSURE_ROOM) {
		room_get(r->t, c->target, &room);
		json_array_append_new(rooms, json_integer((json_int_t)c->target));
		text_format(where, sizeof(where), "%s at %s",
		            room.name != NULL ? room.name : "A room",
		            v.name != NULL ? v.name : "the venue");
	} else
		text_format(where, sizeof(where), "%s", v.name != NULL ? v.name : "The venue");
	text_quote(name, sizeof(name), r->set->name, 100);
	if (r->set->n > 0) {
		char first[16], last[16];

		date_set_format_date(r->set->dates[0].day, first);
		date_set_format_date(r->set->dates[r->set->n - 1].day, last);
		text_format(next, sizeof(next), ", from %s to %s", first, last);
	}
	text_format(says, sizeof(says), "%s is closed all day on the %zu date%s of \"%s\"%s.",
	            where, r->set->n, r->set->n == 1 ? "" : "s", name, next);
	o = json_pack("{s:s, s:I, s:o, s:s, s:I, s:I, s:s, s:I}", "rule", "date-set", "venue_id",
	              (json_int_t)venue_id, "room_ids", rooms, "says", says, "closure_id",
	              (json_int_t)c->id, "date_set_id", (json_int_t)r->set->id, "date_set",
	              r->set->name, "dates", (json_int_t)r->set->n);
	json_array_append_new(r->out, o);
	venue_free(&v);
	room_free(&room);
}

static bool rule_closure(enum date_set_user kind, uint64_t id, void *arg)
{
	struct rules *r = arg;
	struct closure c;
	uint64_t venue_id;

	(void)kind;
	if (closure_get(r->t, id, &c) == H_OK) {
		venue_id = c.target;
		if (c.scope == CLOSURE_ROOM) {
			struct room room;

			room_init(&room);
			venue_id = room_get(r->t, c.target, &room) == H_OK ? room.venue_id : 0;
			room_free(&room);
		}
		if (venue_id != 0 && (r->venue_id == 0 || r->venue_id == venue_id))
			rule_add(r, &c, venue_id);
	}
	closure_free(&c);
	herror_clear(r->t->err);
	return r->t->ret == H_OK;
}

static bool rule_set(const struct date_set *s, void *arg)
{
	struct rules *r = arg;

	r->set = s;
	date_set_each_user(r->t, s->id, DATE_SET_BY_CLOSURE, rule_closure, r);
	return r->t->ret == H_OK;
}

enum herr date_set_rules(struct txn *t, uint64_t venue_id, json_t *rules)
{
	struct rules r = {t, venue_id, rules, NULL};

	return date_set_each(t, UINT64_MAX, NULL, rule_set, &r);
}
