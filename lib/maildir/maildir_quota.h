/* SPDX-License-Identifier: MIT
 * maildir_quota - Maildir++ quota in the "maildirsize" file of the user's
 * root (Courier's format, which Dovecot also reads and writes).
 *
 * The first line holds the limits, "NNNS,MMMC" (bytes, messages; either
 * may be missing; an empty line means no limit). Each following line is a
 * delta "BYTES COUNT" (signed) appended after a delivery or an expunge; the
 * usage is their sum. Appends are one write(2) each with O_APPEND, so
 * concurrent writers do not mix lines. When the file passes
 * MAILDIR_QUOTA_RECALC_SIZE bytes, or its last line was torn by a crash,
 * usage is recomputed from the message names (",S=") and the file is
 * rewritten with one line (maildir_quota_recalc).
 *
 * Quota is advisory bookkeeping: the delta is appended after the delivery
 * is durable, without fsync; a lost line is corrected by a recalculation.
 * Input trusted: none (users may edit the file); it is read with a bound.
 *
 * See also: maildir_deliver.h, docs/maildir.md.
 */
#ifndef PETREL_MAILDIR_QUOTA_H
#define PETREL_MAILDIR_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAILDIR_QUOTA_FILE "maildirsize"
/* past this size the file is recalculated (Courier's rule) */
#define MAILDIR_QUOTA_RECALC_SIZE 5120
/* larger files are not parsed at all: recalculate */
#define MAILDIR_QUOTA_READ_MAX 65536

struct maildir_quota {
    uint64_t max_bytes; /* 0: no limit on bytes */
    uint64_t max_count; /* 0: no limit on messages */
    int64_t bytes;      /* usage: the sum of the delta lines */
    int64_t count;
    bool recalc; /* the file is large or torn: call maildir_quota_recalc */
};

/* maildir_quota_parse - the text of a maildirsize file; -1 with
 * "maildirsize:LINE: reason" when malformed (then recalculate) */
int maildir_quota_parse(const char *text, size_t len, struct maildir_quota *q_r, const char **error_r);

/* maildir_quota_read - ROOT/maildirsize; *exists_r false (and 0, no
 * limits) when there is no such file; a symlink is refused */
int maildir_quota_read(const char *root, struct maildir_quota *q_r, bool *exists_r, const char **error_r);

/* maildir_quota_exceeded - whether adding bytes and count would pass a limit */
bool maildir_quota_exceeded(const struct maildir_quota *q, uint64_t bytes, uint64_t count);

/* maildir_quota_add - append "BYTES COUNT" to ROOT/maildirsize if it
 * exists (no file: no quota, nothing to do) */
int maildir_quota_add(const char *root, int64_t bytes, int64_t count, const char **error_r);

/* maildir_quota_recalc - sum ",S=" (or the file size) and count the
 * messages in new/ and cur/ of the root and every folder, and replace
 * ROOT/maildirsize durably with the given limits and that one line */
int maildir_quota_recalc(const char *root, uint64_t max_bytes, uint64_t max_count, struct maildir_quota *q_r,
                         const char **error_r);

#endif
