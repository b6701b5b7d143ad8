/* SPDX-License-Identifier: MIT
 * test_ipc_chan - ipc transport over socketpairs and a listening socket:
 * blocking send/recv/call with deadlines, descriptor passing checked with
 * fstat, frame maximum on both sides, malformed frames, end of file
 * mid-frame, ipc_connect and its hello, and the event-loop channel with a
 * slow reader, a full output queue and destruction inside callbacks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/fdpass.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define MAX_FRAME (1024 * 1024)

/* What a channel delivered. */
struct chan_log {
    struct ipc_msg *msgs[8];
    int nmsgs;
    bool closed;
    char *reason;
    bool destroy_on_msg; /* destroy the channel in the first on_msg */
    struct ipc_chan **chan_r;
};

/* pair - a connected socketpair, close-on-exec */
static void pair(int sv[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
}

/* write_all - write raw bytes to a socket */
static void write_all(int fd, const void *p, size_t len)
{
    if (write(fd, p, len) != (ssize_t)len)
        abort();
}

/* render - a message's rendering in a static buffer */
static const char *render(const struct ipc_msg *m)
{
    static struct buf *b;

    if (b == NULL)
        b = buf_create(64, 4096);
    buf_reset(b);
    ipc_msg_render(m, b);
    return buf_str(b);
}

/* open_fds - how many descriptors this process has open */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* on_msg - keep delivered messages (or destroy the channel) */
static void on_msg(struct ipc_chan *chan, struct ipc_msg *msg, void *ctx)
{
    struct chan_log *log = ctx;

    (void)chan;
    if (log->nmsgs < 8)
        log->msgs[log->nmsgs++] = msg;
    else
        ipc_msg_destroy(&msg);
    if (log->destroy_on_msg)
        ipc_chan_destroy(log->chan_r);
}

/* on_close - record the reason, then destroy the channel in the callback */
static void on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct chan_log *log = ctx;

    (void)chan;
    log->closed = true;
    log->reason = reason ? xstrdup(reason) : NULL;
    if (log->chan_r != NULL)
        ipc_chan_destroy(log->chan_r);
}

/* log_free - release what a chan_log holds */
static void log_free(struct chan_log *log)
{
    int i;

    for (i = 0; i < log->nmsgs; i++)
        ipc_msg_destroy(&log->msgs[i]);
    xfree(log->reason);
}

/* run_until_closed - run the loop until the channel reports its end */
static void run_until_closed(struct event_loop *loop, const struct chan_log *log)
{
    int i;

    for (i = 0; i < 100 && !log->closed; i++)
        event_loop_run_once(loop, 100);
}

/* chan_feed - feed raw bytes to a fresh channel, then close the writer;
 * the channel's close reason is checked against want */
static void chan_feed(const void *bytes, size_t len, size_t max_frame, int nmsgs, const char *want)
{
    struct event_loop *loop = event_loop_create();
    struct chan_log log = { .nmsgs = 0 };
    struct ipc_chan *chan;
    int sv[2];

    pair(sv);
    chan = ipc_chan_create(loop, sv[1], max_frame, on_msg, on_close, &log);
    log.chan_r = &chan;
    write_all(sv[0], bytes, len);
    close(sv[0]);
    run_until_closed(loop, &log);
    EXPECT_TRUE(log.closed);
    EXPECT_TRUE(chan == NULL); /* destroyed inside on_close */
    EXPECT_INT(log.nmsgs, nmsgs);
    EXPECT_STR(log.reason, want);
    log_free(&log);
    event_loop_destroy(&loop);
}

/* blocking_recv_raw - ipc_recv of raw bytes followed by end of file */
static void blocking_recv_raw(const void *bytes, size_t len, size_t max_frame, const char *want)
{
    struct ipc_msg *m = NULL;
    const char *error = NULL;
    int sv[2];

    pair(sv);
    write_all(sv[0], bytes, len);
    close(sv[0]);
    EXPECT_INT(ipc_recv(sv[1], max_frame, 1000, &m, &error), -1);
    EXPECT_STR(error, want);
    EXPECT_TRUE(m == NULL);
    close(sv[1]);
}

