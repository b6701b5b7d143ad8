/* SPDX-License-Identifier: MIT
 * test_smtp_data - the DATA reader: end of data only at CRLF.CRLF, every
 * smuggling variant of THREATS.md b.1 kept as content, dot-unstuffing,
 * bare CR/LF policies, pipelined bytes after the end, size and header
 * limits, and the BDAT helper.
 *
 * Every case runs twice, the whole input in one feed and then one byte at
 * a time, and both runs must give the same output, flags and end offset.
 */
#include <string.h>

#include "smtp/smtp_data.h"
#include "test.h"
#include "util/buf.h"

#define R SMTP_BARE_REJECT
#define N SMTP_BARE_NORMALIZE
#define BIG ((size_t)1 << 20)

struct data_case {
    const char *in; /* input; "\\0" written as an escape is not used */
    int policy;
    size_t max;
    int done;         /* end of data found */
    const char *out;  /* expected output */
    const char *rest; /* expected unconsumed input (when done) */
    int bare_lf, bare_cr, too_big;
};

#define SMUG_HEAD "Subject: hi\r\n\r\nbody"
#define SMUG_TAIL \
    "MAIL FROM:<ceo@victim.example>\r\nRCPT TO:<x@victim.example>\r\nDATA\r\n" \
    "From: ceo@victim.example\r\n\r\nsmuggled\r\n"

