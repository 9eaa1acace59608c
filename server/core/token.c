#include "token.h"

#include "audit.h"
#include "policy.h"
#include "record.h"
#include "user.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define LABEL_MAX_BYTES 200
#define KEY_HASH        'H'
#define KEY_ID          'I'
#define KEY_FLOOR       'F'

static const char *const kind_names[] = {
    [TOKEN_SESSION] = "session", [TOKEN_API] = "api", [TOKEN_FEED] = "feed"};

const char *token_kind_name(enum token_kind k)
{
	return (unsigned)k <= TOKEN_FEED ? kind_names[k] : "api";
}

const char *token_feed_name(enum feed_kind k)
{
	return k == FEED_MANAGER ? "manager" : "group";
}

/* The kind a record names; anything unknown is an API token, as before feed tokens. */
static enum token_kind kind_parse(const char *s)
{
	if (s != NULL && strcmp(s, "session") == 0)
		return TOKEN_SESSION;
	if (s != NULL && strcmp(s, "feed") == 0)
		return TOKEN_FEED;
	return TOKEN_API;
}

void token_init(struct token *tk)
{
	memset(tk, 0, sizeof(*tk));
}

void token_free(struct token *tk)
{
	free(tk->label);
	memset(tk, 0, sizeof(*tk));
}

json_t *token_to_json(const struct token *tk)
{
	json_t *o =
	    json_pack("{s:I, s:s, s:I, s:s, s:I}", "id", (json_int_t)tk->id, "kind",
	              token_kind_name(tk->kind), "user_id", (json_int_t)tk->user_id, "label",
	              tk->label ? tk->label : "", "created_at", (json_int_t)tk->created_at);

	json_object_set_new(o, "expires_at",
	                    tk->expires_at ? json_integer((json_int_t)tk->expires_at)
	                                   : json_null());
	if (tk->kind == TOKEN_FEED) {
		json_object_set_new(o, "feed", json_string(token_feed_name(tk->feed)));
		json_object_set_new(o, "scope_id", json_integer((json_int_t)tk->scope_id));
	}
	return o;
}

static struct key hash_key(const uint8_t hash[32])
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_HASH);
	memcpy(k.b + k.len, hash, 32);
	k.len += 32;
	return k;
}

static struct key id_key(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_ID);
	key_u64(&k, id);
	return k;
}

static struct key floor_key(uint64_t user_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_FLOOR);
	key_u64(&k, user_id);
	return k;
}

/* The user's floor: bearer tokens with ids up to it have been ended (0: none), except
 * *kept (0: none), the session that asked for the change that ended the others. */
static uint64_t floor_get(struct txn *t, uint64_t user_id, uint64_t *kept)
{
	struct key k = floor_key(user_id);
	MDB_val v;

	*kept = 0;
	if (!txn_get(t, DBI_TOKEN, &k, &v) || (v.mv_size != 8 && v.mv_size != 16))
		return 0;
	if (v.mv_size == 16)
		*kept = key_get_u64((const uint8_t *)v.mv_data + 8);
	return key_get_u64(v.mv_data);
}

enum herr token_end_user_except(struct txn *t, uint64_t user_id, uint64_t keep)
{
	struct key k = floor_key(user_id);
	uint8_t v[16];

	/* An id drawn now is above every token issued so far and below every later one. */
	key_put_u64(v, txn_next_id(t, "token"));
	key_put_u64(v + 8, keep);
	txn_put(t, DBI_TOKEN, &k, v, keep != 0 ? 16 : 8);
	return t->ret;
}

enum herr token_end_user(struct txn *t, uint64_t user_id)
{
	return token_end_user_except(t, user_id, 0);
}

void token_forget_user(struct txn *t, uint64_t user_id)
{
	struct key k = floor_key(user_id);
	MDB_val v;

	if (txn_get(t, DBI_TOKEN, &k, &v))
		txn_del(t, DBI_TOKEN, &k);
}

