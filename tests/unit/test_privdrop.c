/* SPDX-License-Identifier: MIT
 * test_privdrop - the verified privilege drop: user lookup, the drop to the
 * system user "nobody" (all three uids and gids, supplementary groups, and
 * setuid(0) failing afterwards), the chroot variant, and what a process that
 * is no longer root may still ask for.
 *
 * Every drop runs in a forked child, which describes its state in one line
 * through a pipe; the parent compares that line with the one it expects.
 * The drops need root: when the test runs unprivileged those cases fail
 * (a skipped case would hide a gap), and the output says why.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "util/privdrop.h"

#define NOBODY_UID 65534
#define REPORT_MAX 2048

/* report - append to a child's report line */
static void report(char *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(char *r, const char *fmt, ...)
{
    size_t len = strlen(r);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r + len, REPORT_MAX - len, fmt, ap);
    va_end(ap);
}

/* run_child - run fn in a forked child; its report line, and exit status 0 */
static void run_child(void (*fn)(char *r), char *out)
{
    int p[2], status = -1;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    out[0] = '\0';
    if (pipe(p) < 0) {
        test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL); /* the child must not flush the parent's buffered output */
    pid = fork();
    if (pid == 0) {
        char r[REPORT_MAX] = "";

        close(p[0]);
        fn(r);
        n = write(p[1], r, strlen(r));
        _exit(n == (ssize_t)strlen(r) ? 0 : 3);
    }
    close(p[1]);
    while (len < REPORT_MAX - 1 && (n = read(p[0], out + len, REPORT_MAX - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    close(p[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        test_fail(__FILE__, __LINE__, "fork or waitpid failed");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* need_root - fail the case loudly when it cannot run */
static bool need_root(const char *file, int line)
{
    static bool said;

    if (privdrop_is_root())
        return true;
    if (!said)
        printf("not root: root-only cases not run\n");
    said = true;
    test_fail(file, line, "this case needs root (the CI runs the unit tests as root)");
    return false;
}

/* report_ids - uids, gids and supplementary groups of this process */
static void report_ids(char *r)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg, groups[NGROUPS_MAX];
    int i, n;

    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    report(r, " uid=%d/%d/%d gid=%d/%d/%d groups=", (int)ru, (int)eu, (int)su, (int)rg, (int)eg, (int)sg);
    n = getgroups(NGROUPS_MAX, groups);
    for (i = 0; i < n; i++)
        report(r, "%s%d", i ? "," : "", (int)groups[i]);
}

/* report_regain - whether any way back to root still works */
static void report_regain(char *r)
{
    report(r, " setuid0=%s", setuid(0) == 0 ? "succeeded" : strerror(errno));
    report(r, " seteuid0=%s", seteuid(0) == 0 ? "succeeded" : strerror(errno));
    report(r, " setgid0=%s", setgid(0) == 0 ? "succeeded" : strerror(errno));
    report(r, " setgroups=%s", setgroups(0, NULL) == 0 ? "succeeded" : strerror(errno));
}

/* drop_to - resolve name and drop to it; the result goes into the report */
static int drop_to(char *r, const char *name, const char *chroot_dir)
{
    struct privdrop_user u;
    const char *error = "";
    int rc;

    if (privdrop_resolve(name, &u, &error) < 0) {
        report(r, "resolve %s: %s", name, error);
        return -1;
    }
    rc = privdrop_to(&u, chroot_dir, &error);
    report(r, "rc=%d", rc);
    if (rc < 0)
        report(r, " error=%s", error);
    return rc;
}

/* nobody_groups - nobody's groups as initgroups would set them, "a,b" */
static const char *nobody_groups(void)
{
    static char text[1024];
    gid_t groups[NGROUPS_MAX];
    int i, n = NGROUPS_MAX;
    size_t len = 0;

    text[0] = '\0';
    if (getgrouplist("nobody", NOBODY_UID, groups, &n) < 0)
        return "(too many groups)";
    for (i = 0; i < n && len < sizeof(text); i++)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%d", i ? "," : "", (int)groups[i]);
    return text;
}

/* test_resolve - names to uid and gid; unknown names are errors */
static void test_resolve(void)
{
    static const struct {
        const char *name;
        int ret;
        int uid, gid;
        const char *error;
    } cases[] = {
        { "root", 0, 0, 0, NULL },
        { "nobody", 0, NOBODY_UID, NOBODY_UID, NULL },
        { "petrel-no-such-user", -1, 0, 0, "unknown user \"petrel-no-such-user\"" },
        { "", -1, 0, 0, "unknown user \"\"" },
    };
    struct privdrop_user u;
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&u, 0xff, sizeof(u));
        error = NULL;
        EXPECT_INT(privdrop_resolve(cases[i].name, &u, &error), cases[i].ret);
        if (cases[i].ret == 0) {
            EXPECT_INT(u.uid, cases[i].uid);
            EXPECT_INT(u.gid, cases[i].gid);
            EXPECT_STR(u.name, cases[i].name);
        } else {
            EXPECT_CONTAINS(error, cases[i].error);
        }
    }
}

/* child_drop_nobody - drop to nobody and describe the result */
static void child_drop_nobody(char *r)
{
    if (drop_to(r, "nobody", NULL) < 0)
        return;
    report_ids(r);
    report_regain(r);
    report(r, " is_root=%d", privdrop_is_root());
}

/* test_drop_to_nobody - every id is nobody's and root cannot come back */
static void test_drop_to_nobody(void)
{
    char got[REPORT_MAX], want[REPORT_MAX];

    if (!need_root(__FILE__, __LINE__))
        return;
    run_child(child_drop_nobody, got);
    snprintf(want, sizeof(want),
             "rc=0 uid=%d/%d/%d gid=%d/%d/%d groups=%s setuid0=Operation not permitted "
             "seteuid0=Operation not permitted setgid0=Operation not permitted "
             "setgroups=Operation not permitted is_root=0",
             NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, nobody_groups());
    EXPECT_STR(got, want);
}

static char jail[4096];

/* child_chroot - drop to nobody inside the jail and look around */
static void child_chroot(char *r)
{
    struct stat st;
    char cwd[4096];

    if (drop_to(r, "nobody", jail) < 0)
        return;
    report(r, " marker=%s", stat("/petrel-jail-marker", &st) == 0 ? "found" : strerror(errno));
    report(r, " outside=%s", stat(test_tmpdir(), &st) == 0 ? "visible" : strerror(errno));
    report(r, " cwd=%s", getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
    report_ids(r);
    report_regain(r);
}

/* test_drop_with_chroot - after the drop, "/" is the jail */
static void test_drop_with_chroot(void)
{
    char got[REPORT_MAX], want[REPORT_MAX], marker[4200];

    if (!need_root(__FILE__, __LINE__))
        return;
    /* the jail must be searchable by nobody once the uid has changed */
    snprintf(jail, sizeof(jail), "%s/jail", test_tmpdir());
    EXPECT_INT(mkdir(jail, 0755), 0);
    EXPECT_INT(chmod(jail, 0755), 0);
    snprintf(marker, sizeof(marker), "%s/petrel-jail-marker", jail);
    test_write_file(marker, "x");
    run_child(child_chroot, got);
    snprintf(want, sizeof(want),
             "rc=0 marker=found outside=No such file or directory cwd=/ uid=%d/%d/%d gid=%d/%d/%d "
             "groups=%s setuid0=Operation not permitted seteuid0=Operation not permitted "
             "setgid0=Operation not permitted setgroups=Operation not permitted",
             NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, nobody_groups());
    EXPECT_STR(got, want);
}

/* child_bad_chroot - a chroot directory that does not exist */
static void child_bad_chroot(char *r)
{
    drop_to(r, "nobody", "/nonexistent-petrel-jail");
}

/* test_chroot_missing - the error names the directory */
static void test_chroot_missing(void)
{
    char got[REPORT_MAX];

    if (!need_root(__FILE__, __LINE__))
        return;
    run_child(child_bad_chroot, got);
    EXPECT_STR(got, "rc=-1 error=chroot /nonexistent-petrel-jail: No such file or directory");
}

/* child_not_root - once nobody, other users and chroot are refused */
static void child_not_root(char *r)
{
    if (drop_to(r, "nobody", NULL) < 0)
        return;
    report(r, "; root: ");
    drop_to(r, "root", NULL);
    report(r, "; self: ");
    drop_to(r, "nobody", NULL);
    report(r, "; self chroot: ");
    drop_to(r, "nobody", "/");
    report_ids(r);
}

/* test_not_root - a process that is not root cannot become another user */
static void test_not_root(void)
{
    char got[REPORT_MAX], want[REPORT_MAX];

    if (!need_root(__FILE__, __LINE__))
        return;
    run_child(child_not_root, got);
    snprintf(want, sizeof(want),
             "rc=0; root: rc=-1 error=cannot become user root (uid 0) without root privileges; "
             "self: rc=0; self chroot: rc=-1 error=cannot chroot to / without root privileges "
             "uid=%d/%d/%d gid=%d/%d/%d groups=%s",
             NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, NOBODY_UID, nobody_groups());
    EXPECT_STR(got, want);
}

/* test_unprivileged_self - without root, only becoming oneself works (this
 * case runs as whoever runs the tests) */
static void test_unprivileged_self(void)
{
    struct privdrop_user u;
    const char *error = NULL;

    if (privdrop_is_root())
        return; /* covered by test_not_root in a child */
    u.uid = getuid();
    u.gid = getgid();
    snprintf(u.name, sizeof(u.name), "self");
    EXPECT_INT(privdrop_to(&u, NULL, &error), 0);
    u.uid = 0;
    snprintf(u.name, sizeof(u.name), "root");
    EXPECT_INT(privdrop_to(&u, NULL, &error), -1);
    EXPECT_CONTAINS(error, "cannot become user root");
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_resolve),
        TEST_CASE(test_drop_to_nobody),
        TEST_CASE(test_drop_with_chroot),
        TEST_CASE(test_chroot_missing),
        TEST_CASE(test_not_root),
        TEST_CASE(test_unprivileged_self),
        TEST_END,
    });
}
