/* Allocation rounds: the published rules as a pure function (round_alloc.c) at their
 * boundaries (ties in the lottery, class order, preferences, the words of explanations),
 * the commitment, and the store's round (round.c): the deadline to the second, one
 * application per group, series across the clock change, and a round of 50 groups with
 * 4 preferences each (200 preference rows) verified by re-running it from its published
 * inputs. */
#include "t.h"

#include "fixture.h"
#include "round.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pure inputs: slots 1..nslots (Tuesday 7pm-9pm, Main Hall; then others), classes
 * "charities" and "groups trusted at the venue". */
static json_t *inputs_new(size_t nslots)
{
	json_t *slots = json_array();
	char seed[65];
	uint8_t raw[ROUND_SEED_LEN] = {1, 2, 3};

	for (size_t i = 0; i < nslots; i++)
		json_array_append_new(
		    slots, json_pack("{sI sI ss si ss ss}", "id", (json_int_t)i + 1, "room_id",
		                     (json_int_t)1, "room", i == 0 ? "Main Hall" : "Committee Room",
		                     "weekday", (int)(i % 7) + 2 > 7 ? 1 : (int)(i % 7) + 2,
		                     "start", "19:00", "end", "21:00"));
	round_hex(raw, sizeof(raw), seed);
	return json_pack("{si ss so s[{ss} {ss}] s[]}", "round_id", 1, "seed", seed, "slots", slots,
	                 "classes", "says", "charities", "says", "groups trusted at the venue",
	                 "applications");
}

static void app_add(json_t *in, uint64_t id, const char *group, int cls, const int *prefs)
{
	json_t *p = json_array();

	for (; *prefs != 0; prefs++)
		json_array_append_new(p, json_integer(*prefs));
	json_array_append_new(json_object_get(in, "applications"),
	                      json_pack("{sI sI ss si so}", "id", (json_int_t)id, "group_id",
	                                (json_int_t)id + 100, "group", group, "class", cls,
	                                "preferences", p));
}

/* The result's entry for application id. */
static const json_t *entry_of(const json_t *res, uint64_t id)
{
	json_t *a;
	size_t i;

	json_array_foreach(json_object_get(res, "applications"), i,
	                   a) if (json_integer_value(json_object_get(a, "application_id")) ==
	                          (json_int_t)id) return a;
	return NULL;
}

static int64_t slot_of(const json_t *res, uint64_t id)
{
	const json_t *e = entry_of(res, id);

	return e != NULL && json_is_integer(json_object_get(e, "slot_id"))
	           ? json_integer_value(json_object_get(e, "slot_id"))
	           : 0;
}

TEST(round_rank_is_sha256_of_seed_and_id)
{
	uint8_t seed[ROUND_SEED_LEN], in[ROUND_SEED_LEN + 8], want[32], got[32];

	for (int i = 0; i < ROUND_SEED_LEN; i++)
		seed[i] = (uint8_t)(i * 7 + 1);
	memcpy(in, seed, sizeof(seed));
	memcpy(in + ROUND_SEED_LEN, "\x00\x00\x00\x00\x00\x00\x01\x02", 8); /* id 258 */
	SHA256(in, sizeof(in), want);
	round_rank(seed, 258, got);
	T_CHECK(memcmp(got, want, 32) == 0);
	SHA256(seed, sizeof(seed), want);
	round_commitment(seed, got);
	T_CHECK(memcmp(got, want, 32) == 0);
	{
		char hex[65];
		uint8_t back[32];

		round_hex(got, 32, hex);
		T_CHECK(round_unhex(hex, back, 32) && memcmp(back, got, 32) == 0);
		T_CHECK(!round_unhex("abc", back, 32));
		hex[5] = 'g';
		T_CHECK(!round_unhex(hex, back, 32));
	}
}

/* Equal ranks (forced through the ranks argument): the smaller application id first,
 * and the explanation says so. */
