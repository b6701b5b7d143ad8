/* SPDX-License-Identifier: MIT
 * test_pickup_file - pickup's judgement of one maildrop file, on real
 * files in a scratch directory: a committed drop is taken and its
 * addresses qualified; a file still 0600 is left, then removed as stale;
 * another mode, a second link, a symbolic link, a FIFO (the open must not
 * block), a directory, a file too large, and a missing file; corrupt
 * content, extra records (C, D, E, U, P/O/N), bad addresses and content
 * over the limit are refused. Then pickup_take on a service: foreign names
 * are never touched and logged once, refused and stale drops are removed,
 * and a drop qmgr cannot take (no qmgr) stays for the next scan.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "pickup_file.h"
#include "pickup_scan.h"
#include "test.h"
#include "util/event.h"

#define ORIGIN "origin.test"
/* a domain of valid labels, 305 bytes: longer than RFC 5321 allows */
#define LABEL60 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG_DOMAIN LABEL60 "." LABEL60 "." LABEL60 "." LABEL60 "." LABEL60 ".test"

static const char body[] = "Subject: hi\r\n\r\nHello.\r\n";
static const struct pickup_limits limits = { 1024 * 1024, 3600 };

/* drop_dir - a fresh scratch directory, opened */
static int drop_dir(const char *name)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    mkdir(path, 0700);
    return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* make_drop - a drop with sender, recipients and extra records; commit
 * it (mode 0644) unless commit is false (mode 0600) */
static void make_drop(int dirfd, char name[MAILDROP_NAME_LEN + 1], const char *sender,
                      const char *const *rcpts, char extra_type, const char *extra, bool commit)
{
    struct qf_writer *w;
    const char *error;

    if (!EXPECT_INT(maildrop_create(dirfd, &w, name, &error), 0))
        return;
    if (extra_type != 0 && extra_type != QF_RCPT)
        EXPECT_INT(qf_write(w, (enum qf_type)extra_type, extra, strlen(extra), &error), 0);
    EXPECT_INT(qf_write(w, QF_SENDER, sender, strlen(sender), &error), 0);
    if (extra_type == QF_RCPT)
        EXPECT_INT(qf_write(w, QF_ORIG_RCPT, extra, strlen(extra), &error), 0);
    for (; *rcpts != NULL; rcpts++)
        EXPECT_INT(qf_write(w, QF_RCPT, *rcpts, strlen(*rcpts), &error), 0);
    EXPECT_INT(qf_content_begin(w, 1 << 20, &error), 0);
    EXPECT_INT(qf_content_write(w, body, strlen(body), &error), 0);
    EXPECT_INT(qf_content_end(w, &error), 0);
    if (commit)
        EXPECT_INT(maildrop_commit(w, &error), 0);
    else
        EXPECT_INT(qf_writer_finish(w, &error), 0);
    qf_writer_destroy(&w, false);
}

/* judge - pickup_file_open, closing what it opened */
static enum pickup_open_result judge(int dirfd, const char *name, time_t now, const char **why_r)
{
    enum pickup_open_result r;
    uid_t uid;
    int fd;

    r = pickup_file_open(dirfd, name, &limits, now, &fd, &uid, why_r);
    if (fd >= 0)
        close(fd);
    if (*why_r == NULL)
        *why_r = "";
    return r;
}

