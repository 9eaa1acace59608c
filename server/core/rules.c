#include "rules.h"

#include "allowance.h"
#include "date_set.h"
#include "hours.h"
#include "record.h"
#include "room.h"
#include "round.h"
#include "text.h"
#include "venue.h"
#include "when.h"
#include "xmalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define SAYS_MAX 640

struct rules_walk {
	struct txn *t;
	const struct venue *venue;
	json_t *rules;
};

static void plural(char *out, size_t size, uint64_t n, const char *one)
{
	snprintf(out, size, "%" PRIu64 " %s%s", n, one, n == 1 ? "" : "s");
}

void rules_duration(uint64_t minutes, char *out, size_t size)
{
	char a[32], b[32];

	if (minutes == 0) {
		snprintf(out, size, "no time");
	} else if (minutes % (24 * 60) == 0) {
		plural(out, size, minutes / (24 * 60), "day");
	} else if (minutes % 60 == 0) {
		plural(out, size, minutes / 60, "hour");
	} else if (minutes < 60) {
		plural(out, size, minutes, "minute");
	} else {
		plural(a, sizeof(a), minutes / 60, "hour");
		plural(b, sizeof(b), minutes % 60, "minute");
		snprintf(out, size, "%s %s", a, b);
	}
}

/* Appends {"rule", "venue_id", "venue_name", "room_ids", "says"}; room 0: the venue's. */
static void rule_add(struct rules_walk *w, const char *rule, uint64_t room_id, const char *says)
{
	json_t *rooms = json_array();
	json_t *o;

	if (room_id != 0)
		json_array_append_new(rooms, json_integer((json_int_t)room_id));
	o = json_pack("{s:s, s:I, s:s, s:o, s:s}", "rule", rule, "venue_id",
	              (json_int_t)w->venue->id, "venue_name", w->venue->name, "room_ids", rooms,
	              "says", says);
	if (o == NULL) {
		txn_refuse(w->t, H_ESTORAGE, "a rule of venue %" PRIu64 " cannot be written",
		           w->venue->id);
		return;
	}
	json_array_append_new(w->rules, o);
}

static void rule_approval(struct rules_walk *w, const struct room *r)
{
	char says[SAYS_MAX];

	switch (r->approval) {
	case APPROVAL_AUTO:
		text_format(says, sizeof(says),
		            "%s: every request that keeps to the rules is approved at once.",
		            r->name);
		break;
	case APPROVAL_TRUSTED:
		text_format(
		    says, sizeof(says),
		    "%s: requests from groups trusted at %s are approved at once; a manager "
		    "decides the others.",
		    r->name, w->venue->name);
		break;
	default:
		text_format(says, sizeof(says), "%s: a manager approves or declines every request.",
		            r->name);
	}
	rule_add(w, "approval", r->id, says);
}

/* "asked for at least 1 day ahead", or at any time for a room that needs no notice. */
static void notice_words(const struct room *r, char *out, size_t size)
{
	char notice[48];

	if (r->notice_min == 0) {
		snprintf(out, size, "asked for at any time before they start");
		return;
	}
	rules_duration(r->notice_min, notice, sizeof(notice));
	snprintf(out, size, "asked for at least %s ahead", notice);
}

/* "with 30 minutes kept free before each and 15 minutes after", or nothing kept free. */
static void buffer_words(const struct room *r, char *out, size_t size)
{
	char setup[48], cleanup[48];

	if (r->setup_min == 0 && r->cleanup_min == 0) {
		snprintf(out, size, "with no time kept free between them");
		return;
	}
	rules_duration(r->setup_min, setup, sizeof(setup));
	rules_duration(r->cleanup_min, cleanup, sizeof(cleanup));
	snprintf(out, size, "with %s kept free before each and %s after", setup, cleanup);
}

static void rule_limits(struct rules_walk *w, const struct room *r)
{
	char says[SAYS_MAX], shortest[48], longest[48], notice[96], buffers[160];

	rules_duration(r->min_length_min, shortest, sizeof(shortest));
	rules_duration(r->max_length_min, longest, sizeof(longest));
	notice_words(r, notice, sizeof(notice));
	buffer_words(r, buffers, sizeof(buffers));
	text_format(says, sizeof(says),
	            "%s takes bookings from %s to %s long, for up to %u people, %s and at most "
	            "%u days ahead, %s; a repeating booking has at most %u dates.",
	            r->name, shortest, longest, r->capacity, notice, r->horizon_days, buffers,
	            r->max_occurrences);
	rule_add(w, "booking-limits", r->id, says);
}