TEST(round_lottery_tie_goes_to_smaller_id)
{
	json_t *in = inputs_new(1), *res;
	uint8_t ranks[2][ROUND_RANK_LEN];
	struct herror err;
	const int p1[] = {1, 0};

	app_add(in, 9, "Tuesday Knitters", 3, p1);
	app_add(in, 4, "Brook Park Yoga", 3, p1);
	memset(ranks, 0x5a, sizeof(ranks));
	res = round_alloc(in, (const uint8_t(*)[ROUND_RANK_LEN])ranks, &err);
	T_ASSERT(res != NULL);
	T_EQ_INT(slot_of(res, 4), 1);
	T_EQ_INT(slot_of(res, 9), 0);
	T_HAS_STR(json_string_value(json_object_get(entry_of(res, 9), "explanation")),
	          "drew the same lottery rank as you; the tie went to the smaller application id "
	          "(4 before your 9)");
	/* Ranks differing only in the last byte: the smaller rank wins whatever the id. */
	ranks[0][31] = 0x00; /* application 9 */
	json_decref(res);
	res = round_alloc(in, (const uint8_t(*)[ROUND_RANK_LEN])ranks, &err);
	T_ASSERT(res != NULL);
	T_EQ_INT(slot_of(res, 9), 1);
	T_HAS_STR(json_string_value(json_object_get(entry_of(res, 4), "explanation")),
	          "came earlier in the lottery (place 1; yours is 2)");
	json_decref(res);
	json_decref(in);
}

/* Class 1 before class 2 before everyone else, whatever the lottery; the brief's words. */
TEST(round_class_order_and_explanation)
{
	json_t *in = inputs_new(2), *res;
	uint8_t ranks[3][ROUND_RANK_LEN];
	struct herror err;
	const int p12[] = {1, 2, 0}, p1[] = {1, 0};

	app_add(in, 1, "Brook Park Yoga", 3, p1);
	app_add(in, 2, "Tuesday Knitters", 2, p12);
	app_add(in, 3, "Hartley Road Residents' Association", 1, p1);
	memset(ranks, 0, sizeof(ranks));
	ranks[2][0] = 0xff; /* class 1 drew the worst rank: it still goes first */
	res = round_alloc(in, (const uint8_t(*)[ROUND_RANK_LEN])ranks, &err);
	T_ASSERT(res != NULL);
	T_EQ_INT(slot_of(res, 3), 1);
	T_EQ_INT(slot_of(res, 2), 2);
	T_EQ_INT(slot_of(res, 1), 0);
	T_EQ_STR(json_string_value(json_object_get(entry_of(res, 2), "explanation")),
	         "Preference 1 (Tuesday 7pm\xe2\x80\x93"
	         "9pm, Main Hall) went to Hartley Road Residents' Association, which is in "
	         "priority class 1 (charities); you are in class 2 (groups trusted at the venue). "
	         "Preference 2 (Wednesday 7pm\xe2\x80\x93"
	         "9pm, Committee Room) was free: you have it. Your turn was place 2 of 3: "
	         "priority class 2 (groups trusted at the venue), then the lottery.");
	T_HAS_STR(json_string_value(json_object_get(entry_of(res, 1), "explanation")),
	          "None of your preferences was free: you have no slot in this round.");
	T_EQ_INT(json_integer_value(json_array_get(json_object_get(res, "order"), 0)), 3);
	json_decref(res);
	json_decref(in);
}

/* Each gets its highest preference still free; a later preference is never taken while
 * an earlier one is free; the same inputs give the same bytes. */
TEST(round_preferences_and_determinism)
{
	json_t *in = inputs_new(3), *a, *b;
	struct herror err;
	const int p321[] = {3, 2, 1, 0}, p3[] = {3, 0}, p23[] = {2, 3, 0};
	char *sa, *sb;

	app_add(in, 1, "A", 3, p321);
	app_add(in, 2, "B", 3, p3);
	app_add(in, 3, "C", 3, p23);
	a = round_alloc(in, NULL, &err);
	b = round_alloc(in, NULL, &err);
	T_ASSERT(a != NULL && b != NULL);
	sa = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	sb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	T_EQ_STR(sa, sb);
	/* Whoever is first takes its first choice; every slot goes to someone. */
	T_EQ_INT(
	    slot_of(a, json_integer_value(json_array_get(json_object_get(a, "order"), 0))) != 0, 1);
	T_EQ_INT(slot_of(a, 1) + slot_of(a, 2) + slot_of(a, 3) >= 5, 1);
	free(sa);
	free(sb);
	json_decref(a);
	json_decref(b);
	json_decref(in);
}

