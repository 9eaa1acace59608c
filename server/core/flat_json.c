#include "flat_json.h"

#include "xmalloc.h"

#include <string.h>

/* Integers of up to this many digits cannot overflow int64_t; longer ones are left to
 * jansson, which refuses those that do. */
#define FLAT_INT_DIGITS 18

static void skip_space(struct flat_reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool take(struct flat_reader *r, char c)
{
	skip_space(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return true;
	}
	return false;
}

static bool take_word(struct flat_reader *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

/* The length of the UTF-8 sequence at p (at most avail bytes), 0 if it is not one that
 * jansson accepts: no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_length(const unsigned char *p, size_t avail)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* A string after its opening quote: its bytes into *s, *len; false for a control
 * character, bad UTF-8, a \u escape (left to jansson) or an unknown escape. */
static bool read_string(struct flat_reader *r, const char **s, size_t *len, bool *escaped)
{
	const char *start = r->p;

	*escaped = false;
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		size_t n;

		if (c == '"') {
			*s = start;
			*len = (size_t)(r->p - start);
			r->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (r->end - r->p < 2 || strchr("\"\\/bfnrt", r->p[1]) == NULL ||
			    r->p[1] == '\0')
				return false;
			*escaped = true;
			r->p += 2;
			continue;
		}
		if ((n = utf8_length((const unsigned char *)r->p, (size_t)(r->end - r->p))) == 0)
			return false;
		r->p += n;
	}
	return false;
}

/* An integer as RFC 8259 writes it: false for a real, a leading zero, or too many digits. */
static bool read_int(struct flat_reader *r, int64_t *out)
{
	bool negative = take_word(r, "-", 1);
	const char *digits = r->p;
	int64_t v = 0;

	/* Counted before it is added: a longer run of digits is refused, never overflows. */
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (r->p - digits == FLAT_INT_DIGITS)
			return false;
		v = v * 10 + (*r->p - '0');
		r->p++;
	}
	if (r->p == digits || (*digits == '0' && r->p - digits > 1))
		return false;
	if (r->p < r->end && (*r->p == '.' || *r->p == 'e' || *r->p == 'E'))
		return false;
	*out = negative ? -v : v;
	return true;
}

static bool read_value(struct flat_reader *r, struct flat_member *m)
{
	skip_space(r);
	if (r->p >= r->end)
		return false;
	switch (*r->p) {
	case '"':
		r->p++;
		m->kind = FLAT_STR;
		return read_string(r, &m->s, &m->s_len, &m->s_escaped);
	case 'n':
		m->kind = FLAT_NULL;
		return take_word(r, "null", 4);
	case 't':
		m->kind = FLAT_TRUE;
		return take_word(r, "true", 4);
	case 'f':
		m->kind = FLAT_FALSE;
		return take_word(r, "false", 5);
	default:
		m->kind = FLAT_INT;
		return read_int(r, &m->i);
	}
}

bool flat_begin(struct flat_reader *r, const char *text, size_t n)
{
	r->p = text;
	r->end = text + n;
	r->first = true;
	return take(r, '{');
}

int flat_next(struct flat_reader *r, struct flat_member *m)
{
	bool escaped;

	memset(m, 0, sizeof(*m));
	if (take(r, '}')) {
		skip_space(r);
		return r->p == r->end ? 0 : -1;
	}
	if (!r->first && !take(r, ','))
		return -1;
	r->first = false;
	if (!take(r, '"') || !read_string(r, &m->key, &m->key_len, &escaped) || escaped ||
	    !take(r, ':') || !read_value(r, m))
		return -1;
	/* What follows a value is read by the next call: ',' or '}'. */
	skip_space(r);
	return r->p < r->end && (*r->p == ',' || *r->p == '}') ? 1 : -1;
}

bool flat_key_is(const struct flat_member *m, const char *key)
{
	return strlen(key) == m->key_len && memcmp(m->key, key, m->key_len) == 0;
}

char *flat_strdup(const struct flat_member *m)
{
	char *out = xmalloc(m->s_len + 1), *q = out;

	for (size_t i = 0; i < m->s_len; i++) {
		char c = m->s[i];

		if (c == '\\' && m->s_escaped) {
			/* read_string let through only these escapes, never at the end. */
			switch (m->s[++i]) {
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			default: /* '"', '\\', '/' */
				c = m->s[i];
				break;
			}
		}
		*q++ = c;
	}
	*q = '\0';
	return out;
}
