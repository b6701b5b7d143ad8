/* SPDX-License-Identifier: MIT
 * test_pidfile - the master's pid file: the lock is the truth. A second
 * process cannot lock and is told the holder's pid; pidfile_holder names
 * the holder from another process and 0 once the holder closed its fd; a
 * stale file with no lock is taken over and rewritten; symlinks refused.
 *
 * fcntl locks belong to a process, so the other side of every check is a
 * forked child, reporting through a pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/pidfile.h"
#include "test.h"

#define REPORT_MAX 1024

static char pid_path[4096];

/* use_path - a fresh pid file name for one test */
static const char *use_path(const char *name)
{
    snprintf(pid_path, sizeof(pid_path), "%s/%s", test_tmpdir(), name);
    unlink(pid_path);
    return pid_path;
}

/* content - the text of a file, or "(missing)" (static buffer) */
static const char *content(const char *path)
{
    static char text[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return "(missing)";
    n = read(fd, text, sizeof(text) - 1);
    text[n > 0 ? n : 0] = '\0';
    close(fd);
    return text;
}

/* pid_line - "PID\n" as the pid file holds it */
static const char *pid_line(pid_t pid)
{
    static char text[32];

    snprintf(text, sizeof(text), "%ld\n", (long)pid);
    return text;
}

/* report - append to a child's report line */
static void report(char *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(char *r, const char *fmt, ...)
{
    size_t len = strlen(r);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r + len, REPORT_MAX - len, fmt, ap);
    va_end(ap);
}

/* run_child - run fn in a forked child and return its report line */
static const char *run_child(void (*fn)(char *r))
{
    static char out[REPORT_MAX];
    int p[2], status = -1;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    out[0] = '\0';
    if (pipe(p) < 0)
        return "(pipe failed)";
    fflush(NULL); /* the child must not flush the parent's buffered output */
    pid = fork();
    if (pid == 0) {
        char r[REPORT_MAX] = "";

        close(p[0]);
        fn(r);
        n = write(p[1], r, strlen(r));
        _exit(n == (ssize_t)strlen(r) ? 0 : 3);
    }
    close(p[1]);
    while (len < REPORT_MAX - 1 && (n = read(p[0], out + len, REPORT_MAX - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(p[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        test_fail(__FILE__, __LINE__, "fork or waitpid failed");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

/* child_holder - report who holds the lock on pid_path */
static void child_holder(char *r)
{
    report(r, "holder=%ld", (long)pidfile_holder(pid_path));
}

/* child_try_lock - try to take the lock; report holder and result */
static void child_try_lock(char *r)
{
    const char *error = "";
    int fd = -1, rc;

    report(r, "holder=%ld", (long)pidfile_holder(pid_path));
    rc = pidfile_lock(pid_path, &fd, &error);
    report(r, " rc=%d", rc);
    if (rc < 0)
        report(r, " error=%s", error);
    else
        report(r, " content=%s", content(pid_path));
}

/* test_lock_writes_pid - the file holds our pid; the fd is close-on-exec */
static void test_lock_writes_pid(void)
{
    const char *path = use_path("lock.pid");
    const char *error = NULL;
    int fd = -1;

    EXPECT_INT(pidfile_lock(path, &fd, &error), 0);
    EXPECT_TRUE(fd >= 0);
    EXPECT_STR(content(path), pid_line(getpid()));
    EXPECT_TRUE((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    close(fd);
}

/* test_second_lock_refused - a second process is told who holds the lock */
static void test_second_lock_refused(void)
{
    const char *path = use_path("second.pid");
    const char *error = NULL;
    char want[REPORT_MAX];
    int fd = -1;

    EXPECT_INT(pidfile_lock(path, &fd, &error), 0);
    snprintf(want, sizeof(want),
             "holder=%ld rc=-1 error=a master is already running for this configuration (pid %ld)",
             (long)getpid(), (long)getpid());
    EXPECT_STR(run_child(child_try_lock), want);
    /* the failed attempt did not disturb the file */
    EXPECT_STR(content(path), pid_line(getpid()));
    close(fd);

    /* released: the next process gets it and writes its own pid */
    EXPECT_STR(run_child(child_holder), "holder=0");
    EXPECT_CONTAINS(run_child(child_try_lock), "holder=0 rc=0 content=");
    EXPECT_FALSE(strcmp(content(path), pid_line(getpid())) == 0);
}

/* holder_cmd - tell the holding child to do something and wait for its answer */
static char holder_cmd(int cmd_fd, int ack_fd, char cmd)
{
    char ack = '?';

    if (cmd != 0 && write(cmd_fd, &cmd, 1) != 1)
        return '!';
    if (read(ack_fd, &ack, 1) != 1)
        return '!';
    return ack;
}

/* test_holder_released - a child holds the lock, then closes its fd */
static void test_holder_released(void)
{
    const char *path = use_path("holder.pid");
    const char *error = NULL;
    int cmd[2], ack[2], fd = -1, status = -1;
    char want[256];
    pid_t pid;

    EXPECT_INT(pipe(cmd), 0);
    EXPECT_INT(pipe(ack), 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        char c, a;
        int child_fd = -1;

        a = pidfile_lock(path, &child_fd, NULL) == 0 ? 'L' : 'E';
        while (write(ack[1], &a, 1) == 1 && read(cmd[0], &c, 1) == 1 && c != 'x') {
            a = c == 'c' && close(child_fd) == 0 ? 'C' : 'E';
        }
        _exit(0);
    }
    EXPECT_TRUE(pid > 0);
    EXPECT_INT(holder_cmd(cmd[1], ack[0], 0), 'L');
    EXPECT_INT(pidfile_holder(path), pid);
    EXPECT_STR(content(path), pid_line(pid));
    EXPECT_INT(pidfile_lock(path, &fd, &error), -1);
    snprintf(want, sizeof(want), "a master is already running for this configuration (pid %ld)", (long)pid);
    EXPECT_STR(error, want);

    /* the holder closes its descriptor but keeps running */
    EXPECT_INT(holder_cmd(cmd[1], ack[0], 'c'), 'C');
    EXPECT_INT(pidfile_holder(path), 0);
    EXPECT_INT(pidfile_lock(path, &fd, &error), 0);
    EXPECT_STR(content(path), pid_line(getpid()));
    close(fd);

    EXPECT_INT(write(cmd[1], "x", 1), 1);
    EXPECT_TRUE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(cmd[0]);
    close(cmd[1]);
    close(ack[0]);
    close(ack[1]);
}

/* test_stale_file - a file left by a crash holds no lock and is taken over */
static void test_stale_file(void)
{
    static const char *const stale[] = { "1\n", "99999\n", "1234567890123456789\n", "garbage", "" };
    const char *path = use_path("stale.pid");
    const char *error = NULL;
    size_t i;
    int fd;

    for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++) {
        test_write_file(path, stale[i]);
        EXPECT_INT(pidfile_holder(path), 0);
        EXPECT_STR(run_child(child_holder), "holder=0");
        fd = -1;
        EXPECT_INT(pidfile_lock(path, &fd, &error), 0);
        /* rewritten whole: nothing of a longer stale pid is left */
        EXPECT_STR(content(path), pid_line(getpid()));
        close(fd);
    }
}

/* test_missing_and_symlink - no file: no holder; a symlink is not followed */
static void test_missing_and_symlink(void)
{
    const char *path = use_path("missing.pid");
    char dir_path[4200], victim[4200], want[4400];
    const char *error = NULL;
    int fd = -1;

    EXPECT_INT(pidfile_holder(path), 0);
    snprintf(dir_path, sizeof(dir_path), "%s/no-such-dir/master.pid", test_tmpdir());
    EXPECT_INT(pidfile_lock(dir_path, &fd, &error), -1);
    snprintf(want, sizeof(want), "open %s: No such file or directory", dir_path);
    EXPECT_STR(error, want);

    snprintf(victim, sizeof(victim), "%s/victim", test_tmpdir());
    test_write_file(victim, "precious\n");
    path = use_path("link.pid");
    EXPECT_INT(symlink(victim, path), 0);
    error = NULL;
    EXPECT_INT(pidfile_lock(path, &fd, &error), -1);
    snprintf(want, sizeof(want), "open %s: ", path);
    EXPECT_CONTAINS(error, want);
    EXPECT_STR(content(victim), "precious\n");
    EXPECT_INT(pidfile_holder(path), 0);
}

/* test_holder_query_keeps_lock - asking in the holding process must not
 * drop the lock (fcntl locks go away when the process closes ANY fd of the
 * file) */
static void test_holder_query_keeps_lock(void)
{
    const char *path = use_path("self.pid");
    const char *error = NULL;
    char want[64];
    pid_t self;
    int fd = -1;

    EXPECT_INT(pidfile_lock(path, &fd, &error), 0);
    self = pidfile_holder(path);
    EXPECT_TRUE(self == 0 || self == getpid());
    snprintf(want, sizeof(want), "holder=%ld", (long)getpid());
    if (!EXPECT_STR(run_child(child_holder), want))
        fprintf(stderr, "  pidfile_holder() in the holding process released its lock\n");
    close(fd);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_lock_writes_pid),
        TEST_CASE(test_second_lock_refused),
        TEST_CASE(test_holder_released),
        TEST_CASE(test_stale_file),
        TEST_CASE(test_missing_and_symlink),
        TEST_CASE(test_holder_query_keeps_lock),
        TEST_END,
    });
}
