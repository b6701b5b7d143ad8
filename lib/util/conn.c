/* SPDX-License-Identifier: MIT
 * conn - a buffered, non-blocking connection on the event loop.
 *
 * Owns the fd, its event_io, the idle timer and both buffers. Input from the
 * peer is untrusted: it is bounded by input_max, and lines by max_line (an
 * over-long line is reported once, then skipped through its LF however many
 * reads it spans). Output is bounded by output_max.
 *
 * Consumed input is not moved at once: in_off marks the consumed prefix and
 * the buffer is compacted only just before the next read, so a batch of
 * pipelined lines costs no memmove per line. The same holds for output
 * (out_off). Line reads remember how far they already searched for an LF,
 * so input that trickles in byte by byte is scanned once.
 *
 * Callbacks are never called from inside a conn_* call the owner makes:
 * a write error met by conn_write(), a resume with input waiting, or a
 * close_after_flush with nothing to flush are handled in a deferred call.
 * The owner may call conn_destroy() inside any callback; the struct then
 * lives until the callback returns (in_cb counts the callbacks running).
 *
 * conn_close_after_flush() on TCP ends in a lingering close: after the
 * flush the write side is shut down, then the fd is read and the bytes
 * thrown away (bounded by CONN_LINGER_MAX and linger_timeout_ms) until the
 * peer closes, so that the final close() does not find unread input and
 * answer with RST, which can make the peer drop our last reply.
 *
 * See also: conn.h, event.h.
 */
#include "util/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/msg.h"

/* Bytes asked of the transport per read, unless the buffer already has more room. */
#define CONN_READ_CHUNK 4096

/* What the deferred call has to do besides its fixed checks. */
enum {
    CONN_KICK_READ = 1,  /* try the transport even if the fd did not say so */
    CONN_KICK_INPUT = 2, /* offer buffered input to on_input */
};

struct conn {
    struct event_loop *loop;
    int fd;
    struct event_io *io;
    struct event_timer *idle_timer;
    struct event_timer *linger_timer; /* while lingering */
    size_t linger_left;               /* bytes the linger may still discard */
    uint64_t last_active;             /* event_now() of the last input or output progress */
    struct conn_params params;
    struct conn_callbacks cb;
    void *ctx;
    const struct conn_io_ops *ops;
    void *io_ctx;
    struct buf in;       /* at most input_max */
    size_t in_off;       /* consumed prefix of in */
    size_t scan;         /* bytes after in_off known to hold no LF */
    struct buf out;      /* at most output_max */
    size_t out_off;      /* written prefix of out */
    unsigned read_want;  /* readiness a blocked read waits for (0: EVENT_READ) */
    unsigned write_want; /* readiness a blocked write waits for (0: EVENT_WRITE) */
    unsigned kick;       /* CONN_KICK_* for the deferred call */
    int error;           /* errno behind CONN_CLOSE_ERROR */
    int pending_error;   /* write error met in conn_write, reported later */
    int in_cb;           /* owner callbacks running */
    bool kick_queued;
    bool skipping; /* dropping an over-long line through its LF */
    bool paused;
    bool eof;
    bool closing;    /* conn_close_after_flush() was called */
    bool lingering;  /* flushed and shut down for writing; draining the peer */
    bool closed;     /* on_close was called */
    bool destroyed;  /* conn_destroy() was called inside a callback */
    bool above_high; /* output passed high water; on_drain is owed */
    bool not_socket; /* plain transport: use write(), not send() */
};

static void conn_deferred(void *ctx);

/* ---- the plain transport ---- */

/* plain_read - read from the fd */
static ssize_t plain_read(void *io_ctx, void *data, size_t n, unsigned *want_r)
{
    struct conn *c = io_ctx;

    *want_r = EVENT_READ;
    return read(c->fd, data, n);
}

