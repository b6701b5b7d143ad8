/* SPDX-License-Identifier: MIT
 * ipc_chan - ipc frames over a UNIX stream socket, blocking with deadlines
 * or non-blocking on the event loop, with descriptor passing.
 *
 * Both sides read exactly one frame at a time: the 4-byte header, then
 * exactly the payload it announces, never bytes of the next frame. The
 * sender attaches a frame's descriptors to the sendmsg() that carries the
 * frame's first byte, and the kernel never merges bytes with different
 * descriptors into one read, so descriptors always arrive with the frame
 * that declares them. Whatever read carries them, they are collected for
 * the frame being read; more than IPC_FD_MAX is an error.
 *
 * Owns: a channel owns its socket, the descriptors received for the frame
 * in progress, and duplicates of the descriptors of queued frames (closed
 * once sent). Limits: the frame maximum on both directions, checked as
 * soon as a header arrives; the output queue of a channel holds at most
 * IPC_CHAN_QUEUE_FRAMES maximal frames.
 *
 * See also: ipc.c (payload format), fdpass.c (SCM_RIGHTS), event.h.
 */
#include "util/ipc_chan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/event.h"
#include "util/fdpass.h"
#include "util/ipc.h"
#include "util/msg.h"

/* Output queue limit, in maximal frames. */
#define IPC_CHAN_QUEUE_FRAMES 16
/* Reads per readiness event before yielding to other channels. */
#define IPC_CHAN_READ_BURST 128
/* Frames gathered into one sendmsg. */
#define IPC_CHAN_IOV_MAX 64
/* The largest hello a client accepts. */
#define IPC_HELLO_MAX 4096
/* Retry interval while a listener's backlog is full. */
#define IPC_CONNECT_RETRY_MS 10

/* A deadline for the blocking calls: end < 0 waits forever. */
struct ipc_deadline {
    int64_t end;
    int timeout_ms;
};

/* Descriptors received for one frame. */
struct ipc_fds {
    int fd[IPC_FD_MAX];
    size_t n;
};

/* ipc_fds_close - close and forget collected descriptors */
static void ipc_fds_close(struct ipc_fds *f)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        close(f->fd[i]);
    f->n = 0;
}

/* ipc_now_ms - the monotonic clock in milliseconds */
static int64_t ipc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ipc_deadline_init - a deadline timeout_ms from now (-1: none) */
static void ipc_deadline_init(struct ipc_deadline *dl, int timeout_ms)
{
    dl->timeout_ms = timeout_ms;
    dl->end = timeout_ms < 0 ? -1 : ipc_now_ms() + timeout_ms;
}

/* ipc_wait - poll fd for events until the deadline */
static int ipc_wait(int fd, short events, const struct ipc_deadline *dl, const char *what,
                    const char **error_r)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int64_t left;
    int n;

    for (;;) {
        left = -1;
        if (dl->end >= 0 && (left = dl->end - ipc_now_ms()) < 0)
            left = 0;
        n = poll(&pfd, 1, (int)left);
        if (n > 0 && (pfd.revents & POLLNVAL))
            return errf(error_r, "%s: invalid descriptor %d", what, fd);
        if (n > 0)
            return 0;
        if (n == 0)
            return errf(error_r, "timed out after %d ms %s", dl->timeout_ms, what);
        if (errno != EINTR)
            return errf(error_r, "%s: poll: %s", what, strerror(errno));
    }
}

/* ipc_send_frame - write a whole frame, descriptors with its first byte */
static int ipc_send_frame(int fd, const unsigned char *p, size_t len, const int *fds, size_t nfds,
                          const struct ipc_deadline *dl, const char **error_r)
{
    size_t off = 0;
    struct iovec iov;
    ssize_t n;

    while (off < len) {
        if (ipc_wait(fd, POLLOUT, dl, "sending a message", error_r) < 0)
            return -1;
        iov.iov_base = (void *)(p + off);
        iov.iov_len = len - off;
        n = fdpass_send(fd, &iov, 1, off == 0 ? fds : NULL, off == 0 ? nfds : 0);
        if (n < 0 && errno != EAGAIN)
            return errf(error_r, "send: %s", strerror(errno));
        if (n > 0)
            off += (size_t)n;
    }
    return 0;
}

