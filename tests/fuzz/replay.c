/* Replays fuzz inputs through a harness without libFuzzer, so `make test` (gcc, and
 * `make asan`) runs every corpus file and every saved crash on each build.
 *
 * Usage: replay-NAME FILE...; prints nothing and exits 0 when every input ran. A crash
 * or a sanitizer report ends the process, and the suite names the file. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* An exact-size copy, so ASan sees a read one past the input as the fuzzer would. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			abort();
		for (size_t i = 0; i < len; i++)
			exact[i] = buf[i];
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (replay_file(argv[i]) != 0)
			failed = 1;
	return failed;
}
