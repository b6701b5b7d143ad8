/* SPDX-License-Identifier: MIT
 * local_deliver - the local-deliver request (docs/queue.md): its checks,
 * and the delivery of one message into the Maildirs of its recipients.
 *
 * A request comes from qmgr, a sibling daemon, so it is untrusted input:
 * local_request_check() is pure (no file system, no descriptor) and refuses
 * anything malformed with a precise reason; the fuzz target runs it on
 * arbitrary payloads. The queue file descriptor is taken and checked by
 * the caller (local_batch.c) because taking it changes the message.
 *
 * Limits: LOCAL_RCPT_MAX recipients; addresses of at most LOCAL_ADDR_MAX
 * bytes without control bytes (so no CR or LF reaches a header line);
 * mailbox paths of at most LOCAL_MAILBOX_MAX bytes and
 * LOCAL_MAILBOX_DEPTH_MAX components, each 1..LOCAL_COMPONENT_MAX bytes of
 * printable ASCII other than '/' and '\', not starting with '.', the whole
 * ending in '/'; content of at most message_size_limit plus
 * LOCAL_HEADER_ROOM bytes (the queue's M record holds our Received: line).
 *
 * A recipient may carry "quota" = "BYTES,MESSAGES" (decimal, 0 = no
 * limit, each at most 18 digits); without it quota_default applies. The
 * Maildir++ maildirsize of the mailbox is checked against the content
 * length before the delivery and updated after it (maildir_quota.h).
 *
 * Recipients of one request with the same mailbox get one file (its
 * Delivered-To: names the first of them) and share its result.
 *
 * Delivery uses the split API of maildir_deliver.h: each delivery is
 * written, fsynced and renamed into new/ here, and the fsync of new/ is
 * left to the caller (one per directory per batch, local_batch.h).
 *
 * See also: local_batch.h, docs/queue.md, maildir_deliver.h.
 */
#ifndef PETREL_LOCAL_DELIVER_H
#define PETREL_LOCAL_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/mail_proto.h"

struct ipc_msg;

#define LOCAL_RCPT_MAX DELIVER_RCPT_MAX
#define LOCAL_ADDR_MAX 1024
#define LOCAL_MAILBOX_MAX 1024
#define LOCAL_MAILBOX_DEPTH_MAX 16
#define LOCAL_COMPONENT_MAX 255
#define LOCAL_HEADER_ROOM 65536
#define LOCAL_REASON_MAX 160

/* One recipient of a checked request; the strings point into the message. */
struct local_rcpt {
    const char *rcpt;
    const char *mailbox;
    const char *orig_rcpt; /* NULL when the request gave none */
    bool has_quota;        /* the request gave "quota" (else the default applies) */
    uint64_t quota_bytes;  /* 0: no limit */
    uint64_t quota_count;  /* 0: no limit */
    size_t first;          /* the first recipient with the same mailbox: its delivery is this one's */
};

/* A checked request; the strings point into the message it came from. */
struct local_request {
    const char *queue_id;
    const char *sender; /* "" for the null sender */
    uint64_t offset, length;
    size_t nrcpt;
    struct local_rcpt *rcpts; /* nrcpt entries, owned */
};

/* The outcomes of a delivery; local_deliver.c maps each to a status and an
 * enhanced status code in one table. */
enum local_outcome {
    LOCAL_SENT,        /* 0 2.0.0 */
    LOCAL_DEFER,       /* 4 4.3.0: disk full, I/O error, new/ not synced ... */
    LOCAL_TOO_BIG,     /* 5 5.3.4: larger than the size limit */
    LOCAL_BAD_STORE,   /* 5 5.3.5: a symlink or a non-directory in the path */
    LOCAL_BOUNCE,      /* 5 5.3.0: any other permanent failure */
    LOCAL_MALFORMED,   /* 5 5.3.0: the request itself was refused */
    LOCAL_FULL_DEFER,  /* 4 4.2.2: over quota, mailbox_quota_action = defer */
    LOCAL_FULL_BOUNCE, /* 5 5.2.2: over quota, mailbox_quota_action = bounce */
};

/* The result of one delivery (one per distinct mailbox). */
struct local_result {
    enum local_outcome outcome;
    char reason[LOCAL_REASON_MAX + 1]; /* short, printable: for the reply */
    char *detail;                      /* for the log (paths, errno text), or NULL */
    char *new_dir;                     /* delivered: the new/ whose fsync is owed; else NULL */
};

/* Where and how much local delivers. */
struct local_config {
    const char *mailbox_base; /* virtual_mailbox_base, absolute */
    uint64_t size_limit;      /* largest content accepted, in bytes */
    uint64_t quota_default;   /* mailbox_quota_default: bytes, 0 none */
    bool quota_bounce;        /* mailbox_quota_action = bounce */
};

/* local_check_mailbox - is mailbox a safe relative Maildir path ("a/b/")?
 * 0, or -1 with the reason */
int local_check_mailbox(const char *mailbox, const char **error_r);
/* local_check_address - what ("sender", "rcpt", ...) s: at most
 * LOCAL_ADDR_MAX bytes, no control byte, empty only if may_be_empty */
int local_check_address(const char *what, const char *s, bool may_be_empty, const char **error_r);
/* local_check_quota - "BYTES" or "BYTES,MESSAGES", decimal, at most 18
 * digits each; 0, or -1 with the reason */
int local_check_quota(const char *s, uint64_t *bytes_r, uint64_t *count_r, const char **error_r);
/* local_check_queue_id - QUEUE_ID_LEN characters of 0-9A-V */
int local_check_queue_id(const char *s, const char **error_r);
/* local_request_check - parse and validate a deliver request (pure; the
 * queue_file descriptor is not looked at); on success req_r holds the
 * request (free with local_request_free) */
int local_request_check(const struct ipc_msg *m, struct local_request *req_r, const char **error_r);
/* local_request_free - release what local_request_check allocated */
void local_request_free(struct local_request *req);
/* local_request_rcpt_count - the "rcpt" attributes of any message (the
 * length of a refusal reply), at most LOCAL_RCPT_MAX */
size_t local_request_rcpt_count(const struct ipc_msg *m);

/* local_result_set - fill r with an outcome, a reply reason and a log
 * detail (either may be NULL); the reason is made printable and short */
void local_result_set(struct local_result *r, enum local_outcome o, const char *reason, const char *detail);
/* local_result_clear - free what a result holds and zero it */
void local_result_clear(struct local_result *r);
/* local_outcome_status - the reply status (0, 4, 5) of an outcome */
int local_outcome_status(enum local_outcome o);
/* local_outcome_dsn - the enhanced status code ("2.0.0", ...) */
const char *local_outcome_dsn(enum local_outcome o);
/* local_outcome_log - the log's status word: sent, deferred, bounced */
const char *local_outcome_log(enum local_outcome o);

/* local_deliver_request - deliver the content (fd at req's offset and
 * length) once per distinct mailbox; results has req->nrcpt entries and
 * only results[i] with req->rcpts[i].first == i are filled. Every file
 * delivered is fsynced and in new/; new/ itself is not fsynced. */
void local_deliver_request(const struct local_config *cfg, const struct local_request *req, int fd,
                           struct local_result *results);

#endif