/* ipc_send_dl - encode and send one message within a deadline */
static int ipc_send_dl(int fd, const struct ipc_msg *m, size_t max_frame, const struct ipc_deadline *dl,
                       const char **error_r)
{
    struct buf frame;
    int fds[IPC_FD_MAX];
    size_t nfds, max;
    int r;

    if (!size_add_ok(max_frame, IPC_HEADER_SIZE, &max))
        max = SIZE_MAX;
    buf_init(&frame, 0, max);
    r = ipc_msg_encode(m, max_frame, &frame, fds, &nfds, error_r);
    if (r == 0)
        r = ipc_send_frame(fd, (const unsigned char *)frame.data, frame.len, fds, nfds, dl, error_r);
    buf_deinit(&frame);
    return r;
}

/* ipc_send - write one message, waiting at most timeout_ms */
int ipc_send(int fd, const struct ipc_msg *m, size_t max_frame, int timeout_ms, const char **error_r)
{
    struct ipc_deadline dl;

    ipc_deadline_init(&dl, timeout_ms);
    return ipc_send_dl(fd, m, max_frame, &dl, error_r);
}

/* ipc_recv_error - the error for a failed fdpass_recv */
static int ipc_recv_error(const char **error_r)
{
    if (errno == EMSGSIZE)
        return errf(error_r, "peer passed more than %d descriptors with one frame", IPC_FD_MAX);
    if (errno == EBADMSG)
        return errf(error_r, "descriptors passed by the peer were truncated (MSG_CTRUNC)");
    return errf(error_r, "receive: %s", strerror(errno));
}

/* ipc_recv_exact - read exactly len bytes, collecting descriptors; *got_r
 * counts the bytes read and *eof_r tells an end of file from other errors */
static int ipc_recv_exact(int fd, unsigned char *p, size_t len, struct ipc_fds *fds, size_t *got_r,
                          bool *eof_r, const struct ipc_deadline *dl, const char **error_r)
{
    size_t nfds;
    ssize_t n;

    *got_r = 0;
    *eof_r = false;
    while (*got_r < len) {
        if (ipc_wait(fd, POLLIN, dl, "receiving a message", error_r) < 0)
            return -1;
        n = fdpass_recv(fd, p + *got_r, len - *got_r, fds->fd + fds->n, IPC_FD_MAX - fds->n, &nfds);
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n < 0)
            return ipc_recv_error(error_r);
        fds->n += nfds;
        if (n == 0) {
            *eof_r = true;
            return errf(error_r, "connection closed");
        }
        *got_r += (size_t)n;
    }
    return 0;
}

/* ipc_recv_dl - read and decode one frame within a deadline */
static int ipc_recv_dl(int fd, size_t max_frame, const struct ipc_deadline *dl, struct ipc_msg **m_r,
                       const char **error_r)
{
    unsigned char header[IPC_HEADER_SIZE], *payload = NULL;
    struct ipc_fds fds = { .n = 0 };
    size_t len, got;
    bool eof;
    int r = -1;

    if (ipc_recv_exact(fd, header, sizeof(header), &fds, &got, &eof, dl, error_r) < 0) {
        if (eof && got > 0)
            errf(error_r, "connection closed mid-frame (%zu of %d header bytes)", got, IPC_HEADER_SIZE);
        goto out;
    }
    if (ipc_frame_length(header, max_frame, &len, error_r) < 0)
        goto out;
    payload = xmalloc(len);
    if (ipc_recv_exact(fd, payload, len, &fds, &got, &eof, dl, error_r) < 0) {
        if (eof)
            errf(error_r, "connection closed mid-frame (%zu of %zu payload bytes)", got, len);
        goto out;
    }
    r = ipc_msg_decode(payload, len, fds.fd, fds.n, m_r, error_r);
    fds.n = 0; /* now owned (or closed) by the decoder */
out:
    ipc_fds_close(&fds);
    xfree(payload);
    return r;
}

