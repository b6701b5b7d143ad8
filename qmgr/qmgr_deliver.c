/* SPDX-License-Identifier: MIT
 * qmgr_deliver - the pool of local-deliver connections and the results.
 *
 * Owns the connections to local: each is CONNECTING (waiting for local's
 * hello, with its message already assigned), BUSY (a request out, a timer
 * running) or IDLE (ready for the next message). A message is taken from
 * the queue only when a connection can carry it, so at most `concurrency`
 * messages are in flight. Every outcome ends in qmgr_queue_settle, which
 * alone decides what happens to the file.
 *
 * Trusts: nothing from local. Reply values are checked, statuses other
 * than 0/4/5 count as 4, texts are cut and stripped of control bytes
 * before they are logged.
 *
 * See also: qmgr_deliver.h, qmgr_queue.h, docs/queue.md.
 */
#include "qmgr_deliver.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "qmgr_queue.h"
#include "qmgr_route.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

enum conn_state { CONN_CONNECTING, CONN_BUSY, CONN_IDLE };

struct conn {
    struct qmgr_deliver *d;
    struct ipc_chan *chan;
    enum conn_state state;
    struct qmgr_msg *msg; /* in flight, or NULL */
    struct ipc_msg *req;  /* the request, until sent */
    size_t *sent;         /* recipient indices in the request */
    size_t nsent;
    int *status; /* per recipient of msg->qf, -1: not attempted */
    struct event_timer *timer;
    struct conn *prev, *next;
};

struct qmgr_deliver {
    struct event_loop *loop;
    struct qmgr_queue *queue;
    struct qmgr_maps *maps;
    struct qmgr_deliver_config cfg;
    char *path;
    struct conn *conns;
    unsigned nconns;
    bool kick_scheduled;
};

/* clean_text - a copy of untrusted text fit for one log line */
static const char *clean_text(const char *s, char *out, size_t size)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i < size - 1; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
    return out;
}

/* log_result - one line per recipient and attempt */
static void log_result(const struct qmgr_msg *m, const struct qf_rcpt *r, int status, const char *dsn,
                       const char *reason)
{
    struct timespec now;
    double delay;
    char orig[600] = "";

    if (status != 0)
        qmgr_queue_note_deferral(m->queue, m->id, reason);
    clock_gettime(CLOCK_REALTIME, &now);
    delay = (double)(now.tv_sec - m->qf->arrival_sec) + (now.tv_nsec / 1000 - m->qf->arrival_usec) / 1e6;
    if (r->orig != NULL)
        snprintf(orig, sizeof(orig), ", orig_to=<%s>", r->orig);
    if (status == 0)
        msg_info("%s: to=<%s>%s, relay=local, delay=%.2f, dsn=%s, status=sent (%s)", m->id, r->address, orig,
                 delay, dsn, reason);
    else if (status == 4)
        msg_info("%s: to=<%s>%s, relay=local, delay=%.2f, dsn=%s, status=deferred (%s)", m->id, r->address,
                 orig, delay, dsn, reason);
    else
        msg_info("%s: to=<%s>%s, relay=local, delay=%.2f, dsn=%s, status=deferred (permanent failure: %s; "
                 "bounces are not implemented yet)",
                 m->id, r->address, orig, delay, dsn, reason);
}

/* fail_all - every recipient of the request gets the same result */
static void fail_all(struct conn *c, int status, const char *dsn, const char *reason)
{
    size_t i;

    for (i = 0; i < c->nsent; i++) {
        c->status[c->sent[i]] = status;
        log_result(c->msg, &c->msg->qf->rcpts[c->sent[i]], status, dsn, reason);
    }
}

static void conn_timeout(void *ctx);

/* settle - hand the results to the queue and forget the message */
static void settle(struct conn *c)
{
    struct qmgr_msg *m = c->msg;

    if (m == NULL)
        return;
    c->msg = NULL;
    ipc_msg_destroy(&c->req);
    event_timer_remove(&c->timer);
    /* a connection still waiting for its hello keeps a deadline */
    if (c->state == CONN_CONNECTING && c->chan != NULL)
        c->timer = event_timer_add(c->d->loop, c->d->cfg.timeout_ms, conn_timeout, c);
    qmgr_queue_settle(c->d->queue, m, c->status);
    xfree(c->sent);
    xfree(c->status);
    c->nsent = 0;
    qmgr_deliver_kick(c->d);
}

