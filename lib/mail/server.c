/* SPDX-License-Identifier: MIT
 * server - the daemon skeleton: options, configuration, pre-jail, verified
 * privilege drop, post-jail, the accept loop, and the planned exits
 * (max_use, max_idle, SIGTERM, SIGHUP).
 *
 * Trusts: the master's environment and descriptors (master_proto.h) and the
 * configuration files. Limits: default_client_limit clients at once (or the daemon's own limit),
 * max_use connections per process, max_idle for non-standing processes.
 */
#include "mail/server.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "mail/config.h"
#include "mail/listen.h"
#include "mail/master_proto.h"
#include "util/alloc.h"
#include "util/event.h"
#include "util/msg.h"
#include "util/privdrop.h"

struct server {
    const struct server_callbacks *cb;
    struct config *cfg;
    const struct params *p;
    struct event_loop *loop;
    char service[128];
    const char *user; /* dropped to after pre_jail; NULL: none */
    int listen_fds[MASTER_LISTEN_MAX];
    struct event_io *listen_io[MASTER_LISTEN_MAX];
    size_t nlisten;
    bool under_master;
    bool standing;
    bool accepting; /* listeners watched */
    bool retiring;  /* max_use reached or reload: never accept again */
    bool busy_reported;
    unsigned clients;
    unsigned long served;
    struct event_timer *idle_timer;
    struct event_timer *wakeup_timer;
    uint64_t wakeup_ms;
    void *ctx;
};

struct server_options {
    const char *config_dir;
    const char *listen;
    const char *user;
    char **overrides;
    size_t noverrides;
};

static void server_update_accepting(struct server *s);

/* server_report - tell the master about a state change */
static void server_report(struct server *s, const char *word)
{
    char line[MASTER_STATUS_LINE_MAX];
    int n;

    if (!s->under_master)
        return;
    n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), word);
    if (write(MASTER_STATUS_FD, line, (size_t)n) < 0 && errno != EAGAIN)
        msg_warn("cannot report status to the master: %m");
}

/* server_exit - leave the loop; main() then exits 0 */
void server_stop(struct server *s)
{
    event_loop_stop(s->loop);
}

/* idle_expired - exit after max_idle without clients */
static void idle_expired(void *ctx)
{
    struct server *s = ctx;

    s->idle_timer = NULL;
    if (s->clients == 0) {
        msg_debug("idle for %lldms: exiting", (long long)s->p->max_idle);
        server_stop(s);
    }
}

/* server_update_idle - arm the idle timer when there are no clients */
static void server_update_idle(struct server *s)
{
    event_timer_remove(&s->idle_timer);
    if (s->clients > 0)
        return;
    if (s->retiring) {
        server_stop(s);
        return;
    }
    if (!s->standing && !s->cb->unlimited_use)
        s->idle_timer = event_timer_add(s->loop, (uint64_t)s->p->max_idle, idle_expired, s);
}

/* on_accept - accept every pending connection on one listener */
static void on_accept(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct server *s = ctx;
    struct sockaddr_storage peer;
    socklen_t len;
    int conn;

    (void)io;
    (void)events;
    while (s->accepting) {
        len = sizeof(peer);
        conn = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                msg_warn("accept: %m");
            return;
        }
        s->clients++;
        s->served++;
        if (s->served >= (unsigned long)s->p->max_use && s->under_master && !s->cb->unlimited_use) {
            s->retiring = true;
            server_report(s, MASTER_STATUS_RETIRE);
        }
        server_update_accepting(s);
        event_timer_remove(&s->idle_timer);
        s->cb->on_connection(s, conn, (struct sockaddr *)&peer, len);
    }
}

