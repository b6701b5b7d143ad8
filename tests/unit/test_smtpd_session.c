/* SPDX-License-Identifier: MIT
 * test_smtpd_session - the real session code over a socketpair, with a
 * fake qmgr (a qmgr-submit server on the same event loop) that records
 * every frame and every content byte.
 *
 * Covers the transcript of every command and reply code, pipelined input
 * fed whole and one byte at a time (identical replies), every smuggling
 * variant of THREATS.md b.1 (at most one message reaches qmgr, with
 * exactly the expected bytes), BDAT, the limits (line length, errors,
 * junk, recipients, size, header size, idle timeout, data rate,
 * pre-greeting talk, HTTP and header lines), qmgr failures, and the log
 * lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mail/config.h"
#include "mail/mail_proto.h"
#include "mail/params.h"
#include "smtpd_anvil.h"
#include "smtpd_session.h"
#include "test.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define BANNER "220 mx.example.test ESMTP Petrel\r\n"
#define EHLO_REPLY \
    "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n" \
    "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 CHUNKING\r\n"

/* The fake qmgr: what it saw, and how it answers end. */
struct fake_qmgr {
    int listen_fd;
    struct event_io *io;
    struct ipc_chan *chan;
    struct buf frames;  /* "begin sender=..|rcpt a|data N|end|abort\n" */
    struct buf content; /* the message bytes of the current message */
    struct buf last;    /* the content of the last committed message */
    int committed, begun;
    int end_status;
    unsigned next_id;
};

static struct event_loop *loop;
static struct config *cfg;
static struct smtpd_env env;
static struct fake_qmgr fq;
static int client_fd = -1;
static bool session_ended;
static struct buf output;
static char qmgr_path[512];
/* the fake anvil, when a test wants one */
static const char *start_anvil;
static int start_hook_fd = -1;
static struct event_io *fa_io;
static struct ipc_chan *fa_chan;
static int64_t fa_count;
static struct buf fa_log;
static void fa_accept(struct event_io *io, int fd, unsigned events, void *ctx);

/* fq_on_msg - record and answer */
static void fq_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    const char *req = "", *s, *error;
    struct ipc_msg *r = NULL;
    const void *p;
    size_t n;

    (void)ctx;
    ipc_msg_get_str(m, MA_REQUEST, &req, &error);
    if (strcmp(req, SUBMIT_REQ_BEGIN) == 0) {
        ipc_msg_get_str(m, MA_SENDER, &s, &error);
        buf_printf(&fq.frames, "begin sender=%s\n", s);
        buf_reset(&fq.content);
        fq.begun++;
        r = ipc_msg_create();
        ipc_msg_add_int(r, MA_STATUS, 0);
        ipc_msg_add_str(r, MA_QUEUE_ID, err_fmt("00000000000%X", ++fq.next_id % 10));
    } else if (strcmp(req, SUBMIT_REQ_RCPT) == 0) {
        ipc_msg_get_str(m, MA_ADDRESS, &s, &error);
        buf_printf(&fq.frames, "rcpt %s\n", s);
    } else if (strcmp(req, SUBMIT_REQ_DATA) == 0) {
        if (ipc_msg_get_data(m, MA_DATA, &p, &n, &error) == 0) {
            buf_append(&fq.content, p, n);
            EXPECT_TRUE(n <= SUBMIT_DATA_MAX);
        }
    } else if (strcmp(req, SUBMIT_REQ_END) == 0) {
        buf_printf(&fq.frames, "end\n");
        r = ipc_msg_create();
        ipc_msg_add_int(r, MA_STATUS, fq.end_status);
        if (fq.end_status == 0) {
            fq.committed++;
            buf_reset(&fq.last);
            buf_append(&fq.last, fq.content.data, fq.content.len);
            ipc_msg_add_str(r, MA_QUEUE_ID, err_fmt("00000000000%X", fq.next_id % 10));
        } else {
            ipc_msg_add_str(r, MA_DSN, fq.end_status == 4 ? "4.3.1" : "5.3.4");
            ipc_msg_add_str(r, MA_REASON, "no room\r\nX-Evil: 1");
        }
    } else {
        buf_printf(&fq.frames, "%s\n", req);
    }
    ipc_msg_destroy(&m);
    if (r != NULL) {
        EXPECT_INT(ipc_chan_send(chan, r, &error), 0);
        ipc_msg_destroy(&r);
    }
}

/* fq_on_close - smtpd closed its side */
static void fq_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)chan;
    (void)reason;
    (void)ctx;
    ipc_chan_destroy(&fq.chan);
}

/* fq_accept - one connection per message */
static void fq_accept(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct ipc_msg *hello;
    const char *error;
    int c;

    (void)io;
    (void)events;
    (void)ctx;
    if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0)
        return;
    ipc_chan_destroy(&fq.chan);
    fq.chan = ipc_chan_create(loop, c, 1 << 20, fq_on_msg, fq_on_close, NULL);
    hello = ipc_hello_create(SUBMIT_PROTOCOL, SUBMIT_VERSION);
    ipc_chan_send(fq.chan, hello, &error);
    ipc_msg_destroy(&hello);
}

/* session_end - the session told the "server" it is done */
static void session_end(void *ctx)
{
    (void)ctx;
    session_ended = true;
}

/* lookup - domains example.test; mailbox alice@example.test */
static enum map_result lookup(void *ctx, enum smtpd_map_id map, const char *key, char **value_r,
                              const char **error_r)
{
    (void)ctx;
    (void)value_r;
    if (strcmp(key, "tempfail.test") == 0) {
        *error_r = "map is broken";
        return MAP_TEMPFAIL;
    }
    if (map == SMTPD_MAP_DOMAINS)
        return strcmp(key, "example.test") == 0 ? MAP_FOUND : MAP_NOTFOUND;
    if (map == SMTPD_MAP_MAILBOXES)
        return strcmp(key, "alice@example.test") == 0 ? MAP_FOUND : MAP_NOTFOUND;
    return MAP_NOTFOUND;
}

