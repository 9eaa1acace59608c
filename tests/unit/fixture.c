#include "fixture.h"

#include "t.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct actor fx_user_actor(uint64_t user_id)
{
	return (struct actor){user_id};
}

bool fx_open_opt(struct fx *f, const struct db_options *opt)
{
	enum herr ret;

	memset(f, 0, sizeof(*f));
	f->now = T_NOW;
	snprintf(f->dir, sizeof(f->dir), "/tmp/halls-unit-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		t_fail(__FILE__, __LINE__, "mkdtemp failed");
		f->dir[0] = '\0';
		return false;
	}
	ret = db_open(&f->db, f->dir, true, opt, &f->err);
	if (ret != H_OK) {
		t_fail(__FILE__, __LINE__, "db_open %s: %s: %s", f->dir, herr_name(ret),
		       f->err.msg);
		return false;
	}
	return true;
}

bool fx_open(struct fx *f)
{
	return fx_open_opt(f, NULL);
}

void fx_rmtree(const char *dir)
{
	DIR *d;
	struct dirent *e;

	if (dir[0] == '\0')
		return;
	d = opendir(dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char path[512];
			struct stat st;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				fx_rmtree(path);
			else
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

void fx_close(struct fx *f)
{
	db_close(f->db);
	f->db = NULL;
	fx_rmtree(f->dir);
	f->dir[0] = '\0';
}

int64_t fx_at(const char *s)
{
	struct herror err;
	int64_t t = 0;

	herror_clear(&err);
	if (time_parse(s, T_ZONE, &t, &err) != H_OK) {
		t_fail(__FILE__, __LINE__, "fx_at(\"%s\"): %s", s, err.msg);
		return 0;
	}
	return t;
}

/* Records. */

struct op_record {
	json_t *fields;
	int64_t now;
	uint64_t id;
};

static enum herr do_venue(struct txn *t, void *arg)
{
	struct op_record *o = arg;
	struct venue v;
	enum herr ret;

	venue_init(&v);
	ret = venue_apply(&v, o->fields, t->err);
	if (ret == H_OK)
		ret = venue_create(t, &ACTOR_CONSOLE, &v, o->now);
	o->id = v.id;
	venue_free(&v);
	return ret;
}

static enum herr do_room(struct txn *t, void *arg)
{
	struct op_record *o = arg;
	struct room r;
	enum herr ret;

	room_init(&r);
	ret = room_apply(&r, o->fields, t->err);
	if (ret == H_OK)
		ret = room_create(t, &ACTOR_CONSOLE, &r, o->now);
	o->id = r.id;
	room_free(&r);
	return ret;
}

static enum herr do_group(struct txn *t, void *arg)
{
	struct op_record *o = arg;
	struct group g;
	enum herr ret;

	group_init(&g);
	ret = group_apply(&g, o->fields, t->err);
	if (ret == H_OK)
		ret = group_create(t, &ACTOR_CONSOLE, &g, o->now);
	o->id = g.id;
	group_free(&g);
	return ret;
}

static enum herr do_user(struct txn *t, void *arg)
{
	struct op_record *o = arg;
	struct user u;
	enum herr ret;

	user_init(&u);
	ret = user_apply(&u, o->fields, t->err);
	if (ret == H_OK)
		ret = account_create(t, &ACTOR_CONSOLE, &u, o->now);
	o->id = u.id;
	user_free(&u);
	return ret;
}

/* Runs fn over fields (consumed); the new id or 0 with a test failure at file:line. */
static uint64_t create(struct fx *f, db_write_fn fn, json_t *fields, const char *what,
                       const char *file, int line)
{
	struct op_record o = {fields, f->now, 0};
	enum herr ret;

	if (fields == NULL) {
		t_fail(file, line, "%s: bad fields", what);
		return 0;
	}
	ret = db_write(f->db, fn, &o, &f->err);
	json_decref(fields);
	if (ret != H_OK) {
		t_fail(file, line, "creating a %s: %s: %s", what, herr_name(ret), f->err.msg);
		return 0;
	}
	return o.id;
}

uint64_t fx_venue_at(struct fx *f, const char *name, const char *zone, const char *hours,
                     const char *file, int line)
{
	return create(f, do_venue,
	              json_pack("{s:s, s:s, s:s}", "name", name, "timezone", zone ? zone : T_ZONE,
	                        "hours", hours ? hours : T_HOURS),
	              "venue", file, line);
}

uint64_t fx_room_at(struct fx *f, uint64_t venue, const char *fields, const char *file, int line)
{
	json_t *o = json_pack("{s:I, s:s, s:i, s:i, s:i}", "venue_id", (json_int_t)venue, "name",
	                      "Main hall", "capacity", 50, "min_minutes", 30, "max_minutes", 720);

	if (fields != NULL) {
		json_error_t jerr;
		json_t *extra = json_loads(fields, 0, &jerr);

		if (extra == NULL) {
			t_fail(file, line, "room fields: %s", jerr.text);
			json_decref(o);
			return 0;
		}
		json_object_update(o, extra);
		json_decref(extra);
	}
	return create(f, do_room, o, "room", file, line);
}

uint64_t fx_group_at(struct fx *f, const char *name, uint64_t trusted_at, const char *file,
                     int line)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "kind", "charity");

	if (trusted_at != 0)
		json_object_set_new(o, "trusted_at", json_pack("[I]", (json_int_t)trusted_at));
	return create(f, do_group, o, "group", file, line);
}

