/* SPDX-License-Identifier: MIT
 * queue_file - the queue file format: typed, length-prefixed records.
 *
 *     record = type:u8 length:u32be value[length]
 *
 * The order and meaning of the records, the directories and the fsync
 * points are specified in docs/queue.md. This module writes files (qmgr,
 * while a message arrives) and reads them back (qmgr at start, after a
 * crash, for a retry; "petrel queue show"). Reading is strict: a file is
 * either a complete, well-formed message or corrupt, with an error that
 * says why and where. Queue files are untrusted input to the reader.
 *
 * Limits: a value other than content at most QF_VALUE_MAX bytes, at most
 * QF_RCPT_MAX recipients, content at most the size the caller allows (and
 * below 4 GiB: its length is a u32).
 *
 * What the reader refuses, each with "record 'T' at offset N: why" (or
 * "file ends at offset N without an 'X' record (incomplete)"): a first
 * record other than V with exactly QF_MAGIC; an unknown type; a length
 * running past the end of the file; a value over QF_VALUE_MAX; a NUL byte
 * in any value but the content; A missing, repeated or not
 * SECONDS.MICROSECONDS (digits, a dot, exactly six digits); F missing or
 * repeated; E, T or U repeated; a C without '=' or with an empty name; P,
 * O or N not directly before an R or D, or twice for one recipient; an R
 * or D with an empty address; no recipient, or more than QF_RCPT_MAX; M
 * missing, repeated, or before a recipient; anything but X after M; X
 * not empty, or not exactly at the end of the file. Other records may
 * come in any order (the writer follows docs/queue.md's).
 *
 * See also: queue_id.h, docs/queue.md.
 */
#ifndef PETREL_MAIL_QUEUE_FILE_H
#define PETREL_MAIL_QUEUE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define QF_MAGIC "petrel-queue 1"
#define QF_VALUE_MAX 65536
#define QF_RCPT_MAX 100000
#define QF_HEADER_SIZE 5

enum qf_type {
    QF_VERSION = 'V',
    QF_ARRIVAL = 'A',
    QF_CLIENT = 'C',
    QF_SENDER = 'F',
    QF_ENVID = 'E',
    QF_RET = 'T',
    QF_SMTPUTF8 = 'U',
    QF_ORIG_RCPT = 'P',
    QF_ORCPT = 'O',
    QF_NOTIFY = 'N',
    QF_RCPT = 'R',
    QF_DONE = 'D',
    QF_CONTENT = 'M',
    QF_END = 'X',
};

/* --- writing ---------------------------------------------------------- */

struct qf_writer;

/* qf_writer_create - create NAME in dirfd (O_CREAT|O_EXCL|O_NOFOLLOW, 0600,
 * opened read-write) and write the V record. The writer keeps its own dup
 * of dirfd (for the unlink on abort), so the caller may close dirfd. Writes
 * are buffered; an I/O error sticks: every later call fails. */
int qf_writer_create(int dirfd, const char *name, struct qf_writer **w_r, const char **error_r);
/* qf_writer_adopt - the same on a file the caller already made at
 * dirfd/name (a recycled one, say): fd is open read-write and must be an
 * empty regular file; the writer takes fd over, also on error (the file is
 * then unlinked and fd closed). */
int qf_writer_adopt(int dirfd, const char *name, int fd, struct qf_writer **w_r, const char **error_r);
/* qf_write - one record (not V, M or X: those have their own functions);
 * -1 past QF_VALUE_MAX, for a value the reader would refuse (a NUL byte, a
 * C without '='), after qf_content_begin, or on I/O error */
int qf_write(struct qf_writer *w, enum qf_type type, const void *value, size_t len, const char **error_r);
/* qf_content_begin / qf_content_write / qf_content_end - the M record,
 * streamed: its length is written as 0xffffffff (a file cut short never
 * parses) and patched in with pwrite at the end; a content_write that would
 * pass max bytes in all fails and writes nothing (max is capped below
 * 4 GiB) */
int qf_content_begin(struct qf_writer *w, uint64_t max, const char **error_r);
int qf_content_write(struct qf_writer *w, const void *data, size_t len, const char **error_r);
int qf_content_end(struct qf_writer *w, const char **error_r);
/* qf_writer_finish - write the X record and fsync the file; the caller
 * then fsyncs the directory (group commit) before acknowledging */
int qf_writer_finish(struct qf_writer *w, const char **error_r);
/* qf_writer_end, qf_writer_sync - qf_writer_finish in two steps, for a
 * batch: end every file (the X record written, writeback started), then
 * sync each, so the disk works on the whole batch at once */
int qf_writer_end(struct qf_writer *w, const char **error_r);
int qf_writer_sync(struct qf_writer *w, const char **error_r);
/* qf_writer_fd - the open file (read-write; stays open for delivery until
 * qf_writer_destroy, which closes it: dup it to keep it longer) */
int qf_writer_fd(const struct qf_writer *w);
/* qf_writer_content - where the content is: offset of its first byte, length */
void qf_writer_content(const struct qf_writer *w, uint64_t *offset_r, uint64_t *length_r);
/* qf_writer_destroy - close the file and free; with unlink_it, also remove
 * the file (abort); accepts NULL and sets *w_r to NULL */
void qf_writer_destroy(struct qf_writer **w_r, bool unlink_it);

/* --- reading ---------------------------------------------------------- */

struct qf_attr {
    char *name, *value;
};

struct qf_rcpt {
    char *address; /* final recipient */
    char *orig;    /* as the client gave it (NULL: same as address) */
    char *orcpt;   /* DSN ORCPT, or NULL */
    char *notify;  /* DSN NOTIFY, or NULL */
    bool done;
    uint64_t offset; /* of its type byte, for qf_mark_done */
};

struct qf_message {
    int64_t arrival_sec;
    int32_t arrival_usec;
    char *sender;
    struct qf_attr *client;
    size_t nclient;
    char *envid, *ret;
    bool smtputf8;
    struct qf_rcpt *rcpts;
    size_t nrcpts;
    uint64_t content_offset, content_length;
};

/* qf_parse - parse a whole file image; the content is not copied (its
 * offset and length are recorded); on error *m_r is left alone */
int qf_parse(const void *data, size_t len, struct qf_message **m_r, const char **error_r);
/* qf_read - read and parse an open regular file with pread (headers and
 * recipients; the content is located, not loaded); the same result and
 * the same error text as qf_parse on the file's bytes */
int qf_read(int fd, struct qf_message **m_r, const char **error_r);
/* qf_message_free - free a parsed message; accepts NULL, sets *m_r to NULL */
void qf_message_free(struct qf_message **m_r);
/* qf_mark_done - rewrite a recipient's R as D in place (no fsync: the
 * caller fsyncs once for all recipients it marked). Never blind: -1 unless
 * the record at r->offset is an 'R' whose length is that of r->address
 * (so a second call for the same recipient fails). */
int qf_mark_done(int fd, const struct qf_rcpt *r, const char **error_r);

#endif
