/* Recurring bookings over HTTP.
 *
 *   POST /api/v1/series               a booking's fields (start and end: the first date)
 *                                     plus "rrule", "exdates" and "skip_conflicts" -> 201
 *                                     {"series", "occurrences", "skipped"}; without
 *                                     skip_conflicts a date that cannot be booked refuses
 *                                     the whole series, and the problem lists every such
 *                                     date under "dates"
 *   POST /api/v1/series/preview       the same body -> 200 {"dates", ...}: what the request
 *                                     would do with each date, nothing written
 *   GET  /api/v1/series?room=&group=&limit=&after=
 *                                     the series the caller may see, oldest first, paged
 *   GET  /api/v1/series/<id>          {"series", "occurrences"}
 *   PATCH /api/v1/series/<id>         {"title", "description", "attendees", "public"}
 *   POST /api/v1/series/<id>/approve | /decline | /cancel   {"note", "from"} optional
 *                                     -> {"series", "changed", "refused"}
 *
 * Each date is an ordinary booking too: moved, cancelled or approved on its own through
 * /api/v1/bookings/<id>. Who sees a series is the core's (view_series): another
 * group's private series is not listed, and answers 404. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

static json_t *refusals_json(const struct series_outcome *o, const char *zone)
{
	json_t *list = json_array();

	for (size_t i = 0; i < o->nrefused; i++) {
		const struct series_refusal *f = &o->refused[i];
		char type[96];
		json_t *e;

		snprintf(type, sizeof(type), "/problems/%s", herr_name(f->code));
		e = json_pack("{s:s, s:s}", "type", type, "detail", f->msg);
		reply_time(e, "start", f->start, zone);
		json_object_set_new(e, "conflicts", json_ids_new(f->conflicts, f->nconflicts));
		json_array_append_new(list, e);
	}
	return list;
}

/* Conflicting bookings the caller may not see are left out of every refused date. */
static void refusals_visible(struct request *r, struct series_outcome *o)
{
	for (size_t i = 0; i < o->nrefused; i++)
		o->refused[i].nconflicts =
		    request_visible_bookings(r, o->refused[i].conflicts, o->refused[i].nconflicts);
}

struct occurrence_listing {
	struct txn *t;
	const struct viewer *v;
	struct places *ps;
	json_t *items;
};

static bool occurrence_list_one(const struct booking *b, void *arg)
{
	struct occurrence_listing *l = arg;
	json_t *o = view_booking_json(l->t, l->v, l->ps, b);

	if (o != NULL)
		json_array_append_new(l->items, o);
	return true;
}

/* {"series", "occurrences"} as the caller may see them; H_ENOTFOUND when not at all. */
static enum herr series_for_caller(struct request *r, struct txn *t, uint64_t id, json_t **out)
{
	struct places ps = {0};
	struct viewer v;
	struct series s;
	struct occurrence_listing l;
	enum herr ret;

	*out = NULL;
	request_viewer(r, t, &v);
	l.t = t;
	l.v = &v;
	l.ps = &ps;
	if ((ret = view_series_get(t, &v, &ps, id, &s, NULL)) != H_OK)
		goto out;
	l.items = json_array();
	ret = series_each_occurrence(t, id, occurrence_list_one, &l);
	if (ret == H_OK)
		*out = json_pack("{s:o, s:o}", "series", series_to_json_local(&s), "occurrences",
		                 l.items);
	else
		json_decref(l.items);
out:
	series_free(&s);
	viewer_free(&v);
	places_free(&ps);
	return ret;
}

enum herr h_series_get(struct request *r)
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = series_for_caller(r, &t, r->ids[0], &r->reply);
	db_read_end(&t);
	return ret;
}

struct series_listing {
	struct txn *t;
	struct viewer *v;
	struct places ps;
	json_t *items;
	struct page pg;
};

static bool series_list_one(const struct series *s, void *arg)
{
	struct series_listing *l = arg;

	if (!view_series(l->v, s, places_get(&l->ps, l->t, s->room_id)->room.venue_id))
		return true;
	json_array_append_new(l->items, series_to_json_local(s));
	return !page_full(&l->pg);
}

