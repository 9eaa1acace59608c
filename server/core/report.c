#include "report.h"

#include "booking.h"
#include "closure.h"
#include "group.h"
#include "hours.h"
#include "record.h"
#include "room.h"
#include "tz.h"
#include "venue.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A date of the window as days since 1970-01-01. */
static bool date_parse(const char *s, int64_t *days)
{
	int y, m, d, yy, mm, dd;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < TIME_YEAR_MIN || y > TIME_YEAR_MAX || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*days = days_from_civil(y, m, d);
	civil_from_days(*days, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

/* Local midnight of day (days since the epoch) in zone: its first instant. */
static int64_t day_start(const char *zone, int64_t day)
{
	struct localtm lt = {0};

	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	return tz_at_or_after(zone, &lt);
}

/* Rows. */

static struct report_row *table_add(struct report_table *tb, uint64_t id, const char *name)
{
	struct report_row *row;

	if (tb->n == tb->cap) {
		tb->cap = tb->cap ? 2 * tb->cap : 8;
		tb->rows = xrealloc(tb->rows, tb->cap * sizeof(*tb->rows));
	}
	row = &tb->rows[tb->n++];
	memset(row, 0, sizeof(*row));
	row->id = id;
	row->name = xstrdup(name ? name : "");
	return row;
}

static void row_free(struct report_row *row)
{
	free(row->name);
	free(row->served);
}

static void table_free(struct report_table *tb)
{
	for (size_t i = 0; i < tb->n; i++)
		row_free(&tb->rows[i]);
	free(tb->rows);
}

/* The row of id in a table sorted by id, or where it would go (*found false). */
static size_t table_find(const struct report_table *tb, uint64_t id, bool *found)
{
	size_t lo = 0, hi = tb->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tb->rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < tb->n && tb->rows[lo].id == id;
	return lo;
}

/* The row of id in a table kept sorted by id, made (nameless) when missing. */
static struct report_row *table_row_sorted(struct report_table *tb, uint64_t id)
{
	bool found;
	size_t at = table_find(tb, id, &found);

	if (found)
		return &tb->rows[at];
	if (tb->n == tb->cap) {
		tb->cap = tb->cap ? 2 * tb->cap : 8;
		tb->rows = xrealloc(tb->rows, tb->cap * sizeof(*tb->rows));
	}
	memmove(&tb->rows[at + 1], &tb->rows[at], (tb->n - at) * sizeof(*tb->rows));
	tb->n++;
	memset(&tb->rows[at], 0, sizeof(tb->rows[at]));
	tb->rows[at].id = id;
	return &tb->rows[at];
}

/* Leaves in the groups table only groups of kind (a report of one kind meets the others'
 * bookings on its way). */
static void groups_of_kind(struct report_table *tb, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < tb->n; i++) {
		if (kind == NULL || (tb->rows[i].kind && strcmp(tb->rows[i].kind, kind) == 0))
			tb->rows[n++] = tb->rows[i];
		else
			row_free(&tb->rows[i]);
	}
	tb->n = n;
}

/* Counts group_id as served in row, once. */
static void row_serve(struct report_row *row, uint64_t group_id)
{
	size_t lo = 0, hi = row->nserved;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (row->served[mid] < group_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < row->nserved && row->served[lo] == group_id)
		return;
	if (row->nserved == row->capserved) {
		row->capserved = row->capserved ? 2 * row->capserved : 8;
		row->served = xrealloc(row->served, row->capserved * sizeof(*row->served));
	}
	memmove(&row->served[lo + 1], &row->served[lo], (row->nserved - lo) * sizeof(*row->served));
	row->served[lo] = group_id;
	row->nserved++;
	row->f.groups = (uint32_t)row->nserved;
}

/* Reasons, gathered one per booking and grouped at the end (sorted, then counted), so
 * that many distinct notes cost n log n rather than n squared. */
struct reasons {
	struct report_reason *v;
	size_t n, cap;
};

char *report_reason_normalise(const char *note)
{
	size_t n = 0;
	char *out;
	bool space = false;

	if (note == NULL)
		return xstrdup(REPORT_NO_REASON);
	out = xmalloc(strlen(note) + 1);
	for (const char *p = note; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c)) {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	if (n == 0) {
		free(out);
		return xstrdup(REPORT_NO_REASON);
	}
	return out;
}

static void reasons_add(struct reasons *rs, const char *status, const char *note)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	rs->v[rs->n++] = (struct report_reason){status, report_reason_normalise(note), 1};
}

static int reason_by_text(const void *pa, const void *pb)
{
	const struct report_reason *a = pa, *b = pb;
	int c = strcmp(a->status, b->status);

	return c ? c : strcmp(a->reason, b->reason);
}

