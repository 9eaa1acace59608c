/* Series: creating one (every date booked as a booking linked to it), its occurrences,
 * and decisions and edits on a whole series. The record is series_record.c's and the
 * rule series_rule.c's. */
#include "series.h"

#include "audit.h"
#include "date_set.h"
#include "notify.h"

#include "record.h"
#include "text.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>
/* Creation. */

/* Makes the message a check left in t->err a refusal of the transaction. */
static enum herr refuse_as_told(struct txn *t, enum herr code)
{
	char msg[sizeof(t->err->msg)];

	memcpy(msg, t->err->msg, sizeof(msg));
	return txn_refuse(t, code, "%s", msg);
}

void series_outcome_free(struct series_outcome *o)
{
	free(o->refused);
	free(o->decided);
	memset(o, 0, sizeof(*o));
}

/* r: the refusal err holds, of the date at start. */
static void refusal_fill(struct series_refusal *r, int64_t start, const struct herror *err)
{
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->code = err->code;
	text_sanitize(r->msg, sizeof(r->msg), err->msg);
	r->nconflicts = err->nconflicts;
	memcpy(r->conflicts, err->conflicts, err->nconflicts * sizeof(err->conflicts[0]));
}

static void outcome_refuse(struct series_outcome *o, int64_t start, const struct herror *err)
{
	o->refused = xrealloc(o->refused, (o->nrefused + 1) * sizeof(*o->refused));
	refusal_fill(&o->refused[o->nrefused++], start, err);
}

struct starts {
	int64_t *v;
	size_t n;
	int64_t stop_after; /* the walk ends at the first date past this */
};

static bool starts_add(int64_t start, void *arg)
{
	struct starts *s = arg;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = start;
	return start <= s->stop_after;
}

struct occurrence_job {
	const struct series *s;
	const struct actor *a;
	int64_t start;
	bool approve_now;
	int64_t now;
};

static enum herr occurrence_book(struct txn *t, void *arg)
{
	struct occurrence_job *j = arg;
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = j->s->room_id;
	b.group_id = j->s->group_id;
	b.series_id = j->s->id;
	b.recurrence_id = j->start;
	b.title = xstrdup(j->s->title);
	b.description = xstrdup_or_null(j->s->description);
	b.attendees = j->s->attendees;
	b.public = j->s->public;
	b.start = j->start;
	b.end = j->start + j->s->duration;
	ret = booking_request(t, j->a, &b, j->approve_now, j->now);
	booking_free(&b);
	return ret;
}

/* The checks that concern the series as a whole, made once so that a wrong room or a
 * missing right is one clear answer rather than a refusal per date. */
static enum herr series_check(struct txn *t, const struct actor *a, struct series *s,
                              bool approve_now, struct room *room)
{
	struct booking probe;
	struct venue v;
	enum herr ret;

	booking_init(&probe);
	probe.title = s->title;
	probe.description = s->description;
	ret = booking_check_text(t, &probe);
	if (ret != H_OK)
		return refuse_as_told(t, ret);
	if ((ret = room_get(t, s->room_id, room)) != H_OK)
		return ret;
	if ((ret = venue_get(t, room->venue_id, &v)) != H_OK) {
		venue_free(&v);
		return ret;
	}
	free(s->zone);
	s->zone = xstrdup(v.tz);
	venue_free(&v);
	if (record_need(t, DBI_GROUP, s->group_id, "group") != H_OK)
		return t->ret;
	if ((ret = policy_act_for_group(t, a, s->group_id, room->venue_id)) != H_OK)
		return ret;
	if (approve_now && (ret = policy_manage_venue(t, a, room->venue_id)) != H_OK)
		return ret;
	if (s->duration == 0)
		return txn_refuse(t, H_RULE_ORDER, "the end must be after the start");
	return H_OK;
}

/* The instants of s's rule, at most max + 1 (so that too many can be told), and none
 * after the first past the room's horizon (which is then refused as a date). */
