/* idx:user-role, the index of users by the groups and venues their records list: kept by
 * every create, change and removal of a user, read by user_first_referring, and by
 * people_load for one group or venue, which must find the same people in the same order
 * as the walk of every user. */
#include "t.h"

#include "fixture.h"
#include "notify_parts.h"

#include <stdio.h>
#include <stdlib.h>

/* --- users, written through account.c as the API and the CLI write them --- */

struct op_account {
	uint64_t id;        /* 0: create; else the user to change or remove */
	const char *fields; /* JSON text for user_apply; NULL: remove */
};

static enum herr account_one(struct txn *t, struct op_account *o)
{
	json_t *fields;
	struct user u;
	enum herr ret = H_OK;

	if (o->fields == NULL)
		return account_remove(t, &ACTOR_CONSOLE, o->id, T_NOW);
	user_init(&u);
	if (o->id != 0)
		ret = user_get(t, o->id, &u);
	fields = json_loads(o->fields, 0, NULL);
	if (fields == NULL)
		ret = txn_refuse(t, H_EINVAL, "bad JSON in the test: %s", o->fields);
	if (ret == H_OK)
		ret = user_apply(&u, fields, t->err);
	if (ret == H_OK)
		ret = o->id != 0 ? account_update(t, &ACTOR_CONSOLE, &u, T_NOW)
		                 : account_create(t, &ACTOR_CONSOLE, &u, T_NOW);
	if (ret == H_OK)
		o->id = u.id;
	json_decref(fields);
	user_free(&u);
	return ret;
}

static enum herr do_account(struct txn *t, void *arg)
{
	return account_one(t, arg);
}

/* Creates (id 0), changes or removes (fields NULL) a user; its id, 0 on failure. */
#define account(f, id, fields) account_at(f, id, fields, __FILE__, __LINE__)
static uint64_t account_at(struct fx *f, uint64_t id, const char *fields, const char *file,
                           int line)
{
	struct op_account o = {id, fields};

	if (db_write(f->db, do_account, &o, &f->err) != H_OK) {
		t_fail(file, line, "account %s: %s", fields ? fields : "remove", f->err.msg);
		return 0;
	}
	return o.id;
}

struct op_referring {
	uint64_t venue, group, found;
};

static enum herr do_referring(struct txn *t, void *arg)
{
	struct op_referring *o = arg;

	o->found = user_first_referring(t, o->venue, o->group);
	return t->ret;
}

static uint64_t referring(struct fx *f, uint64_t venue, uint64_t group)
{
	struct op_referring o = {venue, group, 0};
	struct txn t;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	do_referring(&t, &o);
	db_read_end(&t);
	return o.found;
}

/* Appends "G<group>:<user> " to want (the text fx_role_index gives). */
static void want_entry(char *want, size_t size, char tag, uint64_t target, uint64_t user)
{
	size_t len = strlen(want);

	snprintf(want + len, size - len, "%c%llu:%llu ", tag, (unsigned long long)target,
	         (unsigned long long)user);
}

