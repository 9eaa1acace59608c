/* Who may see what (view.h, and policy.h's rules about users), for every kind of reader:
 * an admin, the manager of the venue concerned, the manager of another venue, a member
 * of the group concerned, a member of another group, an anonymous caller, and the
 * console. */
#include "t.h"

#include "fixture.h"

enum reader {
	R_ADMIN,
	R_MANAGER_HERE,
	R_MANAGER_OTHER,
	R_MEMBER_HERE,
	R_MEMBER_OTHER,
	R_ANONYMOUS,
	R_CONSOLE,
	R_COUNT
};

static const char *const reader_names[R_COUNT] = {
    "admin", "manager here", "manager elsewhere", "member", "other member", "anonymous", "console"};

/* Everything happens at venue 1, room 1, for group 1, unless a test says otherwise. */
struct vtown {
	struct fx f;
	uint64_t v1, v2, room1, room2, g1, g2;
	uint64_t user[R_COUNT]; /* 0 for the anonymous caller and the console */
};

static bool vtown_open(struct vtown *w)
{
	memset(w, 0, sizeof(*w));
	if (!fx_open(&w->f))
		return false;
	w->v1 = fx_venue(&w->f, "Centre", NULL, NULL);
	w->v2 = fx_venue(&w->f, "Library", NULL, NULL);
	w->room1 = fx_room(&w->f, w->v1, NULL);
	w->room2 = fx_room(&w->f, w->v2, NULL);
	w->g1 = fx_group(&w->f, "Choir", 0);
	w->g2 = fx_group(&w->f, "Scouts", 0);
	w->user[R_ADMIN] = fx_user(&w->f, "admin@council.example", ROLE_ADMIN, 0);
	w->user[R_MANAGER_HERE] = fx_user(&w->f, "mgr@centre.example", ROLE_MANAGER, w->v1);
	w->user[R_MANAGER_OTHER] = fx_user(&w->f, "mgr@library.example", ROLE_MANAGER, w->v2);
	w->user[R_MEMBER_HERE] = fx_user(&w->f, "sec@choir.example", ROLE_MEMBER, w->g1);
	w->user[R_MEMBER_OTHER] = fx_user(&w->f, "sec@scouts.example", ROLE_MEMBER, w->g2);
	return w->room2 && w->g2 && w->user[R_MEMBER_OTHER];
}

static void load(const struct vtown *w, struct txn *t, enum reader r, struct viewer *v)
{
	struct actor a = fx_user_actor(w->user[r]);

	viewer_load(t, r == R_ANONYMOUS ? NULL : &a, v);
}

/* Those who see everything about venue 1 and group 1. */
static bool sees_all(enum reader r)
{
	return r == R_ADMIN || r == R_MANAGER_HERE || r == R_MEMBER_HERE || r == R_CONSOLE;
}

/* A check that names the reader it failed for. */
#define T_READER(r, what, got, want)                                                               \
	do {                                                                                       \
		long long t_g_ = (long long)(got), t_w_ = (long long)(want);                       \
		if (t_g_ != t_w_)                                                                  \
			t_fail(__FILE__, __LINE__, "%s, %s: got %lld, want %lld", reader_names[r], \
			       what, t_g_, t_w_);                                                  \
	} while (0)

TEST(view_readers)
{
	struct vtown w;
	struct txn t;

	T_ASSERT(vtown_open(&w));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct viewer v;

		load(&w, &t, r, &v);
		T_READER(r, "known", v.known, r != R_ANONYMOUS);
		T_READER(r, "admin", viewer_admin(&v), r == R_ADMIN || r == R_CONSOLE);
		/* Who manages a venue: admins, the console and its managers, nobody else. */
		T_READER(r, "manages venue 1", viewer_manages(&v, w.v1),
		         r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_HERE);
		T_READER(r, "manages venue 2", viewer_manages(&v, w.v2),
		         r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_OTHER);
		T_READER(r, "member of group 1", viewer_member_of(&v, w.g1), r == R_MEMBER_HERE);
		if (r != R_ANONYMOUS && r != R_CONSOLE) {
			T_READER(r, "policy manages 1", policy_user_manages(&v.u, w.v1),
			         r == R_ADMIN || r == R_MANAGER_HERE);
			T_READER(r, "policy member 1", policy_user_member_of(&v.u, w.g1),
			         r == R_MEMBER_HERE);
		}
		viewer_free(&v);
	}
	/* A user who has gone reads as anonymous. */
	{
		struct actor ghost = fx_user_actor(999);
		struct viewer v;

		viewer_load(&t, &ghost, &v);
		T_CHECK(!v.known && !viewer_manages(&v, w.v1));
		T_EQ_INT(t.ret, H_OK);
		viewer_free(&v);
	}
	db_read_end(&t);
	fx_close(&w.f);
}

