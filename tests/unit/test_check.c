/* `halls check` finds nothing wrong in a store the core wrote, and finds a broken index. */
#include "t.h"

#include "fixture.h"

struct corrupt {
	enum dbi dbi;
	struct key key;
	bool put;
	uint8_t value[8];
	size_t len;
};

static enum herr do_corrupt(struct txn *t, void *arg)
{
	struct corrupt *c = arg;

	if (c->put)
		txn_put(t, c->dbi, &c->key, c->value, c->len);
	else
		txn_del(t, c->dbi, &c->key);
	return t->ret;
}

static bool populate(struct fx *f, uint64_t *room, uint64_t *approved, uint64_t *pending)
{
	uint64_t venue = fx_venue(f, "Centre", NULL, NULL), group = fx_group(f, "Choir", 0);
	uint64_t cancelled;

	*room = fx_room(f, venue, "{\"setup_minutes\": 15, \"cleanup_minutes\": 15}");
	fx_user(f, "m@choir.example", ROLE_MEMBER, group);
	fx_user(f, "mgr@centre.example", ROLE_MANAGER, venue);
	return fx_book(f, *room, group, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"),
	               approved) == H_OK &&
	       fx_request(f, ACTOR_CONSOLE, *room, group, fx_at("2026-03-10T10:30"),
	                  fx_at("2026-03-10T11:30"), false, pending, NULL) == H_ECONFLICT &&
	       fx_request(f, ACTOR_CONSOLE, *room, group, fx_at("2026-03-10T12:00"),
	                  fx_at("2026-03-10T13:00"), false, pending, NULL) == H_OK &&
	       fx_book(f, *room, group, fx_at("2026-03-11T12:00"), fx_at("2026-03-11T13:00"),
	               &cancelled) == H_OK &&
	       fx_cancel(f, ACTOR_CONSOLE, cancelled) == H_OK &&
	       fx_closure(f, CLOSURE_VENUE, venue, fx_at("2026-03-12T00:00"),
	                  fx_at("2026-03-13T00:00"), NULL) == H_OK;
}

static struct key block_key(uint64_t room, char state, int64_t start, uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, room);
	key_u8(&k, (uint8_t)state);
	key_i64(&k, start);
	key_u64(&k, id);
	return k;
}

TEST(check_clean)
{
	struct fx f;
	uint64_t room, approved, pending;

	T_ASSERT(fx_open(&f));
	T_EQ_INT(fx_check(&f), 0);
	T_ASSERT(populate(&f, &room, &approved, &pending));
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

TEST(check_finds_missing_block)
{
	struct fx f;
	uint64_t room, approved, pending;
	struct corrupt c = {.dbi = DBI_BLOCK};

	T_ASSERT(fx_open(&f));
	T_ASSERT(populate(&f, &room, &approved, &pending));
	c.key = block_key(room, 'A', fx_at("2026-03-10T10:00"), approved);
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	T_CHECK(fx_check(&f) > 0);
	/* With the entry gone the room looks free and is booked twice; check still
	 * reports the missing entry. */
	T_EQ_ERR(fx_book(&f, room, 1, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), NULL),
	         H_OK, &f.err);
	T_CHECK(fx_check(&f) > 0);
	fx_close(&f);
}

TEST(check_finds_stray_entries)
{
	struct fx f;
	uint64_t room, approved, pending;
	struct corrupt c = {.dbi = DBI_BLOCK, .put = true, .len = 8};

	/* A block entry for a booking that does not exist. */
	T_ASSERT(fx_open(&f));
	T_ASSERT(populate(&f, &room, &approved, &pending));
	c.key = block_key(room, 'A', fx_at("2026-03-14T10:00"), 777);
	key_put_i64(c.value, fx_at("2026-03-14T11:00"));
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	T_CHECK(fx_check(&f) > 0);
	fx_close(&f);

	/* A pending booking's room-index entry removed. */
	T_ASSERT(fx_open(&f));
	T_ASSERT(populate(&f, &room, &approved, &pending));
	memset(&c, 0, sizeof(c));
	c.dbi = DBI_BOOKING_ROOM;
	key_init(&c.key);
	key_u64(&c.key, room);
	key_i64(&c.key, fx_at("2026-03-10T12:00"));
	key_u64(&c.key, pending);
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	T_CHECK(fx_check(&f) > 0);
	fx_close(&f);

	/* A stale status in the room index. */
	T_ASSERT(fx_open(&f));
	T_ASSERT(populate(&f, &room, &approved, &pending));
	c.put = true;
	c.value[0] = BOOKING_DECLINED;
	c.len = 1;
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	T_CHECK(fx_check(&f) > 0);
	fx_close(&f);
}

struct problems {
	char text[1024];
	size_t n;
};

static void problem_keep(const char *problem, void *arg)
{
	struct problems *p = arg;
	size_t len = strlen(p->text);

	snprintf(p->text + len, sizeof(p->text) - len, "%s; ", problem);
	p->n++;
}

/* The problems check_run reports, as "problem; problem; ". */
static void problems_get(struct fx *f, struct problems *p)
{
	struct txn t;

	p->text[0] = '\0';
	p->n = 0;
	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return;
	check_run(&t, problem_keep, p);
	db_read_end(&t);
}

/* idx:user-role is checked both ways: an entry a user's record calls for and is missing,
 * an entry for a group the user does not list, and one for a user who does not exist. */
TEST(check_finds_user_role_entries)
{
	struct fx f;
	struct problems p;
	uint64_t venue, group, member, manager;
	struct corrupt c = {.dbi = DBI_USER_ROLE};
	char want[256];

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Centre", NULL, NULL);
	group = fx_group(&f, "Choir", 0);
	member = fx_user(&f, "m@choir.example", ROLE_MEMBER, group);
	manager = fx_user(&f, "mgr@centre.example", ROLE_MANAGER, venue);
	problems_get(&f, &p);
	T_EQ_STR(p.text, "");

	c.key = key_user_role(USER_OF_GROUP, group, member);
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	problems_get(&f, &p);
	snprintf(want, sizeof(want), "user %llu: user-role index entry for group %llu missing; ",
	         (unsigned long long)member, (unsigned long long)group);
	T_EQ_STR(p.text, want);

	c.put = true;
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	c.key = key_user_role(USER_OF_GROUP, group, manager);
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	problems_get(&f, &p);
	snprintf(want, sizeof(want),
	         "user-role index: entry for user %llu and group %llu, which the user does not "
	         "list; ",
	         (unsigned long long)manager, (unsigned long long)group);
	T_EQ_STR(p.text, want);

	c.put = false;
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	c.put = true;
	c.key = key_user_role(USER_OF_VENUE, venue, 777);
	T_EQ_ERR(db_write(f.db, do_corrupt, &c, &f.err), H_OK, &f.err);
	problems_get(&f, &p);
	T_EQ_STR(p.text, "user-role index: entry for missing user 777; ");
	fx_close(&f);
}
