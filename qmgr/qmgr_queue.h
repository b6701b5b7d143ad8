/* SPDX-License-Identifier: MIT
 * qmgr_queue - the queue directories and the messages qmgr knows about.
 *
 * Owns $queue_directory/queue/{incoming,deferred,hold,corrupt,free}
 * (created 0700 if missing; free/ holds recycled empty files, qmgr_pool.h), the queue-id generator, and one in-memory record per
 * committed message: where its file is, whether a delivery is in flight,
 * how many attempts failed (in memory only: a restart starts again at
 * minimal_backoff_time), its retry timer. A message is "loaded" (its file
 * open and its envelope parsed) only while it waits for or is in delivery;
 * at most QMGR_QUEUE_LOADED_MAX are loaded at once, the rest are read again
 * when their turn comes, so a large queue does not use up descriptors.
 *
 * Recovery at start and the periodic scan of deferred/ (queue_run_delay)
 * apply docs/queue.md: a file without an END record in incoming/ was never
 * acknowledged and is deleted; a file qf_read refuses is renamed into
 * corrupt/ (then corrupt/ is fsynced) with one warning; every complete file
 * is scheduled for delivery at once.
 *
 * Trusts: nothing in the directories (file names must be valid queue ids,
 * files are parsed by the strict reader). Limits: QMGR_QUEUE_LOADED_MAX.
 *
 * See also: docs/queue.md, queue_file.h, queue_id.h, qmgr_deliver.h.
 */
#ifndef PETREL_QMGR_QUEUE_H
#define PETREL_QMGR_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "mail/queue_file.h"
#include "mail/queue_id.h"

#define QMGR_QUEUE_LOADED_MAX 256

struct event_loop;
struct event_timer;
struct qmgr_queue;

enum qmgr_dir {
    QMGR_DIR_INCOMING,
    QMGR_DIR_DEFERRED,
    QMGR_DIR_HOLD,
    QMGR_DIR_CORRUPT,
    QMGR_DIR_FREE, /* recycled empty files, never mail (qmgr_pool.h) */
    QMGR_DIR_COUNT,
};

/* One committed message. */
struct qmgr_msg {
    char id[QUEUE_ID_LEN + 1];
    enum qmgr_dir dir;
    int fd;                /* the open queue file, or -1 (not loaded) */
    struct qf_message *qf; /* its envelope, or NULL (not loaded) */
    unsigned attempts;     /* failed delivery attempts since start */
    bool in_flight;        /* a delivery request is out */
    bool ready;            /* on the ready list */
    struct event_timer *retry;
    char *reason;           /* the last deferral reason, or NULL */
    struct qmgr_msg *hnext; /* hash chain */
    struct qmgr_msg *rnext; /* ready list */
    struct qmgr_queue *queue;
};

/* Timing, in milliseconds (the parameters of the same names), and the
 * most recycled files kept (qmgr_queue_file_pool). */
struct qmgr_queue_times {
    uint64_t minimal_backoff, maximal_backoff, queue_run_delay;
    uint64_t file_pool;
};

typedef void qmgr_queue_ready_fn(void *ctx);

/* qmgr_queue_open - create the directories of queue_directory/queue, open
 * them and the id generator; 0, or -1 with an error */
int qmgr_queue_open(struct event_loop *loop, const char *queue_directory,
                    const struct qmgr_queue_times *times, struct qmgr_queue **q_r, const char **error_r);
/* qmgr_queue_close - forget every message (files stay), close; accepts NULL */
void qmgr_queue_close(struct qmgr_queue **q_r);
/* qmgr_queue_set_ready - fn(ctx) is called whenever messages become ready */
void qmgr_queue_set_ready(struct qmgr_queue *q, qmgr_queue_ready_fn *fn, void *ctx);

/* qmgr_queue_dirfd - the open directory */
int qmgr_queue_dirfd(const struct qmgr_queue *q, enum qmgr_dir dir);
/* qmgr_queue_new_file - a writer on a new queue file incoming/ID: a
 * recycled file when the pool has one, else a new one (qf_writer_create) */
int qmgr_queue_new_file(struct qmgr_queue *q, const char *id, struct qf_writer **w_r, const char **error_r);
/* qmgr_queue_new_id - the next queue id */
int qmgr_queue_new_id(struct qmgr_queue *q, char id[QUEUE_ID_LEN + 1], const char **error_r);
/* qmgr_queue_free_bytes - free space for unprivileged users on the queue
 * file system; -1 with an error */
int qmgr_queue_free_bytes(const struct qmgr_queue *q, uint64_t *bytes_r, const char **error_r);

/* qmgr_queue_recover - at start: incoming/ and deferred/ as described above */
void qmgr_queue_recover(struct qmgr_queue *q);
/* qmgr_queue_add - a message just committed in incoming/; takes fd */
void qmgr_queue_add(struct qmgr_queue *q, const char *id, int fd);
/* qmgr_queue_next - the next ready message, loaded, marked in flight; NULL
 * if none (messages that cannot be loaded are dealt with and skipped) */
struct qmgr_msg *qmgr_queue_next(struct qmgr_queue *q);
/* qmgr_queue_settle - after a delivery attempt: status[i] is the result for
 * recipient i of m->qf (0 delivered, 4, 5; -1 not attempted). Marks the
 * delivered ones done (one fsync), then removes the file if nothing is left,
 * else moves it to deferred/ and starts its retry timer. */
void qmgr_queue_settle(struct qmgr_queue *q, struct qmgr_msg *m, const int *status);
/* qmgr_queue_note_deferral - remember why a delivery of id was deferred
 * (shown by petrel queue list) */
void qmgr_queue_note_deferral(struct qmgr_queue *q, const char *id, const char *reason);
/* qmgr_queue_find - the message with this id, or NULL if not in memory */
const struct qmgr_msg *qmgr_queue_find(struct qmgr_queue *q, const char *id);
/* qmgr_queue_dir_name - "incoming", "deferred", "hold" or "corrupt" */
const char *qmgr_queue_dir_name(enum qmgr_dir dir);
/* qmgr_queue_delete - remove id's file and its state (administrator);
 * 0, or -1 with an error (unknown, in delivery, I/O) */
int qmgr_queue_delete(struct qmgr_queue *q, const char *id, const char **error_r);
/* qmgr_queue_hold - move id to hold/ (fsynced) and forget it until released */
int qmgr_queue_hold(struct qmgr_queue *q, const char *id, const char **error_r);
/* qmgr_queue_release - move id from hold/ to incoming/, ready at once */
int qmgr_queue_release(struct qmgr_queue *q, const char *id, const char **error_r);
/* qmgr_queue_flush - every deferred message is ready now */
void qmgr_queue_flush(struct qmgr_queue *q);
/* qmgr_queue_count - messages known (tests, statistics) */
unsigned long qmgr_queue_count(const struct qmgr_queue *q);

#endif