/* One booking of each status, public and private, at room 1 for group 1. */
struct shelf {
	uint64_t id[4][2]; /* [status][public] */
};

static bool shelf_fill(struct vtown *w, struct shelf *s)
{
	int hour = 9;

	for (int st = 0; st < 4; st++) {
		for (int pub = 0; pub < 2; pub++) {
			char at[32];
			struct booking b;

			snprintf(at, sizeof(at), "2026-03-10T%02d:00", hour);
			hour += 1;
			booking_init(&b);
			b.room_id = w->room1;
			b.group_id = w->g1;
			b.title = "Rehearsal";
			b.description = "Bring music";
			b.attendees = 10;
			b.public = pub;
			b.start = fx_at(at);
			b.end = b.start + 3600;
			if (fx_request_b(&w->f, ACTOR_CONSOLE, &b, false, &s->id[st][pub], NULL) !=
			    H_OK)
				return false;
			if ((st == BOOKING_APPROVED || st == BOOKING_CANCELLED) &&
			    fx_approve(&w->f, ACTOR_CONSOLE, s->id[st][pub]) != H_OK)
				return false;
			if (st == BOOKING_DECLINED &&
			    fx_decline(&w->f, ACTOR_CONSOLE, s->id[st][pub]) != H_OK)
				return false;
			if (st == BOOKING_CANCELLED &&
			    fx_cancel(&w->f, ACTOR_CONSOLE, s->id[st][pub]) != H_OK)
				return false;
		}
	}
	return true;
}

static enum view expected(enum reader r, int status, bool pub)
{
	if (sees_all(r))
		return VIEW_FULL;
	if (status != BOOKING_APPROVED)
		return VIEW_NONE;
	return pub ? VIEW_PUBLIC : VIEW_BUSY;
}

/* The JSON a level gives: a busy slot tells only when; public keeps all but the
 * decision's note. */
static void check_shape(enum reader r, enum view level, const struct booking *b, const json_t *o)
{
	char start[32];

	time_format(b->start, T_ZONE, start);
	if (level == VIEW_NONE) {
		T_READER(r, "nothing shown", o == NULL, 1);
		return;
	}
	T_ASSERT(o != NULL);
	T_EQ_STR(json_str(o, "start"), start);
	/* Where, by name, for every reader who sees the booking at all. */
	T_EQ_STR(json_str(o, "venue_name"), "Centre");
	T_READER(r, "room name", json_is_string(json_object_get(o, "room_name")), 1);
	T_READER(r, "venue id", json_int(o, "venue_id", 0), 1);
	if (level == VIEW_BUSY) {
		T_READER(r, "busy: no id", json_is_null(json_object_get(o, "id")), 1);
		T_READER(r, "busy: no group", json_object_get(o, "group_id") == NULL, 1);
		T_READER(r, "busy: no group name", json_object_get(o, "group_name") == NULL, 1);
		T_READER(r, "busy: no description", json_object_get(o, "description") == NULL, 1);
		T_READER(r, "busy: flag", json_is_true(json_object_get(o, "busy")), 1);
		T_EQ_STR(json_str(o, "title"), "Booked");
		return;
	}
	T_EQ_STR(json_str(o, "title"), "Rehearsal");
	T_EQ_STR(json_str(o, "group_name"), "Choir");
	T_EQ_STR(json_str(o, "description"), "Bring music");
	T_READER(r, "id", json_int(o, "id", 0), b->id);
	/* Every decision here came with the note "test". */
	T_EQ_STR(json_str(o, "note"),
	         level == VIEW_FULL && b->status != BOOKING_PENDING ? "test" : NULL);
}