/* ipc_recv - read one message, waiting at most timeout_ms */
int ipc_recv(int fd, size_t max_frame, int timeout_ms, struct ipc_msg **m_r, const char **error_r)
{
    struct ipc_deadline dl;

    ipc_deadline_init(&dl, timeout_ms);
    return ipc_recv_dl(fd, max_frame, &dl, m_r, error_r);
}

/* ipc_call - send a request, then read its reply, all within timeout_ms */
int ipc_call(int fd, const struct ipc_msg *req, size_t max_frame, int timeout_ms, struct ipc_msg **reply_r,
             const char **error_r)
{
    struct ipc_deadline dl;

    ipc_deadline_init(&dl, timeout_ms);
    if (ipc_send_dl(fd, req, max_frame, &dl, error_r) < 0)
        return -1;
    return ipc_recv_dl(fd, max_frame, &dl, reply_r, error_r);
}

/* ipc_connect_socket - connect within the deadline; a full backlog is
 * retried (a non-blocking UNIX connect fails with EAGAIN then) */
static int ipc_connect_socket(int fd, const struct sockaddr_un *sun, const struct ipc_deadline *dl,
                              const char **error_r)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return errf(error_r, "fcntl: %s", strerror(errno));
    for (;;) {
        if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
            break;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return errf(error_r, "connect to %s: %s", sun->sun_path, strerror(errno));
        if (dl->end >= 0 && ipc_now_ms() >= dl->end)
            return errf(error_r, "connect to %s: timed out after %d ms (listen queue full)", sun->sun_path,
                        dl->timeout_ms);
        poll(NULL, 0, IPC_CONNECT_RETRY_MS);
    }
    if (fcntl(fd, F_SETFL, flags) < 0)
        return errf(error_r, "fcntl: %s", strerror(errno));
    return 0;
}

/* ipc_connect - connect to a UNIX socket and check the server's hello */
int ipc_connect(const char *path, const char *protocol, int64_t min_version, int timeout_ms, int *fd_r,
                const char **error_r)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct ipc_deadline dl;
    struct ipc_msg *hello = NULL;
    const char *error;
    int fd, r;

    if (strlen(path) >= sizeof(sun.sun_path))
        return errf(error_r, "socket path too long: %s", path);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    ipc_deadline_init(&dl, timeout_ms);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return errf(error_r, "socket: %s", strerror(errno));
    r = ipc_connect_socket(fd, &sun, &dl, error_r);
    if (r == 0 && (r = ipc_recv_dl(fd, IPC_HELLO_MAX, &dl, &hello, &error)) < 0)
        errf(error_r, "%s: reading hello: %s", path, error);
    if (r == 0 && (r = ipc_hello_check(hello, protocol, min_version, &error)) < 0)
        errf(error_r, "%s: %s", path, error);
    ipc_msg_destroy(&hello);
    if (r < 0) {
        close(fd);
        return -1;
    }
    *fd_r = fd;
    return 0;
}

/* ipc_connect_nonblock - see ipc_chan.h */
int ipc_connect_nonblock(const char *path, int *fd_r, const char **error_r)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path))
        return errf(error_r, "socket path too long: %s", path);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
        return errf(error_r, "socket: %s", strerror(errno));
    if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
        errf(error_r, "connect to %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *fd_r = fd;
    return 0;
}

/* One queued frame; its descriptors are duplicates, closed once sent. */
struct ipc_out {
    struct ipc_out *next;
    struct buf frame;
    size_t off; /* bytes already written */
    int fds[IPC_FD_MAX];
    size_t nfds;
};

struct ipc_chan {
    struct event_loop *loop;
    struct event_io *io; /* NULL once the channel has closed */
    int fd;
    size_t max_frame;
    ipc_chan_msg_fn *on_msg;
    ipc_chan_close_fn *on_close;
    void *ctx;
    bool busy; /* inside the io callback */
    bool dead; /* destroyed while busy: free on return */

