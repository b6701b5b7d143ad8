/* SPDX-License-Identifier: MIT
 * test_smtp_addr - RFC 5321 paths: canonical forms, the flags the relay
 * check reads, every limit, SMTPUTF8, address literals, and the hostile
 * inputs of THREATS.md b.2 (#13, #14, #15, #18, #21) with exact errors.
 *
 * The parser works on a complete argument, so there is no stream to
 * trickle; test_canonical_again shows every canonical form parses again
 * to itself (the property fuzz_smtp_path also checks).
 */
#include <stdio.h>
#include <string.h>

#include "smtp/smtp_addr.h"
#include "test.h"

#define REV SMTP_ADDR_REVERSE
#define U8 SMTP_ADDR_UTF8
#define PM SMTP_ADDR_POSTMASTER
#define NB SMTP_ADDR_NO_BRACKETS

/* expected flags: N null, R source route, P routing chars, Q quoted,
 * M postmaster, L literal, 8 UTF-8 */
struct addr_case {
    const char *in;
    unsigned flags;
    const char *addr;  /* canonical, or NULL for an error */
    const char *want;  /* flag letters, or the error text */
    const char *ecode; /* for errors */
    const char *rest;  /* the parameters left after the path */
};

/* clang-format off */
static const struct addr_case cases[] = {
    { "<a@b.example>", 0, "a@b.example", "", NULL, "" },
    { "<User.Name+tag@Mail.EXAMPLE.org> SIZE=10", REV, "User.Name+tag@mail.example.org", "", NULL, "SIZE=10" },
    { "<>", REV, "", "N", NULL, "" },
    { "<>  BODY=8BITMIME", REV, "", "N", NULL, "BODY=8BITMIME" },
    { "<>", 0, NULL, "null address not allowed here", "5.1.3", NULL },
    { "<@hosta.int,@jkl.org:userc@d.bar.org>", 0, "userc@d.bar.org", "R", NULL, "" },
    { "<@our.example:victim@ext.org>", 0, "victim@ext.org", "R", NULL, "" },
    { "<victim%ext.org@our.example>", 0, "victim%ext.org@our.example", "P", NULL, "" },
    { "<ext.org!victim@our.example>", 0, "ext.org!victim@our.example", "P", NULL, "" },
    { "<\"victim@ext.org\"@our.example>", 0, "\"victim@ext.org\"@our.example", "PQ", NULL, "" },
    { "<victim@ext.org@our.example>", 0, NULL, "invalid character in domain", "5.1.3", NULL },
    { "<\"abc\"@x.example>", 0, "abc@x.example", "Q", NULL, "" },
    { "<\"a b\"@x.example>", 0, "\"a b\"@x.example", "Q", NULL, "" },
    { "<\"a\\\"b\\\\c\"@x>", 0, "\"a\\\"b\\\\c\"@x", "Q", NULL, "" },
    { "<\"\\a\\.b\"@x>", 0, "a.b@x", "Q", NULL, "" },
    { "<\"a.\"@x>", 0, "\"a.\"@x", "Q", NULL, "" },
    { "<\"\"@example.com>", 0, "\"\"@example.com", "Q", NULL, "" },
    { "<\"\\\"@example.com>", 0, NULL, "unterminated quoted local part", "5.1.3", NULL },
    { "<\"a\r\"@x>", 0, NULL, "control character in address", "5.1.3", NULL },
    { "<\"a\\\r\"@x>", 0, NULL, "invalid quoted-pair in local part", "5.1.3", NULL },
    { "<@>", REV, NULL, "empty or invalid label in domain", "5.1.7", NULL },
    { "< @bleh>", REV, NULL, "invalid character in local part", "5.1.7", NULL },
    { "<;sleep 66;>", REV, NULL, "invalid character in local part", "5.1.7", NULL },
    { "<root>", REV, NULL, "address has no domain", "5.1.7", NULL },
    { "<Postmaster>", PM, "postmaster", "M", NULL, "" },
    { "<Postmaster>", 0, NULL, "address has no domain", "5.1.3", NULL },
    { "<postmaster@Example.COM>", PM, "postmaster@example.com", "", NULL, "" },
    { "<\"postmaster\">", PM, NULL, "address has no domain", "5.1.3", NULL },
    { "<${run{\\x2Fbin\\x2Fsh\\t-c\\t\\x22id\\x22}}@localhost>", 0, NULL, "invalid character in local part",
      "5.1.3", NULL },
    { "<a..b@x>", 0, NULL, "misplaced \".\" in local part", "5.1.3", NULL },
    { "<.a@x>", 0, NULL, "invalid character in local part", "5.1.3", NULL },
    { "<a.@x>", 0, NULL, "misplaced \".\" in local part", "5.1.3", NULL },
    { "<a@-x.example>", 0, NULL, "domain label starts or ends with \"-\"", "5.1.3", NULL },
    { "<a@x-.example>", 0, NULL, "domain label starts or ends with \"-\"", "5.1.3", NULL },
    { "<a@x..example>", 0, NULL, "empty or invalid label in domain", "5.1.3", NULL },
    { "<a@x.example.>", 0, NULL, "empty or invalid label in domain", "5.1.3", NULL },
    { "<a@x_y.example>", 0, NULL, "invalid character in domain", "5.1.3", NULL },
    { "<a@x-y.3com.example>", 0, "a@x-y.3com.example", "", NULL, "" },
    { "<a@[192.0.2.1]>", 0, "a@[192.0.2.1]", "L", NULL, "" },
    { "<a@[ipv6:2001:DB8:0:0::1]>", 0, "a@[IPv6:2001:db8::1]", "L", NULL, "" },
    { "<a@[IPv6:::ffff:192.0.2.1]>", 0, "a@[IPv6:::ffff:192.0.2.1]", "L", NULL, "" },
    { "<a@[192.0.2.256]>", 0, NULL, "invalid IPv4 address literal", "5.1.3", NULL },
    { "<a@[IPv6:2001:db8::g]>", 0, NULL, "invalid IPv6 address literal", "5.1.3", NULL },
    { "<a@[x400:c=us]>", 0, NULL, "general address literals are not supported", "5.1.3", NULL },
    { "<a@[192.0.2.1>", 0, NULL, "unterminated address literal", "5.1.3", NULL },
    { "<a@b", 0, NULL, "missing \">\" after address", "5.1.3", NULL },
    { "<a@b>x", 0, NULL, "text after \">\"", "5.1.3", NULL },
    { "a@b", 0, NULL, "address must be enclosed in \"<\" and \">\"", "5.1.3", NULL },
    { "a@B SIZE=1", NB, "a@b", "", NULL, "SIZE=1" },
    { "", REV, NULL, "missing address", "5.1.7", NULL },
    { "<a@b\r>", 0, NULL, "control character in address", "5.1.3", NULL },
    { "<a\x01@b>", 0, NULL, "control character in address", "5.1.3", NULL },
    { "<@a,b:c@d>", 0, NULL, "invalid source route", "5.1.3", NULL },
    { "<@a:b:c@d>", 0, NULL, "invalid character in local part", "5.1.3", NULL },
    /* SMTPUTF8 */
    { "<j\xc3\xb6rg@b\xc3\xbc" "cher.example>", U8, "j\xc3\xb6rg@b\xc3\xbc" "cher.example", "8", NULL, "" },
    { "<j\xc3\xb6rg@b.example>", 0, NULL, "non-ASCII character in address without SMTPUTF8", "5.6.7", NULL },
    { "<\xc3@x>", U8, NULL, "invalid UTF-8 in address", "5.1.3", NULL },
    { "<\xc0\xaf@x>", U8, NULL, "invalid UTF-8 in address", "5.1.3", NULL },
    { "<\xed\xa0\x80@x>", U8, NULL, "invalid UTF-8 in address", "5.1.3", NULL },
    { "<\xf4\x90\x80\x80@x>", U8, NULL, "invalid UTF-8 in address", "5.1.3", NULL },
    { "<\"\xe2\x82\xac \"@x>", U8, "\"\xe2\x82\xac \"@x", "Q8", NULL, "" },
    { "<a@\xff>", U8, NULL, "invalid UTF-8 in address", "5.1.3", NULL },
};
/* clang-format on */

