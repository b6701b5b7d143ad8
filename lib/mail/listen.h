/* SPDX-License-Identifier: MIT
 * listen - creating listening sockets from master.conf listen addresses.
 *
 * inet: "HOST:PORT", "[IPV6]:PORT", "*:PORT" or "PORT" (every address); a
 * host name that resolves to several addresses gives one socket each.
 * unix: a path (anything containing '/'); a stale socket file left by a
 * crash is replaced, any other kind of file is refused.
 * Sockets are non-blocking and close-on-exec; the master clears
 * close-on-exec on the copies it passes to children.
 *
 * See also: service_table.h (the listen column), master_proto.h.
 */
#ifndef PETREL_MAIL_LISTEN_H
#define PETREL_MAIL_LISTEN_H

#include <stddef.h>
#include <sys/types.h>

#define LISTEN_BACKLOG 511

/* listen_inet - bind and listen on every address of an inet listen spec */
int listen_inet(const char *spec, int *fds, size_t max, size_t *n_r, const char **error_r);
/* listen_unix - bind and listen on a UNIX socket path with this mode and
 * owner (owner (uid_t)-1: leave as created) */
int listen_unix(const char *path, mode_t mode, uid_t owner, gid_t group, int *fd_r, const char **error_r);
/* listen_open - a path (contains '/') as unix with mode 0600, else inet */
int listen_open(const char *spec, int *fds, size_t max, size_t *n_r, const char **error_r);

#endif
