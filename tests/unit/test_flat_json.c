/* flat_json.h, the in-place reader of flat records, and booking_get, which reads a
 * booking's record with it: the same booking as jansson's reading gives, for every record,
 * those the reader leaves to jansson and those jansson refuses included. */
#include "t.h"

#include "fixture.h"
#include "flat_json.h"
#include "key.h"
#include "record.h"

#include <stdlib.h>

/* Reads text to the end: the number of members, or -1 when the reader leaves it. */
static int flat_count(const char *text)
{
	struct flat_reader r;
	struct flat_member m;
	int n = 0, more;

	if (!flat_begin(&r, text, strlen(text)))
		return -1;
	while ((more = flat_next(&r, &m)) == 1)
		n++;
	return more == 0 ? n : -1;
}

TEST(flat_json_members)
{
	const char *text =
	    " {\"a\":1, \"b\" : -42 ,\"c\":\"x\\\"y\\\\z\\/\\n\\t\",\"d\":null,"
	    "\"e\":true,\"f\":false,\"g\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5\","
	    "\"h\":0}\n ";
	struct flat_reader r;
	struct flat_member m;
	char *s;

	T_ASSERT(flat_begin(&r, text, strlen(text)));
	T_EQ_INT(flat_next(&r, &m), 1);
	T_CHECK(flat_key_is(&m, "a") && !flat_key_is(&m, "ab"));
	T_EQ_INT(m.kind, FLAT_INT);
	T_EQ_INT(m.i, 1);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_CHECK(flat_key_is(&m, "b"));
	T_EQ_INT(m.i, -42);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_EQ_INT(m.kind, FLAT_STR);
	T_CHECK(m.s_escaped);
	s = flat_strdup(&m);
	T_EQ_STR(s, "x\"y\\z/\n\t");
	free(s);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_EQ_INT(m.kind, FLAT_NULL);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_EQ_INT(m.kind, FLAT_TRUE);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_EQ_INT(m.kind, FLAT_FALSE);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_CHECK(!m.s_escaped);
	s = flat_strdup(&m);
	T_EQ_STR(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5");
	free(s);
	T_EQ_INT(flat_next(&r, &m), 1);
	T_EQ_INT(m.i, 0);
	T_EQ_INT(flat_next(&r, &m), 0);
	T_EQ_INT(flat_count("{}"), 0);
	T_EQ_INT(flat_count("{\"big\":999999999999999999}"), 1);
}

/* What the reader leaves to jansson: all of it valid JSON jansson reads, or not JSON. */
TEST(flat_json_leaves)
{
	static const char *const left[] = {
	    "[1]",
	    "{\"a\":[1]}",
	    "{\"a\":{}}",
	    "{\"a\":1.5}",
	    "{\"a\":1e3}",
	    "{\"a\":01}",
	    "{\"a\":-}",
	    "{\"a\":1234567890123456789}", /* 19 digits: jansson judges overflow */
	    "{\"a\":\"\\u00e9\"}",
	    "{\"a\\n\":1}",
	    "{\"a\":\"\\x\"}",
	    "{\"a\":\"tab\there\"}",
	    "{\"a\":\"\xc0\xaf\"}",         /* overlong */
	    "{\"a\":\"\xed\xa0\x80\"}",     /* a surrogate */
	    "{\"a\":\"\xf4\x90\x80\x80\"}", /* above U+10FFFF */
	    "{\"a\":\"\xe2\x82\"}",         /* cut short */
	    "{\"a\":\"\xff\"}",
	    "{\"a\":\"open}",
	    "{\"a\":1,}",
	    "{\"a\":1 \"b\":2}",
	    "{\"a\":nul}",
	    "{\"a\":nullx}",
	    "{\"a\":truefalse}",
	    "{\"a\":1}x",
	    "{\"a\":1}{}",
	    "{\"a\":1",
	    "{\"a\" 1}",
	    "{a:1}",
	    "",
	};

	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++)
		if (flat_count(left[i]) != -1)
			t_fail(__FILE__, __LINE__, "read, not left: %s", left[i]);
}

/* Puts text as booking id's record, as is. */
struct raw_record {
	uint64_t id;
	const char *text;
};

static enum herr put_raw(struct txn *t, void *arg)
{
	const struct raw_record *r = arg;
	struct key k = key_id(r->id);
	size_t n = strlen(r->text);
	char *v = malloc(n + 1);

	v[0] = RECORD_V1;
	memcpy(v + 1, r->text, n);
	txn_put(t, DBI_BOOKING, &k, v, n + 1);
	free(v);
	return t->ret;
}

