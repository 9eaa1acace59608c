/* The core's judges of request fields: one test of every integer (json_int_in), one
 * judge of booking bodies for POST, PATCH and the CLI, and the kinds' refusal of fields
 * they do not have. */
#include "fixture.h"
#include "t.h"

#include <stdio.h>
#include <string.h>

/* body as JSON text, judged; the message (or "") in msg. */
static enum herr judge(const char *body, enum booking_form form, const char *zone, bool strict,
                       char *msg, size_t size)
{
	json_error_t jerr;
	json_t *b = json_loads(body, 0, &jerr), *out = NULL;
	struct herror err;
	enum herr ret;

	herror_clear(&err);
	if (b == NULL)
		return H_ESTORAGE;
	ret = booking_fields_judge(b, form, zone, strict, &out, &err);
	snprintf(msg, size, "%s", ret == H_OK ? "" : err.msg);
	if ((ret == H_OK) != (out != NULL))
		ret = H_ESTORAGE; /* a judged object exactly when the body passed */
	json_decref(out);
	json_decref(b);
	return ret;
}

#define NEW_BODY(extra)                                                                            \
	"{\"room_id\": 1, \"group_id\": 2, \"title\": \"Choir\", \"start\": 1772366400, "          \
	"\"end\": 1772370000" extra "}"

TEST(fields_int_in)
{
	json_t *v = json_integer(4294967297LL);
	int64_t out = 0;

	T_CHECK(!json_int_in(v, 0, UINT32_MAX, &out));
	T_CHECK(json_int_in(v, 0, INT64_MAX, &out) && out == 4294967297LL);
	json_decref(v);
	v = json_real(1.0);
	T_CHECK(!json_int_in(v, 0, 10, &out));
	json_decref(v);
	v = json_string("3");
	T_CHECK(!json_int_in(v, 0, 10, &out));
	json_decref(v);
	T_CHECK(!json_int_in(NULL, 0, 10, &out));
}

TEST(fields_booking_judge)
{
	char msg[sizeof(((struct herror *)0)->msg)];

	T_EQ_ERR(judge(NEW_BODY(""), BOOKING_NEW, NULL, true, msg, sizeof(msg)), H_OK, NULL);
	T_EQ_ERR(judge(NEW_BODY(", \"attendees\": 4294967295"), BOOKING_NEW, NULL, true, msg,
	               sizeof(msg)),
	         H_OK, NULL);
	T_EQ_ERR(judge(NEW_BODY(", \"attendees\": 4294967297"), BOOKING_NEW, NULL, true, msg,
	               sizeof(msg)),
	         H_EINVAL, NULL);
	T_HAS_STR(msg, "attendees");
	/* The same value is refused the same way in an edit. */
	T_EQ_ERR(judge("{\"attendees\": 4294967297}", BOOKING_EDIT, NULL, true, msg, sizeof(msg)),
	         H_EINVAL, NULL);
	T_HAS_STR(msg, "attendees");
	T_EQ_ERR(judge("{\"attendees\": -1}", BOOKING_EDIT, NULL, true, msg, sizeof(msg)), H_EINVAL,
	         NULL);
	T_EQ_ERR(judge("{\"start\": 1099511627776}", BOOKING_EDIT, NULL, true, msg, sizeof(msg)),
	         H_EINVAL, NULL);
	T_HAS_STR(msg, "start");
	T_EQ_ERR(
	    judge("{\"start\": \"2026-03-10T10:00\"}", BOOKING_EDIT, NULL, true, msg, sizeof(msg)),
	    H_EINVAL, NULL);
	T_EQ_ERR(judge("{\"start\": \"2026-03-10T10:00\"}", BOOKING_EDIT, T_ZONE, true, msg,
	               sizeof(msg)),
	         H_OK, NULL);
	T_EQ_ERR(judge("{\"start\": \"9999-03-10T10:00\"}", BOOKING_EDIT, T_ZONE, true, msg,
	               sizeof(msg)),
	         H_EINVAL, NULL);
	T_EQ_ERR(judge("{\"room_id\": 3}", BOOKING_EDIT, NULL, true, msg, sizeof(msg)), H_EINVAL,
	         NULL);
	T_HAS_STR(msg, "room_id cannot be changed");
	T_EQ_ERR(
	    judge(NEW_BODY(", \"colour\": \"red\""), BOOKING_NEW, NULL, true, msg, sizeof(msg)),
	    H_EINVAL, NULL);
	T_HAS_STR(msg, "unknown field colour");
	/* Not strict: a series request's own keys are its own to judge. */
	T_EQ_ERR(judge(NEW_BODY(", \"rule\": \"FREQ=WEEKLY\""), BOOKING_NEW, NULL, false, msg,
	               sizeof(msg)),
	         H_OK, NULL);
	T_EQ_ERR(judge("{\"room_id\": 1, \"group_id\": 2, \"start\": 1772366400, \"end\": 1}",
	               BOOKING_NEW, NULL, true, msg, sizeof(msg)),
	         H_EINVAL, NULL);
	T_HAS_STR(msg, "title is required");
	T_EQ_ERR(judge(NEW_BODY(", \"public\": 1"), BOOKING_NEW, NULL, true, msg, sizeof(msg)),
	         H_EINVAL, NULL);
	T_EQ_ERR(judge(NEW_BODY(", \"description\": \"caf\\u001b\""), BOOKING_NEW, NULL, true, msg,
	               sizeof(msg)),
	         H_EINVAL, NULL);
	T_EQ_ERR(judge("[1]", BOOKING_EDIT, NULL, true, msg, sizeof(msg)), H_EINVAL, NULL);
}