static enum herr series_starts(struct txn *t, const struct series *s, const struct room *room,
                               int64_t now, struct starts *out)
{
	enum herr ret;

	out->stop_after = now + (int64_t)room->horizon_days * 86400;
	ret = series_expand(s->rrule, s->zone, s->first_start, (size_t)room->max_occurrences + 1,
	                    starts_add, out, t->err);
	if (ret != H_OK)
		return refuse_as_told(t, ret);
	if (out->n == 0 || out->v[0] != s->first_start)
		return txn_refuse(t, H_EINVAL,
		                  "the first date must be one of the rule's dates (e.g. a Tuesday "
		                  "for BYDAY=TU)");
	return H_OK;
}

/* Asking twice for a series: the same group, room, zone, rule, first date and length as
 * a series that still has pending or approved dates. Such a series is found through its
 * dates, which are the group's bookings at exactly the new series' dates (so the check
 * costs a seek per date, whatever the number of series); a series whose every live date
 * has been moved off the rule is not found, and the new one asks for other times. */

struct series_twin {
	struct txn *t;
	const struct series *s;
	uint64_t found;    /* the identical series */
	uint64_t not_twin; /* the last series found to differ, so as not to read it again */
	uint64_t ids[HERR_MAX_CONFLICTS]; /* its live dates at the new series' dates */
	size_t n;
};

static bool series_same(const struct series *a, const struct series *b)
{
	return a->room_id == b->room_id && a->group_id == b->group_id &&
	       a->first_start == b->first_start && a->duration == b->duration && a->zone != NULL &&
	       b->zone != NULL && strcmp(a->zone, b->zone) == 0 && a->rrule != NULL &&
	       b->rrule != NULL && strcmp(a->rrule, b->rrule) == 0;
}

static bool series_twin_date(const struct booking *twin, void *arg)
{
	struct series_twin *x = arg;
	struct series other;

	if (twin->series_id == 0 || twin->series_id == x->not_twin)
		return true;
	if (x->found == 0) {
		if (series_get(x->t, twin->series_id, &other) == H_OK && series_same(&other, x->s))
			x->found = other.id;
		else
			x->not_twin = twin->series_id;
		series_free(&other);
	}
	if (twin->series_id == x->found && x->n < HERR_MAX_CONFLICTS)
		x->ids[x->n++] = twin->id;
	return true;
}

/* Refuses s (with its rule's dates, starts) when its group has asked for it already. */
static enum herr series_check_twin(struct txn *t, const struct series *s, const struct room *room,
                                   const struct starts *starts)
{
	struct series_twin x = {.t = t, .s = s};
	char group[128], name[128];

	for (size_t i = 0; i < starts->n && t->ret == H_OK; i++) {
		struct booking probe;

		booking_init(&probe);
		probe.room_id = s->room_id;
		probe.group_id = s->group_id;
		probe.start = starts->v[i];
		probe.end = starts->v[i] + (int64_t)s->duration;
		booking_each_twin(t, &probe, series_twin_date, &x);
	}
	if (t->ret != H_OK || x.found == 0)
		return t->ret;
	booking_group_name(t, s->group_id, group, sizeof(group));
	text_quote(name, sizeof(name), room->name, 80);
	for (size_t i = 0; i < x.n; i++)
		herror_add_conflict(t->err, x.ids[i]);
	return txn_refuse(
	    t, H_ECONFLICT,
	    "%s already asked for this: series %llu, %s on the same rule (%s) from the "
	    "same first date",
	    group, (unsigned long long)x.found, name, s->rrule);
}

/* Refuses the whole series, naming the first reason and, for a conflict, every booking
 * in the way of any date (once each) in t->err's conflicts. total: the dates asked for. */
static enum herr series_refuse_all(struct txn *t, const struct series_outcome *o, size_t total)
{
	enum herr code = o->refused[0].code;

	for (size_t i = 0; i < o->nrefused; i++)
		if (o->refused[i].code == H_ECONFLICT)
			code = H_ECONFLICT;
	txn_refuse(t, code, "%zu of the %zu dates cannot be booked (first: %s)", o->nrefused, total,
	           o->refused[0].msg);
	t->err->nconflicts = 0;
	for (size_t i = 0; i < o->nrefused; i++)
		for (size_t j = 0; j < o->refused[i].nconflicts; j++) {
			uint64_t id = o->refused[i].conflicts[j];
			size_t k;

			for (k = 0; k < t->err->nconflicts && t->err->conflicts[k] != id; k++)
				;
			if (k == t->err->nconflicts)
				herror_add_conflict(t->err, id);
		}
	return t->ret;
}