static void rule_hold(struct rules_walk *w, const struct room *r)
{
	char says[SAYS_MAX], hold[48];

	if (r->hold_hours == 0)
		return;
	plural(hold, sizeof(hold), r->hold_hours, "hour");
	text_format(says, sizeof(says),
	            "%s: a request holds its slot for %s while a manager decides, and nobody "
	            "else can take it meanwhile; if no manager has decided by then, %s.",
	            r->name, hold,
	            r->hold_lapse == HOLD_LAPSE_KEEP
	                ? "the request stays waiting, but no longer holds the slot"
	                : "the request is released and the slot is free again");
	rule_add(w, "hold", r->id, says);
}

/* "charities, then schools, then everyone else", or "everyone". */
static void priority_words(const struct room *r, char *out, size_t size)
{
	static const char *const plural_kind[GROUP_KIND_COUNT] = {
	    [GROUP_CHARITY] = "charities",        [GROUP_COMMUNITY] = "community groups",
	    [GROUP_SCHOOL] = "schools",           [GROUP_COMMERCIAL] = "commercial hirers",
	    [GROUP_COUNCIL] = "council services",
	};
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->nwaitlist_priority && used < size; i++) {
		int n = snprintf(out + used, size - used, "%s%s", i ? ", then " : "",
		                 plural_kind[r->waitlist_priority[i]]);

		used += n > 0 ? (size_t)n : 0;
	}
	if (used < size)
		snprintf(out + used, size - used, "%s", used ? ", then everyone else" : "");
}

static void rule_waitlist(struct rules_walk *w, const struct room *r)
{
	char says[SAYS_MAX], offer[48], order[256];

	plural(offer, sizeof(offer), r->offer_hours, "hour");
	priority_words(r, order, sizeof(order));
	if (order[0] == '\0')
		text_format(
		    says, sizeof(says),
		    "%s: when a slot frees, the first group on its waitlist has it to itself "
		    "for %s; groups are offered it in the order they joined.",
		    r->name, offer);
	else
		text_format(
		    says, sizeof(says),
		    "%s: when a slot frees, the first group on its waitlist has it to itself "
		    "for %s; groups are offered it in this order: %s, each in the order they "
		    "joined.",
		    r->name, offer, order);
	rule_add(w, "waitlist", r->id, says);
}

static bool room_rules(const struct room *r, void *arg)
{
	struct rules_walk *w = arg;

	rule_approval(w, r);
	rule_limits(w, r);
	rule_hold(w, r);
	rule_waitlist(w, r);
	return w->t->ret == H_OK;
}

static bool same_day(const struct week_hours *h, int a, int b)
{
	return h->count[a] == h->count[b] &&
	       memcmp(h->span[a], h->span[b], h->count[a] * sizeof(h->span[a][0])) == 0;
}

/* One day's openings: "9am to 10pm", or "9am to midday and 1pm to 4pm". */
static size_t day_words(const struct week_hours *h, int day, char *out, size_t size)
{
	size_t used = 0;

	for (int i = 0; i < h->count[day] && used < size; i++) {
		char from[16], to[16];
		int n;

		when_clock(h->span[day][i].from / 60, h->span[day][i].from % 60, from,
		           sizeof(from));
		when_clock(h->span[day][i].to / 60 % 24, h->span[day][i].to % 60, to, sizeof(to));
		n = snprintf(out + used, size - used, "%s%s to %s", i ? " and " : "", from, to);
		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}

/* "Monday to Friday 9am to 10pm; Saturday 9am to 6pm; closed on Sunday": days with the
 * same hours run together. */
static void hours_words(const struct week_hours *h, char *out, size_t size)
{
	static const char *const days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
	                                    "Friday", "Saturday", "Sunday"};
	size_t used = 0;

	out[0] = '\0';
	for (int d = 0; d < 7 && used < size;) {
		int last = d;
		int n;

		while (last + 1 < 7 && same_day(h, d, last + 1))
			last++;
		if (last == d)
			n = snprintf(out + used, size - used, "%s%s ", used ? "; " : "", days[d]);
		else
			n = snprintf(out + used, size - used, "%s%s %s %s ", used ? "; " : "",
			             days[d], last == d + 1 ? "and" : "to", days[last]);
		used += n > 0 ? (size_t)n : 0;
		if (used < size && h->count[d] == 0)
			used += (size_t)snprintf(out + used, size - used, "closed");
		else if (used < size)
			used += day_words(h, d, out + used, size - used);
		d = last + 1;
	}
}

