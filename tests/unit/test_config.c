/* SPDX-License-Identifier: MIT
 * test_config - loading petrel.conf: every error message exactly (with
 * file:line), continuation lines, $-expansion and loops, overrides,
 * duplicate settings, computed defaults, limits, and the shipped file.
 *
 * config_load_text parses a whole text in memory; there is no streaming
 * read path, so the "feed it one byte at a time" rule has nothing to drive.
 * Instead test_every_prefix loads every prefix of a realistic file: each
 * must either load or fail with a "petrel.conf:LINE:" error, never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/config.h"
#include "test.h"
#include "util/alloc.h"

#define DIR "/etc/petrel"

/* load - config_load_text on a C string */
static int load(const char *text, const char *const *overrides, struct config **cfg_r, const char **error_r)
{
    return config_load_text(DIR, "petrel.conf", text, strlen(text), overrides, cfg_r, error_r);
}

struct error_case {
    const char *text;
    const char *error;
};

static const struct error_case error_cases[] = {
    { "myhostnme = x\n", "petrel.conf:1: unknown parameter \"myhostnme\" (did you mean \"myhostname\"?)" },
    { "# c\n\nmax_uze = 3\n", "petrel.conf:3: unknown parameter \"max_uze\" (did you mean \"max_use\"?)" },
    { "mhyostname = x\n", "petrel.conf:1: unknown parameter \"mhyostname\" (did you mean \"myhostname\"?)" },
    { "frobnicate = 1\n", "petrel.conf:1: unknown parameter \"frobnicate\"" },
    { "my host = 1\n", "petrel.conf:1: unknown parameter \"my host\"" },
    { "myhostname\n", "petrel.conf:1: missing \"=\" in \"myhostname\" (write name = value)" },
    { "max_use = 3\n  myhostname x\nfoo bar\n",
      "petrel.conf:3: missing \"=\" in \"foo bar\" (write name = value)" },
    { "= x\n", "petrel.conf:1: missing parameter name before \"=\"" },
    { "  = x\n", "petrel.conf:1: continuation line without an entry before it "
                 "(an entry must not start with white space)" },
    { "# only a comment\n  indented\n", "petrel.conf:2: continuation line without an entry before it "
                                        "(an entry must not start with white space)" },
    { "max_use = lots\n", "petrel.conf:1: invalid integer value \"lots\" for max_use" },
    { "max_use = 0\n", "petrel.conf:1: max_use = 0 is out of range (1 to 1000000)" },
    { "max_use = 1000001\n", "petrel.conf:1: max_use = 1000001 is out of range (1 to 1000000)" },
    { "\nmax_idle = 5x\n",
      "petrel.conf:2: invalid time value \"5x\" for max_idle (use a number with ms, s, m, h or d)" },
    { "max_idle = 999ms\n", "petrel.conf:1: max_idle = 999ms is out of range (1000ms to 86400000ms)" },
    { "ipc_max_frame_size = 65m\n",
      "petrel.conf:1: ipc_max_frame_size = 65m is out of range (4096 to 67108864)" },
    { "debug_logging = maybe\n",
      "petrel.conf:1: invalid boolean value \"maybe\" for debug_logging (use yes or no)" },
    { "syslog_facility = kern\n",
      "petrel.conf:1: invalid value \"kern\" for syslog_facility (use one of: "
      "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7)" },
    /* the first error in the file is the one reported */
    { "max_idle = 5x\nmax_use = 0\n",
      "petrel.conf:1: invalid time value \"5x\" for max_idle (use a number with ms, s, m, h or d)" },
    { "max_use = 0\nmax_idle = 5x\n", "petrel.conf:1: max_use = 0 is out of range (1 to 1000000)" },
    /* continuation lines: the error names the line where the entry starts */
    { "max_use =\n  1\n  2\n", "petrel.conf:1: invalid integer value \"1 2\" for max_use" },
    /* $-expansion */
    { "myorigin = $nosuch\n", "petrel.conf:1: unknown parameter \"$nosuch\" in the value of myorigin" },
    { "myorigin = ${myhostnme}\n", "petrel.conf:1: unknown parameter \"$myhostnme\" in the value of myorigin "
                                   "(did you mean \"$myhostname\"?)" },
    { "myorigin = a$\n",
      "petrel.conf:1: invalid \"$\" in the value of myorigin (write \"$$\" for a literal \"$\")" },
    { "myorigin = $-x\n",
      "petrel.conf:1: invalid \"$\" in the value of myorigin (write \"$$\" for a literal \"$\")" },
    { "myorigin = ${}\n",
      "petrel.conf:1: invalid \"$\" in the value of myorigin (write \"$$\" for a literal \"$\")" },
    { "myorigin = ${myhostname\n",
      "petrel.conf:1: missing \"}\" after \"${myhostname\" in the value of myorigin" },
    { "myorigin = ${myhostname:x}\n",
      "petrel.conf:1: missing \"}\" after \"${myhostname\" in the value of myorigin" },
    { "max_use = 5\ndefault_process_limit = $max_use$max_use$max_use$max_use$max_use\n",
      "petrel.conf:2: default_process_limit = 55555 is out of range (1 to 10000)" },
    /* loops name the chain, at the line of the first entry in it */
    { "myhostname = $myhostname\n", "petrel.conf:1: $-expansion loop: myhostname -> myhostname" },
    { "myorigin = $mydomain\nmydomain = x.$myorigin\n",
      "petrel.conf:1: $-expansion loop: myorigin -> mydomain -> myorigin" },
    { "mydomain = x.$myorigin\nmyorigin = ${mydomain}\n",
      "petrel.conf:1: $-expansion loop: mydomain -> myorigin -> mydomain" },
    /* through a default: myorigin defaults to $myhostname */
    { "myhostname = $myorigin\n", "petrel.conf:1: $-expansion loop: myhostname -> myorigin -> myhostname" },
    { "max_use = 2\nsyslog_name = $mail_owner\nmail_owner = $syslog_name\n",
      "petrel.conf:2: $-expansion loop: syslog_name -> mail_owner -> syslog_name" },
    /* what may not be set, and bytes that may not appear */
    { "config_directory = /x\n",
      "petrel.conf:1: config_directory cannot be set here (use -c or PETREL_CONFIG_DIR)" },
    { "myorigin = a\001b\n", "petrel.conf:1: control character 0x01 in line" },
    { "max_use = 5\r6\n", "petrel.conf:1: control character 0x0d in line" },
    { "# fine\n\033[2J = 1\n", "petrel.conf:2: control character 0x1b in line" },
    { "myorigin = a\177\n", "petrel.conf:1: control character 0x7f in line" },
};

