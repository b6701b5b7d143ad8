/* SPDX-License-Identifier: MIT
 * test_smtp_reply - formatting our replies (multi-line, enhanced codes,
 * sanitised and length-capped text) and parsing a server's replies (code
 * consistency, enhanced code extraction, limits, sanitising), with exact
 * outputs and error texts.
 *
 * The parser is fed line by line, as the outbound client's line reader
 * delivers; test_parse feeds each reply's lines one at a time.
 */
#include <string.h>

#include "smtp/smtp_reply.h"
#include "test.h"
#include "util/buf.h"

/* test_format - single and multi-line replies */
static void test_format(void)
{
    const char *ehlo[] = { "mx.example", "PIPELINING", "SIZE 10240000", "8BITMIME" };
    const char *evil[] = { "hello evil\rX-Injected: 1\n\x00" };
    struct buf *b = buf_create(64, 4096);

    EXPECT_INT(smtp_reply_format(b, 250, NULL, ehlo, 4), 0);
    EXPECT_STR(buf_str(b), "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n");
    buf_reset(b);
    EXPECT_INT(smtp_reply_format(b, 250, "2.1.0", ehlo, 1), 0);
    EXPECT_STR(buf_str(b), "250 2.1.0 mx.example\r\n");
    buf_reset(b);
    EXPECT_INT(smtp_reply_format(b, 250, NULL, evil, 1), 0);
    EXPECT_STR(buf_str(b), "250 hello evil?X-Injected: 1?\r\n");
    buf_reset(b);
    EXPECT_INT(smtp_reply_printf(b, 501, "5.1.7", "Bad sender address syntax: %s", "a\xff\xc3\xa9\r\n"), 0);
    EXPECT_STR(buf_str(b), "501 5.1.7 Bad sender address syntax: a?\xc3\xa9??\r\n");
    buf_reset(b);
    EXPECT_INT(smtp_reply_printf(b, 550, "4.1.1", "x"), -1);
    EXPECT_INT(smtp_reply_printf(b, 550, "5.1", "x"), -1);
    EXPECT_INT(smtp_reply_printf(b, 550, "5.1.1x", "x"), -1);
    EXPECT_INT(smtp_reply_printf(b, 199, NULL, "x"), -1);
    EXPECT_INT(smtp_reply_printf(b, 600, NULL, "x"), -1);
    EXPECT_INT(smtp_reply_format(b, 250, NULL, ehlo, 0), -1);
    EXPECT_INT(b->len, 0);
    EXPECT_INT(smtp_reply_printf(b, 554, "5.7.1", "%s", "Relay access denied"), 0);
    EXPECT_STR(buf_str(b), "554 5.7.1 Relay access denied\r\n");
    buf_destroy(&b);
}

/* test_format_long - a line is cut to 510 octets plus CRLF, never inside
 * a UTF-8 character; a full buffer leaves it unchanged */
static void test_format_long(void)
{
    char text[1200];
    const char *lines[1] = { text };
    struct buf *b = buf_create(64, 4096), *small = buf_create(8, 10);
    size_t i;

    for (i = 0; i + 1 < sizeof(text); i += 2)
        memcpy(text + i, "\xc3\xa9", 2);
    text[sizeof(text) - 1] = 0;
    EXPECT_INT(smtp_reply_format(b, 250, "2.0.0", lines, 1), 0);
    EXPECT_INT(b->len, 512);
    EXPECT_MEM(b->data + b->len - 3, 3, "\xa9\r\n", 3);
    buf_reset(b);
    text[0] = 'x';
    for (i = 1; i + 2 < sizeof(text); i += 2)
        memcpy(text + i, "\xc3\xa9", 2);
    text[i] = 0;
    EXPECT_INT(smtp_reply_format(b, 250, "2.0.0", lines, 1), 0);
    EXPECT_INT(b->len, 511);
    EXPECT_MEM(b->data + b->len - 4, 4, "\xc3\xa9\r\n", 4);
    buf_append_str(small, "ab");
    EXPECT_INT(smtp_reply_printf(small, 250, NULL, "too long for it"), -1);
    EXPECT_STR(buf_str(small), "ab");
    buf_destroy(&b);
    buf_destroy(&small);
}