/* Booking id by id, in a transaction of its own (a refusal is sticky on it). */
static enum herr get_by_id(struct vtown *w, const struct viewer *v, uint64_t id, char **zone)
{
	struct txn q;
	json_t *o = NULL;
	enum herr ret = db_read_begin(w->f.db, &q, &w->f.err);

	*zone = NULL;
	if (ret == H_OK) {
		ret = view_booking_get(&q, v, id, &o, zone);
		T_CHECK((ret == H_OK) == (o != NULL));
		json_decref(o);
		db_read_end(&q);
	}
	return ret;
}

TEST(view_bookings_by_reader)
{
	struct vtown w;
	struct shelf s;
	struct txn t;

	T_ASSERT(vtown_open(&w));
	T_ASSERT(shelf_fill(&w, &s));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct places ps = {0};
		struct viewer v;

		load(&w, &t, r, &v);
		for (int st = 0; st < 4; st++) {
			for (int pub = 0; pub < 2; pub++) {
				enum view want = expected(r, st, pub);
				struct booking b;
				json_t *o;
				char *zone;
				enum herr ret;

				T_ASSERT(booking_get(&t, s.id[st][pub], &b) == H_OK);
				T_EQ_INT(b.status, st);
				T_READER(r, "level", view_booking(&v, &b, w.v1), want);
				o = view_booking_json(&t, &v, &ps, &b);
				check_shape(r, want, &b, o);
				json_decref(o);
				booking_free(&b);
				/* By id: not found when nothing may be seen. */
				ret = get_by_id(&w, &v, s.id[st][pub], &zone);
				T_READER(r, "by id", ret, want == VIEW_NONE ? H_ENOTFOUND : H_OK);
				T_EQ_STR(zone, ret == H_OK ? T_ZONE : NULL);
				free(zone);
			}
		}
		places_free(&ps);
		viewer_free(&v);
	}
	T_EQ_INT(t.ret, H_OK);
	db_read_end(&t);
	fx_close(&w.f);
}

/* The ids a reader may be told (a 409's conflicts) and listings by group. */
TEST(view_booking_ids_and_group_lists)
{
	struct vtown w;
	struct shelf s;
	struct txn t;

	T_ASSERT(vtown_open(&w));
	T_ASSERT(shelf_fill(&w, &s));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct booking_filter by_group, by_room;
		struct places ps = {0};
		struct viewer v;
		uint64_t ids[8];
		size_t n = 0, kept;

		booking_filter_init(&by_group);
		by_group.group_id = w.g1;
		booking_filter_init(&by_room);
		by_room.room_id = w.room1;
		load(&w, &t, r, &v);
		for (int st = 0; st < 4; st++)
			for (int pub = 0; pub < 2; pub++)
				ids[n++] = s.id[st][pub];
		kept = view_booking_ids(&t, &v, ids, n);
		if (sees_all(r)) {
			T_READER(r, "ids kept", (long long)kept, 8);
		} else {
			/* Only the approved public booking has an id this reader may hear of. */
			T_READER(r, "ids kept", (long long)kept, 1);
			T_READER(r, "id", (long long)ids[0], (long long)s.id[BOOKING_APPROVED][1]);
		}
		for (int st = 0; st < 4; st++) {
			for (int pub = 0; pub < 2; pub++) {
				struct booking b;
				json_t *g, *rm;

				T_ASSERT(booking_get(&t, s.id[st][pub], &b) == H_OK);
				g = view_booking_listed(&t, &v, &ps, &b, &by_group);
				rm = view_booking_listed(&t, &v, &ps, &b, &by_room);
				/* A busy slot is listed by room, never under its group. */
				T_READER(r, "listed by room", rm != NULL,
				         expected(r, st, pub) != VIEW_NONE);
				T_READER(r, "listed by group", g != NULL,
				         expected(r, st, pub) >= VIEW_PUBLIC);
				json_decref(g);
				json_decref(rm);
				booking_free(&b);
			}
		}
		places_free(&ps);
		viewer_free(&v);
	}
	T_EQ_INT(t.ret, H_OK);
	db_read_end(&t);
	fx_close(&w.f);
}

struct op_series {
	struct series *s;
};

static enum herr do_series(struct txn *t, void *arg)
{
	struct op_series *o = arg;
	struct series_outcome out = {0};
	enum herr ret = series_create(t, &ACTOR_CONSOLE, o->s, false, false, T_NOW, &out);

