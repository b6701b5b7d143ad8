/* SPDX-License-Identifier: MIT
 * test_ipc - ipc messages: encode/decode round trips of every type, exact
 * renderings, malformed payloads, getters' errors, the hello.
 *
 * Every decode case runs twice: ipc_msg_decode() on the whole payload, then
 * the same frame written ONE BYTE AT A TIME into a socketpair and read by a
 * real ipc_chan on the event loop (descriptors sent with the first byte), so
 * the channel's reassembly gives the same message or the same error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/fdpass.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define MAX_FRAME (1024 * 1024)
#define P(lit) lit, sizeof(lit) - 1

struct decode_case {
    const char *name;
    const char *payload;
    size_t len;
    size_t nfds;        /* pipes sent with the frame */
    const char *render; /* expected rendering, or NULL for an error */
    const char *error;  /* expected error */
};

/* One case a line, payload bytes as on the wire (kept as written). */
/* clang-format off */
static const struct decode_case decode_cases[] = {
    { "empty", P(""), 0, "", NULL },
    { "int", P("\x01\x03pid\0\0\0\0\0\0\0\x2a"), 0, "pid=42", NULL },
    { "int -1", P("\x01\x01x\xff\xff\xff\xff\xff\xff\xff\xff"), 0, "x=-1", NULL },
    { "int min", P("\x01\x01n\x80\0\0\0\0\0\0\0"), 0, "n=-9223372036854775808", NULL },
    { "int max", P("\x01\x01n\x7f\xff\xff\xff\xff\xff\xff\xff"), 0, "n=9223372036854775807", NULL },
    { "str", P("\x02\x04name\0\0\0\x05hello"), 0, "name=\"hello\"", NULL },
    { "str empty", P("\x02\x01s\0\0\0\0"), 0, "s=\"\"", NULL },
    { "str escaped", P("\x02\x01s\0\0\0\x08" "a\"b\\c\n\x7f\x01"), 0, "s=\"a\\\"b\\\\c\\x0a\\x7f\\x01\"", NULL },
    { "str utf8 kept", P("\x02\x01s\0\0\0\x02\xc3\xa9"), 0, "s=\"\xc3\xa9\"", NULL },
    { "data", P("\x03\x04" "blob\0\0\0\x03" "a\0b"), 0, "blob=<3 bytes>", NULL },
    { "data one", P("\x03\x01" "d\0\0\0\x01" "z"), 0, "d=<1 byte>", NULL },
    { "data empty", P("\x03\x01" "d\0\0\0\0"), 0, "d=<0 bytes>", NULL },
    { "fd", P("\x04\x01" "f"), 1, "f=<fd>", NULL },
    { "fds mixed", P("\x04\x01" "a\x01\x01n\0\0\0\0\0\0\0\x01\x04\x01" "b"), 2, "a=<fd>, n=1, b=<fd>", NULL },
    { "repeated", P("\x01\x01x\0\0\0\0\0\0\0\x01\x01\x01x\0\0\0\0\0\0\0\x02"), 0, "x=1, x=2", NULL },
    { "name 63",
      P("\x01\x3f" "abcdefghijklmnopqrstuvwxyz_0123456789abcdefghijklmnopqrstuvwxyz\0\0\0\0\0\0\0\x07"), 0,
      "abcdefghijklmnopqrstuvwxyz_0123456789abcdefghijklmnopqrstuvwxyz=7", NULL },
    /* malformed */
    { "header cut", P("\x01"), 0, NULL, "truncated attribute header at offset 0" },
    { "second header cut", P("\x01\x03pid\0\0\0\0\0\0\0\x2a\x02"), 0, NULL,
      "truncated attribute header at offset 13" },
    { "name len 0", P("\x01\x00"), 0, NULL, "invalid attribute name length 0 at offset 0" },
    { "name len 64",
      P("\x01\x40" "abcdefghijklmnopqrstuvwxyz_0123456789abcdefghijklmnopqrstuvwxyzz\0\0\0\0\0\0\0\x07"), 0,
      NULL, "invalid attribute name length 64 at offset 0" },
    { "name cut", P("\x01\x05" "ab"), 0, NULL, "truncated attribute name at offset 0" },
    { "name upper", P("\x01\x03" "Pid\0\0\0\0\0\0\0\x01"), 0, NULL, "invalid attribute name at offset 0" },
    { "name dash", P("\x01\x03" "p-d\0\0\0\0\0\0\0\x01"), 0, NULL, "invalid attribute name at offset 0" },
    { "name nul", P("\x01\x03" "p\0d\0\0\0\0\0\0\0\x01"), 0, NULL, "invalid attribute name at offset 0" },
    { "type 0", P("\x00\x01x"), 0, NULL, "unknown attribute type 0 at offset 0" },
    { "type 5", P("\x05\x01x"), 0, NULL, "unknown attribute type 5 at offset 0" },
    { "type 255 later", P("\x04\x01" "f\xff\x01x"), 1, NULL, "unknown attribute type 255 at offset 3" },
    { "int cut", P("\x01\x01x\0\0\0"), 0, NULL, "attribute \"x\": truncated integer" },
    { "len cut", P("\x02\x01s\0\0"), 0, NULL, "attribute \"s\": truncated value length" },
    { "value cut", P("\x02\x01s\0\0\0\x05" "abc"), 0, NULL, "attribute \"s\": value of 5 bytes but only 3 remain" },
    { "value huge", P("\x03\x01" "d\xff\xff\xff\xff"), 0, NULL,
      "attribute \"d\": value of 4294967295 bytes but only 0 remain" },
    { "str nul", P("\x02\x01s\0\0\0\x03" "a\0b"), 0, NULL, "attribute \"s\": string contains a NUL byte" },
    { "fd missing", P("\x04\x01" "f"), 0, NULL, "frame declares 1 descriptor but 0 arrived" },
    { "fd extra", P("\x01\x01x\0\0\0\0\0\0\0\x01"), 1, NULL, "frame declares 0 descriptors but 1 arrived" },
    { "fd short", P("\x04\x01" "a\x04\x01" "b"), 1, NULL, "frame declares 2 descriptors but 1 arrived" },
    { "bad after fds", P("\x04\x01" "a\x04\x01" "b\x02\x01s\0\0\0\x01\0"), 2, NULL,
      "attribute \"s\": string contains a NUL byte" },
};
/* clang-format on */

