/* SPDX-License-Identifier: MIT
 * qmgr_pool - recycled queue files in queue/free/ (see qmgr_pool.h).
 */
#include "qmgr_pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/queue_id.h"
#include "util/alloc.h"
#include "util/msg.h"

struct qmgr_pool {
    int dirfd;
    size_t limit, count;
    char (*names)[QUEUE_ID_LEN + 1]; /* a stack of limit names */
};

/* push - remember a name (the caller checked there is room) */
static void push(struct qmgr_pool *p, const char *name)
{
    memcpy(p->names[p->count], name, QUEUE_ID_LEN + 1);
    p->count++;
}

/* load - the valid names already in free/; the rest is not ours, or extra */
static void load(struct qmgr_pool *p)
{
    int fd = openat(p->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct dirent *de;
    DIR *d;

    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        msg_warn("queue/free: %m");
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (!queue_id_valid(de->d_name)) {
            msg_warn("queue/free/%s: not a queue file name, left alone", de->d_name);
            continue;
        }
        if (p->count < p->limit)
            push(p, de->d_name);
        else if (unlinkat(p->dirfd, de->d_name, 0) < 0)
            msg_warn("unlink queue/free/%s: %m", de->d_name);
    }
    closedir(d);
}

/* qmgr_pool_open - the pool, filled from free/ */
struct qmgr_pool *qmgr_pool_open(int free_dirfd, size_t limit)
{
    struct qmgr_pool *p = xcalloc(1, sizeof(*p));

    p->dirfd = free_dirfd;
    p->limit = limit;
    if (limit > 0) {
        p->names = xreallocarray(NULL, limit, sizeof(*p->names));
    }
    load(p);
    return p;
}

/* qmgr_pool_close - free */
void qmgr_pool_close(struct qmgr_pool **p_r)
{
    struct qmgr_pool *p = *p_r;

    if (p == NULL)
        return;
    *p_r = NULL;
    xfree(p->names);
    xfree(p);
}

/* open_moved - open dirfd/name, which must be an empty regular file of
 * one link (truncate it if it somehow is not empty); fd or -1 */
static int open_moved(int dirfd, const char *name)
{
    struct stat st;
    int fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        msg_warn("recycled queue file %s: open: %m; dropped", name);
        if (unlinkat(dirfd, name, 0) < 0)
            msg_warn("unlink %s: %m", name);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1
        || (st.st_size != 0 && ftruncate(fd, 0) < 0)) {
        msg_warn("recycled queue file %s: not an empty regular file of one link, dropped", name);
        close(fd);
        if (unlinkat(dirfd, name, 0) < 0)
            msg_warn("unlink %s: %m", name);
        return -1;
    }
    return fd;
}

/* qmgr_pool_take - a pooled file, now dirfd/name */
int qmgr_pool_take(struct qmgr_pool *p, int dirfd, const char *name)
{
    while (p->count > 0) {
        const char *old = p->names[--p->count];

        if (renameat(p->dirfd, old, dirfd, name) < 0) {
            msg_warn("recycling queue/free/%s: rename: %m", old);
            continue;
        }
        return open_moved(dirfd, name);
    }
    return -1;
}

/* qmgr_pool_put - truncate first, then rename (the order that keeps a
 * crash from ever leaving old content in free/... or under a new name) */
void qmgr_pool_put(struct qmgr_pool *p, int dirfd, const char *name, int fd)
{
    if (p->count < p->limit && ftruncate(fd, 0) == 0 && renameat(dirfd, name, p->dirfd, name) == 0) {
        push(p, name);
        close(fd);
        return;
    }
    close(fd);
    if (unlinkat(dirfd, name, 0) < 0)
        msg_warn("unlink queue file %s: %m", name);
}

/* qmgr_pool_count - files in the pool */
size_t qmgr_pool_count(const struct qmgr_pool *p)
{
    return p->count;
}
