/* SPDX-License-Identifier: MIT
 * qmgr_submit - the qmgr-submit server: the session of each submitter,
 * driven by the checks of qmgr_submit_check.c (the command table).
 *
 * Owns every session: its channel, its queue file writer until the commit,
 * its final recipients. A session's first failure is sticky and becomes
 * the reply to end; nothing is written after it, and the file is removed.
 * The reply to end is sent only by the group commit (qmgr_commit.c), after
 * the file and incoming/ are on disk.
 *
 * Trusts: nothing from the client (see qmgr_submit.h for the checks and
 * limits). Text for the client (reason) and for the log are kept apart.
 *
 * See also: qmgr_submit.h, qmgr_submit_check.c, qmgr_commit.h,
 * qmgr_route.h, docs/queue.md.
 */
#include "qmgr_submit.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/queue_file.h"
#include "mail/queue_id.h"
#include "mail/server.h"
#include "qmgr_admin.h"
#include "qmgr_commit.h"
#include "qmgr_queue.h"
#include "qmgr_route.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

/* One submitter's connection and message. */
struct qmgr_session {
    struct qmgr_commit_entry commit; /* first: the commit callback casts back */
    struct qmgr_service *svc;
    struct ipc_chan *chan;
    enum qmgr_submit_state state;
    struct qf_writer *writer; /* until committed or removed */
    char id[QUEUE_ID_LEN + 1];
    char *sender;
    struct qmgr_route_list finals;
    uint64_t size;
    int64_t uid;    /* local submission: the user; -1 otherwise */
    size_t bounced; /* local submission: recipients skipped as bounced */
    bool content_begun;
    int fail_status; /* 0, or the first failure: 4 or 5 */
    const char *fail_dsn, *fail_reason;
    struct event_timer *linger;
    uint64_t linger_until;
    struct qmgr_session *prev, *next;
    unsigned long number;
};

/* qid - the queue id for log lines, or the NOQUEUE placeholder */
static const char *qid(const struct qmgr_session *s)
{
    return s->id[0] != '\0' ? s->id : "NOQUEUE";
}

/* session_fail - remember the first failure; the log gets the detail */
static void session_fail(struct qmgr_session *s, int status, const char *dsn, const char *reason,
                         const char *detail)
{
    if (s->fail_status != 0)
        return;
    s->fail_status = status;
    s->fail_dsn = dsn;
    s->fail_reason = reason;
    msg_info("%s: reject: session %lu: %s %s; %s", qid(s), s->number, dsn, reason, detail);
}

/* session_reply - send status, dsn, reason (and the queue id if any) */
static void session_reply(struct qmgr_session *s, int status, const char *dsn, const char *reason)
{
    struct ipc_msg *r = ipc_msg_create();
    const char *error;

    ipc_msg_add_int(r, MA_STATUS, status);
    if (s->id[0] != '\0')
        ipc_msg_add_str(r, MA_QUEUE_ID, s->id);
    if (status != 0) {
        ipc_msg_add_str(r, MA_DSN, dsn);
        ipc_msg_add_str(r, MA_REASON, reason);
    }
    if (ipc_chan_send(s->chan, r, &error) < 0)
        msg_warn("%s: session %lu: cannot reply: %s", qid(s), s->number, error);
    ipc_msg_destroy(&r);
}

/* session_destroy - remove an uncommitted file, close, free; tell the
 * skeleton unless the process is exiting */
static void session_destroy_ex(struct qmgr_session *s, bool tell_server)
{
    struct qmgr_service *svc = s->svc;

    qmgr_commit_remove(svc->commit, &s->commit);
    if (s->writer != NULL) {
        qf_writer_destroy(&s->writer, true);
        msg_info("%s: session %lu: connection ended before the commit: queue file removed", qid(s),
                 s->number);
    }
    event_timer_remove(&s->linger);
    qmgr_route_list_free(&s->finals);
    ipc_chan_destroy(&s->chan);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        svc->sessions = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    xfree(s->sender);
    xfree(s);
    if (tell_server)
        server_client_done(svc->server);
}

/* session_destroy - the usual case */
static void session_destroy(struct qmgr_session *s)
{
    session_destroy_ex(s, true);
}

