/* SPDX-License-Identifier: MIT
 * test_map_lmdb - maps on LMDB: put/get/delete/list, batches, limits with
 * exact errors, and every failure giving MAP_TEMPFAIL and never
 * MAP_NOTFOUND (garbage file, truncated file, a directory, a file the
 * process may not read, a lock held too long); growth from a tiny map;
 * a writer in another process seen by an open reader (also after growth);
 * a map replaced by map_text_compile seen by an open reader.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "map/map.h"
#include "map/map_text.h"
#include "test.h"
#include "util/alloc.h"

/* tpath - a path under the test directory (two rotating buffers) */
static const char *tpath(const char *name)
{
    static char paths[2][512];
    static int n;
    char *p = paths[n++ % 2];

    snprintf(p, sizeof(paths[0]), "%s/%s", test_tmpdir(), name);
    return p;
}

/* expect_value - lookup gives MAP_FOUND with want, or MAP_NOTFOUND if NULL */
static void expect_value(struct map *m, const char *key, const char *want, int line)
{
    const char *error = NULL;
    char *value;
    enum map_result r = map_lookup(m, key, &value, &error);

    if (want == NULL && r != MAP_NOTFOUND)
        test_fail(__FILE__, line, "lookup %s: got result %d (%s), want MAP_NOTFOUND", key, r, error);
    if (want != NULL && (r != MAP_FOUND || strcmp(value, want) != 0))
        test_fail(__FILE__, line, "lookup %s: got result %d value \"%s\" (%s), want \"%s\"", key, r,
                  value != NULL ? value : "(null)", error, want);
    free(value);
}
#define EXPECT_VALUE(m, key, want) expect_value((m), (key), (want), __LINE__)

/* expect_tempfail - lookup gives MAP_TEMPFAIL with an error containing want */
static void expect_tempfail(struct map *m, const char *key, const char *want, int line)
{
    const char *error = NULL;
    char *value = (char *)"x";
    enum map_result r = map_lookup(m, key, &value, &error);

    if (r != MAP_TEMPFAIL || value != NULL || error == NULL || strstr(error, want) == NULL)
        test_fail(__FILE__, line, "lookup %s: got result %d error \"%s\", want MAP_TEMPFAIL with \"%s\"", key,
                  r, error != NULL ? error : "(null)", want);
}
#define EXPECT_TEMPFAIL(m, key, want) expect_tempfail((m), (key), (want), __LINE__)

/* test_put_get_delete_list - the basic operations and sorted iteration */
static void test_put_get_delete_list(void)
{
    static const char *const want[][2] = { { "a@x", "1" }, { "b@x", "" }, { "c@x", "3" } };
    struct map *m;
    struct map_iter *it;
    const char *error, *k, *v;
    size_t n = 0;

    EXPECT_INT(map_open(tpath("basic.lmdb"), MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    EXPECT_INT(map_put(m, "c@x", "3", &error), 0);
    EXPECT_INT(map_put(m, "a@x", "old", &error), 0);
    EXPECT_INT(map_put(m, "a@x", "1", &error), 0);
    EXPECT_INT(map_put(m, "b@x", "", &error), 0);
    EXPECT_INT(map_put(m, "d@x", "4", &error), 0);
    EXPECT_VALUE(m, "a@x", "1");
    EXPECT_VALUE(m, "b@x", "");
    EXPECT_VALUE(m, "A@x", NULL);
    EXPECT_INT(map_delete(m, "d@x", &error), 0);
    EXPECT_INT(map_delete(m, "never@x", &error), 0);
    EXPECT_VALUE(m, "d@x", NULL);
    EXPECT_INT(map_iter_begin(m, &it, &error), 0);
    while (map_iter_next(it, &k, &v, &error) == MAP_FOUND) {
        if (EXPECT_TRUE(n < 3)) {
            EXPECT_STR(k, want[n][0]);
            EXPECT_STR(v, want[n][1]);
        }
        n++;
    }
    EXPECT_INT(n, 3);
    map_iter_end(&it);
    EXPECT_TRUE(it == NULL);
    map_close(&m);
    EXPECT_TRUE(m == NULL);
    map_close(&m);
    EXPECT_INT(map_open(tpath("basic.lmdb"), MAP_RDONLY, 0, &m, &error), 0);
    EXPECT_VALUE(m, "c@x", "3");
    EXPECT_INT(map_put(m, "e@x", "5", &error), -1);
    EXPECT_CONTAINS(error, "basic.lmdb: opened read-only");
    map_close(&m);
}

/* test_create_mode - a new map gets exactly its mode; MAP_EXCL refuses an
 * existing file; an existing file's mode is left alone */
static void test_create_mode(void)
{
    const char *path = tpath("mode.lmdb"), *error;
    struct map *m;
    struct stat st;
    mode_t old = umask(077);

    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0644, &m, &error), 0);
    map_close(&m);
    umask(old);
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0644);
    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE | MAP_EXCL, 0600, &m, &error), -1);
    EXPECT_CONTAINS(error, "mode.lmdb: File exists");
    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    map_close(&m);
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0644);
    EXPECT_INT(map_open(tpath("nosuch.lmdb"), MAP_RDWR, 0600, &m, &error), -1);
    EXPECT_CONTAINS(error, "nosuch.lmdb: No such file or directory");
}

