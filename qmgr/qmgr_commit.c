/* SPDX-License-Identifier: MIT
 * qmgr_commit - group commit: one directory fsync for a whole batch.
 *
 * Owns the FIFO of entries waiting to be committed and the deferred call
 * that commits them. The order of the steps is the invariant: every file
 * is complete and fsynced, then incoming/ is fsynced, and only then does
 * any entry of the batch hear "0". If the directory fsync fails, no entry
 * of the batch may be acknowledged, since its directory entry may not be
 * on disk.
 *
 * Trusts: its callers. Limits: batch_limit entries per batch.
 *
 * See also: qmgr_commit.h, docs/queue.md ("Group commit").
 */
#include "qmgr_commit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/queue_file.h"
#include "util/alloc.h"
#include "util/event.h"
#include "util/msg.h"

struct qmgr_commit {
    struct event_loop *loop;
    int dirfd;
    size_t batch_limit;
    struct qmgr_commit_entry *head, **tail;
    bool scheduled;
    struct qmgr_commit_stats stats;
};

static void commit_deferred(void *ctx);

/* qmgr_commit_create - an empty batch */
struct qmgr_commit *qmgr_commit_create(struct event_loop *loop, int dirfd, size_t batch_limit)
{
    struct qmgr_commit *c = xcalloc(1, sizeof(*c));

    c->loop = loop;
    c->dirfd = dirfd;
    c->batch_limit = batch_limit > 0 ? batch_limit : 1;
    c->tail = &c->head;
    return c;
}

/* qmgr_commit_destroy - drop the waiting entries and free */
void qmgr_commit_destroy(struct qmgr_commit **c_r)
{
    struct qmgr_commit *c = *c_r;

    if (c == NULL)
        return;
    while (c->head != NULL)
        qmgr_commit_remove(c, c->head);
    if (c->scheduled)
        event_defer_cancel(c->loop, commit_deferred, c);
    xfree(c);
    *c_r = NULL;
}

/* schedule - commit after this round's callbacks */
static void schedule(struct qmgr_commit *c)
{
    if (!c->scheduled && c->head != NULL) {
        c->scheduled = true;
        event_defer(c->loop, commit_deferred, c);
    }
}

/* qmgr_commit_add - join the batch */
void qmgr_commit_add(struct qmgr_commit *c, struct qmgr_commit_entry *e)
{
    ASSERT(!e->queued && e->writer != NULL && e->done != NULL);
    e->queued = true;
    e->next = NULL;
    *c->tail = e;
    c->tail = &e->next;
    schedule(c);
}

/* qmgr_commit_remove - leave the batch */
void qmgr_commit_remove(struct qmgr_commit *c, struct qmgr_commit_entry *e)
{
    struct qmgr_commit_entry **p;

    if (!e->queued)
        return;
    for (p = &c->head; *p != e; p = &(*p)->next)
        ASSERT(*p != NULL);
    *p = e->next;
    if (*p == NULL)
        c->tail = p;
    e->queued = false;
    e->next = NULL;
}

/* take_batch - detach up to batch_limit entries from the head */
static struct qmgr_commit_entry *take_batch(struct qmgr_commit *c, size_t *n_r)
{
    struct qmgr_commit_entry *batch = c->head, *e = c->head, *last = NULL;
    size_t n = 0;

    while (e != NULL && n < c->batch_limit) {
        e->queued = false;
        last = e;
        e = e->next;
        n++;
    }
    if (last != NULL)
        last->next = NULL;
    c->head = e;
    if (c->head == NULL)
        c->tail = &c->head;
    *n_r = n;
    return batch;
}

/* append - e to the end of the list whose tail link is *tail_r */
static void append(struct qmgr_commit_entry ***tail_r, struct qmgr_commit_entry *e)
{
    e->next = NULL;
    **tail_r = e;
    *tail_r = &e->next;
}

/* qmgr_commit_run - files, then the directory, then the answers */
void qmgr_commit_run(struct qmgr_commit *c)
{
    struct qmgr_commit_entry *batch, *e, *next, *ok = NULL, **ok_tail = &ok, *ended = NULL,
                                                **ended_tail = &ended;
    const char *error, *dir_error = NULL;
    char dir_buf[256];
    size_t n, good = 0;

    /* every file's END record first, so their writes reach the disk
     * together; then the fsyncs, one per file */
    batch = take_batch(c, &n);
    for (e = batch; e != NULL; e = next) {
        next = e->next;
        if (qf_writer_end(e->writer, &error) < 0) {
            e->done(e, -1, error);
            continue;
        }
        append(&ended_tail, e);
    }
    for (e = ended; e != NULL; e = next) {
        next = e->next;
        if (qf_writer_sync(e->writer, &error) < 0) {
            e->done(e, -1, error);
            continue;
        }
        append(&ok_tail, e);
        good++;
    }
    if (good > 0 && fsync(c->dirfd) < 0) {
        /* A copy: the error ring may turn over inside the callbacks. */
        snprintf(dir_buf, sizeof(dir_buf), "fsync incoming/: %s", strerror(errno));
        dir_error = dir_buf;
        msg_warn("group commit of %zu message%s failed: %s", good, good == 1 ? "" : "s", dir_error);
    }
    if (good > 0) {
        c->stats.batches++;
        c->stats.messages += good;
        if (good > c->stats.max_batch)
            c->stats.max_batch = good;
        msg_debug("commit: %zu message%s, one directory fsync", good, good == 1 ? "" : "s");
    }
    for (e = ok; e != NULL; e = next) {
        next = e->next;
        e->next = NULL;
        e->done(e, dir_error != NULL ? -1 : 0, dir_error);
    }
    schedule(c);
}

/* commit_deferred - the event-loop hook */
static void commit_deferred(void *ctx)
{
    struct qmgr_commit *c = ctx;

    c->scheduled = false;
    qmgr_commit_run(c);
}

/* qmgr_commit_get_stats - counters for the log and tests */
const struct qmgr_commit_stats *qmgr_commit_get_stats(const struct qmgr_commit *c)
{
    return &c->stats;
}
