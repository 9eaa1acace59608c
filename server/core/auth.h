/* Secrets. Passwords are kept only as scrypt hashes (OpenSSL); tokens are 256 random
 * bits kept only as their SHA-256. Comparisons are constant-time. */
#ifndef HALLS_AUTH_H
#define HALLS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* scrypt cost as log2(N), with r = 8 and p = 1: by default 17, OWASP's current advice
 * (128 MiB, a few tenths of a second); lower in tests (HALLS_SCRYPT_LOG2N). Each stored
 * hash carries its own cost, so a change of cost leaves old hashes verifying. */
#define AUTH_SCRYPT_LOG2N_DEFAULT 17
#define AUTH_SCRYPT_LOG2N_MIN     1
#define AUTH_SCRYPT_LOG2N_MAX     22

/* Returns "scrypt$<log2N>$<r>$<p>$<salt hex>$<hash hex>" (caller frees), or NULL when
 * OpenSSL fails or log2n is out of range. */
char *password_hash(const char *password, unsigned log2n);
bool password_verify(const char *password, const char *stored);
/* password_verify, then as much more scrypt work as a stored hash cheaper than one at
 * cost log2n falls short by, so that checking it takes as long as checking a hash made
 * at log2n (the dummy hash checked for unknown emails). */
bool password_verify_as(const char *password, const char *stored, unsigned log2n);
/* Whether stored was made at cost log2n (with r = 8, p = 1). */
bool password_cost_is(const char *stored, unsigned log2n);

#define TOKEN_BYTES 32
#define TOKEN_HEX   (TOKEN_BYTES * 2 + 1)
/* A new token: text (hex, for the user) and hash (SHA-256, for storage). */
bool token_new(char text[TOKEN_HEX], uint8_t hash[32]);
/* SHA-256 of a token's text form; false if the text is not a well-formed token. */
bool token_hash(const char *text, uint8_t hash[32]);
bool secret_equal(const void *a, const void *b, size_t n);
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