/* test_batch - a batch applies all of its changes or none */
static void test_batch(void)
{
    struct map *m;
    const char *error;

    EXPECT_INT(map_open(tpath("batch.lmdb"), MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    EXPECT_INT(map_put(m, "keep", "1", &error), 0);
    EXPECT_INT(map_write_begin(m, &error), 0);
    EXPECT_INT(map_write_begin(m, &error), -1);
    EXPECT_CONTAINS(error, "a write batch is already open");
    EXPECT_INT(map_put(m, "a", "1", &error), 0);
    EXPECT_INT(map_delete(m, "keep", &error), 0);
    EXPECT_VALUE(m, "a", NULL); /* queued changes are not visible */
    map_write_abort(m);
    EXPECT_VALUE(m, "a", NULL);
    EXPECT_VALUE(m, "keep", "1");
    EXPECT_INT(map_write_commit(m, &error), -1);
    EXPECT_CONTAINS(error, "no write batch is open");
    EXPECT_INT(map_write_begin(m, &error), 0);
    EXPECT_INT(map_put(m, "a", "1", &error), 0);
    EXPECT_INT(map_put(m, "b", "2", &error), 0);
    EXPECT_INT(map_delete(m, "keep", &error), 0);
    EXPECT_INT(map_write_commit(m, &error), 0);
    EXPECT_VALUE(m, "a", "1");
    EXPECT_VALUE(m, "b", "2");
    EXPECT_VALUE(m, "keep", NULL);
    EXPECT_INT(map_write_begin(m, &error), 0);
    EXPECT_INT(map_put(m, "c", "3", &error), 0);
    map_close(&m); /* an open batch is discarded */
    EXPECT_INT(map_open(tpath("batch.lmdb"), MAP_RDONLY, 0, &m, &error), 0);
    EXPECT_VALUE(m, "c", NULL);
    map_close(&m);
}

/* test_limits - key and value limits, with exact errors */
static void test_limits(void)
{
    char key[MAP_KEY_MAX + 2], *value = xmalloc(MAP_VALUE_MAX + 2);
    struct map *m;
    const char *error;

    memset(key, 'k', sizeof(key));
    key[MAP_KEY_MAX] = '\0';
    memset(value, 'v', MAP_VALUE_MAX + 1);
    value[MAP_VALUE_MAX] = '\0';
    EXPECT_INT(map_open(tpath("limits.lmdb"), MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    EXPECT_INT(map_put(m, key, value, &error), 0);
    EXPECT_VALUE(m, key, value);
    EXPECT_INT(map_put(m, "", "x", &error), -1);
    EXPECT_STR(error, "empty key");
    key[MAP_KEY_MAX] = 'k';
    key[MAP_KEY_MAX + 1] = '\0';
    EXPECT_INT(map_put(m, key, "x", &error), -1);
    EXPECT_STR(error, "key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...\" is longer than 511 bytes");
    EXPECT_VALUE(m, key, NULL); /* cannot be in the map */
    EXPECT_VALUE(m, "", NULL);
    value[MAP_VALUE_MAX] = 'v';
    value[MAP_VALUE_MAX + 1] = '\0';
    EXPECT_INT(map_put(m, "k", value, &error), -1);
    EXPECT_STR(error, "value of key \"k\" is longer than 65536 bytes");
    map_close(&m);
    xfree(value);
}

/* test_lookup_address - the candidate order, extensions, catch-all, and a
 * failure that is never answered by the catch-all */
static void test_lookup_address(void)
{
    const char *path = tpath("vmail.lmdb"), *error = NULL;
    struct map_key_candidates c;
    struct map *m;
    size_t matched;
    char *value;

    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    EXPECT_INT(map_put(m, "user@x", "mbox", &error), 0);
    EXPECT_INT(map_put(m, "other+special@x", "special", &error), 0);
    EXPECT_INT(map_put(m, "@x", "catch", &error), 0);
    EXPECT_INT(map_lookup_address(m, "User+Box@X.", "+", &c, &matched, &value, &error), MAP_FOUND);
    EXPECT_STR(value, "mbox");
    EXPECT_STR(c.key[matched], "user@x");
    EXPECT_STR(c.ext, "Box");
    free(value);
    EXPECT_INT(map_lookup_address(m, "other+special@x", "+", &c, &matched, &value, &error), MAP_FOUND);
    EXPECT_STR(value, "special");
    EXPECT_INT(matched, 0);
    free(value);
    EXPECT_INT(map_lookup_address(m, "nobody@x", "+", &c, &matched, &value, &error), MAP_FOUND);
    EXPECT_STR(value, "catch");
    EXPECT_STR(c.key[matched], "@x");
    free(value);
    EXPECT_INT(map_lookup_address(m, "user@y", "+", &c, &matched, &value, &error), MAP_NOTFOUND);
    EXPECT_TRUE(value == NULL);
    EXPECT_INT(map_lookup_address(m, "a b@x", "+", &c, &matched, &value, &error), MAP_NOTFOUND);
    EXPECT_STR(error, "invalid key \"a b@x\": contains white space");
    map_close(&m);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &m, &error), 0);
    test_write_file("vmail.lmdb.new",
                    "garbage, not LMDB, garbage, not LMDB, garbage, not LMDB, garbage, not LMDB");
    EXPECT_INT(rename(tpath("vmail.lmdb.new"), path), 0);
    EXPECT_INT(map_lookup_address(m, "nobody@x", "+", &c, &matched, &value, &error), MAP_TEMPFAIL);
    EXPECT_CONTAINS(error, "MDB_INVALID");
    EXPECT_INT(matched, 0);
    map_close(&m);
}

/* test_garbage_file - a file that is not LMDB: an error, never NOTFOUND */
static void test_garbage_file(void)
{
    char garbage[16384];
    const char *path, *error = NULL;
    struct map *m;
    size_t i;
    int fd;

    for (i = 0; i < sizeof(garbage); i++)
        garbage[i] = (char)(i * 131 + 7);
    path = tpath("garbage.lmdb");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_INT(write(fd, garbage, sizeof(garbage)), sizeof(garbage));
    close(fd);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &m, &error), -1);
    EXPECT_TRUE(m == NULL);
    EXPECT_CONTAINS(error, "open map ");
    EXPECT_CONTAINS(error, "MDB_INVALID");
    EXPECT_INT(map_open(path, MAP_RDONLY | MAP_DEFER_ERRORS, 0, &m, &error), 0);
    EXPECT_TEMPFAIL(m, "a@x", "MDB_INVALID");
    EXPECT_TEMPFAIL(m, "a@x", "MDB_INVALID");
    /* an empty file, as while a writer creates a map in place */
    EXPECT_INT(truncate(path, 0), 0);
    EXPECT_TEMPFAIL(m, "a@x", "garbage.lmdb: the file is empty (not an LMDB file yet)");
    map_close(&m);
}

