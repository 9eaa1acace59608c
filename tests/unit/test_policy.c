/* Permissions with real users: members act for their own groups, managers for their
 * venues, admins for everything; an unknown user is not signed in. */
#include "t.h"

#include "fixture.h"

struct town {
	struct fx f;
	uint64_t v1, v2, room1, room2, g1, g2;
	struct actor m1, m2, mgr1, mgr2, admin, ghost;
};

static bool town_open(struct town *w)
{
	if (!fx_open(&w->f))
		return false;
	w->v1 = fx_venue(&w->f, "Centre", NULL, NULL);
	w->v2 = fx_venue(&w->f, "Library", NULL, NULL);
	w->room1 = fx_room(&w->f, w->v1, NULL);
	w->room2 = fx_room(&w->f, w->v2, NULL);
	w->g1 = fx_group(&w->f, "Choir", 0);
	w->g2 = fx_group(&w->f, "Scouts", 0);
	w->m1 = fx_user_actor(fx_user(&w->f, "m1@choir.example", ROLE_MEMBER, w->g1));
	w->m2 = fx_user_actor(fx_user(&w->f, "m2@scouts.example", ROLE_MEMBER, w->g2));
	w->mgr1 = fx_user_actor(fx_user(&w->f, "mgr1@centre.example", ROLE_MANAGER, w->v1));
	w->mgr2 = fx_user_actor(fx_user(&w->f, "mgr2@library.example", ROLE_MANAGER, w->v2));
	w->admin = fx_user_actor(fx_user(&w->f, "admin@council.example", ROLE_ADMIN, 0));
	w->ghost = fx_user_actor(999);
	return w->room2 && w->g2 && w->m1.user_id && w->m2.user_id && w->mgr1.user_id &&
	       w->mgr2.user_id && w->admin.user_id;
}

static enum herr ask(struct town *w, struct actor a, uint64_t room, uint64_t group,
                     const char *start, bool approve_now, uint64_t *id)
{
	int64_t s = fx_at(start);

	return fx_request(&w->f, a, room, group, s, s + 3600, approve_now, id, NULL);
}

TEST(policy_member)
{
	struct town w;
	uint64_t id, other;

	T_ASSERT(town_open(&w));
	/* Own group: yes; another group: no. */
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g1, "2026-03-10T10:00", false, &id), H_OK, &w.f.err);
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g2, "2026-03-10T12:00", false, NULL), H_EFORBIDDEN,
	         &w.f.err);
	T_EQ_ERR(ask(&w, w.m1, w.room2, w.g2, "2026-03-10T12:00", false, NULL), H_EFORBIDDEN,
	         &w.f.err);
	/* A member may not approve, decline or approve at once. */
	T_EQ_ERR(fx_approve(&w.f, w.m1, id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, w.m1, id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g1, "2026-03-10T14:00", true, NULL), H_EFORBIDDEN,
	         &w.f.err);
	/* Another group's member may not touch the booking. */
	T_EQ_ERR(fx_cancel(&w.f, w.m2, id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, w.m2, id, "{\"title\": \"Ours now\"}"), H_EFORBIDDEN, &w.f.err);
	/* Its own members may edit and cancel it. */
	T_EQ_ERR(fx_update(&w.f, w.m1, id, "{\"title\": \"Practice\"}"), H_OK, &w.f.err);
	T_EQ_ERR(ask(&w, w.m2, w.room1, w.g2, "2026-03-10T16:00", false, &other), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, w.m1, id), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, w.m1, other), H_EFORBIDDEN, &w.f.err);
	fx_close(&w.f);
}

