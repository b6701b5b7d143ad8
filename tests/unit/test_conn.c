/* SPDX-License-Identifier: MIT
 * test_conn - the buffered connection over a socketpair: line reading (every
 * case whole and byte by byte through the real read path), over-long lines,
 * raw input, a full input buffer, output limits and water marks, idle
 * timeout, EOF after buffered input, close after flush, destroy inside
 * callbacks, write errors, and pluggable transports. The lingering close
 * runs over loopback TCP, since only TCP answers a close with RST.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "util/buf.h"
#include "util/conn.h"
#include "util/event.h"

enum input_mode {
    MODE_LINES,     /* read every whole line */
    MODE_HOLD,      /* consume nothing */
    MODE_ONE_PAUSE, /* read one line, then pause input */
    MODE_RAW4,      /* consume 4-byte records through conn_input() */
    MODE_DESTROY,   /* destroy the connection */
};

struct fx {
    struct event_loop *loop;
    struct conn *c;
    int peer;
    struct buf *log;
    enum input_mode mode;
    int inputs;
    int closes;
    int drains;
    size_t drain_pending;
    bool drain_full;
    bool destroy_on_close;
};

static const char *const reasons[] = { "eof", "error", "timeout", "done" };

/* fx_log_bytes - append bytes to the transcript, escaping controls */
static void fx_log_bytes(struct fx *f, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
            buf_printf(f->log, "\\x%02x", (unsigned char)p[i]);
        else
            buf_append_char(f->log, p[i]);
    }
}

/* fx_lines - read lines in the way the mode says */
static void fx_lines(struct fx *f, bool just_one)
{
    struct conn_line line;
    int r;

    while ((r = conn_read_line(f->c, &line)) != 0) {
        if (r < 0) {
            buf_append_str(f->log, "TOOLONG;");
        } else {
            EXPECT_INT(line.data[line.len], '\0');
            buf_append_str(f->log, "L:");
            fx_log_bytes(f, line.data, line.len);
            buf_append_str(f->log, line.crlf ? "/crlf;" : "/lf;");
        }
        if (just_one)
            break;
    }
}

/* on_input - consume input the way the fixture's mode says */
static void on_input(struct conn *c, void *ctx)
{
    struct fx *f = ctx;
    const char *data;

    EXPECT_TRUE(c == f->c);
    f->inputs++;
    switch (f->mode) {
    case MODE_LINES:
        fx_lines(f, false);
        break;
    case MODE_HOLD:
        break;
    case MODE_ONE_PAUSE:
        fx_lines(f, true);
        conn_pause_input(c);
        break;
    case MODE_RAW4:
        while (conn_input(c, &data) >= 4) {
            buf_append_str(f->log, "R:");
            fx_log_bytes(f, data, 4);
            buf_append_char(f->log, ';');
            conn_input_consume(c, 4);
        }
        break;
    case MODE_DESTROY:
        buf_append_str(f->log, "destroy;");
        conn_destroy(&f->c);
        EXPECT_TRUE(f->c == NULL);
        break;
    }
}

/* on_drain - record the queue state at the low water mark */
static void on_drain(struct conn *c, void *ctx)
{
    struct fx *f = ctx;

    f->drains++;
    f->drain_pending = conn_output_pending(c);
    f->drain_full = conn_output_full(c);
}

/* on_close - log the reason; maybe destroy right here */
static void on_close(struct conn *c, enum conn_close_reason reason, void *ctx)
{
    struct fx *f = ctx;

    EXPECT_TRUE(c == f->c);
    f->closes++;
    buf_printf(f->log, "CLOSE:%s;", reasons[reason]);
    if (f->destroy_on_close)
        conn_destroy(&f->c);
}

static const struct conn_callbacks fx_callbacks = { on_input, on_drain, on_close };

/* fx_open - a connection on one end of a socketpair, the test on the other */
static void fx_open(struct fx *f, const struct conn_params *p, enum input_mode mode)
{
    int fds[2];

    memset(f, 0, sizeof(*f));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        abort();
    f->loop = event_loop_create();
    f->log = buf_create(256, 1024 * 1024);
    f->mode = mode;
    f->peer = fds[1];
    f->c = conn_create(f->loop, fds[0], p, &fx_callbacks, f);
}

/* fx_open_tcp - like fx_open, over a loopback TCP connection */
static void fx_open_tcp(struct fx *f, const struct conn_params *p, enum input_mode mode)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int lfd, fd;

    memset(f, 0, sizeof(*f));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, 1) < 0
        || getsockname(lfd, (struct sockaddr *)&sin, &len) < 0)
        abort();
    f->peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (f->peer < 0 || connect(f->peer, (struct sockaddr *)&sin, sizeof(sin)) < 0)
        abort();
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        abort();
    close(lfd);
    f->loop = event_loop_create();
    f->log = buf_create(256, 1024 * 1024);
    f->mode = mode;
    f->c = conn_create(f->loop, fd, p, &fx_callbacks, f);
}

