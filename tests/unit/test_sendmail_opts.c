/* SPDX-License-Identifier: MIT
 * test_sendmail_opts - the sendmail command line, table-driven: modes from
 * -b and argv[0], attached and separate option values, -i/-oi, ignored
 * Postfix options, "--", and the usage errors.
 */
#include <string.h>

#include "sendmail_exec.h"
#include "sendmail_opts.h"
#include "test.h"

#define MAXARGS 12

struct opts_case {
    const char *argv[MAXARGS]; /* NULL-terminated */
    int rc;
    enum sendmail_mode mode;
    const char *config_dir, *sender, *full_name;
    int dot_ends, extract, verbose;
    int nrcpts;
    const char *first_rcpt;
    const char *error; /* contained in the error on failure */
};

#define D SENDMAIL_MODE_DELIVER
#define S SENDMAIL_MODE_SMTP
#define Q SENDMAIL_MODE_MAILQ
#define A SENDMAIL_MODE_ALIASES
#define H SENDMAIL_MODE_HELP

/* clang-format off */
static const struct opts_case cases[] = {
    { { "sendmail", "bob", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 1, "bob", NULL },
    { { "/usr/sbin/sendmail", "-t", NULL }, 0, D, NULL, NULL, NULL, 1, 1, 0, 0, NULL, NULL },
    { { "sendmail", "-ti", "a", "b", NULL }, 0, D, NULL, NULL, NULL, 0, 1, 0, 2, "a", NULL },
    { { "sendmail", "-oi", "a", NULL }, 0, D, NULL, NULL, NULL, 0, 0, 0, 1, "a", NULL },
    { { "sendmail", "-odb", "-oem", "a", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-fme@x.org", "a", NULL }, 0, D, NULL, "me@x.org", NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-f", "me@x.org", "a", NULL }, 0, D, NULL, "me@x.org", NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-r", "<>", "a", NULL }, 0, D, NULL, "<>", NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-f", "", "a", NULL }, 0, D, NULL, "", NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-F", "Ann Other", "-C", "/etc/x", "a", NULL }, 0, D, "/etc/x", NULL, "Ann Other", 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-bs", NULL }, 0, S, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-bp", NULL }, 0, Q, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-bi", NULL }, 0, A, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-I", NULL }, 0, A, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-bm", "-v", "a", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 1, 1, "a", NULL },
    { { "/usr/bin/mailq", NULL }, 0, Q, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "newaliases", NULL }, 0, A, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "mailq", "-bm", "a", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "-B", "8BITMIME", "-N", "never", "-R", "hdrs", "-V", "id", "-X", "log", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-U", "-G", "-h", "5", "-L", "x", "-O", "y", "a", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 1, "a", NULL },
    { { "sendmail", "--", "-t", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 1, "-t", NULL },
    { { "sendmail", "a", "-t", NULL }, 0, D, NULL, NULL, NULL, 1, 0, 0, 2, "a", NULL },
    { { "sendmail", "--help", NULL }, 0, H, NULL, NULL, NULL, 1, 0, 0, 0, NULL, NULL },
    { { "sendmail", "-q", NULL }, -1, D, NULL, NULL, NULL, 1, 0, 0, 0, NULL, "unknown option -q" },
    { { "sendmail", "-f", NULL }, -1, D, NULL, NULL, NULL, 1, 0, 0, 0, NULL, "option -f needs a value" },
    { { "sendmail", "-bd", NULL }, -1, D, NULL, NULL, NULL, 1, 0, 0, 0, NULL, "unsupported mode -bd" },
    { { "sendmail", "-x", "a", NULL }, -1, D, NULL, NULL, NULL, 1, 0, 0, 0, NULL, "unknown option -x" },
};
/* clang-format on */

/* opt_str - compare optional strings */
static void expect_opt(const char *what, const char *got, const char *want)
{
    if (want == NULL && got != NULL)
        test_fail(__FILE__, __LINE__, "%s: got \"%s\", want NULL", what, got);
    else if (want != NULL)
        EXPECT_STR(got != NULL ? got : "(null)", want);
}

/* test_table - every case */
static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct opts_case *c = &cases[i];
        char *argv[MAXARGS];
        struct sendmail_opts o;
        const char *error = NULL;
        int argc = 0, rc;

        while (c->argv[argc] != NULL) {
            argv[argc] = (char *)c->argv[argc];
            argc++;
        }
        argv[argc] = NULL;
        rc = sendmail_opts_parse(argc, argv, &o, &error);
        if (!EXPECT_INT(rc, c->rc))
            test_fail(__FILE__, __LINE__, "case %zu (%s %s)", i, c->argv[0], c->argv[1] ? c->argv[1] : "");
        if (rc < 0) {
            EXPECT_CONTAINS(error, c->error);
            continue;
        }
        EXPECT_INT(o.mode, c->mode);
        expect_opt("config_dir", o.config_dir, c->config_dir);
        expect_opt("sender", o.sender, c->sender);
        expect_opt("full_name", o.full_name, c->full_name);
        EXPECT_INT(o.dot_ends, c->dot_ends);
        EXPECT_INT(o.extract, c->extract);
        EXPECT_INT(o.verbose, c->verbose);
        if (c->mode == H)
            continue;
        if (!EXPECT_INT(o.nrcpts, c->nrcpts))
            test_fail(__FILE__, __LINE__, "case %zu", i);
        if (c->first_rcpt != NULL && o.nrcpts > 0)
            EXPECT_STR(o.rcpts[0], c->first_rcpt);
    }
}

/* test_exec_argv - what mailq and newaliases run */
static void test_exec_argv(void)
{
    const char *argv[6];

    sendmail_exec_argv(SENDMAIL_MODE_MAILQ, "/etc/p", argv);
    EXPECT_STR(argv[0], "petrel");
    EXPECT_STR(argv[1], "-c");
    EXPECT_STR(argv[2], "/etc/p");
    EXPECT_STR(argv[3], "queue");
    EXPECT_STR(argv[4], "list");
    EXPECT_TRUE(argv[5] == NULL);
    sendmail_exec_argv(SENDMAIL_MODE_ALIASES, "/etc/p", argv);
    EXPECT_STR(argv[3], "newaliases");
    EXPECT_TRUE(argv[4] == NULL);
}

/* test_help - the help page lists the exit codes */
static void test_help(void)
{
    EXPECT_CONTAINS(sendmail_help, "75 temporary failure");
    EXPECT_CONTAINS(sendmail_help, "-bs");
    EXPECT_CONTAINS(sendmail_usage, "Usage: sendmail");
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_table), TEST_CASE(test_exec_argv),
                                                TEST_CASE(test_help), TEST_END });
}