/* server_update_accepting - watch listeners only below the client limit */
static void server_update_accepting(struct server *s)
{
    /* standalone, no master starts a second process: the daemon's own limit
     * would only leave clients waiting */
    int64_t limit = s->cb->client_limit != NULL && s->under_master ? s->cb->client_limit(s->p)
                                                                   : s->p->default_client_limit;
    bool want = !s->retiring && (int64_t)s->clients < limit;
    size_t i;

    if (want == s->accepting)
        return;
    s->accepting = want;
    for (i = 0; i < s->nlisten; i++)
        event_io_set(s->listen_io[i], want ? EVENT_READ : 0);
    if (!s->retiring) {
        if (!want && !s->busy_reported) {
            server_report(s, MASTER_STATUS_BUSY);
            s->busy_reported = true;
        } else if (want && s->busy_reported) {
            server_report(s, MASTER_STATUS_AVAIL);
            s->busy_reported = false;
        }
    }
}

/* server_client_done - a connection ended */
void server_client_done(struct server *s)
{
    ASSERT(s->clients > 0);
    s->clients--;
    server_update_accepting(s);
    server_update_idle(s);
}

/* on_signal - SIGTERM stops now; SIGHUP retires gracefully */
static void on_signal(int signo, void *ctx)
{
    struct server *s = ctx;

    if (signo == SIGTERM) {
        msg_debug("SIGTERM: exiting");
        server_stop(s);
        return;
    }
    msg_debug("SIGHUP: finishing %u connections, then exiting", s->clients);
    if (!s->retiring) {
        s->retiring = true;
        server_report(s, MASTER_STATUS_RETIRE);
    }
    server_update_accepting(s);
    server_update_idle(s);
}

/* server_follow_master - get SIGTERM when the master dies. The kernel
 * clears the parent-death signal on every credential change, so this runs
 * after the privilege drop; a master that died before it is caught by the
 * parent pid check. */
static void server_follow_master(pid_t master)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
        msg_fatal("prctl(PR_SET_PDEATHSIG): %m");
    if (getppid() != master)
        msg_fatal("the master (pid %ld) has gone away", (long)master);
}

/* on_wakeup_timer - periodic wakeup for services that want one */
static void on_wakeup_timer(void *ctx)
{
    struct server *s = ctx;

    s->wakeup_timer = event_timer_add(s->loop, s->wakeup_ms, on_wakeup_timer, s);
    s->cb->on_wakeup(s);
}

/* parse_options - the command line every daemon accepts */
static void parse_options(int argc, char **argv, struct server_options *o)
{
    int c;

    o->overrides = xcalloc((size_t)argc + 1, sizeof(char *));
    optind = 1;
    while ((c = getopt(argc, argv, "c:l:o:u:v")) != -1) {
        switch (c) {
        case 'c':
            o->config_dir = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'o':
            o->overrides[o->noverrides++] = optarg;
            break;
        case 'u':
            o->user = optarg;
            break;
        case 'v':
            msg_set_verbose(true);
            break;
        default:
            msg_fatal("usage: %s [-c config_dir] [-o name=value] [-l listen] [-u user] [-v]", argv[0]);
        }
    }
    if (optind < argc)
        msg_fatal("unexpected argument \"%s\"", argv[optind]);
}

/* server_drop - become the service's user, verified */
static void server_drop(const char *user, const char *chroot_dir)
{
    struct privdrop_user u;
    const char *error;

    if (user == NULL || user[0] == '\0')
        return;
    if (privdrop_resolve(user, &u, &error) < 0 || privdrop_to(&u, chroot_dir, &error) < 0)
        msg_fatal("cannot drop privileges: %s", error);
    msg_debug("running as %s (uid %d)%s%s", u.name, (int)u.uid, chroot_dir ? " in chroot " : "",
              chroot_dir ? chroot_dir : "");
}

/* server_setup_master - adopt the master's descriptors and settings */
static void server_setup_master(struct server *s)
{
    const char *n = getenv(MASTER_ENV_LISTEN_FDS);
    const char *standing = getenv(MASTER_ENV_STANDING);
    const char *wakeup = getenv(MASTER_ENV_WAKEUP);
    long count = n ? strtol(n, NULL, 10) : 0;
    long i;

    if (count < 0 || count > MASTER_LISTEN_MAX)
        msg_fatal("bad %s=%s", MASTER_ENV_LISTEN_FDS, n);
    for (i = 0; i < count; i++) {
        int fd = MASTER_LISTEN_FD_BASE + (int)i;

        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
            msg_fatal("listener fd %d from the master: %m", fd);
        s->listen_fds[s->nlisten++] = fd;
    }
    if (fcntl(MASTER_STATUS_FD, F_SETFD, FD_CLOEXEC) < 0)
        msg_fatal("status fd from the master: %m");
    s->standing = standing != NULL && strcmp(standing, "1") == 0;
    s->wakeup_ms = wakeup ? (uint64_t)strtoul(wakeup, NULL, 10) * 1000 : 0;
    snprintf(s->service, sizeof(s->service), "%s", getenv(MASTER_ENV_SERVICE));
}

