/* SPDX-License-Identifier: MIT
 * pidfile - a pid file whose fcntl lock marks the running master.
 */
#include "mail/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "util/durable.h"
#include "util/err.h"

/* The file this process holds the lock on. fcntl locks belong to the
 * process and go away when it closes any descriptor of the file, so
 * pidfile_holder() must never open the file this process has locked. */
static struct {
    pid_t pid; /* the process that took the lock (a fork does not inherit it) */
    int fd;    /* the descriptor that holds it */
    dev_t dev;
    ino_t ino;
} held = { .fd = -1 };

/* holding - does this process still hold the lock on the file st names? */
static int holding(const struct stat *st)
{
    struct stat now;

    return held.fd >= 0 && held.pid == getpid() && st->st_dev == held.dev && st->st_ino == held.ino
           && fstat(held.fd, &now) == 0 && now.st_dev == held.dev && now.st_ino == held.ino;
}

/* pidfile_lock - take the lock and record our pid */
int pidfile_lock(const char *path, int *fd_r, const char **error_r)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char text[32];
    int fd, n;
    pid_t holder;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return errf(error_r, "open %s: %s", path, strerror(errno));
    if (fcntl(fd, F_SETLK, &fl) < 0) {
        int saved = errno;

        close(fd);
        if (saved == EAGAIN || saved == EACCES) {
            holder = pidfile_holder(path);
            return errf(error_r, "a master is already running for this configuration (pid %ld)",
                        (long)holder);
        }
        return errf(error_r, "lock %s: %s", path, strerror(saved));
    }
    {
        struct stat st;

        if (fstat(fd, &st) == 0) {
            held.pid = getpid();
            held.fd = fd;
            held.dev = st.st_dev;
            held.ino = st.st_ino;
        }
    }
    n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        int saved = errno;

        close(fd);
        return errf(error_r, "write %s: %s", path, strerror(saved));
    }
    *fd_r = fd;
    return 0;
}

/* pidfile_holder - who holds the lock */
pid_t pidfile_holder(const char *path)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct stat st;
    pid_t pid = 0;
    int fd;

    if (stat(path, &st) == 0 && holding(&st))
        return getpid();
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    /* F_GETLK needs a descriptor open for the lock type's access mode only
     * on some systems; Linux accepts a read-only descriptor here. */
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
        pid = fl.l_pid;
    close(fd);
    return pid;
}
