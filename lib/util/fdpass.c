/* SPDX-License-Identifier: MIT
 * fdpass - sendmsg/recvmsg on a UNIX socket with descriptors (SCM_RIGHTS).
 *
 * Owns nothing between calls. Trusts nothing about the peer's control data:
 * every SCM_RIGHTS header is walked with the CMSG macros, descriptors beyond
 * what the caller accepts are closed, and MSG_CTRUNC is an error.
 */
#include "util/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/msg.h"

/* A control buffer aligned for struct cmsghdr, large enough for the most
 * descriptors the kernel passes in one message. */
union fdpass_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * FDPASS_MAX)];
};

/* fdpass_send - sendmsg with descriptors on the first byte */
ssize_t fdpass_send(int sock, const struct iovec *iov, int iovcnt, const int *fds, size_t nfds)
{
    union fdpass_cmsg cm;
    struct msghdr mh;
    struct cmsghdr *c;
    ssize_t n;

    if (nfds > FDPASS_MAX)
        msg_panic("fdpass_send: %zu descriptors, more than %d", nfds, FDPASS_MAX);
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = (struct iovec *)iov;
    mh.msg_iovlen = (size_t)iovcnt;
    if (nfds > 0) {
        memset(&cm, 0, sizeof(cm));
        mh.msg_control = cm.buf;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n;
}

/* fdpass_collect - move the descriptors of every SCM_RIGHTS header to fds;
 * -1 when more than max_fds came (the excess is closed here, the rest by
 * the caller) */
static int fdpass_collect(struct msghdr *mh, int *fds, size_t max_fds, size_t *nfds_r)
{
    struct cmsghdr *c;
    size_t n = 0, i, count;
    int fd, too_many = 0;

    for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
            continue;
        count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (i = 0; i < count; i++) {
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (n < max_fds)
                fds[n++] = fd;
            else {
                close(fd);
                too_many = 1;
            }
        }
    }
    *nfds_r = n;
    return too_many ? -1 : 0;
}

/* fdpass_recv - recvmsg with descriptors, refusing excess and truncation */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fds, size_t max_fds, size_t *nfds_r)
{
    union fdpass_cmsg cm;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr mh;
    size_t i;
    ssize_t n;
    int err = 0;

    *nfds_r = 0;
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cm.buf;
    mh.msg_controllen = sizeof(cm.buf);
    do
        n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (fdpass_collect(&mh, fds, max_fds, nfds_r) < 0)
        err = EMSGSIZE;
    else if (mh.msg_flags & MSG_CTRUNC)
        err = EBADMSG;
    if (err != 0) {
        for (i = 0; i < *nfds_r; i++)
            close(fds[i]);
        *nfds_r = 0;
        errno = err;
        return -1;
    }
    return n;
}
