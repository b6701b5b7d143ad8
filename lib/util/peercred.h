/* SPDX-License-Identifier: MIT
 * peercred - who is at the other end of a UNIX socket (SO_PEERCRED).
 *
 * Daemons name their IPC clients in log lines by peer pid and uid, and
 * qmgr decides on administrative requests by peer uid. The kernel records
 * the credentials at connect time; nothing the peer sends can change them.
 */
#ifndef PETREL_UTIL_PEERCRED_H
#define PETREL_UTIL_PEERCRED_H

#include <stddef.h>
#include <sys/types.h>

/* peercred_get - the peer's pid and uid; 0, or -1 (not a UNIX socket) */
int peercred_get(int fd, pid_t *pid_r, uid_t *uid_r);
/* peercred_name - "client ID (pid P, uid U)", or "client ID" when the
 * credentials are not available, into out */
void peercred_name(int fd, unsigned long id, char *out, size_t size);

#endif
