/* SPDX-License-Identifier: MIT
 * test_err - error strings of the third error tier: errf sets *error_r and
 * returns -1, a NULL error_r is accepted, the ring keeps ERR_RING strings
 * alive, and a string is cut at ERR_MAX - 1 bytes.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "util/err.h"

/* test_errf_sets_error - errf formats, stores the string and returns -1 */
static void test_errf_sets_error(void)
{
    static const struct {
        const char *want;
        int n;
        const char *s;
    } cases[] = {
        { "open /x: 2 No such file", 2, "No such file" },
        { "open /x: 0 ", 0, "" },
        { "open /x: -1 \"quoted\"", -1, "\"quoted\"" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *error = NULL;

        EXPECT_INT(errf(&error, "open /x: %d %s", cases[i].n, cases[i].s), -1);
        EXPECT_STR(error, cases[i].want);
    }
}

/* test_errf_null_error_r - a caller that does not want the text passes NULL */
static void test_errf_null_error_r(void)
{
    const char *before = err_fmt("before");

    EXPECT_INT(errf(NULL, "ignored %d", 1), -1);
    /* the previous string is still intact */
    EXPECT_STR(before, "before");
}

/* test_err_fmt_returns_text - err_fmt gives the formatted string */
static void test_err_fmt_returns_text(void)
{
    EXPECT_STR(err_fmt("%s=%d, %s", "size", 42, "ok"), "size=42, ok");
    EXPECT_STR(err_fmt("%s", ""), "");
    EXPECT_STR(err_fmt("100%%"), "100%");
}

/* test_ring_keeps_strings - a string survives ERR_RING - 1 later errors */
static void test_ring_keeps_strings(void)
{
    const char *kept[ERR_RING];
    const char *first, *error = NULL;
    char want[32];
    int i;

    EXPECT_INT(errf(&error, "first error"), -1);
    first = error;
    for (i = 0; i < ERR_RING - 1; i++)
        kept[i] = err_fmt("later %d", i);
    EXPECT_STR(first, "first error");
    /* each of the later ones is intact too, in its own buffer */
    for (i = 0; i < ERR_RING - 1; i++) {
        snprintf(want, sizeof(want), "later %d", i);
        EXPECT_STR(kept[i], want);
        EXPECT_TRUE(kept[i] != first);
    }
    /* the ring has exactly ERR_RING slots: one more reuses the first */
    kept[ERR_RING - 1] = err_fmt("wraps around");
    EXPECT_TRUE(kept[ERR_RING - 1] == first);
    EXPECT_STR(first, "wraps around");
}

/* test_truncation - a long error is cut at ERR_MAX - 1 bytes, terminated */
static void test_truncation(void)
{
    static const size_t lengths[] = { ERR_MAX - 2, ERR_MAX - 1, ERR_MAX, ERR_MAX + 1, 3 * ERR_MAX };
    static char text[3 * ERR_MAX + 1];
    const char *error = NULL;
    size_t i, want;

    for (i = 0; i < sizeof(text) - 1; i++)
        text[i] = (char)('a' + i % 26);
    for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        want = lengths[i] < ERR_MAX - 1 ? lengths[i] : ERR_MAX - 1;
        EXPECT_INT(errf(&error, "%.*s", (int)lengths[i], text), -1);
        EXPECT_INT(strlen(error), want);
        EXPECT_MEM(error, strlen(error), text, want);
    }
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_errf_sets_error),
        TEST_CASE(test_errf_null_error_r),
        TEST_CASE(test_err_fmt_returns_text),
        TEST_CASE(test_ring_keeps_strings),
        TEST_CASE(test_truncation),
        TEST_END,
    });
}
