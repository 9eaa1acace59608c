/* Secrets. Passwords are kept only as scrypt hashes (OpenSSL); tokens are 256 random
 * bits kept only as their SHA-256. Comparisons are constant-time. */
#ifndef HALLS_AUTH_H
#define HALLS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* scrypt cost as log2(N); 15 (32 MiB, ~0.1 s) by default, lower in tests. */
#define AUTH_SCRYPT_LOG2N_DEFAULT 15

/* Returns "scrypt$<log2N>$<r>$<p>$<salt hex>$<hash hex>" (caller frees), or NULL when
 * OpenSSL fails. */
char *password_hash(const char *password, unsigned log2n);
bool password_verify(const char *password, const char *stored);

#define TOKEN_BYTES 32
#define TOKEN_HEX   (TOKEN_BYTES * 2 + 1)
/* A new token: text (hex, for the user) and hash (SHA-256, for storage). */
bool token_new(char text[TOKEN_HEX], uint8_t hash[32]);
/* SHA-256 of a token's text form; false if the text is not a well-formed token. */
bool token_hash(const char *text, uint8_t hash[32]);
bool secret_equal(const void *a, const void *b, size_t n);
void hex_encode(const uint8_t *in, size_t n, char *out);

#endif