/* fx_close - tear everything down */
static void fx_close(struct fx *f)
{
    conn_destroy(&f->c);
    if (f->peer >= 0)
        close(f->peer);
    event_loop_destroy(&f->loop);
    buf_destroy(&f->log);
}

/* fx_pump - run rounds while anything happens */
static void fx_pump(struct fx *f)
{
    int rounds = 0;

    while (event_loop_run_once(f->loop, 0) > 0 && rounds++ < 100000)
        ;
}

/* fx_send - the peer writes bytes */
static void fx_send(struct fx *f, const void *p, size_t n)
{
    if (n > 0 && write(f->peer, p, n) != (ssize_t)n)
        abort();
}

/* fx_recv - the peer reads what is there (non-blocking); bytes, 0 on EOF, -1 none */
static ssize_t fx_recv(struct fx *f, void *p, size_t n)
{
    return recv(f->peer, p, n, MSG_DONTWAIT);
}

/* small_params - limits for line tests */
static void small_params(struct conn_params *p, size_t max_line, size_t input_max)
{
    conn_params_default(p);
    p->max_line = max_line;
    p->input_max = input_max;
}

/* shrink_buffers - make the kernel hold little, so output queues up */
static void shrink_buffers(struct fx *f)
{
    int small = 4096;

    setsockopt(conn_fd(f->c), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(f->peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
}

/* pattern - the byte at position i of test output */
static char pattern(size_t i)
{
    return (char)('a' + i % 23);
}

/* write_pattern - queue n pattern bytes starting at *pos */
static int write_pattern(struct conn *c, size_t *pos, size_t n)
{
    char chunk[2048];
    size_t i;

    if (n > sizeof(chunk))
        abort();
    for (i = 0; i < n; i++)
        chunk[i] = pattern(*pos + i);
    if (conn_write(c, chunk, n) < 0)
        return -1;
    *pos += n;
    return 0;
}

/* ---- line reading, whole and byte by byte ---- */

struct line_case {
    const char *name;
    const char *input;
    size_t len;
    size_t max_line;
    size_t input_max;
    enum input_mode mode;
    const char *want;
};

#define IN(s) s, sizeof(s) - 1

static const struct line_case line_cases[] = {
    { "crlf and bare lf", IN("HELO a\r\nMAIL b\nc\r\n\r\n\n"), 64, 128, MODE_LINES,
      "L:HELO a/crlf;L:MAIL b/lf;L:c/crlf;L:/crlf;L:/lf;CLOSE:eof;" },
    { "at and past max_line", IN("12345\r\n123456\r\n12345\n123456\nok\n"), 5, 16, MODE_LINES,
      "L:12345/crlf;TOOLONG;L:12345/lf;TOOLONG;L:ok/lf;CLOSE:eof;" },
    { "over-long across many reads", IN("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\nnext\r\n"),
      8, 10, MODE_LINES, "TOOLONG;L:next/crlf;CLOSE:eof;" },
    { "line fills the buffer", IN("abcd\r\nefgh\r\n"), 4, 6, MODE_LINES,
      "L:abcd/crlf;L:efgh/crlf;CLOSE:eof;" },
    { "bare CR and NUL inside", IN("a\rb\n\0x\r\n"), 16, 32, MODE_LINES,
      "L:a\\x0db/lf;L:\\x00x/crlf;CLOSE:eof;" },
    { "partial line at EOF", IN("one\ntwo"), 16, 32, MODE_LINES, "L:one/lf;CLOSE:eof;" },
    { "raw records", IN("abcdefghij"), 16, 32, MODE_RAW4, "R:abcd;R:efgh;CLOSE:eof;" },
};

/* run_line_case - feed one case whole or one byte per round, then EOF */
static void run_line_case(const struct line_case *lc, bool bytewise)
{
    struct conn_params p;
    struct fx f;
    size_t i;

    small_params(&p, lc->max_line, lc->input_max);
    fx_open(&f, &p, lc->mode);
    if (bytewise) {
        for (i = 0; i < lc->len; i++) {
            fx_send(&f, lc->input + i, 1);
            fx_pump(&f);
        }
    } else {
        fx_send(&f, lc->input, lc->len);
    }
    shutdown(f.peer, SHUT_WR);
    fx_pump(&f);
    if (!EXPECT_STR(buf_str(f.log), lc->want))
        fprintf(stderr, "  case \"%s\", %s\n", lc->name, bytewise ? "byte by byte" : "whole");
    EXPECT_INT(f.closes, 1);
    fx_close(&f);
}

/* test_lines - every line case, whole and byte by byte */
static void test_lines(void)
{
    size_t i;

    for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
        run_line_case(&line_cases[i], false);
        run_line_case(&line_cases[i], true);
    }
}

/* ---- input limits and EOF ---- */

/* test_input_full_pauses - a full input buffer stops reading until consumed */
static void test_input_full_pauses(void)
{
    struct conn_params p;
    struct fx f;
    char many[100];
    const char *data;
    int queued = 0;

    small_params(&p, 14, 16);
    fx_open(&f, &p, MODE_HOLD);
    memset(many, 'a', sizeof(many));
    fx_send(&f, many, sizeof(many));
    fx_pump(&f);
    EXPECT_INT(conn_input(f.c, &data), 16);
    EXPECT_INT(ioctl(conn_fd(f.c), FIONREAD, &queued), 0);
    EXPECT_INT(queued, 84);
    /* the loop does not spin on the readable fd while the buffer is full */
    EXPECT_INT(event_loop_run_once(f.loop, 0), 0);
    conn_input_consume(f.c, 10);
    fx_pump(&f);
    EXPECT_INT(conn_input(f.c, &data), 16);
    EXPECT_INT(ioctl(conn_fd(f.c), FIONREAD, &queued), 0);
    EXPECT_INT(queued, 74);
    conn_input_discard(f.c);
    fx_pump(&f);
    EXPECT_INT(ioctl(conn_fd(f.c), FIONREAD, &queued), 0);
    EXPECT_INT(queued, 58);
    EXPECT_INT(f.closes, 0);
    fx_close(&f);
}

/* test_eof_waits_for_owner - EOF only after a paused owner took all input */
static void test_eof_waits_for_owner(void)
{
    struct conn_params p;
    struct fx f;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_ONE_PAUSE);
    fx_send(&f, IN("a\nb\nc\n"));
    shutdown(f.peer, SHUT_WR);
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "L:a/lf;");
    /* paused with input buffered: no EOF yet, however long we wait */
    EXPECT_INT(event_loop_run_once(f.loop, 20), 0);
    conn_resume_input(f.c);
    EXPECT_INT(f.inputs, 1); /* not inside conn_resume_input() */
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "L:a/lf;L:b/lf;");
    conn_resume_input(f.c);
    fx_pump(&f);
    conn_resume_input(f.c);
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "L:a/lf;L:b/lf;L:c/lf;CLOSE:eof;");
    EXPECT_INT(f.closes, 1);
    fx_close(&f);
}

