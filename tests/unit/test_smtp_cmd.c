/* SPDX-License-Identifier: MIT
 * test_smtp_cmd - command line splitting: every verb, case, the MAIL/RCPT
 * prefixes and the documented tolerance, HTTP and header lines, control
 * bytes, the length limit, and argument rules, with exact error texts.
 *
 * smtp_cmd_parse works on a complete line (the connection layer finds the
 * CRLF), so there is no stream to trickle; each line is parsed twice to
 * show the parser keeps no state.
 */
#include <string.h>

#include "smtp/smtp_cmd.h"
#include "test.h"

struct cmd_case {
    const char *line;
    enum smtp_verb verb;
    const char *arg;   /* expected argument, or NULL on error */
    const char *error; /* expected error, or NULL */
    int reply;
};

/* clang-format off */
static const struct cmd_case cases[] = {
    { "EHLO client.example", SMTP_VERB_EHLO, "client.example", NULL, 0 },
    { "ehlo client.example", SMTP_VERB_EHLO, "client.example", NULL, 0 },
    { "HeLo   x  ", SMTP_VERB_HELO, "x", NULL, 0 },
    { "MAIL FROM:<a@b.example>", SMTP_VERB_MAIL, "<a@b.example>", NULL, 0 },
    { "mail from:<> SIZE=10", SMTP_VERB_MAIL, "<> SIZE=10", NULL, 0 },
    { "MAIL FROM: <a@b>", SMTP_VERB_MAIL, "<a@b>", NULL, 0 },
    { "MAIL  FROM:<a@b>", SMTP_VERB_MAIL, "<a@b>", NULL, 0 },
    { "MAIL FROM :<a@b>", SMTP_VERB_MAIL, NULL, "syntax: MAIL FROM:<address>", 501 },
    { "MAIL TO:<a@b>", SMTP_VERB_MAIL, NULL, "syntax: MAIL FROM:<address>", 501 },
    { "MAIL FROM:", SMTP_VERB_MAIL, NULL, "syntax: MAIL FROM:<address>", 501 },
    { "MAIL", SMTP_VERB_MAIL, NULL, "syntax: MAIL FROM:<address>", 501 },
    { "RCPT TO:<x@y>", SMTP_VERB_RCPT, "<x@y>", NULL, 0 },
    { "rcpt to:<Postmaster> NOTIFY=NEVER", SMTP_VERB_RCPT, "<Postmaster> NOTIFY=NEVER", NULL, 0 },
    { "RCPT TO : <x@y>", SMTP_VERB_RCPT, NULL, "syntax: RCPT TO:<address>", 501 },
    { "DATA", SMTP_VERB_DATA, "", NULL, 0 },
    { "DATA x", SMTP_VERB_DATA, NULL, "syntax: DATA takes no argument", 501 },
    { "BDAT 100 LAST", SMTP_VERB_BDAT, "100 LAST", NULL, 0 },
    { "BDAT", SMTP_VERB_BDAT, NULL, "syntax: BDAT needs an argument", 501 },
    { "RSET", SMTP_VERB_RSET, "", NULL, 0 },
    { "NOOP", SMTP_VERB_NOOP, "", NULL, 0 },
    { "NOOP \"", SMTP_VERB_NOOP, "\"", NULL, 0 },
    { "NOOP ((((", SMTP_VERB_NOOP, "((((", NULL, 0 },
    { "QUIT", SMTP_VERB_QUIT, "", NULL, 0 },
    { "QUIT now", SMTP_VERB_QUIT, NULL, "syntax: QUIT takes no argument", 501 },
    { "VRFY postmaster", SMTP_VERB_VRFY, "postmaster", NULL, 0 },
    { "VRFY", SMTP_VERB_VRFY, NULL, "syntax: VRFY needs an argument", 501 },
    { "HELP", SMTP_VERB_HELP, "", NULL, 0 },
    { "StartTLS", SMTP_VERB_STARTTLS, "", NULL, 0 },
    { "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=", SMTP_VERB_AUTH, "PLAIN dGVzdAB0ZXN0AHRlc3Q=", NULL, 0 },
    { "GET / HTTP/1.1", SMTP_VERB_HTTP, "/ HTTP/1.1", NULL, 0 },
    { "post /x HTTP/1.0", SMTP_VERB_HTTP, "/x HTTP/1.0", NULL, 0 },
    { "CONNECT host:25 HTTP/1.1", SMTP_VERB_HTTP, "host:25 HTTP/1.1", NULL, 0 },
    { "Subject: hi", SMTP_VERB_HEADER, "hi", NULL, 0 },
    { "Host: x", SMTP_VERB_HEADER, "x", NULL, 0 },
    { "XYZZY", SMTP_VERB_UNKNOWN, "", NULL, 0 },
    { "EHLOX a", SMTP_VERB_UNKNOWN, "a", NULL, 0 },
    { "", SMTP_VERB_UNKNOWN, NULL, "empty command", 500 },
    { "   ", SMTP_VERB_UNKNOWN, NULL, "empty command", 500 },
    { "EHLO evil\rX-Injected: 1", SMTP_VERB_UNKNOWN, NULL, "control character in command", 500 },
    { "EHLO a\tb", SMTP_VERB_UNKNOWN, NULL, "control character in command", 500 },
    { "NOOP \x7f", SMTP_VERB_UNKNOWN, NULL, "control character in command", 500 },
    { "EHLO \xc3\xa9t\xc3\xa9", SMTP_VERB_EHLO, "\xc3\xa9t\xc3\xa9", NULL, 0 },
};
/* clang-format on */

