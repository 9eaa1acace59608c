/* Bearer tokens (sign-in sessions and personal API tokens) and feed tokens.
 *
 * A feed token is the secret in the path of a private calendar feed
 * (/feeds/private/<token>.ics), because calendar apps cannot send headers. It opens one
 * feed and nothing else: it never authenticates an API request, and a bearer token never
 * opens a feed. It does not expire (apps poll for years) but can be revoked.
 *
 * The secret is shown once, when issued; storage keeps only its SHA-256. DBI_TOKEN holds
 * two key spaces (schemas/db.md):
 *   'H' | sha256 (32 bytes)  -> token id (8 bytes, big-endian)
 *   'I' | token id (8 bytes) -> record (version byte + JSON)
 */
#ifndef HALLS_TOKEN_H
#define HALLS_TOKEN_H

#include "actor.h"
#include "auth.h"
#include "db.h"
#include "feed.h"

#include <jansson.h>

enum token_kind { TOKEN_SESSION, TOKEN_API, TOKEN_FEED };

struct token {
	uint64_t id;
	uint8_t hash[32];
	enum token_kind kind;
	uint64_t user_id;
	char *label;
	int64_t created_at;
	int64_t expires_at; /* 0: never */
	/* TOKEN_FEED: the feed it opens, FEED_GROUP (scope_id: the group) or FEED_MANAGER
	 * (scope_id: the token's user, whose venues it shows). */
	enum feed_kind feed;
	uint64_t scope_id;
};

void token_init(struct token *tk);
void token_free(struct token *tk);
/* The token as its owner sees it: never the secret or its hash. */
json_t *token_to_json(const struct token *tk);
const char *token_kind_name(enum token_kind k);

/* Issues a bearer token (TOKEN_SESSION or TOKEN_API) for user_id (a itself, or an admin
 * acting for another user). text receives the secret; ttl 0 means no expiry. */
enum herr token_issue(struct txn *t, const struct actor *a, uint64_t user_id, enum token_kind kind,
                      const char *label, int64_t ttl, int64_t now, char text[TOKEN_HEX],
                      struct token *out);
/* The actor a secret stands for; H_EAUTH when it is malformed, unknown, revoked or
 * expired, a feed token, or its user is gone. out_token (may be NULL) receives the
 * token's id. */
enum herr token_authenticate(struct txn *t, const char *text, int64_t now, struct actor *out,
                             uint64_t *out_token);
/* Revokes bearer token id: its owner or an admin. A feed token is H_ENOTFOUND here. */
enum herr token_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* The user's bearer tokens, in id order (expired ones too, marked by expires_at). */
enum herr token_each(struct txn *t, uint64_t user_id, bool (*fn)(const struct token *tk, void *arg),
                     void *arg);

/* Issues a feed token for user_id (a itself, or an admin for another user): feed
 * FEED_GROUP for group scope_id, which the user must be a member of (admins: any group);
 * or FEED_MANAGER (scope_id ignored: the user's own venues) for a manager or an admin.
 * No expiry. H_ENOTFOUND for an unknown user or group, H_EFORBIDDEN when the user may
 * not see that feed, H_EINVAL for another feed kind. */
enum herr token_feed_issue(struct txn *t, const struct actor *a, uint64_t user_id,
                           enum feed_kind feed, uint64_t scope_id, const char *label, int64_t now,
                           char text[TOKEN_HEX], struct token *out);
/* The feed a secret opens, with out->now set to now; H_ENOTFOUND (never anything that
 * tells why) when the secret is malformed, unknown, revoked, not a feed token, or its
 * user may no longer see that feed (left the group, no longer a manager, removed). */
enum herr token_feed_scope(struct txn *t, const char *text, int64_t now, struct feed_scope *out);
/* Revokes feed token id: its owner or an admin. A bearer token is H_ENOTFOUND here. */
enum herr token_feed_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* The user's feed tokens (user_id 0: every user's), in id order. */
enum herr token_feed_each(struct txn *t, uint64_t user_id,
                          bool (*fn)(const struct token *tk, void *arg), void *arg);
/* "group" or "manager". */
const char *token_feed_name(enum feed_kind k);

#endif