/* pump - run the loop until it has been idle for a few rounds */
static void pump(int ms)
{
    uint64_t end = monotonic_ms() + (uint64_t)ms;
    int idle = 0;

    while (idle < 3 || monotonic_ms() < end) {
        if (event_loop_run_once(loop, monotonic_ms() < end ? 2 : 0) == 0)
            idle++;
        else
            idle = 0;
        if (monotonic_ms() > end + 5000)
            break;
    }
}

/* drain - read what the session wrote */
static void drain(void)
{
    char b[4096];
    ssize_t n;

    while ((n = read(client_fd, b, sizeof(b))) > 0)
        buf_append(&output, b, (size_t)n);
}

/* start - config text, a fake qmgr, a session for client addr */
static void start(const char *conf, const char *addr)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct sockaddr_in sin = { .sin_family = AF_INET };
    const char *error;
    char text[2048];
    int sv[2];

    snprintf(text, sizeof(text),
             "queue_directory = %s\ndata_directory = %s\nmyhostname = mx.example.test\n"
             "mydomain = example.test\nsmtpd_error_sleep_time = 0\n%s",
             test_tmpdir(), test_tmpdir(), conf != NULL ? conf : "");
    if (config_load_text(test_tmpdir(), "petrel.conf", text, strlen(text), NULL, &cfg, &error) < 0) {
        test_fail(__FILE__, __LINE__, "config: %s", error);
        exit(1);
    }
    loop = event_loop_create();
    memset(&env, 0, sizeof(env));
    env.loop = loop;
    env.p = config_params(cfg);
    smtpd_networks_parse(env.p->mynetworks, &env.mynetworks, &error);
    smtpd_networks_parse(env.p->smtpd_client_event_limit_exceptions, &env.limit_exceptions, &error);
    env.policy = (struct smtpd_policy){ lookup, NULL, &env.mynetworks, "+", "example.test", NULL };
    snprintf(qmgr_path, sizeof(qmgr_path), "%s/qmgr.sock", test_tmpdir());
    env.qmgr_path = qmgr_path;
    env.max_frame = 1 << 20;
    env.on_session_end = session_end;
    memset(&fq, 0, sizeof(fq));
    buf_init(&fq.frames, 256, 1 << 20);
    buf_init(&fq.content, 256, 1 << 24);
    buf_init(&fq.last, 256, 1 << 24);
    unlink(qmgr_path);
    fq.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    memcpy(sun.sun_path, qmgr_path, strlen(qmgr_path) + 1);
    if (bind(fq.listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fq.listen_fd, 16) < 0)
        test_fail(__FILE__, __LINE__, "fake qmgr: %s", strerror(errno));
    fq.io = event_io_add(loop, fq.listen_fd, EVENT_READ, fq_accept, NULL);
    buf_init(&output, 1024, 1 << 24);
    session_ended = false;
    if (start_anvil != NULL) {
        env.anvil = smtpd_anvil_create(loop, start_anvil);
        if (start_hook_fd >= 0)
            fa_io = event_io_add(loop, start_hook_fd, EVENT_READ, fa_accept, NULL);
    }
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
    client_fd = sv[1];
    fcntl(client_fd, F_SETFL, O_NONBLOCK);
    inet_pton(AF_INET, addr != NULL ? addr : "192.0.2.1", &sin.sin_addr);
    smtpd_session_create(&env, sv[0], (struct sockaddr *)&sin, sizeof(sin));
    pump(0);
    drain();
}

/* stop - end the session and free everything */
static void stop(void)
{
    close(client_fd);
    pump(0);
    EXPECT_TRUE(session_ended);
    ipc_chan_destroy(&fq.chan);
    event_io_remove(&fq.io);
    close(fq.listen_fd);
    event_loop_destroy(&loop);
    config_destroy(&cfg);
    buf_deinit(&fq.frames);
    buf_deinit(&fq.content);
    buf_deinit(&fq.last);
    buf_deinit(&output);
}

/* split_at_data - send_text waits for the 354 after the first DATA */
static bool split_at_data = true;

/* split_at_helo - send_text waits for the reply after each EHLO/HELO */
static bool split_at_helo = true;

/* greeting_end - the end of the first EHLO/HELO line at or after from
 * (line starts only), or 0 */
static size_t greeting_end(const char *s, size_t len, size_t from)
{
    const char *nl;
    size_t i = from;

    while (i + 4 <= len) {
        if ((i == 0 || s[i - 1] == '\n')
            && (strncasecmp(s + i, "EHLO", 4) == 0 || strncasecmp(s + i, "HELO", 4) == 0)) {
            nl = memchr(s + i, '\n', len - i);
            return nl != NULL ? (size_t)(nl + 1 - s) : 0;
        }
        i++;
    }
    return 0;
}

/* send_text - the client writes, whole or one byte at a time */
static void send_text(const char *s, size_t len, bool bytewise)
{
    size_t i;

    const char *data = memmem(s, len, "DATA\r\n", 6);
    size_t data_end = data != NULL && split_at_data ? (size_t)(data + 6 - s) : 0, at = 0, cut;

    if (!bytewise) {
        /* Like a real client: wait for the reply after EHLO/HELO and for
         * the 354 after the first DATA (RFC 2920 3.1: they end a group). */
        while (at < len && !session_ended) {
            cut = split_at_helo ? greeting_end(s, len, at) : 0;
            if (cut == 0)
                cut = len;
            if (data_end > at && data_end < cut)
                cut = data_end;
            EXPECT_INT(write(client_fd, s + at, cut - at), (long long)(cut - at));
            pump(0);
            at = cut;
        }
    } else {
        for (i = 0; i < len && !session_ended; i++) {
            if (write(client_fd, s + i, 1) != 1)
                break;
            pump(0);
        }
    }
    drain();
}

/* transcript - the replies to input (after the banner) */
static const char *transcript(const char *conf, const char *input, size_t len, bool bytewise)
{
    static char copy[1 << 16];

    start(conf, NULL);
    EXPECT_STR(output.data, BANNER);
    buf_reset(&output);
    send_text(input, len, bytewise);
    snprintf(copy, sizeof(copy), "%s", output.data);
    return copy;
}

