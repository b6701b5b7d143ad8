/* SPDX-License-Identifier: MIT
 * test_durable - crash-safe file writes: durable_write_file creates with
 * exactly the mode asked whatever the umask, replaces atomically and leaves
 * no temporary file, never writes through a file or symlink already at its
 * temporary name; read_file bounds, refuses what is not a regular file and
 * terminates; durable_rename across directories; fsync_dir errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

/* path_in - a name under a per-test subdirectory (slots keep paths apart) */
static const char *path_in(int slot, const char *dir, const char *name)
{
    static char paths[4][4096];

    snprintf(paths[slot], sizeof(paths[slot]), "%s/%s%s%s", test_tmpdir(), dir, name[0] ? "/" : "", name);
    return paths[slot];
}

/* make_dir - a fresh directory under the test directory */
static const char *make_dir(const char *dir)
{
    const char *path = path_in(3, dir, "");

    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        test_fail(__FILE__, __LINE__, "mkdir %s: %s", path, strerror(errno));
    }
    return path;
}

/* content - the text of a file, or "(missing)" (static buffer) */
static const char *content(const char *path)
{
    static char text[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return "(missing)";
    n = read(fd, text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    close(fd);
    return text;
}

/* count_tmp_files - entries of dir whose name contains ".tmp." */
static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* test_write_mode - the file has exactly the mode asked, whatever the umask */
static void test_write_mode(void)
{
    static const struct {
        mode_t umask;
        mode_t mode;
    } cases[] = {
        { 077, 0644 }, { 077, 0600 }, { 0777, 0640 }, { 022, 0666 },
        { 0, 0600 },   { 0, 0444 },   { 027, 0755 },  { 077, 02750 },
    };
    const char *dir = make_dir("mode");
    const char *error = NULL;
    char name[32];
    struct stat st;
    size_t i;
    mode_t old;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(name, sizeof(name), "f%zu", i);
        old = umask(cases[i].umask);
        EXPECT_INT(durable_write_file(path_in(0, "mode", name), "abc", 3, cases[i].mode, &error), 0);
        umask(old);
        EXPECT_INT(stat(path_in(0, "mode", name), &st), 0);
        if (!EXPECT_INT(st.st_mode & 07777, cases[i].mode))
            fprintf(stderr, "  case %zu: umask %03o\n", i, (unsigned)cases[i].umask);
        EXPECT_TRUE(S_ISREG(st.st_mode));
        EXPECT_STR(content(path_in(0, "mode", name)), "abc");
    }
    EXPECT_INT(count_tmp_files(dir), 0);
}

/* test_write_replaces - old content replaced by a new inode, nothing left */
static void test_write_replaces(void)
{
    const char *dir = make_dir("replace");
    const char *path = path_in(0, "replace", "target");
    const char *link_path = path_in(1, "replace", "old-link");
    const char *error = NULL;
    static const char binary[] = "bin\0ary\n";

    EXPECT_INT(durable_write_file(path, "old content", 11, 0644, &error), 0);
    EXPECT_INT(link(path, link_path), 0);
    EXPECT_INT(durable_write_file(path, "new", 3, 0600, &error), 0);
    EXPECT_STR(content(path), "new");
    /* renamed into place, not rewritten: the old inode keeps the old text */
    EXPECT_STR(content(link_path), "old content");
    EXPECT_INT(count_tmp_files(dir), 0);

    /* binary data and an empty file */
    EXPECT_INT(durable_write_file(path, binary, sizeof(binary) - 1, 0600, &error), 0);
    {
        char *data = NULL;
        size_t len = 0;

        EXPECT_INT(read_file(path, 100, &data, &len, &error), 0);
        EXPECT_MEM(data, len, binary, sizeof(binary) - 1);
        xfree(data);
    }
    EXPECT_INT(durable_write_file(path, "", 0, 0600, &error), 0);
    EXPECT_STR(content(path), "");
    EXPECT_INT(count_tmp_files(dir), 0);
}

/* test_write_stale_tmp - files or symlinks at temporary-looking names (a
 * crash's leftovers, or a trap) neither block a write nor are written
 * through */
static void test_write_stale_tmp(void)
{
    const char *path = path_in(0, "taken", "target");
    const char *victim = path_in(2, "taken", "victim");
    const char *error = NULL;
    char stale[4200], link_name[4200];

    make_dir("taken");
    test_write_file(path, "original");
    test_write_file(victim, "victim text");
    snprintf(stale, sizeof(stale), "%s.tmp.%ld", path, (long)getpid());
    snprintf(link_name, sizeof(link_name), "%s.tmp.XXXXXX", path);
    test_write_file(stale, "left by a crash");
    EXPECT_INT(symlink(victim, link_name), 0);
    EXPECT_INT(durable_write_file(path, "replacement", 11, 0644, &error), 0);
    EXPECT_STR(content(path), "replacement");
    EXPECT_STR(content(victim), "victim text");
    EXPECT_STR(content(stale), "left by a crash");
    unlink(stale);
    unlink(link_name);
}

/* test_write_errors - failures name the path and leave nothing behind */
static void test_write_errors(void)
{
    const char *dir = make_dir("errors");
    const char *missing = path_in(0, "errors", "no-such-dir/file");
    const char *subdir = path_in(1, "errors", "subdir");
    const char *error = NULL;
    char want[4200];

    EXPECT_INT(durable_write_file(missing, "x", 1, 0644, &error), -1);
    snprintf(want, sizeof(want), "create a temporary file for %s: No such file or directory", missing);
    EXPECT_STR(error, want);

    /* the target is a directory: the rename fails, the temporary goes away */
    EXPECT_INT(mkdir(subdir, 0755), 0);
    error = NULL;
    EXPECT_INT(durable_write_file(subdir, "x", 1, 0644, &error), -1);
    EXPECT_CONTAINS(error, "rename ");
    snprintf(want, sizeof(want), " to %s: Is a directory", subdir);
    EXPECT_CONTAINS(error, want);
    EXPECT_INT(count_tmp_files(dir), 0);

    /* NULL error_r is accepted */
    EXPECT_INT(durable_write_file(missing, "x", 1, 0644, NULL), -1);
}

/* test_read_file - bounded, NUL-terminated, regular files only */
static void test_read_file(void)
{
    static const struct {
        const char *text;
        size_t max;
        int ret;
    } cases[] = {
        { "hello\nworld", 100, 0 },
        { "hello\nworld", 11, 0 },
        { "hello\nworld", 10, -1 },
        { "", 0, 0 },
        { "x", 0, -1 },
        { "", 5, 0 },
    };
    const char *path = path_in(0, "read", "file");
    const char *error;
    char *data;
    size_t i, len;
    char want[4200];

    make_dir("read");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        test_write_file(path, cases[i].text);
        data = NULL;
        len = 12345;
        error = NULL;
        if (!EXPECT_INT(read_file(path, cases[i].max, &data, &len, &error), cases[i].ret))
            fprintf(stderr, "  case %zu\n", i);
        if (cases[i].ret == 0) {
            EXPECT_TRUE(data != NULL);
            if (data == NULL)
                continue;
            EXPECT_INT(len, strlen(cases[i].text));
            EXPECT_MEM(data, len, cases[i].text, strlen(cases[i].text));
            EXPECT_INT(data[len], 0);
            xfree(data);
        } else {
            snprintf(want, sizeof(want), "%s: larger than %zu bytes", path, cases[i].max);
            EXPECT_STR(error, want);
        }
    }
}