/* Inputs a stranger could send to `halls round verify`. */
TEST(round_alloc_refuses_bad_inputs)
{
	struct herror err;
	json_t *in = inputs_new(1), *res;
	const int p9[] = {9, 0}, p11[] = {1, 1, 0};

	json_object_set_new(in, "seed", json_string("zz"));
	res = round_alloc(in, NULL, &err);
	T_CHECK(res == NULL);
	json_decref(in);
	in = inputs_new(1);
	app_add(in, 1, "A", 3, p9);
	T_CHECK(round_alloc(in, NULL, &err) == NULL);
	T_HAS_STR(err.msg, "names no slot");
	json_decref(in);
	in = inputs_new(1);
	app_add(in, 1, "A", 3, p11);
	T_CHECK(round_alloc(in, NULL, &err) == NULL);
	json_decref(in);
	in = inputs_new(1);
	app_add(in, 1, "A", 4, p9 + 1);
	T_CHECK(round_alloc(in, NULL, &err) == NULL); /* class 4 of 3 */
	json_decref(in);
	in = json_string("x");
	T_CHECK(round_alloc(in, NULL, &err) == NULL);
	json_decref(in);
}

/* 200 applications (200 groups) over 60 slots: every slot goes to at most one, and the
 * order is class then rank. */
TEST(round_alloc_two_hundred_applications)
{
	json_t *in = inputs_new(60), *res, *a;
	struct herror err;
	size_t i, granted = 0;
	int seen[61] = {0};

	for (uint64_t id = 1; id <= 200; id++) {
		int prefs[5] = {(int)(id * 7 % 60) + 1, (int)(id * 13 % 60) + 1,
		                (int)(id * 29 % 60) + 1, (int)(id * 31 % 60) + 1, 0};
		char name[32];

		if (prefs[1] == prefs[0] || prefs[2] == prefs[0] || prefs[2] == prefs[1] ||
		    prefs[3] == prefs[0] || prefs[3] == prefs[1] || prefs[3] == prefs[2])
			prefs[1] = 0;
		snprintf(name, sizeof(name), "Group %llu", (unsigned long long)id);
		app_add(in, id, name, (int)(id % 3) + 1, prefs);
	}
	res = round_alloc(in, NULL, &err);
	T_ASSERT(res != NULL);
	json_array_foreach(json_object_get(res, "applications"), i, a)
	{
		json_t *s = json_object_get(a, "slot_id");

		if (i > 0)
			T_CHECK(json_integer_value(json_object_get(a, "class")) >=
			        json_integer_value(json_object_get(
			            json_array_get(json_object_get(res, "applications"), i - 1),
			            "class")));
		if (json_is_integer(s)) {
			T_CHECK(seen[json_integer_value(s)]++ == 0);
			granted++;
		}
	}
	T_CHECK(granted > 0 && granted <= 60);
	json_decref(res);
	json_decref(in);
}

/* The store. */

struct rfx {
	struct fx f;
	uint64_t venue, room, manager, member;
	uint64_t groups[60];
};

static bool rfx_open(struct rfx *r, size_t ngroups)
{
	char name[32];

	if (!fx_open(&r->f))
		return false;
	r->venue = fx_venue(&r->f, "Hall", T_ZONE, T_HOURS);
	r->room = fx_room(&r->f, r->venue, "{\"max_occurrences\": 104}");
	for (size_t i = 0; i < ngroups; i++) {
		snprintf(name, sizeof(name), "Group %zu", i + 1);
		r->groups[i] = fx_group(&r->f, name, i % 5 == 0 ? r->venue : 0);
	}
	r->manager = fx_user(&r->f, "manager@example.org", ROLE_MANAGER, r->venue);
	r->member = fx_user(&r->f, "member@example.org", ROLE_MEMBER, r->groups[0]);
	return r->room != 0;
}

