/* Feeds: which bookings a feed shows and how, handed to ics.c as events. */
#include "feed.h"

#include "booking.h"
#include "group.h"
#include "ics.h"
#include "place.h"
#include "policy.h"
#include "record.h"
#include "room.h"
#include "series.h"
#include "tz.h"
#include "user.h"
#include "venue.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One-off bookings that ended this long ago are left out: a feed is what is on. A
 * series is shown, whole, while any of its dates in the feed's scope ended later. */
#define FEED_PAST (31 * 86400)

/* A group's name, for manager feeds' summaries, looked up once per feed. */
struct group_name {
	uint64_t id;
	char *name; /* NULL: the group is gone */
};

struct feed_ctx {
	struct txn *t;
	const struct feed_scope *scope;
	struct booking *items; /* the bookings the feed shows, one-offs and occurrences */
	size_t n;
	uint64_t *series; /* the series with a date in the window, each once when sorted */
	size_t nseries;
	uint64_t *venues; /* FEED_MANAGER but not an admin: the venues walked; else NULL */
	size_t nvenues;
	struct places places; /* the rooms the feed's events are in */
	struct group_name *groups;
	size_t ngroups;
	uint64_t instance; /* the data directory's, in every UID */
	int64_t last_modified;
	uint64_t last_room;  /* the room of the last location_in (0: none yet) */
	char *last_location; /* its words, kept: a feed's events are mostly in one room */
};

/* Where an event is, as calendar apps show it: "Room, Venue, Address", or "" when its
 * room has gone. Malloc'd. */
static char *location_of(const struct place *p)
{
	if (p->venue.id == 0)
		return xstrdup("");
	if (p->venue.address && p->venue.address[0])
		return xasprintf("%s, %s, %s", p->room.name, p->venue.name, p->venue.address);
	return xasprintf("%s, %s", p->room.name, p->venue.name);
}

/* location_of the room's place, kept for the next event in the same room (c owns it). */
static const char *location_in(struct feed_ctx *c, uint64_t room_id)
{
	if (c->last_location == NULL || c->last_room != room_id) {
		free(c->last_location);
		c->last_location = location_of(places_get(&c->places, c->t, room_id));
		c->last_room = room_id;
	}
	return c->last_location;
}

static bool feed_private(const struct feed_scope *s)
{
	return s->kind == FEED_GROUP || s->kind == FEED_MANAGER;
}

/* How the feed shows b: CONFIRMED, TENTATIVE or CANCELLED; false when not at all. */
static bool shown_status(const struct feed_ctx *c, const struct booking *b, enum ics_status *out)
{
	bool recent = b->updated_at >= c->scope->now - FEED_KEEP_CANCELLED;

	switch (b->status) {
	case BOOKING_APPROVED:
		*out = ICS_CONFIRMED;
		return true;
	case BOOKING_PENDING:
		*out = ICS_TENTATIVE;
		return feed_private(c->scope);
	case BOOKING_DECLINED:
		*out = ICS_CANCELLED;
		return recent && feed_private(c->scope);
	case BOOKING_CANCELLED:
	default:
		/* A request cancelled before approval was never in a public feed. */
		*out = ICS_CANCELLED;
		return recent && (feed_private(c->scope) || b->was_approved);
	}
}

static const char *group_name_of(struct feed_ctx *c, uint64_t group_id)
{
	struct group_name *gn;
	struct group g;

	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i].id == group_id)
			return c->groups[i].name;
	c->groups = xrealloc(c->groups, (c->ngroups + 1) * sizeof(*c->groups));
	gn = &c->groups[c->ngroups++];
	gn->id = group_id;
	gn->name = group_get(c->t, group_id, &g) == H_OK ? xstrdup(g.name) : NULL;
	group_free(&g);
	return gn->name;
}

