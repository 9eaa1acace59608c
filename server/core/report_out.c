/* A usage report's two renderings, from the one structure report_usage fills: JSON for
 * programs (seconds as whole numbers, so that sums reconcile exactly; occupancy as a
 * ratio) and CSV for spreadsheets (hours to two places, occupancy as a percentage to
 * one). */
#include "report.h"

#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON. */

static void figures_json(json_t *o, const struct report_figures *f, bool served)
{
	json_object_set_new(o, "approved_seconds", json_integer(f->approved));
	json_object_set_new(o, "pending_seconds", json_integer(f->pending));
	json_object_set_new(o, "approved_bookings", json_integer(f->bookings));
	json_object_set_new(o, "cancelled", json_integer(f->cancelled));
	json_object_set_new(o, "declined", json_integer(f->declined));
	if (served)
		json_object_set_new(o, "groups_served", json_integer(f->groups));
	if (f->open < 0)
		return;
	json_object_set_new(o, "open_seconds", json_integer(f->open));
	json_object_set_new(o, "occupancy",
	                    f->open > 0 ? json_real((double)f->approved / (double)f->open)
	                                : json_null());
}

static json_t *id_or_null(uint64_t id)
{
	return id ? json_integer((json_int_t)id) : json_null();
}

static json_t *rows_json(const struct report_table *tb, const char *id_key, const char *name_key,
                         bool served)
{
	json_t *a = json_array();

	for (size_t i = 0; i < tb->n; i++) {
		const struct report_row *row = &tb->rows[i];
		json_t *o = json_object();

		if (id_key != NULL)
			json_object_set_new(o, id_key, json_integer((json_int_t)row->id));
		json_object_set_new(o, name_key, json_string(row->name));
		if (row->venue_id)
			json_object_set_new(o, "venue_id", json_integer((json_int_t)row->venue_id));
		if (strcmp(name_key, "name") == 0 && id_key && strcmp(id_key, "group_id") == 0)
			json_object_set_new(o, "kind",
			                    row->kind ? json_string(row->kind) : json_null());
		figures_json(o, &row->f, served);
		json_array_append_new(a, o);
	}
	return a;
}

json_t *report_to_json(const struct report *r)
{
	json_t *o = json_object(), *total = json_object(), *reasons = json_array();

	json_object_set_new(o, "from", json_string(r->from));
	json_object_set_new(o, "to", json_string(r->to));
	json_object_set_new(o, "venue_id", id_or_null(r->venue_id));
	json_object_set_new(o, "kind", r->kind ? json_string(r->kind) : json_null());
	figures_json(total, &r->total.f, true);
	json_object_set_new(o, "total", total);
	json_object_set_new(o, "venues", rows_json(&r->venues, "venue_id", "name", true));
	json_object_set_new(o, "rooms", rows_json(&r->rooms, "room_id", "name", true));
	json_object_set_new(o, "groups", rows_json(&r->groups, "group_id", "name", false));
	json_object_set_new(o, "kinds", rows_json(&r->kinds, NULL, "kind", true));
	json_object_set_new(o, "months", rows_json(&r->months, NULL, "month", true));
	for (size_t i = 0; i < r->nreasons; i++)
		json_array_append_new(reasons,
		                      json_pack("{s:s, s:s, s:I}", "status", r->reasons[i].status,
		                                "reason", r->reasons[i].reason, "count",
		                                (json_int_t)r->reasons[i].count));
	json_object_set_new(o, "reasons", reasons);
	return o;
}

/* CSV. */

const char *const report_tables[] = {"summary", "venues", "rooms",   "groups",
                                     "kinds",   "months", "reasons", NULL};

bool report_table_known(const char *name)
{
	for (size_t i = 0; name && report_tables[i]; i++)
		if (strcmp(report_tables[i], name) == 0)
			return true;
	return false;
}

/* A table being written: as CSV text, or (row set) as rows of plain cells handed to
 * row, the header first. */
