/* SPDX-License-Identifier: MIT
 * authd_proto - the exchanges authd serves, with penalties and logs.
 *
 * See also: authd_proto.h, lib/sasl/auth_proto.h, authd_sasl.h,
 * authd_penalty.h.
 */
#include "authd_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authd_passwd.h"
#include "authd_penalty.h"
#include "authd_sasl.h"
#include "mail/params.h"
#include "mail/server.h"
#include "mail/word_list.h"
#include "sasl/auth_proto.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

struct authd_service {
    struct server *server;
    const struct params *p;
    struct authd_sasl_env env;
};

struct authd_client {
    struct authd_service *svc;
    struct ipc_chan *chan;
    struct authd_exchange x;
    bool started;    /* a start was taken */
    bool continuing; /* a step may come */
    bool finished;   /* the final reply is out or waiting */
    char service[AUTH_SERVICE_MAX + 1];
    char mech[AUTH_MECHANISM_MAX + 1];
    char addr[AUTH_CLIENT_ADDR_MAX + 1];
    struct event_timer *reply_timer;
    struct ipc_msg *delayed; /* the failure reply, sent after the delay */
};

/* The passwords map, opened by pre_jail while still root. */
static struct authd_passwd *authd_passwd_handle;

static void client_destroy(struct authd_client *c);

/* clock_ms - the loop's monotonic clock, for the penalty table */
static uint64_t clock_ms(void *ctx)
{
    return event_now(server_loop(ctx));
}

/* send_reply - one reply now; a send failure ends the client */
static void send_reply(struct authd_client *c, struct ipc_msg *m)
{
    const char *error;

    if (ipc_chan_send(c->chan, m, &error) < 0)
        msg_warn("auth client: %s", error);
    ipc_msg_destroy(&m);
}

/* reply_fired - the delayed failure goes out */
static void reply_fired(void *ctx)
{
    struct authd_client *c = ctx;
    struct ipc_msg *m = c->delayed;

    c->reply_timer = NULL;
    c->delayed = NULL;
    send_reply(c, m);
}

/* key_of - "a:ADDR" or "u:ACCOUNT" */
static const char *key_of(char *buf, size_t size, char kind, const char *name)
{
    snprintf(buf, size, "%c:%s", kind, name);
    return buf;
}

/* count_failure - one failure for the address and the account; the
 * failures of the address; logs a lockout that begins */
static unsigned count_failure(struct authd_client *c, uint64_t now)
{
    struct authd_penalty *pen = c->svc->env.penalty;
    char key[MAP_KEY_MAX + 3];
    unsigned n = 0, m = 0;
    uint64_t secs = (uint64_t)c->svc->p->auth_lockout_time / 1000;

    if (authd_penalty_fail(pen, key_of(key, sizeof(key), 'a', c->addr), now, &n))
        msg_warn("auth lockout: client %s locked for %llu s after %u failures", c->addr,
                 (unsigned long long)secs, n);
    if (c->x.account[0] != '\0'
        && authd_penalty_fail(pen, key_of(key, sizeof(key), 'u', c->x.account), now, &m))
        msg_warn("auth lockout: account <%s> locked for %llu s after %u failures", c->x.account,
                 (unsigned long long)secs, m);
    return n > m ? n : m;
}

/* penalty_delay - the longer delay of the address and the account */
static uint64_t penalty_delay(struct authd_client *c, uint64_t now)
{
    struct authd_penalty *pen = c->svc->env.penalty;
    char key[MAP_KEY_MAX + 3];
    uint64_t a = authd_penalty_delay(pen, key_of(key, sizeof(key), 'a', c->addr), now), u = 0;

    if (c->x.account[0] != '\0')
        u = authd_penalty_delay(pen, key_of(key, sizeof(key), 'u', c->x.account), now);
    return a > u ? a : u;
}

/* verdict_text - what the log says about a failure */
static const char *verdict_text(const struct authd_client *c, const char *reason)
{
    switch (c->x.verdict) {
    case AUTHD_V_MISMATCH:
        return "password mismatch";
    case AUTHD_V_UNKNOWN:
        return "unknown user";
    case AUTHD_V_BADNAME:
        return "not an account name";
    case AUTHD_V_LOCKED:
        return "account locked out";
    case AUTHD_V_AUTHZ:
        return err_fmt("authzid <%s> not allowed", c->x.authzid);
    case AUTHD_V_TEMPFAIL:
        return err_fmt("cannot check: %s", c->x.temp_error != NULL ? c->x.temp_error : "unknown error");
    default:
        return reason;
    }
}