/* test_read_file_refuses - missing files, directories, devices */
static void test_read_file_refuses(void)
{
    const char *dir = make_dir("refuse");
    const char *missing = path_in(0, "refuse", "missing");
    const char *error = NULL;
    char *data = NULL;
    size_t len = 0;
    char want[4200];

    EXPECT_INT(read_file(missing, 100, &data, &len, &error), -1);
    snprintf(want, sizeof(want), "open %s: No such file or directory", missing);
    EXPECT_STR(error, want);
    EXPECT_INT(read_file(dir, 1 << 20, &data, &len, &error), -1);
    snprintf(want, sizeof(want), "%s: not a regular file", dir);
    EXPECT_STR(error, want);
    EXPECT_INT(read_file("/dev/null", 100, &data, &len, &error), -1);
    EXPECT_STR(error, "/dev/null: not a regular file");
    EXPECT_TRUE(data == NULL);
}

/* test_read_file_fifo - a FIFO is refused, not waited on */
static void test_read_file_fifo(void)
{
    const char *fifo = path_in(0, "fifo", "pipe");
    int status = -1;
    pid_t pid;

    make_dir("fifo");
    EXPECT_INT(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        const char *error = "";
        char *data = NULL;
        size_t len = 0;
        int rc;

        /* opening a FIFO with no writer blocks: give up after 3 seconds */
        alarm(3);
        rc = read_file(fifo, 100, &data, &len, &error);
        _exit(rc == -1 && strstr(error, "not a regular file") != NULL ? 0 : 1);
    }
    EXPECT_TRUE(pid > 0 && waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        test_fail(__FILE__, __LINE__, "read_file(%s) blocked opening a FIFO instead of refusing it", fifo);
    else
        EXPECT_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

/* test_rename - across two directories and within one */
static void test_rename(void)
{
    const char *from = path_in(0, "ren-a", "f");
    const char *to = path_in(1, "ren-b", "g");
    const char *error = NULL;
    char want[8400];

    make_dir("ren-a");
    make_dir("ren-b");
    test_write_file(from, "moved");
    EXPECT_INT(durable_rename(from, to, &error), 0);
    EXPECT_STR(content(from), "(missing)");
    EXPECT_STR(content(to), "moved");

    /* within one directory */
    EXPECT_INT(durable_rename(to, path_in(2, "ren-b", "h"), &error), 0);
    EXPECT_STR(content(path_in(2, "ren-b", "h")), "moved");

    /* the source is gone now: the error names both paths */
    error = NULL;
    EXPECT_INT(durable_rename(to, from, &error), -1);
    snprintf(want, sizeof(want), "rename %s to %s: No such file or directory", to, from);
    EXPECT_STR(error, want);

    /* into a missing directory: fails and the source stays */
    error = NULL;
    EXPECT_INT(durable_rename(path_in(2, "ren-b", "h"), path_in(0, "ren-missing", "x"), &error), -1);
    EXPECT_CONTAINS(error, "No such file or directory");
    EXPECT_STR(content(path_in(2, "ren-b", "h")), "moved");
}

/* test_rename_relative - names without a directory are in the cwd */
static void test_rename_relative(void)
{
    const char *error = NULL;
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    EXPECT_INT(chdir(make_dir("relative")), 0);
    test_write_file(path_in(0, "relative", "one"), "rel");
    if (!EXPECT_INT(durable_rename("one", "two", &error), 0))
        fprintf(stderr, "  error: %s\n", error);
    EXPECT_STR(content("two"), "rel");
    EXPECT_STR(content("one"), "(missing)");
    EXPECT_INT(fchdir(cwd), 0);
    close(cwd);
}

/* test_fsync_dir - existing directories pass, others fail with the path */
static void test_fsync_dir(void)
{
    const char *dir = make_dir("sync");
    const char *missing = path_in(0, "sync", "missing");
    const char *file = path_in(1, "sync", "file");
    const char *error = NULL;
    char want[4200];

    EXPECT_INT(fsync_dir(dir, &error), 0);
    EXPECT_INT(fsync_dir(missing, &error), -1);
    snprintf(want, sizeof(want), "open directory %s: No such file or directory", missing);
    EXPECT_STR(error, want);
    test_write_file(file, "x");
    EXPECT_INT(fsync_dir(file, &error), -1);
    snprintf(want, sizeof(want), "open directory %s: Not a directory", file);
    EXPECT_STR(error, want);
    EXPECT_INT(fsync_parent_dir(file, &error), 0);
    error = NULL;
    EXPECT_INT(fsync_parent_dir(path_in(2, "sync", "missing/file"), &error), -1);
    snprintf(want, sizeof(want), "open directory %s: No such file or directory", missing);
    EXPECT_STR(error, want);
}

/* test_write_full - everything is written; a broken pipe is an error */
static void test_write_full(void)
{
    const char *path = path_in(0, "full", "big");
    static char big[1 << 20];
    struct stat st;
    int fd, p[2];
    void (*old)(int);

    make_dir("full");
    memset(big, 'b', sizeof(big));
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_TRUE(fd >= 0);
    EXPECT_INT(write_full(fd, big, sizeof(big)), 0);
    EXPECT_INT(fstat(fd, &st), 0);
    EXPECT_INT(st.st_size, sizeof(big));
    close(fd);

    EXPECT_INT(pipe(p), 0);
    close(p[0]);
    old = signal(SIGPIPE, SIG_IGN);
    errno = 0;
    EXPECT_INT(write_full(p[1], "x", 1), -1);
    EXPECT_INT(errno, EPIPE);
    signal(SIGPIPE, old);
    close(p[1]);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_write_mode),
        TEST_CASE(test_write_replaces),
        TEST_CASE(test_write_stale_tmp),
        TEST_CASE(test_write_errors),
        TEST_CASE(test_read_file),
        TEST_CASE(test_read_file_refuses),
        TEST_CASE(test_read_file_fifo),
        TEST_CASE(test_rename),
        TEST_CASE(test_rename_relative),
        TEST_CASE(test_fsync_dir),
        TEST_CASE(test_write_full),
        TEST_END,
    });
}
