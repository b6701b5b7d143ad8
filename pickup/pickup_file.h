/* SPDX-License-Identifier: MIT
 * pickup_file - one maildrop file: open it safely, decide whether it is a
 * complete drop pickup may take, and derive the envelope pickup submits.
 *
 * The files are written by any local user (lib/mail/maildrop.h is the
 * contract), so nothing in them is trusted. A file is taken only when it
 * is opened by a valid name with O_NOFOLLOW|O_NONBLOCK (no symbolic link,
 * no FIFO that blocks), is a regular file with one link and mode exactly
 * MAILDROP_READY_MODE, and is at most content_max + PICKUP_ENVELOPE_MAX
 * bytes; its owner is the submitter. A file still MAILDROP_WRITING_MODE
 * (or unreadable to pickup) is being written, or its writer died: after
 * stale_sec it is removed.
 *
 * Then the content: qf_read (the queue file grammar), maildrop_check
 * (only V A F R M X), and pickup's own rules: every address must be a
 * valid RFC 5321 path (smtp_addr_canon.h, as sendmail checks them; ASCII
 * only) and is stored in its canonical form; a bare local part is
 * qualified with "@" myorigin (so is a bare sender; an empty sender is
 * <>); the content at most content_max bytes.
 *
 * See also: pickup_scan.h (what happens with each verdict), maildrop.h,
 * queue_file.h, tests/fuzz/fuzz_pickup_file.c.
 */
#ifndef PETREL_PICKUP_FILE_H
#define PETREL_PICKUP_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* room in a drop file beyond the content: the records around it */
#define PICKUP_ENVELOPE_MAX (4 * 1024 * 1024)

struct qf_message;

enum pickup_open_result {
    PICKUP_OPEN_READY,   /* *fd_r is open: a complete drop to take */
    PICKUP_OPEN_GONE,    /* no such file (taken already or removed) */
    PICKUP_OPEN_WRITING, /* still being written: leave it for now */
    PICKUP_OPEN_STALE,   /* still being written after stale_sec: remove it */
    PICKUP_OPEN_REFUSE,  /* never acceptable: remove it, log *why_r */
    PICKUP_OPEN_ERROR,   /* a system error: leave it, try again later */
};

struct pickup_limits {
    uint64_t content_max; /* message_size_limit */
    time_t stale_sec;     /* maildrop_stale_time */
};

/* What pickup submits for one drop (strings malloc'd). */
struct pickup_drop {
    char *sender; /* "" for <> */
    char **rcpts;
    size_t nrcpts;
    uint64_t content_offset, content_length;
};

/* pickup_file_open - open and judge dirfd/name at time now; *uid_r is the
 * file's owner whenever it could be learnt (else (uid_t)-1), *why_r says
 * why for REFUSE, STALE and ERROR */
enum pickup_open_result pickup_file_open(int dirfd, const char *name, const struct pickup_limits *lim,
                                         time_t now, int *fd_r, uid_t *uid_r, const char **why_r);

/* pickup_file_derive - maildrop_check, then the addresses and the content
 * size of a parsed drop into d; 0, or -1 with an error (d is then empty) */
int pickup_file_derive(const struct qf_message *m, const char *myorigin, uint64_t content_max,
                       struct pickup_drop *d, const char **error_r);
/* pickup_file_read - qf_read and pickup_file_derive on an open drop */
int pickup_file_read(int fd, const char *myorigin, uint64_t content_max, struct pickup_drop *d,
                     const char **error_r);
/* pickup_file_parse - the same on a whole file image (tests, fuzzing) */
int pickup_file_parse(const void *data, size_t len, const char *myorigin, uint64_t content_max,
                      struct pickup_drop *d, const char **error_r);
/* pickup_drop_free - free what d holds and empty it */
void pickup_drop_free(struct pickup_drop *d);

#endif
