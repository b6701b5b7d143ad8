/* SPDX-License-Identifier: MIT
 * test_smtp_param - ESMTP parameters on MAIL and RCPT (every keyword, bad
 * values, duplicates, value rules, wrong command, unknown keywords) and
 * xtext decoding/encoding, with exact error texts; the hostile values of
 * THREATS.md b.2 #12 are refused.
 *
 * Both parsers work on complete values, so there is no stream to trickle;
 * each case renders the parsed result as one line to compare.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "smtp/smtp_param.h"
#include "smtp/smtp_xtext.h"
#include "test.h"
#include "util/buf.h"

#define M SMTP_PARAM_MAIL
#define R SMTP_PARAM_RCPT
#define UNK SMTP_PARAM_UNKNOWN

struct param_case {
    const char *in;
    enum smtp_param_verb verb;
    int ret;
    const char *want; /* rendered result, or the error text */
};

/* clang-format off */
static const struct param_case cases[] = {
    { "", M, 0, "" },
    { "SIZE=12345", M, 0, "size=12345" },
    { "size=0  body=8bitmime", M, 0, "size=0 body=8BITMIME" },
    { "SIZE=18446744073709551615", M, 0, "size=18446744073709551615" },
    { "SIZE=18446744073709551616", M, -1, "SIZE value too large" },
    { "SIZE=99999999999999999999999", M, -1, "SIZE value too large" },
    { "SIZE=-1", M, -1, "invalid SIZE value (digits expected)" },
    { "SIZE=1e9", M, -1, "invalid SIZE value (digits expected)" },
    { "SIZE", M, -1, "SIZE needs a value" },
    { "SIZE=", M, -1, "empty value for parameter SIZE" },
    { "SIZE=1 SIZE=2", M, -1, "SIZE given twice" },
    { "BODY=7BIT", M, 0, "body=7BIT" },
    { "BODY=BINARYMIME SMTPUTF8", M, 0, "body=BINARYMIME utf8" },
    { "BODY=9BIT", M, -1, "invalid BODY value (use 7BIT, 8BITMIME or BINARYMIME)" },
    { "SMTPUTF8=yes", M, -1, "SMTPUTF8 takes no value" },
    { "RET=FULL", M, 0, "ret=FULL" },
    { "RET=hdrs ENVID=QQ+2B1", M, 0, "ret=HDRS envid=QQ+1" },
    { "RET=FULL RET=HDRS", M, -1, "RET given twice" },
    { "RET=ALL", M, -1, "invalid RET value (use FULL or HDRS)" },
    { "ENVID=a+0D+0Ab", M, -1, "invalid ENVID: xtext encodes a control character" },
    { "ENVID=a+0db", M, -1, "invalid ENVID: invalid \"+\" escape in xtext (two upper-case hex digits expected)" },
    { "ENVID=a+2", M, -1, "invalid ENVID: incomplete \"+\" escape in xtext" },
    { "AUTH=<>", M, 0, "auth=<>" },
    { "AUTH=user+40example.com", M, 0, "auth=user@example.com" },
    { "AUTH=<>+0A", M, -1, "invalid AUTH: xtext encodes a control character" },
    { "AUTH=a+00", M, -1, "invalid AUTH: xtext encodes a control character" },
    { "NOTIFY=NEVER", R, 0, "notify=N" },
    { "NOTIFY=success,FAILURE,delay", R, 0, "notify=SDF" },
    { "NOTIFY=NEVER,SUCCESS", R, -1, "NOTIFY=NEVER cannot be combined with other values" },
    { "NOTIFY=SUCCESS,SUCCESS", R, -1, "NOTIFY value listed twice" },
    { "NOTIFY=SUCCESS,", R, -1, "invalid NOTIFY value (use NEVER, or SUCCESS, DELAY, FAILURE)" },
    { "NOTIFY=SOMETIMES", R, -1, "invalid NOTIFY value (use NEVER, or SUCCESS, DELAY, FAILURE)" },
    { "ORCPT=rfc822;a+40b.example NOTIFY=DELAY", R, 0, "notify=D orcpt=rfc822;a@b.example" },
    { "ORCPT=UTF-8;j\\x{00F6}rg@b.example", R, 0, "orcpt=utf-8;j\\x{00F6}rg@b.example" },
    { "ORCPT=rfc822;x+0A+0DX-Spool:evil", R, -1, "invalid ORCPT: xtext encodes a control character" },
    { "ORCPT=x400;abc", R, -1, "unsupported ORCPT address type (use rfc822 or utf-8)" },
    { "ORCPT=rfc822", R, -1, "invalid ORCPT (addr-type;address expected)" },
    { "ORCPT=rfc822;", R, -1, "invalid ORCPT: empty address" },
    { "SIZE=10", R, -1, "SIZE is not valid with RCPT" },
    { "NOTIFY=NEVER", M, -1, "NOTIFY is not valid with MAIL" },
    { "XFOO=bar", M, UNK, "unknown parameter XFOO" },
    { "SIZE=1 X-TRA", M, UNK, "unknown parameter X-TRA" },
    { "-X=1", M, -1, "invalid parameter keyword" },
    { "=1", M, -1, "invalid parameter keyword" },
    { "S_ZE=1", M, -1, "invalid parameter keyword" },
    { "BODY==7BIT", M, -1, "invalid character in the value of BODY" },
};
/* clang-format on */

