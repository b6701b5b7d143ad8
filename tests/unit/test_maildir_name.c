/* SPDX-License-Identifier: MIT
 * test_maildir_name - Maildir file names: the Dovecot-style generator and
 * hostname escaping, uniqueness of 1,000 names, parse/format round trips
 * of our names and other MDAs' (Courier, Postfix), flag letters sorted and
 * deduplicated, the cur/ name with new flags, and every refusal with its
 * reason. Names are whole strings here (no streaming read path exists).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maildir/maildir_name.h"
#include "test.h"

struct good_case {
    const char *name;
    const char *base;
    long long size, vsize; /* -1: absent */
    const char *flags;     /* NULL: no ":2," */
    const char *formatted; /* the normal form */
};

static const struct good_case good_cases[] = {
    { "1700000000.M123P456Q1.host,S=100,W=102:2,FRS", "1700000000.M123P456Q1.host", 100, 102, "FRS",
      "1700000000.M123P456Q1.host,S=100,W=102:2,FRS" },
    { "1700000000.M123P456Q1.host", "1700000000.M123P456Q1.host", -1, -1, NULL,
      "1700000000.M123P456Q1.host" },
    { "1700000000.M1P2Q3.h,S=7:2,", "1700000000.M1P2Q3.h", 7, -1, "", "1700000000.M1P2Q3.h,S=7:2," },
    /* flags in any order and repeated come out sorted and once */
    { "1.2.host:2,SRF", "1.2.host", -1, -1, "FRS", "1.2.host:2,FRS" },
    { "x:2,SSa", "x", -1, -1, "Sa", "x:2,Sa" },
    { "x:2,zaTDDP", "x", -1, -1, "DPTaz", "x:2,DPTaz" },
    /* fields in either order come out S then W */
    { "x,W=5,S=4", "x", 4, 5, NULL, "x,S=4,W=5" },
    { "x,W=5", "x", -1, 5, NULL, "x,W=5" },
    { "x,S=0", "x", 0, -1, NULL, "x,S=0" },
    { "x,S=18446744073709551615", "x", -1, -1, NULL, "x,S=18446744073709551615" },
    /* Courier and Postfix names */
    { "1234.M5P6V7I8.mx.example.com,S=10:2,S", "1234.M5P6V7I8.mx.example.com", 10, -1, "S",
      "1234.M5P6V7I8.mx.example.com,S=10:2,S" },
    { "1234.V801I2M345.mx.example.com", "1234.V801I2M345.mx.example.com", -1, -1, NULL,
      "1234.V801I2M345.mx.example.com" },
    /* an escaped hostname */
    { "1.M1P1Q1.a\\057b\\072c", "1.M1P1Q1.a\\057b\\072c", -1, -1, NULL, "1.M1P1Q1.a\\057b\\072c" },
};

struct bad_case {
    const char *name;
    size_t len; /* 0: strlen */
    const char *error;
};

static const struct bad_case bad_cases[] = {
    { "", 0, "empty name" },
    { "a\0b", 3, "NUL byte in name" },
    { "a/b", 0, "'/' in name" },
    { "../x", 0, "'/' in name" },
    { "a b", 0, "space in name" },
    { "a\nb", 0, "control byte 0x0a in name" },
    { "a\r", 0, "control byte 0x0d in name" },
    { "a\x7f", 0, "control byte 0x7f in name" },
    { "a\xc3\xa9", 0, "non-ASCII byte 0xc3 in name" },
    { ".hidden", 0, "name starts with '.'" },
    { "..", 0, "name starts with '.'" },
    { ",S=1", 0, "empty base name" },
    { ":2,S", 0, "empty base name" },
    { "x,S=1,S=2", 0, "duplicate field \",S=\" in name" },
    { "x,W=1,W=2", 0, "duplicate field \",W=\" in name" },
    { "x,X=1", 0, "unknown field \",X=1\" in name" },
    { "x,", 0, "unknown field \",\" in name" },
    { "x,S", 0, "unknown field \",S\" in name" },
    { "x,,S=1", 0, "unknown field \",\" in name" },
    { "x,S=", 0, "invalid number in field \",S=\"" },
    { "x,S=01", 0, "invalid number in field \",S=\"" },
    { "x,W=-1", 0, "invalid number in field \",W=\"" },
    { "x,S=1a", 0, "invalid number in field \",S=\"" },
    { "x,S=18446744073709551616", 0, "invalid number in field \",S=\"" },
    { "x,S=123456789012345678901", 0, "invalid number in field \",S=\"" },
    { "x:1,foo", 0, "experimental info \":1,\" is not supported" },
    { "x:2", 0, "malformed info (want \":2,FLAGS\")" },
    { "x:", 0, "malformed info (want \":2,FLAGS\")" },
    { "x:3,S", 0, "malformed info (want \":2,FLAGS\")" },
    { "x:2,SX", 0, "unknown flag 'X'" },
    { "x:2,S:", 0, "unknown flag ':'" },
    { "x:2,S,", 0, "unknown flag ','" },
    { "x:2,1", 0, "unknown flag '1'" },
    { "x:2,A", 0, "unknown flag 'A'" },
};

