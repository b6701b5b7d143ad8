/* SPDX-License-Identifier: MIT
 * pickup_file - opening, judging and parsing one maildrop file (the rules
 * are in pickup_file.h).
 *
 * Owns nothing beyond one call: the descriptor it opens goes to the
 * caller, the derived drop is the caller's to free. Trusts nothing in the
 * file or its metadata; every step that fails says why, for the log line
 * "maildrop/NAME from uid N: why".
 */
#include "pickup_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "smtp/smtp_addr_canon.h"
#include "util/alloc.h"
#include "util/err.h"

/* judge_unfinished - a file still being written, or abandoned */
static enum pickup_open_result judge_unfinished(const struct stat *st, const struct pickup_limits *lim,
                                                time_t now, const char **why_r)
{
    if (now - st->st_mtime <= lim->stale_sec)
        return PICKUP_OPEN_WRITING;
    *why_r = err_fmt("still being written (mode %04o) after %lld seconds (maildrop_stale_time)",
                     (unsigned)(st->st_mode & 07777), (long long)(now - st->st_mtime));
    return PICKUP_OPEN_STALE;
}

/* open_failed - why openat refused: look at the entry without opening it */
static enum pickup_open_result open_failed(int dirfd, const char *name, int err,
                                           const struct pickup_limits *lim, time_t now, uid_t *uid_r,
                                           const char **why_r)
{
    struct stat st;

    if (err == ENOENT)
        return PICKUP_OPEN_GONE;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return PICKUP_OPEN_GONE;
        *why_r = err_fmt("stat: %s", strerror(errno));
        return PICKUP_OPEN_ERROR;
    }
    *uid_r = st.st_uid;
    if (S_ISLNK(st.st_mode)) {
        *why_r = "a symbolic link, not a drop file";
        return PICKUP_OPEN_REFUSE;
    }
    if (!S_ISREG(st.st_mode)) {
        *why_r = "not a regular file";
        return PICKUP_OPEN_REFUSE;
    }
    if (err == EACCES) /* mode 0600 of another user: still being written */
        return judge_unfinished(&st, lim, now, why_r);
    *why_r = err_fmt("open: %s", strerror(err));
    return PICKUP_OPEN_ERROR;
}

/* judge_open - the checks on the open file */
static enum pickup_open_result judge_open(const struct stat *st, const struct pickup_limits *lim, time_t now,
                                          const char **why_r)
{
    mode_t mode = st->st_mode & 07777;

    if (!S_ISREG(st->st_mode)) {
        *why_r = "not a regular file";
        return PICKUP_OPEN_REFUSE;
    }
    if (st->st_nlink != 1) {
        *why_r = err_fmt("has %lu links, not 1", (unsigned long)st->st_nlink);
        return PICKUP_OPEN_REFUSE;
    }
    if (mode == MAILDROP_WRITING_MODE)
        return judge_unfinished(st, lim, now, why_r);
    if (mode != MAILDROP_READY_MODE) {
        *why_r = err_fmt("mode %04o, not %04o", (unsigned)mode, MAILDROP_READY_MODE);
        return PICKUP_OPEN_REFUSE;
    }
    if (st->st_size < 0 || (uint64_t)st->st_size > lim->content_max + PICKUP_ENVELOPE_MAX) {
        *why_r = err_fmt("%lld bytes: larger than message_size_limit allows", (long long)st->st_size);
        return PICKUP_OPEN_REFUSE;
    }
    return PICKUP_OPEN_READY;
}

/* pickup_file_open - open without following links or blocking, then judge */
enum pickup_open_result pickup_file_open(int dirfd, const char *name, const struct pickup_limits *lim,
                                         time_t now, int *fd_r, uid_t *uid_r, const char **why_r)
{
    enum pickup_open_result r;
    struct stat st;
    int fd;

    *fd_r = -1;
    *uid_r = (uid_t)-1;
    *why_r = NULL;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return open_failed(dirfd, name, errno, lim, now, uid_r, why_r);
    if (fstat(fd, &st) < 0) {
        *why_r = err_fmt("fstat: %s", strerror(errno));
        close(fd);
        return PICKUP_OPEN_ERROR;
    }
    *uid_r = st.st_uid;
    r = judge_open(&st, lim, now, why_r);
    if (r != PICKUP_OPEN_READY) {
        close(fd);
        return r;
    }
    *fd_r = fd;
    return PICKUP_OPEN_READY;
}

/* qualify - check an address as an SMTP path; a bare local part gets
 * "@" origin */
static int qualify(const char *what, const char *addr, const char *origin, char **out_r, const char **error_r)
{
    char out[SMTP_PATH_MAX + 1];
    const char *why;

    if (smtp_addr_qualify(addr, strlen(addr), false, origin, out, &why) < 0)
        return errf(error_r, "%s \"%.100s\": %s", what, addr, why);
    *out_r = xstrdup(out);
    return 0;
}

/* pickup_file_derive - the envelope pickup submits */
int pickup_file_derive(const struct qf_message *m, const char *myorigin, uint64_t content_max,
                       struct pickup_drop *d, const char **error_r)
{
    size_t i;

    memset(d, 0, sizeof(*d));
    if (maildrop_check(m, error_r) < 0)
        return -1;
    if (m->content_length > content_max)
        return errf(error_r, "content of %llu bytes exceeds message_size_limit (%llu)",
                    (unsigned long long)m->content_length, (unsigned long long)content_max);
    if (m->sender[0] == '\0')
        d->sender = xstrdup("");
    else if (qualify("the sender", m->sender, myorigin, &d->sender, error_r) < 0)
        return -1;
    d->rcpts = xcalloc(m->nrcpts, sizeof(*d->rcpts));
    for (i = 0; i < m->nrcpts; i++) {
        if (qualify(err_fmt("recipient %zu", i + 1), m->rcpts[i].address, myorigin, &d->rcpts[i], error_r)
            < 0) {
            pickup_drop_free(d);
            return -1;
        }
        d->nrcpts++;
    }
    d->content_offset = m->content_offset;
    d->content_length = m->content_length;
    return 0;
}

/* pickup_file_read - parse the open file, then derive */
int pickup_file_read(int fd, const char *myorigin, uint64_t content_max, struct pickup_drop *d,
                     const char **error_r)
{
    struct qf_message *m = NULL;
    int r;

    memset(d, 0, sizeof(*d));
    if (qf_read(fd, &m, error_r) < 0)
        return -1;
    r = pickup_file_derive(m, myorigin, content_max, d, error_r);
    qf_message_free(&m);
    return r;
}

/* pickup_file_parse - parse an image, then derive */
int pickup_file_parse(const void *data, size_t len, const char *myorigin, uint64_t content_max,
                      struct pickup_drop *d, const char **error_r)
{
    struct qf_message *m = NULL;
    int r;

    memset(d, 0, sizeof(*d));
    if (qf_parse(data, len, &m, error_r) < 0)
        return -1;
    r = pickup_file_derive(m, myorigin, content_max, d, error_r);
    qf_message_free(&m);
    return r;
}

/* pickup_drop_free - free and empty */
void pickup_drop_free(struct pickup_drop *d)
{
    size_t i;

    for (i = 0; i < d->nrcpts; i++)
        xfree(d->rcpts[i]);
    xfree(d->rcpts);
    xfree(d->sender);
    memset(d, 0, sizeof(*d));
}