int64_t token_ends_at(const struct token *tk)
{
	if (tk->expires_at != 0 || tk->kind == TOKEN_FEED)
		return tk->expires_at;
	/* Made before bearer tokens had to expire: they get the default maximum life. */
	return tk->created_at + TOKEN_API_MAX_DAYS_DEFAULT * 86400;
}

/* Whether tk no longer opens anything, for a reason that cannot be undone: it expired,
 * its user is gone, or (a bearer token) it was ended by a change of password or role. */
static bool token_dead(struct txn *t, const struct token *tk, int64_t now)
{
	int64_t end = token_ends_at(tk);
	uint64_t ended, kept;

	if (end != 0 && now >= end)
		return true;
	if (!record_exists(t, DBI_USER, tk->user_id))
		return true;
	if (tk->kind == TOKEN_FEED)
		return false;
	ended = floor_get(t, tk->user_id, &kept);
	return tk->id <= ended && tk->id != kept;
}

static void token_store(struct txn *t, const struct token *tk)
{
	char hex[65];
	json_t *o = token_to_json(tk);
	struct key hk = hash_key(tk->hash), ik = id_key(tk->id);
	uint8_t id[8];

	hex_encode(tk->hash, 32, hex);
	json_object_set_new(o, "sha256", json_string(hex));
	key_put_u64(id, tk->id);
	txn_put(t, DBI_TOKEN, &hk, id, sizeof(id));
	record_put_key(t, DBI_TOKEN, &ik, o);
	json_decref(o);
}