static int reason_by_count(const void *pa, const void *pb)
{
	const struct report_reason *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return reason_by_text(pa, pb);
}

static void reasons_group(struct reasons *rs, struct report *r)
{
	size_t n = 0;

	if (rs->n > 0)
		qsort(rs->v, rs->n, sizeof(*rs->v), reason_by_text);
	for (size_t i = 0; i < rs->n; i++) {
		if (n > 0 && reason_by_text(&rs->v[n - 1], &rs->v[i]) == 0) {
			rs->v[n - 1].count++;
			free(rs->v[i].reason);
			continue;
		}
		rs->v[n++] = rs->v[i];
	}
	if (n > 0)
		qsort(rs->v, n, sizeof(*rs->v), reason_by_count);
	r->reasons = rs->v;
	r->nreasons = n;
}

/* The reading of one report. */
struct reading {
	struct txn *t;
	struct report *r;
	int64_t from_day, to_day;
	int first_month; /* year * 12 + month - 1 of the window's first month */
	int kind;        /* -1: every kind */
	struct reasons reasons;
	/* The venue being read. */
	const struct venue *v;
	struct report_row *venue_row;
	int64_t *month_start; /* months.n + 1 instants in the venue's zone */
	int64_t from_ts, to_ts;
	/* Opening intervals of the venue in the month being read. */
	int64_t (*open)[2];
	size_t nopen, capopen;
	/* Closures of the room being read. */
	int64_t (*shut)[2];
	size_t nshut, capshut;
};

static void add_figures(struct report_figures *f, const struct booking *b)
{
	switch (b->status) {
	case BOOKING_APPROVED:
		f->approved += b->end - b->start;
		f->bookings++;
		break;
	case BOOKING_PENDING:
		f->pending += b->end - b->start;
		break;
	case BOOKING_CANCELLED:
		f->cancelled++;
		break;
	case BOOKING_DECLINED:
		f->declined++;
		break;
	}
}

static void add_booking(struct report_row *row, const struct booking *b)
{
	add_figures(&row->f, b);
	if (b->status == BOOKING_APPROVED)
		row_serve(row, b->group_id);
}

/* The group's row, its name and kind read the first time it is met. */
static struct report_row *group_row(struct reading *rd, uint64_t group_id)
{
	struct report_row *row = table_row_sorted(&rd->r->groups, group_id);
	struct group g;

	if (row->name != NULL)
		return row;
	row->f.open = -1;
	if (group_get(rd->t, group_id, &g) == H_OK) {
		row->name = xstrdup(g.name);
		row->kind = group_kind_name(g.kind);
	} else {
		/* A group cannot go while bookings refer to it; should one have, say so. */
		row->name = xasprintf("group %llu", (unsigned long long)group_id);
		row->kind = NULL;
	}
	group_free(&g);
	return row;
}

static struct report_row *kind_row(struct reading *rd, const char *kind)
{
	for (size_t i = 0; kind && i < rd->r->kinds.n; i++)
		if (strcmp(rd->r->kinds.rows[i].name, kind) == 0)
			return &rd->r->kinds.rows[i];
	return NULL;
}

static size_t month_of(struct reading *rd, int64_t t)
{
	struct localtm lt;
	int m;

	tz_to_local(rd->v->tz, t, &lt);
	m = lt.year * 12 + lt.month - 1 - rd->first_month;
	if (m < 0)
		m = 0;
	if ((size_t)m >= rd->r->months.n)
		m = (int)rd->r->months.n - 1;
	return (size_t)m;
}

static bool read_booking(const struct booking *b, void *arg)
{
	struct reading *rd = arg;
	struct report *r = rd->r;
	struct report_row *g, *room;
	bool found;

	if (b->start < rd->from_ts || b->start >= rd->to_ts)
		return true;
	g = group_row(rd, b->group_id);
	if (rd->kind >= 0 && (g->kind == NULL || strcmp(g->kind, group_kind_name(rd->kind)) != 0))
		return true;
	add_booking(g, b);
	add_booking(&r->total, b);
	add_booking(rd->venue_row, b);
	room = &r->rooms.rows[table_find(&r->rooms, b->room_id, &found)];
	if (found)
		add_booking(room, b);
	if (kind_row(rd, g->kind) != NULL)
		add_booking(kind_row(rd, g->kind), b);
	add_booking(&r->months.rows[month_of(rd, b->start)], b);
	if (b->status == BOOKING_CANCELLED || b->status == BOOKING_DECLINED)
		reasons_add(&rd->reasons, booking_status_name(b->status), b->note);
	return true;
}

/* Open hours. */

static void pair_add(int64_t (**v)[2], size_t *n, size_t *cap, int64_t start, int64_t end)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n][0] = start;
	(*v)[*n][1] = end;
	(*n)++;
}