/* test_blocking_round_trip - ipc_send, ipc_recv and ipc_call over a socketpair */
static void test_blocking_round_trip(void)
{
    struct ipc_msg *m = ipc_msg_create(), *got;
    const char *error;
    int sv[2], i;

    pair(sv);
    ipc_msg_add_str(m, "request", "lookup");
    ipc_msg_add_int(m, "id", -7);
    ipc_msg_add_data(m, "key", "k\0y", 3);
    for (i = 0; i < 3; i++)
        EXPECT_INT(ipc_send(sv[0], m, MAX_FRAME, 1000, &error), 0);
    for (i = 0; i < 3; i++) {
        EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 1000, &got, &error), 0);
        EXPECT_STR(render(got), "request=\"lookup\", id=-7, key=<3 bytes>");
        ipc_msg_destroy(&got);
    }
    /* ipc_call: the reply is already waiting, the request goes out */
    EXPECT_INT(ipc_send(sv[1], m, MAX_FRAME, 1000, &error), 0);
    EXPECT_INT(ipc_call(sv[0], m, MAX_FRAME, 1000, &got, &error), 0);
    EXPECT_STR(render(got), "request=\"lookup\", id=-7, key=<3 bytes>");
    ipc_msg_destroy(&got);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 1000, &got, &error), 0);
    ipc_msg_destroy(&got);
    ipc_msg_destroy(&m);
    close(sv[0]);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 1000, &got, &error), -1);
    EXPECT_STR(error, "connection closed");
    /* a peer that went away: an error, not SIGPIPE */
    m = ipc_msg_create();
    EXPECT_INT(ipc_send(sv[1], m, MAX_FRAME, 1000, &error), -1);
    EXPECT_STR(error, "send: Broken pipe");
    ipc_msg_destroy(&m);
    close(sv[1]);
}

