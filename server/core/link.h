/* Account links: the secret in an invitation or a password-reset message, which lets
 * its holder set the account's password once.
 *
 * A link is not a token of token.h: it never signs anyone in and never opens a feed.
 * It is kept in the token database under key spaces of its own, which the lookups of
 * bearer and feed tokens never read, so a link's secret presented as either is simply
 * unknown there. As with tokens, the secret (256 random bits, shown as 64 hex digits) is
 * sent once, in the message; storage keeps only its SHA-256 (schemas/db.md):
 *   'L' | sha256 (32 bytes)          -> record (version byte + JSON: user_id, purpose,
 *                                       created_at, expires_at)
 *   'P' | user id (8) | purpose (1)  -> sha256 of the user's current link of that purpose
 *
 * Rules. An invitation works for 7 days, a reset link for one hour: from expires_at on it
 * is dead. Each works once (using it deletes it). A user has at most one live link of
 * each purpose: a new one ends the one before. A new password, however it was set, ends
 * every link of the user (link_end_user), and removing the user ends them too. Whatever
 * the reason a link does not work (expired, used, ended, never issued, its user gone),
 * the answer is the same H_EGONE, in the same words. */
#ifndef HALLS_LINK_H
#define HALLS_LINK_H

#include "auth.h"
#include "db.h"

enum link_purpose { LINK_INVITATION, LINK_RESET };

#define LINK_INVITATION_LIFE (7 * 86400)
#define LINK_RESET_LIFE      3600

/* The one refusal of a link that does not work, for every reason. */
#define LINK_GONE_WORDS "this link has expired or has already been used: ask for a new one"

struct link {
	uint64_t user_id;
	enum link_purpose purpose;
	int64_t created_at;
	int64_t expires_at;
};

/* "invitation" or "reset". */
const char *link_purpose_name(enum link_purpose p);
/* Seconds a link of purpose p works. */
int64_t link_life(enum link_purpose p);
/* Issues a link of purpose p for user_id (who must exist), ending the user's earlier
 * link of that purpose. text receives the secret; out (may be NULL) the record. */
enum herr link_issue(struct txn *t, uint64_t user_id, enum link_purpose p, int64_t now,
                     char text[TOKEN_HEX], struct link *out);
/* The link the secret text is, while it works at now; else H_EGONE (refused on t). */
enum herr link_find(struct txn *t, const char *text, int64_t now, struct link *out);
/* link_find, then deletes the link: it works once. */
enum herr link_consume(struct txn *t, const char *text, int64_t now, struct link *out);
/* Ends every link of the user (a new password, the user removed). */
void link_end_user(struct txn *t, uint64_t user_id);

#endif
