/* SPDX-License-Identifier: MIT
 * test_smtpd_policy - mynetworks matching (IPv4, IPv6, IPv4-mapped, bad
 * entries), recipient decisions against real temporary LMDB maps, every
 * relay trick of THREATS.md b.2 #17-#18 and the path tricks of b.6
 * #47-#49, map failures as 451 4.3.0, never "unknown user", and the
 * mydestination domains decided by alias_maps maps alone.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "map/map.h"
#include "smtp/smtp_addr.h"
#include "smtpd_policy.h"
#include "test.h"

/* test_networks_match - a table of lists, addresses and answers */
static void test_networks_match(void)
{
    static const struct {
        const char *list, *addr;
        bool want;
    } cases[] = {
        { "127.0.0.0/8 [::1]/128", "127.0.0.1", true },
        { "127.0.0.0/8 [::1]/128", "127.255.1.2", true },
        { "127.0.0.0/8 [::1]/128", "128.0.0.1", false },
        { "127.0.0.0/8 [::1]/128", "::1", true },
        { "127.0.0.0/8 [::1]/128", "::2", false },
        { "127.0.0.0/8 [::1]/128", "::ffff:127.0.0.1", true },
        { "127.0.0.0/8 [::1]/128", "::ffff:10.0.0.1", false },
        { "10.0.0.0/8, 192.168.1.0/24", "192.168.1.77", true },
        { "10.0.0.0/8, 192.168.1.0/24", "192.168.2.1", false },
        { "192.168.1.128/25", "192.168.1.127", false },
        { "192.168.1.128/25", "192.168.1.128", true },
        { "192.0.2.1", "192.0.2.1", true },
        { "192.0.2.1", "192.0.2.2", false },
        { "2001:db8::/32", "2001:db8:1::5", true },
        { "2001:db8::/32", "2001:db9::1", false },
        { "[2001:db8::]/33", "2001:db8:8000::1", false },
        { "[2001:db8::]/33", "2001:db8:7fff::1", true },
        { "0.0.0.0/0", "203.0.113.9", true },
        { "0.0.0.0/0", "2001:db8::1", false },
        { "::/0", "2001:db8::1", true },
        { "", "127.0.0.1", false },
        { "127.0.0.0/8", "unknown", false },
        { "127.0.0.0/8", "", false },
    };
    struct smtpd_networks nets;
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!EXPECT_INT(smtpd_networks_parse(cases[i].list, &nets, &error), 0))
            continue;
        if (!EXPECT_INT(smtpd_networks_match_text(&nets, cases[i].addr), cases[i].want))
            fprintf(stderr, "  case %zu: %s in \"%s\"\n", i, cases[i].addr, cases[i].list);
    }
}

/* test_networks_bad - a bad entry refuses the whole list (trusts nothing) */
static void test_networks_bad(void)
{
    static const char *const bad[] = {
        "10.0.0.0/33", "1.2.3",      "::1/129",     "abc", "10.0.0.0/", "10.0.0.0/8x",  "[::1",
        "1.2.3.4/-1",  "1.2.3.4/ 8", "127.0.0.1 x", "/8",  "[]/8",      "1.2.3.4/0008",
    };
    struct smtpd_networks nets;
    const char *error = NULL;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (!EXPECT_INT(smtpd_networks_parse(bad[i], &nets, &error), -1))
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        EXPECT_INT(nets.count, 0);
        EXPECT_FALSE(smtpd_networks_match_text(&nets, "127.0.0.1"));
    }
    EXPECT_INT(smtpd_networks_parse("10.0.0.0/33", &nets, &error), -1);
    EXPECT_CONTAINS(error, "10.0.0.0/33");
}

static struct smtpd_maps *maps;
static struct smtpd_networks nets;
static struct smtpd_policy pol;

/* put - one entry into a map file */
static void put(const char *path, const char *key, const char *value)
{
    struct map *m = NULL;
    const char *error;

    if (!EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0))
        return;
    EXPECT_INT(map_put(m, key, value, &error), 0);
    map_close(&m);
}

