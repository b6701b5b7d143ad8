/* SPDX-License-Identifier: MIT
 * test_sendmail_bs - the sendmail -bs dialogue driven through streams: a
 * transcript goes in, the replies are checked line by line, and each
 * accepted message is read back from its drop file (qf_read +
 * maildrop_check). Covers EHLO/HELO, MAIL/RCPT parameters and syntax,
 * commands out of order, limits, LF and CRLF line ends, unstuffing,
 * pipelining (two messages in one write), VRFY, HELP, unknown commands,
 * end of input inside DATA (nothing queued), and that the header is kept
 * as sent (Bcc: removed, nothing added).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "sendmail_bs.h"
#include "test.h"
#include "util/alloc.h"

static int dirfd_drop = -1;
static char drop_path[512];

/* setup - a fresh empty maildrop directory */
static void setup(const char *name)
{
    snprintf(drop_path, sizeof(drop_path), "%s/%s", test_tmpdir(), name);
    if (mkdir(drop_path, 01733) < 0)
        test_fail(__FILE__, __LINE__, "mkdir %s", drop_path);
    if (dirfd_drop >= 0)
        close(dirfd_drop);
    dirfd_drop = open(drop_path, O_PATH | O_DIRECTORY);
}

/* dialogue - run a transcript; the replies in a malloc'd string */
static char *dialogue(const char *in, size_t rcpt_max)
{
    struct sendmail_bs_cfg cfg = {
        .hostname = "host.example",
        .login_addr = "user@host.example",
        .size_max = 2000,
        .header_max = 1024,
        .line_max = 100,
        .rcpt_max = rcpt_max,
        .drop_dirfd = dirfd_drop,
    };
    FILE *fin = fmemopen((void *)in, strlen(in), "r"), *fout;
    char *out = NULL;
    size_t len = 0;

    fout = open_memstream(&out, &len);
    EXPECT_INT(sendmail_bs_run(fin, fout, &cfg), 0);
    fclose(fin);
    fclose(fout);
    return out;
}

/* drop_count - files in the drop directory; the first name in name */
static int drop_count(char name[MAILDROP_NAME_LEN + 1])
{
    DIR *d = opendir(drop_path);
    struct dirent *e;
    int n = 0;

    while ((e = readdir(d)) != NULL) {
        if (maildrop_name_valid(e->d_name)) {
            if (n++ == 0)
                memcpy(name, e->d_name, MAILDROP_NAME_LEN + 1);
        }
    }
    closedir(d);
    return n;
}

/* read_drop - parse a drop file; its content in content (malloc'd) */
static struct qf_message *read_drop(const char *name, char **content)
{
    struct qf_message *m = NULL;
    const char *error;
    char path[700];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", drop_path, name);
    fd = open(path, O_RDONLY);
    if (!EXPECT_INT(qf_read(fd, &m, &error), 0)) {
        test_fail(__FILE__, __LINE__, "%s", error);
        close(fd);
        return NULL;
    }
    EXPECT_INT(maildrop_check(m, &error), 0);
    *content = xmalloc(m->content_length + 1);
    EXPECT_INT(pread(fd, *content, m->content_length, (off_t)m->content_offset),
               (long long)m->content_length);
    (*content)[m->content_length] = '\0';
    close(fd);
    return m;
}

/* test_session - a full session with one message */
static void test_session(void)
{
    const char *in = "EHLO client\r\n"
                     "MAIL FROM:<Sender@Example.ORG> SIZE=100 BODY=8BITMIME\r\n"
                     "RCPT TO:<a@x.org>\r\n"
                     "RCPT TO:<postmaster>\n"
                     "RCPT TO:<a@x.org>\r\n"
                     "DATA\r\n"
                     "Subject: hi\r\nDate: d\r\nMessage-ID: <m@h>\r\nFrom: f@x\r\nBcc: b@x.org\r\n\r\n"
                     "..dot\nline\r\n.\r\n"
                     "QUIT\r\n"
                     "NOOP\r\n";
    char name[MAILDROP_NAME_LEN + 1], *content = NULL, *out, want[600];
    struct qf_message *m;

    setup("session");
    out = dialogue(in, 10);
    EXPECT_INT(drop_count(name), 1);
    snprintf(
        want, sizeof(want),
        "220 host.example ESMTP Petrel (sendmail -bs)\r\n"
        "250-host.example\r\n250-PIPELINING\r\n250-SIZE 2000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
        "354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued as %s\r\n221 2.0.0 Bye\r\n",
        name);
    EXPECT_STR(out, want);
    m = read_drop(name, &content);
    if (m != NULL) {
        EXPECT_STR(m->sender, "Sender@example.org");
        EXPECT_INT(m->nrcpts, 2);
        EXPECT_STR(m->rcpts[0].address, "a@x.org");
        EXPECT_STR(m->rcpts[1].address, "postmaster");
        EXPECT_STR(content,
                   "Subject: hi\r\nDate: d\r\nMessage-ID: <m@h>\r\nFrom: f@x\r\n\r\n.dot\r\nline\r\n");
    }
    qf_message_free(&m);
    xfree(content);
    xfree(out);
}

struct bs_case {
    const char *in;
    const char *replies; /* after the greeting */
    int drops;
};

