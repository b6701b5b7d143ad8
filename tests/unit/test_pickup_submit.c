/* SPDX-License-Identifier: MIT
 * test_pickup_submit - pickup's qmgr-submit client against a scripted
 * fake qmgr (a forked child on a real UNIX socket): the frames of a good
 * submission in order (begin with protocol LOCAL and the uid, one rcpt
 * per recipient, the Received: header as the first data, the content,
 * end); a 4 at begin and a 5 at end; a file truncated under pickup (the
 * message aborted); qmgr not listening (unreachable); a bad reply.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/listen.h"
#include "mail/mail_proto.h"
#include "pickup_file.h"
#include "pickup_submit.h"
#include "test.h"
#include "util/buf.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define MAX_FRAME (1024 * 1024)

static char sock[4096], trace[4096];
static const char content[] = "Subject: x\r\n\r\nbody\r\n";

/* reply - status 0 with a queue id, or status with dsn and reason */
static void reply(int fd, int status)
{
    struct ipc_msg *r = ipc_msg_create();
    const char *error;

    if (status < 0) {
        ipc_msg_add_str(r, "nonsense", "x");
    } else {
        ipc_msg_add_int(r, MA_STATUS, status);
        if (status == 0)
            ipc_msg_add_str(r, MA_QUEUE_ID, "0123456789AB");
        else
            ipc_msg_add_str(r, MA_REASON, status == 4 ? "try later\r\nX-Evil: 1" : "no");
        if (status != 0)
            ipc_msg_add_str(r, MA_DSN, status == 4 ? "4.3.1" : "5.1.1");
    }
    (void)ipc_send(fd, r, MAX_FRAME, 5000, &error);
    ipc_msg_destroy(&r);
}

/* fake_qmgr - one connection: record every frame in the trace file (data
 * frames as their bytes), answer begin and end as told */
