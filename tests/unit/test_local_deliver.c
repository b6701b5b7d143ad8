/* SPDX-License-Identifier: MIT
 * test_local_deliver - the local delivery agent's request checks and
 * deliveries, in process: every malformed request form is refused with its
 * reason; mailbox paths; the exact bytes of a delivered file (our two
 * header lines, then the content with CRLF turned into LF, the ",S=" size
 * in the name); recipients sharing a mailbox get one file; a symlinked
 * mailbox component is refused and nothing is written through it; the
 * size limit; and the group-commit batch: one directory sync per distinct
 * new/ per round, replies in order, a malformed request answered 5, and a
 * failed directory sync deferring every delivery into that directory
 * while the files stay; quotas: the "quota" attribute's syntax, a
 * delivery within quota updates maildirsize, one over it (bytes or
 * messages, own or mailbox_quota_default) is 4.2.2 or, with the bounce
 * action, 5.2.2, and writes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local_batch.h"
#include "local_deliver.h"
#include "maildir/maildir_quota.h"
#include "maildir/maildir_trace.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/msg.h"

#define BASE "srequest=deliver;squeue_id=0123456789AB;ssender=a@b.test;ioffset=0;ilength=10;"
#define RCPT "srcpt=alice@example.test;smailbox=example.test/alice/"

/* build - a message from "Tname=value;..." (T: s string, i integer, d data) */
static struct ipc_msg *build(const char *spec)
{
    struct ipc_msg *m = ipc_msg_create();
    char *copy = xstrdup(spec), *p = copy, *semi, *eq;

    while (*p != '\0') {
        if ((semi = strchr(p, ';')) != NULL)
            *semi = '\0';
        eq = strchr(p, '=');
        ASSERT(eq != NULL);
        *eq = '\0';
        if (p[0] == 's')
            ipc_msg_add_str(m, p + 1, eq + 1);
        else if (p[0] == 'i')
            ipc_msg_add_int(m, p + 1, strtoll(eq + 1, NULL, 10));
        else
            ipc_msg_add_data(m, p + 1, eq + 1, strlen(eq + 1));
        if (semi == NULL)
            break;
        p = semi + 1;
    }
    xfree(copy);
    return m;
}

struct check_case {
    const char *spec;
    const char *error; /* NULL: accepted */
};

