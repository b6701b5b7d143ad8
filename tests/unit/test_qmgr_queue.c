/* SPDX-License-Identifier: MIT
 * test_qmgr_queue - the queue directories without a daemon: recovery of
 * complete, incomplete, corrupt and foreign files; loading and settling
 * (recipients marked done in the file, a move to deferred/, removal when
 * all are done); the doubling back-off up to its maximum; the periodic
 * scan that picks up a file placed in deferred/; and the group commit
 * (qmgr_commit) with its batch limit and a message taken back.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/queue_file.h"
#include "qmgr_commit.h"
#include "qmgr_queue.h"
#include "test.h"
#include "util/event.h"
#include "util/msg.h"

static int ready_calls;

/* on_ready - count the queue's "messages are ready" calls */
static void on_ready(void *ctx)
{
    (void)ctx;
    ready_calls++;
}

/* qpath - a path below the scratch directory */
static const char *qpath(const char *dir, const char *name)
{
    static char paths[2][1024];
    static int n;
    char *p = paths[n++ % 2];

    snprintf(p, sizeof(paths[0]), "%s/q/queue/%s/%s", test_tmpdir(), dir, name);
    return p;
}

/* write_message - a queue file with two recipients; finish it or not */
static struct qf_writer *write_message(int dirfd, const char *name, bool finish)
{
    struct qf_writer *w = NULL;
    const char *error;

    if (!EXPECT_INT(qf_writer_create(dirfd, name, &w, &error), 0))
        return NULL;
    EXPECT_INT(qf_write(w, QF_ARRIVAL, "1700000000.000001", 17, &error), 0);
    EXPECT_INT(qf_write(w, QF_SENDER, "s@example.test", 14, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "a@example.test", 14, &error), 0);
    EXPECT_INT(qf_write(w, QF_RCPT, "b@example.test", 14, &error), 0);
    EXPECT_INT(qf_content_begin(w, 1000, &error), 0);
    EXPECT_INT(qf_content_write(w, "Subject: x\r\n\r\nbody\r\n", 20, &error), 0);
    EXPECT_INT(qf_content_end(w, &error), 0);
    if (finish)
        EXPECT_INT(qf_writer_finish(w, &error), 0);
    return w;
}

/* put_file - write a message into a queue directory and close it */
static void put_file(int dirfd, const char *name, bool finish)
{
    struct qf_writer *w = write_message(dirfd, name, finish);

    qf_writer_destroy(&w, false);
}

/* run_until - run the loop until ready_calls exceeds n (or 2 s) */
static void run_until(struct event_loop *loop, int n)
{
    uint64_t end = monotonic_ms() + 2000;

    while (ready_calls <= n && monotonic_ms() < end)
        event_loop_run_once(loop, 5);
}

/* check_backoff - A01 fails again three times (10, 20, 40, 40 ms), then
 * everything is delivered */
static void check_backoff(struct event_loop *loop, struct qmgr_queue *q)
{
    struct qmgr_msg *m;
    int status[2], i;
    uint64_t end;

    /* the back-off doubles up to its maximum */
    for (i = 2; i <= 4; i++) {
        m = NULL;
        for (end = monotonic_ms() + 2000; m == NULL && monotonic_ms() < end;) {
            if ((m = qmgr_queue_next(q)) == NULL) {
                event_loop_run_once(loop, 5);
            } else if (strcmp(m->id, "000000000A01") != 0) {
                status[0] = status[1] = 4;
                qmgr_queue_settle(q, m, status);
                m = NULL;
            }
        }
        if (!EXPECT_TRUE(m != NULL))
            break;
        status[0] = -1;
        status[1] = 4;
        qmgr_queue_settle(q, m, status);
    }
    EXPECT_LOG("debug: 000000000A01: attempt 2 failed, next in 20ms");
    EXPECT_LOG("debug: 000000000A01: attempt 3 failed, next in 40ms");
    EXPECT_LOG("debug: 000000000A01: attempt 4 failed, next in 40ms");

    /* every recipient delivered: the files go */
    for (end = monotonic_ms() + 2000; qmgr_queue_count(q) > 0 && monotonic_ms() < end;) {
        while ((m = qmgr_queue_next(q)) != NULL) {
            status[0] = status[1] = 0;
            qmgr_queue_settle(q, m, status);
        }
        event_loop_run_once(loop, 5);
    }
}