/* ---- output ---- */

/* test_write_immediately - an empty queue is written without a loop round */
static void test_write_immediately(void)
{
    struct conn_params p;
    struct fx f;
    char got[2048];
    char longer[1001];

    conn_params_default(&p);
    fx_open(&f, &p, MODE_LINES);
    EXPECT_INT(conn_write(f.c, "abc", 3), 0);
    EXPECT_INT(conn_output_pending(f.c), 0);
    /* no loop round needed: the bytes are already on their way */
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 3);
    EXPECT_MEM(got, 3, "abc", 3);
    memset(longer, 'z', 1000);
    longer[1000] = '\0';
    EXPECT_INT(conn_printf(f.c, "%d %s\r\n", 250, longer), 0);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 1006);
    EXPECT_MEM(got, 4, "250 ", 4);
    EXPECT_MEM(got + 1004, 2, "\r\n", 2);
    fx_close(&f);
}

/* fill_kernel - write until the kernel holds no more and output queues up */
static void fill_kernel(struct fx *f, size_t *pos)
{
    int i;

    shrink_buffers(f);
    for (i = 0; i < 10000 && conn_output_pending(f->c) == 0; i++)
        if (write_pattern(f->c, pos, 512) < 0)
            abort();
    EXPECT_TRUE(conn_output_pending(f->c) > 0);
}

/* drain_peer - the peer reads everything, a little per round; bytes read */
static size_t drain_peer(struct fx *f, size_t step, int *order_errors)
{
    char got[4096];
    size_t total = 0, i;
    ssize_t n;
    int idle = 0;

    while (idle < 100) {
        fx_pump(f);
        n = fx_recv(f, got, step);
        if (n == 0)
            break;
        if (n < 0) {
            idle++;
            (void)event_loop_run_once(f->loop, 5);
            continue;
        }
        idle = 0;
        for (i = 0; i < (size_t)n; i++)
            if (got[i] != pattern(total + i))
                (*order_errors)++;
        total += (size_t)n;
    }
    return total;
}

