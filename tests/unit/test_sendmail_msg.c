/* SPDX-License-Identifier: MIT
 * test_sendmail_msg - reading a message from a stream: LF to CRLF (CRLF
 * and bare CR kept), the "." line with and without -i, SMTP unstuffing,
 * the end of the header block (empty line, a non-header line, EOF), the
 * Unix "From " line, header and message size limits, and that nothing
 * after the end of a message is read. The normaliser is also checked on
 * its own, whole and one byte at a time.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "sendmail_msg.h"
#include "sendmail_text.h"
#include "test.h"
#include "util/buf.h"

#define ADDED "From: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n"

struct msg_case {
    const char *in;
    int dot_ends, unstuff;
    size_t header_max;
    unsigned long long size_max;
    int status;
    const char *out;  /* everything written, for EX_OK */
    const char *rest; /* what is left unread in the stream */
};

/* clang-format off */
static const struct msg_case cases[] = {
    { "Subject: a\n\nbody\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nbody\r\n", "" },
    { "Subject: a\r\n\r\nbody\r\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nbody\r\n", "" },
    { "Subject: a\n\nno newline", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nno newline\r\n", "" },
    { "Subject: a\n\nbare\rcr\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nbare\rcr\r\n", "" },
    { "Subject: a\n\nx\n.\nafter\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nx\r\n", "after\n" },
    { "Subject: a\n\nx\r\n.\r\nafter\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nx\r\n", "after\n" },
    { "Subject: a\n\nx\n.\nafter\n", 0, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nx\r\n.\r\nafter\r\n", "" },
    { "Subject: a\n\n..x\n.y\n. \n.\r\r\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\n..x\r\n.y\r\n. \r\n.\r\r\n", "" },
    { "Subject: a\n\n.", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\n.\r\n", "" },
    { "Subject: a\n\n..x\r\n.y\n.\r\nMAIL\r\n", 1, 1, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\n.x\r\ny\r\n", "MAIL\r\n" },
    { ".\nrest", 1, 0, 1024, 4096, EX_OK, ADDED "\r\n", "rest" },
    { "", 1, 0, 1024, 4096, EX_OK, ADDED "\r\n", "" },
    { "Subject: only\n", 1, 0, 1024, 4096, EX_OK, "Subject: only\r\n" ADDED "\r\n", "" },
    { "Subject: a\n folded\n\tmore\nX: y\n\nb\n", 1, 0, 1024, 4096, EX_OK,
      "Subject: a\r\n folded\r\n\tmore\r\nX: y\r\n" ADDED "\r\nb\r\n", "" },
    { "Subject: a\nthis is body\nZ: no\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nthis is body\r\nZ: no\r\n", "" },
    { "just a body\n", 1, 0, 1024, 4096, EX_OK, ADDED "\r\njust a body\r\n", "" },
    { " indented first\n", 1, 0, 1024, 4096, EX_OK, ADDED "\r\n indented first\r\n", "" },
    { "From alice Mon Jan  1 00:00:00 2026\nSubject: a\n\nb\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nb\r\n", "" },
    { "Subject: a\nFrom alice\n\nb\n", 1, 0, 1024, 4096, EX_OK, "Subject: a\r\n" ADDED "\r\nFrom alice\r\n\r\nb\r\n", "" },
    { "Bcc: x@y.z\nTo: a@b.c\n\nb\n", 1, 0, 1024, 4096, EX_OK, "To: a@b.c\r\n" ADDED "\r\nb\r\n", "" },
    /* limits: the rest of the message is still read */
    { "Subject: 0123456789012345678901234567890123456789\n\nb\n.\nnext", 1, 0, 20, 4096, EX_DATAERR, NULL, "next" },
    { "A: 1\nB: 2\nC: 3\nD: 4\nE: 5\nF: 6\n\nb\n.\nnext", 1, 0, 20, 4096, EX_DATAERR, NULL, "next" },
    { "012345678901234567890123456789 long body line\n.\nnext", 1, 0, 20, 4096, EX_OK,
      ADDED "\r\n012345678901234567890123456789 long body line\r\n", "next" },
    { "Subject: a\n\n0123456789\n.\nnext", 1, 0, 1024, 70, EX_DATAERR, NULL, "next" },
    { "Subject: a\n\n0123\n.\nnext", 1, 0, 1024, sizeof("Subject: a\r\n" ADDED "\r\n0123\r\n") - 1, EX_OK,
      "Subject: a\r\n" ADDED "\r\n0123\r\n", "next" },
    { "Subject: a\n\n01234\n.\nnext", 1, 0, 1024, sizeof("Subject: a\r\n" ADDED "\r\n0123\r\n") - 1, EX_DATAERR,
      NULL, "next" },
};
/* clang-format on */

/* collect - a sendmail_msg_write_fn appending to a buf */
static int collect(void *ctx, const char *p, size_t n, const char **error_r)
{
    (void)error_r;
    return buf_append(ctx, p, n) < 0 ? EX_SOFTWARE : EX_OK;
}

/* rest_of - what is left in the stream */
static const char *rest_of(FILE *f, struct buf *b)
{
    int c;

    buf_reset(b);
    while ((c = getc(f)) != EOF)
        buf_append_char(b, (char)c);
    return buf_str(b);
}

/* test_messages - every case through sendmail_msg */
static void test_messages(void)
{
    struct buf *out = buf_create(1024, 1 << 20), *rest = buf_create(64, 4096);
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct msg_case *c = &cases[i];
        struct sendmail_msg_cfg mc = {
            .dot_ends = c->dot_ends,
            .unstuff = c->unstuff,
            .skip_from_line = true,
            .header_max = c->header_max,
            .size_max = c->size_max,
            .hdr = { false, "me@x.org", "DATE", "<ID@h>" },
        };
        struct sendmail_rcpts r = { 0 };
        const char *error = NULL;
        struct sendmail_msg *m;
        FILE *in;
        int status;

        in = strlen(c->in) ? fmemopen((void *)c->in, strlen(c->in), "r") : fopen("/dev/null", "r");
        m = sendmail_msg_create(in, &mc);
        buf_reset(out);
        status = sendmail_msg_header(m, &r, &error);
        if (status == EX_OK)
            status = sendmail_msg_body(m, collect, out, &error);
        if (!EXPECT_INT(status, c->status))
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, error ? error : "");
        if (c->out != NULL && status == EX_OK)
            EXPECT_MEM(out->data, out->len, c->out, strlen(c->out));
        if (!EXPECT_STR(rest_of(in, rest), c->rest))
            test_fail(__FILE__, __LINE__, "case %zu", i);
        sendmail_msg_destroy(&m);
        sendmail_rcpts_free(&r);
        fclose(in);
    }
    buf_destroy(&out);
    buf_destroy(&rest);
}

struct text_case {
    const char *in;
    int dot_ends, unstuff;
    const char *out;
    int done;
};

/* clang-format off */
static const struct text_case text_cases[] = {
    { "a\nb\n", 0, 0, "a\r\nb\r\n", 0 },
    { "a\r\nb", 0, 0, "a\r\nb\r\n", 0 },
    { "\n\n", 0, 0, "\r\n\r\n", 0 },
    { "\r", 0, 0, "\r\n", 0 },
    { "a\r\r\n", 0, 0, "a\r\r\n", 0 },
    { ".\n", 0, 0, ".\r\n", 0 },
    { ".\n", 1, 0, "", 1 },
    { ".\r\n", 1, 0, "", 1 },
    { "x\n.\r\nyyy", 1, 0, "x\r\n", 1 },
    { "x.\n", 1, 0, "x.\r\n", 0 },
    { ".x\n", 1, 0, ".x\r\n", 0 },
    { ".\rx\n", 1, 0, ".\rx\r\n", 0 },
    { ".\r", 1, 0, ".\r\n", 0 },
    { "..\n.\n", 1, 1, ".\r\n", 1 },
    { ".a\n", 1, 1, "a\r\n", 0 },
};
/* clang-format on */

/* run_text - one case, fed in pieces of step bytes */
static void run_text(const struct text_case *c, size_t step)
{
    struct buf *out = buf_create(64, 4096);
    struct sendmail_text t;
    size_t i, n = strlen(c->in);

    sendmail_text_init(&t, c->dot_ends, c->unstuff);
    for (i = 0; i < n && !t.done; i += step) {
        size_t k;

        for (k = i; k < i + step && k < n; k++)
            EXPECT_INT(sendmail_text_put(&t, (unsigned char)c->in[k], out), 0);
    }
    EXPECT_INT(sendmail_text_finish(&t, out), 0);
    if (!EXPECT_MEM(out->data, out->len, c->out, strlen(c->out)))
        test_fail(__FILE__, __LINE__, "input \"%s\" step %zu", c->in, step);
    EXPECT_INT(t.done, c->done);
    buf_destroy(&out);
}

/* test_text - the normaliser alone, whole and a byte at a time */
static void test_text(void)
{
    size_t i;

    for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
        run_text(&text_cases[i], 1000);
        run_text(&text_cases[i], 1);
    }
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_messages), TEST_CASE(test_text), TEST_END });
}