TEST(fields_update_attendees_not_cut)
{
	struct fx f;
	struct booking b;
	uint64_t venue, room, group, id = 0;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Community Centre", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, "{\"capacity\": 10}");
	group = fx_group(&f, "Choir", 0);
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &id, NULL),
	         H_OK, &f.err);
	/* 2^32 + 1 was stored as 1, past the capacity check. */
	T_EQ_ERR(fx_update(&f, ACTOR_CONSOLE, id, "{\"attendees\": 4294967297}"), H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "attendees");
	T_EQ_ERR(fx_get(&f, id, &b), H_OK, &f.err);
	T_EQ_INT(b.attendees, 1);
	booking_free(&b);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

struct kind_write {
	const struct kind *kind;
	uint64_t id;
	json_t *fields;
};

static enum herr kind_write_run(struct txn *t, void *arg)
{
	struct kind_write *w = arg;
	json_t *out = NULL;
	enum herr ret = w->kind->save(t, &ACTOR_CONSOLE, w->id, w->fields, T_NOW, &out);

	json_decref(out);
	return ret;
}

static enum herr kind_write(struct fx *f, const struct kind *k, uint64_t id, const char *fields)
{
	struct kind_write w = {k, id, json_loads(fields, 0, NULL)};
	enum herr ret = db_write(f->db, kind_write_run, &w, &f->err);

	json_decref(w.fields);
	return ret;
}

