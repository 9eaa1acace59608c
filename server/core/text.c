#include "text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t text_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (p[0] < 0x80)
		return 1;
	/* Each test below stops at the first byte that is not a continuation byte, so a
	 * NUL ends the look-ahead before it can run past the string. */
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

static bool is_control(const char *p, size_t n)
{
	const unsigned char c = (unsigned char)p[0];

	/* C1 controls (U+0080-U+009F) can start terminal escape sequences too. */
	return (n == 1 && (c < 0x20 || c == 0x7f)) ||
	       (n == 2 && c == 0xc2 && (unsigned char)p[1] < 0xa0);
}

/* The shared walk: max bounds the output (the ellipsis included), escape_controls
 * escapes control characters as well as invalid bytes. */
static size_t text_copy(char *dst, size_t size, const char *src, size_t max, bool escape_controls)
{
	size_t out = 0;
	size_t room = size - 1 < max ? size - 1 : max;

	while (*src) {
		size_t n = text_utf8_len(src);
		char esc[5];
		const char *piece = src;
		size_t len = n;

		if (n == 0 || (escape_controls && is_control(src, n))) {
			/* An escaped control character takes all its bytes with it. */
			size_t take = n == 0 ? 1 : n;

			for (size_t i = 0; i < take; i++) {
				snprintf(esc, sizeof(esc), "\\x%02X", (unsigned char)src[i]);
				if (out + 4 > room)
					goto cut;
				memcpy(dst + out, esc, 4);
				out += 4;
			}
			src += take;
			continue;
		}
		if (out + len > room)
			goto cut;
		memcpy(dst + out, piece, len);
		out += len;
		src += n;
	}
	dst[out] = '\0';
	return out;
cut:
	if (escape_controls) {
		/* Make room for "..." by dropping whole characters from the end. */
		while (out > 0 && out + 3 > room) {
			out--;
			while (out > 0 && ((unsigned char)dst[out] & 0xc0) == 0x80)
				out--;
		}
		if (out + 3 <= room) {
			memcpy(dst + out, "...", 3);
			out += 3;
		}
	}
	dst[out] = '\0';
	return out;
}

size_t text_sanitize(char *dst, size_t size, const char *src)
{
	return text_copy(dst, size, src, (size_t)-1, false);
}

/* vsnprintf cut s at its end: drop a character left without its last bytes, so the cut
 * falls on a character boundary instead of showing as escaped bytes. */
static void trim_partial_char(char *s)
{
	size_t n = strlen(s);
	size_t lead = n;

	while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)s[lead - 1] >= 0xc0 && text_utf8_len(s + lead - 1) == 0)
		s[lead - 1] = '\0';
}

size_t text_vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
	/* Twice the usual message, so that what is cut is cut by text_sanitize, which
	 * knows where characters end. */
	char raw[1024];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);

	if (n < 0)
		raw[0] = '\0';
	else if ((size_t)n >= sizeof(raw))
		trim_partial_char(raw);
	return text_sanitize(dst, size, raw);
}

size_t text_format(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = text_vformat(dst, size, fmt, ap);
	va_end(ap);
	return n;
}

size_t text_quote(char *dst, size_t size, const char *src, size_t max)
{
	return text_copy(dst, size, src, max, true);
}
