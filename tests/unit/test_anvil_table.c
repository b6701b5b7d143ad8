/* SPDX-License-Identifier: MIT
 * test_anvil_table - anvil's accounting table: counts and rates, window
 * resets at injected times, per-owner holds and their release, the entry
 * limit with least-recently-seen eviction, purging, and the statistics.
 *
 * Most cases are scripts of steps run against a fresh table; after every
 * step the table's invariants are verified.
 */
#include <stdio.h>
#include <string.h>

#include "anvil_table.h"
#include "test.h"

#define NOWNERS 3

enum op {
    OP_CONNECT,    /* want: rc, count, connect rate */
    OP_DISCONNECT, /* want: rc (1 released, 0 not held) */
    OP_MESSAGE,    /* want: rc, -, message rate */
    OP_RECIPIENT,  /* want: rc, -, recipient rate */
    OP_AUTH_FAIL,  /* want: rc, -, auth_fail rate */
    OP_LOOKUP,     /* want: -, count, connect rate */
    OP_RELEASE,    /* destroy the owner and make a new one; want: released */
    OP_PURGE,      /* want: entries purged */
    OP_SIZE,       /* want: entries */
};

struct step {
    enum op op;
    int owner;
    const char *service;
    const char *ident;
    uint64_t now;
    int rc;
    long long count;
    long long rate;
};

struct script {
    const char *name;
    size_t limit;
    uint64_t unit;
    const struct step *steps;
};

/* clang-format off */
#define END { OP_SIZE, -1, NULL, NULL, 0, 0, 0, 0 }
/* clang-format on */

/* run_event - one of message, recipient, auth_fail */
static void run_event(struct anvil_table *t, const struct step *s, enum anvil_event ev, int line)
{
    uint64_t rate = 0;
    const char *error = NULL;
    int rc = anvil_table_event(t, s->service, s->ident, ev, s->now, &rate, &error);

    if (!EXPECT_INT(rc, s->rc))
        printf("  step %d: error %s\n", line, error ? error : "(none)");
    if (rc == 0)
        EXPECT_INT(rate, s->rate);
}

/* run_step - one step of a script */
static void run_step(struct anvil_table *t, struct anvil_owner **owners, const struct step *s, int line)
{
    struct anvil_counts c;
    const char *error = NULL;

    switch (s->op) {
    case OP_CONNECT:
        if (!EXPECT_INT(anvil_table_connect(t, owners[s->owner], s->service, s->ident, s->now, &c, &error),
                        s->rc))
            printf("  step %d: error %s\n", line, error ? error : "(none)");
        if (s->rc == 0
            && (!EXPECT_INT(c.count, s->count) || !EXPECT_INT(c.rate[ANVIL_EVENT_CONNECT], s->rate)))
            printf("  step %d\n", line);
        break;
    case OP_DISCONNECT:
        if (!EXPECT_INT(anvil_table_disconnect(t, owners[s->owner], s->service, s->ident, s->now), s->rc))
            printf("  step %d\n", line);
        break;
    case OP_MESSAGE:
        run_event(t, s, ANVIL_EVENT_MESSAGE, line);
        break;
    case OP_RECIPIENT:
        run_event(t, s, ANVIL_EVENT_RECIPIENT, line);
        break;
    case OP_AUTH_FAIL:
        run_event(t, s, ANVIL_EVENT_AUTH_FAIL, line);
        break;
    case OP_LOOKUP:
        anvil_table_lookup(t, s->service, s->ident, s->now, &c);
        if (!EXPECT_INT(c.count, s->count) || !EXPECT_INT(c.rate[ANVIL_EVENT_CONNECT], s->rate))
            printf("  step %d\n", line);
        break;
    case OP_RELEASE:
        if (!EXPECT_INT(anvil_owner_destroy(&owners[s->owner], s->now), s->count))
            printf("  step %d\n", line);
        EXPECT_TRUE(owners[s->owner] == NULL);
        owners[s->owner] = anvil_owner_create(t);
        break;
    case OP_PURGE:
        if (!EXPECT_INT(anvil_table_purge(t, s->now), s->count))
            printf("  step %d\n", line);
        break;
    case OP_SIZE:
        if (!EXPECT_INT(anvil_table_size(t), s->count))
            printf("  step %d\n", line);
        break;
    }
}

