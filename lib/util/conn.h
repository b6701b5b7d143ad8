/* SPDX-License-Identifier: MIT
 * conn - a buffered, non-blocking connection on the event loop.
 *
 * Owns one fd (closed on destroy), an input buffer with a hard maximum and a
 * line reader with a maximum line length, an output queue with high and low
 * water marks, and an idle timeout. The byte transport is pluggable
 * (conn_set_io), so lib/tls can put TLS under a connection without this
 * layer knowing OpenSSL.
 *
 * Input is pull-based: on_input is called when new bytes arrived; the owner
 * then takes lines with conn_read_line() or raw bytes with conn_input() /
 * conn_input_consume() (for DATA, BDAT and IMAP literals) until it has
 * what it needs. Bytes already buffered stay buffered across on_input calls.
 * When the input buffer is full, reading pauses until the owner consumes.
 *
 * Limits: max_line (a longer line is reported once as too long and then
 * skipped up to its LF), input_max, output_max (conn_write fails past it),
 * idle_timeout_ms (no input and no output progress for that long).
 *
 * Closing after a flush lingers on TCP: once the last byte is written, the
 * write side is shut down (the peer gets FIN after our final reply), and
 * whatever the peer still sends is read and thrown away until it closes,
 * an error, CONN_LINGER_MAX bytes, or linger_timeout_ms. Closing a TCP
 * socket with unread input makes the kernel send RST instead of FIN, and
 * the peer may then drop our last reply (a 421 to a pipelining client)
 * before its application reads it. Sockets that are not TCP (socketpairs,
 * pipes) lose nothing that way and finish at once.
 *
 * Callbacks run only from the event loop, never from inside a conn_* call
 * the owner makes: a write error met by conn_write() arrives later as
 * on_close(CONN_CLOSE_ERROR), conn_resume_input() offers waiting input from
 * the loop. on_close is called at most once; after it nothing is read or
 * written. EOF waits while input is paused, and is reported only after
 * on_input was offered what was still buffered. Destroy every conn before
 * its loop.
 *
 * See also: event.h.
 */
#ifndef PETREL_UTIL_CONN_H
#define PETREL_UTIL_CONN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conn;
struct event_loop;

enum conn_close_reason {
    CONN_CLOSE_EOF,     /* the peer closed its side and all input was consumed or discarded */
    CONN_CLOSE_ERROR,   /* read or write error (errno in conn_errno) */
    CONN_CLOSE_TIMEOUT, /* idle timeout expired */
    CONN_CLOSE_DONE,    /* conn_close_after_flush() finished flushing (and lingering) */
};

/* Most bytes a lingering close reads and discards before it gives up. */
#define CONN_LINGER_MAX (64 * 1024)
/* linger_timeout_ms when conn_params has 0 there */
#define CONN_LINGER_TIMEOUT_DEFAULT 2000

struct conn_params {
    size_t max_line;          /* longest line conn_read_line accepts, without its LF */
    size_t input_max;         /* input buffer limit (>= max_line + 2) */
    size_t output_max;        /* output queue limit; conn_write fails past it */
    size_t output_high_water; /* conn_output_full() above this */
    size_t output_low_water;  /* on_drain when the queue falls to this after being above high water */
    uint64_t idle_timeout_ms; /* 0: no idle timeout */
    /* longest wait for the peer to close after conn_close_after_flush()
     * flushed a TCP connection (0: CONN_LINGER_TIMEOUT_DEFAULT) */
    uint64_t linger_timeout_ms;
};

struct conn_callbacks {
    /* new input is buffered */
    void (*on_input)(struct conn *c, void *ctx);
    /* output queue fell to the low water mark (optional) */
    void (*on_drain)(struct conn *c, void *ctx);
    /* the connection ended; the owner calls conn_destroy() (maybe later) */
    void (*on_close)(struct conn *c, enum conn_close_reason reason, void *ctx);
};

/* Transport hooks: return bytes moved, 0 on EOF (read), or -1 with errno
 * (EAGAIN/EWOULDBLOCK: try again when the fd is ready in want_r direction). */
struct conn_io_ops {
    ssize_t (*read)(void *io_ctx, void *buf, size_t n, unsigned *want_r);
    ssize_t (*write)(void *io_ctx, const void *buf, size_t n, unsigned *want_r);
    size_t (*pending)(void *io_ctx); /* bytes readable without the fd being ready; may be NULL */
    /* the output is flushed and the conn is closing: say goodbye in the
     * transport's own terms (a TLS close_notify), best effort; may be NULL */
    void (*shutdown)(void *io_ctx);
};

struct conn_line {
    /* the line without its terminator, also NUL-terminated (len counts any
     * NUL bytes inside); valid until the callback returns to the loop */
    const char *data;
    size_t len;
    bool crlf; /* ended in CR LF (false: a bare LF) */
};

/* conn_params_default - sane defaults (max_line 2048, 64 KiB queues, no idle
 * timeout, linger CONN_LINGER_TIMEOUT_DEFAULT) */
void conn_params_default(struct conn_params *p);

/* conn_create - take ownership of fd (made non-blocking) */
struct conn *conn_create(struct event_loop *loop, int fd, const struct conn_params *params,
                         const struct conn_callbacks *cb, void *ctx);
/* conn_destroy - close the fd and free; accepts NULL; safe inside callbacks */
void conn_destroy(struct conn **c_r);

/* conn_set_io - route bytes through other transport hooks (NULL: plain fd);
 * a read is then tried from the loop, so a transport that must speak first
 * (a TLS client's hello) gets going */
void conn_set_io(struct conn *c, const struct conn_io_ops *ops, void *io_ctx);

/* conn_read_line - 1 and a line; 0 when no whole line is buffered;
 * -1 once for a line longer than max_line (its bytes are then skipped
 * through the next LF). */
int conn_read_line(struct conn *c, struct conn_line *line);
/* conn_input - the buffered input bytes (not yet consumed) */
size_t conn_input(struct conn *c, const char **data_r);
/* conn_input_consume - drop n bytes from the front of the input */
void conn_input_consume(struct conn *c, size_t n);
/* conn_input_discard - drop everything buffered (e.g. after STARTTLS) */
void conn_input_discard(struct conn *c);

/* conn_write - queue bytes, writing at once if nothing is queued; 0, or -1
 * with errno ENOBUFS if the queue would pass output_max (nothing is queued),
 * EPIPE once the connection failed or closed */
int conn_write(struct conn *c, const void *data, size_t len);
int conn_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* conn_output_pending - queued bytes not yet written */
size_t conn_output_pending(const struct conn *c);
/* conn_output_full - queue above the high water mark (stop producing) */
bool conn_output_full(const struct conn *c);

/* conn_pause_input / conn_resume_input - stop and restart reading; on
 * resume, input still buffered is offered to on_input again (from the loop) */
void conn_pause_input(struct conn *c);
void conn_resume_input(struct conn *c);
/* conn_set_idle_timeout - change the idle timeout (0: none) */
void conn_set_idle_timeout(struct conn *c, uint64_t ms);
/* conn_close_after_flush - stop reading, flush output, then on_close(DONE)
 * (the idle timeout still applies to a peer that does not read). On TCP the
 * write side is shut down after the flush and on_close(DONE) waits for the
 * lingering close (see above); nothing read then reaches on_input, and
 * conn_write fails with EPIPE. conn_destroy() may end the linger early. */
void conn_close_after_flush(struct conn *c);

int conn_fd(const struct conn *c);
int conn_errno(const struct conn *c);
struct event_loop *conn_loop(const struct conn *c);

#endif