/* plain_write - write to the fd, without SIGPIPE on sockets */
static ssize_t plain_write(void *io_ctx, const void *data, size_t n, unsigned *want_r)
{
    struct conn *c = io_ctx;
    ssize_t r;

    *want_r = EVENT_WRITE;
    if (!c->not_socket) {
        r = send(c->fd, data, n, MSG_NOSIGNAL);
        if (r >= 0 || errno != ENOTSOCK)
            return r;
        c->not_socket = true;
    }
    return write(c->fd, data, n);
}

static const struct conn_io_ops plain_ops = { plain_read, plain_write, NULL, NULL };

/* ---- state helpers ---- */

/* in_avail - buffered input not yet consumed */
static size_t in_avail(const struct conn *c)
{
    return c->in.len - c->in_off;
}

/* out_pending - queued output not yet written */
static size_t out_pending(const struct conn *c)
{
    return c->out.len - c->out_off;
}

/* transport_pending - bytes the transport holds beyond the fd */
static size_t transport_pending(const struct conn *c)
{
    return c->ops->pending != NULL ? c->ops->pending(c->io_ctx) : 0;
}

/* conn_can_read - should the transport be read now? */
static bool conn_can_read(const struct conn *c)
{
    return !c->closed && !c->closing && !c->paused && !c->eof && in_avail(c) < c->params.input_max;
}

/* conn_update_io - make the event_io wait for what the state needs */
static void conn_update_io(struct conn *c)
{
    unsigned mask = 0;

    if (c->io == NULL)
        return;
    if (conn_can_read(c))
        mask |= c->read_want ? c->read_want : EVENT_READ;
    if (c->lingering && !c->closed)
        mask |= EVENT_READ; /* the raw fd, see conn_linger_drain() */
    if (!c->closed && out_pending(c) > 0)
        mask |= c->write_want ? c->write_want : EVENT_WRITE;
    event_io_set(c->io, mask);
}

/* conn_want - the readiness a blocked transport call asked for */
static unsigned conn_want(unsigned want, unsigned dflt)
{
    want &= EVENT_READ | EVENT_WRITE;
    return want != 0 ? want : dflt;
}

/* conn_kick - queue the deferred call */
static void conn_kick(struct conn *c, unsigned what)
{
    if (c->destroyed)
        return;
    c->kick |= what;
    if (!c->kick_queued) {
        c->kick_queued = true;
        event_defer(c->loop, conn_deferred, c);
    }
}

/* conn_free - release the memory */
static void conn_free(struct conn *c)
{
    buf_deinit(&c->in);
    buf_deinit(&c->out);
    xfree(c);
}

/* conn_leave - after an owner callback: false if c is gone */
static bool conn_leave(struct conn *c)
{
    c->in_cb--;
    if (!c->destroyed)
        return true;
    if (c->in_cb == 0)
        conn_free(c);
    return false;
}

/* conn_call_input - run on_input; false if c is gone */
static bool conn_call_input(struct conn *c)
{
    c->in_cb++;
    c->cb.on_input(c, c->ctx);
    return conn_leave(c);
}

/* conn_finish - end the connection and tell the owner, once; always false */
static bool conn_finish(struct conn *c, enum conn_close_reason reason, int err)
{
    if (c->closed)
        return false;
    c->closed = true;
    c->lingering = false;
    c->error = err;
    event_timer_remove(&c->idle_timer);
    event_timer_remove(&c->linger_timer);
    conn_update_io(c);
    c->in_cb++;
    c->cb.on_close(c, reason, c->ctx);
    (void)conn_leave(c);
    return false;
}

/* conn_check_eof - report EOF once the owner is done with the input */
static bool conn_check_eof(struct conn *c)
{
    if (!c->eof || c->paused || c->closing || c->closed)
        return true;
    conn_input_discard(c);
    return conn_finish(c, CONN_CLOSE_EOF, 0);
}

/* conn_socket_error - the pending error of the fd, or EIO */
static int conn_socket_error(const struct conn *c)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err == 0)
        return EIO;
    return err;
}

