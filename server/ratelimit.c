/* Failed-sign-in throttling, by three counters of attempts, each in a window that opens
 * at its first attempt and lasts RATELIMIT_WINDOW:
 *   pair    (account, client address)  refused at RATELIMIT_PAIR_MAX;
 *   address (client address)           refused at RATELIMIT_ADDR_MAX, across accounts;
 *   account (account)                  from RATELIMIT_ACCOUNT_SLOW on, an address that
 *                                      has already tried this account in the window waits
 *                                      2^(count - RATELIMIT_ACCOUNT_SLOW) seconds (at most
 *                                      RATELIMIT_DELAY_MAX) after the account's latest
 *                                      attempt.
 * So an attacker guessing from one address cannot lock out the account's owner at
 * another: an address with no attempts in the window is never refused, whatever the
 * account has suffered. docs/operations.md states the rule.
 *
 * An attempt is counted when it begins, before the slow password check, so that many
 * guesses sent at once cannot all slip past the limit while the first is still being
 * checked; a success then clears the pair and takes its attempt back off the address and
 * the account.
 *
 * The account is the normalised email (user_email_normalize), so that the spellings
 * sign-in accepts as one address share one allowance. The table is set-associative, with
 * a fixed number of slots, keyed by SHA-256 of a random secret and the counter's name (so
 * a client cannot choose names that evict a given counter); a full set reuses its least
 * recently used slot, so memory is bounded. The state is owned by struct server and used
 * only on the loop thread. */
#include "server.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_SETS 2048
#define RATELIMIT_WAYS 8

struct ratelimit_slot {
	uint8_t key[SHA256_DIGEST_LENGTH];
	int64_t first; /* when the window opened; 0: a free slot */
	int64_t last;  /* the latest attempt: for the account's delay, and for eviction */
	unsigned count;
};

struct ratelimit {
	uint8_t secret[32];
	struct ratelimit_slot sets[RATELIMIT_SETS][RATELIMIT_WAYS];
};

/* The three counters of one attempt. */
struct ratelimit_keys {
	uint8_t pair[SHA256_DIGEST_LENGTH];
	uint8_t account[SHA256_DIGEST_LENGTH];
	uint8_t address[SHA256_DIGEST_LENGTH];
};

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	if (RAND_bytes(rl->secret, sizeof(rl->secret)) != 1)
		fatal("cannot draw random bytes (OpenSSL failed)");
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

/* SHA-256 of the secret, then "name:a" or "name:a\nb" (neither an email nor an address
 * holds a newline). */
static void ratelimit_key(const struct ratelimit *rl, const char *name, const char *a,
                          const char *b, uint8_t out[SHA256_DIGEST_LENGTH])
{
	char *text = b != NULL ? xasprintf("%s:%s\n%s", name, a, b) : xasprintf("%s:%s", name, a);
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c, rl->secret, sizeof(rl->secret)) != 1 ||
	    EVP_DigestUpdate(c, text, strlen(text)) != 1 || EVP_DigestFinal_ex(c, out, NULL) != 1)
		fatal("cannot hash with SHA-256 (OpenSSL failed)");
	EVP_MD_CTX_free(c);
	free(text);
}

static void ratelimit_keys(const struct ratelimit *rl, const char *account, const char *addr,
                           struct ratelimit_keys *k)
{
	ratelimit_key(rl, "pair", account, addr, k->pair);
	ratelimit_key(rl, "account", account, NULL, k->account);
	ratelimit_key(rl, "address", addr, NULL, k->address);
}

static struct ratelimit_slot *ratelimit_set(struct ratelimit *rl, const uint8_t *key)
{
	return rl->sets[((size_t)key[0] << 8 | key[1]) % RATELIMIT_SETS];
}

static bool slot_expired(const struct ratelimit_slot *s, int64_t now)
{
	return s->first == 0 || now - s->first >= RATELIMIT_WINDOW;
}

/* The slot of key with a live window, or NULL. */
static struct ratelimit_slot *ratelimit_find(struct ratelimit *rl, const uint8_t *key, int64_t now)
{
	struct ratelimit_slot *set = ratelimit_set(rl, key);