struct parse_case {
    const char *lines[6]; /* NULL-terminated */
    int ret;              /* result of the last line fed */
    int code;
    const char *ecode;
    const char *text; /* or the error */
};

/* clang-format off */
static const struct parse_case parse_cases[] = {
    { { "250 ok", NULL }, 1, 250, "", "ok" },
    { { "250 2.1.0 Sender ok", NULL }, 1, 250, "2.1.0", "Sender ok" },
    { { "250-mx.example", "250-2.0.0 PIPELINING", "250 SIZE 1000", NULL }, 1, 250, "", "mx.example 2.0.0 PIPELINING SIZE 1000" },
    { { "550-5.1.1 No such", "550-5.1.1 user here", "550 5.1.1", NULL }, 1, 550, "5.1.1", "No such user here" },
    { { "450 5.7.1 wrong class", NULL }, 1, 450, "", "5.7.1 wrong class" },
    { { "250 2.1.0x", NULL }, 1, 250, "", "2.1.0x" },
    { { "250 2.1000.0 x", NULL }, 1, 250, "", "2.1000.0 x" },
    { { "250", NULL }, 1, 250, "", "" },
    { { "250-", "250 x", NULL }, 1, 250, "", "x" },
    { { "220 mx\x01\x7f\xff ESMTP", NULL }, 1, 220, "", "mx??? ESMTP" },
    { { "250-a", "251 b", NULL }, -1, 0, NULL, "reply code changed from 250 to 251 within a reply" },
    { { "250x", NULL }, -1, 0, NULL, "malformed reply line" },
    { { "25", NULL }, -1, 0, NULL, "malformed reply line" },
    { { "150 x", NULL }, -1, 0, NULL, "malformed reply line" },
    { { "260 x", NULL }, -1, 0, NULL, "malformed reply line" },
    { { "abc def", NULL }, -1, 0, NULL, "malformed reply line" },
    { { "250-a", "250-b", "250-c", "250-d", "250 e", NULL }, -1, 0, NULL, "reply has more than 4 lines" },
    { { "250-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "250 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        NULL }, -1, 0, NULL, "reply longer than 200 bytes" },
};
/* clang-format on */

/* test_parse - the table, fed line by line */
static void test_parse(void)
{
    size_t i, k;

    for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct buf *text = buf_create(64, 1024);
        struct smtp_reply r;
        const char *error = NULL;
        int ret = 0;

        smtp_reply_init(&r, 4, 200, text);
        for (k = 0; c->lines[k] != NULL && ret == 0; k++)
            ret = smtp_reply_line(&r, c->lines[k], strlen(c->lines[k]), &error);
        if (!EXPECT_INT(ret, c->ret))
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, ret < 0 ? error : "ok");
        if (ret < 0) {
            EXPECT_STR(error, c->text);
        } else {
            EXPECT_INT(r.code, c->code);
            EXPECT_STR(r.ecode, c->ecode);
            EXPECT_STR(buf_str(text), c->text);
            EXPECT_TRUE(r.done);
        }
        buf_destroy(&text);
    }
}

/* test_parse_after_done - a line after the last one is an error; an
 * unfinished reply says so */
static void test_parse_after_done(void)
{
    struct buf *text = buf_create(64, 1024);
    struct smtp_reply r;
    const char *error;

    smtp_reply_init(&r, 10, 1000, text);
    EXPECT_INT(smtp_reply_line(&r, "354-go", 6, &error), 0);
    EXPECT_FALSE(r.done);
    EXPECT_INT(smtp_reply_line(&r, "354 on", 6, &error), 1);
    EXPECT_INT(smtp_reply_line(&r, "250 x", 5, &error), -1);
    EXPECT_STR(error, "reply already complete");
    smtp_reply_init(&r, 10, 1000, text);
    EXPECT_INT(text->len, 0);
    EXPECT_INT(smtp_reply_line(&r, "250 x\0y", 7, &error), 1);
    EXPECT_STR(buf_str(text), "x?y");
    buf_destroy(&text);
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_format), TEST_CASE(test_format_long),
                                                TEST_CASE(test_parse), TEST_CASE(test_parse_after_done),
                                                TEST_END });
}
