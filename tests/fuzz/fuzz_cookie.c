/* The Cookie header parser (cookie_find in server/request.c), which decides which session a
 * browser request is signed in as: whatever bytes a client sends, it stays inside the
 * header, and it finds exactly the pairs a plain model of RFC 6265's syntax finds, with the
 * same first value.
 *
 * Input: byte 0 picks the cookie name looked for; the rest is the header's value (cut at
 * its first NUL, as a header is). */
#include "fuzz.h"
#include "server.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"halls_session", "__Host-halls_session", "a", "=", ""};

/* The model: split on ';', drop leading spaces and tabs, a pair is name '=' value, and the
 * value loses trailing spaces and tabs. Written apart from cookie_find, with copies. */
static size_t model_find(const char *header, const char *name, char **first)
{
	char *copy = strdup(header), *p = copy;
	size_t count = 0;

	*first = NULL;
	for (;;) {
		char *semi = strchr(p, ';'), *eq, *end;

		if (semi != NULL)
			*semi = '\0';
		p += strspn(p, " \t");
		eq = strchr(p, '=');
		if (eq != NULL) {
			*eq = '\0';
			if (strcmp(p, name) == 0 && count++ == 0) {
				end = eq + 1 + strlen(eq + 1);
				while (end > eq + 1 && (end[-1] == ' ' || end[-1] == '\t'))
					*--end = '\0';
				*first = strdup(eq + 1);
			}
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	free(copy);
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name, *value = NULL;
	char *header, *want;
	size_t len = 0, got, expect;

	if (size == 0)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	header = malloc(size);
	memcpy(header, data + 1, size - 1);
	header[size - 1] = '\0';

	got = cookie_find(header, name, &value, &len);
	expect = model_find(header, name, &want);
	if (got != expect)
		abort();
	if (got > 0) {
		/* Inside the header, and the model's value. */
		if (value < header || value + len > header + strlen(header) ||
		    memchr(value, ';', len) != NULL || strlen(want) != len ||
		    memcmp(value, want, len) != 0)
			abort();
	}
	free(want);
	free(header);
	return 0;
}
