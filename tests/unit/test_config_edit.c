/* SPDX-License-Identifier: MIT
 * test_config_edit - editing petrel.conf in place: golden texts show that
 * comments, order, blank lines and continuation lines of other entries are
 * kept byte for byte; appends, removals, the last of duplicate entries;
 * refused edits leave the file's bytes, mode and inode untouched.
 *
 * The editor works on whole texts (no streaming path), so there is nothing
 * to feed one byte at a time; the reader it shares with config_load is
 * covered by test_config's every-prefix test.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/config_edit.h"
#include "test.h"
#include "util/alloc.h"
#include "util/durable.h"

static const char base[] = "# Petrel test file\n"
                           "\n"
                           "myhostname = old.example\n"
                           "import_environment = TZ\n"
                           "    LANG\n"
                           "# kept: a comment inside an entry\n"
                           "\n"
                           "\tLC_ALL\n"
                           "max_use = 5\n"
                           "# tail comment\n";

struct edit_case {
    const char *text;
    struct config_edit edits[3];
    size_t n;
    const char *want; /* NULL: refused with error */
    const char *error;
};

static const struct edit_case cases[] = {
    /* replace in place */
    { base,
      { { "myhostname", "new.example" } },
      1,
      "# Petrel test file\n\nmyhostname = new.example\nimport_environment = TZ\n    LANG\n"
      "# kept: a comment inside an entry\n\n\tLC_ALL\nmax_use = 5\n# tail comment\n",
      NULL },
    /* a continued entry becomes one line; the comment and blank line inside stay */
    { base,
      { { "import_environment", "TZ" } },
      1,
      "# Petrel test file\n\nmyhostname = old.example\nimport_environment = TZ\n"
      "# kept: a comment inside an entry\n\nmax_use = 5\n# tail comment\n",
      NULL },
    /* append when absent; remove; several edits at once, in order */
    { base,
      { { "max_idle", "5m" }, { "myhostname", NULL }, { "max_use", "6" } },
      3,
      "# Petrel test file\n\nimport_environment = TZ\n    LANG\n"
      "# kept: a comment inside an entry\n\n\tLC_ALL\nmax_use = 6\n# tail comment\nmax_idle = 5m\n",
      NULL },
    /* removing what is absent changes nothing */
    { base, { { "debug_logging", NULL } }, 1, base, NULL },
    /* the same name twice: the last edit wins */
    { "max_use = 1\n", { { "max_use", "2" }, { "max_use", "3" } }, 2, "max_use = 3\n", NULL },
    /* duplicates in the file: the last (effective) entry is edited */
    { "max_use = 1\n#\nmax_use = 2\n", { { "max_use", "9" } }, 1, "max_use = 1\n#\nmax_use = 9\n", NULL },
    { "max_use = 1\nmax_use = 2\n", { { "max_use", NULL } }, 1, "max_use = 1\n", NULL },
    /* no newline at the end of the file */
    { "max_use = 1", { { "max_idle", "2s" } }, 1, "max_use = 1\nmax_idle = 2s\n", NULL },
    { "max_use = 1", { { "max_use", "2" } }, 1, "max_use = 2\n", NULL },
    { "", { { "max_use", "2" } }, 1, "max_use = 2\n", NULL },
    /* values are trimmed; empty is allowed; $ is written as given */
    { "",
      { { "myorigin", "  $mydomain  " }, { "maillog_file", "" } },
      2,
      "myorigin = $mydomain\nmaillog_file = \n",
      NULL },
    /* entries written without spaces, CRLF lines */
    { "a=1\r\nmax_use=1\r\nb=2\r\n", { { "max_use", "7" } }, 1, "a=1\r\nmax_use = 7\nb=2\r\n", NULL },
    /* a typo can be removed, so a broken file can be fixed */
    { "myhostnme = x\nmax_use = 1\n", { { "myhostnme", NULL } }, 1, "max_use = 1\n", NULL },
    /* refused */
    { base,
      { { "myhostnme", "x" } },
      1,
      NULL,
      "unknown parameter \"myhostnme\" (did you mean \"myhostname\"?)" },
    { base, { { "frobnicate", "x" } }, 1, NULL, "unknown parameter \"frobnicate\"" },
    { base, { { "my-host", NULL } }, 1, NULL, "invalid parameter name \"my-host\"" },
    { base, { { "", "x" } }, 1, NULL, "invalid parameter name \"\"" },
    { base, { { "myorigin", "a\nmax_use = 0" } }, 1, NULL, "the value of myorigin contains a line break" },
    { base, { { "myorigin", "a\tb\001" } }, 1, NULL, "the value of myorigin contains a control character" },
    { base,
      { { "config_directory", "/x" } },
      1,
      NULL,
      "config_directory cannot be set in petrel.conf (use -c or PETREL_CONFIG_DIR)" },
    { "  x = 1\n",
      { { "max_use", "1" } },
      1,
      NULL,
      "petrel.conf:1: continuation line without an entry before it (an entry must not start with white "
      "space)" },
};

static void test_edit_text(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct edit_case *c = &cases[i];
        char *out = NULL;
        const char *error = NULL;
        int rc = config_edit_text(c->text, strlen(c->text), c->edits, c->n, &out, &error);

        if (c->want != NULL) {
            if (EXPECT_INT(rc, 0))
                EXPECT_STR(out, c->want);
            else
                test_fail(__FILE__, __LINE__, "case %zu: %s", i, error);
        } else {
            EXPECT_INT(rc, -1);
            EXPECT_STR(error, c->error);
        }
        xfree(out);
    }
}

