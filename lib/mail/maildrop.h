/* SPDX-License-Identifier: MIT
 * maildrop - the local submission drop: files the sendmail command writes
 * into $queue_directory/maildrop and the pickup daemon hands to qmgr
 * (docs/queue.md, "Local submission").
 *
 * The directory is owned by mail_owner with mode 01733: any local user may
 * create a file in it, only mail_owner may list it, and the sticky bit
 * keeps users from removing or renaming each other's files. petrel init
 * and the master create it. No program is set-uid or set-gid.
 *
 * A drop file is named by MAILDROP_NAME_LEN lowercase hex digits (128
 * random bits, so another user cannot guess a name and open the file) and
 * is written in the queue file format (queue_file.h) with these records
 * only: V, A (the submission time), F (the envelope sender, empty for
 * <>), one R per recipient (an address, or a bare local part that pickup
 * qualifies with @myorigin), M (the content: CRLF line ends, the headers
 * complete), X. Any other record (C, D, E, T, U, P, O, N) makes the file
 * unacceptable: trace and client data are pickup's to add, never the
 * submitter's.
 *
 * The writer (sendmail, running as the submitting user): maildrop_create
 * makes the file with mode 0600, the caller writes F, R... and M through
 * qf_write and the qf_content calls, then maildrop_commit writes X,
 * fsyncs the file, sets mode MAILDROP_READY_MODE (0644: "complete, pickup
 * may read it") and syncfs()es the file system, which also makes the new
 * directory entry durable (the user cannot open the 01733 directory for
 * reading, so cannot fsync it). On any failure the caller destroys the
 * writer with unlink.
 *
 * The reader (pickup, as mail_owner) trusts nothing: it opens a file only
 * by a valid name, with O_NOFOLLOW, and takes it only if it is a regular
 * file with one link and mode 0644; the owner's uid is the submitter. A
 * file still 0600 is being written (or its writer died: pickup removes it
 * after maildrop_stale_time).
 *
 * See also: queue_file.h, sendmail/, pickup/, docs/queue.md.
 */
#ifndef PETREL_MAIL_MAILDROP_H
#define PETREL_MAIL_MAILDROP_H

#include <stdbool.h>
#include <sys/types.h>

#define MAILDROP_DIR "maildrop"
#define MAILDROP_DIR_MODE 01733
#define MAILDROP_NAME_LEN 32
#define MAILDROP_WRITING_MODE 0600
#define MAILDROP_READY_MODE 0644

struct qf_message;
struct qf_writer;

/* maildrop_name_valid - is s a drop file name (MAILDROP_NAME_LEN lowercase
 * hex digits)? Anything else in the directory is not ours to touch. */
bool maildrop_name_valid(const char *s);
/* maildrop_create - a new drop file with a fresh random name in dirfd
 * (the maildrop directory: users cannot open it for reading, so pass an
 * O_PATH descriptor), mode 0600, its V and A records written; name_r gets
 * the name. 0, or -1 with an error. */
int maildrop_create(int dirfd, struct qf_writer **w_r, char name_r[MAILDROP_NAME_LEN + 1],
                    const char **error_r);
/* maildrop_commit - X record, fsync, mode 0644, syncfs; 0, or -1 (the
 * caller then calls qf_writer_destroy(w, true)) */
int maildrop_commit(struct qf_writer *w, const char **error_r);
/* maildrop_check - is a parsed drop file acceptable (only the records
 * listed above)? 0, or -1 with an error naming the first offending part */
int maildrop_check(const struct qf_message *m, const char **error_r);

#endif
