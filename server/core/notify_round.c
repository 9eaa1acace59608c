/* The message about an allocation round's result: to each member of every group that
 * applied (who wants decisions), one message with the group's slot or why it has none,
 * in the words of the published rules, and the series made for it. */
#include "notify.h"

#include "notify_parts.h"
#include "round.h"
#include "text.h"
#include "venue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct round_about {
	struct notify_ctx c;
	const json_t *rec;
	const json_t *entry;  /* the group's entry in the allocation */
	const json_t *series; /* what was made for it, or NULL */
	const char *venue;
	const char *slot; /* its slot in words, or NULL */
};

static void round_words(struct round_about *ra, struct notify_msg *m, char *subject, size_t size)
{
	const char *name = json_string_value(json_object_get(ra->rec, "name"));
	const char *group = json_string_value(json_object_get(ra->entry, "group"));
	char path[64], *url;

	if (ra->slot != NULL)
		text_format(subject, size, "%s: %s has %s", name, group, ra->slot);
	else
		text_format(subject, size, "%s: no slot for %s", name, group);
	memset(m, 0, sizeof(*m));
	m->kind = "round-result";
	m->about_id = (uint64_t)json_integer_value(json_object_get(ra->rec, "id"));
	m->subject = subject;
	mail_body_init(&m->body);
	mail_para(&m->body,
	          "The weekly slots of the round \"%s\" at %s have been shared out by its "
	          "published rules.",
	          name, ra->venue);
	mail_fact(&m->body, "Group", group);
	mail_fact(&m->body, "Slot", ra->slot != NULL ? ra->slot : "None");
	mail_para(&m->body, "%s", json_string_value(json_object_get(ra->entry, "explanation")));
	if (ra->series != NULL)
		mail_para(&m->body, "%s", json_string_value(json_object_get(ra->series, "words")));
	snprintf(path, sizeof(path), "/rounds?round=%llu", (unsigned long long)m->about_id);
	url = notify_url(&ra->c, path);
	mail_link(&m->body, "See the result, every explanation, the seed and its commitment", url);
	free(url);
	mail_para(&m->body, "Anyone can re-run the allocation from its published inputs and "
	                    "check it: the page says how.");
}

static const json_t *series_of(const json_t *series, const json_t *entry)
{
	json_t *s;
	size_t i;

	json_array_foreach(series, i,
	                   s) if (json_equal(json_object_get(s, "application_id"),
	                                     json_object_get(entry, "application_id"))) return s;
	return NULL;
}

static const char *slot_words(const json_t *slots, const json_t *entry)
{
	json_t *s;
	size_t i;

	json_array_foreach(
	    slots, i,
	    s) if (json_equal(json_object_get(s, "id"),
	                      json_object_get(
	                          entry,
	                          "slot_id"))) return json_string_value(json_object_get(s,
	                                                                                "words"));
	return NULL;
}

static void tell_group(struct round_about *ra, uint64_t group_id)
{
	const char *group = json_string_value(json_object_get(ra->entry, "group"));
	struct people people = {0};
	char *why;

	if (people_load(ra->c.t, NOTICE_DECISIONS, group_id, 0, &people) != H_OK)
		return;
	why = notify_why_member(group);
	for (size_t i = 0; i < people.n && ra->c.t->ret == H_OK; i++) {
		const struct user *u = &people.v[i];
		char subject[512];
		struct notify_msg m;

		if (u->id == ra->c.actor_id || !person_member_of(u, group_id))
			continue;
		round_words(ra, &m, subject, sizeof(subject));
		m.why = why;
		notify_send(&ra->c, u, &m);
		mail_body_free(&m.body);
	}
	free(why);
	people_free(&people);
}

enum herr notify_round_result(struct txn *t, const struct actor *a, const json_t *rec,
                              const json_t *inputs, const json_t *allocation, const json_t *series,
                              int64_t now)
{
	struct herror kept = *t->err;
	struct round_about ra = {.rec = rec};
	struct venue v;
	json_t *e;
	size_t i;

	if (notify_ctx_init(&ra.c, t, a, now) != H_OK)
		goto out;
	venue_get(t, (uint64_t)json_integer_value(json_object_get(rec, "venue_id")), &v);
	ra.venue = v.name != NULL ? v.name : "the venue";
	json_array_foreach(json_object_get(allocation, "applications"), i, e)
	{
		if (t->ret != H_OK)
			break;
		ra.entry = e;
		ra.series = series_of(series, e);
		ra.slot = slot_words(json_object_get(inputs, "slots"), e);
		tell_group(&ra, (uint64_t)json_integer_value(json_object_get(e, "group_id")));
	}
	venue_free(&v);
out:
	notify_ctx_free(&ra.c);
	if (t->ret == H_OK)
		*t->err = kept;
	return t->ret;
}
