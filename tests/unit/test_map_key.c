/* SPDX-License-Identifier: MIT
 * test_map_key - key canonicalisation (case folding, trailing dots, refused
 * bytes, limits, every error exactly), the stated no-collision guarantee on
 * near-miss pairs, and the lookup order with recipient delimiters.
 */
#include <stdio.h>
#include <string.h>

#include "map/map_key.h"
#include "test.h"

struct canon_case {
    const char *in;
    enum map_key_kind kind;
    const char *want; /* NULL: refused */
    const char *error;
};

static const struct canon_case canon_cases[] = {
    { "User@Example.COM", MAP_KEY_ADDRESS, "user@example.com", NULL },
    { "user@example.com.", MAP_KEY_ADDRESS, "user@example.com", NULL },
    { "@Example.com", MAP_KEY_ADDRESS, "@example.com", NULL },
    { "A.B+X@d", MAP_KEY_ADDRESS, "a.b+x@d", NULL },
    { "j\xc3\xb6rg@Example.org", MAP_KEY_ADDRESS, "j\xc3\xb6rg@example.org", NULL },
    { "user@[192.0.2.1]", MAP_KEY_ADDRESS, "user@[192.0.2.1]", NULL },
    { "Example.COM.", MAP_KEY_DOMAIN, "example.com", NULL },
    { "LOCALHOST", MAP_KEY_DOMAIN, "localhost", NULL },
    { "Postmaster", MAP_KEY_LOCAL, "postmaster", NULL },
    { "a.", MAP_KEY_LOCAL, "a.", NULL },
    { "a:b", MAP_KEY_LOCAL, "a:b", NULL },
    { "Info@X.org", MAP_KEY_ANY, "info@x.org", NULL },
    { "X.org.", MAP_KEY_ANY, "x.org", NULL },
    { "", MAP_KEY_ANY, NULL, "empty key" },
    { "a b@x", MAP_KEY_ADDRESS, NULL, "invalid key \"a b@x\": contains white space" },
    { "a\tb", MAP_KEY_LOCAL, NULL, "invalid key \"a\\x09b\": contains white space" },
    { "a\rb@x", MAP_KEY_ADDRESS, NULL, "invalid key \"a\\x0db@x\": contains a control character" },
    { "a\x7f@x", MAP_KEY_ADDRESS, NULL, "invalid key \"a\\x7f@x\": contains a control character" },
    { "\"a\"@x", MAP_KEY_ADDRESS, NULL,
      "invalid key \"\\x22a\\x22@x\": contains a quote or backslash (give the address unquoted)" },
    { "a\\b@x", MAP_KEY_ADDRESS, NULL,
      "invalid key \"a\\x5cb@x\": contains a quote or backslash (give the address unquoted)" },
    { "user", MAP_KEY_ADDRESS, NULL, "invalid key \"user\": has no \"@\" (want local@domain or @domain)" },
    { "user@", MAP_KEY_ADDRESS, NULL, "invalid key \"user@\": has an empty domain" },
    { "user@.", MAP_KEY_ADDRESS, NULL, "invalid key \"user@.\": has an empty domain" },
    { "@", MAP_KEY_ADDRESS, NULL, "invalid key \"@\": has an empty domain" },
    { "a@b@c", MAP_KEY_ADDRESS, NULL, "invalid key \"a@b@c\": contains more than one \"@\"" },
    { "a@b..c", MAP_KEY_ADDRESS, NULL, "invalid key \"a@b..c\": has an empty domain label" },
    { "a@.b", MAP_KEY_ADDRESS, NULL, "invalid key \"a@.b\": has an empty domain label" },
    { "a@b..", MAP_KEY_ADDRESS, NULL, "invalid key \"a@b..\": has an empty domain label" },
    { "x..", MAP_KEY_DOMAIN, NULL, "invalid key \"x..\": has an empty domain label" },
    { "a@b", MAP_KEY_DOMAIN, NULL, "invalid key \"a@b\": contains \"@\" (a domain has no local part)" },
    { "a@@b", MAP_KEY_ANY, NULL, "invalid key \"a@@b\": contains more than one \"@\"" },
    { "a@b", MAP_KEY_LOCAL, NULL, "invalid key \"a@b\": contains \"@\" (a local name has no domain)" },
};

/* test_canon - every case of the table, and idempotence of each result */
static void test_canon(void)
{
    size_t i;

    for (i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
        const struct canon_case *c = &canon_cases[i];
        char out[MAP_KEY_MAX + 1], again[MAP_KEY_MAX + 1];
        const char *error = NULL;
        int ret = map_key_canon(c->in, strlen(c->in), c->kind, out, &error);

        if (c->want == NULL) {
            EXPECT_INT(ret, -1);
            EXPECT_STR(error, c->error);
            continue;
        }
        if (!EXPECT_INT(ret, 0))
            continue;
        EXPECT_STR(out, c->want);
        EXPECT_INT(map_key_canon(out, strlen(out), c->kind, again, &error), 0);
        EXPECT_STR(again, out);
    }
}

