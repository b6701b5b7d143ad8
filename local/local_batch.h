/* SPDX-License-Identifier: MIT
 * local_batch - group commit of Maildir deliveries, and the local service
 * that feeds it: one ipc channel per qmgr connection.
 *
 * Protocol "local-deliver", version 1 (docs/queue.md): the server sends
 * the hello; each "deliver" request gets exactly one reply, in order:
 *
 *   status=0, then for each recipient in request order:
 *       rcpt_status=0|4|5, rcpt_dsn="2.0.0"|"4.3.0"|"5.3.x",
 *       rcpt_reason="..." (at most LOCAL_REASON_MAX printable bytes)
 *   a malformed request: status=5, reason="...", and for each "rcpt"
 *       attribute it had: rcpt_status=5, rcpt_dsn="5.3.0",
 *       rcpt_reason="malformed delivery request"
 *
 * Group commit: a request is delivered at once (every file written,
 * fsynced and renamed into new/), but its reply is held. At the end of the
 * event-loop round (event_defer) the batch fsyncs each distinct new/
 * touched in the round once, then sends every held reply and logs one line
 * per recipient. A failed fsync of a new/ turns every delivery of the
 * batch into that directory into 4 4.3.0; those files stay (a later retry
 * may duplicate them, never lose them). Requests pipelined on one channel
 * and requests of several channels in the same round share the syncs.
 *
 * See also: local_deliver.h (checks and delivery), server.h, ipc_chan.h.
 */
#ifndef PETREL_LOCAL_BATCH_H
#define PETREL_LOCAL_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "local_deliver.h"

struct event_loop;
struct ipc_msg;
struct local_batch;
struct server;

/* The reply to one request, once its batch is committed; the callee sends
 * it (the batch destroys it after the call). */
typedef void local_batch_reply_fn(const struct ipc_msg *reply, void *ctx);

struct local_batch_stats {
    uint64_t commits;    /* batches committed (rounds with requests) */
    uint64_t requests;   /* requests handled, malformed ones included */
    uint64_t malformed;  /* requests refused */
    uint64_t deliveries; /* files renamed into new/ */
    uint64_t dirsyncs;   /* fsyncs of new/ directories */
};

/* local_batch_create - a batch committing at the end of loop's rounds;
 * cfg must outlive the batch */
struct local_batch *local_batch_create(struct event_loop *loop, const struct local_config *cfg);
/* local_batch_destroy - commit what is pending, then free; accepts NULL */
void local_batch_destroy(struct local_batch **b_r);
/* local_batch_submit - take request m (owned from now): check it, take its
 * queue file, deliver, and hold the reply for fn(reply, ctx) at the end
 * of the round; a malformed request is logged as a warning naming client */
void local_batch_submit(struct local_batch *b, struct ipc_msg *m, const char *client,
                        local_batch_reply_fn *fn, void *ctx);
/* local_batch_commit - sync the directories, reply, log (the deferred call
 * does this; tests and shutdown may call it directly) */
void local_batch_commit(struct local_batch *b);
/* local_batch_pending - requests whose replies are held */
size_t local_batch_pending(const struct local_batch *b);
/* local_batch_stats - counters since creation */
const struct local_batch_stats *local_batch_stats(const struct local_batch *b);

/* The daemon's callbacks (server.h). */
/* local_batch_init - post_jail: configuration checks, the batch */
void local_batch_init(struct server *s);
/* local_batch_accept - on_connection: a channel for qmgr, hello first */
void local_batch_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len);
/* local_batch_deinit - on_exit: commit, log statistics, close, free */
void local_batch_deinit(struct server *s);

#endif
