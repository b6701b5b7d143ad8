/* SPDX-License-Identifier: MIT
 * durable - file writes that are on disk, with their names, before success
 * is reported: temporary file, fsync, rename, fsync of the directory.
 */
#include "util/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/err.h"

/* fsync_dir - fsync a directory */
int fsync_dir(const char *path, const char **error_r)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return errf(error_r, "open directory %s: %s", path, strerror(errno));
    if (fsync(fd) < 0) {
        int saved = errno;

        close(fd);
        return errf(error_r, "fsync directory %s: %s", path, strerror(saved));
    }
    close(fd);
    return 0;
}

/* fsync_parent_dir - fsync the directory holding path */
int fsync_parent_dir(const char *path, const char **error_r)
{
    char copy[PATH_MAX];

    if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
        return errf(error_r, "path too long: %s", path);
    return fsync_dir(dirname(copy), error_r);
}

/* write_full - write everything */
int write_full(int fd, const void *p, size_t n)
{
    const char *cp = p;

    while (n > 0) {
        ssize_t w = write(fd, cp, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        cp += w;
        n -= (size_t)w;
    }
    return 0;
}

/* durable_write_file - atomic, durable replacement of a file. The
 * temporary name is random (mkostemp): a temporary left by a crash never
 * blocks a later write, and nothing already at some name is written
 * through. */
int durable_write_file(const char *path, const void *data, size_t len, mode_t mode, const char **error_r)
{
    char tmp[PATH_MAX];
    int fd, saved;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
        return errf(error_r, "path too long: %s", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return errf(error_r, "create a temporary file for %s: %s", path, strerror(errno));
    if (fchmod(fd, mode) < 0 || write_full(fd, data, len) < 0 || fsync(fd) < 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        return errf(error_r, "write %s: %s", tmp, strerror(saved));
    }
    if (close(fd) < 0) {
        saved = errno;
        unlink(tmp);
        return errf(error_r, "close %s: %s", tmp, strerror(saved));
    }
    if (rename(tmp, path) < 0) {
        saved = errno;
        unlink(tmp);
        return errf(error_r, "rename %s to %s: %s", tmp, path, strerror(saved));
    }
    return fsync_parent_dir(path, error_r);
}

/* durable_rename - rename and make both directory entries durable */
int durable_rename(const char *from, const char *to, const char **error_r)
{
    char a[PATH_MAX], b[PATH_MAX];
    const char *from_dir, *to_dir;

    /* dirname() may modify its argument or return a static ".": copy the
     * names first, and check their lengths before anything changes. */
    if (snprintf(a, sizeof(a), "%s", from) >= (int)sizeof(a)
        || snprintf(b, sizeof(b), "%s", to) >= (int)sizeof(b))
        return errf(error_r, "path too long: %s", strlen(from) >= sizeof(a) ? from : to);
    from_dir = dirname(a);
    to_dir = dirname(b);
    if (rename(from, to) < 0)
        return errf(error_r, "rename %s to %s: %s", from, to, strerror(errno));
    if (fsync_dir(to_dir, error_r) < 0)
        return -1;
    if (strcmp(from_dir, to_dir) != 0)
        return fsync_dir(from_dir, error_r);
    return 0;
}

/* read_file - slurp a bounded regular file */
int read_file(const char *path, size_t max, char **data_r, size_t *len_r, const char **error_r)
{
    struct stat st;
    char *data;
    size_t got = 0;
    /* O_NONBLOCK: a FIFO must fail the regular-file check below, not hang
     * the open; it changes nothing for regular files. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return errf(error_r, "open %s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return errf(error_r, "%s: not a regular file", path);
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return errf(error_r, "%s: larger than %zu bytes", path, max);
    }
    data = xmalloc((size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, data + got, (size_t)st.st_size - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;

            close(fd);
            xfree(data);
            return errf(error_r, "read %s: %s", path, strerror(saved));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    data[got] = '\0';
    *data_r = data;
    *len_r = got;
    return 0;
}
