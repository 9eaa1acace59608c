/* The framing of a request head, judged from its bytes alone (no libevent), so that the
 * connection guard (conn.c) and the fuzzer (tests/fuzz/fuzz_frame.c) run the same rules.
 *
 * The guard lets evhttp read a head only once frame_head has called it complete, and
 * then follows exactly body_len bytes of body. That is safe only if evhttp frames every
 * such head the same way, so the rules accept a strict subset of what evhttp 2.1 parses,
 * one where its reading and ours cannot differ (RFC 9112, sections 2 to 6):
 *
 * - every line ends in CRLF; no bare CR or bare LF, no NUL or other control byte but
 *   HTAB in a header value;
 * - the request line is METHOD SP TARGET SP HTTP/1.0 or HTTP/1.1, single spaces, a
 *   method hallsd serves (another token is 501), a target in origin form ("/..."),
 *   absolute form ("http://...") or "*";
 * - each header line is NAME ":" VALUE with NAME a token (no space before the colon),
 *   and no line folding (obs-fold);
 * - at most one Content-Length, plain digits with optional spaces around them;
 *   Transfer-Encoding in any form is refused (411 alone, 400 beside Content-Length);
 * - HTTP/1.1 has exactly one Host, HTTP/1.0 at most one;
 * - the head, line ends included, has at most max_headers bytes, and the body at most
 *   max_body; HEAD has no body whatever it says, as evhttp reads none.
 *
 * The verdict on a prefix of some bytes is either "more" or the verdict on all of them:
 * each line is judged as it completes, in order, so how the bytes arrive never matters. */
#ifndef HALLS_FRAME_H
#define HALLS_FRAME_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_verdict { FRAME_MORE, FRAME_DONE, FRAME_REFUSE };

/* Why a head is refused; frame_why_code and frame_why_text say how to answer. */
enum frame_why {
	FRAME_OK = 0,
	FRAME_HEAD_SIZE,    /* 431: the head is over max_headers */
	FRAME_BODY_SIZE,    /* 413: Content-Length is over max_body */
	FRAME_CHUNKED,      /* 411: Transfer-Encoding without Content-Length */
	FRAME_METHOD,       /* 501: a method hallsd does not serve */
	FRAME_LINE_END,     /* a bare LF, or a bare CR */
	FRAME_CONTROL,      /* a NUL or another control byte */
	FRAME_REQUEST_LINE, /* not METHOD SP TARGET SP HTTP/1.x */
	FRAME_HEADER,       /* not NAME: VALUE (a space before the colon, no colon) */
	FRAME_FOLD,         /* a header line that starts with a space or a tab */
	FRAME_LENGTH,       /* a Content-Length that is not plain digits */
	FRAME_LENGTHS,      /* Content-Length twice */
	FRAME_TE_LENGTH,    /* Transfer-Encoding and Content-Length */
	FRAME_HOST,         /* no Host in HTTP/1.1, or Host twice */
	FRAME_WHY_COUNT
};

struct frame_limits {
	size_t max_headers; /* bytes of head, line ends included */
	uint64_t max_body;  /* bytes */
};

struct frame {
	enum frame_verdict verdict;
	enum frame_why why; /* FRAME_REFUSE: the first rule the head breaks */
	size_t head_len;    /* FRAME_DONE: bytes of the head, its empty line included */
	uint64_t body_len;  /* FRAME_DONE: bytes of body evhttp reads after it */
	bool http10;        /* FRAME_DONE: HTTP/1.0 */
	size_t target_at;   /* FRAME_DONE: where the request target is, and its length */
	size_t target_len;
};

/* Judges the head at the front of buf (len bytes, anything may follow it). Reads no
 * byte at or past buf[len], and no further than max_headers + 2 of them. */
void frame_head(const char *buf, size_t len, const struct frame_limits *lim, struct frame *out);

/* The failure that answers why (H_EINVAL for the malformed kinds). */
enum herr frame_why_code(enum frame_why why);
/* A sentence for the client about why. */
const char *frame_why_text(enum frame_why why);

#endif