/* conn_destroy - close a connection; its message (if any) is settled */
static void conn_destroy(struct conn *c, const char *why)
{
    struct qmgr_deliver *d = c->d;

    if (c->msg != NULL) {
        fail_all(c, 4, "4.4.2", why);
        settle(c);
    }
    event_timer_remove(&c->timer);
    ipc_msg_destroy(&c->req);
    ipc_chan_destroy(&c->chan);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        d->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    d->nconns--;
    xfree(c);
    qmgr_deliver_kick(d);
}

/* add_rcpt - recipient i of m with its mailbox and optional quota, or its
 * result at once: no mailbox any more 5.1.1, a map failure 4.3.0 */
static void add_rcpt(struct conn *c, struct ipc_msg *req, struct qmgr_msg *m, size_t i)
{
    const struct qf_rcpt *r = &m->qf->rcpts[i];
    const char *error = NULL;
    char *mailbox = NULL, *quota = NULL;
    enum map_result mr = qmgr_route_mailbox(c->d->maps, r->address, &mailbox, &error);

    /* no quotas entry: local applies mailbox_quota_default */
    if (mr == MAP_FOUND && qmgr_route_quota(c->d->maps, r->address, &quota, &error) == MAP_TEMPFAIL)
        mr = MAP_TEMPFAIL;
    switch (mr) {
    case MAP_FOUND:
        ipc_msg_add_str(req, MA_RCPT, r->address);
        ipc_msg_add_str(req, MA_MAILBOX, mailbox);
        if (quota != NULL)
            ipc_msg_add_str(req, MA_QUOTA, quota);
        ipc_msg_add_str(req, MA_ORIG_RCPT, r->orig != NULL ? r->orig : r->address);
        c->sent[c->nsent++] = i;
        break;
    case MAP_NOTFOUND:
        c->status[i] = 5;
        log_result(m, r, 5, "5.1.1", "no mailbox for this recipient any more");
        break;
    case MAP_TEMPFAIL:
    default:
        c->status[i] = 4;
        log_result(m, r, 4, "4.3.0", error);
        break;
    }
    xfree(mailbox);
    xfree(quota);
}

/* build_request - the deliver request for m; recipients whose mailbox
 * cannot be found now get their result at once */
static void build_request(struct conn *c, struct qmgr_msg *m)
{
    struct ipc_msg *req = ipc_msg_create();
    const struct qf_message *qf = m->qf;
    size_t i;

    c->msg = m;
    c->status = xreallocarray(NULL, qf->nrcpts > 0 ? qf->nrcpts : 1, sizeof(*c->status));
    c->sent = xreallocarray(NULL, qf->nrcpts > 0 ? qf->nrcpts : 1, sizeof(*c->sent));
    ipc_msg_add_str(req, MA_REQUEST, DELIVER_REQ_DELIVER);
    ipc_msg_add_str(req, MA_QUEUE_ID, m->id);
    ipc_msg_add_fd(req, MA_QUEUE_FILE, m->fd);
    ipc_msg_add_int(req, MA_OFFSET, (int64_t)qf->content_offset);
    ipc_msg_add_int(req, MA_LENGTH, (int64_t)qf->content_length);
    ipc_msg_add_str(req, MA_SENDER, qf->sender != NULL ? qf->sender : "");
    for (i = 0; i < qf->nrcpts; i++)
        c->status[i] = -1;
    /* The rest of a very long list waits for the next attempt. */
    for (i = 0; i < qf->nrcpts && c->nsent < DELIVER_RCPT_MAX; i++)
        if (!qf->rcpts[i].done)
            add_rcpt(c, req, m, i);
    c->req = req;
}