uint64_t fx_user_at(struct fx *f, const char *email, enum role role, uint64_t link,
                    const char *file, int line)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s}", "name", email, "email", email, "role", role_name(role));

	if (role == ROLE_MANAGER)
		json_object_set_new(o, "venues", json_pack("[I]", (json_int_t)link));
	else if (role == ROLE_MEMBER)
		json_object_set_new(o, "groups", json_pack("[I]", (json_int_t)link));
	return create(f, do_user, o, "user", file, line);
}

/* Bookings. */

struct op_request {
	struct actor a;
	const struct booking *in;
	bool approve_now;
	int64_t now;
	uint64_t id;
	enum booking_status status;
};

static enum herr do_request(struct txn *t, void *arg)
{
	struct op_request *o = arg;
	struct booking b = *o->in;
	enum herr ret = booking_request(t, &o->a, &b, o->approve_now, o->now);

	o->id = b.id;
	o->status = b.status;
	return ret;
}

enum herr fx_request_b(struct fx *f, struct actor a, const struct booking *in, bool approve_now,
                       uint64_t *id, enum booking_status *status)
{
	struct op_request o = {a, in, approve_now, f->now, 0, BOOKING_PENDING};
	enum herr ret = db_write(f->db, do_request, &o, &f->err);

	if (id != NULL)
		*id = ret == H_OK ? o.id : 0;
	if (status != NULL)
		*status = o.status;
	return ret;
}

enum herr fx_request(struct fx *f, struct actor a, uint64_t room, uint64_t group, int64_t start,
                     int64_t end, bool approve_now, uint64_t *id, enum booking_status *status)
{
	struct booking b;

	booking_init(&b);
	b.room_id = room;
	b.group_id = group;
	b.title = "Test";
	b.attendees = 1;
	b.start = start;
	b.end = end;
	return fx_request_b(f, a, &b, approve_now, id, status);
}

enum herr fx_book(struct fx *f, uint64_t room, uint64_t group, int64_t start, int64_t end,
                  uint64_t *id)
{
	return fx_request(f, ACTOR_CONSOLE, room, group, start, end, true, id, NULL);
}

struct op_decide {
	struct actor a;
	uint64_t id;
	int64_t now;
	enum herr (*fn)(struct txn *t, const struct actor *a, uint64_t id, const char *note,
	                int64_t now, struct booking *out);
	const json_t *fields;
};

static enum herr do_decide(struct txn *t, void *arg)
{
	struct op_decide *o = arg;

	return o->fn(t, &o->a, o->id, "test", o->now, NULL);
}

