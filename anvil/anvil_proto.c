/* SPDX-License-Identifier: MIT
 * anvil_proto - the anvil protocol: a command table of request checks and
 * effects, the replies, and one ipc channel per client of anvil.
 *
 * Owns the service state (the table, the status and purge timers, the list
 * of clients) and each client's channel and owner record. Requests come
 * from sibling daemons and are untrusted: every attribute is checked before
 * the table sees it, a malformed request gets status=1 and one warning line
 * naming the client, and a broken frame ends that client's channel (which
 * releases its connections) without touching any other client.
 *
 * Limits: frames of ipc_max_frame_size or ANVIL_FRAME_MAX, whichever is
 * less; service and ident of 1..255 printable bytes; anvil_table_limit
 * entries (anvil_table.c).
 *
 * See also: anvil_proto.h (the protocol), anvil_table.h, ipc_chan.h.
 */
#include "anvil_proto.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mail/params.h"
#include "mail/server.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"
#include "util/peercred.h"

struct anvil_command;
typedef struct ipc_msg *anvil_proceed_fn(struct anvil_table *t, struct anvil_owner *o,
                                         const struct anvil_request *req, const struct anvil_command *cmd,
                                         uint64_t now);

/* One row per request: its name, type, the event it counts, and its effect. */
struct anvil_command {
    const char *name;
    enum anvil_request_type type;
    enum anvil_event event;
    anvil_proceed_fn *proceed;
};

struct anvil_client;

/* The whole daemon's state (the server's context). */
struct anvil_service {
    struct server *server;
    struct anvil_table *table;
    struct event_timer *status_timer;
    struct event_timer *purge_timer;
    struct anvil_client *clients;
    unsigned long next_id;
    size_t max_frame;
};

struct anvil_client {
    struct anvil_service *svc;
    struct ipc_chan *chan;
    struct anvil_owner *owner;
    struct anvil_client *prev, *next;
    char name[96]; /* "client 3 (pid 1234, uid 107)" */
};

/* reply_ok - a new "status=0" reply */
static struct ipc_msg *reply_ok(void)
{
    struct ipc_msg *r = ipc_msg_create();

    ipc_msg_add_int(r, "status", ANVIL_STATUS_OK);
    return r;
}

/* anvil_proto_refusal - a "status=1, reason=..." reply */
struct ipc_msg *anvil_proto_refusal(const char *reason)
{
    struct ipc_msg *r = ipc_msg_create();

    ipc_msg_add_int(r, "status", ANVIL_STATUS_REFUSED);
    ipc_msg_add_str(r, "reason", reason);
    return r;
}

/* proceed_connect - count a connection: count and connection rate */
static struct ipc_msg *proceed_connect(struct anvil_table *t, struct anvil_owner *o,
                                       const struct anvil_request *req, const struct anvil_command *cmd,
                                       uint64_t now)
{
    struct anvil_counts c;
    struct ipc_msg *r;
    const char *error;

    (void)cmd;
    if (anvil_table_connect(t, o, req->service, req->ident, now, &c, &error) < 0)
        return anvil_proto_refusal(error);
    r = reply_ok();
    ipc_msg_add_int(r, "count", (int64_t)c.count);
    ipc_msg_add_int(r, "rate", (int64_t)c.rate[ANVIL_EVENT_CONNECT]);
    return r;
}

/* proceed_disconnect - release one of this client's connections */
static struct ipc_msg *proceed_disconnect(struct anvil_table *t, struct anvil_owner *o,
                                          const struct anvil_request *req, const struct anvil_command *cmd,
                                          uint64_t now)
{
    (void)cmd;
    /* Releasing what the client does not hold changes nothing: still ok,
     * since the client's view (that connection is gone) is right. */
    if (anvil_table_disconnect(t, o, req->service, req->ident, now) == 0)
        msg_debug("disconnect for (%s/%s) that this client does not hold", req->service, req->ident);
    return reply_ok();
}

/* proceed_event - count a message, recipient or auth failure: its rate */
static struct ipc_msg *proceed_event(struct anvil_table *t, struct anvil_owner *o,
                                     const struct anvil_request *req, const struct anvil_command *cmd,
                                     uint64_t now)
{
    struct ipc_msg *r;
    const char *error;
    uint64_t rate;

    (void)o;
    if (anvil_table_event(t, req->service, req->ident, cmd->event, now, &rate, &error) < 0)
        return anvil_proto_refusal(error);
    r = reply_ok();
    ipc_msg_add_int(r, "rate", (int64_t)rate);
    return r;
}