/* linger_check - close once the last reply has left (or after the timeout) */
static void linger_check(void *ctx)
{
    struct qmgr_session *s = ctx;
    struct event_loop *loop = server_loop(s->svc->server);

    s->linger = NULL;
    if (ipc_chan_pending(s->chan) == 0 || event_now(loop) >= s->linger_until) {
        session_destroy(s);
        return;
    }
    s->linger = event_timer_add(loop, 10, linger_check, s);
}

/* session_finish - the last reply is queued: close when it is sent */
static void session_finish(struct qmgr_session *s)
{
    struct event_loop *loop = server_loop(s->svc->server);

    s->state = QMGR_SUBMIT_DONE;
    s->linger_until = event_now(loop) + s->svc->timeout_ms;
    event_timer_remove(&s->linger);
    s->linger = event_timer_add(loop, 0, linger_check, s);
}

/* write_rec - one record; a write error fails the message with 4.3.0 */
static bool write_rec(struct qmgr_session *s, enum qf_type type, const char *value)
{
    const char *error;

    if (s->fail_status != 0)
        return false;
    if (qf_write(s->writer, type, value, strlen(value), &error) < 0) {
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
        return false;
    }
    return true;
}

/* write_envelope - A, C*, F, and the optional E, T, U */
static void write_envelope(struct qmgr_session *s, const struct qmgr_submit_args *a)
{
    struct timespec now;
    char text[QMGR_SUBMIT_TEXT_MAX + 64];
    size_t i;

    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(text, sizeof(text), "%lld.%06ld", (long long)now.tv_sec, now.tv_nsec / 1000);
    write_rec(s, QF_ARRIVAL, text);
    for (i = 0; i < 5; i++) {
        if (a->client[i] == NULL)
            continue;
        snprintf(text, sizeof(text), "%s=%s", qmgr_submit_client_attrs[i], a->client[i]);
        write_rec(s, QF_CLIENT, text);
    }
    snprintf(text, sizeof(text), "protocol=%s", a->protocol);
    write_rec(s, QF_CLIENT, text);
    if (a->uid >= 0) {
        snprintf(text, sizeof(text), "uid=%lld", (long long)a->uid);
        write_rec(s, QF_CLIENT, text);
    }
    write_rec(s, QF_SENDER, a->sender);
    if (a->envid != NULL)
        write_rec(s, QF_ENVID, a->envid);
    if (a->ret != NULL)
        write_rec(s, QF_RET, a->ret);
    if (a->smtputf8)
        write_rec(s, QF_SMTPUTF8, "smtputf8");
}

/* proceed_begin - room, a queue id, the file and its envelope */
static void proceed_begin(struct qmgr_session *s, const struct qmgr_submit_args *a)
{
    struct qmgr_service *svc = s->svc;
    uint64_t free_bytes, need = svc->queue_minfree + (a->size > 0 ? (uint64_t)a->size : 0);
    const char *error;

    s->state = QMGR_SUBMIT_RCPT;
    s->sender = xstrdup(a->sender);
    s->uid = a->uid;
    if (a->size > 0 && (uint64_t)a->size > svc->message_size_limit)
        session_fail(s, 5, "5.3.4", "Message size exceeds fixed limit", "size hint over message_size_limit");
    else if (qmgr_queue_free_bytes(svc->queue, &free_bytes, &error) < 0)
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
    else if (free_bytes < need)
        session_fail(s, 4, "4.3.1", "Insufficient system storage",
                     err_fmt("%llu bytes free, %llu needed (queue_minfree)", (unsigned long long)free_bytes,
                             (unsigned long long)need));
    else if (qmgr_queue_new_id(svc->queue, s->id, &error) < 0)
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
    else if (qmgr_queue_new_file(svc->queue, s->id, &s->writer, &error) < 0)
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
    else
        write_envelope(s, a);
    if (s->fail_status != 0)
        session_reply(s, s->fail_status, s->fail_dsn, s->fail_reason);
    else
        session_reply(s, 0, NULL, NULL);
    msg_debug("%s: session %lu: begin", qid(s), s->number);
}

