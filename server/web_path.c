/* What the page server decides from strings alone: which paths are pages, which file a
 * path names, and what the request's headers allow. Pure, for embed.c and the unit tests. */
#include "web.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether path is prefix or lies under it. */
static bool path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool web_path_claims(const char *path)
{
	return path != NULL && path[0] == '/' && !path_under(path, "/api") &&
	       !path_under(path, "/feeds") && !path_under(path, "/healthz");
}

const char *web_path_file(const char *path)
{
	const char *name;

	if (path == NULL || path[0] != '/')
		return NULL;
	if (path[1] == '\0')
		return "index.html";
	name = path + 1;
	/* One segment only, and never "." or ".." or a hidden file: the guard for --web-dir. */
	if (name[0] == '.' || strlen(name) > WEB_NAME_MAX)
		return NULL;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return NULL;
	return name;
}

bool web_name_hashed(const char *name)
{
	const char *ext = strrchr(name, '.');
	const char *hash;

	if (ext == NULL || ext - name < 10)
		return false;
	hash = ext - 9;
	if (hash[0] != '.' || hash == name)
		return false;
	for (int i = 1; i <= 8; i++)
		if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
			return false;
	return true;
}

const char *web_content_type(const char *name)
{
	static const char *const types[][2] = {
	    {".html", "text/html; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".txt", "text/plain; charset=utf-8"},
	};
	const char *ext = strrchr(name, '.');

	for (size_t i = 0; ext != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(ext, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* Whether a coding's parameters (after its ';') leave it allowed: q=0 (0.0, 0.000)
 * refuses it. */
static bool coding_allowed(const char *params, const char *end)
{
	const char *q;

	for (q = params; q < end; q++)
		if ((*q == 'q' || *q == 'Q') && q + 1 < end && q[1] == '=')
			break;
	if (q >= end)
		return true;
	q += 2;
	if (*q == '1')
		return true;
	if (*q != '0')
		return false; /* malformed: not allowed */
	for (q++; q < end && (*q == '.' || *q == '0'); q++)
		;
	return q < end && *q >= '1' && *q <= '9';
}

bool web_accepts_gzip(const char *value)
{
	const char *p = value;
	bool star = false;

	if (value == NULL)
		return false;
	/* gzip named outright decides; else "*" does (RFC 9110 12.5.3). */
	while (*p) {
		const char *start, *end, *semi;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		semi = memchr(start, ';', (size_t)(end - start));
		n = (size_t)((semi ? semi : end) - start);
		while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
			n--;
		if ((n == 4 && strncasecmp(start, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(start, "x-gzip", 6) == 0))
			return semi == NULL || coding_allowed(semi + 1, end);
		if (n == 1 && *start == '*')
			star = semi == NULL || coding_allowed(semi + 1, end);
	}
	return star;
}

bool web_etag_listed(const char *value, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = value;

	for (;;) {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (end = strchr(p + 1, '"')) == NULL)
			return false; /* malformed: no tag can be trusted to follow */
		if ((size_t)(end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = end + 1;
	}
}
