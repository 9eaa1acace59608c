#include "auth.h"

#include "xmalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stored password layout: "scrypt$<log2N>$<r>$<p>$<salt hex>$<hash hex>", e.g.
 * "scrypt$17$8$1$00112233445566778899aabbccddeeff$<64 hex digits>". */
#define SCRYPT_R         8
#define SCRYPT_P         1
#define SCRYPT_LOG2N_MIN AUTH_SCRYPT_LOG2N_MIN
#define SCRYPT_LOG2N_MAX AUTH_SCRYPT_LOG2N_MAX
#define SCRYPT_R_MAX     32
#define SCRYPT_P_MAX     16
#define SALT_BYTES       16
#define SALT_MIN_BYTES   8
#define SALT_MAX_BYTES   64
#define HASH_BYTES       32

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes exactly n lower-case hex digits of s into out (n / 2 bytes). */
static bool hex_decode(const char *s, size_t n, uint8_t *out)
{
	if (n % 2 != 0)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool secret_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* Runs scrypt; maxmem covers OpenSSL's own accounting (128 r (N + 2) + 128 r p bytes)
 * so that every cost accepted here is allowed. */
static bool run_scrypt(const char *password, const uint8_t *salt, size_t saltlen, unsigned log2n,
                       uint64_t r, uint64_t p, uint8_t *out, size_t outlen)
{
	uint64_t n = (uint64_t)1 << log2n;
	uint64_t maxmem = 128 * r * (n + 2) + 128 * r * p + (1u << 20);

	return EVP_PBE_scrypt(password, strlen(password), salt, saltlen, n, r, p, maxmem, out,
	                      outlen) == 1;
}

char *password_hash(const char *password, unsigned log2n)
{
	uint8_t salt[SALT_BYTES], hash[HASH_BYTES];
	char salt_hex[2 * SALT_BYTES + 1], hash_hex[2 * HASH_BYTES + 1];
	char *out = NULL;

	if (password == NULL || log2n < SCRYPT_LOG2N_MIN || log2n > SCRYPT_LOG2N_MAX)
		return NULL;
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return NULL;
	if (run_scrypt(password, salt, sizeof(salt), log2n, SCRYPT_R, SCRYPT_P, hash,
	               sizeof(hash))) {
		hex_encode(salt, sizeof(salt), salt_hex);
		hex_encode(hash, sizeof(hash), hash_hex);
		out = xasprintf("scrypt$%u$%d$%d$%s$%s", log2n, SCRYPT_R, SCRYPT_P, salt_hex,
		                hash_hex);
	}
	OPENSSL_cleanse(hash, sizeof(hash));
	return out;
}

/* Parses a decimal field of at most 2 digits, without a leading zero, ending at '$'. */
static bool parse_small(const char **p, unsigned min, unsigned max, unsigned *out)
{
	const char *s = *p;
	unsigned v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 3)
		v = v * 10 + (unsigned)(s[n++] - '0');
	if (n == 0 || n > 2 || s[n] != '$' || (n > 1 && s[0] == '0') || v < min || v > max)
		return false;
	*out = v;
	*p = s + n + 1;
	return true;
}

/* The cost fields of a stored hash; s is left at its salt. */
static bool parse_cost(const char **s, unsigned *log2n, unsigned *r, unsigned *p)
{
	static const char prefix[] = "scrypt$";

	if (*s == NULL || strncmp(*s, prefix, sizeof(prefix) - 1) != 0)
		return false;
	*s += sizeof(prefix) - 1;
	return parse_small(s, SCRYPT_LOG2N_MIN, SCRYPT_LOG2N_MAX, log2n) &&
	       parse_small(s, 1, SCRYPT_R_MAX, r) && parse_small(s, 1, SCRYPT_P_MAX, p);
}

bool password_verify(const char *password, const char *stored)
{
	uint8_t salt[SALT_MAX_BYTES], want[HASH_BYTES], got[HASH_BYTES];
	unsigned log2n, r, p;
	const char *s = stored, *dollar;
	size_t saltlen;
	bool ok;

	if (password == NULL || !parse_cost(&s, &log2n, &r, &p))
		return false;
	/* Never more memory than the largest cost password_hash makes. */
	if ((uint64_t)r << log2n > (uint64_t)SCRYPT_R << SCRYPT_LOG2N_MAX)
		return false;
	dollar = strchr(s, '$');
	if (dollar == NULL)
		return false;
	saltlen = (size_t)(dollar - s);
	if (saltlen < 2 * SALT_MIN_BYTES || saltlen > 2 * SALT_MAX_BYTES ||
	    !hex_decode(s, saltlen, salt))
		return false;
	s = dollar + 1;
	if (strlen(s) != 2 * HASH_BYTES || !hex_decode(s, 2 * HASH_BYTES, want))
		return false;
	saltlen /= 2;
	ok = run_scrypt(password, salt, saltlen, log2n, r, p, got, sizeof(got)) &&
	     secret_equal(got, want, sizeof(got));
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}

/* scrypt's work is about N r p block mixes, counted here in units of r = 8, p = 1. */
static uint64_t cost_units(unsigned log2n, unsigned r, unsigned p)
{
	return ((uint64_t)1 << log2n) * r * p / SCRYPT_R;
}

/* Runs scrypt, for its cost only, about units units of work: one run per bit. */
static void burn(uint64_t units)
{
	static const uint8_t salt[SALT_BYTES];
	uint8_t out[HASH_BYTES];

	for (unsigned bit = SCRYPT_LOG2N_MIN; bit <= SCRYPT_LOG2N_MAX; bit++)
		if (units & ((uint64_t)1 << bit))
			run_scrypt("", salt, sizeof(salt), bit, SCRYPT_R, SCRYPT_P, out,
			           sizeof(out));
}

bool password_verify_as(const char *password, const char *stored, unsigned log2n)
{
	uint64_t want = cost_units(log2n, SCRYPT_R, SCRYPT_P), spent = 0;
	unsigned n, r, p;
	const char *s = stored;
	bool ok = password_verify(password, stored);

	if (parse_cost(&s, &n, &r, &p))
		spent = cost_units(n, r, p);
	if (spent < want)
		burn(want - spent);
	return ok;
}

bool password_cost_is(const char *stored, unsigned log2n)
{
	unsigned n, r, p;
	const char *s = stored;

	return parse_cost(&s, &n, &r, &p) && n == log2n && r == SCRYPT_R && p == SCRYPT_P;
}

static bool sha256(const void *data, size_t n, uint8_t hash[32])
{
	unsigned int len = 0;

	return EVP_Digest(data, n, hash, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

bool token_new(char text[TOKEN_HEX], uint8_t hash[32])
{
	uint8_t raw[TOKEN_BYTES];
	bool ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return false;
	hex_encode(raw, sizeof(raw), text);
	OPENSSL_cleanse(raw, sizeof(raw));
	ok = sha256(text, 2 * TOKEN_BYTES, hash);
	if (!ok)
		OPENSSL_cleanse(text, TOKEN_HEX);
	return ok;
}

bool token_hash(const char *text, uint8_t hash[32])
{
	if (text == NULL)
		return false;
	for (size_t i = 0; i < 2 * TOKEN_BYTES; i++) {
		if (hex_digit(text[i]) < 0)
			return false;
	}
	if (text[2 * TOKEN_BYTES] != '\0')
		return false;
	return sha256(text, 2 * TOKEN_BYTES, hash);
}
