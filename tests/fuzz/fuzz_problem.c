/* Problem bodies from hostile text: whatever bytes a request or a stored record puts into
 * a message (the path, a query value, a closure's reason), the body hallsd sends is JSON
 * that parses, with the right status, and a detail that is valid UTF-8.
 *
 * Input: one byte picks the failure, the rest is the text. */
#include "err.h"
#include "fuzz.h"
#include "problem.h"
#include "text.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_body(enum herr code, const struct herror *err, const json_t *extra)
{
	char *body = problem_render(code, err, extra);
	json_error_t jerr;
	json_t *p = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);

	if (p == NULL ||
	    json_integer_value(json_object_get(p, "status")) != herr_http_status(code) ||
	    !json_is_string(json_object_get(p, "detail")))
		abort();
	json_decref(p);
	free(body);
}

static void check_quote(const char *text, size_t max)
{
	char out[64];
	size_t n = text_quote(out, sizeof(out), text, max);

	if (n != strlen(out) || n > max || n >= sizeof(out))
		abort();
	for (const char *p = out; *p;) {
		size_t len = text_utf8_len(p);

		if (len == 0 || (len == 1 && ((unsigned char)*p < 0x20 || *p == 0x7f)))
			abort();
		p += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct herror err;
	enum herr code;
	char *text;

	if (size == 0)
		return 0;
	code = (enum herr)(data[0] % H_ERR_COUNT);
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	herror_clear(&err);
	herror_set(&err, code, "no such path: %s", text);
	check_body(code, &err, NULL);
	/* A message that fills the buffer, cut wherever the text's characters fall. */
	herror_set(&err, code, "%.*s%s", (int)(data[0] % 64),
	           "0123456789abcdef0123456789abcdef"
	           "0123456789abcdef0123456789abcdef",
	           text);
	check_body(code, &err, NULL);
	/* A sentence built on a sentence, as the CLI prefixes a file name. */
	herror_set(&err, code, "%s line %d: %s", text, 7, err.msg);
	check_body(code, &err, NULL);
	check_quote(text, data[0] % 60);
	free(text);
	return 0;
}