/* test_recover_settle - recovery, then the life of one message */
static void test_recover_settle(void)
{
    static const char corrupt[] = "V\0\0\0\016petrel-queue 1Z\0\0\0\0X\0\0\0\0";
    struct qmgr_queue_times times = { 10, 40, 60000, 4 };
    struct event_loop *loop = event_loop_create();
    struct qmgr_queue *q = NULL;
    struct qmgr_msg *m;
    struct qf_message *qf = NULL;
    const char *error;
    char dir[1024];
    int fd, status[2];

    snprintf(dir, sizeof(dir), "%s/q", test_tmpdir());
    mkdir(dir, 0700);
    if (!EXPECT_INT(qmgr_queue_open(loop, dir, &times, &q, &error), 0))
        return;
    qmgr_queue_set_ready(q, on_ready, NULL);
    put_file(qmgr_queue_dirfd(q, QMGR_DIR_INCOMING), "000000000A01", true);
    put_file(qmgr_queue_dirfd(q, QMGR_DIR_INCOMING), "000000000A02", false);
    put_file(qmgr_queue_dirfd(q, QMGR_DIR_DEFERRED), "000000000A03", true);
    put_file(qmgr_queue_dirfd(q, QMGR_DIR_INCOMING), "not-an-id", true);
    fd = open(qpath("incoming", "000000000A04"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    EXPECT_INT(write(fd, corrupt, sizeof(corrupt) - 1), sizeof(corrupt) - 1);
    close(fd);
    /* an emptied file: a finished message whose move into free/ a crash undid */
    fd = open(qpath("deferred", "000000000A05"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    test_log_capture_start();
    msg_set_verbose(true);
    qmgr_queue_recover(q);
    EXPECT_INT(qmgr_queue_count(q), 2);
    EXPECT_INT(ready_calls, 1);
    EXPECT_LOG("info: 000000000A02: removed incomplete queue file (never acknowledged)");
    EXPECT_LOG("warning: 000000000A04: corrupt queue file (");
    EXPECT_LOG("info: 000000000A05: removed empty queue file");
    EXPECT_TRUE(access(qpath("deferred", "000000000A05"), F_OK) < 0);
    EXPECT_LOG("info: recovery: 2 messages queued for delivery");
    EXPECT_TRUE(access(qpath("incoming", "000000000A02"), F_OK) < 0);
    EXPECT_TRUE(access(qpath("corrupt", "000000000A04"), F_OK) == 0);
    EXPECT_TRUE(access(qpath("incoming", "not-an-id"), F_OK) == 0);

    /* first: one recipient delivered, one to try again */
    m = qmgr_queue_next(q);
    if (!EXPECT_TRUE(m != NULL && m->qf != NULL && m->fd >= 0))
        return;
    EXPECT_STR(m->id, "000000000A01");
    EXPECT_INT(m->qf->nrcpts, 2);
    status[0] = 0;
    status[1] = 4;
    qmgr_queue_settle(q, m, status);
    EXPECT_TRUE(access(qpath("incoming", "000000000A01"), F_OK) < 0);
    fd = open(qpath("deferred", "000000000A01"), O_RDONLY | O_CLOEXEC);
    EXPECT_TRUE(fd >= 0 && qf_read(fd, &qf, &error) == 0);
    EXPECT_TRUE(qf != NULL && qf->rcpts[0].done && !qf->rcpts[1].done);
    qf_message_free(&qf);
    if (fd >= 0)
        close(fd);
    EXPECT_LOG("debug: 000000000A01: attempt 1 failed, next in 10ms");

    check_backoff(loop, q);
    EXPECT_LOG("info: 000000000A01: removed");
    EXPECT_LOG("info: 000000000A03: removed");
    EXPECT_TRUE(access(qpath("deferred", "000000000A01"), F_OK) < 0);
    /* finished files are recycled, emptied, into free/ (qmgr_pool.h) */
    EXPECT_TRUE(access(qpath("free", "000000000A01"), F_OK) == 0);
    EXPECT_TRUE(access(qpath("free", "000000000A03"), F_OK) == 0);
    EXPECT_INT(qmgr_queue_count(q), 0);
    test_log_capture_stop();
    msg_set_verbose(false);
    qmgr_queue_close(&q);
    event_loop_destroy(&loop);
}

/* test_scan - a file the administrator puts into deferred/ is picked up */
static void test_scan(void)
{
    struct qmgr_queue_times times = { 10, 40, 20, 4 };
    struct event_loop *loop = event_loop_create();
    struct qmgr_queue *q = NULL;
    struct qmgr_msg *m;
    const char *error;
    char dir[1024];
    int before;

    snprintf(dir, sizeof(dir), "%s/q", test_tmpdir());
    if (!EXPECT_INT(qmgr_queue_open(loop, dir, &times, &q, &error), 0))
        return;
    qmgr_queue_set_ready(q, on_ready, NULL);
    qmgr_queue_recover(q);
    EXPECT_INT(qmgr_queue_count(q), 0);
    put_file(qmgr_queue_dirfd(q, QMGR_DIR_DEFERRED), "000000000B01", true);
    before = ready_calls;
    run_until(loop, before);
    EXPECT_INT(qmgr_queue_count(q), 1);
    m = qmgr_queue_next(q);
    EXPECT_TRUE(m != NULL && strcmp(m->id, "000000000B01") == 0 && m->dir == QMGR_DIR_DEFERRED);
    qmgr_queue_close(&q);
    event_loop_destroy(&loop);
}

static int commit_status[8], commit_calls;

/* commit_done - record each entry's verdict */
static void commit_done(struct qmgr_commit_entry *e, int status, const char *error)
{
    (void)e;
    (void)error;
    if (commit_calls < 8)
        commit_status[commit_calls] = status;
    commit_calls++;
}

/* test_commit - five messages, batches of two, one taken back */
static void test_commit(void)
{
    struct event_loop *loop = event_loop_create();
    struct qmgr_commit_entry e[6];
    struct qmgr_commit *c;
    const struct qmgr_commit_stats *st;
    char dir[1024], name[16];
    int dirfd, i;

    snprintf(dir, sizeof(dir), "%s/commit", test_tmpdir());
    mkdir(dir, 0700);
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    c = qmgr_commit_create(loop, dirfd, 2);
    memset(e, 0, sizeof(e));
    for (i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "00000000C0%02d", i);
        e[i].writer = write_message(dirfd, name, false);
        e[i].done = commit_done;
        qmgr_commit_add(c, &e[i]);
    }
    qmgr_commit_remove(c, &e[3]);
    for (i = 0; i < 10 && commit_calls < 5; i++)
        event_loop_run_once(loop, 5);
    EXPECT_INT(commit_calls, 5);
    for (i = 0; i < 5; i++)
        EXPECT_INT(commit_status[i], 0);
    st = qmgr_commit_get_stats(c);
    EXPECT_INT(st->batches, 3);
    EXPECT_INT(st->messages, 5);
    EXPECT_INT(st->max_batch, 2);
    for (i = 0; i < 6; i++) {
        struct qf_message *m = NULL;
        const char *error;
        int fd = qf_writer_fd(e[i].writer);

        EXPECT_INT(qf_read(fd, &m, &error), i == 3 ? -1 : 0);
        qf_message_free(&m);
        qf_writer_destroy(&e[i].writer, true);
    }
    qmgr_commit_destroy(&c);
    close(dirfd);
    event_loop_destroy(&loop);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_recover_settle),
        TEST_CASE(test_scan),
        TEST_CASE(test_commit),
        TEST_END,
    });
}