/* ---- idle timeout ---- */

/* conn_idle_fire - close if idle long enough, else wait for the rest */
static void conn_idle_fire(void *ctx)
{
    struct conn *c = ctx;
    uint64_t idle = event_now(c->loop) - c->last_active;

    c->idle_timer = NULL;
    if (idle < c->params.idle_timeout_ms) {
        /* Progress moved last_active: re-arm for what is left instead of
         * re-arming on every read and write. */
        c->idle_timer = event_timer_add(c->loop, c->params.idle_timeout_ms - idle, conn_idle_fire, c);
        return;
    }
    (void)conn_finish(c, CONN_CLOSE_TIMEOUT, ETIMEDOUT);
}

/* conn_set_idle_timeout - change the idle timeout, counting from now */
void conn_set_idle_timeout(struct conn *c, uint64_t ms)
{
    event_timer_remove(&c->idle_timer);
    c->params.idle_timeout_ms = ms;
    c->last_active = event_now(c->loop);
    if (ms > 0 && !c->closed && !c->lingering)
        c->idle_timer = event_timer_add(c->loop, ms, conn_idle_fire, c);
}

/* ---- lingering close ---- */

/* conn_is_tcp - is the fd a TCP socket (the kind that resets on close)? */
static bool conn_is_tcp(const struct conn *c)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int type = 0;
    socklen_t type_len = sizeof(type);

    if (c->not_socket || getsockname(c->fd, (struct sockaddr *)&ss, &len) < 0)
        return false;
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
        return false;
    return getsockopt(c->fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_STREAM;
}

/* conn_linger_drain - read and discard what the peer sent; false once the
 * linger ended (on_close was called, c may be gone) */