struct round_call {
	struct actor a;
	uint64_t id;
	const char *fields;
	int64_t now;
	enum { CALL_OPEN, CALL_APPLY, CALL_ALLOCATE } what;
	json_t *out;
};

static enum herr round_call_run(struct txn *t, void *arg)
{
	struct round_call *c = arg;
	json_t *fields = c->fields != NULL ? json_loads(c->fields, 0, NULL) : NULL;
	enum herr ret;

	json_decref(c->out);
	c->out = NULL;
	if (c->what == CALL_OPEN)
		ret = round_open(t, &c->a, fields, NULL, NULL, c->now, &c->out);
	else if (c->what == CALL_APPLY)
		ret = round_apply(t, &c->a, c->id, fields, c->now, &c->out);
	else
		ret = round_allocate(t, &c->a, c->id, c->now, &c->out);
	json_decref(fields);
	return ret;
}

static enum herr call(struct rfx *r, struct round_call *c)
{
	return db_write(r->f.db, round_call_run, c, &r->f.err);
}

/* Opens a round at now with 'slots' (JSON text) and deadline now + 1 day; its id. */
static uint64_t open_round(struct rfx *r, const char *slots, const char *first, const char *last)
{
	char fields[2048];
	struct round_call c = {.a = fx_user_actor(r->manager), .what = CALL_OPEN, .now = T_NOW};
	uint64_t id = 0;

	snprintf(
	    fields, sizeof(fields),
	    "{\"venue_id\": %llu, \"name\": \"Spring\", \"slots\": %s, \"first_date\": \"%s\", "
	    "\"last_date\": \"%s\", \"deadline\": %lld, \"classes\": [{\"trusted\": true}], "
	    "\"outcome\": \"approved\"}",
	    (unsigned long long)r->venue, slots, first, last, (long long)T_NOW + 86400);
	c.fields = fields;
	if (call(r, &c) == H_OK)
		id = (uint64_t)json_integer_value(json_object_get(c.out, "id"));
	else
		t_fail(__FILE__, __LINE__, "open: %s", r->f.err.msg);
	json_decref(c.out);
	return id;
}

static enum herr apply(struct rfx *r, struct actor a, uint64_t round, uint64_t group,
                       const char *prefs, int64_t now)
{
	char fields[256];
	struct round_call c = {.a = a, .what = CALL_APPLY, .id = round, .now = now};
	enum herr ret;

	snprintf(fields, sizeof(fields), "{\"group_id\": %llu, \"preferences\": %s}",
	         (unsigned long long)group, prefs);
	c.fields = fields;
	ret = call(r, &c);
	json_decref(c.out);
	return ret;
}

static enum herr allocate(struct rfx *r, uint64_t round, int64_t now)
{
	struct round_call c = {
	    .a = fx_user_actor(r->manager), .what = CALL_ALLOCATE, .id = round, .now = now};
	enum herr ret = call(r, &c);

	json_decref(c.out);
	return ret;
}

static json_t *shown(struct rfx *r, uint64_t id, int64_t now)
{
	struct txn t;
	json_t *o = NULL;

	if (db_read_begin(r->f.db, &t, &r->f.err) == H_OK) {
		round_show(&t, id, now, &o);
		db_read_end(&t);
	}
	return o;
}

/* Exactly at the deadline applications close, the seed is published and the round may
 * be allocated; one second before, none of that. */
