/* Date sets from arbitrary .ics files (date_set_ics.h), and arbitrary JSON as a new set's
 * fields (date_set_from_json): whatever the bytes, nothing crashes or leaks, a refused
 * file leaves the set as it was, and an accepted one leaves a set that a date set may be:
 * at most DATE_SET_MAX_DATES dates, sorted and unique, within the years a set holds, each
 * label text a record may keep, and a report that encodes as JSON. It links the core
 * alone and needs no store: the parser is where a stranger's bytes go. */
#include "fuzz.h"
#include "date_set.h"
#include "date_set_ics.h"
#include "record.h"
#include "tz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "UTC", 1);
	return 0;
}

/* What every set must be. */
static void fz_sound(const struct date_set *s)
{
	int32_t lo = (int32_t)days_from_civil(DATE_SET_YEAR_MIN, 1, 1);
	int32_t hi = (int32_t)days_from_civil(DATE_SET_YEAR_MAX, 12, 31);
	struct herror err;
	json_t *o;
	char *text;

	if (s->n > DATE_SET_MAX_DATES)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		if (s->dates[i].day < lo || s->dates[i].day > hi)
			abort();
		if (i > 0 && s->dates[i].day <= s->dates[i - 1].day)
			abort();
		herror_clear(&err);
		if (s->dates[i].label != NULL &&
		    text_check(s->dates[i].label, "label", DATE_SET_LABEL_MAX, false, false,
		               &err) != H_OK)
			abort();
	}
	/* The record reads back as the same set. */
	o = date_set_to_json(s);
	text = json_dumps(o, JSON_COMPACT);
	if (text == NULL)
		abort();
	free(text);
	json_decref(o);
}

/* A set of one labelled date, which a refused file must leave alone. */
static void fz_seed(struct date_set *s)
{
	struct herror err;

	date_set_init(s);
	s->name = strdup("Seed");
	herror_clear(&err);
	if (date_set_add(s, (int32_t)days_from_civil(2026, 12, 25), "Christmas Day", NULL, &err) !=
	    H_OK)
		abort();
}

static void fz_ics(const uint8_t *data, size_t size)
{
	struct date_set_ics_report rep;
	struct date_set s;
	struct herror err;
	json_t *report;
	char *text;

	fz_seed(&s);
	herror_clear(&err);
	if (date_set_ics_read((const char *)data, size, &s, &rep, &err) != H_OK) {
		if (s.n != 1 || strcmp(s.dates[0].label, "Christmas Day") != 0 ||
		    err.msg[0] == '\0')
			abort();
	} else if (s.n != 1 + rep.added || rep.skipped > rep.events) {
		abort();
	}
	fz_sound(&s);
	report = date_set_ics_report_json(&rep);
	text = json_dumps(report, JSON_COMPACT);
	if (text == NULL)
		abort();
	free(text);
	json_decref(report);
	date_set_free(&s);
}

static void fz_json(const uint8_t *data, size_t size)
{
	json_t *o = json_loadb((const char *)data, size, 0, NULL);
	struct date_set s;
	struct herror err;

	if (o == NULL)
		return;
	herror_clear(&err);
	if (date_set_from_json(o, &s, &err) == H_OK)
		fz_sound(&s);
	date_set_free(&s);
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One harness, two readers: a leading '{' is a body, anything else a calendar. */
	if (size > 0 && data[0] == '{')
		fz_json(data, size);
	else
		fz_ics(data, size);
	return 0;
}