/* proceed_lookup - report a key's count and every rate */
static struct ipc_msg *proceed_lookup(struct anvil_table *t, struct anvil_owner *o,
                                      const struct anvil_request *req, const struct anvil_command *cmd,
                                      uint64_t now)
{
    struct anvil_counts c;
    struct ipc_msg *r;
    char name[32];
    int ev;

    (void)o;
    (void)cmd;
    anvil_table_lookup(t, req->service, req->ident, now, &c);
    r = reply_ok();
    ipc_msg_add_int(r, "count", (int64_t)c.count);
    for (ev = 0; ev < ANVIL_EVENT_COUNT; ev++) {
        snprintf(name, sizeof(name), "%s_rate", anvil_event_name(ev));
        ipc_msg_add_int(r, name, (int64_t)c.rate[ev]);
    }
    return r;
}

static const struct anvil_command anvil_commands[] = {
    { "connect", ANVIL_REQ_CONNECT, ANVIL_EVENT_CONNECT, proceed_connect },
    { "disconnect", ANVIL_REQ_DISCONNECT, ANVIL_EVENT_CONNECT, proceed_disconnect },
    { "message", ANVIL_REQ_MESSAGE, ANVIL_EVENT_MESSAGE, proceed_event },
    { "recipient", ANVIL_REQ_RECIPIENT, ANVIL_EVENT_RECIPIENT, proceed_event },
    { "auth_fail", ANVIL_REQ_AUTH_FAIL, ANVIL_EVENT_AUTH_FAIL, proceed_event },
    { "lookup", ANVIL_REQ_LOOKUP, ANVIL_EVENT_CONNECT, proceed_lookup },
};
#define ANVIL_COMMAND_COUNT (sizeof(anvil_commands) / sizeof(anvil_commands[0]))

/* anvil_proto_check_name - 1..255 bytes of printable ASCII, no space */
int anvil_proto_check_name(const char *what, const char *s, const char **error_r)
{
    size_t i, len = strnlen(s, ANVIL_NAME_MAX + 1);

    if (len == 0)
        return errf(error_r, "%s is empty", what);
    if (len > ANVIL_NAME_MAX)
        return errf(error_r, "%s is longer than %d bytes", what, ANVIL_NAME_MAX);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= 0x20 || c >= 0x7f)
            return errf(error_r, "%s has the byte 0x%02x at offset %zu (printable ASCII without space only)",
                        what, c, i);
    }
    return 0;
}

/* anvil_proto_check - the request, its service and its ident */
int anvil_proto_check(const struct ipc_msg *m, struct anvil_request *req_r, const char **error_r)
{
    const char *name, *service, *ident;
    size_t i;

    if (ipc_msg_get_str(m, "request", &name, error_r) < 0)
        return -1;
    for (i = 0; i < ANVIL_COMMAND_COUNT; i++)
        if (strcmp(anvil_commands[i].name, name) == 0)
            break;
    if (i == ANVIL_COMMAND_COUNT)
        return errf(error_r, "unknown request \"%.64s\"", name);
    if (ipc_msg_get_str(m, "service", &service, error_r) < 0
        || anvil_proto_check_name("service", service, error_r) < 0
        || ipc_msg_get_str(m, "ident", &ident, error_r) < 0
        || anvil_proto_check_name("ident", ident, error_r) < 0)
        return -1;
    req_r->type = anvil_commands[i].type;
    req_r->name = anvil_commands[i].name;
    req_r->service = service;
    req_r->ident = ident;
    return 0;
}

/* anvil_proto_proceed - run the request's row of the command table */
struct ipc_msg *anvil_proto_proceed(struct anvil_table *t, struct anvil_owner *o,
                                    const struct anvil_request *req, uint64_t now)
{
    const struct anvil_command *cmd = &anvil_commands[0];

    while (cmd->type != req->type) {
        cmd++;
        ASSERT(cmd < anvil_commands + ANVIL_COMMAND_COUNT);
    }
    return cmd->proceed(t, o, req, cmd, now);
}

/* anvil_proto_handle - check, then proceed or refuse */
struct ipc_msg *anvil_proto_handle(struct anvil_table *t, struct anvil_owner *o, const struct ipc_msg *m,
                                   uint64_t now, const char **error_r)
{
    struct anvil_request req;
    const char *error;

    *error_r = NULL;
    if (anvil_proto_check(m, &req, &error) < 0) {
        *error_r = error;
        return anvil_proto_refusal(error);
    }
    return anvil_proto_proceed(t, o, &req, now);
}

/* client_destroy - release the client's connections, close, tell the server */
static void client_destroy(struct anvil_client *c, bool tell_server)
{
    struct anvil_service *svc = c->svc;
    uint64_t released;

    released = anvil_owner_destroy(&c->owner, event_now(server_loop(svc->server)));
    if (released > 0)
        msg_info("%s: closed holding %llu connection%s: released", c->name, (unsigned long long)released,
                 released == 1 ? "" : "s");
    else
        msg_debug("%s: closed", c->name);
    ipc_chan_destroy(&c->chan);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        svc->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    xfree(c);
    if (tell_server)
        server_client_done(svc->server);
}