/* flag_letters - the flags of a result as letters */
static void flag_letters(const struct smtp_addr *a, char *out)
{
    if (a->is_null)
        *out++ = 'N';
    if (a->had_source_route)
        *out++ = 'R';
    if (a->local_routing)
        *out++ = 'P';
    if (a->local_quoted)
        *out++ = 'Q';
    if (a->is_postmaster)
        *out++ = 'M';
    if (a->domain_literal)
        *out++ = 'L';
    if (a->has_utf8)
        *out++ = '8';
    *out = 0;
}

/* test_cases - the table */
static void test_cases(void)
{
    size_t i, end;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct addr_case *c = &cases[i];
        struct smtp_addr a;
        const char *error = NULL;
        char letters[16];
        int ret = smtp_addr_parse(c->in, strlen(c->in), c->flags, &a, &end, &error);

        if (c->addr == NULL) {
            if (!EXPECT_INT(ret, -1))
                test_fail(__FILE__, __LINE__, "\"%s\" gave \"%s\"", c->in, a.addr);
            else
                EXPECT_STR(error, c->want);
            EXPECT_STR(a.ecode, c->ecode);
            continue;
        }
        if (!EXPECT_INT(ret, 0)) {
            test_fail(__FILE__, __LINE__, "\"%s\": %s", c->in, error);
            continue;
        }
        EXPECT_STR(a.addr, c->addr);
        EXPECT_INT(a.addr_len, strlen(c->addr));
        flag_letters(&a, letters);
        EXPECT_STR(letters, c->want);
        EXPECT_STR(c->in + end, c->rest);
    }
}

