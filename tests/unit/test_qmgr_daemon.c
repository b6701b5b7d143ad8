/* SPDX-License-Identifier: MIT
 * test_qmgr_daemon - the real qmgr and the real local, standalone, on
 * sockets in a scratch queue_directory/private/: a reply that comes only
 * once the queue file is complete, delivery into Maildirs (alias to two
 * mailboxes) with the right bytes and the queue file removed, a retry
 * after local was down, 20 concurrent submissions sharing group commits,
 * an unknown recipient (5.1.1, no file), a message over message_size_limit
 * (5.3.4, no file) or announced so (5.3.4 at begin), a frame out of order
 * (5.5.1), a connection lost mid-data (no file), and recovery: a deferred
 * message delivered after a restart, a corrupt file moved to corrupt/, an
 * incomplete one deleted. Then: no room (4.3.1 at begin), a permanent
 * failure from local kept in deferred/, a broken alias map (4.3.0 at end).
 * Both daemons exit 0 on SIGTERM, without sanitizer reports.
 *
 * The daemons are found relative to this test program (build/tests/unit/
 * -> build/lib/petrel/). Their logs go to qmgr.log and local.log.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/queue_file.h"
#include "mail/queue_id.h"
#include "map/map.h"
#include "test.h"
#include "util/buf.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define MAX_FRAME (1024 * 1024)
#define TIMEOUT_MS 10000
#define NCONC 20

static char spool[PATH_MAX], qsock[PATH_MAX + 32], lsock[PATH_MAX + 32], base[PATH_MAX];
static pid_t qmgr_pid = -1, local_pid = -1;

static const char body[] = "From: a@example.test\r\nSubject: test\r\n\r\nHello, world.\r\n";
/* what local stores: its trace headers, then the content with LF line ends */
static const char stored_alice[] = "Return-Path: <sender@example.test>\nDelivered-To: alice@example.test\n"
                                   "From: a@example.test\nSubject: test\n\nHello, world.\n";
static const char stored_bob[] = "Return-Path: <sender@example.test>\nDelivered-To: Bob@example.test\n"
                                 "From: a@example.test\nSubject: test\n\nHello, world.\n";

/* sleep_ms - pause a little */
static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static const char *tpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tpath - a path below the scratch directory (rotating buffers) */
static const char *tpath(const char *fmt, ...)
{
    static char paths[4][PATH_MAX + 64];
    static int n;
    char *p = paths[n++ % 4], rel[PATH_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rel, sizeof(rel), fmt, ap);
    va_end(ap);
    snprintf(p, sizeof(paths[0]), "%s/%s", test_tmpdir(), rel);
    return p;
}

/* read_text - a whole file (static buffer), "" if missing */
static const char *read_text(const char *path)
{
    static char text[262144];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);

    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

