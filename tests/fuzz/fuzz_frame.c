/* The connection guard's framing of raw bytes (server/frame.c). Beyond not crashing:
 *
 * - a head called complete lies within the input and the limit, and ends in CRLF CRLF;
 * - evhttp would read it the same way: a small model of how evhttp 2.1 parses a head
 *   (lines up to LF, "name:value" split at the first colon, the first Content-Length
 *   through strtoll, no body for HEAD) must find the same body length and no line that
 *   evhttp would take for the end of the head or fold into another;
 * - how the bytes arrive does not matter: the verdict on any prefix is "more" or the
 *   verdict on the whole, and bytes after a finished head change nothing.
 *
 * Input: one byte sets the header limit, the rest is what a client sent. */
#include "frame.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_frame: %s\n", why);
	abort();
}

static void judge(const uint8_t *data, size_t size, const struct frame_limits *lim, struct frame *f)
{
	/* An exact-size copy, so that a read past the end is caught by ASan. */
	char *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	frame_head(copy, size, lim, f);
	free(copy);
}

static bool same(const struct frame *a, const struct frame *b)
{
	return a->verdict == b->verdict && a->why == b->why && a->head_len == b->head_len &&
	       a->body_len == b->body_len && a->http10 == b->http10;
}

/* evhttp's reading of a complete head: the body length it would use, or -1 where it
 * would read the head differently from the guard in a way that matters. */
static long long evhttp_model(const char *head, size_t len)
{
	char *copy = malloc(len + 1), *line, *next;
	long long length = 0;
	bool first = true, head_method = false, seen_length = false;

	memcpy(copy, head, len);
	copy[len] = '\0';
	for (line = copy; *line != '\0'; line = next) {
		char *lf = strchr(line, '\n'), *value;

		if (lf == NULL || lf == line || lf[-1] != '\r')
			goto differ; /* evhttp also ends a line at a bare LF */
		*lf = '\0';
		lf[-1] = '\0';
		next = lf + 1;
		if (strlen(line) != (size_t)(lf - 1 - line))
			goto differ; /* a NUL: evhttp sees a shorter line, maybe an empty one */
		if (first) {
			head_method = strncmp(line, "HEAD ", 5) == 0;
			first = false;
			continue;
		}
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t')
			goto differ; /* evhttp folds it into the header before */
		value = strchr(line, ':');
		if (value == NULL)
			goto differ;
		*value++ = '\0';
		if (strcasecmp(line, "Transfer-Encoding") == 0)
			goto differ;
		if (strcasecmp(line, "Content-Length") == 0 && !seen_length) {
			char *end;

			seen_length = true;
			value += strspn(value, " ");
			length = strtoll(value, &end, 10);
			end += strspn(end, " \t");
			if (*value == '\0' || *end != '\0' || length < 0)
				goto differ;
		}
	}
	free(copy);
	return head_method ? 0 : length;
differ:
	free(copy);
	return -1;
}

static void check_done(const uint8_t *data, size_t size, const struct frame_limits *lim,
                       const struct frame *f)
{
	if (f->head_len > size || f->head_len > lim->max_headers || f->head_len < 4 ||
	    memcmp(data + f->head_len - 4, "\r\n\r\n", 4) != 0)
		fail("a complete head that is not within the input and ending in CRLF CRLF");
	if (f->target_at + f->target_len + 2 > f->head_len || f->target_len == 0)
		fail("the target is not inside the request line");
	if (f->body_len > lim->max_body)
		fail("a body over the limit accepted");
	if (evhttp_model((const char *)data, f->head_len) != (long long)f->body_len)
		fail("evhttp would frame an accepted head differently");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_limits lim = {0, 100};
	struct frame whole, part;
	uint8_t *more;

	if (size == 0)
		return 0;
	lim.max_headers = 16 + (size_t)data[0] * 4;
	data++;
	size--;
	judge(data, size, &lim, &whole);
	if (whole.verdict == FRAME_DONE)
		check_done(data, size, &lim, &whole);
	if (whole.verdict == FRAME_REFUSE &&
	    (whole.why == FRAME_OK || whole.why >= FRAME_WHY_COUNT))
		fail("a refusal without a reason");
	if (whole.verdict != FRAME_REFUSE && whole.why != FRAME_OK)
		fail("a reason without a refusal");
	/* The same bytes as they might arrive: a prefix says "more" or the same thing. */
	for (size_t k = 0; k < size; k += 1 + size / 16) {
		judge(data, k, &lim, &part);
		if (part.verdict != FRAME_MORE && !same(&part, &whole))
			fail("a prefix judged differently from the whole");
	}
	if (whole.verdict != FRAME_MORE) {
		more = malloc(size + 5);
		memcpy(more, data, size);
		memcpy(more + size, "GET /", 5);
		judge(more, size + 5, &lim, &part);
		free(more);
		if (!same(&part, &whole))
			fail("bytes after a judged head changed its verdict");
	}
	return 0;
}