/* content_without_received - the message bytes after our Received: header */
static const char *content_without_received(const struct buf *b)
{
    const char *p = b->data;

    if (strncmp(p, "Received: from ", 15) != 0)
        return "(no Received: header)";
    while ((p = strstr(p, "\r\n")) != NULL && p[2] == '\t')
        p += 2;
    return p != NULL ? p + 2 : "(unterminated Received: header)";
}

/* test_commands - every simple command and its reply */
static void test_commands(void)
{
    static const char in[] = "NOOP\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                             "HELO client.test\r\nMAIL FROM:<a@b.test> SIZE=10\r\nEHLO client.test\r\n"
                             "HELP\r\nVRFY alice\r\nRSET\r\nXYZZY\r\nSTARTTLS\r\nAUTH PLAIN\r\nEHLO\r\n"
                             "XCLIENT ADDR=127.0.0.1 NAME=localhost\r\nXFORWARD ADDR=127.0.0.1\r\nPROXY TCP4 "
                             "127.0.0.1 127.0.0.1 1 2\r\nQUIT\r\n";
    const char *got;

    test_log_capture_start();
    got = transcript(NULL, in, sizeof(in) - 1, false);
    test_log_capture_stop();
    EXPECT_STR(got, "250 2.0.0 Ok\r\n"
                    "503 5.5.1 Error: send HELO/EHLO first\r\n"
                    "503 5.5.1 Error: need MAIL command\r\n"
                    "503 5.5.1 Error: need RCPT command\r\n"
                    "250 mx.example.test\r\n"
                    "555 5.5.4 Unsupported option (send EHLO for ESMTP)\r\n" EHLO_REPLY
                    "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP\r\n"
                    "252 2.0.0 Send some mail, I'll try my best\r\n"
                    "250 2.0.0 Ok\r\n"
                    "500 5.5.2 Error: command not recognized\r\n"
                    /* no TLS in this environment: STARTTLS is not offered,
                     * and AUTH is refused in the clear */
                    "502 5.5.1 Error: command not implemented\r\n"
                    "538 5.7.11 Encryption required for requested authentication mechanism\r\n"
                    "501 5.5.4 Error: syntax: EHLO needs an argument\r\n"
                    "550 5.7.0 Error: insufficient authorization\r\n"
                    "550 5.7.0 Error: insufficient authorization\r\n"
                    "500 5.5.2 Error: command not recognized\r\n"
                    "221 2.0.0 Bye\r\n");
    pump(0);
    EXPECT_TRUE(session_ended);
    EXPECT_LOG("connect from unknown[192.0.2.1]");
    EXPECT_LOG("disconnect from unknown[192.0.2.1]");
    EXPECT_LOG("quit=1");
    stop();
}

/* test_mail_rcpt - MAIL and RCPT validation and policy */
static void test_mail_rcpt(void)
{
    static const char in[] =
        "EHLO c.test\r\nMAIL FROM:<a@b.test> SIZE=99999999999\r\nMAIL FROM:<a@b.test> FOO=1\r\n"
        "MAIL FROM:<a@b.test> BODY=9BIT\r\nMAIL FROM:<;sleep 66;>\r\nMAIL FROM:<a@b.test> RET=FULL "
        "RET=HDRS\r\n"
        "RCPT TO:<x@example.test>\r\nMAIL FROM:<> SIZE=100 BODY=8BITMIME\r\nMAIL FROM:<a@b.test>\r\n"
        "DATA\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<x@other.test>\r\nRCPT TO:<x@tempfail.test>\r\n"
        "RCPT TO:<victim%ext.test@example.test>\r\nRCPT TO:<@example.test:v@ext.test>\r\n"
        "RCPT TO:<x@y> ORCPT=rfc822;x+0A+0DX-Spool:evil\r\nRCPT TO:<alice@example.test> "
        "NOTIFY=SUCCESS,FAILURE\r\n"
        "RCPT TO:<alice+tag@example.test> ORCPT=rfc822;alice@example.test\r\nRCPT TO:<postmaster>\r\n"
        "RSET\r\nMAIL FROM:<\xc3\xa9@x.test>\r\nMAIL FROM:<a@b.test> BODY=BINARYMIME\r\n"
        "MAIL FROM:<a@b.test> AUTH=<>\r\nMAIL FROM:<\xc3\xa9@x.test> SMTPUTF8\r\n"
        "RCPT TO:<\xc3\xa9@example.test>\r\nQUIT\r\n";
    const char *got;

    test_log_capture_start();
    got = transcript("smtpd_recipient_limit = 2\n", in, sizeof(in) - 1, false);
    test_log_capture_stop();
    EXPECT_STR(got,
               EHLO_REPLY "552 5.3.4 Message size exceeds fixed limit\r\n"
                          "555 5.5.4 Unsupported option\r\n"
                          "501 5.5.4 Bad parameter syntax\r\n"
                          "501 5.1.7 Bad sender address syntax\r\n"
                          "501 5.5.4 Bad parameter syntax\r\n"
                          "503 5.5.1 Error: need MAIL command\r\n"
                          "250 2.1.0 Ok\r\n"
                          "503 5.5.1 Error: nested MAIL command\r\n"
                          "554 5.5.1 Error: no valid recipients\r\n"
                          "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown\r\n"
                          "554 5.7.1 <x@other.test>: Relay access denied\r\n"
                          "451 4.3.0 <x@tempfail.test>: Temporary lookup failure\r\n"
                          "554 5.7.1 <victim%ext.test@example.test>: Relay access denied\r\n"
                          "554 5.7.1 <v@ext.test>: Relay access denied\r\n"
                          "501 5.5.4 Bad parameter syntax\r\n"
                          "250 2.1.5 Ok\r\n"
                          "250 2.1.5 Ok\r\n"
                          "452 4.5.3 Error: too many recipients\r\n"
                          "250 2.0.0 Ok\r\n"
                          "553 5.6.7 Must declare SMTPUTF8 to send UTF-8 addresses\r\n"
                          "555 5.5.4 Unsupported option\r\n"
                          "555 5.5.4 Unsupported option\r\n"
                          "250 2.1.0 Ok\r\n"
                          "550 5.1.1 <\xc3\xa9@example.test>: Recipient address rejected: User unknown\r\n"
                          "221 2.0.0 Bye\r\n");
    EXPECT_LOG(
        "NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 550 5.1.1 <bob@example.test>: Recipient address "
        "rejected: User unknown; from=<> to=<bob@example.test> proto=ESMTP helo=<c.test>");
    EXPECT_LOG("recipient lookup of <x@tempfail.test> failed: map is broken");
    EXPECT_INT(fq.begun, 0);
    stop();
}