TEST(policy_manager)
{
	struct town w;
	uint64_t id, id2;
	enum booking_status st;

	T_ASSERT(town_open(&w));
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g1, "2026-03-10T10:00", false, &id), H_OK, &w.f.err);
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g1, "2026-03-10T12:00", false, &id2), H_OK, &w.f.err);
	/* The manager of another venue may not decide. */
	T_EQ_ERR(fx_approve(&w.f, w.mgr2, id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, w.mgr2, id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, w.mgr2, id), H_EFORBIDDEN, &w.f.err);
	/* The venue's manager may. */
	T_EQ_ERR(fx_approve(&w.f, w.mgr1, id), H_OK, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, w.mgr1, id2), H_OK, &w.f.err);
	/* A manager books for any group at their venue, and may approve at once. */
	T_EQ_ERR(fx_request(&w.f, w.mgr1, w.room1, w.g2, fx_at("2026-03-10T14:00"),
	                    fx_at("2026-03-10T15:00"), true, NULL, &st),
	         H_OK, &w.f.err);
	T_EQ_INT(st, BOOKING_APPROVED);
	/* ... but not at another venue. */
	T_EQ_ERR(ask(&w, w.mgr1, w.room2, w.g2, "2026-03-10T14:00", false, NULL), H_EFORBIDDEN,
	         &w.f.err);
	/* A manager who moves an approved booking keeps it approved. */
	{
		char fields[96];

		snprintf(fields, sizeof(fields), "{\"start\": %lld, \"end\": %lld}",
		         (long long)fx_at("2026-03-10T16:00"),
		         (long long)fx_at("2026-03-10T17:00"));
		T_EQ_ERR(fx_update(&w.f, w.mgr1, id, fields), H_OK, &w.f.err);
		struct booking b;

		T_ASSERT(fx_get(&w.f, id, &b) == H_OK);
		T_EQ_INT(b.status, BOOKING_APPROVED);
		booking_free(&b);
	}
	/* An admin may do anything. */
	T_EQ_ERR(ask(&w, w.admin, w.room2, w.g1, "2026-03-10T10:00", true, NULL), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, w.admin, id), H_OK, &w.f.err);
	fx_close(&w.f);
}

TEST(policy_unknown_actor)
{
	struct town w;
	uint64_t id;

	T_ASSERT(town_open(&w));
	T_EQ_ERR(ask(&w, w.ghost, w.room1, w.g1, "2026-03-10T10:00", false, NULL), H_EAUTH,
	         &w.f.err);
	T_EQ_ERR(ask(&w, w.m1, w.room1, w.g1, "2026-03-10T10:00", false, &id), H_OK, &w.f.err);
	T_EQ_ERR(fx_cancel(&w.f, w.ghost, id), H_EAUTH, &w.f.err);
	T_EQ_ERR(fx_update(&w.f, w.ghost, id, "{\"title\": \"x\"}"), H_EAUTH, &w.f.err);
	/* policy.h: "H_EAUTH for an unknown user", deciding included. */
	T_EQ_ERR(fx_approve(&w.f, w.ghost, id), H_EAUTH, &w.f.err);
	T_EQ_ERR(fx_decline(&w.f, w.ghost, id), H_EAUTH, &w.f.err);
	fx_close(&w.f);
}

/* Record administration by an actor. */
struct op_admin {
	struct actor a;
	const char *what;
	uint64_t target;
};

static enum herr do_admin(struct txn *t, void *arg)
{
	struct op_admin *o = arg;
	enum herr ret = H_OK;

	if (strcmp(o->what, "venue") == 0) {
		struct venue v;

		venue_init(&v);
		v.name = xstrdup("New venue");
		ret = venue_create(t, &o->a, &v, T_NOW);
		venue_free(&v);
	} else if (strcmp(o->what, "room") == 0) {
		struct room r;

		room_init(&r);
		r.name = xstrdup("New room");
		r.venue_id = o->target;
		ret = room_create(t, &o->a, &r, T_NOW);
		room_free(&r);
	} else if (strcmp(o->what, "closure") == 0) {
		struct closure c;

		closure_init(&c);
		c.scope = CLOSURE_VENUE;
		c.target = o->target;
		c.start = T_NOW + 86400;
		c.end = T_NOW + 2 * 86400;
		c.reason = xstrdup("Election");
		ret = closure_create(t, &o->a, &c, T_NOW);
		closure_free(&c);
	} else if (strcmp(o->what, "group") == 0) {
		struct group g;

		group_init(&g);
		g.name = xstrdup("New group");
		ret = group_create(t, &o->a, &g, T_NOW);
		group_free(&g);
	}
	return ret;
}