static const struct check_case check_cases[] = {
    { BASE RCPT, NULL },
    { BASE RCPT ";sorig_rcpt=Alice@Example.test;srcpt=b@example.test;smailbox=example.test/b/", NULL },
    { BASE RCPT ";sextra=ignored;iother=3", NULL },
    { "squeue_id=0123456789AB;ssender=;ioffset=0;ilength=0;" RCPT, "missing attribute \"request\"" },
    { "irequest=1;squeue_id=0123456789AB;ssender=;ioffset=0;ilength=0;" RCPT, "is an integer" },
    { "srequest=bogus;squeue_id=0123456789AB;ssender=;ioffset=0;ilength=0;" RCPT,
      "unknown request \"bogus\"" },
    { "srequest=deliver;ssender=;ioffset=0;ilength=0;" RCPT, "missing attribute \"queue_id\"" },
    { "srequest=deliver;squeue_id=0123;ssender=;ioffset=0;ilength=0;" RCPT,
      "queue_id \"0123\" is not 12 characters of 0-9A-V" },
    { "srequest=deliver;squeue_id=0123456789AW;ssender=;ioffset=0;ilength=0;" RCPT,
      "queue_id \"0123456789AW\" is not 12 characters of 0-9A-V" },
    { "srequest=deliver;squeue_id=0123456789Ab;ssender=;ioffset=0;ilength=0;" RCPT,
      "queue_id \"0123456789Ab\" is not 12 characters of 0-9A-V" },
    { "srequest=deliver;squeue_id=0123456789AB;ioffset=0;ilength=0;" RCPT, "missing attribute \"sender\"" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=a\r\nX: y;ioffset=0;ilength=0;" RCPT,
      "sender has the control byte 0x0d" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=a\nb;ioffset=0;ilength=0;" RCPT,
      "sender has the control byte 0x0a" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=;ilength=0;" RCPT, "missing attribute \"offset\"" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=;soffset=0;ilength=0;" RCPT, "is a string" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=;ioffset=-1;ilength=0;" RCPT, "offset is negative" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=;ioffset=0;ilength=-5;" RCPT, "length is negative" },
    { "srequest=deliver;squeue_id=0123456789AB;ssender=;ioffset=9223372036854775807;ilength=1;" RCPT,
      "offset plus length exceeds" },
    { BASE "squeue_id=0123456789AB;" RCPT, "attribute \"queue_id\" appears more than once" },
    { BASE "ssender=x@y;" RCPT, "attribute \"sender\" appears more than once" },
    { BASE "ilength=3;" RCPT, "attribute \"length\" appears more than once" },
    { BASE "sx=y", "no recipient" },
    { BASE "smailbox=example.test/alice/;" RCPT, "attribute \"mailbox\" before the first \"rcpt\"" },
    { BASE "sorig_rcpt=x@y;" RCPT, "attribute \"orig_rcpt\" before the first \"rcpt\"" },
    { BASE "srcpt=a@example.test", "recipient 1: no mailbox" },
    { BASE RCPT ";srcpt=b@example.test", "recipient 2: no mailbox" },
    { BASE RCPT ";smailbox=example.test/b/", "recipient 1: attribute \"mailbox\" appears more than once" },
    { BASE RCPT ";sorig_rcpt=a;sorig_rcpt=b", "recipient 1: attribute \"orig_rcpt\" appears more than once" },
    { BASE "srcpt=;smailbox=example.test/alice/", "recipient 1: rcpt is empty" },
    { BASE "srcpt=a\r@x;smailbox=example.test/alice/", "recipient 1: rcpt has the control byte 0x0d" },
    { BASE "srcpt=a\n@x;smailbox=example.test/alice/", "recipient 1: rcpt has the control byte 0x0a" },
    { BASE "ircpt=4;smailbox=example.test/alice/", "recipient 1: attribute \"rcpt\" is not a string" },
    { BASE "drcpt=a@b;smailbox=example.test/alice/", "recipient 1: attribute \"rcpt\" is not a string" },
    { BASE "srcpt=a@b;dmailbox=example.test/alice/", "recipient 1: attribute \"mailbox\" is not a string" },
    { BASE "srcpt=a@b;imailbox=1", "recipient 1: attribute \"mailbox\" is not a string" },
    { BASE RCPT ";iorig_rcpt=1", "recipient 1: attribute \"orig_rcpt\" is not a string" },
    { BASE RCPT ";sorig_rcpt=x\ny", "recipient 1: orig_rcpt has the control byte 0x0a" },
    { BASE "srcpt=a@b;smailbox=", "recipient 1: mailbox is empty" },
    { BASE "srcpt=a@b;smailbox=/etc/", "recipient 1: mailbox is an absolute path" },
    { BASE "srcpt=a@b;smailbox=example.test/a", "recipient 1: mailbox does not end in '/'" },
    { BASE "srcpt=a@b;smailbox=example.test//a/",
      "recipient 1: mailbox has an empty component at offset 13" },
    { BASE "srcpt=a@b;smailbox=../a/", "recipient 1: mailbox has a component starting with '.' at offset 0" },
    { BASE "srcpt=a@b;smailbox=x/../../a/",
      "recipient 1: mailbox has a component starting with '.' at offset 2" },
    { BASE "srcpt=a@b;smailbox=x/./", "recipient 1: mailbox has a component starting with '.' at offset 2" },
    { BASE "srcpt=a@b;smailbox=x/..", "recipient 1: mailbox does not end in '/'" },
    { BASE "srcpt=a@b;smailbox=x/.Sent/", "recipient 1: mailbox has a component starting with '.'" },
    { BASE "srcpt=a@b;smailbox=x y/", "recipient 1: mailbox has the byte 0x20 at offset 1" },
    { BASE "srcpt=a@b;smailbox=x\\y/", "recipient 1: mailbox has the byte 0x5c at offset 1" },
    { BASE "srcpt=a@b;smailbox=x\ny/", "recipient 1: mailbox has the byte 0x0a at offset 1" },
    { BASE "srcpt=a@b;smailbox=caf\xc3\xa9/", "recipient 1: mailbox has the byte 0xc3 at offset 3" },
    { BASE RCPT ";srcpt=b@b;smailbox=a/", NULL },
    { BASE RCPT ";srcpt=b@b;smailbox=..a/", "recipient 2: mailbox has a component starting with '.'" },
};

/* test_check_table - every malformed form, and the accepted ones */
static void test_check_table(void)
{
    struct local_request req;
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
        struct ipc_msg *m = build(check_cases[i].spec);
        int ret = local_request_check(m, &req, &error);

        if (check_cases[i].error == NULL) {
            if (!EXPECT_INT(ret, 0))
                fprintf(stderr, "  case %zu: %s\n", i, error);
            local_request_free(&req);
        } else if (EXPECT_INT(ret, -1)) {
            if (!EXPECT_CONTAINS(error, check_cases[i].error))
                fprintf(stderr, "  case %zu\n", i);
            EXPECT_TRUE(req.rcpts == NULL && req.nrcpt == 0);
        }
        ipc_msg_destroy(&m);
    }
}

