/* Build-time generator: embed OUT.c DIR GZDIR writes every file of DIR (the built pages)
 * into OUT.c as a struct web_asset (web.h): its bytes, GZDIR/<name>.gz (made by
 * `gzip -9 -n`) when smaller, and a strong ETag for each (SHA-256). Run on the build
 * host by the Makefile; never part of hallsd. */
#include "web.h"

#include <dirent.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blob {
	unsigned char *bytes;
	size_t len;
};

static void die(const char *what, const char *name)
{
	fprintf(stderr, "embed: %s: %s\n", what, name);
	exit(1);
}

static struct blob slurp(const char *dir, const char *name, const char *suffix)
{
	char path[4096];
	struct blob b = {NULL, 0};
	size_t cap = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
	if ((f = fopen(path, "rb")) == NULL)
		die("cannot read", path);
	do {
		if (b.len == cap && (b.bytes = realloc(b.bytes, cap = cap * 2 + 65536)) == NULL)
			die("out of memory reading", path);
		n = fread(b.bytes + b.len, 1, cap - b.len, f);
		b.len += n;
	} while (n > 0);
	if (ferror(f))
		die("cannot read", path);
	fclose(f);
	return b;
}

/* The SHA-256 of b in hex: the ETag, once quoted. */
static void etag_of(const struct blob *b, char out[2 * SHA256_DIGEST_LENGTH + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(b->bytes, b->len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void bytes_out(FILE *out, const char *var, size_t i, const struct blob *b)
{
	fprintf(out, "static const unsigned char %s_%zu[] = {", var, i);
	for (size_t k = 0; k < b->len; k++)
		fprintf(out, "%s%u,", k % 24 ? "" : "\n", b->bytes[k]);
	fprintf(out, "0};\n");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of DIR's files, sorted, so that the output is the same for the same input. */
static char **names_of(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (d == NULL)
		die("cannot open", dir);
	while ((e = readdir(d)) != NULL) {
		char path[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/%s", e->d_name);
		if (web_path_file(path) == NULL || strcmp(web_path_file(path), e->d_name) != 0)
			die("a name no page path can reach", e->d_name);
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (names[n++] = strdup(e->d_name)) == NULL)
			die("out of memory listing", dir);
	}
	closedir(d);
	if (n == 0)
		die("nothing to embed in", dir);
	qsort(names, n, sizeof(*names), by_name);
	*count = n;
	return names;
}

int main(int argc, char **argv)
{
	char **names;
	size_t count;
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: embed OUT.c DIR GZDIR\n");
		return 2;
	}
	names = names_of(argv[2], &count);
	if ((out = fopen(argv[1], "w")) == NULL)
		die("cannot write", argv[1]);
	fprintf(out, "/* Made by server/web/embed.c from the built pages: do not edit. */\n"
	             "#include \"web.h\"\n\n");
	for (size_t i = 0; i < count; i++) {
		struct blob body = slurp(argv[2], names[i], "");
		struct blob gz = slurp(argv[3], names[i], ".gz");
		char etag[2 * SHA256_DIGEST_LENGTH + 1], etag_gz[2 * SHA256_DIGEST_LENGTH + 1];

		etag_of(&body, etag);
		etag_of(&gz, etag_gz);
		bytes_out(out, "body", i, &body);
		if (gz.len < body.len)
			bytes_out(out, "gz", i, &gz);
		fprintf(out, "static const char etag_%zu[] = \"\\\"%s\\\"\";\n", i, etag);
		fprintf(out, "static const char etag_gz_%zu[] = \"\\\"%s\\\"\";\n\n", i, etag_gz);
		free(body.bytes);
		free(gz.bytes);
	}
	fprintf(out, "const struct web_asset web_assets[] = {\n");
	for (size_t i = 0; i < count; i++) {
		struct blob gz = slurp(argv[3], names[i], ".gz");
		struct blob body = slurp(argv[2], names[i], "");
		bool use_gz = gz.len < body.len;
		char gz_var[32] = "NULL";

		if (use_gz)
			snprintf(gz_var, sizeof(gz_var), "gz_%zu", i);
		fprintf(
		    out,
		    "    {\"/%s\", \"%s\", body_%zu, %zu, %s, %zu, etag_%zu, etag_gz_%zu, %s},\n",
		    names[i], web_content_type(names[i]), i, body.len, gz_var, use_gz ? gz.len : 0,
		    i, i, web_name_hashed(names[i]) ? "true" : "false");
		free(gz.bytes);
		free(body.bytes);
		free(names[i]);
	}
	fprintf(out, "};\nconst size_t web_asset_count = %zu;\n", count);
	free(names);
	if (fclose(out) != 0)
		die("cannot write", argv[1]);
	return 0;
}
