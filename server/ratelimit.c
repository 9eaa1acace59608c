/* Failed-sign-in throttling. Each account (email) and each client address has a counter
 * of attempts in a window that opens at its first attempt; once an account has
 * RATELIMIT_ACCOUNT_MAX or an address RATELIMIT_ADDR_MAX in the window, further attempts
 * are refused until the window has passed.
 *
 * An attempt is counted when it begins, before the slow password check, so that many
 * guesses sent at once cannot all slip past the limit while the first is still being
 * checked; a success then takes its attempt back off the address and clears the account.
 *
 * The table has a fixed number of slots keyed by SHA-256 of "account:EMAIL" or
 * "address:ADDR" (fixed width, whatever the caller sends); when it is full the slot
 * least recently used is reused, so memory is bounded. The state is owned by struct
 * server and used only on the loop thread. */
#include "server.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_SLOTS 4096

struct ratelimit_slot {
	uint8_t key[SHA256_DIGEST_LENGTH];
	int64_t first; /* when the window opened; 0: a free slot */
	int64_t last;  /* the latest attempt, for eviction */
	unsigned count;
};

struct ratelimit {
	struct ratelimit_slot slots[RATELIMIT_SLOTS];
};

struct ratelimit *ratelimit_new(void)
{
	return xcalloc(1, sizeof(struct ratelimit));
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

/* The key of "prefix:text", lower-cased (emails are stored lower-case). */
static void ratelimit_key(const char *prefix, const char *text, uint8_t out[SHA256_DIGEST_LENGTH])
{
	char *s = xasprintf("%s:%s", prefix, text);

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	SHA256((const unsigned char *)s, strlen(s), out);
	free(s);
}

/* The slot of key with a live window, or NULL. */
static struct ratelimit_slot *ratelimit_find(struct ratelimit *rl, const uint8_t *key, int64_t now)
{
	for (size_t i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_slot *s = &rl->slots[i];

		if (s->first == 0 || memcmp(s->key, key, sizeof(s->key)) != 0)
			continue;
		if (now - s->first >= RATELIMIT_WINDOW) {
			memset(s, 0, sizeof(*s)); /* the window has passed */
			return NULL;
		}
		return s;
	}
	return NULL;
}

/* A slot for key: a free one, an expired one, else the least recently used. */
static struct ratelimit_slot *ratelimit_take(struct ratelimit *rl, const uint8_t *key, int64_t now)
{
	struct ratelimit_slot *victim = &rl->slots[0];

	for (size_t i = 0; i < RATELIMIT_SLOTS; i++) {
		struct ratelimit_slot *s = &rl->slots[i];

		if (s->first == 0 || now - s->first >= RATELIMIT_WINDOW) {
			victim = s;
			break;
		}
		if (s->last < victim->last)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, sizeof(victim->key));
	victim->first = now > 0 ? now : 1;
	return victim;
}

static int64_t ratelimit_wait(const struct ratelimit_slot *s, int64_t now)
{
	int64_t wait = s->first + RATELIMIT_WINDOW - now;

	return wait > 0 ? wait : 1;
}

bool ratelimit_begin(struct ratelimit *rl, const char *account, const char *addr, int64_t now,
                     int64_t *retry_after)
{
	uint8_t ka[SHA256_DIGEST_LENGTH], kd[SHA256_DIGEST_LENGTH];
	struct ratelimit_slot *sa, *sd;

	ratelimit_key("account", account, ka);
	ratelimit_key("address", addr, kd);
	sa = ratelimit_find(rl, ka, now);
	sd = ratelimit_find(rl, kd, now);
	if (sa != NULL && sa->count >= RATELIMIT_ACCOUNT_MAX) {
		*retry_after = ratelimit_wait(sa, now);
		return false;
	}
	if (sd != NULL && sd->count >= RATELIMIT_ADDR_MAX) {
		*retry_after = ratelimit_wait(sd, now);
		return false;
	}
	if (sa == NULL)
		sa = ratelimit_take(rl, ka, now);
	sa->count++;
	sa->last = now;
	if (sd == NULL)
		sd = ratelimit_take(rl, kd, now);
	sd->count++;
	sd->last = now;
	return true;
}

void ratelimit_end(struct ratelimit *rl, const char *account, const char *addr, bool ok,
                   int64_t now)
{
	uint8_t ka[SHA256_DIGEST_LENGTH], kd[SHA256_DIGEST_LENGTH];
	struct ratelimit_slot *s;

	if (!ok)
		return; /* counted when it began */
	ratelimit_key("account", account, ka);
	ratelimit_key("address", addr, kd);
	if ((s = ratelimit_find(rl, ka, now)) != NULL)
		memset(s, 0, sizeof(*s));
	if ((s = ratelimit_find(rl, kd, now)) != NULL && s->count > 0)
		s->count--;
}
