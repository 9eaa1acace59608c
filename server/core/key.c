#include "key.h"

#include "xmalloc.h"

#include <string.h>

#define I64_BIAS 0x8000000000000000ULL

void key_init(struct key *k)
{
	k->len = 0;
}

void key_u8(struct key *k, uint8_t v)
{
	if (k->len + 1 > KEY_MAX)
		fatal("key too long");
	k->b[k->len++] = v;
}

void key_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

uint64_t key_get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void key_put_i64(uint8_t *p, int64_t v)
{
	key_put_u64(p, (uint64_t)v ^ I64_BIAS);
}

int64_t key_get_i64(const uint8_t *p)
{
	return (int64_t)(key_get_u64(p) ^ I64_BIAS);
}

void key_u64(struct key *k, uint64_t v)
{
	if (k->len + 8 > KEY_MAX)
		fatal("key too long");
	key_put_u64(k->b + k->len, v);
	k->len += 8;
}

void key_i64(struct key *k, int64_t v)
{
	if (k->len + 8 > KEY_MAX)
		fatal("key too long");
	key_put_i64(k->b + k->len, v);
	k->len += 8;
}

struct key key_id(uint64_t id)
{
	struct key k;

	key_init(&k);
	key_u64(&k, id);
	return k;
}

struct key key_user_role(uint8_t tag, uint64_t target, uint64_t user_id)
{
	struct key k;

	key_init(&k);
	key_u8(&k, tag);
	key_u64(&k, target);
	key_u64(&k, user_id);
	return k;
}

struct key key_tag(uint8_t tag)
{
	struct key k;

	key_init(&k);
	key_u8(&k, tag);
	return k;
}