	for (size_t i = 0; i < RATELIMIT_WAYS; i++) {
		struct ratelimit_slot *s = &set[i];

		if (s->first == 0 || memcmp(s->key, key, sizeof(s->key)) != 0)
			continue;
		if (slot_expired(s, now)) {
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		return s;
	}
	return NULL;
}

/* A slot for key in its set: a free one, an expired one, else the least recently used. */
static struct ratelimit_slot *ratelimit_take(struct ratelimit *rl, const uint8_t *key, int64_t now)
{
	struct ratelimit_slot *set = ratelimit_set(rl, key), *victim = &set[0];

	for (size_t i = 0; i < RATELIMIT_WAYS; i++) {
		if (slot_expired(&set[i], now)) {
			victim = &set[i];
			break;
		}
		if (set[i].last < victim->last)
			victim = &set[i];
	}
	memset(victim, 0, sizeof(*victim));
	memcpy(victim->key, key, sizeof(victim->key));
	victim->first = now > 0 ? now : 1;
	return victim;
}

static unsigned slot_count(const struct ratelimit_slot *s)
{
	return s != NULL ? s->count : 0;
}

/* Seconds until the window of s closes (at least 1). */
static int64_t window_wait(const struct ratelimit_slot *s, int64_t now)
{
	int64_t wait = s->first + RATELIMIT_WINDOW - now;

	return wait > 0 ? wait : 1;
}

/* The account's progressive delay: seconds still to wait, or 0. */
static int64_t account_wait(const struct ratelimit_slot *s, int64_t now)
{
	unsigned over;
	int64_t delay;

	if (s == NULL || s->count < RATELIMIT_ACCOUNT_SLOW)
		return 0;
	over = s->count - RATELIMIT_ACCOUNT_SLOW;
	delay = over >= 10 ? RATELIMIT_DELAY_MAX : (int64_t)1 << over;
	if (delay > RATELIMIT_DELAY_MAX)
		delay = RATELIMIT_DELAY_MAX;
	return s->last + delay > now ? s->last + delay - now : 0;
}

/* Counts an attempt on the counter key. Looked up afresh: taking a slot for one counter
 * may have reused the slot another pointer held, when two keys share a set. */
static void ratelimit_count(struct ratelimit *rl, const uint8_t *key, int64_t now)
{
	struct ratelimit_slot *s = ratelimit_find(rl, key, now);

	if (s == NULL)
		s = ratelimit_take(rl, key, now);
	s->count++;
	s->last = now;
}

bool ratelimit_begin(struct ratelimit *rl, const char *account, const char *addr, int64_t now,
                     int64_t *retry_after)
{
	struct ratelimit_keys k;
	struct ratelimit_slot *sp, *sa, *sd;
	int64_t wait;

	ratelimit_keys(rl, account, addr, &k);
	sp = ratelimit_find(rl, k.pair, now);
	sa = ratelimit_find(rl, k.account, now);
	sd = ratelimit_find(rl, k.address, now);
	if (slot_count(sp) >= RATELIMIT_PAIR_MAX) {
		*retry_after = window_wait(sp, now);
		return false;
	}
	if (slot_count(sd) >= RATELIMIT_ADDR_MAX) {
		*retry_after = window_wait(sd, now);
		return false;
	}
	/* Only an address that has tried this account already is slowed down by it. */
	if (slot_count(sp) > 0 && (wait = account_wait(sa, now)) > 0) {
		*retry_after = wait;
		return false;
	}
	ratelimit_count(rl, k.pair, now);
	ratelimit_count(rl, k.account, now);
	ratelimit_count(rl, k.address, now);
	return true;
}

void ratelimit_end(struct ratelimit *rl, const char *account, const char *addr, bool ok,
                   int64_t now)
{
	struct ratelimit_keys k;
	struct ratelimit_slot *s;

	if (!ok)
		return; /* counted when it began */
	ratelimit_keys(rl, account, addr, &k);
	if ((s = ratelimit_find(rl, k.pair, now)) != NULL)
		memset(s, 0, sizeof(*s));
	if ((s = ratelimit_find(rl, k.account, now)) != NULL && s->count > 0)
		s->count--;
	if ((s = ratelimit_find(rl, k.address, now)) != NULL && s->count > 0)
		s->count--;
}
