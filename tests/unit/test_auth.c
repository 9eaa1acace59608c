/* Secrets: scrypt password hashes, tokens kept as SHA-256, constant-time comparison. */
#include "t.h"

#include <stdlib.h>

TEST(auth_password)
{
	char *h = password_hash("correct horse battery staple", 10);
	char *h2 = password_hash("correct horse battery staple", 10);
	char *bad;

	T_ASSERT(h != NULL && h2 != NULL);
	T_CHECK(strncmp(h, "scrypt$10$8$1$", 14) == 0);
	T_EQ_INT(strlen(h), 14 + 32 + 1 + 64);
	/* A fresh salt each time. */
	T_CHECK(strcmp(h, h2) != 0);
	T_CHECK(password_verify("correct horse battery staple", h));
	T_CHECK(password_verify("correct horse battery staple", h2));
	T_CHECK(!password_verify("correct horse battery stapl", h));
	T_CHECK(!password_verify("Correct horse battery staple", h));
	T_CHECK(!password_verify("", h));
	T_CHECK(!password_verify(NULL, h));

	/* One hash digit changed. */
	bad = xstrdup(h);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	/* A different cost with the same salt and hash. */
	bad = xstrdup(h);
	bad[8] = '1';
	bad[7] = '1'; /* "scrypt$11$..." */
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	/* Upper-case hex is not the stored form. */
	bad = xstrdup(h);
	for (char *p = bad + 14; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	T_CHECK(!password_verify("correct horse battery staple", bad));
	free(bad);
	free(h);
	free(h2);

	/* An empty password hashes and verifies like any other. */
	h = password_hash("", 10);
	T_ASSERT(h != NULL);
	T_CHECK(password_verify("", h));
	T_CHECK(!password_verify(" ", h));
	free(h);
	/* Costs out of range are refused. */
	T_CHECK(password_hash("x", 0) == NULL);
	T_CHECK(password_hash("x", 23) == NULL);
	T_CHECK(password_hash(NULL, 10) == NULL);
}

TEST(auth_password_malformed)
{
	static const char *const bad[] = {
	    "",
	    "scrypt$",
	    "scrypt$10$8$1$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$abcd",
	    "bcrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$010$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$0$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$23$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$99$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$22$32$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$0$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$0$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$-1$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$0011$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$0011223344556677889$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$zz112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "00000000000000000000000000000000000000000000000000000000000000000",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "000000000000000000000000000000000000000000000000000000000000000g",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff$"
	    "0000000000000000000000000000000000000000000000000000000000000000$",
	    "scrypt$10$8$1$00112233445566778899aabbccddeeff"
	    "0000000000000000000000000000000000000000000000000000000000000000",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (password_verify("x", bad[i]))
			t_fail(__FILE__, __LINE__, "password_verify accepted \"%s\"", bad[i]);
	T_CHECK(!password_verify("x", NULL));
}

TEST(auth_token)
{
	char text[TOKEN_HEX], text2[TOKEN_HEX], upper[TOKEN_HEX];
	uint8_t hash[32], again[32], hash2[32];

	T_ASSERT(token_new(text, hash));
	T_EQ_INT(strlen(text), 64);
	for (size_t i = 0; i < 64; i++)
		T_CHECK((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'));
	/* The hash of the text form is what token_new gave. */
	T_ASSERT(token_hash(text, again));
	T_CHECK(secret_equal(hash, again, 32));
	T_CHECK(memcmp(hash, again, 32) == 0);
	/* A second token differs, in text and hash. */
	T_ASSERT(token_new(text2, hash2));
	T_CHECK(strcmp(text, text2) != 0);
	T_CHECK(!secret_equal(hash, hash2, 32));

	/* Known answer: SHA-256 of 64 '0' characters. */
	{
		char zeros[65], hex[65];

		memset(zeros, '0', 64);
		zeros[64] = '\0';
		T_ASSERT(token_hash(zeros, again));
		hex_encode(again, 32, hex);
		T_EQ_STR(hex, "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55");
	}

	/* Malformed tokens. */
	memcpy(upper, text, sizeof(upper));
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(upper, text) != 0)
		T_CHECK(!token_hash(upper, again));
	T_CHECK(!token_hash(NULL, again));
	T_CHECK(!token_hash("", again));
	T_CHECK(!token_hash("abc", again));
	text2[63] = '\0';
	T_CHECK(!token_hash(text2, again));
	{
		char longer[TOKEN_HEX + 1];

		memcpy(longer, text, 64);
		longer[64] = 'a';
		longer[65] = '\0';
		T_CHECK(!token_hash(longer, again));
		memcpy(longer, text, 64);
		longer[10] = 'g';
		longer[64] = '\0';
		T_CHECK(!token_hash(longer, again));
	}
}

TEST(auth_secret_equal_hex)
{
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4}, c[4] = {1, 2, 3, 5};
	static const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
	char hex[9];

	T_CHECK(secret_equal(a, b, 4));
	T_CHECK(!secret_equal(a, c, 4));
	T_CHECK(secret_equal(a, c, 3));
	T_CHECK(secret_equal(a, c, 0));
	hex_encode(bytes, 4, hex);
	T_EQ_STR(hex, "000fa5ff");
}