/* run_script - every step on a fresh table, verifying invariants throughout */
static void run_script(const struct script *sc)
{
    struct anvil_table *t = anvil_table_create(sc->limit, sc->unit);
    struct anvil_owner *owners[NOWNERS];
    const char *error;
    int i;

    for (i = 0; i < NOWNERS; i++)
        owners[i] = anvil_owner_create(t);
    for (i = 0; sc->steps[i].owner >= 0; i++) {
        run_step(t, owners, &sc->steps[i], i);
        if (!EXPECT_INT(anvil_table_verify(t, &error), 0))
            printf("  %s step %d: %s\n", sc->name, i, error);
    }
    for (i = 0; i < NOWNERS; i++)
        anvil_owner_destroy(&owners[i], 0);
    EXPECT_INT(anvil_table_verify(t, &error), 0);
    anvil_table_destroy(&t);
    EXPECT_TRUE(t == NULL);
}

static const struct step counts_steps[] = {
    { OP_CONNECT, 0, "smtpd", "192.0.2.1", 0, 0, 1, 1 },
    { OP_CONNECT, 0, "smtpd", "192.0.2.1", 10, 0, 2, 2 },
    { OP_CONNECT, 1, "smtpd", "192.0.2.1", 20, 0, 3, 3 },
    /* another service and another ident are other keys */
    { OP_CONNECT, 1, "submission", "192.0.2.1", 20, 0, 1, 1 },
    { OP_CONNECT, 1, "smtpd", "192.0.2.2", 20, 0, 1, 1 },
    { OP_DISCONNECT, 0, "smtpd", "192.0.2.1", 30, 1, 0, 0 },
    { OP_LOOKUP, 0, "smtpd", "192.0.2.1", 30, 0, 2, 3 },
    { OP_DISCONNECT, 1, "smtpd", "192.0.2.1", 40, 1, 0, 0 },
    /* owner 1 held one there and released it: nothing more to release */
    { OP_DISCONNECT, 1, "smtpd", "192.0.2.1", 40, 0, 0, 0 },
    { OP_DISCONNECT, 2, "smtpd", "192.0.2.1", 40, 0, 0, 0 },
    { OP_DISCONNECT, 2, "smtpd", "unknown", 40, 0, 0, 0 },
    { OP_LOOKUP, 0, "smtpd", "192.0.2.1", 50, 0, 1, 3 },
    { OP_LOOKUP, 0, "nobody", "192.0.2.1", 50, 0, 0, 0 },
    /* "a/b" + "c" and "a" + "b/c" render alike but are different keys */
    { OP_CONNECT, 0, "a/b", "c", 60, 0, 1, 1 },
    { OP_CONNECT, 0, "a", "b/c", 60, 0, 1, 1 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 5, 0 },
    END,
};

static const struct step window_steps[] = {
    { OP_CONNECT, 0, "smtpd", "192.0.2.1", 1000, 0, 1, 1 },
    { OP_DISCONNECT, 0, "smtpd", "192.0.2.1", 1000, 1, 0, 0 },
    { OP_CONNECT, 0, "smtpd", "192.0.2.1", 60999, 0, 1, 2 },
    /* the window [1000, 61000) ended: the new event starts a new one */
    { OP_CONNECT, 0, "smtpd", "192.0.2.1", 61000, 0, 2, 1 },
    { OP_MESSAGE, 0, "smtpd", "192.0.2.1", 61001, 0, 0, 1 },
    { OP_MESSAGE, 0, "smtpd", "192.0.2.1", 120999, 0, 0, 2 },
    { OP_RECIPIENT, 0, "smtpd", "192.0.2.1", 120999, 0, 0, 1 },
    { OP_AUTH_FAIL, 0, "smtpd", "192.0.2.1", 120999, 0, 0, 1 },
    { OP_LOOKUP, 0, "smtpd", "192.0.2.1", 120999, 0, 2, 1 },
    /* a lookup after the window ended sees rates of 0 and resets nothing */
    { OP_LOOKUP, 0, "smtpd", "192.0.2.1", 121000, 0, 2, 0 },
    { OP_MESSAGE, 0, "smtpd", "192.0.2.1", 121000, 0, 0, 1 },
    { OP_LOOKUP, 0, "smtpd", "192.0.2.1", 121000, 0, 2, 0 },
    /* every kind shares the window: connect starts counting again too */
    { OP_CONNECT, 1, "smtpd", "192.0.2.1", 121001, 0, 3, 1 },
    /* time going backwards (never on a monotonic clock) keeps the window */
    { OP_AUTH_FAIL, 0, "smtpd", "192.0.2.1", 5, 0, 0, 1 },
    END,
};

