/* SPDX-License-Identifier: MIT
 * peercred - the credentials of a UNIX socket's peer, and a printable name
 * built from them.
 */
#include "util/peercred.h"

#include <stdio.h>
#include <sys/socket.h>

/* peercred_get - SO_PEERCRED of fd */
int peercred_get(int fd, pid_t *pid_r, uid_t *uid_r)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
        return -1;
    *pid_r = cred.pid;
    *uid_r = cred.uid;
    return 0;
}

/* peercred_name - a client's name for log lines */
void peercred_name(int fd, unsigned long id, char *out, size_t size)
{
    pid_t pid;
    uid_t uid;

    if (peercred_get(fd, &pid, &uid) == 0)
        snprintf(out, size, "client %lu (pid %ld, uid %ld)", id, (long)pid, (long)uid);
    else
        snprintf(out, size, "client %lu", id);
}