/* send_request - the request goes out, the timer starts */
static void send_request(struct conn *c)
{
    const char *error;

    c->state = CONN_BUSY;
    if (ipc_chan_send(c->chan, c->req, &error) < 0) {
        conn_destroy(c, err_fmt("cannot send to local: %s", error));
        return;
    }
    ipc_msg_destroy(&c->req);
}

/* conn_timeout - no hello or no reply in time */
static void conn_timeout(void *ctx)
{
    struct conn *c = ctx;

    c->timer = NULL;
    conn_destroy(c, "timeout talking to local");
}

/* take_results - the per-recipient results of a reply, in order */
static void take_results(struct conn *c, const struct ipc_msg *r)
{
    static const char *const default_dsn[6] = { "2.0.0", "", "", "", "4.0.0", "5.0.0" };
    size_t i, ks = 0, kd = 0, kr = 0, n = ipc_msg_count(r);
    const char **dsn = xcalloc(c->nsent + 1, sizeof(*dsn)), **why = xcalloc(c->nsent + 1, sizeof(*why));
    int *st = xcalloc(c->nsent + 1, sizeof(*st));
    char dbuf[16], rbuf[256];

    for (i = 0; i < n; i++) {
        const struct ipc_attr *a = ipc_msg_attr(r, i);
        const char *text = a->type == IPC_STR ? a->s : NULL;

        if (strcmp(a->name, MA_RCPT_STATUS) == 0 && ks < c->nsent)
            st[ks++] = a->type == IPC_INT && (a->i == 0 || a->i == 4 || a->i == 5) ? (int)a->i : 4;
        else if (strcmp(a->name, MA_RCPT_DSN) == 0 && kd < c->nsent)
            dsn[kd++] = text;
        else if (strcmp(a->name, MA_RCPT_REASON) == 0 && kr < c->nsent)
            why[kr++] = text;
    }
    for (i = 0; i < c->nsent; i++) {
        int status = i < ks ? st[i] : 4;
        const char *d = dsn[i] != NULL && dsn[i][0] == (char)('0' + (status == 0 ? 2 : status))
                            ? clean_text(dsn[i], dbuf, sizeof(dbuf))
                            : default_dsn[status];
        const char *reason = i >= ks          ? "no result from local"
                             : why[i] != NULL ? clean_text(why[i], rbuf, sizeof(rbuf))
                                              : "-";

        c->status[c->sent[i]] = status;
        log_result(c->msg, &c->msg->qf->rcpts[c->sent[i]], status, d, reason);
    }
    xfree(dsn);
    xfree(why);
    xfree(st);
}

/* conn_on_msg - local's hello, or the reply to the request */
static void conn_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct conn *c = ctx;
    const char *error;

    (void)chan;
    if (c->state == CONN_CONNECTING) {
        if (ipc_hello_check(m, DELIVER_PROTOCOL, DELIVER_VERSION, &error) < 0) {
            msg_warn("local at %s: bad hello: %s", c->d->path, error);
            ipc_msg_destroy(&m);
            conn_destroy(c, "bad hello from local");
            return;
        }
        ipc_msg_destroy(&m);
        if (c->msg != NULL) {
            send_request(c);
        } else {
            c->state = CONN_IDLE;
            event_timer_remove(&c->timer);
        }
        return;
    }
    if (c->state != CONN_BUSY || c->msg == NULL) {
        ipc_msg_destroy(&m);
        msg_warn("local at %s: unexpected message: closing", c->d->path);
        conn_destroy(c, "unexpected message from local");
        return;
    }
    take_results(c, m);
    ipc_msg_destroy(&m);
    c->state = CONN_IDLE;
    settle(c);
}

/* conn_on_close - local closed the connection, or it broke */
static void conn_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct conn *c = ctx;

    (void)chan;
    if (c->msg != NULL && reason != NULL)
        msg_warn("%s: connection to local broke: %s", c->msg->id, reason);
    conn_destroy(c, reason != NULL ? err_fmt("lost connection with local: %s", reason)
                                   : "lost connection with local");
}

