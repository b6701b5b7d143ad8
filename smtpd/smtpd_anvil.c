/* SPDX-License-Identifier: MIT
 * smtpd_anvil - the anvil client on one shared non-blocking channel.
 *
 * Owns: the channel and the FIFO of requests waiting for a reply. The
 * hello is checked first; requests made before it are queued and sent
 * right after. A failed channel answers every waiting connect with -1
 * (unknown) and is reopened at the next request.
 *
 * See also: smtpd_anvil.h.
 */
#include "smtpd_anvil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

#define SMTPD_ANVIL_FRAME_MAX 65536

struct smtpd_anvil_req {
    struct smtpd_anvil_req *next;
    struct ipc_msg *msg; /* not yet sent (before the hello) */
    smtpd_anvil_fn *fn;  /* NULL: a disconnect, or cancelled */
    void *ctx;
};

struct smtpd_anvil {
    struct event_loop *loop;
    char *path;
    struct ipc_chan *chan;
    bool hello_seen;
    struct smtpd_anvil_req *head, **tail;
};

/* smtpd_anvil_create - remember where anvil listens */
struct smtpd_anvil *smtpd_anvil_create(struct event_loop *loop, const char *path)
{
    struct smtpd_anvil *a = xcalloc(1, sizeof(*a));

    a->loop = loop;
    a->path = xstrdup(path);
    a->tail = &a->head;
    return a;
}

/* anvil_fail_all - the channel is gone: waiting connects learn -1 */
static void anvil_fail_all(struct smtpd_anvil *a, const char *why)
{
    struct smtpd_anvil_req *r;

    msg_warn("anvil: %s: connection counts are not enforced", why);
    ipc_chan_destroy(&a->chan);
    a->hello_seen = false;
    while ((r = a->head) != NULL) {
        a->head = r->next;
        if (r->fn != NULL)
            r->fn(r->ctx, -1, -1);
        ipc_msg_destroy(&r->msg);
        free(r);
    }
    a->tail = &a->head;
}

/* anvil_on_msg - the hello, then replies in request order */
static void anvil_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct smtpd_anvil *a = ctx;
    struct smtpd_anvil_req *r;
    const char *error;
    int64_t status = -1, count = -1, rate = -1;

    (void)chan;
    if (!a->hello_seen) {
        if (ipc_hello_check(m, "anvil", 1, &error) < 0) {
            ipc_msg_destroy(&m);
            anvil_fail_all(a, error);
            return;
        }
        a->hello_seen = true;
        for (r = a->head; r != NULL; r = r->next)
            if (r->msg != NULL && ipc_chan_send(a->chan, r->msg, &error) == 0)
                ipc_msg_destroy(&r->msg);
        ipc_msg_destroy(&m);
        return;
    }
    if ((r = a->head) == NULL) {
        ipc_msg_destroy(&m);
        anvil_fail_all(a, "reply without a request");
        return;
    }
    a->head = r->next;
    if (a->head == NULL)
        a->tail = &a->head;
    if (ipc_msg_get_int(m, "status", &status, &error) < 0 || status != 0
        || (r->fn != NULL
            && (ipc_msg_get_int(m, "count", &count, &error) < 0
                || ipc_msg_get_int(m, "rate", &rate, &error) < 0)))
        count = rate = -1;
    ipc_msg_destroy(&m);
    if (r->fn != NULL)
        r->fn(r->ctx, count, rate);
    free(r);
}

/* anvil_on_close - anvil went away */
static void anvil_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)chan;
    anvil_fail_all(ctx, reason != NULL ? reason : "connection closed");
}

/* anvil_open - connect if not connected; -1 when anvil is not there */
static int anvil_open(struct smtpd_anvil *a)
{
    const char *error;
    int fd;

    if (a->chan != NULL)
        return 0;
    if (ipc_connect_nonblock(a->path, &fd, &error) < 0) {
        msg_warn("anvil: %s: connection counts are not enforced", error);
        return -1;
    }
    a->chan = ipc_chan_create(a->loop, fd, SMTPD_ANVIL_FRAME_MAX, anvil_on_msg, anvil_on_close, a);
    return 0;
}

/* anvil_request - queue one request (sent now if the hello was seen) */
static struct smtpd_anvil_req *anvil_request(struct smtpd_anvil *a, const char *request, const char *ident,
                                             smtpd_anvil_fn *fn, void *ctx)
{
    struct smtpd_anvil_req *r;
    const char *error;

    if (anvil_open(a) < 0)
        return NULL;
    r = xcalloc(1, sizeof(*r));
    r->fn = fn;
    r->ctx = ctx;
    r->msg = ipc_msg_create();
    ipc_msg_add_str(r->msg, "request", request);
    ipc_msg_add_str(r->msg, "service", "smtpd");
    ipc_msg_add_str(r->msg, "ident", ident);
    *a->tail = r;
    a->tail = &r->next;
    if (a->hello_seen) {
        if (ipc_chan_send(a->chan, r->msg, &error) < 0) {
            r->fn = NULL; /* the caller learns from NULL, not from a callback */
            anvil_fail_all(a, error);
            return NULL;
        }
        ipc_msg_destroy(&r->msg);
    }
    return r;
}

/* smtpd_anvil_connect - count one connection */
struct smtpd_anvil_req *smtpd_anvil_connect(struct smtpd_anvil *a, const char *ident, smtpd_anvil_fn *fn,
                                            void *ctx)
{
    return anvil_request(a, "connect", ident, fn, ctx);
}

/* smtpd_anvil_cancel - forget the callback, keep the FIFO in step */
void smtpd_anvil_cancel(struct smtpd_anvil_req **r_r)
{
    if (*r_r != NULL)
        (*r_r)->fn = NULL;
    *r_r = NULL;
}

/* smtpd_anvil_disconnect - release a connection; the reply is ignored */
void smtpd_anvil_disconnect(struct smtpd_anvil *a, const char *ident)
{
    (void)anvil_request(a, "disconnect", ident, NULL, NULL);
}

/* smtpd_anvil_destroy - close and free without callbacks */
void smtpd_anvil_destroy(struct smtpd_anvil **a_r)
{
    struct smtpd_anvil *a = *a_r;
    struct smtpd_anvil_req *r;

    if (a == NULL)
        return;
    *a_r = NULL;
    ipc_chan_destroy(&a->chan);
    while ((r = a->head) != NULL) {
        a->head = r->next;
        ipc_msg_destroy(&r->msg);
        free(r);
    }
    free(a->path);
    free(a);
}