/* message - a whole pipelined transaction with this content */
static const char *message(const char *content)
{
    static char in[1 << 16];

    snprintf(in, sizeof(in),
             "EHLO c.test\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT "
             "TO:<bob@example.test>\r\n"
             "DATA\r\n%sQUIT\r\n",
             content);
    return in;
}

#define MSG_REPLIES \
    EHLO_REPLY "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n" \
               "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown\r\n" \
               "354 End data with <CR><LF>.<CR><LF>\r\n"

/* test_pipelined - whole and byte-at-a-time give the same replies and bytes */
static void test_pipelined(void)
{
    const char *in = message("Subject: hi\r\n\r\nbody\r\n..dot\r\n.\r\n");
    char whole[8192];
    const char *got;
    int bytewise;

    for (bytewise = 0; bytewise < 2; bytewise++) {
        test_log_capture_start();
        got = transcript(NULL, in, strlen(in), bytewise);
        test_log_capture_stop();
        if (bytewise == 0)
            snprintf(whole, sizeof(whole), "%s", got);
        EXPECT_STR(got, MSG_REPLIES "250 2.0.0 Ok: queued as 000000000001\r\n221 2.0.0 Bye\r\n");
        EXPECT_STR(got, whole);
        EXPECT_INT(fq.committed, 1);
        EXPECT_STR(fq.frames.data, "begin sender=s@x.test\nrcpt alice@example.test\nend\n");
        EXPECT_STR(content_without_received(&fq.last), "Subject: hi\r\n\r\nbody\r\n.dot\r\n");
        EXPECT_CONTAINS(fq.last.data, "Received: from c.test (unknown [192.0.2.1])\r\n\tby mx.example.test "
                                      "(Petrel) with ESMTP id 000000000001\r\n\tfor <alice@example.test>; ");
        EXPECT_LOG("000000000001: client=unknown[192.0.2.1]");
        EXPECT_LOG("disconnect from unknown[192.0.2.1] ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 commands=6");
        stop();
    }
}

/* The smuggling end-of-data variants of THREATS.md b.1 #1-#3. */
static const char *const smuggle_eods[] = {
    "\n.\n",   "\r.\r",   "\r.\n",   "\n.\r",       "\n.\r\n",
    "\r\n.\n", "\r.\r\n", "\r\n.\r", "\r\n\0.\r\n", "\r\n.\0\r\n",
};
static const size_t smuggle_lens[] = { 3, 3, 3, 3, 4, 4, 4, 4, 6, 6 };

/* smuggle_input - a message whose fake end hides a second transaction */
static size_t smuggle_input(size_t v, char *out, size_t size)
{
    static const char head[] =
        "EHLO c.test\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
        "Subject: hi\r\n\r\nbody";
    static const char tail[] = "MAIL FROM:<ceo@victim.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
                               "From: ceo@victim.example\r\n\r\nsmuggled\r\n.\r\nQUIT\r\n";
    size_t n = 0;

    memcpy(out + n, head, sizeof(head) - 1);
    n += sizeof(head) - 1;
    memcpy(out + n, smuggle_eods[v], smuggle_lens[v]);
    n += smuggle_lens[v];
    memcpy(out + n, tail, sizeof(tail) - 1);
    n += sizeof(tail) - 1;
    (void)size;
    return n;
}

/* test_smuggling - one message at most, never a second transaction */
static void test_smuggling(void)
{
    static const char *const confs[] = { "smtpd_bare_newline = normalize\n",
                                         "smtpd_bare_newline = reject\n" };
    char in[1024], whole[4096];
    const char *got;
    size_t v, c, n;
    int bytewise;

    for (c = 0; c < 2; c++) {
        for (v = 0; v < sizeof(smuggle_eods) / sizeof(smuggle_eods[0]); v++) {
            for (bytewise = 0; bytewise < 2; bytewise++) {
                n = smuggle_input(v, in, sizeof(in));
                test_log_capture_start();
                got = transcript(confs[c], in, n, bytewise);
                test_log_capture_stop();
                if (bytewise == 0)
                    snprintf(whole, sizeof(whole), "%s", got);
                if (!EXPECT_STR(got, whole))
                    fprintf(stderr, "  variant %zu conf %zu differs one byte at a time\n", v, c);
                EXPECT_TRUE(fq.begun <= 1);
                EXPECT_TRUE(fq.committed <= 1);
                if (v < 8 && c == 0) {
                    /* normalize: one message, holding the would-be commands */
                    EXPECT_INT(fq.committed, 1);
                    EXPECT_CONTAINS(content_without_received(&fq.last), "MAIL FROM:<ceo@victim.example>\r\n");
                    EXPECT_CONTAINS(content_without_received(&fq.last), "\r\nsmuggled\r\n");
                    EXPECT_CONTAINS(got, "250 2.0.0 Ok: queued as");
                } else {
                    /* reject, or a NUL: refused, nothing queued */
                    EXPECT_INT(fq.committed, 0);
                    EXPECT_CONTAINS(got, v < 8 ? "550 5.5.2 " : "550 5.6.0 ");
                }
                EXPECT_FALSE(strstr(got, "nested MAIL") != NULL);
                EXPECT_CONTAINS(got, "221 2.0.0 Bye\r\n");
                stop();
            }
        }
    }
    /* One exact rendering: "\n.\n" normalised to an empty line. */
    n = smuggle_input(0, in, sizeof(in));
    got = transcript(NULL, in, n, false);
    EXPECT_STR(
        content_without_received(&fq.last),
        "Subject: hi\r\n\r\nbody\r\n\r\nMAIL FROM:<ceo@victim.example>\r\nRCPT TO:<alice@example.test>\r\n"
        "DATA\r\nFrom: ceo@victim.example\r\n\r\nsmuggled\r\n");
    stop();
}

