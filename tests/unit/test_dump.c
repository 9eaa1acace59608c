/* Export and import: a store survives the round trip byte for byte. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>

/* Exports f's store; the caller frees the text. */
static char *export_all(struct fx *f, size_t *len)
{
	struct txn t;
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	if (out == NULL) {
		t_fail(__FILE__, __LINE__, "open_memstream failed");
		return NULL;
	}
	if (db_read_begin(f->db, &t, &f->err) == H_OK) {
		T_EQ_ERR(dump_export(&t, out), H_OK, &f->err);
		db_read_end(&t);
	}
	fclose(out);
	return buf;
}

struct op_import {
	const char *text;
	int lines;
	int failed_line;
};

/* Imports every line of o->text in this one transaction. */
static enum herr do_import(struct txn *t, void *arg)
{
	struct op_import *o = arg;
	char *copy = xstrdup(o->text), *save = NULL;
	enum herr ret = H_OK;

	o->lines = 0;
	o->failed_line = 0;
	for (char *line = strtok_r(copy, "\n", &save); line && ret == H_OK;
	     line = strtok_r(NULL, "\n", &save)) {
		o->lines++;
		ret = dump_import_line(t, line, t->err);
		if (ret != H_OK)
			o->failed_line = o->lines;
	}
	free(copy);
	return ret;
}

struct op_password {
	char *hash;
};

/* Gives user 3 (the admin) a password. */
static enum herr do_password(struct txn *t, void *arg)
{
	struct op_password *o = arg;
	struct user u;
	enum herr ret = user_get(t, 3, &u);

	if (ret == H_OK) {
		free(u.password_hash);
		u.password_hash = xstrdup(o->hash);
		ret = account_update(t, &ACTOR_CONSOLE, &u, T_NOW);
	}
	user_free(&u);
	return ret;
}

static void populate(struct fx *f)
{
	uint64_t v1 = fx_venue(f, "Centre", T_ZONE, "mon-fri 09:00-22:00; sat 10:00-16:00");
	uint64_t v2 = fx_venue(f, "Library", "Australia/Sydney", "mon-sun 00:00-24:00");
	uint64_t r1 = fx_room(f, v1,
	                      "{\"capacity\": 80, \"features\": [\"stage\", \"kitchen\"], "
	                      "\"setup_minutes\": 15, \"cleanup_minutes\": 10, \"approval\": "
	                      "\"trusted\", \"description\": \"Sprung floor, piano — café\", "
	                      "\"hold_hours\": 48}");
	uint64_t r2 = fx_room(f, v2, "{\"name\": \"Reading room\", \"approval\": \"auto\"}");
	uint64_t g1 = fx_group(f, "Choir 😀", v1), g2 = fx_group(f, "Scouts", 0);
	uint64_t id;

	T_CHECK(fx_user(f, "Member@Choir.Example", ROLE_MEMBER, g1) != 0);
	T_CHECK(fx_user(f, "mgr@centre.example", ROLE_MANAGER, v1) != 0);
	T_CHECK(fx_user(f, "admin@council.example", ROLE_ADMIN, 0) != 0);
	T_EQ_ERR(fx_closure(f, CLOSURE_VENUE, v1, fx_at("2026-03-20T00:00"),
	                    fx_at("2026-03-21T00:00"), NULL),
	         H_OK, &f->err);
	T_EQ_ERR(fx_closure(f, CLOSURE_ROOM, r2, fx_at("2026-03-22T00:00"),
	                    fx_at("2026-03-23T00:00"), NULL),
	         H_OK, &f->err);
	/* Bookings 1-4: approved, declined, pending (holding its slot), cancelled. */
	T_EQ_ERR(fx_book(f, r1, g1, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), NULL),
	         H_OK, &f->err);
	T_EQ_ERR(fx_request(f, ACTOR_CONSOLE, r1, g2, fx_at("2026-03-10T12:00"),
	                    fx_at("2026-03-10T13:00"), false, &id, NULL),
	         H_OK, &f->err);
	T_EQ_ERR(fx_decline(f, ACTOR_CONSOLE, id), H_OK, &f->err);
	T_EQ_ERR(fx_request(f, ACTOR_CONSOLE, r1, g2, fx_at("2026-03-11T12:00"),
	                    fx_at("2026-03-11T13:00"), false, NULL, NULL),
	         H_OK, &f->err);
	T_EQ_ERR(
	    fx_book(f, r2, g2, fx_at("2026-03-12T01:00:00Z"), fx_at("2026-03-12T02:00:00Z"), &id),
	    H_OK, &f->err);
	T_EQ_ERR(fx_cancel(f, ACTOR_CONSOLE, id), H_OK, &f->err);
	T_EQ_ERR(fx_update(f, ACTOR_CONSOLE, 1,
	                   "{\"description\": \"Line one\\nline two\", \"public\": true}"),
	         H_OK, &f->err);
	/* A user with a password hash, which export keeps. */
	{
		struct op_password o = {0};

		o.hash = password_hash("secret", 10);
		T_ASSERT(o.hash != NULL);
		T_EQ_ERR(db_write(f->db, do_password, &o, &f->err), H_OK, &f->err);
		free(o.hash);
	}
}