/* What a channel delivered. */
struct chan_result {
    int msgs;
    char *render;
    bool closed;
    char *reason;
};

/* fd_is_open - does descriptor fd exist? */
static bool fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* make_pipes - n pipes' read ends in fds (write ends closed) */
static void make_pipes(int *fds, size_t n)
{
    int p[2];
    size_t i;

    for (i = 0; i < n; i++) {
        if (pipe2(p, O_CLOEXEC) < 0)
            abort();
        close(p[1]);
        fds[i] = p[0];
    }
}

/* render_msg - the rendering of m as a new string */
static char *render_msg(const struct ipc_msg *m)
{
    struct buf *b = buf_create(64, 1 << 20);
    char *s;

    ipc_msg_render(m, b);
    s = xstrdup(buf_str(b));
    buf_destroy(&b);
    return s;
}

/* check_whole - decode the payload at once; check render or error, the
 * canonical re-encoding, and that descriptors are closed on errors */
static void check_whole(const char *name, const void *payload, size_t len, size_t nfds, const char *render,
                        const char *error)
{
    int fds[IPC_FD_MAX], out_fds[IPC_FD_MAX];
    struct ipc_msg *m = NULL;
    struct buf *frame;
    const char *got_error = NULL;
    size_t i, out_nfds;
    char *got;
    int r;

    make_pipes(fds, nfds);
    r = ipc_msg_decode(payload, len, fds, nfds, &m, &got_error);
    if (error != NULL) {
        if (!EXPECT_INT(r, -1))
            test_fail(__FILE__, __LINE__, "case %s decoded", name);
        EXPECT_STR(got_error, error);
        for (i = 0; i < nfds; i++)
            EXPECT_FALSE(fd_is_open(fds[i]));
        ipc_msg_destroy(&m);
        return;
    }
    if (!EXPECT_INT(r, 0)) {
        test_fail(__FILE__, __LINE__, "case %s: %s", name, got_error);
        return;
    }
    got = render_msg(m);
    EXPECT_STR(got, render);
    free(got);
    /* Encoding is canonical: the same bytes come back. */
    frame = buf_create(0, MAX_FRAME + IPC_HEADER_SIZE);
    EXPECT_INT(ipc_msg_encode(m, MAX_FRAME, frame, out_fds, &out_nfds, &got_error), 0);
    EXPECT_MEM(frame->data + IPC_HEADER_SIZE, frame->len - IPC_HEADER_SIZE, payload, len);
    EXPECT_INT(out_nfds, nfds);
    buf_destroy(&frame);
    ipc_msg_destroy(&m);
    for (i = 0; i < nfds; i++)
        EXPECT_FALSE(fd_is_open(fds[i]));
}

