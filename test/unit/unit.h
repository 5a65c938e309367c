/*
 * unit.h: a minimal unit-test harness for the pure core.
 *
 * A test file defines tests with UNIT_TEST(name) { ... } and checks with CHECK(cond),
 * CHECK_EQ_I64(a, b) and CHECK_STR(a, b).  Tests register themselves at load time, so a new
 * file under test/unit/ needs no other edit; test/unit/main.c runs them all and exits non-zero
 * if any check failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
extern void unit_register(const char *name, unit_fn fn);
extern void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern int unit_checks;

#define UNIT_TEST(name)                                            \
	static void name(void);                                        \
	__attribute__((constructor)) static void name##_register(void) \
	{                                                              \
		unit_register(#name, name);                                \
	}                                                              \
	static void name(void)

#define CHECK(cond)                                     \
	do                                                  \
	{                                                   \
		unit_checks++;                                  \
		if (!(cond))                                    \
			unit_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)
#define CHECK_EQ_I64(a, b)                                                           \
	do                                                                               \
	{                                                                                \
		long long a_ = (long long) (a), b_ = (long long) (b);                        \
		unit_checks++;                                                               \
		if (a_ != b_)                                                                \
			unit_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
	} while (0)
#define CHECK_STR(a, b)                                                         \
	do                                                                          \
	{                                                                           \
		const char *a_ = (a), *b_ = (b);                                        \
		unit_checks++;                                                          \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                    \
			unit_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
					  a_ ? a_ : "(null)", b_ ? b_ : "(null)");                  \
	} while (0)
#define CHECK_NEAR(a, b, eps)                                                         \
	do                                                                                \
	{                                                                                 \
		double a_ = (a), b_ = (b);                                                    \
		unit_checks++;                                                                \
		if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))                                  \
			unit_fail(__FILE__, __LINE__, "%s ~ %s: %.17g vs %.17g", #a, #b, a_, b_); \
	} while (0)

#endif