/* test_truncated_file - a map cut short gives TEMPFAIL, not SIGBUS */
static void test_truncated_file(void)
{
    const char *path = tpath("trunc.lmdb"), *error;
    char key[32], value[200];
    struct map *m;
    int i;

    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0';
    EXPECT_INT(map_write_begin(m, &error), 0);
    for (i = 0; i < 200; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        EXPECT_INT(map_put(m, key, value, &error), 0);
    }
    EXPECT_INT(map_write_commit(m, &error), 0);
    map_close(&m);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &m, &error), 0);
    EXPECT_VALUE(m, "key5", value);
    EXPECT_INT(truncate(path, 3 * 4096), 0);
    EXPECT_TEMPFAIL(m, "key5", "is corrupt: truncated to 12288 bytes");
    map_close(&m);
}

/* test_directory - a directory where the map should be */
static void test_directory(void)
{
    const char *error;
    struct map *m;

    EXPECT_INT(map_open(test_tmpdir(), MAP_RDONLY, 0, &m, &error), -1);
    EXPECT_CONTAINS(error, ": not a regular file");
    EXPECT_INT(map_open(test_tmpdir(), MAP_RDONLY | MAP_DEFER_ERRORS, 0, &m, &error), 0);
    EXPECT_TEMPFAIL(m, "a@x", "not a regular file");
    map_close(&m);
    EXPECT_INT(map_open(tpath("missing.lmdb"), MAP_RDONLY | MAP_DEFER_ERRORS, 0, &m, &error), 0);
    EXPECT_TEMPFAIL(m, "a@x", "No such file or directory");
    map_close(&m);
    EXPECT_INT(map_open(tpath("x.lmdb"), MAP_RDWR | MAP_DEFER_ERRORS, 0600, &m, &error), -1);
    EXPECT_CONTAINS(error, "MAP_DEFER_ERRORS is for readers only");
}