TEST(fields_kind_unknown)
{
	struct fx f;
	uint64_t venue, room, group, user;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Community Centre", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, NULL);
	group = fx_group(&f, "Choir", 0);
	T_EQ_ERR(kind_write(&f, &kind_venue, 0, "{\"name\": \"Hall\", \"colour\": 1}"), H_EINVAL,
	         &f.err);
	T_HAS_STR(f.err.msg, "unknown field colour");
	T_EQ_ERR(kind_write(&f, &kind_venue, venue, "{\"id\": 9}"), H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "unknown field id");
	T_EQ_ERR(kind_write(&f, &kind_room, room, "{\"capactiy\": 9}"), H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "capactiy");
	T_EQ_ERR(kind_write(&f, &kind_room, room, "{\"capacity\": 4294967297}"), H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "capacity");
	T_EQ_ERR(kind_write(&f, &kind_room, room, "{\"horizon_days\": 4294967297}"), H_EINVAL,
	         &f.err);
	T_EQ_ERR(kind_write(&f, &kind_group, group, "{\"trusted_at\": [9223372036854775807, 0]}"),
	         H_EINVAL, &f.err);
	T_EQ_ERR(kind_write(&f, &kind_group, group, "{\"name\": \"Choir\", \"members\": []}"),
	         H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "members");
	T_EQ_ERR(kind_write(&f, &kind_group, group, "{\"name\": \"Choir 2\"}"), H_OK, &f.err);
	/* Users too: a misspelt field ("rol") is refused, not ignored as if the change were made.
	 */
	user = fx_user(&f, "sam@example.org", ROLE_MEMBER, group);
	T_EQ_ERR(kind_write(&f, &kind_user, user, "{\"rol\": \"admin\"}"), H_EINVAL, &f.err);
	T_HAS_STR(f.err.msg, "unknown field rol");
	T_EQ_ERR(kind_write(&f, &kind_user, user, "{\"name\": \"Sam\"}"), H_OK, &f.err);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

/* One bad value for a field, and the words every form must refuse it with. */
struct bad_value {
	const char *key, *json, *words;
	bool editable; /* PATCH, `halls booking move` and series edits take it too */
	bool instant;  /* a time: the edit paths past the front end take UTC seconds only */
};

static const struct bad_value bad_values[] = {
    {"attendees", "-1", "attendees must be a whole number from 0 to 4294967295", true, false},
    {"attendees", "4294967296", "attendees must be a whole number from 0 to 4294967295", true,
     false},
    {"attendees", "\"5\"", "attendees must be a whole number from 0 to 4294967295", true, false},
    {"attendees", "null", "attendees must be a whole number from 0 to 4294967295", true, false},
    {"attendees", "1.5", "attendees must be a whole number from 0 to 4294967295", true, false},
    {"title", "\"\"", "title must not be blank", true, false},
    {"title", "\"   \"", "title must not be blank", true, false},
    {"title", "null", "title must be text", true, false},
    {"title", "5", "title must be text", true, false},
    {"title", "\"a\\u0007b\"", "title contains a control character", true, false},
    {"description", "5", "description must be text or null", true, false},
    {"description", "\"\\u001b[2J\"", "description contains a control character", true, false},
    {"public", "1", "public must be true or false", true, false},
    {"public", "\"yes\"", "public must be true or false", true, false},
    {"public", "null", "public must be true or false", true, false},
    {"start", "1099511627776", "start: ", true, false},
    {"start", "-1", "start: ", true, false},
    {"start", "\"2026-12-1\"", "start: \"2026-12-1\" is not a time", true, true},
    {"start", "\"2027-03-28T01:30\"", "does not exist in Europe/London", true, true},
    {"start", "null", "start must be a time", true, true},
    {"end", "\"tomorrow\"", "end: \"tomorrow\" is not a time", true, true},
    {"room_id", "0", "room_id must be an id", false, false},
    {"room_id", "\"1\"", "room_id must be an id", false, false},
    {"group_id", "-4", "group_id must be an id", false, false},
};

/* A new request's body with key set to the value (JSON text). */
static json_t *bad_new_body(const struct bad_value *v)
{
	json_t *b = json_loads(NEW_BODY(""), 0, NULL);

	json_object_set_new(b, v->key, json_loads(v->json, JSON_DECODE_ANY, NULL));
	return b;
}

static json_t *bad_edit_body(const struct bad_value *v)
{
	json_t *b = json_object();

	json_object_set_new(b, v->key, json_loads(v->json, JSON_DECODE_ANY, NULL));
	return b;
}

/* The words of a judge: POST (BOOKING_NEW) or PATCH (BOOKING_EDIT). */
static void judge_words(json_t *body, enum booking_form form, char *msg, size_t size)
{
	struct herror err;
	json_t *out = NULL;

	herror_clear(&err);
	if (booking_fields_judge(body, form, T_ZONE, true, &out, &err) == H_OK)
		snprintf(msg, size, "(accepted)");
	else
		snprintf(msg, size, "%s", err.msg);
	json_decref(out);
	json_decref(body);
}

struct series_edit {
	uint64_t id;
	const char *fields;
};

static enum herr series_edit_run(struct txn *t, void *arg)
{
	struct series_edit *e = arg;
	json_t *fields = json_loads(e->fields, 0, NULL);
	enum herr ret = series_update(t, &ACTOR_CONSOLE, e->id, fields, T_NOW, NULL);

	json_decref(fields);
	return ret;
}

static enum herr series_make_run(struct txn *t, void *arg)
{
	struct series *s = arg;
	struct series_outcome out;
	enum herr ret = series_create(t, &ACTOR_CONSOLE, s, false, false, T_NOW, &out);

	series_outcome_free(&out);
	return ret;
}

/* The same bad value is refused in the same words by a new request (POST, `halls booking
 * request`, a series request), by an edit (PATCH, `halls booking move`), by the edit the
 * core applies (booking_update), by a series edit (PATCH /series, `halls series set`), and
 * by the one-field judge the CLI reads the room with. */
TEST(fields_same_words_every_form)
{
	struct fx f;
	struct series s;
	uint64_t venue, room, group, id = 0;
	char words[5][sizeof(((struct herror *)0)->msg)];

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Community Centre", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, NULL);
	group = fx_group(&f, "Choir", 0);
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &id, NULL),
	         H_OK, &f.err);
	series_init(&s);
	s.room_id = room;
	s.group_id = group;
	s.title = xstrdup("Choir");
	s.first_start = fx_at("2026-03-11T10:00");
	s.duration = 3600;
	s.rrule = xstrdup("FREQ=WEEKLY;COUNT=2");
	T_EQ_ERR(db_write(f.db, series_make_run, &s, &f.err), H_OK, &f.err);
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const struct bad_value *v = &bad_values[i];
		size_t n = 1;
		json_t *edit_body = bad_edit_body(v);
		char *edit = json_dumps(edit_body, 0);

		json_decref(edit_body);
		judge_words(bad_new_body(v), BOOKING_NEW, words[0], sizeof(words[0]));
		T_HAS_STR(words[0], v->words);
		if (v->editable) {
			judge_words(bad_edit_body(v), BOOKING_EDIT, words[n++], sizeof(words[0]));
			if (!v->instant) {
				fx_update(&f, ACTOR_CONSOLE, id, edit);
				snprintf(words[n++], sizeof(words[0]), "%s", f.err.msg);
			}
			if (strcmp(v->key, "start") != 0 && strcmp(v->key, "end") != 0) {
				struct series_edit e = {s.id, edit};

				herror_clear(&f.err);
				db_write(f.db, series_edit_run, &e, &f.err);
				snprintf(words[n++], sizeof(words[0]), "%s", f.err.msg);
			}
		} else {
			struct herror err;
			json_t *value = json_loads(v->json, JSON_DECODE_ANY, NULL), *out = NULL;

			herror_clear(&err);
			booking_field_judge(v->key, value, T_ZONE, &out, &err);
			snprintf(words[n++], sizeof(words[0]), "%s", err.msg);
			json_decref(value);
			json_decref(out);
		}
		for (size_t k = 1; k < n; k++)
			if (strcmp(words[k], words[0]) != 0)
				t_fail(__FILE__, __LINE__,
				       "%s = %s: form %zu says \"%s\", a new request \"%s\"",
				       v->key, v->json, k, words[k], words[0]);
		free(edit);
	}
	series_free(&s);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