/* clang-format off */
static const struct data_case cases[] = {
    { ".\r\n", R, BIG, 1, "", "", 0, 0, 0 },
    { ".\r\nQUIT\r\n", R, BIG, 1, "", "QUIT\r\n", 0, 0, 0 },
    { "a\r\n.\r\nQUIT\r\n", R, BIG, 1, "a\r\n", "QUIT\r\n", 0, 0, 0 },
    { "a\r\n.\r\n", R, BIG, 1, "a\r\n", "", 0, 0, 0 },
    { "..\r\n.\r\n", R, BIG, 1, ".\r\n", "", 0, 0, 0 },
    { "a\r\n..b\r\n.c\r\n...\r\n.\r\n", R, BIG, 1, "a\r\n.b\r\nc\r\n..\r\n", "", 0, 0, 0 },
    { "a.\r\nb .\r\n.\r\n", R, BIG, 1, "a.\r\nb .\r\n", "", 0, 0, 0 },
    { "a\r\n.\r", R, BIG, 0, "a\r\n", "", 0, 0, 0 },
    { "a\r\n .\r\n", R, BIG, 0, "a\r\n .\r\n", "", 0, 0, 0 },
    /* THREATS.md b.1 #1 and #2 under both policies: never an early end */
    { SMUG_HEAD "\n.\n" SMUG_TAIL ".\r\nQUIT\r\n", R, BIG, 1, SMUG_HEAD "\n.\n" SMUG_TAIL,
      "QUIT\r\n", 1, 0, 0 },
    { SMUG_HEAD "\n.\n" SMUG_TAIL ".\r\n", N, BIG, 1, SMUG_HEAD "\r\n\r\n" SMUG_TAIL,
      "", 1, 0, 0 },
    { "x\r.\rY\r\n.\r\n", R, BIG, 1, "x\r.\rY\r\n", "", 0, 1, 0 },
    { "x\r.\rY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 0, 1, 0 },
    { "x\r.\nY\r\n.\r\n", R, BIG, 1, "x\r.\nY\r\n", "", 1, 1, 0 },
    { "x\r.\nY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 1, 1, 0 },
    { "x\n.\rY\r\n.\r\n", R, BIG, 1, "x\n.\rY\r\n", "", 1, 1, 0 },
    { "x\n.\rY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 1, 1, 0 },
    { "x\n.\r\nY\r\n.\r\n", R, BIG, 1, "x\n.\r\nY\r\n", "", 1, 0, 0 },
    { "x\n.\r\nY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 1, 0, 0 },
    { "x\r\n.\nY\r\n.\r\n", R, BIG, 1, "x\r\n\nY\r\n", "", 1, 0, 0 },
    { "x\r\n.\nY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 1, 0, 0 },
    { "x\r.\r\nY\r\n.\r\n", R, BIG, 1, "x\r.\r\nY\r\n", "", 0, 1, 0 },
    { "x\r.\r\nY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 0, 1, 0 },
    { "x\r\n.\rY\r\n.\r\n", R, BIG, 1, "x\r\n\rY\r\n", "", 0, 1, 0 },
    { "x\r\n.\rY\r\n.\r\n", N, BIG, 1, "x\r\n\r\nY\r\n", "", 0, 1, 0 },
    { "x\n.\nY\r\n.\r\n", R, BIG, 1, "x\n.\nY\r\n", "", 1, 0, 0 },
    { "x\r\n.\r\r\n.\r\n", R, BIG, 1, "x\r\n\r\r\n", "", 0, 1, 0 },
    { "x\r\n.\r\r\n.\r\n", N, BIG, 1, "x\r\n\r\n\r\n", "", 0, 1, 0 },
    { "x\r\r\n.\r\n", N, BIG, 1, "x\r\n\r\n", "", 0, 1, 0 },
    { "\n.\r\n.\r\n", N, BIG, 1, "\r\n\r\n", "", 1, 0, 0 },
    { "\n..\n.\r\n", N, BIG, 0, "\r\n.\r\n\r\n", "", 1, 0, 0 },
    { "\n..\n.\r\n.\r\nX", N, BIG, 1, "\r\n.\r\n\r\n", "X", 1, 0, 0 },
    /* size limit: output stops, scanning continues to the real end */
    { "abcdef\r\n.\r\nNEXT", R, 4, 1, "abcd", "NEXT", 0, 0, 1 },
    { "abcdef\r\n.\r\nNEXT", R, 8, 1, "abcdef\r\n", "NEXT", 0, 0, 0 },
    { "abcdef\r\n\n.\n.\r\n", R, 3, 0, "abc", "", 1, 0, 1 },
    { "abcdef\r\n\n.\n\r\n.\r\n", R, 3, 1, "abc", "", 1, 0, 1 },
};
/* clang-format on */

struct run {
    struct buf *out;
    struct smtp_data d;
    size_t consumed;
};

/* collect - output callback appending to a buf */
static void collect(void *ctx, const char *p, size_t n)
{
    struct buf *b = ctx;

    EXPECT_INT(buf_append(b, p, n), 0);
}

/* run_case - feed in pieces of at most step bytes */
static void run_case(const struct data_case *c, size_t step, struct run *r)
{
    size_t len = strlen(c->in), pos = 0, got, n;

    r->out = buf_create(64, BIG);
    smtp_data_init(&r->d, (enum smtp_bare_policy)c->policy, c->max, collect, r->out);
    while (pos < len && !r->d.done) {
        n = len - pos < step ? len - pos : step;
        got = smtp_data_feed(&r->d, c->in + pos, n);
        EXPECT_TRUE(got == n || r->d.done);
        pos += got;
    }
    r->consumed = pos;
}

/* test_cases - every case, whole and byte by byte */
static void test_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct data_case *c = &cases[i];
        struct run whole, bytes;

        run_case(c, (size_t)-1, &whole);
        run_case(c, 1, &bytes);
        if (!EXPECT_INT(whole.d.done, c->done))
            test_fail(__FILE__, __LINE__, "case %zu", i);
        if (!EXPECT_STR(buf_str(whole.out), c->out))
            test_fail(__FILE__, __LINE__, "case %zu", i);
        EXPECT_MEM(bytes.out->data, bytes.out->len, whole.out->data, whole.out->len);
        EXPECT_INT(bytes.d.done, whole.d.done);
        if (c->done) {
            EXPECT_STR(c->in + whole.consumed, c->rest);
            EXPECT_INT(whole.d.in_total, whole.consumed);
        }
        EXPECT_INT(bytes.consumed, whole.consumed);
        EXPECT_INT(whole.d.bare_lf, c->bare_lf);
        EXPECT_INT(whole.d.bare_cr, c->bare_cr);
        EXPECT_INT(whole.d.too_big, c->too_big);
        EXPECT_INT(bytes.d.bare_lf, c->bare_lf);
        EXPECT_INT(bytes.d.bare_cr, c->bare_cr);
        EXPECT_INT(bytes.d.size, whole.d.size);
        EXPECT_INT(bytes.d.header_size, whole.d.header_size);
        buf_destroy(&whole.out);
        buf_destroy(&bytes.out);
    }
}

/* test_pipelined - bytes after the end are left to the caller intact */
static void test_pipelined(void)
{
    const char in[] = "hi\r\n.\r\nMAIL FROM:<a@b>\r\n\n.\n";
    struct buf *out = buf_create(64, 1024);
    struct smtp_data d;
    size_t got;

    smtp_data_init(&d, SMTP_BARE_REJECT, 1024, collect, out);
    got = smtp_data_feed(&d, in, sizeof(in) - 1);
    EXPECT_INT(got, 7);
    EXPECT_STR(in + got, "MAIL FROM:<a@b>\r\n\n.\n");
    EXPECT_INT(smtp_data_feed(&d, in + got, 3), 0);
    EXPECT_STR(buf_str(out), "hi\r\n");
    buf_destroy(&out);
}

/* test_nul - NUL bytes are content, recorded, and never end anything */
static void test_nul(void)
{
    const char in[] = "a\r\n\0.\r\n.\0\r\nb\r\n.\r\n";
    struct buf *out = buf_create(64, 1024);
    struct smtp_data d;

    smtp_data_init(&d, SMTP_BARE_REJECT, 1024, collect, out);
    EXPECT_INT(smtp_data_feed(&d, in, sizeof(in) - 1), sizeof(in) - 1);
    EXPECT_TRUE(d.done);
    EXPECT_TRUE(d.has_nul);
    EXPECT_MEM(out->data, out->len, "a\r\n\0.\r\n\0\r\nb\r\n", 13);
    buf_destroy(&out);
}

/* test_header_size - header section size up to the first empty line */
static void test_header_size(void)
{
    static const struct {
        const char *in;
        size_t header_size, size;
        int header_done;
    } hc[] = {
        { "A: 1\r\nB: 2\r\n\r\nbody\r\n.\r\n", 12, 20, 1 },
        { "\r\nbody\r\n.\r\n", 0, 8, 1 },
        { "A: 1\r\n.\r\n", 6, 6, 0 },
        { "A: 1\n\nb\r\n.\r\n", 9, 9, 0 },
    };
    size_t i;

    for (i = 0; i < sizeof(hc) / sizeof(hc[0]); i++) {
        struct smtp_data d;

        smtp_data_init(&d, SMTP_BARE_REJECT, 4, NULL, NULL);
        smtp_data_feed(&d, hc[i].in, strlen(hc[i].in));
        EXPECT_TRUE(d.done);
        EXPECT_INT(d.header_size, hc[i].header_size);
        EXPECT_INT(d.size, hc[i].size);
        EXPECT_INT(d.header_done, hc[i].header_done);
    }
}

/* bdat_run - BDAT helper over one input, whole or byte by byte */
static void bdat_run(const char *in, enum smtp_bare_policy policy, size_t step, struct buf *out,
                     struct smtp_bdat *b)
{
    size_t len = strlen(in), pos, n;

    smtp_bdat_init(b, policy);
    for (pos = 0; pos < len; pos += n) {
        n = len - pos < step ? len - pos : step;
        smtp_bdat_feed(b, in + pos, n, collect, out);
    }
    smtp_bdat_finish(b, collect, out);
}

/* test_bdat - raw bytes, no unstuffing, bare CR/LF per policy */
static void test_bdat(void)
{
    static const struct {
        const char *in;
        int policy;
        const char *out;
        int bare_lf, bare_cr;
    } bc[] = {
        { "a\r\n.\r\n..\r\n", R, "a\r\n.\r\n..\r\n", 0, 0 },
        { "a\nb\rc\r\n\r", R, "a\nb\rc\r\n\r", 1, 1 },
        { "a\nb\rc\r\n\r", N, "a\r\nb\r\nc\r\n\r\n", 1, 1 },
        { "\r\r\n\n", N, "\r\n\r\n\r\n", 1, 1 },
    };
    size_t i, step;

    for (i = 0; i < sizeof(bc) / sizeof(bc[0]); i++) {
        for (step = 1; step <= 64; step += 63) {
            struct buf *out = buf_create(64, 1024);
            struct smtp_bdat b;

            bdat_run(bc[i].in, (enum smtp_bare_policy)bc[i].policy, step, out, &b);
            EXPECT_STR(buf_str(out), bc[i].out);
            EXPECT_INT(b.bare_lf, bc[i].bare_lf);
            EXPECT_INT(b.bare_cr, bc[i].bare_cr);
            buf_destroy(&out);
        }
    }
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_cases), TEST_CASE(test_pipelined),
                                                TEST_CASE(test_nul), TEST_CASE(test_header_size),
                                                TEST_CASE(test_bdat), TEST_END });
}
