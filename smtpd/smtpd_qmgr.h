/* SPDX-License-Identifier: MIT
 * smtpd_qmgr - the qmgr-submit client: one non-blocking ipc channel per
 * message, on the session's event loop.
 *
 * smtpd opens the connection when DATA (or the first BDAT) arrives, with
 * every recipient already checked: hello -> begin (reply: queue id) ->
 * rcpt... -> data... -> end (reply: committed or not). Opening at DATA
 * means no qmgr connection is held through a slow or abandoned envelope
 * phase, and qmgr never sees a recipient smtpd refused.
 *
 * Input: qmgr's frames (a sibling daemon: untrusted, checked: status must
 * be 0, 4 or 5, text attributes are sanitised by the caller before they
 * reach a client). Limits: data frames of at most SUBMIT_DATA_MAX bytes;
 * the channel's output queue (ipc_chan) bounds what is buffered, and the
 * caller stops reading the client while smtpd_qmgr_busy() is true.
 *
 * See also: docs/queue.md (the protocol), mail_proto.h, ipc_chan.h.
 */
#ifndef PETREL_SMTPD_QMGR_H
#define PETREL_SMTPD_QMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct smtpd_qmgr;

/* The begin request (strings copied into the frame). */
struct smtpd_qmgr_begin {
    const char *sender; /* "" for <> */
    const char *client_addr;
    const char *client_name;
    const char *helo;
    const char *protocol; /* ESMTP, SMTP, UTF8SMTP; ESMTPS, UTF8SMTPS over TLS */
    const char *tls;      /* NULL, or the session's TLS protocol and cipher */
    const char *auth;     /* NULL, or the SASL login */
    const char *envid;    /* NULL: none */
    const char *ret;      /* NULL, "FULL" or "HDRS" */
    bool smtputf8;
    uint64_t size; /* the SIZE= hint, 0: none */
};

/* The outcome of begin or end: status 0, 4 or 5; queue_id on success,
 * dsn and reason otherwise (never NULL: filled in for a broken channel). */
struct smtpd_qmgr_result {
    int status;
    const char *queue_id;
    const char *dsn;
    const char *reason;
};

/* smtpd_qmgr_fn - the reply to begin, then (after smtpd_qmgr_end) the
 * reply to end; also called once if the channel breaks while a reply is
 * awaited. Called from the event loop; the callee may destroy q. */
typedef void smtpd_qmgr_fn(void *ctx, const struct smtpd_qmgr_result *r);

/* smtpd_qmgr_open - connect to path and send begin once qmgr's hello is
 * checked; the callback gets begin's reply. -1 with *error_r when the
 * socket cannot be reached at all. */
int smtpd_qmgr_open(struct event_loop *loop, const char *path, size_t max_frame,
                    const struct smtpd_qmgr_begin *b, smtpd_qmgr_fn *fn, void *ctx, struct smtpd_qmgr **q_r,
                    const char **error_r);
/* smtpd_qmgr_rcpt - queue a rcpt frame (orcpt "type;addr" and notify may be NULL) */
int smtpd_qmgr_rcpt(struct smtpd_qmgr *q, const char *address, const char *orcpt, const char *notify);
/* smtpd_qmgr_write - message bytes, cut into data frames of SUBMIT_DATA_MAX */
int smtpd_qmgr_write(struct smtpd_qmgr *q, const void *p, size_t n);
/* smtpd_qmgr_end - flush and send end; the callback gets the reply */
int smtpd_qmgr_end(struct smtpd_qmgr *q);
/* smtpd_qmgr_busy - too much queued for qmgr: stop reading the client */
bool smtpd_qmgr_busy(const struct smtpd_qmgr *q);
/* smtpd_qmgr_destroy - close; sends abort first when the message was not
 * ended (qmgr treats a close before end as an abort anyway); accepts NULL */
void smtpd_qmgr_destroy(struct smtpd_qmgr **q_r);

#endif