static bool gather_open(int64_t start, int64_t end, void *arg)
{
	struct reading *rd = arg;

	pair_add(&rd->open, &rd->nopen, &rd->capopen, start, end);
	return true;
}

static bool gather_shut(const struct closure_span *c, void *arg)
{
	struct reading *rd = arg;

	pair_add(&rd->shut, &rd->nshut, &rd->capshut, c->start, c->end);
	return true;
}

static int pair_cmp(const void *pa, const void *pb)
{
	const int64_t *a = pa, *b = pb;

	return (a[0] > b[0]) - (a[0] < b[0]);
}

/* Seconds of [start, end) that no closure covers (shut sorted by start). */
static int64_t open_less_shut(const struct reading *rd, int64_t start, int64_t end)
{
	int64_t open = 0, at = start;

	for (size_t i = 0; i < rd->nshut && at < end; i++) {
		int64_t s = rd->shut[i][0], e = rd->shut[i][1];

		if (e <= at)
			continue;
		if (s >= end)
			break;
		if (s > at)
			open += s - at;
		at = e;
	}
	return open + (at < end ? end - at : 0);
}

/* Open seconds of room (row) in month m of the venue being read. */
static int64_t room_open_in_month(struct reading *rd, const struct room *room, size_t m)
{
	int64_t start = rd->month_start[m], end = rd->month_start[m + 1], open = 0;

	rd->nshut = 0;
	closure_each_over(rd->t, room->id, room->venue_id, start, end, gather_shut, rd);
	if (rd->nshut > 1)
		qsort(rd->shut, rd->nshut, sizeof(*rd->shut), pair_cmp);
	for (size_t i = 0; i < rd->nopen; i++)
		open += open_less_shut(rd, rd->open[i][0], rd->open[i][1]);
	return open;
}

struct room_pass {
	struct reading *rd;
	size_t month;
};

static bool add_room_open(const struct room *room, void *arg)
{
	struct room_pass *p = arg;
	struct reading *rd = p->rd;
	bool found;
	size_t at = table_find(&rd->r->rooms, room->id, &found);
	int64_t open;

	if (!found)
		return true;
	open = room_open_in_month(rd, room, p->month);
	rd->r->rooms.rows[at].f.open += open;
	rd->venue_row->f.open += open;
	rd->r->months.rows[p->month].f.open += open;
	rd->r->total.f.open += open;
	return rd->t->ret == H_OK;
}

static bool add_room_row(const struct room *room, void *arg)
{
	struct reading *rd = arg;
	struct report_row *row = table_row_sorted(&rd->r->rooms, room->id);

	row->name = xstrdup(room->name);
	row->venue_id = room->venue_id;
	return true;
}

static void read_open_hours(struct reading *rd)
{
	for (size_t m = 0; m < rd->r->months.n && rd->t->ret == H_OK; m++) {
		struct room_pass p = {rd, m};

		/* Each month is well within the days hours_each_open walks. */
		rd->nopen = 0;
		hours_each_open(&rd->v->hours, rd->v->tz, rd->month_start[m],
		                rd->month_start[m + 1], gather_open, rd);
		room_each(rd->t, rd->v->id, add_room_open, &p);
	}
}

/* The instants of the venue's months: the window's start, each first of the month
 * inside it, and the window's end. */
static void venue_months(struct reading *rd)
{
	size_t n = rd->r->months.n;

	rd->month_start = xrealloc(rd->month_start, (n + 1) * sizeof(*rd->month_start));
	rd->month_start[0] = rd->from_ts;
	for (size_t m = 1; m < n; m++) {
		int ym = rd->first_month + (int)m;

		rd->month_start[m] = day_start(rd->v->tz, days_from_civil(ym / 12, ym % 12 + 1, 1));
	}
	rd->month_start[n] = rd->to_ts;
}

static bool read_venue(const struct venue *v, void *arg)
{
	struct reading *rd = arg;
	struct booking_filter f;

	rd->v = v;
	rd->from_ts = day_start(v->tz, rd->from_day);
	rd->to_ts = day_start(v->tz, rd->to_day);
	rd->venue_row = table_row_sorted(&rd->r->venues, v->id);
	rd->venue_row->name = xstrdup(v->name);
	venue_months(rd);
	room_each(rd->t, v->id, add_room_row, rd);
	read_open_hours(rd);
	booking_filter_init(&f);
	f.venue_id = v->id;
	f.from = rd->from_ts;
	f.to = rd->to_ts;
	if (rd->t->ret == H_OK)
		booking_each(rd->t, &f, read_booking, rd);
	return rd->t->ret == H_OK;
}

struct venue_pick {
	struct reading *rd;
	const struct viewer *viewer;
};