/* A new series as judged before any date is: its room, its rule's dates in order, and
 * which of them the group leaves out (exdates). */
struct series_plan {
	struct room room;
	struct starts starts;
	bool *left_out;        /* one per date of starts */
	size_t asked;          /* dates not left out */
	size_t *skipped_by;    /* one per date: 1 + the index in sets of the set skipping it */
	struct date_set *sets; /* s->skip_date_sets, loaded */
	size_t nsets;
};

static void series_plan_free(struct series_plan *p)
{
	room_free(&p->room);
	free(p->starts.v);
	free(p->left_out);
	free(p->skipped_by);
	for (size_t i = 0; i < p->nsets; i++)
		date_set_free(&p->sets[i]);
	free(p->sets);
}

static int start_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Marks the dates the group leaves out. Each must be one of the rule's dates, named
 * once: a date that is not one would leave nothing out, which the group did not mean. */
static enum herr series_leave_out(struct txn *t, const struct series *s, const int64_t *exdates,
                                  size_t nexdates, struct series_plan *p)
{
	/* series_starts refused a rule without dates: starts.n is at least 1. */
	p->left_out = xcalloc(p->starts.n, sizeof(*p->left_out));
	p->asked = p->starts.n;
	for (size_t i = 0; i < nexdates; i++) {
		const int64_t *at =
		    bsearch(&exdates[i], p->starts.v, p->starts.n, sizeof(*p->starts.v), start_cmp);
		struct localtm lt;

		if (at != NULL && !p->left_out[at - p->starts.v]) {
			p->left_out[at - p->starts.v] = true;
			p->asked--;
			continue;
		}
		tz_to_local(s->zone, exdates[i], &lt);
		return txn_refuse(t, H_EINVAL,
		                  at == NULL ? "exdates: %04d-%02d-%02dT%02d:%02d is not one "
		                               "of the rule's dates"
		                             : "exdates: %04d-%02d-%02dT%02d:%02d is named "
		                               "twice",
		                  lt.year, lt.month, lt.day, lt.hour, lt.min);
	}
	if (p->asked == 0)
		return txn_refuse(t, H_EINVAL, "exdates leaves out every date of the rule");
	return H_OK;
}

/* Leaves out the dates whose local day is in a date set the series skips. Each set must
 * be one the room's venue may use; the same set named twice counts once. */
static enum herr series_skip_sets(struct txn *t, const struct series *s, struct series_plan *p)
{
	size_t before = p->asked;

	if (s->nskip > DATE_SET_SKIP_MAX)
		return txn_refuse(t, H_EINVAL, "a series can skip at most %d date sets",
		                  DATE_SET_SKIP_MAX);
	p->skipped_by = xcalloc(p->starts.n, sizeof(*p->skipped_by));
	p->sets = xcalloc(s->nskip + 1, sizeof(*p->sets));
	for (size_t i = 0; i < s->nskip; i++) {
		if (date_set_usable(t, s->skip_date_sets[i], p->room.venue_id, &p->sets[i]) != H_OK)
			return t->ret;
		p->nsets++;
	}
	for (size_t i = 0; i < p->starts.n; i++) {
		int32_t day = date_set_day_of(s->zone, p->starts.v[i]);

		for (size_t j = 0; j < p->nsets && !p->left_out[i]; j++)
			if (date_set_find(&p->sets[j], day) != NULL) {
				p->left_out[i] = true;
				p->skipped_by[i] = j + 1;
				p->asked--;
			}
	}
	if (p->asked == 0 && before > 0)
		return txn_refuse(
		    t, H_EINVAL,
		    "every date of the rule falls on a date of the date sets it skips "
		    "(%zu dates); nothing would be booked",
		    before);
	return H_OK;
}