/* The words a feed shows for a booking (or series) of group_id: malloc'd. */
static char *shown_summary(struct feed_ctx *c, const char *title, bool is_public, uint64_t group_id)
{
	const char *group;

	switch (c->scope->kind) {
	case FEED_BUSY:
		return xstrdup("Busy");
	case FEED_GROUP:
		return xstrdup(title);
	case FEED_MANAGER:
		group = group_name_of(c, group_id);
		return group != NULL ? xasprintf("%s (%s)", title, group) : xstrdup(title);
	default:
		return xstrdup(is_public ? title : "Booked");
	}
}

static const char *shown_description(const struct feed_ctx *c, const char *description,
                                     bool is_public)
{
	if (c->scope->kind == FEED_BUSY || (!feed_private(c->scope) && !is_public))
		return NULL;
	return description;
}

static void keep(struct feed_ctx *c, const struct booking *b)
{
	c->items = xrealloc(c->items, (c->n + 1) * sizeof(*c->items));
	booking_copy(&c->items[c->n++], b);
}

/* A booking of the window (index order): one-offs as the feed shows them; of a series
 * only the id, because a series is shown whole, its dates before the window too. */
static bool collect(const struct booking *b, void *arg)
{
	struct feed_ctx *c = arg;
	enum ics_status st;

	if (b->series_id != 0) {
		c->series = xrealloc(c->series, (c->nseries + 1) * sizeof(*c->series));
		c->series[c->nseries++] = b->series_id;
		return true;
	}
	if (shown_status(c, b, &st))
		keep(c, b);
	return true;
}

/* FEED_MANAGER but not an admin: whether the walk covered venue. */
static bool venue_walked(const struct feed_ctx *c, uint64_t venue)
{
	for (size_t i = 0; i < c->nvenues; i++)
		if (c->venues[i] == venue)
			return true;
	return false;
}

/* Whether the scope's own walk (collect_window) would have met b. */
static bool in_scope(struct feed_ctx *c, const struct booking *b)
{
	switch (c->scope->kind) {
	case FEED_ALL:
		return true;
	case FEED_VENUE:
		return places_get(&c->places, c->t, b->room_id)->venue.id == c->scope->id;
	case FEED_ROOM:
	case FEED_BUSY:
		return b->room_id == c->scope->id;
	case FEED_GROUP:
		return b->group_id == c->scope->id;
	case FEED_MANAGER:
	default: /* an admin's walk covered every room */
		return c->venues == NULL ||
		       venue_walked(c, places_get(&c->places, c->t, b->room_id)->venue.id);
	}
}

