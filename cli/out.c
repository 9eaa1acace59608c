/* Output: tables and "key: value" lines for people, indented JSON for programs, and the
 * one place errors are reported. Results go to stdout, errors and notes to stderr. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_INDENT(2) | JSON_SORT_KEYS)

void table_init(struct table *t, size_t ncols, const char **headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
}

/* Makes room for one more row and returns its cells. */
static char **table_row(struct table *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
	}
	return &t->cells[t->nrows++ * t->ncols];
}

/* An empty cell would make the columns hard to read. */
static char *table_cell(const char *s)
{
	return xstrdup(s != NULL && *s != '\0' ? s : "-");
}

void table_add(struct table *t, ...)
{
	char **row = table_row(t);
	va_list ap;

	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++)
		row[i] = table_cell(va_arg(ap, const char *));
	va_end(ap);
}

void table_add_row(struct table *t, const char *const *cells)
{
	char **row = table_row(t);

	for (size_t i = 0; i < t->ncols; i++)
		row[i] = table_cell(cells[i]);
}

/* Columns a string takes on a terminal: one per UTF-8 character (wide characters are
 * rare in room names; good enough). */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Prints s with newlines and tabs flattened, so a row stays on one line. */
static void put_cell(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\t' || *s == '\r' ? ' ' : *s, f);
}