/* Everything about a new series that is judged once, for the whole of it, the same way
 * for a request and a preview: the room, the group, the caller's rights, the rule, the
 * number of dates, the dates left out, and whether the group has asked for it already. */
static enum herr series_plan_make(struct txn *t, const struct actor *a, struct series *s,
                                  const int64_t *exdates, size_t nexdates, bool approve_now,
                                  int64_t now, struct series_plan *p)
{
	enum herr ret;
	char *rule;

	memset(p, 0, sizeof(*p));
	room_init(&p->room);
	if ((ret = series_check(t, a, s, approve_now, &p->room)) != H_OK)
		return ret;
	rule = series_rule_normalise(s->rrule, s->zone, t->err);
	if (rule == NULL)
		return refuse_as_told(t, H_EINVAL);
	free(s->rrule);
	s->rrule = rule;
	if ((ret = series_starts(t, s, &p->room, now, &p->starts)) != H_OK)
		return ret;
	if (p->starts.n > p->room.max_occurrences)
		return txn_refuse(t, H_RULE_SERIES,
		                  "%s takes series of at most %u dates; this rule has more (end it "
		                  "sooner with COUNT or UNTIL)",
		                  p->room.name, p->room.max_occurrences);
	if ((ret = series_leave_out(t, s, exdates, nexdates, p)) != H_OK ||
	    (ret = series_skip_sets(t, s, p)) != H_OK)
		return ret;
	return series_check_twin(t, s, &p->room, &p->starts);
}

enum herr series_create(struct txn *t, const struct actor *a, struct series *s, bool approve_now,
                        bool skip_refused, int64_t now, struct series_outcome *out)
{
	return series_create_except(t, a, s, NULL, 0, approve_now, skip_refused, now, out);
}

enum herr series_create_except(struct txn *t, const struct actor *a, struct series *s,
                               const int64_t *exdates, size_t nexdates, bool approve_now,
                               bool skip_refused, int64_t now, struct series_outcome *out)
{
	struct series_plan p;
	enum herr ret;
	json_t *detail;

	memset(out, 0, sizeof(*out));
	if ((ret = series_plan_make(t, a, s, exdates, nexdates, approve_now, now, &p)) != H_OK)
		goto out;
	s->id = txn_next_id(t, "series");
	s->created_by = a->user_id;
	s->created_at = s->updated_at = now;
	s->sequence = 0;
	series_put(t, s);
	for (size_t i = 0; i < p.starts.n && t->ret == H_OK; i++) {
		struct occurrence_job j = {s, a, p.starts.v[i], approve_now, now};

		if (p.left_out[i])
			continue;
		herror_clear(t->err);
		ret = txn_try(t, occurrence_book, &j);
		if (ret == H_OK)
			out->created++;
		else if (t->ret == H_OK)
			outcome_refuse(out, p.starts.v[i], t->err);
	}
	if ((ret = t->ret) != H_OK)
		goto out;
	if (out->nrefused > 0 && (!skip_refused || out->created == 0)) {
		ret = series_refuse_all(t, out, p.asked);
		goto out;
	}
	herror_clear(t->err);
	detail = series_to_json(s);
	audit_append(t, a, "series", s->id, "create", NULL, detail, now);
	json_decref(detail);
	notify_series_requested(t, a, s, out, now);
	ret = t->ret;
out:
	series_plan_free(&p);
	return ret;
}

/* Previewing. */

void series_preview_free(struct series_preview *pv)
{
	free(pv->dates);
	memset(pv, 0, sizeof(*pv));
}

struct preview_job {
	const struct series *s;
	const struct actor *a;
	const struct room *room;
	int64_t start;
	bool approve_now;
	int64_t now;
	const struct series_preview *so_far; /* the dates judged before this one */
	enum booking_status status;          /* out */
};

/* Whether [start, end) is in the way of a date judged before it that would be approved,
 * counting the room's setup and cleanup as booking_blocks counts them: when the series
 * is made, that date is stored first and so blocks this one. */