/* test_nul_and_length - NUL inside the length, and the 511-byte limit */
static void test_nul_and_length(void)
{
    char in[600], out[MAP_KEY_MAX + 1];
    const char *error;

    EXPECT_INT(map_key_canon("a\0b@x", 5, MAP_KEY_ADDRESS, out, &error), -1);
    EXPECT_STR(error, "invalid key \"a\\x00b@x\": contains a NUL byte");
    memset(in, 'A', sizeof(in));
    memcpy(in + MAP_KEY_MAX - 2, "@x", 2);
    EXPECT_INT(map_key_canon(in, MAP_KEY_MAX, MAP_KEY_ADDRESS, out, &error), 0);
    EXPECT_INT(strlen(out), MAP_KEY_MAX);
    EXPECT_INT(map_key_canon(in, MAP_KEY_MAX + 1, MAP_KEY_DOMAIN, out, &error), -1);
    EXPECT_CONTAINS(error, "is longer than 511 bytes");
    /* a trailing dot brings a 512-byte input under the limit only after
     * removal; the length limit applies to the input as given */
    in[MAP_KEY_MAX] = '.';
    EXPECT_INT(map_key_canon(in, MAP_KEY_MAX + 1, MAP_KEY_ADDRESS, out, &error), -1);
}

/* test_no_collision - inputs that differ other than by ASCII case or the
 * domain's trailing dot give different keys */
static void test_no_collision(void)
{
    static const char *const pairs[][2] = {
        { "a@x", "b@x" },         { "a@x.", "a@x.y" },
        { "ab@x", "a@bx" },       { "@x", "x" },
        { "a@x", "a@xx" },        { "\xc3\x84@x", "\xc3\xa4@x" },
        { "user+a@x", "user@x" }, { "a.b@x", "ab@x" },
        { "[a]@x", "a@x" },
    };
    size_t i;

    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char a[MAP_KEY_MAX + 1], b[MAP_KEY_MAX + 1];

        EXPECT_INT(map_key_canon(pairs[i][0], strlen(pairs[i][0]), MAP_KEY_ANY, a, NULL), 0);
        EXPECT_INT(map_key_canon(pairs[i][1], strlen(pairs[i][1]), MAP_KEY_ANY, b, NULL), 0);
        if (strcmp(a, b) == 0)
            test_fail(__FILE__, __LINE__, "\"%s\" and \"%s\" collide as \"%s\"", pairs[i][0], pairs[i][1], a);
    }
}

struct cand_case {
    const char *addr;
    const char *delims;
    const char *keys[3];
    const char *ext; /* NULL: none */
};

static const struct cand_case cand_cases[] = {
    { "User+Box@Example.com", "+", { "user+box@example.com", "user@example.com", "@example.com" }, "Box" },
    { "user@example.com", "+", { "user@example.com", "@example.com", NULL }, NULL },
    { "user+a+b@x", "+", { "user+a+b@x", "user@x", "@x" }, "a+b" },
    { "user-a+b@x", "+-", { "user-a+b@x", "user@x", "@x" }, "a+b" },
    { "user+@x", "+", { "user+@x", "user@x", "@x" }, "" },
    { "+user@x", "+", { "+user@x", "@x", NULL }, NULL },
    { "user+box@x", NULL, { "user+box@x", "@x", NULL }, NULL },
    { "user+box@x", "", { "user+box@x", "@x", NULL }, NULL },
    { "user+box@x", "-", { "user+box@x", "@x", NULL }, NULL },
    { "@x.", "+", { "@x", NULL, NULL }, NULL },
    { "a+b@C.Org.", "+", { "a+b@c.org", "a@c.org", "@c.org" }, "b" },
};

/* test_candidates - lookup order and extensions */
static void test_candidates(void)
{
    size_t i, j;

    for (i = 0; i < sizeof(cand_cases) / sizeof(cand_cases[0]); i++) {
        const struct cand_case *c = &cand_cases[i];
        struct map_key_candidates cand;
        size_t want = 0;

        if (!EXPECT_INT(map_key_candidates(c->addr, strlen(c->addr), c->delims, &cand, NULL), 0))
            continue;
        while (want < 3 && c->keys[want] != NULL)
            want++;
        if (!EXPECT_INT(cand.count, want))
            continue;
        for (j = 0; j < want; j++)
            EXPECT_STR(cand.key[j], c->keys[j]);
        EXPECT_INT(cand.has_ext, c->ext != NULL);
        EXPECT_STR(cand.ext, c->ext != NULL ? c->ext : "");
    }
}

/* test_candidates_errors - an invalid address gives the canon error */
static void test_candidates_errors(void)
{
    struct map_key_candidates cand;
    const char *error;

    EXPECT_INT(map_key_candidates("user", 4, "+", &cand, &error), -1);
    EXPECT_STR(error, "invalid key \"user\": has no \"@\" (want local@domain or @domain)");
    EXPECT_INT(map_key_candidates("a b@x", 5, "+", &cand, &error), -1);
    EXPECT_STR(error, "invalid key \"a b@x\": contains white space");
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_canon),
        TEST_CASE(test_nul_and_length),
        TEST_CASE(test_no_collision),
        TEST_CASE(test_candidates),
        TEST_CASE(test_candidates_errors),
        TEST_END,
    });
}