static void venue_hours_rule(struct rules_walk *w)
{
	char says[SAYS_MAX], hours[400];

	hours_words(&w->venue->hours, hours, sizeof(hours));
	text_format(says, sizeof(says),
	            "%s is open %s (local time, %s); every booking is wholly within those hours.",
	            w->venue->name, hours, w->venue->tz);
	rule_add(w, "opening-hours", 0, says);
}

/* The rules of one venue: its hours, then each room's. */
static enum herr venue_rules(struct txn *t, const struct venue *v, json_t *rules)
{
	struct rules_walk w = {.t = t, .venue = v, .rules = rules};

	venue_hours_rule(&w);
	if (t->ret != H_OK)
		return t->ret;
	return room_each(t, v->id, room_rules, &w);
}

struct venue_walk {
	struct txn *t;
	json_t *rules;
};

static bool venue_one(const struct venue *v, void *arg)
{
	struct venue_walk *w = arg;

	return venue_rules(w->t, v, w->rules) == H_OK;
}

/* The rules of the parts of fair access with records of their own, at venue_id (0: all
 * of them; else that venue's and the borough's). */
static enum herr parts_rules(struct txn *t, uint64_t venue_id, json_t *rules)
{
	enum herr ret;

	if ((ret = allowance_rules(t, venue_id, rules)) != H_OK ||
	    (ret = date_set_rules(t, venue_id, rules)) != H_OK ||
	    (ret = round_rules(t, venue_id, rules)) != H_OK)
		return ret;
	return t->ret;
}

/* Gives every rule a venue_name (null for the borough's): the parts name only the id. */
static void rules_name_venues(struct txn *t, json_t *rules)
{
	size_t i;
	json_t *rule;

	json_array_foreach(rules, i, rule)
	{
		const json_t *id = json_object_get(rule, "venue_id");
		struct venue v;

		if (json_object_get(rule, "venue_name") != NULL)
			continue;
		if (!json_is_integer(id) ||
		    !record_exists(t, DBI_VENUE, (uint64_t)json_integer_value(id))) {
			json_object_set_new(rule, "venue_name", json_null());
			continue;
		}
		if (venue_get(t, (uint64_t)json_integer_value(id), &v) == H_OK)
			json_object_set_new(rule, "venue_name", json_string(v.name));
		venue_free(&v);
	}
}

/* A rule's venue for ordering: the borough's (null) first, then by id. */
static uint64_t rule_venue(const json_t *rule)
{
	const json_t *v = json_object_get(rule, "venue_id");

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

struct rule_at {
	json_t *rule;
	size_t at; /* where it was added: the order within a venue */
};

static int rule_at_cmp(const void *a, const void *b)
{
	const struct rule_at *x = a, *y = b;
	uint64_t vx = rule_venue(x->rule), vy = rule_venue(y->rule);

	if (vx != vy)
		return vx < vy ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* Venue by venue, the borough's first, each venue's in the order they were added (its
 * hours, its rooms', then the parts'). */
static json_t *rules_in_order(json_t *rules)
{
	size_t n = json_array_size(rules);
	struct rule_at *items = xcalloc(n ? n : 1, sizeof(*items));
	json_t *sorted = json_array();

	for (size_t i = 0; i < n; i++)
		items[i] = (struct rule_at){json_array_get(rules, i), i};
	qsort(items, n, sizeof(*items), rule_at_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_append(sorted, items[i].rule);
	free(items);
	json_decref(rules);
	return sorted;
}

enum herr rules_list(struct txn *t, uint64_t venue_id, json_t **out)
{
	json_t *rules = json_array();
	enum herr ret;

	*out = NULL;
	if (venue_id != 0) {
		struct venue v;

		ret = venue_get(t, venue_id, &v);
		if (ret == H_OK)
			ret = venue_rules(t, &v, rules);
		venue_free(&v);
	} else {
		struct venue_walk w = {.t = t, .rules = rules};

		ret = venue_each(t, venue_one, &w);
	}
	if (ret == H_OK)
		ret = parts_rules(t, venue_id, rules);
	if (ret != H_OK) {
		json_decref(rules);
		return ret;
	}
	rules_name_venues(t, rules);
	*out = json_pack("{s:o}", "rules", rules_in_order(rules));
	return H_OK;
}
