/* SPDX-License-Identifier: MIT
 * test_sendmail_cmd - the built sendmail program end to end: it runs
 * build/sbin/sendmail (and the build/bin/newaliases link) against a
 * temporary configuration whose queue_directory holds a maildrop/
 * directory, then reads each drop file back with qf_read and
 * maildrop_check and compares the whole file byte for byte with the
 * records it must hold. Also: the exit codes and messages of the error
 * cases, and that a failed run leaves no file behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "test.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"

static char etc[PATH_MAX], drop[PATH_MAX];
static char err_text[8192];

/* build_path - REL below the build directory (from build/tests/unit/ME) */
static const char *build_path(const char *rel, char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    char *slash;

    if (n < 0)
        return NULL;
    self[n] = '\0';
    if ((slash = strrchr(self, '/')) != NULL)
        *slash = '\0';
    snprintf(out, size, "%s/../../%s", self, rel);
    return out;
}

/* setup - DIR/etc/petrel.conf and DIR/spool/maildrop */
static void setup(void)
{
    char spool[PATH_MAX], conf[PATH_MAX * 2];

    snprintf(etc, sizeof(etc), "%s/etc", test_tmpdir());
    snprintf(spool, sizeof(spool), "%s/spool", test_tmpdir());
    snprintf(drop, sizeof(drop), "%s/spool/maildrop", test_tmpdir());
    EXPECT_INT(mkdir(etc, 0755), 0);
    EXPECT_INT(mkdir(spool, 0755), 0);
    EXPECT_INT(mkdir(drop, 01733), 0);
    snprintf(conf, sizeof(conf),
             "queue_directory = %s\nmyhostname = host.example\nmyorigin = origin.example\n"
             "message_size_limit = 2048\n",
             spool);
    test_write_file("etc/petrel.conf", conf);
}

/* run - sendmail ARGS with input on stdin; the exit status, stderr in
 * err_text, stdout in out (if not NULL) */
static int run(const char *prog, const char *const *args, const char *input, struct buf *out)
{
    char path[PATH_MAX + 32], in_path[PATH_MAX], out_path[PATH_MAX], err_path[PATH_MAX];
    const char *argv[32];
    char *text = NULL;
    size_t len, n = 0;
    int status;
    pid_t pid;

    build_path(prog, path, sizeof(path));
    snprintf(in_path, sizeof(in_path), "%s/stdin", test_tmpdir());
    snprintf(out_path, sizeof(out_path), "%s/stdout", test_tmpdir());
    snprintf(err_path, sizeof(err_path), "%s/stderr", test_tmpdir());
    test_write_file("stdin", input);
    argv[n++] = strrchr(prog, '/') + 1;
    while (*args != NULL && n < 31)
        argv[n++] = *args++;
    argv[n] = NULL;
    fflush(NULL);
    if ((pid = fork()) == 0) {
        int in = open(in_path, O_RDONLY), o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644),
            e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(127);
        execv(path, (char *const *)argv);
        _exit(126);
    }
    EXPECT_INT(waitpid(pid, &status, 0), pid);
    err_text[0] = '\0';
    if (read_file(err_path, sizeof(err_text) - 1, &text, &len, NULL) == 0) {
        memcpy(err_text, text, len);
        err_text[len] = '\0';
        xfree(text);
    }
    if (out != NULL && read_file(out_path, 1 << 20, &text, &len, NULL) == 0) {
        buf_reset(out);
        buf_append(out, text, len);
        xfree(text);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* drop_files - how many files the drop directory holds; the first name in name */
static int drop_files(char name[MAILDROP_NAME_LEN + 1])
{
    DIR *d = opendir(drop);
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && n++ == 0 && strlen(e->d_name) <= MAILDROP_NAME_LEN)
            memcpy(name, e->d_name, strlen(e->d_name) + 1);
    }
    closedir(d);
    return n;
}