/* read_back - the file's contents (static buffer) */
static const char *read_back(const char *path)
{
    static char text[8192];
    FILE *fp = fopen(path, "r");
    size_t n = 0;

    if (fp != NULL) {
        n = fread(text, 1, sizeof(text) - 1, fp);
        fclose(fp);
    }
    text[n] = '\0';
    return text;
}

/* conf_path - DIR/petrel.conf in the test directory */
static const char *conf_path(void)
{
    static char path[1024];

    snprintf(path, sizeof(path), "%s/petrel.conf", test_tmpdir());
    return path;
}

static void test_edit_file_keeps_mode(void)
{
    const struct config_edit set[] = { { "max_use", "6" }, { "max_idle", "1m" } };
    const char *error = NULL;
    struct stat st;

    test_write_file("petrel.conf", base);
    chmod(conf_path(), 0640);
    if (!EXPECT_INT(config_edit_file(test_tmpdir(), set, 2, &error), 0))
        EXPECT_STR(error, "");
    EXPECT_STR(read_back(conf_path()),
               "# Petrel test file\n\nmyhostname = old.example\nimport_environment = TZ\n"
               "    LANG\n# kept: a comment inside an entry\n\n\tLC_ALL\nmax_use = 6\n"
               "# tail comment\nmax_idle = 1m\n");
    EXPECT_INT(stat(conf_path(), &st), 0);
    EXPECT_INT(st.st_mode & 07777, 0640);
}

static void test_refused_edit_changes_nothing(void)
{
    static const struct {
        struct config_edit edit;
        const char *error; /* after "DIR/petrel.conf:" when it starts with ':' */
    } bad[] = {
        { { "max_use", "lots" }, ":9: invalid integer value \"lots\" for max_use" },
        { { "max_use", "0" }, ":9: max_use = 0 is out of range (1 to 1000000)" },
        { { "max_idle", "5x" },
          ":11: invalid time value \"5x\" for max_idle (use a number with ms, s, m, h or d)" },
        { { "myorigin", "$nosuch" }, ":11: unknown parameter \"$nosuch\" in the value of myorigin" },
        { { "myhostname", "$myorigin" }, ":3: $-expansion loop: myhostname -> myorigin -> myhostname" },
        { { "myorigin", "x\ny" }, "the value of myorigin contains a line break" },
    };
    struct stat before, after;
    char want[4200];
    const char *error;
    size_t i;

    test_write_file("petrel.conf", base);
    chmod(conf_path(), 0600);
    EXPECT_INT(stat(conf_path(), &before), 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        error = NULL;
        EXPECT_INT(config_edit_file(test_tmpdir(), &bad[i].edit, 1, &error), -1);
        if (bad[i].error[0] == ':')
            snprintf(want, sizeof(want), "%s%s", conf_path(), bad[i].error);
        else
            snprintf(want, sizeof(want), "%s", bad[i].error);
        EXPECT_STR(error, want);
        EXPECT_STR(read_back(conf_path()), base);
        EXPECT_INT(stat(conf_path(), &after), 0);
        EXPECT_INT(after.st_ino, before.st_ino);
        EXPECT_INT(after.st_mode & 07777, 0600);
    }
}

static void test_broken_file_refuses_other_edits(void)
{
    const struct config_edit set = { "max_use", "2" }, fix = { "myhostnme", NULL };
    char want[4200];
    const char *error = NULL;

    test_write_file("petrel.conf", "myhostnme = x\nmax_use = 1\n");
    EXPECT_INT(config_edit_file(test_tmpdir(), &set, 1, &error), -1);
    snprintf(want, sizeof(want), "%s:1: unknown parameter \"myhostnme\" (did you mean \"myhostname\"?)",
             conf_path());
    EXPECT_STR(error, want);
    EXPECT_STR(read_back(conf_path()), "myhostnme = x\nmax_use = 1\n");
    EXPECT_INT(config_edit_file(test_tmpdir(), &fix, 1, &error), 0);
    EXPECT_STR(read_back(conf_path()), "max_use = 1\n");
}

static void test_noop_and_missing_file(void)
{
    const struct config_edit remove = { "debug_logging", NULL }, set = { "max_use", "4" };
    struct stat before, after;
    const char *error = NULL;

    test_write_file("petrel.conf", base);
    EXPECT_INT(stat(conf_path(), &before), 0);
    EXPECT_INT(config_edit_file(test_tmpdir(), &remove, 1, &error), 0);
    EXPECT_INT(stat(conf_path(), &after), 0);
    EXPECT_INT(after.st_ino, before.st_ino); /* not rewritten */
    unlink(conf_path());
    EXPECT_INT(config_edit_file(test_tmpdir(), &set, 1, &error), 0);
    EXPECT_STR(read_back(conf_path()), "max_use = 4\n");
    EXPECT_INT(stat(conf_path(), &after), 0);
    EXPECT_INT(after.st_mode & 07777, 0644);
}

static void test_symlink_is_followed(void)
{
    const struct config_edit set = { "max_use", "8" };
    char target[1024];
    const char *error = NULL;
    struct stat st;

    snprintf(target, sizeof(target), "%s/real.conf", test_tmpdir());
    test_write_file("real.conf", "max_use = 1\n");
    unlink(conf_path());
    EXPECT_INT(symlink("real.conf", conf_path()), 0);
    EXPECT_INT(config_edit_file(test_tmpdir(), &set, 1, &error), 0);
    EXPECT_INT(lstat(conf_path(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_STR(read_back(target), "max_use = 8\n");
    unlink(conf_path());
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_edit_text),
        TEST_CASE(test_edit_file_keeps_mode),
        TEST_CASE(test_refused_edit_changes_nothing),
        TEST_CASE(test_broken_file_refuses_other_edits),
        TEST_CASE(test_noop_and_missing_file),
        TEST_CASE(test_symlink_is_followed),
        TEST_END,
    });
}
