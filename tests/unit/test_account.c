/* Accounts that people run themselves: the password rule, the links of invitations and
 * resets (lifetimes, single use, one live link per purpose, never a bearer or feed
 * token), invitations and who may make them, resets, password changes, and the
 * messages each queues in the outbox. */
#include "t.h"

#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the password rule ---- */

/* Checks password against the rule for email, and that a refusal never quotes it. */
static enum herr rule(const char *password, size_t len, const char *email)
{
	struct herror err;
	enum herr ret;

	herror_clear(&err);
	ret = account_password_check(password, len, email, &err);
	if (ret != H_OK && len >= 4 && memchr(password, '\0', len) == NULL)
		T_CHECK(strstr(err.msg, password) == NULL);
	return ret;
}

#define RULE(s, email) rule((s), strlen(s), (email))

TEST(account_password_length)
{
	char longest[PASSWORD_MAX_BYTES + 2];
	char accents[64] = "", emoji[64] = "";

	T_EQ_INT(rule("", 0, NULL), H_EINVAL);
	T_EQ_INT(rule(NULL, 0, NULL), H_EINVAL);
	T_EQ_INT(RULE("secret", NULL), H_EINVAL);
	T_EQ_INT(RULE("eleven char", NULL), H_EINVAL);
	T_EQ_INT(RULE("twelve chars", NULL), H_OK);
	T_EQ_INT(RULE("a long passphrase of several words", NULL), H_OK);
	/* Characters, not bytes: 11 two-byte letters (22 bytes) are too few, 12 enough. */
	for (int i = 0; i < 11; i++)
		strcat(accents, "\xc3\xa9");
	T_EQ_INT(RULE(accents, NULL), H_EINVAL);
	strcat(accents, "\xc3\xa9");
	T_EQ_INT(RULE(accents, NULL), H_OK);
	/* Four-byte characters: 3 are 12 bytes but 3 characters. */
	for (int i = 0; i < 3; i++)
		strcat(emoji, "\xf0\x9f\x98\x80");
	T_EQ_INT(RULE(emoji, NULL), H_EINVAL);
	for (int i = 3; i < 12; i++)
		strcat(emoji, "\xf0\x9f\x98\x80");
	T_EQ_INT(RULE(emoji, NULL), H_OK);
	/* At most PASSWORD_MAX_BYTES bytes, whatever the characters. */
	memset(longest, 'p', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	T_EQ_INT(rule(longest, PASSWORD_MAX_BYTES, NULL), H_OK);
	T_EQ_INT(rule(longest, PASSWORD_MAX_BYTES + 1, NULL), H_EINVAL);
	for (size_t i = 0; i + 2 <= PASSWORD_MAX_BYTES; i += 2)
		memcpy(longest + i, "\xc3\xa9", 2);
	T_EQ_INT(rule(longest, PASSWORD_MAX_BYTES, NULL), H_OK);
	/* Cut inside a character, which ends the password's bytes: not valid UTF-8. */
	T_EQ_INT(rule(longest, PASSWORD_MAX_BYTES - 1, NULL), H_EINVAL);
}

TEST(account_password_bytes)
{
	struct herror err;

	herror_clear(&err);
	/* A NUL inside (JSON's \u0000), which strlen would not see. */
	T_EQ_INT(rule("correct horse\0battery", 21, NULL), H_EINVAL);
	T_EQ_INT(account_password_check("correct horse\0battery", 21, NULL, &err), H_EINVAL);
	T_HAS_STR(err.msg, "NUL");
	T_EQ_INT(RULE("latin-1 caf\xe9 au lait", NULL), H_EINVAL);
	T_EQ_INT(account_password_check("latin-1 caf\xe9 au lait", 20, NULL, &err), H_EINVAL);
	T_HAS_STR(err.msg, "UTF-8");
	T_EQ_INT(RULE("overlong \xc0\xaf slash here", NULL), H_EINVAL);
	/* Control characters and spaces are characters like any other: no composition rules. */
	T_EQ_INT(RULE("tab\there and there", NULL), H_OK);
	T_EQ_INT(RULE("            ", NULL), H_OK);
	T_EQ_INT(RULE("aaaaaaaaaaab", NULL), H_OK);
}

TEST(account_password_email)
{
	struct herror err;
	const char *email = "pat.smith@example.org";

	herror_clear(&err);
	T_EQ_INT(RULE("my pat.smith@example.org key", email), H_EINVAL);
	T_EQ_INT(RULE("MY PAT.SMITH@EXAMPLE.ORG KEY", email), H_EINVAL);
	T_EQ_INT(account_password_check("Pat.Smith-loves-tea", 19, email, &err), H_EINVAL);
	T_HAS_STR(err.msg, "email address");
	T_CHECK(strstr(err.msg, "Pat.Smith") == NULL);
	T_EQ_INT(RULE("smith and sons forever", email), H_OK);
	T_EQ_INT(RULE("Pat.Smith-loves-tea", NULL), H_OK);
	/* A local part under 4 characters is in too many words to refuse. */
	T_EQ_INT(RULE("alphabet soup for all", "al@example.org"), H_OK);
	T_EQ_INT(RULE("alphabet al@example.org", "al@example.org"), H_EINVAL);
	T_EQ_INT(RULE("ann ann ann ann", "anna@example.org"), H_OK);
	T_EQ_INT(RULE("ANNA ann ann ann", "anna@example.org"), H_EINVAL);
}

TEST(account_password_common)
{
	struct herror err;

	herror_clear(&err);
	T_EQ_INT(RULE("password1234", NULL), H_EINVAL);
	T_EQ_INT(account_password_check("PassWord1234", 12, NULL, &err), H_EINVAL);
	T_HAS_STR(err.msg, "common passwords");
	T_EQ_INT(RULE("123456789012", NULL), H_EINVAL);
	T_EQ_INT(RULE("QWERTYUIOPAS", NULL), H_EINVAL);
	T_EQ_INT(RULE("correct horse battery staple", NULL), H_EINVAL);
	/* Only the whole password: a common one inside a longer one is not refused. */
	T_EQ_INT(RULE("password1234 is what I never use", NULL), H_OK);
	T_EQ_INT(RULE("password12340", NULL), H_OK);
	/* The shipped list: each entry at least 12 characters, lower case, and listed once. */
	T_CHECK(account_common_count() >= 100);
	for (size_t i = 0; i < account_common_count(); i++) {
		const char *e = account_common_entry(i);

		T_CHECK(text_utf8_len(e) > 0 && strlen(e) >= PASSWORD_MIN_CHARS);
		for (const char *p = e; *p; p++)
			T_CHECK(!(*p >= 'A' && *p <= 'Z'));
		for (size_t j = i + 1; j < account_common_count(); j++)
			T_CHECK(strcmp(e, account_common_entry(j)) != 0);
		T_CHECK(account_password_common(e, strlen(e)));
	}
	T_CHECK(account_common_entry(account_common_count()) == NULL);
}

/* ---- links ---- */

struct op_link {
	uint64_t user;
	enum link_purpose purpose;
	int64_t now;
	char text[TOKEN_HEX];
	struct link l;
	bool consume;
};

static enum herr do_link_issue(struct txn *t, void *arg)
{
	struct op_link *o = arg;

	return link_issue(t, o->user, o->purpose, o->now, o->text, &o->l);
}

static enum herr do_link_find(struct txn *t, void *arg)
{
	struct op_link *o = arg;

	return o->consume ? link_consume(t, o->text, o->now, &o->l)
	                  : link_find(t, o->text, o->now, &o->l);
}

static bool link_new(struct fx *f, struct op_link *o, uint64_t user, enum link_purpose p,
                     int64_t now)
{
	memset(o, 0, sizeof(*o));
	o->user = user;
	o->purpose = p;
	o->now = now;
	return db_write(f->db, do_link_issue, o, &f->err) == H_OK;
}

/* Whether the link works at now (consume: and uses it). */
static enum herr link_try(struct fx *f, struct op_link *o, int64_t now, bool consume)
{
	struct op_link q = *o;

	q.now = now;
	q.consume = consume;
	return db_write(f->db, do_link_find, &q, &f->err);
}

TEST(link_lifetimes)
{
	struct fx f;
	struct op_link inv, reset;
	uint64_t ann;

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	T_ASSERT(link_new(&f, &inv, ann, LINK_INVITATION, T_NOW));
	T_ASSERT(link_new(&f, &reset, ann, LINK_RESET, T_NOW));
	T_EQ_INT(inv.l.expires_at, T_NOW + 7 * 86400);
	T_EQ_INT(reset.l.expires_at, T_NOW + 3600);
	T_EQ_INT(strlen(inv.text), 64);
	T_CHECK(strcmp(inv.text, reset.text) != 0);
	/* Works up to the last second, and not at its expiry. */
	T_EQ_ERR(link_try(&f, &inv, T_NOW + 7 * 86400 - 1, false), H_OK, &f.err);
	T_EQ_ERR(link_try(&f, &inv, T_NOW + 7 * 86400, false), H_EGONE, &f.err);
	T_EQ_STR(f.err.msg, LINK_GONE_WORDS);
	T_EQ_ERR(link_try(&f, &reset, T_NOW + 3599, false), H_OK, &f.err);
	T_EQ_ERR(link_try(&f, &reset, T_NOW + 3600, false), H_EGONE, &f.err);
	T_EQ_ERR(link_try(&f, &reset, T_NOW + 3600, true), H_EGONE, &f.err);
	fx_close(&f);
}

TEST(link_single_use_and_newest_only)
{
	struct fx f;
	struct op_link first, second, inv, bad;
	uint64_t ann, bob;

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	bob = fx_user(&f, "bob@example.org", ROLE_ADMIN, 0);
	T_ASSERT(link_new(&f, &first, ann, LINK_RESET, T_NOW));
	T_ASSERT(link_new(&f, &inv, ann, LINK_INVITATION, T_NOW));
	T_ASSERT(link_new(&f, &second, ann, LINK_RESET, T_NOW + 60));
	/* A second link of a purpose ends the first; the other purpose's stays. */
	T_EQ_ERR(link_try(&f, &first, T_NOW + 61, false), H_EGONE, &f.err);
	T_EQ_ERR(link_try(&f, &inv, T_NOW + 61, false), H_OK, &f.err);
	/* Used once, then gone, in the same words as expired or unknown. */
	T_EQ_ERR(link_try(&f, &second, T_NOW + 61, true), H_OK, &f.err);
	T_EQ_ERR(link_try(&f, &second, T_NOW + 62, false), H_EGONE, &f.err);
	T_EQ_ERR(link_try(&f, &second, T_NOW + 62, true), H_EGONE, &f.err);
	T_EQ_STR(f.err.msg, LINK_GONE_WORDS);
	bad = second;
	memset(bad.text, '0', 64);
	T_EQ_ERR(link_try(&f, &bad, T_NOW, false), H_EGONE, &f.err);
	T_EQ_STR(f.err.msg, LINK_GONE_WORDS);
	strcpy(bad.text, "not a link");
	T_EQ_ERR(link_try(&f, &bad, T_NOW, false), H_EGONE, &f.err);
	/* Another user's link is their own. */
	T_ASSERT(link_new(&f, &first, bob, LINK_RESET, T_NOW));
	T_EQ_ERR(link_try(&f, &inv, T_NOW + 61, false), H_OK, &f.err);
	T_EQ_ERR(link_try(&f, &first, T_NOW + 61, false), H_OK, &f.err);
	fx_close(&f);
}

struct op_token_check {
	const char *text;
	enum herr bearer, feed;
};

static enum herr do_token_check(struct txn *t, void *arg)
{
	struct op_token_check *o = arg;
	struct actor a;
	struct feed_scope s;

	o->bearer = token_authenticate(t, o->text, T_NOW, &a, NULL);
	o->feed = token_feed_scope(t, o->text, T_NOW, &s);
	return H_OK;
}

static enum herr do_remove_user(struct txn *t, void *arg)
{
	return account_remove(t, &(struct actor){0}, *(uint64_t *)arg, T_NOW);
}

/* A link's secret is never a bearer token or a feed token; removing the user ends it. */
TEST(link_never_a_token)
{
	struct fx f;
	struct op_link inv;
	struct op_token_check c;
	struct txn t;
	uint64_t ann;

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	T_ASSERT(link_new(&f, &inv, ann, LINK_INVITATION, T_NOW));
	c.text = inv.text;
	T_ASSERT(db_read_begin(f.db, &t, &f.err) == H_OK);
	do_token_check(&t, &c);
	db_read_end(&t);
	T_EQ_INT(c.bearer, H_EAUTH);
	T_EQ_INT(c.feed, H_ENOTFOUND);
	T_EQ_ERR(link_try(&f, &inv, T_NOW, false), H_OK, &f.err);
	T_EQ_ERR(db_write(f.db, do_remove_user, &ann, &f.err), H_OK, &f.err);
	T_EQ_ERR(link_try(&f, &inv, T_NOW, false), H_EGONE, &f.err);
	fx_close(&f);
}

/* ---- the outbox, as the account flows leave it ---- */

struct outbox_find {
	const char *kind, *to;
	int count;
	char *raw; /* the last one's, quoted-printable decoded */
};

/* The message's bytes with quoted-printable undone (soft breaks and =XX), enough to read
 * the words and the link of a message in a test. */
static char *qp_decode(const char *raw)
{
	char *out = xmalloc(strlen(raw) + 1), *o = out;

	for (const char *p = raw; *p;) {
		unsigned v;

		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=' && sscanf(p + 1, "%2x", &v) == 1 && p[1] != '?' &&
		           p[2] != 0 && strchr("0123456789ABCDEF", p[1]) &&
		           strchr("0123456789ABCDEF", p[2])) {
			*o++ = (char)v;
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static bool outbox_match(const struct outbox_msg *m, void *arg)
{
	struct outbox_find *f = arg;

	if (strcmp(m->kind, f->kind) != 0 || (f->to != NULL && strcmp(m->to, f->to) != 0))
		return true;
	f->count++;
	free(f->raw);
	f->raw = qp_decode(m->raw);
	return true;
}

/* How many messages of kind to address to (NULL: anyone) are queued; *raw (when not
 * NULL) receives the last one's decoded bytes, or NULL. */
static int outbox_count(struct fx *f, const char *kind, const char *to, char **raw)
{
	struct outbox_find q = {kind, to, 0, NULL};
	struct txn t;

	if (db_read_begin(f->db, &t, &f->err) == H_OK) {
		outbox_each(&t, -1, outbox_match, &q);
		db_read_end(&t);
	}
	if (raw != NULL)
		*raw = q.raw;
	else
		free(q.raw);
	return q.count;
}

/* The secret of the set-password link in a decoded message, or "" when there is none. */
static void link_secret(const char *raw, char out[TOKEN_HEX])
{
	const char *p = raw != NULL ? strstr(raw, "/set-password#token=") : NULL;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("/set-password#token=");
	if (strspn(p, "0123456789abcdef") >= 64) {
		memcpy(out, p, 64);
		out[64] = '\0';
	}
}

/* ---- the account operations, each in a write of its own ---- */

struct op_account {
	struct actor a;
	json_t *fields;
	const char *text; /* an email or a link's secret */
	const char *hash, *old_hash;
	uint64_t keep; /* a session kept; do_save: the user saved */
	int64_t now;
	struct invitation inv;
	json_t *out;
};

static enum herr do_invite(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	invitation_free(&o->inv);
	return invite_user(t, &o->a, o->fields, o->now, &o->inv);
}

/* Invites as actor a (fields as JSON text); *secret (may be NULL) receives the link from
 * the message queued, *user_id the account's id. */
static enum herr invite(struct fx *f, uint64_t a, const char *fields, char *secret,
                        uint64_t *user_id)
{
	struct op_account o = {.a = {a}, .fields = json_loads(fields, 0, NULL), .now = T_NOW};
	enum herr ret = db_write(f->db, do_invite, &o, &f->err);

	if (ret == H_OK && secret != NULL) {
		char *raw;

		T_EQ_INT(o.inv.expires_at, T_NOW + 7 * 86400);
		outbox_count(f, "invitation", json_str(o.inv.user, "email"), &raw);
		link_secret(raw, secret);
		free(raw);
	}
	if (ret == H_OK && user_id != NULL)
		*user_id = (uint64_t)json_int(o.inv.user, "id", 0);
	invitation_free(&o.inv);
	json_decref(o.fields);
	return ret;
}

static enum herr do_link_check(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	json_decref(o->out);
	return account_link_check(t, o->text, o->now, &o->out);
}

static enum herr do_link_use(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	return account_link_use(t, o->text, o->hash, o->now);
}

static enum herr do_reset_ask(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	return account_reset_ask(t, o->text, o->now);
}

static enum herr do_reset_for(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	return account_reset_for(t, &o->a, o->text, o->now, NULL, NULL);
}

static enum herr do_change(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	return account_password_change(t, &o->a, o->old_hash, o->hash, o->keep, o->now);
}

static enum herr do_self(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	json_decref(o->out);
	return account_update_self(t, &o->a, o->fields, o->now, &o->out);
}

static enum herr do_save(struct txn *t, void *arg)
{
	struct op_account *o = arg;

	json_decref(o->out);
	return kind_user.save(t, &o->a, o->keep, o->fields, o->now, &o->out);
}

/* Uses link secret with a hash of a new password at now. */
static enum herr use_link(struct fx *f, const char *secret, int64_t now)
{
	char *hash = password_hash("a brand new password", 4);
	struct op_account o = {.text = secret, .hash = hash, .now = now};
	enum herr ret = db_write(f->db, do_link_use, &o, &f->err);

	free(hash);
	return ret;
}

/* What a link is, as JSON (caller frees), or NULL with f->err set. */
static json_t *check_link(struct fx *f, const char *secret, int64_t now)
{
	struct op_account o = {.text = secret, .now = now};

	if (db_write(f->db, do_link_check, &o, &f->err) != H_OK) {
		json_decref(o.out);
		return NULL;
	}
	return o.out;
}

static bool has_password(struct fx *f, uint64_t id)
{
	struct txn t;
	struct user u;
	bool has = false;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return false;
	if (user_get(&t, id, &u) == H_OK)
		has = u.password_hash != NULL;
	user_free(&u);
	db_read_end(&t);
	return has;
}

/* Sets user id's password hash as the console would (halls user set --password-stdin). */
static enum herr set_hash(struct fx *f, uint64_t id, const char *hash)
{
	struct op_account o = {.keep = id, .now = T_NOW};
	enum herr ret;

	o.fields = json_pack("{s:s}", "password_hash", hash);
	ret = db_write(f->db, do_save, &o, &f->err);
	json_decref(o.fields);
	json_decref(o.out);
	return ret;
}

TEST(account_invitation_flow)
{
	struct fx f;
	char secret[TOKEN_HEX], again[TOKEN_HEX], *raw, *fields;
	uint64_t venue, group, ann, pat, sam, sam2;
	json_t *o;

	if (!fx_open(&f))
		return;
	venue = fx_venue(&f, "Hartley Hall", T_ZONE, T_HOURS);
	group = fx_group(&f, "Chess Club", 0);
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	(void)venue;
	fields = xasprintf("{\"email\": \"Pat@Example.org\", \"name\": \"Pat Jones\", \"role\": "
	                   "\"member\", \"groups\": [%llu]}",
	                   (unsigned long long)group);
	T_EQ_ERR(invite(&f, ann, fields, secret, &pat), H_OK, &f.err);
	T_EQ_INT(strlen(secret), 64);
	T_CHECK(!has_password(&f, pat));
	T_EQ_INT(outbox_count(&f, "invitation", "pat@example.org", &raw), 1);
	T_HAS_STR(raw, "To: Pat Jones <pat@example.org>");
	T_HAS_STR(raw, "Subject: You are invited to halls");
	T_HAS_STR(raw, "Hello Pat Jones,");
	T_HAS_STR(raw, "ann@example.org has invited you to halls to book rooms for Chess Club.");
	T_HAS_STR(raw, "http://localhost:8080/set-password#token=");
	T_HAS_STR(raw, "The link works once, until Sunday 8 March 2026, midday.");
	T_HAS_STR(raw, "You get this because ann@example.org invited pat@example.org.");
	free(raw);
	/* check tells what the link is; use sets the password once. */
	o = check_link(&f, secret, T_NOW + 60);
	T_ASSERT(o != NULL);
	T_EQ_STR(json_str(o, "purpose"), "invitation");
	T_EQ_STR(json_str(o, "email"), "pat@example.org");
	T_EQ_STR(json_str(o, "name"), "Pat Jones");
	T_EQ_INT(json_int(o, "expires_at", 0), T_NOW + 7 * 86400);
	json_decref(o);
	T_EQ_ERR(use_link(&f, secret, T_NOW + 120), H_OK, &f.err);
	T_CHECK(has_password(&f, pat));
	T_EQ_ERR(use_link(&f, secret, T_NOW + 180), H_EGONE, &f.err);
	T_CHECK(check_link(&f, secret, T_NOW + 180) == NULL);
	T_EQ_INT(f.err.code, H_EGONE);
	/* A first password is not a change: nobody is told of it. */
	T_EQ_INT(outbox_count(&f, "password-changed", NULL, NULL), 0);
	/* Someone who has a password is not invited again. */
	T_EQ_ERR(invite(&f, ann, fields, NULL, NULL), H_EEXISTS, &f.err);
	T_HAS_STR(f.err.msg, "pat@example.org already has an account with a password");
	free(fields);

	/* Someone who never set one is: a new link, which ends the first. */
	fields = xasprintf("{\"email\": \"sam@example.org\", \"name\": \"Sam\", \"role\": "
	                   "\"member\", \"groups\": [%llu]}",
	                   (unsigned long long)group);
	T_EQ_ERR(invite(&f, 0, fields, secret, &sam), H_OK, &f.err);
	T_EQ_ERR(invite(&f, 0, fields, again, &sam2), H_OK, &f.err);
	T_EQ_INT(sam, sam2);
	T_CHECK(strcmp(secret, again) != 0);
	T_EQ_INT(outbox_count(&f, "invitation", "sam@example.org", &raw), 2);
	T_HAS_STR(raw, "An administrator has invited you");
	free(raw);
	T_EQ_ERR(use_link(&f, secret, T_NOW), H_EGONE, &f.err);
	/* Expired at 7 days exactly. */
	T_EQ_ERR(use_link(&f, again, T_NOW + 7 * 86400), H_EGONE, &f.err);
	T_EQ_ERR(use_link(&f, again, T_NOW + 7 * 86400 - 1), H_OK, &f.err);
	free(fields);
	/* What the invitation was is on record. */
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

/* Invites by manager (a user id) the member of groups (JSON array text). */
static enum herr invite_member(struct fx *f, uint64_t manager, const char *email,
                               const char *groups)
{
	char *fields = xasprintf("{\"email\": \"%s\", \"name\": \"Someone\", \"role\": \"member\", "
	                         "\"groups\": %s}",
	                         email, groups);
	enum herr ret = invite(f, manager, fields, NULL, NULL);

	free(fields);
	return ret;
}

TEST(account_invitation_who_may)
{
	struct fx f;
	uint64_t v1, v2, r1, r2, trusted, booked, elsewhere, mia, mo, admin, id;
	char groups[96], *fields;

	if (!fx_open(&f))
		return;
	v1 = fx_venue(&f, "Hartley Hall", T_ZONE, T_HOURS);
	v2 = fx_venue(&f, "Other Hall", T_ZONE, T_HOURS);
	r1 = fx_room(&f, v1, NULL);
	r2 = fx_room(&f, v2, NULL);
	trusted = fx_group(&f, "Trusted", v1);
	booked = fx_group(&f, "Booked", 0);
	elsewhere = fx_group(&f, "Elsewhere", 0);
	T_EQ_ERR(fx_book(&f, r1, booked, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), &id),
	         H_OK, &f.err);
	T_EQ_ERR(
	    fx_book(&f, r2, elsewhere, fx_at("2026-03-10T10:00"), fx_at("2026-03-10T11:00"), &id),
	    H_OK, &f.err);
	mia = fx_user(&f, "mia@example.org", ROLE_MANAGER, v1);
	mo = fx_user(&f, "mo@example.org", ROLE_MEMBER, trusted);
	admin = fx_user(&f, "admin@example.org", ROLE_ADMIN, 0);

	/* The groups of mia's venue: trusted there, or with a booking there. */
	snprintf(groups, sizeof(groups), "[%llu]", (unsigned long long)trusted);
	T_EQ_ERR(invite_member(&f, mia, "a@example.org", groups), H_OK, &f.err);
	snprintf(groups, sizeof(groups), "[%llu]", (unsigned long long)booked);
	T_EQ_ERR(invite_member(&f, mia, "b@example.org", groups), H_OK, &f.err);
	/* Not a group her venue has seen, alone or among others. */
	snprintf(groups, sizeof(groups), "[%llu]", (unsigned long long)elsewhere);
	T_EQ_ERR(invite_member(&f, mia, "c@example.org", groups), H_EFORBIDDEN, &f.err);
	T_HAS_STR(f.err.msg, "trusted at, or have booked, a venue you manage");
	snprintf(groups, sizeof(groups), "[%llu, %llu]", (unsigned long long)trusted,
	         (unsigned long long)elsewhere);
	T_EQ_ERR(invite_member(&f, mia, "c@example.org", groups), H_EFORBIDDEN, &f.err);
	T_EQ_INT(outbox_count(&f, "invitation", "c@example.org", NULL), 0);
	/* A member may not invite; a manager invites members only, with no venues. */
	snprintf(groups, sizeof(groups), "[%llu]", (unsigned long long)trusted);
	T_EQ_ERR(invite_member(&f, mo, "d@example.org", groups), H_EFORBIDDEN, &f.err);
	fields = xasprintf("{\"email\": \"e@example.org\", \"name\": \"E\", \"role\": \"manager\", "
	                   "\"venues\": [%llu]}",
	                   (unsigned long long)v1);
	T_EQ_ERR(invite(&f, mia, fields, NULL, NULL), H_EFORBIDDEN, &f.err);
	/* An admin invites anyone; a manager may not then re-invite that manager as a member. */
	T_EQ_ERR(invite(&f, admin, fields, NULL, NULL), H_OK, &f.err);
	T_EQ_ERR(invite_member(&f, mia, "e@example.org", groups), H_EFORBIDDEN, &f.err);
	free(fields);
	/* Unknown groups are refused before anything is asked of them. */
	T_EQ_ERR(invite_member(&f, admin, "f@example.org", "[999]"), H_ENOTFOUND, &f.err);
	T_EQ_ERR(invite_member(&f, mia, "f@example.org", "[999]"), H_ENOTFOUND, &f.err);
	/* A field an invitation does not take. */
	T_EQ_ERR(invite(&f, admin,
	                "{\"email\": \"g@example.org\", \"name\": \"G\", \"role\": \"admin\", "
	                "\"password_hash\": \"x\"}",
	                NULL, NULL),
	         H_EINVAL, &f.err);
	T_EQ_INT(fx_check(&f), 0);
	fx_close(&f);
}

TEST(account_reset_flow)
{
	struct fx f;
	struct op_account o = {.now = T_NOW};
	char secret[TOKEN_HEX], *raw, *hash = password_hash("the first password", 4);
	uint64_t ann, mo, group;
	json_t *link;

	if (!fx_open(&f))
		return;
	group = fx_group(&f, "Chess Club", 0);
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	mo = fx_user(&f, "mo@example.org", ROLE_MEMBER, group);
	T_EQ_ERR(set_hash(&f, ann, hash), H_OK, &f.err);
	/* Known: a link and its message; unknown: nothing, and the same answer. */
	o.text = "ANN@example.org";
	T_EQ_ERR(db_write(f.db, do_reset_ask, &o, &f.err), H_OK, &f.err);
	o.text = "nobody@example.org";
	T_EQ_ERR(db_write(f.db, do_reset_ask, &o, &f.err), H_OK, &f.err);
	T_EQ_INT(outbox_count(&f, "password-reset", NULL, NULL), 1);
	o.text = "not an address";
	T_EQ_ERR(db_write(f.db, do_reset_ask, &o, &f.err), H_EINVAL, &f.err);
	T_EQ_INT(outbox_count(&f, "password-reset", "ann@example.org", &raw), 1);
	T_HAS_STR(raw, "Subject: Reset your password for halls");
	T_HAS_STR(raw, "The link works once, for one hour: until Sunday 1 March 2026, 1pm.");
	T_HAS_STR(raw, "If you did not ask, ignore this email.");
	link_secret(raw, secret);
	free(raw);
	link = check_link(&f, secret, T_NOW);
	T_ASSERT(link != NULL);
	T_EQ_STR(json_str(link, "purpose"), "reset");
	json_decref(link);
	/* Expired at one hour exactly. */
	T_EQ_ERR(use_link(&f, secret, T_NOW + 3600), H_EGONE, &f.err);
	T_EQ_ERR(use_link(&f, secret, T_NOW + 3599), H_OK, &f.err);
	T_EQ_INT(outbox_count(&f, "password-changed", "ann@example.org", &raw), 1);
	T_HAS_STR(raw, "with a reset link sent to this address");
	T_HAS_STR(raw, "Every place where the account was signed in has been signed out.");
	T_CHECK(strstr(raw, "token=") == NULL);
	free(raw);
	/* An administrator's reset is told when there is no such account; others may not. */
	o.text = "nobody@example.org";
	T_EQ_ERR(db_write(f.db, do_reset_for, &o, &f.err), H_ENOTFOUND, &f.err);
	o.text = "ann@example.org";
	o.a.user_id = mo;
	T_EQ_ERR(db_write(f.db, do_reset_for, &o, &f.err), H_EFORBIDDEN, &f.err);
	o.a.user_id = ann;
	T_EQ_ERR(db_write(f.db, do_reset_for, &o, &f.err), H_OK, &f.err);
	T_EQ_INT(outbox_count(&f, "password-reset", "ann@example.org", NULL), 2);
	/* A new password, however set, ends the links asked for before. */
	T_EQ_INT(outbox_count(&f, "password-reset", "ann@example.org", &raw), 2);
	link_secret(raw, secret);
	free(raw);
	T_EQ_ERR(set_hash(&f, ann, hash), H_OK, &f.err);
	T_EQ_ERR(use_link(&f, secret, T_NOW), H_EGONE, &f.err);
	/* So does a new email: the link went to the old address. */
	o.a.user_id = ann;
	T_EQ_ERR(db_write(f.db, do_reset_for, &o, &f.err), H_OK, &f.err);
	T_EQ_INT(outbox_count(&f, "password-reset", "ann@example.org", &raw), 3);
	link_secret(raw, secret);
	free(raw);
	o.keep = ann;
	o.fields = json_pack("{s:s}", "email", "ann@elsewhere.example");
	T_EQ_ERR(db_write(f.db, do_save, &o, &f.err), H_OK, &f.err);
	json_decref(o.fields);
	json_decref(o.out);
	T_EQ_ERR(use_link(&f, secret, T_NOW), H_EGONE, &f.err);
	free(hash);
	fx_close(&f);
}

struct op_session {
	uint64_t user;
	enum token_kind kind;
	char text[TOKEN_HEX];
	struct token tk;
};

static enum herr do_session(struct txn *t, void *arg)
{
	struct op_session *o = arg;

	token_free(&o->tk);
	return token_issue(t, &(struct actor){o->user}, o->user, o->kind, NULL, 86400, 86400, T_NOW,
	                   o->text, &o->tk);
}

static bool signed_in(struct fx *f, const char *text)
{
	struct actor a;
	struct txn t;
	bool ok;

	if (db_read_begin(f->db, &t, &f->err) != H_OK)
		return false;
	ok = token_authenticate(&t, text, T_NOW, &a, NULL) == H_OK;
	db_read_end(&t);
	return ok;
}

TEST(account_password_change)
{
	struct fx f;
	struct op_session here = {0}, there = {0}, api = {0}, later = {0};
	char *h1 = password_hash("the first password", 4), *h2 = password_hash("a second one", 4);
	char *raw;
	uint64_t ann, bob;
	struct op_account o = {.now = T_NOW};

	if (!fx_open(&f))
		return;
	ann = fx_user(&f, "ann@example.org", ROLE_ADMIN, 0);
	bob = fx_user(&f, "bob@example.org", ROLE_ADMIN, 0);
	T_EQ_ERR(set_hash(&f, ann, h1), H_OK, &f.err);
	here = (struct op_session){.user = ann, .kind = TOKEN_SESSION};
	there = (struct op_session){.user = ann, .kind = TOKEN_SESSION};
	api = (struct op_session){.user = ann, .kind = TOKEN_API};
	T_ASSERT(db_write(f.db, do_session, &here, &f.err) == H_OK);
	T_ASSERT(db_write(f.db, do_session, &there, &f.err) == H_OK);
	T_ASSERT(db_write(f.db, do_session, &api, &f.err) == H_OK);
	/* The hash checked must still be the stored one. */
	o.a.user_id = ann;
	o.old_hash = h2;
	o.hash = h2;
	o.keep = here.tk.id;
	T_EQ_ERR(db_write(f.db, do_change, &o, &f.err), H_EFORBIDDEN, &f.err);
	o.old_hash = h1;
	T_EQ_ERR(db_write(f.db, do_change, &o, &f.err), H_OK, &f.err);
	/* Every other session and API token ends; the one that asked goes on. */
	T_CHECK(signed_in(&f, here.text));
	T_CHECK(!signed_in(&f, there.text));
	T_CHECK(!signed_in(&f, api.text));
	later = (struct op_session){.user = ann, .kind = TOKEN_SESSION};
	T_ASSERT(db_write(f.db, do_session, &later, &f.err) == H_OK);
	T_CHECK(signed_in(&f, later.text));
	T_EQ_INT(outbox_count(&f, "password-changed", "ann@example.org", &raw), 1);
	T_HAS_STR(raw, "Subject: Your password for halls was changed");
	T_HAS_STR(raw, "was changed by someone signed in to your account.");
	T_HAS_STR(raw, "When: Sunday 1 March 2026, midday");
	T_HAS_STR(raw, "If not, choose a new password now");
	T_HAS_STR(raw, "http://localhost:8080/forgot-password");
	free(raw);
	/* An administrator's change ends that session too, and is told as theirs. */
	o.a.user_id = bob;
	o.keep = ann;
	o.fields = json_pack("{s:s}", "password_hash", h1);
	T_EQ_ERR(db_write(f.db, do_save, &o, &f.err), H_OK, &f.err);
	json_decref(o.fields);
	json_decref(o.out);
	T_CHECK(!signed_in(&f, here.text));
	T_CHECK(!signed_in(&f, later.text));
	T_EQ_INT(outbox_count(&f, "password-changed", "ann@example.org", &raw), 2);
	T_HAS_STR(raw, "by an administrator");
	free(raw);
	token_free(&here.tk);
	token_free(&there.tk);
	token_free(&api.tk);
	token_free(&later.tk);
	free(h1);
	free(h2);
	fx_close(&f);
}

TEST(account_update_self)
{
	struct fx f;
	struct op_account o = {.now = T_NOW};
	char secret[TOKEN_HEX], *raw;
	uint64_t group, mo;

	if (!fx_open(&f))
		return;
	group = fx_group(&f, "Chess Club", 0);
	mo = fx_user(&f, "mo@example.org", ROLE_MEMBER, group);
	o.a.user_id = mo;
	o.fields = json_loads("{\"name\": \"Mo Khan\", \"notifications\": {\"requests\": false, "
	                      "\"decisions\": false, \"changes\": false, \"closures\": false, "
	                      "\"reminders\": false, \"digest\": false, \"reminder_hours\": 2}}",
	                      0, NULL);
	T_EQ_ERR(db_write(f.db, do_self, &o, &f.err), H_OK, &f.err);
	T_EQ_STR(json_str(o.out, "name"), "Mo Khan");
	T_EQ_INT(json_int(json_object_get(o.out, "notifications"), "reminder_hours", 0), 2);
	T_CHECK(!json_flag(json_object_get(o.out, "notifications"), "requests", true));
	json_decref(o.fields);
	/* Role, email, groups and password are not one's own to change here. */
	o.fields = json_loads("{\"role\": \"admin\"}", 0, NULL);
	T_EQ_ERR(db_write(f.db, do_self, &o, &f.err), H_EINVAL, &f.err);
	json_decref(o.fields);
	o.fields = json_loads("{\"password_hash\": \"scrypt$x\"}", 0, NULL);
	T_EQ_ERR(db_write(f.db, do_self, &o, &f.err), H_EINVAL, &f.err);
	json_decref(o.fields);
	o.fields = json_loads("{\"name\": \"\"}", 0, NULL);
	T_EQ_ERR(db_write(f.db, do_self, &o, &f.err), H_EINVAL, &f.err);
	json_decref(o.fields);
	json_decref(o.out);
	/* Account messages come whatever the choices (all turned off above). */
	o.text = "mo@example.org";
	T_EQ_ERR(db_write(f.db, do_reset_ask, &o, &f.err), H_OK, &f.err);
	T_EQ_INT(outbox_count(&f, "password-reset", "mo@example.org", &raw), 1);
	T_HAS_STR(raw, "Hello Mo Khan,");
	T_HAS_STR(raw, "Messages about your account are always sent.");
	link_secret(raw, secret);
	T_EQ_INT(strlen(secret), 64);
	free(raw);
	fx_close(&f);
}
