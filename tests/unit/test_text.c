/* Text fields: valid UTF-8, no control characters, bounded length. */
#include "t.h"

static enum herr check1(const char *s)
{
	return text_check(s, "title", 200, true, false, NULL);
}

TEST(text_utf8)
{
	/* Every width of character. */
	T_EQ_ERR(check1("plain ASCII"), H_OK, NULL);
	T_EQ_ERR(check1("caf\xc3\xa9"), H_OK, NULL);            /* é, 2 bytes */
	T_EQ_ERR(check1("\xe2\x82\xac 5"), H_OK, NULL);         /* €, 3 bytes */
	T_EQ_ERR(check1("party \xf0\x9f\x98\x80"), H_OK, NULL); /* 😀, 4 bytes */
	T_EQ_ERR(check1("é € 😀 Ω ü"), H_OK, NULL);
	T_EQ_ERR(check1("\xc2\xa0nbsp"), H_OK, NULL);     /* U+00A0 */
	T_EQ_ERR(check1("\xed\x9f\xbf"), H_OK, NULL);     /* U+D7FF, just below surrogates */
	T_EQ_ERR(check1("\xee\x80\x80"), H_OK, NULL);     /* U+E000, just above */
	T_EQ_ERR(check1("\xef\xbf\xbd"), H_OK, NULL);     /* U+FFFD */
	T_EQ_ERR(check1("\xf4\x8f\xbf\xbf"), H_OK, NULL); /* U+10FFFF, the last */

	/* Overlong forms. */
	T_EQ_ERR(check1("\xc0\xaf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xc1\xbf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xe0\x80\xaf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xe0\x9f\xbf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xf0\x80\x80\xaf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xf0\x8f\xbf\xbf"), H_EINVAL, NULL);
	/* Lone and stray continuation bytes. */
	T_EQ_ERR(check1("\x80"), H_EINVAL, NULL);
	T_EQ_ERR(check1("ab\xbf"), H_EINVAL, NULL);
	T_EQ_ERR(check1("caf\xc3\xa9\xa9"), H_EINVAL, NULL);
	/* Surrogates. */
	T_EQ_ERR(check1("\xed\xa0\x80"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xed\xbf\xbf"), H_EINVAL, NULL);
	/* Beyond U+10FFFF, and bytes never used. */
	T_EQ_ERR(check1("\xf4\x90\x80\x80"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xf5\x80\x80\x80"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xfe"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xff"), H_EINVAL, NULL);
	/* Truncated sequences, at the end and before ASCII. */
	T_EQ_ERR(check1("caf\xc3"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xe2\x82"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xf0\x9f\x98"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xe2\x82x"), H_EINVAL, NULL);
	T_EQ_ERR(check1("\xf0\x9f\x98x"), H_EINVAL, NULL);
}

TEST(text_control_and_size)
{
	struct herror err;
	char big[402];

	herror_clear(&err);
	/* Control characters: never in a single line; newlines and tabs in multiline. */
	T_EQ_ERR(text_check("a\x01z", "title", 200, true, false, &err), H_EINVAL, &err);
	T_HAS_STR(err.msg, "title");
	T_EQ_ERR(text_check("a\x1b[31m", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("a\x7fz", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("two\nlines", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("tab\there", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("two\nlines\tand\r\n", "note", 200, true, true, NULL), H_OK, NULL);
	T_EQ_ERR(text_check("bell\a", "note", 200, true, true, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("del\x7f", "note", 200, true, true, NULL), H_EINVAL, NULL);

	/* Required text must not be blank; optional text may be absent or empty. */
	T_EQ_ERR(text_check(NULL, "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check("   ", "title", 200, true, false, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check(" \n\t ", "note", 200, true, true, NULL), H_EINVAL, NULL);
	T_EQ_ERR(text_check(NULL, "note", 200, false, true, NULL), H_OK, NULL);
	T_EQ_ERR(text_check("", "note", 200, false, true, NULL), H_OK, NULL);

	/* Size in bytes: max is allowed, max + 1 is not; multi-byte characters count by
	 * their bytes. */
	memset(big, 'a', 401);
	big[401] = '\0';
	T_EQ_ERR(text_check(big, "description", 401, false, true, NULL), H_OK, NULL);
	T_EQ_ERR(text_check(big, "description", 400, false, true, &err), H_EINVAL, &err);
	T_HAS_STR(err.msg, "400");
	for (int i = 0; i < 100; i++)
		memcpy(big + 4 * i, "\xf0\x9f\x98\x80", 4);
	big[400] = '\0';
	T_EQ_ERR(text_check(big, "description", 400, false, true, NULL), H_OK, NULL);
	T_EQ_ERR(text_check(big, "description", 399, false, true, NULL), H_EINVAL, NULL);
}

/* record.h: "no control characters". U+0080-U+009F are control characters too (Unicode
 * category Cc); U+009B is CSI, which some terminals take as the start of an escape
 * sequence, so a title holding it could rewrite what `halls` prints. */
TEST(text_c1_controls)
{
	T_EQ_ERR(check1("a\xc2\x85z"), H_EINVAL, NULL); /* U+0085 NEL */
	T_EQ_ERR(check1("a\xc2\x9b"
	                "31mred"),
	         H_EINVAL, NULL);                      /* U+009B CSI */
	T_EQ_ERR(check1("a\xc2\x80"), H_EINVAL, NULL); /* U+0080 */
	T_EQ_ERR(check1("a\xc2\x9f"), H_EINVAL, NULL); /* U+009F */
	T_EQ_ERR(check1("a\xc2\xa0"), H_OK, NULL);     /* U+00A0 is not a control */
}

/* Messages: whatever goes in, what comes out is valid UTF-8 and whole characters. */
TEST(text_messages)
{
	char out[16];
	char big[602];
	struct herror err;

	/* Bytes that are not UTF-8 are shown, escaped; valid characters are kept. */
	T_EQ_INT(text_sanitize(out, sizeof(out), "a\xff\xc3\xa9"), 7);
	T_EQ_STR(out, "a\\xFF\xc3\xa9");
	/* A character or escape that does not fit is left out whole. */
	text_sanitize(out, 5, "ab\xe2\x82\xac");
	T_EQ_STR(out, "ab");
	text_sanitize(out, 5, "a\xff");
	T_EQ_STR(out, "a");
	/* A sequence cut short is not a character. */
	text_sanitize(out, sizeof(out), "\xe2\x82");
	T_EQ_STR(out, "\\xE2\\x82");

	/* Quoting: at most max bytes, controls escaped, "..." when cut. */
	T_EQ_INT(text_quote(out, sizeof(out), "\x1b[1m", 15), 7);
	T_EQ_STR(out, "\\x1B[1m");
	text_quote(out, sizeof(out), "abcdefgh\xc3\xa9xyz", 10);
	T_EQ_STR(out, "abcdefg...");
	text_quote(out, sizeof(out),
	           "ab\xc2\x9b"
	           "c",
	           15);
	T_EQ_STR(out, "ab\\xC2\\x9Bc");

	/* herror_set cuts a long message on a character boundary: 300 two-byte
	 * characters after one byte of ASCII fill the 511 bytes exactly; none is cut in half. */
	big[0] = 'x';
	for (int i = 0; i < 300; i++)
		memcpy(big + 1 + 2 * i, "\xc3\xa9", 2);
	big[601] = '\0';
	herror_set(&err, H_EINVAL, "%s", big);
	T_EQ_INT(strlen(err.msg), 511);
	T_EQ_ERR(text_check(err.msg, "message", 511, true, false, NULL), H_OK, NULL);
	/* One more byte in front: the 256th character would straddle the end, so it goes. */
	herror_set(&err, H_EINVAL, "y%s", big);
	T_EQ_INT(strlen(err.msg), 510);
	T_EQ_ERR(text_check(err.msg, "message", 511, true, false, NULL), H_OK, NULL);
	/* ... and a %.Ns that cuts a character shows its bytes escaped, still valid. */
	herror_set(&err, H_EINVAL, "[%.2s]", "\xe2\x82\xac");
	T_EQ_STR(err.msg, "[\\xE2\\x82]");
}
