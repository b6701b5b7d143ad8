/* SPDX-License-Identifier: MIT
 * qmgr_queue - the queue directories, recovery, the deferred scan and the
 * retry timers.
 *
 * Owns the directory descriptors, the id generator, a hash table of every
 * message known (by queue id), the FIFO of messages ready for delivery and
 * one retry timer per deferred message. Files are opened relative to the
 * directory descriptors (openat, renameat, unlinkat), never by a path
 * built from untrusted names: only names that are valid queue ids are
 * looked at.
 *
 * Durability (docs/queue.md): a rename between directories is followed by
 * an fsync of the target directory; marking recipients done is followed by
 * one fsync of the file while recipients remain; the final recycle or
 * unlink is not synced (a crash then gives a duplicate, never a loss).
 *
 * See also: qmgr_queue.h, docs/queue.md.
 */
#include "qmgr_queue.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "qmgr_pool.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/msg.h"

#define QMGR_HASH_SIZE 4096

static const char *const dir_names[QMGR_DIR_COUNT] = { "incoming", "deferred", "hold", "corrupt", "free" };

struct qmgr_queue {
    struct event_loop *loop;
    struct qmgr_queue_times times;
    char *path; /* $queue_directory/queue */
    int dirfd[QMGR_DIR_COUNT];
    struct queue_id_gen *ids;
    struct qmgr_pool *pool;
    struct qmgr_msg *hash[QMGR_HASH_SIZE];
    unsigned long count, loaded;
    struct qmgr_msg *ready_head, **ready_tail;
    struct event_timer *scan_timer;
    qmgr_queue_ready_fn *ready_fn;
    void *ready_ctx;
};

enum load_result { LOAD_OK, LOAD_EMPTY, LOAD_INCOMPLETE, LOAD_CORRUPT, LOAD_GONE, LOAD_ERROR };

static void scan_timer_fired(void *ctx);

/* hash_of - bucket of a queue id */
static unsigned hash_of(const char *id)
{
    unsigned h = 5381;

    while (*id != '\0')
        h = h * 33 + (unsigned char)*id++;
    return h % QMGR_HASH_SIZE;
}

/* find - the message with this id, or NULL */
static struct qmgr_msg *find(struct qmgr_queue *q, const char *id)
{
    struct qmgr_msg *m;

    for (m = q->hash[hash_of(id)]; m != NULL; m = m->hnext)
        if (strcmp(m->id, id) == 0)
            return m;
    return NULL;
}

