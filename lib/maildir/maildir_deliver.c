/* SPDX-License-Identifier: MIT
 * maildir_deliver - write a message to tmp/, fsync it, rename it into new/
 * and fsync new/, with CRLF to LF conversion, a size limit and the final
 * ",S=" and ",W=" sizes computed while writing.
 *
 * Input trusted: the maildir path and headers come from the caller (the
 * user database and the queue manager); the content is copied as bytes.
 * Limits: opts->max_size on the file; MAILDIR_CREATE_TRIES names tried.
 */
#include "maildir/maildir_deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "maildir/maildir_folder.h"
#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

#define MAILDIR_CREATE_TRIES 8
#define MAILDIR_IO_SIZE 65536

struct maildir_delivery {
    char path[PATH_MAX - 16];            /* the maildir (room left for "/new") */
    char tmp_name[MAILDIR_NAME_MAX + 1]; /* the file's name in tmp/ */
    int tmpdir_fd, newdir_fd, fd;
    enum maildir_eol eol;
    uint64_t max_size, size, vsize;
    bool pending_cr;            /* the last chunk ended in CR (CRLF to LF) */
    bool last_cr;               /* the last byte written was CR */
    enum maildir_result failed; /* a failed write; finish reports it again */
    int failed_errno;
    const char *failed_text;
    size_t olen;
    char obuf[MAILDIR_IO_SIZE];
};

/* maildir_errno_result - the few causes that retrying cannot fix */
enum maildir_result maildir_errno_result(int errnum)
{
    switch (errnum) {
    case EFBIG:
    case ELOOP:
    case ENOTDIR:
    case ENAMETOOLONG:
    case EINVAL:
        return MAILDIR_PERMFAIL;
    default:
        return MAILDIR_TEMPFAIL;
    }
}

