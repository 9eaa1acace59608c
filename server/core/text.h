/* UTF-8 for messages that people read: every sentence halls builds from input or stored
 * text (a problem's detail, a CLI error, a log line) passes through here, so a reply or a
 * log can never carry bytes a JSON encoder or a terminal would choke on. */
#ifndef HALLS_TEXT_H
#define HALLS_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/* Length of the UTF-8 character at p (shortest form, no surrogates, at most U+10FFFF), or
 * 0 when the bytes at p do not start one. Reads no further than a NUL. */
size_t text_utf8_len(const char *p);

/* Copies src into dst (size > 0) as valid UTF-8, always NUL-terminated: a byte that does
 * not start a valid character is written as "\xHH", and the copy stops before a character
 * (or escape) that would not fit, so nothing is ever cut in half. Returns the bytes
 * written, not counting the NUL. */
size_t text_sanitize(char *dst, size_t size, const char *src);

/* For quoting a value inside a message: like text_sanitize, but at most max bytes of
 * output, with control characters escaped too ("\x0A"), and "..." when src was longer. */
size_t text_quote(char *dst, size_t size, const char *src, size_t max);

/* vsnprintf into dst, then made valid UTF-8 as text_sanitize does; a cut at the end of
 * dst falls on a character boundary. The one way halls formats a message. */
size_t text_vformat(char *dst, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
size_t text_format(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