void table_print(const struct table *t, FILE *f)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));

	for (size_t c = 0; c < t->ncols; c++) {
		if (t->headers != NULL)
			width[c] = text_width(t->headers[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = text_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t r = 0; r < t->nrows + (t->headers != NULL); r++) {
		const char **row;

		if (t->headers != NULL)
			row = r == 0 ? t->headers : (const char **)&t->cells[(r - 1) * t->ncols];
		else
			row = (const char **)&t->cells[r * t->ncols];
		for (size_t c = 0; c < t->ncols; c++) {
			put_cell(f, row[c]);
			if (c + 1 < t->ncols)
				fprintf(f, "%*s", (int)(width[c] - text_width(row[c]) + 2), "");
		}
		fputc('\n', f);
	}
	free(width);
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Writes o as indented JSON on a line of its own, and drops it. */
static void out_json_to(FILE *f, json_t *o)
{
	char *s;

	json_instants_format(o, NULL);
	s = json_dumps(o, JSON_FLAGS);

	if (s == NULL)
		fatal("cannot encode JSON output");
	fprintf(f, "%s\n", s);
	free(s);
	json_decref(o);
}

void out_json(json_t *o)
{
	out_json_to(stdout, o);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *out_text(const char *key, const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (ends_with(key, "_at") && n <= 0)
			return xstrdup("-");
		if (ends_with(key, "_at")) {
			char when[32];

			time_format((int64_t)n, TZ_DEFAULT, when);
			return xstrdup(when);
		}
		return xasprintf("%lld", (long long)n);
	}
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	if (json_is_array(v)) {
		size_t i, len = 0;
		json_t *e;
		char *s = xstrdup("");

		json_array_foreach(v, i, e)
		{
			char *part = out_text("", e), *next;

			next = xasprintf("%s%s%s", s, len++ ? ", " : "", part);
			free(part);
			free(s);
			s = next;
		}
		return s;
	}
	if (json_is_null(v))
		return xstrdup("-");
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static int key_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	/* id first, then the rest alphabetically. */
	if (strcmp(x, "id") == 0 || strcmp(y, "id") == 0)
		return strcmp(y, "id") == 0 ? (strcmp(x, "id") != 0) : -1;
	return strcmp(x, y);
}

void out_object(struct cli *c, json_t *o)
{
	const char **keys;
	const char *key;
	json_t *v;
	size_t n = 0;
	struct table t;

	if (c->json) {
		out_json(o);
		return;
	}
	keys = xcalloc(json_object_size(o) + 1, sizeof(*keys));
	json_object_foreach(o, key, v)
	{
		/* People read "start" and "end"; the UTC seconds are for programs. */
		if (!ends_with(key, "_ts"))
			keys[n++] = key;
	}
	qsort(keys, n, sizeof(*keys), key_cmp);
	table_init(&t, 2, NULL);
	for (size_t i = 0; i < n; i++) {
		char *label = xasprintf("%s:", keys[i]);
		char *text = out_text(keys[i], json_object_get(o, keys[i]));

		table_add(&t, label, text);
		free(label);
		free(text);
	}
	table_print(&t, stdout);
	table_free(&t);
	free(keys);
	json_decref(o);
}

void out_done(struct cli *c, json_t *o, const char *fmt, ...)
{
	va_list ap;

	if (c->json) {
		out_json(o);
		return;
	}
	json_decref(o);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void out_removed(struct cli *c, const char *kind, uint64_t id)
{
	out_done(c, json_pack("{s:s, s:I, s:b}", "kind", kind, "id", (json_int_t)id, "removed", 1),
	         "removed %s %llu", kind, (unsigned long long)id);
}

int out_error(struct cli *c, const struct herror *err)
{
	return out_error_with(c, err, NULL);
}

int out_error_with(struct cli *c, const struct herror *err, json_t *extra)
{
	enum herr code = err->code != H_OK ? err->code : H_ESTORAGE;
	const char *msg = err->msg[0] != '\0' ? err->msg : herr_title(code);

	if (c->json) {
		json_t *o = json_pack("{s:s}", "error", herr_name(code));
		json_t *ids = json_array(), *m = json_string(msg);

		/* The message may quote bad input; never let it break the JSON. */
		json_object_set_new(o, "message", m != NULL ? m : json_string(herr_title(code)));
		for (size_t i = 0; code == H_ECONFLICT && i < err->nconflicts; i++)
			json_array_append_new(ids, json_integer((json_int_t)err->conflicts[i]));
		json_object_set_new(o, "conflicts", ids);
		if (extra != NULL)
			json_object_update(o, extra);
		json_decref(extra);
		out_json_to(stderr, o);
		return CLI_REFUSED;
	}
	json_decref(extra);
	fflush(stdout);
	fprintf(stderr, "halls: %s\n", msg);
	for (size_t i = 0; code == H_ECONFLICT && i < err->nconflicts; i++)
		fprintf(stderr, "halls: conflicts with booking %llu\n",
		        (unsigned long long)err->conflicts[i]);
	return CLI_REFUSED;
}

/* A word to the person at the terminal, after what was printed so far: stdout is flushed
 * first, so that a pipe or a file keeps the order a terminal shows. */
void out_note(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	text_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "halls: %s\n", msg);
}

int out_usage(struct cli *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	text_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->json) {
		json_t *o = json_pack("{s:s}", "error", "usage"), *m = json_string(msg);

		json_object_set_new(o, "message", m != NULL ? m : json_string("bad usage"));
		if (c->cmd != NULL)
			json_object_set_new(o, "usage", json_string(c->cmd->usage));
		out_json_to(stderr, o);
		return CLI_USAGE;
	}
	fflush(stdout);
	fprintf(stderr, "halls: %s\n", msg);
	if (c->cmd != NULL)
		fprintf(stderr, "usage: halls %s\n", c->cmd->usage);
	return CLI_USAGE;
}

static const char *const day_names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void out_local(int64_t t, const char *zone, char out[32])
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	snprintf(out, 32, "%s %02d %s %04d %02d:%02d", day_names[lt.wday % 7], lt.day,
	         month_names[(lt.month + 11) % 12], lt.year % 10000, lt.hour, lt.min);
}

void out_clock(int64_t t, const char *zone, char out[32])
{
	struct localtm lt;

	tz_to_local(zone, t, &lt);
	snprintf(out, 32, "%02d:%02d", lt.hour, lt.min);
}

char *out_ids(const uint64_t *ids, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%llu", s, i ? ", " : "", (unsigned long long)ids[i]);

		free(s);
		s = next;
	}
	return s;
}
