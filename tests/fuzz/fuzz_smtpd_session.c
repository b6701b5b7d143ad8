/* SPDX-License-Identifier: MIT
 * fuzz_smtpd_session - arbitrary client bytes into the real smtpd session
 * over a socketpair, with a fake qmgr (a qmgr-submit server on the same
 * event loop) that commits every message it is sent.
 *
 * Input: bytes 0-3 give the sizes of the writes the stream is cut into
 * (cycled, 1..256 each; a write also ends after "DATA\r\n", where a real
 * client waits for 354), the rest is what the client sends. Properties
 * (abort on failure): every reply line is "DDD" followed by " " or "-",
 * ends in CRLF and is at most 512 bytes with it; no message reaches qmgr
 * without a terminator for it in the input (each "\r\n.\r\n" or "LAST"
 * allows one).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
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
#include "smtpd_session.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

#define MAX_IN 65536

static struct event_loop *loop;
static struct config *cfg;
static struct smtpd_env env;
static struct ipc_chan *fq_chan;
static int committed;
static bool ended;

/* fq_on_msg - begin gets an id, end commits */
static void fq_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    const char *req = "", *error;
    struct ipc_msg *r = NULL;

    (void)ctx;
    ipc_msg_get_str(m, MA_REQUEST, &req, &error);
    if (strcmp(req, SUBMIT_REQ_BEGIN) == 0 || strcmp(req, SUBMIT_REQ_END) == 0) {
        if (strcmp(req, SUBMIT_REQ_END) == 0)
            committed++;
        r = ipc_msg_create();
        ipc_msg_add_int(r, MA_STATUS, 0);
        ipc_msg_add_str(r, MA_QUEUE_ID, "0000000000AB");
        ipc_chan_send(chan, r, &error);
        ipc_msg_destroy(&r);
    }
    ipc_msg_destroy(&m);
}

/* fq_on_close - smtpd closed (or aborted) */
static void fq_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)chan;
    (void)reason;
    (void)ctx;
    ipc_chan_destroy(&fq_chan);
}

/* fq_accept - a new message connection, hello first */
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
    ipc_chan_destroy(&fq_chan);
    fq_chan = ipc_chan_create(loop, c, 1 << 20, fq_on_msg, fq_on_close, NULL);
    hello = ipc_hello_create(SUBMIT_PROTOCOL, SUBMIT_VERSION);
    ipc_chan_send(fq_chan, hello, &error);
    ipc_msg_destroy(&hello);
}

/* lookup - example.test with one mailbox */
static enum map_result lookup(void *ctx, enum smtpd_map_id map, const char *key, char **value_r,
                              const char **error_r)
{
    (void)ctx;
    (void)value_r;
    (void)error_r;
    if (map == SMTPD_MAP_DOMAINS)
        return strcmp(key, "example.test") == 0 ? MAP_FOUND : MAP_NOTFOUND;
    return strcmp(key, "alice@example.test") == 0 ? MAP_FOUND : MAP_NOTFOUND;
}

/* session_end - the session is gone */
static void session_end(void *ctx)
{
    (void)ctx;
    ended = true;
}

/* quiet - drop log lines (the fuzzer would spend its time writing them) */
static void quiet(enum msg_level level, const char *text, void *ctx)
{
    (void)level;
    (void)text;
    (void)ctx;
}