/* test_output_max - conn_write refuses past output_max and queues nothing */
static void test_output_max(void)
{
    struct conn_params p;
    struct fx f;
    size_t pos = 0, pending;
    int order_errors = 0;

    conn_params_default(&p);
    p.output_max = 8192;
    p.output_high_water = 6000;
    p.output_low_water = 1000;
    fx_open(&f, &p, MODE_LINES);
    fill_kernel(&f, &pos);
    while (conn_output_pending(f.c) + 1024 < 8192)
        EXPECT_INT(write_pattern(f.c, &pos, 1024), 0);
    pending = conn_output_pending(f.c);
    /* one byte past output_max: refused, nothing queued */
    EXPECT_INT(conn_write(f.c, "x", 0), 0);
    errno = 0;
    EXPECT_INT(write_pattern(f.c, &pos, 8192 - pending + 1), -1);
    EXPECT_INT(errno, ENOBUFS);
    EXPECT_INT(conn_output_pending(f.c), pending);
    /* exactly up to output_max: accepted */
    EXPECT_INT(write_pattern(f.c, &pos, 8192 - pending), 0);
    EXPECT_INT(conn_output_pending(f.c), 8192);
    EXPECT_TRUE(conn_output_full(f.c));
    EXPECT_INT(conn_printf(f.c, "%s", "x"), -1);
    EXPECT_INT(conn_output_pending(f.c), 8192);
    /* everything accepted arrives, in order */
    EXPECT_INT(drain_peer(&f, 4096, &order_errors), pos);
    EXPECT_INT(order_errors, 0);
    EXPECT_INT(conn_output_pending(f.c), 0);
    fx_close(&f);
}

/* test_water_marks - output_full above high water, on_drain once at low water */
static void test_water_marks(void)
{
    struct conn_params p;
    struct fx f;
    size_t pos = 0;
    int order_errors = 0, guard = 0;

    conn_params_default(&p);
    p.output_max = 64 * 1024;
    p.output_high_water = 16 * 1024;
    p.output_low_water = 4 * 1024;
    fx_open(&f, &p, MODE_LINES);
    fill_kernel(&f, &pos);
    EXPECT_FALSE(conn_output_full(f.c));
    while (!conn_output_full(f.c) && guard++ < 1000)
        EXPECT_INT(write_pattern(f.c, &pos, 1000), 0);
    EXPECT_TRUE(conn_output_full(f.c));
    EXPECT_INT(f.drains, 0);
    /* a slow reader: 500 bytes at a time */
    EXPECT_INT(drain_peer(&f, 500, &order_errors), pos);
    EXPECT_INT(order_errors, 0);
    EXPECT_INT(f.drains, 1);
    EXPECT_TRUE(f.drain_pending <= 4 * 1024);
    EXPECT_FALSE(f.drain_full);
    fx_close(&f);
}

/* test_close_after_flush - all queued bytes arrive, then CONN_CLOSE_DONE */
static void test_close_after_flush(void)
{
    struct conn_params p;
    struct fx f;
    size_t pos = 0;
    int order_errors = 0;

    conn_params_default(&p);
    p.output_max = 256 * 1024;
    p.output_high_water = 256 * 1024;
    p.output_low_water = 0;
    fx_open(&f, &p, MODE_LINES);
    f.destroy_on_close = true;
    shrink_buffers(&f);
    while (pos < 200 * 1024)
        EXPECT_INT(write_pattern(f.c, &pos, 1024), 0);
    EXPECT_TRUE(conn_output_pending(f.c) > 0);
    conn_close_after_flush(f.c);
    /* input is ignored from now on */
    fx_send(&f, IN("QUIT\r\n"));
    /* the peer sees every byte, then EOF when on_close destroyed the conn */
    EXPECT_INT(drain_peer(&f, 4096, &order_errors), pos);
    EXPECT_INT(order_errors, 0);
    EXPECT_STR(buf_str(f.log), "CLOSE:done;");
    EXPECT_TRUE(f.c == NULL);
    fx_close(&f);
}

/* test_close_after_flush_empty - nothing to flush: DONE from the loop, once */
static void test_close_after_flush_empty(void)
{
    struct conn_params p;
    struct fx f;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_LINES);
    conn_close_after_flush(f.c);
    EXPECT_INT(f.closes, 0); /* reported from the loop, not from the call */
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "CLOSE:done;");
    conn_close_after_flush(f.c);
    fx_pump(&f);
    EXPECT_INT(f.closes, 1);
    EXPECT_INT(conn_write(f.c, "x", 1), -1);
    fx_close(&f);
}