/* test_fd_passing - a regular file and a pipe passed, checked with fstat */
static void test_fd_passing(void)
{
    const char *path = test_write_file("passed.txt", "file contents");
    struct ipc_msg *m = ipc_msg_create(), *got;
    int sv[2], p[2], file, fd, fd2;
    const char *error;
    struct stat st;
    char text[32];

    pair(sv);
    file = open(path, O_RDONLY | O_CLOEXEC);
    EXPECT_INT(pipe2(p, O_CLOEXEC), 0);
    ipc_msg_add_str(m, "what", "two");
    ipc_msg_add_fd(m, "file", file);
    ipc_msg_add_fd(m, "pipe", p[0]);
    EXPECT_INT(ipc_send(sv[0], m, MAX_FRAME, 1000, &error), 0);
    ipc_msg_destroy(&m);
    close(file); /* the receiver has its own copies now */
    close(p[0]);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 1000, &got, &error), 0);
    EXPECT_STR(render(got), "what=\"two\", file=<fd>, pipe=<fd>");
    /* wrong type refused, right type taken */
    EXPECT_INT(ipc_msg_take_fd(got, "file", S_IFIFO, &fd, &error), -1);
    EXPECT_STR(error, "descriptor \"file\" is a regular file, expected a pipe");
    EXPECT_INT(ipc_msg_take_fd(got, "file", S_IFREG, &fd, &error), 0);
    EXPECT_INT(fstat(fd, &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_INT(st.st_size, 13);
    EXPECT_INT(pread(fd, text, sizeof(text), 0), 13);
    EXPECT_MEM(text, 13, "file contents", 13);
    EXPECT_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    EXPECT_INT(ipc_msg_take_fd(got, "pipe", S_IFSOCK, &fd2, &error), -1);
    EXPECT_STR(error, "descriptor \"pipe\" is a pipe, expected a socket");
    EXPECT_INT(ipc_msg_take_fd(got, "pipe", S_IFIFO, &fd2, &error), 0);
    EXPECT_INT(write(p[1], "x", 1), 1);
    EXPECT_INT(read(fd2, text, 1), 1);
    EXPECT_INT(text[0], 'x');
    ipc_msg_destroy(&got);
    close(fd);
    close(fd2);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
}

/* test_oversized - the frame maximum on sending and on receiving */
static void test_oversized(void)
{
    static const unsigned char header_2m[] = { 0x00, 0x1e, 0x84, 0x80, 'x' };
    struct event_loop *loop = event_loop_create();
    struct ipc_msg *m = ipc_msg_create();
    struct chan_log log = { .nmsgs = 0 };
    struct ipc_chan *chan;
    const char *error;
    int sv[2], avail;
    char big[200];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ipc_msg_add_str(m, "s", big);
    pair(sv);
    EXPECT_INT(ipc_send(sv[0], m, 100, 1000, &error), -1);
    EXPECT_STR(error, "frame of 206 bytes exceeds the maximum of 100");
    EXPECT_INT(ioctl(sv[1], FIONREAD, &avail), 0);
    EXPECT_INT(avail, 0);
    chan = ipc_chan_create(loop, sv[0], 100, on_msg, on_close, &log);
    EXPECT_INT(ipc_chan_send(chan, m, &error), -1);
    EXPECT_STR(error, "frame of 206 bytes exceeds the maximum of 100");
    EXPECT_INT(ipc_chan_pending(chan), 0);
    ipc_chan_destroy(&chan);
    ipc_chan_destroy(&chan);
    close(sv[1]);
    ipc_msg_destroy(&m);
    event_loop_destroy(&loop);
    /* a header announcing 2 MB is refused before any payload is read */
    blocking_recv_raw(header_2m, sizeof(header_2m), 1048576,
                      "frame of 2000000 bytes exceeds the maximum of 1048576");
    chan_feed(header_2m, sizeof(header_2m), 1048576, 0,
              "frame of 2000000 bytes exceeds the maximum of 1048576");
}

/* test_malformed_frame - a malformed frame ends the channel with its reason */
static void test_malformed_frame(void)
{
    /* a good frame, then one with an unknown attribute type */
    static const char frames[] = "\0\0\0\x0b\x01\x01n\0\0\0\0\0\0\0\x05"
                                 "\0\0\0\x03\x09\x01x";
    static const char nul[] = "\0\0\0\x08\x02\x01s\0\0\0\x01\0";

    chan_feed(frames, sizeof(frames) - 1, MAX_FRAME, 1, "unknown attribute type 9 at offset 0");
    blocking_recv_raw(frames + 15, 7, MAX_FRAME, "unknown attribute type 9 at offset 0");
    chan_feed(nul, sizeof(nul) - 1, MAX_FRAME, 0, "attribute \"s\": string contains a NUL byte");
    blocking_recv_raw(nul, sizeof(nul) - 1, MAX_FRAME, "attribute \"s\": string contains a NUL byte");
}

/* test_eof - end of file between frames and mid-frame */
static void test_eof(void)
{
    static const char good[] = "\0\0\0\x0b\x01\x01n\0\0\0\0\0\0\0\x05";

    blocking_recv_raw("", 0, MAX_FRAME, "connection closed");
    blocking_recv_raw("\0\0", 2, MAX_FRAME, "connection closed mid-frame (2 of 4 header bytes)");
    blocking_recv_raw("\0\0\0\nabc", 7, MAX_FRAME, "connection closed mid-frame (3 of 10 payload bytes)");
    chan_feed("", 0, MAX_FRAME, 0, NULL);
    chan_feed(good, sizeof(good) - 1, MAX_FRAME, 1, NULL);
    chan_feed("\0\0", 2, MAX_FRAME, 0, "connection closed mid-frame (2 of 4 header bytes)");
    chan_feed("\0\0\0\nabc", 7, MAX_FRAME, 0, "connection closed mid-frame (3 of 10 payload bytes)");
    chan_feed("\0\0\0\x0a", 4, MAX_FRAME, 0, "connection closed mid-frame (0 of 10 payload bytes)");
}

/* elapsed_ms - milliseconds since start */
static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* test_timeouts - receive and send deadlines on blocking sockets */
static void test_timeouts(void)
{
    struct ipc_msg *m = NULL, *big;
    struct timespec start;
    const char *error;
    char *data;
    int sv[2];
    long ms;

    pair(sv); /* blocking sockets: the deadline must hold anyway */
    clock_gettime(CLOCK_MONOTONIC, &start);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 50, &m, &error), -1);
    ms = elapsed_ms(&start);
    EXPECT_STR(error, "timed out after 50 ms receiving a message");
    EXPECT_TRUE(ms >= 45 && ms < 1000);
    /* half a header, then silence */
    write_all(sv[0], "\0\0", 2);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 50, &m, &error), -1);
    EXPECT_STR(error, "timed out after 50 ms receiving a message");
    /* a peer that never reads: the socket buffer fills, the send times out */
    data = xcalloc(1, 8 << 20);
    big = ipc_msg_create();
    ipc_msg_add_data(big, "d", data, 8 << 20);
    clock_gettime(CLOCK_MONOTONIC, &start);
    EXPECT_INT(ipc_send(sv[0], big, 16 << 20, 50, &error), -1);
    ms = elapsed_ms(&start);
    EXPECT_STR(error, "timed out after 50 ms sending a message");
    EXPECT_TRUE(ms >= 45 && ms < 1000);
    ipc_msg_destroy(&big);
    free(data);
    close(sv[0]);
    close(sv[1]);
}

