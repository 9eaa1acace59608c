/* The page server's pure decisions (server/web_path.c): which paths are pages, which
 * built file a path names (the guard for --web-dir), and what the request's headers
 * allow. */
#include "t.h"
#include "web.h"

TEST(web_path_claims_pages_only)
{
	T_CHECK(web_path_claims("/"));
	T_CHECK(web_path_claims("/index.html"));
	T_CHECK(web_path_claims("/apiary"));
	T_CHECK(web_path_claims("/feedsx"));
	T_CHECK(web_path_claims("/healthz.html"));
	T_CHECK(!web_path_claims("/api"));
	T_CHECK(!web_path_claims("/api/v1/rooms"));
	T_CHECK(!web_path_claims("/api/nothing"));
	T_CHECK(!web_path_claims("/feeds"));
	T_CHECK(!web_path_claims("/feeds/all.ics"));
	T_CHECK(!web_path_claims("/healthz"));
	T_CHECK(!web_path_claims("healthz"));
	T_CHECK(!web_path_claims(""));
	T_CHECK(!web_path_claims(NULL));
}

TEST(web_path_file_names)
{
	T_EQ_STR(web_path_file("/"), "index.html");
	T_EQ_STR(web_path_file("/index.html"), "index.html");
	T_EQ_STR(web_path_file("/app.3f2a91c0.css"), "app.3f2a91c0.css");
	T_EQ_STR(web_path_file("/find-room_2.js"), "find-room_2.js");
	/* Nothing that leaves the directory or hides in it. */
	T_CHECK(web_path_file("/..") == NULL);
	T_CHECK(web_path_file("/../etc/passwd") == NULL);
	T_CHECK(web_path_file("/.") == NULL);
	T_CHECK(web_path_file("/.git") == NULL);
	T_CHECK(web_path_file("/a/b.css") == NULL);
	T_CHECK(web_path_file("/a\\b") == NULL);
	T_CHECK(web_path_file("/a%2fb") == NULL);
	T_CHECK(web_path_file("/caf\xc3\xa9.html") == NULL);
	T_CHECK(web_path_file("/a b") == NULL);
	T_CHECK(web_path_file("index.html") == NULL);
	T_CHECK(web_path_file(NULL) == NULL);
	{
		char long_name[300];

		long_name[0] = '/';
		memset(long_name + 1, 'a', sizeof(long_name) - 2);
		long_name[sizeof(long_name) - 1] = '\0';
		T_CHECK(web_path_file(long_name) == NULL);
	}
}

TEST(web_name_hashed_form)
{
	T_CHECK(web_name_hashed("app.3f2a91c0.css"));
	T_CHECK(web_name_hashed("find-room.6b414a87.js"));
	T_CHECK(!web_name_hashed("index.html"));
	T_CHECK(!web_name_hashed("app.css"));
	T_CHECK(!web_name_hashed("app.3F2A91C0.css"));
	T_CHECK(!web_name_hashed("app.3f2a91c.css"));
	T_CHECK(!web_name_hashed(".3f2a91c0.css"));
	T_CHECK(!web_name_hashed("app-3f2a91c0.css"));
	T_CHECK(!web_name_hashed("3f2a91c0"));
}

TEST(web_content_types)
{
	T_EQ_STR(web_content_type("index.html"), "text/html; charset=utf-8");
	T_EQ_STR(web_content_type("app.3f2a91c0.css"), "text/css; charset=utf-8");
	T_EQ_STR(web_content_type("a.js"), "text/javascript; charset=utf-8");
	T_EQ_STR(web_content_type("README"), "application/octet-stream");
	T_EQ_STR(web_content_type("a.html.bak"), "application/octet-stream");
}

TEST(web_accepts_gzip_values)
{
	T_CHECK(web_accepts_gzip("gzip"));
	T_CHECK(web_accepts_gzip("GZIP"));
	T_CHECK(web_accepts_gzip("gzip, deflate, br"));
	T_CHECK(web_accepts_gzip("br;q=1.0, gzip;q=0.8"));
	T_CHECK(web_accepts_gzip("deflate, x-gzip"));
	T_CHECK(web_accepts_gzip("*"));
	T_CHECK(web_accepts_gzip("gzip;q=0.001"));
	T_CHECK(web_accepts_gzip(" gzip ; q=1"));
	T_CHECK(!web_accepts_gzip(NULL));
	T_CHECK(!web_accepts_gzip(""));
	T_CHECK(!web_accepts_gzip("identity"));
	T_CHECK(!web_accepts_gzip("br, deflate"));
	T_CHECK(!web_accepts_gzip("gzip;q=0"));
	T_CHECK(!web_accepts_gzip("gzip;q=0.000"));
	T_CHECK(!web_accepts_gzip("gzipx"));
	T_CHECK(!web_accepts_gzip("*;q=0"));
	/* gzip named outright decides over "*". */
	T_CHECK(!web_accepts_gzip("gzip;q=0, *"));
	T_CHECK(web_accepts_gzip("*;q=0, gzip"));
}

TEST(web_etag_listed_values)
{
	const char *tag = "\"abc\"";

	T_CHECK(web_etag_listed("\"abc\"", tag));
	T_CHECK(web_etag_listed("\"x\", \"abc\"", tag));
	T_CHECK(web_etag_listed("W/\"abc\"", tag));
	T_CHECK(web_etag_listed("*", tag));
	T_CHECK(!web_etag_listed("\"abcd\"", tag));
	T_CHECK(!web_etag_listed("\"ab\"", tag));
	T_CHECK(!web_etag_listed("abc", tag));
	T_CHECK(!web_etag_listed("\"abc", tag));
	T_CHECK(!web_etag_listed("", tag));
}