enum herr h_series_list(struct request *r)
{
	static const char *const known[] = {"room", "group", "limit", "after", NULL};
	struct series_listing l = {0};
	uint64_t room, group;
	struct viewer v;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "room", &room)) != H_OK ||
	    (ret = request_query_id(r, "group", &group)) != H_OK ||
	    (ret = page_read(r, 's', &l.pg)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	l.t = &t;
	l.v = &v;
	l.items = json_array();
	ret = series_each_page(&t, room, group, &l.pg.w, series_list_one, &l);
	if (ret == H_OK) {
		r->reply = l.items;
		page_link(r, &l.pg);
	} else
		json_decref(l.items);
	viewer_free(&v);
	places_free(&l.ps);
	db_read_end(&t);
	return ret;
}

/* A series write waiting for the group commit. */
struct series_op {
	struct request *r;
	enum { SERIES_OP_CREATE, SERIES_OP_DECIDE, SERIES_OP_UPDATE } what;
	struct series s;
	bool approve_now, skip;
	enum series_action act;
	uint64_t id;
	int64_t from;
	char *note;
	json_t *fields;
	int64_t *exdates; /* create: the rule's dates not asked for */
	size_t nexdates;
	struct series_outcome out;
	json_t *view; /* the answer, built inside the transaction */
};

static void series_op_free(struct series_op *op)
{
	series_free(&op->s);
	series_outcome_free(&op->out);
	free(op->exdates);
	free(op->note);
	json_decref(op->fields);
	json_decref(op->view);
	free(op);
}

static enum herr series_op_run(struct txn *t, void *arg)
{
	struct series_op *op = arg;
	const struct actor *a = &op->r->actor;
	int64_t now = op->r->now;
	enum herr ret;

	json_decref(op->view);
	op->view = NULL;
	series_outcome_free(&op->out);
	switch (op->what) {
	case SERIES_OP_CREATE:
		op->s.id = 0;
		ret = series_create_except(t, a, &op->s, op->exdates, op->nexdates, op->approve_now,
		                           op->skip, now, &op->out);
		op->id = op->s.id;
		break;
	case SERIES_OP_DECIDE:
		ret = series_decide(t, a, op->id, op->act, op->from, op->note, now, &op->out);
		break;
	case SERIES_OP_UPDATE:
	default:
		ret = series_update(t, a, op->id, op->fields, now, NULL);
		break;
	}
	if (ret == H_OK)
		ret = series_for_caller(op->r, t, op->id, &op->view);
	return ret;
}

static void series_op_done(struct request *r, enum herr ret, void *arg)
{
	struct series_op *op = arg;
	const char *zone = op->s.zone ? op->s.zone : TZ_DEFAULT;

	refusals_visible(r, &op->out);
	if (ret == H_OK) {
		r->reply = op->view;
		op->view = NULL;
		if (op->what == SERIES_OP_CREATE) {
			json_object_set_new(r->reply, "skipped", refusals_json(&op->out, zone));
			r->status = 201;
		} else if (op->what == SERIES_OP_DECIDE) {
			zone = json_str(json_object_get(r->reply, "series"), "zone");
			json_object_set_new(r->reply, "changed",
			                    json_integer((json_int_t)op->out.created));
			json_object_set_new(r->reply, "refused",
			                    refusals_json(&op->out, zone ? zone : TZ_DEFAULT));
		}
	} else if (op->out.nrefused > 0) {
		r->problem_extra = json_pack("{s:o}", "dates", refusals_json(&op->out, zone));
		r->err.nconflicts =
		    request_visible_bookings(r, r->err.conflicts, r->err.nconflicts);
	}
	series_op_free(op);
	request_finish(r, ret);
}

/* The body of a new series (POST /api/v1/series, and its preview) into op. */
static enum herr series_body(struct request *r, struct series_op *op)
{
	static const char *const known[] = {
	    "room_id",        "group_id", "title",   "description", "attendees", "public",
	    "start",          "end",      "approve", "rrule",       "exdates",   "skip_conflicts",
	    "skip_date_sets", NULL};
	struct booking b;
	json_t *v;
	char *zone = NULL;
	enum herr ret;