/* daemon_start_o - fork and exec build/lib/petrel/NAME -c DIR -l SOCK [-o OPT] */
static pid_t daemon_start_o(const char *name, const char *sock, const char *opt)
{
    char self[PATH_MAX], path[PATH_MAX + 64], log[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    pid_t pid;
    int fd;

    if (n < 0)
        return -1;
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    snprintf(path, sizeof(path), "%s/../../lib/petrel/%s", self, name);
    snprintf(log, sizeof(log), "%s/%s.log", test_tmpdir(), name);
    if (access(path, X_OK) < 0) {
        test_fail(__FILE__, __LINE__, "no %s binary at %s", name, path);
        return -1;
    }
    if ((pid = fork()) == 0) {
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(126);
        if (opt != NULL)
            execl(path, name, "-v", "-c", test_tmpdir(), "-l", sock, "-o", opt, (char *)NULL);
        else
            execl(path, name, "-v", "-c", test_tmpdir(), "-l", sock, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* daemon_start - the daemon with the configuration as it is */
static pid_t daemon_start(const char *name, const char *sock)
{
    return daemon_start_o(name, sock, NULL);
}

/* daemon_stop - SIGTERM, and an exit status of 0 */
static void daemon_stop(pid_t *pid, const char *name)
{
    int status = -1, i;

    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    for (i = 0; i < 1000 && waitpid(*pid, &status, WNOHANG) == 0; i++)
        sleep_ms(10);
    if (!EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        kill(*pid, SIGKILL);
        waitpid(*pid, &status, 0);
        fprintf(stderr, "%s log:\n%s", name, read_text(tpath("%s.log", name)));
    }
    unlink(strcmp(name, "qmgr") == 0 ? qsock : lsock);
    *pid = -1;
}

/* submit_open - connect to qmgr, retrying while it starts */
static int submit_open(void)
{
    const char *error = NULL;
    int fd, i;

    for (i = 0; i < 400; i++) {
        if (ipc_connect(qsock, SUBMIT_PROTOCOL, SUBMIT_VERSION, TIMEOUT_MS, &fd, &error) == 0)
            return fd;
        sleep_ms(25);
    }
    test_fail(__FILE__, __LINE__, "cannot connect to qmgr: %s", error ? error : "?");
    return -1;
}

/* send_req - request with "name=value" string attributes (NULL-ended) */
static bool send_req(int fd, const char *request, const char *const *attrs)
{
    struct ipc_msg *m = ipc_msg_create();
    const char *error;
    char name[64];
    bool ok;

    ipc_msg_add_str(m, MA_REQUEST, request);
    for (; attrs != NULL && *attrs != NULL; attrs++) {
        const char *eq = strchr(*attrs, '=');

        snprintf(name, sizeof(name), "%.*s", (int)(eq - *attrs), *attrs);
        ipc_msg_add_str(m, name, eq + 1);
    }
    ok = ipc_send(fd, m, MAX_FRAME, TIMEOUT_MS, &error) == 0;
    ipc_msg_destroy(&m);
    return ok;
}

/* send_data - one data frame */
static bool send_data(int fd, const void *p, size_t len)
{
    struct ipc_msg *m = ipc_msg_create();
    const char *error;
    bool ok;

    ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_DATA);
    ipc_msg_add_data(m, MA_DATA, p, len);
    ok = ipc_send(fd, m, MAX_FRAME, TIMEOUT_MS, &error) == 0;
    ipc_msg_destroy(&m);
    return ok;
}

/* recv_reply - the next reply rendered, and its queue id */
static const char *recv_reply(int fd, char id[QUEUE_ID_LEN + 1])
{
    static struct buf *out;
    struct ipc_msg *r = NULL;
    const char *error, *s;

    if (out == NULL)
        out = buf_create(256, 4096);
    buf_reset(out);
    if (ipc_recv(fd, MAX_FRAME, TIMEOUT_MS, &r, &error) < 0) {
        buf_printf(out, "error: %s", error);
        return buf_str(out);
    }
    ipc_msg_render(r, out);
    if (id != NULL && ipc_msg_get_str(r, MA_QUEUE_ID, &s, &error) == 0)
        snprintf(id, QUEUE_ID_LEN + 1, "%s", s);
    ipc_msg_destroy(&r);
    return buf_str(out);
}

/* begin_rcpt - begin and one rcpt on fd; the id from begin */
static bool begin_rcpt(int fd, const char *rcpt, char id[QUEUE_ID_LEN + 1])
{
    const char *const begin[] = { "sender=sender@example.test", "protocol=ESMTP", "client_addr=192.0.2.9",
                                  "helo=client.example", NULL };
    char addr[256];
    const char *const r[] = { addr, NULL };

    snprintf(addr, sizeof(addr), "address=%s", rcpt);
    if (!send_req(fd, SUBMIT_REQ_BEGIN, begin))
        return false;
    if (!EXPECT_CONTAINS(recv_reply(fd, id), "status=0, queue_id="))
        return false;
    return send_req(fd, SUBMIT_REQ_RCPT, r);
}

/* submit - a whole message to rcpt; the reply to end */
static const char *submit(const char *rcpt, const char *data, size_t len, char id[QUEUE_ID_LEN + 1])
{
    int fd = submit_open();
    const char *reply = "error: no connection";

    if (fd < 0)
        return reply;
    if (begin_rcpt(fd, rcpt, id) && send_data(fd, data, len) && send_req(fd, SUBMIT_REQ_END, NULL))
        reply = recv_reply(fd, NULL);
    close(fd);
    return reply;
}

/* count_files - entries (not . or ..) in a directory */
static int count_files(const char *dir)
{
    struct dirent *e;
    DIR *d = opendir(dir);
    int n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* queued - files in incoming/ and deferred/ */
static int queued(void)
{
    return count_files(tpath("spool/queue/incoming")) + count_files(tpath("spool/queue/deferred"));
}

/* wait_count - poll fn until it equals want (or time out); the last value */
static int wait_count(int (*fn)(void), int want)
{
    int i, got = fn();

    for (i = 0; i < 1000 && got != want; i++) {
        sleep_ms(10);
        got = fn();
    }
    return got;
}

/* alice_count / bob_count - messages in the Maildirs */
static int alice_count(void)
{
    return count_files(tpath("mail/example.test/alice/new"));
}

static int bob_count(void)
{
    return count_files(tpath("mail/example.test/bob/new"));
}

/* first_file - the text of one file in a Maildir's new/ */
static const char *first_file(const char *maildir)
{
    const char *dir = tpath("mail/%s/new", maildir);
    struct dirent *e;
    char path[PATH_MAX * 2];
    DIR *d = opendir(dir);

    path[0] = '\0';
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (d != NULL)
        closedir(d);
    return read_text(path);
}

/* file_complete - is the queue file of id complete (in incoming/ or deferred/)? */
static bool file_complete(const char *id)
{
    struct qf_message *m = NULL;
    const char *error = "";
    int fd = open(tpath("spool/queue/incoming/%s", id), O_RDONLY | O_CLOEXEC);
    bool ok;

    if (fd < 0)
        fd = open(tpath("spool/queue/deferred/%s", id), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ok = qf_read(fd, &m, &error) == 0 && m->nrcpts == 1 && m->content_length == sizeof(body) - 1;
    if (!ok)
        fprintf(stderr, "queue file %s: %s\n", id, error);
    qf_message_free(&m);
    close(fd);
    return ok;
}

/* setup - petrel.conf, the maps, the directories */
static void setup(void)
{
    static const char *const mailboxes[][2] = { { "alice@example.test", "example.test/alice/" },
                                                { "bob@example.test", "example.test/bob/" },
                                                { "broken@example.test", "/not/relative/" } };
    char conf[4 * PATH_MAX];
    struct map *m = NULL;
    const char *error;

    snprintf(spool, sizeof(spool), "%s/spool", test_tmpdir());
    snprintf(base, sizeof(base), "%s/mail", test_tmpdir());
    snprintf(qsock, sizeof(qsock), "%s/private/qmgr", spool);
    snprintf(lsock, sizeof(lsock), "%s/private/local", spool);
    mkdir(spool, 0700);
    mkdir(tpath("spool/private"), 0700);
    mkdir(base, 0700);
    mkdir(tpath("data"), 0700);
    mkdir(tpath("data/maps"), 0700);
    snprintf(conf, sizeof(conf),
             "queue_directory = %s\ndata_directory = %s/data\nvirtual_mailbox_base = %s\n"
             "message_size_limit = 4096\nminimal_backoff_time = 1s\nmaximal_backoff_time = 2s\n"
             "queue_run_delay = 1s\nqueue_minfree = 0\n",
             spool, test_tmpdir(), base);
    test_write_file("petrel.conf", conf);
    if (EXPECT_INT(map_open(tpath("data/maps/mailboxes"), MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0)) {
        EXPECT_INT(map_put(m, mailboxes[0][0], mailboxes[0][1], &error), 0);
        EXPECT_INT(map_put(m, mailboxes[1][0], mailboxes[1][1], &error), 0);
        EXPECT_INT(map_put(m, mailboxes[2][0], mailboxes[2][1], &error), 0);
        map_close(&m);
    }
    if (EXPECT_INT(map_open(tpath("data/maps/aliases"), MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0)) {
        EXPECT_INT(map_put(m, "team@example.test", "alice@example.test, Bob@example.test", &error), 0);
        map_close(&m);
    }
}

/* check_retry - local is down: the reply comes with the file complete,
 * then local starts and the retry delivers it */
static void check_retry(void)
{
    char id[QUEUE_ID_LEN + 1] = "";

    EXPECT_CONTAINS(submit("alice@example.test", body, sizeof(body) - 1, id), "status=0, queue_id=");
    EXPECT_TRUE(file_complete(id));
    local_pid = daemon_start("local", lsock);
    EXPECT_INT(wait_count(alice_count, 1), 1);
    EXPECT_INT(wait_count(queued, 0), 0);
    EXPECT_STR(first_file("example.test/alice"), stored_alice);
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), ": removed");
}

/* check_alias - one message to two mailboxes through an alias */
static void check_alias(void)
{
    char id[QUEUE_ID_LEN + 1] = "", want[128];

    EXPECT_CONTAINS(submit("team@example.test", body, sizeof(body) - 1, id), "status=0, queue_id=");
    EXPECT_INT(wait_count(bob_count, 1), 1);
    EXPECT_INT(wait_count(alice_count, 2), 2);
    EXPECT_STR(first_file("example.test/bob"), stored_bob);
    EXPECT_INT(wait_count(queued, 0), 0);
    snprintf(want, sizeof(want), "%s: to=<Bob@example.test>, orig_to=<team@example.test>, relay=local", id);
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), want);
    snprintf(want, sizeof(want), "%s: from=<sender@example.test>, size=%zu, nrcpt=2 (queue active)", id,
             sizeof(body) - 1);
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), want);
}

/* check_concurrent - 20 connections, every end sent before any reply is read */
static void check_concurrent(void)
{
    char id[NCONC][QUEUE_ID_LEN + 1];
    int fd[NCONC], i, ok = 0;

    for (i = 0; i < NCONC; i++) {
        fd[i] = submit_open();
        if (fd[i] < 0 || !begin_rcpt(fd[i], "bob@example.test", id[i])
            || !send_data(fd[i], body, sizeof(body) - 1))
            return;
    }
    for (i = 0; i < NCONC; i++)
        send_req(fd[i], SUBMIT_REQ_END, NULL);
    for (i = 0; i < NCONC; i++) {
        ok += strstr(recv_reply(fd[i], NULL), "status=0, queue_id=") != NULL;
        close(fd[i]);
    }
    EXPECT_INT(ok, NCONC);
    EXPECT_INT(wait_count(bob_count, NCONC + 1), NCONC + 1);
    EXPECT_INT(wait_count(queued, 0), 0);
}

/* check_refusals - unknown recipient, too large, lost mid-data: no file */
static void check_refusals(void)
{
    static char big[4096 + 16384 + 1];
    char id[QUEUE_ID_LEN + 1] = "";
    int fd;

    EXPECT_CONTAINS(submit("nobody@example.test", body, sizeof(body) - 1, id),
                    "status=5, queue_id=\"" /* id follows */);
    EXPECT_CONTAINS(submit("nobody@example.test", body, sizeof(body) - 1, id), "dsn=\"5.1.1\"");
    EXPECT_TRUE(access(tpath("spool/queue/incoming/%s", id), F_OK) < 0);
    memset(big, 'x', sizeof(big));
    EXPECT_CONTAINS(submit("alice@example.test", big, sizeof(big), id), "dsn=\"5.3.4\"");
    EXPECT_TRUE(access(tpath("spool/queue/incoming/%s", id), F_OK) < 0);
    /* a SIZE hint over the limit: refused at begin */
    if ((fd = submit_open()) >= 0) {
        struct ipc_msg *m = ipc_msg_create();
        const char *error;

        ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_BEGIN);
        ipc_msg_add_str(m, MA_SENDER, "");
        ipc_msg_add_str(m, MA_PROTOCOL, "ESMTP");
        ipc_msg_add_int(m, MA_SIZE, 4097);
        EXPECT_INT(ipc_send(fd, m, MAX_FRAME, TIMEOUT_MS, &error), 0);
        EXPECT_STR(recv_reply(fd, NULL),
                   "status=5, dsn=\"5.3.4\", reason=\"Message size exceeds fixed limit\"");
        EXPECT_TRUE(send_req(fd, SUBMIT_REQ_END, NULL));
        EXPECT_CONTAINS(recv_reply(fd, NULL), "dsn=\"5.3.4\", reason=\"Message size exceeds fixed limit\"");
        ipc_msg_destroy(&m);
        close(fd);
    }
    /* a frame out of order: 5 at end */
    if ((fd = submit_open()) >= 0) {
        EXPECT_TRUE(send_data(fd, body, 3));
        EXPECT_TRUE(send_req(fd, SUBMIT_REQ_END, NULL));
        EXPECT_CONTAINS(recv_reply(fd, NULL), "status=5, dsn=\"5.5.1\"");
        close(fd);
    }
    if ((fd = submit_open()) < 0)
        return;
    EXPECT_TRUE(begin_rcpt(fd, "alice@example.test", id) && send_data(fd, body, 10));
    sleep_ms(100);
    EXPECT_TRUE(access(tpath("spool/queue/incoming/%s", id), F_OK) == 0);
    close(fd);
    EXPECT_INT(wait_count(queued, 0), 0);
    EXPECT_INT(alice_count(), 2);
}