	series_outcome_free(&out);
	return ret;
}

static uint64_t make_series(struct vtown *w, bool pub, const char *first)
{
	struct series s;
	struct op_series o = {&s};
	uint64_t id;

	series_init(&s);
	s.room_id = w->room1;
	s.group_id = w->g1;
	s.title = xstrdup("Knit and natter");
	s.public = pub;
	s.first_start = fx_at(first);
	s.duration = 3600;
	s.rrule = xstrdup("FREQ=WEEKLY;COUNT=3");
	id = db_write(w->f.db, do_series, &o, &w->f.err) == H_OK ? s.id : 0;
	series_free(&s);
	return id;
}

TEST(view_series_by_reader)
{
	struct vtown w;
	uint64_t ids[2];
	struct txn t;

	T_ASSERT(vtown_open(&w));
	ids[0] = make_series(&w, false, "2026-03-11T10:00");
	ids[1] = make_series(&w, true, "2026-03-11T14:00");
	T_ASSERT(ids[0] != 0 && ids[1] != 0);
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct viewer v;

		load(&w, &t, r, &v);
		for (int pub = 0; pub < 2; pub++) {
			struct series s;

			T_ASSERT(series_get(&t, ids[pub], &s) == H_OK);
			T_READER(r, pub ? "public series" : "private series",
			         view_series(&v, &s, w.v1), sees_all(r) || pub);
			series_free(&s);
		}
		viewer_free(&v);
	}
	db_read_end(&t);
	/* Asked by id: one it may not see is not found, in the words of one that is missing,
	 * and refused on the transaction. */
	for (enum reader r = 0; r < R_COUNT; r++) {
		for (int pub = 0; pub < 3; pub++) {
			uint64_t id = pub < 2 ? ids[pub] : 999;
			bool sees = pub < 2 && (sees_all(r) || pub);
			struct places ps = {0};
			const struct place *p;
			struct viewer v;
			struct series s;
			char words[64];

			T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
			load(&w, &t, r, &v);
			T_READER(r, "series by id", view_series_get(&t, &v, &ps, id, &s, &p),
			         sees ? H_OK : H_ENOTFOUND);
			if (sees) {
				T_READER(r, "its id", s.id, id);
				T_READER(r, "its room", p->room.id, w.room1);
			} else {
				snprintf(words, sizeof(words), "there is no series %llu",
				         (unsigned long long)id);
				T_EQ_STR(w.f.err.msg, words);
				T_READER(r, "refused on t", t.ret, H_ENOTFOUND);
				T_READER(r, "p when not seen", p == NULL, true);
			}
			series_free(&s);
			places_free(&ps);
			viewer_free(&v);
			db_read_end(&t);
		}
	}
	fx_close(&w.f);
}

/* Writes that leave audit entries of every kind. */
struct op_audit {
	struct vtown *w;
	uint64_t series, closure_venue, closure_room, token, room3;
};

static enum herr do_audit_kinds(struct txn *t, void *arg)
{
	struct op_audit *o = arg;
	struct vtown *w = o->w;
	char secret[TOKEN_HEX];
	struct token tk;
	struct room r;

	/* A token (about no venue). */
	if (token_issue(t, &ACTOR_CONSOLE, w->user[R_MEMBER_HERE], TOKEN_API, "laptop", 86400,
	                86400, T_NOW, secret, &tk) != H_OK)
		return t->ret;
	o->token = tk.id;
	token_free(&tk);
	/* A room made and removed: the removal names no venue any more. */
	room_init(&r);
	r.name = xstrdup("Annexe");
	r.venue_id = w->v2;
	if (room_create(t, &ACTOR_CONSOLE, &r, T_NOW) != H_OK) {
		room_free(&r);
		return t->ret;
	}
	o->room3 = r.id;
	room_free(&r);
	if (room_remove(t, &ACTOR_CONSOLE, o->room3, T_NOW) != H_OK)
		return t->ret;
	/* A series entry as older versions wrote it, without a detail: found through the
	 * series' room. */
	audit_append(t, &ACTOR_CONSOLE, "series", o->series, "approve", NULL, NULL, T_NOW);
	return t->ret;
}

