/* SPDX-License-Identifier: MIT
 * test_alloc - the allocation wrappers: overflow-checked size arithmetic at
 * the SIZE_MAX edges, string and memory copies that always terminate,
 * xasprintf, xfree clearing the pointer, and the panics on overflowing
 * sizes (run in a forked child, which must die of SIGABRT).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util/alloc.h"

/* test_size_mul - products that fit and products that overflow */
static void test_size_mul(void)
{
    static const struct {
        size_t a, b;
        int ok;
        size_t want;
    } cases[] = {
        { 0, 0, 1, 0 },
        { 0, SIZE_MAX, 1, 0 },
        { SIZE_MAX, 0, 1, 0 },
        { 1, SIZE_MAX, 1, SIZE_MAX },
        { SIZE_MAX, 1, 1, SIZE_MAX },
        { 2, SIZE_MAX / 2, 1, SIZE_MAX - 1 },
        { 2, SIZE_MAX / 2 + 1, 0, 0 },
        { SIZE_MAX / 2 + 1, 2, 0, 0 },
        { SIZE_MAX, SIZE_MAX, 0, 0 },
        { (size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4), 0, 0 },
        { ((size_t)1 << (sizeof(size_t) * 4)) - 1, ((size_t)1 << (sizeof(size_t) * 4)) + 1, 1, SIZE_MAX },
        { 1000, 1000, 1, 1000000 },
    };
    size_t i, r;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = 12345;
        if (!EXPECT_INT(size_mul_ok(cases[i].a, cases[i].b, &r), cases[i].ok))
            fprintf(stderr, "  case %zu: %zu * %zu\n", i, cases[i].a, cases[i].b);
        if (cases[i].ok)
            EXPECT_TRUE(r == cases[i].want);
    }
}

/* test_size_add - sums that fit and sums that overflow */
static void test_size_add(void)
{
    static const struct {
        size_t a, b;
        int ok;
        size_t want;
    } cases[] = {
        { 0, 0, 1, 0 },
        { SIZE_MAX, 0, 1, SIZE_MAX },
        { 0, SIZE_MAX, 1, SIZE_MAX },
        { SIZE_MAX - 1, 1, 1, SIZE_MAX },
        { SIZE_MAX, 1, 0, 0 },
        { 1, SIZE_MAX, 0, 0 },
        { SIZE_MAX / 2 + 1, SIZE_MAX / 2, 1, SIZE_MAX },
        { SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1, 0, 0 },
        { SIZE_MAX, SIZE_MAX, 0, 0 },
        { 40, 2, 1, 42 },
    };
    size_t i, r;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        r = 12345;
        if (!EXPECT_INT(size_add_ok(cases[i].a, cases[i].b, &r), cases[i].ok))
            fprintf(stderr, "  case %zu: %zu + %zu\n", i, cases[i].a, cases[i].b);
        if (cases[i].ok)
            EXPECT_TRUE(r == cases[i].want);
    }
}

/* test_xstrndup - at most n bytes, always terminated, never read past n */
static void test_xstrndup(void)
{
    static const struct {
        const char *s;
        size_t n;
        const char *want;
    } cases[] = {
        { "hello", 3, "hel" }, { "hello", 5, "hello" }, { "hello", 6, "hello" },
        { "hi", 1000, "hi" },  { "abc", 0, "" },        { "", 4, "" },
    };
    /* not terminated: reading a byte past n would be caught by ASan */
    char *unterminated = malloc(3);
    char *s;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        s = xstrndup(cases[i].s, cases[i].n);
        EXPECT_STR(s, cases[i].want);
        xfree(s);
    }
    memcpy(unterminated, "xyz", 3);
    s = xstrndup(unterminated, 3);
    EXPECT_STR(s, "xyz");
    xfree(s);
    free(unterminated);
    s = xstrdup("copy");
    EXPECT_STR(s, "copy");
    xfree(s);
}

/* test_xmemdup - binary copies get a NUL after the last byte */
static void test_xmemdup(void)
{
    static const struct {
        const char *data;
        size_t len;
    } cases[] = {
        { "a\0b", 3 }, { "abc", 3 }, { "", 0 }, { "\0", 1 }, { "xy\0\0z", 5 },
    };
    char *p;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* ASan fills fresh allocations with 0xbe, so a missing NUL shows */
        p = xmemdup(cases[i].data, cases[i].len);
        EXPECT_MEM(p, cases[i].len, cases[i].data, cases[i].len);
        EXPECT_INT(p[cases[i].len], 0);
        xfree(p);
    }
}