TEST(round_deadline_to_the_second)
{
	struct rfx r;
	uint64_t id;
	int64_t deadline = T_NOW + 86400;
	json_t *o;

	T_ASSERT(rfx_open(&r, 3));
	id = open_round(&r,
	                "[{\"room_id\": 1, \"weekday\": 2, \"start\": \"19:00\", \"end\": "
	                "\"21:00\"}]",
	                "2026-03-10", "2026-04-28");
	T_ASSERT(id != 0);
	T_EQ_ERR(apply(&r, fx_user_actor(r.member), id, r.groups[0], "[1]", deadline - 1), H_OK,
	         &r.f.err);
	T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[1], "[1]", deadline), H_ESTATE, &r.f.err);
	T_HAS_STR(r.f.err.msg, "deadline");
	T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[0], "[1]", deadline - 2), H_EEXISTS,
	         &r.f.err);
	T_EQ_ERR(apply(&r, fx_user_actor(r.member), id, r.groups[2], "[1]", deadline - 2),
	         H_EFORBIDDEN, &r.f.err);
	o = shown(&r, id, deadline - 1);
	T_CHECK(json_is_null(json_object_get(o, "seed")));
	T_CHECK(json_is_true(json_object_get(o, "accepting")));
	json_decref(o);
	o = shown(&r, id, deadline);
	T_CHECK(json_is_string(json_object_get(o, "seed")));
	{
		uint8_t seed[32], c1[32], c2[32];

		T_CHECK(round_unhex(json_string_value(json_object_get(o, "seed")), seed, 32));
		T_CHECK(round_unhex(json_string_value(json_object_get(o, "commitment")), c1, 32));
		round_commitment(seed, c2);
		T_CHECK(memcmp(c1, c2, 32) == 0);
	}
	json_decref(o);
	T_EQ_ERR(allocate(&r, id, deadline - 1), H_ESTATE, &r.f.err);
	T_HAS_STR(r.f.err.msg, "open for applications until");
	T_EQ_ERR(allocate(&r, id, deadline), H_OK, &r.f.err);
	T_EQ_ERR(allocate(&r, id, deadline + 1), H_ESTATE, &r.f.err);
	T_HAS_STR(r.f.err.msg, "allocated already");
	fx_close(&r.f);
}

struct occ_hours {
	int n, wrong;
};

static bool occ_hour(const struct booking *b, void *arg)
{
	struct occ_hours *h = arg;
	struct localtm lt;

	tz_to_local(T_ZONE, b->start, &lt);
	h->n++;
	if (lt.hour != 19 || lt.min != 0 || lt.wday != 1 || b->end - b->start != 7200)
		h->wrong++;
	return true;
}

/* A season across the spring clock change (29 March 2026): every date is Tuesday 7pm
 * local, in GMT before and BST after. */
TEST(round_series_across_clock_change)
{
	struct rfx r;
	uint64_t id, series_id;
	json_t *res = NULL;
	struct occ_hours h = {0};
	struct txn t;

	T_ASSERT(rfx_open(&r, 1));
	id = open_round(&r,
	                "[{\"room_id\": 1, \"weekday\": 2, \"start\": \"19:00\", \"end\": "
	                "\"21:00\"}]",
	                "2026-03-03", "2026-04-28");
	T_ASSERT(id != 0);
	T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[0], "[1]", T_NOW), H_OK, &r.f.err);
	T_EQ_ERR(allocate(&r, id, T_NOW + 86400), H_OK, &r.f.err);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	T_EQ_ERR(round_result(&t, id, &res), H_OK, &r.f.err);
	series_id = (uint64_t)json_integer_value(
	    json_object_get(json_array_get(json_object_get(res, "series"), 0), "series_id"));
	T_CHECK(series_id != 0);
	T_EQ_STR(json_string_value(
	             json_object_get(json_array_get(json_object_get(res, "series"), 0), "status")),
	         "approved");
	series_each_occurrence(&t, series_id, occ_hour, &h);
	db_read_end(&t);
	T_EQ_INT(h.n, 9); /* 3 March to 28 April */
	T_EQ_INT(h.wrong, 0);
	json_decref(res);
	fx_close(&r.f);
}

struct set_make {
	const char *json;
	uint64_t id;
};

static enum herr set_make_run(struct txn *t, void *arg)
{
	struct set_make *m = arg;
	json_t *o = json_loads(m->json, 0, NULL);
	struct date_set s;
	enum herr ret = date_set_from_json(o, &s, t->err);

	if (ret == H_OK && (ret = date_set_create(t, &ACTOR_CONSOLE, &s, T_NOW)) == H_OK)
		m->id = s.id;
	date_set_free(&s);
	json_decref(o);
	return ret;
}

struct occ_days {
	int n, on_holiday;
};

