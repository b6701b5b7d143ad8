/* SPDX-License-Identifier: MIT
 * test_qmgr_pickup - local submission end to end: the real pickup and the
 * real qmgr, standalone, on a scratch queue_directory with a maildrop/
 * directory, a mailbox map and a compiled system alias map for the
 * mydestination domains.
 *
 * Drops written with maildrop_create/maildrop_commit (as sendmail does):
 * one with a system alias, an unknown system name and a virtual mailbox
 * is queued with C uid=N, protocol LOCAL, pickup's Received: header and
 * the one deduplicated recipient, the unknown one logged as bounced, and
 * the drop removed; one whose only recipient is unknown is refused (5.1.1)
 * and removed; one with a forged C record is removed with a warning; a
 * foreign name and a drop still being written (0600) stay. Both daemons
 * exit 0 on SIGTERM. Named test_qmgr_* because it links qmgr's libraries
 * (the maps) and tests qmgr's uid mode; pickup runs as its binary.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "map/map.h"
#include "test.h"

static char spool[PATH_MAX], drops[PATH_MAX + 16];
static const char body[] = "From: root\r\nSubject: cron\r\n\r\nDone.\r\n";

/* sleep_ms - pause a little */
static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
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

/* log_of - a daemon's log */
static const char *log_of(const char *name)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s.log", test_tmpdir(), name);
    return read_text(path);
}

/* daemon_start - fork and exec build/lib/petrel/NAME -c DIR -l SOCK */
static pid_t daemon_start(const char *name, const char *sock)
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
        execl(path, name, "-v", "-c", test_tmpdir(), "-l", sock, (char *)NULL);
        _exit(127);
    }
    return pid;
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
        fprintf(stderr, "%s log:\n%s", name, log_of(name));
    }
    *pid = -1;
}

/* put - one map entry */
static void put(const char *path, const char *key, const char *value)
{
    struct map *m = NULL;
    const char *error;

    if (!EXPECT_INT(map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error), 0))
        return;
    EXPECT_INT(map_put(m, key, value, &error), 0);
    map_close(&m);
}

/* setup - petrel.conf, the maps, the spool with its maildrop */
static void setup(void)
{
    char conf[4 * PATH_MAX], path[PATH_MAX + 64];

    snprintf(spool, sizeof(spool), "%s/spool", test_tmpdir());
    snprintf(drops, sizeof(drops), "%s/%s", spool, MAILDROP_DIR);
    mkdir(spool, 0700);
    snprintf(path, sizeof(path), "%s/private", spool);
    mkdir(path, 0700);
    mkdir(drops, 0700);
    chmod(drops, MAILDROP_DIR_MODE);
    snprintf(path, sizeof(path), "%s/data", test_tmpdir());
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/data/maps", test_tmpdir());
    mkdir(path, 0700);
    snprintf(conf, sizeof(conf),
             "queue_directory = %s\ndata_directory = %s/data\nvirtual_mailbox_base = %s/mail\n"
             "myhostname = host.test\nmyorigin = host.test\nmydestination = host.test, localhost\n"
             "alias_maps = %s/aliases\nqueue_minfree = 0\nminimal_backoff_time = 1s\n",
             spool, test_tmpdir(), test_tmpdir(), test_tmpdir());
    test_write_file("petrel.conf", conf);
    snprintf(path, sizeof(path), "%s/data/maps/mailboxes", test_tmpdir());
    put(path, "alice@example.test", "example.test/alice/");
    snprintf(path, sizeof(path), "%s/aliases.lmdb", test_tmpdir());
    put(path, "root", "alice@example.test");
}