struct entry_walk {
	struct txn *t;
	struct places ps;
	json_t *entries; /* [entry, venue] pairs */
};

static bool entry_one(const json_t *e, void *arg)
{
	struct entry_walk *ew = arg;

	json_array_append_new(
	    ew->entries, json_pack("[O, I]", e, (json_int_t)view_audit_venue(ew->t, &ew->ps, e)));
	return true;
}

/* The venue found for the first entry of kind about object id with action. */
static long long venue_of(const json_t *entries, const char *kind, uint64_t id, const char *action)
{
	size_t i;
	json_t *pair;

	json_array_foreach(entries, i, pair)
	{
		const json_t *e = json_array_get(pair, 0);

		if (strcmp(json_str(e, "kind"), kind) == 0 &&
		    (uint64_t)json_int(e, "object_id", 0) == id &&
		    strcmp(json_str(e, "action"), action) == 0)
			return json_integer_value(json_array_get(pair, 1));
	}
	t_fail(__FILE__, __LINE__, "no %s entry for %s %llu", action, kind, (unsigned long long)id);
	return -1;
}

TEST(view_audit_by_reader)
{
	struct vtown w;
	struct op_audit o = {.w = &w};
	struct entry_walk ew = {0};
	uint64_t booking;
	struct txn t;

	T_ASSERT(vtown_open(&w));
	T_ASSERT(fx_request(&w.f, ACTOR_CONSOLE, w.room1, w.g1, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &booking, NULL) == H_OK);
	T_ASSERT((o.series = make_series(&w, false, "2026-03-11T10:00")) != 0);
	T_ASSERT(fx_closure(&w.f, CLOSURE_VENUE, w.v2, fx_at("2026-04-01T00:00"),
	                    fx_at("2026-04-02T00:00"), &o.closure_venue) == H_OK);
	T_ASSERT(fx_closure(&w.f, CLOSURE_ROOM, w.room1, fx_at("2026-04-03T00:00"),
	                    fx_at("2026-04-04T00:00"), &o.closure_room) == H_OK);
	T_EQ_ERR(db_write(w.f.db, do_audit_kinds, &o, &w.f.err), H_OK, &w.f.err);

	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	ew.t = &t;
	ew.entries = json_array();
	T_EQ_ERR(audit_each(&t, 0, entry_one, &ew), H_OK, &w.f.err);
	/* Which venue each kind of entry is about. */
	T_EQ_INT(venue_of(ew.entries, "venue", w.v2, "create"), w.v2);
	T_EQ_INT(venue_of(ew.entries, "room", w.room1, "create"), w.v1);
	T_EQ_INT(venue_of(ew.entries, "room", o.room3, "create"), w.v2);
	T_EQ_INT(venue_of(ew.entries, "room", o.room3, "remove"), 0);
	T_EQ_INT(venue_of(ew.entries, "booking", booking, "request"), w.v1);
	T_EQ_INT(venue_of(ew.entries, "series", o.series, "create"), w.v1);
	T_EQ_INT(venue_of(ew.entries, "series", o.series, "approve"), w.v1);
	T_EQ_INT(venue_of(ew.entries, "closure", o.closure_venue, "create"), w.v2);
	T_EQ_INT(venue_of(ew.entries, "closure", o.closure_room, "create"), w.v1);
	T_EQ_INT(venue_of(ew.entries, "group", w.g1, "create"), 0);
	T_EQ_INT(venue_of(ew.entries, "user", w.user[R_ADMIN], "create"), 0);
	T_EQ_INT(venue_of(ew.entries, "token", o.token, "issue"), 0);

	for (enum reader r = 0; r < R_COUNT; r++) {
		bool reads =
		    r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_HERE || r == R_MANAGER_OTHER;
		enum herr want_log = r == R_ANONYMOUS ? H_EAUTH : reads ? H_OK : H_EFORBIDDEN;
		struct viewer v;
		struct txn q;

		T_ASSERT(db_read_begin(w.f.db, &q, &w.f.err) == H_OK);
		load(&w, &q, r, &v);
		T_READER(r, "the log", view_audit_log(&q, &v, 0), want_log);
		db_read_end(&q);
		T_ASSERT(db_read_begin(w.f.db, &q, &w.f.err) == H_OK);
		/* Asking for venue 1's entries: its manager and admins. */
		T_READER(r, "venue 1's log", view_audit_log(&q, &v, w.v1),
		         r == R_ANONYMOUS                                        ? H_EAUTH
		         : r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_HERE ? H_OK
		                                                                 : H_EFORBIDDEN);
		db_read_end(&q);
		/* Entries: a manager's venue's, all for admins, none about no venue for others. */
		T_READER(r, "entry of venue 1", view_audit_entry(&v, w.v1),
		         r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_HERE);
		T_READER(r, "entry of venue 2", view_audit_entry(&v, w.v2),
		         r == R_ADMIN || r == R_CONSOLE || r == R_MANAGER_OTHER);
		T_READER(r, "entry of no venue", view_audit_entry(&v, 0),
		         r == R_ADMIN || r == R_CONSOLE);
		viewer_free(&v);
	}
	json_decref(ew.entries);
	places_free(&ew.ps);
	db_read_end(&t);
	fx_close(&w.f);
}