/* test_check_grouping - recipients in order, same mailbox marked */
static void test_check_grouping(void)
{
    struct ipc_msg *m =
        build(BASE RCPT ";sorig_rcpt=A@x;srcpt=b@x;smailbox=other/b/;srcpt=c@x;sorig_rcpt=C@x;"
                        "smailbox=example.test/alice/");
    struct local_request req;
    const char *error = NULL;

    if (EXPECT_INT(local_request_check(m, &req, &error), 0) && EXPECT_INT(req.nrcpt, 3)) {
        EXPECT_STR(req.queue_id, "0123456789AB");
        EXPECT_STR(req.sender, "a@b.test");
        EXPECT_INT(req.length, 10);
        EXPECT_STR(req.rcpts[0].orig_rcpt, "A@x");
        EXPECT_TRUE(req.rcpts[1].orig_rcpt == NULL);
        EXPECT_STR(req.rcpts[1].mailbox, "other/b/");
        EXPECT_STR(req.rcpts[2].rcpt, "c@x");
        EXPECT_STR(req.rcpts[2].orig_rcpt, "C@x");
        EXPECT_INT(req.rcpts[0].first, 0);
        EXPECT_INT(req.rcpts[1].first, 1);
        EXPECT_INT(req.rcpts[2].first, 0);
    }
    local_request_free(&req);
    ipc_msg_destroy(&m);
}

/* repeat - n copies of c (static buffer) */
static const char *repeat(char c, size_t n, const char *suffix)
{
    static char s[8192];

    memset(s, c, n);
    snprintf(s + n, sizeof(s) - n, "%s", suffix);
    return s;
}

/* test_check_limits - lengths, depth, recipient count */
static void test_check_limits(void)
{
    struct ipc_msg *m = build(BASE);
    struct local_request req;
    const char *error = NULL;
    char path[2048];
    int i;

    EXPECT_INT(local_check_mailbox(repeat('a', 255, "/"), &error), 0);
    EXPECT_INT(local_check_mailbox(repeat('a', 256, "/"), &error), -1);
    EXPECT_CONTAINS(error, "component longer than 255 bytes");
    path[0] = '\0';
    for (i = 0; i < 16; i++)
        snprintf(path + strlen(path), sizeof(path) - strlen(path), "d/");
    EXPECT_INT(local_check_mailbox(path, &error), 0);
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "d/");
    EXPECT_INT(local_check_mailbox(path, &error), -1);
    EXPECT_CONTAINS(error, "more than 16 components");
    for (i = 0; i < 6; i++) {
        memset(path + i * 201, 'a' + i, 200);
        path[i * 201 + 200] = '/';
    }
    path[6 * 201] = '\0';
    EXPECT_INT(local_check_mailbox(path, &error), -1);
    EXPECT_CONTAINS(error, "mailbox is longer than 1024 bytes");
    EXPECT_INT(local_check_address("rcpt", repeat('r', 1024, ""), false, &error), 0);
    EXPECT_INT(local_check_address("rcpt", repeat('r', 1025, ""), false, &error), -1);
    EXPECT_CONTAINS(error, "rcpt is longer than 1024 bytes");
    EXPECT_INT(local_check_address("rcpt", "a\x7f", false, &error), -1);
    EXPECT_INT(local_check_address("sender", "", true, &error), 0);
    for (i = 0; i < LOCAL_RCPT_MAX + 1; i++) {
        ipc_msg_add_str(m, "rcpt", "x@y");
        ipc_msg_add_str(m, "mailbox", "y/x/");
    }
    EXPECT_INT(local_request_check(m, &req, &error), -1);
    EXPECT_CONTAINS(error, "more than 1000 recipients");
    EXPECT_INT(local_request_rcpt_count(m), LOCAL_RCPT_MAX + 1);
    ipc_msg_destroy(&m);
}