/* fail - the final failure: count, log, reply after the delay */
static void fail(struct authd_client *c, const char *reason, const char *why, bool counts)
{
    uint64_t now = event_now(server_loop(c->svc->server)), delay = 0;
    unsigned failures = 0;
    struct ipc_msg *m = ipc_msg_create();

    c->finished = true;
    if (counts)
        failures = count_failure(c, now);
    if (strcmp(reason, AUTH_R_TEMPORARY) != 0 && strcmp(reason, AUTH_R_PROTOCOL) != 0)
        delay = penalty_delay(c, now);
    msg_warn("auth failed: service=%s mechanism=%s user=<%s> client=%s reason=%s failures=%u delay=%llums",
             c->service, c->mech, c->x.account, c->addr, why, failures, (unsigned long long)delay);
    ipc_msg_add_str(m, AUTH_A_STATUS, AUTH_ST_FAIL);
    ipc_msg_add_str(m, AUTH_A_REASON, reason);
    if (delay == 0) {
        send_reply(c, m);
        return;
    }
    c->delayed = m;
    c->reply_timer = event_timer_add(server_loop(c->svc->server), delay, reply_fired, c);
}

/* succeed - logged in: clear the counts, log, reply */
static void succeed(struct authd_client *c)
{
    struct authd_penalty *pen = c->svc->env.penalty;
    const char *user = authd_exchange_user(&c->x);
    char key[MAP_KEY_MAX + 3];
    struct ipc_msg *m;

    if (user == NULL) {
        fail(c, AUTH_R_TEMPORARY, "libsasl2 gave no user name", false);
        return;
    }
    c->finished = true;
    authd_penalty_clear(pen, key_of(key, sizeof(key), 'a', c->addr));
    authd_penalty_clear(pen, key_of(key, sizeof(key), 'u', c->x.account));
    msg_info("auth ok: service=%s mechanism=%s user=<%s> client=%s", c->service, c->mech, user, c->addr);
    m = ipc_msg_create();
    ipc_msg_add_str(m, AUTH_A_STATUS, AUTH_ST_OK);
    ipc_msg_add_str(m, AUTH_A_USER, user);
    send_reply(c, m);
}

/* outcome - what libsasl2 said to a start or step */
static void outcome(struct authd_client *c, int rc, const char *out, unsigned outlen)
{
    struct ipc_msg *m;

    if (rc == SASL_OK) {
        succeed(c);
    } else if (rc == SASL_CONTINUE) {
        c->continuing = true;
        m = ipc_msg_create();
        ipc_msg_add_str(m, AUTH_A_STATUS, AUTH_ST_CONTINUE);
        ipc_msg_add_data(m, AUTH_A_CHALLENGE, out != NULL ? out : "", out != NULL ? outlen : 0);
        send_reply(c, m);
    } else if (c->x.verdict == AUTHD_V_TEMPFAIL) {
        fail(c, AUTH_R_TEMPORARY, verdict_text(c, ""), false);
    } else if (c->x.verdict == AUTHD_V_LOCKED) {
        fail(c, AUTH_R_LOCKED, verdict_text(c, ""), false);
    } else if (rc == SASL_NOMECH && c->x.verdict == AUTHD_V_NONE) {
        fail(c, AUTH_R_MECHANISM, "mechanism not available in libsasl2", false);
    } else if ((rc == SASL_FAIL || rc == SASL_TRYAGAIN || rc == SASL_UNAVAIL || rc == SASL_NOMEM)
               && c->x.verdict == AUTHD_V_NONE) {
        /* the cyrus backend could not check (saslauthd down, sasldb unreadable) */
        fail(c, AUTH_R_TEMPORARY, err_fmt("cannot check: %s", sasl_errstring(rc, NULL, NULL)), false);
    } else {
        fail(c, AUTH_R_CREDENTIALS, verdict_text(c, sasl_errstring(rc, NULL, NULL)), true);
    }
}