/* fail - format the error, leave errno set, return the classification */
static enum maildir_result fail(int errnum, const char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum maildir_result fail(int errnum, const char **error_r, const char *fmt, ...)
{
    char text[ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    errf(error_r, "%s: %s", text, strerror(errnum));
    errno = errnum;
    return maildir_errno_result(errnum);
}

/* delivery_free - close descriptors, unlink the tmp file if asked, free */
static void delivery_free(struct maildir_delivery **d_r, bool unlink_tmp)
{
    struct maildir_delivery *d = *d_r;
    int saved = errno;

    if (d == NULL)
        return;
    if (d->fd >= 0)
        close(d->fd);
    if (unlink_tmp && d->tmp_name[0] != '\0') {
        maildir_trace_step(MAILDIR_OP_UNLINK);
        unlinkat(d->tmpdir_fd, d->tmp_name, 0);
    }
    if (d->tmpdir_fd >= 0)
        close(d->tmpdir_fd);
    if (d->newdir_fd >= 0)
        close(d->newdir_fd);
    xfree(*d_r);
    errno = saved;
}

/* open_dirs - open the maildir's tmp/ and new/ without following symlinks */
static enum maildir_result open_dirs(struct maildir_delivery *d, const char **error_r)
{
    int fd = maildir_open_dir(d->path, error_r);

    if (fd < 0)
        return maildir_errno_result(errno);
    d->tmpdir_fd = maildir_open_sub(fd, d->path, "tmp", error_r);
    if (d->tmpdir_fd >= 0)
        d->newdir_fd = maildir_open_sub(fd, d->path, "new", error_r);
    close(fd);
    if (d->tmpdir_fd < 0 || d->newdir_fd < 0)
        return maildir_errno_result(errno);
    return MAILDIR_OK;
}

/* create_tmp - a new file in tmp/ under a fresh unique name */
static enum maildir_result create_tmp(struct maildir_delivery *d, const char **error_r)
{
    int i, saved;

    for (i = 0; i < MAILDIR_CREATE_TRIES; i++) {
        if (maildir_name_new(d->tmp_name, sizeof(d->tmp_name), error_r) < 0) {
            d->tmp_name[0] = '\0';
            errno = ENAMETOOLONG;
            return MAILDIR_PERMFAIL;
        }
        if (maildir_trace_step(MAILDIR_OP_CREATE) == 0)
            d->fd =
                openat(d->tmpdir_fd, d->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (d->fd >= 0)
            return MAILDIR_OK;
        if (errno != EEXIST)
            break;
    }
    /* no name left to unlink: the file was never created */
    saved = errno;
    d->tmp_name[0] = '\0';
    return fail(saved, error_r, "create file in %s/tmp", d->path);
}

/* maildir_deliver_begin - start a delivery into the maildir at path */
enum maildir_result maildir_deliver_begin(const char *path, const struct maildir_deliver_opts *opts,
                                          struct maildir_delivery **d_r, const char **error_r)
{
    static const struct maildir_deliver_opts defaults = { NULL, 0, MAILDIR_EOL_KEEP, 0 };
    struct maildir_delivery *d = xcalloc(1, sizeof(*d));
    enum maildir_result r;

    if (opts == NULL)
        opts = &defaults;
    d->tmpdir_fd = d->newdir_fd = d->fd = -1;
    d->eol = opts->eol;
    d->max_size = opts->max_size;
    *d_r = NULL;
    if (snprintf(d->path, sizeof(d->path), "%s", path) >= (int)sizeof(d->path)) {
        xfree(d);
        return fail(ENAMETOOLONG, error_r, "maildir path %.64s...", path);
    }
    r = open_dirs(d, error_r);
    if (r == MAILDIR_OK)
        r = create_tmp(d, error_r);
    if (r == MAILDIR_OK && opts->headers != NULL && opts->headers_len > 0)
        r = maildir_deliver_write(d, opts->headers, opts->headers_len, error_r);
    if (r != MAILDIR_OK) {
        delivery_free(&d, true);
        return r;
    }
    *d_r = d;
    return MAILDIR_OK;
}

/* flush - write the output buffer to the file */
static int flush(struct maildir_delivery *d)
{
    if (d->olen == 0)
        return 0;
    if (maildir_trace_step(MAILDIR_OP_WRITE) < 0 || write_full(d->fd, d->obuf, d->olen) < 0)
        return -1;
    d->olen = 0;
    return 0;
}

/* emit - append converted bytes: size limit, vsize, buffered write */
static int emit(struct maildir_delivery *d, const char *p, size_t n)
{
    const char *end = p + n, *lf;

    if (n == 0)
        return 0;
    if (d->max_size != 0 && (n > d->max_size || d->size > d->max_size - n)) {
        errno = EFBIG;
        return -1;
    }
    d->size += n;
    d->vsize += n;
    /* the virtual size counts each bare LF as CRLF, as IMAP clients see it */
    for (lf = p; (lf = memchr(lf, '\n', (size_t)(end - lf))) != NULL; lf++) {
        if (lf == p ? !d->last_cr : lf[-1] != '\r')
            d->vsize++;
    }
    d->last_cr = end[-1] == '\r';
    while (n > 0) {
        size_t room = sizeof(d->obuf) - d->olen, take = n < room ? n : room;

        memcpy(d->obuf + d->olen, p, take);
        d->olen += take;
        p += take;
        n -= take;
        if (d->olen == sizeof(d->obuf) && flush(d) < 0)
            return -1;
    }
    return 0;
}

/* convert - CRLF to LF across chunk boundaries, then emit */
static int convert(struct maildir_delivery *d, const char *p, size_t n)
{
    const char *end = p + n, *cr;

    if (d->eol == MAILDIR_EOL_KEEP)
        return emit(d, p, n);
    if (d->pending_cr && n > 0) {
        d->pending_cr = false;
        if (p[0] != '\n' && emit(d, "\r", 1) < 0)
            return -1;
    }
    while (p < end) {
        cr = memchr(p, '\r', (size_t)(end - p));
        if (cr == NULL)
            return emit(d, p, (size_t)(end - p));
        if (emit(d, p, (size_t)(cr - p)) < 0)
            return -1;
        if (cr + 1 == end) {
            d->pending_cr = true;
            return 0;
        }
        /* "\r\n" keeps only the "\n" (emitted with the next segment) */
        p = cr[1] == '\n' ? cr + 1 : cr;
        if (p == cr) {
            if (emit(d, "\r", 1) < 0)
                return -1;
            p++;
        }
    }
    return 0;
}

/* set_failed - remember a failure so later calls and finish report it */
static enum maildir_result set_failed(struct maildir_delivery *d, int errnum, const char *text,
                                      const char **error_r)
{
    d->failed = maildir_errno_result(errnum);
    d->failed_errno = errnum;
    d->failed_text = text;
    if (error_r != NULL)
        *error_r = text;
    errno = errnum;
    return d->failed;
}

/* write_failed - a failed write or the size limit */
static enum maildir_result write_failed(struct maildir_delivery *d, const char **error_r)
{
    int saved = errno;

    if (saved == EFBIG)
        return set_failed(d, saved,
                          err_fmt("message for %s is larger than the limit of %llu bytes", d->path,
                                  (unsigned long long)d->max_size),
                          error_r);
    return set_failed(d, saved, err_fmt("write %s/tmp/%s: %s", d->path, d->tmp_name, strerror(saved)),
                      error_r);
}

/* maildir_deliver_write - append content */
enum maildir_result maildir_deliver_write(struct maildir_delivery *d, const void *data, size_t len,
                                          const char **error_r)
{
    if (d->failed != MAILDIR_OK)
        return set_failed(d, d->failed_errno, d->failed_text, error_r);
    if (convert(d, data, len) < 0)
        return write_failed(d, error_r);
    return MAILDIR_OK;
}

/* maildir_deliver_copy_fd - append len bytes of fd from offset */
enum maildir_result maildir_deliver_copy_fd(struct maildir_delivery *d, int fd, uint64_t offset, uint64_t len,
                                            const char **error_r)
{
    static char ibuf[MAILDIR_IO_SIZE];
    enum maildir_result r;
    ssize_t got;

    while (len > 0) {
        size_t want = len < sizeof(ibuf) ? (size_t)len : sizeof(ibuf);

        if (maildir_trace_step(MAILDIR_OP_PREAD) < 0)
            got = -1;
        else
            got = pread(fd, ibuf, want, (off_t)offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            int saved = got == 0 ? EIO : errno;

            return set_failed(d, saved,
                              err_fmt("read message content at offset %llu: %s", (unsigned long long)offset,
                                      got == 0 ? "unexpected end of file" : strerror(saved)),
                              error_r);
        }
        if ((r = maildir_deliver_write(d, ibuf, (size_t)got, error_r)) != MAILDIR_OK)
            return r;
        offset += (uint64_t)got;
        len -= (uint64_t)got;
    }
    return MAILDIR_OK;
}

/* final_name - base plus the ",S=" and ",W=" fields */
static int final_name(const struct maildir_delivery *d, const char *base, char *dst, size_t size,
                      const char **error_r)
{
    struct maildir_name n;

    memset(&n, 0, sizeof(n));
    snprintf(n.base, sizeof(n.base), "%s", base);
    n.has_size = n.has_vsize = true;
    n.size = d->size;
    n.vsize = d->vsize;
    return maildir_name_format(&n, dst, size, error_r);
}

/* move_to_new - tmp/NAME to new/FINAL, never replacing an entry: rename
 * with RENAME_NOREPLACE, or link and unlink where that is unsupported */
static int move_to_new(struct maildir_delivery *d, const char *final)
{
    if (maildir_trace_step(MAILDIR_OP_RENAME) == 0
        && renameat2(d->tmpdir_fd, d->tmp_name, d->newdir_fd, final, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (maildir_trace_step(MAILDIR_OP_LINK) < 0
        || linkat(d->tmpdir_fd, d->tmp_name, d->newdir_fd, final, 0) < 0)
        return -1;
    /* a failed unlink leaves a second name in tmp/, which the cleaner removes */
    maildir_trace_step(MAILDIR_OP_UNLINK);
    unlinkat(d->tmpdir_fd, d->tmp_name, 0);
    return 0;
}

/* finish_failed - report a failure of finish and clean up */
static enum maildir_result finish_failed(struct maildir_delivery **d_r, const char *what, const char *more,
                                         const char **error_r)
{
    struct maildir_delivery *d = *d_r;
    enum maildir_result r = fail(errno, error_r, "%s %s/tmp/%s%s", what, d->path, d->tmp_name, more);

    delivery_free(d_r, true);
    return r;
}

/* sync_and_close - flush what is buffered, fsync, close */
static int sync_and_close(struct maildir_delivery *d, const char **what_r)
{
    int ret = 0, saved = 0;

    *what_r = "write";
    if (d->pending_cr) {
        d->pending_cr = false;
        if (emit(d, "\r", 1) < 0)
            return -1;
    }
    if (flush(d) < 0)
        return -1;
    *what_r = "fsync";
    if (maildir_trace_step(MAILDIR_OP_FSYNC_FILE) < 0 || fsync(d->fd) < 0)
        return -1;
    *what_r = "close";
    if (maildir_trace_step(MAILDIR_OP_CLOSE) < 0) {
        ret = -1;
        saved = errno;
    }
    if (close(d->fd) < 0 && ret == 0) {
        ret = -1;
        saved = errno;
    }
    d->fd = -1;
    errno = saved;
    return ret;
}

/* maildir_deliver_finish - make the file durable and move it into new/ */
enum maildir_result maildir_deliver_finish(struct maildir_delivery **d_r, struct maildir_delivered *out,
                                           const char **error_r)
{
    struct maildir_delivery *d = *d_r;
    char base[MAILDIR_NAME_MAX + 1];
    const char *what;
    int i;

    memset(out, 0, sizeof(*out));
    if (d->failed != MAILDIR_OK) {
        enum maildir_result r = set_failed(d, d->failed_errno, d->failed_text, error_r);

        delivery_free(d_r, true);
        return r;
    }
    if (sync_and_close(d, &what) < 0) {
        if (errno == EFBIG) {
            enum maildir_result r = write_failed(d, error_r);

            delivery_free(d_r, true);
            return r;
        }
        return finish_failed(d_r, what, "", error_r);
    }
    snprintf(base, sizeof(base), "%s", d->tmp_name);
    for (i = 0; i < MAILDIR_CREATE_TRIES; i++) {
        if (final_name(d, base, out->name, sizeof(out->name), NULL) < 0) {
            errno = ENAMETOOLONG;
            return finish_failed(d_r, "name in new/ for", "", error_r);
        }
        if (move_to_new(d, out->name) == 0)
            break;
        /* a name taken in new/: the file keeps its tmp/ name, new/ gets a fresh one */
        if (errno != EEXIST || maildir_name_new(base, sizeof(base), NULL) < 0)
            return finish_failed(d_r, "rename", " into new/", error_r);
    }
    if (i == MAILDIR_CREATE_TRIES) {
        errno = EEXIST;
        return finish_failed(d_r, "rename", " into new/", error_r);
    }
    snprintf(out->new_dir, sizeof(out->new_dir), "%s/new", d->path);
    out->size = d->size;
    out->vsize = d->vsize;
    delivery_free(d_r, false);
    return MAILDIR_OK;
}

/* maildir_deliver_abort - abandon a delivery */
void maildir_deliver_abort(struct maildir_delivery **d_r)
{
    delivery_free(d_r, true);
}

/* maildir_dirsync - make the entries of a directory durable */
enum maildir_result maildir_dirsync(const char *dir, const char **error_r)
{
    int fd = maildir_open_dir(dir, error_r);

    if (fd < 0)
        return maildir_errno_result(errno);
    if (maildir_trace_step(MAILDIR_OP_FSYNC_DIR) < 0 || fsync(fd) < 0) {
        int saved = errno;

        close(fd);
        return fail(saved, error_r, "fsync directory %s", dir);
    }
    close(fd);
    return MAILDIR_OK;
}

/* maildir_deliver_revoke - remove a delivered file again */
int maildir_deliver_revoke(const struct maildir_delivered *out, const char **error_r)
{
    char path[PATH_MAX];

    if (snprintf(path, sizeof(path), "%s/%s", out->new_dir, out->name) >= (int)sizeof(path))
        return errf(error_r, "path too long: %s", out->new_dir);
    if (maildir_trace_step(MAILDIR_OP_UNLINK) < 0 || unlink(path) < 0)
        return errf(error_r, "unlink %s: %s", path, strerror(errno));
    return 0;
}

/* maildir_deliver - begin, content, finish, dirsync */
enum maildir_result maildir_deliver(const char *path, const struct maildir_deliver_opts *opts,
                                    const struct maildir_content *content, struct maildir_delivered *out,
                                    const char **error_r)
{
    struct maildir_delivery *d;
    enum maildir_result r;

    memset(out, 0, sizeof(*out));
    if ((r = maildir_deliver_begin(path, opts, &d, error_r)) != MAILDIR_OK)
        return r;
    if (content->data != NULL)
        r = maildir_deliver_write(d, content->data, (size_t)content->len, error_r);
    else
        r = maildir_deliver_copy_fd(d, content->fd, content->offset, content->len, error_r);
    if (r != MAILDIR_OK) {
        maildir_deliver_abort(&d);
        return r;
    }
    if ((r = maildir_deliver_finish(&d, out, error_r)) != MAILDIR_OK)
        return r;
    if ((r = maildir_dirsync(out->new_dir, error_r)) != MAILDIR_OK) {
        int saved = errno;

        /* not durable: take it back, so the deferred retry leaves no duplicate */
        maildir_deliver_revoke(out, NULL);
        errno = saved;
    }
    return r;
}