/* test_bdat - chunks, LAST, errors and resynchronisation */
static void test_bdat(void)
{
    static const char in[] =
        "EHLO c.test\r\nBDAT 3\r\nabcMAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\n"
        "BDAT 6\r\nhello DATA\r\nBDAT 9 LAST\r\nworld\r\n\r\nQUIT\r\n";
    static const char bad[] = "EHLO c.test\r\nMAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\n"
                              "BDAT 2000\r\n";
    char big[4096];
    const char *got;
    int bytewise;

    for (bytewise = 0; bytewise < 2; bytewise++) {
        got = transcript(NULL, in, sizeof(in) - 1, bytewise);
        EXPECT_STR(got, EHLO_REPLY "503 5.5.1 Error: need RCPT command\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                                   "250 2.0.0 6 octets received\r\n503 5.5.1 Error: DATA after BDAT\r\n"
                                   "250 2.0.0 Ok: queued as 000000000001\r\n221 2.0.0 Bye\r\n");
        EXPECT_INT(fq.committed, 1);
        EXPECT_STR(content_without_received(&fq.last), "hello world\r\n\r\n");
        stop();
    }
    /* too big: the chunk cannot be skipped safely: 552 at once, closed */
    memcpy(big, bad, sizeof(bad) - 1);
    memset(big + sizeof(bad) - 1, 'x', 2000);
    snprintf(big + sizeof(bad) - 1 + 2000, 64, "BDAT 1 LAST\r\nyNOOP\r\n");
    got = transcript("message_size_limit = 1024\n", big, strlen(big), false);
    EXPECT_STR(got,
               "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 1024\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
               "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 CHUNKING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
               "552 5.3.4 Error: message file too big\r\n");
    EXPECT_INT(fq.committed, 0);
    EXPECT_TRUE(session_ended);
    stop();
    /* sizes that do not parse end the session (no way to find the next command) */
    got = transcript(NULL, "EHLO c\r\nBDAT 1e9999\r\nNOOP\r\n", 27, false);
    EXPECT_STR(got, EHLO_REPLY "501 5.5.4 Syntax: BDAT count [LAST]\r\n");
    EXPECT_TRUE(session_ended);
    stop();
    got = transcript(NULL, "EHLO c\r\nBDAT -1\r\n", 17, false);
    EXPECT_STR(got, EHLO_REPLY "501 5.5.4 Syntax: BDAT count [LAST]\r\n");
    stop();
    got = transcript(NULL, "EHLO c\r\nBDAT 18446744073709551616 LAST\r\n", 40, false);
    EXPECT_STR(got, EHLO_REPLY "501 5.5.4 Syntax: BDAT count [LAST]\r\n");
    stop();
}

