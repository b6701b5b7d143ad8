/* SPDX-License-Identifier: MIT
 * test_buf - the bounded buffer: growth, the hard maximum, formatting,
 * consuming from the front.
 */
#include <string.h>

#include "test.h"
#include "util/buf.h"

static void test_append_within_max(void)
{
    struct buf *b = buf_create(4, 10);

    EXPECT_INT(buf_append(b, "hello", 5), 0);
    EXPECT_INT(buf_append_str(b, "world"), 0);
    EXPECT_STR(buf_str(b), "helloworld");
    EXPECT_INT(b->len, 10);
    /* one more byte passes the maximum: refused, contents unchanged */
    EXPECT_INT(buf_append_char(b, '!'), -1);
    EXPECT_STR(buf_str(b), "helloworld");
    buf_destroy(&b);
    EXPECT_TRUE(b == NULL);
}

static void test_printf_limit(void)
{
    struct buf *b = buf_create(0, 8);

    EXPECT_INT(buf_printf(b, "%d-%s", 42, "ab"), 0);
    EXPECT_STR(buf_str(b), "42-ab");
    EXPECT_INT(buf_printf(b, "%s", "toolong"), -1);
    EXPECT_STR(buf_str(b), "42-ab");
    buf_destroy(&b);
}

static void test_binary_and_consume(void)
{
    struct buf *b = buf_create(2, 64);

    EXPECT_INT(buf_append(b, "a\0b\0c", 5), 0);
    EXPECT_INT(b->len, 5);
    buf_consume(b, 2);
    EXPECT_MEM(b->data, b->len, "b\0c", 3);
    EXPECT_INT(b->data[b->len], 0);
    buf_consume(b, 100);
    EXPECT_INT(b->len, 0);
    EXPECT_STR(buf_str(b), "");
    buf_destroy(&b);
}

static void test_truncate_reserve(void)
{
    struct buf *b = buf_create(0, 16);
    char *p;

    buf_append_str(b, "abcdef");
    buf_truncate(b, 3);
    EXPECT_STR(buf_str(b), "abc");
    buf_truncate(b, 10);
    EXPECT_STR(buf_str(b), "abc");
    p = buf_reserve(b, 13);
    EXPECT_TRUE(p != NULL);
    memcpy(p, "xy", 2);
    buf_commit(b, 2);
    EXPECT_STR(buf_str(b), "abcxy");
    EXPECT_TRUE(buf_reserve(b, 12) == NULL);
    EXPECT_INT(buf_space(b), 11);
    buf_destroy(&b);
    buf_destroy(&b); /* NULL is accepted */
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_append_within_max),
        TEST_CASE(test_printf_limit),
        TEST_CASE(test_binary_and_consume),
        TEST_CASE(test_truncate_reserve),
        TEST_END,
    });
}
