/* SPDX-License-Identifier: MIT
 * ipc_chan - sending and receiving ipc frames over a UNIX stream socket,
 * with descriptor passing (SCM_RIGHTS).
 *
 * Two ways to use it:
 *  - blocking calls with a deadline, for simple clients (the CLI, tests,
 *    a daemon's request to another daemon when it can afford to wait):
 *    ipc_send(), ipc_recv(), ipc_connect();
 *  - a non-blocking channel on the event loop for servers and busy clients:
 *    ipc_chan_create(), ipc_chan_send(); decoded messages arrive through a
 *    callback.
 *
 * Receiving reads exactly one frame at a time, so descriptors are attached to
 * the frame they were sent with. A frame over the maximum, a malformed
 * payload, descriptors that do not match the frame's FD attributes, or a
 * peer closing mid-frame is an error that ends the channel with a precise
 * reason.
 *
 * See also: ipc.h (message format).
 */
#ifndef PETREL_UTIL_IPC_CHAN_H
#define PETREL_UTIL_IPC_CHAN_H

#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct ipc_msg;
struct ipc_chan;

/* ipc_send - write one message, waiting at most timeout_ms (-1: forever).
 * The socket may be blocking or not: every read and write is preceded by
 * poll() and done with MSG_DONTWAIT, so the deadline always holds. After a
 * timeout or error mid-frame the stream is out of step: close it. Never
 * raises SIGPIPE; a vanished peer is "send: Broken pipe". */
int ipc_send(int fd, const struct ipc_msg *m, size_t max_frame, int timeout_ms, const char **error_r);
/* ipc_recv - read one message, waiting at most timeout_ms (-1: forever);
 * a clean EOF before any byte of a frame gives -1 with error "connection closed",
 * EOF inside a frame "connection closed mid-frame (N of M ... bytes)", no frame
 * in time "timed out after N ms receiving a message" */
int ipc_recv(int fd, size_t max_frame, int timeout_ms, struct ipc_msg **m_r, const char **error_r);
/* ipc_connect - connect to a UNIX socket, read and check the server's hello;
 * the returned fd is blocking and close-on-exec */
int ipc_connect(const char *path, const char *protocol, int64_t min_version, int timeout_ms, int *fd_r,
                const char **error_r);
/* ipc_connect_nonblock - connect a non-blocking, close-on-exec socket to
 * the UNIX socket at path, for an ipc_chan (which then reads the hello on
 * the event loop). A UNIX connect completes at once or fails (EAGAIN: the
 * server's backlog is full). 0, or -1 with "connect to PATH: REASON" */
int ipc_connect_nonblock(const char *path, int *fd_r, const char **error_r);
/* ipc_call - ipc_send a request then ipc_recv its reply; timeout_ms bounds
 * both together */
int ipc_call(int fd, const struct ipc_msg *req, size_t max_frame, int timeout_ms, struct ipc_msg **reply_r,
             const char **error_r);

/* The message callback owns msg (destroy it, or keep it). The close callback
 * gets NULL for a clean EOF, or the reason the channel failed; the owner then
 * destroys the channel (possibly inside the callback). */
typedef void ipc_chan_msg_fn(struct ipc_chan *chan, struct ipc_msg *msg, void *ctx);
typedef void ipc_chan_close_fn(struct ipc_chan *chan, const char *reason, void *ctx);

/* ipc_chan_create - take ownership of a connected stream socket (blocking
 * or not: all I/O uses MSG_DONTWAIT). The output queue holds at most 16
 * maximal frames (16 * (max_frame + 4) bytes). */
struct ipc_chan *ipc_chan_create(struct event_loop *loop, int fd, size_t max_frame, ipc_chan_msg_fn *on_msg,
                                 ipc_chan_close_fn *on_close, void *ctx);
/* ipc_chan_destroy - close the socket and free; accepts NULL; safe in callbacks */
void ipc_chan_destroy(struct ipc_chan **chan_r);
/* ipc_chan_send - queue a message; descriptors are duplicated when queued
 * (the caller keeps its own); -1 if it does not fit the frame maximum or
 * the output queue limit */
int ipc_chan_send(struct ipc_chan *chan, const struct ipc_msg *m, const char **error_r);
/* ipc_chan_pending - bytes queued but not yet written */
size_t ipc_chan_pending(const struct ipc_chan *chan);
int ipc_chan_fd(const struct ipc_chan *chan);

#endif