/* A series edit judges its fields as a booking edit does: a field a booking edit may not
 * change, or no field at all, in the same words. Times have words of their own: a
 * series' dates move one by one. */
TEST(fields_series_edit_words)
{
	struct fx f;
	struct series s;
	uint64_t venue, room, group, id = 0;
	static const char *const bodies[] = {"{\"room_id\": 3}", "{\"colour\": \"red\"}",
	                                     "{\"approve\": true}"};

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Community Centre", T_ZONE, T_HOURS);
	room = fx_room(&f, venue, NULL);
	group = fx_group(&f, "Choir", 0);
	T_EQ_ERR(fx_request(&f, ACTOR_CONSOLE, room, group, fx_at("2026-03-10T10:00"),
	                    fx_at("2026-03-10T11:00"), false, &id, NULL),
	         H_OK, &f.err);
	series_init(&s);
	s.room_id = room;
	s.group_id = group;
	s.title = xstrdup("Choir");
	s.first_start = fx_at("2026-03-11T10:00");
	s.duration = 3600;
	s.rrule = xstrdup("FREQ=WEEKLY;COUNT=2");
	T_EQ_ERR(db_write(f.db, series_make_run, &s, &f.err), H_OK, &f.err);
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct series_edit e = {s.id, bodies[i]};
		char booking_words[sizeof(f.err.msg)];

		T_EQ_ERR(fx_update(&f, ACTOR_CONSOLE, id, bodies[i]), H_EINVAL, &f.err);
		snprintf(booking_words, sizeof(booking_words), "%s", f.err.msg);
		T_EQ_ERR(db_write(f.db, series_edit_run, &e, &f.err), H_EINVAL, &f.err);
		T_EQ_STR(f.err.msg, booking_words);
	}
	{
		struct series_edit e = {s.id, "{\"end\": 1772366400}"};

		T_EQ_ERR(db_write(f.db, series_edit_run, &e, &f.err), H_EINVAL, &f.err);
		T_HAS_STR(f.err.msg, "move one date through its booking (not end)");
	}
	series_free(&s);
	fx_close(&f);
}
