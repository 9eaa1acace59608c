/* Keys: big-endian fixed-width fields whose memcmp order is numeric order. */
#include "t.h"

static int sign(long long v)
{
	return (v > 0) - (v < 0);
}

TEST(key_u64_order)
{
	static const uint64_t v[] = {0,
	                             1,
	                             255,
	                             256,
	                             65535,
	                             65536,
	                             (uint64_t)1 << 32,
	                             ((uint64_t)1 << 56) - 1,
	                             (uint64_t)1 << 56,
	                             UINT64_MAX - 1,
	                             UINT64_MAX};
	const size_t n = sizeof(v) / sizeof(v[0]);

	for (size_t i = 0; i < n; i++) {
		uint8_t a[8];

		key_put_u64(a, v[i]);
		T_CHECK(key_get_u64(a) == v[i]);
		for (size_t j = 0; j < n; j++) {
			uint8_t b[8];

			key_put_u64(b, v[j]);
			T_EQ_INT(sign(memcmp(a, b, 8)), sign((long long)(i > j) - (i < j)));
		}
	}
}

TEST(key_u64_bytes)
{
	uint8_t b[8];
	static const uint8_t want[8] = {0, 0, 0, 0, 0, 0, 0, 0x2a};
	static const uint8_t want2[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

	key_put_u64(b, 42);
	T_CHECK(memcmp(b, want, 8) == 0);
	key_put_u64(b, 0x0123456789abcdefULL);
	T_CHECK(memcmp(b, want2, 8) == 0);
}

TEST(key_i64_order)
{
	static const int64_t v[] = {
	    INT64_MIN, INT64_MIN + 1, -1772366400, -86400,     -256,          -1,       0, 1,
	    255,       256,           86400,       1772366400, INT64_MAX - 1, INT64_MAX};
	const size_t n = sizeof(v) / sizeof(v[0]);

	for (size_t i = 0; i < n; i++) {
		uint8_t a[8];

		key_put_i64(a, v[i]);
		T_EQ_INT(key_get_i64(a), v[i]);
		for (size_t j = 0; j < n; j++) {
			uint8_t b[8];

			key_put_i64(b, v[j]);
			T_EQ_INT(sign(memcmp(a, b, 8)), sign((long long)(i > j) - (i < j)));
		}
	}
}

TEST(key_i64_bytes)
{
	uint8_t b[8];
	static const uint8_t zero[8] = {0x80, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t minus1[8] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	/* schemas/db.md's example: 2026-12-01T19:00:00Z. */
	static const uint8_t start[8] = {0x80, 0, 0, 0, 0x6b, 0x0f, 0x19, 0x30};

	key_put_i64(b, 0);
	T_CHECK(memcmp(b, zero, 8) == 0);
	key_put_i64(b, -1);
	T_CHECK(memcmp(b, minus1, 8) == 0);
	key_put_i64(b, 1796151600);
	T_CHECK(memcmp(b, start, 8) == 0);
}

TEST(key_composite)
{
	struct key a, b;

	/* room | state | start | id, as the block index builds it. */
	key_init(&a);
	key_u64(&a, 3);
	key_u8(&a, 'A');
	key_i64(&a, -10);
	key_u64(&a, 99);
	T_EQ_INT(a.len, 25);
	T_EQ_INT(key_get_u64(a.b), 3);
	T_EQ_INT(a.b[8], 'A');
	T_EQ_INT(key_get_i64(a.b + 9), -10);
	T_EQ_INT(key_get_u64(a.b + 17), 99);

	/* An earlier start sorts first whatever the id. */
	key_init(&b);
	key_u64(&b, 3);
	key_u8(&b, 'A');
	key_i64(&b, 5);
	key_u64(&b, 1);
	T_CHECK(memcmp(a.b, b.b, 25) < 0);
	/* A lower room sorts first whatever the start. */
	key_init(&b);
	key_u64(&b, 2);
	key_u8(&b, 'A');
	key_i64(&b, INT64_MAX);
	key_u64(&b, UINT64_MAX);
	T_CHECK(memcmp(b.b, a.b, 25) < 0);

	a = key_id(7);
	T_EQ_INT(a.len, 8);
	T_EQ_INT(key_get_u64(a.b), 7);
}