/* word_ok - 1..max bytes, each accepted by the class */
static bool word_ok(const char *s, size_t max, const char *cls)
{
    size_t n = strlen(s);

    return n > 0 && n <= max && strspn(s, cls) == n;
}

/* start - the first request of the connection */
static void start(struct authd_client *c, const struct ipc_msg *m)
{
    static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    const char *service, *mech, *addr, *error;
    const void *resp = NULL;
    size_t resp_len = 0;
    char key[AUTH_CLIENT_ADDR_MAX + 3];
    uint64_t left;
    const char *out;
    unsigned outlen;
    int rc;

    c->started = true;
    if (ipc_msg_get_str(m, AUTH_A_SERVICE, &service, &error) < 0
        || ipc_msg_get_str(m, AUTH_A_MECHANISM, &mech, &error) < 0
        || ipc_msg_get_str(m, AUTH_A_CLIENT_ADDR, &addr, &error) < 0
        || (ipc_msg_has(m, AUTH_A_RESPONSE)
            && ipc_msg_get_data(m, AUTH_A_RESPONSE, &resp, &resp_len, &error) < 0))
        ;
    else if (!word_ok(service, AUTH_SERVICE_MAX, "abcdefghijklmnopqrstuvwxyz"))
        error = "bad service";
    else if (!word_ok(mech, AUTH_MECHANISM_MAX, upper))
        error = "bad mechanism";
    else if (!word_ok(addr, AUTH_CLIENT_ADDR_MAX,
                      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.:[]_-"))
        error = "bad client_addr";
    else if (resp_len > AUTH_RESPONSE_MAX)
        error = "response too long";
    else
        error = NULL;
    if (error != NULL) {
        snprintf(c->addr, sizeof(c->addr), "unknown");
        fail(c, AUTH_R_PROTOCOL, err_fmt("bad start request: %s", error), false);
        return;
    }
    snprintf(c->service, sizeof(c->service), "%s", service);
    snprintf(c->mech, sizeof(c->mech), "%s", mech);
    snprintf(c->addr, sizeof(c->addr), "%s", addr);
    if (authd_penalty_locked(c->svc->env.penalty, key_of(key, sizeof(key), 'a', c->addr),
                             event_now(server_loop(c->svc->server)), &left)) {
        fail(c, AUTH_R_LOCKED, err_fmt("client locked out for %llu s more", (unsigned long long)left / 1000),
             false);
        return;
    }
    if (!word_list_has(c->svc->p->auth_mechanisms, mech, strlen(mech))) {
        fail(c, AUTH_R_MECHANISM, "mechanism not offered", false);
        return;
    }
    if (authd_exchange_new(&c->x, &c->svc->env, c->service, c->svc->p->myhostname, &error) < 0) {
        c->x.verdict = AUTHD_V_TEMPFAIL;
        c->x.temp_error = error;
        fail(c, AUTH_R_TEMPORARY, verdict_text(c, ""), false);
        return;
    }
    rc = authd_exchange_start(&c->x, c->mech, resp, (unsigned)resp_len, &out, &outlen);
    outcome(c, rc, out, outlen);
}

/* step - the next response of a continuing exchange */
static void step(struct authd_client *c, const struct ipc_msg *m)
{
    const void *resp;
    size_t resp_len;
    const char *error, *out;
    unsigned outlen;
    int rc;

    c->continuing = false;
    if (ipc_msg_get_data(m, AUTH_A_RESPONSE, &resp, &resp_len, &error) < 0 || resp_len > AUTH_RESPONSE_MAX) {
        fail(c, AUTH_R_PROTOCOL, "bad step request", false);
        return;
    }
    rc = authd_exchange_step(&c->x, resp, (unsigned)resp_len, &out, &outlen);
    outcome(c, rc, out, outlen);
}

/* client_on_msg - start, then steps while the exchange continues */
static void client_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct authd_client *c = ctx;
    const char *request = NULL, *error;

    (void)chan;
    if (ipc_msg_get_str(m, AUTH_A_REQUEST, &request, &error) < 0)
        request = "";
    if (!c->finished && !c->started && strcmp(request, AUTH_REQ_START) == 0)
        start(c, m);
    else if (!c->finished && c->continuing && strcmp(request, AUTH_REQ_STEP) == 0)
        step(c, m);
    else if (!c->finished)
        fail(c, AUTH_R_PROTOCOL, err_fmt("unexpected request \"%.40s\"", request), false);
    else
        msg_warn("auth client: request after the exchange ended; ignored");
    ipc_msg_destroy(&m);
}

/* client_on_close - the client daemon hung up (an abort, or done) */
static void client_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct authd_client *c = ctx;

    (void)chan;
    if (reason != NULL)
        msg_warn("auth client %s: %s", c->addr[0] ? c->addr : "(before start)", reason);
    else if (c->started && !c->finished)
        msg_info("auth aborted: service=%s mechanism=%s user=<%s> client=%s", c->service, c->mech,
                 c->x.account, c->addr);
    client_destroy(c);
}