/* rec - append one record to an expected image */
static void rec(struct buf *b, char type, const char *value, size_t len)
{
    unsigned char h[5] = { (unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len };

    buf_append(b, h, 5);
    buf_append(b, value, len);
}

/* check_drop - take the one drop file, check it against the envelope and
 * content byte for byte, and remove it */
static void check_drop(const char *sender, const char *const *rcpts, const char *content)
{
    char name[MAILDROP_NAME_LEN + 1] = "", path[PATH_MAX + 64], arrival[64];
    struct buf *want = buf_create(1024, 1 << 20);
    struct qf_message *m = NULL;
    const char *error;
    char *data = NULL;
    struct stat st;
    size_t len, i;
    int fd;

    if (!EXPECT_INT(drop_files(name), 1))
        return;
    EXPECT_TRUE(maildrop_name_valid(name));
    snprintf(path, sizeof(path), "%s/%s", drop, name);
    EXPECT_INT(stat(path, &st), 0);
    EXPECT_INT(st.st_mode & 07777, MAILDROP_READY_MODE);
    EXPECT_INT(st.st_uid, getuid());
    fd = open(path, O_RDONLY);
    if (EXPECT_INT(qf_read(fd, &m, &error), 0) && EXPECT_INT(maildrop_check(m, &error), 0)) {
        snprintf(arrival, sizeof(arrival), "%lld.%06d", (long long)m->arrival_sec, (int)m->arrival_usec);
        rec(want, 'V', QF_MAGIC, strlen(QF_MAGIC));
        rec(want, 'A', arrival, strlen(arrival));
        rec(want, 'F', sender, strlen(sender));
        for (i = 0; rcpts[i] != NULL; i++)
            rec(want, 'R', rcpts[i], strlen(rcpts[i]));
        rec(want, 'M', content, strlen(content));
        rec(want, 'X', "", 0);
        EXPECT_INT(read_file(path, 1 << 20, &data, &len, &error), 0);
        EXPECT_MEM(data, len, want->data, want->len);
    }
    close(fd);
    qf_message_free(&m);
    xfree(data);
    buf_destroy(&want);
    unlink(path);
}

/* login - the test user's address at myorigin */
static const char *login(void)
{
    static char addr[300];

    snprintf(addr, sizeof(addr), "%s@origin.example", getpwuid(getuid())->pw_name);
    return addr;
}

/* test_full_message - every record, a message with all its headers */
static void test_full_message(void)
{
    const char *args[] = { "-C",      etc, "-f", "Sender@Example.ORG", "-i", "--", "Doe <a@X.org>, b",
                           "a@x.org", NULL };
    const char *rcpts[] = { "a@x.org", "b", NULL };

    EXPECT_INT(run("sbin/sendmail", args,
                   "From mbox-line\nDate: d\nMessage-ID: <m@h>\nFrom: f@x\nSubject: s\nBcc: "
                   "z@x.org\n\nbody\n.\nmore",
                   NULL),
               EX_OK);
    EXPECT_STR(err_text, "");
    check_drop("Sender@example.org", rcpts,
               "Date: d\r\nMessage-ID: <m@h>\r\nFrom: f@x\r\nSubject: s\r\n\r\nbody\r\n.\r\nmore\r\n");
}

/* test_added_headers - From: with -F, Date:, Message-ID:, the default
 * sender, the "." line */
static void test_added_headers(void)
{
    const char *args[] = { "-C", etc, "-F", "Ann Other", "bob@x.org", NULL };
    char name[MAILDROP_NAME_LEN + 1], path[PATH_MAX + 64], *data = NULL;
    struct qf_message *m = NULL;
    const char *error, *c;
    int fd;

    EXPECT_INT(run("sbin/sendmail", args, "Subject: s\n\nbody\n.\nnot this\n", NULL), EX_OK);
    if (!EXPECT_INT(drop_files(name), 1))
        return;
    snprintf(path, sizeof(path), "%s/%s", drop, name);
    fd = open(path, O_RDONLY);
    if (EXPECT_INT(qf_read(fd, &m, &error), 0)) {
        EXPECT_STR(m->sender, login());
        data = xmalloc(m->content_length + 1);
        EXPECT_INT(pread(fd, data, m->content_length, (off_t)m->content_offset),
                   (long long)m->content_length);
        data[m->content_length] = '\0';
        c = data;
        EXPECT_TRUE(strncmp(c, "Subject: s\r\nFrom: Ann Other <", 29) == 0);
        EXPECT_CONTAINS(c, login());
        EXPECT_CONTAINS(c, ">\r\nDate: ");
        EXPECT_CONTAINS(c, "\r\nMessage-ID: <");
        EXPECT_CONTAINS(c, "@host.example>\r\n\r\nbody\r\n");
        EXPECT_TRUE(strstr(c, "not this") == NULL);
    }
    close(fd);
    qf_message_free(&m);
    xfree(data);
    unlink(path);
}

/* test_extract - -t: To, Cc, Bcc recipients added to the arguments, Bcc removed */
static void test_extract(void)
{
    const char *args[] = { "-C", etc, "-t", "-f", "<>", "arg@x.org", NULL };
    const char *rcpts[] = { "arg@x.org", "t@x.org", "g1@x.org", "c@x.org", "hidden@x.org", NULL };

    EXPECT_INT(run("sbin/sendmail", args,
                   "To: \"Doe, J\" <t@x.org>, team: g1@x.org, arg@x.org;\nCc: c@x.org (see)\n"
                   "Bcc: hidden@x.org\nFrom: f@x\nDate: d\nMessage-ID: <m@h>\n\nb\n",
                   NULL),
               EX_OK);
    EXPECT_STR(err_text, "");
    check_drop("", rcpts,
               "To: \"Doe, J\" <t@x.org>, team: g1@x.org, arg@x.org;\r\nCc: c@x.org (see)\r\n"
               "From: f@x\r\nDate: d\r\nMessage-ID: <m@h>\r\n\r\nb\r\n");
}

struct err_case {
    const char *args[8];
    const char *input;
    int status;
    const char *error;
};

/* test_errors - exit codes and messages; no file left behind */
static void test_errors(void)
{
    char big[4096], name[MAILDROP_NAME_LEN + 1];
    const struct err_case cases[] = {
        { { "-C", etc, NULL }, "x\n", EX_USAGE, "no recipients specified" },
        { { "-C", etc, "-t", NULL },
          "Subject: x\n\n",
          EX_DATAERR,
          "No recipient addresses found in message header" },
        { { "-C", etc, "-t", NULL }, "To: John Doe john@x.org\n\n", EX_DATAERR, "To: header" },
        { { "-C", etc, "a b@x.org", NULL }, "x\n", EX_DATAERR, "bad recipient \"a b@x.org\"" },
        { { "-C", etc, "-f", "bad address", "a@x.org", NULL }, "x\n", EX_DATAERR, "bad sender address" },
        { { "-C", etc, "a@x.org", NULL }, big, EX_DATAERR, "message file too big" },
        { { "-C", etc, "-q", NULL }, "", EX_USAGE, "Usage: sendmail" },
        { { "-C", "/nonexistent/etc", "a@x.org", NULL }, "", EX_CONFIG, "petrel.conf" },
    };
    size_t i;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[100] = '\n';
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!EXPECT_INT(run("sbin/sendmail", cases[i].args, cases[i].input, NULL), cases[i].status))
            test_fail(__FILE__, __LINE__, "case %zu: %s", i, err_text);
        EXPECT_CONTAINS(err_text, cases[i].error);
        EXPECT_INT(drop_files(name), 0);
    }
}

