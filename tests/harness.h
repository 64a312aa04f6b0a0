/*
 * harness.h - the test harness: checks that print the expression and both
 * values when they fail, and a summary line per program.
 *
 *   TEST(name) { CHECK_INT(1 + 1, 2); CHECK_STR(s, "x"); }
 *   int main(void) { RUN(name); return harness_done(); }
 *
 * A failed CHECK reports and returns from the test, so later checks in it
 * do not run on a state already known to be wrong.
 */
#ifndef PEIL_TEST_HARNESS_H
#define PEIL_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failed_checks;
static int harness_passed_tests;
static int harness_failed_tests;
static int harness_current_failed;

#define TEST(name) static void test_##name(void)

#define RUN(name)                                                          \
	do {                                                               \
		harness_current_failed = 0;                                \
		test_##name();                                             \
		if (harness_current_failed) {                              \
			harness_failed_tests++;                            \
			printf("FAIL %s\n", #name);                        \
		} else {                                                   \
			harness_passed_tests++;                            \
			printf("ok   %s\n", #name);                        \
		}                                                          \
	} while (0)

#define HARNESS_FAIL(...)                                                  \
	do {                                                               \
		printf("  %s:%d: ", __FILE__, __LINE__);                   \
		printf(__VA_ARGS__);                                       \
		printf("\n");                                              \
		harness_failed_checks++;                                   \
		harness_current_failed = 1;                                \
		return;                                                    \
	} while (0)

#define CHECK(expr)                                                        \
	do {                                                               \
		if (!(expr))                                               \
			HARNESS_FAIL("CHECK(%s) failed", #expr);           \
	} while (0)

#define CHECK_INT(actual, expected)                                        \
	do {                                                               \
		long long harness_a = (long long)(actual);                 \
		long long harness_e = (long long)(expected);               \
		if (harness_a != harness_e)                                \
			HARNESS_FAIL("%s == %lld, expected %s == %lld",    \
				     #actual, harness_a, #expected,        \
				     harness_e);                           \
	} while (0)

#define CHECK_DOUBLE(actual, expected, tolerance)                          \
	do {                                                               \
		double harness_a = (double)(actual);                       \
		double harness_e = (double)(expected);                     \
		if (!(fabs(harness_a - harness_e) <= (tolerance)))         \
			HARNESS_FAIL("%s == %.10g, expected %.10g",        \
				     #actual, harness_a, harness_e);       \
	} while (0)

#define CHECK_STR(actual, expected)                                        \
	do {                                                               \
		const char *harness_a = (actual);                          \
		const char *harness_e = (expected);                        \
		if (harness_a == NULL || harness_e == NULL                 \
		    ? harness_a != harness_e                               \
		    : strcmp(harness_a, harness_e) != 0)                   \
			HARNESS_FAIL("%s == \"%s\", expected \"%s\"",      \
				     #actual,                              \
				     harness_a ? harness_a : "(null)",     \
				     harness_e ? harness_e : "(null)");    \
	} while (0)

/* A substring check, for error messages. */
#define CHECK_CONTAINS(haystack, needle)                                   \
	do {                                                               \
		const char *harness_h = (haystack);                        \
		const char *harness_n = (needle);                          \
		if (harness_h == NULL || strstr(harness_h, harness_n) == NULL) \
			HARNESS_FAIL("%s == \"%s\" does not contain \"%s\"", \
				     #haystack,                            \
				     harness_h ? harness_h : "(null)",     \
				     harness_n);                           \
	} while (0)

/* Remove a test's temporary directory and everything in it; a directory
 * left behind counts as a failed test. */
static inline void harness_remove_dir(const char *dir)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		printf("FAIL could not remove %s\n", dir);
		harness_failed_tests++;
	}
}

static char harness_tmp_dir[512];

/* The program's own temporary directory, $TMPDIR/peil-test-XXXXXX (/tmp
 * without TMPDIR), made on the first call and removed with everything in
 * it by harness_done, so that a failed check, which returns from its test
 * before the test's own clean-up, leaves nothing behind.  ctest gives
 * every test a TMPDIR whose leftovers fail test_tmp_empty
 * (tests/CMakeLists.txt).  Exits when the directory cannot be made. */
static inline const char *harness_tmp(void)
{
	const char *tmp = getenv("TMPDIR");
	size_t len;

	if (harness_tmp_dir[0] == '\0') {
		if (tmp == NULL || *tmp == '\0')
			tmp = "/tmp";
		for (len = strlen(tmp); len > 1 && tmp[len - 1] == '/'; len--)
			;
		snprintf(harness_tmp_dir, sizeof(harness_tmp_dir),
			 "%.*s/peil-test-XXXXXX", (int)len, tmp);
		if (mkdtemp(harness_tmp_dir) == NULL) {
			perror(harness_tmp_dir);
			exit(1);
		}
	}
	return harness_tmp_dir;
}

/* path = harness_tmp()/name; returns path.  Exits when path is too
 * small. */
static inline char *harness_tmp_path(char *path, size_t size,
				     const char *name)
{
	int n = snprintf(path, size, "%s/%s", harness_tmp(), name);

	if (n < 0 || (size_t)n >= size) {
		printf("FAIL %s/%s: longer than %zu bytes\n", harness_tmp(),
		       name, size - 1);
		exit(1);
	}
	return path;
}

/* Prints the closing line and gives the exit status, after removing
 * harness_tmp()'s directory. */
static inline int harness_done(void)
{
	if (harness_tmp_dir[0] != '\0')
		harness_remove_dir(harness_tmp_dir);
	printf("%d passed, %d failed\n", harness_passed_tests,
	       harness_failed_tests);
	return harness_failed_tests ? 1 : 0;
}

#endif