/* test_write_error - a failed immediate write is reported later, or never if destroyed */
static void test_write_error(void)
{
    struct conn_params p;
    struct fx f;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_LINES);
    shutdown(f.peer, SHUT_RD);
    /* the failed write is accepted; the error comes later, from the loop */
    EXPECT_INT(conn_write(f.c, "hello", 5), 0);
    EXPECT_INT(f.closes, 0);
    EXPECT_INT(conn_write(f.c, "again", 5), -1);
    EXPECT_INT(errno, EPIPE);
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "CLOSE:error;");
    EXPECT_INT(conn_errno(f.c), EPIPE);
    fx_close(&f);

    /* destroyed before the loop reported it: nothing is called */
    fx_open(&f, &p, MODE_LINES);
    shutdown(f.peer, SHUT_RD);
    EXPECT_INT(conn_write(f.c, "hello", 5), 0);
    conn_destroy(&f.c);
    fx_pump(&f);
    EXPECT_INT(f.closes, 0);
    fx_close(&f);
}

/* ---- lingering close (TCP) ---- */

/* fx_flood - the peer writes junk without blocking; bytes written (a send
 * error other than EAGAIN lands in *err_r: it would hide a reset from the
 * next recv) */
static size_t fx_flood(struct fx *f, size_t n, int *err_r)
{
    char junk[4096];
    ssize_t r;

    memset(junk, 'J', sizeof(junk));
    if (n > sizeof(junk))
        n = sizeof(junk);
    r = send(f->peer, junk, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0 && errno != EAGAIN && *err_r == 0)
        *err_r = errno;
    return r > 0 ? (size_t)r : 0;
}

/* test_linger_reply_survives - unread pipelined input: the peer still reads
 * the final reply and then a clean EOF, not ECONNRESET */
static void test_linger_reply_survives(void)
{
    static const char reply[] = "421 4.7.0 mx.example.test Error: too many errors\r\n";
    struct conn_params p;
    struct fx f;
    char got[4096];
    size_t have = 0;
    ssize_t n = -1;
    uint64_t t0;
    int rounds = 0, queued = 0, send_err = 0;

    conn_params_default(&p);
    p.linger_timeout_ms = 10000;
    fx_open_tcp(&f, &p, MODE_HOLD);
    f.destroy_on_close = true;
    /* pipelined commands sit unread in our receive buffer (no loop round
     * has run to read them) */
    fx_send(&f, IN("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"));
    while (queued < 24 && rounds++ < 1000) {
        EXPECT_INT(ioctl(conn_fd(f.c), FIONREAD, &queued), 0);
        if (queued < 24)
            usleep(1000);
    }
    EXPECT_INT(queued, 24);
    EXPECT_INT(conn_write(f.c, reply, sizeof(reply) - 1), 0);
    conn_close_after_flush(f.c);
    t0 = monotonic_ms();
    /* the client keeps pipelining while it reads */
    for (rounds = 0; rounds < 2000; rounds++) {
        (void)fx_flood(&f, 100, &send_err);
        (void)event_loop_run_once(f.loop, 1);
        n = fx_recv(&f, got + have, sizeof(got) - have);
        if (n > 0)
            have += (size_t)n;
        else if (n == 0 || errno != EAGAIN)
            break;
    }
    EXPECT_INT(n, 0); /* EOF, not -1 with ECONNRESET */
    if (n < 0)
        fprintf(stderr, "  peer read: %s\n", strerror(errno));
    EXPECT_INT(send_err, 0); /* nor a reset seen by the pipelining writes */
    if (send_err != 0)
        fprintf(stderr, "  peer write: %s\n", strerror(send_err));
    EXPECT_MEM(got, have, reply, sizeof(reply) - 1);
    EXPECT_INT(f.closes, 0); /* still draining the client */
    /* the client closes: the linger ends at once, well before its timeout */
    shutdown(f.peer, SHUT_WR);
    for (rounds = 0; f.closes == 0 && rounds < 100; rounds++)
        (void)event_loop_run_once(f.loop, 50);
    EXPECT_STR(buf_str(f.log), "CLOSE:done;");
    EXPECT_TRUE(f.c == NULL);
    EXPECT_TRUE(monotonic_ms() - t0 < 5000);
    EXPECT_INT(recv(f.peer, got, sizeof(got), 0), 0);
    fx_close(&f);
}