/* on_chan_msg - record a delivered message */
static void on_chan_msg(struct ipc_chan *chan, struct ipc_msg *msg, void *ctx)
{
    struct chan_result *res = ctx;

    (void)chan;
    res->msgs++;
    free(res->render);
    res->render = render_msg(msg);
    ipc_msg_destroy(&msg);
}

/* on_chan_close - record the end of the channel */
static void on_chan_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct chan_result *res = ctx;

    (void)chan;
    res->closed = true;
    res->reason = reason ? xstrdup(reason) : NULL;
}

/* pump - run the loop until the channel consumed what is in its socket */
static void pump(struct event_loop *loop, int fd, const struct chan_result *res)
{
    int avail, rounds = 0;

    while (!res->closed && ioctl(fd, FIONREAD, &avail) == 0 && avail > 0 && rounds++ < 100)
        event_loop_run_once(loop, 100);
}

/* send_trickle - write frame one byte at a time, descriptors with byte 0 */
static void send_trickle(struct event_loop *loop, int wfd, int rfd, const unsigned char *frame, size_t len,
                         const int *fds, size_t nfds, const struct chan_result *res)
{
    struct iovec iov;
    size_t i;

    for (i = 0; i < len; i++) {
        iov.iov_base = (void *)(frame + i);
        iov.iov_len = 1;
        if (fdpass_send(wfd, &iov, 1, i == 0 ? fds : NULL, i == 0 ? nfds : 0) != 1)
            abort();
        pump(loop, rfd, res);
    }
}

/* check_trickle - the same frame through a real channel, byte by byte */
static void check_trickle(const char *name, const void *payload, size_t len, size_t nfds, const char *render,
                          const char *error)
{
    struct chan_result res = { 0 };
    struct event_loop *loop = event_loop_create();
    struct ipc_chan *chan;
    unsigned char *frame = xmalloc(len + IPC_HEADER_SIZE);
    int sv[2], fds[IPC_FD_MAX];
    size_t i;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    frame[0] = (unsigned char)(len >> 24);
    frame[1] = (unsigned char)(len >> 16);
    frame[2] = (unsigned char)(len >> 8);
    frame[3] = (unsigned char)len;
    if (len > 0)
        memcpy(frame + IPC_HEADER_SIZE, payload, len);
    make_pipes(fds, nfds);
    chan = ipc_chan_create(loop, sv[1], MAX_FRAME, on_chan_msg, on_chan_close, &res);
    send_trickle(loop, sv[0], sv[1], frame, len + IPC_HEADER_SIZE, fds, nfds, &res);
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    /* A clean end of file after a good frame closes the channel with NULL. */
    close(sv[0]);
    for (i = 0; i < 50 && !res.closed; i++)
        event_loop_run_once(loop, 100);
    if (error != NULL) {
        if (!EXPECT_INT(res.msgs, 0))
            test_fail(__FILE__, __LINE__, "case %s: channel delivered a message", name);
        EXPECT_STR(res.reason, error);
    } else {
        if (!EXPECT_INT(res.msgs, 1))
            test_fail(__FILE__, __LINE__, "case %s: channel: %s", name, res.reason);
        EXPECT_STR(res.render, render);
        EXPECT_STR(res.reason, NULL);
    }
    ipc_chan_destroy(&chan);
    event_loop_destroy(&loop);
    free(res.render);
    free(res.reason);
    free(frame);
}

/* check_decode - both ways: whole and byte by byte */
static void check_decode(const char *name, const void *payload, size_t len, size_t nfds, const char *render,
                         const char *error)
{
    check_whole(name, payload, len, nfds, render, error);
    check_trickle(name, payload, len, nfds, render, error);
}