/* test_canonical_again - "<canonical>" parses to the same canonical form */
static void test_canonical_again(void)
{
    char buf[SMTP_PATH_MAX + 3];
    size_t i, end;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct smtp_addr a, b;
        const char *error;

        if (smtp_addr_parse(cases[i].in, strlen(cases[i].in), cases[i].flags, &a, &end, &error) < 0)
            continue;
        buf[0] = '<';
        memcpy(buf + 1, a.addr, a.addr_len);
        buf[a.addr_len + 1] = '>';
        EXPECT_INT(smtp_addr_parse(buf, a.addr_len + 2, cases[i].flags, &b, &end, &error), 0);
        EXPECT_STR(b.addr, a.addr);
    }
}

/* fill - s of n copies of c */
static void fill(char *s, char c, size_t n)
{
    memset(s, c, n);
    s[n] = 0;
}

/* test_limits - 64 / 255 / 256 octets and 63-octet labels */
static void test_limits(void)
{
    char local[80], in[600], label[80];
    struct smtp_addr a;
    const char *error;
    size_t end;
    int n;

    fill(local, 'l', 64);
    n = snprintf(in, sizeof(in), "<%s@x>", local);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), 0);
    fill(local, 'l', 65);
    n = snprintf(in, sizeof(in), "<%s@x>", local);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), -1);
    EXPECT_STR(error, "local part longer than 64 octets");
    n = snprintf(
        in, sizeof(in), "<\"%s\"@x>",
        "\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a");
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), -1);
    EXPECT_STR(error, "local part longer than 64 octets");
    fill(label, 'd', 63);
    n = snprintf(in, sizeof(in), "<a@%s.x>", label);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), 0);
    fill(label, 'd', 64);
    n = snprintf(in, sizeof(in), "<a@%s.x>", label);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), -1);
    EXPECT_STR(error, "domain label longer than 63 octets");
    fill(label, 'd', 63);
    /* 5 * 64 - 1 octets of domain: over 255 */
    n = snprintf(in, sizeof(in), "<a@%s.%s.%s.%s.%s>", label, label, label, label, label);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), -1);
    EXPECT_STR(error, "domain longer than 255 octets");
    /* 64 + 1 + 191 = 256 octets of mailbox: path with brackets is 258 */
    fill(local, 'l', 64);
    n = snprintf(in, sizeof(in), "<%s@%s.%s.%.63s>", local, label, label, label);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), -1);
    EXPECT_STR(error, "address longer than 256 octets");
    n = snprintf(in, sizeof(in), "<%s@%s.%s.%.61s>", local, label, label, label);
    EXPECT_INT(n, 256);
    EXPECT_INT(smtp_addr_parse(in, (size_t)n, 0, &a, &end, &error), 0);
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_cases), TEST_CASE(test_canonical_again),
                                                TEST_CASE(test_limits), TEST_END });
}