    /* input: the frame being read */
    unsigned char header[IPC_HEADER_SIZE];
    size_t header_got;
    unsigned char *payload; /* allocated once the header is complete */
    size_t payload_len, payload_got;
    struct ipc_fds in_fds;

    /* output */
    struct ipc_out *out_head, **out_tail;
    size_t pending, pending_max;
};

/* ipc_out_free - free a queued frame, closing its unsent descriptors */
static void ipc_out_free(struct ipc_out *o)
{
    size_t i;

    for (i = 0; i < o->nfds; i++)
        close(o->fds[i]);
    buf_deinit(&o->frame);
    free(o);
}

/* ipc_chan_io_cb - forward declaration for create */
static void ipc_chan_io_cb(struct event_io *io, int fd, unsigned events, void *ctx);

/* ipc_chan_create - take ownership of a connected stream socket */
struct ipc_chan *ipc_chan_create(struct event_loop *loop, int fd, size_t max_frame, ipc_chan_msg_fn *on_msg,
                                 ipc_chan_close_fn *on_close, void *ctx)
{
    struct ipc_chan *chan = xcalloc(1, sizeof(*chan));

    if (max_frame > UINT32_MAX)
        max_frame = UINT32_MAX;
    chan->loop = loop;
    chan->fd = fd;
    chan->max_frame = max_frame;
    chan->on_msg = on_msg;
    chan->on_close = on_close;
    chan->ctx = ctx;
    chan->out_tail = &chan->out_head;
    if (!size_mul_ok(max_frame + IPC_HEADER_SIZE, IPC_CHAN_QUEUE_FRAMES, &chan->pending_max))
        chan->pending_max = SIZE_MAX;
    chan->io = event_io_add(loop, fd, EVENT_READ, ipc_chan_io_cb, chan);
    return chan;
}

/* ipc_chan_reset_input - forget the frame being read */
static void ipc_chan_reset_input(struct ipc_chan *chan)
{
    ipc_fds_close(&chan->in_fds);
    xfree(chan->payload);
    chan->header_got = chan->payload_len = chan->payload_got = 0;
}

/* ipc_chan_destroy - close the socket and free; safe inside callbacks */
void ipc_chan_destroy(struct ipc_chan **chan_r)
{
    struct ipc_chan *chan = *chan_r;
    struct ipc_out *o;

    if (chan == NULL)
        return;
    *chan_r = NULL;
    event_io_remove(&chan->io);
    close(chan->fd);
    chan->fd = -1;
    ipc_chan_reset_input(chan);
    while ((o = chan->out_head) != NULL) {
        chan->out_head = o->next;
        ipc_out_free(o);
    }
    /* Inside a callback the io callback still holds chan: it frees it. */
    if (chan->busy)
        chan->dead = true;
    else
        free(chan);
}

/* ipc_chan_fail - stop all I/O and report why (NULL: clean end of file) */
static void ipc_chan_fail(struct ipc_chan *chan, const char *reason)
{
    event_io_remove(&chan->io);
    ipc_chan_reset_input(chan);
    chan->on_close(chan, reason, chan->ctx);
}

/* ipc_chan_dup_fds - duplicate the descriptors of a frame being queued */
static int ipc_chan_dup_fds(struct ipc_out *o, const int *fds, size_t nfds, const char **error_r)
{
    for (o->nfds = 0; o->nfds < nfds; o->nfds++) {
        o->fds[o->nfds] = fcntl(fds[o->nfds], F_DUPFD_CLOEXEC, 0);
        if (o->fds[o->nfds] < 0)
            return errf(error_r, "dup: %s", strerror(errno));
    }
    return 0;
}