struct csv {
	char *s;
	size_t len, cap;
	bool first; /* no cell yet on this line */
	void (*row)(const char *const *cells, size_t n, void *arg);
	void *arg;
	char *cells[32];
	size_t ncells;
};

static void csv_put(struct csv *c, const char *p, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		c->cap = (c->len + n + 1) * 2;
		c->s = xrealloc(c->s, c->cap);
	}
	memcpy(c->s + c->len, p, n);
	c->len += n;
	c->s[c->len] = '\0';
}

/* One cell: quoted when it holds a comma, a quote or a line break (RFC 4180), and
 * prefixed with ' when a spreadsheet would read it as a formula. */
static void csv_cell(struct csv *c, const char *text)
{
	if (c->row != NULL) {
		if (c->ncells < sizeof(c->cells) / sizeof(c->cells[0]))
			c->cells[c->ncells++] = xstrdup(text);
		return;
	}
	bool formula = text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
	bool quote = strpbrk(text, ",\"\r\n") != NULL;

	if (!c->first)
		csv_put(c, ",", 1);
	c->first = false;
	if (quote)
		csv_put(c, "\"", 1);
	if (formula)
		csv_put(c, "'", 1);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			csv_put(c, "\"", 1);
		csv_put(c, p, 1);
	}
	if (quote)
		csv_put(c, "\"", 1);
}

static void csv_cellf(struct csv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void csv_cellf(struct csv *c, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	csv_cell(c, buf);
}

static void csv_end_line(struct csv *c)
{
	if (c->row != NULL) {
		c->row((const char *const *)c->cells, c->ncells, c->arg);
		for (size_t i = 0; i < c->ncells; i++)
			free(c->cells[i]);
		c->ncells = 0;
		return;
	}
	csv_put(c, "\r\n", 2);
	c->first = true;
}

static void csv_header(struct csv *c, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		csv_cell(c, names[i]);
	csv_end_line(c);
}

/* Seconds as hours to two places, rounded half up. */
static void csv_hours(struct csv *c, int64_t seconds)
{
	long long hundredths = (long long)((seconds * 100 + 1800) / 3600);

	csv_cellf(c, "%lld.%02lld", hundredths / 100, hundredths % 100);
}

/* approved / open as a percentage to one place; empty when nothing was open. */
static void csv_occupancy(struct csv *c, const struct report_figures *f)
{
	long long tenths;

	if (f->open <= 0) {
		csv_cell(c, "");
		return;
	}
	tenths = (long long)((f->approved * 1000 + f->open / 2) / f->open);
	csv_cellf(c, "%lld.%lld", tenths / 10, tenths % 10);
}

/* The figures' cells; with_open: open hours and occupancy; served: groups served. */
static void csv_figures(struct csv *c, const struct report_figures *f, bool with_open, bool served)
{
	csv_hours(c, f->approved);
	csv_hours(c, f->pending);
	if (with_open) {
		csv_hours(c, f->open);
		csv_occupancy(c, f);
	}
	csv_cellf(c, "%u", f->bookings);
	if (served)
		csv_cellf(c, "%u", f->groups);
	csv_cellf(c, "%u", f->cancelled);
	csv_cellf(c, "%u", f->declined);
}

#define FIG_OPEN  "approved_hours", "pending_hours", "open_hours", "occupancy_percent"
#define FIG_REST  "approved_bookings", "groups_served", "cancelled", "declined"
#define FIG_GROUP "approved_hours", "pending_hours", "approved_bookings", "cancelled", "declined"

static void csv_summary(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"from", "to", "venue_id", "kind", FIG_OPEN, FIG_REST, NULL};

	csv_header(c, h);
	csv_cell(c, r->from);
	csv_cell(c, r->to);
	if (r->venue_id)
		csv_cellf(c, "%llu", (unsigned long long)r->venue_id);
	else
		csv_cell(c, "");
	csv_cell(c, r->kind ? r->kind : "");
	csv_figures(c, &r->total.f, true, true);
	csv_end_line(c);
}

