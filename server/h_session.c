/* Signing in and out, personal API tokens, and the caller's own record.
 *
 *   POST   /api/v1/session      {"email", "password"} -> 201 a session token;
 *                               with "cookie": true, a session cookie instead
 *   GET    /api/v1/session      who is signed in (users/me), or 204 when nobody is
 *   DELETE /api/v1/session      revokes the session used (bearer or cookie) -> 204
 *   POST   /api/v1/tokens       {"label", "ttl_days", "user_id"} -> 201 an API token
 *   GET    /api/v1/tokens       the caller's tokens (never their secrets)
 *   DELETE /api/v1/tokens/<id>  -> 204
 *   GET    /api/v1/users/me     the caller
 *
 * A sign-in looks the user up in a read transaction, checks the password with scrypt on
 * the worker thread (worker.c), and issues the token through the group commit. An
 * unknown email and a wrong password get the same answer after the same work: a dummy
 * hash is checked when there is no user, so the time taken does not tell which emails
 * exist; a user's hash made at a lower cost than the dummy's is padded to the same work
 * (password_verify_as), and replaced by one at the configured cost once the password is
 * known to be right. Failed attempts are throttled per account and address
 * (ratelimit.c), the account being the normalised email.
 *
 * A browser asks for the session as a cookie (docs/api.md, "Signing in from a browser"):
 * the same session, but its secret goes only into an HttpOnly Set-Cookie, never into the
 * JSON a page's script can read. Such a sign-in must come from this site's own pages, as
 * a cookie-authenticated write must (router.c): otherwise another site could sign a
 * visitor in as the attacker, and see what the visitor then books. */
#include "server.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define SIGNIN_EMAIL_MAX    254
#define SIGNIN_PASSWORD_MAX PASSWORD_MAX_BYTES /* the longest a password may be set */
#define TOKEN_DAYS_MAX      36500

/* The one answer to a failed sign-in, whatever failed. */
#define SIGNIN_REFUSED "the email or the password is wrong"

struct signin {
	struct request *r;
	char *email; /* normalised when it is an address at all: the throttling account */
	char *password;
	char *hash;       /* the user's, or the dummy */
	char *rehash;     /* the password at the configured cost, when hash is at another */
	unsigned log2n;   /* the configured cost */
	uint64_t user_id; /* 0: no such user, or one without a password */
	bool cookie;      /* the session goes into a cookie, not the reply's JSON */
	char addr[64];
	bool ok; /* the worker's verdict */
	char secret[TOKEN_HEX];
	struct token tk;
	json_t *user;
};

static void signin_free(struct signin *s)
{
	if (s->password != NULL) {
		OPENSSL_cleanse(s->password, strlen(s->password));
		free(s->password);
	}
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	free(s->email);
	free(s->hash);
	free(s->rehash);
	token_free(&s->tk);
	json_decref(s->user);
	free(s);
}

/* On the worker thread: the slow part. */
static void signin_verify(void *arg)
{
	struct signin *s = arg;
	bool ok = password_verify_as(s->password, s->hash, s->log2n);

	s->ok = ok && s->user_id != 0;
	if (s->ok && !password_cost_is(s->hash, s->log2n))
		s->rehash = password_hash(s->password, s->log2n);
}

static enum herr signin_issue(struct txn *t, void *arg)
{
	struct signin *s = arg;
	struct actor a = {s->user_id};
	struct user u;
	enum herr ret;

	token_free(&s->tk);
	json_decref(s->user);
	s->user = NULL;
	ret = token_issue(t, &a, s->user_id, TOKEN_SESSION, NULL, s->r->srv->cfg.session_ttl,
	                  s->r->srv->cfg.session_ttl, s->r->now, s->secret, &s->tk);
	if (ret == H_OK && s->rehash != NULL)
		ret = user_password_upgrade(t, s->user_id, s->hash, s->rehash);
	if (ret != H_OK)
		return ret;
	ret = user_get(t, s->user_id, &u);
	if (ret == H_OK)
		s->user = user_to_json(&u, false);
	user_free(&u);
	return ret;
}

static void signin_issued(struct request *r, enum herr ret, void *arg)
{
	struct signin *s = arg;

	if (ret == H_ENOTFOUND || ret == H_EFORBIDDEN || ret == H_EAUTH) {
		/* The user was removed while the password was being checked. */
		ret = herror_set(&r->err, H_EAUTH, SIGNIN_REFUSED);
		r->srv->metrics->signin_failures++;
	}
	if (ret == H_OK)
		r->actor.user_id = s->user_id; /* the access log names who signed in */
	if (ret == H_OK && s->cookie) {
		reply_session_cookie(r, s->secret, s->tk.expires_at - r->now);
		r->reply = json_pack("{s:I, s:O}", "expires_at", (json_int_t)s->tk.expires_at,
		                     "user", s->user);
		r->status = 201;
	} else if (ret == H_OK) {
		r->reply = json_pack("{s:s, s:I, s:O}", "token", s->secret, "expires_at",
		                     (json_int_t)s->tk.expires_at, "user", s->user);
		r->status = 201;
	}
	signin_free(s);
	request_finish(r, ret);
}