/* test_good - every good name parses to its parts and formats normally */
static void test_good(void)
{
    size_t i;

    for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
        const struct good_case *c = &good_cases[i];
        struct maildir_name n, again;
        char out[MAILDIR_NAME_MAX + 1], flags[MAILDIR_FLAGS_MAX + 1];
        const char *error = NULL;

        if (!EXPECT_INT(maildir_name_parse(c->name, strlen(c->name), &n, &error), 0)) {
            EXPECT_STR(error, "(none)");
            continue;
        }
        EXPECT_STR(n.base, c->base);
        EXPECT_INT(n.has_size, c->size >= 0 || strstr(c->name, ",S=") != NULL);
        if (c->size >= 0)
            EXPECT_INT(n.size, c->size);
        EXPECT_INT(n.has_vsize, c->vsize >= 0);
        if (c->vsize >= 0)
            EXPECT_INT(n.vsize, c->vsize);
        EXPECT_INT(n.has_info, c->flags != NULL);
        maildir_flags_format(n.flags, flags);
        EXPECT_STR(flags, c->flags != NULL ? c->flags : "");
        EXPECT_INT(maildir_name_format(&n, out, sizeof(out), &error), 0);
        EXPECT_STR(out, c->formatted);
        /* the normal form parses to the same name */
        EXPECT_INT(maildir_name_parse(out, strlen(out), &again, &error), 0);
        EXPECT_MEM(&again, sizeof(again), &n, sizeof(n));
    }
}

/* test_bad - every refusal with its reason */
static void test_bad(void)
{
    size_t i;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct maildir_name n;
        const char *error = NULL;
        size_t len = c->len != 0 ? c->len : strlen(c->name);

        EXPECT_INT(maildir_name_parse(c->name, len, &n, &error), -1);
        EXPECT_STR(error, c->error);
    }
}

/* test_length - 255 bytes are fine, 256 are not, also when formatting */
static void test_length(void)
{
    char name[300], out[400];
    struct maildir_name n;
    const char *error = NULL;

    memset(name, 'a', sizeof(name));
    EXPECT_INT(maildir_name_parse(name, 255, &n, &error), 0);
    EXPECT_INT(maildir_name_parse(name, 256, &n, &error), -1);
    EXPECT_STR(error, "name longer than 255 bytes");
    /* a base that fits, and fields that push it over */
    memset(&n, 0, sizeof(n));
    memset(n.base, 'b', 250);
    n.has_size = true;
    n.size = 123456;
    EXPECT_INT(maildir_name_format(&n, out, sizeof(out), &error), -1);
    EXPECT_STR(error, "name longer than 255 bytes");
    /* and a buffer too small */
    n.has_size = false;
    EXPECT_INT(maildir_name_format(&n, out, 100, &error), -1);
    /* a built base with a separator in it is not formatted */
    snprintf(n.base, sizeof(n.base), "a:2,S");
    EXPECT_INT(maildir_name_format(&n, out, sizeof(out), &error), -1);
    EXPECT_STR(error, "invalid base name");
    snprintf(n.base, sizeof(n.base), ".x");
    EXPECT_INT(maildir_name_format(&n, out, sizeof(out), &error), -1);
}

/* test_flags - parse any order, format sorted and once */
static void test_flags(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "", "" },          { "TSRPFD", "DFPRST" },
        { "zyxSS", "Sxyz" }, { "abcz", "abcz" },
        { "SaSaS", "Sa" },   { "Dzyxwvutsrqponmlkjihgfedcba", "Dabcdefghijklmnopqrstuvwxyz" },
    };
    char out[MAILDIR_FLAGS_MAX + 1];
    const char *error = NULL;
    uint32_t flags;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        EXPECT_INT(maildir_flags_parse(cases[i].in, strlen(cases[i].in), &flags, &error), 0);
        EXPECT_INT(maildir_flags_format(flags, out), strlen(cases[i].out));
        EXPECT_STR(out, cases[i].out);
    }
    EXPECT_INT(maildir_flags_parse("FS", 2, &flags, &error), 0);
    EXPECT_INT(flags, MAILDIR_FLAG_FLAGGED | MAILDIR_FLAG_SEEN);
    EXPECT_INT(maildir_flags_parse("Sb", 2, &flags, &error), 0);
    EXPECT_INT(flags, MAILDIR_FLAG_SEEN | MAILDIR_FLAG_KEYWORD('b'));
    /* every flag at once fits the buffer */
    EXPECT_INT(maildir_flags_format(0xffffffffu, out), MAILDIR_FLAGS_MAX);
    EXPECT_STR(out, "DFPRSTabcdefghijklmnopqrstuvwxyz");
    EXPECT_INT(maildir_flags_parse("S\001", 2, &flags, &error), -1);
    EXPECT_STR(error, "unknown flag 0x01");
}