/* client_on_close - the client closed its channel, or the channel failed */
static void client_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct anvil_client *c = ctx;

    (void)chan;
    if (reason != NULL)
        msg_warn("%s: closing the channel: %s", c->name, reason);
    client_destroy(c, true);
}

/* client_on_msg - answer one request */
static void client_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct anvil_client *c = ctx;
    struct anvil_service *svc = c->svc;
    uint64_t refused = anvil_table_stats(svc->table)->refused;
    struct ipc_msg *reply;
    const char *error;

    reply = anvil_proto_handle(svc->table, c->owner, m, event_now(server_loop(svc->server)), &error);
    if (error != NULL)
        msg_warn("bad request from %s: %s", c->name, error);
    else if (refused == 0 && anvil_table_stats(svc->table)->refused > 0)
        msg_warn("table full: %zu entries, none idle (anvil_table_limit); refusing new keys",
                 anvil_table_size(svc->table));
    ipc_msg_destroy(&m);
    if (ipc_chan_send(chan, reply, &error) < 0) {
        msg_warn("%s: cannot reply: %s", c->name, error);
        client_destroy(c, true);
    }
    ipc_msg_destroy(&reply);
}

/* anvil_proto_accept - a new client: its channel, its owner, the hello */
void anvil_proto_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    struct anvil_service *svc = server_context(s);
    struct anvil_client *c = xcalloc(1, sizeof(*c));
    struct ipc_msg *hello;
    const char *error;

    (void)peer;
    (void)peer_len;
    c->svc = svc;
    peercred_name(fd, ++svc->next_id, c->name, sizeof(c->name));
    c->owner = anvil_owner_create(svc->table);
    c->chan = ipc_chan_create(server_loop(s), fd, svc->max_frame, client_on_msg, client_on_close, c);
    c->next = svc->clients;
    if (svc->clients != NULL)
        svc->clients->prev = c;
    svc->clients = c;
    msg_debug("%s: connected", c->name);
    hello = ipc_hello_create(ANVIL_PROTOCOL, ANVIL_PROTOCOL_VERSION);
    if (ipc_chan_send(c->chan, hello, &error) < 0) {
        msg_warn("%s: cannot send the hello: %s", c->name, error);
        client_destroy(c, true);
    }
    ipc_msg_destroy(&hello);
}

/* status_timer_fired - log the peaks every anvil_status_update_time */
static void status_timer_fired(void *ctx)
{
    struct anvil_service *svc = ctx;
    struct event_loop *loop = server_loop(svc->server);

    anvil_table_stats_log(svc->table, event_now(loop), time(NULL));
    svc->status_timer = event_timer_add(loop, (uint64_t)server_params(svc->server)->anvil_status_update_time,
                                        status_timer_fired, svc);
}

/* purge_timer_fired - drop expired idle entries every rate time unit */
static void purge_timer_fired(void *ctx)
{
    struct anvil_service *svc = ctx;
    struct event_loop *loop = server_loop(svc->server);
    size_t n = anvil_table_purge(svc->table, event_now(loop));

    if (n > 0)
        msg_debug("purged %zu idle entries, %zu left", n, anvil_table_size(svc->table));
    svc->purge_timer = event_timer_add(loop, (uint64_t)server_params(svc->server)->anvil_rate_time_unit,
                                       purge_timer_fired, svc);
}

/* anvil_proto_init - the table and the timers, after the privilege drop */
void anvil_proto_init(struct server *s)
{
    const struct params *p = server_params(s);
    struct anvil_service *svc = xcalloc(1, sizeof(*svc));

    svc->server = s;
    /* A request is under 1 KiB: a smaller cap bounds each client's buffer. */
    svc->max_frame = (size_t)p->ipc_max_frame_size;
    if (svc->max_frame > ANVIL_FRAME_MAX)
        svc->max_frame = ANVIL_FRAME_MAX;
    svc->table = anvil_table_create((size_t)p->anvil_table_limit, (uint64_t)p->anvil_rate_time_unit);
    svc->status_timer =
        event_timer_add(server_loop(s), (uint64_t)p->anvil_status_update_time, status_timer_fired, svc);
    svc->purge_timer =
        event_timer_add(server_loop(s), (uint64_t)p->anvil_rate_time_unit, purge_timer_fired, svc);
    server_set_context(s, svc);
    msg_debug("table limit %lld, rate time unit %lldms", (long long)p->anvil_table_limit,
              (long long)p->anvil_rate_time_unit);
}

/* anvil_proto_deinit - final statistics, then free everything */
void anvil_proto_deinit(struct server *s)
{
    struct anvil_service *svc = server_context(s);

    if (svc == NULL)
        return;
    anvil_table_stats_log(svc->table, event_now(server_loop(s)), time(NULL));
    while (svc->clients != NULL)
        client_destroy(svc->clients, false);
    event_timer_remove(&svc->status_timer);
    event_timer_remove(&svc->purge_timer);
    anvil_table_destroy(&svc->table);
    server_set_context(s, NULL);
    xfree(svc);
}