/* setup - maps in a temporary data directory */
static void setup(void)
{
    char dir[512], path[600];
    const char *error;

    if (maps != NULL)
        return;
    snprintf(dir, sizeof(dir), "%s/data", test_tmpdir());
    mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/maps", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/maps/domains", dir);
    put(path, "example.test", "virtual");
    put(path, "catch.test", "virtual");
    snprintf(path, sizeof(path), "%s/maps/mailboxes", dir);
    put(path, "alice@example.test", "example.test/alice/");
    snprintf(path, sizeof(path), "%s/maps/aliases", dir);
    put(path, "sales@example.test", "alice@example.test");
    put(path, "@catch.test", "alice@example.test");
    maps = smtpd_policy_maps_open(dir);
    EXPECT_INT(smtpd_networks_parse("127.0.0.0/8 [::1]/128", &nets, &error), 0);
    pol.lookup = smtpd_policy_maps_lookup;
    pol.lookup_ctx = maps;
    pol.mynetworks = &nets;
    pol.recipient_delimiter = "+";
    pol.mydomain = "example.test";
}

/* decide - parse path and run the policy; -2 when the path does not parse */
static int decide(const char *path, bool trusted, struct smtpd_rcpt_result *r)
{
    struct smtp_addr a;
    const char *error;
    size_t end;

    memset(r, 0, sizeof(*r));
    if (smtp_addr_parse(path, strlen(path), SMTP_ADDR_POSTMASTER, &a, &end, &error) < 0)
        return -2;
    return smtpd_policy_rcpt(&pol, &a, trusted, r);
}

