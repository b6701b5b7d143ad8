/* SPDX-License-Identifier: MIT
 * qmgr_deliver - the client of local: hands ready messages to local over
 * local-deliver (docs/queue.md) and settles the results.
 *
 * At most `concurrency` requests are in flight, each on its own ipc_chan
 * connection to local's socket; a connection is opened non-blocking, waits
 * for local's hello, and is reused for the next request when idle. A
 * request carries the open queue file, the content's offset and length,
 * the sender and every recipient not yet done with its mailbox (looked up
 * again in the mailbox map now) and its original address. The reply has
 * rcpt_status/rcpt_dsn/rcpt_reason per recipient, in order. A lost
 * connection, a malformed reply or no reply within ipc_timeout makes every
 * recipient of that request a temporary failure.
 *
 * Results go to qmgr_queue_settle (done, deferred, removed). Permanent
 * failures (5) stay queued in deferred/: bounces are not implemented yet.
 * One log line per recipient: "ID: to=<a>, orig_to=<o>, relay=local,
 * delay=S, dsn=X.Y.Z, status=sent|deferred (reason)".
 *
 * Trusts: nothing local replies (statuses other than 0, 4 and 5 count as
 * 4; missing ones too). Limits: concurrency, the frame maximum, the timeout,
 * 1000 recipients per request (local's limit; the rest of a longer list
 * waits for the next attempt).
 *
 * See also: qmgr_queue.h, qmgr_route.h, mail_proto.h.
 */
#ifndef PETREL_QMGR_DELIVER_H
#define PETREL_QMGR_DELIVER_H

#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct qmgr_deliver;
struct qmgr_maps;
struct qmgr_queue;

struct qmgr_deliver_config {
    const char *socket_path; /* $queue_directory/private/local */
    unsigned concurrency;    /* qmgr_delivery_concurrency */
    size_t max_frame;        /* ipc_max_frame_size */
    uint64_t timeout_ms;     /* ipc_timeout */
};

/* qmgr_deliver_create - the client pool; it registers with the queue for
 * "messages are ready" and starts deliveries from the event loop */
struct qmgr_deliver *qmgr_deliver_create(struct event_loop *loop, struct qmgr_queue *q,
                                         struct qmgr_maps *maps, const struct qmgr_deliver_config *cfg);
/* qmgr_deliver_destroy - close every connection (requests in flight are
 * simply abandoned: their files stay queued); accepts NULL */
void qmgr_deliver_destroy(struct qmgr_deliver **d_r);
/* qmgr_deliver_kick - start deliveries (from the loop, not at once) */
void qmgr_deliver_kick(struct qmgr_deliver *d);

#endif