static bool preview_taken(const struct preview_job *j, int64_t start, int64_t end)
{
	for (size_t i = 0; i < j->so_far->n; i++) {
		const struct series_date *d = &j->so_far->dates[i];

		if (d->outcome == SERIES_DATE_APPROVED &&
		    room_slots_clash(j->room, d->start, d->start + (int64_t)j->s->duration, start,
		                     end))
			return true;
	}
	return false;
}

/* One date judged as occurrence_book would request it, writing nothing. */
static enum herr occurrence_judge(struct txn *t, void *arg)
{
	struct preview_job *j = arg;
	struct booking b;
	enum herr ret;

	booking_init(&b);
	b.room_id = j->s->room_id;
	b.group_id = j->s->group_id;
	b.title = xstrdup(j->s->title);
	b.description = xstrdup_or_null(j->s->description);
	b.attendees = j->s->attendees;
	b.public = j->s->public;
	b.start = j->start;
	b.end = j->start + j->s->duration;
	ret = booking_request_judge(t, j->a, &b, j->approve_now, j->now);
	if (ret == H_OK && preview_taken(j, b.start, b.end))
		ret = booking_refuse_taken(t, j->room);
	j->status = b.status;
	booking_free(&b);
	return ret;
}

/* A date the set skips, named as the preview shows it. */
static void preview_skipped(struct series_date *d, const struct date_set *set, const char *zone)
{
	const struct date_set_date *dd = date_set_find(set, date_set_day_of(zone, d->start));

	d->outcome = SERIES_DATE_SKIPPED;
	d->date_set_id = set->id;
	text_sanitize(d->date_set_name, sizeof(d->date_set_name), set->name);
	text_sanitize(d->date_label, sizeof(d->date_label),
	              dd != NULL && dd->label != NULL ? dd->label : "");
}

enum herr series_preview(struct txn *t, const struct actor *a, struct series *s,
                         const int64_t *exdates, size_t nexdates, bool approve_now, int64_t now,
                         struct series_preview *out)
{
	struct series_plan p;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = series_plan_make(t, a, s, exdates, nexdates, approve_now, now, &p)) != H_OK)
		goto out;
	out->dates = xcalloc(p.starts.n, sizeof(*out->dates));
	for (size_t i = 0; i < p.starts.n; i++) {
		struct series_date *d = &out->dates[out->n];
		struct preview_job j = {s, a, &p.room, p.starts.v[i], approve_now, now, out, 0};

		d->start = p.starts.v[i];
		if (p.left_out[i] && p.skipped_by[i] != 0) {
			preview_skipped(d, &p.sets[p.skipped_by[i] - 1], s->zone);
			out->n++;
			continue;
		}
		if (p.left_out[i]) {
			d->outcome = SERIES_DATE_LEFT_OUT;
			out->n++;
			continue;
		}
		herror_clear(t->err);
		ret = txn_ask(t, occurrence_judge, &j);
		if (ret == H_OK) {
			d->outcome = j.status == BOOKING_APPROVED ? SERIES_DATE_APPROVED
			                                          : SERIES_DATE_PENDING;
		} else if (herr_is_refusal(ret)) {
			d->outcome = SERIES_DATE_REFUSED;
			refusal_fill(&d->refusal, d->start, t->err);
		} else
			goto out;
		out->n++;
	}
	herror_clear(t->err);
	ret = t->ret;
out:
	series_plan_free(&p);
	return ret;
}

enum herr series_occurrence_add(struct txn *t, const struct actor *a, uint64_t id,
                                int64_t recurrence_id, int64_t start, int64_t end,
                                const char *title, bool approve_now, int64_t now,
                                struct booking *out)
{
	struct key k = series_occ_key(id, recurrence_id);
	struct series s;
	struct booking b;
	MDB_val v;
	enum herr ret;