/* test_rcpt_decisions - the table of recipients */
static void test_rcpt_decisions(void)
{
    static const struct {
        const char *path;
        bool trusted;
        int rc, code;
        const char *ecode;
        enum smtpd_verdict verdict;
    } cases[] = {
        { "<alice@example.test>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<ALICE@Example.TEST>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<alice+news@example.test>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<sales@example.test>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<sales+x@example.test>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<anyone@catch.test>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<bob@example.test>", false, -1, 550, "5.1.1", SMTPD_RCPT_UNKNOWN },
        { "<bob@example.test>", true, -1, 550, "5.1.1", SMTPD_RCPT_UNKNOWN },
        { "<postmaster>", false, 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        /* b.2 #17: relaying for strangers */
        { "<x@external.example>", false, -1, 554, "5.7.1", SMTPD_RCPT_RELAY_DENIED },
        { "<x@[192.0.2.1]>", false, -1, 554, "5.7.1", SMTPD_RCPT_RELAY_DENIED },
        { "<x@[IPv6:2001:db8::1]>", false, -1, 554, "5.7.1", SMTPD_RCPT_RELAY_DENIED },
        /* mynetworks may relay, but there is no outbound delivery yet */
        { "<x@external.example>", true, -1, 554, "5.7.1", SMTPD_RCPT_RELAY },
        /* b.2 #18: routing tricks towards our domain */
        { "<@example.test:victim@ext.example>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<@example.test:victim@ext.example>", true, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<@a.example,@b.example:alice@example.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<victim%ext.example@example.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<victim%ext.example@example.test>", true, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<ext.example!victim@example.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<\"victim@ext.example\"@example.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<\"victim@ext.example\"@catch.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<victim%ext.example@catch.test>", false, -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        /* b.6 #47-#49: path and program characters never reach a mailbox */
        { "<a/b@example.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<a/b@catch.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<alice+a/b@example.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<\"|/bin/sh -c id\"@catch.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<\"/etc/passwd\"@catch.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<\":include:/etc/passwd\"@catch.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<\"..\"@catch.test>", false, -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
    };
    struct smtpd_rcpt_result r;
    size_t i;
    int rc;

    setup();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = decide(cases[i].path, cases[i].trusted, &r);
        if (!EXPECT_INT(rc, cases[i].rc) || !EXPECT_INT(r.code, cases[i].code)
            || !EXPECT_STR(r.ecode, cases[i].ecode) || !EXPECT_INT(r.verdict, cases[i].verdict))
            fprintf(stderr, "  case %zu: %s\n", i, cases[i].path);
    }
    EXPECT_INT(decide("<x@external.example>", true, &r), -1);
    EXPECT_TRUE(r.relay_allowed);
    EXPECT_INT(decide("<x@external.example>", false, &r), -1);
    EXPECT_FALSE(r.relay_allowed);
    EXPECT_INT(decide("<postmaster>", false, &r), 0);
    EXPECT_STR(r.address, "postmaster@example.test");
    EXPECT_INT(decide("<Alice+News@example.test>", false, &r), 0);
    EXPECT_STR(r.address, "Alice+News@example.test");
}

/* test_rcpt_unparsable - tricks the path parser already refuses */
static void test_rcpt_unparsable(void)
{
    static const char *const paths[] = {
        "<victim@ext.example@example.test>", "<../../var/x@example.test>",
        "<user+../../etc@example.test>",     "<.@example.test>",
        "<user\x01x@example.test>",
    };
    struct smtpd_rcpt_result r;
    size_t i;

    setup();
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        if (!EXPECT_INT(decide(paths[i], true, &r), -2))
            fprintf(stderr, "  parsed: %s (verdict %d)\n", paths[i], r.verdict);
}

/* fail_lookup - a map that always fails */
static enum map_result fail_lookup(void *ctx, enum smtpd_map_id map, const char *key, char **value_r,
                                   const char **error_r)
{
    (void)ctx;
    (void)value_r;
    (void)key;
    if (map == SMTPD_MAP_DOMAINS)
        return MAP_FOUND;
    *error_r = "disk on fire";
    return MAP_TEMPFAIL;
}

/* test_rcpt_tempfail - a lookup failure is 451 4.3.0, never unknown user */
static void test_rcpt_tempfail(void)
{
    struct smtpd_policy broken = { fail_lookup, NULL, &nets, "+", "example.test", NULL };
    struct smtpd_rcpt_result r;
    struct smtpd_maps *bad;
    struct smtp_addr a;
    const char *error;
    size_t end;
    char path[600];
    FILE *f;

    setup();
    EXPECT_INT(smtp_addr_parse("<bob@example.test>", 18, 0, &a, &end, &error), 0);
    EXPECT_INT(smtpd_policy_rcpt(&broken, &a, false, &r), -1);
    EXPECT_INT(r.code, 451);
    EXPECT_STR(r.ecode, "4.3.0");
    EXPECT_INT(r.verdict, SMTPD_RCPT_TEMPFAIL);
    EXPECT_STR(r.error, "disk on fire");

    /* A real map file that is not LMDB: temporary failure. */
    snprintf(path, sizeof(path), "%s/bad", test_tmpdir());
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/bad/maps", test_tmpdir());
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/bad/maps/domains", test_tmpdir());
    if ((f = fopen(path, "w")) != NULL) {
        fputs("this is not an LMDB file, not at all, not even close...........", f);
        fclose(f);
    }
    snprintf(path, sizeof(path), "%s/bad", test_tmpdir());
    bad = smtpd_policy_maps_open(path);
    broken.lookup = smtpd_policy_maps_lookup;
    broken.lookup_ctx = bad;
    EXPECT_INT(smtpd_policy_rcpt(&broken, &a, false, &r), -1);
    EXPECT_INT(r.code, 451);
    EXPECT_INT(r.verdict, SMTPD_RCPT_TEMPFAIL);
    smtpd_policy_maps_close(&bad);

    /* No map files at all: empty maps, so every domain is foreign. */
    snprintf(path, sizeof(path), "%s/nothing", test_tmpdir());
    bad = smtpd_policy_maps_open(path);
    broken.lookup_ctx = bad;
    EXPECT_INT(smtpd_policy_rcpt(&broken, &a, false, &r), -1);
    EXPECT_INT(r.verdict, SMTPD_RCPT_RELAY_DENIED);
    smtpd_policy_maps_close(&bad);
    smtpd_policy_maps_close(&maps);
}

/* test_rcpt_mydestination - system domains: alias_maps alone decide */
static void test_rcpt_mydestination(void)
{
    static const struct {
        const char *path;
        int rc, code;
        const char *ecode;
        enum smtpd_verdict verdict;
    } cases[] = {
        { "<root@host.test>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<ROOT@Host.Test>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<root+cron@localhost>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<admin@localhost>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL }, /* second map */
        { "<PostMaster@localhost>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<postmaster@host.test>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<nobody@host.test>", -1, 550, "5.1.1", SMTPD_RCPT_UNKNOWN },
        /* a virtual mailbox name means nothing in a system domain */
        { "<alice@localhost>", -1, 550, "5.1.1", SMTPD_RCPT_UNKNOWN },
        { "<a/b@localhost>", -1, 550, "5.1.3", SMTPD_RCPT_BAD_LOCAL },
        { "<victim%ext.example@localhost>", -1, 554, "5.7.1", SMTPD_RCPT_ROUTING },
        { "<alice@example.test>", 0, 250, "2.1.5", SMTPD_RCPT_LOCAL },
        { "<root@example.test>", -1, 550, "5.1.1", SMTPD_RCPT_UNKNOWN },
    };
    struct smtpd_rcpt_result r;
    char dir[600], list[2000];
    const char *error;
    size_t i;

    setup();
    snprintf(dir, sizeof(dir), "%s/data/maps/sys1.lmdb", test_tmpdir());
    put(dir, "root", "alice@example.test");
    snprintf(dir, sizeof(dir), "%s/data/maps/sys2.lmdb", test_tmpdir());
    put(dir, "admin", "root");
    put(dir, "root", "never@example.test");
    snprintf(list, sizeof(list), "%s/data/maps/sys1,%s/data/maps/sys2 %s/data/maps/none", test_tmpdir(),
             test_tmpdir(), test_tmpdir());
    EXPECT_INT(smtpd_policy_maps_set_system(maps, "host.test, LocalHost", list, &error), 0);
    pol.mydestination = smtpd_policy_maps_mydestination(maps);
    EXPECT_INT(pol.mydestination->count, 2);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!EXPECT_INT(decide(cases[i].path, false, &r), cases[i].rc) || !EXPECT_INT(r.code, cases[i].code)
            || !EXPECT_STR(r.ecode, cases[i].ecode) || !EXPECT_INT(r.verdict, cases[i].verdict))
            fprintf(stderr, "  case %zu: %s\n", i, cases[i].path);
    }
    /* trusted clients are not relaying to a system domain */
    EXPECT_INT(decide("<nobody@localhost>", true, &r), -1);
    EXPECT_FALSE(r.relay_allowed);
    /* a broken alias map: temporary failure, never unknown */
    test_write_file("data/maps/broken.lmdb", "this is not an LMDB file, not at all, not even close.......\n");
    snprintf(list, sizeof(list), "%s/data/maps/broken %s/data/maps/sys1", test_tmpdir(), test_tmpdir());
    EXPECT_INT(smtpd_policy_maps_set_system(maps, "localhost", list, &error), 0);
    EXPECT_INT(decide("<root@localhost>", false, &r), -1);
    EXPECT_INT(r.verdict, SMTPD_RCPT_TEMPFAIL);
    EXPECT_INT(decide("<postmaster@localhost>", false, &r), 0);
    /* a bad mydestination entry is a configuration error */
    EXPECT_INT(smtpd_policy_maps_set_system(maps, "localhost [10.0.0.1]", list, &error), -1);
    EXPECT_CONTAINS(error, "[10.0.0.1]");
    EXPECT_INT(smtpd_policy_maps_set_system(maps, "local host..", list, &error), -1);
    pol.mydestination = NULL;
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_networks_match),
        TEST_CASE(test_networks_bad),
        TEST_CASE(test_rcpt_decisions),
        TEST_CASE(test_rcpt_unparsable),
        TEST_CASE(test_rcpt_mydestination),
        TEST_CASE(test_rcpt_tempfail),
        TEST_END,
    });
}
