/* halls report usage --from DATE --to DATE [--venue ID] [--kind KIND]
 *                    [--format text|csv|json] [--table TABLE]
 * The usage report (report.h) as the console reads it: every venue. One table for
 * people (the default), or as CSV the bytes the API's format=csv answers (for a file);
 * JSON (--format json, or --json) the whole report, as GET /api/v1/reports/usage
 * answers it. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum report_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON };

static int cmd_report_format(struct cli *c, struct opt *opts, enum report_format *out,
                             const char **table)
{
	const char *format = opt_str(opts, "format");

	if (format == NULL || strcmp(format, "text") == 0)
		*out = FORMAT_TEXT;
	else if (strcmp(format, "csv") == 0)
		*out = FORMAT_CSV;
	else if (strcmp(format, "json") == 0)
		*out = FORMAT_JSON;
	else
		return out_usage(c, "--format must be text, csv or json");
	if (c->json)
		*out = FORMAT_JSON;
	*table = opt_str(opts, "table");
	if (*table != NULL && *out == FORMAT_JSON)
		return out_usage(c, "--table is for --format text or csv");
	if (*table == NULL)
		*table = "venues";
	if (!report_table_known(*table))
		return out_usage(c, "--table must be summary, venues, rooms, groups, kinds, months "
		                    "or reasons");
	return CLI_OK;
}

static void cmd_report_row(const char *const *cells, size_t n, void *arg)
{
	struct table *tb = arg;

	if (tb->ncols == 0) {
		/* The header row: its cells live as long as the table. */
		char **headers = xcalloc(n, sizeof(*headers));

		for (size_t i = 0; i < n; i++)
			headers[i] = xstrdup(cells[i]);
		table_init(tb, n, (const char **)headers);
		return;
	}
	table_add_row(tb, cells);
}

static void cmd_report_print(const struct report *rep, enum report_format format, const char *table)
{
	if (format == FORMAT_TEXT) {
		struct table tb = {0};

		report_rows(rep, table, cmd_report_row, &tb);
		table_print(&tb, stdout);
		for (size_t i = 0; i < tb.ncols; i++)
			free((char *)tb.headers[i]);
		free((void *)tb.headers);
		table_free(&tb);
	} else if (format == FORMAT_CSV) {
		size_t len;
		char *text = report_csv(rep, table, &len);

		fwrite(text, 1, len, stdout);
		free(text);
	} else {
		out_json(report_to_json(rep));
	}
}

int cmd_report_usage(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{.name = "from", .type = OPT_VALUE},
	                     {.name = "to", .type = OPT_VALUE},
	                     {.name = "venue", .type = OPT_VALUE},
	                     {.name = "kind", .type = OPT_VALUE},
	                     {.name = "format", .type = OPT_VALUE},
	                     {.name = "table", .type = OPT_VALUE},
	                     {.name = NULL}};
	struct report_query q = {0};
	struct report rep;
	struct herror err;
	struct viewer v;
	const char *table = NULL;
	struct txn t;
	size_t nargs;
	enum report_format format = FORMAT_TEXT;
	enum herr ret;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, NULL, 0, &nargs)) != CLI_OK ||
	    (rc = opt_need(c, opts, "from")) != CLI_OK ||
	    (rc = opt_need(c, opts, "to")) != CLI_OK ||
	    (rc = opt_id(c, opts, "venue", &q.venue_id)) != CLI_OK ||
	    (rc = cmd_report_format(c, opts, &format, &table)) != CLI_OK)
		return rc;
	q.from = opt_str(opts, "from");
	q.to = opt_str(opts, "to");
	q.kind = opt_str(opts, "kind");
	q.now = c->now;
	if (db_read_begin(c->db, &t, &err) != H_OK)
		return out_error(c, &err);
	viewer_load(&t, &cli_console, &v);
	ret = report_usage(&t, &v, &q, &rep);
	if (ret == H_OK)
		cmd_report_print(&rep, format, table);
	report_free(&rep);
	viewer_free(&v);
	db_read_end(&t);
	return ret == H_OK ? CLI_OK : out_error(c, &err);
}