TEST(dump_round_trip)
{
	struct fx a, b;
	char *first, *second;
	size_t n1 = 0, n2 = 0;
	struct op_import o;

	T_ASSERT(fx_open(&a));
	populate(&a);
	first = export_all(&a, &n1);
	T_ASSERT(first != NULL);
	/* Every kind is there. */
	T_HAS_STR(first, "{\"kind\":\"venue\"");
	T_HAS_STR(first, "{\"kind\":\"room\"");
	T_HAS_STR(first, "{\"kind\":\"group\"");
	T_HAS_STR(first, "{\"kind\":\"user\"");
	T_HAS_STR(first, "{\"kind\":\"closure\"");
	T_HAS_STR(first, "{\"kind\":\"booking\"");
	T_HAS_STR(first, "{\"kind\":\"audit\"");
	T_HAS_STR(first, "{\"kind\":\"hold\",\"record\":{\"booking_id\":3,\"id\":3,");
	T_HAS_STR(first, "\"password_hash\":\"scrypt$10$");

	if (fx_open(&b)) {
		o.text = first;
		T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_OK, &b.err);
		T_EQ_INT(o.failed_line, 0);
		T_CHECK(o.lines > 20);
		second = export_all(&b, &n2);
		T_EQ_INT(n2, n1);
		T_CHECK(second != NULL && n1 == n2 && memcmp(first, second, n1) == 0);
		free(second);
		T_EQ_INT(fx_check(&b), 0);

		/* The imported store goes on: new ids follow the imported ones, and the rules
		 * see the imported bookings. */
		{
			uint64_t id = 0;

			T_EQ_ERR(fx_book(&b, 1, 1, fx_at("2026-03-10T10:30"),
			                 fx_at("2026-03-10T11:30"), NULL),
			         H_ECONFLICT, &b.err);
			T_EQ_INT(b.err.conflicts[0], 1);
			T_EQ_ERR(fx_book(&b, 1, 1, fx_at("2026-03-10T15:00"),
			                 fx_at("2026-03-10T16:00"), &id),
			         H_OK, &b.err);
			T_EQ_INT(id, 5);
			T_EQ_INT(fx_venue(&b, "Third", NULL, NULL), 3);
		}
		fx_close(&b);
	}
	free(first);
	fx_close(&a);
}

