/* Feed tokens: the secrets in the addresses of private calendar feeds.
 *
 *   POST   /api/v1/feed-tokens       {"group_id"} or {"manager": true}, optional "label"
 *                                    and (admins) "user_id" -> 201 the token and its URLs
 *   GET    /api/v1/feed-tokens       the caller's (admins: ?user=N), never the secrets
 *   DELETE /api/v1/feed-tokens/<id>  -> 204
 *
 * Who may have which feed, and checking it again whenever the feed is fetched, is the
 * core's (token.c). The secret is in the 201 reply and nowhere else: as the token, and
 * inside the feed's https:// and webcal:// URLs, made from the Host the caller used. */
#include "server.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define FEED_PATH_FMT "/feeds/private/%s.ics"

/* A feed token waiting for the group commit. */
struct feed_issue {
	struct actor actor;
	uint64_t user_id;
	enum feed_kind feed;
	uint64_t scope_id;
	char *label;
	int64_t now;
	char *host; /* as the caller named this server */
	bool tls;
	char secret[TOKEN_HEX];
	struct token tk;
};

static void feed_issue_free(struct feed_issue *is)
{
	OPENSSL_cleanse(is->secret, sizeof(is->secret));
	token_free(&is->tk);
	free(is->label);
	free(is->host);
	free(is);
}

static enum herr feed_issue_run(struct txn *t, void *arg)
{
	struct feed_issue *is = arg;

	token_free(&is->tk);
	return token_feed_issue(t, &is->actor, is->user_id, is->feed, is->scope_id, is->label,
	                        is->now, is->secret, &is->tk);
}

/* The token as issued: its record, the secret, and where the feed is. */
static json_t *feed_issue_json(const struct feed_issue *is)
{
	json_t *o = token_to_json(&is->tk);
	char path[sizeof(FEED_PATH_FMT) + TOKEN_HEX];
	char *url, *webcal;

	snprintf(path, sizeof(path), FEED_PATH_FMT, is->secret);
	url = xasprintf("%s://%s%s", is->tls ? "https" : "http", is->host, path);
	webcal = xasprintf("webcal://%s%s", is->host, path);
	json_object_set_new(o, "token", json_string(is->secret));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "webcal", json_string(webcal));
	OPENSSL_cleanse(path, sizeof(path));
	OPENSSL_cleanse(url, strlen(url));
	OPENSSL_cleanse(webcal, strlen(webcal));
	free(url);
	free(webcal);
	return o;
}

static void feed_issue_done(struct request *r, enum herr ret, void *arg)
{
	struct feed_issue *is = arg;

	if (ret == H_OK) {
		r->reply = feed_issue_json(is);
		r->status = 201;
	}
	feed_issue_free(is);
	request_finish(r, ret);
}

/* Which feed the body asks for: exactly one of "group_id" and "manager": true. */
static enum herr body_feed(struct request *r, enum feed_kind *feed, uint64_t *scope_id)
{
	json_t *group = json_object_get(r->body, "group_id");
	json_t *manager = json_object_get(r->body, "manager");

	if (manager != NULL && !json_is_true(manager))
		return herror_set(
		    &r->err, H_EINVAL,
		    "\"manager\" may only be true (or leave it out and give group_id)");
	if ((group == NULL) == (manager == NULL))
		return herror_set(&r->err, H_EINVAL,
		                  "give either \"group_id\" (a group's feed) or \"manager\": true "
		                  "(the feed of the venues you manage)");
	if (manager != NULL) {
		*feed = FEED_MANAGER;
		*scope_id = 0;
		return H_OK;
	}
	if (!json_is_integer(group) || json_integer_value(group) <= 0)
		return herror_set(&r->err, H_EINVAL, "\"group_id\" must be an id");
	*feed = FEED_GROUP;
	*scope_id = (uint64_t)json_integer_value(group);
	return H_OK;
}

enum herr h_feed_token_create(struct request *r)
{
	static const char *const known[] = {"group_id", "manager", "label", "user_id", NULL};
	json_t *label = json_object_get(r->body, "label");
	json_t *user = json_object_get(r->body, "user_id");
	const char *host = request_host(r);
	struct feed_issue *is;
	enum feed_kind feed = FEED_GROUP;
	uint64_t scope_id = 0;
	enum herr ret;

	if ((ret = request_body_known(r, known)) != H_OK ||
	    (ret = body_feed(r, &feed, &scope_id)) != H_OK)
		return ret;
	if (label != NULL && !json_is_string(label))
		return herror_set(&r->err, H_EINVAL, "\"label\" must be a string");
	if (user != NULL && (!json_is_integer(user) || json_integer_value(user) <= 0))
		return herror_set(&r->err, H_EINVAL, "\"user_id\" must be an id");
	if (host == NULL)
		return herror_set(&r->err, H_EINVAL,
		                  "send a Host header naming this server: the feed's URL is made "
		                  "from it");
	is = xcalloc(1, sizeof(*is));
	is->actor = r->actor;
	is->user_id = user != NULL ? (uint64_t)json_integer_value(user) : r->actor.user_id;
	is->feed = feed;
	is->scope_id = scope_id;
	is->label = label != NULL ? xstrdup(json_string_value(label)) : NULL;
	is->now = r->now;
	is->host = xstrdup(host);
	is->tls = r->srv->tls != NULL;
	token_init(&is->tk);
	commit_submit(r, feed_issue_run, is, feed_issue_done);
	return H_OK;
}

/* The caller's feed tokens; an admin may ask for another user's with ?user=N. */
enum herr h_feed_token_list(struct request *r)
{
	return h_token_list_of(r, token_feed_each);
}

/* A revocation waiting for the group commit. */
struct feed_revoke {
	struct actor actor;
	uint64_t id;
	int64_t now;
};

static enum herr feed_revoke_run(struct txn *t, void *arg)
{
	struct feed_revoke *v = arg;

	return token_feed_revoke(t, &v->actor, v->id, v->now);
}

static void feed_revoke_done(struct request *r, enum herr ret, void *arg)
{
	struct feed_revoke *v = arg;

	/* One answer to every id that opens no feed token of the caller's: the core tells
	 * a missing token, a bearer token and another user's apart, in words of its own. */
	if (ret == H_ENOTFOUND)
		ret = herror_set(&r->err, H_ENOTFOUND, "there is no feed token %llu",
		                 (unsigned long long)v->id);
	if (ret == H_OK)
		r->status = 204;
	free(v);
	request_finish(r, ret);
}

enum herr h_feed_token_delete(struct request *r)
{
	struct feed_revoke *v = xcalloc(1, sizeof(*v));

	v->actor = r->actor;
	v->id = r->ids[0];
	v->now = r->now;
	commit_submit(r, feed_revoke_run, v, feed_revoke_done);
	return H_OK;
}