/* test_decode_table - every decode case, whole and byte by byte */
static void test_decode_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
        const struct decode_case *c = &decode_cases[i];

        check_decode(c->name, c->payload, c->len, c->nfds, c->render, c->error);
    }
}

/* int_attrs - a payload of n INT attributes named "a" */
static unsigned char *int_attrs(size_t n, size_t *len_r)
{
    static const unsigned char one[] = { 1, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 9 };
    unsigned char *p = xmalloc(n * sizeof(one));
    size_t i;

    for (i = 0; i < n; i++)
        memcpy(p + i * sizeof(one), one, sizeof(one));
    *len_r = n * sizeof(one);
    return p;
}

/* test_decode_attr_limit - IPC_ATTR_MAX attributes decode, one more does not */
static void test_decode_attr_limit(void)
{
    struct ipc_msg *m;
    const char *error;
    unsigned char *p;
    size_t len;

    p = int_attrs(IPC_ATTR_MAX, &len);
    EXPECT_INT(ipc_msg_decode(p, len, NULL, 0, &m, &error), 0);
    EXPECT_INT(ipc_msg_count(m), IPC_ATTR_MAX);
    ipc_msg_destroy(&m);
    free(p);
    p = int_attrs(IPC_ATTR_MAX + 1, &len);
    check_decode("attrs 4097", p, len, 0, NULL, "more than 4096 attributes");
    free(p);
}

/* build_all - a message with every type and edge values */
static struct ipc_msg *build_all(int fd)
{
    struct ipc_msg *m = ipc_msg_create();

    ipc_msg_add_int(m, "zero", 0);
    ipc_msg_add_int(m, "min", INT64_MIN);
    ipc_msg_add_int(m, "max", INT64_MAX);
    ipc_msg_add_str(m, "empty", "");
    ipc_msg_add_str(m, "text", "tab\there \"q\" back\\slash");
    ipc_msg_add_data(m, "bin", "\0\x01\xff", 3);
    ipc_msg_add_data(m, "nothing", "", 0);
    ipc_msg_add_fd(m, "file", fd);
    return m;
}

/* test_round_trip_all_types - every type and edge value survives encode and decode */
static void test_round_trip_all_types(void)
{
    static const char want[] = "zero=0, min=-9223372036854775808, max=9223372036854775807, empty=\"\", "
                               "text=\"tab\\x09here \\\"q\\\" back\\\\slash\", bin=<3 bytes>, "
                               "nothing=<0 bytes>, file=<fd>";
    int fds[IPC_FD_MAX], pipefd;
    struct ipc_msg *m, *back;
    struct buf *frame = buf_create(0, 4096);
    const char *error, *s;
    const void *p;
    size_t nfds, len;
    int64_t v;
    char *r;

    make_pipes(&pipefd, 1);
    m = build_all(pipefd);
    r = render_msg(m);
    EXPECT_STR(r, want);
    free(r);
    EXPECT_INT(ipc_msg_encode(m, 4096, frame, fds, &nfds, &error), 0);
    EXPECT_INT(nfds, 1);
    EXPECT_INT(fds[0], pipefd);
    ipc_msg_destroy(&m);
    EXPECT_TRUE(fd_is_open(pipefd)); /* a sender's descriptor stays its own */
    /* the receiver gets a descriptor of its own */
    fds[0] = dup(pipefd);
    EXPECT_INT(ipc_frame_length((unsigned char *)frame->data, 4096, &len, &error), 0);
    EXPECT_INT(len, frame->len - IPC_HEADER_SIZE);
    EXPECT_INT(ipc_msg_decode(frame->data + IPC_HEADER_SIZE, len, fds, 1, &back, &error), 0);
    r = render_msg(back);
    EXPECT_STR(r, want);
    free(r);
    EXPECT_INT(ipc_msg_get_int(back, "min", &v, &error), 0);
    EXPECT_INT(v, INT64_MIN);
    EXPECT_INT(ipc_msg_get_str(back, "text", &s, &error), 0);
    EXPECT_STR(s, "tab\there \"q\" back\\slash");
    EXPECT_INT(ipc_msg_get_data(back, "bin", &p, &len, &error), 0);
    EXPECT_MEM(p, len, "\0\x01\xff", 3);
    EXPECT_INT(ipc_msg_get_data(back, "nothing", &p, &len, &error), 0);
    EXPECT_INT(len, 0);
    EXPECT_INT(ipc_msg_count(back), 8);
    EXPECT_STR(ipc_msg_attr(back, 7)->name, "file");
    EXPECT_INT(ipc_msg_attr(back, 7)->type, IPC_FD);
    ipc_msg_destroy(&back);
    EXPECT_FALSE(fd_is_open(fds[0])); /* received and not taken: closed */
    close(pipefd);
    buf_destroy(&frame);
}