static void client_destroy(struct authd_client *c)
{
    event_timer_remove(&c->reply_timer);
    ipc_msg_destroy(&c->delayed);
    authd_exchange_end(&c->x);
    ipc_chan_destroy(&c->chan);
    server_client_done(c->svc->server);
    free(c);
}

void authd_proto_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    struct authd_client *c = xcalloc(1, sizeof(*c));
    struct ipc_msg *hello;
    const char *error;

    (void)peer;
    (void)peer_len;
    c->svc = server_context(s);
    c->chan = ipc_chan_create(server_loop(s), fd, AUTH_FRAME_MAX, client_on_msg, client_on_close, c);
    hello = ipc_hello_create(AUTH_PROTOCOL, AUTH_PROTOCOL_VERSION);
    if (ipc_chan_send(c->chan, hello, &error) < 0) {
        msg_warn("auth client: cannot send the hello: %s", error);
        client_destroy(c);
    }
    ipc_msg_destroy(&hello);
}

void authd_proto_pre_jail(struct server *s)
{
    const struct params *p = server_params(s);
    const char *error;
    char *path;

    if (strcmp(p->auth_backend, "petrel") != 0)
        return;
    path = xasprintf("%s/maps/passwords", p->data_directory);
    if ((authd_passwd_handle = authd_passwd_open(path, &error)) == NULL)
        msg_fatal("%s", error);
    free(path);
}

void authd_proto_init(struct server *s)
{
    struct authd_service *svc = xcalloc(1, sizeof(*svc));
    const struct params *p = server_params(s);
    struct authd_penalty_limits lim = {
        .window = (uint64_t)p->auth_failure_window,
        .limit = (unsigned)p->auth_failure_limit,
        .lockout = (uint64_t)p->auth_lockout_time,
        .delay_base = (uint64_t)p->auth_failure_delay,
        .delay_max = (uint64_t)p->auth_failure_delay_max,
        .max = (size_t)p->auth_penalty_table_limit,
    };
    const char *error, *m, *list;
    char word[AUTH_MECHANISM_MAX + 1];
    size_t n;

    svc->server = s;
    svc->p = p;
    svc->env.passwd = authd_passwd_handle;
    svc->env.penalty = authd_penalty_create(&lim);
    svc->env.proxy_users = p->auth_proxy_users;
    svc->env.now = clock_ms;
    svc->env.now_ctx = s;
    if (authd_sasl_init(p, &error) < 0)
        msg_fatal("%s", error);
    for (list = p->auth_mechanisms; word_list_next(&list, &m, &n);) {
        snprintf(word, sizeof(word), "%.*s", (int)(n < AUTH_MECHANISM_MAX ? n : AUTH_MECHANISM_MAX), m);
        if (!authd_sasl_mech_available(word))
            msg_error("auth_mechanisms: libsasl2 has no %s mechanism (package libsasl2-modules?)", word);
    }
    server_set_context(s, svc);
}

void authd_proto_deinit(struct server *s)
{
    struct authd_service *svc = server_context(s);

    if (svc == NULL)
        return;
    authd_penalty_destroy(&svc->env.penalty);
    authd_passwd_close(&authd_passwd_handle);
    authd_sasl_done();
    server_set_context(s, NULL);
    free(svc);
}
