/* Request heads judged from their bytes: the rules are listed in frame.h. */
#include "frame.h"

#include <string.h>
#include <strings.h>

/* What the lines judged so far have said. */
struct head {
	bool has_body; /* evhttp reads a body for this method (not HEAD) */
	bool http10;
	size_t target_at, target_len;
	unsigned lengths, encodings, hosts;
	uint64_t length; /* saturates at UINT64_MAX */
};

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool names(const char *s, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

/* A line's bytes before its CRLF: a CR is allowed only there, and no control byte but
 * HTAB anywhere (obs-text, 0x80 and up, is allowed in values as RFC 9110 says). */
static enum frame_why line_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			return FRAME_LINE_END;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return FRAME_CONTROL;
	}
	return FRAME_OK;
}

static bool target_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '\t')
			return false;
	if (n == 1 && s[0] == '*')
		return true;
	return (n > 0 && s[0] == '/') || (n > 7 && strncasecmp(s, "http://", 7) == 0) ||
	       (n > 8 && strncasecmp(s, "https://", 8) == 0);
}

static enum frame_why request_line(const char *s, size_t n, struct head *h)
{
	const char *sp1 = memchr(s, ' ', n), *sp2 = s + n;
	size_t vlen;

	while (sp2 > s && sp2[-1] != ' ')
		sp2--;
	if (sp1 == NULL || sp2 - 1 <= sp1 || !target_ok(sp1 + 1, (size_t)(sp2 - 1 - (sp1 + 1))))
		return FRAME_REQUEST_LINE;
	vlen = (size_t)(s + n - sp2);
	if (vlen != 8 || (memcmp(sp2, "HTTP/1.1", 8) != 0 && memcmp(sp2, "HTTP/1.0", 8) != 0))
		return FRAME_REQUEST_LINE;
	if (!is_token(s, (size_t)(sp1 - s)))
		return FRAME_REQUEST_LINE;
	h->http10 = sp2[7] == '0';
	h->target_at = (size_t)(sp1 + 1 - s);
	h->target_len = (size_t)(sp2 - 1 - (sp1 + 1));
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i]) == (size_t)(sp1 - s) &&
		    memcmp(s, methods[i], sp1 - s) == 0) {
			/* evhttp reads no body for HEAD, whatever the headers say. */
			h->has_body = i != 1;
			return FRAME_OK;
		}
	return FRAME_METHOD;
}

/* Plain digits, spaces around them allowed; saturates instead of overflowing. */
static enum frame_why content_length(const char *v, size_t n, uint64_t *out)
{
	size_t i = 0, digits = 0;
	uint64_t x = 0;

	while (i < n && is_space(v[i]))
		i++;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
		unsigned d = (unsigned)(v[i] - '0');

		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	while (i < n && is_space(v[i]))
		i++;
	if (digits == 0 || i != n)
		return FRAME_LENGTH;
	*out = x;
	return FRAME_OK;
}

static enum frame_why header_line(const char *s, size_t n, struct head *h)
{
	const char *colon = memchr(s, ':', n);
	size_t name_len;

	if (is_space(s[0]))
		return FRAME_FOLD;
	if (colon == NULL || !is_token(s, (size_t)(colon - s)))
		return FRAME_HEADER;
	name_len = (size_t)(colon - s);
	if (names(s, name_len, "Content-Length")) {
		if (h->lengths++ > 0)
			return FRAME_LENGTHS;
		return content_length(colon + 1, n - name_len - 1, &h->length);
	}
	if (names(s, name_len, "Transfer-Encoding"))
		h->encodings++;
	else if (names(s, name_len, "Host") && h->hosts++ > 0)
		return FRAME_HOST;
	return FRAME_OK;
}

/* The empty line: what the head says as a whole. */
static enum frame_why head_end(const struct head *h, const struct frame_limits *lim)
{
	if (h->encodings > 0)
		return h->lengths > 0 ? FRAME_TE_LENGTH : FRAME_CHUNKED;
	if (h->hosts == 0 && !h->http10)
		return FRAME_HOST;
	if (h->has_body && h->length > lim->max_body)
		return FRAME_BODY_SIZE;
	return FRAME_OK;
}