/* test_encode_bytes - the exact wire bytes of a small message */
static void test_encode_bytes(void)
{
    struct ipc_msg *m = ipc_msg_create();
    struct buf *frame = buf_create(0, 100);
    const char *error;
    size_t nfds;

    ipc_msg_add_int(m, "pid", 258);
    ipc_msg_add_str(m, "s", "ab");
    EXPECT_INT(ipc_msg_encode(m, 100, frame, NULL, &nfds, &error), 0);
    EXPECT_MEM(frame->data, frame->len, "\0\0\0\x16\x01\x03pid\0\0\0\0\0\0\x01\x02\x02\x01s\0\0\0\2ab", 26);
    EXPECT_INT(nfds, 0);
    ipc_msg_destroy(&m);
    buf_destroy(&frame);
}

/* test_encode_limits - frame maximum, descriptor and attribute counts, full output */
static void test_encode_limits(void)
{
    struct ipc_msg *m = ipc_msg_create();
    struct buf *frame = buf_create(0, 1 << 20);
    int fds[IPC_FD_MAX], i;
    const char *error;
    size_t nfds;
    char big[200];

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ipc_msg_add_str(m, "s", big);
    /* 2 + 1 + 4 + 199 = 206 payload bytes */
    EXPECT_INT(ipc_msg_encode(m, 205, frame, fds, &nfds, &error), -1);
    EXPECT_STR(error, "frame of 206 bytes exceeds the maximum of 205");
    EXPECT_INT(frame->len, 0);
    EXPECT_INT(ipc_msg_encode(m, 206, frame, fds, &nfds, &error), 0);
    EXPECT_INT(frame->len, 210);
    ipc_msg_destroy(&m);

    m = ipc_msg_create();
    for (i = 0; i <= IPC_FD_MAX; i++)
        ipc_msg_add_fd(m, "fd", 0);
    EXPECT_INT(ipc_msg_encode(m, 1 << 20, frame, fds, &nfds, &error), -1);
    EXPECT_STR(error, "message has more than 8 descriptors");
    ipc_msg_destroy(&m);

    m = ipc_msg_create();
    for (i = 0; i <= IPC_ATTR_MAX; i++)
        ipc_msg_add_int(m, "n", i);
    EXPECT_INT(ipc_msg_encode(m, 1 << 20, frame, fds, &nfds, &error), -1);
    EXPECT_STR(error, "message has 4097 attributes, more than 4096");
    ipc_msg_destroy(&m);

    /* an output buffer too small for the frame leaves it unchanged */
    buf_destroy(&frame);
    frame = buf_create(0, 8);
    m = ipc_msg_create();
    ipc_msg_add_int(m, "n", 1);
    EXPECT_INT(ipc_msg_encode(m, 1 << 20, frame, fds, &nfds, &error), -1);
    EXPECT_STR(error, "frame of 11 bytes does not fit the output buffer");
    EXPECT_INT(frame->len, 0);
    ipc_msg_destroy(&m);
    buf_destroy(&frame);
}

/* test_frame_length - the header check against the frame maximum */
static void test_frame_length(void)
{
    static const unsigned char h2m[] = { 0x00, 0x1e, 0x84, 0x80 }; /* 2000000 */
    static const unsigned char hmax[] = { 0xff, 0xff, 0xff, 0xff };
    const char *error;
    size_t len;

    EXPECT_INT(ipc_frame_length(h2m, 2000000, &len, &error), 0);
    EXPECT_INT(len, 2000000);
    EXPECT_INT(ipc_frame_length(h2m, 1048576, &len, &error), -1);
    EXPECT_STR(error, "frame of 2000000 bytes exceeds the maximum of 1048576");
    EXPECT_INT(ipc_frame_length(hmax, 1048576, &len, &error), -1);
    EXPECT_STR(error, "frame of 4294967295 bytes exceeds the maximum of 1048576");
}