/* render - the parsed parameters as one line */
static void render(const struct smtp_params *p, struct buf *b)
{
    static const char *const bodies[] = { "", "7BIT", "8BITMIME", "BINARYMIME" };

    if (p->has_size)
        buf_printf(b, " size=%" PRIu64, p->size);
    if (p->body != SMTP_BODY_NONE)
        buf_printf(b, " body=%s", bodies[p->body]);
    if (p->smtputf8)
        buf_append_str(b, " utf8");
    if (p->ret != SMTP_RET_NONE)
        buf_printf(b, " ret=%s", p->ret == SMTP_RET_FULL ? "FULL" : "HDRS");
    if (p->has_envid)
        buf_printf(b, " envid=%s", p->envid);
    if (p->has_auth)
        buf_printf(b, " auth=%s", p->auth);
    if (p->notify != 0)
        buf_printf(b, " notify=%s%s%s%s", (p->notify & SMTP_NOTIFY_NEVER) ? "N" : "",
                   (p->notify & SMTP_NOTIFY_SUCCESS) ? "S" : "", (p->notify & SMTP_NOTIFY_DELAY) ? "D" : "",
                   (p->notify & SMTP_NOTIFY_FAILURE) ? "F" : "");
    if (p->has_orcpt)
        buf_printf(b, " orcpt=%s;%s", p->orcpt_utf8 ? "utf-8" : "rfc822", p->orcpt);
}

/* test_params - the table */
static void test_params(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct param_case *c = &cases[i];
        struct buf *b = buf_create(64, 4096);
        struct smtp_params p;
        const char *error = NULL;
        int ret = smtp_param_parse(c->in, strlen(c->in), c->verb, &p, &error);

        if (!EXPECT_INT(ret, c->ret))
            test_fail(__FILE__, __LINE__, "\"%s\": %s", c->in, ret < 0 ? error : "ok");
        if (ret < 0) {
            EXPECT_STR(error, c->want);
        } else {
            render(&p, b);
            EXPECT_STR(b->len > 0 ? b->data + 1 : "", c->want);
        }
        buf_destroy(&b);
    }
}

/* test_xtext - decoding and encoding */
static void test_xtext(void)
{
    static const struct {
        const char *in;
        const char *out; /* decoded, or NULL */
        const char *error;
    } xc[] = {
        { "abc", "abc", NULL },
        { "", "", NULL },
        { "a+2Bb+3D", "a+b=", NULL },
        { "+20x", " x", NULL },
        { "+41", "A", NULL },
        { "+C3+B6", "\xc3\xb6", NULL },
        { "a b", NULL, "invalid character in xtext" },
        { "a=b", NULL, "invalid character in xtext" },
        { "a\xc3\xb6", NULL, "invalid character in xtext" },
        { "+0D", NULL, "xtext encodes a control character" },
        { "+7F", NULL, "xtext encodes a control character" },
        { "+09", NULL, "xtext encodes a control character" },
        { "+2b", NULL, "invalid \"+\" escape in xtext (two upper-case hex digits expected)" },
        { "+G0", NULL, "invalid \"+\" escape in xtext (two upper-case hex digits expected)" },
        { "ab+", NULL, "incomplete \"+\" escape in xtext" },
        { "12345678", NULL, "decoded xtext longer than 7 characters" },
    };
    char out[8];
    size_t i, n;

    for (i = 0; i < sizeof(xc) / sizeof(xc[0]); i++) {
        const char *error = NULL;
        int ret = smtp_xtext_decode(xc[i].in, strlen(xc[i].in), out, sizeof(out), &n, &error);

        if (xc[i].out != NULL) {
            if (EXPECT_INT(ret, 0)) {
                EXPECT_STR(out, xc[i].out);
                EXPECT_INT(n, strlen(xc[i].out));
            }
        } else if (EXPECT_INT(ret, -1)) {
            EXPECT_STR(error, xc[i].error);
        }
    }
}

/* test_xtext_encode - encoding and the round trip */
static void test_xtext_encode(void)
{
    struct buf *b = buf_create(16, 64), *small = buf_create(4, 5);
    const char raw[] = "a+b=c d\r\n\xff~!";
    char back[64];
    size_t n;

    EXPECT_INT(smtp_xtext_encode(raw, sizeof(raw) - 1, b), 0);
    EXPECT_STR(buf_str(b), "a+2Bb+3Dc+20d+0D+0A+FF~!");
    buf_reset(b);
    EXPECT_INT(smtp_xtext_encode("a+b=c", 5, b), 0);
    EXPECT_INT(smtp_xtext_decode(b->data, b->len, back, sizeof(back), &n, NULL), 0);
    EXPECT_STR(back, "a+b=c");
    buf_append_str(small, "xy");
    EXPECT_INT(smtp_xtext_encode("a+b", 3, small), -1);
    EXPECT_STR(buf_str(small), "xy");
    buf_destroy(&b);
    buf_destroy(&small);
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_params), TEST_CASE(test_xtext),
                                                TEST_CASE(test_xtext_encode), TEST_END });
}