/* ipc_chan_send - encode and queue a message */
int ipc_chan_send(struct ipc_chan *chan, const struct ipc_msg *m, const char **error_r)
{
    struct ipc_out *o;
    int fds[IPC_FD_MAX];
    size_t nfds;

    if (chan->io == NULL)
        return errf(error_r, "channel is closed");
    o = xcalloc(1, sizeof(*o));
    buf_init(&o->frame, 0, chan->max_frame + IPC_HEADER_SIZE);
    if (ipc_msg_encode(m, chan->max_frame, &o->frame, fds, &nfds, error_r) < 0
        || ipc_chan_dup_fds(o, fds, nfds, error_r) < 0) {
        ipc_out_free(o);
        return -1;
    }
    if (o->frame.len > chan->pending_max - chan->pending) {
        errf(error_r, "output queue full (%zu bytes pending, limit %zu)", chan->pending, chan->pending_max);
        ipc_out_free(o);
        return -1;
    }
    chan->pending += o->frame.len;
    *chan->out_tail = o;
    chan->out_tail = &o->next;
    event_io_set(chan->io, EVENT_READ | EVENT_WRITE);
    return 0;
}

/* ipc_chan_pending - bytes queued but not yet written */
size_t ipc_chan_pending(const struct ipc_chan *chan)
{
    return chan->pending;
}

/* ipc_chan_fd - the channel's socket */
int ipc_chan_fd(const struct ipc_chan *chan)
{
    return chan->fd;
}

/* ipc_chan_gather - iovecs from the queue head; a later frame with
 * descriptors starts its own sendmsg so they travel with its first byte */
static int ipc_chan_gather(struct ipc_chan *chan, struct iovec *iov, const int **fds_r, size_t *nfds_r)
{
    struct ipc_out *o = chan->out_head;
    int n = 0;

    *fds_r = o->off == 0 ? o->fds : NULL;
    *nfds_r = o->off == 0 ? o->nfds : 0;
    for (; o != NULL && n < IPC_CHAN_IOV_MAX; o = o->next) {
        if (n > 0 && o->nfds > 0)
            break;
        iov[n].iov_base = o->frame.data + o->off;
        iov[n].iov_len = o->frame.len - o->off;
        n++;
    }
    return n;
}

/* ipc_chan_consume - account for n bytes written, freeing sent frames */
static void ipc_chan_consume(struct ipc_chan *chan, size_t n)
{
    struct ipc_out *o;
    size_t i, step;

    if (n == 0)
        return;
    chan->pending -= n;
    /* The head's descriptors went with the first byte written. */
    for (i = 0, o = chan->out_head; i < o->nfds; i++)
        close(o->fds[i]);
    o->nfds = 0;
    while (n > 0) {
        o = chan->out_head;
        step = o->frame.len - o->off < n ? o->frame.len - o->off : n;
        o->off += step;
        n -= step;
        if (o->off == o->frame.len) {
            chan->out_head = o->next;
            if (chan->out_head == NULL)
                chan->out_tail = &chan->out_head;
            ipc_out_free(o);
        }
    }
}

/* ipc_chan_flush - write queued frames until the socket is full */
static int ipc_chan_flush(struct ipc_chan *chan, const char **error_r)
{
    struct iovec iov[IPC_CHAN_IOV_MAX];
    const int *fds;
    size_t nfds;
    ssize_t n;
    int iovcnt;

    while (chan->out_head != NULL) {
        iovcnt = ipc_chan_gather(chan, iov, &fds, &nfds);
        n = fdpass_send(chan->fd, iov, iovcnt, fds, nfds);
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n < 0)
            return errf(error_r, "send: %s", strerror(errno));
        ipc_chan_consume(chan, (size_t)n);
    }
    event_io_set(chan->io, EVENT_READ);
    return 0;
}

/* ipc_chan_eof_reason - NULL between frames, else what was cut off */
static const char *ipc_chan_eof_reason(const struct ipc_chan *chan)
{
    if (chan->header_got == 0)
        return NULL;
    if (chan->header_got < IPC_HEADER_SIZE)
        return err_fmt("connection closed mid-frame (%zu of %d header bytes)", chan->header_got,
                       IPC_HEADER_SIZE);
    return err_fmt("connection closed mid-frame (%zu of %zu payload bytes)", chan->payload_got,
                   chan->payload_len);
}