/* Getter cases: which getter on which attribute gives what error. */
struct getter_case {
    char getter; /* 'i', 's', 'd', 'f' */
    const char *name;
    const char *error; /* NULL: succeeds */
};

static const struct getter_case getter_cases[] = {
    { 'i', "pid", NULL },
    { 'i', "nope", "missing attribute \"nope\"" },
    { 's', "nope", "missing attribute \"nope\"" },
    { 'd', "nope", "missing attribute \"nope\"" },
    { 'f', "nope", "missing attribute \"nope\"" },
    { 'i', "name", "attribute \"name\" is a string, expected an integer" },
    { 's', "pid", "attribute \"pid\" is an integer, expected a string" },
    { 'd', "name", "attribute \"name\" is a string, expected data" },
    { 's', "blob", "attribute \"blob\" is data, expected a string" },
    { 'f', "pid", "attribute \"pid\" is an integer, expected a descriptor" },
    { 'i', "fd", "attribute \"fd\" is a descriptor, expected an integer" },
    { 's', "name", NULL },
    { 'd', "blob", NULL },
    { 'i', "dup", NULL }, /* the first of repeated names */
};

/* run_getter - call the getter a case names */
static int run_getter(struct ipc_msg *m, const struct getter_case *c, const char **error_r)
{
    const void *p;
    const char *s;
    int64_t v;
    size_t len;
    int fd;

    switch (c->getter) {
    case 'i':
        return ipc_msg_get_int(m, c->name, &v, error_r);
    case 's':
        return ipc_msg_get_str(m, c->name, &s, error_r);
    case 'd':
        return ipc_msg_get_data(m, c->name, &p, &len, error_r);
    default:
        return ipc_msg_take_fd(m, c->name, 0, &fd, error_r);
    }
}

/* test_getters - getters: values, missing and mistyped attributes */
static void test_getters(void)
{
    struct ipc_msg *m = ipc_msg_create();
    const char *error;
    int64_t v;
    size_t i;

    ipc_msg_add_int(m, "pid", 42);
    ipc_msg_add_str(m, "name", "x");
    ipc_msg_add_data(m, "blob", "y", 1);
    ipc_msg_add_fd(m, "fd", 0);
    ipc_msg_add_int(m, "dup", 1);
    ipc_msg_add_int(m, "dup", 2);
    for (i = 0; i < sizeof(getter_cases) / sizeof(getter_cases[0]); i++) {
        const struct getter_case *c = &getter_cases[i];

        error = NULL;
        EXPECT_INT(run_getter(m, c, &error), c->error ? -1 : 0);
        EXPECT_STR(error, c->error);
    }
    EXPECT_INT(ipc_msg_get_int(m, "dup", &v, &error), 0);
    EXPECT_INT(v, 1);
    EXPECT_TRUE(ipc_msg_has(m, "blob"));
    EXPECT_FALSE(ipc_msg_has(m, "blo"));
    ipc_msg_destroy(&m);
}