TEST(user_role_index_kept)
{
	struct fx f;
	char fields[256], want[512], got[512];
	uint64_t v1, v2, g1, g2, g3, a, b, c;

	T_ASSERT(fx_open(&f));
	v1 = fx_venue(&f, "Hartley", NULL, NULL);
	v2 = fx_venue(&f, "Mill", NULL, NULL);
	g1 = fx_group(&f, "Choir", 0);
	g2 = fx_group(&f, "Knitters", 0);
	g3 = fx_group(&f, "Chess", 0);
	fx_role_index(&f, got, sizeof(got));
	T_EQ_STR(got, "");

	/* A member of two groups, a manager, and an admin whose record lists both kinds
	 * (the index follows the lists, whatever the role: removals ask it so). */
	snprintf(fields, sizeof(fields),
	         "{\"name\": \"A\", \"email\": \"a@x.example\", \"groups\": [%llu, %llu]}",
	         (unsigned long long)g2, (unsigned long long)g1);
	a = account(&f, 0, fields);
	snprintf(fields, sizeof(fields),
	         "{\"name\": \"B\", \"email\": \"b@x.example\", \"role\": \"manager\", "
	         "\"venues\": [%llu]}",
	         (unsigned long long)v1);
	b = account(&f, 0, fields);
	snprintf(fields, sizeof(fields),
	         "{\"name\": \"C\", \"email\": \"c@x.example\", \"role\": \"admin\", "
	         "\"groups\": [%llu], \"venues\": [%llu]}",
	         (unsigned long long)g2, (unsigned long long)v2);
	c = account(&f, 0, fields);
	T_ASSERT(a && b && c && a < b && b < c);
	want[0] = '\0';
	want_entry(want, sizeof(want), 'G', g1, a);
	want_entry(want, sizeof(want), 'G', g2, a);
	want_entry(want, sizeof(want), 'G', g2, c);
	want_entry(want, sizeof(want), 'V', v1, b);
	want_entry(want, sizeof(want), 'V', v2, c);
	fx_role_index(&f, got, sizeof(got));
	T_EQ_STR(got, want);
	T_EQ_INT(fx_check(&f), 0);
	T_EQ_INT(referring(&f, 0, g2), a);
	T_EQ_INT(referring(&f, v2, 0), c);
	T_EQ_INT(referring(&f, v1, g3), b);
	T_EQ_INT(referring(&f, 0, g3), 0);

	/* A changes groups: g1 goes, g3 comes, g2 stays. B becomes a member of g1 and
	 * keeps no venue. A change of name alone writes the same entries. */
	snprintf(fields, sizeof(fields), "{\"groups\": [%llu, %llu]}", (unsigned long long)g2,
	         (unsigned long long)g3);
	T_EQ_INT(account(&f, a, fields), a);
	snprintf(fields, sizeof(fields),
	         "{\"role\": \"member\", \"groups\": [%llu], \"venues\": []}",
	         (unsigned long long)g1);
	T_EQ_INT(account(&f, b, fields), b);
	T_EQ_INT(account(&f, c, "{\"name\": \"C again\"}"), c);
	want[0] = '\0';
	want_entry(want, sizeof(want), 'G', g1, b);
	want_entry(want, sizeof(want), 'G', g2, a);
	want_entry(want, sizeof(want), 'G', g2, c);
	want_entry(want, sizeof(want), 'G', g3, a);
	want_entry(want, sizeof(want), 'V', v2, c);
	fx_role_index(&f, got, sizeof(got));
	T_EQ_STR(got, want);
	T_EQ_INT(fx_check(&f), 0);
	T_EQ_INT(referring(&f, 0, g1), b);
	T_EQ_INT(referring(&f, v1, 0), 0);

	/* Removed: A's entries go, and g3 is free to be removed. */
	T_EQ_INT(account(&f, a, NULL), a);
	want[0] = '\0';
	want_entry(want, sizeof(want), 'G', g1, b);
	want_entry(want, sizeof(want), 'G', g2, c);
	want_entry(want, sizeof(want), 'V', v2, c);
	fx_role_index(&f, got, sizeof(got));
	T_EQ_STR(got, want);
	T_EQ_INT(fx_check(&f), 0);
	T_EQ_INT(referring(&f, 0, g3), 0);
	T_EQ_INT(referring(&f, 0, g2), c);
	fx_close(&f);
}

/* --- people_load through the index and through the walk --- */

#define GROUPS 8
#define VENUES 5
#define USERS  90

/* A fixed sequence (an LCG), so that a failure is the same failure on every run. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

/* A JSON array of 0 to max distinct ids from ids[0..n), at least min of them. */
static void random_ids(uint64_t *s, const uint64_t *ids, size_t n, size_t min, size_t max,
                       char *out, size_t size)
{
	size_t count = min + rnd(s) % (max - min + 1), len;
	bool taken[16] = {false};

	len = (size_t)snprintf(out, size, "[");
	for (size_t i = 0; i < count; i++) {
		size_t j = rnd(s) % n;

		while (taken[j])
			j = (j + 1) % n;
		taken[j] = true;
		len += (size_t)snprintf(out + len, size - len, "%s%llu", i ? ", " : "",
		                        (unsigned long long)ids[j]);
	}
	snprintf(out + len, size - len, "]");
}

/* Random fields of a user: a role, groups and venues (members sometimes list venues,
 * managers groups, admins either), and notices turned off. */
static void random_user(uint64_t *s, const uint64_t *groups, const uint64_t *venues, char *out,
                        size_t size)
{
	static const char *const roles[] = {"admin",  "manager", "manager", "member",
	                                    "member", "member",  "member"};
	const char *role = roles[rnd(s) % 7];
	bool manager = strcmp(role, "manager") == 0, member = strcmp(role, "member") == 0;
	char g[128], v[128], off[256] = "";
	size_t len = 0;

	random_ids(s, groups, GROUPS, member, member || rnd(s) % 4 == 0 ? 3 : 0, g, sizeof(g));
	random_ids(s, venues, VENUES, manager, manager || rnd(s) % 4 == 0 ? 2 : 0, v, sizeof(v));
	for (int n = 0; n < NOTICE_COUNT; n++)
		if (rnd(s) % 5 == 0)
			len += (size_t)snprintf(off + len, sizeof(off) - len, "%s\"%s\": false",
			                        len ? ", " : "", notice_name(n));
	snprintf(out, size,
	         "{\"role\": \"%s\", \"groups\": %s, \"venues\": %s, \"notifications\": {%s}}",
	         role, g, v, off);
}