static bool occ_day(const struct booking *b, void *arg)
{
	struct occ_days *d = arg;
	struct localtm lt;

	tz_to_local(T_ZONE, b->start, &lt);
	d->n++;
	if (lt.month == 4 && (lt.day == 7 || lt.day == 14))
		d->on_holiday++;
	return true;
}

/* A round that skips a date set makes series that leave its dates out (the Easter
 * holidays: two of the nine Tuesdays), and a round naming a set that does not exist is
 * refused when it opens, not when it is allocated. */
TEST(round_skips_date_sets)
{
	struct rfx r;
	struct set_make easter = {.json = "{\"name\": \"Easter holidays\", \"dates\": "
	                                  "[\"2026-04-07\", \"2026-04-08\", \"2026-04-14\"]}"};
	struct round_call c = {.what = CALL_OPEN, .now = T_NOW};
	char fields[1024];
	uint64_t id, series_id;
	json_t *res = NULL;
	struct occ_days d = {0};
	struct txn t;

	T_ASSERT(rfx_open(&r, 1));
	c.a = fx_user_actor(r.manager);
	T_EQ_ERR(db_write(r.f.db, set_make_run, &easter, &r.f.err), H_OK, &r.f.err);
	for (int pass = 0; pass < 2; pass++) {
		snprintf(fields, sizeof(fields),
		         "{\"venue_id\": %llu, \"name\": \"Spring\", \"slots\": [{\"room_id\": "
		         "%llu, \"weekday\": 2, \"start\": \"19:00\", \"end\": \"21:00\"}], "
		         "\"first_date\": \"2026-03-03\", \"last_date\": \"2026-04-28\", "
		         "\"deadline\": %lld, \"skip_date_sets\": [%llu], \"outcome\": "
		         "\"approved\"}",
		         (unsigned long long)r.venue, (unsigned long long)r.room,
		         (long long)T_NOW + 86400,
		         (unsigned long long)(pass == 0 ? easter.id + 40 : easter.id));
		c.fields = fields;
		T_EQ_ERR(call(&r, &c), pass == 0 ? H_ENOTFOUND : H_OK, &r.f.err);
	}
	id = (uint64_t)json_integer_value(json_object_get(c.out, "id"));
	json_decref(c.out);
	T_ASSERT(id != 0);
	T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[0], "[1]", T_NOW), H_OK, &r.f.err);
	T_EQ_ERR(allocate(&r, id, T_NOW + 86400), H_OK, &r.f.err);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	T_EQ_ERR(round_result(&t, id, &res), H_OK, &r.f.err);
	series_id = (uint64_t)json_integer_value(
	    json_object_get(json_array_get(json_object_get(res, "series"), 0), "series_id"));
	T_CHECK(series_id != 0);
	series_each_occurrence(&t, series_id, occ_day, &d);
	db_read_end(&t);
	T_EQ_INT(d.n, 7);
	T_EQ_INT(d.on_holiday, 0);
	json_decref(res);
	fx_close(&r.f);
}

/* 50 groups, 4 preferences each (200 preference rows) over 20 slots: allocated, then
 * verified from the published inputs and result; a changed result or seed fails. */