static void test_ready(void)
{
    static const char *const rcpts[] = { "alice", "Bob@Example.Test", NULL };
    char name[MAILDROP_NAME_LEN + 1];
    int dirfd = drop_dir("ready"), fd;
    struct pickup_drop d;
    const char *why;
    uid_t uid;

    make_drop(dirfd, name, "root", rcpts, 0, NULL, true);
    EXPECT_TRUE(maildrop_name_valid(name));
    EXPECT_INT(pickup_file_open(dirfd, name, &limits, time(NULL), &fd, &uid, &why), PICKUP_OPEN_READY);
    EXPECT_INT(uid, getuid());
    EXPECT_INT(pickup_file_read(fd, ORIGIN, limits.content_max, &d, &why), 0);
    EXPECT_STR(d.sender, "root@" ORIGIN);
    EXPECT_INT(d.nrcpts, 2);
    EXPECT_STR(d.rcpts[0], "alice@" ORIGIN);
    EXPECT_STR(d.rcpts[1], "Bob@example.test"); /* canonical: the domain in lower case */
    EXPECT_INT(d.content_length, strlen(body));
    pickup_drop_free(&d);
    /* the content limit applies to the content alone */
    EXPECT_INT(pickup_file_read(fd, ORIGIN, strlen(body) - 1, &d, &why), -1);
    EXPECT_CONTAINS(why, "exceeds message_size_limit");
    close(fd);
    close(dirfd);
}

static void test_writing_and_stale(void)
{
    static const char *const rcpts[] = { "alice", NULL };
    char name[MAILDROP_NAME_LEN + 1];
    int dirfd = drop_dir("writing");
    const char *why;

    make_drop(dirfd, name, "", rcpts, 0, NULL, false);
    EXPECT_INT(judge(dirfd, name, time(NULL), &why), PICKUP_OPEN_WRITING);
    EXPECT_INT(judge(dirfd, name, time(NULL) + limits.stale_sec + 10, &why), PICKUP_OPEN_STALE);
    EXPECT_CONTAINS(why, "seconds (maildrop_stale_time)");
    EXPECT_INT(judge(dirfd, "00000000000000000000000000000000", time(NULL), &why), PICKUP_OPEN_GONE);
    close(dirfd);
}

static void test_refused_files(void)
{
    static const char *const rcpts[] = { "alice", NULL };
    char name[MAILDROP_NAME_LEN + 1], other[MAILDROP_NAME_LEN + 1];
    struct pickup_limits tiny = { 10, 3600 };
    int dirfd = drop_dir("refused"), fd;
    const char *why;
    uid_t uid;

    make_drop(dirfd, name, "", rcpts, 0, NULL, true);
    EXPECT_INT(fchmodat(dirfd, name, 0640, 0), 0);
    EXPECT_INT(judge(dirfd, name, time(NULL), &why), PICKUP_OPEN_REFUSE);
    EXPECT_CONTAINS(why, "mode 0640");
    EXPECT_INT(fchmodat(dirfd, name, 0644, 0), 0);
    EXPECT_INT(judge(dirfd, name, time(NULL), &why), PICKUP_OPEN_READY);
    fd = openat(dirfd, name, O_RDWR);
    EXPECT_INT(ftruncate(fd, (off_t)(tiny.content_max + PICKUP_ENVELOPE_MAX + 1)), 0);
    close(fd);
    EXPECT_INT(pickup_file_open(dirfd, name, &tiny, time(NULL), &fd, &uid, &why), PICKUP_OPEN_REFUSE);
    EXPECT_CONTAINS(why, "larger than message_size_limit");
    EXPECT_INT(unlinkat(dirfd, name, 0), 0);
    make_drop(dirfd, name, "", rcpts, 0, NULL, true);

    snprintf(other, sizeof(other), "%s", "0123456789abcdef0123456789abcdef");
    EXPECT_INT(linkat(dirfd, name, dirfd, other, 0), 0);
    EXPECT_INT(judge(dirfd, name, time(NULL), &why), PICKUP_OPEN_REFUSE);
    EXPECT_CONTAINS(why, "2 links");
    EXPECT_INT(unlinkat(dirfd, other, 0), 0);

    EXPECT_INT(symlinkat(name, dirfd, other), 0);
    EXPECT_INT(judge(dirfd, other, time(NULL), &why), PICKUP_OPEN_REFUSE);
    EXPECT_CONTAINS(why, "symbolic link");
    EXPECT_INT(unlinkat(dirfd, other, 0), 0);

    EXPECT_INT(mkfifoat(dirfd, other, 0644), 0);
    EXPECT_INT(judge(dirfd, other, time(NULL), &why), PICKUP_OPEN_REFUSE);
    EXPECT_CONTAINS(why, "not a regular file");
    EXPECT_INT(unlinkat(dirfd, other, 0), 0);

    EXPECT_INT(mkdirat(dirfd, other, 0755), 0);
    EXPECT_INT(judge(dirfd, other, time(NULL), &why), PICKUP_OPEN_REFUSE);
    EXPECT_INT(unlinkat(dirfd, other, AT_REMOVEDIR), 0);
    close(dirfd);
}

