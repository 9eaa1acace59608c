/* Bearer tokens: sign-in sessions and personal API tokens (and, later, feed tokens).
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

#include <jansson.h>

enum token_kind { TOKEN_SESSION, TOKEN_API };

struct token {
	uint64_t id;
	uint8_t hash[32];
	enum token_kind kind;
	uint64_t user_id;
	char *label;
	int64_t created_at;
	int64_t expires_at; /* 0: never */
};

void token_init(struct token *tk);
void token_free(struct token *tk);
/* The token as its owner sees it: never the secret or its hash. */
json_t *token_to_json(const struct token *tk);
const char *token_kind_name(enum token_kind k);

/* Issues a token for user_id (a itself, or an admin acting for another user). text
 * receives the secret; ttl 0 means no expiry. */
enum herr token_issue(struct txn *t, const struct actor *a, uint64_t user_id, enum token_kind kind,
                      const char *label, int64_t ttl, int64_t now, char text[TOKEN_HEX],
                      struct token *out);
/* The actor a secret stands for; H_EAUTH when it is malformed, unknown, revoked or
 * expired, or its user is gone. out_token (may be NULL) receives the token's id. */
enum herr token_authenticate(struct txn *t, const char *text, int64_t now, struct actor *out,
                             uint64_t *out_token);
/* Revokes token id: its owner or an admin. */
enum herr token_revoke(struct txn *t, const struct actor *a, uint64_t id, int64_t now);
/* The user's tokens, in id order (expired ones too, marked by expires_at). */
enum herr token_each(struct txn *t, uint64_t user_id, bool (*fn)(const struct token *tk, void *arg),
                     void *arg);

#endif