/* mkdir_open - create dir (0700) below parent if missing, open it */
static int mkdir_open(int parent, const char *name, const char **error_r)
{
    int fd;

    if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
        return errf(error_r, "mkdir %s: %s", name, strerror(errno));
    if ((fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return errf(error_r, "open %s: %s", name, strerror(errno));
    return fd;
}

/* qmgr_queue_open - directories, id generator, the scan timer */
int qmgr_queue_open(struct event_loop *loop, const char *queue_directory,
                    const struct qmgr_queue_times *times, struct qmgr_queue **q_r, const char **error_r)
{
    struct qmgr_queue *q = xcalloc(1, sizeof(*q));
    int top, i;

    q->loop = loop;
    q->times = *times;
    q->path = xasprintf("%s/queue", queue_directory);
    q->ready_tail = &q->ready_head;
    for (i = 0; i < QMGR_DIR_COUNT; i++)
        q->dirfd[i] = -1;
    *q_r = q;
    if (mkdir(q->path, 0700) < 0 && errno != EEXIST) {
        errf(error_r, "mkdir %s: %s", q->path, strerror(errno));
        goto fail;
    }
    if ((top = open(q->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        errf(error_r, "open %s: %s", q->path, strerror(errno));
        goto fail;
    }
    for (i = 0; i < QMGR_DIR_COUNT; i++)
        if ((q->dirfd[i] = mkdir_open(top, dir_names[i], error_r)) < 0)
            break;
    if (i == QMGR_DIR_COUNT && fsync(top) < 0)
        errf(error_r, "fsync %s: %s", q->path, strerror(errno));
    else if (i == QMGR_DIR_COUNT && queue_id_open(q->path, &q->ids, error_r) == 0) {
        close(top);
        q->pool = qmgr_pool_open(q->dirfd[QMGR_DIR_FREE], (size_t)q->times.file_pool);
        q->scan_timer = event_timer_add(loop, q->times.queue_run_delay, scan_timer_fired, q);
        return 0;
    }
    close(top);
fail:
    qmgr_queue_close(q_r);
    return -1;
}

/* unload - close the file and drop the parsed envelope */
static void unload(struct qmgr_msg *m)
{
    if (m->fd >= 0) {
        close(m->fd);
        m->fd = -1;
        m->queue->loaded--;
    }
    qf_message_free(&m->qf);
}

/* forget - remove m from the table (and the ready list) and free it */
static void forget(struct qmgr_queue *q, struct qmgr_msg *m)
{
    struct qmgr_msg **p;

    for (p = &q->hash[hash_of(m->id)]; *p != m; p = &(*p)->hnext)
        ;
    *p = m->hnext;
    if (m->ready) {
        for (p = &q->ready_head; *p != m; p = &(*p)->rnext)
            ;
        *p = m->rnext;
        if (*p == NULL)
            q->ready_tail = p;
    }
    event_timer_remove(&m->retry);
    unload(m);
    q->count--;
    xfree(m->reason);
    xfree(m);
}

/* qmgr_queue_close - forget everything, close the directories */
void qmgr_queue_close(struct qmgr_queue **q_r)
{
    struct qmgr_queue *q = *q_r;
    int i;

    if (q == NULL)
        return;
    for (i = 0; i < QMGR_HASH_SIZE; i++)
        while (q->hash[i] != NULL)
            forget(q, q->hash[i]);
    event_timer_remove(&q->scan_timer);
    qmgr_pool_close(&q->pool);
    for (i = 0; i < QMGR_DIR_COUNT; i++)
        if (q->dirfd[i] >= 0)
            close(q->dirfd[i]);
    queue_id_close(&q->ids);
    xfree(q->path);
    xfree(q);
    *q_r = NULL;
}

/* qmgr_queue_set_ready - who to tell when messages become ready */
void qmgr_queue_set_ready(struct qmgr_queue *q, qmgr_queue_ready_fn *fn, void *ctx)
{
    q->ready_fn = fn;
    q->ready_ctx = ctx;
}

/* qmgr_queue_dirfd - an open queue directory */
int qmgr_queue_dirfd(const struct qmgr_queue *q, enum qmgr_dir dir)
{
    return q->dirfd[dir];
}

/* qmgr_queue_new_file - recycled when possible, else created */
int qmgr_queue_new_file(struct qmgr_queue *q, const char *id, struct qf_writer **w_r, const char **error_r)
{
    int dirfd = q->dirfd[QMGR_DIR_INCOMING];
    int fd = qmgr_pool_take(q->pool, dirfd, id);

    if (fd >= 0)
        return qf_writer_adopt(dirfd, id, fd, w_r, error_r);
    return qf_writer_create(dirfd, id, w_r, error_r);
}

/* qmgr_queue_new_id - the next id from the generator */
int qmgr_queue_new_id(struct qmgr_queue *q, char id[QUEUE_ID_LEN + 1], const char **error_r)
{
    return queue_id_next(q->ids, id, error_r);
}

/* qmgr_queue_free_bytes - statvfs of the queue directory */
int qmgr_queue_free_bytes(const struct qmgr_queue *q, uint64_t *bytes_r, const char **error_r)
{
    struct statvfs sv;

    if (fstatvfs(q->dirfd[QMGR_DIR_INCOMING], &sv) < 0)
        return errf(error_r, "statvfs %s: %s", q->path, strerror(errno));
    *bytes_r = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
    return 0;
}

/* qmgr_queue_count - messages known */
unsigned long qmgr_queue_count(const struct qmgr_queue *q)
{
    return q->count;
}

/* make_ready - append m to the ready list */
static void make_ready(struct qmgr_queue *q, struct qmgr_msg *m)
{
    if (m->ready || m->in_flight)
        return;
    m->ready = true;
    m->rnext = NULL;
    *q->ready_tail = m;
    q->ready_tail = &m->rnext;
}

/* notify_ready - tell the delivery side there is work */
static void notify_ready(struct qmgr_queue *q)
{
    if (q->ready_fn != NULL && q->ready_head != NULL)
        q->ready_fn(q->ready_ctx);
}

/* add_msg - a new record for a file in dir, ready for delivery */
static struct qmgr_msg *add_msg(struct qmgr_queue *q, const char *id, enum qmgr_dir dir)
{
    struct qmgr_msg *m = xcalloc(1, sizeof(*m));
    unsigned h = hash_of(id);

    snprintf(m->id, sizeof(m->id), "%s", id);
    m->dir = dir;
    m->fd = -1;
    m->queue = q;
    m->hnext = q->hash[h];
    q->hash[h] = m;
    q->count++;
    make_ready(q, m);
    return m;
}

/* has_end - walk the record headers of a file of size bytes: does it end
 * with an X record? */
static bool has_end(int fd, uint64_t size)
{
    unsigned char h[QF_HEADER_SIZE];
    uint64_t off = 0, len;
    int last = -1;

    while (off < size) {
        if (pread(fd, h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h))
            return false;
        len = (uint64_t)h[1] << 24 | (uint64_t)h[2] << 16 | (uint64_t)h[3] << 8 | h[4];
        last = h[0];
        off += sizeof(h) + len;
    }
    return off == size && last == QF_END;
}

/* load - open and parse m's file */
static enum load_result load(struct qmgr_queue *q, struct qmgr_msg *m, const char **error_r)
{
    struct stat st;

    if (m->fd < 0) {
        m->fd = openat(q->dirfd[m->dir], m->id, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (m->fd < 0) {
            errf(error_r, "open %s/%s: %s", dir_names[m->dir], m->id, strerror(errno));
            return errno == ENOENT ? LOAD_GONE : LOAD_ERROR;
        }
        q->loaded++;
    }
    if (m->qf != NULL)
        return LOAD_OK;
    /* one fstat serves both checks (this runs for every delivery) */
    if (fstat(m->fd, &st) < 0)
        return errf(error_r, "no END record (fstat: %s)", strerror(errno)), LOAD_INCOMPLETE;
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return errf(error_r, "empty file"), LOAD_EMPTY;
    if (!has_end(m->fd, (uint64_t)st.st_size))
        return errf(error_r, "no END record"), LOAD_INCOMPLETE;
    if (lseek(m->fd, 0, SEEK_SET) < 0 || qf_read(m->fd, &m->qf, error_r) < 0)
        return LOAD_CORRUPT;
    return LOAD_OK;
}

/* move_file - rename id from one queue directory to another, fsync the target */
static int move_file(struct qmgr_queue *q, const char *id, enum qmgr_dir from, enum qmgr_dir to,
                     const char **error_r)
{
    if (renameat(q->dirfd[from], id, q->dirfd[to], id) < 0)
        return errf(error_r, "rename %s/%s to %s/: %s", dir_names[from], id, dir_names[to], strerror(errno));
    if (fsync(q->dirfd[to]) < 0)
        return errf(error_r, "fsync %s/: %s", dir_names[to], strerror(errno));
    return 0;
}

/* dispose - what to do with a file that did not load; true if m is gone */
static bool dispose(struct qmgr_queue *q, struct qmgr_msg *m, enum load_result r, const char *why)
{
    const char *error;

    if (r == LOAD_EMPTY) {
        /* A finished message truncated for recycling (qmgr_pool.h) whose
         * move into free/ a crash undid, or a file created just before a
         * crash: no mail either way. */
        if (unlinkat(q->dirfd[m->dir], m->id, 0) < 0 && errno != ENOENT)
            msg_warn("%s: unlink %s/%s: %m", m->id, dir_names[m->dir], m->id);
        msg_info("%s: removed empty queue file", m->id);
    } else if (r == LOAD_INCOMPLETE && m->dir == QMGR_DIR_INCOMING) {
        if (unlinkat(q->dirfd[m->dir], m->id, 0) < 0 && errno != ENOENT)
            msg_warn("%s: unlink incoming/%s: %m", m->id, m->id);
        msg_info("%s: removed incomplete queue file (never acknowledged)", m->id);
    } else if (r == LOAD_INCOMPLETE || r == LOAD_CORRUPT) {
        /* an incomplete file outside incoming/ cannot happen: corrupt too */
        if (move_file(q, m->id, m->dir, QMGR_DIR_CORRUPT, &error) < 0)
            msg_warn("%s: corrupt queue file (%s), and it cannot be moved: %s", m->id, why, error);
        else
            msg_warn("%s: corrupt queue file (%s): moved to corrupt/", m->id, why);
    } else if (r == LOAD_GONE) {
        msg_info("%s: queue file is gone (%s)", m->id, why);
    } else {
        return false;
    }
    forget(q, m);
    return true;
}

/* retry_fired - a deferred message's time has come */
static void retry_fired(void *ctx)
{
    struct qmgr_msg *m = ctx;

    m->retry = NULL;
    make_ready(m->queue, m);
    notify_ready(m->queue);
}

/* schedule_retry - unload m and start its timer (doubling back-off) */
static void schedule_retry(struct qmgr_queue *q, struct qmgr_msg *m)
{
    uint64_t delay = q->times.minimal_backoff;
    unsigned i;

    m->attempts++;
    for (i = 1; i < m->attempts && delay < q->times.maximal_backoff; i++)
        delay *= 2;
    if (delay > q->times.maximal_backoff)
        delay = q->times.maximal_backoff;
    unload(m);
    event_timer_remove(&m->retry);
    m->retry = event_timer_add(q->loop, delay, retry_fired, m);
    msg_debug("%s: attempt %u failed, next in %llums", m->id, m->attempts, (unsigned long long)delay);
}

/* scan_dir - add every unknown queue file of dir; with check, load each now */
static void scan_dir(struct qmgr_queue *q, enum qmgr_dir dir, bool check)
{
    struct dirent *de;
    struct qmgr_msg *m;
    const char *error;
    enum load_result r;
    DIR *d;
    int fd = dup(q->dirfd[dir]);

    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        msg_warn("cannot read %s/%s: %m", q->path, dir_names[dir]);
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);
    while ((de = readdir(d)) != NULL) {
        if (!queue_id_valid(de->d_name) || find(q, de->d_name) != NULL)
            continue;
        m = add_msg(q, de->d_name, dir);
        if (!check)
            continue;
        r = load(q, m, &error);
        if (!dispose(q, m, r, error))
            unload(m);
    }
    closedir(d);
}

/* qmgr_queue_recover - every file of incoming/ and deferred/ */
void qmgr_queue_recover(struct qmgr_queue *q)
{
    scan_dir(q, QMGR_DIR_INCOMING, true);
    scan_dir(q, QMGR_DIR_DEFERRED, true);
    if (q->count > 0)
        msg_info("recovery: %lu message%s queued for delivery", q->count, q->count == 1 ? "" : "s");
    notify_ready(q);
}

/* scan_timer_fired - pick up deferred files not in memory */
static void scan_timer_fired(void *ctx)
{
    struct qmgr_queue *q = ctx;

    scan_dir(q, QMGR_DIR_DEFERRED, false);
    q->scan_timer = event_timer_add(q->loop, q->times.queue_run_delay, scan_timer_fired, q);
    notify_ready(q);
}

/* qmgr_queue_add - a committed message, its file still open */
void qmgr_queue_add(struct qmgr_queue *q, const char *id, int fd)
{
    struct qmgr_msg *m = add_msg(q, id, QMGR_DIR_INCOMING);

    if (q->loaded < QMGR_QUEUE_LOADED_MAX) {
        m->fd = fd;
        q->loaded++;
    } else {
        close(fd);
    }
    notify_ready(q);
}

/* qmgr_queue_next - pop the ready list until a message loads */
struct qmgr_msg *qmgr_queue_next(struct qmgr_queue *q)
{
    struct qmgr_msg *m;
    enum load_result r;
    const char *error;

    while ((m = q->ready_head) != NULL) {
        q->ready_head = m->rnext;
        if (q->ready_head == NULL)
            q->ready_tail = &q->ready_head;
        m->ready = false;
        r = load(q, m, &error);
        if (r == LOAD_OK) {
            m->in_flight = true;
            return m;
        }
        if (!dispose(q, m, r, error)) {
            msg_warn("%s: cannot read the queue file: %s", m->id, error);
            schedule_retry(q, m);
        }
    }
    return NULL;
}

/* mark_done - rewrite delivered recipients as done; returns how many
 * (the caller fsyncs if the file stays) */
static size_t mark_done(struct qmgr_msg *m, const int *status)
{
    const char *error;
    size_t i, n = 0;

    for (i = 0; i < m->qf->nrcpts; i++) {
        if (status[i] != 0 || m->qf->rcpts[i].done)
            continue;
        if (qf_mark_done(m->fd, &m->qf->rcpts[i], &error) < 0) {
            msg_warn("%s: cannot mark %s done: %s", m->id, m->qf->rcpts[i].address, error);
            continue;
        }
        m->qf->rcpts[i].done = true;
        n++;
    }
    return n;
}

/* qmgr_queue_settle - the outcome of one delivery attempt */
void qmgr_queue_settle(struct qmgr_queue *q, struct qmgr_msg *m, const int *status)
{
    const char *error;
    size_t i, left = 0, marked;

    m->in_flight = false;
    marked = mark_done(m, status);
    for (i = 0; i < m->qf->nrcpts; i++)
        left += !m->qf->rcpts[i].done;
    /* The marks must survive a crash only if the file stays: a finished
     * file is recycled (or unlinked) unsynced anyway, so a crash can only
     * bring the whole message back (a duplicate, never a loss). If this
     * fsync fails, the marks may be lost: a duplicate later, never a loss. */
    if (left > 0 && marked > 0 && fsync(m->fd) < 0)
        msg_warn("%s: fsync after marking recipients done: %m", m->id);
    if (left == 0) {
        if (m->fd >= 0) {
            qmgr_pool_put(q->pool, q->dirfd[m->dir], m->id, m->fd);
            m->fd = -1;
            q->loaded--;
        } else if (unlinkat(q->dirfd[m->dir], m->id, 0) < 0) {
            msg_warn("%s: unlink %s/%s: %m", m->id, dir_names[m->dir], m->id);
        }
        msg_info("%s: removed", m->id);
        forget(q, m);
        notify_ready(q);
        return;
    }
    if (m->dir == QMGR_DIR_INCOMING) {
        if (move_file(q, m->id, QMGR_DIR_INCOMING, QMGR_DIR_DEFERRED, &error) < 0)
            msg_warn("%s: moving to deferred/: %s", m->id, error);
        /* Where the file is now decides, whatever step failed. */
        if (faccessat(q->dirfd[QMGR_DIR_DEFERRED], m->id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            m->dir = QMGR_DIR_DEFERRED;
    }
    schedule_retry(q, m);
    notify_ready(q);
}

/* qmgr_queue_note_deferral - keep the last deferral reason */
void qmgr_queue_note_deferral(struct qmgr_queue *q, const char *id, const char *reason)
{
    struct qmgr_msg *m = find(q, id);

    if (m == NULL)
        return;
    xfree(m->reason);
    m->reason = xstrdup(reason != NULL ? reason : "");
}

/* qmgr_queue_find - lookup by id */
const struct qmgr_msg *qmgr_queue_find(struct qmgr_queue *q, const char *id)
{
    return find(q, id);
}

/* qmgr_queue_dir_name - a directory's name */
const char *qmgr_queue_dir_name(enum qmgr_dir dir)
{
    return dir_names[dir];
}

/* held_or_deferred - the directory of a file qmgr has not in memory:
 * hold/ or deferred/ (never incoming/, where files are being received) */
static int held_or_deferred(struct qmgr_queue *q, const char *id, enum qmgr_dir *dir_r)
{
    if (faccessat(q->dirfd[QMGR_DIR_HOLD], id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        *dir_r = QMGR_DIR_HOLD;
    else if (faccessat(q->dirfd[QMGR_DIR_DEFERRED], id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        *dir_r = QMGR_DIR_DEFERRED;
    else
        return -1;
    return 0;
}

/* locate - where id is; -1 with an error if unknown or in delivery */
static int locate(struct qmgr_queue *q, const char *id, struct qmgr_msg **m_r, enum qmgr_dir *dir_r,
                  const char **error_r)
{
    *m_r = find(q, id);
    if (*m_r != NULL && (*m_r)->in_flight)
        return errf(error_r, "%s: message is being delivered; try again", id);
    if (*m_r != NULL) {
        *dir_r = (*m_r)->dir;
        return 0;
    }
    if (held_or_deferred(q, id, dir_r) < 0)
        return errf(error_r, "%s: no such message in the queue", id);
    return 0;
}

/* qmgr_queue_delete - unlink and forget */
int qmgr_queue_delete(struct qmgr_queue *q, const char *id, const char **error_r)
{
    struct qmgr_msg *m;
    enum qmgr_dir dir;

    if (locate(q, id, &m, &dir, error_r) < 0)
        return -1;
    if (unlinkat(q->dirfd[dir], id, 0) < 0)
        return errf(error_r, "%s: unlink %s/%s: %s", id, dir_names[dir], id, strerror(errno));
    if (m != NULL)
        forget(q, m);
    msg_info("%s: removed (deleted by the administrator)", id);
    return 0;
}

/* qmgr_queue_hold - into hold/, out of memory (recovery skips hold/) */
int qmgr_queue_hold(struct qmgr_queue *q, const char *id, const char **error_r)
{
    struct qmgr_msg *m;
    enum qmgr_dir dir;

    if (locate(q, id, &m, &dir, error_r) < 0)
        return -1;
    if (dir == QMGR_DIR_HOLD)
        return errf(error_r, "%s: message is already on hold", id);
    if (move_file(q, id, dir, QMGR_DIR_HOLD, error_r) < 0)
        return -1;
    if (m != NULL)
        forget(q, m);
    msg_info("%s: placed on hold by the administrator", id);
    return 0;
}

/* qmgr_queue_release - back to incoming/, scheduled now */
int qmgr_queue_release(struct qmgr_queue *q, const char *id, const char **error_r)
{
    if (find(q, id) != NULL || faccessat(q->dirfd[QMGR_DIR_HOLD], id, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        return errf(error_r, "%s: no such message on hold", id);
    if (move_file(q, id, QMGR_DIR_HOLD, QMGR_DIR_INCOMING, error_r) < 0)
        return -1;
    add_msg(q, id, QMGR_DIR_INCOMING);
    msg_info("%s: released from hold by the administrator", id);
    notify_ready(q);
    return 0;
}

/* qmgr_queue_flush - cancel every retry timer, pick up deferred/ */
void qmgr_queue_flush(struct qmgr_queue *q)
{
    struct qmgr_msg *m;
    int i;

    scan_dir(q, QMGR_DIR_DEFERRED, false);
    for (i = 0; i < QMGR_HASH_SIZE; i++)
        for (m = q->hash[i]; m != NULL; m = m->hnext)
            if (m->retry != NULL) {
                event_timer_remove(&m->retry);
                make_ready(q, m);
            }
    msg_info("flush: every deferred message is scheduled now");
    notify_ready(q);
}