/* child_unreadable - as nobody, a 0600 root map cannot be read; exit 0 if
 * open fails and a deferred map's lookup is MAP_TEMPFAIL */
static int child_unreadable(const char *path)
{
    struct passwd *pw = getpwnam("nobody");
    const char *error = NULL;
    struct map *m;
    char *value;

    if (pw == NULL || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
        return 2;
    if (map_open(path, MAP_RDONLY, 0, &m, &error) != -1 || strstr(error, "Permission denied") == NULL)
        return 3;
    if (map_open(path, MAP_RDONLY | MAP_DEFER_ERRORS, 0, &m, &error) < 0)
        return 4;
    if (map_lookup(m, "a@x", &value, &error) != MAP_TEMPFAIL || strstr(error, "Permission denied") == NULL)
        return 5;
    map_close(&m);
    return 0;
}

/* test_unreadable - a file the reader may not open gives TEMPFAIL */
static void test_unreadable(void)
{
    const char *path = tpath("secret.lmdb"), *error;
    struct map *m;
    int status;
    pid_t pid;

    if (geteuid() != 0 || getpwnam("nobody") == NULL) {
        printf("skip test_unreadable: needs root and a \"nobody\" user\n");
        return;
    }
    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0);
    EXPECT_INT(map_put(m, "a@x", "secret", &error), 0);
    map_close(&m);
    EXPECT_INT(chmod(test_tmpdir(), 0755), 0);
    pid = fork();
    if (pid == 0)
        _exit(child_unreadable(path));
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : 100, 0);
}

/* test_lock_timeout - a lock held too long is TEMPFAIL, not a hang */
static void test_lock_timeout(void)
{
    const char *path = tpath("locked.lmdb"), *error = NULL, *k, *v;
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct map *m, *w;
    struct map_iter *it;
    int fd;

    EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &w, &error), 0);
    EXPECT_INT(map_put(w, "a", "1", &error), 0);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &m, &error), 0);
    map_set_lock_timeout(m, 100);
    map_set_lock_timeout(w, 100);
    /* an exclusive lock as a writer holds it, through another description */
    fd = open(path, O_RDWR);
    EXPECT_INT(fcntl(fd, F_OFD_SETLK, &fl), 0);
    EXPECT_TEMPFAIL(m, "a", "timed out after");
    fl.l_type = F_UNLCK;
    EXPECT_INT(fcntl(fd, F_OFD_SETLK, &fl), 0);
    close(fd);
    EXPECT_VALUE(m, "a", "1");
    /* a reader (an open iterator) keeps a writer out */
    EXPECT_INT(map_iter_begin(m, &it, &error), 0);
    EXPECT_INT(map_iter_next(it, &k, &v, &error), MAP_FOUND);
    EXPECT_INT(map_put(w, "b", "2", &error), -1);
    EXPECT_CONTAINS(error, "timed out after");
    map_iter_end(&it);
    EXPECT_INT(map_put(w, "b", "2", &error), 0);
    EXPECT_VALUE(m, "b", "2");
    map_close(&m);
    map_close(&w);
}

/* fill - put n keys with 100-byte values, in one batch or one by one */
static int fill(struct map *m, const char *prefix, int n, int batch)
{
    char key[64], value[101];
    const char *error;
    int i;

    memset(value, 'x', 100);
    value[100] = '\0';
    if (batch && map_write_begin(m, &error) < 0)
        return -1;
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s%05d", prefix, i);
        if (map_put(m, key, value, &error) < 0)
            return -1;
    }
    return batch ? map_write_commit(m, &error) : 0;
}

/* count_keys - number of entries with the prefix that lookups find */
static int count_keys(struct map *m, const char *prefix, int n)
{
    char key[64], *value;
    int i, found = 0;

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s%05d", prefix, i);
        if (map_lookup(m, key, &value, NULL) == MAP_FOUND)
            found++;
        free(value);
    }
    return found;
}