/* read_verdict - make a drop with one extra record, read it */
static int read_verdict(int dirfd, const char *sender, const char *rcpt, char extra_type, const char *extra,
                        const char **why_r)
{
    const char *rcpts[] = { rcpt, NULL };
    char name[MAILDROP_NAME_LEN + 1];
    struct pickup_drop d;
    uid_t uid;
    int fd, r;

    make_drop(dirfd, name, sender, rcpts, extra_type, extra, true);
    if (!EXPECT_INT(pickup_file_open(dirfd, name, &limits, time(NULL), &fd, &uid, why_r), PICKUP_OPEN_READY))
        return -2;
    r = pickup_file_read(fd, ORIGIN, limits.content_max, &d, why_r);
    pickup_drop_free(&d);
    close(fd);
    return r;
}

static void test_refused_content(void)
{
    static const struct {
        const char *sender, *rcpt;
        char type;
        const char *extra, *why;
    } cases[] = {
        { "", "alice", QF_CLIENT, "helo=forged", "client ('C')" },
        { "", "alice", QF_ENVID, "x", "DSN envelope" },
        { "", "alice", QF_SMTPUTF8, "smtputf8", "SMTPUTF8" },
        { "", "alice", QF_RCPT, "orig@x.test", "'P', 'O' or 'N'" },
        { "", "al ice", 0, NULL, "recipient 1 \"al ice\": invalid character in local part" },
        { "", "alice@", 0, NULL, "recipient 1 \"alice@\": empty or invalid label in domain" },
        { "", "@x.test", 0, NULL, "recipient 1 \"@x.test\": invalid source route" },
        { "a\tb", "alice", 0, NULL, "the sender \"a\tb\": control character in address" },
        { "x@", "alice", 0, NULL, "the sender \"x@\"" },
        /* the rules of an SMTP path, as smtpd and sendmail apply them */
        { "", "a..b@x.test", 0, NULL, "recipient 1 \"a..b@x.test\": " },
        { "", "j\xc3\xb6rg@x.test", 0, NULL, "recipient 1 \"j\xc3\xb6rg@x.test\": " },
        { "", "alice@x_y.test", 0, NULL, "recipient 1 \"alice@x_y.test\": " },
        { "", "alice@" LONG_DOMAIN, 0, NULL, "recipient 1 \"alice@" },
    };
    int dirfd = drop_dir("content");
    const char *why;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        EXPECT_INT(read_verdict(dirfd, cases[i].sender, cases[i].rcpt, cases[i].type, cases[i].extra, &why),
                   -1);
        EXPECT_CONTAINS(why, cases[i].why);
    }
    close(dirfd);
}

