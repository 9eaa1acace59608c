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
 *   'F' | user id (8 bytes)  -> floor (8 bytes, big-endian): the user's bearer tokens
 *                               with ids up to the floor have been ended
 *
 * Lifetimes. A session lasts what hallsd gives it (14 days). An API token lasts what was
 * asked, at most max_ttl (TOKEN_API_MAX_DAYS_DEFAULT days unless configured): asking for
 * no expiry, or longer, gets the maximum. A bearer token stored without an expiry (made
 * before this rule) ends TOKEN_API_MAX_DAYS_DEFAULT days after it was made. A new
 * password or role ends every bearer token of the user (the floor); removing the user
 * ends all of its tokens. token_purge deletes tokens that can never open anything again.
 */
#ifndef HALLS_TOKEN_H
#define HALLS_TOKEN_H

#include "actor.h"
#include "auth.h"
#include "db.h"
#include "feed.h"

#include <jansson.h>

enum token_kind { TOKEN_SESSION, TOKEN_API, TOKEN_FEED };

#define TOKEN_API_MAX_DAYS_DEFAULT 365

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
 * acting for another user). text receives the secret. It expires after token_life(ttl,
 * max_ttl) seconds. */
enum herr token_issue(struct txn *t, const struct actor *a, uint64_t user_id, enum token_kind kind,
                      const char *label, int64_t ttl, int64_t max_ttl, int64_t now,
                      char text[TOKEN_HEX], struct token *out);
/* The life a bearer token asked for ttl seconds gets: ttl, or max_ttl when ttl is 0 (no
 * expiry asked) or longer. max_ttl 0: TOKEN_API_MAX_DAYS_DEFAULT days. */
int64_t token_life(int64_t ttl, int64_t max_ttl);
/* When tk stops working: its expiry, or for a bearer token stored without one, its
 * creation plus TOKEN_API_MAX_DAYS_DEFAULT days; 0 for a feed token that never expires. */
int64_t token_ends_at(const struct token *tk);
/* Ends every bearer token the user holds now (a new password or role); feed tokens stay,
 * since whether they open their feed is judged again on every request. */
enum herr token_end_user(struct txn *t, uint64_t user_id);
/* The same, but for token keep (0: none), the session from which the user changed
 * their own password: it goes on working, and a later token_end_user ends it too. */
enum herr token_end_user_except(struct txn *t, uint64_t user_id, uint64_t keep);
/* Drops what token_end_user kept for a user who has been removed. */
void token_forget_user(struct txn *t, uint64_t user_id);

/* One bounded run of token_purge. Set next (0 at first), max_visits and max_deletes (0:
 * no limit); after the run, deleted is what it deleted and done whether it reached the
 * end, else next is where the following run begins. */
struct token_purge {
	uint64_t next;
	size_t max_visits, max_deletes;
	size_t deleted;
	bool done;
};
/* Deletes the tokens that can never open anything again: expired (token_ends_at), of a
 * user who is gone, or bearer tokens ended by token_end_user. */
enum herr token_purge(struct txn *t, int64_t now, struct token_purge *p);
/* The actor a secret stands for; H_EAUTH when it is malformed, unknown, revoked or
 * expired, a feed token, its user is gone, or a new password or role ended it. out_token (may be
 * NULL) receives the token's id. */
enum herr token_authenticate(struct txn *t, const char *text, int64_t now, struct actor *out,
                             uint64_t *out_token);
/* Revokes bearer token id: its owner or an admin; to anyone else it is H_ENOTFOUND
 * ("there is no token 4"), as if there were none. A feed token is H_ENOTFOUND here. */
enum herr token_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* The user's bearer tokens (user_id 0: every user's), in id order (expired ones too, marked by
 * expires_at); a user who does not exist is refused (H_ENOTFOUND "there is no user 4"). */
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
/* Revokes feed token id: its owner or an admin; to anyone else it is H_ENOTFOUND ("there
 * is no feed token 4"), as if there were none. A bearer token is H_ENOTFOUND here. */
enum herr token_feed_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* The user's feed tokens (user_id 0: every user's), in id order; a user who does not
 * exist is refused, as by token_each. */
enum herr token_feed_each(struct txn *t, uint64_t user_id,
                          bool (*fn)(const struct token *tk, void *arg), void *arg);
/* "group" or "manager". */
const char *token_feed_name(enum feed_kind k);

#endif
