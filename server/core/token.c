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

static const char *const kind_names[] = {[TOKEN_SESSION] = "session", [TOKEN_API] = "api"};

const char *token_kind_name(enum token_kind k)
{
	return (unsigned)k <= TOKEN_API ? kind_names[k] : "api";
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
	out->kind = strcmp(json_str(o, "kind") ? json_str(o, "kind") : "", "session") == 0
	                ? TOKEN_SESSION
	                : TOKEN_API;
	out->user_id = (uint64_t)json_int(o, "user_id", 0);
	out->label = xstrdup_or_null(json_str(o, "label"));
	out->created_at = json_int(o, "created_at", 0);
	out->expires_at = json_int(o, "expires_at", 0);
	if (!hex32(json_str(o, "sha256"), out->hash)) {
		json_decref(o);
		return txn_refuse(t, H_ESTORAGE, "token %llu is corrupt", (unsigned long long)id);
	}
	json_decref(o);
	return H_OK;
}

enum herr token_issue(struct txn *t, const struct actor *a, uint64_t user_id, enum token_kind kind,
                      const char *label, int64_t ttl, int64_t now, char text[TOKEN_HEX],
                      struct token *out)
{
	enum herr ret;

	token_init(out);
	if (!record_exists(t, DBI_USER, user_id))
		return t->ret != H_OK ? t->ret
		                      : txn_refuse(t, H_ENOTFOUND, "there is no user %llu",
		                                   (unsigned long long)user_id);
	if (a->user_id != user_id && policy_admin(t, a) != H_OK)
		return t->ret;
	ret = text_check(label, "label", LABEL_MAX_BYTES, false, false, t->err);
	if (ret != H_OK)
		return ret;
	if (!token_new(text, out->hash))
		return txn_refuse(t, H_ESTORAGE, "cannot make a random token (OpenSSL failed)");
	out->id = txn_next_id(t, "token");
	out->kind = kind;
	out->user_id = user_id;
	out->label = xstrdup_or_null(label);
	out->created_at = now;
	out->expires_at = ttl > 0 ? now + ttl : 0;
	token_store(t, out);
	if (kind == TOKEN_API)
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
	ok = secret_equal(tk.hash, hash, 32) && (tk.expires_at == 0 || now < tk.expires_at) &&
	     record_exists(t, DBI_USER, tk.user_id);
	out->user_id = tk.user_id;
	if (out_token != NULL)
		*out_token = tk.id;
	token_free(&tk);
	return ok ? H_OK : herror_set(t->err, H_EAUTH, "the token has expired or been revoked");
}

enum herr token_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now)
{
	struct token tk;
	struct key hk, ik = id_key(id);
	enum herr ret = token_get(t, id, &tk);

	if (ret == H_OK && a->user_id != tk.user_id && policy_admin(t, a) != H_OK)
		ret = t->ret;
	if (ret == H_OK) {
		hk = hash_key(tk.hash);
		txn_del(t, DBI_TOKEN, &hk);
		txn_del(t, DBI_TOKEN, &ik);
		if (tk.kind == TOKEN_API)
			audit_append(t, a, "token", id, "revoke", NULL, NULL, now);
		ret = t->ret;
	}
	token_free(&tk);
	return ret;
}

enum herr token_each(struct txn *t, uint64_t user_id, bool (*fn)(const struct token *tk, void *arg),
                     void *arg)
{
	struct key prefix;
	struct scan s;
	bool more = true;

	key_init(&prefix);
	key_u8(&prefix, KEY_ID);
	scan_begin(&s, t, DBI_TOKEN, &prefix, NULL);
	while (more && scan_next(&s)) {
		struct token tk;

		if (s.k.mv_size != 9 ||
		    token_get(t, key_get_u64((const uint8_t *)s.k.mv_data + 1), &tk) != H_OK)
			break;
		if (tk.user_id == user_id)
			more = fn(&tk, arg);
		token_free(&tk);
	}
	scan_end(&s);
	return t->ret;
}