/* serve_one - the test server's side of one connection: hello, then echo
 * one request's rendering back as "echo" */
static void serve_one(int lfd)
{
    struct ipc_msg *m = ipc_hello_create("test", 2), *req;
    const char *error;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0)
        _exit(3);
    if (ipc_send(fd, m, MAX_FRAME, 2000, &error) < 0)
        _exit(4);
    ipc_msg_destroy(&m);
    if (ipc_recv(fd, MAX_FRAME, 2000, &req, &error) == 0) {
        m = ipc_msg_create();
        ipc_msg_add_str(m, "echo", render(req));
        ipc_send(fd, m, MAX_FRAME, 2000, &error);
        ipc_msg_destroy(&m);
        ipc_msg_destroy(&req);
    }
    close(fd);
}

/* start_server - listen on path and serve n connections in a child */
static pid_t start_server(const char *path, int n)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    pid_t pid;
    int lfd;

    if (strlen(path) >= sizeof(sun.sun_path))
        abort();
    memcpy(sun.sun_path, path, strlen(path) + 1);
    lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(lfd, 8) < 0)
        abort();
    fflush(NULL); /* the child must not repeat buffered output */
    if ((pid = fork()) < 0)
        abort();
    if (pid == 0) {
        while (n-- > 0)
            serve_one(lfd);
        _exit(0);
    }
    close(lfd);
    return pid;
}

