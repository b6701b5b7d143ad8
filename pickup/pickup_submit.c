/* SPDX-License-Identifier: MIT
 * pickup_submit - one drop to qmgr over qmgr-submit, with blocking calls
 * and deadlines (the contract is in pickup_submit.h).
 *
 * Owns the connection for the duration of one call, and a buffer of one
 * SUBMIT_DATA_MAX chunk. Every failure ends in one result; a message
 * not ended is aborted (qmgr also treats the closed connection as an
 * abort), so qmgr never commits a partial message.
 */
#include "pickup_submit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/mail_header.h"
#include "mail/mail_proto.h"
#include "pickup_file.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

/* set_result - fill a failure (texts bounded and printable) */
static void set_result(struct pickup_submit_result *r, enum pickup_submit_status st, const char *dsn,
                       const char *reason)
{
    r->status = st;
    mail_header_sanitize(r->dsn, sizeof(r->dsn) - 1, dsn, strlen(dsn));
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
    for (char *p = r->reason; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* check_reply - status 0 (with a queue id), 4 or 5 (with dsn, reason) */
static void check_reply(const struct ipc_msg *m, struct pickup_submit_result *r)
{
    const char *id, *dsn, *reason, *error;
    int64_t status;

    if (ipc_msg_get_int(m, MA_STATUS, &status, &error) < 0) {
        set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("bad reply from qmgr: %s", error));
    } else if (status == MAIL_STATUS_OK) {
        if (ipc_msg_get_str(m, MA_QUEUE_ID, &id, &error) < 0 || id[0] == '\0'
            || strlen(id) >= sizeof(r->queue_id)
            || strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUV") != strlen(id))
            set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", "bad queue id from qmgr");
        else
            snprintf(r->queue_id, sizeof(r->queue_id), "%s", id);
    } else if (status == MAIL_STATUS_TEMP || status == MAIL_STATUS_PERM) {
        if (ipc_msg_get_str(m, MA_DSN, &dsn, &error) < 0)
            dsn = status == MAIL_STATUS_TEMP ? "4.3.0" : "5.3.0";
        if (ipc_msg_get_str(m, MA_REASON, &reason, &error) < 0)
            reason = "refused by qmgr";
        set_result(r, status == MAIL_STATUS_TEMP ? PICKUP_SUBMIT_TEMP : PICKUP_SUBMIT_PERM, dsn, reason);
    } else {
        set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("bad status %lld from qmgr", (long long)status));
    }
}

/* call_req - send a request, check its reply; 0 when the status is 0 */
static int call_req(const struct pickup_submit_config *c, int sock, struct ipc_msg *req,
                    struct pickup_submit_result *r)
{
    struct ipc_msg *reply = NULL;
    const char *error;

    if (ipc_call(sock, req, c->max_frame, c->timeout_ms, &reply, &error) < 0) {
        set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("qmgr-submit: %s", error));
        ipc_msg_destroy(&req);
        return -1;
    }
    check_reply(reply, r);
    ipc_msg_destroy(&reply);
    ipc_msg_destroy(&req);
    return r->status == PICKUP_SUBMIT_OK ? 0 : -1;
}

/* send_req - send a request that gets no reply */
static int send_req(const struct pickup_submit_config *c, int sock, struct ipc_msg *req,
                    struct pickup_submit_result *r)
{
    const char *error;
    int ret = 0;

    if (ipc_send(sock, req, c->max_frame, c->timeout_ms, &error) < 0) {
        set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("qmgr-submit: %s", error));
        ret = -1;
    }
    ipc_msg_destroy(&req);
    return ret;
}

/* request - a new request named name */
static struct ipc_msg *request(const char *name)
{
    struct ipc_msg *m = ipc_msg_create();

    ipc_msg_add_str(m, MA_REQUEST, name);
    return m;
}

