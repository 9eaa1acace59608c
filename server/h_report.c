/* Usage reports over HTTP.
 *
 *   GET /api/v1/reports/usage?from=&to=&venue=&kind=&format=json|csv&table=
 *
 * The figures and who may read them are the core's (report.h, view_usage_report):
 * admins every venue, managers theirs; members are refused (403). format=csv answers
 * one table (table=summary|venues|rooms|groups|kinds|months|reasons, default venues) as
 * text/csv, so that each file opens in a spreadsheet as one sheet. Without from and to,
 * the current month.
 *
 * A report reads every booking that starts in its window (up to three years), which in a
 * busy borough is far more than the loop may spend on one request; so it is made on the
 * feed builder (srv->builder), in a read transaction of that thread's own, as a feed is,
 * while the loop serves other requests. */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#define CSV_TYPE "text/csv; charset=utf-8"

/* One report being made: what the request asked (copied, so that the builder touches
 * nothing of the request), and the answer, written on the builder. */
struct report_job {
	struct request *r;
	struct db *db;
	struct actor actor;
	bool signed_in;
	char *from, *to, *kind, *table; /* NULL: not given */
	struct report_query q;
	bool csv;
	/* The answer. */
	enum herr ret;
	struct herror err;
	json_t *json;
	char *text;
	size_t len;
};

static char *copy_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static enum herr report_params(struct request *r, struct report_job *job)
{
	static const char *const known[] = {"from", "to", "venue", "kind", "format", "table", NULL};
	const char *format = request_query(r, "format");
	const char *table = request_query(r, "table");
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "venue", &job->q.venue_id)) != H_OK)
		return ret;
	if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
		return herror_set(&r->err, H_EINVAL, "format must be json or csv");
	job->csv = format != NULL && strcmp(format, "csv") == 0;
	if (table != NULL && !job->csv)
		return herror_set(&r->err, H_EINVAL, "table is for format=csv");
	if (table != NULL && !report_table_known(table))
		return herror_set(&r->err, H_EINVAL,
		                  "table must be summary, venues, rooms, groups, kinds, months or "
		                  "reasons");
	job->from = copy_or_null(request_query(r, "from"));
	job->to = copy_or_null(request_query(r, "to"));
	job->kind = copy_or_null(request_query(r, "kind"));
	job->table = xstrdup(table ? table : "venues");
	job->q.from = job->from;
	job->q.to = job->to;
	job->q.kind = job->kind;
	job->q.now = r->now;
	return H_OK;
}

static void job_free(struct report_job *job)
{
	free(job->from);
	free(job->to);
	free(job->kind);
	free(job->table);
	json_decref(job->json);
	free(job->text);
	free(job);
}

/* On the builder thread: the report and its rendering. Touches nothing but job and the
 * store. */
static void report_run(void *arg)
{
	struct report_job *job = arg;
	struct report rep;
	struct viewer v;
	struct txn t;

	if ((job->ret = db_read_begin(job->db, &t, &job->err)) != H_OK)
		return;
	viewer_load(&t, job->signed_in ? &job->actor : NULL, &v);
	job->ret = report_usage(&t, &v, &job->q, &rep);
	if (job->ret == H_OK && job->csv)
		job->text = report_csv(&rep, job->table, &job->len);
	else if (job->ret == H_OK)
		job->json = report_to_json(&rep);
	report_free(&rep);
	viewer_free(&v);
	db_read_end(&t);
}

/* On the loop: the answer. */
static void report_done(void *arg)
{
	struct report_job *job = arg;
	struct request *r = job->r;

	if (job->ret == H_OK && job->csv) {
		r->raw = job->text;
		r->raw_len = job->len;
		r->raw_type = CSV_TYPE;
		r->raw_release = reply_text_release;
		job->text = NULL;
	} else if (job->ret == H_OK) {
		r->reply = job->json;
		job->json = NULL;
	} else {
		r->err = job->err;
	}
	request_finish(r, job->ret);
	job_free(job);
}

enum herr h_report_usage(struct request *r)
{
	struct report_job *job = xcalloc(1, sizeof(*job));
	enum herr ret;

	if ((ret = report_params(r, job)) != H_OK) {
		job_free(job);
		return ret;
	}
	job->r = r;
	job->db = r->srv->db;
	job->actor = r->actor;
	job->signed_in = request_reader(r) != NULL;
	request_defer(r);
	worker_submit(r->srv->builder, report_run, report_done, job);
	return H_OK;
}