static enum herr admin_op(struct town *w, struct actor a, const char *what, uint64_t target)
{
	struct op_admin o = {a, what, target};

	return db_write(w->f.db, do_admin, &o, &w->f.err);
}

TEST(policy_records)
{
	struct town w;

	T_ASSERT(town_open(&w));
	T_EQ_ERR(admin_op(&w, w.mgr1, "venue", 0), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.m1, "venue", 0), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.ghost, "venue", 0), H_EAUTH, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.admin, "venue", 0), H_OK, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.m1, "group", 0), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.admin, "group", 0), H_OK, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.mgr2, "room", w.v1), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.m1, "room", w.v1), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.mgr1, "room", w.v1), H_OK, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.mgr2, "closure", w.v1), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(admin_op(&w, w.mgr1, "closure", w.v1), H_OK, &w.f.err);
	fx_close(&w.f);
}

/* Reading users: an admin reads anyone and lists everyone, a page at a time; anyone else
 * reads only their own record, is refused another's before it is looked up (so a
 * refusal does not tell whether the id exists), and may not list. */
static bool count_user(const json_t *o, void *arg)
{
	size_t *n = arg;

	(*n)++;
	return json_object_get(o, "password_hash") == NULL;
}

static enum herr show_user(struct town *w, struct actor a, uint64_t id)
{
	struct txn t;
	json_t *o = NULL;
	enum herr ret = db_read_begin(w->f.db, &t, &w->f.err);

	if (ret == H_OK) {
		ret = account_show(&t, &a, id, &o);
		db_read_end(&t);
	}
	T_CHECK((ret == H_OK) == (o != NULL));
	T_CHECK(o == NULL || json_object_get(o, "password_hash") == NULL);
	json_decref(o);
	return ret;
}

static enum herr list_users(struct town *w, struct actor a, struct walk *pg, size_t *n)
{
	struct txn t;
	enum herr ret = db_read_begin(w->f.db, &t, &w->f.err);

	*n = 0;
	if (ret == H_OK) {
		ret = account_each_page(&t, &a, pg, count_user, n);
		db_read_end(&t);
	}
	return ret;
}

TEST(policy_users)
{
	struct town w;
	struct walk pg = {.budget = 4};
	size_t n, total;

	T_ASSERT(town_open(&w));
	T_EQ_ERR(show_user(&w, w.admin, w.m1.user_id), H_OK, &w.f.err);
	T_EQ_ERR(show_user(&w, w.m1, w.m1.user_id), H_OK, &w.f.err);
	T_EQ_ERR(show_user(&w, w.m1, w.m2.user_id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(show_user(&w, w.mgr1, w.m1.user_id), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(show_user(&w, w.m1, 999), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(show_user(&w, w.admin, 999), H_ENOTFOUND, &w.f.err);
	T_EQ_ERR(show_user(&w, w.ghost, w.m1.user_id), H_EAUTH, &w.f.err);
	T_EQ_ERR(list_users(&w, w.m1, NULL, &n), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(list_users(&w, w.mgr1, NULL, &n), H_EFORBIDDEN, &w.f.err);
	T_EQ_ERR(list_users(&w, w.admin, NULL, &total), H_OK, &w.f.err);
	T_EQ_INT(total, 5);
	/* Pages of at most four: four, then the one left, and no more after it. */
	T_EQ_ERR(list_users(&w, w.admin, &pg, &n), H_OK, &w.f.err);
	T_EQ_INT(n, 4);
	T_CHECK(pg.more);
	pg.has_after = true;
	pg.after = pg.last;
	T_EQ_ERR(list_users(&w, w.admin, &pg, &n), H_OK, &w.f.err);
	T_EQ_INT(n, total - 4);
	T_CHECK(!pg.more);
	fx_close(&w.f);
}