/* test_linger_timeout - a peer that never closes: DONE after the timeout, once */
static void test_linger_timeout(void)
{
    struct conn_params p;
    struct fx f;
    char got[64];
    uint64_t t0, t1;
    int rounds = 0;

    conn_params_default(&p);
    p.linger_timeout_ms = 100;
    fx_open_tcp(&f, &p, MODE_LINES);
    fx_send(&f, IN("QUIT\r\nNOOP\r\n"));
    EXPECT_INT(conn_write(f.c, "221 bye\r\n", 9), 0);
    conn_close_after_flush(f.c);
    t0 = monotonic_ms();
    fx_pump(&f);
    /* the reply and FIN arrive at once; the linger goes on without them */
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 9);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 0);
    EXPECT_INT(f.closes, 0);
    EXPECT_INT(conn_write(f.c, "x", 1), -1);
    EXPECT_INT(errno, EPIPE);
    fx_send(&f, IN("more\r\n"));
    while (f.closes == 0 && rounds++ < 100)
        (void)event_loop_run_once(f.loop, 50);
    t1 = monotonic_ms();
    EXPECT_STR(buf_str(f.log), "CLOSE:done;"); /* nothing reached on_input */
    EXPECT_INT(conn_errno(f.c), 0);
    EXPECT_TRUE(t1 - t0 >= 90);
    EXPECT_TRUE(t1 - t0 < 2000);
    /* closed is closed: more input and EOF change nothing */
    fx_send(&f, IN("late\r\n"));
    shutdown(f.peer, SHUT_WR);
    (void)event_loop_run_once(f.loop, 20);
    fx_pump(&f);
    EXPECT_INT(f.closes, 1);
    EXPECT_INT(f.inputs, 0);
    fx_close(&f);
}

/* test_linger_cap - a peer that floods: DONE after CONN_LINGER_MAX bytes,
 * long before the timeout */
static void test_linger_cap(void)
{
    struct conn_params p;
    struct fx f;
    size_t sent = 0;
    uint64_t t0;
    int rounds = 0, send_err = 0;

    conn_params_default(&p);
    p.linger_timeout_ms = 20000;
    fx_open_tcp(&f, &p, MODE_LINES);
    conn_close_after_flush(f.c);
    fx_pump(&f);
    EXPECT_INT(f.closes, 0);
    t0 = monotonic_ms();
    while (f.closes == 0 && rounds++ < 10000) {
        sent += fx_flood(&f, 4096, &send_err);
        (void)event_loop_run_once(f.loop, 1);
    }
    EXPECT_STR(buf_str(f.log), "CLOSE:done;");
    EXPECT_INT(f.inputs, 0);
    EXPECT_TRUE(sent >= CONN_LINGER_MAX);
    EXPECT_INT(send_err, 0);
    EXPECT_TRUE(monotonic_ms() - t0 < 10000);
    fx_close(&f);
}

/* test_linger_destroy - conn_destroy while lingering: the timer is gone,
 * the fd is closed, on_close is never called */
static void test_linger_destroy(void)
{
    struct conn_params p;
    struct fx f;
    char got[64];
    int fd;

    conn_params_default(&p);
    p.linger_timeout_ms = 50;
    fx_open_tcp(&f, &p, MODE_LINES);
    EXPECT_INT(conn_write(f.c, "221 bye\r\n", 9), 0);
    conn_close_after_flush(f.c);
    fx_pump(&f);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 9);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 0);
    EXPECT_INT(f.closes, 0);
    fd = conn_fd(f.c);
    conn_destroy(&f.c);
    EXPECT_INT(fcntl(fd, F_GETFD), -1);
    EXPECT_INT(errno, EBADF);
    /* the linger timer would have fired by now */
    EXPECT_INT(event_loop_run_once(f.loop, 100), 0);
    EXPECT_INT(f.closes, 0);
    fx_close(&f);
}

/* ---- time ---- */

/* test_idle_timeout - input restarts the idle period; timeout closes once */
static void test_idle_timeout(void)
{
    struct conn_params p;
    struct fx f;
    uint64_t t0, t1, t2;
    int rounds = 0;

    conn_params_default(&p);
    p.idle_timeout_ms = 50;
    fx_open(&f, &p, MODE_LINES);
    t0 = monotonic_ms();
    (void)event_loop_run_once(f.loop, 30);
    fx_send(&f, IN("hi\n"));
    fx_pump(&f);
    t1 = monotonic_ms();
    EXPECT_STR(buf_str(f.log), "L:hi/lf;");
    while (f.closes == 0 && rounds++ < 100)
        (void)event_loop_run_once(f.loop, 200);
    t2 = monotonic_ms();
    EXPECT_STR(buf_str(f.log), "L:hi/lf;CLOSE:timeout;");
    EXPECT_TRUE(t2 - t1 >= 40);
    EXPECT_TRUE(t2 - t0 >= 75); /* the input restarted the idle period */
    EXPECT_INT(conn_errno(f.c), ETIMEDOUT);
    /* closed is closed: more input and EOF change nothing */
    fx_send(&f, IN("more\n"));
    shutdown(f.peer, SHUT_WR);
    fx_pump(&f);
    (void)event_loop_run_once(f.loop, 20);
    EXPECT_INT(f.closes, 1);
    EXPECT_STR(buf_str(f.log), "L:hi/lf;CLOSE:timeout;");
    fx_close(&f);
}

