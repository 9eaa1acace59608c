/* Big-endian fixed-width key fields, so that LMDB's memcmp order is numeric order.
 *
 * Instants are signed; they are stored with the sign bit flipped so that 1969 sorts
 * before 1970 (0x7fff...ffff is -1, 0x8000...0000 is 0). Every composite key in halls is
 * built by a key_* function below and read back by its matching decoder. */
#ifndef HALLS_KEY_H
#define HALLS_KEY_H

#include <stddef.h>
#include <stdint.h>

#define KEY_MAX 256 /* an email address, at most 254 bytes, is the longest key */

struct key {
	uint8_t b[KEY_MAX];
	size_t len;
};

void key_init(struct key *k);
void key_u8(struct key *k, uint8_t v);
void key_u64(struct key *k, uint64_t v);
void key_i64(struct key *k, int64_t v);

uint64_t key_get_u64(const uint8_t *p);
int64_t key_get_i64(const uint8_t *p);
void key_put_u64(uint8_t *p, uint64_t v);
void key_put_i64(uint8_t *p, int64_t v);

/* Convenience for the common single-id key. */
struct key key_id(uint64_t id);
/* The prefix of one kind of entry in a database whose keys start with a tag byte (the
 * outbox, holds, waitlists): what a scan of that kind begins from. */
struct key key_tag(uint8_t tag);

/* idx:user-role (schemas/db.md): USER_OF_GROUP | group | user for each id of a user's
 * groups, USER_OF_VENUE | venue | user for each of its venues. */
enum { USER_OF_GROUP = 'G', USER_OF_VENUE = 'V' };
#define ROLE_KEY_LEN 17
struct key key_user_role(uint8_t tag, uint64_t target, uint64_t user_id);

#endif