/* test_xasprintf - formatting into new memory, short and long */
static void test_xasprintf(void)
{
    char *s, *big, *want;

    s = xasprintf("%s-%d-%c", "x", 42, 'z');
    EXPECT_STR(s, "x-42-z");
    xfree(s);
    s = xasprintf("%s", "");
    EXPECT_STR(s, "");
    xfree(s);
    big = xmalloc(10001);
    memset(big, 'q', 10000);
    big[10000] = '\0';
    s = xasprintf("<%s>", big);
    want = xmalloc(10003);
    want[0] = '<';
    memcpy(want + 1, big, 10000);
    memcpy(want + 10001, ">", 2);
    EXPECT_INT(strlen(s), 10002);
    EXPECT_STR(s, want);
    xfree(s);
    xfree(want);
    xfree(big);
}

/* test_xmalloc_family - zero sizes give pointers, calloc zeroes, realloc keeps */
static void test_xmalloc_family(void)
{
    unsigned char *z;
    char *p = xmalloc(0);
    int *v;
    size_t i, nonzero = 0;

    EXPECT_TRUE(p != NULL);
    xfree(p);
    z = xcalloc(100, 7);
    for (i = 0; i < 700; i++)
        nonzero += z[i] != 0;
    EXPECT_INT(nonzero, 0);
    xfree(z);
    z = xcalloc(0, 8);
    EXPECT_TRUE(z != NULL);
    xfree(z);
    v = xreallocarray(NULL, 4, sizeof(*v));
    for (i = 0; i < 4; i++)
        v[i] = (int)i * 11;
    v = xreallocarray(v, 1000, sizeof(*v));
    EXPECT_INT(v[0], 0);
    EXPECT_INT(v[3], 33);
    v[999] = 7;
    xfree(v);
}

/* test_xfree_clears - xfree frees, sets the pointer to NULL, accepts NULL */
static void test_xfree_clears(void)
{
    char *p = xstrdup("x");
    char *q = NULL;

    xfree(p);
    EXPECT_TRUE(p == NULL);
    xfree(p); /* already NULL: no double free */
    EXPECT_TRUE(p == NULL);
    xfree(q);
    EXPECT_TRUE(q == NULL);
    xfree_ptr(NULL);
}

/* run_child - run fn in a forked child with its stderr in out; wait status */
static int run_child(void (*fn)(void), char *out, size_t size)
{
    char path[4096];
    int fd, status = -1;
    ssize_t n;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/child-stderr", test_tmpdir());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        test_fail(__FILE__, __LINE__, "open %s failed", path);
        return -1;
    }
    fflush(NULL); /* the child must not flush the parent's buffered output */
    pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        test_fail(__FILE__, __LINE__, "fork or waitpid failed");
    n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    return status;
}

/* child_xcalloc - an element count times size that overflows */
static void child_xcalloc(void)
{
    free(xcalloc(SIZE_MAX / 2 + 1, 2));
}

/* child_xreallocarray - the same for a resize */
static void child_xreallocarray(void)
{
    free(xreallocarray(NULL, SIZE_MAX / 4, 8));
}

/* child_xmemdup - n + 1 overflows */
static void child_xmemdup(void)
{
    static const char byte = 'x';

    free(xmemdup(&byte, SIZE_MAX));
}

/* child_fine - a child that allocates normally and exits 0 */
static void child_fine(void)
{
    free(xcalloc(4, 4));
}

/* test_overflow_panics - overflowing sizes are bugs: log and abort */
static void test_overflow_panics(void)
{
    static const struct {
        void (*fn)(void);
        int signal; /* 0: must exit 0 */
        const char *log;
    } cases[] = {
        { child_xcalloc, SIGABRT, "panic: xcalloc: 9223372036854775808 * 2 overflows" },
        { child_xreallocarray, SIGABRT, "panic: xreallocarray: 4611686018427387903 * 8 overflows" },
        { child_xmemdup, SIGABRT, "panic: xmemdup: size overflows" },
        { child_fine, 0, "" },
    };
    char out[4096];
    size_t i;
    int status;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        status = run_child(cases[i].fn, out, sizeof(out));
        if (cases[i].signal != 0) {
            EXPECT_TRUE(WIFSIGNALED(status));
            EXPECT_INT(WIFSIGNALED(status) ? WTERMSIG(status) : -1, cases[i].signal);
            if (sizeof(size_t) == 8)
                EXPECT_CONTAINS(out, cases[i].log);
            EXPECT_CONTAINS(out, "test[");
        } else {
            EXPECT_TRUE(WIFEXITED(status));
            EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
            EXPECT_STR(out, "");
        }
    }
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_size_mul),
        TEST_CASE(test_size_add),
        TEST_CASE(test_xstrndup),
        TEST_CASE(test_xmemdup),
        TEST_CASE(test_xasprintf),
        TEST_CASE(test_xmalloc_family),
        TEST_CASE(test_xfree_clears),
        TEST_CASE(test_overflow_panics),
        TEST_END,
    });
}
