/* SPDX-License-Identifier: MIT
 * maildir_deliver - durable delivery of one message into a maildir.
 *
 * Order (DESIGN invariant 1, THREATS F13/F14): create tmp/NAME with
 * O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600; write the caller's header lines,
 * then the content (from memory, or pread from an fd at an offset, so a
 * queue file can be passed as it is), converting CRLF to LF if asked;
 * fsync the file; rename it to new/NAME,S=<size>,W=<vsize> (never
 * replacing an entry; link+unlink where rename cannot refuse to replace);
 * fsync new/. Only then is the delivery durable and may be reported.
 *
 * Group commit: maildir_deliver_begin/_write/_copy_fd/_finish do all but
 * the last step and return the directory whose fsync is still owed;
 * maildir_dirsync does that fsync once for a batch of deliveries. The
 * one-call maildir_deliver does both.
 *
 * On failure the tmp file is unlinked and nothing is left in new/; the
 * result says whether to defer (MAILDIR_TEMPFAIL: ENOSPC, EDQUOT, EIO and
 * any cause not known to be permanent) or bounce (MAILDIR_PERMFAIL: EFBIG
 * for the size limit, ELOOP for a symlink in the store, ...), errno holds
 * the cause and *error_r a precise text naming the path.
 *
 * Every file-system step goes through maildir_trace.h, so tests check the
 * order of operations and make any step fail.
 *
 * See also: maildir_name.h, maildir_folder.h, docs/maildir.md.
 */
#ifndef PETREL_MAILDIR_DELIVER_H
#define PETREL_MAILDIR_DELIVER_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "maildir/maildir_name.h"
#include "maildir/maildir_trace.h"

enum maildir_result {
    MAILDIR_OK = 0,
    MAILDIR_TEMPFAIL, /* defer and retry later */
    MAILDIR_PERMFAIL, /* bounce */
};

enum maildir_eol {
    MAILDIR_EOL_KEEP,       /* copy bytes as they are */
    MAILDIR_EOL_CRLF_TO_LF, /* "\r\n" becomes "\n"; a lone CR stays */
};

struct maildir_deliver_opts {
    const char *headers; /* lines written first ("Return-Path: <a@b>\n..."), or NULL */
    size_t headers_len;
    enum maildir_eol eol; /* applies to the headers and the content */
    uint64_t max_size;    /* limit on the file's final size; 0: none */
};

/* where the content comes from: data (len bytes), or if data is NULL,
 * len bytes of fd starting at offset (read with pread) */
struct maildir_content {
    const void *data;
    int fd;
    uint64_t offset;
    uint64_t len;
};

struct maildir_delivered {
    char name[MAILDIR_NAME_MAX + 1]; /* the file's name in new/ */
    char new_dir[PATH_MAX];          /* MAILDIR/new: the directory to fsync */
    uint64_t size;                   /* file size (",S=") */
    uint64_t vsize;                  /* size with CRLF line ends (",W=") */
};

struct maildir_delivery;

/* maildir_deliver_begin - create the tmp file in the maildir at path and
 * write opts->headers (opts NULL: no headers, bytes kept, no limit); the
 * maildir must exist (maildir_create) */
enum maildir_result maildir_deliver_begin(const char *path, const struct maildir_deliver_opts *opts,
                                          struct maildir_delivery **d_r, const char **error_r);
/* maildir_deliver_write - append len bytes of content */
enum maildir_result maildir_deliver_write(struct maildir_delivery *d, const void *data, size_t len,
                                          const char **error_r);
/* maildir_deliver_copy_fd - append len bytes of fd read from offset */
enum maildir_result maildir_deliver_copy_fd(struct maildir_delivery *d, int fd, uint64_t offset, uint64_t len,
                                            const char **error_r);
/* maildir_deliver_finish - fsync, rename into new/ and fill *out; the new
 * entry is durable only after maildir_dirsync(out->new_dir). Always
 * consumes *d_r (on failure the tmp file is unlinked) */
enum maildir_result maildir_deliver_finish(struct maildir_delivery **d_r, struct maildir_delivered *out,
                                           const char **error_r);
/* maildir_deliver_abort - give up: unlink the tmp file, free; accepts NULL */
void maildir_deliver_abort(struct maildir_delivery **d_r);

/* maildir_dirsync - fsync a directory (once per batch of deliveries) */
enum maildir_result maildir_dirsync(const char *dir, const char **error_r);
/* maildir_deliver_revoke - unlink a finished delivery whose dirsync failed
 * (so that the deferred retry does not leave a duplicate) */
int maildir_deliver_revoke(const struct maildir_delivered *out, const char **error_r);

/* maildir_deliver - the whole delivery, durable when MAILDIR_OK */
enum maildir_result maildir_deliver(const char *path, const struct maildir_deliver_opts *opts,
                                    const struct maildir_content *content, struct maildir_delivered *out,
                                    const char **error_r);

/* maildir_errno_result - how an errno classifies: MAILDIR_PERMFAIL for
 * EFBIG, ELOOP, ENOTDIR, ENAMETOOLONG, EINVAL; MAILDIR_TEMPFAIL otherwise */
enum maildir_result maildir_errno_result(int errnum);

#endif
