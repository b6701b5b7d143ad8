/* SPDX-License-Identifier: MIT
 * auth_client - authd's protocol on the client side, asynchronous.
 *
 * See also: auth_client.h, auth_proto.h, authd/authd_proto.c.
 */
#include "auth_client.h"

#include <stdlib.h>
#include <string.h>

#include "auth_proto.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

struct auth_client {
    struct event_loop *loop;
    struct ipc_chan *chan;
    struct ipc_msg *pending; /* sent once the hello was seen */
    bool hello_seen;
    bool waiting; /* a request is out */
    struct event_timer *timer;
    uint64_t timeout_ms;
    auth_client_fn *fn;
    void *ctx;
};

/* report_fail - a temporary failure to the caller (from the loop) */
static void report_fail(struct auth_client *c, const char *why)
{
    struct auth_client_result r = { .status = AUTH_RES_FAIL, .reason = AUTH_R_TEMPORARY };

    msg_warn("authd: %s", why);
    c->waiting = false;
    event_timer_remove(&c->timer);
    ipc_chan_destroy(&c->chan);
    c->fn(c->ctx, &r);
}

/* timer_fired - authd did not answer in time */
static void timer_fired(void *ctx)
{
    struct auth_client *c = ctx;

    c->timer = NULL;
    report_fail(c, "no reply in time");
}

/* send_request - now, or once the hello is in */
static void send_request(struct auth_client *c, struct ipc_msg *m)
{
    const char *error;

    c->waiting = true;
    event_timer_remove(&c->timer);
    c->timer = event_timer_add(c->loop, c->timeout_ms, timer_fired, c);
    if (!c->hello_seen) {
        ipc_msg_destroy(&c->pending);
        c->pending = m;
        return;
    }
    if (ipc_chan_send(c->chan, m, &error) < 0)
        msg_warn("authd: %s", error); /* the channel reports its close */
    ipc_msg_destroy(&m);
}

/* parse_reply - status and its attributes; 0, or -1 with an error */
static int parse_reply(const struct ipc_msg *m, struct auth_client_result *r, const char **error_r)
{
    const char *status;

    memset(r, 0, sizeof(*r));
    if (ipc_msg_get_str(m, AUTH_A_STATUS, &status, error_r) < 0)
        return -1;
    if (strcmp(status, AUTH_ST_CONTINUE) == 0) {
        r->status = AUTH_RES_CONTINUE;
        return ipc_msg_get_data(m, AUTH_A_CHALLENGE, &r->challenge, &r->challenge_len, error_r);
    }
    if (strcmp(status, AUTH_ST_OK) == 0) {
        r->status = AUTH_RES_OK;
        return ipc_msg_get_str(m, AUTH_A_USER, &r->user, error_r);
    }
    if (strcmp(status, AUTH_ST_FAIL) == 0) {
        r->status = AUTH_RES_FAIL;
        return ipc_msg_get_str(m, AUTH_A_REASON, &r->reason, error_r);
    }
    return errf(error_r, "unknown status \"%.40s\"", status);
}

/* on_msg - the hello, then replies */
static void on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct auth_client *c = ctx;
    struct auth_client_result r;
    struct ipc_msg *pending;
    const char *error;

    (void)chan;
    if (!c->hello_seen) {
        if (ipc_hello_check(m, AUTH_PROTOCOL, AUTH_PROTOCOL_VERSION, &error) < 0) {
            ipc_msg_destroy(&m);
            report_fail(c, error);
            return;
        }
        ipc_msg_destroy(&m);
        c->hello_seen = true;
        if ((pending = c->pending) != NULL) {
            c->pending = NULL;
            c->waiting = false;
            send_request(c, pending);
        }
        return;
    }
    if (!c->waiting || parse_reply(m, &r, &error) < 0) {
        ipc_msg_destroy(&m);
        report_fail(c, c->waiting ? err_fmt("bad reply: %s", error) : "a reply nobody asked for");
        return;
    }
    c->waiting = false;
    event_timer_remove(&c->timer);
    c->fn(c->ctx, &r); /* r's strings live in m until it returns */
    ipc_msg_destroy(&m);
}

/* on_close - authd went away */
static void on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct auth_client *c = ctx;

    (void)chan;
    if (c->waiting || !c->hello_seen)
        report_fail(c, err_fmt("connection lost: %s", reason != NULL ? reason : "closed by authd"));
    else
        ipc_chan_destroy(&c->chan);
}

struct auth_client *auth_client_start(struct event_loop *loop, const char *path, uint64_t timeout_ms,
                                      const struct auth_client_request *req, auth_client_fn *fn, void *ctx,
                                      const char **error_r)
{
    struct auth_client *c;
    struct ipc_msg *m;
    int fd;

    if (req->response != NULL && req->response_len > AUTH_RESPONSE_MAX) {
        errf(error_r, "response of %zu bytes is too long", req->response_len);
        return NULL;
    }
    if (ipc_connect_nonblock(path, &fd, error_r) < 0)
        return NULL;
    c = xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->fn = fn;
    c->ctx = ctx;
    c->timeout_ms = timeout_ms;
    c->chan = ipc_chan_create(loop, fd, AUTH_FRAME_MAX, on_msg, on_close, c);
    m = ipc_msg_create();
    ipc_msg_add_str(m, AUTH_A_REQUEST, AUTH_REQ_START);
    ipc_msg_add_str(m, AUTH_A_SERVICE, req->service);
    ipc_msg_add_str(m, AUTH_A_MECHANISM, req->mechanism);
    ipc_msg_add_str(m, AUTH_A_CLIENT_ADDR, req->client_addr);
    if (req->response != NULL)
        ipc_msg_add_data(m, AUTH_A_RESPONSE, req->response, req->response_len);
    send_request(c, m);
    return c;
}

void auth_client_step(struct auth_client *c, const void *response, size_t len)
{
    struct ipc_msg *m = ipc_msg_create();

    ipc_msg_add_str(m, AUTH_A_REQUEST, AUTH_REQ_STEP);
    ipc_msg_add_data(m, AUTH_A_RESPONSE, response, len);
    send_request(c, m);
}

void auth_client_destroy(struct auth_client **c_r)
{
    struct auth_client *c = *c_r;

    if (c == NULL)
        return;
    event_timer_remove(&c->timer);
    ipc_chan_destroy(&c->chan);
    ipc_msg_destroy(&c->pending);
    free(c);
    *c_r = NULL;
}
