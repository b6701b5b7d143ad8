/* SPDX-License-Identifier: MIT
 * smtpd_qmgr - the qmgr-submit client on a non-blocking ipc channel.
 *
 * Owns: the channel to qmgr, a staging buffer of at most SUBMIT_DATA_MAX
 * message bytes, the queue id qmgr assigned. Trusts qmgr's frames only
 * after checking them: the hello must name qmgr-submit version 1, a reply
 * must carry status 0, 4 or 5, and a 0 must carry a queue id. Anything
 * else is a broken channel, reported as a temporary failure (4.3.0).
 *
 * See also: smtpd_qmgr.h, docs/queue.md.
 */
#include "smtpd_qmgr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

/* Stop reading the client while this much is queued for qmgr. */
#define SMTPD_QMGR_BUSY (4 * (SUBMIT_DATA_MAX + 64))

enum qmgr_state {
    QMGR_WAIT_HELLO,
    QMGR_WAIT_BEGIN,
    QMGR_OPEN,
    QMGR_WAIT_END,
    QMGR_DONE,
};

struct smtpd_qmgr {
    struct ipc_chan *chan;
    enum qmgr_state state;
    struct ipc_msg *begin;
    smtpd_qmgr_fn *fn;
    void *ctx;
    struct buf stage;
    char queue_id[64];
};

/* qmgr_report - tell the owner; the owner may destroy q */
static void qmgr_report(struct smtpd_qmgr *q, int status, const char *dsn, const char *reason)
{
    struct smtpd_qmgr_result r = { status, q->queue_id, dsn, reason };

    q->fn(q->ctx, &r);
}

/* qmgr_broken - the channel failed while waiting: a temporary failure */
static void qmgr_broken(struct smtpd_qmgr *q, const char *why)
{
    enum qmgr_state was = q->state;

    msg_warn("qmgr-submit: %s", why);
    q->state = QMGR_DONE;
    ipc_chan_destroy(&q->chan);
    if (was != QMGR_DONE && was != QMGR_OPEN)
        qmgr_report(q, MAIL_STATUS_TEMP, "4.3.0", "Queue manager unavailable");
}

/* qmgr_check_reply - status 0/4/5; the id with 0, dsn and reason otherwise */
static int qmgr_check_reply(struct smtpd_qmgr *q, const struct ipc_msg *m, int64_t *status_r,
                            const char **dsn_r, const char **reason_r, const char **error_r)
{
    const char *id, *error;

    if (ipc_msg_get_int(m, MA_STATUS, status_r, error_r) < 0)
        return -1;
    if (*status_r != MAIL_STATUS_OK && *status_r != MAIL_STATUS_TEMP && *status_r != MAIL_STATUS_PERM)
        return errf(error_r, "bad status %lld", (long long)*status_r);
    if (*status_r == MAIL_STATUS_OK) {
        if (ipc_msg_get_str(m, MA_QUEUE_ID, &id, error_r) < 0)
            return -1;
        if (id[0] == '\0' || strlen(id) >= sizeof(q->queue_id)
            || strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUV") != strlen(id))
            return errf(error_r, "bad queue id");
        snprintf(q->queue_id, sizeof(q->queue_id), "%s", id);
        return 0;
    }
    if (ipc_msg_get_str(m, MA_DSN, dsn_r, &error) < 0)
        *dsn_r = *status_r == MAIL_STATUS_TEMP ? "4.3.0" : "5.3.0";
    if (ipc_msg_get_str(m, MA_REASON, reason_r, &error) < 0)
        *reason_r = "Queue manager refused the message";
    return 0;
}

/* qmgr_on_msg - the hello, then begin's and end's replies */
static void qmgr_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct smtpd_qmgr *q = ctx;
    const char *error, *dsn = NULL, *reason = NULL;
    int64_t status;

    (void)chan;
    if (q->state == QMGR_WAIT_HELLO) {
        if (ipc_hello_check(m, SUBMIT_PROTOCOL, SUBMIT_VERSION, &error) < 0
            || ipc_chan_send(q->chan, q->begin, &error) < 0) {
            ipc_msg_destroy(&m);
            qmgr_broken(q, error);
            return;
        }
        ipc_msg_destroy(&q->begin);
        q->state = QMGR_WAIT_BEGIN;
    } else if (q->state == QMGR_WAIT_BEGIN || q->state == QMGR_WAIT_END) {
        if (qmgr_check_reply(q, m, &status, &dsn, &reason, &error) < 0) {
            ipc_msg_destroy(&m);
            qmgr_broken(q, err_fmt("bad reply: %s", error));
            return;
        }
        q->state = status == MAIL_STATUS_OK && q->state == QMGR_WAIT_BEGIN ? QMGR_OPEN : QMGR_DONE;
        /* The strings live in m: report before freeing it. */
        qmgr_report(q, (int)status, dsn, reason);
    } else {
        msg_warn("qmgr-submit: unexpected message from qmgr");
    }
    ipc_msg_destroy(&m);
}

/* qmgr_on_close - qmgr went away */
static void qmgr_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)chan;
    qmgr_broken(ctx, reason != NULL ? reason : "connection closed by qmgr");
}

/* add_opt_str - an optional string attribute */
static void add_opt_str(struct ipc_msg *m, const char *name, const char *v)
{
    if (v != NULL)
        ipc_msg_add_str(m, name, v);
}