/* drop - write a drop as sendmail does; commit it or leave it 0600 */
static void drop(char name[MAILDROP_NAME_LEN + 1], const char *const *rcpts, const char *client, bool commit)
{
    struct qf_writer *w;
    const char *error;
    int dirfd = open(drops, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (!EXPECT_INT(maildrop_create(dirfd, &w, name, &error), 0))
        return;
    close(dirfd);
    if (client != NULL)
        EXPECT_INT(qf_write(w, QF_CLIENT, client, strlen(client), &error), 0);
    EXPECT_INT(qf_write(w, QF_SENDER, "", 0, &error), 0);
    for (; *rcpts != NULL; rcpts++)
        EXPECT_INT(qf_write(w, QF_RCPT, *rcpts, strlen(*rcpts), &error), 0);
    EXPECT_INT(qf_content_begin(w, 1 << 20, &error), 0);
    EXPECT_INT(qf_content_write(w, body, strlen(body), &error), 0);
    EXPECT_INT(qf_content_end(w, &error), 0);
    EXPECT_INT(commit ? maildrop_commit(w, &error) : qf_writer_finish(w, &error), 0);
    qf_writer_destroy(&w, false);
}

/* gone - wait until maildrop/name is removed */
static bool gone(const char *name)
{
    char path[PATH_MAX + 64];
    int i;

    snprintf(path, sizeof(path), "%s/%s", drops, name);
    for (i = 0; i < 1000 && access(path, F_OK) == 0; i++)
        sleep_ms(10);
    return access(path, F_OK) < 0;
}

/* file_has - is want in the file (records have binary headers)? */
static bool file_has(const char *path, const char *want)
{
    static char data[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, data, sizeof(data));

    if (fd >= 0)
        close(fd);
    return n > 0 && memmem(data, (size_t)n, want, strlen(want)) != NULL;
}

/* queue_has - is want in some queue file? */
static bool queue_has(const char *want)
{
    static const char *const dirs[] = { "incoming", "deferred" };
    char dir[PATH_MAX + 64], path[2 * PATH_MAX];
    struct dirent *de;
    bool found = false;
    size_t i;
    DIR *d;

    for (i = 0; i < 2 && !found; i++) {
        snprintf(dir, sizeof(dir), "%s/queue/%s", spool, dirs[i]);
        if ((d = opendir(dir)) == NULL)
            continue;
        while (!found && (de = readdir(d)) != NULL) {
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            found = de->d_name[0] != '.' && file_has(path, want);
        }
        closedir(d);
    }
    return found;
}

static void test_pickup(void)
{
    static const char *const mixed[] = { "root", "nobody", "alice@example.test", NULL };
    static const char *const unknown[] = { "nobody@localhost", NULL };
    char name[MAILDROP_NAME_LEN + 1], writing[MAILDROP_NAME_LEN + 1], psock[PATH_MAX + 32],
        qsock[PATH_MAX + 32], path[PATH_MAX + 64];
    pid_t qmgr, pickup;
    char uid[64];

    setup();
    snprintf(qsock, sizeof(qsock), "%s/private/qmgr", spool);
    snprintf(psock, sizeof(psock), "%s/private/pickup", spool);
    test_write_file("spool/maildrop/junk", "not a drop\n");
    drop(writing, mixed, NULL, false);
    qmgr = daemon_start("qmgr", qsock);
    /* the master creates every listener before any daemon runs: so here */
    for (int i = 0; i < 1000 && access(qsock, F_OK) < 0; i++)
        sleep_ms(10);
    pickup = daemon_start("pickup", psock);

    drop(name, mixed, NULL, true);
    EXPECT_TRUE(gone(name));
    snprintf(uid, sizeof(uid), "uid=%lu", (unsigned long)getuid());
    EXPECT_CONTAINS(log_of("pickup"), uid);
    EXPECT_CONTAINS(log_of("pickup"), "from=<>, nrcpt=3, maildrop/");
    EXPECT_CONTAINS(log_of("qmgr"), "to=<nobody@host.test>, relay=none, dsn=5.1.1, status=bounced");
    EXPECT_TRUE(queue_has(uid));
    EXPECT_TRUE(queue_has("protocol=LOCAL"));
    EXPECT_TRUE(queue_has("Received: by host.test (Petrel, from userid "));
    EXPECT_TRUE(queue_has("\r\n\tid "));
    EXPECT_TRUE(queue_has(body));
    EXPECT_TRUE(queue_has("root@host.test")); /* P: the recipient as given */
    EXPECT_FALSE(queue_has("nobody@host.test"));

    drop(name, unknown, NULL, true);
    EXPECT_TRUE(gone(name));
    EXPECT_CONTAINS(log_of("pickup"), "refused by qmgr: 5.1.1");
    EXPECT_CONTAINS(log_of("pickup"), "no bounce message is sent yet");

    drop(name, unknown, "helo=forged", true);
    EXPECT_TRUE(gone(name));
    EXPECT_CONTAINS(log_of("pickup"), "client ('C') record");

    EXPECT_CONTAINS(log_of("pickup"), "maildrop/junk: not a drop file name: left alone");
    daemon_stop(&pickup, "pickup");
    daemon_stop(&qmgr, "qmgr");
    snprintf(path, sizeof(path), "%s/junk", drops);
    EXPECT_INT(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/%s", drops, writing);
    EXPECT_INT(access(path, F_OK), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return test_run((const struct test_case[]){
        TEST_CASE(test_pickup),
        TEST_END,
    });
}