static bool conn_linger_drain(struct conn *c)
{
    char scratch[CONN_READ_CHUNK];
    size_t want;
    ssize_t n;

    /* The raw fd, not the transport: the bytes are thrown away anyway, and
     * a TLS read might want to write (a KeyUpdate answer) on the side that
     * is shut down already. */
    for (;;) {
        want = c->linger_left < sizeof(scratch) ? c->linger_left : sizeof(scratch);
        n = read(c->fd, scratch, want);
        if (n > 0) {
            c->linger_left -= (size_t)n;
            if (c->linger_left == 0)
                return conn_finish(c, CONN_CLOSE_DONE, 0); /* the discard cap */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        /* EOF: the peer closed, as hoped; or an error (a reset): either way
         * there is nobody left to read our reply. */
        return conn_finish(c, CONN_CLOSE_DONE, 0);
    }
}

/* conn_linger_fire - the peer did not close in time */
static void conn_linger_fire(void *ctx)
{
    struct conn *c = ctx;

    c->linger_timer = NULL;
    (void)conn_finish(c, CONN_CLOSE_DONE, 0);
}

/* conn_linger_start - the output is flushed after conn_close_after_flush():
 * on TCP shut down the write side and drain the peer, else finish at once;
 * false if the connection ended (on_close was called, c may be gone) */
static bool conn_linger_start(struct conn *c)
{
    if (c->lingering)
        return true;
    /* The transport's goodbye (a TLS close_notify) goes first, then the
     * FIN on the raw fd ends the TCP stream after it. */
    if (c->ops->shutdown != NULL)
        c->ops->shutdown(c->io_ctx);
    if (!conn_is_tcp(c) || shutdown(c->fd, SHUT_WR) < 0)
        return conn_finish(c, CONN_CLOSE_DONE, 0);
    c->lingering = true;
    c->linger_left = CONN_LINGER_MAX;
    /* the linger timeout bounds what is left; idleness does not matter */
    event_timer_remove(&c->idle_timer);
    c->linger_timer = event_timer_add(c->loop, c->params.linger_timeout_ms, conn_linger_fire, c);
    if (!conn_linger_drain(c))
        return false;
    conn_update_io(c);
    return true;
}

/* ---- output ---- */

/* conn_flush - write queued output until done or blocked; 0, or -1 and errno */
static int conn_flush(struct conn *c)
{
    unsigned want;
    ssize_t n;

    while (out_pending(c) > 0) {
        want = EVENT_WRITE;
        n = c->ops->write(c->io_ctx, c->out.data + c->out_off, out_pending(c), &want);
        if (n > 0) {
            if ((size_t)n > out_pending(c))
                msg_panic("conn: transport wrote %zd of %zu bytes", n, out_pending(c));
            c->out_off += (size_t)n;
            c->last_active = event_now(c->loop);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->write_want = conn_want(want, EVENT_WRITE);
            return 0;
        }
        if (n == 0)
            errno = EIO;
        return -1;
    }
    c->write_want = 0;
    buf_reset(&c->out);
    c->out_off = 0;
    return 0;
}

/* conn_flush_event - the fd is ready for the pending write */
static bool conn_flush_event(struct conn *c)
{
    if (conn_flush(c) < 0)
        return conn_finish(c, CONN_CLOSE_ERROR, errno);
    if (c->above_high && out_pending(c) <= c->params.output_low_water) {
        c->above_high = false;
        if (c->cb.on_drain != NULL) {
            c->in_cb++;
            c->cb.on_drain(c, c->ctx);
            if (!conn_leave(c))
                return false;
        }
    }
    if (c->closing && out_pending(c) == 0)
        return conn_linger_start(c);
    /* likewise a read that waited for output to go out */
    if (c->read_want == EVENT_WRITE && conn_can_read(c))
        conn_kick(c, CONN_KICK_READ);
    return !c->closed;
}

/* conn_write - queue bytes and try to write them at once */
int conn_write(struct conn *c, const void *data, size_t len)
{
    size_t pending = out_pending(c);

    if (c->closed || c->lingering || c->pending_error != 0) {
        errno = EPIPE;
        return -1;
    }
    if (len > c->params.output_max - pending) {
        errno = ENOBUFS;
        return -1;
    }
    if (len == 0)
        return 0;
    if (c->out.len + len > c->out.max) {
        buf_consume(&c->out, c->out_off);
        c->out_off = 0;
    }
    if (buf_append(&c->out, data, len) < 0)
        msg_panic("conn_write: %zu bytes do not fit below output_max", len);
    /* With output already queued the transport is known to be blocked:
     * only an empty queue is worth a write now. */
    if (pending == 0 && conn_flush(c) < 0) {
        c->pending_error = errno;
        conn_kick(c, 0);
        return 0;
    }
    if (out_pending(c) > c->params.output_high_water)
        c->above_high = true;
    conn_update_io(c);
    return 0;
}

/* conn_printf - queue formatted text */
int conn_printf(struct conn *c, const char *fmt, ...)
{
    char small[512];
    char *big;
    va_list ap;
    int n, r, saved;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        errno = EINVAL;
        return -1;
    }
    if ((size_t)n < sizeof(small))
        return conn_write(c, small, (size_t)n);
    big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    r = conn_write(c, big, (size_t)n);
    saved = errno;
    xfree(big);
    errno = saved;
    return r;
}

/* conn_output_pending - queued bytes not yet written */
size_t conn_output_pending(const struct conn *c)
{
    return out_pending(c);
}

/* conn_output_full - above the high water mark? */
bool conn_output_full(const struct conn *c)
{
    return out_pending(c) > c->params.output_high_water;
}

/* conn_close_after_flush - stop reading, flush, then on_close(DONE) */
void conn_close_after_flush(struct conn *c)
{
    if (c->closed || c->closing)
        return;
    c->closing = true;
    conn_update_io(c);
    if (out_pending(c) == 0)
        conn_kick(c, 0);
}

/* ---- input ---- */

/* conn_read_some - one transport read: 1 got bytes, 0 none (EOF, blocked,
 * full), -1 error with errno */