/* smtpd_qmgr_open - connect; begin goes out once the hello is checked */
int smtpd_qmgr_open(struct event_loop *loop, const char *path, size_t max_frame,
                    const struct smtpd_qmgr_begin *b, smtpd_qmgr_fn *fn, void *ctx, struct smtpd_qmgr **q_r,
                    const char **error_r)
{
    struct smtpd_qmgr *q;
    int fd = -1;

    if (ipc_connect_nonblock(path, &fd, error_r) < 0)
        return -1;
    q = xcalloc(1, sizeof(*q));
    q->fn = fn;
    q->ctx = ctx;
    buf_init(&q->stage, SUBMIT_DATA_MAX, SUBMIT_DATA_MAX);
    q->begin = ipc_msg_create();
    ipc_msg_add_str(q->begin, MA_REQUEST, SUBMIT_REQ_BEGIN);
    ipc_msg_add_str(q->begin, MA_SENDER, b->sender);
    ipc_msg_add_str(q->begin, MA_CLIENT_ADDR, b->client_addr);
    ipc_msg_add_str(q->begin, MA_CLIENT_NAME, b->client_name);
    ipc_msg_add_str(q->begin, MA_HELO, b->helo);
    ipc_msg_add_str(q->begin, MA_PROTOCOL, b->protocol);
    add_opt_str(q->begin, MA_TLS, b->tls);
    add_opt_str(q->begin, MA_AUTH, b->auth);
    add_opt_str(q->begin, MA_ENVID, b->envid);
    add_opt_str(q->begin, MA_RET, b->ret);
    if (b->smtputf8)
        ipc_msg_add_int(q->begin, MA_SMTPUTF8, 1);
    if (b->size > 0)
        ipc_msg_add_int(q->begin, MA_SIZE, (int64_t)(b->size > INT64_MAX ? INT64_MAX : b->size));
    q->chan = ipc_chan_create(loop, fd, max_frame, qmgr_on_msg, qmgr_on_close, q);
    *q_r = q;
    return 0;
}

/* qmgr_send - send one request; a failure breaks the channel */
static int qmgr_send(struct smtpd_qmgr *q, struct ipc_msg *m)
{
    const char *error;
    int r = 0;

    if (q->chan == NULL || ipc_chan_send(q->chan, m, &error) < 0) {
        if (q->chan != NULL)
            msg_warn("qmgr-submit: %s", error);
        ipc_chan_destroy(&q->chan);
        r = -1;
    }
    ipc_msg_destroy(&m);
    return r;
}

/* smtpd_qmgr_rcpt - one recipient */
int smtpd_qmgr_rcpt(struct smtpd_qmgr *q, const char *address, const char *orcpt, const char *notify)
{
    struct ipc_msg *m = ipc_msg_create();

    ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_RCPT);
    ipc_msg_add_str(m, MA_ADDRESS, address);
    add_opt_str(m, MA_ORCPT, orcpt);
    add_opt_str(m, MA_NOTIFY, notify);
    return qmgr_send(q, m);
}

/* qmgr_flush - send the staged bytes as one data frame */
static int qmgr_flush(struct smtpd_qmgr *q)
{
    struct ipc_msg *m;

    if (q->stage.len == 0)
        return 0;
    m = ipc_msg_create();
    ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_DATA);
    ipc_msg_add_data(m, MA_DATA, q->stage.data, q->stage.len);
    buf_reset(&q->stage);
    return qmgr_send(q, m);
}

/* smtpd_qmgr_write - stage bytes, a frame each SUBMIT_DATA_MAX */
int smtpd_qmgr_write(struct smtpd_qmgr *q, const void *p, size_t n)
{
    const char *s = p;
    size_t take;

    while (n > 0) {
        take = buf_space(&q->stage);
        if (take > n)
            take = n;
        buf_append(&q->stage, s, take);
        s += take;
        n -= take;
        if (buf_space(&q->stage) == 0 && qmgr_flush(q) < 0)
            return -1;
    }
    return q->chan != NULL ? 0 : -1;
}

/* smtpd_qmgr_end - the last data frame, then end */
int smtpd_qmgr_end(struct smtpd_qmgr *q)
{
    struct ipc_msg *m;

    if (qmgr_flush(q) < 0)
        return -1;
    m = ipc_msg_create();
    ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_END);
    q->state = QMGR_WAIT_END;
    return qmgr_send(q, m);
}

/* smtpd_qmgr_busy - the channel has a backlog */
bool smtpd_qmgr_busy(const struct smtpd_qmgr *q)
{
    return q->chan != NULL && ipc_chan_pending(q->chan) > SMTPD_QMGR_BUSY;
}

/* smtpd_qmgr_destroy - abort an unfinished message, close, free */
void smtpd_qmgr_destroy(struct smtpd_qmgr **q_r)
{
    struct smtpd_qmgr *q = *q_r;
    struct ipc_msg *m;
    const char *error;

    if (q == NULL)
        return;
    *q_r = NULL;
    if (q->chan != NULL && (q->state == QMGR_OPEN || q->state == QMGR_WAIT_BEGIN)) {
        m = ipc_msg_create();
        ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_ABORT);
        (void)ipc_chan_send(q->chan, m, &error);
        ipc_msg_destroy(&m);
    }
    ipc_chan_destroy(&q->chan);
    ipc_msg_destroy(&q->begin);
    buf_deinit(&q->stage);
    free(q);
}
