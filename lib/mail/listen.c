/* SPDX-License-Identifier: MIT
 * listen - bind and listen on inet and UNIX addresses.
 *
 * Trusts: the administrator's listen specifications (already validated by
 * the service table parser; checked again here for standalone use).
 */
#include "mail/listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/err.h"

/* listen_one - one socket for one resolved address */
static int listen_one(const struct addrinfo *ai, const char *spec, int *fd_r, const char **error_r)
{
    int fd, on = 1;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        int saved = errno;

        errf(error_r, "socket for %s: %s", spec, strerror(saved));
        errno = saved;
        return -1;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
        || (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)) {
        int saved = errno;

        close(fd);
        return errf(error_r, "setsockopt for %s: %s", spec, strerror(saved));
    }
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        int saved = errno;

        close(fd);
        return errf(error_r, "cannot listen on %s: %s", spec, strerror(saved));
    }
    *fd_r = fd;
    return 0;
}

/* listen_inet - every address of HOST:PORT */
int listen_inet(const char *spec, int *fds, size_t max, size_t *n_r, const char **error_r)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res, *ai;
    char *host, *port;
    size_t n = 0;
    int rc;

    if (service_inet_split(spec, &host, &port, error_r) < 0)
        return -1;
    rc = getaddrinfo(host, port, &hints, &res);
    xfree(host);
    xfree(port);
    if (rc != 0)
        return errf(error_r, "cannot resolve %s: %s", spec, gai_strerror(rc));
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if (n == max) {
            rc = errf(error_r, "%s: more than %zu addresses", spec, max);
            break;
        }
        if ((rc = listen_one(ai, spec, &fds[n], error_r)) < 0) {
            /* A wildcard gives an IPv6 address too: a host without IPv6
             * still listens on the IPv4 one. */
            if (errno == EAFNOSUPPORT && (ai->ai_next != NULL || n > 0)) {
                rc = 0;
                continue;
            }
            break;
        }
        n++;
    }
    freeaddrinfo(res);
    if (rc < 0) {
        while (n > 0)
            close(fds[--n]);
        return -1;
    }
    *n_r = n;
    return 0;
}

/* remove_stale_socket - unlink a leftover socket file, refuse anything else */
static int remove_stale_socket(const char *path, const char **error_r)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : errf(error_r, "lstat %s: %s", path, strerror(errno));
    if (!S_ISSOCK(st.st_mode))
        return errf(error_r, "%s exists and is not a socket", path);
    if (unlink(path) < 0)
        return errf(error_r, "unlink %s: %s", path, strerror(errno));
    return 0;
}

/* listen_unix - a UNIX stream socket with mode and owner */
int listen_unix(const char *path, mode_t mode, uid_t owner, gid_t group, int *fd_r, const char **error_r)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    mode_t old_mask;
    int fd, rc;

    if (strlen(path) >= sizeof(sun.sun_path))
        return errf(error_r, "socket path too long: %s", path);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (remove_stale_socket(path, error_r) < 0)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errf(error_r, "socket for %s: %s", path, strerror(errno));
    /* Create the socket file with no access at all, then open it up: no
     * moment exists where it is more open than configured. */
    old_mask = umask(0777);
    rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
    umask(old_mask);
    if (rc < 0 || listen(fd, LISTEN_BACKLOG) < 0 || (owner != (uid_t)-1 && chown(path, owner, group) < 0)
        || chmod(path, mode) < 0) {
        int saved = errno;

        close(fd);
        return errf(error_r, "cannot listen on %s: %s", path, strerror(saved));
    }
    *fd_r = fd;
    return 0;
}

/* listen_open - inet or unix by the shape of the spec */
int listen_open(const char *spec, int *fds, size_t max, size_t *n_r, const char **error_r)
{
    if (max == 0)
        return errf(error_r, "no room for a listener");
    if (strchr(spec, '/') != NULL) {
        if (listen_unix(spec, 0600, (uid_t)-1, (gid_t)-1, &fds[0], error_r) < 0)
            return -1;
        *n_r = 1;
        return 0;
    }
    return listen_inet(spec, fds, max, n_r, error_r);
}
