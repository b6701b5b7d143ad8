/* SPDX-License-Identifier: MIT
 * test_qmgr_pool - recycled queue files on a real directory: put truncates
 * and moves into free/, take moves back and hands out an empty read-write
 * file, the limit turns put into unlink, a restart finds the pool again
 * (foreign names left alone, extras removed), and a pooled entry that is
 * not an empty regular file of one link is dropped, never handed out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qmgr_pool.h"
#include "test.h"

#define ID_A "000000000001"
#define ID_B "000000000002"
#define ID_C "000000000003"
#define ID_D "000000000004"

static int dir_in, dir_free;

/* setup - fresh incoming/ and free/ below a directory of its own */
static void setup(const char *name)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    mkdir(path, 0700);
    dir_in = open(path, O_RDONLY | O_DIRECTORY);
    mkdirat(dir_in, "incoming", 0700);
    mkdirat(dir_in, "free", 0700);
    dir_free = openat(dir_in, "free", O_RDONLY | O_DIRECTORY);
    close(dir_in);
    dir_in = openat(dir_free, "../incoming", O_RDONLY | O_DIRECTORY);
}

static void teardown(void)
{
    close(dir_in);
    close(dir_free);
}

/* make_file - dirfd/name with content; an open read-write descriptor */
static int make_file(int dirfd, const char *name, const char *content)
{
    int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL, 0600);

    EXPECT_TRUE(fd >= 0);
    EXPECT_INT(write(fd, content, strlen(content)), (long long)strlen(content));
    return fd;
}

static long long size_of(int dirfd, const char *name)
{
    struct stat st;

    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    return (long long)st.st_size;
}

static void test_put_then_take(void)
{
    struct qmgr_pool *p;
    int fd;

    setup("put_take");
    p = qmgr_pool_open(dir_free, 4);
    EXPECT_INT(qmgr_pool_count(p), 0);
    EXPECT_INT(qmgr_pool_take(p, dir_in, ID_B), -1); /* empty pool */
    qmgr_pool_put(p, dir_in, ID_A, make_file(dir_in, ID_A, "old message"));
    EXPECT_INT(qmgr_pool_count(p), 1);
    EXPECT_INT(size_of(dir_in, ID_A), -1);  /* gone from incoming/ */
    EXPECT_INT(size_of(dir_free, ID_A), 0); /* in free/, truncated */
    fd = qmgr_pool_take(p, dir_in, ID_B);
    EXPECT_TRUE(fd >= 0);
    EXPECT_INT(qmgr_pool_count(p), 0);
    EXPECT_INT(size_of(dir_free, ID_A), -1);
    EXPECT_INT(size_of(dir_in, ID_B), 0);
    EXPECT_INT(write(fd, "new", 3), 3); /* read-write */
    EXPECT_INT(size_of(dir_in, ID_B), 3);
    close(fd);
    qmgr_pool_close(&p);
    EXPECT_TRUE(p == NULL);
    teardown();
}

static void test_limit_unlinks(void)
{
    struct qmgr_pool *p;

    setup("limit");
    p = qmgr_pool_open(dir_free, 1);
    qmgr_pool_put(p, dir_in, ID_A, make_file(dir_in, ID_A, "a"));
    qmgr_pool_put(p, dir_in, ID_B, make_file(dir_in, ID_B, "b"));
    EXPECT_INT(qmgr_pool_count(p), 1);
    EXPECT_INT(size_of(dir_free, ID_A), 0);
    EXPECT_INT(size_of(dir_free, ID_B), -1);
    EXPECT_INT(size_of(dir_in, ID_B), -1); /* unlinked */
    qmgr_pool_close(&p);
    /* a limit of 0 disables the pool */
    p = qmgr_pool_open(dir_free, 0);
    EXPECT_INT(qmgr_pool_count(p), 0);
    EXPECT_INT(size_of(dir_free, ID_A), -1); /* the extra went at open */
    qmgr_pool_put(p, dir_in, ID_C, make_file(dir_in, ID_C, "c"));
    EXPECT_INT(size_of(dir_in, ID_C), -1);
    EXPECT_INT(size_of(dir_free, ID_C), -1);
    qmgr_pool_close(&p);
    teardown();
}

static void test_restart_finds_the_pool(void)
{
    struct qmgr_pool *p;
    int fd;

    setup("restart");
    close(make_file(dir_free, ID_A, ""));
    close(make_file(dir_free, ID_B, ""));
    close(make_file(dir_free, ID_C, ""));
    close(make_file(dir_free, "notes.txt", "not ours"));
    p = qmgr_pool_open(dir_free, 2);
    EXPECT_INT(qmgr_pool_count(p), 2);
    EXPECT_INT(size_of(dir_free, "notes.txt"), 8); /* left alone */
    EXPECT_INT(
        (size_of(dir_free, ID_A) == 0) + (size_of(dir_free, ID_B) == 0) + (size_of(dir_free, ID_C) == 0), 2);
    fd = qmgr_pool_take(p, dir_in, ID_D);
    EXPECT_TRUE(fd >= 0);
    close(fd);
    qmgr_pool_close(&p);
    teardown();
}

static void test_bad_entries_dropped(void)
{
    struct qmgr_pool *p;
    int fd;

    setup("bad");
    close(make_file(dir_free, ID_A, "left-over content"));
    p = qmgr_pool_open(dir_free, 4);
    fd = qmgr_pool_take(p, dir_in, ID_B); /* not empty: truncated, usable */
    EXPECT_TRUE(fd >= 0);
    EXPECT_INT(size_of(dir_in, ID_B), 0);
    close(fd);
    qmgr_pool_close(&p);

    EXPECT_INT(symlinkat("/etc/passwd", dir_free, ID_C), 0);
    p = qmgr_pool_open(dir_free, 4);
    test_log_capture_start();
    EXPECT_INT(qmgr_pool_take(p, dir_in, ID_D), -1); /* a symlink is never opened */
    test_log_capture_stop();
    EXPECT_LOG("recycled queue file " ID_D);
    EXPECT_INT(size_of(dir_in, ID_D), -1);
    qmgr_pool_close(&p);

    close(make_file(dir_free, ID_A, ""));
    EXPECT_INT(linkat(dir_free, ID_A, dir_in, "second-link", 0), 0);
    p = qmgr_pool_open(dir_free, 4);
    EXPECT_INT(qmgr_pool_take(p, dir_in, ID_D), -1); /* two links: dropped */
    EXPECT_INT(size_of(dir_in, ID_D), -1);
    EXPECT_INT(qmgr_pool_count(p), 0);
    qmgr_pool_close(&p);
    teardown();
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_put_then_take),
        TEST_CASE(test_limit_unlinks),
        TEST_CASE(test_restart_finds_the_pool),
        TEST_CASE(test_bad_entries_dropped),
        TEST_END,
    });
}
