/* halls import-ics FILE --room ID --group ID [--approve] [--dry-run]
 *
 * Brings bookings over from another system's iCalendar (RFC 5545) export into one room,
 * for one group, and reports each event it could not place and why. The import is the
 * core's (ics_import.h): this file reads the options and the file, and prints what became
 * of each event, for people or as JSON. */
#include "cli.h"
#include "ics_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define IMP_FILE_MAX (64u << 20)

/* Printing, for people. */

/* Text from the file, on one line. */
static void imp_print_text(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

static bool imp_same_day(int64_t a, int64_t b, const char *zone)
{
	struct localtm x, y;

	tz_to_local(zone, a, &x);
	tz_to_local(zone, b, &y);
	return x.year == y.year && x.month == y.month && x.day == y.day;
}

/* "Tue 06 Oct 2026 19:00-21:00" (the end's date only when it is another day). */
static void imp_print_span(FILE *f, int64_t start, bool has_end, int64_t end, const char *zone)
{
	char a[32], b[32];

	out_local(start, zone, a);
	fprintf(f, "%s", a);
	if (!has_end)
		return;
	if (imp_same_day(start, end, zone))
		out_clock(end, zone, b);
	else
		out_local(end, zone, b);
	fprintf(f, "-%s", b);
}

/* "Title", when[, rule] (uid U); when is the start as written if it has no instant. */
static void imp_print_event(FILE *f, const struct ics_import_item *it, const char *zone,
                            const char *rule)
{
	fputc('"', f);
	imp_print_text(f, it->summary != NULL ? it->summary : ICS_IMPORT_TITLE);
	fputc('"', f);
	if (it->has_rid) {
		char was[32];

		out_local(it->recurrence_id, zone, was);
		fprintf(f, " (instead of %s)", was);
	}
	fputs(", ", f);
	if (it->timed)
		imp_print_span(f, it->start, it->has_end, it->end, zone);
	else
		fprintf(f, "%s", it->when[0] ? it->when : "no start");
	if (rule != NULL)
		fprintf(f, ", %s", rule);
	if (it->uid != NULL) {
		fputs(" (uid ", f);
		imp_print_text(f, it->uid);
		fputc(')', f);
	}
}

static void imp_print_conflicts(FILE *f, const uint64_t *ids, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, "; conflicts with booking%s ", n > 1 ? "s" : "");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)ids[i]);
}

/* A series' notes, one line each, in date order. */
struct imp_note {
	int64_t at;
	char *text;
};