TEST(round_fifty_groups_verified)
{
	struct rfx r;
	char slots[8192] = "[";
	uint64_t id;
	json_t *inputs = NULL, *result = NULL;
	struct herror err;
	struct txn t;
	size_t granted = 0, i;
	json_t *a;

	T_ASSERT(rfx_open(&r, 50));
	for (int s = 0; s < 20; s++) {
		size_t len = strlen(slots);

		snprintf(slots + len, sizeof(slots) - len,
		         "%s{\"room_id\": 1, \"weekday\": %d, \"start\": \"%02d:00\", \"end\": "
		         "\"%02d:00\"}",
		         s ? ", " : "", s % 5 + 1, 9 + 2 * (s / 5), 10 + 2 * (s / 5));
	}
	strcat(slots, "]");
	id = open_round(&r, slots, "2026-03-09", "2026-05-29");
	T_ASSERT(id != 0);
	for (int g = 0; g < 50; g++) {
		char prefs[64];

		/* Four distinct slots: g, g+5, g+10, g+15 (mod 20), in an order that varies. */
		snprintf(prefs, sizeof(prefs), "[%d, %d, %d, %d]", (g * 3) % 20 + 1,
		         (g * 3 + 5 * (1 + g % 3)) % 20 + 1,
		         (g * 3 + 5 * (1 + (g + 1) % 3)) % 20 + 1,
		         (g * 3 + 5 * (1 + (g + 2) % 3)) % 20 + 1);
		T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[g], prefs, T_NOW), H_OK, &r.f.err);
	}
	T_EQ_ERR(allocate(&r, id, T_NOW + 86400), H_OK, &r.f.err);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	T_EQ_ERR(round_inputs(&t, id, &inputs), H_OK, &r.f.err);
	T_EQ_ERR(round_result(&t, id, &result), H_OK, &r.f.err);
	db_read_end(&t);
	T_ASSERT(inputs != NULL && result != NULL);
	T_EQ_INT(json_array_size(json_object_get(inputs, "applications")), 50);
	json_array_foreach(json_object_get(json_object_get(result, "allocation"), "applications"),
	                   i, a) granted += json_is_integer(json_object_get(a, "slot_id"));
	T_EQ_INT(granted, 20);
	T_EQ_INT(json_array_size(json_object_get(result, "series")), 20);
	T_EQ_ERR(round_verify(inputs, result, &err), H_OK, &err);
	/* Through text, as a resident would download them. */
	{
		char *si = json_dumps(inputs, 0), *sr = json_dumps(result, 0);
		json_t *in2 = json_loads(si, 0, NULL), *re2 = json_loads(sr, 0, NULL);

		T_EQ_ERR(round_verify(in2, re2, &err), H_OK, &err);
		/* A result that gave the first slot to another application fails. */
		json_object_set_new(
		    json_array_get(
		        json_object_get(json_object_get(re2, "allocation"), "applications"), 0),
		    "slot_id", json_null());
		T_EQ_ERR(round_verify(in2, re2, &err), H_EINVAL, NULL);
		T_HAS_STR(err.msg, "differs");
		/* Another seed does not match the commitment. */
		json_object_set_new(in2, "seed",
		                    json_string("00000000000000000000000000000000000000000000000000"
		                                "00000000000000"));
		T_EQ_ERR(round_verify(in2, result, &err), H_EINVAL, NULL);
		T_HAS_STR(err.msg, "commitment");
		free(si);
		free(sr);
		json_decref(in2);
		json_decref(re2);
	}
	json_decref(inputs);
	json_decref(result);
	fx_close(&r.f);
}

/* Trusted groups (class 1) go before everyone else; only managers open and allocate. */
TEST(round_classes_from_the_store)
{
	struct rfx r;
	uint64_t id;
	json_t *res = NULL, *a;
	struct txn t;
	size_t i;
	struct round_call c = {.a = {0}, .what = CALL_OPEN, .now = T_NOW};

	T_ASSERT(rfx_open(&r, 6));
	c.a = fx_user_actor(r.member);
	c.fields = "{\"venue_id\": 1, \"name\": \"x\", \"slots\": [], \"first_date\": "
	           "\"2026-03-09\", \"last_date\": \"2026-03-20\", \"deadline\": 1772452800}";
	T_EQ_ERR(call(&r, &c), H_EFORBIDDEN, &r.f.err);
	json_decref(c.out);
	id = open_round(&r,
	                "[{\"room_id\": 1, \"weekday\": 2, \"start\": \"19:00\", \"end\": "
	                "\"21:00\"}]",
	                "2026-03-10", "2026-04-28");
	for (int g = 0; g < 6; g++) /* groups 1 and 6 (index 0 and 5) are trusted */
		T_EQ_ERR(apply(&r, ACTOR_CONSOLE, id, r.groups[g], "[1]", T_NOW), H_OK, &r.f.err);
	T_EQ_ERR(allocate(&r, id, T_NOW + 86400), H_OK, &r.f.err);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	round_result(&t, id, &res);
	db_read_end(&t);
	json_array_foreach(json_object_get(json_object_get(res, "allocation"), "applications"), i,
	                   a)
	{
		uint64_t g = (uint64_t)json_integer_value(json_object_get(a, "group_id"));

		T_EQ_INT(json_integer_value(json_object_get(a, "class")),
		         g == r.groups[0] || g == r.groups[5] ? 1 : 2);
		if (i < 2)
			T_EQ_INT(json_integer_value(json_object_get(a, "class")), 1);
	}
	json_decref(res);
	fx_close(&r.f);
}