static const struct step release_steps[] = {
    { OP_CONNECT, 0, "smtpd", "A", 0, 0, 1, 1 },
    { OP_CONNECT, 0, "smtpd", "A", 0, 0, 2, 2 },
    { OP_CONNECT, 0, "smtpd", "B", 0, 0, 1, 1 },
    { OP_CONNECT, 1, "smtpd", "A", 0, 0, 3, 3 },
    { OP_CONNECT, 1, "imapd", "alice/192.0.2.9", 0, 0, 1, 1 },
    /* owner 1 cannot release owner 0's connection on B */
    { OP_DISCONNECT, 1, "smtpd", "B", 1, 0, 0, 0 },
    { OP_LOOKUP, 0, "smtpd", "B", 1, 0, 1, 1 },
    /* owner 0 goes away holding 3 connections: all released */
    { OP_RELEASE, 0, NULL, NULL, 2, 0, 3, 0 },
    { OP_LOOKUP, 0, "smtpd", "A", 2, 0, 1, 3 },
    { OP_LOOKUP, 0, "smtpd", "B", 2, 0, 0, 1 },
    /* the new owner 0 holds nothing */
    { OP_DISCONNECT, 0, "smtpd", "A", 3, 0, 0, 0 },
    { OP_RELEASE, 0, NULL, NULL, 3, 0, 0, 0 },
    { OP_RELEASE, 1, NULL, NULL, 4, 0, 2, 0 },
    { OP_LOOKUP, 0, "smtpd", "A", 4, 0, 0, 3 },
    { OP_LOOKUP, 0, "imapd", "alice/192.0.2.9", 4, 0, 0, 1 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 3, 0 },
    END,
};

static const struct step limit_steps[] = {
    { OP_MESSAGE, 0, "smtpd", "k1", 1, 0, 0, 1 },
    { OP_MESSAGE, 0, "smtpd", "k2", 2, 0, 0, 1 },
    { OP_CONNECT, 0, "smtpd", "k3", 3, 0, 1, 1 },
    /* touching k1 makes k2 the least recently seen idle entry */
    { OP_RECIPIENT, 0, "smtpd", "k1", 4, 0, 0, 1 },
    { OP_MESSAGE, 0, "smtpd", "k4", 5, 0, 0, 1 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 3, 0 },
    /* k2 was dropped: it starts afresh; that drops k1 in turn */
    { OP_MESSAGE, 0, "smtpd", "k2", 6, 0, 0, 1 },
    { OP_MESSAGE, 0, "smtpd", "k1", 7, 0, 0, 1 },
    /* now k4 went; make every entry busy */
    { OP_CONNECT, 0, "smtpd", "k2", 8, 0, 1, 1 },
    { OP_CONNECT, 1, "smtpd", "k1", 8, 0, 1, 1 },
    { OP_MESSAGE, 0, "smtpd", "k5", 9, -1, 0, 0 },
    { OP_CONNECT, 0, "smtpd", "k5", 9, -1, 0, 0 },
    /* existing keys still work when the table is full */
    { OP_AUTH_FAIL, 0, "smtpd", "k3", 9, 0, 0, 1 },
    { OP_CONNECT, 2, "smtpd", "k3", 9, 0, 2, 2 },
    /* owner 1 leaves: k1 becomes idle and can make room */
    { OP_RELEASE, 1, NULL, NULL, 10, 0, 1, 0 },
    { OP_CONNECT, 0, "smtpd", "k5", 11, 0, 1, 1 },
    { OP_LOOKUP, 0, "smtpd", "k1", 11, 0, 0, 0 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 3, 0 },
    END,
};

