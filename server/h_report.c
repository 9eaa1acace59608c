/* Usage reports over HTTP.
 *
 *   GET /api/v1/reports/usage?from=&to=&venue=&kind=&format=json|csv&table=
 *
 * The figures and who may read them are the core's (report.h, view_usage_report):
 * admins every venue, managers theirs; members are refused (403). format=csv answers
 * one table (table=summary|venues|rooms|groups|kinds|months|reasons, default venues) as
 * text/csv, so that each file opens in a spreadsheet as one sheet. Without from and to,
 * the current month. */
#include "server.h"

#include <string.h>

#define CSV_TYPE "text/csv; charset=utf-8"

static enum herr report_params(struct request *r, struct report_query *q, bool *csv,
                               const char **table)
{
	static const char *const known[] = {"from", "to", "venue", "kind", "format", "table", NULL};
	const char *format = request_query(r, "format");
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &q->venue_id)) != H_OK)
		return ret;
	q->from = request_query(r, "from");
	q->to = request_query(r, "to");
	q->kind = request_query(r, "kind");
	q->now = r->now;
	if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
		return herror_set(&r->err, H_EINVAL, "format must be json or csv");
	*csv = format != NULL && strcmp(format, "csv") == 0;
	*table = request_query(r, "table");
	if (*table != NULL && !*csv)
		return herror_set(&r->err, H_EINVAL, "table is for format=csv");
	if (*table == NULL)
		*table = "venues";
	if (!report_table_known(*table))
		return herror_set(&r->err, H_EINVAL,
		                  "table must be summary, venues, rooms, groups, kinds, months or "
		                  "reasons");
	return H_OK;
}

enum herr h_report_usage(struct request *r)
{
	struct report_query q = {0};
	struct report rep;
	struct viewer v;
	const char *table = NULL;
	bool csv = false;
	struct txn t;
	enum herr ret;

	if ((ret = report_params(r, &q, &csv, &table)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	request_viewer(r, &t, &v);
	ret = report_usage(&t, &v, &q, &rep);
	if (ret == H_OK && csv) {
		r->raw = report_csv(&rep, table, &r->raw_len);
		r->raw_type = CSV_TYPE;
		r->raw_release = reply_text_release;
	} else if (ret == H_OK) {
		r->reply = report_to_json(&rep);
	}
	report_free(&rep);
	viewer_free(&v);
	db_read_end(&t);
	return ret;
}
