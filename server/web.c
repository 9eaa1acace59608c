/* The pages: GET and HEAD of any path outside /api/, /feeds/ and /healthz. The files are
 * those server/web/ built, embedded in hallsd (web_assets.c), or with --web-dir read from
 * disk for development. Each answer carries a strict CSP (no inline script or style),
 * and content-hashed names are cached for ever; see docs/operations.md#pages. */
#include "server.h"
#include "web.h"

#include <strings.h>
#include <sys/queue.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEB_CSP       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define WEB_IMMUTABLE "public, max-age=31536000, immutable"
/* A file read with --web-dir is at most this big: the built pages are far smaller. */
#define WEB_DISK_MAX (16u << 20)

/* On every page, asset and 404 (http_send adds nosniff). */
static void page_headers(struct request *r)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(out, "Content-Security-Policy", WEB_CSP);
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
}

/* Embedded bytes live as long as hallsd: nothing to release, but a release function lets
 * http_send hand them to libevent without a copy. */
static void embedded_release(const void *raw, size_t len, void *arg)
{
	(void)raw;
	(void)len;
	(void)arg;
}

static void disk_release(const void *raw, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)raw);
}

static const struct web_asset *asset_find(const char *name)
{
	for (size_t i = 0; i < web_asset_count; i++)
		if (strcmp(web_assets[i].path + 1, name) == 0)
			return &web_assets[i];
	return NULL;
}

/* Whether the client's copy is current: any If-None-Match header lists etag. */
static bool not_modified(struct request *r, const char *etag)
{
	struct evkeyval *h;

	TAILQ_FOREACH(h, evhttp_request_get_input_headers(r->req), next)
	if (strcasecmp(h->key, "If-None-Match") == 0 && web_etag_listed(h->value, etag))
		return true;
	return false;
}

/* a's bytes with status: gzip'd when the client takes it, or a 304 for a current copy. */
static enum herr asset_reply(struct request *r, const struct web_asset *a, int status)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
	bool gz = a->gzip != NULL &&
	          web_accepts_gzip(evhttp_find_header(evhttp_request_get_input_headers(r->req),
	                                              "Accept-Encoding"));

	page_headers(r);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	r->raw_type = a->type;
	r->raw_release = embedded_release;
	r->status = status;
	if (status == 200) {
		const char *etag = gz ? a->etag_gzip : a->etag;

		/* HTML is looked at again each time (its names of assets change with a
		 * build); hashed names never change. */
		r->cache_control = a->immutable ? WEB_IMMUTABLE : "no-cache";
		evhttp_add_header(out, "ETag", etag);
		if (not_modified(r, etag)) {
			r->status = 304;
			return H_OK;
		}
	}
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	r->raw = (const char *)(gz ? a->gzip : a->body);
	r->raw_len = gz ? a->gzip_len : a->len;
	return H_OK;
}

/* A regular file named name right inside dir, read whole, or NULL: nothing that leads
 * out of dir (a symbolic link anywhere on the way) is followed. */
static char *disk_read(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX], *real, *bytes = NULL;
	size_t dlen = strlen(dir);
	struct stat st;
	ssize_t got = 0;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (real = realpath(path, NULL)) == NULL)
		return NULL;
	if (strncmp(real, dir, dlen) != 0 || real[dlen] != '/' ||
	    strchr(real + dlen + 1, '/') != NULL) {
		free(real);
		return NULL;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(real);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= WEB_DISK_MAX) {
		bytes = xmalloc((size_t)st.st_size + 1);
		for (size_t n = 0; n < (size_t)st.st_size; n += (size_t)got)
			if ((got = read(fd, bytes + n, (size_t)st.st_size - n)) <= 0)
				break;
		if (got < 0 || (got == 0 && st.st_size > 0)) {
			free(bytes);
			bytes = NULL;
		}
		*len = (size_t)st.st_size;
	}
	close(fd);
	return bytes;
}

/* --web-dir: name read from disk as it is now; never cached, no ETag, no gzip. */
static bool disk_reply(struct request *r, const char *name, int status)
{
	size_t len = 0;
	char *bytes = disk_read(r->srv->cfg.web_dir, name, &len);

	if (bytes == NULL)
		return false;
	page_headers(r);
	r->status = status;
	r->raw_type = web_content_type(name);
	r->raw = bytes;
	r->raw_len = len;
	r->raw_release = disk_release;
	return true;
}

enum herr web_not_found(struct request *r)
{
	const struct web_asset *a;

	if (r->srv->cfg.web_dir != NULL && disk_reply(r, "404.html", 404))
		return H_OK;
	if ((a = asset_find("404.html")) != NULL)
		return asset_reply(r, a, 404);
	page_headers(r);
	return herror_set(&r->err, H_ENOTFOUND, "no such page: %s", r->path);
}

enum herr web_serve(struct request *r)
{
	const char *name = web_path_file(r->path);
	char page[WEB_NAME_MAX + sizeof(".html")];
	const struct web_asset *a;

	if (name == NULL)
		return web_not_found(r);
	/* A page's address has no ".html" (/venue is venue.html): addresses people read,
	 * and that stay the same whatever the pages are made with. */
	if (strchr(name, '.') == NULL) {
		snprintf(page, sizeof(page), "%s.html", name);
		name = page;
	}
	if (r->srv->cfg.web_dir != NULL)
		return disk_reply(r, name, 200) ? H_OK : web_not_found(r);
	if ((a = asset_find(name)) == NULL || strcmp(name, "404.html") == 0)
		return web_not_found(r);
	return asset_reply(r, a, 200);
}