static enum herr decide(struct fx *f, struct actor a, uint64_t id,
                        enum herr (*fn)(struct txn *t, const struct actor *a, uint64_t id,
                                        const char *note, int64_t now, struct booking *out))
{
	struct op_decide o = {a, id, f->now, fn, NULL};

	return db_write(f->db, do_decide, &o, &f->err);
}

enum herr fx_approve(struct fx *f, struct actor a, uint64_t id)
{
	return decide(f, a, id, booking_approve);
}

enum herr fx_decline(struct fx *f, struct actor a, uint64_t id)
{
	return decide(f, a, id, booking_decline);
}

enum herr fx_cancel(struct fx *f, struct actor a, uint64_t id)
{
	return decide(f, a, id, booking_cancel);
}

static enum herr do_update(struct txn *t, void *arg)
{
	struct op_decide *o = arg;

	return booking_update(t, &o->a, o->id, o->fields, o->now, NULL);
}

enum herr fx_update(struct fx *f, struct actor a, uint64_t id, const char *fields)
{
	json_error_t jerr;
	json_t *j = json_loads(fields, 0, &jerr);
	struct op_decide o = {a, id, f->now, NULL, j};
	enum herr ret;

	if (j == NULL)
		return herror_set(&f->err, H_EINVAL, "test fields: %s", jerr.text);
	ret = db_write(f->db, do_update, &o, &f->err);
	json_decref(j);
	return ret;
}

struct op_closure {
	struct closure c;
	int64_t now;
};

static enum herr do_closure(struct txn *t, void *arg)
{
	struct op_closure *o = arg;

	return closure_create(t, &ACTOR_CONSOLE, &o->c, o->now);
}

enum herr fx_closure(struct fx *f, enum closure_scope scope, uint64_t target, int64_t start,
                     int64_t end, uint64_t *id)
{
	struct op_closure o;
	enum herr ret;

	closure_init(&o.c);
	o.c.scope = scope;
	o.c.target = target;
	o.c.start = start;
	o.c.end = end;
	o.c.reason = "Works";
	o.now = f->now;
	ret = db_write(f->db, do_closure, &o, &f->err);
	if (id != NULL)
		*id = ret == H_OK ? o.c.id : 0;
	return ret;
}

enum herr fx_get(struct fx *f, uint64_t id, struct booking *out)
{
	struct txn t;
	enum herr ret;

	booking_init(out);
	ret = db_read_begin(f->db, &t, &f->err);
	if (ret != H_OK)
		return ret;
	ret = booking_get(&t, id, out);
	db_read_end(&t);
	return ret;
}

static void report(const char *problem, void *arg)
{
	(void)arg;
	printf("#   check: %s\n", problem);
}

size_t fx_check(struct fx *f)
{
	struct txn t;
	size_t n;

	if (db_read_begin(f->db, &t, &f->err) != H_OK) {
		t_fail(__FILE__, __LINE__, "fx_check: %s", f->err.msg);
		return (size_t)-1;
	}
	n = check_run(&t, report, NULL);
	db_read_end(&t);
	return n;
}

void fx_role_index(struct fx *f, char *out, size_t size)
{
	struct key none;
	struct scan s;
	struct txn t;
	size_t len = 0;

	out[0] = '\0';
	if (db_read_begin(f->db, &t, &f->err) != H_OK) {
		t_fail(__FILE__, __LINE__, "fx_role_index: %s", f->err.msg);
		return;
	}
	key_init(&none);
	scan_begin(&s, &t, DBI_USER_ROLE, &none, NULL);
	while (scan_next(&s) && len < size) {
		const uint8_t *k = s.k.mv_data;

		if (s.k.mv_size != ROLE_KEY_LEN || s.v.mv_size != 0)
			len += (size_t)snprintf(out + len, size - len, "malformed ");
		else
			len += (size_t)snprintf(out + len, size - len, "%c%llu:%llu ", k[0],
			                        (unsigned long long)key_get_u64(k + 1),
			                        (unsigned long long)key_get_u64(k + 9));
	}
	scan_end(&s);
	db_read_end(&t);
	if (len >= size)
		t_fail(__FILE__, __LINE__, "fx_role_index: more than %zu bytes", size);
}