static int imp_note_cmp(const void *a, const void *b)
{
	const struct imp_note *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

static const char *const imp_lists[ICS_NOTE_KINDS] = {"skipped", "excluded", "moved", "retimed",
                                                      "cancelled"};

/* A moved or retimed date: to where, from its rule date b. */
static void imp_print_moved(FILE *f, const struct ics_import_date *d, const char *zone)
{
	char a[32], b[32];

	out_local(d->start, zone, a);
	out_local(d->original_start, zone, b);
	if (d->note == ICS_NOTE_MOVED && d->start == d->original_start) {
		fprintf(f, "  changed %s: title or description as in the imported calendar", b);
	} else if (d->note == ICS_NOTE_MOVED) {
		fprintf(f, "  moved %s to ", b);
		imp_print_span(f, d->start, true, d->end, zone);
	} else {
		if (imp_same_day(d->original_start, d->start, zone))
			out_clock(d->start, zone, a);
		fprintf(f, "  retimed %s to %s, as in the imported calendar", b, a);
	}
	fprintf(f, " (booking %llu)", (unsigned long long)d->booking_id);
}

static char *imp_note_text(const struct ics_import_date *d, const char *zone)
{
	char a[32], *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		fatal("out of memory");
	out_local(d->start, zone, a);
	if (d->note == ICS_NOTE_SKIPPED) {
		fprintf(f, "  left out %s (%s): ", a, d->error);
		imp_print_text(f, d->message);
		imp_print_conflicts(f, d->conflicts, d->nconflicts);
	} else if (d->note == ICS_NOTE_EXCLUDED || d->note == ICS_NOTE_CANCELLED) {
		fprintf(f, "  %s %s: %s", imp_lists[d->note], a,
		        d->note == ICS_NOTE_EXCLUDED ? ICS_IMPORT_NOTE_EXDATE
		                                     : ICS_IMPORT_NOTE_CANCEL);
		if (d->booking_id != 0)
			fprintf(f, " (booking %llu cancelled)", (unsigned long long)d->booking_id);
	} else {
		imp_print_moved(f, d, zone);
	}
	fclose(f);
	return s;
}

/* The notes of each list in turn, then sorted by the date each is about. */
static void imp_print_notes(const struct ics_import_item *it, const char *zone)
{
	struct imp_note *notes = NULL;
	size_t n = 0;

	for (size_t k = 0; k < ICS_NOTE_KINDS; k++)
		for (size_t i = 0; i < it->ndates; i++) {
			const struct ics_import_date *d = &it->dates[i];

			if (d->note != k)
				continue;
			notes = xrealloc(notes, (n + 1) * sizeof(*notes));
			notes[n].at = d->note == ICS_NOTE_MOVED || d->note == ICS_NOTE_RETIMED
			                  ? d->original_start
			                  : d->start;
			notes[n].text = imp_note_text(d, zone);
			n++;
		}
	if (n > 0) /* notes is NULL then, and qsort may not take NULL */
		qsort(notes, n, sizeof(*notes), imp_note_cmp);
	for (size_t i = 0; i < n; i++) {
		printf("%s\n", notes[i].text);
		free(notes[i].text);
	}
	free(notes);
}

static void imp_print_series(const struct ics_import_item *it, const char *zone)
{
	size_t extra = it->extra_dates_ignored;

	printf("placed: series %llu, %zu of %zu dates (%zu approved, %zu pending): ",
	       (unsigned long long)it->series_id, it->approved + it->pending, it->total,
	       it->approved, it->pending);
	imp_print_event(stdout, it, zone, it->rrule);
	putchar('\n');
	imp_print_notes(it, zone);
	if (extra > 0)
		printf("  %zu extra date%s (RDATE) not imported: book %s with `halls booking "
		       "request`\n",
		       extra, extra == 1 ? "" : "s", extra == 1 ? "it" : "them");
}

static void imp_print_not_placed(const struct ics_import_item *it, const char *zone)
{
	printf("not placed: ");
	imp_print_event(stdout, it, zone, NULL);
	fputs(": ", stdout);
	imp_print_text(stdout, it->reason);
	imp_print_conflicts(stdout, it->conflicts, it->nconflicts);
	if (it->cancelled_booking != 0)
		printf("; booking %llu, on the date it replaces, was cancelled",
		       (unsigned long long)it->cancelled_booking);
	putchar('\n');
}

static void imp_print(const struct ics_import_options *in, const struct ics_import_outcome *o)
{
	for (size_t i = 0; i < o->nitems; i++) {
		const struct ics_import_item *it = &o->items[i];

		switch (it->kind) {
		case ICS_IMPORT_PLACED:
			printf("placed: booking %llu (%s): ", (unsigned long long)it->booking_id,
			       booking_status_name(it->status));
			imp_print_event(stdout, it, o->zone, NULL);
			putchar('\n');
			break;
		case ICS_IMPORT_SERIES:
			imp_print_series(it, o->zone);
			break;
		case ICS_IMPORT_NOT_PLACED:
		default:
			imp_print_not_placed(it, o->zone);
			break;
		}
	}
	printf("%sread %zu event%s from %s: placed %zu booking%s and %zu series (%zu date%s); %zu "
	       "not placed",
	       in->dry_run ? "dry run, nothing was stored: " : "", o->events,
	       o->events == 1 ? "" : "s", in->name, o->placed, o->placed == 1 ? "" : "s", o->series,
	       o->series_dates, o->series_dates == 1 ? "" : "s", o->not_placed);
	if (o->already > 0)
		printf(" (%zu already booked)", o->already);
	putchar('\n');
}

/* The report --json prints: the core's, with the file's name. */
static json_t *imp_report(const struct ics_import_options *in, const struct ics_import_outcome *o)
{
	json_t *report = ics_import_to_json(in, o);

	json_object_set_new(report, "file", json_string(in->name));
	return report;
}

/* The file. */

/* The file's bytes (NUL-terminated, *len without it), at most IMP_FILE_MAX. */
static char *imp_slurp(const char *path, size_t *out_len, struct herror *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		herror_set(err, H_EINVAL, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len <= IMP_FILE_MAX);
	if (ferror(f) || len > IMP_FILE_MAX) {
		herror_set(err, H_EINVAL, ferror(f) ? "cannot read %s: %s" : "%s is too large%s",
		           path, ferror(f) ? strerror(errno) : " (over 64 MiB)");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	*out_len = len;
	return buf;
}

int cmd_import_ics(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "room", .type = OPT_VALUE},
	    {.name = "group", .type = OPT_VALUE},
	    {.name = "approve", .type = OPT_FLAG},
	    {.name = "dry-run", .type = OPT_FLAG},
	    {.name = NULL},
	};
	struct ics_import_options in = {.now = c->now};
	struct ics_import_outcome out = {0};
	struct herror err;
	char *args[1], *text = NULL;
	size_t nargs, len = 0;
	int rc;

	if ((rc = opt_parse(c, argc, argv, opts, args, 1, &nargs)) != CLI_OK)
		goto out;
	if (nargs != 1) {
		rc = out_usage(c, "FILE is required");
		goto out;
	}
	if ((rc = opt_need(c, opts, "room")) != CLI_OK ||
	    (rc = opt_need(c, opts, "group")) != CLI_OK ||
	    (rc = opt_id(c, opts, "room", &in.room_id)) != CLI_OK ||
	    (rc = opt_id(c, opts, "group", &in.group_id)) != CLI_OK)
		goto out;
	in.name = args[0];
	in.approve = opt_flag(opts, "approve");
	in.dry_run = opt_flag(opts, "dry-run");
	herror_clear(&err);
	if ((text = imp_slurp(in.name, &len, &err)) == NULL ||
	    ics_import(c->db, &cli_console, text, len, &in, &out, &err) != H_OK) {
		rc = out_error(c, &err);
		goto out;
	}
	if (c->json)
		out_json(imp_report(&in, &out));
	else
		imp_print(&in, &out);
	rc = CLI_OK;
out:
	free(text);
	ics_import_outcome_free(&out);
	opt_free(opts);
	return rc;
}