static void booking_same(const struct booking *a, const struct booking *b, const char *text)
{
	if (a->id != b->id || a->room_id != b->room_id || a->group_id != b->group_id ||
	    a->series_id != b->series_id || a->recurrence_id != b->recurrence_id ||
	    a->attendees != b->attendees || a->start != b->start || a->end != b->end ||
	    a->status != b->status || a->public != b->public || a->created_by != b->created_by ||
	    a->created_at != b->created_at || a->decided_by != b->decided_by ||
	    a->decided_at != b->decided_at || a->sequence != b->sequence ||
	    a->updated_at != b->updated_at || a->was_approved != b->was_approved)
		t_fail(__FILE__, __LINE__, "numbers differ from jansson's: %s", text);
	T_EQ_STR(a->title, b->title);
	T_EQ_STR(a->description, b->description);
	T_EQ_STR(a->note, b->note);
}

/* booking_get against booking_from_json on json_loadb's tree, record by record. */
TEST(booking_get_as_jansson_reads)
{
	static const char *const records[] = {
	    "{\"attendees\":10,\"created_at\":1796083200,\"created_by\":0,\"decided_at\":"
	    "1796083200,\"decided_by\":0,\"description\":\"\",\"end_ts\":1796763600,\"group_id\":"
	    "1,\"id\":1,\"note\":null,\"public\":true,\"room_id\":2,\"sequence\":0,\"series_id\":"
	    "null,\"start_ts\":1796756400,\"status\":\"approved\",\"title\":\"Knit and "
	    "natter\",\"updated_at\":1796083200,\"was_approved\":true}",
	    "{\"id\":2,\"status\":\"pending\",\"title\":\"Caf\xc3\xa9 \\\"quoted\\\"\\n\","
	    "\"description\":\"line\\r\\nnext\",\"note\":\"why\",\"series_id\":7,"
	    "\"recurrence_id\":1796756400,\"decided_by\":null,\"public\":false,\"extra\":\"x\","
	    "\"other\":12}",
	    /* no was_approved: an approved one was approved */
	    "{\"id\":3,\"status\":\"approved\",\"title\":\"Old\"}",
	    "{\"id\":4,\"status\":\"cancelled\",\"title\":\"T\",\"was_approved\":true,"
	    "\"attendees\":\"ten\",\"public\":1,\"start_ts\":-5}",
	    /* left to jansson */
	    "{\"id\":5,\"status\":\"declined\",\"title\":\"\\u00e9t\\u00e9\"}",
	    "{\"id\":6,\"status\":\"approved\",\"title\":\"Nested\",\"more\":{\"a\":[1,2]}}",
	    "{\"id\":7,\"status\":\"approved\",\"title\":\"Real\",\"attendees\":2.5}",
	    "{\"id\":8,\"status\":\"approved\",\"title\":\"Twice\",\"title\":\"Last\"}",
	    "{\"id\":9,\"status\":\"appro\\u0076ed\",\"title\":\"Escaped status\"}",
	    /* refused by both */
	    "{\"id\":10,\"title\":\"No status\"}",
	    "{\"id\":11,\"status\":\"maybe\",\"title\":\"Unknown status\"}",
	    "{\"id\":12,\"status\":\"approved\",\"title\":null}",
	    "{\"id\":13,\"status\":\"approved\",\"title\":\"Cut\"",
	    "[\"id\",14]",
	};
	struct fx f;

	T_ASSERT(fx_open(&f));
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		struct raw_record r = {100 + i, records[i]};
		struct booking got, want;
		enum herr got_ret, want_ret = H_ESTORAGE;
		json_t *tree = json_loads(records[i], 0, NULL);
		struct txn t;

		T_EQ_ERR(db_write(f.db, put_raw, &r, &f.err), H_OK, &f.err);
		booking_init(&want);
		if (json_is_object(tree) && booking_from_json(tree, &want, &f.err) == H_OK)
			want_ret = H_OK;
		json_decref(tree);
		T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
		got_ret = booking_get(&t, r.id, &got);
		db_read_end(&t);
		if (got_ret != want_ret)
			t_fail(__FILE__, __LINE__, "booking_get gave %s, jansson %s: %s",
			       herr_name(got_ret), herr_name(want_ret), records[i]);
		else if (got_ret == H_OK)
			booking_same(&got, &want, records[i]);
		booking_free(&got);
		booking_free(&want);
	}
	fx_close(&f);
}