/* test_set_flags - the cur/ name of a message with new flags */
static void test_set_flags(void)
{
    char out[MAILDIR_NAME_MAX + 1];
    const char *error = NULL;

    EXPECT_INT(maildir_name_set_flags("1.M2P3Q4.h,S=5,W=6", MAILDIR_FLAG_SEEN | MAILDIR_FLAG_FLAGGED, out,
                                      sizeof(out), &error),
               0);
    EXPECT_STR(out, "1.M2P3Q4.h,S=5,W=6:2,FS");
    EXPECT_INT(maildir_name_set_flags("1.M2P3Q4.h,S=5:2,FS", MAILDIR_FLAG_REPLIED | MAILDIR_FLAG_KEYWORD('c'),
                                      out, sizeof(out), &error),
               0);
    EXPECT_STR(out, "1.M2P3Q4.h,S=5:2,Rc");
    EXPECT_INT(maildir_name_set_flags("x:2,S", 0, out, sizeof(out), &error), 0);
    EXPECT_STR(out, "x:2,");
    EXPECT_INT(maildir_name_set_flags("x/y", 0, out, sizeof(out), &error), -1);
    EXPECT_STR(error, "'/' in name");
}

/* test_generate - the exact form, hostname escaping and its limits */
static void test_generate(void)
{
    char out[MAILDIR_NAME_MAX + 1], host[64];
    const char *error = NULL;

    EXPECT_INT(maildir_name_format_base(out, sizeof(out), 1700000000, 123456, 4242, 7, "mx.example", &error),
               0);
    EXPECT_STR(out, "1700000000.M123456P4242Q7.mx.example");
    EXPECT_INT(maildir_host_sanitise("a/b:c,d e", host, sizeof(host)), 0);
    EXPECT_STR(host, "a\\057b\\072c\\054d\\040e");
    EXPECT_INT(maildir_host_sanitise("\001\377", host, sizeof(host)), 0);
    EXPECT_STR(host, "\\001\\377");
    EXPECT_INT(maildir_host_sanitise("", host, sizeof(host)), 0);
    EXPECT_STR(host, "localhost");
    EXPECT_INT(maildir_host_sanitise("/////", host, 8), -1);
    memset(host, 'h', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    EXPECT_INT(maildir_name_format_base(out, 40, 1, 2, 3, 4, host, &error), -1);
    EXPECT_CONTAINS(error, "maildir name too long");
}

/* test_unique - 1,000 new names in a row are distinct, parse, and carry
 * this pid and a counter that only grows */
static void test_unique(void)
{
    enum { N = 1000 };
    static char names[N][MAILDIR_NAME_MAX + 1];
    unsigned long long last = 0;
    const char *error = NULL;
    size_t i, j, dups = 0;

    for (i = 0; i < N; i++) {
        struct maildir_name n;
        long long sec;
        long usec, pid;
        unsigned long long q;

        EXPECT_INT(maildir_name_new(names[i], sizeof(names[i]), &error), 0);
        EXPECT_INT(maildir_name_parse(names[i], strlen(names[i]), &n, &error), 0);
        EXPECT_STR(n.base, names[i]);
        if (EXPECT_INT(sscanf(names[i], "%lld.M%ldP%ldQ%llu.", &sec, &usec, &pid, &q), 4)) {
            EXPECT_INT(pid, getpid());
            EXPECT_TRUE(q > last);
            EXPECT_TRUE(usec >= 0 && usec < 1000000);
            last = q;
        }
    }
    for (i = 0; i < N; i++)
        for (j = i + 1; j < N; j++)
            dups += strcmp(names[i], names[j]) == 0;
    EXPECT_INT(dups, 0);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_good),
        TEST_CASE(test_bad),
        TEST_CASE(test_length),
        TEST_CASE(test_flags),
        TEST_CASE(test_set_flags),
        TEST_CASE(test_generate),
        TEST_CASE(test_unique),
        TEST_END,
    });
}
