/* SPDX-License-Identifier: MIT
 * test_qmgr_route - alias expansion and mailbox lookup over real LMDB maps
 * written with map_put in a scratch directory: plain mailboxes, case and
 * the recipient delimiter, one-to-many and nested aliases, deduplication,
 * self-reference, loops, the depth and total limits, the catch-all (which
 * never hides a mailbox), bad alias members, a missing map (empty) and a
 * corrupt map (TEMPFAIL, never "unknown"); system aliases for the
 * mydestination domains through two alias_maps maps in order.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "map/map.h"
#include "qmgr_route.h"
#include "test.h"
#include "util/alloc.h"

static char map_dir[512];

/* put_all - write key/value pairs (NULL-terminated) into map name */
static void put_all(const char *dir, const char *name, const char *const *kv)
{
    char path[600];
    struct map *m = NULL;
    const char *error;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (!EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0))
        return;
    EXPECT_INT(map_write_begin(m, &error), 0);
    for (; kv[0] != NULL; kv += 2)
        EXPECT_INT(map_put(m, kv[0], kv[1], &error), 0);
    EXPECT_INT(map_write_commit(m, &error), 0);
    map_close(&m);
}

/* setup - the maps every case uses */
static void setup(void)
{
    static const char *const mailboxes[] = {
        "alice@example.test", "example.test/alice/", "bob@example.test",
        "example.test/bob/",  "carol@example.test",  "example.test/carol/",
        "keep@example.test",  "example.test/keep/",  NULL,
    };
    static const char *const aliases[] = {
        "team@example.test",
        "alice@example.test, bob@example.test",
        "all@example.test",
        "team@example.test carol@example.test,alice@example.test",
        "keep@example.test",
        "keep@example.test, alice@example.test",
        "loop1@example.test",
        "loop2@example.test",
        "loop2@example.test",
        "loop1@example.test",
        "@catch.test",
        "carol@example.test",
        "@example.test",
        "postmaster@example.test",
        "postmaster@example.test",
        "Alice@Example.TEST",
        "bad@example.test",
        "alice@example.test, x@@y",
        "ghost@example.test",
        "nobody@nowhere.test",
        NULL,
    };

    snprintf(map_dir, sizeof(map_dir), "%s/maps", test_tmpdir());
    mkdir(map_dir, 0700);
    put_all(map_dir, "mailboxes", mailboxes);
    put_all(map_dir, "aliases", aliases);
}

/* expand - "address=mailbox address=mailbox ..." or "error N: text" */
static const char *expand(struct qmgr_maps *m, struct qmgr_route_list *l, const char *address)
{
    static char out[4096];
    enum qmgr_route_status st;
    const char *error;
    size_t i, n = 0;

    st = qmgr_route_expand(m, address, l, &error);
    if (st != QMGR_ROUTE_OK) {
        snprintf(out, sizeof(out), "error %d: %s", (int)st, error);
        return out;
    }
    out[0] = '\0';
    for (i = 0; i < l->count && n < sizeof(out); i++)
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%s", i ? " " : "", l->v[i].address,
                              l->v[i].mailbox);
    return out;
}

/* one - expand address into a fresh list */
static const char *one(struct qmgr_maps *m, const char *address)
{
    struct qmgr_route_list l = { 0 };
    const char *r = expand(m, &l, address);

    qmgr_route_list_free(&l);
    return r;
}

