/* SPDX-License-Identifier: MIT
 * test_anvil_daemon - the real anvil binary, standalone: counts across
 * clients, release of a closed or killed client's connections, refusals of
 * malformed requests, a broken client that sends an oversized frame, a
 * request trickled one byte at a time, and a clean exit 0 on SIGTERM with
 * the final statistics in the log.
 *
 * The daemon is found relative to this test program: the test runs from
 * build/tests/unit/, the daemon is build/lib/petrel/anvil. Its log (stderr)
 * goes to anvil.log in the scratch directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#define TIMEOUT_MS 5000

static char sock_path[PATH_MAX];
static char log_path[PATH_MAX];
static pid_t daemon_pid = -1;

/* sleep_ms - pause a little */
static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* daemon_path - build/lib/petrel/anvil, from build/tests/unit/<this program> */
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
    snprintf(path, sizeof(path), "%s/../../lib/petrel/anvil", self);
    return path;
}

/* daemon_start - fork and exec anvil with its stderr in anvil.log */
static pid_t daemon_start(const char *dir)
{
    const char *path = daemon_path();
    pid_t pid;
    int fd;

    if (path == NULL || access(path, X_OK) < 0) {
        test_fail(__FILE__, __LINE__, "no anvil binary at %s", path ? path : "(unknown)");
        return -1;
    }
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(126);
        execl(path, "anvil", "-c", dir, "-l", sock_path, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* client_open - connect and check the hello, retrying while anvil starts */
static int client_open(void)
{
    const char *error = NULL;
    int fd, i;

    for (i = 0; i < 200; i++) {
        if (ipc_connect(sock_path, "anvil", 1, TIMEOUT_MS, &fd, &error) == 0)
            return fd;
        sleep_ms(25);
    }
    test_fail(__FILE__, __LINE__, "cannot connect to anvil: %s", error ? error : "?");
    return -1;
}

/* call - one request, the reply rendered (or "error: ...") in a static buffer */
static const char *call(int fd, const char *request, const char *service, const char *ident)
{
    static struct buf *out;
    struct ipc_msg *req = ipc_msg_create(), *reply = NULL;
    const char *error;

    if (out == NULL)
        out = buf_create(256, 4096);
    buf_reset(out);
    if (request != NULL)
        ipc_msg_add_str(req, "request", request);
    if (service != NULL)
        ipc_msg_add_str(req, "service", service);
    if (ident != NULL)
        ipc_msg_add_str(req, "ident", ident);
    if (ipc_call(fd, req, MAX_FRAME, TIMEOUT_MS, &reply, &error) < 0)
        buf_printf(out, "error: %s", error);
    else
        ipc_msg_render(reply, out);
    ipc_msg_destroy(&req);
    ipc_msg_destroy(&reply);
    return buf_str(out);
}

/* wait_lookup - the lookup reply once it equals want (closes are async) */
static const char *wait_lookup(int fd, const char *service, const char *ident, const char *want)
{
    const char *got = "";
    int i;

    for (i = 0; i < 200; i++) {
        got = call(fd, "lookup", service, ident);
        if (strcmp(got, want) == 0)
            break;
        sleep_ms(10);
    }
    return got;
}

/* wait_closed - does the daemon close fd within the timeout? */
static bool wait_closed(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char c;

    if (poll(&p, 1, TIMEOUT_MS) <= 0)
        return false;
    return read(fd, &c, 1) <= 0;
}

/* read_log - the daemon's log so far */
static const char *read_log(void)
{
    static char text[65536];
    int fd = open(log_path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

#define LOOKUP(c, r1, r2, r3, r4) \
    "status=0, count=" #c ", connect_rate=" #r1 ", message_rate=" #r2 ", recipient_rate=" #r3 \
    ", auth_fail_rate=" #r4

/* check_counts - two clients, then the first one goes away */
static void check_counts(void)
{
    int a = client_open(), b = client_open();

    if (a < 0 || b < 0)
        return;
    EXPECT_STR(call(a, "connect", "smtpd", "192.0.2.1"), "status=0, count=1, rate=1");
    EXPECT_STR(call(a, "connect", "smtpd", "192.0.2.1"), "status=0, count=2, rate=2");
    EXPECT_STR(call(b, "connect", "smtpd", "192.0.2.1"), "status=0, count=3, rate=3");
    EXPECT_STR(call(b, "message", "smtpd", "192.0.2.1"), "status=0, rate=1");
    EXPECT_STR(call(a, "recipient", "smtpd", "192.0.2.1"), "status=0, rate=1");
    EXPECT_STR(call(b, "auth_fail", "authd", "alice"), "status=0, rate=1");
    EXPECT_STR(call(b, "lookup", "smtpd", "192.0.2.1"), LOOKUP(3, 3, 1, 1, 0));
    /* b cannot release a's connections, only its own */
    EXPECT_STR(call(b, "disconnect", "smtpd", "192.0.2.1"), "status=0");
    EXPECT_STR(call(b, "disconnect", "smtpd", "192.0.2.1"), "status=0");
    EXPECT_STR(call(b, "lookup", "smtpd", "192.0.2.1"), LOOKUP(2, 3, 1, 1, 0));
    EXPECT_STR(call(b, "connect", "smtpd", "192.0.2.1"), "status=0, count=3, rate=4");
    /* a closes its channel still holding two: they are released */
    close(a);
    EXPECT_STR(wait_lookup(b, "smtpd", "192.0.2.1", LOOKUP(1, 4, 1, 1, 0)), LOOKUP(1, 4, 1, 1, 0));
    close(b);
}

/* check_killed_client - a client process that dies holding connections */
static void check_killed_client(void)
{
    int status = 0, fd;
    pid_t pid = fork();

    if (pid == 0) {
        fd = client_open();
        if (fd < 0 || strcmp(call(fd, "connect", "pop3d", "bob/192.0.2.7"), "status=0, count=1, rate=1") != 0)
            _exit(1);
        raise(SIGKILL);
    }
    EXPECT_TRUE(pid > 0 && waitpid(pid, &status, 0) == pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if ((fd = client_open()) < 0)
        return;
    EXPECT_STR(wait_lookup(fd, "pop3d", "bob/192.0.2.7", LOOKUP(0, 1, 0, 0, 0)), LOOKUP(0, 1, 0, 0, 0));
    close(fd);
}

/* check_refusals - malformed requests get status=1 and keep the channel */
static void check_refusals(void)
{
    struct ipc_msg *req = ipc_msg_create(), *reply = NULL;
    const char *error;
    int fd = client_open();

    if (fd < 0)
        return;
    EXPECT_STR(call(fd, "bogus", "smtpd", "192.0.2.1"), "status=1, reason=\"unknown request \\\"bogus\\\"\"");
    EXPECT_STR(call(fd, "connect", "smtpd", NULL), "status=1, reason=\"missing attribute \\\"ident\\\"\"");
    EXPECT_STR(call(fd, NULL, NULL, NULL), "status=1, reason=\"missing attribute \\\"request\\\"\"");
    EXPECT_STR(
        call(fd, "connect", "smtpd", "a\nb"),
        "status=1, reason=\"ident has the byte 0x0a at offset 1 (printable ASCII without space only)\"");
    ipc_msg_add_int(req, "request", 3);
    EXPECT_INT(ipc_call(fd, req, MAX_FRAME, TIMEOUT_MS, &reply, &error), 0);
    if (reply != NULL) {
        struct buf *out = buf_create(64, 1024);

        ipc_msg_render(reply, out);
        EXPECT_STR(buf_str(out),
                   "status=1, reason=\"attribute \\\"request\\\" is an integer, expected a string\"");
        buf_destroy(&out);
    }
    ipc_msg_destroy(&req);
    ipc_msg_destroy(&reply);
    /* the channel still works; b's last connection went with b */
    EXPECT_STR(wait_lookup(fd, "smtpd", "192.0.2.1", LOOKUP(0, 4, 1, 1, 0)), LOOKUP(0, 4, 1, 1, 0));
    close(fd);
}

/* check_oversized_frame - a frame over the maximum ends that channel only */
static void check_oversized_frame(void)
{
    static const unsigned char header[] = { 0x7f, 0xff, 0xff, 0xff, 0x02, 0x07 };
    int bad = client_open(), good;

    if (bad < 0)
        return;
    EXPECT_STR(call(bad, "connect", "smtpd", "198.51.100.1"), "status=0, count=1, rate=1");
    EXPECT_INT(write(bad, header, sizeof(header)), sizeof(header));
    EXPECT_TRUE(wait_closed(bad));
    close(bad);
    if ((good = client_open()) < 0)
        return;
    EXPECT_STR(wait_lookup(good, "smtpd", "198.51.100.1", LOOKUP(0, 1, 0, 0, 0)), LOOKUP(0, 1, 0, 0, 0));
    EXPECT_STR(call(good, "lookup", "smtpd", "192.0.2.1"), LOOKUP(0, 4, 1, 1, 0));
    close(good);
}

/* check_trickle - a request written one byte at a time is one request */
static void check_trickle(void)
{
    struct ipc_msg *req = ipc_msg_create(), *reply = NULL;
    struct buf *frame = buf_create(128, MAX_FRAME), *out = buf_create(64, 1024);
    int fds[IPC_FD_MAX], fd = client_open();
    const char *error;
    size_t i, nfds;

    ipc_msg_add_str(req, "request", "auth_fail");
    ipc_msg_add_str(req, "service", "authd");
    ipc_msg_add_str(req, "ident", "alice");
    EXPECT_INT(ipc_msg_encode(req, MAX_FRAME, frame, fds, &nfds, &error), 0);
    for (i = 0; fd >= 0 && i < frame->len; i++) {
        if (write(fd, frame->data + i, 1) != 1)
            break;
        sleep_ms(1);
    }
    EXPECT_INT(i, frame->len);
    if (fd >= 0 && EXPECT_INT(ipc_recv(fd, MAX_FRAME, TIMEOUT_MS, &reply, &error), 0)) {
        ipc_msg_render(reply, out);
        EXPECT_STR(buf_str(out), "status=0, rate=2");
    }
    if (fd >= 0)
        close(fd);
    ipc_msg_destroy(&reply);
    ipc_msg_destroy(&req);
    buf_destroy(&frame);
    buf_destroy(&out);
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
        fprintf(stderr, "anvil log:\n%s", read_log());
    }
    daemon_pid = -1;
}

/* test_daemon - the whole session against one daemon */
static void test_daemon(void)
{
    const char *dir = test_tmpdir();

    snprintf(sock_path, sizeof(sock_path), "%s/anvil.sock", dir);
    snprintf(log_path, sizeof(log_path), "%s/anvil.log", dir);
    test_write_file("petrel.conf", "# defaults suffice for anvil\n");
    if ((daemon_pid = daemon_start(dir)) < 0)
        return;
    check_counts();
    check_killed_client();
    check_refusals();
    check_oversized_frame();
    check_trickle();
    daemon_stop();
    EXPECT_CONTAINS(read_log(), "warning: bad request from client ");
    EXPECT_CONTAINS(read_log(), ": unknown request \"bogus\"");
    EXPECT_CONTAINS(read_log(),
                    "closing the channel: frame of 2147483647 bytes exceeds the maximum of 65536");
    EXPECT_CONTAINS(read_log(), "closed holding 2 connections: released");
    EXPECT_CONTAINS(read_log(), "statistics: max connection count 3 for (smtpd/192.0.2.1) at ");
    EXPECT_CONTAINS(read_log(), "statistics: max connect rate 4/60s for (smtpd/192.0.2.1) at ");
    EXPECT_FALSE(strstr(read_log(), "ERROR: AddressSanitizer") != NULL);
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