/* test_connect - ipc_connect against a forked server: hello checks, errors */
static void test_connect(void)
{
    char path[256], want[512];
    struct ipc_msg *req = ipc_msg_create(), *reply;
    const char *error, *echo;
    int fd, status;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/test.sock", test_tmpdir());
    pid = start_server(path, 3);
    EXPECT_INT(ipc_connect(path, "test", 1, 2000, &fd, &error), 0);
    EXPECT_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    EXPECT_INT(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    ipc_msg_add_str(req, "request", "ping");
    EXPECT_INT(ipc_call(fd, req, MAX_FRAME, 2000, &reply, &error), 0);
    EXPECT_INT(ipc_msg_get_str(reply, "echo", &echo, &error), 0);
    EXPECT_STR(echo, "request=\"ping\"");
    ipc_msg_destroy(&reply);
    close(fd);
    snprintf(want, sizeof(want), "%s: peer speaks protocol \"test\", expected \"other\"", path);
    EXPECT_INT(ipc_connect(path, "other", 1, 2000, &fd, &error), -1);
    EXPECT_STR(error, want);
    snprintf(want, sizeof(want), "%s: peer speaks protocol \"test\" version 2, need at least version 3",
             path);
    EXPECT_INT(ipc_connect(path, "test", 3, 2000, &fd, &error), -1);
    EXPECT_STR(error, want);
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* nobody listens any more */
    snprintf(want, sizeof(want), "connect to %s: Connection refused", path);
    EXPECT_INT(ipc_connect(path, "test", 1, 2000, &fd, &error), -1);
    EXPECT_STR(error, want);
    unlink(path);
    snprintf(want, sizeof(want), "connect to %s: No such file or directory", path);
    EXPECT_INT(ipc_connect(path, "test", 1, 2000, &fd, &error), -1);
    EXPECT_STR(error, want);
    ipc_msg_destroy(&req);
}

/* test_excess_fds - more than IPC_FD_MAX descriptors: refused, none leaked */
static void test_excess_fds(void)
{
    static const char frame[] = "\0\0\0\3\4\1f";
    int fds[IPC_FD_MAX + 1], sv[2], before, i;
    struct chan_log log = { .nmsgs = 0 };
    struct event_loop *loop = event_loop_create();
    struct ipc_chan *chan;
    struct ipc_msg *m = NULL;
    struct iovec iov = { .iov_base = (void *)frame, .iov_len = sizeof(frame) - 1 };
    const char *error;

    for (i = 0; i <= IPC_FD_MAX; i++)
        fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    before = open_fds();
    pair(sv);
    EXPECT_INT(fdpass_send(sv[0], &iov, 1, fds, IPC_FD_MAX + 1), sizeof(frame) - 1);
    EXPECT_INT(ipc_recv(sv[1], MAX_FRAME, 1000, &m, &error), -1);
    EXPECT_STR(error, "peer passed more than 8 descriptors with one frame");
    close(sv[0]);
    close(sv[1]);
    EXPECT_INT(open_fds(), before); /* nothing leaked */
    pair(sv);
    chan = ipc_chan_create(loop, sv[1], MAX_FRAME, on_msg, on_close, &log);
    log.chan_r = &chan;
    EXPECT_INT(fdpass_send(sv[0], &iov, 1, fds, IPC_FD_MAX + 1), sizeof(frame) - 1);
    run_until_closed(loop, &log);
    EXPECT_STR(log.reason, "peer passed more than 8 descriptors with one frame");
    close(sv[0]);
    EXPECT_INT(open_fds(), before); /* the channel closed all it got */
    for (i = 0; i <= IPC_FD_MAX; i++)
        close(fds[i]);
    log_free(&log);
    event_loop_destroy(&loop);
}

/* test_destroy_in_callback - destroying the channel inside on_msg */
static void test_destroy_in_callback(void)
{
    static const char frames[] = "\0\0\0\x0b\x01\x01n\0\0\0\0\0\0\0\x01"
                                 "\0\0\0\x0b\x01\x01n\0\0\0\0\0\0\0\x02";
    struct chan_log log = { .destroy_on_msg = true };
    struct event_loop *loop = event_loop_create();
    struct ipc_chan *chan;
    int sv[2], i;

    pair(sv);
    chan = ipc_chan_create(loop, sv[1], MAX_FRAME, on_msg, on_close, &log);
    log.chan_r = &chan;
    write_all(sv[0], frames, sizeof(frames) - 1);
    for (i = 0; i < 5 && chan != NULL; i++)
        event_loop_run_once(loop, 100);
    EXPECT_TRUE(chan == NULL);
    EXPECT_INT(log.nmsgs, 1); /* the second frame is never delivered */
    EXPECT_FALSE(log.closed);
    log_free(&log);
    close(sv[0]);
    event_loop_destroy(&loop);
}

/* test_queue_limit - the output queue limit of a channel */
static void test_queue_limit(void)
{
    struct event_loop *loop = event_loop_create();
    struct ipc_msg *m = ipc_msg_create();
    struct chan_log log = { .nmsgs = 0 };
    struct ipc_chan *chan;
    const char *error;
    char data[240] = { 0 };
    int sv[2], i;

    pair(sv);
    ipc_msg_add_data(m, "d", data, sizeof(data));
    /* 251-byte frames; the queue holds 16 maximal (256 + 4) frames */
    chan = ipc_chan_create(loop, sv[0], 256, on_msg, on_close, &log);
    for (i = 0; i < 16; i++)
        EXPECT_INT(ipc_chan_send(chan, m, &error), 0);
    EXPECT_INT(ipc_chan_pending(chan), 16 * 251);
    EXPECT_INT(ipc_chan_send(chan, m, &error), -1);
    EXPECT_STR(error, "output queue full (4016 bytes pending, limit 4160)");
    EXPECT_INT(ipc_chan_fd(chan), sv[0]);
    event_loop_run_once(loop, 100);
    EXPECT_INT(ipc_chan_pending(chan), 0);
    ipc_chan_destroy(&chan);
    close(sv[1]);
    ipc_msg_destroy(&m);
    event_loop_destroy(&loop);
}

#define SLOW_COUNT 3000
#define SLOW_FD_EVERY 97

/* slow_reader - the child: read every message slowly, check order and
 * descriptors, and report "count" and "bad" back on the same socket */
static void slow_reader(int fd)
{
    struct ipc_msg *m, *report = ipc_msg_create();
    int64_t seq = -1, count = 0, bad = 0;
    const char *error;
    char byte;
    int pfd;

    while (ipc_recv(fd, MAX_FRAME, 5000, &m, &error) == 0) {
        if (ipc_msg_get_int(m, "seq", &seq, &error) < 0 || seq != count)
            bad++;
        if (seq % SLOW_FD_EVERY == 0
            && (ipc_msg_take_fd(m, "fd", S_IFIFO, &pfd, &error) < 0 || read(pfd, &byte, 1) != 1
                || byte != (char)(seq & 0x7f) || close(pfd) < 0))
            bad++;
        if (seq % SLOW_FD_EVERY != 0 && ipc_msg_has(m, "fd"))
            bad++;
        ipc_msg_destroy(&m);
        if (++count % 200 == 0)
            usleep(2000);
        if (count == SLOW_COUNT)
            break;
    }
    ipc_msg_add_int(report, "count", count);
    ipc_msg_add_int(report, "bad", bad);
    ipc_send(fd, report, MAX_FRAME, 5000, &error);
    _exit(0);
}

/* queue_slow - queue every message, with a pipe descriptor on some */
static void queue_slow(struct ipc_chan *chan)
{
    char pad[700];
    const char *error;
    struct ipc_msg *m;
    char byte;
    int i, p[2];

    memset(pad, 'p', sizeof(pad));
    for (i = 0; i < SLOW_COUNT; i++) {
        m = ipc_msg_create();
        ipc_msg_add_int(m, "seq", i);
        ipc_msg_add_data(m, "pad", pad, sizeof(pad));
        if (i % SLOW_FD_EVERY == 0) {
            if (pipe2(p, O_CLOEXEC) < 0)
                abort();
            byte = (char)(i & 0x7f);
            write_all(p[1], &byte, 1);
            close(p[1]);
            ipc_msg_add_fd(m, "fd", p[0]);
        }
        EXPECT_INT(ipc_chan_send(chan, m, &error), 0);
        if (i % SLOW_FD_EVERY == 0)
            close(p[0]); /* the channel keeps its own duplicate */
        ipc_msg_destroy(&m);
    }
}

/* test_slow_reader - thousands of queued frames, some with descriptors, slow peer */
static void test_slow_reader(void)
{
    struct event_loop *loop = event_loop_create();
    struct chan_log log = { .nmsgs = 0 };
    struct ipc_chan *chan;
    int sv[2], status, i, before;
    size_t after_first = 0;
    int64_t v;
    const char *error;
    pid_t pid;

    pair(sv);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        close(sv[0]);
        slow_reader(sv[1]);
    }
    close(sv[1]);
    before = open_fds();
    chan = ipc_chan_create(loop, sv[0], MAX_FRAME, on_msg, on_close, &log);
    queue_slow(chan);
    EXPECT_INT(open_fds(), before + SLOW_COUNT / SLOW_FD_EVERY + 1); /* duplicates queued */
    for (i = 0; i < 2000 && log.nmsgs == 0 && !log.closed; i++) {
        event_loop_run_once(loop, 100);
        if (i == 0)
            after_first = ipc_chan_pending(chan);
    }
    EXPECT_TRUE(after_first > 1000000); /* the reader really was slower */
    EXPECT_INT(ipc_chan_pending(chan), 0);
    EXPECT_INT(open_fds(), before); /* sent duplicates were closed */
    if (EXPECT_INT(log.nmsgs, 1)) {
        EXPECT_INT(ipc_msg_get_int(log.msgs[0], "count", &v, &error), 0);
        EXPECT_INT(v, SLOW_COUNT);
        EXPECT_INT(ipc_msg_get_int(log.msgs[0], "bad", &v, &error), 0);
        EXPECT_INT(v, 0);
    }
    run_until_closed(loop, &log);
    EXPECT_TRUE(log.closed);
    EXPECT_STR(log.reason, NULL);
    ipc_chan_destroy(&chan);
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    log_free(&log);
    event_loop_destroy(&loop);
}