static void csv_venues(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"venue_id", "venue", FIG_OPEN, FIG_REST, NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->venues.n; i++) {
		csv_cellf(c, "%llu", (unsigned long long)r->venues.rows[i].id);
		csv_cell(c, r->venues.rows[i].name);
		csv_figures(c, &r->venues.rows[i].f, true, true);
		csv_end_line(c);
	}
}

static void csv_rooms(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"room_id", "room", "venue_id", FIG_OPEN, FIG_REST, NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->rooms.n; i++) {
		const struct report_row *row = &r->rooms.rows[i];

		csv_cellf(c, "%llu", (unsigned long long)row->id);
		csv_cell(c, row->name);
		csv_cellf(c, "%llu", (unsigned long long)row->venue_id);
		csv_figures(c, &row->f, true, true);
		csv_end_line(c);
	}
}

static void csv_groups(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"group_id", "group", "kind", FIG_GROUP, NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->groups.n; i++) {
		const struct report_row *row = &r->groups.rows[i];

		csv_cellf(c, "%llu", (unsigned long long)row->id);
		csv_cell(c, row->name);
		csv_cell(c, row->kind ? row->kind : "");
		csv_figures(c, &row->f, false, false);
		csv_end_line(c);
	}
}

static void csv_kinds(struct csv *c, const struct report *r)
{
	static const char *const h[] = {
	    "kind",          "approved_hours", "pending_hours", "approved_bookings",
	    "groups_served", "cancelled",      "declined",      NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->kinds.n; i++) {
		csv_cell(c, r->kinds.rows[i].name);
		csv_figures(c, &r->kinds.rows[i].f, false, true);
		csv_end_line(c);
	}
}

static void csv_months(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"month", FIG_OPEN, FIG_REST, NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->months.n; i++) {
		csv_cell(c, r->months.rows[i].name);
		csv_figures(c, &r->months.rows[i].f, true, true);
		csv_end_line(c);
	}
}

static void csv_reasons(struct csv *c, const struct report *r)
{
	static const char *const h[] = {"status", "reason", "count", NULL};

	csv_header(c, h);
	for (size_t i = 0; i < r->nreasons; i++) {
		csv_cell(c, r->reasons[i].status);
		csv_cell(c, r->reasons[i].reason);
		csv_cellf(c, "%u", r->reasons[i].count);
		csv_end_line(c);
	}
}

static const struct {
	const char *name;
	void (*write)(struct csv *c, const struct report *r);
} csv_writers[] = {
    {"summary", csv_summary}, {"venues", csv_venues}, {"rooms", csv_rooms},
    {"groups", csv_groups},   {"kinds", csv_kinds},   {"months", csv_months},
    {"reasons", csv_reasons},
};

bool report_rows(const struct report *r, const char *table,
                 void (*row)(const char *const *cells, size_t n, void *arg), void *arg)
{
	struct csv c = {.first = true, .row = row, .arg = arg};

	for (size_t i = 0; i < sizeof(csv_writers) / sizeof(csv_writers[0]); i++) {
		if (table != NULL && strcmp(csv_writers[i].name, table) == 0) {
			csv_writers[i].write(&c, r);
			return true;
		}
	}
	return false;
}

char *report_csv(const struct report *r, const char *table, size_t *len)
{
	struct csv c = {.first = true};

	for (size_t i = 0; i < sizeof(csv_writers) / sizeof(csv_writers[0]); i++) {
		if (table == NULL || strcmp(csv_writers[i].name, table) != 0)
			continue;
		/* The byte order mark: without it, a spreadsheet may read UTF-8 as Latin-1. */
		csv_put(&c, "\xEF\xBB\xBF", 3);
		csv_writers[i].write(&c, r);
		*len = c.len;
		return c.s;
	}
	return NULL;
}