/* test_outcomes - the one status table */
static void test_outcomes(void)
{
    EXPECT_INT(local_outcome_status(LOCAL_SENT), 0);
    EXPECT_STR(local_outcome_dsn(LOCAL_SENT), "2.0.0");
    EXPECT_STR(local_outcome_log(LOCAL_SENT), "sent");
    EXPECT_INT(local_outcome_status(LOCAL_DEFER), 4);
    EXPECT_STR(local_outcome_dsn(LOCAL_DEFER), "4.3.0");
    EXPECT_STR(local_outcome_log(LOCAL_DEFER), "deferred");
    EXPECT_INT(local_outcome_status(LOCAL_TOO_BIG), 5);
    EXPECT_STR(local_outcome_dsn(LOCAL_TOO_BIG), "5.3.4");
    EXPECT_STR(local_outcome_dsn(LOCAL_BAD_STORE), "5.3.5");
    EXPECT_STR(local_outcome_log(LOCAL_BOUNCE), "bounced");
    EXPECT_INT(local_outcome_status(LOCAL_MALFORMED), 5);
}

/* ---- delivery ---- */

#define CONTENT "Received: from x\r\nSubject: hi\r\n\r\nline one\r\nbare\rcr\r\n"
#define CONTENT_LF "Received: from x\nSubject: hi\n\nline one\nbare\rcr\n"
#define HEADER_AREA "V\0\0\0\016petrel-queue 1 and other records......"

static char base[1024];

/* queue_file - a fake queue file: a header area, then the content */
static int queue_file(const char *name, uint64_t *offset_r, uint64_t *length_r)
{
    const char *path = test_write_file(name, "");
    int fd = open(path, O_RDWR | O_CLOEXEC);

    EXPECT_TRUE(fd >= 0);
    EXPECT_INT(write(fd, HEADER_AREA, sizeof(HEADER_AREA) - 1), sizeof(HEADER_AREA) - 1);
    EXPECT_INT(write(fd, CONTENT "trailing records", sizeof(CONTENT) - 1 + 16), sizeof(CONTENT) - 1 + 16);
    *offset_r = sizeof(HEADER_AREA) - 1;
    *length_r = sizeof(CONTENT) - 1;
    return fd;
}