/* test_idle_timeout_off - timeout 0 disables it */
static void test_idle_timeout_off(void)
{
    struct conn_params p;
    struct fx f;

    conn_params_default(&p);
    p.idle_timeout_ms = 20;
    fx_open(&f, &p, MODE_LINES);
    conn_set_idle_timeout(f.c, 0);
    EXPECT_INT(event_loop_run_once(f.loop, 60), 0);
    EXPECT_INT(f.closes, 0);
    fx_close(&f);
}

/* ---- destroy inside callbacks ---- */

/* test_destroy_in_input - conn_destroy inside on_input */
static void test_destroy_in_input(void)
{
    struct conn_params p;
    struct fx f;
    char c;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_DESTROY);
    fx_send(&f, IN("x\n"));
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "destroy;");
    EXPECT_TRUE(f.c == NULL);
    EXPECT_INT(fx_recv(&f, &c, 1), 0); /* the fd is closed */
    fx_close(&f);
}

/* test_destroy_in_close - conn_destroy inside on_close from the idle timer */
static void test_destroy_in_close(void)
{
    struct conn_params p;
    struct fx f;
    int rounds = 0;

    conn_params_default(&p);
    p.idle_timeout_ms = 10;
    fx_open(&f, &p, MODE_LINES);
    f.destroy_on_close = true;
    while (f.closes == 0 && rounds++ < 100)
        (void)event_loop_run_once(f.loop, 100);
    EXPECT_STR(buf_str(f.log), "CLOSE:timeout;");
    EXPECT_TRUE(f.c == NULL);
    fx_close(&f);
}

/* ---- transports ---- */

/* A test transport: bytes are XORed on the wire, reads come out at most
 * 3 bytes at a time from a 64-byte chunk (so most of them are only
 * "pending", never announced by the fd), and the first write may need a
 * read first, as a TLS renegotiation does. */
struct xor_io {
    int fd;
    unsigned char chunk[64];
    size_t len;
    size_t off;
    bool write_needs_read;
    int blocked_writes;
};

/* xor_bytes - the test transport's cipher */
static void xor_bytes(unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] ^= 0x5a;
}

/* xor_fill - read a chunk from the fd into the transport */
static ssize_t xor_fill(struct xor_io *x)
{
    ssize_t r = read(x->fd, x->chunk, sizeof(x->chunk));

    if (r > 0) {
        xor_bytes(x->chunk, (size_t)r);
        x->len = (size_t)r;
        x->off = 0;
    }
    return r;
}

/* xor_read - at most 3 bytes from the transport's chunk */
static ssize_t xor_read(void *io_ctx, void *data, size_t n, unsigned *want_r)
{
    struct xor_io *x = io_ctx;
    ssize_t r;

    *want_r = EVENT_READ;
    if (x->off == x->len && (r = xor_fill(x)) <= 0)
        return r;
    if (n > 3)
        n = 3;
    if (n > x->len - x->off)
        n = x->len - x->off;
    memcpy(data, x->chunk + x->off, n);
    x->off += n;
    return (ssize_t)n;
}

/* xor_write - XOR and write; may first need the fd readable */
static ssize_t xor_write(void *io_ctx, const void *data, size_t n, unsigned *want_r)
{
    struct xor_io *x = io_ctx;
    unsigned char tmp[256];

    if (x->write_needs_read) {
        if (x->off < x->len || xor_fill(x) <= 0) {
            x->blocked_writes++;
            *want_r = EVENT_READ;
            errno = EAGAIN;
            return -1;
        }
        x->write_needs_read = false;
    }
    *want_r = EVENT_WRITE;
    if (n > sizeof(tmp))
        n = sizeof(tmp);
    memcpy(tmp, data, n);
    xor_bytes(tmp, n);
    return write(x->fd, tmp, n);
}

/* xor_pending - bytes in the chunk not yet handed out */
static size_t xor_pending(void *io_ctx)
{
    struct xor_io *x = io_ctx;

    return x->len - x->off;
}

static const struct conn_io_ops xor_ops = { xor_read, xor_write, xor_pending, NULL };