/* write_raw - a file with these bytes */
static void write_raw(const char *path, const void *p, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    EXPECT_TRUE(fd >= 0 && write(fd, p, len) == (ssize_t)len);
    if (fd >= 0)
        close(fd);
}

/* check_recovery - a deferred message survives a restart; corrupt and
 * incomplete files are dealt with at start */
static void check_recovery(void)
{
    static const char corrupt[] = "V\0\0\0\016petrel-queue 1Z\0\0\0\0X\0\0\0\0";
    static const char incomplete[] = "V\0\0\0\016petrel-queue 1F\0\0\0\0";
    char id[QUEUE_ID_LEN + 1] = "";

    daemon_stop(&local_pid, "local");
    EXPECT_CONTAINS(submit("alice@example.test", body, sizeof(body) - 1, id), "status=0, queue_id=");
    sleep_ms(200);
    daemon_stop(&qmgr_pid, "qmgr");
    EXPECT_INT(queued(), 1);
    write_raw(tpath("spool/queue/incoming/VVVVVVVVVVV1"), corrupt, sizeof(corrupt) - 1);
    write_raw(tpath("spool/queue/incoming/VVVVVVVVVVV2"), incomplete, sizeof(incomplete) - 1);
    qmgr_pid = daemon_start("qmgr", qsock);
    local_pid = daemon_start("local", lsock);
    EXPECT_INT(wait_count(alice_count, 3), 3);
    EXPECT_INT(wait_count(queued, 0), 0);
    EXPECT_TRUE(access(tpath("spool/queue/corrupt/VVVVVVVVVVV1"), F_OK) == 0);
    EXPECT_TRUE(access(tpath("spool/queue/incoming/VVVVVVVVVVV2"), F_OK) < 0);
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")),
                    "VVVVVVVVVVV2: removed incomplete queue file (never acknowledged)");
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), "VVVVVVVVVVV1: corrupt queue file (");
}