static const struct step purge_steps[] = {
    { OP_MESSAGE, 0, "smtpd", "k1", 0, 0, 0, 1 },
    { OP_MESSAGE, 0, "smtpd", "k2", 500, 0, 0, 1 },
    { OP_CONNECT, 0, "smtpd", "k3", 0, 0, 1, 1 },
    { OP_PURGE, 0, NULL, NULL, 999, 0, 0, 0 },
    { OP_PURGE, 0, NULL, NULL, 1000, 0, 1, 0 },
    { OP_PURGE, 0, NULL, NULL, 1499, 0, 0, 0 },
    { OP_PURGE, 0, NULL, NULL, 1500, 0, 1, 0 },
    /* a busy entry is never purged, however old */
    { OP_PURGE, 0, NULL, NULL, 99999, 0, 0, 0 },
    { OP_DISCONNECT, 0, "smtpd", "k3", 100000, 1, 0, 0 },
    { OP_PURGE, 0, NULL, NULL, 100999, 0, 0, 0 },
    { OP_LOOKUP, 0, "smtpd", "k3", 100999, 0, 0, 0 },
    { OP_PURGE, 0, NULL, NULL, 101000, 0, 1, 0 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 0, 0 },
    END,
};

static const struct step length_steps[] = {
    { OP_CONNECT, 0, "", "192.0.2.1", 0, -1, 0, 0 },
    { OP_CONNECT, 0, "smtpd", "", 0, -1, 0, 0 },
    { OP_MESSAGE, 0, "", "x", 0, -1, 0, 0 },
    { OP_DISCONNECT, 0, "", "", 0, 0, 0, 0 },
    { OP_LOOKUP, 0, "", "", 0, 0, 0, 0 },
    { OP_SIZE, 0, NULL, NULL, 0, 0, 0, 0 },
    END,
};

/* test_scripts - every scripted scenario */
static void test_scripts(void)
{
    /* clang-format off */
    static const struct script scripts[] = {
        { "counts", 100, 60000, counts_steps },
        { "window", 100, 60000, window_steps },
        { "release", 100, 60000, release_steps },
        { "limit", 3, 60000, limit_steps },
        { "purge", 100, 1000, purge_steps },
        { "lengths", 100, 60000, length_steps },
    };
    /* clang-format on */
    size_t i;

    for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
        run_script(&scripts[i]);
}

/* test_long_names - 255 bytes is the most for service and ident */
static void test_long_names(void)
{
    struct anvil_table *t = anvil_table_create(10, 1000);
    struct anvil_owner *o = anvil_owner_create(t);
    struct anvil_counts c;
    char max[ANVIL_NAME_MAX + 1], over[ANVIL_NAME_MAX + 2];
    const char *error = NULL;

    memset(max, 'x', sizeof(max) - 1);
    max[sizeof(max) - 1] = '\0';
    memset(over, 'y', sizeof(over) - 1);
    over[sizeof(over) - 1] = '\0';
    EXPECT_INT(anvil_table_connect(t, o, max, max, 0, &c, &error), 0);
    EXPECT_INT(c.count, 1);
    EXPECT_INT(anvil_table_connect(t, o, over, "x", 0, &c, &error), -1);
    EXPECT_CONTAINS(error, "service must be 1 to 255 bytes");
    EXPECT_INT(anvil_table_connect(t, o, "x", over, 0, &c, &error), -1);
    EXPECT_CONTAINS(error, "ident must be 1 to 255 bytes");
    EXPECT_INT(anvil_owner_held(o), 1);
    EXPECT_INT(anvil_owner_destroy(&o, 1), 1);
    anvil_table_destroy(&t);
}

/* test_many_keys - the hash table grows and finds every key */
static void test_many_keys(void)
{
    struct anvil_table *t = anvil_table_create(5000, 60000);
    struct anvil_owner *o = anvil_owner_create(t);
    struct anvil_counts c;
    const char *error = NULL;
    char ident[32];
    int i, bad = 0;

    for (i = 0; i < 3000; i++) {
        snprintf(ident, sizeof(ident), "10.0.%d.%d", i / 256, i % 256);
        if (anvil_table_connect(t, o, "smtpd", ident, (uint64_t)i, &c, &error) < 0 || c.count != 1)
            bad++;
    }
    EXPECT_INT(bad, 0);
    EXPECT_INT(anvil_table_size(t), 3000);
    EXPECT_INT(anvil_table_verify(t, &error), 0);
    for (i = 0; i < 3000; i++) {
        snprintf(ident, sizeof(ident), "10.0.%d.%d", i / 256, i % 256);
        anvil_table_lookup(t, "smtpd", ident, 3000, &c);
        bad += c.count != 1 || c.rate[ANVIL_EVENT_CONNECT] != 1;
    }
    EXPECT_INT(bad, 0);
    EXPECT_INT(anvil_owner_destroy(&o, 3000), 3000);
    EXPECT_INT(anvil_table_verify(t, &error), 0);
    EXPECT_INT(anvil_table_purge(t, 62999), 0);
    EXPECT_INT(anvil_table_purge(t, 63000), 3000);
    EXPECT_INT(anvil_table_size(t), 0);
    anvil_table_destroy(&t);
}

