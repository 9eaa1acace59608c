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