TEST(dump_import_refused)
{
	struct fx a, b;
	char *text, *line, *end;
	size_t n = 0;
	struct op_import o;

	T_ASSERT(fx_open(&a));
	populate(&a);
	text = export_all(&a, &n);
	fx_close(&a);
	T_ASSERT(text != NULL);
	T_ASSERT(fx_open(&b));

	/* A booking whose room is not loaded. */
	line = strstr(text, "{\"kind\":\"booking\"");
	T_ASSERT(line != NULL);
	end = strchr(line, '\n');
	T_ASSERT(end != NULL);
	*end = '\0';
	o.text = line;
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	T_HAS_STR(b.err.msg, "room");
	*end = '\n';
	/* A room whose venue is not loaded. */
	line = strstr(text, "{\"kind\":\"room\"");
	T_ASSERT(line != NULL);
	end = strchr(line, '\n');
	*end = '\0';
	o.text = line;
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	*end = '\n';

	/* Nothing was written. */
	{
		char *empty;
		size_t n2 = 0;

		/* Only the instance line that every export starts with. */
		empty = export_all(&b, &n2);
		T_ASSERT(empty != NULL && strncmp(empty, "{\"kind\":\"instance\"", 18) == 0);
		T_ASSERT(empty != NULL && strchr(empty, '\n') == empty + n2 - 1);
		free(empty);
	}

	/* Lines that are not records. */
	o.text = "not json";
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	o.text = "{\"kind\":\"spaceship\",\"record\":{\"id\":1}}";
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	o.text = "{\"kind\":\"venue\",\"record\":{\"id\":0,\"name\":\"x\"}}";
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	o.text = "{\"kind\":\"venue\",\"record\":{\"id\":1,\"name\":\"x\",\"hours\":\"nonsense\"}}";
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	o.text = "[1,2,3]";
	T_EQ_ERR(db_write(b.db, do_import, &o, &b.err), H_EINVAL, &b.err);
	free(text);
	fx_close(&b);
}

/* dump.c loads records in dependency order and refuses a room or booking whose venue,
 * room or group is not loaded; closures, users and groups refer to records as well, and
 * a dangling reference from them is just as wrong. */
TEST(dump_import_dangling_refs)
{
	static const char *const lines[] = {
	    "{\"kind\":\"closure\",\"record\":{\"id\":1,\"scope\":\"room\",\"room_id\":99,"
	    "\"start\":1772366400,\"end\":1772370000,\"reason\":\"Works\"}}",
	    "{\"kind\":\"closure\",\"record\":{\"id\":2,\"scope\":\"venue\",\"venue_id\":99,"
	    "\"start\":1772366400,\"end\":1772370000,\"reason\":\"Works\"}}",
	    "{\"kind\":\"user\",\"record\":{\"id\":1,\"name\":\"A\",\"email\":\"a@b.example\","
	    "\"role\":\"member\",\"groups\":[99]}}",
	    "{\"kind\":\"user\",\"record\":{\"id\":2,\"name\":\"B\",\"email\":\"b@b.example\","
	    "\"role\":\"manager\",\"venues\":[99]}}",
	    "{\"kind\":\"group\",\"record\":{\"id\":1,\"name\":\"G\",\"trusted_at\":[99]}}",
	};
	struct fx f;
	struct op_import o;

	T_ASSERT(fx_open(&f));
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		enum herr ret;

		o.text = lines[i];
		ret = db_write(f.db, do_import, &o, &f.err);
		if (ret != H_EINVAL)
			t_fail(__FILE__, __LINE__, "importing %s into an empty store gave %s",
			       lines[i], herr_name(ret));
	}
	fx_close(&f);
}

/* A record that appears twice is refused with H_EEXISTS naming it. (dump.c once
 * formatted that message from the parsed line after freeing it: under AddressSanitizer
 * this test catches that heap-use-after-free.) */
TEST(dump_import_duplicate)
{
	static const char *const twice =
	    "{\"kind\":\"venue\",\"record\":{\"id\":1,\"name\":\"Centre\"}}\n"
	    "{\"kind\":\"venue\",\"record\":{\"id\":1,\"name\":\"Centre\"}}\n";
	struct fx f;
	struct op_import o = {twice, 0, 0};

	T_ASSERT(fx_open(&f));
	T_EQ_ERR(db_write(f.db, do_import, &o, &f.err), H_EEXISTS, &f.err);
	T_EQ_INT(o.failed_line, 2);
	T_EQ_STR(f.err.msg, "venue 1 appears twice");
	fx_close(&f);
}

static enum herr do_refuse_filled(struct txn *t, void *arg)
{
	(void)arg;
	return dump_refuse_filled(t);
}

