/* SPDX-License-Identifier: MIT
 * test_local_daemon - the real local binary, standalone: the hello, a
 * delivery to two recipients with the exact bytes in each Maildir, group
 * commit (requests pipelined on one connection and sent on two connections
 * while the daemon is stopped arrive in one round and share one fsync per
 * new/ directory: the -v log says how many), malformed requests answered
 * with status 5 while the channel keeps working, a queue file that is not
 * a regular file, a message over the size limit, a client that leaves
 * before its reply, and a clean exit 0 on SIGTERM with the statistics.
 *
 * The daemon is found relative to this test program: the test runs from
 * build/tests/unit/, the daemon is build/lib/petrel/local. Its log
 * (stderr) goes to local.log in the scratch directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "util/buf.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define MAX_FRAME (1024 * 1024)
#define TIMEOUT_MS 10000
#define HEADER_AREA "V....petrel-queue 1 (a fake header area)"
#define CONTENT "Subject: test\r\n\r\nbody line\r\n"
#define CONTENT_LF "Subject: test\n\nbody line\n"
#define BIG_SIZE 70000

static char sock_path[PATH_MAX];
static char log_path[PATH_MAX];
static char base[PATH_MAX];
static pid_t daemon_pid = -1;
static int queue_fd = -1, big_fd = -1;

/* sleep_ms - pause a little */
static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* daemon_path - build/lib/petrel/local, from build/tests/unit/<this program> */
static const char *daemon_path(void)
{
    static char path[PATH_MAX + 32];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (n < 0)
        return NULL;
    self[n] = '\0';
    if ((slash = strrchr(self, '/')) == NULL)
        return NULL;
    *slash = '\0';
    snprintf(path, sizeof(path), "%s/../../lib/petrel/local", self);
    return path;
}

