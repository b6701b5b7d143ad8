/* SPDX-License-Identifier: MIT
 * test_sendmail_hdr - the header side of local submission: RFC 5322
 * address lists (groups, comments, quoted display names with commas,
 * encoded words, folded lines, route addresses, bare local parts) and
 * their errors; Bcc: removal with and without -t; From:, Date: and
 * Message-ID: added only when missing; the From: value with -F.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/mail_header.h"
#include "sendmail_addr.h"
#include "sendmail_hdr.h"
#include "sendmail_rcpt.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"

struct list_case {
    const char *in;
    const char *want; /* the recipients joined by " | ", or NULL: an error */
    const char *error;
};

/* clang-format off */
static const struct list_case list_cases[] = {
    { "a@b.c", "a@b.c", NULL },
    { "  a@b.c  ,  d@E.F ", "a@b.c | d@e.f", NULL },
    { "\"Doe, John\" <john@example.com>, jane@example.com", "john@example.com | jane@example.com", NULL },
    { "John Doe <john@example.com> (work), (home) jane@x.org", "john@example.com | jane@x.org", NULL },
    { "john(comment (nested) \\) )@example.com", "john@example.com", NULL },
    { "jo(comment)hn@example.com", NULL, "words without" },
    { "=?utf-8?q?J=C3=B6rg?= <joerg@example.com>", "joerg@example.com", NULL },
    { "=?iso-8859-1?B?SvZyZw==?= <j@x.org>, \"=?utf-8?q?a,b?=\" <k@x.org>", "j@x.org | k@x.org", NULL },
    { "friends: a@x.org, \"B, b\" <b@x.org>;, c@x.org", "a@x.org | b@x.org | c@x.org", NULL },
    { "undisclosed-recipients:;", "", NULL },
    { "group: ;", "", NULL },
    { "a@x.org,\r\n\tb@x.org,\r\n c@x.org", "a@x.org | b@x.org | c@x.org", NULL },
    { "Name\r\n <folded@x.org>", "folded@x.org", NULL },
    { "alice, bob@x.org", "alice | bob@x.org", NULL },
    { ",, a@x.org ,,", "a@x.org", NULL },
    { "<@relay.example:a@x.org>", "a@x.org", NULL },
    { "\"quoted local\"@x.org", "\"quoted local\"@x.org", NULL },
    { "john . doe @ example . com", "john.doe@example.com", NULL },
    { "a@[192.0.2.1]", "a@[192.0.2.1]", NULL },
    { "a@x.org, A@X.ORG, a@x.org", "a@x.org | A@x.org", NULL },
    { "", "", NULL },
    { "John Doe john@example.com", NULL, "words without" },
    { "<>", NULL, "empty address" },
    { "a@x.org (unterminated", NULL, "unterminated comment" },
    { "\"unterminated <a@x.org>", NULL, "unterminated quoted string" },
    { "a@[1.2.3.4", NULL, "unterminated domain literal" },
    { "Name <a@x.org", NULL, "\"<\" without \">\"" },
    { "a@x.org>", NULL, "\">\" without \"<\"" },
    { "g: a@x.org", NULL, "closing \";\"" },
    { "g: h: a@x.org;;", NULL, "group inside a group" },
    { "a@x.org; b@x.org", NULL, "expected \",\"" },
    { "a@x..org", NULL, "bad address" },
    { "a@-x.org", NULL, "bad address" },
    { "a@x.org)", NULL, "unexpected \")\"" },
    { "a\001b@x.org", NULL, "control character" },
    { "j\xc3\xb6rg@x.org", NULL, "bad address" },
    { "Name <a@x.org> <b@x.org>", NULL, "expected \",\"" },
};
/* clang-format on */

/* joined - the recipient list as "a | b" */
static const char *joined(const struct sendmail_rcpts *r, struct buf *b)
{
    size_t i;

    buf_reset(b);
    for (i = 0; i < r->n; i++)
        buf_printf(b, "%s%s", i ? " | " : "", r->v[i]);
    return buf_str(b);
}

/* test_address_lists - every list case, whole and with the input copied
 * into an exact-size buffer (no NUL after it) */