	booking_init(&b);
	if ((ret = series_get(t, id, &s)) != H_OK)
		goto out;
	if (txn_get(t, DBI_SERIES_OCC, &k, &v)) {
		ret = txn_refuse(t, H_EEXISTS, "series %llu already has that date",
		                 (unsigned long long)id);
		goto out;
	}
	b.room_id = s.room_id;
	b.group_id = s.group_id;
	b.series_id = id;
	b.recurrence_id = recurrence_id;
	b.title = xstrdup(title != NULL ? title : s.title);
	b.description = xstrdup_or_null(s.description);
	b.attendees = s.attendees;
	b.public = s.public;
	b.start = start;
	b.end = end;
	if ((ret = booking_request(t, a, &b, approve_now, now)) != H_OK)
		goto out;
	series_touch(t, id, now);
	/* One date added on its own is told of as a booking is. */
	notify_booking_requested(t, a, &b, now);
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = b;
		booking_init(&b);
	}
out:
	booking_free(&b);
	series_free(&s);
	return ret;
}

/* Occurrences. */

struct occ_ids {
	uint64_t *v;
	size_t n;
};

static enum herr occurrence_ids(struct txn *t, uint64_t series_id, struct occ_ids *out)
{
	struct key prefix;
	struct scan sc;

	key_init(&prefix);
	key_u64(&prefix, series_id);
	out->v = NULL;
	out->n = 0;
	scan_begin(&sc, t, DBI_SERIES_OCC, &prefix, NULL);
	while (scan_next(&sc)) {
		if (sc.v.mv_size != 8) {
			txn_refuse(t, H_ESTORAGE, "corrupt occurrence index of series %llu",
			           (unsigned long long)series_id);
			break;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = key_get_u64(sc.v.mv_data);
	}
	scan_end(&sc);
	return t->ret;
}

enum herr series_each_occurrence(struct txn *t, uint64_t series_id,
                                 bool (*fn)(const struct booking *b, void *arg), void *arg)
{
	struct occ_ids ids;
	enum herr ret = occurrence_ids(t, series_id, &ids);

	for (size_t i = 0; ret == H_OK && i < ids.n; i++) {
		struct booking b;

		ret = booking_get(t, ids.v[i], &b);
		if (ret == H_OK && !fn(&b, arg))
			i = ids.n;
		booking_free(&b);
	}
	free(ids.v);
	return ret;
}

/* Decisions on a whole series. */

struct decide_job {
	const struct actor *a;
	uint64_t booking_id;
	enum series_action act;
	const char *note;
	int64_t now;
};

/* The status each action gives a date. */
static enum booking_status action_status(enum series_action act)
{
	return act == SERIES_APPROVE   ? BOOKING_APPROVED
	       : act == SERIES_DECLINE ? BOOKING_DECLINED
	                               : BOOKING_CANCELLED;
}

/* Each date quietly: the series' one message tells of them all (series_decide). */
static enum herr occurrence_decide(struct txn *t, void *arg)
{
	struct decide_job *j = arg;

	return booking_decide_in_series(t, j->a, j->booking_id, action_status(j->act), j->note,
	                                j->now);
}

static bool action_applies(enum series_action act, enum booking_status st)
{
	if (act == SERIES_CANCEL)
		return st == BOOKING_PENDING || st == BOOKING_APPROVED;
	return st == BOOKING_PENDING;
}

static enum herr series_may_decide(struct txn *t, const struct actor *a, const struct series *s,
                                   enum series_action act)
{
	struct room room;
	enum herr ret = room_get(t, s->room_id, &room);