/* test_not_set_up - no maildrop directory: 69 naming it */
static void test_not_set_up(void)
{
    const char *args[] = { "-C", etc, "a@x.org", NULL };
    char moved[PATH_MAX + 8];

    snprintf(moved, sizeof(moved), "%s.off", drop);
    EXPECT_INT(rename(drop, moved), 0);
    EXPECT_INT(run("sbin/sendmail", args, "x\n", NULL), EX_UNAVAILABLE);
    EXPECT_CONTAINS(err_text, "mail system is not set up: no ");
    EXPECT_CONTAINS(err_text, "/spool/maildrop");
    EXPECT_INT(rename(moved, drop), 0);
}

/* test_smtp - -bs through the program */
static void test_smtp(void)
{
    const char *args[] = { "-C", etc, "-bs", NULL };
    const char *rcpts[] = { "a@x.org", NULL };
    struct buf *out = buf_create(1024, 65536);

    EXPECT_INT(run("sbin/sendmail", args,
                   "HELO me\r\nMAIL FROM:<s@x.org>\r\nRCPT TO:<a@x.org>\r\nDATA\r\n"
                   "From: f@x\r\nDate: d\r\nMessage-ID: <m@h>\r\n\r\n..b\r\n.\r\nQUIT\r\n",
                   out),
               EX_OK);
    EXPECT_TRUE(strncmp(out->data, "220 host.example ESMTP Petrel (sendmail -bs)\r\n", 46) == 0);
    EXPECT_CONTAINS(buf_str(out), "250 2.0.0 Ok: queued as ");
    EXPECT_CONTAINS(buf_str(out), "221 2.0.0 Bye\r\n");
    check_drop("s@x.org", rcpts, "From: f@x\r\nDate: d\r\nMessage-ID: <m@h>\r\n\r\n.b\r\n");
    buf_destroy(&out);
}

/* test_newaliases_link - bin/newaliases runs petrel newaliases */
static void test_newaliases_link(void)
{
    const char *args[] = { "-C", etc, NULL };
    char petrel[PATH_MAX + 32];
    struct buf *out = buf_create(1024, 65536);

    build_path("sbin/petrel", petrel, sizeof(petrel));
    if (access(petrel, X_OK) < 0) { /* petrel not built: nothing to run */
        buf_destroy(&out);
        return;
    }
    test_write_file("etc/aliases", "postmaster: root\nroot: a@x.org\n");
    EXPECT_INT(run("bin/newaliases", args, "", out), EX_OK);
    EXPECT_CONTAINS(buf_str(out), "/etc/aliases: 2 aliases");
    buf_destroy(&out);
}

int main(void)
{
    setup();
    return test_run((const struct test_case[]){ TEST_CASE(test_full_message), TEST_CASE(test_added_headers),
                                                TEST_CASE(test_extract), TEST_CASE(test_errors),
                                                TEST_CASE(test_not_set_up), TEST_CASE(test_smtp),
                                                TEST_CASE(test_newaliases_link), TEST_END });
}