/* daemon_start - fork and exec local -v with its stderr in local.log */
static pid_t daemon_start(const char *dir)
{
    const char *path = daemon_path();
    pid_t pid;
    int fd;

    if (path == NULL || access(path, X_OK) < 0) {
        test_fail(__FILE__, __LINE__, "no local binary at %s", path ? path : "(unknown)");
        return -1;
    }
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execl(path, "local", "-v", "-c", dir, "-l", sock_path, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* client_open - connect and check the hello, retrying while local starts */
static int client_open(void)
{
    const char *error = NULL;
    int fd, i;

    for (i = 0; i < 400; i++) {
        if (ipc_connect(sock_path, "local-deliver", 1, TIMEOUT_MS, &fd, &error) == 0)
            return fd;
        sleep_ms(25);
    }
    test_fail(__FILE__, __LINE__, "cannot connect to local: %s", error ? error : "?");
    return -1;
}

/* make_queue_file - a fake queue file: header area, content, more records */
static int make_queue_file(const char *name, const char *content, size_t len)
{
    const char *path = test_write_file(name, HEADER_AREA);
    int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);

    if (!EXPECT_TRUE(fd >= 0))
        return -1;
    EXPECT_INT(write(fd, content, len), len);
    EXPECT_INT(write(fd, "X\0\0\0\0", 5), 5);
    return fd;
}

/* request - a deliver request for qfd's content; rcpts is "rcpt mailbox[ orig]|..." */
static struct ipc_msg *request(int qfd, size_t len, const char *rcpts)
{
    struct ipc_msg *m = ipc_msg_create();
    char copy[1024], *p, *next, *mb, *orig;

    ipc_msg_add_str(m, "request", "deliver");
    ipc_msg_add_str(m, "queue_id", "0000000001AB");
    if (qfd >= 0)
        ipc_msg_add_fd(m, "queue_file", qfd);
    ipc_msg_add_int(m, "offset", (int64_t)sizeof(HEADER_AREA) - 1);
    ipc_msg_add_int(m, "length", (int64_t)len);
    ipc_msg_add_str(m, "sender", "sender@example.org");
    snprintf(copy, sizeof(copy), "%s", rcpts);
    for (p = copy; p != NULL; p = next) {
        if ((next = strchr(p, '|')) != NULL)
            *next++ = '\0';
        mb = strchr(p, ' ');
        *mb++ = '\0';
        if ((orig = strchr(mb, ' ')) != NULL)
            *orig++ = '\0';
        ipc_msg_add_str(m, "rcpt", p);
        ipc_msg_add_str(m, "mailbox", mb);
        if (orig != NULL)
            ipc_msg_add_str(m, "orig_rcpt", orig);
    }
    return m;
}

/* send_msg - send m (then free it) */
static void send_msg(int fd, struct ipc_msg *m)
{
    const char *error = NULL;

    if (!EXPECT_INT(ipc_send(fd, m, MAX_FRAME, TIMEOUT_MS, &error), 0))
        fprintf(stderr, "  send: %s\n", error);
    ipc_msg_destroy(&m);
}

/* recv_reply - the next reply, rendered (or "error: ...") */
static const char *recv_reply(int fd)
{
    static struct buf *out;
    struct ipc_msg *reply = NULL;
    const char *error;

    if (out == NULL)
        out = buf_create(256, 65536);
    buf_reset(out);
    if (ipc_recv(fd, MAX_FRAME, TIMEOUT_MS, &reply, &error) < 0)
        buf_printf(out, "error: %s", error);
    else
        ipc_msg_render(reply, out);
    ipc_msg_destroy(&reply);
    return buf_str(out);
}

/* new_count - entries in base/maildir/new; the first one's content */
static int new_count(const char *maildir, char *text, size_t size)
{
    char path[PATH_MAX * 2];
    struct dirent *e;
    DIR *d;
    int n = 0, fd;
    ssize_t got;

    snprintf(path, sizeof(path), "%s/%s/new", base, maildir);
    if ((d = opendir(path)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || n++ > 0 || text == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s/new/%s", base, maildir, e->d_name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        got = fd < 0 ? -1 : read(fd, text, size - 1);
        text[got > 0 ? got : 0] = '\0';
        if (fd >= 0)
            close(fd);
    }
    closedir(d);
    return n;
}

/* read_log - the daemon's log so far */
static const char *read_log(void)
{
    static char text[262144];
    int fd = open(log_path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

#define OK1 "rcpt_status=0, rcpt_dsn=\"2.0.0\", rcpt_reason=\"delivered to maildir\""

/* check_deliver - two recipients, the exact bytes in each maildir */
static void check_deliver(void)
{
    char text[4096];
    int fd = client_open();

    if (fd < 0)
        return;
    send_msg(fd, request(queue_fd, sizeof(CONTENT) - 1,
                         "alice@example.test example.test/alice/ Alice@example.test|bob@example.test "
                         "example.test/bob/"));
    EXPECT_STR(recv_reply(fd), "status=0, " OK1 ", " OK1);
    EXPECT_INT(new_count("example.test/alice", text, sizeof(text)), 1);
    EXPECT_STR(text, "Return-Path: <sender@example.org>\nDelivered-To: alice@example.test\n" CONTENT_LF);
    EXPECT_INT(new_count("example.test/bob", text, sizeof(text)), 1);
    EXPECT_STR(text, "Return-Path: <sender@example.org>\nDelivered-To: bob@example.test\n" CONTENT_LF);
    close(fd);
}

/* proc_state - the state letter of pid from /proc */
static char proc_state(pid_t pid)
{
    char path[64], text[512], *p;
    int fd;
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return '?';
    n = read(fd, text, sizeof(text) - 1);
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    p = strrchr(text, ')');
    return p != NULL && p[1] == ' ' ? p[2] : '?';
}

/* daemon_pause - SIGSTOP, and wait until it is stopped */
static void daemon_pause(void)
{
    int i;

    EXPECT_INT(kill(daemon_pid, SIGSTOP), 0);
    for (i = 0; i < 500 && proc_state(daemon_pid) != 'T'; i++)
        sleep_ms(2);
    EXPECT_INT(proc_state(daemon_pid), 'T');
}

/* check_group_commit - 5 requests on 2 connections in one round: 2 syncs */
static void check_group_commit(void)
{
    int a = client_open(), b = client_open();

    if (a < 0 || b < 0)
        return;
    daemon_pause();
    send_msg(a, request(queue_fd, sizeof(CONTENT) - 1, "p@example.test gc/p/"));
    send_msg(a, request(queue_fd, sizeof(CONTENT) - 1, "p@example.test gc/p/|q@example.test gc/q/"));
    send_msg(a, request(queue_fd, sizeof(CONTENT) - 1, "p@example.test gc/../p/"));
    send_msg(b, request(queue_fd, sizeof(CONTENT) - 1, "q@example.test gc/q/"));
    send_msg(b, request(queue_fd, sizeof(CONTENT) - 1, "p@example.test gc/p/|p2@example.test gc/p/"));
    EXPECT_INT(kill(daemon_pid, SIGCONT), 0);
    EXPECT_STR(recv_reply(a), "status=0, " OK1);
    EXPECT_STR(recv_reply(a), "status=0, " OK1 ", " OK1);
    EXPECT_CONTAINS(recv_reply(a),
                    "status=5, reason=\"recipient 1: mailbox has a component starting with '.' "
                    "at offset 3\", rcpt_status=5, rcpt_dsn=\"5.3.0\"");
    EXPECT_STR(recv_reply(b), "status=0, " OK1);
    EXPECT_STR(recv_reply(b), "status=0, " OK1 ", " OK1);
    EXPECT_INT(new_count("gc/p", NULL, 0), 3);
    EXPECT_INT(new_count("gc/q", NULL, 0), 2);
    EXPECT_CONTAINS(read_log(), "commit: 5 requests, 2 directory syncs");
    close(a);
    close(b);
}

/* check_malformed - status 5 for each rcpt, then the channel still works */
static void check_malformed(void)
{
    struct ipc_msg *m;
    int fd = client_open(), pipefd[2];

    if (fd < 0)
        return;
    m = request(queue_fd, sizeof(CONTENT) - 1, "a@x m/a/|b@x /etc/");
    send_msg(fd, m);
    EXPECT_STR(recv_reply(fd),
               "status=5, reason=\"recipient 2: mailbox is an absolute path (it must be relative "
               "to virtual_mailbox_base)\", rcpt_status=5, rcpt_dsn=\"5.3.0\", "
               "rcpt_reason=\"malformed delivery request\", rcpt_status=5, rcpt_dsn=\"5.3.0\", "
               "rcpt_reason=\"malformed delivery request\"");
    m = request(queue_fd, sizeof(CONTENT) - 1, "a@x m/a/");
    ipc_msg_add_str(m, "sender", "second@x");
    send_msg(fd, m);
    EXPECT_CONTAINS(recv_reply(fd), "status=5, reason=\"attribute \\\"sender\\\" appears more than once\"");
    send_msg(fd, request(queue_fd, 1000, "a@x m/a/"));
    EXPECT_CONTAINS(recv_reply(fd), "beyond the end of the queue file");
    EXPECT_INT(pipe2(pipefd, O_CLOEXEC), 0);
    send_msg(fd, request(pipefd[0], 10, "a@x m/a/"));
    EXPECT_CONTAINS(recv_reply(fd), "status=5, reason=");
    close(pipefd[0]);
    close(pipefd[1]);
    send_msg(fd, request(-1, 10, "a@x m/a/"));
    EXPECT_CONTAINS(recv_reply(fd), "status=5, reason=\"missing attribute \\\"queue_file\\\"\"");
    EXPECT_INT(new_count("m/a", NULL, 0), -1);
    send_msg(fd, request(queue_fd, sizeof(CONTENT) - 1, "a@x m/a/"));
    EXPECT_STR(recv_reply(fd), "status=0, " OK1);
    EXPECT_INT(new_count("m/a", NULL, 0), 1);
    close(fd);
}

/* check_too_big - content over message_size_limit + header room: 5.3.4 */
static void check_too_big(void)
{
    int fd = client_open();

    if (fd < 0)
        return;
    send_msg(fd, request(big_fd, BIG_SIZE, "big@x big/b/"));
    EXPECT_STR(recv_reply(fd),
               "status=0, rcpt_status=5, rcpt_dsn=\"5.3.4\", rcpt_reason=\"message too large\"");
    EXPECT_INT(new_count("big/b", NULL, 0), -1);
    close(fd);
}

/* check_client_gone - a client that closes before its reply: delivered anyway */
static void check_client_gone(void)
{
    int fd = client_open(), check;

    if (fd < 0)
        return;
    daemon_pause();
    send_msg(fd, request(queue_fd, sizeof(CONTENT) - 1, "gone@x gone/g/"));
    close(fd);
    EXPECT_INT(kill(daemon_pid, SIGCONT), 0);
    if ((check = client_open()) < 0)
        return;
    send_msg(check, request(queue_fd, sizeof(CONTENT) - 1, "gone@x gone/g/"));
    EXPECT_STR(recv_reply(check), "status=0, " OK1);
    EXPECT_INT(new_count("gone/g", NULL, 0), 2);
    close(check);
}

/* daemon_stop - SIGTERM and an exit status of 0 */
static void daemon_stop(void)
{
    int status = -1, i;

    if (daemon_pid <= 0)
        return;
    EXPECT_INT(kill(daemon_pid, SIGTERM), 0);
    for (i = 0; i < 1000 && waitpid(daemon_pid, &status, WNOHANG) == 0; i++)
        sleep_ms(10);
    if (!EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        kill(daemon_pid, SIGKILL);
        waitpid(daemon_pid, &status, 0);
        fprintf(stderr, "local log:\n%s", read_log());
    }
    daemon_pid = -1;
}

/* setup_files - the configuration and the fake queue files */
static void setup_files(const char *dir)
{
    static char big[BIG_SIZE];
    char conf[PATH_MAX * 2];

    snprintf(sock_path, sizeof(sock_path), "%s/local.sock", dir);
    snprintf(log_path, sizeof(log_path), "%s/local.log", dir);
    snprintf(base, sizeof(base), "%s/vhosts", dir);
    snprintf(conf, sizeof(conf), "virtual_mailbox_base = %s\nmessage_size_limit = 1024\n", base);
    test_write_file("petrel.conf", conf);
    queue_fd = make_queue_file("queue1", CONTENT, sizeof(CONTENT) - 1);
    memset(big, 'x', sizeof(big));
    big_fd = make_queue_file("queue2", big, sizeof(big));
}

/* test_daemon - the whole session against one daemon */
static void test_daemon(void)
{
    const char *dir = test_tmpdir();

    setup_files(dir);
    if ((daemon_pid = daemon_start(dir)) < 0)
        return;
    check_deliver();
    check_group_commit();
    check_malformed();
    check_too_big();
    check_client_gone();
    daemon_stop();
    EXPECT_CONTAINS(read_log(), "0000000001AB: to=<alice@example.test>, orig_to=<Alice@example.test>, "
                                "relay=local, delay=0.");
    EXPECT_CONTAINS(read_log(), ", dsn=2.0.0, status=sent (delivered to maildir)");
    EXPECT_CONTAINS(read_log(), "0000000001AB: to=<big@x>, relay=local, delay=");
    EXPECT_CONTAINS(read_log(),
                    "dsn=5.3.4, status=bounced (content of 70000 bytes exceeds the limit of 66560)");
    EXPECT_CONTAINS(read_log(), "warning: bad request from client ");
    EXPECT_CONTAINS(read_log(), "gone with 1 reply held (its deliveries stand)");
    EXPECT_CONTAINS(read_log(), "statistics: 15 requests (6 malformed)");
    EXPECT_FALSE(strstr(read_log(), "ERROR: AddressSanitizer") != NULL);
    EXPECT_FALSE(strstr(read_log(), "runtime error") != NULL);
    close(queue_fd);
    close(big_fd);
}

/* main - run every case */
int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return test_run((const struct test_case[]){
        TEST_CASE(test_daemon),
        TEST_END,
    });
}