/* setup - once: config, loop, fake qmgr socket */
static void setup(void)
{
    static char dir[] = "/tmp/fuzz_smtpd.XXXXXX", path[128];
    static const char conf[] = "myhostname = mx.example.test\nmydomain = example.test\n"
                               "smtpd_error_sleep_time = 0\nsmtpd_line_length_limit = 512\n"
                               "message_size_limit = 65536\nheader_size_limit = 4096\n";
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    const char *error;
    int fd;

    msg_init("fuzz");
    msg_set_hook(quiet, NULL);
    if (mkdtemp(dir) == NULL
        || config_load_text(dir, "petrel.conf", conf, sizeof(conf) - 1, NULL, &cfg, &error) < 0)
        abort();
    loop = event_loop_create();
    env.loop = loop;
    env.p = config_params(cfg);
    smtpd_networks_parse("127.0.0.0/8", &env.mynetworks, &error);
    env.policy = (struct smtpd_policy){ lookup, NULL, &env.mynetworks, "+", "example.test", NULL };
    snprintf(path, sizeof(path), "%s/qmgr", dir);
    env.qmgr_path = path;
    env.max_frame = 1 << 20;
    env.on_session_end = session_end;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0)
        abort();
    event_io_add(loop, fd, EVENT_READ, fq_accept, NULL);
}

/* pump - run until nothing happens */
static void pump(void)
{
    int idle = 0, rounds = 0;

    while (idle < 2 && rounds++ < 10000)
        idle = event_loop_run_once(loop, 0) == 0 ? idle + 1 : 0;
}

/* drain - collect what the session wrote */
static void drain(int fd, struct buf *out)
{
    char b[4096];
    ssize_t n;

    while ((n = read(fd, b, sizeof(b))) > 0)
        buf_append(out, b, (size_t)n);
}

/* check_replies - every line "DDD[ -]...\r\n", at most 512 bytes */
static void check_replies(const struct buf *out)
{
    const char *p = out->data, *end = out->data + out->len, *nl;

    while (p < end) {
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
            abort(); /* a partial reply line */
        if (nl - p + 1 > 512 || nl - p < 5 || nl[-1] != '\r')
            abort();
        if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9'
            || (p[3] != ' ' && p[3] != '-'))
            abort();
        if (memchr(p, '\r', (size_t)(nl - 1 - p)) != NULL || memchr(p, '\0', (size_t)(nl - p)) != NULL)
            abort();
        p = nl + 1;
    }
}

/* terminators - how many messages the input could have ended */
static int terminators(const char *s, size_t n)
{
    int count = 0;
    size_t i;

    for (i = 0; i + 3 <= n; i++)
        if ((i + 5 <= n && memcmp(s + i, "\r\n.\r\n", 5) == 0)
            || (i + 4 <= n && strncasecmp(s + i, "LAST", 4) == 0))
            count++;
    return count + (n >= 3 && memcmp(s, ".\r\n", 3) == 0);
}

/* cut_after_data - end a write after "DATA\r\n", as a real client waits
 * for the 354 there (otherwise every message would be a pipelining error) */
static size_t cut_after_data(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 6 <= n; i++)
        if (strncasecmp(p + i, "DATA\r\n", 6) == 0)
            return i + 6;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one session fed the input in pieces */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc0000201) };
    const char *in = (const char *)data + 4;
    size_t n, off = 0, k = 0;
    struct buf out;
    int sv[2];

    if (size < 4 || size - 4 > MAX_IN)
        return 0;
    if (loop == NULL)
        setup();
    n = size - 4;
    committed = 0;
    ended = false;
    buf_init(&out, 1024, (size_t)1 << 26);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    smtpd_session_create(&env, sv[0], (struct sockaddr *)&sin, sizeof(sin));
    pump();
    while (off < n && !ended) {
        size_t piece = (size_t)data[k++ % 4] % 256 + 1;
        ssize_t w;

        if (piece > n - off)
            piece = n - off;
        piece = cut_after_data(in + off, piece);
        if ((w = write(sv[1], in + off, piece)) <= 0)
            break;
        off += (size_t)w;
        pump();
        drain(sv[1], &out);
    }
    shutdown(sv[1], SHUT_WR);
    pump();
    drain(sv[1], &out);
    close(sv[1]);
    pump();
    if (!ended)
        abort(); /* the session must end when the client is gone */
    check_replies(&out);
    if (committed > terminators(in, n))
        abort();
    buf_deinit(&out);
    ipc_chan_destroy(&fq_chan);
    return 0;
}