/* test_limits_lines - line length, error and junk limits, HTTP, headers */
static void test_limits_lines(void)
{
    char in[2048];
    const char *got;

    memset(in, 'A', 600);
    snprintf(in + 600, sizeof(in) - 600, "\r\nNOOP\r\n");
    got = transcript("smtpd_line_length_limit = 512\n", in, strlen(in), false);
    EXPECT_STR(got, "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
    stop();
    got = transcript("smtpd_hard_error_limit = 3\n", "XYZZY\r\nXYZZY\r\nXYZZY\r\nNOOP\r\n", 26, false);
    EXPECT_STR(
        got,
        "500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not recognized\r\n"
        "500 5.5.2 Error: command not recognized\r\n421 4.7.0 mx.example.test Error: too many errors\r\n");
    EXPECT_TRUE(session_ended);
    stop();
    got = transcript("smtpd_junk_command_limit = 2\n", "NOOP\r\nRSET\r\nNOOP\r\nNOOP\r\n", 24, false);
    EXPECT_STR(got, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n"
                    "421 4.7.0 mx.example.test Error: too many junk commands\r\n");
    stop();
    test_log_capture_start();
    got = transcript(NULL, "NOOP\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 33, false);
    test_log_capture_stop();
    EXPECT_STR(got, "250 2.0.0 Ok\r\n"
                    "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_TRUE(session_ended);
    EXPECT_LOG("non-SMTP command from unknown[192.0.2.1]: GET?/?HTTP/1.1");
    stop();
    test_log_capture_start();
    got = transcript(NULL, "Subject: hi\r\nNOOP\r\n", 19, false);
    test_log_capture_stop();
    EXPECT_STR(got, "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_TRUE(session_ended);
    stop();
    got = transcript(NULL, "CONNECT host:25 HTTP/1.1\r\n", 26, false);
    EXPECT_STR(got, "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_TRUE(session_ended);
    stop();
}

/* test_limits_content - message and header size */
static void test_limits_content(void)
{
    const char *got, *in;
    char body[4096];

    memset(body, 'b', 2000);
    snprintf(body + 2000, sizeof(body) - 2000, "\r\n.\r\n");
    in = message(body);
    got = transcript("message_size_limit = 1024\n", in, strlen(in), false);
    EXPECT_CONTAINS(got, "354 End data with <CR><LF>.<CR><LF>\r\n552 5.3.4 Error: message file too big\r\n"
                         "221 2.0.0 Bye\r\n");
    EXPECT_INT(fq.committed, 0);
    stop();
    memcpy(body, "X-Long: ", 8);
    snprintf(body + 2000, sizeof(body) - 2000, "\r\n\r\nbody\r\n.\r\n");
    in = message(body);
    got = transcript("header_size_limit = 1024\n", in, strlen(in), false);
    EXPECT_CONTAINS(
        got, "354 End data with <CR><LF>.<CR><LF>\r\n552 5.3.4 Error: message header size exceeds limit\r\n");
    EXPECT_INT(fq.committed, 0);
    stop();
}

/* test_limits_time - idle timeout, pre-greeting talk, error pause, data rate */
static void test_limits_time(void)
{
    const char *got;

    start("smtpd_timeout = 1s\n", NULL);
    buf_reset(&output);
    pump(1300);
    drain();
    EXPECT_STR(output.data, "421 4.4.2 mx.example.test Error: timeout exceeded\r\n");
    EXPECT_TRUE(session_ended);
    stop();

    start("smtpd_pre_greet_wait = 300ms\n", NULL);
    EXPECT_STR(output.data, "");
    send_text("EHLO x\r\n", 8, false);
    EXPECT_STR(output.data, "554 5.5.1 Error: talking before the greeting\r\n");
    pump(0);
    EXPECT_TRUE(session_ended);
    stop();
    start("smtpd_pre_greet_wait = 100ms\n", NULL);
    pump(200);
    drain();
    EXPECT_STR(output.data, BANNER);
    stop();

    /* no pause below half the hard error limit */
    got = transcript("smtpd_error_sleep_time = 300ms\nsmtpd_hard_error_limit = 4\n", "XYZZY\r\nNOOP\r\n", 13,
                     false);
    EXPECT_STR(got, "500 5.5.2 Error: command not recognized\r\n250 2.0.0 Ok\r\n");
    stop();
    got = transcript("smtpd_error_sleep_time = 300ms\nsmtpd_hard_error_limit = 4\n",
                     "XYZZY\r\nXYZZY\r\nNOOP\r\n", 20, false);
    EXPECT_STR(got, "500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not recognized\r\n");
    pump(400);
    drain();
    EXPECT_STR(output.data, "500 5.5.2 Error: command not recognized\r\n500 5.5.2 Error: command not "
                            "recognized\r\n250 2.0.0 Ok\r\n");
    stop();

    got = transcript("smtpd_timeout = 3s\nsmtpd_min_data_rate = 100000\n",
                     "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: slow\r\n",
                     66, false);
    EXPECT_CONTAINS(got, "354 ");
    pump(2300);
    drain();
    EXPECT_CONTAINS(output.data, "421 4.4.2 mx.example.test Error: data rate too low\r\n");
    EXPECT_INT(fq.committed, 0);
    stop();
}

/* test_qmgr_failures - 250 only after status=0 */
static void test_qmgr_failures(void)
{
    const char *in = message("Subject: x\r\n\r\nx\r\n.\r\n");
    const char *got;

    start(NULL, NULL);
    fq.end_status = 4;
    buf_reset(&output);
    send_text(in, strlen(in), false);
    EXPECT_STR(output.data, MSG_REPLIES "451 4.3.1 Error: no room??X-Evil: 1\r\n221 2.0.0 Bye\r\n");
    stop();
    start(NULL, NULL);
    fq.end_status = 5;
    buf_reset(&output);
    send_text(in, strlen(in), false);
    EXPECT_CONTAINS(output.data, "354 End data with <CR><LF>.<CR><LF>\r\n554 5.3.4 Error: no room");
    stop();
    /* qmgr is not there at all */
    start(NULL, NULL);
    event_io_remove(&fq.io);
    close(fq.listen_fd);
    fq.listen_fd = -1;
    unlink(qmgr_path);
    buf_reset(&output);
    test_log_capture_start();
    send_text(in, strlen(in), false);
    test_log_capture_stop();
    got = output.data;
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                               "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown\r\n"
                               "451 4.3.0 Error: queue manager unavailable\r\n"
                               "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    /* the client sent its content anyway: a header line as a command ends the session */
    EXPECT_TRUE(session_ended);
    EXPECT_LOG("cannot reach qmgr");
    stop();
}

/* test_vrfy_enabled - VRFY answers from the maps when enabled */
static void test_vrfy_enabled(void)
{
    static const char in[] = "VRFY alice@example.test\r\nVRFY <bob@example.test>\r\nVRFY x@other.test\r\n"
                             "VRFY postmaster\r\nVRFY\r\n";
    const char *got = transcript("smtpd_vrfy_enable = yes\n", in, sizeof(in) - 1, false);

    EXPECT_STR(got, "250 2.0.0 <alice@example.test>\r\n"
                    "550 5.1.1 Recipient address rejected: User unknown\r\n"
                    "554 5.7.1 Relay access denied\r\n"
                    "250 2.0.0 <postmaster@example.test>\r\n"
                    "501 5.5.4 Error: syntax: VRFY needs an argument\r\n");
    stop();
}

/* test_bare_newline_reply - reject mode: 550 5.5.2 (Postfix's words),
 * nothing queued, the session goes on in the RSET state */
static void test_bare_newline_reply(void)
{
    static const char in[] =
        "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
        "Subject: x\r\n\r\nbody\n.\nMAIL FROM:<a@b.test>\r\n.\r\nNOOP\r\nRCPT TO:<x@y>\r\n";
    const char *got;

    got = transcript("smtpd_bare_newline = reject\n", in, sizeof(in) - 1, false);
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                               "550 5.5.2 Error: bare <CR> or <LF> received\r\n250 2.0.0 Ok\r\n"
                               "503 5.5.1 Error: need MAIL command\r\n");
    EXPECT_INT(fq.committed, 0);
    EXPECT_FALSE(session_ended);
    stop();
}

/* test_pipelining_after_ehlo - input before the EHLO/HELO reply: 554
 * 5.5.0, peek logged, closed; the same bytes one at a time are fine */
static void test_pipelining_after_ehlo(void)
{
    static const char in[] = "EHLO c\r\nMAIL FROM:<a@b.test>\r\n";
    const char *got;

    split_at_helo = false;
    test_log_capture_start();
    got = transcript(NULL, in, sizeof(in) - 1, false);
    test_log_capture_stop();
    EXPECT_STR(got, "554 5.5.0 Error: SMTP protocol synchronization\r\n");
    EXPECT_TRUE(session_ended);
    EXPECT_LOG("improper command pipelining after EHLO from unknown[192.0.2.1]: MAIL?FROM:<a@b.test>??");
    EXPECT_INT(fq.begun, 0);
    stop();
    test_log_capture_start();
    got = transcript(NULL, "HELO c\r\nNOOP\r\n", 14, false);
    test_log_capture_stop();
    EXPECT_STR(got, "554 5.5.0 Error: SMTP protocol synchronization\r\n");
    EXPECT_LOG("improper command pipelining after HELO from unknown[192.0.2.1]: NOOP??");
    stop();
    split_at_helo = true;
    got = transcript(NULL, in, sizeof(in) - 1, true);
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n");
    EXPECT_FALSE(session_ended);
    stop();
}

/* test_bdat_too_big - a chunk past what message_size_limit still allows
 * is not skipped: 552 5.3.4 at once and closed, whatever follows */
static void test_bdat_too_big(void)
{
    static const char in[] = "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\n"
                             "BDAT 18446744073709551615 LAST\r\nNOOP\r\n";
    static const char rest[] = "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\n"
                               "BDAT 3\r\nabcBDAT 1022 LAST\r\nNOOP\r\n";
    const char *got;

    got = transcript(NULL, in, sizeof(in) - 1, false);
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n552 5.3.4 Error: message file too big\r\n");
    EXPECT_TRUE(session_ended);
    EXPECT_INT(fq.committed, 0);
    stop();
    /* 3 + 1022 > 1024: the second chunk is past the rest of the limit */
    got = transcript("message_size_limit = 1024\n", rest, sizeof(rest) - 1, false);
    EXPECT_STR(got,
               "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 1024\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
               "250-ENHANCEDSTATUSCODES\r\n250-DSN\r\n250 CHUNKING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
               "250 2.0.0 3 octets received\r\n552 5.3.4 Error: message file too big\r\n");
    EXPECT_TRUE(session_ended);
    EXPECT_INT(fq.committed, 0);
    stop();
}

/* test_http_goodbye - HTTP verbs and header lines: Postfix's 221 2.7.0 */
static void test_http_goodbye(void)
{
    const char *got;

    got = transcript(NULL, "EHLO c\r\n", 8, false);
    EXPECT_STR(got, EHLO_REPLY);
    send_text("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 28, false);
    EXPECT_STR(output.data, EHLO_REPLY "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
    EXPECT_TRUE(session_ended);
    stop();
}

/* test_control_in_path - NUL or control bytes in a MAIL/RCPT path: the
 * address syntax reply and the reject log line; elsewhere 500 5.5.2 */
static void test_control_in_path(void)
{
    static const char in[] = "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<al\0ice@example.test>\r\nRSET\r\n"
                             "MAIL  FROM:<a\001b@x.test>\r\nNOOP \001\r\nMAIL\001FROM:<a@b.test>\r\nQUIT\r\n";
    const char *got;

    test_log_capture_start();
    got = transcript(NULL, in, sizeof(in) - 1, false);
    test_log_capture_stop();
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n501 5.1.3 Bad recipient address syntax\r\n250 2.0.0 Ok\r\n"
                               "501 5.1.7 Bad sender address syntax\r\n"
                               "500 5.5.2 Error: control character in command\r\n"
                               "500 5.5.2 Error: control character in command\r\n221 2.0.0 Bye\r\n");
    EXPECT_LOG("NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 501 5.1.3 Bad recipient address syntax");
    EXPECT_LOG("NOQUEUE: reject: MAIL from unknown[192.0.2.1]: 501 5.1.7 Bad sender address syntax");
    stop();
}

/* test_received_sanitised - client text in Received: is printable ASCII only */
static void test_received_sanitised(void)
{
    static const char in[] = "EHLO \xc3\xa9vil(x)\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\n"
                             "RCPT TO:<Alice+Tag@example.test>\r\nDATA\r\nx\r\n.\r\n";
    const char *got = transcript(NULL, in, sizeof(in) - 1, false);

    EXPECT_CONTAINS(got, "250 2.0.0 Ok: queued as");
    EXPECT_CONTAINS(fq.last.data,
                    "Received: from ??vil(x) (unknown [192.0.2.1])\r\n\tby mx.example.test (Petrel) "
                    "with ESMTP id 000000000001;\r\n\t");
    EXPECT_STR(fq.frames.data, "begin sender=\nrcpt alice@example.test\nrcpt Alice+Tag@example.test\nend\n");
    EXPECT_STR(content_without_received(&fq.last), "x\r\n");
    stop();
}

/* test_pipelining_after_data - content before the 354: 554 5.5.0, closed */
static void test_pipelining_after_data(void)
{
    const char *in = message("Subject: hi\r\n\r\nbody\r\n.\r\n");
    const char *got;

    split_at_data = false;
    test_log_capture_start();
    got = transcript(NULL, in, strlen(in), false);
    test_log_capture_stop();
    split_at_data = true;
    EXPECT_STR(got, EHLO_REPLY "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
                               "550 5.1.1 <bob@example.test>: Recipient address rejected: User unknown\r\n"
                               "554 5.5.0 Error: SMTP protocol synchronization\r\n");
    EXPECT_TRUE(session_ended);
    EXPECT_INT(fq.committed, 0);
    EXPECT_LOG("improper command pipelining after DATA from unknown[192.0.2.1]: Subject:?hi??");
    stop();
}

/* test_slow_reader - a client that pipelines without reading gets every
 * reply once it reads (nothing dropped, memory bounded) */
static void test_slow_reader(void)
{
    size_t total = 20000 * 6, off = 0, replies = 0, i;
    char *in = malloc(total);
    ssize_t w;
    int rounds;

    for (i = 0; i < 20000; i++)
        memcpy(in + i * 6, "NOOP\r\n", 6);
    start("smtpd_junk_command_limit = 100000\n", NULL);
    buf_reset(&output);
    for (rounds = 0; rounds < 50 && off < total; rounds++) {
        if ((w = write(client_fd, in + off, total - off)) > 0)
            off += (size_t)w;
        pump(0);
    }
    for (rounds = 0; rounds < 10000 && (off < total || output.len < 20000 * 14); rounds++) {
        if (off < total && (w = write(client_fd, in + off, total - off)) > 0)
            off += (size_t)w;
        drain();
        pump(0);
    }
    drain();
    for (i = 0; i + 14 <= output.len; i += 14)
        replies += memcmp(output.data + i, "250 2.0.0 Ok\r\n", 14) == 0;
    EXPECT_INT(replies, 20000);
    EXPECT_INT(output.len, 20000 * 14);
    free(in);
    stop();
}

/* test_odd_arguments - THREATS.md b.2 #13, #15, #16: defined errors */
static void test_odd_arguments(void)
{
    static const char in[] =
        "EHLO c\r\nNOOP \"\r\nNOOP ((((\r\nMAIL FROM:<@>\r\nMAIL FROM:< @bleh>\r\n"
        "MAIL FROM:<;sleep 66;>\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<\"\"@example.test>\r\n"
        "RCPT TO:<\"\\\"@example.test>\r\n"
        "RCPT TO:<${run{\\x2Fbin\\x2Fsh\\t-c\\t\\x22id\\x22}}@localhost>\r\n";
    const char *got = transcript(NULL, in, sizeof(in) - 1, false);

    EXPECT_STR(got, EHLO_REPLY "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n"
                               "501 5.1.7 Bad sender address syntax\r\n"
                               "501 5.1.7 Bad sender address syntax\r\n"
                               "501 5.1.7 Bad sender address syntax\r\n"
                               "250 2.1.0 Ok\r\n"
                               "550 5.1.1 <\"\"@example.test>: Recipient address rejected: User unknown\r\n"
                               "501 5.1.3 Bad recipient address syntax\r\n"
                               "501 5.1.3 Bad recipient address syntax\r\n");
    stop();
}

/* test_trusted_relay - mynetworks clients still cannot relay (no mail-out yet) */
static void test_trusted_relay(void)
{
    start(NULL, "127.0.0.1");
    buf_reset(&output);
    send_text("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<x@other.test>\r\n", 46, false);
    EXPECT_CONTAINS(output.data, "554 5.7.1 <x@other.test>: Relay access denied\r\n");
    stop();
}

/* The fake anvil: answers connect with fa_count, records requests. */

/* fa_on_msg - record, answer */
static void fa_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    const char *req = "", *ident = "", *error;
    struct ipc_msg *r = ipc_msg_create();

    (void)ctx;
    ipc_msg_get_str(m, "request", &req, &error);
    ipc_msg_get_str(m, "ident", &ident, &error);
    buf_printf(&fa_log, "%s %s\n", req, ident);
    ipc_msg_add_int(r, "status", 0);
    if (strcmp(req, "connect") == 0) {
        ipc_msg_add_int(r, "count", fa_count);
        ipc_msg_add_int(r, "rate", fa_count * 10);
    }
    ipc_chan_send(chan, r, &error);
    ipc_msg_destroy(&r);
    ipc_msg_destroy(&m);
}

/* fa_on_close - smtpd closed its channel */
static void fa_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)chan;
    (void)reason;
    (void)ctx;
    ipc_chan_destroy(&fa_chan);
}

/* fa_accept - the anvil hello */
static void fa_accept(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct ipc_msg *hello = ipc_hello_create("anvil", 1);
    const char *error;
    int c;

    (void)io;
    (void)events;
    (void)ctx;
    if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
        fa_chan = ipc_chan_create(loop, c, 65536, fa_on_msg, fa_on_close, NULL);
        ipc_chan_send(fa_chan, hello, &error);
    }
    ipc_msg_destroy(&hello);
}

/* anvil_session - a session counted by the fake anvil (or none at path) */
static void anvil_session(int64_t count, bool listening, bool rate_limit, bool exempt)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    char path[600];
    int fd = -1;

    snprintf(path, sizeof(path), "%s/anvil.sock", test_tmpdir());
    unlink(path);
    fa_count = count;
    buf_init(&fa_log, 64, 4096);
    start_anvil = path;
    start_hook_fd = -1;
    if (listening) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        memcpy(sun.sun_path, path, strlen(path) + 1);
        EXPECT_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
        listen(fd, 4);
        start_hook_fd = fd;
    }
    start(exempt       ? "smtpd_client_connection_count_limit = 2\nsmtpd_client_event_limit_exceptions = "
                         "198.51.100.0/24\n"
          : rate_limit ? "smtpd_client_connection_count_limit = 0\nsmtpd_client_connection_rate_limit = 20\n"
                       : "smtpd_client_connection_count_limit = 2\n",
          "198.51.100.7");
    pump(50);
    drain();
    if (count > 2 && !exempt) {
        EXPECT_STR(output.data,
                   "421 4.7.0 mx.example.test Error: too many connections from 198.51.100.7\r\n");
        EXPECT_TRUE(session_ended);
    } else {
        EXPECT_STR(output.data, BANNER);
    }
    close(client_fd);
    client_fd = open("/dev/null", O_RDONLY);
    pump(50);
    if (listening)
        EXPECT_STR(fa_log.data, "connect 198.51.100.7\ndisconnect 198.51.100.7\n");
    smtpd_anvil_destroy(&env.anvil);
    ipc_chan_destroy(&fa_chan);
    event_io_remove(&fa_io);
    if (fd >= 0)
        close(fd);
    buf_deinit(&fa_log);
    start_anvil = NULL;
    stop();
}