static void test_address_lists(void)
{
    struct buf *b = buf_create(256, 4096);
    size_t i;

    for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
        const struct list_case *c = &list_cases[i];
        struct sendmail_rcpts r = { 0 };
        const char *error = NULL;
        size_t len = strlen(c->in);
        char *copy = xmalloc(len); /* no NUL after it: ASan sees any overread */
        int rc;

        memcpy(copy, c->in, len);
        rc = sendmail_rcpts_add_list(&r, copy, len, &error);
        xfree(copy);

        if (c->want != NULL) {
            if (!EXPECT_INT(rc, 0))
                test_fail(__FILE__, __LINE__, "case \"%s\": %s", c->in, error);
            else
                EXPECT_STR(joined(&r, b), c->want);
        } else {
            if (!EXPECT_INT(rc, -1))
                test_fail(__FILE__, __LINE__, "case \"%s\" accepted", c->in);
            else
                EXPECT_CONTAINS(error, c->error);
        }
        sendmail_rcpts_free(&r);
    }
    buf_destroy(&b);
}

/* test_canon - single envelope addresses */
static void test_canon(void)
{
    char out[SMTP_PATH_MAX + 1];
    const char *error;

    EXPECT_INT(smtp_addr_canon("<Bob@Example.ORG>", 17, false, out, &error), 0);
    EXPECT_STR(out, "Bob@example.org");
    EXPECT_INT(smtp_addr_canon("bob", 3, false, out, &error), 0);
    EXPECT_STR(out, "bob");
    EXPECT_INT(smtp_addr_canon("<>", 2, true, out, &error), 0);
    EXPECT_STR(out, "");
    EXPECT_INT(smtp_addr_canon("", 0, true, out, &error), 0);
    EXPECT_INT(smtp_addr_canon("<>", 2, false, out, &error), -1);
    EXPECT_INT(smtp_addr_canon("a b@x.org", 9, false, out, &error), -1);
    EXPECT_INT(smtp_addr_canon("a@x.org\r\nRCPT", 13, false, out, &error), -1);
}

static const struct sendmail_hdr_cfg plain = { false, "me@x.org", "DATE", "<ID@h>" };
static const struct sendmail_hdr_cfg extract = { true, "me@x.org", "DATE", "<ID@h>" };
static const struct sendmail_hdr_cfg smtp = { false, NULL, NULL, NULL };

struct hdr_case {
    const char *in;
    const struct sendmail_hdr_cfg *cfg;
    const char *out;
    const char *rcpts;
};

/* clang-format off */
static const struct hdr_case hdr_cases[] = {
    { "", &plain, "From: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n", "" },
    { "Subject: x\r\n", &plain, "Subject: x\r\nFrom: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n", "" },
    { "from: a@b.c\r\nDATE: now\r\nmessage-id: <m@h>\r\n", &plain, "from: a@b.c\r\nDATE: now\r\nmessage-id: <m@h>\r\n\r\n", "" },
    { "From : a@b.c\r\nDate:x\r\nMessage-Id:<m@h>\r\n", &plain, "From : a@b.c\r\nDate:x\r\nMessage-Id:<m@h>\r\n\r\n", "" },
    { "To: a@x.org\r\nBcc: hidden@x.org,\r\n  other@x.org\r\nSubject: s\r\n", &plain,
      "To: a@x.org\r\nSubject: s\r\nFrom: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n", "" },
    { "To: a@x.org\r\nBcc: hidden@x.org,\r\n  other@x.org\r\nCC: c@x.org\r\nBCC:\r\n", &extract,
      "To: a@x.org\r\nCC: c@x.org\r\nFrom: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n",
      "a@x.org | hidden@x.org | other@x.org | c@x.org" },
    { "To: list: a@x.org;\r\nResent-To: r@x.org\r\nX-To: no@x.org\r\n", &extract,
      "To: list: a@x.org;\r\nResent-To: r@x.org\r\nX-To: no@x.org\r\nFrom: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n",
      "a@x.org" },
    { "Subject: s\r\nBcc: b@x.org\r\n", &smtp, "Subject: s\r\n\r\n", "" },
    { "", &smtp, "\r\n", "" },
    { "To: bad address here\r\n", &plain, "To: bad address here\r\nFrom: me@x.org\r\nDate: DATE\r\nMessage-ID: <ID@h>\r\n\r\n", "" },
};
/* clang-format on */