static bool pick_venue(const struct venue *v, void *arg)
{
	struct venue_pick *p = arg;

	if (p->rd->r->venue_id != 0 && v->id != p->rd->r->venue_id)
		return true;
	if (!viewer_manages(p->viewer, v->id))
		return true;
	return read_venue(v, p->rd);
}

/* The rows every report has, whatever was booked: a row per month and per kind. */
static void report_frame(struct reading *rd)
{
	struct report *r = rd->r;
	int last_y, last_m, last_d;

	civil_from_days(rd->to_day - 1, &last_y, &last_m, &last_d);
	for (int ym = rd->first_month; ym <= last_y * 12 + last_m - 1; ym++) {
		char name[16];

		snprintf(name, sizeof(name), "%04d-%02d", ym / 12, ym % 12 + 1);
		table_add(&r->months, 0, name);
	}
	for (int k = 0; k < GROUP_KIND_COUNT; k++)
		if (rd->kind < 0 || rd->kind == k)
			table_add(&r->kinds, 0, group_kind_name((enum group_kind)k))->f.open = -1;
}

/* The first of the month after (months > 0) the one of day. */
static int64_t month_first(int64_t day, int months)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	return days_from_civil(y, m, 1);
}

static enum herr query_judge(struct txn *t, const struct report_query *q, struct reading *rd)
{
	enum group_kind kind;
	struct localtm now;

	tz_to_local(TZ_DEFAULT, q->now, &now);
	if (q->from == NULL)
		rd->from_day = days_from_civil(now.year, now.month, 1);
	else if (!date_parse(q->from, &rd->from_day))
		return txn_refuse(t, H_EINVAL, "from must be a date, as 2026-11-01");
	if (q->to == NULL)
		rd->to_day = month_first(rd->from_day, 1);
	else if (!date_parse(q->to, &rd->to_day))
		return txn_refuse(t, H_EINVAL, "to must be a date, as 2026-12-01");
	if (rd->to_day > days_from_civil(TIME_YEAR_MAX, 12, 31) ||
	    rd->from_day < days_from_civil(TIME_YEAR_MIN, 1, 1))
		return txn_refuse(t, H_EINVAL, "a report's dates lie between %d and %d",
		                  TIME_YEAR_MIN, TIME_YEAR_MAX);
	if (rd->to_day <= rd->from_day)
		return txn_refuse(t, H_EINVAL, "to must come after from");
	if (rd->to_day - rd->from_day > REPORT_MAX_DAYS)
		return txn_refuse(
		    t, H_EINVAL,
		    "a report covers at most %d days (three years); %s to %s is %lld days",
		    REPORT_MAX_DAYS, q->from, q->to, (long long)(rd->to_day - rd->from_day));
	rd->kind = -1;
	if (q->kind != NULL) {
		if (group_kind_parse(q->kind, &kind) != 0)
			return txn_refuse(
			    t, H_EINVAL,
			    "kind must be charity, community, school, commercial or council");
		rd->kind = (int)kind;
	}
	return H_OK;
}

static void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->total.name = xstrdup("total");
}

enum herr report_usage(struct txn *t, const struct viewer *v, const struct report_query *q,
                       struct report *out)
{
	struct reading rd = {.t = t, .r = out};
	struct venue_pick pick = {&rd, v};
	int y, m, d;

	report_init(out);
	if (view_usage_report(t, v, q->venue_id) != H_OK || query_judge(t, q, &rd) != H_OK)
		return t->ret;
	if (q->venue_id != 0 && record_need(t, DBI_VENUE, q->venue_id, "venue") != H_OK)
		return t->ret;
	civil_from_days(rd.from_day, &y, &m, &d);
	snprintf(out->from, sizeof(out->from), "%04d-%02d-%02d", y, m, d);
	civil_from_days(rd.to_day, &y, &m, &d);
	snprintf(out->to, sizeof(out->to), "%04d-%02d-%02d", y, m, d);
	out->venue_id = q->venue_id;
	out->kind = rd.kind >= 0 ? group_kind_name((enum group_kind)rd.kind) : NULL;
	civil_from_days(rd.from_day, &y, &m, &d);
	rd.first_month = y * 12 + m - 1;
	report_frame(&rd);
	venue_each(t, pick_venue, &pick);
	reasons_group(&rd.reasons, out);
	groups_of_kind(&out->groups, out->kind);
	free(rd.month_start);
	free(rd.open);
	free(rd.shut);
	return t->ret;
}

void report_free(struct report *r)
{
	row_free(&r->total);
	table_free(&r->venues);
	table_free(&r->rooms);
	table_free(&r->groups);
	table_free(&r->kinds);
	table_free(&r->months);
	for (size_t i = 0; i < r->nreasons; i++)
		free(r->reasons[i].reason);
	free(r->reasons);
	memset(r, 0, sizeof(*r));
}
