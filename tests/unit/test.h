/* SPDX-License-Identifier: MIT
 * test - the tiny unit-test harness: table-driven cases, "got X, want Y"
 * messages, and capture of log lines so expected warnings are asserted.
 *
 * A test file defines test functions and lists them in main():
 *
 *     static void test_append(void) { EXPECT_INT(buf_append(b, "x", 1), 0); }
 *     int main(void) { return test_run((const struct test_case[]){
 *         TEST_CASE(test_append), TEST_END }); }
 *
 * Each failed expectation prints file:line and the values, and the test
 * program exits non-zero. The closing line is "N passed, N failed".
 */
#ifndef PETREL_TEST_H
#define PETREL_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};
/* clang-format off */
#define TEST_CASE(fn) { #fn, fn }
#define TEST_END { NULL, NULL }
/* clang-format on */

int test_run(const struct test_case *cases);

void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool test_expect_int(const char *file, int line, const char *expr, long long got, long long want);
bool test_expect_str(const char *file, int line, const char *expr, const char *got, const char *want);
bool test_expect_mem(const char *file, int line, const char *expr, const void *got, size_t got_len,
                     const void *want, size_t want_len);
bool test_expect_true(const char *file, int line, const char *expr, bool got);

#define EXPECT_INT(got, want) test_expect_int(__FILE__, __LINE__, #got, (long long)(got), (long long)(want))
#define EXPECT_STR(got, want) test_expect_str(__FILE__, __LINE__, #got, (got), (want))
#define EXPECT_MEM(got, glen, want, wlen) \
    test_expect_mem(__FILE__, __LINE__, #got, (got), (glen), (want), (wlen))
#define EXPECT_TRUE(cond) test_expect_true(__FILE__, __LINE__, #cond, (cond))
#define EXPECT_FALSE(cond) test_expect_true(__FILE__, __LINE__, "!(" #cond ")", !(cond))
/* EXPECT_CONTAINS - got (a string) contains want */
#define EXPECT_CONTAINS(got, want) test_expect_contains(__FILE__, __LINE__, #got, (got), (want))
bool test_expect_contains(const char *file, int line, const char *expr, const char *got, const char *want);

/* Log capture: while active, every msg_* line is kept instead of written. */
void test_log_capture_start(void);
/* test_log_capture_stop - stop capturing; the lines stay readable */
void test_log_capture_stop(void);
/* test_log_text - every captured line, "LEVEL: text\n" each ("info" for info) */
const char *test_log_text(void);
/* EXPECT_LOG - a captured line contains want */
#define EXPECT_LOG(want) test_expect_contains(__FILE__, __LINE__, "log", test_log_text(), (want))

/* test_tmpdir - a fresh empty directory for this test program, removed at exit */
const char *test_tmpdir(void);
/* test_write_file - create path (relative names go under test_tmpdir()) with text */
const char *test_write_file(const char *name, const char *text);

#endif