/* test_header_blocks - Bcc removal, extraction and added headers */
static void test_header_blocks(void)
{
    struct buf *out = buf_create(256, 65536), *b = buf_create(256, 4096);
    size_t i;

    for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
        const struct hdr_case *c = &hdr_cases[i];
        struct sendmail_rcpts r = { 0 };
        const char *error = NULL;

        buf_reset(out);
        if (!EXPECT_INT(sendmail_hdr_process(c->in, strlen(c->in), c->cfg, &r, out, &error), 0)) {
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, error);
        } else {
            EXPECT_STR(buf_str(out), c->out);
            EXPECT_STR(joined(&r, b), c->rcpts);
        }
        sendmail_rcpts_free(&r);
    }
    buf_destroy(&out);
    buf_destroy(&b);
}

/* test_header_errors - a bad address with -t names the header */
static void test_header_errors(void)
{
    struct buf *out = buf_create(256, 65536);
    struct sendmail_rcpts r = { 0 };
    const char *error = NULL;
    const char *in = "Subject: x\r\nCc: John Doe john@x.org\r\n";

    EXPECT_INT(sendmail_hdr_process(in, strlen(in), &extract, &r, out, &error), -1);
    EXPECT_CONTAINS(error, "Cc: header");
    EXPECT_CONTAINS(error, "words without");
    sendmail_rcpts_free(&r);
    buf_destroy(&out);
    out = buf_create(16, 20);
    EXPECT_INT(sendmail_hdr_process(in, strlen(in), &plain, &r, out, &error), -1);
    EXPECT_CONTAINS(error, "too big");
    buf_destroy(&out);
}

/* test_is_field - header field lines */
static void test_is_field(void)
{
    EXPECT_TRUE(sendmail_hdr_is_field("Subject: x", 10));
    EXPECT_TRUE(sendmail_hdr_is_field("X-A:", 4));
    EXPECT_TRUE(sendmail_hdr_is_field("Subject : x", 11));
    EXPECT_FALSE(sendmail_hdr_is_field(": x", 3));
    EXPECT_FALSE(sendmail_hdr_is_field(" a: x", 5));
    EXPECT_FALSE(sendmail_hdr_is_field("a b: x", 6));
    EXPECT_FALSE(sendmail_hdr_is_field("hello", 5));
    EXPECT_FALSE(sendmail_hdr_is_field("From x@y Mon", 12));
}

/* test_from_date_id - the values of added headers */
static void test_from_date_id(void)
{
    char date[MAIL_HEADER_DATE_MAX], id[SENDMAIL_MSGID_MAX], id2[SENDMAIL_MSGID_MAX];
    const char *error;
    char *s;

    s = sendmail_hdr_from("Ann Other", "ann@x.org");
    EXPECT_STR(s, "Ann Other <ann@x.org>");
    xfree(s);
    s = sendmail_hdr_from("Other, Ann \"Q\" Jr.", "ann@x.org");
    EXPECT_STR(s, "\"Other, Ann \\\"Q\\\" Jr.\" <ann@x.org>");
    xfree(s);
    s = sendmail_hdr_from("Evil\r\nBcc: x", "ann@x.org");
    EXPECT_STR(s, "\"Evil  Bcc: x\" <ann@x.org>");
    xfree(s);
    s = sendmail_hdr_from(NULL, "ann@x.org");
    EXPECT_STR(s, "ann@x.org");
    xfree(s);
    setenv("TZ", "UTC", 1);
    tzset();
    mail_header_date(date, 0);
    EXPECT_STR(date, "Thu, 01 Jan 1970 00:00:00 +0000");
    mail_header_date(date, 1795570690);
    EXPECT_STR(date, "Wed, 25 Nov 2026 01:38:10 +0000");
    EXPECT_INT(sendmail_hdr_message_id("host.example", 1795570690, id, &error), 0);
    EXPECT_INT(strlen(id), strlen("<20261125013810.0123456789abcdef@host.example>"));
    EXPECT_TRUE(strncmp(id, "<20261125013810.", 16) == 0);
    EXPECT_CONTAINS(id, "@host.example>");
    EXPECT_INT(sendmail_hdr_message_id("host.example", 1795570690, id2, &error), 0);
    EXPECT_TRUE(strcmp(id, id2) != 0);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_address_lists), TEST_CASE(test_canon), TEST_CASE(test_header_blocks),
        TEST_CASE(test_header_errors), TEST_CASE(test_is_field), TEST_CASE(test_from_date_id), TEST_END });
}