/* test_take_fd - taking descriptors: type check, lists, ownership */
static void test_take_fd(void)
{
    const char *path = test_write_file("take.txt", "hello");
    struct ipc_msg *m;
    const char *error;
    int fds[3], fd;
    struct stat st;

    fds[0] = open(path, O_RDONLY | O_CLOEXEC);
    make_pipes(fds + 1, 2);
    EXPECT_INT(ipc_msg_decode(P("\4\1f\4\1p\4\1p"), fds, 3, &m, &error), 0);
    EXPECT_INT(ipc_msg_take_fd(m, "f", S_IFIFO, &fd, &error), -1);
    EXPECT_STR(error, "descriptor \"f\" is a regular file, expected a pipe");
    EXPECT_INT(ipc_msg_take_fd(m, "f", S_IFREG, &fd, &error), 0);
    EXPECT_INT(fd, fds[0]);
    EXPECT_INT(fstat(fd, &st), 0);
    EXPECT_INT(st.st_size, 5);
    EXPECT_INT(ipc_msg_take_fd(m, "f", S_IFREG, &fd, &error), -1);
    EXPECT_STR(error, "descriptor \"f\" was already taken");
    /* repeated names are a list, taken in order */
    EXPECT_INT(ipc_msg_take_fd(m, "p", S_IFREG, &fd, &error), -1);
    EXPECT_STR(error, "descriptor \"p\" is a pipe, expected a regular file");
    EXPECT_INT(ipc_msg_take_fd(m, "p", S_IFIFO, &fd, &error), 0);
    EXPECT_INT(fd, fds[1]);
    EXPECT_INT(ipc_msg_take_fd(m, "p", 0, &fd, &error), 0);
    EXPECT_INT(fd, fds[2]);
    EXPECT_INT(ipc_msg_take_fd(m, "p", 0, &fd, &error), -1);
    EXPECT_STR(error, "descriptor \"p\" was already taken");
    ipc_msg_destroy(&m);
    /* taken descriptors belong to the caller: still open */
    EXPECT_TRUE(fd_is_open(fds[0]) && fd_is_open(fds[1]) && fd_is_open(fds[2]));
    close(fds[0]);
    close(fds[1]);
    close(fds[2]);
}

/* Hello cases: what the server announces, what the client wants. */
struct hello_case {
    const char *protocol;
    int64_t version;
    const char *want_protocol;
    int64_t min_version;
    const char *error;
};

static const struct hello_case hello_cases[] = {
    { "master-control", 1, "master-control", 1, NULL },
    { "master-control", 3, "master-control", 2, NULL },
    { "master-control", 1, "master-control", 2,
      "peer speaks protocol \"master-control\" version 1, need at least version 2" },
    { "anvil", 1, "master-control", 1, "peer speaks protocol \"anvil\", expected \"master-control\"" },
};

/* test_hello - hello creation and the protocol and version checks */
static void test_hello(void)
{
    struct ipc_msg *m;
    const char *error;
    char *r;
    size_t i;

    for (i = 0; i < sizeof(hello_cases) / sizeof(hello_cases[0]); i++) {
        const struct hello_case *c = &hello_cases[i];

        error = NULL;
        m = ipc_hello_create(c->protocol, c->version);
        EXPECT_INT(ipc_hello_check(m, c->want_protocol, c->min_version, &error), c->error ? -1 : 0);
        EXPECT_STR(error, c->error);
        ipc_msg_destroy(&m);
    }
    m = ipc_hello_create("anvil", 7);
    r = render_msg(m);
    EXPECT_STR(r, "protocol=\"anvil\", version=7");
    free(r);
    ipc_msg_destroy(&m);
    m = ipc_msg_create();
    ipc_msg_add_str(m, "protocol", "anvil");
    ipc_msg_add_str(m, "version", "1");
    EXPECT_INT(ipc_hello_check(m, "anvil", 1, &error), -1);
    EXPECT_STR(error, "invalid hello: attribute \"version\" is a string, expected an integer");
    ipc_msg_destroy(&m);
    m = ipc_msg_create();
    EXPECT_INT(ipc_hello_check(m, "anvil", 1, &error), -1);
    EXPECT_STR(error, "invalid hello: missing attribute \"protocol\"");
    ipc_msg_destroy(&m);
}

/* test_render_limit - a rendering cut at the buffer maximum keeps whole attributes */
static void test_render_limit(void)
{
    struct ipc_msg *m = ipc_msg_create();
    struct buf *b = buf_create(0, 12);

    ipc_msg_add_int(m, "a", 1);
    ipc_msg_add_str(m, "long", "abcdefghij");
    /* at the buffer maximum the rendering keeps the whole attributes */
    ipc_msg_render(m, b);
    EXPECT_STR(buf_str(b), "a=1");
    ipc_msg_destroy(&m);
    buf_destroy(&b);
}

/* main - run the ipc message tests */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_decode_table),
        TEST_CASE(test_decode_attr_limit),
        TEST_CASE(test_round_trip_all_types),
        TEST_CASE(test_encode_bytes),
        TEST_CASE(test_encode_limits),
        TEST_CASE(test_frame_length),
        TEST_CASE(test_getters),
        TEST_CASE(test_take_fd),
        TEST_CASE(test_hello),
        TEST_CASE(test_render_limit),
        TEST_END,
    });
}