/* test_route - the table of single expansions */
static void test_route(void)
{
    struct qmgr_maps *m;

    setup();
    m = qmgr_maps_create(map_dir, "+");
    EXPECT_STR(one(m, "alice@example.test"), "alice@example.test=example.test/alice/");
    EXPECT_STR(one(m, "ALICE@Example.Test."), "ALICE@Example.Test.=example.test/alice/");
    EXPECT_STR(one(m, "alice+news@example.test"), "alice+news@example.test=example.test/alice/");
    EXPECT_STR(one(m, "team@example.test"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    EXPECT_STR(one(m, "team+x@example.test"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    /* nested, and alice once although named twice */
    EXPECT_STR(one(m, "all@example.test"), "alice@example.test=example.test/alice/ "
                                           "bob@example.test=example.test/bob/ "
                                           "carol@example.test=example.test/carol/");
    EXPECT_STR(one(m, "keep@example.test"),
               "keep@example.test=example.test/keep/ alice@example.test=example.test/alice/");
    EXPECT_CONTAINS(one(m, "loop1@example.test"), "error 4: alias loop: loop1@example.test");
    /* catch-all: an unknown address of the domain, never a mailbox */
    EXPECT_STR(one(m, "anyone@catch.test"), "carol@example.test=example.test/carol/");
    EXPECT_STR(one(m, "nobody@example.test"), "Alice@Example.TEST=example.test/alice/");
    EXPECT_STR(one(m, "bob@example.test"), "bob@example.test=example.test/bob/");
    EXPECT_STR(one(m, "nobody@other.test"), "error 2: nobody@other.test: no such mailbox or alias");
    EXPECT_CONTAINS(one(m, "ghost@example.test"), "error 2: nobody@nowhere.test: no such mailbox or alias");
    EXPECT_CONTAINS(one(m, "no-at-sign"), "error 3: ");
    EXPECT_CONTAINS(one(m, "@example.test"), "error 3: ");
    EXPECT_CONTAINS(one(m, "bad@example.test"), "error 1: alias bad@example.test: bad member");
    qmgr_maps_destroy(&m);
    EXPECT_TRUE(m == NULL);
    /* no delimiter: the extension is part of the name */
    m = qmgr_maps_create(map_dir, "");
    EXPECT_STR(one(m, "alice+news@example.test"), "Alice@Example.TEST=example.test/alice/");
    qmgr_maps_destroy(&m);
}

/* test_dedupe - one copy per mailbox across the recipients of a message */
static void test_dedupe(void)
{
    struct qmgr_maps *m = qmgr_maps_create(map_dir, "+");
    struct qmgr_route_list l = { 0 };

    EXPECT_STR(expand(m, &l, "alice@example.test"), "alice@example.test=example.test/alice/");
    EXPECT_STR(expand(m, &l, "team@example.test"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    EXPECT_STR(expand(m, &l, "Bob+x@example.test"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    /* a failure leaves the list as it was */
    EXPECT_CONTAINS(expand(m, &l, "loop2@example.test"), "error 4");
    EXPECT_INT(l.count, 2);
    qmgr_route_list_free(&l);
    qmgr_maps_destroy(&m);
}

/* member_list - "u0@example.test,...,u{n-1}@example.test" (malloc'd) */
static char *member_list(int n)
{
    char *list = xcalloc((size_t)n + 1, 32);
    size_t len = 0;
    int i;

    for (i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, 32, "%su%d@example.test", i ? "," : "", i);
    return list;
}

/* test_limits - nesting depth and the total of final recipients */
static void test_limits(void)
{
    const char *kv[2 * (QMGR_ROUTE_TOTAL_MAX + 2) + 1];
    char keys[QMGR_ROUTE_TOTAL_MAX + 1][32], vals[QMGR_ROUTE_TOTAL_MAX + 1][32];
    char *all = member_list(QMGR_ROUTE_TOTAL_MAX + 1), *most = member_list(QMGR_ROUTE_TOTAL_MAX);
    struct qmgr_maps *m;
    char dir[600];
    int i, n = 0;

    snprintf(dir, sizeof(dir), "%s/limits", test_tmpdir());
    mkdir(dir, 0700);
    for (i = 0; i <= QMGR_ROUTE_TOTAL_MAX; i++) {
        snprintf(keys[i], sizeof(keys[i]), "u%d@example.test", i);
        snprintf(vals[i], sizeof(vals[i]), "example.test/u%d/", i);
        kv[n++] = keys[i];
        kv[n++] = vals[i];
    }
    kv[n++] = "d25@example.test";
    kv[n++] = "example.test/d25/";
    kv[n] = NULL;
    put_all(dir, "mailboxes", kv);
    n = 0;
    for (i = 0; i < 25; i++) {
        snprintf(keys[i], sizeof(keys[i]), "d%d@example.test", i);
        snprintf(vals[i], sizeof(vals[i]), "d%d@example.test", i + 1);
        kv[n++] = keys[i];
        kv[n++] = vals[i];
    }
    kv[n++] = "all@example.test";
    kv[n++] = all;
    kv[n++] = "most@example.test";
    kv[n++] = most;
    kv[n] = NULL;
    put_all(dir, "aliases", kv);
    m = qmgr_maps_create(dir, "+");
    EXPECT_STR(one(m, "d10@example.test"), "d25@example.test=example.test/d25/");
    EXPECT_CONTAINS(one(m, "d0@example.test"), "error 4: aliases nested more than 20 deep");
    EXPECT_CONTAINS(one(m, "all@example.test"), "error 5: more than 1000 final recipients");
    {
        struct qmgr_route_list l = { 0 };
        const char *error;

        EXPECT_INT(qmgr_route_expand(m, "most@example.test", &l, &error), QMGR_ROUTE_OK);
        EXPECT_INT(l.count, QMGR_ROUTE_TOTAL_MAX);
        if (l.count == QMGR_ROUTE_TOTAL_MAX)
            EXPECT_STR(l.v[999].mailbox, "example.test/u999/");
        qmgr_route_list_free(&l);
    }
    /* the parameters: virtual_alias_recursion_limit, _expansion_limit */
    qmgr_maps_set_limits(m, 5, 10);
    EXPECT_STR(one(m, "d21@example.test"), "d25@example.test=example.test/d25/");
    EXPECT_CONTAINS(one(m, "d20@example.test"), "error 4: aliases nested more than 5 deep");
    EXPECT_CONTAINS(one(m, "most@example.test"), "error 5: more than 10 final recipients");
    qmgr_maps_set_limits(m, 1000, 0); /* capped at QMGR_ROUTE_DEPTH_CAP; 0 keeps 10 */
    EXPECT_STR(one(m, "d0@example.test"), "d25@example.test=example.test/d25/");
    EXPECT_CONTAINS(one(m, "most@example.test"), "error 5: more than 10 final recipients");
    qmgr_maps_destroy(&m);
    xfree(all);
    xfree(most);
}

/* test_missing_and_corrupt - no file: empty; a garbage file: TEMPFAIL */
static void test_missing_and_corrupt(void)
{
    static const char *const mb[] = { "alice@example.test", "example.test/alice/", NULL };
    struct qmgr_maps *m;
    char dir[600], path[700];
    char *mailbox = NULL;
    const char *error;
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/broken", test_tmpdir());
    mkdir(dir, 0700);
    m = qmgr_maps_create(dir, "+");
    EXPECT_CONTAINS(one(m, "alice@example.test"), "error 2: alice@example.test: no such mailbox");
    /* the map appears later: seen at the next lookup */
    put_all(dir, "mailboxes", mb);
    EXPECT_STR(one(m, "alice@example.test"), "alice@example.test=example.test/alice/");
    EXPECT_INT(qmgr_route_mailbox(m, "Alice+x@Example.test", &mailbox, &error), MAP_FOUND);
    EXPECT_STR(mailbox, "example.test/alice/");
    xfree(mailbox);
    snprintf(path, sizeof(path), "%s/aliases", dir);
    if ((f = fopen(path, "w")) != NULL) {
        fputs("this is not an LMDB file, not at all, and it goes on for a while...........\n", f);
        fclose(f);
    }
    EXPECT_CONTAINS(one(m, "alice@example.test"), "error 1: aliases lookup of alice@example.test");
    qmgr_maps_destroy(&m);
    m = qmgr_maps_create(dir, "+");
    EXPECT_CONTAINS(one(m, "bob@example.test"), "error 1: ");
    qmgr_maps_destroy(&m);
}

/* test_system - mydestination domains resolve only through alias_maps
 * (two real LMDB maps FILE.lmdb, in order; a third never compiled) */
static void test_system(void)
{
    static const char *const sys1[] = {
        "root",       "alice@example.test, admin",
        "admin",      "bob@example.test",
        "postmaster", "root",
        "cron+daily", "carol@example.test",
        "cron",       "keep@example.test",
        "self",       "self, alice@example.test",
        "sysloop",    "sysloop2",
        "sysloop2",   "sysloop",
        "prog",       "|/bin/true",
        "ghostly",    "nobody",
        "other",      "admin@localhost",
        NULL,
    };
    static const char *const sys2[] = { "admin", "carol@example.test", "second", "alice@example.test", NULL };
    struct qmgr_maps *m;
    char maps[2000];
    const char *error;

    setup();
    put_all(map_dir, "sys1.lmdb", sys1);
    put_all(map_dir, "sys2.lmdb", sys2);
    snprintf(maps, sizeof(maps), "%s/sys1, %s/sys2 %s/never", map_dir, map_dir, map_dir);
    m = qmgr_maps_create(map_dir, "+");
    EXPECT_INT(qmgr_maps_set_system(m, "Host.Test, localhost.", maps, &error), 0);
    EXPECT_STR(one(m, "root@host.test"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    EXPECT_STR(one(m, "ROOT@HOST.TEST."),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    EXPECT_STR(one(m, "Postmaster@localhost"),
               "alice@example.test=example.test/alice/ bob@example.test=example.test/bob/");
    EXPECT_STR(one(m, "second@localhost"), "alice@example.test=example.test/alice/");
    EXPECT_STR(one(m, "cron+daily@localhost"), "carol@example.test=example.test/carol/");
    EXPECT_STR(one(m, "cron+weekly@localhost"),
               "keep@example.test=example.test/keep/ alice@example.test=example.test/alice/");
    EXPECT_STR(one(m, "other@host.test"), "bob@example.test=example.test/bob/");
    EXPECT_CONTAINS(one(m, "nobody@host.test"), "error 2: nobody@host.test: no such system alias");
    EXPECT_CONTAINS(one(m, "ghostly@host.test"), "error 2: nobody@host.test: no such system alias");
    EXPECT_CONTAINS(one(m, "self@host.test"), "error 2: system alias self@host.test names itself");
    EXPECT_CONTAINS(one(m, "sysloop@localhost"), "error 4: alias loop");
    EXPECT_CONTAINS(one(m, "prog@localhost"), "error 1: alias prog@localhost: command, file");
    /* a mydestination domain never reaches the virtual maps, others do */
    EXPECT_CONTAINS(one(m, "alice@localhost"), "error 2: ");
    EXPECT_STR(one(m, "alice@example.test"), "alice@example.test=example.test/alice/");
    qmgr_maps_destroy(&m);
    m = qmgr_maps_create(map_dir, "+");
    EXPECT_INT(qmgr_maps_set_system(m, "host.test [127.0.0.1]", maps, &error), -1);
    EXPECT_CONTAINS(error, "mydestination: bad domain \"[127.0.0.1]\"");
    EXPECT_INT(qmgr_maps_set_system(m, "host.test a..b", maps, &error), -1);
    EXPECT_CONTAINS(error, "a..b");
    /* a broken alias map is a temporary failure */
    test_write_file("maps/broken.lmdb", "this is not an LMDB file, not at all, and it goes on...........\n");
    snprintf(maps, sizeof(maps), "%s/broken %s/sys1", map_dir, map_dir);
    EXPECT_INT(qmgr_maps_set_system(m, "localhost", maps, &error), 0);
    EXPECT_CONTAINS(one(m, "root@localhost"), "error 1: alias_maps lookup of root@localhost");
    qmgr_maps_destroy(&m);
}

/* test_reply - the status table */
static void test_reply(void)
{
    const char *dsn, *text;
    int status;

    qmgr_route_reply(QMGR_ROUTE_TEMPFAIL, &status, &dsn, &text);
    EXPECT_INT(status, 4);
    EXPECT_STR(dsn, "4.3.0");
    qmgr_route_reply(QMGR_ROUTE_UNKNOWN, &status, &dsn, &text);
    EXPECT_INT(status, 5);
    EXPECT_STR(dsn, "5.1.1");
    qmgr_route_reply(QMGR_ROUTE_LOOP, &status, &dsn, &text);
    EXPECT_STR(dsn, "5.4.6");
    qmgr_route_reply(QMGR_ROUTE_TOO_MANY, &status, &dsn, &text);
    EXPECT_STR(dsn, "5.5.3");
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_route),
        TEST_CASE(test_dedupe),
        TEST_CASE(test_limits),
        TEST_CASE(test_missing_and_corrupt),
        TEST_CASE(test_system),
        TEST_CASE(test_reply),
        TEST_END,
    });
}