static int conn_read_some(struct conn *c)
{
    size_t room, chunk;
    unsigned want;
    ssize_t n;
    char *p;

    if (in_avail(c) >= c->params.input_max)
        return 0;
    if (c->in_off > 0) {
        buf_consume(&c->in, c->in_off);
        c->in_off = 0;
    }
    room = c->params.input_max - c->in.len;
    chunk = c->in.cap - c->in.len;
    if (chunk < CONN_READ_CHUNK)
        chunk = CONN_READ_CHUNK;
    if (chunk > room)
        chunk = room;
    p = buf_reserve(&c->in, chunk);
    for (;;) {
        want = EVENT_READ;
        n = c->ops->read(c->io_ctx, p, chunk, &want);
        if (n >= 0 || errno != EINTR)
            break;
    }
    if (n > 0) {
        if ((size_t)n > chunk)
            msg_panic("conn: transport read %zd bytes into %zu", n, chunk);
        buf_commit(&c->in, (size_t)n);
        c->read_want = 0;
        return 1;
    }
    if (n == 0) {
        c->eof = true;
        c->read_want = 0;
        return 0;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c->read_want = conn_want(want, EVENT_READ);
        return 0;
    }
    return -1;
}

/* conn_read_event - read what there is, give it to the owner; false if c is
 * gone or closed. offer: call on_input even without new bytes */
static bool conn_read_event(struct conn *c, bool offer)
{
    bool got = false;
    int r, err = 0;

    do {
        r = conn_read_some(c);
        if (r > 0)
            got = true;
        else if (r < 0)
            err = errno;
        /* A transport such as TLS may hold decrypted bytes the fd will never
         * announce: keep reading while it has some and there is room. */
    } while (r > 0 && conn_can_read(c) && transport_pending(c) > 0);
    if (got)
        c->last_active = event_now(c->loop);
    /* A write that waited for input (a TLS handshake, which this read may
     * just have finished) can go on now, and no fd event would say so. */
    if (err == 0 && out_pending(c) > 0 && c->write_want == EVENT_READ && !conn_flush_event(c))
        return false;
    if ((got || offer || c->eof) && in_avail(c) > 0 && !c->paused && !c->closing) {
        if (!conn_call_input(c))
            return false;
    }
    if (err != 0)
        return conn_finish(c, CONN_CLOSE_ERROR, err);
    return conn_check_eof(c) && !c->closed;
}

/* conn_input_changed - the owner consumed input: maybe read again */
static void conn_input_changed(struct conn *c)
{
    conn_update_io(c);
    if (conn_can_read(c) && transport_pending(c) > 0)
        conn_kick(c, CONN_KICK_READ);
}

/* conn_line_partial - no LF buffered: skip, report too long, or wait */
static int conn_line_partial(struct conn *c, const char *start, size_t avail)
{
    size_t max = c->params.max_line;
    bool too_long;

    /* A trailing CR may still become the CR of a CR LF. */
    too_long = avail > max + 1 || (avail == max + 1 && start[avail - 1] != '\r');
    if (!c->skipping && !too_long)
        return 0;
    c->in_off += avail;
    c->scan = 0;
    conn_input_changed(c);
    if (c->skipping)
        return 0;
    c->skipping = true;
    return -1;
}

/* conn_read_line - take one LF-terminated line */
int conn_read_line(struct conn *c, struct conn_line *line)
{
    char *start, *lf;
    size_t avail, len;
    bool crlf;

    for (;;) {
        start = c->in.data + c->in_off;
        avail = in_avail(c);
        lf = avail > c->scan ? memchr(start + c->scan, '\n', avail - c->scan) : NULL;
        if (lf == NULL) {
            c->scan = avail;
            return conn_line_partial(c, start, avail);
        }
        len = (size_t)(lf - start);
        c->in_off += len + 1;
        c->scan = 0;
        conn_input_changed(c);
        if (c->skipping) {
            c->skipping = false;
            continue;
        }
        crlf = len > 0 && start[len - 1] == '\r';
        if (crlf)
            len--;
        if (len > c->params.max_line)
            return -1;
        /* The terminator is consumed: make the line a C string as well. */
        start[len] = '\0';
        line->data = start;
        line->len = len;
        line->crlf = crlf;
        return 1;
    }
}

