/* SPDX-License-Identifier: MIT
 * qmgr_submit - the qmgr-submit server (docs/queue.md, "Protocols") and
 * the service state that ties qmgr's modules together.
 *
 * One connection per message, a state machine:
 *
 *     BEGIN --begin--> RCPT --rcpt*--> RCPT --data--> DATA --data*--> DATA
 *     RCPT|DATA --end--> COMMIT --(group commit)--> DONE (reply sent)
 *     any state before COMMIT --abort or lost connection--> file removed
 *
 * begin gets a reply at once (status=0, queue_id=ID, or 4.3.1 when the
 * queue file system is short of queue_minfree, or 5 for a bad request);
 * rcpt and data get none; every problem (routing, size, a write error, a
 * frame out of order or malformed) is remembered, the first one wins, and
 * is the reply to end. After the reply to end the connection is closed.
 *
 * Owns each client's channel, its queue file writer until the commit, and
 * the final-recipient list of its message. Trusts nothing the client sends:
 * qmgr_submit_check validates order and attributes (a pure function, unit-
 * tested by table). Limits: text attributes QMGR_SUBMIT_TEXT_MAX bytes,
 * data frames SUBMIT_DATA_MAX bytes, message_size_limit plus
 * QMGR_SUBMIT_HEADROOM bytes of content (room for the trace headers the
 * submitter prepends; the submitter enforces message_size_limit itself),
 * virtual_alias_expansion_limit final recipients, frames of ipc_max_frame_size.
 *
 * Attributes: begin needs sender (may be empty: <>) and protocol;
 * client_addr, client_name, helo, tls, auth, envid, ret (FULL|HDRS) are
 * optional strings, smtputf8 (0|1), size (>= 0) and uid (0..2^32-2)
 * optional integers.
 *
 * uid marks a local submission (pickup, on behalf of that user): the
 * file gets a C record "uid=N", and a recipient that routes nowhere
 * permanently (5.1.1 unknown, 5.1.3 syntax, 5.4.6 loop) does not fail the
 * message: it is logged "to=<ADDR>, relay=none, dsn=D, status=bounced
 * (...)" and skipped (no bounce message yet: the mail-out issue sends
 * them); if no recipient remains, end replies 5.1.1. Temporary routing
 * failures, too many recipients and every other failure still fail the
 * message (pickup retries a 4). Without uid (smtpd, which checked every
 * recipient at RCPT) any routing failure fails the message.
 * rcpt needs address, optional orcpt (TYPE;xtext) and notify (NEVER or a
 * comma list of SUCCESS, DELAY, FAILURE). data needs data (DATA).
 *
 * See also: qmgr_commit.h, qmgr_route.h, qmgr_queue.h, mail_proto.h.
 */
#ifndef PETREL_QMGR_SUBMIT_H
#define PETREL_QMGR_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define QMGR_SUBMIT_TEXT_MAX 1024
#define QMGR_SUBMIT_HEADROOM 16384

struct ipc_msg;
struct qmgr_commit;
struct qmgr_deliver;
struct qmgr_maps;
struct qmgr_queue;
struct qmgr_session;
struct server;

/* The whole daemon's state (the server's context), built by qmgr.c. */
struct qmgr_service {
    struct server *server;
    struct qmgr_queue *queue;
    struct qmgr_maps *maps;
    struct qmgr_commit *commit;
    struct qmgr_deliver *deliver;
    struct qmgr_session *sessions;
    unsigned long next_session;
    size_t max_frame;
    uint64_t message_size_limit; /* for the client's SIZE hint */
    uint64_t content_max;        /* message_size_limit + QMGR_SUBMIT_HEADROOM */
    uint64_t queue_minfree, timeout_ms;
};

enum qmgr_submit_state {
    QMGR_SUBMIT_BEGIN,  /* waiting for begin */
    QMGR_SUBMIT_RCPT,   /* begin seen: rcpt, data, end */
    QMGR_SUBMIT_DATA,   /* data seen: data, end */
    QMGR_SUBMIT_COMMIT, /* end seen, waiting for the group commit */
    QMGR_SUBMIT_DONE,   /* answered; nothing more is accepted */
};

enum qmgr_submit_req {
    QMGR_REQ_UNKNOWN,
    QMGR_REQ_BEGIN,
    QMGR_REQ_RCPT,
    QMGR_REQ_DATA,
    QMGR_REQ_END,
    QMGR_REQ_ABORT,
};

/* A checked request; strings point into the message. */
struct qmgr_submit_args {
    enum qmgr_submit_req req;
    const char *sender, *protocol, *envid, *ret;
    const char *client[5]; /* client_addr, client_name, helo, tls, auth (or NULL) */
    bool smtputf8;
    int64_t size; /* -1: no hint */
    int64_t uid;  /* -1: not a local submission */
    const char *address, *orcpt, *notify;
    const void *data;
    size_t len;
};

/* The names of the optional client attributes, in C-record order. */
extern const char *const qmgr_submit_client_attrs[5];

/* qmgr_submit_check - may m come in state, and is it well-formed? 0 with
 * *a filled in, or -1 with a dsn (5.5.1 out of order or unknown, 5.5.4 a
 * missing, mistyped or malformed attribute) and an error. a->req is set
 * whenever the request name is known, even on error. */
int qmgr_submit_check(enum qmgr_submit_state state, const struct ipc_msg *m, struct qmgr_submit_args *a,
                      const char **dsn_r, const char **error_r);

/* qmgr_submit_accept - the on_connection callback: a new submitter */
void qmgr_submit_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len);
/* qmgr_submit_close_all - end every session (their files are removed
 * unless committed); at exit */
void qmgr_submit_close_all(struct qmgr_service *svc);

#endif