/* proceed_rcpt - route at once; write P, O, N, R for each new final */
static void proceed_rcpt(struct qmgr_session *s, const struct qmgr_submit_args *a)
{
    enum qmgr_route_status st;
    size_t i, before = s->finals.count;
    const char *error, *dsn, *text;
    int status;

    if (s->fail_status != 0)
        return;
    st = qmgr_route_expand(s->svc->maps, a->address, &s->finals, &error);
    if (st != QMGR_ROUTE_OK) {
        qmgr_route_reply(st, &status, &dsn, &text);
        if (s->uid >= 0 && (st == QMGR_ROUTE_UNKNOWN || st == QMGR_ROUTE_SYNTAX || st == QMGR_ROUTE_LOOP)) {
            /* A local submission has nobody to refuse the recipient to:
             * it is bounced (the bounce message comes with mail-out). */
            msg_info("%s: to=<%.300s>, relay=none, dsn=%s, status=bounced (%s: %s; no bounce message is sent "
                     "yet)",
                     qid(s), a->address, dsn, text, error);
            s->bounced++;
            return;
        }
        session_fail(s, status, dsn, text, err_fmt("to=<%.300s>: %s", a->address, error));
        return;
    }
    for (i = before; i < s->finals.count; i++) {
        const char *final = s->finals.v[i].address;

        if (strcmp(final, a->address) != 0)
            write_rec(s, QF_ORIG_RCPT, a->address);
        if (a->orcpt != NULL)
            write_rec(s, QF_ORCPT, a->orcpt);
        if (a->notify != NULL)
            write_rec(s, QF_NOTIFY, a->notify);
        write_rec(s, QF_RCPT, final);
    }
}

/* content_begin - start the M record once */
static bool content_begin(struct qmgr_session *s)
{
    const char *error;

    if (s->fail_status != 0)
        return false;
    if (!s->content_begun && qf_content_begin(s->writer, s->svc->content_max, &error) < 0) {
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
        return false;
    }
    s->content_begun = true;
    return true;
}

/* proceed_data - append a chunk, within message_size_limit plus headroom */
static void proceed_data(struct qmgr_session *s, const struct qmgr_submit_args *a)
{
    const char *error;

    s->state = QMGR_SUBMIT_DATA;
    if (!content_begin(s))
        return;
    if (a->len > s->svc->content_max - s->size) {
        session_fail(s, 5, "5.3.4", "Message size exceeds fixed limit",
                     err_fmt("more than %llu bytes", (unsigned long long)s->svc->content_max));
        return;
    }
    s->size += a->len;
    if (qf_content_write(s->writer, a->data, a->len, &error) < 0)
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
}

/* commit_done - the group commit's verdict: acknowledge, or refuse */
static void commit_done(struct qmgr_commit_entry *e, int status, const char *error)
{
    struct qmgr_session *s = (struct qmgr_session *)e;
    int fd;

    if (status < 0) {
        msg_warn("%s: queue file write error: %s", s->id, error);
        qf_writer_destroy(&s->writer, true);
        session_reply(s, 4, "4.3.0", "Queue file write error");
        session_finish(s);
        return;
    }
    fd = fcntl(qf_writer_fd(s->writer), F_DUPFD_CLOEXEC, 0);
    qf_writer_destroy(&s->writer, false);
    session_reply(s, 0, NULL, NULL);
    msg_info("%s: from=<%s>, size=%llu, nrcpt=%zu (queue active)", s->id, s->sender,
             (unsigned long long)s->size, s->finals.count);
    session_finish(s);
    if (fd < 0) {
        msg_warn("%s: dup: %m (the message will be read again)", s->id);
        fd = openat(qmgr_queue_dirfd(s->svc->queue, QMGR_DIR_INCOMING), s->id, O_RDWR | O_CLOEXEC);
    }
    if (fd >= 0)
        qmgr_queue_add(s->svc->queue, s->id, fd);
}