/* Back on the loop with the worker's verdict. */
static void signin_checked(void *arg)
{
	struct signin *s = arg;
	struct request *r = s->r;

	ratelimit_end(r->srv->limits, s->email, s->addr, s->ok, r->now);
	if (!s->ok) {
		r->srv->metrics->signin_failures++;
		herror_set(&r->err, H_EAUTH, SIGNIN_REFUSED);
		signin_free(s);
		request_finish(r, H_EAUTH);
		return;
	}
	commit_submit(r, signin_issue, s, signin_issued);
}

enum herr h_session_create(struct request *r)
{
	static const char *const known[] = {"email", "password", "cookie", NULL};
	const char *email = json_str(r->body, "email");
	const char *password = json_str(r->body, "password");
	json_t *cookie = json_object_get(r->body, "cookie");
	const char *why;
	char *account;
	struct signin *s;
	struct user u;
	struct txn t;
	int64_t wait;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	if (email == NULL || password == NULL || email[0] == '\0' || password[0] == '\0')
		return herror_set(&r->err, H_EINVAL, "give \"email\" and \"password\" as strings");
	if (strlen(email) > SIGNIN_EMAIL_MAX || strlen(password) > SIGNIN_PASSWORD_MAX)
		return herror_set(&r->err, H_EINVAL,
		                  "the email (at most %d bytes) or the password (at most %d) is "
		                  "too long",
		                  SIGNIN_EMAIL_MAX, SIGNIN_PASSWORD_MAX);
	if (cookie != NULL && !json_is_boolean(cookie))
		return herror_set(&r->err, H_EINVAL, "\"cookie\" must be true or false");
	if (json_is_true(cookie) && (why = request_cross_site(r)) != NULL)
		return herror_set(
		    &r->err, H_ECROSSSITE,
		    "a sign-in for a cookie must come from this site's own pages, and "
		    "this request does not: %s",
		    why);
	s = xcalloc(1, sizeof(*s));
	s->r = r;
	s->cookie = json_is_true(cookie);
	s->log2n = r->srv->cfg.scrypt_log2n;
	token_init(&s->tk);
	/* Not an address at all: no user has it, but it is still throttled as it came. */
	account = user_email_normalize(email);
	s->email = account != NULL ? account : xstrdup(email);
	request_peer(r, s->addr, sizeof(s->addr));
	if (!ratelimit_begin(r->srv->limits, s->email, s->addr, r->now, &wait)) {
		char value[24];

		snprintf(value, sizeof(value), "%lld", (long long)wait);
		evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", value);
		signin_free(s);
		r->limit = LIMIT_SIGNIN_RATE;
		r->srv->metrics->signin_throttled++;
		return herror_set(&r->err, H_ETOOMANY,
		                  "too many failed sign-ins; try again in %lld seconds",
		                  (long long)wait);
	}
	s->password = xstrdup(password);
	ret = db_read_begin(r->srv->db, &t, &r->err);
	if (ret == H_OK) {
		ret = user_find_email(&t, s->email, &u);
		db_read_end(&t);
		if (ret == H_OK && u.password_hash != NULL) {
			s->user_id = u.id;
			s->hash = xstrdup(u.password_hash);
		}
		user_free(&u);
	}
	if (ret != H_OK && ret != H_ENOTFOUND) {
		signin_free(s);
		return ret;
	}
	herror_clear(&r->err);
	if (s->hash == NULL)
		s->hash = xstrdup(r->srv->dummy_hash);
	request_defer(r);
	worker_submit(r->srv->worker, signin_verify, signin_checked, s);
	return H_OK;
}

/* A revocation waiting for the group commit. */
struct revoke {
	struct actor actor;
	uint64_t id;
	int64_t now;
	bool forget_cookie; /* signing out the session cookie: the browser drops it too */
};

static enum herr revoke_run(struct txn *t, void *arg)
{
	struct revoke *v = arg;

	return token_revoke(t, &v->actor, v->id, v->now);
}

static void revoke_done(struct request *r, enum herr ret, void *arg)
{
	struct revoke *v = arg;

	if (ret == H_OK)
		r->status = 204;
	if (ret == H_OK && v->forget_cookie)
		reply_session_cookie(r, NULL, 0);
	free(v);
	request_finish(r, ret);
}

static enum herr revoke_submit(struct request *r, uint64_t id, bool forget_cookie)
{
	struct revoke *v = xcalloc(1, sizeof(*v));

