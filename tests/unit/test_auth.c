/* Secrets: scrypt password hashes, tokens kept as SHA-256, constant-time comparison; and
 * what ends a token: its life, a new password or role, its user's removal, the purge. */
#include "fixture.h"
#include "t.h"

#include <stdlib.h>

TEST(auth_password)
{
	char *h = password_hash("correct horse battery staple", 10);
	char *h2 = password_hash("correct horse battery staple", 10);
	char *bad;

	T_ASSERT(h != NULL && h2 != NULL);
	T_CHECK(strncmp(h, "scrypt$10$8$1$", 14) == 0);
	T_EQ_INT(strlen(h), 14 + 32 + 1 + 64);
	/* A fresh salt each time. */
	T_CHECK(strcmp(h, h2) != 0);
	T_CHECK(password_verify("correct horse battery staple", h));
	T_CHECK(password_verify("correct horse battery staple", h2));
	T_CHECK(!password_verify("correct horse battery stapl", h));
	T_CHECK(!password_verify("Correct horse battery staple", h));
	T_CHECK(!password_verify("", h));
	T_CHECK(!password_verify(NULL, h));

	/* One hash digit changed. */
	bad = xstrdup(h);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	/* A different cost with the same salt and hash. */
	bad = xstrdup(h);
	bad[8] = '1';
	bad[7] = '1'; /* "scrypt$11$..." */
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	/* Upper-case hex is not the stored form. */
	bad = xstrdup(h);
	for (char *p = bad + 14; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	free(h);
	free(h2);

	/* An empty password hashes and verifies like any other. */
	h = password_hash("", 10);
	T_ASSERT(h != NULL);
	T_CHECK(password_verify("", h));
	T_CHECK(!password_verify(" ", h));
	free(h);
	/* Costs out of range are refused. */
	T_CHECK(password_hash("x", 0) == NULL);
	T_CHECK(password_hash("x", 23) == NULL);
	T_CHECK(password_hash(NULL, 10) == NULL);
}

TEST(auth_password_malformed)
{
	static const char *const bad[] = {
	    "",
	    "scrypt$",
	    "scrypt$10$8$1$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$abcd",
	    "bcrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$010$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$0$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$23$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$99$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$22$32$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$0$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$0$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$-1$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$0011$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$0011223344556677889$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$zz112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "00000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "000000000000000000000000000000000000000000000000000000000000000g",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (password_verify("x", bad[i]))
			t_fail(__FILE__, __LINE__, "password_verify accepted \"%s\"", bad[i]);
	T_CHECK(!password_verify("x", NULL));
}

TEST(auth_token)
{
	char text[TOKEN_HEX], text2[TOKEN_HEX], upper[TOKEN_HEX];
	uint8_t hash[32], again[32], hash2[32];

	T_ASSERT(token_new(text, hash));
	T_EQ_INT(strlen(text), 64);
	for (size_t i = 0; i < 64; i++)
		T_CHECK((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'));
	/* The hash of the text form is what token_new gave. */
	T_ASSERT(token_hash(text, again));
	T_CHECK(secret_equal(hash, again, 32));
	T_CHECK(memcmp(hash, again, 32) == 0);
	/* A second token differs, in text and hash. */
	T_ASSERT(token_new(text2, hash2));
	T_CHECK(strcmp(text, text2) != 0);
	T_CHECK(!secret_equal(hash, hash2, 32));

	/* Known answer: SHA-256 of 64 '0' characters. */
	{
		char zeros[65], hex[65];

		memset(zeros, '0', 64);
		zeros[64] = '\0';
		T_ASSERT(token_hash(zeros, again));
		hex_encode(again, 32, hex);
		T_EQ_STR(hex, "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55");
	}

	/* Malformed tokens. */
	memcpy(upper, text, sizeof(upper));
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(upper, text) != 0)
		T_CHECK(!token_hash(upper, again));
	T_CHECK(!token_hash(NULL, again));
	T_CHECK(!token_hash("", again));
	T_CHECK(!token_hash("abc", again));
	text2[63] = '\0';
	T_CHECK(!token_hash(text2, again));
	{
		char longer[TOKEN_HEX + 1];

		memcpy(longer, text, 64);
		longer[64] = 'a';
		longer[65] = '\0';
		T_CHECK(!token_hash(longer, again));
		memcpy(longer, text, 64);
		longer[10] = 'g';
		longer[64] = '\0';
		T_CHECK(!token_hash(longer, again));
	}
}

TEST(auth_secret_equal_hex)
{
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 5};
	static const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
	char hex[9];

	T_CHECK(secret_equal(a, b, 4));
	T_CHECK(!secret_equal(a, c, 4));
	T_CHECK(secret_equal(a, c, 3));
	T_CHECK(secret_equal(a, c, 0));
	hex_encode(bytes, 4, hex);
	T_EQ_STR(hex, "000fa5ff");
}

TEST(auth_email_normalize)
{
	char *e = user_email_normalize("  Ann@Example.ORG \t");

	T_EQ_STR(e, "ann@example.org");
	free(e);
	e = user_email_normalize("ann@example.org ");
	T_EQ_STR(e, "ann@example.org");
	free(e);
	T_CHECK(user_email_normalize("ann example.org") == NULL);
	T_CHECK(user_email_normalize("ann@@example.org") == NULL);
	T_CHECK(user_email_normalize(NULL) == NULL);
}

/* The default cost needs more than OpenSSL's default maxmem (32 MiB); a hash carries its
 * own cost, so one made at another cost still verifies; password_verify_as judges a
 * cheaper hash the same as password_verify does (it only adds work). */
TEST(auth_password_costs)
{
	char *strong = password_hash("pw", AUTH_SCRYPT_LOG2N_DEFAULT);
	char *weak = password_hash("pw", 10);

	T_EQ_INT(AUTH_SCRYPT_LOG2N_DEFAULT, 17);
	T_ASSERT(strong != NULL && weak != NULL);
	T_CHECK(strncmp(strong, "scrypt$17$8$1$", 14) == 0);
	T_CHECK(password_verify("pw", strong));
	T_CHECK(password_verify("pw", weak));
	T_CHECK(password_verify_as("pw", weak, 12));
	T_CHECK(!password_verify_as("pX", weak, 12));
	T_CHECK(!password_verify_as("pw", "scrypt$nonsense", 10));
	T_CHECK(password_cost_is(weak, 10));
	T_CHECK(!password_cost_is(weak, 12));
	T_CHECK(password_cost_is(strong, 17));
	free(strong);
	free(weak);
}

struct op_issue {
	uint64_t user_id;
	enum token_kind kind;
	int64_t ttl, max_ttl, now;
	char secret[TOKEN_HEX];
	struct token tk;
};

static enum herr do_issue(struct txn *t, void *arg)
{
	struct op_issue *o = arg;

	token_free(&o->tk);
	if (o->kind == TOKEN_FEED)
		return token_feed_issue(t, &ACTOR_CONSOLE, o->user_id, FEED_MANAGER, 0, NULL,
		                        o->now, o->secret, &o->tk);
	return token_issue(t, &ACTOR_CONSOLE, o->user_id, o->kind, NULL, o->ttl, o->max_ttl, o->now,
	                   o->secret, &o->tk);
}

/* A token for user, issued at now; its secret in o (free o->tk with token_free). */
static bool issue(struct fx *f, struct op_issue *o, uint64_t user, enum token_kind kind,
                  int64_t ttl, int64_t now)
{
	memset(o, 0, sizeof(*o));
	o->user_id = user;
	o->kind = kind;
	o->ttl = ttl;
	o->max_ttl = 30 * 86400;
	o->now = now;
	return db_write(f->db, do_issue, o, &f->err) == H_OK;
}

/* Whether the secret still signs in (a bearer token) or opens its feed, at now. */
static bool works(struct fx *f, const struct op_issue *o, int64_t now)
{
	struct feed_scope scope;
	struct actor a;
	struct txn t;
	enum herr ret;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return false;
	if (o->kind == TOKEN_FEED)
		ret = token_feed_scope(&t, o->secret, now, &scope);
	else
		ret = token_authenticate(&t, o->secret, now, &a, NULL);
	db_read_end(&t);
	return ret == H_OK;
}

struct op_save {
	uint64_t id;
	json_t *fields;
	bool remove;
};

static enum herr do_save(struct txn *t, void *arg)
{
	struct op_save *o = arg;
	json_t *out = NULL;
	enum herr ret;

	if (o->remove)
		return kind_user.remove(t, &ACTOR_CONSOLE, o->id, T_NOW);
	ret = kind_user.save(t, &ACTOR_CONSOLE, o->id, o->fields, T_NOW, &out);
	json_decref(out);
	return ret;
}

/* Saves fields (JSON text; steals nothing) on user id, or removes it (fields NULL). */
static enum herr save_user(struct fx *f, uint64_t id, const char *fields)
{
	struct op_save o = {id, fields ? json_loads(fields, 0, NULL) : NULL, fields == NULL};
	enum herr ret = db_write(f->db, do_save, &o, &f->err);

	json_decref(o.fields);
	return ret;
}

struct op_purge {
	int64_t now;
	struct token_purge p;
};

static enum herr do_purge(struct txn *t, void *arg)
{
	struct op_purge *o = arg;

	return token_purge(t, o->now, &o->p);
}

/* Purges at now in runs of at most visits tokens; the number deleted in all, and the
 * number of runs in *runs. */
static size_t purge_all(struct fx *f, int64_t now, size_t visits, size_t *runs)
{
	struct op_purge o = {.now = now};
	size_t deleted = 0;

	*runs = 0;
	do {
		o.p.max_visits = visits;
		if (db_write(f->db, do_purge, &o, &f->err) != H_OK || ++*runs > 100)
			break;
		deleted += o.p.deleted;
	} while (!o.p.done);
	return deleted;
}

struct token_count {
	uint64_t user;
	size_t n;
};

static bool count_one(const struct token *tk, void *arg)
{
	struct token_count *c = arg;

	c->n += tk->user_id == c->user;
	return true;
}

/* The tokens of user still stored, bearer and feed, counted among everyone's: a removed
 * user's stay until purged, and a listing by a user who has gone is refused. */
static size_t count_tokens(struct fx *f, uint64_t user)
{
	struct token_count c = {user, 0};
	struct txn t;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return 0;
	token_each(&t, 0, count_one, &c);
	token_feed_each(&t, 0, count_one, &c);
	db_read_end(&t);
	return c.n;
}

/* A new password ends the user's sessions and API tokens at once, and not another
 * user's; feed tokens stay; a token issued afterwards works. */
TEST(auth_password_change_ends_tokens)
{
	struct fx f;
	struct op_issue session, api, feed, other, later;
	uint64_t ann, bob;
	char *hash = password_hash("new password", 4);
	char *fields;

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	bob = fx_user(&f, "bob@example.org", ROLE_ADMIN, 0);
	T_ASSERT(hash != NULL);
	T_ASSERT(issue(&f, &session, ann, TOKEN_SESSION, 86400, T_NOW));
	T_ASSERT(issue(&f, &api, ann, TOKEN_API, 86400, T_NOW));
	T_ASSERT(issue(&f, &feed, ann, TOKEN_FEED, 0, T_NOW));
	T_ASSERT(issue(&f, &other, bob, TOKEN_SESSION, 86400, T_NOW));
	T_CHECK(works(&f, &session, T_NOW) && works(&f, &api, T_NOW) && works(&f, &feed, T_NOW));
	/* A change that is neither password nor role ends nothing. */
	T_EQ_INT(save_user(&f, ann, "{\"name\": \"Ann A\"}"), H_OK);
	T_CHECK(works(&f, &session, T_NOW) && works(&f, &api, T_NOW));
	fields = xasprintf("{\"password_hash\": \"%s\"}", hash);
	T_EQ_INT(save_user(&f, ann, fields), H_OK);
	T_CHECK(!works(&f, &session, T_NOW));
	T_CHECK(!works(&f, &api, T_NOW));
	T_CHECK(works(&f, &feed, T_NOW));
	T_CHECK(works(&f, &other, T_NOW));
	T_ASSERT(issue(&f, &later, ann, TOKEN_SESSION, 86400, T_NOW));
	T_CHECK(works(&f, &later, T_NOW));
	free(fields);
	free(hash);
	token_free(&session.tk);
	token_free(&api.tk);
	token_free(&feed.tk);
	token_free(&other.tk);
	token_free(&later.tk);
	fx_close(&f);
}

/* A new role ends the user's bearer tokens; removing the user ends all of its tokens. */
TEST(auth_role_change_and_removal_end_tokens)
{
	struct fx f;
	struct op_issue session, api, feed;
	uint64_t venue, ann;
	char *fields;

	if (!fx_open(&f))
		return;
	venue = fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	T_ASSERT(issue(&f, &session, ann, TOKEN_SESSION, 86400, T_NOW));
	T_ASSERT(issue(&f, &api, ann, TOKEN_API, 86400, T_NOW));
	fields =
	    xasprintf("{\"role\": \"manager\", \"venues\": [%llu]}", (unsigned long long)venue);
	T_EQ_INT(save_user(&f, ann, fields), H_OK);
	T_CHECK(!works(&f, &session, T_NOW));
	T_CHECK(!works(&f, &api, T_NOW));
	token_free(&session.tk);
	token_free(&api.tk);

	T_ASSERT(issue(&f, &session, ann, TOKEN_SESSION, 86400, T_NOW));
	T_ASSERT(issue(&f, &feed, ann, TOKEN_FEED, 0, T_NOW));
	T_CHECK(works(&f, &session, T_NOW) && works(&f, &feed, T_NOW));
	T_EQ_INT(save_user(&f, ann, NULL), H_OK);
	T_CHECK(!works(&f, &session, T_NOW));
	T_CHECK(!works(&f, &feed, T_NOW));
	free(fields);
	token_free(&session.tk);
	token_free(&feed.tk);
	fx_close(&f);
}

/* Every bearer token expires: no expiry asked, or a longer one, gets the maximum. A
 * token stored without an expiry ends a year after it was made. */
TEST(auth_token_max_life)
{
	struct fx f;
	struct op_issue o;
	struct token legacy;
	uint64_t ann;

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	T_ASSERT(issue(&f, &o, ann, TOKEN_API, 0, T_NOW));
	T_EQ_INT(o.tk.expires_at, T_NOW + 30 * 86400);
	T_CHECK(works(&f, &o, T_NOW + 30 * 86400 - 1));
	T_CHECK(!works(&f, &o, T_NOW + 30 * 86400));
	token_free(&o.tk);
	T_ASSERT(issue(&f, &o, ann, TOKEN_API, 3650 * 86400, T_NOW));
	T_EQ_INT(o.tk.expires_at, T_NOW + 30 * 86400);
	token_free(&o.tk);
	T_ASSERT(issue(&f, &o, ann, TOKEN_API, 86400, T_NOW));
	T_EQ_INT(o.tk.expires_at, T_NOW + 86400);
	token_free(&o.tk);
	T_EQ_INT(token_life(0, 0), TOKEN_API_MAX_DAYS_DEFAULT * 86400);
	T_EQ_INT(token_life(-5, 100), 100);

	token_init(&legacy);
	legacy.kind = TOKEN_API;
	legacy.created_at = T_NOW;
	T_EQ_INT(token_ends_at(&legacy), T_NOW + 365 * 86400);
	legacy.kind = TOKEN_FEED;
	T_EQ_INT(token_ends_at(&legacy), 0);
	fx_close(&f);
}

/* token_purge deletes expired tokens, those ended by a new password, and those of a
 * removed user, in bounded runs, and keeps the rest. */
TEST(auth_token_purge)
{
	struct fx f;
	struct op_issue o;
	uint64_t ann, bob, cal;
	size_t runs;
	char *hash = password_hash("pw", 4);
	char *fields = xasprintf("{\"password_hash\": \"%s\"}", hash);

	if (!fx_open(&f)) {
		free(fields);
		free(hash);
		return;
	}
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	bob = fx_user(&f, "bob@example.org", ROLE_ADMIN, 0);
	cal = fx_user(&f, "cal@example.org", ROLE_ADMIN, 0);
	/* ann: two live, one expiring in a day; bob: two ended by a password; cal: a
	 * session and a feed token, removed. */
	for (int i = 0; i < 2; i++) {
		T_ASSERT(issue(&f, &o, ann, TOKEN_API, 10 * 86400, T_NOW));
		token_free(&o.tk);
		T_ASSERT(issue(&f, &o, bob, TOKEN_SESSION, 10 * 86400, T_NOW));
		token_free(&o.tk);
	}
	T_ASSERT(issue(&f, &o, ann, TOKEN_SESSION, 86400, T_NOW));
	token_free(&o.tk);
	T_ASSERT(issue(&f, &o, cal, TOKEN_SESSION, 86400, T_NOW));
	token_free(&o.tk);
	T_ASSERT(issue(&f, &o, cal, TOKEN_FEED, 0, T_NOW));
	token_free(&o.tk);
	T_EQ_INT(save_user(&f, bob, fields), H_OK);
	T_EQ_INT(save_user(&f, cal, NULL), H_OK);
	T_EQ_INT(count_tokens(&f, ann), 3);
	T_EQ_INT(count_tokens(&f, bob), 2);
	T_EQ_INT(count_tokens(&f, cal), 2);

	/* A day later, one token a run: a run for each of the seven. */
	T_EQ_INT(purge_all(&f, T_NOW + 86400, 1, &runs), 5);
	T_EQ_INT(runs, 7);
	T_EQ_INT(count_tokens(&f, ann), 2);
	T_EQ_INT(count_tokens(&f, bob), 0);
	T_EQ_INT(count_tokens(&f, cal), 0);
	/* Nothing more to do, and nothing left once all have expired. */
	T_EQ_INT(purge_all(&f, T_NOW + 86400, 0, &runs), 0);
	T_EQ_INT(runs, 1);
	T_EQ_INT(purge_all(&f, T_NOW + 10 * 86400, 0, &runs), 2);
	T_EQ_INT(count_tokens(&f, ann), 0);
	T_EQ_INT(fx_check(&f), 0);
	free(fields);
	free(hash);
	fx_close(&f);
}

/* A token issued by actor a for user: an API token, or (is_feed) a feed token of feed and
 * scope. */
struct op_grant {
	struct actor a;
	uint64_t user;
	bool is_feed;
	enum feed_kind feed;
	uint64_t scope;
	char secret[TOKEN_HEX];
	struct token tk;
};

static enum herr do_grant(struct txn *t, void *arg)
{
	struct op_grant *o = arg;

	token_free(&o->tk);
	if (o->is_feed)
		return token_feed_issue(t, &o->a, o->user, o->feed, o->scope, NULL, T_NOW,
		                        o->secret, &o->tk);
	return token_issue(t, &o->a, o->user, TOKEN_API, NULL, 86400, 86400, T_NOW, o->secret,
	                   &o->tk);
}

/* The token's id when user may have it (issued by the console), else 0. */
static uint64_t grant(struct fx *f, uint64_t user, bool is_feed, enum feed_kind feed,
                      uint64_t scope)
{
	struct op_grant o = {
	    .a = ACTOR_CONSOLE, .user = user, .is_feed = is_feed, .feed = feed, .scope = scope};
	uint64_t id;

	token_init(&o.tk);
	id = db_write(f->db, do_grant, &o, &f->err) == H_OK ? o.tk.id : 0;
	token_free(&o.tk);
	return id;
}

struct op_revoke {
	struct actor a;
	uint64_t id;
	bool feed;
};

static enum herr do_revoke(struct txn *t, void *arg)
{
	struct op_revoke *o = arg;

	return o->feed ? token_feed_revoke(t, &o->a, o->id, T_NOW)
	               : token_revoke(t, &o->a, o->id, T_NOW);
}

static enum herr revoke(struct fx *f, uint64_t by, uint64_t id, bool feed)
{
	struct op_revoke o = {fx_user_actor(by), id, feed};

	return db_write(f->db, do_revoke, &o, &f->err);
}

/* Listing the tokens of a user who does not exist is refused, naming the user, for
 * bearer and feed tokens alike; user 0 lists everyone's. */
TEST(auth_token_list_refuses_missing_user)
{
	struct fx f;
	struct token_count c = {0, 0};
	struct txn t;
	uint64_t ann;

	T_ASSERT(fx_open(&f));
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	T_ASSERT(grant(&f, ann, false, FEED_GROUP, 0) != 0);
	T_ASSERT(grant(&f, ann, true, FEED_MANAGER, 0) != 0);
	for (int feed = 0; feed < 2; feed++) {
		T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
		T_EQ_ERR(feed ? token_feed_each(&t, 999, count_one, &c)
		              : token_each(&t, 999, count_one, &c),
		         H_ENOTFOUND, &f.err);
		T_EQ_STR(f.err.msg, "there is no user 999");
		T_EQ_INT(t.ret, H_ENOTFOUND);
		db_read_end(&t);
	}
	c.user = ann;
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	T_EQ_ERR(token_each(&t, ann, count_one, &c), H_OK, &f.err);
	T_EQ_ERR(token_feed_each(&t, 0, count_one, &c), H_OK, &f.err);
	db_read_end(&t);
	T_EQ_INT(c.n, 2);
	fx_close(&f);
}

/* Another user's token does not exist for a caller who is not an admin: "there is no
 * token N", as for one that is missing; its owner and admins revoke it. */
TEST(auth_token_revoke_by_others)
{
	struct fx f;
	uint64_t venue, group, ann, bob, cat, ann_api, ann_feed, bob_api;
	char words[64];

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	group = fx_group(&f, "Choir", 0);
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	bob = fx_user(&f, "bob@example.org", ROLE_MEMBER, group);
	cat = fx_user(&f, "cat@example.org", ROLE_MANAGER, venue);
	T_ASSERT(cat != 0);
	T_ASSERT((ann_api = grant(&f, ann, false, FEED_GROUP, 0)) != 0);
	T_ASSERT((ann_feed = grant(&f, ann, true, FEED_GROUP, group)) != 0);
	T_ASSERT((bob_api = grant(&f, bob, false, FEED_GROUP, 0)) != 0);
	/* A member and a manager are told of none of another's tokens, of either kind. */
	T_EQ_ERR(revoke(&f, bob, ann_api, false), H_ENOTFOUND, &f.err);
	snprintf(words, sizeof(words), "there is no token %llu", (unsigned long long)ann_api);
	T_EQ_STR(f.err.msg, words);
	T_EQ_ERR(revoke(&f, cat, ann_feed, true), H_ENOTFOUND, &f.err);
	snprintf(words, sizeof(words), "there is no feed token %llu", (unsigned long long)ann_feed);
	T_EQ_STR(f.err.msg, words);
	T_EQ_ERR(revoke(&f, bob, 999, false), H_ENOTFOUND, &f.err);
	T_EQ_STR(f.err.msg, "there is no token 999");
	/* The owner, and an admin, may. */
	T_EQ_ERR(revoke(&f, ann, ann_api, false), H_OK, &f.err);
	T_EQ_ERR(revoke(&f, ann, bob_api, false), H_OK, &f.err);
	T_EQ_ERR(revoke(&f, ann, ann_feed, true), H_OK, &f.err);
	fx_close(&f);
}

/* Who may have which feed: a group's to its members and admins, the manager's feed (the
 * user's own) to managers and admins. */
TEST(auth_feed_who_may_have)
{
	struct fx f;
	uint64_t venue, g1, g2, admin, manager, member;

	T_ASSERT(fx_open(&f));
	venue = fx_venue(&f, "Hall", T_ZONE, T_HOURS);
	g1 = fx_group(&f, "Choir", 0);
	g2 = fx_group(&f, "Scouts", 0);
	admin = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	manager = fx_user(&f, "cat@example.org", ROLE_MANAGER, venue);
	member = fx_user(&f, "bob@example.org", ROLE_MEMBER, g1);
	T_ASSERT(member != 0);
	T_CHECK(grant(&f, admin, true, FEED_GROUP, g1) != 0);
	T_CHECK(grant(&f, admin, true, FEED_GROUP, g2) != 0);
	T_CHECK(grant(&f, admin, true, FEED_MANAGER, 0) != 0);
	T_CHECK(grant(&f, manager, true, FEED_MANAGER, 0) != 0);
	T_CHECK(grant(&f, manager, true, FEED_GROUP, g1) == 0);
	T_EQ_INT(f.err.code, H_EFORBIDDEN);
	T_CHECK(grant(&f, member, true, FEED_GROUP, g1) != 0);
	T_CHECK(grant(&f, member, true, FEED_GROUP, g2) == 0);
	T_EQ_INT(f.err.code, H_EFORBIDDEN);
	T_CHECK(grant(&f, member, true, FEED_MANAGER, 0) == 0);
	T_HAS_STR(f.err.msg, "only a manager (or an administrator)");
	T_CHECK(grant(&f, member, true, FEED_GROUP, 999) == 0);
	T_EQ_STR(f.err.msg, "there is no group 999");
	T_CHECK(grant(&f, 999, true, FEED_MANAGER, 0) == 0);
	T_EQ_STR(f.err.msg, "there is no user 999");
	fx_close(&f);
}