/* proceed_end - complete the content, then join the group commit */
static void proceed_end(struct qmgr_session *s)
{
    const char *error;

    if (s->fail_status == 0 && s->finals.count == 0 && s->bounced > 0)
        session_fail(s, 5, "5.1.1", "No valid recipients", "every recipient bounced");
    else if (s->fail_status == 0 && s->finals.count == 0)
        session_fail(s, 5, "5.5.1", "No valid recipients", "no rcpt before end");
    if (content_begin(s) && qf_content_end(s->writer, &error) < 0)
        session_fail(s, 4, "4.3.0", "Queue file write error", error);
    if (s->fail_status != 0) {
        qf_writer_destroy(&s->writer, true);
        session_reply(s, s->fail_status, s->fail_dsn, s->fail_reason);
        session_finish(s);
        return;
    }
    s->state = QMGR_SUBMIT_COMMIT;
    s->commit.writer = s->writer;
    s->commit.done = commit_done;
    qmgr_commit_add(s->svc->commit, &s->commit);
}

/* session_on_msg - check the request, then its effect */
static void session_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct qmgr_session *s = ctx;
    struct qmgr_submit_args a;
    const char *dsn, *error;

    (void)chan;
    if (s->state == QMGR_SUBMIT_COMMIT || s->state == QMGR_SUBMIT_DONE) {
        msg_warn("%s: session %lu: request after end: ignored", qid(s), s->number);
    } else if (s->state == QMGR_SUBMIT_BEGIN && qmgr_admin_request(m) != QMGR_ADMIN_NONE) {
        qmgr_admin_serve(s->svc, s->chan, m, s->number);
        session_finish(s);
    } else if (qmgr_submit_check(s->state, m, &a, &dsn, &error) < 0) {
        session_fail(s, 5, dsn, "Protocol error", error);
        if (a.req == QMGR_REQ_BEGIN && s->state == QMGR_SUBMIT_BEGIN) {
            s->state = QMGR_SUBMIT_RCPT;
            session_reply(s, s->fail_status, s->fail_dsn, s->fail_reason);
        } else if (a.req == QMGR_REQ_END) {
            proceed_end(s);
        }
    } else if (a.req == QMGR_REQ_BEGIN) {
        proceed_begin(s, &a);
    } else if (a.req == QMGR_REQ_RCPT) {
        proceed_rcpt(s, &a);
    } else if (a.req == QMGR_REQ_DATA) {
        proceed_data(s, &a);
    } else if (a.req == QMGR_REQ_END) {
        proceed_end(s);
    } else {
        if (s->writer != NULL)
            msg_info("%s: session %lu: aborted by the client: queue file removed", qid(s), s->number);
        qf_writer_destroy(&s->writer, true);
        session_finish(s);
    }
    ipc_msg_destroy(&m);
}

/* session_on_close - the client went away (or its channel broke) */
static void session_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct qmgr_session *s = ctx;

    (void)chan;
    if (reason != NULL && s->state != QMGR_SUBMIT_DONE)
        msg_warn("%s: session %lu: %s", qid(s), s->number, reason);
    session_destroy(s);
}

/* qmgr_submit_accept - a new submitter: session, channel, hello */
void qmgr_submit_accept(struct server *srv, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    struct qmgr_service *svc = server_context(srv);
    struct qmgr_session *s = xcalloc(1, sizeof(*s));
    struct ipc_msg *hello;
    const char *error;

    (void)peer;
    (void)peer_len;
    s->svc = svc;
    s->uid = -1;
    s->number = ++svc->next_session;
    s->chan = ipc_chan_create(server_loop(srv), fd, svc->max_frame, session_on_msg, session_on_close, s);
    s->next = svc->sessions;
    if (svc->sessions != NULL)
        svc->sessions->prev = s;
    svc->sessions = s;
    hello = ipc_hello_create(SUBMIT_PROTOCOL, SUBMIT_VERSION);
    if (ipc_chan_send(s->chan, hello, &error) < 0) {
        msg_warn("session %lu: cannot send the hello: %s", s->number, error);
        session_destroy(s);
    }
    ipc_msg_destroy(&hello);
}

/* qmgr_submit_close_all - end every session */
void qmgr_submit_close_all(struct qmgr_service *svc)
{
    while (svc->sessions != NULL)
        session_destroy_ex(svc->sessions, false);
}