/* test_statistics - peaks, their log lines with UTC times, and the reset */
static void test_statistics(void)
{
    struct anvil_table *t = anvil_table_create(3, 60000);
    struct anvil_owner *o = anvil_owner_create(t);
    const struct anvil_stats *st = anvil_table_stats(t);
    struct anvil_counts c;
    const char *error;
    uint64_t rate;
    int i;

    for (i = 0; i < 12; i++)
        anvil_table_connect(t, o, "smtpd", "192.0.2.1", 5000, &c, &error);
    anvil_table_connect(t, o, "smtpd", "192.0.2.2", 6000, &c, &error);
    for (i = 0; i < 4; i++)
        anvil_table_event(t, "authd", "alice", ANVIL_EVENT_AUTH_FAIL, 7000, &rate, &error);
    /* full: bob pushes out idle alice, a third connection pushes out bob,
     * and with every entry busy carol is refused */
    EXPECT_INT(anvil_table_event(t, "authd", "bob", ANVIL_EVENT_AUTH_FAIL, 8000, &rate, &error), 0);
    EXPECT_INT(anvil_table_connect(t, o, "smtpd", "192.0.2.3", 8000, &c, &error), 0);
    EXPECT_INT(anvil_table_event(t, "authd", "carol", ANVIL_EVENT_AUTH_FAIL, 8000, &rate, &error), -1);
    EXPECT_STR(error, "table full");
    EXPECT_INT(st->max_count.value, 12);
    EXPECT_STR(st->max_count.key, "smtpd/192.0.2.1");
    EXPECT_INT(st->max_rate[ANVIL_EVENT_AUTH_FAIL].value, 4);
    EXPECT_INT(st->max_size.value, 3);
    EXPECT_INT(st->evicted, 2);
    EXPECT_INT(st->refused, 1);
    test_log_capture_start();
    /* monotonic 65000 is wall 2026-11-24T22:41:00Z, so 5000 is 22:40:00 */
    anvil_table_stats_log(t, 65000, 1795560060);
    EXPECT_LOG("info: statistics: max connection count 12 for (smtpd/192.0.2.1) at 2026-11-24T22:40:00Z");
    EXPECT_LOG("info: statistics: max connect rate 12/60s for (smtpd/192.0.2.1) at 2026-11-24T22:40:00Z");
    EXPECT_LOG("info: statistics: max auth_fail rate 4/60s for (authd/alice) at 2026-11-24T22:40:02Z");
    EXPECT_LOG("info: statistics: max table size 3 at 2026-11-24T22:40:02Z");
    EXPECT_LOG("info: statistics: table limit 3 reached: 2 idle entries dropped, 1 new entries refused");
    EXPECT_FALSE(strstr(test_log_text(), "message rate") != NULL);
    /* logged peaks start over: nothing new, nothing logged */
    EXPECT_INT(st->max_count.value, 0);
    test_log_capture_start();
    anvil_table_stats_log(t, 70000, 1795560065);
    EXPECT_STR(test_log_text(), "");
    test_log_capture_stop();
    anvil_owner_destroy(&o, 70000);
    anvil_table_destroy(&t);
}

/* test_unit_text - a time unit that is not whole seconds prints in ms */
static void test_unit_text(void)
{
    struct anvil_table *t = anvil_table_create(3, 1500);
    uint64_t rate;
    const char *error;

    anvil_table_event(t, "smtpd", "192.0.2.1", ANVIL_EVENT_MESSAGE, 0, &rate, &error);
    test_log_capture_start();
    anvil_table_stats_log(t, 0, 0);
    EXPECT_LOG("statistics: max message rate 1/1500ms for (smtpd/192.0.2.1) at 1970-01-01T00:00:00Z");
    test_log_capture_stop();
    anvil_table_destroy(&t);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_scripts),
        TEST_CASE(test_long_names),
        TEST_CASE(test_many_keys),
        TEST_CASE(test_statistics),
        TEST_CASE(test_unit_text),
        TEST_END,
    });
}