	v->actor = r->actor;
	v->id = id;
	v->now = r->now;
	v->forget_cookie = forget_cookie;
	commit_submit(r, revoke_run, v, revoke_done);
	return H_OK;
}

enum herr h_session_delete(struct request *r)
{
	return revoke_submit(r, r->token_id, r->cookie_auth);
}

enum herr h_token_delete(struct request *r)
{
	return revoke_submit(r, r->ids[0], false);
}

/* An API token waiting for the group commit. */
struct issue {
	struct actor actor;
	uint64_t user_id;
	char *label;
	int64_t ttl; /* asked for; 0: the most allowed */
	int64_t max_ttl;
	int64_t now;
	char secret[TOKEN_HEX];
	struct token tk;
};

static enum herr issue_run(struct txn *t, void *arg)
{
	struct issue *is = arg;

	token_free(&is->tk);
	return token_issue(t, &is->actor, is->user_id, TOKEN_API, is->label, is->ttl, is->max_ttl,
	                   is->now, is->secret, &is->tk);
}

static void issue_done(struct request *r, enum herr ret, void *arg)
{
	struct issue *is = arg;

	if (ret == H_OK) {
		r->reply = token_to_json(&is->tk);
		json_object_set_new(r->reply, "token", json_string(is->secret));
		r->status = 201;
	}
	OPENSSL_cleanse(is->secret, sizeof(is->secret));
	token_free(&is->tk);
	free(is->label);
	free(is);
	request_finish(r, ret);
}

enum herr h_token_create(struct request *r)
{
	static const char *const known[] = {"label", "ttl_days", "expires_in_days", "user_id",
	                                    NULL};
	json_t *label = json_object_get(r->body, "label");
	int64_t days = 0, user_id = (int64_t)r->actor.user_id;
	struct issue *is;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK)
		return ret;
	if (label != NULL && !json_is_string(label))
		return herror_set(&r->err, H_EINVAL, "\"label\" must be a string");
	if ((ret = request_body_uint(r, "ttl_days", 0, TOKEN_DAYS_MAX, &days)) != H_OK ||
	    (ret = request_body_uint(r, "expires_in_days", 0, TOKEN_DAYS_MAX, &days)) != H_OK ||
	    (ret = request_body_uint(r, "user_id", 1, INT64_MAX, &user_id)) != H_OK)
		return ret;
	is = xcalloc(1, sizeof(*is));
	is->actor = r->actor;
	is->user_id = (uint64_t)user_id;
	is->label = label != NULL ? xstrdup(json_string_value(label)) : NULL;
	is->ttl = days * 86400;
	is->max_ttl = r->srv->cfg.token_max_ttl;
	is->now = r->now;
	token_init(&is->tk);
	commit_submit(r, issue_run, is, issue_done);
	return H_OK;
}

static bool token_list_one(const struct token *tk, void *arg)
{
	json_array_append_new(arg, token_to_json(tk));
	return true;
}

enum herr h_token_list_of(struct request *r, token_each_fn each)
{
	static const char *const known[] = {"user", NULL};
	uint64_t user_id;
	json_t *items;
	struct txn t;
	enum herr ret;

	if ((ret = request_query_known(r, known)) != H_OK ||
	    (ret = request_query_id(r, "user", &user_id)) != H_OK)
		return ret;
	if (user_id == 0)
		user_id = r->actor.user_id;
	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	if ((ret = policy_list_tokens(&t, &r->actor, user_id)) != H_OK) {
		db_read_end(&t);
		return ret;
	}
	items = json_array();
	ret = each(&t, user_id, token_list_one, items);
	db_read_end(&t);
	if (ret != H_OK) {
		json_decref(items);
		return ret;
	}
	r->reply = items;
	return H_OK;
}

/* The caller's tokens; an admin may ask for another user's with ?user=N. */
enum herr h_token_list(struct request *r)
{
	return h_token_list_of(r, token_each);
}

/* Pages ask this on every load to draw their menu; "nobody" is an answer, not an error,
 * so that a resident's browser logs no failed request. A bad bearer token is still 401
 * (request_authenticate), and a stale cookie reads as nobody. */
enum herr h_session_get(struct request *r)
{
	if (request_reader(r) == NULL) {
		r->status = 204;
		return H_OK;
	}
	return h_user_me(r);
}

enum herr h_user_me(struct request *r)
{
	struct user u;
	struct txn t;
	enum herr ret;

	if ((ret = db_read_begin(r->srv->db, &t, &r->err)) != H_OK)
		return ret;
	ret = user_get(&t, r->actor.user_id, &u);
	db_read_end(&t);
	if (ret == H_OK)
		r->reply = user_to_json(&u, false);
	else if (ret == H_ENOTFOUND)
		ret = herror_set(&r->err, H_EAUTH, "your account has been removed");
	user_free(&u);
	return ret;
}