/* Results of one read step. */
enum ipc_step {
    IPC_STEP_ERROR = -1, /* end of file or error: reason set */
    IPC_STEP_WAIT,       /* nothing to read now */
    IPC_STEP_PARTIAL,    /* bytes read, frame not complete yet */
    IPC_STEP_FRAME,      /* the frame is complete */
};

/* ipc_chan_read_step - one read toward the end of the current frame, never
 * past it (*reason_r is NULL for a clean end of file between frames) */
static enum ipc_step ipc_chan_read_step(struct ipc_chan *chan, const char **reason_r)
{
    unsigned char *dst;
    size_t want, nfds;
    ssize_t n;

    if (chan->header_got < IPC_HEADER_SIZE) {
        dst = chan->header + chan->header_got;
        want = IPC_HEADER_SIZE - chan->header_got;
    } else {
        dst = chan->payload + chan->payload_got;
        want = chan->payload_len - chan->payload_got;
    }
    n = fdpass_recv(chan->fd, dst, want, chan->in_fds.fd + chan->in_fds.n, IPC_FD_MAX - chan->in_fds.n,
                    &nfds);
    if (n < 0 && errno == EAGAIN)
        return IPC_STEP_WAIT;
    if (n < 0) {
        ipc_recv_error(reason_r);
        return IPC_STEP_ERROR;
    }
    chan->in_fds.n += nfds;
    if (n == 0) {
        *reason_r = ipc_chan_eof_reason(chan);
        return IPC_STEP_ERROR;
    }
    if (chan->header_got == IPC_HEADER_SIZE) {
        chan->payload_got += (size_t)n;
    } else if ((chan->header_got += (size_t)n) == IPC_HEADER_SIZE) {
        /* Enforce the maximum before allocating or reading any payload. */
        if (ipc_frame_length(chan->header, chan->max_frame, &chan->payload_len, reason_r) < 0)
            return IPC_STEP_ERROR;
        chan->payload = xmalloc(chan->payload_len);
    } else {
        return IPC_STEP_PARTIAL;
    }
    return chan->payload_got == chan->payload_len ? IPC_STEP_FRAME : IPC_STEP_PARTIAL;
}

/* ipc_chan_dispatch - decode the complete frame and hand it to on_msg */
static void ipc_chan_dispatch(struct ipc_chan *chan)
{
    struct ipc_msg *m;
    const char *error;
    int r;

    r = ipc_msg_decode(chan->payload, chan->payload_len, chan->in_fds.fd, chan->in_fds.n, &m, &error);
    chan->in_fds.n = 0; /* the decoder owns (or closed) them */
    ipc_chan_reset_input(chan);
    if (r < 0)
        ipc_chan_fail(chan, error);
    else
        chan->on_msg(chan, m, chan->ctx);
}

/* ipc_chan_read - read and dispatch frames until the socket is drained or
 * a burst is done (level-triggered readiness brings us back) */
static void ipc_chan_read(struct ipc_chan *chan)
{
    const char *reason;
    int i;

    for (i = 0; i < IPC_CHAN_READ_BURST; i++) {
        switch (ipc_chan_read_step(chan, &reason)) {
        case IPC_STEP_ERROR:
            ipc_chan_fail(chan, reason);
            return;
        case IPC_STEP_WAIT:
            return;
        case IPC_STEP_PARTIAL:
            break;
        case IPC_STEP_FRAME:
            ipc_chan_dispatch(chan);
            if (chan->dead || chan->io == NULL)
                return;
            break;
        }
    }
}

/* ipc_chan_io_cb - socket readiness: read frames first (a peer's last
 * message before it closes is still delivered), then write queued frames */
static void ipc_chan_io_cb(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct ipc_chan *chan = ctx;
    const char *error;

    (void)io;
    (void)fd;
    chan->busy = true;
    if (events & (EVENT_READ | EVENT_ERROR))
        ipc_chan_read(chan);
    if (!chan->dead && chan->io != NULL && chan->out_head != NULL && (events & (EVENT_WRITE | EVENT_ERROR))
        && ipc_chan_flush(chan, &error) < 0)
        ipc_chan_fail(chan, error);
    chan->busy = false;
    if (chan->dead)
        free(chan);
}