/* check_failures - no room (4.3.1), a permanent delivery failure kept
 * queued, a broken alias map (4.3.0 at end) */
static void check_failures(void)
{
    static const char garbage[] = "this is not an LMDB environment, whatever it may look like.........\n";
    char id[QUEUE_ID_LEN + 1] = "", want[160];
    int fd;

    qmgr_pid = daemon_start_o("qmgr", qsock, "queue_minfree=1099511627776");
    if ((fd = submit_open()) >= 0) {
        const char *const begin[] = { "sender=", "protocol=ESMTP", NULL };

        EXPECT_TRUE(send_req(fd, SUBMIT_REQ_BEGIN, begin));
        EXPECT_CONTAINS(recv_reply(fd, NULL),
                        "status=4, dsn=\"4.3.1\", reason=\"Insufficient system storage\"");
        close(fd);
    }
    daemon_stop(&qmgr_pid, "qmgr");
    EXPECT_INT(queued(), 0);
    qmgr_pid = daemon_start("qmgr", qsock);
    EXPECT_CONTAINS(submit("broken@example.test", body, sizeof(body) - 1, id), "status=0, queue_id=");
    snprintf(want, sizeof(want), "%s: to=<broken@example.test>, relay=local", id);
    for (fd = 0; fd < 500 && strstr(read_text(tpath("qmgr.log")), want) == NULL; fd++)
        sleep_ms(10);
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), "status=deferred (permanent failure: ");
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), "; bounces are not implemented yet)");
    sleep_ms(100);
    EXPECT_TRUE(access(tpath("spool/queue/deferred/%s", id), F_OK) == 0);
    /* a map replaced by a broken one: a temporary failure, not "unknown" */
    write_raw(tpath("data/maps/aliases.new"), garbage, sizeof(garbage) - 1);
    EXPECT_INT(rename(tpath("data/maps/aliases.new"), tpath("data/maps/aliases")), 0);
    EXPECT_CONTAINS(submit("alice@example.test", body, sizeof(body) - 1, id), "status=4, queue_id=");
    EXPECT_CONTAINS(read_text(tpath("qmgr.log")), ": reject: session 2: 4.3.0 Temporary lookup failure; ");
    daemon_stop(&qmgr_pid, "qmgr");
    EXPECT_INT(queued(), 1);
}

