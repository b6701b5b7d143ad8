/* SPDX-License-Identifier: MIT
 * sendmail_drop - writing one message into $queue_directory/maildrop as
 * the submitting user (the maildrop contract is mail/maildrop.h).
 *
 * The directory is mode 01733: a user may create files in it but not list
 * or read it, so it is opened O_PATH. The drop file gets F (the sender),
 * one R per recipient, then M streamed, then maildrop_commit makes it
 * durable and visible to pickup. Any failure removes the file.
 *
 * Status values are <sysexits.h> codes: EX_UNAVAILABLE (no maildrop
 * directory: the mail system is not set up), EX_CANTCREAT (the file cannot
 * be created), EX_TEMPFAIL (an I/O error such as a full disk: try later),
 * EX_OSERR (anything else), EX_DATAERR (past the size limit).
 *
 * See also: mail/maildrop.h, mail/queue_file.h, docs/sendmail.md.
 */
#ifndef PETREL_SENDMAIL_DROP_H
#define PETREL_SENDMAIL_DROP_H

#include <stdint.h>

#include "mail/maildrop.h"
#include "sendmail_rcpt.h"

struct sendmail_drop {
    struct qf_writer *w;
    char name[MAILDROP_NAME_LEN + 1];
};

/* sendmail_drop_dir_open - an O_PATH descriptor of QUEUE_DIR/maildrop in
 * *fd_r. EX_OK, or a code with *error_r */
int sendmail_drop_dir_open(const char *queue_dir, int *fd_r, const char **error_r);
/* sendmail_drop_begin - create the file, write F and the R records, start
 * M (at most max bytes). EX_OK, or a code (nothing is left behind) */
int sendmail_drop_begin(struct sendmail_drop *d, int dirfd, const char *sender,
                        const struct sendmail_rcpts *r, uint64_t max, const char **error_r);
/* sendmail_drop_write - content bytes; a sendmail_msg_write_fn (ctx is the
 * drop). EX_OK, or a code */
int sendmail_drop_write(void *ctx, const char *p, size_t n, const char **error_r);
/* sendmail_drop_commit - end M, maildrop_commit, close. EX_OK (d->name is
 * the file's name), or a code (the file is removed) */
int sendmail_drop_commit(struct sendmail_drop *d, const char **error_r);
/* sendmail_drop_abort - remove an unfinished file; accepts a drop never begun */
void sendmail_drop_abort(struct sendmail_drop *d);

#endif
