/* Pages of a list route: the limit and after parameters, the cursor's text, and the
 * Link to the next page. Written once for every list handler; what a caller may see
 * stays with each handler, and where a page resumes in a scan is the core's (walk.h).
 *
 * A cursor is 32 characters of base64url over 24 bytes:
 *   list u8 | at i64 | id u64 | check (7 bytes)
 * e.g. 'b', start 1767297600, booking 42, then the first 7 bytes of the SHA-256 of
 * "halls page" and the 17 bytes before. The check is not a secret (any position a
 * forged cursor names is one the caller could reach by paging), only a way to tell a
 * cursor that was altered, cut, or taken from another list, which is answered 400. */
#include "server.h"

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/queue.h>
#include <stdlib.h>
#include <string.h>

#define CURSOR_BYTES 24
#define CURSOR_CHARS 32
#define CHECK_BYTES  7
#define CHECK_AT     (CURSOR_BYTES - CHECK_BYTES)

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void cursor_check(const uint8_t *b, uint8_t *check)
{
	static const char salt[] = "halls page";
	uint8_t in[sizeof(salt) + CHECK_AT], md[SHA256_DIGEST_LENGTH];

	memcpy(in, salt, sizeof(salt));
	memcpy(in + sizeof(salt), b, CHECK_AT);
	SHA256(in, sizeof(in), md);
	memcpy(check, md, CHECK_BYTES);
}

static void cursor_encode(char list, struct walk_pos pos, char out[CURSOR_CHARS + 1])
{
	uint8_t b[CURSOR_BYTES];

	b[0] = (uint8_t)list;
	key_put_i64(b + 1, pos.at);
	key_put_u64(b + 9, pos.id);
	cursor_check(b, b + CHECK_AT);
	for (size_t i = 0, o = 0; i < CURSOR_BYTES; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];

		for (int s = 18; s >= 0; s -= 6)
			out[o++] = b64url[(v >> s) & 63];
	}
	out[CURSOR_CHARS] = '\0';
}

/* False unless s is a cursor this server made for list. */
static bool cursor_decode(const char *s, char list, struct walk_pos *pos)
{
	uint8_t b[CURSOR_BYTES], check[CHECK_BYTES];

	if (strlen(s) != CURSOR_CHARS)
		return false;
	for (size_t i = 0, o = 0; i < CURSOR_CHARS; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			const char *c = s[i + j] ? strchr(b64url, s[i + j]) : NULL;

			if (c == NULL)
				return false;
			v = v << 6 | (uint32_t)(c - b64url);
		}
		b[o++] = (uint8_t)(v >> 16);
		b[o++] = (uint8_t)(v >> 8);
		b[o++] = (uint8_t)v;
	}
	cursor_check(b, check);
	if (b[0] != (uint8_t)list || CRYPTO_memcmp(check, b + CHECK_AT, CHECK_BYTES) != 0)
		return false;
	pos->at = key_get_i64(b + 1);
	pos->id = key_get_u64(b + 9);
	return true;
}

enum herr page_read(struct request *r, char list, struct page *p)
{
	const char *after = request_query(r, "after");
	bool given;
	enum herr ret;

	memset(p, 0, sizeof(*p));
	p->list = list;
	p->limit = PAGE_LIMIT_DEFAULT;
	if ((ret = request_query_uint(r, "limit", 1, PAGE_LIMIT_MAX, &p->limit, &given)) != H_OK)
		return ret;
	p->w.budget = (size_t)p->limit * PAGE_EXAMINE_FACTOR;
	if (after == NULL)
		return H_OK;
	if (!cursor_decode(after, list, &p->w.after))
		return herror_set(&r->err, H_EINVAL,
		                  "query parameter after is not a cursor from this list: take it "
		                  "from the Link of the page before");
	p->w.has_after = true;
	return H_OK;
}

bool page_full(struct page *p)
{
	return ++p->shown >= p->limit;
}

/* The request's own path and query with after replaced, so the next page keeps every
 * filter; never the Host, which the caller chose. */
void page_link(struct request *r, const struct page *p)
{
	struct evbuffer *b;
	struct evkeyval *kv;
	char cursor[CURSOR_CHARS + 1], *link;
	size_t n;

	if (!p->w.more)
		return;
	cursor_encode(p->list, p->w.last, cursor);
	b = evbuffer_new();
	evbuffer_add_printf(b, "<%s?", r->path);
	TAILQ_FOREACH(kv, &r->query, next)
	{
		char *k, *v;

		if (strcmp(kv->key, "after") == 0)
			continue;
		k = evhttp_encode_uri(kv->key);
		v = evhttp_encode_uri(kv->value);
		evbuffer_add_printf(b, "%s=%s&", k, v);
		free(k);
		free(v);
	}
	evbuffer_add_printf(b, "after=%s>; rel=\"next\"", cursor);
	n = evbuffer_get_length(b);
	link = xmalloc(n + 1);
	evbuffer_remove(b, link, n);
	link[n] = '\0';
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Link", link);
	free(link);
	evbuffer_free(b);
}