static void test_errors(void)
{
    size_t i;

    for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        struct config *cfg = NULL;
        const char *error = NULL;

        test_log_capture_start();
        if (!EXPECT_INT(load(error_cases[i].text, NULL, &cfg, &error), -1))
            config_destroy(&cfg);
        EXPECT_STR(error, error_cases[i].error);
        EXPECT_TRUE(cfg == NULL);
    }
}

static void test_nul_byte(void)
{
    static const char text[] = "max_use = 5\nmyorigin = a\0b\n";
    struct config *cfg = NULL;
    const char *error = NULL;

    EXPECT_INT(config_load_text(DIR, "petrel.conf", text, sizeof(text) - 1, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf:2: control character 0x00 in line");
}

static void test_limits(void)
{
    size_t big = 1024 * 1024 + 1;
    char *text = xmalloc(big + 1);
    struct config *cfg = NULL;
    const char *error = NULL;
    int i;

    /* the file, one line, one entry, one expanded value */
    memset(text, '#', big);
    EXPECT_INT(config_load_text(DIR, "petrel.conf", text, big, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf: larger than 1048576 bytes");
    memcpy(text, "myorigin = ", 11);
    memset(text + 11, 'a', 65536);
    text[11 + 65536] = '\0';
    EXPECT_INT(load(text, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf:1: line longer than 65536 bytes");
    text[0] = '\0';
    for (i = 0; i < 3; i++)
        snprintf(text + strlen(text), big - strlen(text), "%s%.30000d\n", i == 0 ? "myorigin = " : "  ", 0);
    EXPECT_INT(load(text, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf:3: entry longer than 65536 bytes");
    snprintf(text, big, "myorigin = %.40000d\nsyslog_name = x$myorigin$myorigin\n", 0);
    EXPECT_INT(load(text, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf:2: the value of syslog_name is longer than 65536 bytes after expansion");
    /* exponential growth is cut at the limit, not computed */
    snprintf(text, big,
             "myorigin = $mydomain$mydomain$mydomain$mydomain\nmydomain = $syslog_name$syslog_name"
             "$syslog_name$syslog_name\nsyslog_name = $mail_owner$mail_owner$mail_owner$mail_owner"
             "\nmail_owner = %.5000d\n",
             0);
    EXPECT_INT(load(text, NULL, &cfg, &error), -1);
    EXPECT_STR(error, "petrel.conf:2: the value of mydomain is longer than 65536 bytes after expansion");
    xfree(text);
}

static void test_continuation_lines(void)
{
    struct config *cfg;
    const char *error = NULL;

    if (!EXPECT_INT(load("import_environment = TZ\n"
                         "# a comment inside the entry\n"
                         "\tLANG   \n"
                         "\n"
                         "    LC_ALL\r\n"
                         "myorigin =\n"
                         "  example.org\n"
                         "syslog_name=  x  \n",
                         NULL, &cfg, &error),
                    0)) {
        EXPECT_STR(error, "");
        return;
    }
    EXPECT_STR(config_value(cfg, "import_environment"), "TZ LANG LC_ALL");
    EXPECT_STR(config_value(cfg, "myorigin"), "example.org");
    EXPECT_STR(config_value(cfg, "syslog_name"), "x");
    EXPECT_STR(config_params(cfg)->syslog_name, "x");
    config_destroy(&cfg);
    EXPECT_TRUE(cfg == NULL);
    config_destroy(&cfg); /* NULL is accepted */
}

static void test_expansion(void)
{
    struct config *cfg;
    const char *error = NULL;

    if (!EXPECT_INT(load("myhostname = mx.example.org\n"
                         "myorigin = ${mydomain}\n"
                         "syslog_name = $$HOME-$myorigin-$$$$-${myhostname}x\n"
                         "max_use = 7\n"
                         "default_process_limit = $max_use$max_use\n"
                         "mail_owner = $myhostname.$mydomain\n",
                         NULL, &cfg, &error),
                    0)) {
        EXPECT_STR(error, "");
        return;
    }
    EXPECT_STR(config_value(cfg, "mydomain"), "example.org");
    EXPECT_STR(config_value(cfg, "myorigin"), "example.org");
    EXPECT_STR(config_raw_value(cfg, "myorigin"), "${mydomain}");
    EXPECT_STR(config_value(cfg, "syslog_name"), "$HOME-example.org-$$-mx.example.orgx");
    EXPECT_STR(config_value(cfg, "mail_owner"), "mx.example.org.example.org");
    EXPECT_INT(config_params(cfg)->default_process_limit, 77);
    EXPECT_STR(config_params(cfg)->myorigin, "example.org");
    /* a default that refers to another parameter follows it */
    EXPECT_TRUE(config_raw_value(cfg, "queue_directory") == NULL);
    config_destroy(&cfg);
    if (EXPECT_INT(load("myhostname = a.b.c\n", NULL, &cfg, &error), 0)) {
        EXPECT_STR(config_value(cfg, "myorigin"), "a.b.c");
        EXPECT_STR(config_raw_value(cfg, "myorigin"), NULL);
        EXPECT_STR(config_default_value(cfg, "myorigin"), "$myhostname");
        config_destroy(&cfg);
    }
}

static void test_overrides(void)
{
    static const struct {
        const char *override;
        const char *error;
    } bad[] = {
        { "max_use=0", "override \"max_use=0\": max_use = 0 is out of range (1 to 1000000)" },
        { "nosuch=1", "override \"nosuch=1\": unknown parameter \"nosuch\"" },
        { "max_uses=1",
          "override \"max_uses=1\": unknown parameter \"max_uses\" (did you mean \"max_use\"?)" },
        { "max_use", "override \"max_use\": missing \"=\" (write name=value)" },
        { "=1", "override \"=1\": missing parameter name before \"=\"" },
        { "config_directory=/x", "override \"config_directory=/x\": config_directory cannot be set here (use "
                                 "-c or PETREL_CONFIG_DIR)" },
        { "myorigin=a\nb", "override \"myorigin=a\nb\": control character 0x0a" },
        { "myorigin=$nosuch", "override \"myorigin=$nosuch\": unknown parameter \"$nosuch\" in the value of "
                              "myorigin" },
    };
    const char *good[] = { "max_use=9", " myorigin = $mydomain ", "max_idle=5m", NULL };
    const char *one[2] = { NULL, NULL };
    struct config *cfg = NULL;
    const char *error = NULL;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        one[0] = bad[i].override;
        EXPECT_INT(load("max_use = 5\n", one, &cfg, &error), -1);
        EXPECT_STR(error, bad[i].error);
    }
    if (!EXPECT_INT(load("max_use = 5\nmyhostname = h.example.net\n", good, &cfg, &error), 0))
        return;
    EXPECT_INT(config_params(cfg)->max_use, 9);
    EXPECT_STR(config_raw_value(cfg, "max_use"), "9");
    EXPECT_STR(config_value(cfg, "myorigin"), "example.net");
    EXPECT_STR(config_raw_value(cfg, "myorigin"), "$mydomain");
    EXPECT_INT(config_params(cfg)->max_idle, 300000);
    EXPECT_TRUE(config_is_set(cfg, "max_idle"));
    EXPECT_FALSE(config_is_set(cfg, "ipc_timeout"));
    config_destroy(&cfg);
}

static void test_duplicate_warns(void)
{
    struct config *cfg;

    test_log_capture_start();
    if (!EXPECT_INT(load("max_use = 1\n# x\nmax_use = 2\nmax_use = 3\n", NULL, &cfg, NULL), 0))
        return;
    test_log_capture_stop();
    EXPECT_INT(config_params(cfg)->max_use, 3);
    EXPECT_STR(test_log_text(),
               "warning: petrel.conf:3: parameter max_use is set again (previous setting at line 1); "
               "the last one wins\n"
               "warning: petrel.conf:4: parameter max_use is set again (previous setting at line 3); "
               "the last one wins\n");
    config_destroy(&cfg);
}

static void test_computed_defaults(void)
{
    static const struct {
        const char *host, *domain;
    } cases[] = {
        { "mail.example.com", "example.com" },
        { "a.b.c.d", "b.c.d" },
        { "localhost", "localdomain" },
        { "host.", "localdomain" },
    };
    struct config *cfg;
    char host[256] = "", text[512];
    const char *want_domain;
    size_t i;

    gethostname(host, sizeof(host) - 1);
    if (!EXPECT_INT(config_load_text("/some/dir", "petrel.conf", "", 0, NULL, &cfg, NULL), 0))
        return;
    EXPECT_STR(config_value(cfg, "config_directory"), "/some/dir");
    EXPECT_STR(config_dir(cfg), "/some/dir");
    EXPECT_STR(config_params(cfg)->config_directory, "/some/dir");
    EXPECT_STR(config_value(cfg, "myhostname"), host[0] ? host : "localhost");
    want_domain = strchr(host, '.') && strchr(host, '.')[1] ? strchr(host, '.') + 1 : "localdomain";
    EXPECT_STR(config_value(cfg, "mydomain"), want_domain);
    EXPECT_STR(config_default_value(cfg, "mydomain"), want_domain);
    EXPECT_STR(config_default_value(cfg, "config_directory"), "/some/dir");
    EXPECT_STR(config_default_value(cfg, "max_idle"), "100s");
    EXPECT_STR(config_default_value(cfg, "nosuch"), NULL);
    EXPECT_STR(config_value(cfg, "nosuch"), NULL);
    EXPECT_INT(config_params(cfg)->max_idle, 100000);
    EXPECT_INT(config_params(cfg)->ipc_max_frame_size, 1024 * 1024);
    EXPECT_FALSE(config_params(cfg)->debug_logging);
    config_destroy(&cfg);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), "myhostname = %s\n", cases[i].host);
        if (!EXPECT_INT(load(text, NULL, &cfg, NULL), 0))
            continue;
        EXPECT_STR(config_value(cfg, "mydomain"), cases[i].domain);
        EXPECT_FALSE(config_is_set(cfg, "mydomain"));
        config_destroy(&cfg);
    }
    /* a config_directory with '$' in it is taken literally */
    if (EXPECT_INT(config_load_text("/tmp/a$b", "petrel.conf", "myorigin = $config_directory\n", 29, NULL,
                                    &cfg, NULL),
                   0)) {
        EXPECT_STR(config_value(cfg, "myorigin"), "/tmp/a$b");
        config_destroy(&cfg);
    }
}

static void test_directory_default(void)
{
    unsetenv("PETREL_CONFIG_DIR");
    EXPECT_STR(config_directory_default(NULL), PETREL_DEFAULT_CONFIG_DIR);
    EXPECT_STR(config_directory_default(""), PETREL_DEFAULT_CONFIG_DIR);
    EXPECT_STR(config_directory_default("/x"), "/x");
    setenv("PETREL_CONFIG_DIR", "/from/env", 1);
    EXPECT_STR(config_directory_default(NULL), "/from/env");
    EXPECT_STR(config_directory_default("/x"), "/x");
    setenv("PETREL_CONFIG_DIR", "", 1);
    EXPECT_STR(config_directory_default(NULL), PETREL_DEFAULT_CONFIG_DIR);
    unsetenv("PETREL_CONFIG_DIR");
}

static void test_load_file(void)
{
    char dir[512], want[1024];
    struct config *cfg = NULL;
    const char *error = NULL;

    snprintf(dir, sizeof(dir), "%s", test_tmpdir());
    test_write_file("petrel.conf", "# test\nmax_use = 3\n\nmax_idle = 1x\n");
    EXPECT_INT(config_load(dir, NULL, &cfg, &error), -1);
    snprintf(want, sizeof(want),
             "%s/petrel.conf:4: invalid time value \"1x\" for max_idle "
             "(use a number with ms, s, m, h or d)",
             dir);
    EXPECT_STR(error, want);
    test_write_file("petrel.conf", "# test\nmax_use = 3\n");
    if (EXPECT_INT(config_load(dir, NULL, &cfg, &error), 0)) {
        EXPECT_INT(config_params(cfg)->max_use, 3);
        EXPECT_STR(config_value(cfg, "config_directory"), dir);
        config_destroy(&cfg);
    }
    EXPECT_INT(config_load("/nonexistent/petrel", NULL, &cfg, &error), -1);
    EXPECT_STR(error, "open /nonexistent/petrel/petrel.conf: No such file or directory");
}

static void test_every_prefix(void)
{
    static const char text[] = "# Petrel\n"
                               "myhostname = mx.example.org\n"
                               "import_environment = TZ\n"
                               "    LANG\n"
                               "# inside\n"
                               "\tLC_ALL\n"
                               "myorigin = ${mydomain}\n"
                               "max_idle = 100s\n"
                               "syslog_name = $$x\n";
    size_t n;

    for (n = 0; n <= sizeof(text) - 1; n++) {
        struct config *cfg = NULL;
        const char *error = NULL;

        if (config_load_text(DIR, "petrel.conf", text, n, NULL, &cfg, &error) == 0)
            config_destroy(&cfg);
        else if (strncmp(error, "petrel.conf:", 12) != 0)
            test_fail(__FILE__, __LINE__, "prefix %zu: unexpected error \"%s\"", n, error);
    }
}

static void test_shipped_file(void)
{
    char path[4096], *slash;
    struct config *cfg = NULL;
    const char *error = NULL;

    /* conf/petrel.conf, found from this file's path in the source tree */
    snprintf(path, sizeof(path), "%s", __FILE__);
    if ((slash = strstr(path, "tests/unit/")) == NULL || access(__FILE__, R_OK) != 0)
        return;
    snprintf(slash, sizeof(path) - (size_t)(slash - path), "conf");
    if (access(path, R_OK) != 0)
        return;
    EXPECT_INT(config_load(path, NULL, &cfg, &error), 0);
    if (cfg == NULL)
        EXPECT_STR(error, "");
    config_destroy(&cfg);
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_errors),
        TEST_CASE(test_nul_byte),
        TEST_CASE(test_limits),
        TEST_CASE(test_continuation_lines),
        TEST_CASE(test_expansion),
        TEST_CASE(test_overrides),
        TEST_CASE(test_duplicate_warns),
        TEST_CASE(test_computed_defaults),
        TEST_CASE(test_directory_default),
        TEST_CASE(test_load_file),
        TEST_CASE(test_every_prefix),
        TEST_CASE(test_shipped_file),
        TEST_END,
    });
}