/* run_transport - lines in and a reply out through the XOR transport */
static void run_transport(bool bytewise)
{
    static const char text[] = "hello world\r\nsecond line, longer than one chunk of the "
                               "transport, which holds 64 bytes\nthird\r\n";
    unsigned char wire[sizeof(text)], got[64];
    struct conn_params p;
    struct xor_io x = { 0 };
    struct fx f;
    size_t i;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_LINES);
    x.fd = conn_fd(f.c);
    conn_set_io(f.c, &xor_ops, &x);
    memcpy(wire, text, sizeof(text) - 1);
    xor_bytes(wire, sizeof(text) - 1);
    for (i = 0; i < sizeof(text) - 1; i += bytewise ? 1 : sizeof(text)) {
        fx_send(&f, wire + i, bytewise ? 1 : sizeof(text) - 1);
        fx_pump(&f);
    }
    EXPECT_STR(buf_str(f.log), "L:hello world/crlf;L:second line, longer than one chunk of the "
                               "transport, which holds 64 bytes/lf;L:third/crlf;");
    EXPECT_INT(conn_write(f.c, "reply\r\n", 7), 0);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 7);
    xor_bytes(got, 7);
    EXPECT_MEM(got, 7, "reply\r\n", 7);
    fx_close(&f);
}

/* test_custom_transport - the XOR transport, whole and byte by byte */
static void test_custom_transport(void)
{
    run_transport(false);
    run_transport(true);
}

/* test_transport_pending_full - pending() bytes are read after the buffer drains */
static void test_transport_pending_full(void)
{
    unsigned char wire[] = "ab\ncd\nef\ngh\nij\n";
    struct conn_params p;
    struct xor_io x = { 0 };
    struct fx f;

    small_params(&p, 6, 8);
    fx_open(&f, &p, MODE_LINES);
    x.fd = conn_fd(f.c);
    conn_set_io(f.c, &xor_ops, &x);
    xor_bytes(wire, sizeof(wire) - 1);
    /* the transport takes all 15 bytes off the fd at once; the input buffer
     * holds 8: the rest must come from pending() once lines are consumed */
    fx_send(&f, wire, sizeof(wire) - 1);
    fx_pump(&f);
    EXPECT_STR(buf_str(f.log), "L:ab/lf;L:cd/lf;L:ef/lf;L:gh/lf;L:ij/lf;");
    fx_close(&f);
}

/* test_transport_write_wants_read - a write blocked on read readiness resumes */
static void test_transport_write_wants_read(void)
{
    unsigned char wire[] = "x\n", got[16];
    struct conn_params p;
    struct xor_io x = { 0 };
    struct fx f;

    conn_params_default(&p);
    fx_open(&f, &p, MODE_LINES);
    x.fd = conn_fd(f.c);
    x.write_needs_read = true;
    conn_set_io(f.c, &xor_ops, &x);
    EXPECT_INT(conn_write(f.c, "ping", 4), 0);
    EXPECT_INT(conn_output_pending(f.c), 4);
    fx_pump(&f);
    EXPECT_INT(conn_output_pending(f.c), 4);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), -1);
    /* the peer's bytes make the fd readable, which the write waited for */
    xor_bytes(wire, 2);
    fx_send(&f, wire, 2);
    fx_pump(&f);
    EXPECT_INT(conn_output_pending(f.c), 0);
    EXPECT_INT(fx_recv(&f, got, sizeof(got)), 4);
    xor_bytes(got, 4);
    EXPECT_MEM(got, 4, "ping", 4);
    EXPECT_STR(buf_str(f.log), "L:x/lf;");
    EXPECT_TRUE(x.blocked_writes >= 1);
    fx_close(&f);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_lines),
        TEST_CASE(test_input_full_pauses),
        TEST_CASE(test_eof_waits_for_owner),
        TEST_CASE(test_write_immediately),
        TEST_CASE(test_output_max),
        TEST_CASE(test_water_marks),
        TEST_CASE(test_close_after_flush),
        TEST_CASE(test_close_after_flush_empty),
        TEST_CASE(test_write_error),
        TEST_CASE(test_linger_reply_survives),
        TEST_CASE(test_linger_timeout),
        TEST_CASE(test_linger_cap),
        TEST_CASE(test_linger_destroy),
        TEST_CASE(test_idle_timeout),
        TEST_CASE(test_idle_timeout_off),
        TEST_CASE(test_destroy_in_input),
        TEST_CASE(test_destroy_in_close),
        TEST_CASE(test_custom_transport),
        TEST_CASE(test_transport_pending_full),
        TEST_CASE(test_transport_write_wants_read),
        TEST_END,
    });
}