struct op_population {
	const uint64_t *groups, *venues;
	uint64_t users[USERS];
	uint64_t seed;
	bool changes; /* false: create USERS users; true: change some, remove some */
};

static enum herr do_population(struct txn *t, void *arg)
{
	struct op_population *p = arg;
	char fields[1024], person[1280];

	for (size_t i = 0; i < USERS && t->ret == H_OK; i++) {
		struct op_account o = {p->changes ? p->users[i] : 0, fields};
		uint32_t r = rnd(&p->seed) % 8;

		if (p->changes && (p->users[i] == 0 || r > 2))
			continue;
		random_user(&p->seed, p->groups, p->venues, fields, sizeof(fields));
		if (!p->changes) {
			snprintf(person, sizeof(person),
			         "{\"name\": \"U%zu\", \"email\": \"u%zu@x.example\", %s", i, i,
			         fields + 1);
			o.fields = person;
		} else if (r == 0) {
			o.fields = NULL;
		}
		if (account_one(t, &o) != H_OK)
			return t->ret != H_OK ? t->ret : txn_refuse(t, H_EINVAL, "%s", t->err->msg);
		p->users[i] = o.fields == NULL ? 0 : o.id;
	}
	return t->ret;
}

/* people_load(g, v) is the walk's people (g 0, v 0) who are members of g or manage v. */
static void people_compare(struct fx *f, struct txn *t, enum notice n, uint64_t g, uint64_t v,
                           const struct people *all)
{
	struct people got;
	size_t j = 0;

	T_EQ_ERR(people_load(t, n, g, v, &got), H_OK, &f->err);
	for (size_t i = 0; i < all->n; i++) {
		const struct user *u = &all->v[i];

		if (!person_member_of(u, g) && !person_manages(u, v))
			continue;
		if (j >= got.n || got.v[j].id != u->id)
			t_fail(
			    __FILE__, __LINE__,
			    "notice %s, group %llu, venue %llu: person %zu is user %llu, not %llu",
			    notice_name(n), (unsigned long long)g, (unsigned long long)v, j,
			    (unsigned long long)(j < got.n ? got.v[j].id : 0),
			    (unsigned long long)u->id);
		j++;
	}
	if (j != got.n)
		t_fail(__FILE__, __LINE__, "notice %s, group %llu, venue %llu: %zu people, not %zu",
		       notice_name(n), (unsigned long long)g, (unsigned long long)v, got.n, j);
	people_free(&got);
}

/* Every notice, every group and venue (and none, and one that does not exist). */
static size_t people_compare_all(struct fx *f, const uint64_t *groups, const uint64_t *venues)
{
	size_t told = 0;
	struct txn t;

	T_EQ_ERR(db_read_begin(f->db, &t, &f->err), H_OK, &f->err);
	for (int n = 0; n < NOTICE_COUNT; n++) {
		struct people all;

		T_EQ_ERR(people_load(&t, (enum notice)n, 0, 0, &all), H_OK, &f->err);
		told += all.n;
		for (size_t gi = 0; gi <= GROUPS + 1; gi++)
			for (size_t vi = 0; vi <= VENUES + 1; vi++) {
				uint64_t g = gi == 0 ? 0 : gi <= GROUPS ? groups[gi - 1] : 999;
				uint64_t v = vi == 0 ? 0 : vi <= VENUES ? venues[vi - 1] : 999;

				if (g != 0 || v != 0)
					people_compare(f, &t, (enum notice)n, g, v, &all);
			}
		people_free(&all);
	}
	db_read_end(&t);
	return told;
}

TEST(user_role_people_as_walk)
{
	struct fx f;
	uint64_t groups[GROUPS], venues[VENUES];
	struct op_population p = {groups, venues, {0}, 20261203, false};
	char name[32];

	T_ASSERT(fx_open(&f));
	for (size_t i = 0; i < GROUPS; i++) {
		snprintf(name, sizeof(name), "Group %zu", i);
		groups[i] = fx_group(&f, name, 0);
	}
	for (size_t i = 0; i < VENUES; i++) {
		snprintf(name, sizeof(name), "Venue %zu", i);
		venues[i] = fx_venue(&f, name, NULL, NULL);
	}
	T_EQ_ERR(db_write(f.db, do_population, &p, &f.err), H_OK, &f.err);
	T_CHECK(people_compare_all(&f, groups, venues) > USERS);
	p.changes = true;
	T_EQ_ERR(db_write(f.db, do_population, &p, &f.err), H_OK, &f.err);
	T_CHECK(people_compare_all(&f, groups, venues) > USERS / 2);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}