static void verdict(struct frame *out, enum frame_why why)
{
	out->verdict = why == FRAME_OK ? FRAME_DONE : FRAME_REFUSE;
	out->why = why;
}

void frame_head(const char *buf, size_t len, const struct frame_limits *lim, struct frame *out)
{
	/* The head's last byte must lie within max_headers: look no further. */
	size_t window = len < lim->max_headers ? len : lim->max_headers;
	struct head h = {0};
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		const char *lf = memchr(buf + pos, '\n', window - pos);
		size_t n, next;
		enum frame_why why;

		if (lf == NULL) {
			out->verdict = len > lim->max_headers ? FRAME_REFUSE : FRAME_MORE;
			out->why = len > lim->max_headers ? FRAME_HEAD_SIZE : FRAME_OK;
			return;
		}
		next = (size_t)(lf - buf) + 1;
		if (lf == buf + pos || lf[-1] != '\r') {
			verdict(out, FRAME_LINE_END);
			return;
		}
		n = next - 2 - pos;
		why = line_bytes(buf + pos, n);
		if (why == FRAME_OK && pos == 0)
			why = request_line(buf, n, &h);
		else if (why == FRAME_OK && n > 0)
			why = header_line(buf + pos, n, &h);
		else if (why == FRAME_OK) {
			verdict(out, head_end(&h, lim));
			out->head_len = next;
			out->body_len = h.has_body ? h.length : 0;
			out->http10 = h.http10;
			out->target_at = h.target_at;
			out->target_len = h.target_len;
			return;
		}
		if (why != FRAME_OK) {
			verdict(out, why);
			return;
		}
		pos = next;
	}
}

static const struct {
	enum herr code;
	const char *text;
} whys[FRAME_WHY_COUNT] = {
    [FRAME_OK] = {H_OK, "the request is well formed"},
    [FRAME_HEAD_SIZE] = {H_EHEADERS, "the request line and headers are over the limit"},
    [FRAME_BODY_SIZE] = {H_ETOOLARGE, "the request body is over the limit"},
    [FRAME_CHUNKED] = {H_ELENGTH, "send the body with a Content-Length header, not chunked"},
    [FRAME_METHOD] = {H_ENOTIMPL, "the method is not one hallsd serves (GET, HEAD, POST, PUT, "
                                  "PATCH, DELETE, OPTIONS)"},
    [FRAME_LINE_END] = {H_EINVAL, "every line of a request head must end in CRLF, and hold no "
                                  "other CR or LF"},
    [FRAME_CONTROL] = {H_EINVAL, "the request head holds a NUL or another control byte"},
    [FRAME_REQUEST_LINE] = {H_EINVAL, "the request line must be METHOD /path HTTP/1.1, with "
                                      "single spaces"},
    [FRAME_HEADER] = {H_EINVAL, "a header line must be Name: value, with no space before the "
                                "colon"},
    [FRAME_FOLD] = {H_EINVAL, "a header line may not be folded onto the next (obs-fold)"},
    [FRAME_LENGTH] = {H_EINVAL, "Content-Length must be plain decimal digits"},
    [FRAME_LENGTHS] = {H_EINVAL, "a request may have one Content-Length, not several"},
    [FRAME_TE_LENGTH] = {H_EINVAL, "a request may not have both Transfer-Encoding and "
                                   "Content-Length"},
    [FRAME_HOST] = {H_EINVAL, "an HTTP/1.1 request must have exactly one Host header"},
};

enum herr frame_why_code(enum frame_why why)
{
	return (unsigned)why < FRAME_WHY_COUNT ? whys[why].code : H_EINVAL;
}

const char *frame_why_text(enum frame_why why)
{
	return (unsigned)why < FRAME_WHY_COUNT ? whys[why].text : "the request is malformed";
}
