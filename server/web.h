/* The pages hallsd serves (server/web/): built by Node at build time, embedded by
 * server/web/embed.c into web_assets.c, answered by web.c. */
#ifndef HALLS_WEB_H
#define HALLS_WEB_H

#include <stdbool.h>
#include <stddef.h>

/* One built file, as embed.c wrote it. */
struct web_asset {
	const char *path; /* "/index.html", "/app.3f2a91c0.css" */
	const char *type; /* Content-Type */
	const unsigned char *body;
	size_t len;
	const unsigned char *gzip; /* gzip -9 -n of body; NULL when that is no smaller */
	size_t gzip_len;
	const char *etag;      /* "\"<SHA-256 of body>\"" */
	const char *etag_gzip; /* "\"<SHA-256 of gzip>\"": a representation of its own */
	bool immutable;        /* a content-hashed name, so its bytes never change */
};

extern const struct web_asset web_assets[];
extern const size_t web_asset_count;

/* web_path.c: pure functions, no libevent, so that embed.c and the unit tests use them. */

/* Whether a canonical path is a page's rather than the API's: anything outside /api/,
 * /feeds/ and /healthz. */
bool web_path_claims(const char *path);
/* The longest name a built file may have. */
#define WEB_NAME_MAX 255

/* The built file's name for a canonical request path: "/" is "index.html", "/x.css" is
 * "x.css". NULL for what no built file can be called: more than one segment, a name
 * starting with '.', or any byte outside [A-Za-z0-9._-]. */
const char *web_path_file(const char *path);
/* Whether name carries a content hash: "<stem>.<8 lowercase hex>.<ext>". */
bool web_name_hashed(const char *name);
/* The Content-Type for a built file's name, by its extension. */
const char *web_content_type(const char *name);
/* Whether an Accept-Encoding value allows gzip (gzip, x-gzip or *, q not 0). */
bool web_accepts_gzip(const char *accept_encoding);
/* Whether an If-None-Match value is "*" or lists etag (the weak comparison RFC 9110
 * 13.1.2 asks for). */
bool web_etag_listed(const char *value, const char *etag);

#endif
