/* Accounts that people run themselves: their own record and password, invitations,
 * password resets, and the links those send.
 *
 *   PATCH /api/v1/users/me                {"name"?, "notifications"?} -> 200 the user
 *   POST  /api/v1/users/me/password       {"current_password", "new_password"} -> 204
 *   POST  /api/v1/invitations             {"email", "name", "role", "venues"?,
 *                                         "groups"?} -> 201 {"user", "expires_at"}
 *   POST  /api/v1/password-resets         {"email"} -> 202 {"message"}, whatever the
 *                                         email
 *   POST  /api/v1/account-links/check     {"token"} -> 200 {"purpose", "email", "name",
 *                                         "expires_at"}, or 410
 *   POST  /api/v1/account-links/use       {"token", "password"} -> 204, or 410
 *
 * Every rule is the core's (account.h, invite.h, link.h, policy.h): who may invite whom,
 * the password rule, what a link is and how long it works, what ends and which message
 * goes. This file reads the bodies, throttles, and hashes on the worker thread (worker.c)
 * only once the core has accepted everything but the hash: a new password after the
 * rule, and after the current password (checked on the worker as a sign-in's is) or a
 * live link, so no one can make hallsd do scrypt work for nothing. Throttling is
 * ratelimit.c's, as for sign-in: a wrong current password counts as a failed sign-in of
 * the account; every reset asked for counts as an attempt, under the email prefixed with
 * "reset:" so that resets and sign-ins have their own allowances per account, and share
 * one per client address. No reply carries a password, a hash or a link's secret. */
#include "server.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* Frees a secret's copy after wiping it. */
static void secret_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Counts an attempt at account from the request's address, or refuses it (429 with
 * Retry-After) as ratelimit.c's rule says. */
static enum herr account_throttle(struct request *r, const char *account, const char *addr)
{
	int64_t wait;
	char value[24];

	if (ratelimit_begin(r->srv->limits, account, addr, r->now, &wait))
		return H_OK;
	snprintf(value, sizeof(value), "%lld", (long long)wait);
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", value);
	r->limit = LIMIT_ACCOUNT_RATE;
	return herror_set(&r->err, H_ETOOMANY, "too many attempts; try again in %lld seconds",
	                  (long long)wait);
}

/* A string field of the body that must be there: H_EINVAL naming it otherwise. */
static enum herr body_string(struct request *r, const char *key, const char **out)
{
	json_t *v = json_object_get(r->body, key);

	if (!json_is_string(v))
		return herror_set(&r->err, H_EINVAL, "give \"%s\" as a string", key);
	*out = json_string_value(v);
	return H_OK;
}

/* ---- PATCH /api/v1/users/me ---- */

struct self_update {
	struct request *r;
	json_t *out;
};

static enum herr self_update_run(struct txn *t, void *arg)
{
	struct self_update *u = arg;

	json_decref(u->out);
	u->out = NULL;
	return account_update_self(t, &u->r->actor, u->r->body, u->r->now, &u->out);
}

static void self_update_done(struct request *r, enum herr ret, void *arg)
{
	struct self_update *u = arg;

	if (ret == H_OK) {
		r->reply = u->out;
		u->out = NULL;
	}
	json_decref(u->out);
	free(u);
	request_finish(r, ret);
}

enum herr h_user_me_update(struct request *r)
{
	struct self_update *u = xcalloc(1, sizeof(*u));

	u->r = r;
	commit_submit(r, self_update_run, u, self_update_done);
	return H_OK;
}

/* ---- POST /api/v1/users/me/password ---- */

struct password_change {
	struct request *r;
	char *current, *next; /* wiped once hashed */
	char *old_hash;       /* the stored hash the current password is checked against */
	char *new_hash;       /* the worker's */
	char *email;          /* the throttling account */
	char addr[64];
	unsigned log2n;
	bool ok; /* the worker's verdict on the current password */
};

static void password_change_free(struct password_change *c)
{
	secret_free(c->current);
	secret_free(c->next);
	secret_free(c->new_hash);
	free(c->old_hash);
	free(c->email);
	free(c);
}

/* On the worker thread: the current password checked, the new one hashed. */
static void password_change_hash(void *arg)
{
	struct password_change *c = arg;

	c->ok = password_verify(c->current, c->old_hash);
	if (c->ok)
		c->new_hash = password_hash(c->next, c->log2n);
	secret_free(c->current);
	secret_free(c->next);
	c->current = c->next = NULL;
}