/* new_files - how many entries new/ of maildir has; the first one's name */
static int new_files(const char *maildir, char *name, size_t size)
{
    char path[PATH_MAX + 1024];
    struct dirent *e;
    DIR *d;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s/new", base, maildir);
    if ((d = opendir(path)) == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n++ == 0 && name != NULL)
            snprintf(name, size, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

/* read_new - the content of maildir/new/name */
static const char *read_new(const char *maildir, const char *name)
{
    static char text[4096];
    char path[PATH_MAX + 512];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "%s/%s/new/%s", base, maildir, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

/* deliver - check spec (offset and length are added) and deliver it */
static void deliver(const struct local_config *cfg, const char *spec, struct local_result *results, size_t n)
{
    char full[4096];
    uint64_t offset, length;
    int fd = queue_file("queue", &offset, &length);
    struct local_request req;
    struct ipc_msg *m;
    const char *error = NULL;

    snprintf(
        full, sizeof(full),
        "srequest=deliver;squeue_id=0123456789AB;ssender=sender@example.org;ioffset=%llu;ilength=%llu;%s",
        (unsigned long long)offset, (unsigned long long)length, spec);
    m = build(full);
    memset(results, 0, n * sizeof(*results));
    if (EXPECT_INT(local_request_check(m, &req, &error), 0) && EXPECT_INT(req.nrcpt, n))
        local_deliver_request(cfg, &req, fd, results);
    local_request_free(&req);
    ipc_msg_destroy(&m);
    close(fd);
}

/* test_deliver_bytes - the exact file: our headers, content with LF */
static void test_deliver_bytes(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct local_result res[1];
    char name[512], want[64];

    deliver(&cfg, "srcpt=alice@example.test;smailbox=example.test/alice/", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    EXPECT_STR(res[0].reason, "delivered to maildir");
    EXPECT_CONTAINS(res[0].new_dir != NULL ? res[0].new_dir : "", "/example.test/alice/new");
    if (EXPECT_INT(new_files("example.test/alice", name, sizeof(name)), 1)) {
        EXPECT_STR(read_new("example.test/alice", name),
                   "Return-Path: <sender@example.org>\nDelivered-To: alice@example.test\n" CONTENT_LF);
        snprintf(want, sizeof(want), ",S=%zu,",
                 sizeof("Return-Path: <sender@example.org>\nDelivered-To: alice@example.test\n" CONTENT_LF)
                     - 1);
        EXPECT_CONTAINS(name, want);
    }
    local_result_clear(&res[0]);
}

/* test_deliver_same_mailbox - two recipients, one mailbox: one file */
static void test_deliver_same_mailbox(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct local_result res[3];
    char name[512];

    deliver(&cfg,
            "srcpt=bob@example.test;smailbox=example.test/bob/;srcpt=bobby@example.test;"
            "smailbox=example.test/bob/;srcpt=carol@example.test;smailbox=example.test/carol/",
            res, 3);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    EXPECT_INT(res[2].outcome, LOCAL_SENT);
    EXPECT_TRUE(res[1].new_dir == NULL); /* filled only for the first of a mailbox */
    if (EXPECT_INT(new_files("example.test/bob", name, sizeof(name)), 1))
        EXPECT_CONTAINS(read_new("example.test/bob", name), "Delivered-To: bob@example.test\nReceived:");
    EXPECT_INT(new_files("example.test/carol", NULL, 0), 1);
    local_result_clear(&res[0]);
    local_result_clear(&res[2]);
}

/* test_deliver_symlink - a symlinked component is refused, nothing written */
static void test_deliver_symlink(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct local_result res[1];
    char outside[1024], link_path[2048], name[2048];

    snprintf(outside, sizeof(outside), "%s/outside", test_tmpdir());
    EXPECT_INT(mkdir(outside, 0700), 0);
    snprintf(link_path, sizeof(link_path), "%s/evil.test", base);
    EXPECT_INT(symlink(outside, link_path), 0);
    deliver(&cfg, "srcpt=eve@evil.test;smailbox=evil.test/eve/", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_BAD_STORE);
    EXPECT_STR(res[0].reason, "mailbox path contains a symbolic link");
    EXPECT_CONTAINS(res[0].detail != NULL ? res[0].detail : "",
                    "evil.test is a symbolic link (not followed)");
    snprintf(link_path, sizeof(link_path), "%s/eve", outside);
    EXPECT_INT(access(link_path, F_OK), -1);
    local_result_clear(&res[0]);
    /* the last component, and new/ inside an existing maildir */
    snprintf(link_path, sizeof(link_path), "%s/example.test/mallory", base);
    EXPECT_INT(symlink(outside, link_path), 0);
    deliver(&cfg, "srcpt=m@example.test;smailbox=example.test/mallory/", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_BAD_STORE);
    local_result_clear(&res[0]);
    snprintf(link_path, sizeof(link_path), "%s/example.test/alice/new", base);
    snprintf(name, sizeof(name), "%s/example.test/alice/new.real", base);
    EXPECT_INT(rename(link_path, name), 0);
    EXPECT_INT(symlink(outside, link_path), 0);
    deliver(&cfg, "srcpt=alice@example.test;smailbox=example.test/alice/", res, 1);
    EXPECT_INT(local_outcome_status(res[0].outcome), 5);
    EXPECT_INT(unlink(link_path), 0);
    EXPECT_INT(rename(name, link_path), 0);
    local_result_clear(&res[0]);
    EXPECT_INT(new_files("../outside", NULL, 0), -1);
}

/* test_deliver_too_big - over the limit: 5.3.4, no file */
static void test_deliver_too_big(void)
{
    struct local_config cfg = { base, 20, 0, false };
    struct local_result res[1];

    deliver(&cfg, "srcpt=dave@example.test;smailbox=example.test/dave/", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_TOO_BIG);
    EXPECT_STR(local_outcome_dsn(res[0].outcome), "5.3.4");
    EXPECT_TRUE(new_files("example.test/dave", NULL, 0) <= 0);
    local_result_clear(&res[0]);
}

/* test_quota_syntax - the "quota" attribute: BYTES[,MESSAGES] once per rcpt */
static void test_quota_syntax(void)
{
    static const struct {
        const char *quota;
        int ret;
        uint64_t bytes, count;
    } cases[] = {
        { "0", 0, 0, 0 },
        { "1048576", 0, 1048576, 0 },
        { "1000,20", 0, 1000, 20 },
        { "0,5", 0, 0, 5 },
        { "", -1, 0, 0 },
        { "1,", -1, 0, 0 },
        { ",1", -1, 0, 0 },
        { "1,2,3", -1, 0, 0 },
        { "-1", -1, 0, 0 },
        { "1k", -1, 0, 0 },
        { "1234567890123456789", -1, 0, 0 },
    };
    struct local_request req;
    struct ipc_msg *m;
    const char *error = NULL;
    uint64_t b, c;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        EXPECT_INT(local_check_quota(cases[i].quota, &b, &c, &error), cases[i].ret);
        if (cases[i].ret == 0 && EXPECT_INT(b, cases[i].bytes))
            EXPECT_INT(c, cases[i].count);
    }
    m = build(BASE RCPT ";squota=5,1;squota=6");
    EXPECT_INT(local_request_check(m, &req, &error), -1);
    EXPECT_STR(error, "recipient 1: attribute \"quota\" appears more than once");
    ipc_msg_destroy(&m);
    m = build(BASE "squota=5;" RCPT);
    EXPECT_INT(local_request_check(m, &req, &error), -1);
    EXPECT_STR(error, "attribute \"quota\" before the first \"rcpt\"");
    ipc_msg_destroy(&m);
    m = build(BASE RCPT ";squota=5,x");
    EXPECT_INT(local_request_check(m, &req, &error), -1);
    EXPECT_CONTAINS(error, "recipient 1: quota \"5,x\" is not BYTES[,MESSAGES]");
    ipc_msg_destroy(&m);
    m = build(BASE RCPT ";squota=5,1");
    if (EXPECT_INT(local_request_check(m, &req, &error), 0) && EXPECT_TRUE(req.rcpts[0].has_quota))
        EXPECT_INT(req.rcpts[0].quota_count, 1);
    local_request_free(&req);
    ipc_msg_destroy(&m);
}

/* quota_usage - bytes and count of maildir's maildirsize (-1: none) */
static int64_t quota_usage(const char *maildir, int64_t *count_r)
{
    char path[PATH_MAX];
    struct maildir_quota q;
    const char *error = NULL;
    bool exists = false;

    snprintf(path, sizeof(path), "%s/%s", base, maildir);
    *count_r = -1;
    if (maildir_quota_read(path, &q, &exists, &error) < 0 || !exists)
        return -1;
    *count_r = q.count;
    return q.bytes;
}

/* test_quota_deliver - within quota: delivered, usage updated; then full */
static void test_quota_deliver(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct local_result res[1];
    char name[512], want[64];
    int64_t count;

    deliver(&cfg, "srcpt=qa@example.test;smailbox=example.test/qa/;squota=100000,2", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    local_result_clear(&res[0]);
    if (EXPECT_INT(new_files("example.test/qa", name, sizeof(name)), 1)) {
        snprintf(want, sizeof(want), ",S=%lld,", (long long)quota_usage("example.test/qa", &count));
        EXPECT_CONTAINS(name, want);
        EXPECT_INT(count, 1);
    }
    deliver(&cfg, "srcpt=qa@example.test;smailbox=example.test/qa/;squota=100000,2", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    local_result_clear(&res[0]);
    EXPECT_TRUE(quota_usage("example.test/qa", &count) > 0);
    EXPECT_INT(count, 2);
    /* the message limit is reached: the third is deferred, nothing written */
    deliver(&cfg, "srcpt=qa@example.test;smailbox=example.test/qa/;squota=100000,2", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_FULL_DEFER);
    EXPECT_INT(local_outcome_status(res[0].outcome), 4);
    EXPECT_STR(local_outcome_dsn(res[0].outcome), "4.2.2");
    EXPECT_STR(res[0].reason, "mailbox full");
    EXPECT_STR(res[0].detail != NULL ? res[0].detail : "", "mailbox full: quota 2 messages");
    EXPECT_INT(new_files("example.test/qa", NULL, 0), 2);
    local_result_clear(&res[0]);
    /* a raised quota (the limits in the request win): delivered again */
    deliver(&cfg, "srcpt=qa@example.test;smailbox=example.test/qa/;squota=100000", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    local_result_clear(&res[0]);
    quota_usage("example.test/qa", &count);
    EXPECT_INT(count, 3);
}

/* test_quota_full - bytes over quota: 4.2.2, or 5.2.2 with bounce; the
 * default applies without an attribute, "0" means unlimited */
static void test_quota_full(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct local_result res[1];
    int64_t count;

    deliver(&cfg, "srcpt=qb@example.test;smailbox=example.test/qb/;squota=50", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_FULL_DEFER);
    EXPECT_STR(res[0].detail != NULL ? res[0].detail : "", "mailbox full: quota 50 bytes");
    EXPECT_INT(new_files("example.test/qb", NULL, 0), 0);
    EXPECT_INT(quota_usage("example.test/qb", &count), 0);
    local_result_clear(&res[0]);
    cfg.quota_bounce = true;
    deliver(&cfg, "srcpt=qb@example.test;smailbox=example.test/qb/;squota=50", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_FULL_BOUNCE);
    EXPECT_INT(local_outcome_status(res[0].outcome), 5);
    EXPECT_STR(local_outcome_dsn(res[0].outcome), "5.2.2");
    EXPECT_INT(new_files("example.test/qb", NULL, 0), 0);
    local_result_clear(&res[0]);
    cfg.quota_bounce = false;
    cfg.quota_default = 50;
    deliver(&cfg, "srcpt=qc@example.test;smailbox=example.test/qc/", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_FULL_DEFER);
    local_result_clear(&res[0]);
    deliver(&cfg, "srcpt=qc@example.test;smailbox=example.test/qc/;squota=0", res, 1);
    EXPECT_INT(res[0].outcome, LOCAL_SENT);
    EXPECT_INT(new_files("example.test/qc", NULL, 0), 1);
    local_result_clear(&res[0]);
}

/* ---- the batch ---- */

static char replies[8][2048];
static int nreplies;

/* on_reply - keep the rendered reply */
static void on_reply(const struct ipc_msg *reply, void *ctx)
{
    struct buf *out = buf_create(256, sizeof(replies[0]) - 1);

    (void)ctx;
    ipc_msg_render(reply, out);
    if (nreplies < 8)
        snprintf(replies[nreplies++], sizeof(replies[0]), "%s", buf_str(out));
    buf_destroy(&out);
}

/* received - m as a receiver gets it, with a duplicate of fd attached */
static struct ipc_msg *received(const char *spec, int fd)
{
    struct ipc_msg *m = build(spec), *r = NULL;
    struct buf *frame = buf_create(256, 1 << 20);
    int fds[IPC_FD_MAX], dup_fd = fd >= 0 ? dup(fd) : -1;
    const char *error;
    size_t nfds;

    if (fd >= 0)
        ipc_msg_add_fd(m, "queue_file", fd);
    EXPECT_INT(ipc_msg_encode(m, 1 << 20, frame, fds, &nfds, &error), 0);
    EXPECT_INT(ipc_msg_decode(frame->data + IPC_HEADER_SIZE, frame->len - IPC_HEADER_SIZE, &dup_fd,
                              fd >= 0 ? 1 : 0, &r, &error),
               0);
    buf_destroy(&frame);
    ipc_msg_destroy(&m);
    return r;
}

/* REQ - a request for the content of queue_file() with more attributes */
static const char *REQ(const char *rest)
{
    static char spec[1024];

    snprintf(spec, sizeof(spec),
             "srequest=deliver;squeue_id=0123456789AB;ssender=s@x;ioffset=%zu;ilength=%zu;%s",
             sizeof(HEADER_AREA) - 1, sizeof(CONTENT) - 1, rest);
    return spec;
}

/* test_batch - one dirsync per distinct new/ per round, replies in order */
static void test_batch(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct event_loop *loop = event_loop_create();
    struct local_batch *b = local_batch_create(loop, &cfg);
    uint64_t offset, length;
    int fd = queue_file("queue2", &offset, &length);
    const struct maildir_trace *t;
    size_t i, syncs = 0;

    EXPECT_INT(offset, 43);
    EXPECT_INT(length, 52);
    maildir_trace_reset();
    nreplies = 0;
    test_log_capture_start();
    local_batch_submit(b, received(REQ("srcpt=p@x;smailbox=x/p/;srcpt=q@x;smailbox=x/q/"), fd), "c1",
                       on_reply, NULL);
    local_batch_submit(b, received(REQ("srcpt=p@x;smailbox=x/p/"), fd), "c1", on_reply, NULL);
    local_batch_submit(b, received(REQ("srcpt=p@x;smailbox=x/../p/"), fd), "c2", on_reply, NULL);
    local_batch_submit(b, received(REQ("srcpt=q@x;smailbox=x/q/;sorig_rcpt=Q@x"), fd), "c2", on_reply, NULL);
    local_batch_submit(b, received(REQ("srcpt=q@x;smailbox=x/q/"), -1), "c3", on_reply, NULL);
    EXPECT_INT(local_batch_pending(b), 5);
    EXPECT_INT(nreplies, 0);
    event_loop_run_once(loop, 0);
    test_log_capture_stop();
    EXPECT_INT(local_batch_pending(b), 0);
    EXPECT_INT(nreplies, 5);
    EXPECT_STR(replies[0],
               "status=0, rcpt_status=0, rcpt_dsn=\"2.0.0\", rcpt_reason=\"delivered to maildir\", "
               "rcpt_status=0, rcpt_dsn=\"2.0.0\", rcpt_reason=\"delivered to maildir\"");
    EXPECT_STR(replies[1],
               "status=0, rcpt_status=0, rcpt_dsn=\"2.0.0\", rcpt_reason=\"delivered to maildir\"");
    EXPECT_CONTAINS(replies[2], "status=5, reason=\"recipient 1: mailbox has a component starting with '.'");
    EXPECT_CONTAINS(replies[2],
                    "rcpt_status=5, rcpt_dsn=\"5.3.0\", rcpt_reason=\"malformed delivery request\"");
    EXPECT_CONTAINS(replies[4], "status=5, reason=\"missing attribute \\\"queue_file\\\"\", rcpt_status=5");
    t = maildir_trace_get();
    for (i = 0; i < t->count && i < MAILDIR_TRACE_MAX; i++)
        syncs += t->ops[i] == MAILDIR_OP_FSYNC_DIR;
    EXPECT_INT(syncs, 2);
    EXPECT_INT(local_batch_stats(b)->dirsyncs, 2);
    EXPECT_INT(local_batch_stats(b)->deliveries, 4);
    EXPECT_INT(local_batch_stats(b)->malformed, 2);
    EXPECT_INT(new_files("x/p", NULL, 0), 2);
    EXPECT_INT(new_files("x/q", NULL, 0), 2);
    EXPECT_LOG("warning: bad request from c2: recipient 1: mailbox has a component");
    EXPECT_LOG("0123456789AB: to=<q@x>, orig_to=<Q@x>, relay=local, delay=0.");
    EXPECT_LOG(", dsn=2.0.0, status=sent (delivered to maildir)");
    local_batch_destroy(&b);
    event_loop_destroy(&loop);
    close(fd);
}

/* test_batch_dirsync_fails - 4.3.0 for the directory, the files stay */
static void test_batch_dirsync_fails(void)
{
    struct local_config cfg = { base, 1 << 20, 0, false };
    struct event_loop *loop = event_loop_create();
    struct local_batch *b = local_batch_create(loop, &cfg);
    uint64_t offset, length;
    int fd = queue_file("queue3", &offset, &length);

    nreplies = 0;
    maildir_trace_reset();
    test_log_capture_start();
    local_batch_submit(b, received(REQ("srcpt=r@x;smailbox=y/r/"), fd), "c1", on_reply, NULL);
    local_batch_submit(b, received(REQ("srcpt=r@x;smailbox=y/r/"), fd), "c1", on_reply, NULL);
    maildir_trace_fail(MAILDIR_OP_FSYNC_DIR, EIO);
    local_batch_commit(b);
    test_log_capture_stop();
    EXPECT_INT(nreplies, 2);
    EXPECT_STR(replies[0], "status=0, rcpt_status=4, rcpt_dsn=\"4.3.0\", "
                           "rcpt_reason=\"cannot sync the mailbox directory\"");
    EXPECT_STR(replies[1], replies[0]);
    EXPECT_INT(local_batch_stats(b)->dirsyncs, 1);
    EXPECT_INT(new_files("y/r", NULL, 0), 2);
    EXPECT_LOG("2 deliveries deferred (the files stay in new/");
    EXPECT_LOG("0123456789AB: to=<r@x>, relay=local, delay=");
    EXPECT_LOG("dsn=4.3.0, status=deferred (fsync directory ");
    local_batch_destroy(&b);
    event_loop_destroy(&loop);
    close(fd);
}

/* setup - the mail store below the scratch directory */
static void setup(void)
{
    snprintf(base, sizeof(base), "%s/vhosts", test_tmpdir());
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(setup),
        TEST_CASE(test_check_table),
        TEST_CASE(test_check_grouping),
        TEST_CASE(test_check_limits),
        TEST_CASE(test_outcomes),
        TEST_CASE(test_deliver_bytes),
        TEST_CASE(test_deliver_same_mailbox),
        TEST_CASE(test_deliver_symlink),
        TEST_CASE(test_deliver_too_big),
        TEST_CASE(test_quota_syntax),
        TEST_CASE(test_quota_deliver),
        TEST_CASE(test_quota_full),
        TEST_CASE(test_batch),
        TEST_CASE(test_batch_dirsync_fails),
        TEST_END,
    });
}
