/* SPDX-License-Identifier: MIT
 * master_control - the control socket behind "petrel status".
 *
 * $queue_directory/pid/master.ctl, mode 0600, owned by the master's user:
 * only the administrator (or the instance's own user) can connect. The
 * protocol is ipc "master-control" version 1 (master_proto.h):
 * request=status is answered with one message per service, then end=1.
 * Unknown requests get error="...". Limits: ipc_max_frame_size per frame,
 * at most CONTROL_CLIENTS_MAX clients at once.
 */
#include "master.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mail/listen.h"
#include "mail/params.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"

#define CONTROL_CLIENTS_MAX 16

static char *control_path;
static struct event_io *control_io;
static unsigned control_clients;

/* service_message - one service's status as an ipc message */
static struct ipc_msg *service_message(const struct master *m, const struct master_service *svc)
{
    struct ipc_msg *reply = ipc_msg_create();
    const struct master_proc *proc;
    struct buf *pids = buf_create(64, 65536);

    for (proc = m->procs; proc != NULL; proc = proc->next)
        if (proc->svc == svc && buf_printf(pids, "%s%ld", pids->len ? " " : "", (long)proc->pid) < 0)
            break;
    ipc_msg_add_str(reply, "service", svc->key);
    ipc_msg_add_str(reply, "listen", svc->entry.listen);
    ipc_msg_add_str(reply, "state", master_service_state(svc));
    ipc_msg_add_int(reply, "procs", svc->nprocs);
    ipc_msg_add_int(reply, "maxproc", svc->maxproc);
    ipc_msg_add_str(reply, "pids", buf_str(pids));
    ipc_msg_add_int(reply, "restarts", svc->restarts);
    ipc_msg_add_int(reply, "failures", svc->failures_in_row);
    ipc_msg_add_str(reply, "last_exit", svc->last_exit);
    ipc_msg_add_str(reply, "user", svc->change_user ? svc->user.name : "");
    buf_destroy(&pids);
    return reply;
}

/* send_and_free - queue one reply */
static void send_and_free(struct ipc_chan *chan, struct ipc_msg **reply)
{
    const char *error;

    if (ipc_chan_send(chan, *reply, &error) < 0)
        msg_warn("control: cannot send a reply: %s", error);
    ipc_msg_destroy(reply);
}

/* on_request - answer one control request */
static void on_request(struct ipc_chan *chan, struct ipc_msg *req, void *ctx)
{
    struct master *m = ctx;
    const struct master_service *svc;
    struct ipc_msg *reply;
    const char *request, *error;

    if (ipc_msg_get_str(req, "request", &request, &error) < 0) {
        reply = ipc_msg_create();
        ipc_msg_add_str(reply, "error", error);
        send_and_free(chan, &reply);
    } else if (strcmp(request, "status") == 0) {
        for (svc = m->services; svc != NULL; svc = svc->next) {
            reply = service_message(m, svc);
            send_and_free(chan, &reply);
        }
        reply = ipc_msg_create();
        ipc_msg_add_int(reply, "master_pid", getpid());
        ipc_msg_add_int(reply, "uptime_ms", (int64_t)(event_now(m->loop) - m->started_ms));
        ipc_msg_add_int(reply, "end", 1);
        send_and_free(chan, &reply);
    } else {
        reply = ipc_msg_create();
        ipc_msg_add_str(reply, "error", "unknown request");
        send_and_free(chan, &reply);
    }
    ipc_msg_destroy(&req);
}

/* on_client_close - a control client went away */
static void on_client_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    (void)ctx;
    if (reason != NULL)
        msg_warn("control client: %s", reason);
    control_clients--;
    ipc_chan_destroy(&chan);
}

/* on_control_accept - a new control client */
static void on_control_accept(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct master *m = ctx;
    struct ipc_chan *chan;
    struct ipc_msg *hello;
    const char *error;
    int client;

    (void)io;
    (void)events;
    while ((client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        if (control_clients >= CONTROL_CLIENTS_MAX) {
            close(client);
            continue;
        }
        chan = ipc_chan_create(m->loop, client, (size_t)m->p->ipc_max_frame_size, on_request, on_client_close,
                               m);
        control_clients++;
        hello = ipc_hello_create(MASTER_CONTROL_PROTOCOL, MASTER_CONTROL_VERSION);
        if (ipc_chan_send(chan, hello, &error) < 0)
            msg_warn("control: %s", error);
        ipc_msg_destroy(&hello);
    }
}

/* master_control_open - create the control socket */
int master_control_open(struct master *m, const char **error_r)
{
    control_path = xasprintf("%s/%s", m->p->queue_directory, MASTER_CONTROL_SOCKET);
    if (listen_unix(control_path, 0600, (uid_t)-1, (gid_t)-1, &m->control_fd, error_r) < 0) {
        xfree(control_path);
        return -1;
    }
    control_io = event_io_add(m->loop, m->control_fd, EVENT_READ, on_control_accept, m);
    return 0;
}

/* master_control_close - remove the control socket */
void master_control_close(struct master *m)
{
    event_io_remove(&control_io);
    if (m->control_fd >= 0)
        close(m->control_fd);
    m->control_fd = -1;
    if (control_path != NULL)
        unlink(control_path);
    xfree(control_path);
}
