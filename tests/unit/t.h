/* A tiny test helper: checks that record a failure (file, line, values) and go on.
 *
 * A test is a function written as TEST(name) { ... } in a tests/unit/test_*.c file and
 * listed, once, in list.h: list.h declares every test, so a TEST that is not listed
 * does not compile (-Wmissing-prototypes) and a listed one that is missing does not
 * link. main.c runs them in the order of list.h. */
#ifndef T_H
#define T_H

#include "halls.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Records a failed check of the running test and prints it. */
void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The number of checks that failed in the running test. */
extern int t_failures;

#define TEST(name) void test_##name(void)

#define T_CHECK(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail(__FILE__, __LINE__, "check failed: %s", #cond);                     \
	} while (0)

/* Like T_CHECK, but ends the test when cond is false (for set-up it cannot go without). */
#define T_ASSERT(cond)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			t_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                 \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#define T_EQ_INT(a, b)                                                                             \
	do {                                                                                       \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);                            \
		if (t_a_ != t_b_)                                                                  \
			t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, t_a_, t_b_);  \
	} while (0)

#define T_EQ_STR(a, b)                                                                             \
	do {                                                                                       \
		const char *t_a_ = (a), *t_b_ = (b);                                               \
		if (t_a_ == NULL || t_b_ == NULL ? t_a_ != t_b_ : strcmp(t_a_, t_b_) != 0)         \
			t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,           \
			       t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                    \
	} while (0)

/* a contains b. */
#define T_HAS_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *t_a_ = (a), *t_b_ = (b);                                               \
		if (t_a_ == NULL || strstr(t_a_, t_b_) == NULL)                                    \
			t_fail(__FILE__, __LINE__, "%s contains %s: \"%s\" lacks \"%s\"", #a, #b,  \
			       t_a_ ? t_a_ : "(null)", t_b_);                                      \
	} while (0)

/* An enum herr equals the expected code; e (a struct herror *, may be NULL) gives the
 * message in the report. */
#define T_EQ_ERR(got, want, e)                                                                     \
	do {                                                                                       \
		enum herr t_g_ = (got), t_w_ = (want);                                             \
		const struct herror *t_e_ = (e);                                                   \
		if (t_g_ != t_w_)                                                                  \
			t_fail(__FILE__, __LINE__, "%s: got %s, want %s (%s)", #got,               \
			       herr_name(t_g_), herr_name(t_w_), t_e_ ? t_e_->msg : "");           \
	} while (0)

/* T_LEAK_CHECK is defined when the tests are built with AddressSanitizer, whose
 * LeakSanitizer can be asked in the middle of a run whether anything leaked so far. Tests
 * whose only claim is "this frees everything" are listed and run only then. */
#if defined(__SANITIZE_ADDRESS__)
#define T_LEAK_CHECK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_LEAK_CHECK 1
#endif
#endif

#define T(name) TEST(name);
#include "list.h"
#undef T

#endif