	series_init(&op->s);
	booking_init(&b);
	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = request_booking(r, false, &b, &op->approve_now, &zone)) != H_OK)
		goto out;
	if (!json_is_string(json_object_get(r->body, "rrule"))) {
		ret = herror_set(
		    &r->err, H_EINVAL,
		    "rrule must be an RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=20");
		goto out;
	}
	if ((v = json_object_get(r->body, "skip_conflicts")) != NULL && !json_is_boolean(v)) {
		ret = herror_set(&r->err, H_EINVAL, "skip_conflicts must be true or false");
		goto out;
	}
	op->skip = json_is_true(v);
	/* The rule's dates are in the room's zone, and so are the dates left out. */
	if ((ret = field_instants(&op->exdates, &op->nexdates, r->body, "exdates", zone,
	                          SERIES_EXDATES_MAX, &r->err)) != H_OK)
		goto out;
	op->s.room_id = b.room_id;
	op->s.group_id = b.group_id;
	op->s.title = b.title;
	op->s.description = b.description;
	b.title = b.description = NULL;
	op->s.attendees = b.attendees;
	op->s.public = b.public;
	if ((ret = series_set_first(&op->s, b.start, b.end, &r->err)) != H_OK)
		goto out;
	op->s.rrule = xstrdup(json_str(r->body, "rrule"));
	/* The date sets whose dates are left out (date_set.h); the core judges each. */
	if ((ret = field_ids(&op->s.skip_date_sets, &op->s.nskip, r->body, "skip_date_sets",
	                     &r->err)) != H_OK)
		goto out;
	op->s.zone = zone;
	zone = NULL;
out:
	free(zone);
	booking_free(&b);
	return ret;
}

enum herr h_series_create(struct request *r)
{
	struct series_op *op = xcalloc(1, sizeof(*op));
	enum herr ret;

	op->r = r;
	op->what = SERIES_OP_CREATE;
	if ((ret = series_body(r, op)) != H_OK) {
		series_op_free(op);
		return ret;
	}
	commit_submit(r, series_op_run, op, series_op_done);
	return H_OK;
}

static const char *const date_outcomes[] = {
    [SERIES_DATE_PENDING] = "pending", [SERIES_DATE_APPROVED] = "approved",
    [SERIES_DATE_REFUSED] = "refused", [SERIES_DATE_LEFT_OUT] = "left-out",
    [SERIES_DATE_SKIPPED] = "skipped",
};

/* One date of a preview: its times, its outcome and, when refused, why (with the
 * bookings in the way that the caller may see). */
static json_t *preview_date_json(struct request *r, const struct series_date *d,
                                 const struct series *s)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "outcome", date_outcomes[d->outcome], "start_ts",
	                      (json_int_t)d->start, "end_ts",
	                      (json_int_t)(d->start + (int64_t)s->duration));
	struct series_refusal f = d->refusal;
	char type[96];

	reply_time(o, "start", d->start, s->zone);
	reply_time(o, "end", d->start + (int64_t)s->duration, s->zone);
	if (d->outcome == SERIES_DATE_SKIPPED) {
		json_object_set_new(o, "date_set_id", json_integer((json_int_t)d->date_set_id));
		json_object_set_new(o, "date_set", json_string(d->date_set_name));
		json_object_set_new(o, "label",
		                    d->date_label[0] != '\0' ? json_string(d->date_label)
		                                             : json_null());
	}
	if (d->outcome != SERIES_DATE_REFUSED)
		return o;
	snprintf(type, sizeof(type), "/problems/%s", herr_name(f.code));
	f.nconflicts = request_visible_bookings(r, f.conflicts, f.nconflicts);
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "detail", json_string(f.msg));
	json_object_set_new(o, "conflicts", json_ids_new(f.conflicts, f.nconflicts));
	return o;
}

