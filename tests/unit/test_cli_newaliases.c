/* SPDX-License-Identifier: MIT
 * test_cli_newaliases - "petrel newaliases": every table of
 * alias_database compiled into FILE.lmdb, a missing table is EX_NOINPUT,
 * a syntax error EX_DATAERR with the old map left as it was, --help and
 * stray arguments.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

static char dir[512];
static char last_error[1024];

/* cli_error - petrel.c's is not linked into tests: keep the last error */
void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    (void)cmd;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
}

/* config - petrel.conf with alias_database = the given list */
static void config(const char *list)
{
    char text[2048];

    snprintf(text, sizeof(text), "alias_database = %s\n", list);
    test_write_file("petrel.conf", text);
    snprintf(dir, sizeof(dir), "%s", test_tmpdir());
}

/* run - cli_newaliases with optional extra argument */
static int run(const char *arg)
{
    char *argv[3] = { (char *)"newaliases", (char *)arg, NULL };

    fflush(NULL);
    return cli_newaliases(dir, arg == NULL ? 1 : 2, argv);
}

/* map_bytes - the compiled map's content, to see it unchanged */
static char *map_bytes(const char *name, size_t *len)
{
    char path[700], *data = NULL;

    snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
    if (read_file(path, 1 << 24, &data, len, NULL) < 0)
        return NULL;
    return data;
}

/* test_compile_two - both tables compiled */
static void test_compile_two(void)
{
    char list[1200];
    struct stat st;
    char path[700];

    test_write_file("aliases", "# comment\npostmaster: root\nroot: alice@x.org, bob\n");
    test_write_file("more", "abuse: postmaster\n");
    snprintf(list, sizeof(list), "$config_directory/aliases, %s/more", test_tmpdir());
    config(list);
    EXPECT_INT(run(NULL), EX_OK);
    snprintf(path, sizeof(path), "%s/aliases.lmdb", test_tmpdir());
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 0777, 0644);
    snprintf(path, sizeof(path), "%s/more.lmdb", test_tmpdir());
    EXPECT_INT(stat(path, &st), 0);
}

/* test_errors - missing file, syntax error (old map kept), arguments */
static void test_errors(void)
{
    size_t len1 = 0, len2 = 0;
    char *before, *after;

    config("$config_directory/nosuch");
    EXPECT_INT(run(NULL), EX_NOINPUT);
    EXPECT_CONTAINS(last_error, "/nosuch: No such file or directory");
    test_write_file("aliases", "postmaster: root\n");
    config("$config_directory/aliases");
    EXPECT_INT(run(NULL), EX_OK);
    before = map_bytes("aliases.lmdb", &len1);
    test_write_file("aliases", "postmaster: root\nbroken line\n");
    EXPECT_INT(run(NULL), EX_DATAERR);
    EXPECT_CONTAINS(last_error, "aliases:2: ");
    EXPECT_CONTAINS(last_error, "aliases.lmdb was not changed");
    after = map_bytes("aliases.lmdb", &len2);
    EXPECT_TRUE(before != NULL && after != NULL);
    if (before != NULL && after != NULL)
        EXPECT_MEM(after, len2, before, len1);
    xfree(before);
    xfree(after);
    EXPECT_INT(run("--help"), EX_OK);
    EXPECT_INT(run("extra"), EX_USAGE);
}

int main(void)
{
    return test_run(
        (const struct test_case[]){ TEST_CASE(test_compile_two), TEST_CASE(test_errors), TEST_END });
}
