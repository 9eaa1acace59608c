/* Users over HTTP: what `halls user add|list|show|set|rm` does, for the administrators'
 * pages.
 *
 *   GET    /api/v1/users?limit=&after=   every user, in id order, paged (admins)
 *   POST   /api/v1/users                 {"name", "email", "role", "venues", "groups",
 *                                        "password"} -> 201 the user
 *   GET    /api/v1/users/<id>            the user (the user themselves, admins)
 *   PATCH  /api/v1/users/<id>            the fields to change -> 200 the user
 *   DELETE /api/v1/users/<id>            -> 204 (h_record_delete over kind_user, as
 *                                        `halls user rm`)
 *
 * Every rule is the core's, in the words `halls` prints: the fields through kind_user
 * (user_apply, account.c), who may through account.c and policy.c, the password's rule
 * through account_password_check. A password is hashed on the worker thread, as a
 * sign-in's is checked, and only after the core has said that the caller may change
 * users and that the password meets its rule, so no one else can make hallsd do scrypt
 * work. The write then goes through the group commit with the hash in the password's
 * place, as `halls user add --password-stdin` hands kind_user its hash. No reply, and no
 * problem body, carries the password or its hash. */
#include "server.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* A create or change on its way: hashed (when it sets a password), then committed. */
struct user_write {
	struct request *r;
	uint64_t id;    /* 0: create */
	json_t *fields; /* for kind_user.save: the body less "password" */
	char *password; /* cleansed and freed once hashed */
	char *hash;     /* the worker's */
	unsigned log2n; /* the configured scrypt cost */
	json_t *out;    /* the record saved */
};

static void user_write_free(struct user_write *w)
{
	if (w->password != NULL) {
		OPENSSL_cleanse(w->password, strlen(w->password));
		free(w->password);
	}
	if (w->hash != NULL) {
		OPENSSL_cleanse(w->hash, strlen(w->hash));
		free(w->hash);
	}
	json_decref(w->fields);
	json_decref(w->out);
	free(w);
}

static enum herr user_write_run(struct txn *t, void *arg)
{
	struct user_write *w = arg;

	json_decref(w->out);
	w->out = NULL;
	return kind_user.save(t, &w->r->actor, w->id, w->fields, w->r->now, &w->out);
}

static void user_write_done(struct request *r, enum herr ret, void *arg)
{
	struct user_write *w = arg;

	if (ret == H_OK) {
		r->reply = w->out;
		r->status = w->id == 0 ? 201 : 200;
		w->out = NULL;
	}
	user_write_free(w);
	request_finish(r, ret);
}

/* On the worker thread: touches only w's password, hash and cost. */
static void user_write_hash(void *arg)
{
	struct user_write *w = arg;

	w->hash = password_hash(w->password, w->log2n);
	OPENSSL_cleanse(w->password, strlen(w->password));
	free(w->password);
	w->password = NULL;
}

/* Back on the loop with the hash: it goes in the password's place. */
static void user_write_hashed(void *arg)
{
	struct user_write *w = arg;
	struct request *r = w->r;

	if (w->hash == NULL) {
		user_write_free(w);
		request_finish(r, herror_set(&r->err, H_ESTORAGE,
		                             "cannot hash the password (OpenSSL failed)"));
		return;
	}
	json_object_set_new(w->fields, "password_hash", json_string(w->hash));
	commit_submit(r, user_write_run, w, user_write_done);
}

/* The email a new password for user id (0: a new user) must not contain: the body's,
 * else the stored one (caller frees; NULL when neither is known). */
static char *user_write_email(struct request *r, struct txn *t, uint64_t id)
{
	const char *given = json_str(r->body, "email");
	struct user u;
	char *email = NULL;

	user_init(&u);
	if (given != NULL)
		return user_email_normalize(given);
	if (id != 0 && user_get(t, id, &u) == H_OK)
		email = xstrdup(u.email);
	user_free(&u);
	return email;
}

/* Whether the caller may change users at all, asked before any hashing, and the body's
 * password (*password NULL when it sets none) by the core's rule. */
static enum herr user_write_check(struct request *r, uint64_t id, const char **password)
{
	json_t *v = json_object_get(r->body, "password");
	struct txn t;
	char *email;
	enum herr ret;

	*password = NULL;
	if (v != NULL && !json_is_string(v))
		return herror_set(&r->err, H_EINVAL, "password must be a string");
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = account_may_write(&t, &r->actor);
	email = ret == H_OK && v != NULL ? user_write_email(r, &t, id) : NULL;
	db_read_end(&t);
	if (ret == H_OK && v != NULL)
		ret = account_password_check(json_string_value(v), json_string_length(v), email,
		                             &r->err);
	free(email);
	if (ret == H_OK && v != NULL)
		*password = json_string_value(v);
	return ret;
}

static enum herr user_write_submit(struct request *r, uint64_t id)
{
	/* Not "password_hash": a caller sends a password, never a hash of its choosing. */
	static const char *const known[] = {"name",   "email",    "role", "venues",
	                                    "groups", "password", NULL};
	const char *password;
	struct user_write *w;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = user_write_check(r, id, &password)) != H_OK)
		return ret;
	w = xcalloc(1, sizeof(*w));
	w->r = r;
	w->id = id;
	w->fields = json_deep_copy(r->body);
	json_object_del(w->fields, "password");
	if (password == NULL) {
		commit_submit(r, user_write_run, w, user_write_done);
		return H_OK;
	}
	w->password = xstrdup(password);
	w->log2n = r->srv->cfg.scrypt_log2n;
	request_defer(r);
	worker_submit(r->srv->worker, user_write_hash, user_write_hashed, w);
	return H_OK;
}

enum herr h_user_create(struct request *r)
{
	return user_write_submit(r, 0);
}

enum herr h_user_update(struct request *r)
{
	return user_write_submit(r, r->ids[0]);
}

enum herr h_user_get(struct request *r)
{
	struct txn t;
	enum herr ret = db_read_begin(r->srv->db, &t, &r->err);

	if (ret != H_OK)
		return ret;
	ret = account_show(&t, &r->actor, r->ids[0], &r->reply);
	db_read_end(&t);
	return ret;
}

struct user_listing {
	json_t *items;
	struct page pg;
};

static bool user_list_one(const json_t *o, void *arg)
{
	struct user_listing *l = arg;

	json_array_append_new(l->items, json_deep_copy(o));
	return !page_full(&l->pg);
}

enum herr h_user_list(struct request *r)
{
	static const char *const known[] = {"limit", "after", NULL};
	struct user_listing l = {0};
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = page_read(r, 'u', &l.pg)) != H_OK)
		return ret;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	l.items = json_array();
	ret = account_each_page(&t, &r->actor, &l.pg.w, user_list_one, &l);
	db_read_end(&t);
	if (ret != H_OK) {
		json_decref(l.items);
		return ret;
	}
	r->reply = l.items;
	page_link(r, &l.pg);
	return H_OK;
}