static enum herr password_change_run(struct txn *t, void *arg)
{
	struct password_change *c = arg;
	struct request *r = c->r;

	return account_password_change(t, &r->actor, c->old_hash, c->new_hash, r->token_id, r->now);
}

static void password_change_done(struct request *r, enum herr ret, void *arg)
{
	if (ret == H_OK)
		r->status = 204;
	password_change_free(arg);
	request_finish(r, ret);
}

static void password_change_checked(void *arg)
{
	struct password_change *c = arg;
	struct request *r = c->r;

	ratelimit_end(r->srv->limits, c->email, c->addr, c->ok, r->now);
	if (!c->ok || c->new_hash == NULL) {
		enum herr ret =
		    !c->ok ? herror_set(&r->err, H_EFORBIDDEN, "the current password is wrong")
		           : herror_set(&r->err, H_ESTORAGE,
		                        "cannot hash the password (OpenSSL failed)");

		password_change_free(c);
		request_finish(r, ret);
		return;
	}
	commit_submit(r, password_change_run, c, password_change_done);
}

/* The caller's stored hash and email, and the new password by the core's rule. */
static enum herr password_change_read(struct request *r, struct password_change *c)
{
	struct user u;
	struct txn t;
	enum herr ret;

	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = user_get(&t, r->actor.user_id, &u);
	db_read_end(&t);
	if (ret == H_ENOTFOUND)
		ret = herror_set(&r->err, H_EAUTH, "your account has been removed");
	else if (ret == H_OK && u.password_hash == NULL)
		ret = herror_set(&r->err, H_EFORBIDDEN,
		                 "your account has no password to change: set one with \"Forgot "
		                 "your password?\" on the sign-in page");
	if (ret == H_OK) {
		c->old_hash = xstrdup(u.password_hash);
		c->email = xstrdup(u.email);
		ret = account_password_check(c->next, strlen(c->next), u.email, &r->err);
	}
	user_free(&u);
	return ret;
}

enum herr h_user_password(struct request *r)
{
	static const char *const known[] = {"current_password", "new_password", NULL};
	json_t *next = json_object_get(r->body, "new_password");
	const char *current = NULL;
	struct password_change *c;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = body_string(r, "current_password", &current)) != H_OK || !json_is_string(next))
		return ret != H_OK
		           ? ret
		           : herror_set(&r->err, H_EINVAL, "give \"new_password\" as a string");
	/* The rule is judged on the length JSON gave, which a NUL inside would make longer
	 * than the copy below: refused first, never truncated into another password. */
	if (account_password_check(json_string_value(next), json_string_length(next), NULL,
	                           &r->err) != H_OK)
		return r->err.code;
	c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->current = xstrdup(current);
	c->next = xstrdup(json_string_value(next));
	c->log2n = r->srv->cfg.scrypt_log2n;
	request_peer(r, c->addr, sizeof(c->addr));
	if ((ret = password_change_read(r, c)) != H_OK ||
	    (ret = account_throttle(r, c->email, c->addr)) != H_OK) {
		password_change_free(c);
		return ret;
	}
	request_defer(r);
	worker_submit(r->srv->worker, password_change_hash, password_change_checked, c);
	return H_OK;
}

/* ---- POST /api/v1/invitations ---- */

struct invite_op {
	struct request *r;
	struct invitation inv;
};

static enum herr invite_run(struct txn *t, void *arg)
{
	struct invite_op *op = arg;

	invitation_free(&op->inv);
	return invite_user(t, &op->r->actor, op->r->body, op->r->now, &op->inv);
}

static void invite_done(struct request *r, enum herr ret, void *arg)
{
	struct invite_op *op = arg;

	if (ret == H_OK) {
		r->reply = json_pack("{s:O, s:I}", "user", op->inv.user, "expires_at",
		                     (json_int_t)op->inv.expires_at);
		r->status = 201;
	}
	invitation_free(&op->inv);
	free(op);
	request_finish(r, ret);
}

enum herr h_invitation_create(struct request *r)
{
	struct invite_op *op = xcalloc(1, sizeof(*op));

	op->r = r;
	commit_submit(r, invite_run, op, invite_done);
	return H_OK;
}

/* ---- POST /api/v1/password-resets ---- */

#define RESET_ACCEPTED                                                                             \
	"if the address has an account, a message with a link to choose a new password is "        \
	"on its way; the link works for one hour"

struct reset_op {
	char *email; /* normalised */
	int64_t now;
};

static enum herr reset_run(struct txn *t, void *arg)
{
	struct reset_op *op = arg;

