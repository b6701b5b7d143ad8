/* SPDX-License-Identifier: MIT
 * qmgr_admin - the administrator's requests on the qmgr-submit socket
 * (petrel queue): list, delete, hold, release, flush.
 *
 * An admin client sends one of these as its first request instead of
 * begin; qmgr_submit.c hands it here and closes the connection after the
 * reply. queue_list answers one message per queued message (queue_id,
 * queue, arrival, size, sender, rcpt..., reason) then end=1; the others
 * answer status=0, or status=5 with a reason.
 *
 * Trusts: nothing. Only a peer whose uid (SO_PEERCRED) is 0 or qmgr's own
 * uid may use these requests, although the socket is already private;
 * others are refused and logged. Queue ids are checked with
 * queue_id_valid before they name a file.
 *
 * See also: qmgr_queue.h, qmgr_submit.h, cli/cli_queue.c, docs/queue.md.
 */
#ifndef PETREL_QMGR_ADMIN_H
#define PETREL_QMGR_ADMIN_H

#include <stdbool.h>
#include <sys/types.h>

#define ADMIN_REQ_LIST "queue_list"
#define ADMIN_REQ_DELETE "queue_delete"
#define ADMIN_REQ_HOLD "queue_hold"
#define ADMIN_REQ_RELEASE "queue_release"
#define ADMIN_REQ_FLUSH "queue_flush"

struct ipc_chan;
struct ipc_msg;
struct qmgr_service;

enum qmgr_admin_req {
    QMGR_ADMIN_NONE, /* not an admin request */
    QMGR_ADMIN_LIST,
    QMGR_ADMIN_DELETE,
    QMGR_ADMIN_HOLD,
    QMGR_ADMIN_RELEASE,
    QMGR_ADMIN_FLUSH,
};

/* qmgr_admin_request - which admin request m is, or QMGR_ADMIN_NONE */
enum qmgr_admin_req qmgr_admin_request(const struct ipc_msg *m);
/* qmgr_admin_check - is m a well-formed admin request? 0 with *req_r and
 * *id_r (the queue id, or NULL for list and flush), or -1 with an error */
int qmgr_admin_check(const struct ipc_msg *m, enum qmgr_admin_req *req_r, const char **id_r,
                     const char **error_r);
/* qmgr_admin_peer_allowed - may a peer with this uid administer the queue? */
bool qmgr_admin_peer_allowed(uid_t peer, uid_t self);
/* qmgr_admin_serve - check the peer and the request, act, reply on chan */
void qmgr_admin_serve(struct qmgr_service *svc, struct ipc_chan *chan, const struct ipc_msg *m,
                      unsigned long session);

#endif