/* conn_input - the buffered input */
size_t conn_input(struct conn *c, const char **data_r)
{
    *data_r = c->in.data + c->in_off;
    return in_avail(c);
}

/* conn_input_consume - drop n bytes from the front of the input */
void conn_input_consume(struct conn *c, size_t n)
{
    if (n > in_avail(c))
        msg_panic("conn_input_consume: %zu bytes, only %zu buffered", n, in_avail(c));
    c->in_off += n;
    c->scan = c->scan > n ? c->scan - n : 0;
    conn_input_changed(c);
}

/* conn_input_discard - drop all buffered input */
void conn_input_discard(struct conn *c)
{
    buf_reset(&c->in);
    c->in_off = 0;
    c->scan = 0;
    c->skipping = false;
    conn_input_changed(c);
}

/* conn_pause_input - stop reading */
void conn_pause_input(struct conn *c)
{
    c->paused = true;
    conn_update_io(c);
}

/* conn_resume_input - read again; buffered input is offered again */
void conn_resume_input(struct conn *c)
{
    if (!c->paused)
        return;
    c->paused = false;
    if (c->closed)
        return;
    conn_update_io(c);
    /* The owner may have stopped in the middle of pipelined input, or EOF
     * may wait behind it: nothing on the fd would say so. */
    if (in_avail(c) > 0 || c->eof || transport_pending(c) > 0)
        conn_kick(c, CONN_KICK_INPUT);
}

/* ---- events ---- */

/* conn_deferred - work that must not run inside the owner's conn_* calls */
static void conn_deferred(void *ctx)
{
    struct conn *c = ctx;
    unsigned kick = c->kick;

    c->kick_queued = false;
    c->kick = 0;
    if (c->closed)
        return;
    if (c->pending_error != 0) {
        (void)conn_finish(c, CONN_CLOSE_ERROR, c->pending_error);
        return;
    }
    if (c->closing) {
        if (out_pending(c) == 0)
            (void)conn_linger_start(c);
        return;
    }
    if (c->paused) {
        c->kick = kick; /* conn_resume_input() queues us again */
        return;
    }
    if (conn_can_read(c) && ((kick & CONN_KICK_READ) || transport_pending(c) > 0)) {
        if (!conn_read_event(c, (kick & CONN_KICK_INPUT) != 0))
            return;
    } else {
        if ((kick & CONN_KICK_INPUT) && in_avail(c) > 0 && !conn_call_input(c))
            return;
        if (!conn_check_eof(c) || c->closed)
            return;
    }
    conn_update_io(c);
}

/* conn_io_event - the fd is ready */
static void conn_io_event(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct conn *c = ctx;
    unsigned rdir = c->read_want ? c->read_want : EVENT_READ;
    unsigned wdir = c->write_want ? c->write_want : EVENT_WRITE;
    bool acted = false;

    (void)io;
    (void)fd;
    if (c->pending_error != 0) {
        /* conn_write() met a write error; reading on is pointless */
        (void)conn_finish(c, CONN_CLOSE_ERROR, c->pending_error);
        return;
    }
    if (c->lingering) {
        /* only reading is left to do; an error shows on the read too */
        if (conn_linger_drain(c))
            conn_update_io(c);
        return;
    }
    /* An error shows on the next read or write, whichever we can try. */
    if (events & EVENT_ERROR)
        events |= EVENT_READ | EVENT_WRITE;
    if ((events & wdir) && out_pending(c) > 0) {
        acted = true;
        if (!conn_flush_event(c))
            return;
    }
    if ((events & rdir) && conn_can_read(c)) {
        acted = true;
        if (!conn_read_event(c, false))
            return;
    }
    if ((events & EVENT_ERROR) && !acted) {
        (void)conn_finish(c, CONN_CLOSE_ERROR, conn_socket_error(c));
        return;
    }
    conn_update_io(c);
}