	return account_reset_ask(t, op->email, op->now);
}

static void reset_done(struct request *r, enum herr ret, void *arg)
{
	struct reset_op *op = arg;

	/* The same words whether or not the email has an account. A body, not none: a 202
	 * without one would go out as evhttp's text/html. */
	if (ret == H_OK) {
		r->status = 202;
		r->reply = json_pack("{s:s}", "message", RESET_ACCEPTED);
	}
	free(op->email);
	free(op);
	request_finish(r, ret);
}

enum herr h_password_reset(struct request *r)
{
	static const char *const known[] = {"email", NULL};
	const char *given = NULL;
	char addr[64], *email, *account;
	struct reset_op *op;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = body_string(r, "email", &given)) != H_OK)
		return ret;
	if ((email = user_email_normalize(given)) == NULL)
		return herror_set(&r->err, H_EINVAL,
		                  "email must be an address such as "
		                  "name@example.org");
	request_peer(r, addr, sizeof(addr));
	account = xasprintf("reset:%s", email);
	ret = account_throttle(r, account, addr);
	free(account);
	if (ret != H_OK) {
		free(email);
		return ret;
	}
	op = xcalloc(1, sizeof(*op));
	op->email = email;
	op->now = r->now;
	commit_submit(r, reset_run, op, reset_done);
	return H_OK;
}

/* ---- POST /api/v1/account-links/check and /use ---- */

/* What the link in the body is (H_EGONE when it does not work); *out may be NULL. */
static enum herr link_read(struct request *r, const char *secret, json_t **out)
{
	json_t *o = NULL;
	struct txn t;
	enum herr ret;

	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = account_link_check(&t, secret, r->now, &o);
	db_read_end(&t);
	if (out != NULL)
		*out = o;
	else
		json_decref(o);
	return ret;
}

enum herr h_account_link_check(struct request *r)
{
	static const char *const known[] = {"token", NULL};
	const char *secret = NULL;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = body_string(r, "token", &secret)) != H_OK)
		return ret;
	return link_read(r, secret, &r->reply);
}

struct link_use {
	struct request *r;
	char *secret;
	char *password; /* wiped once hashed */
	char *hash;     /* the worker's */
	unsigned log2n;
};

static void link_use_free(struct link_use *u)
{
	secret_free(u->secret);
	secret_free(u->password);
	secret_free(u->hash);
	free(u);
}

/* On the worker thread. */
static void link_use_hash(void *arg)
{
	struct link_use *u = arg;

	u->hash = password_hash(u->password, u->log2n);
	secret_free(u->password);
	u->password = NULL;
}

static enum herr link_use_run(struct txn *t, void *arg)
{
	struct link_use *u = arg;

	return account_link_use(t, u->secret, u->hash, u->r->now);
}

static void link_use_done(struct request *r, enum herr ret, void *arg)
{
	if (ret == H_OK)
		r->status = 204;
	link_use_free(arg);
	request_finish(r, ret);
}

static void link_use_hashed(void *arg)
{
	struct link_use *u = arg;
	struct request *r = u->r;

	if (u->hash == NULL) {
		link_use_free(u);
		request_finish(r, herror_set(&r->err, H_ESTORAGE,
		                             "cannot hash the password (OpenSSL failed)"));
		return;
	}
	commit_submit(r, link_use_run, u, link_use_done);
}

enum herr h_account_link_use(struct request *r)
{
	static const char *const known[] = {"token", "password", NULL};
	json_t *password = json_object_get(r->body, "password"), *link = NULL;
	const char *secret = NULL;
	struct link_use *u;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = body_string(r, "token", &secret)) != H_OK)
		return ret;
	if (!json_is_string(password))
		return herror_set(&r->err, H_EINVAL, "give \"password\" as a string");
	/* The link first: a dead one is 410 whatever the password, and costs no hashing. */
	if ((ret = link_read(r, secret, &link)) != H_OK)
		return ret;
	ret = account_password_check(json_string_value(password), json_string_length(password),
	                             json_str(link, "email"), &r->err);
	json_decref(link);
	if (ret != H_OK)
		return ret;
	u = xcalloc(1, sizeof(*u));
	u->r = r;
	u->secret = xstrdup(secret);
	u->password = xstrdup(json_string_value(password));
	u->log2n = r->srv->cfg.scrypt_log2n;
	request_defer(r);
	worker_submit(r->srv->worker, link_use_hash, link_use_hashed, u);
	return H_OK;
}