/* test_growth - a tiny map grows to hold everything, up to its maximum */
static void test_growth(void)
{
    const char *error;
    struct map *m;
    struct stat st;

    EXPECT_INT(map_open_sized(tpath("grow.lmdb"), MAP_RDWR | MAP_CREATE, 0600, 32768, 64 << 20, &m, &error),
               0);
    EXPECT_INT(fill(m, "one", 1000, 0), 0);
    EXPECT_INT(fill(m, "batch", 5000, 1), 0);
    EXPECT_INT(count_keys(m, "one", 1000), 1000);
    EXPECT_INT(count_keys(m, "batch", 5000), 5000);
    EXPECT_INT(stat(tpath("grow.lmdb"), &st), 0);
    EXPECT_TRUE(st.st_size > 32768 * 8);
    map_close(&m);
    EXPECT_INT(map_open_sized(tpath("full.lmdb"), MAP_RDWR | MAP_CREATE, 0600, 32768, 65536, &m, &error), 0);
    EXPECT_INT(fill(m, "a", 20, 1), 0);
    EXPECT_INT(map_write_begin(m, &error), 0);
    EXPECT_INT(fill(m, "b", 2000, 0), 0);
    EXPECT_INT(map_write_commit(m, &error), -1);
    EXPECT_CONTAINS(error, "is full (65536 bytes, the maximum size)");
    EXPECT_INT(count_keys(m, "a", 20), 20);
    EXPECT_INT(count_keys(m, "b", 2000), 0);
    map_close(&m);
}

/* test_other_process - a reader sees what a writer in another process did,
 * also when the writer grew the map past the reader's mapping */
static void test_other_process(void)
{
    const char *path = tpath("shared.lmdb"), *error;
    char hundred[101];
    struct map *r, *w;
    int status;
    pid_t pid;

    EXPECT_INT(map_open_sized(path, MAP_RDWR | MAP_CREATE, 0600, 32768, 64 << 20, &w, &error), 0);
    EXPECT_INT(map_put(w, "first", "1", &error), 0);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &r, &error), 0);
    EXPECT_VALUE(r, "first", "1");
    EXPECT_VALUE(r, "second", NULL);
    pid = fork();
    if (pid == 0) {
        struct map *cw;

        if (map_open_sized(path, MAP_RDWR, 0, 32768, 64 << 20, &cw, &error) < 0
            || map_put(cw, "second", "2", &error) < 0 || fill(cw, "grow", 20000, 1) < 0)
            _exit(1);
        map_close(&cw);
        _exit(0);
    }
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : 100, 0);
    EXPECT_VALUE(r, "second", "2");
    EXPECT_INT(count_keys(r, "grow", 20000), 20000);
    /* a writer that was open before the other process grew the map */
    EXPECT_INT(map_put(w, "third", "3", &error), 0);
    EXPECT_VALUE(r, "third", "3");
    memset(hundred, 'x', 100);
    hundred[100] = '\0';
    EXPECT_VALUE(w, "grow19999", hundred);
    map_close(&w);
    map_close(&r);
}

#define WRITER_BATCHES 60

/* child_writer - WRITER_BATCHES batches that each set "0pair-a", the 40 keys "fNN"
 * and "0pair-b" to the batch number, and add 40 new keys (growing the map
 * several times); exit 0 on success */
static int child_writer(const char *path)
{
    char v[128], key[16], prefix[16];
    const char *error;
    struct map *w;
    int i, j, ok;

    if (map_open_sized(path, MAP_RDWR, 0, 32768, 64 << 20, &w, &error) < 0)
        return 1;
    for (i = 1; i <= WRITER_BATCHES; i++) {
        snprintf(v, sizeof(v), "%d %0100d", i, i);
        snprintf(prefix, sizeof(prefix), "g%03d-", i);
        ok = map_write_begin(w, &error) == 0 && map_put(w, "0pair-a", v, &error) == 0;
        for (j = 0; j < 40 && ok; j++) {
            snprintf(key, sizeof(key), "f%02d", j);
            ok = map_put(w, key, v, &error) == 0;
        }
        if (!ok || fill(w, prefix, 40, 0) < 0 || map_put(w, "0pair-b", v, &error) < 0
            || map_write_commit(w, &error) < 0)
            return 2;
        usleep(3000);
    }
    map_close(&w);
    return 0;
}