/* check_one - parse a line and compare with a case */
static void check_one(const struct cmd_case *c, const char *line, size_t len)
{
    struct smtp_cmd cmd;
    const char *error = NULL;
    int ret = smtp_cmd_parse(line, len, SMTP_LINE_MAX, &cmd, &error);

    if (c->error != NULL) {
        if (EXPECT_INT(ret, -1))
            EXPECT_STR(error, c->error);
        EXPECT_INT(cmd.reply, c->reply);
        EXPECT_STR(cmd.ecode, c->reply == 500 ? "5.5.2" : "5.5.4");
        return;
    }
    if (!EXPECT_INT(ret, 0)) {
        test_fail(__FILE__, __LINE__, "line \"%s\": %s", c->line, error);
        return;
    }
    EXPECT_INT(cmd.verb, c->verb);
    EXPECT_MEM(cmd.arg, cmd.arg_len, c->arg, strlen(c->arg));
}

/* test_cases - the table, each line twice */
static void test_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_one(&cases[i], cases[i].line, strlen(cases[i].line));
        check_one(&cases[i], cases[i].line, strlen(cases[i].line));
    }
}

/* test_nul - a NUL inside the line is refused, not a C-string end */
static void test_nul(void)
{
    static const struct cmd_case c = { "", SMTP_VERB_UNKNOWN, NULL, "control character in command", 500 };

    check_one(&c, "MAIL FROM:<a@b>\0x", 17);
    check_one(&c, "\0", 1);
}

/* test_length - 510 bytes plus CRLF is the most; the limit is an argument */
static void test_length(void)
{
    char line[600];
    struct smtp_cmd cmd;
    const char *error;

    memset(line, 'a', sizeof(line));
    memcpy(line, "NOOP ", 5);
    EXPECT_INT(smtp_cmd_parse(line, 510, SMTP_LINE_MAX, &cmd, &error), 0);
    EXPECT_INT(cmd.arg_len, 505);
    EXPECT_INT(smtp_cmd_parse(line, 511, SMTP_LINE_MAX, &cmd, &error), -1);
    EXPECT_STR(error, "line too long");
    EXPECT_INT(cmd.reply, 500);
    EXPECT_INT(smtp_cmd_parse(line, 600, 1000, &cmd, &error), 0);
    EXPECT_INT(smtp_cmd_parse(line, 4, 5, &cmd, &error), -1);
    EXPECT_INT(smtp_cmd_parse(line, 4, 1, &cmd, &error), -1);
}

/* test_names - verb names for logs */
static void test_names(void)
{
    EXPECT_STR(smtp_verb_name(SMTP_VERB_MAIL), "MAIL");
    EXPECT_STR(smtp_verb_name(SMTP_VERB_STARTTLS), "STARTTLS");
    EXPECT_STR(smtp_verb_name(SMTP_VERB_HTTP), "http");
    EXPECT_STR(smtp_verb_name(SMTP_VERB_HEADER), "header");
    EXPECT_STR(smtp_verb_name(SMTP_VERB_UNKNOWN), "unknown");
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_cases), TEST_CASE(test_nul),
                                                TEST_CASE(test_length), TEST_CASE(test_names), TEST_END });
}