/* A whole store (an import, the demo) goes only into an empty one. */
TEST(dump_refuse_filled)
{
	struct fx f;

	T_ASSERT(fx_open(&f));
	T_EQ_ERR(db_write(f.db, do_refuse_filled, NULL, &f.err), H_OK, &f.err);
	T_CHECK(fx_venue(&f, "Centre", NULL, NULL) != 0);
	T_EQ_ERR(db_write(f.db, do_refuse_filled, NULL, &f.err), H_EEXISTS, &f.err);
	T_HAS_STR(f.err.msg, "already has data (it has venues)");
	fx_close(&f);
}

/* Holds and rounds: what import refuses, each in words. */
#define ZERO_SEED "0000000000000000000000000000000000000000000000000000000000000000"
/* SHA-256 of 32 zero bytes. */
#define ZERO_COMMIT "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
#define ROUND_LINE(extra)                                                                          \
	"{\"kind\":\"round\",\"record\":{\"id\":1,\"venue_id\":1,\"name\":\"Autumn\",\"slots\":"   \
	"[{\"id\":1,\"room_id\":1,\"weekday\":1,\"start\":\"19:00\",\"end\":\"21:00\"}],"          \
	"\"first_date\":\"2026-09-07\",\"last_date\":\"2026-12-14\",\"skip_date_sets\":[],"        \
	"\"deadline\":1788000000,\"classes\":[],\"outcome\":\"pending\",\"seed\":\"" ZERO_SEED     \
	"\",\"seed_source\":\"zeros\",\"state\":\"open\",\"created_at\":1787000000,"               \
	"\"updated_at\":1787000000,\"created_by\":0" extra "}}"
#define APP_LINE(id, group, prefs)                                                                 \
	"{\"kind\":\"round-application\",\"record\":{\"id\":" id                                   \
	",\"round_id\":1,\"group_id\":" group ",\"preferences\":" prefs                            \
	",\"created_at\":1787000000,\"updated_at\":1787000000,"                                    \
	"\"created_by\":0}}"

static enum herr import_lines(struct fx *f, const char *text)
{
	struct op_import o = {text, 0, 0};

	return db_write(f->db, do_import, &o, &f->err);
}