/* conn_open - a non-blocking connection to local; NULL with an error */
static struct conn *conn_open(struct qmgr_deliver *d, const char **error_r)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct conn *c;
    int fd;

    if (strlen(d->path) >= sizeof(sun.sun_path)) {
        errf(error_r, "socket path too long: %s", d->path);
        return NULL;
    }
    memcpy(sun.sun_path, d->path, strlen(d->path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 && errno != EINPROGRESS)) {
        errf(error_r, "connect to %s: %s", d->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    c->d = d;
    c->state = CONN_CONNECTING;
    c->chan = ipc_chan_create(d->loop, fd, d->cfg.max_frame, conn_on_msg, conn_on_close, c);
    c->next = d->conns;
    if (d->conns != NULL)
        d->conns->prev = c;
    d->conns = c;
    d->nconns++;
    return c;
}

/* start_one - give the next ready message to conn c (or a new one) */
static bool start_one(struct qmgr_deliver *d, struct conn *c)
{
    struct qmgr_msg *m = qmgr_queue_next(d->queue);
    struct conn tmp;
    const char *error;
    char why[256];

    if (m == NULL)
        return false;
    if (c == NULL && (c = conn_open(d, &error)) == NULL) {
        /* no connection: every recipient is a temporary failure (the
         * error is copied: the lookups below may turn the error ring over) */
        snprintf(why, sizeof(why), "%s", error);
        memset(&tmp, 0, sizeof(tmp));
        tmp.d = d;
        build_request(&tmp, m);
        fail_all(&tmp, 4, "4.4.1", why);
        settle(&tmp);
        return true;
    }
    build_request(c, m);
    c->timer = event_timer_add(d->loop, d->cfg.timeout_ms, conn_timeout, c);
    if (c->nsent == 0)
        settle(c); /* nothing for local: a connecting c becomes idle at its hello */
    else if (c->state == CONN_IDLE) {
        send_request(c);
    }
    return true;
}

/* kick_deferred - start deliveries while there are slots and messages */
static void kick_deferred(void *ctx)
{
    struct qmgr_deliver *d = ctx;
    struct conn *c;

    d->kick_scheduled = false;
    for (;;) {
        for (c = d->conns; c != NULL; c = c->next)
            if (c->state == CONN_IDLE)
                break;
        if (c == NULL && d->nconns >= d->cfg.concurrency)
            return;
        if (!start_one(d, c))
            return;
    }
}

/* qmgr_deliver_kick - run kick_deferred after this round */
void qmgr_deliver_kick(struct qmgr_deliver *d)
{
    if (!d->kick_scheduled) {
        d->kick_scheduled = true;
        event_defer(d->loop, kick_deferred, d);
    }
}

/* ready_cb - the queue has work */
static void ready_cb(void *ctx)
{
    qmgr_deliver_kick(ctx);
}

/* qmgr_deliver_create - an empty pool, registered with the queue */
struct qmgr_deliver *qmgr_deliver_create(struct event_loop *loop, struct qmgr_queue *q,
                                         struct qmgr_maps *maps, const struct qmgr_deliver_config *cfg)
{
    struct qmgr_deliver *d = xcalloc(1, sizeof(*d));

    d->loop = loop;
    d->queue = q;
    d->maps = maps;
    d->cfg = *cfg;
    d->path = xstrdup(cfg->socket_path);
    d->cfg.socket_path = d->path;
    if (d->cfg.concurrency == 0)
        d->cfg.concurrency = 1;
    qmgr_queue_set_ready(q, ready_cb, d);
    return d;
}

/* qmgr_deliver_destroy - close every connection without settling */
void qmgr_deliver_destroy(struct qmgr_deliver **d_r)
{
    struct qmgr_deliver *d = *d_r;
    struct conn *c;

    if (d == NULL)
        return;
    qmgr_queue_set_ready(d->queue, NULL, NULL);
    if (d->kick_scheduled)
        event_defer_cancel(d->loop, kick_deferred, d);
    while ((c = d->conns) != NULL) {
        d->conns = c->next;
        event_timer_remove(&c->timer);
        ipc_msg_destroy(&c->req);
        ipc_chan_destroy(&c->chan);
        xfree(c->sent);
        xfree(c->status);
        xfree(c);
    }
    xfree(d->path);
    xfree(d);
    *d_r = NULL;
}