	if (ret == H_OK)
		ret = act == SERIES_CANCEL ? policy_act_for_group(t, a, s->group_id, room.venue_id)
		                           : policy_manage_venue(t, a, room.venue_id);
	room_free(&room);
	return ret;
}

enum herr series_decide(struct txn *t, const struct actor *a, uint64_t id, enum series_action act,
                        int64_t from, const char *note, int64_t now, struct series_outcome *out)
{
	struct series s;
	struct occ_ids ids = {0};
	enum herr ret;

	memset(out, 0, sizeof(*out));
	if ((ret = series_get(t, id, &s)) != H_OK ||
	    (ret = series_may_decide(t, a, &s, act)) != H_OK ||
	    (ret = occurrence_ids(t, id, &ids)) != H_OK)
		goto out;
	for (size_t i = 0; i < ids.n && t->ret == H_OK; i++) {
		struct decide_job j = {a, ids.v[i], act, note, now};
		struct booking b;
		bool applies;

		if (booking_get(t, ids.v[i], &b) != H_OK) {
			/* The index names a booking that is not there: the store is damaged. */
			booking_free(&b);
			txn_refuse(t, H_ESTORAGE, "series %llu: occurrence %llu is missing",
			           (unsigned long long)id, (unsigned long long)ids.v[i]);
			break;
		}
		applies = b.start >= from && action_applies(act, b.status);
		if (applies) {
			herror_clear(t->err);
			if (txn_try(t, occurrence_decide, &j) == H_OK) {
				out->decided = xrealloc(out->decided,
				                        (out->created + 1) * sizeof(*out->decided));
				out->decided[out->created++] = ids.v[i];
			} else if (t->ret == H_OK)
				outcome_refuse(out, b.start, t->err);
		}
		booking_free(&b);
	}
	ret = t->ret;
	if (ret == H_OK) {
		static const char *const names[] = {"approve", "decline", "cancel"};

		/* The room, so that the venue's managers find the entry. */
		json_t *detail = json_pack("{s:I}", "room_id", (json_int_t)s.room_id);

		herror_clear(t->err);
		audit_append(t, a, "series", id, names[act], note, detail, now);
		json_decref(detail);
		notify_series_decided(t, a, &s, action_status(act), note, out, now);
		ret = t->ret;
	}
out:
	free(ids.v);
	series_free(&s);
	return ret;
}

enum herr series_update(struct txn *t, const struct actor *a, uint64_t id, const json_t *fields,
                        int64_t now, struct series *out)
{
	static const char *const times[] = {"start", "end"};
	struct booking probe;
	struct series s;
	struct occ_ids ids = {0};
	enum herr ret;

	/* Every other field is judged as a booking's edit would judge it (booking_apply). */
	for (size_t i = 0; i < 2; i++)
		if (json_object_get(fields, times[i]) != NULL)
			return txn_refuse(
			    t, H_EINVAL,
			    "a series changes its title, description, attendees or public "
			    "flag; move one date through its booking (not %s)",
			    times[i]);
	booking_init(&probe);
	if ((ret = series_get(t, id, &s)) != H_OK ||
	    (ret = series_may_decide(t, a, &s, SERIES_CANCEL)) != H_OK ||
	    (ret = occurrence_ids(t, id, &ids)) != H_OK)
		goto out;
	/* The values are judged as a booking's would be, even when no date is left to take
	 * them. */
	probe.title = xstrdup(s.title);
	probe.description = xstrdup_or_null(s.description);
	probe.attendees = s.attendees;
	probe.public = s.public;
	if ((ret = booking_apply(t, &probe, fields)) != H_OK)
		goto out;
	/* Each live occurrence takes the change with every rule re-checked (the room's
	 * capacity for attendees); one refusal refuses the edit. */
	for (size_t i = 0; i < ids.n && ret == H_OK; i++) {
		struct booking b;

		ret = booking_get(t, ids.v[i], &b);
		if (ret == H_OK && (b.status == BOOKING_PENDING || b.status == BOOKING_APPROVED))
			ret = booking_update(t, a, b.id, fields, now, NULL);
		booking_free(&b);
	}
	if (ret != H_OK)
		goto out;
	/* The occurrences were stored (and the series touched): reload, then apply. */
	series_free(&s);
	if ((ret = series_get(t, id, &s)) != H_OK)
		goto out;
	free(s.title);
	free(s.description);
	s.title = probe.title;
	s.description = probe.description;
	probe.title = probe.description = NULL;
	s.attendees = probe.attendees;
	s.public = probe.public;
	s.sequence++;
	s.updated_at = now;
	series_put(t, &s);
	{
		json_t *detail = series_to_json(&s);

		audit_append(t, a, "series", id, "edit", NULL, detail, now);
		json_decref(detail);
	}
	ret = t->ret;
	if (ret == H_OK && out != NULL) {
		*out = s;
		series_init(&s);
	}
out:
	free(ids.v);
	booking_free(&probe);
	series_free(&s);
	return ret;
}