/* "Held this slot last season": a class naming an earlier round puts first the groups
 * that got a slot in it; the rules page lists the open round with its classes. */
TEST(round_held_last_season_and_rules)
{
	struct rfx r;
	uint64_t first, second;
	json_t *res = NULL, *rules = json_array(), *a;
	struct txn t;
	char fields[1024];
	struct round_call c = {.what = CALL_OPEN, .now = T_NOW};
	size_t i;

	T_ASSERT(rfx_open(&r, 3));
	first = open_round(&r,
	                   "[{\"room_id\": 1, \"weekday\": 2, \"start\": \"19:00\", \"end\": "
	                   "\"21:00\"}]",
	                   "2026-03-10", "2026-04-28");
	T_EQ_ERR(apply(&r, ACTOR_CONSOLE, first, r.groups[2], "[1]", T_NOW), H_OK, &r.f.err);
	T_EQ_ERR(allocate(&r, first, T_NOW + 86400), H_OK, &r.f.err);
	/* groups[0] is trusted (class 2 below); groups[2] held the slot (class 1). */
	c.a = fx_user_actor(r.manager);
	c.now = T_NOW + 86400;
	snprintf(fields, sizeof(fields),
	         "{\"venue_id\": %llu, \"name\": \"Summer\", \"slots\": [{\"room_id\": 1, "
	         "\"weekday\": 2, \"start\": \"19:00\", \"end\": \"21:00\"}], \"first_date\": "
	         "\"2026-05-05\", \"last_date\": \"2026-06-30\", \"deadline\": %lld, \"classes\": "
	         "[{\"held_in_round\": %llu}, {\"trusted\": true}]}",
	         (unsigned long long)r.venue, (long long)T_NOW + 2 * 86400,
	         (unsigned long long)first);
	c.fields = fields;
	T_EQ_ERR(call(&r, &c), H_OK, &r.f.err);
	second = (uint64_t)json_integer_value(json_object_get(c.out, "id"));
	json_decref(c.out);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	T_EQ_ERR(round_rules(&t, r.venue, rules), H_OK, &r.f.err);
	db_read_end(&t);
	T_EQ_INT(json_array_size(rules), 1);
	T_HAS_STR(json_string_value(json_object_get(json_array_get(rules, 0), "says")),
	          "first to groups that got a slot in round 1 (Spring), then to groups trusted at "
	          "the venue, then to everyone else");
	for (int g = 0; g < 3; g++)
		T_EQ_ERR(apply(&r, ACTOR_CONSOLE, second, r.groups[g], "[1]", T_NOW + 86400), H_OK,
		         &r.f.err);
	T_EQ_ERR(allocate(&r, second, T_NOW + 2 * 86400), H_OK, &r.f.err);
	T_ASSERT(db_read_begin(r.f.db, &t, &r.f.err) == H_OK);
	round_result(&t, second, &res);
	db_read_end(&t);
	json_array_foreach(json_object_get(json_object_get(res, "allocation"), "applications"), i,
	                   a)
	{
		uint64_t g = (uint64_t)json_integer_value(json_object_get(a, "group_id"));

		T_EQ_INT(json_integer_value(json_object_get(a, "class")), g == r.groups[2]   ? 1
		                                                          : g == r.groups[0] ? 2
		                                                                             : 3);
	}
	T_EQ_INT(json_integer_value(json_object_get(
	             json_array_get(
	                 json_object_get(json_object_get(res, "allocation"), "applications"), 0),
	             "group_id")),
	         r.groups[2]);
	json_decref(res);
	json_decref(rules);
	fx_close(&r.f);
}
