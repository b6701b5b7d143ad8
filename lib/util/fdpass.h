/* SPDX-License-Identifier: MIT
 * fdpass - sendmsg/recvmsg on a UNIX socket with descriptors (SCM_RIGHTS).
 *
 * The one place that builds and parses control messages. Both calls are
 * non-blocking per call (MSG_DONTWAIT) whatever the socket's O_NONBLOCK
 * flag, so callers wait with poll() or the event loop and a deadline always
 * holds. Sending never raises SIGPIPE (MSG_NOSIGNAL). Received descriptors
 * are close-on-exec (MSG_CMSG_CLOEXEC).
 *
 * Trust: the peer decides how many descriptors it sends. The control buffer
 * holds the kernel's own maximum (FDPASS_MAX), so more than the caller
 * accepts is seen and refused rather than silently truncated, and every
 * descriptor received by a failing call is closed.
 *
 * See also: ipc_chan.h (frames with descriptors).
 */
#ifndef PETREL_UTIL_FDPASS_H
#define PETREL_UTIL_FDPASS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The most descriptors one sendmsg can carry on Linux (SCM_MAX_FD). */
#define FDPASS_MAX 253

/* fdpass_send - sendmsg the iovecs, with nfds (<= FDPASS_MAX) descriptors
 * attached to the first byte; bytes sent, or -1 with errno (EAGAIN when the
 * socket buffer is full, EPIPE when the peer is gone) */
ssize_t fdpass_send(int sock, const struct iovec *iov, int iovcnt, const int *fds, size_t nfds);

/* fdpass_recv - recvmsg at most len bytes; descriptors that came with them
 * are stored in fds[0..*nfds_r). Returns bytes read (0: end of file), or -1
 * with errno: from recvmsg (EAGAIN, ECONNRESET, ...), EMSGSIZE when more
 * than max_fds descriptors came, EBADMSG when control data was truncated
 * (MSG_CTRUNC); on those two every descriptor received is closed. */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *nfds_r);

#endif
