/* SPDX-License-Identifier: MIT
 * test_paths - where Petrel finds its programs: the prefix of this test
 * binary (BUILD/tests/unit/test_paths) is the build directory, which mirrors
 * the installed tree (sbin/petrel, lib/petrel/, share/petrel/); the daemon
 * directory parameter overrides PREFIX/lib/petrel; copies of this binary
 * placed in sbin/, bin/, lib/petrel/ of a fake prefix find that prefix.
 *
 * Run with the single argument --print-prefix, the program prints
 * paths_prefix() and exits: that is how the copies are asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/params.h"
#include "mail/paths.h"
#include "test.h"

/* joined - "a/b" in a static buffer (one per slot) */
static const char *joined(int slot, const char *a, const char *b)
{
    static char paths[4][8200];

    snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", a, b);
    return paths[slot];
}

/* same_file - do two paths name the same inode? */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* test_prefix_is_build_dir - the build tree mirrors the installed tree */
static void test_prefix_is_build_dir(void)
{
    const char *prefix = paths_prefix();
    struct stat st;

    EXPECT_TRUE(prefix[0] == '/');
    EXPECT_FALSE(strlen(prefix) > 1 && prefix[strlen(prefix) - 1] == '/');
    /* this very program is PREFIX/tests/unit/test_paths */
    EXPECT_TRUE(same_file(joined(0, prefix, "tests/unit/test_paths"), "/proc/self/exe"));
    EXPECT_INT(stat(joined(0, prefix, "sbin/petrel"), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode) && access(joined(0, prefix, "sbin/petrel"), X_OK) == 0);
    EXPECT_INT(stat(joined(0, prefix, "lib/petrel"), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_INT(access(joined(0, prefix, "lib/petrel/master"), X_OK), 0);
    /* asked again: the same answer */
    EXPECT_STR(paths_prefix(), prefix);
}

/* test_daemon_dir - daemon_directory wins when set, else PREFIX/lib/petrel */
static void test_daemon_dir(void)
{
    static const struct {
        bool have_params;
        const char *daemon_directory;
        const char *want; /* NULL: PREFIX/lib/petrel */
    } cases[] = {
        { false, NULL, NULL },
        { true, NULL, NULL },
        { true, "", NULL },
        { true, "/opt/petrel/libexec", "/opt/petrel/libexec" },
        { true, "relative/dir", "relative/dir" },
    };
    static struct params p;
    char want[4200];
    size_t i;

    snprintf(want, sizeof(want), "%s/lib/petrel", paths_prefix());
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&p, 0, sizeof(p));
        p.daemon_directory = cases[i].daemon_directory;
        EXPECT_STR(paths_daemon_dir(cases[i].have_params ? &p : NULL), cases[i].want ? cases[i].want : want);
    }
    EXPECT_TRUE(access(joined(1, paths_daemon_dir(NULL), "master"), X_OK) == 0);
}

/* test_share_and_program - shipped files and the petrel command */
static void test_share_and_program(void)
{
    char want[4200];
    struct stat st;

    snprintf(want, sizeof(want), "%s/share/petrel", paths_prefix());
    EXPECT_STR(paths_share_dir(), want);
    EXPECT_INT(stat(joined(0, paths_share_dir(), "petrel.conf"), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_INT(stat(joined(0, paths_share_dir(), "master.conf"), &st), 0);
    snprintf(want, sizeof(want), "%s/sbin/petrel", paths_prefix());
    EXPECT_STR(paths_petrel_program(), want);
    EXPECT_INT(access(paths_petrel_program(), X_OK), 0);
}

/* copy_self - copy this program to path (mode 0755) */
static int copy_self(const char *path)
{
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    ssize_t n = 0;

    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) < 0)
        n = -1;
    return in >= 0 && out >= 0 && n == 0 ? 0 : -1;
}

/* prefix_of - run a copy with --print-prefix and return what it printed */
static const char *prefix_of(const char *program)
{
    static char out[4200];
    int p[2], status = -1;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    out[0] = '\0';
    if (pipe(p) < 0)
        return "(pipe failed)";
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        char *const argv[] = { (char *)program, (char *)"--print-prefix", NULL };

        dup2(p[1], 1);
        execv(program, argv);
        _exit(127);
    }
    close(p[1]);
    while (len < sizeof(out) - 1 && (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    out[strcspn(out, "\n")] = '\0';
    close(p[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        test_fail(__FILE__, __LINE__, "%s --print-prefix failed (status %d)", program, status);
    return out;
}

/* test_installed_layouts - a program finds the prefix above its directory */
static void test_installed_layouts(void)
{
    static const struct {
        const char *dir;  /* under the fake prefix */
        const char *want; /* the prefix, relative to the fake prefix */
    } cases[] = {
        { "sbin", "" },
        { "bin", "" },
        { "lib/petrel", "" },
        { "tests/unit", "" },
        { "libexec", "/libexec" },
        { "lib", "/lib" },
    };
    char root[4096], dir[4200], program[4300], want[4300];
    size_t i;

    snprintf(root, sizeof(root), "%s/inst", test_tmpdir());
    EXPECT_INT(mkdir(root, 0755), 0);
    EXPECT_TRUE(mkdir(joined(0, root, "lib"), 0755) == 0);
    EXPECT_TRUE(mkdir(joined(0, root, "tests"), 0755) == 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(dir, sizeof(dir), "%s/%s", root, cases[i].dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            test_fail(__FILE__, __LINE__, "mkdir %s: %s", dir, strerror(errno));
        snprintf(program, sizeof(program), "%s/test_paths", dir);
        if (copy_self(program) < 0) {
            test_fail(__FILE__, __LINE__, "cannot copy this program to %s", program);
            continue;
        }
        snprintf(want, sizeof(want), "%s%s", root, cases[i].want);
        EXPECT_STR(prefix_of(program), want);
        unlink(program);
    }
}

/* main - run every case, or print the prefix for test_installed_layouts */
int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-prefix") == 0) {
        printf("%s\n", paths_prefix());
        return 0;
    }
    return test_run((const struct test_case[]){
        TEST_CASE(test_prefix_is_build_dir),
        TEST_CASE(test_daemon_dir),
        TEST_CASE(test_share_and_program),
        TEST_CASE(test_installed_layouts),
        TEST_END,
    });
}
