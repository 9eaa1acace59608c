#include "link.h"

#include "record.h"

#include <string.h>

#define KEY_LINK    'L'
#define KEY_CURRENT 'P'

static const char *const purpose_names[] = {
    [LINK_INVITATION] = "invitation", [LINK_RESET] = "reset"};

const char *link_purpose_name(enum link_purpose p)
{
	return p == LINK_INVITATION ? purpose_names[LINK_INVITATION] : purpose_names[LINK_RESET];
}

int64_t link_life(enum link_purpose p)
{
	return p == LINK_INVITATION ? LINK_INVITATION_LIFE : LINK_RESET_LIFE;
}

static struct key link_key(const uint8_t hash[32])
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_LINK);
	memcpy(k.b + k.len, hash, 32);
	k.len += 32;
	return k;
}

static struct key current_key(uint64_t user_id, enum link_purpose p)
{
	struct key k;

	key_init(&k);
	key_u8(&k, KEY_CURRENT);
	key_u64(&k, user_id);
	key_u8(&k, (uint8_t)p);
	return k;
}

/* Deletes the user's current link of purpose p, and the note of which one it is. */
static void link_end(struct txn *t, uint64_t user_id, enum link_purpose p)
{
	struct key ck = current_key(user_id, p), lk;
	MDB_val v;

	if (!txn_get(t, DBI_TOKEN, &ck, &v))
		return;
	if (v.mv_size == 32) {
		lk = link_key(v.mv_data);
		if (txn_get(t, DBI_TOKEN, &lk, &v))
			txn_del(t, DBI_TOKEN, &lk);
	}
	txn_del(t, DBI_TOKEN, &ck);
}

void link_end_user(struct txn *t, uint64_t user_id)
{
	link_end(t, user_id, LINK_INVITATION);
	link_end(t, user_id, LINK_RESET);
}

enum herr link_issue(struct txn *t, uint64_t user_id, enum link_purpose p, int64_t now,
                     char text[TOKEN_HEX], struct link *out)
{
	uint8_t hash[32];
	struct key lk, ck;
	json_t *o;

	if (record_need(t, DBI_USER, user_id, "user") != H_OK)
		return t->ret;
	if (!token_new(text, hash))
		return txn_refuse(t, H_ESTORAGE, "cannot make a random link (OpenSSL failed)");
	link_end(t, user_id, p);
	lk = link_key(hash);
	ck = current_key(user_id, p);
	o = json_pack("{s:I, s:s, s:I, s:I}", "user_id", (json_int_t)user_id, "purpose",
	              link_purpose_name(p), "created_at", (json_int_t)now, "expires_at",
	              (json_int_t)(now + link_life(p)));
	record_put_key(t, DBI_TOKEN, &lk, o);
	json_decref(o);
	txn_put(t, DBI_TOKEN, &ck, hash, sizeof(hash));
	if (out != NULL)
		*out = (struct link){user_id, p, now, now + link_life(p)};
	return t->ret;
}

/* The one answer to a link that does not work, whatever the reason (a storage fault
 * stays what it is). */
static enum herr link_gone(struct txn *t)
{
	return t->ret != H_OK ? t->ret : txn_refuse(t, H_EGONE, LINK_GONE_WORDS);
}

/* The record under hash, when there is one that reads as a link. */
static bool link_read(struct txn *t, const uint8_t hash[32], struct link *out)
{
	struct key lk = link_key(hash);
	const char *purpose;
	MDB_val v;
	json_t *o;
	bool ok;

	if (!txn_get(t, DBI_TOKEN, &lk, &v) ||
	    record_get_key(t, DBI_TOKEN, &lk, "link", 0, &o) != H_OK)
		return false;
	purpose = json_str(o, "purpose");
	out->user_id = (uint64_t)json_int(o, "user_id", 0);
	out->purpose =
	    purpose != NULL && strcmp(purpose, "invitation") == 0 ? LINK_INVITATION : LINK_RESET;
	out->created_at = json_int(o, "created_at", 0);
	out->expires_at = json_int(o, "expires_at", 0);
	ok = purpose != NULL && out->user_id != 0 && out->expires_at != 0;
	json_decref(o);
	return ok;
}

/* Whether the link under hash is its user's current one of its purpose: a link ended by
 * a newer one has been deleted already, so this guards only against a record left
 * behind by hand. */
static bool link_current(struct txn *t, const uint8_t hash[32], const struct link *l)
{
	struct key ck = current_key(l->user_id, l->purpose);
	MDB_val v;

	return txn_get(t, DBI_TOKEN, &ck, &v) && v.mv_size == 32 &&
	       secret_equal(v.mv_data, hash, 32);
}

enum herr link_find(struct txn *t, const char *text, int64_t now, struct link *out)
{
	uint8_t hash[32];

	memset(out, 0, sizeof(*out));
	if (text == NULL || !token_hash(text, hash) || !link_read(t, hash, out))
		return link_gone(t);
	if (now >= out->expires_at || !link_current(t, hash, out) ||
	    !record_exists(t, DBI_USER, out->user_id)) {
		memset(out, 0, sizeof(*out));
		return link_gone(t);
	}
	return H_OK;
}

enum herr link_consume(struct txn *t, const char *text, int64_t now, struct link *out)
{
	if (link_find(t, text, now, out) != H_OK)
		return t->ret;
	link_end(t, out->user_id, out->purpose);
	return t->ret;
}
