/* SPDX-License-Identifier: MIT
 * test_authd_penalty - the brute-force table: delays that double up to the
 * maximum, lockout at the limit and its end, the window, clearing on
 * success, and the bound on the number of keys (least recently touched
 * forgotten first).
 */
#include <stdio.h>

#include "authd_penalty.h"
#include "test.h"

static const struct authd_penalty_limits limits = {
    .window = 60000,
    .limit = 3,
    .lockout = 10000,
    .delay_base = 100,
    .delay_max = 350,
    .max = 4,
};

static void test_delay_doubles_to_max(void)
{
    struct authd_penalty *p = authd_penalty_create(&limits);
    unsigned n;

    EXPECT_INT(authd_penalty_delay(p, "a:1", 0), 0);
    authd_penalty_fail(p, "a:1", 0, &n);
    EXPECT_INT(authd_penalty_delay(p, "a:1", 1), 100);
    authd_penalty_fail(p, "a:1", 2, &n);
    EXPECT_INT(authd_penalty_delay(p, "a:1", 3), 200);
    EXPECT_FALSE(authd_penalty_fail(p, "u:x", 3, &n));
    EXPECT_INT(authd_penalty_delay(p, "u:x", 3), 100);
    authd_penalty_destroy(&p);
}

static void test_lockout_and_its_end(void)
{
    struct authd_penalty *p = authd_penalty_create(&limits);
    uint64_t left;
    unsigned n;

    EXPECT_FALSE(authd_penalty_fail(p, "u:alice", 1000, &n));
    EXPECT_FALSE(authd_penalty_fail(p, "u:alice", 1001, &n));
    EXPECT_FALSE(authd_penalty_locked(p, "u:alice", 1002, &left));
    EXPECT_TRUE(authd_penalty_fail(p, "u:alice", 1002, &n));
    EXPECT_INT(n, 3);
    EXPECT_TRUE(authd_penalty_locked(p, "u:alice", 1003, &left));
    EXPECT_INT(left, 9999);
    EXPECT_INT(authd_penalty_delay(p, "u:alice", 1003), 350); /* 400, capped */
    /* more failures while locked do not extend the lockout */
    EXPECT_FALSE(authd_penalty_fail(p, "u:alice", 5000, &n));
    EXPECT_TRUE(authd_penalty_locked(p, "u:alice", 11001, &left));
    EXPECT_FALSE(authd_penalty_locked(p, "u:alice", 11002, &left));
    EXPECT_INT(authd_penalty_delay(p, "u:alice", 11002), 0);
    authd_penalty_destroy(&p);
}

static void test_window_forgets(void)
{
    struct authd_penalty *p = authd_penalty_create(&limits);
    unsigned n;

    authd_penalty_fail(p, "a:2", 0, &n);
    authd_penalty_fail(p, "a:2", 59999, &n);
    EXPECT_INT(n, 2);
    /* the window of the first failure is over: counting starts again */
    EXPECT_FALSE(authd_penalty_fail(p, "a:2", 60000, &n));
    EXPECT_INT(n, 1);
    authd_penalty_destroy(&p);
}

static void test_clear_on_success(void)
{
    struct authd_penalty *p = authd_penalty_create(&limits);
    unsigned n;

    authd_penalty_fail(p, "a:3", 0, &n);
    authd_penalty_fail(p, "a:3", 0, &n);
    authd_penalty_clear(p, "a:3");
    EXPECT_INT(authd_penalty_delay(p, "a:3", 1), 0);
    EXPECT_INT(authd_penalty_count(p), 0);
    authd_penalty_clear(p, "never-seen");
    authd_penalty_destroy(&p);
}

static void test_bounded(void)
{
    struct authd_penalty *p = authd_penalty_create(&limits);
    char key[32];
    unsigned n, i;

    for (i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "u:random%u", i);
        authd_penalty_fail(p, key, i, &n);
        if (i == 1)
            authd_penalty_fail(p, "u:random0", i, &n); /* touched again: kept */
    }
    EXPECT_INT(authd_penalty_count(p), 4);
    EXPECT_INT(authd_penalty_delay(p, "u:random999", 1000), 100);
    EXPECT_INT(authd_penalty_delay(p, "u:random1", 1000), 0); /* forgotten */
    authd_penalty_destroy(&p);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_delay_doubles_to_max),
        TEST_CASE(test_lockout_and_its_end),
        TEST_CASE(test_window_forgets),
        TEST_CASE(test_clear_on_success),
        TEST_CASE(test_bounded),
        TEST_END,
    });
}