TEST(view_group_contact)
{
	struct vtown w;
	struct group g;
	struct txn t;

	T_ASSERT(vtown_open(&w));
	/* The API's group routes hide what the kind's redact hides; no other kind hides. */
	T_CHECK(kind_group.redact == view_group);
	T_CHECK(kind_venue.redact == NULL && kind_room.redact == NULL && kind_user.redact == NULL);
	group_init(&g);
	g.id = w.g1;
	g.name = xstrdup("Choir");
	g.contact = xstrdup("sec@choir.example, 01632 960000");
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct viewer v;
		json_t *o = group_to_json(&g);

		load(&w, &t, r, &v);
		view_group(&v, o);
		T_READER(r, "contact shown", json_str(o, "contact") != NULL, r != R_ANONYMOUS);
		T_EQ_STR(json_str(o, "name"), "Choir");
		json_decref(o);
		viewer_free(&v);
	}
	db_read_end(&t);
	group_free(&g);
	fx_close(&w.f);
}

TEST(view_token_lists)
{
	struct vtown w;

	T_ASSERT(vtown_open(&w));
	for (enum reader r = 0; r < R_COUNT; r++) {
		struct actor a = fx_user_actor(w.user[r]);
		struct txn t;

		if (r == R_ANONYMOUS)
			continue; /* the token routes need a signed-in caller */
		T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
		/* One's own, always. */
		T_READER(r, "own tokens", policy_list_tokens(&t, &a, w.user[r]), H_OK);
		/* Another's: admins only. */
		T_READER(r, "another's tokens", policy_list_tokens(&t, &a, w.user[R_MEMBER_OTHER]),
		         r == R_ADMIN || r == R_CONSOLE || r == R_MEMBER_OTHER ? H_OK
		                                                               : H_EFORBIDDEN);
		db_read_end(&t);
	}
	/* A user who has gone may list nobody's. */
	{
		struct actor ghost = fx_user_actor(999);
		struct txn t;

		T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
		T_EQ_ERR(policy_list_tokens(&t, &ghost, w.user[R_ADMIN]), H_EAUTH, &w.f.err);
		db_read_end(&t);
	}
	fx_close(&w.f);
}

/* Group names are read once a transaction: a page of a hundred bookings of one group
 * reads the group once. */
TEST(view_group_names_cached)
{
	struct vtown w;
	struct places ps = {0};
	struct txn t;
	const char *first;

	T_ASSERT(vtown_open(&w));
	T_ASSERT(db_read_begin(w.f.db, &t, &w.f.err) == H_OK);
	first = places_group_name(&ps, &t, w.g1);
	T_EQ_STR(first, "Choir");
	T_CHECK(places_group_name(&ps, &t, w.g1) == first);
	T_EQ_STR(places_group_name(&ps, &t, w.g2), "Scouts");
	T_CHECK(places_group_name(&ps, &t, w.g1) == first);
	T_EQ_INT(ps.n_groups, 2);
	/* A group that has gone has no name, and stops nothing. */
	T_CHECK(places_group_name(&ps, &t, 4242) == NULL);
	T_EQ_INT(t.ret, H_OK);
	places_free(&ps);
	db_read_end(&t);
	fx_close(&w.f);
}