/* server_start_loop - watch listeners, signals and the master */
static void server_start_loop(struct server *s)
{
    size_t i;

    s->loop = event_loop_create();
    if (event_signal_add(s->loop, SIGTERM, on_signal, s) < 0
        || event_signal_add(s->loop, SIGHUP, on_signal, s) < 0)
        msg_fatal("signal setup: %m");
    for (i = 0; i < s->nlisten; i++)
        s->listen_io[i] = event_io_add(s->loop, s->listen_fds[i], 0, on_accept, s);
    if (s->wakeup_ms > 0 && s->cb->on_wakeup != NULL)
        s->wakeup_timer = event_timer_add(s->loop, s->wakeup_ms, on_wakeup_timer, s);
}

/* server_main - the whole lifecycle of a daemon */
int server_main(int argc, char **argv, const struct server_callbacks *cb)
{
    struct server_options o = { 0 };
    struct server s = { .cb = cb };
    const char *error, *chroot_dir;
    const char *user;
    pid_t master = getppid();

    msg_init(cb->program);
    signal(SIGPIPE, SIG_IGN);
    parse_options(argc, argv, &o);
    s.under_master = getenv(MASTER_ENV_SERVICE) != NULL;
    if (config_load(config_directory_default(o.config_dir), (const char *const *)o.overrides, &s.cfg, &error)
        < 0)
        msg_fatal("%s", error);
    s.p = config_params(s.cfg);
    msg_set_verbose(s.p->debug_logging || msg_verbose());
    if (s.under_master) {
        server_setup_master(&s);
        user = getenv(MASTER_ENV_USER);
        chroot_dir = getenv(MASTER_ENV_CHROOT);
    } else {
        snprintf(s.service, sizeof(s.service), "standalone");
        if (o.listen == NULL)
            msg_fatal("standalone use needs -l LISTEN (a socket path or HOST:PORT)");
        if (listen_open(o.listen, s.listen_fds, MASTER_LISTEN_MAX, &s.nlisten, &error) < 0)
            msg_fatal("%s", error);
        s.standing = true;
        user = o.user;
        chroot_dir = NULL;
    }
    s.user = user != NULL && user[0] != '\0' ? user : NULL;
    server_start_loop(&s);
    if (cb->pre_jail != NULL)
        cb->pre_jail(&s);
    server_drop(user, chroot_dir != NULL && chroot_dir[0] != '\0' ? chroot_dir : NULL);
    if (s.under_master)
        server_follow_master(master);
    if (cb->post_jail != NULL)
        cb->post_jail(&s);
    server_update_accepting(&s);
    server_update_idle(&s);
    server_report(&s, MASTER_STATUS_READY);
    msg_debug("ready: service %s, %zu listeners", s.service, s.nlisten);
    event_loop_run(s.loop);
    if (cb->on_exit != NULL)
        cb->on_exit(&s);
    event_loop_destroy(&s.loop);
    config_destroy(&s.cfg);
    xfree(o.overrides);
    return 0;
}

unsigned server_clients(const struct server *s)
{
    return s->clients;
}
struct event_loop *server_loop(const struct server *s)
{
    return s->loop;
}
const struct params *server_params(const struct server *s)
{
    return s->p;
}
const struct config *server_config(const struct server *s)
{
    return s->cfg;
}
const char *server_service(const struct server *s)
{
    return s->service;
}
const char *server_user(const struct server *s)
{
    return s->user;
}
void server_set_context(struct server *s, void *ctx)
{
    s->ctx = ctx;
}
void *server_context(const struct server *s)
{
    return s->ctx;
}
