/* Runs every test of list.h (or those named on the command line) and prints one
 * "ok - name" or "not ok - name" line each, then "unit: N passed, M failed". */
#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int t_failures;

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define T(name) {#name, test_##name},
#include "list.h"
#undef T
};

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	t_failures++;
	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static bool selected(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!selected(argc, argv, tests[i].name))
			continue;
		t_failures = 0;
		tests[i].fn();
		if (t_failures == 0) {
			passed++;
			printf("ok - %s\n", tests[i].name);
		} else {
			failed++;
			printf("not ok - %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