static bool hex32(const char *s, uint8_t out[32])
{
	for (int i = 0; i < 32; i++) {
		unsigned v;

		if (s == NULL || sscanf(s + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return strlen(s) == 64;
}

static enum herr token_get(struct txn *t, uint64_t id, struct token *out)
{
	struct key k = id_key(id);
	json_t *o;
	enum herr ret;

	token_init(out);
	ret = record_get_key(t, DBI_TOKEN, &k, "token", id, &o);
	if (ret != H_OK)
		return ret;
	out->id = id;
	out->kind = kind_parse(json_str(o, "kind"));
	out->user_id = (uint64_t)json_int(o, "user_id", 0);
	out->label = xstrdup_or_null(json_str(o, "label"));
	out->created_at = json_int(o, "created_at", 0);
	out->expires_at = json_int(o, "expires_at", 0);
	if (out->kind == TOKEN_FEED) {
		const char *feed = json_str(o, "feed");

		out->feed =
		    feed != NULL && strcmp(feed, "manager") == 0 ? FEED_MANAGER : FEED_GROUP;
		out->scope_id = (uint64_t)json_int(o, "scope_id", 0);
		if (feed == NULL || (strcmp(feed, "manager") != 0 && strcmp(feed, "group") != 0) ||
		    out->scope_id == 0) {
			json_decref(o);
			return txn_refuse(t, H_ESTORAGE, "feed token %llu names no feed",
			                  (unsigned long long)id);
		}
	}
	if (!hex32(json_str(o, "sha256"), out->hash)) {
		json_decref(o);
		return txn_refuse(t, H_ESTORAGE, "token %llu is corrupt", (unsigned long long)id);
	}
	json_decref(o);
	return H_OK;
}

/* Who may issue a token for user_id: the user, or an admin. */
static enum herr issue_allowed(struct txn *t, const struct actor *a, uint64_t user_id,
                               const char *label)
{
	if (record_need(t, DBI_USER, user_id, "user") != H_OK)
		return t->ret;
	if (a->user_id != user_id && policy_admin(t, a) != H_OK)
		return t->ret;
	return text_check(label, "label", LABEL_MAX_BYTES, false, false, t->err);
}

int64_t token_life(int64_t ttl, int64_t max_ttl)
{
	if (max_ttl <= 0)
		max_ttl = TOKEN_API_MAX_DAYS_DEFAULT * 86400;
	return ttl <= 0 || ttl > max_ttl ? max_ttl : ttl;
}

/* Makes the secret and stores out (kind, user, label and scope already set); ttl 0: no
 * expiry (feed tokens only). */
static enum herr issue_store(struct txn *t, struct token *out, int64_t ttl, int64_t now,
                             char text[TOKEN_HEX])
{
	if (!token_new(text, out->hash))
		return txn_refuse(t, H_ESTORAGE, "cannot make a random token (OpenSSL failed)");
	out->id = txn_next_id(t, "token");
	out->created_at = now;
	out->expires_at = ttl > 0 ? now + ttl : 0;
	token_store(t, out);
	return t->ret;
}

enum herr token_issue(struct txn *t, const struct actor *a, uint64_t user_id, enum token_kind kind,
                      const char *label, int64_t ttl, int64_t max_ttl, int64_t now,
                      char text[TOKEN_HEX], struct token *out)
{
	enum herr ret;

	token_init(out);
	/* A feed token without its feed would open nothing, or worse, everything. */
	if (kind == TOKEN_FEED)
		return txn_refuse(t, H_EINVAL, "a feed token is issued for a feed");
	if ((ret = issue_allowed(t, a, user_id, label)) != H_OK)
		return ret;
	out->kind = kind;
	out->user_id = user_id;
	out->label = xstrdup_or_null(label);
	/* Every bearer token expires: one that never did would outlive any password. */
	if ((ret = issue_store(t, out, token_life(ttl, max_ttl), now, text)) != H_OK)
		return ret;
	if (kind == TOKEN_API)
		audit_append(t, a, "token", out->id, "issue", label, NULL, now);
	return t->ret;
}

/* Whether user u may see the feed: a group's to its members and to admins; the manager
 * feed, which is u's own (scope_id is the user, and the venues are whichever u manages
 * when it is read), to managers and admins. */
static bool feed_visible(const struct user *u, enum feed_kind feed, uint64_t scope_id)
{
	if (feed == FEED_GROUP)
		return policy_user_admin(u) || policy_user_member_of(u, scope_id);
	return feed == FEED_MANAGER && scope_id == u->id && policy_user_manager(u);
}

/* The rules of token_feed_issue about the feed itself. */
static enum herr feed_issue_allowed(struct txn *t, uint64_t user_id, enum feed_kind feed,
                                    uint64_t scope_id)
{
	struct user u;
	bool ok;

	if (feed != FEED_GROUP && feed != FEED_MANAGER)
		return txn_refuse(t, H_EINVAL, "a feed token opens a group's feed or a manager's");
	if (feed == FEED_GROUP && record_need(t, DBI_GROUP, scope_id, "group") != H_OK)
		return t->ret;
	if (user_get(t, user_id, &u) != H_OK) {
		user_free(&u);
		return record_not_found(t, "user", user_id);
	}
	ok = feed_visible(&u, feed, scope_id);
	user_free(&u);
	if (ok)
		return H_OK;
	if (feed == FEED_GROUP)
		return txn_refuse(
		    t, H_EFORBIDDEN,
		    "only a member of group %llu (or an administrator) may have its feed",
		    (unsigned long long)scope_id);
	return txn_refuse(t, H_EFORBIDDEN,
	                  "only a manager (or an administrator) may have the manager's feed");
}

enum herr token_feed_issue(struct txn *t, const struct actor *a, uint64_t user_id,
                           enum feed_kind feed, uint64_t scope_id, const char *label, int64_t now,
                           char text[TOKEN_HEX], struct token *out)
{
	enum herr ret;

	token_init(out);
	if (feed == FEED_MANAGER)
		scope_id = user_id;
	if ((ret = issue_allowed(t, a, user_id, label)) != H_OK ||
	    (ret = feed_issue_allowed(t, user_id, feed, scope_id)) != H_OK)
		return ret;
	out->kind = TOKEN_FEED;
	out->user_id = user_id;
	out->label = xstrdup_or_null(label);
	out->feed = feed;
	out->scope_id = scope_id;
	/* No expiry: calendar apps poll a subscription for years; revoking ends it. */
	if ((ret = issue_store(t, out, 0, now, text)) != H_OK)
		return ret;
	audit_append(t, a, "token", out->id, "issue", label, NULL, now);
	return t->ret;
}

enum herr token_authenticate(struct txn *t, const char *text, int64_t now, struct actor *out,
                             uint64_t *out_token)
{
	uint8_t hash[32];
	struct key hk;
	struct token tk;
	MDB_val v;
	bool ok;

	if (text == NULL || !token_hash(text, hash))
		return herror_set(t->err, H_EAUTH, "the token is not valid");
	hk = hash_key(hash);
	if (!txn_get(t, DBI_TOKEN, &hk, &v) || v.mv_size != 8)
		return t->ret != H_OK ? t->ret
		                      : herror_set(t->err, H_EAUTH, "the token is not valid");
	if (token_get(t, key_get_u64(v.mv_data), &tk) != H_OK) {
		token_free(&tk);
		return t->ret != H_OK ? t->ret : H_EAUTH;
	}
	if (tk.kind == TOKEN_FEED) {
		/* A feed token sits in URLs that calendar apps keep; it must not sign in. */
		token_free(&tk);
		return herror_set(t->err, H_EAUTH, "a feed token opens its feed and nothing else");
	}
	ok = secret_equal(tk.hash, hash, 32) && !token_dead(t, &tk, now);
	out->user_id = tk.user_id;
	if (out_token != NULL)
		*out_token = tk.id;
	token_free(&tk);
	return ok ? H_OK : herror_set(t->err, H_EAUTH, "the token has expired or been revoked");
}

/* The one answer to a feed secret that opens nothing, whatever the reason. */
static enum herr no_feed(struct txn *t)
{
	return t->ret != H_OK ? t->ret : herror_set(t->err, H_ENOTFOUND, "there is no such feed");
}

enum herr token_feed_scope(struct txn *t, const char *text, int64_t now, struct feed_scope *out)
{
	uint8_t hash[32];
	struct key hk;
	struct token tk;
	struct user u;
	MDB_val v;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (text == NULL || !token_hash(text, hash))
		return no_feed(t);
	hk = hash_key(hash);
	if (!txn_get(t, DBI_TOKEN, &hk, &v) || v.mv_size != 8)
		return no_feed(t);
	if (token_get(t, key_get_u64(v.mv_data), &tk) != H_OK) {
		token_free(&tk);
		return no_feed(t);
	}
	/* Checked again now, not only at issue: leaving the group or the manager's role
	 * closes the feed without anyone having to revoke the token. */
	user_init(&u);
	ok = tk.kind == TOKEN_FEED && secret_equal(tk.hash, hash, 32) && !token_dead(t, &tk, now) &&
	     user_get(t, tk.user_id, &u) == H_OK && feed_visible(&u, tk.feed, tk.scope_id);
	user_free(&u);
	if (ok) {
		out->kind = tk.feed;
		out->id = tk.scope_id;
		out->now = now;
	}
	token_free(&tk);
	return ok ? H_OK : no_feed(t);
}

/* Revokes token id when it is a feed token (feed) or a bearer token (!feed): the two are
 * revoked through their own commands, so that neither reaches the other. */
static enum herr revoke_kind(struct txn *t, const struct actor *a, uint64_t id, bool feed,
                             int64_t now)
{
	struct token tk;
	struct key hk, ik = id_key(id);
	enum herr ret = token_get(t, id, &tk);

	/* Other users' tokens do not exist as far as a caller who is not an admin knows. */
	if (ret == H_OK && a->user_id != tk.user_id && !policy_is_admin(t, a))
		ret = record_not_found(t, feed ? "feed token" : "token", id);
	/* After the owner check, so that the kind of another user's token is not told. */
	if (ret == H_OK && (tk.kind == TOKEN_FEED) != feed)
		ret = txn_refuse(t, H_ENOTFOUND,
		                 feed ? "token %llu is not a feed token"
		                      : "token %llu is a feed token (revoke it as a feed token)",
		                 (unsigned long long)id);
	if (ret == H_OK) {
		hk = hash_key(tk.hash);
		txn_del(t, DBI_TOKEN, &hk);
		txn_del(t, DBI_TOKEN, &ik);
		if (tk.kind != TOKEN_SESSION)
			audit_append(t, a, "token", id, "revoke", NULL, NULL, now);
		ret = t->ret;
	}
	token_free(&tk);
	return ret;
}

enum herr token_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	return revoke_kind(t, a, id, false, now);
}

enum herr token_feed_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	return revoke_kind(t, a, id, true, now);
}

/* The user's tokens (user_id 0: everyone's) that are feed tokens (feed) or bearer
 * tokens (!feed), in id order; a user who does not exist is refused. */
static enum herr each_kind(struct txn *t, uint64_t user_id, bool feed,
                           bool (*fn)(const struct token *tk, void *arg), void *arg)
{
	struct key prefix;
	struct scan s;
	bool more = true;

	if (user_id != 0 && record_need(t, DBI_USER, user_id, "user") != H_OK)
		return t->ret;
	key_init(&prefix);
	key_u8(&prefix, KEY_ID);
	scan_begin(&s, t, DBI_TOKEN, &prefix, NULL);
	while (more && scan_next(&s)) {
		struct token tk;

		if (s.k.mv_size != 9 ||
		    token_get(t, key_get_u64((const uint8_t *)s.k.mv_data + 1), &tk) != H_OK)
			break;
		if ((user_id == 0 || tk.user_id == user_id) && (tk.kind == TOKEN_FEED) == feed)
			more = fn(&tk, arg);
		token_free(&tk);
	}
	scan_end(&s);
	return t->ret;
}

enum herr token_each(struct txn *t, uint64_t user_id, bool (*fn)(const struct token *tk, void *arg),
                     void *arg)
{
	return each_kind(t, user_id, false, fn, arg);
}

enum herr token_feed_each(struct txn *t, uint64_t user_id,
                          bool (*fn)(const struct token *tk, void *arg), void *arg)
{
	return each_kind(t, user_id, true, fn, arg);
}

/* Deletes a token's two keys. */
static void token_delete(struct txn *t, const struct token *tk)
{
	struct key hk = hash_key(tk->hash), ik = id_key(tk->id);

	txn_del(t, DBI_TOKEN, &hk);
	txn_del(t, DBI_TOKEN, &ik);
}

enum herr token_purge(struct txn *t, int64_t now, struct token_purge *p)
{
	struct key prefix, from;
	struct scan s;
	size_t visited = 0;

	key_init(&prefix);
	key_u8(&prefix, KEY_ID);
	from = id_key(p->next);
	p->deleted = 0;
	p->done = true;
	scan_begin(&s, t, DBI_TOKEN, &prefix, &from);
	while (scan_next(&s)) {
		uint64_t id;
		struct token tk;

		if (s.k.mv_size != 9) {
			txn_refuse(t, H_ESTORAGE, "a token key is corrupt");
			break;
		}
		id = key_get_u64((const uint8_t *)s.k.mv_data + 1);
		if ((p->max_visits != 0 && visited == p->max_visits) ||
		    (p->max_deletes != 0 && p->deleted == p->max_deletes)) {
			p->next = id;
			p->done = false;
			break;
		}
		visited++;
		if (token_get(t, id, &tk) != H_OK) {
			token_free(&tk);
			break;
		}
		/* Deleting under the scan's cursor would move it: start again past id. */
		if (token_dead(t, &tk, now)) {
			scan_end(&s);
			token_delete(t, &tk);
			p->deleted++;
			from = id_key(id + 1);
			scan_begin(&s, t, DBI_TOKEN, &prefix, &from);
		}
		token_free(&tk);
	}
	scan_end(&s);
	if (p->done)
		p->next = 0;
	return t->ret;
}