/* A date of a series the window met, from any time. */
static bool collect_date(const struct booking *b, void *arg)
{
	struct feed_ctx *c = arg;
	enum ics_status st;

	if (in_scope(c, b) && shown_status(c, b, &st))
		keep(c, b);
	return true;
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Every date of each series met in the window, read through idx:series-occurrence: a
 * series' dates are bounded by its room's max_occurrences, the room's history is not. */
static enum herr collect_series_dates(struct feed_ctx *c)
{
	enum herr ret = H_OK;

	if (c->nseries == 0)
		return H_OK;
	qsort(c->series, c->nseries, sizeof(*c->series), id_cmp);
	for (size_t i = 0; i < c->nseries && ret == H_OK; i++)
		if (i == 0 || c->series[i] != c->series[i - 1])
			ret = series_each_occurrence(c->t, c->series[i], collect_date, c);
	/* A date whose record is missing (a stale index entry, which `halls check` reports)
	 * ends its series' dates there, as a listing skips it; any other failure to read
	 * fails the build rather than be cached as a shorter feed. */
	return ret == H_OK || ret == H_ENOTFOUND ? c->t->ret : ret;
}

/* Every booking of the scope in the window, whatever its status (shown_status filters):
 * those that end at or after now - FEED_PAST, read from the by-start indexes from
 * there on, never the scope's history. */
static enum herr collect_window(struct feed_ctx *c)
{
	struct booking_filter f;
	struct user u;
	enum herr ret = H_OK;

	booking_filter_init(&f);
	/* booking_each keeps end > from: end >= now - FEED_PAST, as ever. */
	f.from = c->scope->now - FEED_PAST - 1;
	f.to = INT64_MAX;
	switch (c->scope->kind) {
	case FEED_ALL:
		return booking_each(c->t, &f, collect, c);
	case FEED_VENUE:
		f.venue_id = c->scope->id;
		return booking_each(c->t, &f, collect, c);
	case FEED_ROOM:
	case FEED_BUSY:
		f.room_id = c->scope->id;
		return booking_each(c->t, &f, collect, c);
	case FEED_GROUP:
		f.group_id = c->scope->id;
		return booking_each(c->t, &f, collect, c);
	case FEED_MANAGER:
	default:
		if ((ret = user_get(c->t, c->scope->id, &u)) != H_OK) {
			user_free(&u);
			return ret;
		}
		/* An admin manages every venue: one walk rather than one per venue. */
		if (policy_user_admin(&u)) {
			user_free(&u);
			return booking_each(c->t, &f, collect, c);
		}
		c->venues = xcalloc(u.nvenues ? u.nvenues : 1, sizeof(*c->venues));
		for (size_t i = 0; i < u.nvenues && ret == H_OK; i++) {
			if (!policy_user_manages(&u, u.venues[i]))
				continue;
			c->venues[c->nvenues++] = u.venues[i];
			f.venue_id = u.venues[i];
			ret = booking_each(c->t, &f, collect, c);
		}
		user_free(&u);
		return ret;
	}
}

static void note_change(struct feed_ctx *c, int64_t t)
{
	if (t > c->last_modified)
		c->last_modified = t;
}

/* The busy feed's events are other events than the room feed's (an app subscribed to
 * both must not merge a title into a "Busy"), so they have their own UIDs. */
static char *uid_of(struct feed_ctx *c, const char *what, uint64_t id)
{
	return ics_uid(c->scope->kind == FEED_BUSY ? "busy-" : "", what, id, c->instance);
}

/* A one-off booking as its VEVENT. */
static void add_booking(struct feed_ctx *c, struct ics_calendar *cal, const struct booking *b)
{
	const struct place *p = places_get(&c->places, c->t, b->room_id);
	const char *location = location_in(c, b->room_id);
	char *uid = uid_of(c, "booking", b->id);
	char *summary = shown_summary(c, b->title, b->public, b->group_id);
	struct ics_event ev = {
	    .uid = uid,
	    .sequence = b->sequence,
	    .last_modified = b->updated_at,
	    .summary = summary,
	    .description = shown_description(c, b->description, b->public),
	    .location = location,
	    .zone = p->venue.tz,
	    .start = b->start,
	    .end = b->end,
	};

	shown_status(c, b, &ev.status);
	ics_calendar_add(cal, &ev);
	note_change(c, b->updated_at);
	free(summary);
	free(uid);
}

/* The dates of one series that this feed shows, against its rule. */
struct series_dates {
	int64_t *rule; /* the rule's instants */
	size_t nrule;
	const struct booking **shown; /* per rule instant: the booking shown, or NULL */
};

static bool rule_add(int64_t start, void *arg)
{
	struct series_dates *d = arg;

	d->rule = xrealloc(d->rule, (d->nrule + 1) * sizeof(*d->rule));
	d->rule[d->nrule++] = start;
	return true;
}

static void series_dates_free(struct series_dates *d)
{
	free(d->rule);
	free(d->shown);
}

/* The status most of the shown dates have: the master's, so that overrides are few. */
static enum ics_status master_status(struct feed_ctx *c, const struct series_dates *d)
{
	size_t count[3] = {0};
	enum ics_status st;

	for (size_t i = 0; i < d->nrule; i++)
		if (d->shown[i] != NULL && shown_status(c, d->shown[i], &st))
			count[st]++;
	return count[ICS_TENTATIVE] > count[ICS_CONFIRMED] ? ICS_TENTATIVE : ICS_CONFIRMED;
}

/* A date that differs from what the rule and master say gets its own VEVENT. */
static bool date_differs(struct feed_ctx *c, const struct series *s, const struct booking *b,
                         int64_t rule_start, enum ics_status master, const char *summary)
{
	enum ics_status st;
	char *mine;
	bool differs;

	shown_status(c, b, &st);
	mine = shown_summary(c, b->title, b->public, b->group_id);
	differs =
	    b->start != rule_start || b->end - b->start != (int64_t)s->duration || st != master ||
	    strcmp(mine, summary) != 0 ||
	    strcmp(b->description ? b->description : "", s->description ? s->description : "") != 0;
	free(mine);
	return differs;
}

static int instant_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The series of dates[0..n) (its bookings this feed collected) as a master VEVENT and
 * its overrides. */
static void add_series(struct feed_ctx *c, struct ics_calendar *cal, const struct series *s,
                       const struct booking *dates, size_t n)
{
	const char *location = location_in(c, s->room_id);
	struct series_dates d = {0};
	struct herror scratch;
	int64_t *exdates;
	size_t nex = 0, nshown = 0, ncancelled = 0;
	char *uid = uid_of(c, "series", s->id), *summary;
	struct ics_event master;

	herror_clear(&scratch);
	series_expand(s->rrule, s->zone, s->first_start, 5000, rule_add, &d, &scratch);
	d.shown = xcalloc(d.nrule ? d.nrule : 1, sizeof(*d.shown));
	for (size_t i = 0; i < n; i++) {
		const struct booking *b = &dates[i];
		const int64_t *at;
		enum ics_status st;

		if (!shown_status(c, b, &st))
			continue;
		if (st == ICS_CANCELLED) {
			ncancelled++;
			continue;
		}
		/* The rule's instants come in order. */
		at = bsearch(&b->recurrence_id, d.rule, d.nrule, sizeof(*d.rule), instant_cmp);
		if (at != NULL) {
			d.shown[at - d.rule] = b;
			nshown++;
		}
	}
	if (nshown == 0 && ncancelled == 0)
		goto out;
	summary = shown_summary(c, s->title, s->public, s->group_id);
	exdates = xcalloc(d.nrule, sizeof(*exdates));
	for (size_t k = 0; k < d.nrule; k++)
		if (d.shown[k] == NULL)
			exdates[nex++] = d.rule[k];
	master = (struct ics_event){
	    .uid = uid,
	    .sequence = s->sequence,
	    .last_modified = s->updated_at,
	    /* Every date recently cancelled: the whole series is, so that apps drop it. */
	    .status = nshown == 0 ? ICS_CANCELLED : master_status(c, &d),
	    .summary = summary,
	    .description = shown_description(c, s->description, s->public),
	    .location = location,
	    .zone = s->zone,
	    .start = s->first_start,
	    .end = s->first_start + s->duration,
	    .rrule = s->rrule,
	    .exdates = nshown == 0 ? NULL : exdates,
	    .nexdates = nshown == 0 ? 0 : nex,
	};
	ics_calendar_add(cal, &master);
	note_change(c, s->updated_at);
	for (size_t k = 0; k < d.nrule; k++) {
		const struct booking *b = d.shown[k];
		struct ics_event ev;
		char *mine;

		if (b == NULL || !date_differs(c, s, b, d.rule[k], master.status, summary))
			continue;
		mine = shown_summary(c, b->title, b->public, b->group_id);
		ev = master;
		ev.rrule = NULL;
		ev.exdates = NULL;
		ev.nexdates = 0;
		ev.recurrence_id = d.rule[k];
		ev.start = b->start;
		ev.end = b->end;
		ev.summary = mine;
		ev.description = shown_description(c, b->description, b->public);
		ev.sequence = s->sequence;
		ev.last_modified = b->updated_at > s->updated_at ? b->updated_at : s->updated_at;
		shown_status(c, b, &ev.status);
		ics_calendar_add(cal, &ev);
		free(mine);
	}
	free(exdates);
	free(summary);
out:
	series_dates_free(&d);
	free(uid);
}

/* One-off bookings first, in start order; then each series' dates together. */
static int by_series_then_start(const void *a, const void *b)
{
	const struct booking *x = a, *y = b;

	if (x->series_id != y->series_id)
		return x->series_id < y->series_id ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static char *feed_name(struct feed_ctx *c)
{
	const struct feed_scope *s = c->scope;
	struct venue v;
	struct group g;
	struct user u;
	char *name = NULL;

	switch (s->kind) {
	case FEED_ALL:
		return xstrdup("What's on: all halls");
	case FEED_VENUE:
		if (venue_get(c->t, s->id, &v) == H_OK)
			name = xasprintf("%s", v.name);
		venue_free(&v);
		break;
	case FEED_ROOM:
	case FEED_BUSY: {
		char *location = location_of(places_get(&c->places, c->t, s->id));

		name = xasprintf("%s%s", location, s->kind == FEED_BUSY ? " (busy times)" : "");
		free(location);
		break;
	}
	case FEED_GROUP:
		if (group_get(c->t, s->id, &g) == H_OK)
			name = xasprintf("%s: bookings", g.name);
		group_free(&g);
		break;
	case FEED_MANAGER:
		if (user_get(c->t, s->id, &u) == H_OK)
			name = xasprintf("%s: venues managed", u.name);
		user_free(&u);
		break;
	}
	return name != NULL ? name : xstrdup("halls");
}

static void feed_ctx_free(struct feed_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		booking_free(&c->items[i]);
	free(c->items);
	free(c->series);
	free(c->venues);
	places_free(&c->places);
	for (size_t i = 0; i < c->ngroups; i++)
		free(c->groups[i].name);
	free(c->groups);
	free(c->last_location);
}

/* The series of the collected dates, each once, in id order; the dates are sorted by
 * series, so each series' dates are one run. */
static enum herr add_all_series(struct feed_ctx *c, struct ics_calendar *cal, size_t from)
{
	for (size_t i = from, j; i < c->n && c->t->ret == H_OK; i = j) {
		struct series s;

		for (j = i; j < c->n && c->items[j].series_id == c->items[i].series_id; j++)
			;
		if (series_get(c->t, c->items[i].series_id, &s) == H_OK)
			add_series(c, cal, &s, &c->items[i], j - i);
		series_free(&s);
	}
	return c->t->ret;
}

enum herr feed_build(struct txn *t, const struct feed_scope *scope, struct feed *out)
{
	struct feed_ctx c = {.t = t, .scope = scope};
	struct ics_calendar *cal;
	size_t ones;
	char *name;
	enum herr ret;

	memset(out, 0, sizeof(*out));
	c.instance = txn_instance(t);
	if ((ret = collect_window(&c)) != H_OK || (ret = collect_series_dates(&c)) != H_OK)
		goto out;
	if (c.n > 0) /* an empty feed has no array at all, and qsort may not take NULL */
		qsort(c.items, c.n, sizeof(*c.items), by_series_then_start);
	name = feed_name(&c);
	cal = ics_calendar_new(name, NULL, FEED_REFRESH_MINUTES);
	free(name);
	ics_calendar_memo(cal, scope->memo);
	for (ones = 0; ones < c.n && c.items[ones].series_id == 0; ones++)
		add_booking(&c, cal, &c.items[ones]);
	/* A read that failed on the way must not become a shorter feed, cached as good. */
	if ((ret = add_all_series(&c, cal, ones)) != H_OK) {
		ics_calendar_free(cal);
		goto out;
	}
	out->text = ics_calendar_finish(cal, &out->len);
	out->last_modified = c.last_modified;
out:
	feed_ctx_free(&c);
	return ret;
}

void feed_free(struct feed *f)
{
	free(f->text);
	memset(f, 0, sizeof(*f));
}
