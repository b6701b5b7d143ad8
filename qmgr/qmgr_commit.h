/* SPDX-License-Identifier: MIT
 * qmgr_commit - group commit of received messages (docs/queue.md).
 *
 * A message whose "end" arrived joins the current batch. After the
 * callbacks of the event-loop round (event_defer), the batch is committed:
 * each file gets its END record with its writeback started (qf_writer_end),
 * then each file an fsync (qf_writer_sync), then
 * incoming/ is fsynced once, then each message learns its fate through its
 * callback: 0 (on disk, file and directory entry: acknowledge it now) or
 * -1 with an error (not durable: the caller answers 4.3.0 and removes the
 * file; it never acknowledges it). A batch holds at most the batch limit
 * (qmgr_commit_batch_limit); the rest waits for the next round.
 *
 * Owns only the list of waiting entries; the writers belong to the caller.
 * Limits: the batch limit.
 *
 * See also: qmgr_submit.h (the caller), queue_file.h (qf_writer_finish).
 */
#ifndef PETREL_QMGR_COMMIT_H
#define PETREL_QMGR_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

struct event_loop;
struct qf_writer;
struct qmgr_commit;
struct qmgr_commit_entry;

/* done - status 0 (committed) or -1 with an error (not committed) */
typedef void qmgr_commit_done_fn(struct qmgr_commit_entry *e, int status, const char *error);

/* One message waiting for the commit; embedded in the caller's state. */
struct qmgr_commit_entry {
    struct qf_writer *writer;
    qmgr_commit_done_fn *done;
    struct qmgr_commit_entry *next;
    bool queued;
};

struct qmgr_commit_stats {
    unsigned long batches, messages, max_batch;
};

/* qmgr_commit_create - committing into the directory dirfd (incoming/) */
struct qmgr_commit *qmgr_commit_create(struct event_loop *loop, int dirfd, size_t batch_limit);
/* qmgr_commit_destroy - free; entries still waiting are dropped (their
 * owners destroy their writers); accepts NULL */
void qmgr_commit_destroy(struct qmgr_commit **c_r);
/* qmgr_commit_add - e (writer and done set) joins the next batch */
void qmgr_commit_add(struct qmgr_commit *c, struct qmgr_commit_entry *e);
/* qmgr_commit_remove - take e back before its batch ran (client vanished) */
void qmgr_commit_remove(struct qmgr_commit *c, struct qmgr_commit_entry *e);
/* qmgr_commit_run - commit one batch now (normally called by the loop) */
void qmgr_commit_run(struct qmgr_commit *c);
/* qmgr_commit_get_stats - batches and messages committed so far */
const struct qmgr_commit_stats *qmgr_commit_get_stats(const struct qmgr_commit *c);

#endif