/* pickup_submit_received - our trace header */
size_t pickup_submit_received(char *out, size_t size, const char *myhostname, uid_t uid, const char *queue_id,
                              time_t now)
{
    char host[256], date[MAIL_HEADER_DATE_MAX];
    int n;

    mail_header_sanitize(host, sizeof(host) - 1, myhostname, strlen(myhostname));
    mail_header_date(date, now);
    n = snprintf(out, size, "Received: by %s (Petrel, from userid %lu)\r\n\tid %s; %s\r\n", host,
                 (unsigned long)uid, queue_id, date);
    return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

/* send_data - one data frame */
static int send_data(const struct pickup_submit_config *c, int sock, const void *p, size_t n,
                     struct pickup_submit_result *r)
{
    struct ipc_msg *m = request(SUBMIT_REQ_DATA);

    ipc_msg_add_data(m, MA_DATA, p, n);
    return send_req(c, sock, m, r);
}

/* send_content - the Received: header, then the drop's content */
static int send_content(const struct pickup_submit_config *c, int sock, int fd, uid_t uid,
                        const struct pickup_drop *d, time_t now, struct pickup_submit_result *r)
{
    char *chunk = xmalloc(SUBMIT_DATA_MAX);
    uint64_t off = d->content_offset, left = d->content_length;
    size_t n = pickup_submit_received(chunk, SUBMIT_DATA_MAX, c->myhostname, uid, r->queue_id, now);
    ssize_t got;
    int ret = send_data(c, sock, chunk, n, r);

    while (ret == 0 && left > 0) {
        n = left > SUBMIT_DATA_MAX ? SUBMIT_DATA_MAX : (size_t)left;
        got = pread(fd, chunk, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("read: %s", strerror(errno)));
            ret = -1;
        } else if (got == 0) {
            set_result(
                r, PICKUP_SUBMIT_TRUNCATED, "5.3.0",
                err_fmt("the file was truncated while being read (at offset %llu)", (unsigned long long)off));
            ret = -1;
        } else {
            ret = send_data(c, sock, chunk, (size_t)got, r);
            off += (uint64_t)got;
            left -= (uint64_t)got;
        }
    }
    xfree(chunk);
    return ret;
}

/* begin_request - the envelope of a local submission */
static struct ipc_msg *begin_request(uid_t uid, const struct pickup_drop *d)
{
    struct ipc_msg *m = request(SUBMIT_REQ_BEGIN);

    ipc_msg_add_str(m, MA_SENDER, d->sender);
    ipc_msg_add_str(m, MA_CLIENT_NAME, "localhost");
    ipc_msg_add_str(m, MA_PROTOCOL, "LOCAL");
    ipc_msg_add_int(m, MA_SIZE, (int64_t)d->content_length);
    ipc_msg_add_int(m, MA_UID, (int64_t)uid);
    return m;
}

/* pickup_submit - begin, rcpt..., data..., end */
void pickup_submit(const struct pickup_submit_config *c, int fd, uid_t uid, const struct pickup_drop *d,
                   time_t now, struct pickup_submit_result *r)
{
    struct ipc_msg *m;
    const char *error;
    int sock = -1, ok;
    size_t i;

    memset(r, 0, sizeof(*r));
    if (ipc_connect(c->qmgr_path, SUBMIT_PROTOCOL, SUBMIT_VERSION, c->timeout_ms, &sock, &error) < 0) {
        set_result(r, PICKUP_SUBMIT_TEMP, "4.3.0", err_fmt("qmgr unreachable: %s", error));
        r->unreachable = true;
        return;
    }
    ok = call_req(c, sock, begin_request(uid, d), r) == 0;
    for (i = 0; ok && i < d->nrcpts; i++) {
        m = request(SUBMIT_REQ_RCPT);
        ipc_msg_add_str(m, MA_ADDRESS, d->rcpts[i]);
        ok = send_req(c, sock, m, r) == 0;
    }
    ok = ok && send_content(c, sock, fd, uid, d, now, r) == 0;
    if (ok) {
        (void)call_req(c, sock, request(SUBMIT_REQ_END), r);
    } else if (r->status == PICKUP_SUBMIT_TRUNCATED) {
        m = request(SUBMIT_REQ_ABORT);
        (void)ipc_send(sock, m, c->max_frame, c->timeout_ms, &error);
        ipc_msg_destroy(&m);
    }
    close(sock);
}