/* test_chan_to_chan - two channels talking, descriptors duplicated when queued */
static void test_chan_to_chan(void)
{
    struct event_loop *loop = event_loop_create();
    struct chan_log la = { .nmsgs = 0 }, lb = { .nmsgs = 0 };
    struct ipc_chan *a, *b;
    struct ipc_msg *m = ipc_msg_create();
    const char *error;
    int sv[2], p[2], fd, i;
    char byte;

    pair(sv);
    a = ipc_chan_create(loop, sv[0], MAX_FRAME, on_msg, on_close, &la);
    b = ipc_chan_create(loop, sv[1], MAX_FRAME, on_msg, on_close, &lb);
    EXPECT_INT(pipe2(p, O_CLOEXEC), 0);
    ipc_msg_add_fd(m, "p", p[0]);
    ipc_msg_add_str(m, "s", "one");
    EXPECT_INT(ipc_chan_send(a, m, &error), 0);
    EXPECT_INT(ipc_chan_send(b, m, &error), 0);
    for (i = 0; i < 20 && (la.nmsgs == 0 || lb.nmsgs == 0); i++)
        event_loop_run_once(loop, 100);
    EXPECT_INT(la.nmsgs, 1);
    EXPECT_INT(lb.nmsgs, 1);
    EXPECT_TRUE(fcntl(p[0], F_GETFD) >= 0); /* the sender's own copy stays */
    EXPECT_INT(write(p[1], "z", 1), 1);
    if (lb.nmsgs == 1 && EXPECT_INT(ipc_msg_take_fd(lb.msgs[0], "p", S_IFIFO, &fd, &error), 0)) {
        EXPECT_INT(read(fd, &byte, 1), 1);
        EXPECT_INT(byte, 'z');
        close(fd);
    }
    ipc_chan_destroy(&a);
    run_until_closed(loop, &lb);
    EXPECT_STR(lb.reason, NULL);
    EXPECT_INT(ipc_chan_send(b, m, &error), -1);
    EXPECT_STR(error, "channel is closed");
    ipc_chan_destroy(&b);
    ipc_msg_destroy(&m);
    close(p[0]);
    close(p[1]);
    log_free(&la);
    log_free(&lb);
    event_loop_destroy(&loop);
}

/* main - run the ipc transport tests */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_blocking_round_trip),
        TEST_CASE(test_fd_passing),
        TEST_CASE(test_oversized),
        TEST_CASE(test_malformed_frame),
        TEST_CASE(test_eof),
        TEST_CASE(test_timeouts),
        TEST_CASE(test_connect),
        TEST_CASE(test_excess_fds),
        TEST_CASE(test_destroy_in_callback),
        TEST_CASE(test_queue_limit),
        TEST_CASE(test_slow_reader),
        TEST_CASE(test_chan_to_chan),
        TEST_END,
    });
}
