/* SPDX-License-Identifier: MIT
 * maildir_trace - a record of the file-system steps of a delivery, and a
 * hook that makes one step fail, so tests can check the order of
 * operations (write, fsync file, rename, fsync new/) and every failure
 * path without strace or a full disk. Always compiled: a step costs a
 * comparison and a store.
 *
 * See also: maildir_deliver.h.
 */
#ifndef PETREL_MAILDIR_TRACE_H
#define PETREL_MAILDIR_TRACE_H

#include <stddef.h>

enum maildir_op {
    MAILDIR_OP_CREATE,     /* open(tmp/NAME, O_CREAT|O_EXCL) */
    MAILDIR_OP_WRITE,      /* write to the tmp file */
    MAILDIR_OP_FSYNC_FILE, /* fsync of the file */
    MAILDIR_OP_CLOSE,      /* close of the file */
    MAILDIR_OP_RENAME,     /* rename tmp/NAME -> new/NAME,S=.. */
    MAILDIR_OP_LINK,       /* link, where rename without replace is unsupported */
    MAILDIR_OP_UNLINK,     /* unlink (tmp after link; cleanup on failure) */
    MAILDIR_OP_FSYNC_DIR,  /* fsync of new/ */
    MAILDIR_OP_PREAD,      /* pread of the content */
};
#define MAILDIR_TRACE_MAX 64
struct maildir_trace {
    enum maildir_op ops[MAILDIR_TRACE_MAX]; /* the first MAILDIR_TRACE_MAX steps */
    size_t count;                           /* steps since the reset */
};
/* maildir_trace_reset - forget recorded steps and pending failures */
void maildir_trace_reset(void);
/* maildir_trace_get - the steps since the last reset */
const struct maildir_trace *maildir_trace_get(void);
/* maildir_trace_fail - make the next step op fail with errnum (a test hook) */
void maildir_trace_fail(enum maildir_op op, int errnum);

/* maildir_trace_step - record op before doing it; -1 with errno set when
 * a failure was armed for it (for this library's own use) */
int maildir_trace_step(enum maildir_op op);

#endif