/* test_anvil - the connection count limit; an absent anvil is not fatal */
static void test_anvil(void)
{
    anvil_session(1, true, false, false);
    anvil_session(3, true, false, false);
    anvil_session(2, true, true, false);
    anvil_session(3, true, true, false);
    /* a client in smtpd_client_event_limit_exceptions is never refused */
    anvil_session(3, true, false, true);
    test_log_capture_start();
    anvil_session(0, false, false, false);
    test_log_capture_stop();
    EXPECT_LOG("connection counts are not enforced");
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_commands),
        TEST_CASE(test_mail_rcpt),
        TEST_CASE(test_pipelined),
        TEST_CASE(test_smuggling),
        TEST_CASE(test_bdat),
        TEST_CASE(test_limits_lines),
        TEST_CASE(test_limits_content),
        TEST_CASE(test_limits_time),
        TEST_CASE(test_qmgr_failures),
        TEST_CASE(test_trusted_relay),
        TEST_CASE(test_anvil),
        TEST_CASE(test_odd_arguments),
        TEST_CASE(test_slow_reader),
        TEST_CASE(test_pipelining_after_data),
        TEST_CASE(test_vrfy_enabled),
        TEST_CASE(test_received_sanitised),
        TEST_CASE(test_bare_newline_reply),
        TEST_CASE(test_pipelining_after_ehlo),
        TEST_CASE(test_bdat_too_big),
        TEST_CASE(test_http_goodbye),
        TEST_CASE(test_control_in_path),
        TEST_END,
    });
}