/* clang-format off */
static const struct bs_case cases[] = {
    { "HELO c\nQUIT\n", "250 host.example\r\n221 2.0.0 Bye\r\n", 0 },
    { "RCPT TO:<a@x.org>\n", "503 5.5.1 Error: need MAIL command\r\n", 0 },
    { "DATA\n", "503 5.5.1 Error: need MAIL command\r\n", 0 },
    { "MAIL FROM:<>\nDATA\n", "250 2.1.0 Ok\r\n503 5.5.1 Error: need RCPT command\r\n", 0 },
    { "MAIL FROM:<>\nMAIL FROM:<>\n", "250 2.1.0 Ok\r\n503 5.5.1 Error: nested MAIL command\r\n", 0 },
    { "MAIL FROM:<a b>\n", "501 5.1.7 Bad sender address syntax\r\n", 0 },
    { "MAIL FROM:<a@x.org> SIZE=2001\n", "552 5.3.4 Message size exceeds fixed limit\r\n", 0 },
    { "MAIL FROM:<a@x.org> SMTPUTF8\n", "555 5.5.4 Error: SMTPUTF8 is not supported here\r\n", 0 },
    { "MAIL FROM:<a@x.org> FOO=1\n", NULL, 0 },
    { "MAIL FROM:<a@x.org>\nRCPT TO:<bob>\n", "250 2.1.0 Ok\r\n501 5.1.3 Bad recipient address syntax\r\n", 0 },
    { "MAIL FROM:<a@x.org>\nRCPT TO:<b@x.org> NOTIFY=NEVER\n", "250 2.1.0 Ok\r\n555 5.5.4 Error: DSN is not supported here\r\n", 0 },
    { "MAIL FROM:<a@x.org>\nRCPT TO:<b@x.org>\nRCPT TO:<c@x.org>\nRCPT TO:<d@x.org>\n",
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n", 0 },
    { "MAIL FROM:<a@x.org>\nRSET\nRCPT TO:<b@x.org>\n", "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n503 5.5.1 Error: need MAIL command\r\n", 0 },
    { "VRFY root\nHELP\nNOOP\nSTARTTLS\nFOO bar\n",
      "502 5.5.1 VRFY command is disabled\r\n214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT\r\n"
      "250 2.0.0 Ok\r\n500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not recognized\r\n", 0 },
    { "NOOP 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\nNOOP\n",
      "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n", 0 },
    { "MAIL FROM:<a@x.org>\nRCPT TO:<b@x.org>\nDATA\nSubject: x\n\nunterminated\n",
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n", 0 },
    { "MAIL FROM:<a@x.org>\nRCPT TO:<b@x.org>\nDATA\nSubject: x\n\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      "01234567890123456789012345678901234567890123456789012345678901234567890123456789\n"
      ".\nNOOP\n",
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
      "552 5.3.4 Error: message exceeds a size limit\r\n250 2.0.0 Ok\r\n", 0 },
};
/* clang-format on */

/* test_cases - replies for each transcript, and no drop file left */
static void test_cases(void)
{
    char name[MAILDROP_NAME_LEN + 1], dir[32];
    const char *greeting = "220 host.example ESMTP Petrel (sendmail -bs)\r\n";
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out;

        snprintf(dir, sizeof(dir), "case%zu", i);
        setup(dir);
        out = dialogue(cases[i].in, 2);
        if (cases[i].replies == NULL) {
            EXPECT_CONTAINS(out, "\r\n555 5.5.4 ");
        } else if (!EXPECT_TRUE(strncmp(out, greeting, strlen(greeting)) == 0)
                   || !EXPECT_STR(out + strlen(greeting), cases[i].replies)) {
            test_fail(__FILE__, __LINE__, "case %zu", i);
        }
        EXPECT_INT(drop_count(name), cases[i].drops);
        xfree(out);
    }
}

/* test_pipelined - two messages in one stream, added headers */
static void test_pipelined(void)
{
    const char *in = "MAIL FROM:<>\nRCPT TO:<a@x.org>\nDATA\nSubject: one\n.\n"
                     "MAIL FROM:<s@x.org>\nRCPT TO:<b@x.org>\nDATA\nSubject: two\n\nbody\n.\nQUIT\n";
    char name[MAILDROP_NAME_LEN + 1], *out;

    setup("pipelined");
    out = dialogue(in, 10);
    EXPECT_INT(drop_count(name), 2);
    EXPECT_CONTAINS(out, "250 2.0.0 Ok: queued as ");
    EXPECT_CONTAINS(strstr(out, "queued as ") + 10, "250 2.0.0 Ok: queued as ");
    EXPECT_CONTAINS(out, "221 2.0.0 Bye\r\n");
    xfree(out);
}

/* test_added_headers - -bs removes Bcc: and adds the missing From: (the
 * login address for a message from <>), Date: and Message-ID:, as -bm */
static void test_added_headers(void)
{
    const char *in = "MAIL FROM:<>\nRCPT TO:<a@x.org>\nDATA\nSubject: one\nBcc: b@x.org\n\nbody\n.\n";
    char name[MAILDROP_NAME_LEN + 1], *out, *content = NULL;
    struct qf_message *m;

    setup("added");
    out = dialogue(in, 10);
    EXPECT_INT(drop_count(name), 1);
    m = read_drop(name, &content);
    if (m != NULL) {
        EXPECT_STR(m->sender, "");
        EXPECT_TRUE(strncmp(content, "Subject: one\r\nFrom: user@host.example\r\nDate: ", 45) == 0);
        EXPECT_CONTAINS(content, "\r\nMessage-ID: <");
        EXPECT_CONTAINS(content, "@host.example>\r\n\r\nbody\r\n");
        EXPECT_FALSE(strstr(content, "Bcc") != NULL);
    }
    qf_message_free(&m);
    xfree(content);
    xfree(out);
}

int main(void)
{
    return test_run((const struct test_case[]){ TEST_CASE(test_session), TEST_CASE(test_cases),
                                                TEST_CASE(test_pipelined), TEST_CASE(test_added_headers),
                                                TEST_END });
}