TEST(dump_import_holds_and_rounds)
{
	static const char *const base =
	    "{\"kind\":\"venue\",\"record\":{\"id\":1,\"name\":\"Centre\"}}\n"
	    "{\"kind\":\"room\",\"record\":{\"id\":1,\"venue_id\":1,\"name\":\"Hall\"}}\n"
	    "{\"kind\":\"group\",\"record\":{\"id\":1,\"name\":\"Choir\"}}\n"
	    "{\"kind\":\"booking\",\"record\":{\"id\":1,\"room_id\":1,\"group_id\":1,\"title\":"
	    "\"x\",\"status\":\"pending\",\"start_ts\":1788000000,\"end_ts\":1788003600}}\n"
	    "{\"kind\":\"booking\",\"record\":{\"id\":2,\"room_id\":1,\"group_id\":1,\"title\":"
	    "\"x\",\"status\":\"approved\",\"start_ts\":1788010000,\"end_ts\":1788013600}}\n";
	static const struct {
		const char *lines, *says;
		enum herr code;
	} refused[] = {
	    {"{\"kind\":\"hold\",\"record\":{\"id\":9,\"booking_id\":9,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false}}",
	     "refers to booking 9, which is not loaded", H_EINVAL},
	    {"{\"kind\":\"hold\",\"record\":{\"id\":2,\"booking_id\":2,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false}}",
	     "the booking is approved", H_EINVAL},
	    {"{\"kind\":\"hold\",\"record\":{\"id\":1,\"booking_id\":2,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false}}",
	     "the same booking's id", H_EINVAL},
	    {"{\"kind\":\"hold\",\"record\":{\"id\":1,\"booking_id\":1,\"until\":1787000000,"
	     "\"warn_at\":1787100000,\"warned\":0}}",
	     "warn_at not after until", H_EINVAL},
	    {"{\"kind\":\"hold\",\"record\":{\"id\":1,\"booking_id\":1,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false,\"spare\":1}}",
	     "a hold: ", H_EINVAL},
	    {"{\"kind\":\"hold\",\"record\":{\"id\":1,\"booking_id\":1,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false}}\n"
	     "{\"kind\":\"hold\",\"record\":{\"id\":1,\"booking_id\":1,\"until\":1787100000,"
	     "\"warn_at\":1787000000,\"warned\":false}}",
	     "the hold of booking 1 appears twice", H_EEXISTS},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT
	                "\"") "\n" ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT "\""),
	     "round 1 appears twice", H_EEXISTS},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_SEED "\""), "commitment (SHA-256 of the seed)",
	     H_EINVAL},
	    {ROUND_LINE(""), "commitment (SHA-256 of the seed)", H_EINVAL},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT "\",\"outcome\":7"), "an outcome",
	     H_EINVAL},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT "\",\"classes\":[{\"says\":\"x\","
	                "\"group_kinds\":[7]}]"),
	     "classes, each", H_EINVAL},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT "\",\"slots\":[{\"id\":2,\"room_id\":1,"
	                "\"weekday\":1,\"start\":\"19:00\",\"end\":\"21:00\"}]"),
	     "slots, each", H_EINVAL},
	    {APP_LINE("1", "1", "[1]"), "refers to round 1, which is not loaded", H_EINVAL},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT "\"") "\n" APP_LINE("1", "1", "[2]"),
	     "preference 1 must be one of the round's slots", H_EINVAL},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT
	                "\"") "\n" APP_LINE("1", "1", "[1]") "\n" APP_LINE("2", "1", "[1]"),
	     "group 1 applies to round 1 twice", H_EEXISTS},
	    {ROUND_LINE(",\"commitment\":\"" ZERO_COMMIT
	                "\"") "\n" APP_LINE("1", "1", "[1]") "\n" APP_LINE("1", "1", "[1]"),
	     "application 1 appears twice", H_EEXISTS},
	    {"{\"kind\":\"round\",\"record\":{\"id\":1,\"venue_id\":2}}",
	     "refers to venue 2, which is not loaded", H_EINVAL},
	    {"{\"kind\":\"round-application\",\"record\":{\"id\":1,\"round_id\":\"x\"}}",
	     "not loaded", H_EINVAL},
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct fx f;
		char *text;

		T_ASSERT(fx_open(&f));
		text = xmalloc(strlen(base) + strlen(refused[i].lines) + 1);
		strcpy(text, base);
		strcat(text, refused[i].lines);
		T_EQ_ERR(import_lines(&f, text), refused[i].code, &f.err);
		T_HAS_STR(f.err.msg, refused[i].says);
		free(text);
		fx_close(&f);
	}

	/* What is well formed loads, and goes out again as it came in, queues rebuilt. */
	{
		static const char *const good =
		    "{\"kind\":\"hold\",\"record\":{\"booking_id\":1,\"id\":1,\"until\":1787100000,"
		    "\"warn_at\":1787000000,\"warned\":false}}\n" ROUND_LINE(
		        ",\"commitment\":\"" ZERO_COMMIT "\"") "\n" APP_LINE("1", "1", "[1]") "\n";
		struct fx f;
		char *text, *out;
		size_t n = 0;

		T_ASSERT(fx_open(&f));
		text = xmalloc(strlen(base) + strlen(good) + 1);
		strcpy(text, base);
		strcat(text, good);
		T_EQ_ERR(import_lines(&f, text), H_OK, &f.err);
		out = export_all(&f, &n);
		T_ASSERT(out != NULL);
		T_HAS_STR(out, "{\"kind\":\"hold\",\"record\":{\"booking_id\":1,\"id\":1,"
		               "\"until\":1787100000,\"warn_at\":1787000000,\"warned\":false}}\n"
		               "{\"kind\":\"round\",");
		T_HAS_STR(out, "\"kind\":\"round-application\",\"record\":{\"created_at\":"
		               "1787000000,\"created_by\":0,\"group_id\":1,\"id\":1,");
		T_EQ_INT(fx_check(&f), 0);
		free(out);
		free(text);
		fx_close(&f);
	}
}