/* ---- lifecycle ---- */

/* conn_params_default - sane defaults */
void conn_params_default(struct conn_params *p)
{
    p->max_line = 2048;
    p->input_max = 64 * 1024;
    p->output_max = 64 * 1024;
    p->output_high_water = 32 * 1024;
    p->output_low_water = 8 * 1024;
    p->idle_timeout_ms = 0;
    p->linger_timeout_ms = CONN_LINGER_TIMEOUT_DEFAULT;
}

/* conn_check_params - limits that make no sense are bugs */
static void conn_check_params(const struct conn_params *p)
{
    if (p->max_line == 0 || p->max_line > SIZE_MAX - 2 || p->input_max < p->max_line + 2)
        msg_panic("conn: input_max %zu must be at least max_line %zu + 2", p->input_max, p->max_line);
    if (p->output_low_water > p->output_high_water || p->output_high_water > p->output_max)
        msg_panic("conn: need low water %zu <= high water %zu <= output_max %zu", p->output_low_water,
                  p->output_high_water, p->output_max);
}

/* conn_create - wrap a connected fd */
struct conn *conn_create(struct event_loop *loop, int fd, const struct conn_params *params,
                         const struct conn_callbacks *cb, void *ctx)
{
    struct conn *c;
    int flags;

    conn_check_params(params);
    if (cb->on_input == NULL || cb->on_close == NULL)
        msg_panic("conn_create: on_input and on_close are required");
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        msg_panic("conn_create: fd %d: %s", fd, strerror(errno));
    c = xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->fd = fd;
    c->params = *params;
    if (c->params.linger_timeout_ms == 0)
        c->params.linger_timeout_ms = CONN_LINGER_TIMEOUT_DEFAULT;
    c->cb = *cb;
    c->ctx = ctx;
    c->ops = &plain_ops;
    c->io_ctx = c;
    buf_init(&c->in, 0, params->input_max);
    buf_init(&c->out, 0, params->output_max);
    c->io = event_io_add(loop, fd, EVENT_READ, conn_io_event, c);
    conn_set_idle_timeout(c, params->idle_timeout_ms);
    return c;
}

/* conn_destroy - close and free, or free when the running callback returns */
void conn_destroy(struct conn **c_r)
{
    struct conn *c = *c_r;

    if (c == NULL)
        return;
    *c_r = NULL;
    if (c->destroyed)
        msg_panic("conn_destroy: connection on fd %d destroyed twice", c->fd);
    c->destroyed = true;
    event_io_remove(&c->io);
    event_timer_remove(&c->idle_timer);
    event_timer_remove(&c->linger_timer);
    if (c->kick_queued)
        event_defer_cancel(c->loop, conn_deferred, c);
    if (c->fd >= 0)
        close(c->fd);
    if (c->in_cb == 0)
        conn_free(c);
}

/* conn_set_io - route bytes through other transport hooks */
void conn_set_io(struct conn *c, const struct conn_io_ops *ops, void *io_ctx)
{
    c->ops = ops != NULL ? ops : &plain_ops;
    c->io_ctx = ops != NULL ? io_ctx : c;
    c->read_want = 0;
    c->write_want = 0;
    conn_update_io(c);
    /* A transport may have to speak first (a TLS client's hello), and
     * only a read gives it the chance. */
    conn_kick(c, CONN_KICK_READ);
}

/* conn_fd - the connection's fd */
int conn_fd(const struct conn *c)
{
    return c->fd;
}

/* conn_errno - the errno behind CONN_CLOSE_ERROR */
int conn_errno(const struct conn *c)
{
    return c->error;
}

/* conn_loop - the loop the connection runs on */
struct event_loop *conn_loop(const struct conn *c)
{
    return c->loop;
}