static void test_corrupt_image(void)
{
    static const char *const rcpts[] = { "alice", NULL };
    char name[MAILDROP_NAME_LEN + 1], image[4096];
    struct pickup_drop d;
    int dirfd = drop_dir("corrupt"), fd;
    const char *why;
    ssize_t n;

    make_drop(dirfd, name, "root", rcpts, 0, NULL, true);
    fd = openat(dirfd, name, O_RDONLY);
    n = read(fd, image, sizeof(image));
    close(fd);
    if (!EXPECT_TRUE(n > 10))
        return;
    EXPECT_INT(pickup_file_parse(image, (size_t)n, ORIGIN, 1 << 20, &d, &why), 0);
    pickup_drop_free(&d);
    EXPECT_INT(pickup_file_parse(image, (size_t)n - 1, ORIGIN, 1 << 20, &d, &why), -1);
    image[0] = 'Z';
    EXPECT_INT(pickup_file_parse(image, (size_t)n, ORIGIN, 1 << 20, &d, &why), -1);
    /* a truncated file on disk: qf_read refuses it */
    fd = openat(dirfd, name, O_RDWR);
    EXPECT_INT(ftruncate(fd, n - 3), 0);
    EXPECT_INT(pickup_file_read(fd, ORIGIN, 1 << 20, &d, &why), -1);
    close(fd);
    close(dirfd);
}

/* exists - is dir/name there? */
static bool exists(int dirfd, const char *name)
{
    struct stat st;

    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void test_take(void)
{
    static const char *const rcpts[] = { "alice", NULL };
    char name[MAILDROP_NAME_LEN + 1], stale[MAILDROP_NAME_LEN + 1], path[4096];
    struct event_loop *loop = event_loop_create();
    int dirfd = drop_dir("take"), fd;
    struct pickup_config cfg = { NULL, ORIGIN, { 1 << 20, 60 }, { NULL, 1 << 20, 1000, "host.test" }, 60000 };
    struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };
    struct pickup_service *s;
    const char *error;

    snprintf(path, sizeof(path), "%s/take", test_tmpdir());
    cfg.maildrop_dir = path;
    snprintf(path + 2048, 2048, "%s/no-qmgr", test_tmpdir());
    cfg.submit.qmgr_path = path + 2048;
    if (!EXPECT_INT(pickup_service_create(loop, &cfg, &s, &error), 0))
        return;
    fd = openat(dirfd, "README", O_CREAT | O_WRONLY, 0644);
    close(fd);
    test_log_capture_start();
    EXPECT_TRUE(pickup_take(s, "README"));
    EXPECT_TRUE(pickup_take(s, "README"));
    EXPECT_LOG("maildrop/README: not a drop file name: left alone");
    EXPECT_INT(strstr(strstr(test_log_text(), "README") + 6, "README") == NULL, 1);
    EXPECT_TRUE(exists(dirfd, "README"));

    make_drop(dirfd, stale, "", rcpts, 0, NULL, false);
    EXPECT_INT(utimensat(dirfd, stale, old, 0), 0);
    EXPECT_TRUE(pickup_take(s, stale));
    EXPECT_FALSE(exists(dirfd, stale));
    EXPECT_LOG("seconds (maildrop_stale_time)");

    make_drop(dirfd, name, "", rcpts, QF_CLIENT, "helo=x", true);
    EXPECT_TRUE(pickup_take(s, name));
    EXPECT_FALSE(exists(dirfd, name));
    EXPECT_LOG("client ('C') record");

    make_drop(dirfd, name, "", rcpts, 0, NULL, true);
    EXPECT_FALSE(pickup_take(s, name)); /* qmgr unreachable: stop the scan */
    EXPECT_TRUE(exists(dirfd, name));
    EXPECT_LOG("deferred: 4.3.0 qmgr unreachable");
    pickup_scan_all(s);
    EXPECT_TRUE(exists(dirfd, name));
    EXPECT_TRUE(exists(dirfd, "README"));
    test_log_capture_stop();
    pickup_service_destroy(&s);
    event_loop_destroy(&loop);
    close(dirfd);
}

int main(void)
{
    static const struct test_case cases[] = {
        TEST_CASE(test_ready),
        TEST_CASE(test_writing_and_stale),
        TEST_CASE(test_refused_files),
        TEST_CASE(test_refused_content),
        TEST_CASE(test_corrupt_image),
        TEST_CASE(test_take),
        TEST_END,
    };

    return test_run(cases);
}