/* commit_batches - the largest group commit, from the exit statistics */
static long largest_batch(void)
{
    const char *log = read_text(tpath("qmgr.log")), *p = log, *last = NULL;

    while ((p = strstr(p, "group commits, largest ")) != NULL)
        last = p += strlen("group commits, largest ");
    return last != NULL ? strtol(last, NULL, 10) : -1;
}

/* test_daemon - the whole story */
static void test_daemon(void)
{
    long batch;

    setup();
    qmgr_pid = daemon_start("qmgr", qsock);
    if (qmgr_pid < 0)
        return;
    check_retry();
    check_alias();
    check_concurrent();
    check_refusals();
    daemon_stop(&qmgr_pid, "qmgr");
    batch = largest_batch();
    fprintf(stderr, "largest group commit: %ld messages\n", batch);
    EXPECT_TRUE(batch > 1);
    qmgr_pid = daemon_start("qmgr", qsock);
    check_recovery();
    daemon_stop(&qmgr_pid, "qmgr");
    check_failures();
    daemon_stop(&local_pid, "local");
    EXPECT_FALSE(strstr(read_text(tpath("qmgr.log")), "AddressSanitizer") != NULL);
    EXPECT_FALSE(strstr(read_text(tpath("qmgr.log")), "runtime error") != NULL);
    EXPECT_FALSE(strstr(read_text(tpath("local.log")), "AddressSanitizer") != NULL);
}

/* main - run every case */
int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return test_run((const struct test_case[]){
        TEST_CASE(test_daemon),
        TEST_END,
    });
}
