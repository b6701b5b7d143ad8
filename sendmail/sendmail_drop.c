/* SPDX-License-Identifier: MIT
 * sendmail_drop - one drop file in the maildrop directory (see
 * sendmail_drop.h).
 *
 * Trusts: the envelope it is given (already checked by sendmail_rcpt).
 * Limits: the content at most the caller's max (message_size_limit).
 */
#include "sendmail_drop.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/queue_file.h"
#include "util/alloc.h"
#include "util/err.h"

/* io_status - the status for a failed write: temporary for the errors a
 * later attempt may not meet */
static int io_status(int err)
{
    switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EAGAIN:
    case EINTR:
    case ENOMEM:
        return EX_TEMPFAIL;
    default:
        return EX_OSERR;
    }
}

/* sendmail_drop_dir_open - see sendmail_drop.h */
int sendmail_drop_dir_open(const char *queue_dir, int *fd_r, const char **error_r)
{
    char *path = xasprintf("%s/%s", queue_dir, MAILDROP_DIR);
    int fd, err;

    fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    err = errno;
    if (fd < 0) {
        errf(error_r, "mail system is not set up: no %s (%s)", path, strerror(err));
        xfree(path);
        return err == ENOENT || err == ENOTDIR ? EX_UNAVAILABLE : EX_OSFILE;
    }
    xfree(path);
    *fd_r = fd;
    return EX_OK;
}

/* sendmail_drop_begin - see sendmail_drop.h */
int sendmail_drop_begin(struct sendmail_drop *d, int dirfd, const char *sender,
                        const struct sendmail_rcpts *r, uint64_t max, const char **error_r)
{
    const char *why;
    size_t i;
    int err;

    d->w = NULL;
    if (maildrop_create(dirfd, &d->w, d->name, &why) < 0) {
        errf(error_r, "cannot create a file in the maildrop directory: %s", why);
        return EX_CANTCREAT;
    }
    errno = 0;
    if (qf_write(d->w, QF_SENDER, sender, strlen(sender), &why) < 0)
        goto fail;
    for (i = 0; i < r->n; i++) {
        if (qf_write(d->w, QF_RCPT, r->v[i], strlen(r->v[i]), &why) < 0)
            goto fail;
    }
    if (qf_content_begin(d->w, max, &why) < 0)
        goto fail;
    return EX_OK;
fail:
    err = errno;
    sendmail_drop_abort(d);
    errf(error_r, "cannot write the maildrop file: %s", why);
    return io_status(err);
}

/* sendmail_drop_write - see sendmail_drop.h */
int sendmail_drop_write(void *ctx, const char *p, size_t n, const char **error_r)
{
    struct sendmail_drop *d = ctx;
    const char *why;

    errno = 0;
    if (qf_content_write(d->w, p, n, &why) < 0) {
        errf(error_r, "cannot write the maildrop file: %s", why);
        return io_status(errno);
    }
    return EX_OK;
}

/* sendmail_drop_commit - see sendmail_drop.h */
int sendmail_drop_commit(struct sendmail_drop *d, const char **error_r)
{
    const char *why;
    int err;

    errno = 0;
    if (qf_content_end(d->w, &why) < 0 || maildrop_commit(d->w, &why) < 0) {
        err = errno;
        sendmail_drop_abort(d);
        errf(error_r, "cannot commit the maildrop file: %s", why);
        return io_status(err);
    }
    qf_writer_destroy(&d->w, false);
    return EX_OK;
}

/* sendmail_drop_abort - see sendmail_drop.h */
void sendmail_drop_abort(struct sendmail_drop *d)
{
    qf_writer_destroy(&d->w, true);
}