/* read_pair - "0pair-a", "0pair-b" and every "fNN" in one read transaction;
 * 1 if all hold the same value (*value_r gets its number) */
static int read_pair(struct map *r, int *value_r)
{
    const char *k, *v, *error;
    struct map_iter *it;
    char first[128] = "";
    int ok = 1, n = 0;

    if (map_iter_begin(r, &it, &error) < 0)
        return 0;
    while (ok && map_iter_next(it, &k, &v, &error) == MAP_FOUND && k[0] != 'g') {
        if (n++ == 0)
            snprintf(first, sizeof(first), "%s", v);
        ok = strcmp(first, v) == 0;
        /* a slow reader: without the locks, the writer would reuse pages
         * of this snapshot while it is still being read */
        usleep(100);
    }
    *value_r = atoi(first);
    map_iter_end(&it);
    return ok && (n == 2 || n == 42);
}

/* test_concurrent - a reader never sees half a batch or an error while
 * another process writes and grows the map */
static void test_concurrent(void)
{
    const char *path = tpath("busy.lmdb"), *error;
    struct map *r;
    int status, value = 0, last = 0, reads = 0, bad = 0;
    pid_t pid;

    EXPECT_INT(map_open_sized(path, MAP_RDWR | MAP_CREATE, 0600, 32768, 64 << 20, &r, &error), 0);
    EXPECT_INT(map_put(r, "0pair-a", "0", &error), 0);
    EXPECT_INT(map_put(r, "0pair-b", "0", &error), 0);
    map_close(&r);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &r, &error), 0);
    pid = fork();
    if (pid == 0)
        _exit(child_writer(path));
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (!read_pair(r, &value) || value < last)
            bad++;
        last = value;
        reads++;
        usleep(2000);
    }
    EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : 100, 0);
    EXPECT_INT(bad, 0);
    EXPECT_TRUE(read_pair(r, &value));
    EXPECT_INT(value, WRITER_BATCHES);
    EXPECT_INT(count_keys(r, "g060-", 40), 40);
    printf("test_concurrent: %d consistent reads during the writes\n", reads);
    map_close(&r);
}

/* test_replaced_by_rename - map_text_compile's rename reaches open readers */
static void test_replaced_by_rename(void)
{
    char src[512], path[512];
    const char *error;
    struct map *r;
    size_t count;

    snprintf(src, sizeof(src), "%s", tpath("virtual"));
    snprintf(path, sizeof(path), "%s", tpath("virtual.lmdb"));
    test_write_file("virtual", "a@x  one\nb@x  two\n");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_VIRTUAL, 0640, &count, &error), 0);
    EXPECT_INT(count, 2);
    EXPECT_INT(map_open(path, MAP_RDONLY, 0, &r, &error), 0);
    EXPECT_VALUE(r, "a@x", "one");
    test_write_file("virtual", "a@x  uno\nc@x  tres\n");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_VIRTUAL, 0640, &count, &error), 0);
    EXPECT_VALUE(r, "a@x", "uno");
    EXPECT_VALUE(r, "b@x", NULL);
    EXPECT_VALUE(r, "c@x", "tres");
    /* garbage renamed into place: TEMPFAIL, and recovery once fixed */
    test_write_file("junk", "this is not an LMDB file, not at all, really not..........................");
    EXPECT_INT(rename(tpath("junk"), path), 0);
    EXPECT_TEMPFAIL(r, "a@x", "MDB_INVALID");
    EXPECT_INT(map_text_compile(src, path, MAP_TEXT_VIRTUAL, 0640, &count, &error), 0);
    EXPECT_VALUE(r, "c@x", "tres");
    /* a removed map is an error too, not an empty map */
    EXPECT_INT(unlink(path), 0);
    EXPECT_TEMPFAIL(r, "a@x", "No such file or directory");
    map_close(&r);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_put_get_delete_list),
        TEST_CASE(test_create_mode),
        TEST_CASE(test_batch),
        TEST_CASE(test_limits),
        TEST_CASE(test_lookup_address),
        TEST_CASE(test_garbage_file),
        TEST_CASE(test_truncated_file),
        TEST_CASE(test_directory),
        TEST_CASE(test_unreadable),
        TEST_CASE(test_lock_timeout),
        TEST_CASE(test_growth),
        TEST_CASE(test_other_process),
        TEST_CASE(test_concurrent),
        TEST_CASE(test_replaced_by_rename),
        TEST_END,
    });
}