static json_t *preview_json(struct request *r, const struct series_preview *pv,
                            const struct series *s)
{
	json_t *dates = json_array();
	size_t count[5] = {0};
	json_t *o;

	for (size_t i = 0; i < pv->n; i++) {
		count[pv->dates[i].outcome]++;
		json_array_append_new(dates, preview_date_json(r, &pv->dates[i], s));
	}
	o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:I, s:I, s:I}", "room_id",
	              (json_int_t)s->room_id, "group_id", (json_int_t)s->group_id, "zone", s->zone,
	              "rrule", s->rrule, "duration_seconds", (json_int_t)s->duration, "dates",
	              dates, "fit",
	              (json_int_t)(count[SERIES_DATE_PENDING] + count[SERIES_DATE_APPROVED]),
	              "refused", (json_int_t)count[SERIES_DATE_REFUSED], "left_out",
	              (json_int_t)count[SERIES_DATE_LEFT_OUT]);
	json_object_set_new(o, "skipped", json_integer((json_int_t)count[SERIES_DATE_SKIPPED]));
	reply_time(o, "start", s->first_start, s->zone);
	reply_time(o, "end", s->first_start + (int64_t)s->duration, s->zone);
	return o;
}

enum herr h_series_preview(struct request *r)
{
	struct series_op *op = xcalloc(1, sizeof(*op));
	struct series_preview pv = {0};
	struct txn t;
	enum herr ret;

	op->r = r;
	if ((ret = series_body(r, op)) != H_OK ||
	    (ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		goto out;
	ret = series_preview(&t, &r->actor, &op->s, op->exdates, op->nexdates, op->approve_now,
	                     r->now, &pv);
	db_read_end(&t);
	if (ret == H_OK)
		r->reply = preview_json(r, &pv, &op->s);
	else
		/* A whole-series refusal names only the bookings the caller may see. */
		r->err.nconflicts =
		    request_visible_bookings(r, r->err.conflicts, r->err.nconflicts);
out:
	series_preview_free(&pv);
	series_op_free(op);
	return ret;
}

/* The caller must see the series to change it (else 404, as for a booking); *zone
 * (may be NULL) receives its zone, malloc'd. Reads the series alone, not its dates. */
static enum herr series_check_visible(struct request *r, uint64_t id, char **zone)
{
	struct places ps = {0};
	struct viewer v;
	struct series s;
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = view_series_get(&t, &v, &ps, id, &s, NULL);
	if (ret == H_OK && zone != NULL)
		*zone = xstrdup(s.zone);
	series_free(&s);
	viewer_free(&v);
	places_free(&ps);
	db_read_end(&t);
	return ret;
}

enum herr h_series_update(struct request *r)
{
	struct series_op *op;
	enum herr ret = series_check_visible(r, r->ids[0], NULL);

	if (ret != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = SERIES_OP_UPDATE;
	op->id = r->ids[0];
	op->fields = json_incref(r->body);
	commit_submit(r, series_op_run, op, series_op_done);
	return H_OK;
}

static enum herr series_decision(struct request *r, enum series_action act)
{
	static const char *const known[] = {"note", "from", NULL};
	struct series_op *op;
	json_t *note = r->body ? json_object_get(r->body, "note") : NULL;
	char *zone = NULL;
	enum herr ret;

	if (r->body != NULL && (ret = request_body_known(r, known)) != H_OK)
		return ret;
	if (note != NULL && !json_is_string(note))
		return herror_set(&r->err, H_EINVAL, "note must be text");
	if ((ret = series_check_visible(r, r->ids[0], &zone)) != H_OK)
		return ret;
	op = xcalloc(1, sizeof(*op));
	op->r = r;
	op->what = SERIES_OP_DECIDE;
	op->act = act;
	op->id = r->ids[0];
	op->note = note != NULL ? xstrdup(json_string_value(note)) : NULL;
	if (r->body != NULL && json_object_get(r->body, "from") != NULL &&
	    (ret = request_body_time(r, r->body, "from", zone, &op->from)) != H_OK) {
		free(zone);
		series_op_free(op);
		return ret;
	}
	free(zone);
	commit_submit(r, series_op_run, op, series_op_done);
	return H_OK;
}

enum herr h_series_approve(struct request *r)
{
	return series_decision(r, SERIES_APPROVE);
}

enum herr h_series_decline(struct request *r)
{
	return series_decision(r, SERIES_DECLINE);
}

enum herr h_series_cancel(struct request *r)
{
	return series_decision(r, SERIES_CANCEL);
}