static void fake_qmgr(int lfd, int begin_status, int end_status)
{
    struct buf out;
    struct ipc_msg *m, *hello = ipc_hello_create(SUBMIT_PROTOCOL, SUBMIT_VERSION);
    const char *error, *req;
    const void *p;
    size_t len;
    int fd = accept(lfd, NULL, NULL), tf;

    buf_init(&out, 4096, 1 << 20);
    (void)ipc_send(fd, hello, MAX_FRAME, 5000, &error);
    ipc_msg_destroy(&hello);
    while (ipc_recv(fd, MAX_FRAME, 5000, &m, &error) == 0) {
        if (ipc_msg_get_data(m, MA_DATA, &p, &len, &error) == 0) {
            buf_append(&out, "DATA[", 5);
            buf_append(&out, p, len);
            buf_append(&out, "]\n", 2);
        } else {
            ipc_msg_render(m, &out);
            buf_append(&out, "\n", 1);
        }
        if (ipc_msg_get_str(m, MA_REQUEST, &req, &error) == 0 && strcmp(req, SUBMIT_REQ_BEGIN) == 0)
            reply(fd, begin_status);
        if (ipc_msg_get_str(m, MA_REQUEST, &req, &error) == 0 && strcmp(req, SUBMIT_REQ_END) == 0)
            reply(fd, end_status);
        ipc_msg_destroy(&m);
    }
    tf = open(trace, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (tf >= 0 && write(tf, out.data, out.len) != (ssize_t)out.len)
        _exit(2);
    _exit(0);
}

/* run - a fake qmgr in a child, pickup_submit against it; the trace */
static const char *run(int begin_status, int end_status, int fd, const struct pickup_drop *d,
                       struct pickup_submit_result *r)
{
    static char text[65536];
    const struct pickup_submit_config c = { sock, MAX_FRAME, 5000, "host.test\r\nX-Evil: 1" };
    const char *error;
    int lfd, status, tf;
    ssize_t n;
    pid_t pid;

    unlink(sock);
    unlink(trace);
    if (!EXPECT_INT(listen_unix(sock, 0600, (uid_t)-1, (gid_t)-1, &lfd, &error), 0))
        return "";
    if ((pid = fork()) == 0)
        fake_qmgr(lfd, begin_status, end_status);
    close(lfd);
    pickup_submit(&c, fd, 1000, d, 0, r);
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tf = open(trace, O_RDONLY);
    n = tf < 0 ? 0 : read(tf, text, sizeof(text) - 1);
    if (tf >= 0)
        close(tf);
    text[n > 0 ? n : 0] = '\0';
    return text;
}

/* content_file - a file holding 8 bytes of junk, then the content */
static int content_file(struct pickup_drop *d, char **rcpts)
{
    int fd;

    fd = open(test_write_file("content", "JUNKJUNKSubject: x\r\n\r\nbody\r\n"), O_RDWR);
    d->sender = (char *)"root@host.test";
    d->rcpts = rcpts;
    d->nrcpts = 2;
    d->content_offset = 8;
    d->content_length = strlen(content);
    return fd;
}

static void test_good(void)
{
    char *rcpts[] = { (char *)"alice@host.test", (char *)"bob@example.test" };
    struct pickup_submit_result r;
    struct pickup_drop d;
    int fd = content_file(&d, rcpts);
    const char *t = run(0, 0, fd, &d, &r);

    EXPECT_INT(r.status, PICKUP_SUBMIT_OK);
    EXPECT_STR(r.queue_id, "0123456789AB");
    EXPECT_CONTAINS(
        t, "request=\"begin\", sender=\"root@host.test\", client_name=\"localhost\", "
           "protocol=\"LOCAL\", size=20, uid=1000\n"
           "request=\"rcpt\", address=\"alice@host.test\"\n"
           "request=\"rcpt\", address=\"bob@example.test\"\n"
           "DATA[Received: by host.test??X-Evil:?1 (Petrel, from userid 1000)\r\n\tid 0123456789AB; ");
    EXPECT_CONTAINS(t, "\r\n]\nDATA[Subject: x\r\n\r\nbody\r\n]\nrequest=\"end\"\n");
    close(fd);
}

static void test_refusals(void)
{
    char *rcpts[] = { (char *)"alice@host.test", (char *)"bob@example.test" };
    struct pickup_submit_result r;
    struct pickup_drop d;
    int fd = content_file(&d, rcpts);
    const char *t = run(4, 0, fd, &d, &r);

    EXPECT_INT(r.status, PICKUP_SUBMIT_TEMP);
    EXPECT_STR(r.dsn, "4.3.1");
    EXPECT_STR(r.reason, "try later??X-Evil: 1");
    EXPECT_FALSE(r.unreachable);
    EXPECT_FALSE(strstr(t, "rcpt") != NULL);
    t = run(0, 5, fd, &d, &r);
    EXPECT_INT(r.status, PICKUP_SUBMIT_PERM);
    EXPECT_STR(r.dsn, "5.1.1");
    EXPECT_CONTAINS(t, "request=\"end\"");
    t = run(0, -1, fd, &d, &r);
    EXPECT_INT(r.status, PICKUP_SUBMIT_TEMP);
    EXPECT_CONTAINS(r.reason, "bad reply from qmgr");
    /* the user truncates the file: abort, never end */
    EXPECT_INT(ftruncate(fd, 12), 0);
    t = run(0, 0, fd, &d, &r);
    EXPECT_INT(r.status, PICKUP_SUBMIT_TRUNCATED);
    EXPECT_CONTAINS(r.reason, "truncated");
    EXPECT_CONTAINS(t, "request=\"abort\"");
    EXPECT_FALSE(strstr(t, "request=\"end\"") != NULL);
    close(fd);
    /* nobody listening */
    unlink(sock);
    pickup_submit(&(const struct pickup_submit_config){ sock, MAX_FRAME, 1000, "h" }, fd, 0, &d, 0, &r);
    EXPECT_INT(r.status, PICKUP_SUBMIT_TEMP);
    EXPECT_TRUE(r.unreachable);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    snprintf(sock, sizeof(sock), "%s/qmgr.sock", test_tmpdir());
    snprintf(trace, sizeof(trace), "%s/trace", test_tmpdir());
    return test_run((const struct test_case[]){
        TEST_CASE(test_good),
        TEST_CASE(test_refusals),
        TEST_END,
    });
}
