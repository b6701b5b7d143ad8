/* SPDX-License-Identifier: MIT
 * server - the one daemon skeleton every Petrel daemon uses.
 *
 * It owns the lifecycle, in a fixed order:
 *
 *   options (-c DIR, -o name=value, -l LISTEN, -u USER, -v)
 *   -> configuration (petrel.conf plus -o overrides)
 *   -> logging (stderr: the master's log pipe)
 *   -> pre_jail hook (open what needs privilege: keys, sockets)
 *   -> privilege drop (the user and chroot the master passed, verified)
 *   -> post_jail hook
 *   -> "ready" to the master, then the event loop: accept connections on
 *      the inherited listeners, call on_connection for each
 *   -> exit 0 after max_use connections, after max_idle without clients
 *      (unless this is the standing process of its service, or the daemon
 *      set unlimited_use), on SIGTERM, or on SIGHUP once the current
 *      connections are done.
 *
 * A daemon's main() fills a struct server_callbacks and calls
 * server_main(). Each accepted connection is handed over as a non-blocking,
 * close-on-exec fd; the daemon calls server_client_done() when it has
 * finished with a connection so the skeleton can count clients (busy/avail
 * reports to the master, client limit, max_use, max_idle).
 *
 * Standalone use (tests, debugging): without $PETREL_SERVICE the daemon
 * creates its own listener from -l (a UNIX socket path, or HOST:PORT) and
 * logs to stderr.
 *
 * See also: master_proto.h (the fd and environment contract).
 */
#ifndef PETREL_MAIL_SERVER_H
#define PETREL_MAIL_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct config;
struct event_loop;
struct params;
struct server;

struct server_callbacks {
    const char *program; /* name in log lines, e.g. "anvil" */
    /* before the privilege drop (may be NULL) */
    void (*pre_jail)(struct server *s);
    /* after the privilege drop, before accepting (may be NULL) */
    void (*post_jail)(struct server *s);
    /* a new connection: the callee owns fd */
    void (*on_connection)(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len);
    /* every PETREL_SERVICE_WAKEUP seconds (may be NULL) */
    void (*on_wakeup)(struct server *s);
    /* the process is about to exit (may be NULL): release what you hold */
    void (*on_exit)(struct server *s);
    /* a stateful single-process service (anvil, later qmgr): never exit
     * after max_use connections or max_idle; only SIGTERM and reload end it */
    bool unlimited_use;
    /* the daemon's own client limit under the master (may be NULL:
     * default_client_limit), e.g. local's local_client_limit, so the master
     * spreads work over more processes of the service; standalone, where no
     * second process would start, default_client_limit applies */
    int64_t (*client_limit)(const struct params *p);
};

/* server_main - run the daemon; returns the process exit status */
int server_main(int argc, char **argv, const struct server_callbacks *cb);

/* server_client_done - one connection handed out by on_connection ended */
void server_client_done(struct server *s);
/* server_clients - connections currently open */
unsigned server_clients(const struct server *s);

struct event_loop *server_loop(const struct server *s);
const struct params *server_params(const struct server *s);
const struct config *server_config(const struct server *s);
/* server_user - the user the daemon runs as after the privilege drop, or
 * NULL when it keeps the user it was started as; for pre_jail checks */
const char *server_user(const struct server *s);
/* server_service - "name/type" from master.conf, or "standalone" */
const char *server_service(const struct server *s);
/* server_set_context / server_context - the daemon's own state */
void server_set_context(struct server *s, void *ctx);
void *server_context(const struct server *s);
/* server_stop - leave the event loop and exit 0 after on_exit */
void server_stop(struct server *s);

#endif
