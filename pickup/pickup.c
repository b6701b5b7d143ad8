/* SPDX-License-Identifier: MIT
 * pickup - the local submission daemon: takes the drop files that the
 * sendmail command leaves in $queue_directory/maildrop and hands each to
 * qmgr over qmgr-submit with the submitter's uid (docs/queue.md, "Local
 * submission").
 *
 * One stateful process (unlimited_use) as mail_owner, the only user that
 * may list the 01733 maildrop directory. It serves no clients: the
 * skeleton needs a listener, so master.conf gives it private/pickup (mode
 * 0600, mail_owner's), and a connection there is closed at once.
 * master.conf: "pickup unix - y - n - 1 pickup". Parameters:
 * queue_directory, myhostname, myorigin, message_size_limit,
 * maildrop_stale_time, ipc_max_frame_size, ipc_timeout (capped at
 * PICKUP_TIMEOUT_MAX_MS per call).
 *
 * See also: pickup_scan.h, pickup_file.h, pickup_submit.h, maildrop.h.
 */
#include <stdlib.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/maildrop.h"
#include "mail/params.h"
#include "mail/server.h"
#include "pickup_scan.h"
#include "util/alloc.h"
#include "util/msg.h"

/* pickup_init - post_jail: watch the maildrop */
static void pickup_init(struct server *srv)
{
    const struct params *p = server_params(srv);
    struct pickup_service *svc;
    struct pickup_config cfg;
    const char *error;
    char *dir = xasprintf("%s/%s", p->queue_directory, MAILDROP_DIR);
    char *qmgr = xasprintf("%s/%s", p->queue_directory, MAIL_QMGR_SOCKET);

    if (p->myorigin[0] == '\0')
        msg_fatal("myorigin is empty: bare local parts cannot be qualified");
    cfg = (struct pickup_config){
        .maildrop_dir = dir,
        .myorigin = p->myorigin,
        .limits = { (uint64_t)p->message_size_limit, (time_t)(p->maildrop_stale_time / 1000) },
        .submit = { qmgr, (size_t)p->ipc_max_frame_size,
                    p->ipc_timeout > PICKUP_TIMEOUT_MAX_MS ? PICKUP_TIMEOUT_MAX_MS : (int)p->ipc_timeout,
                    p->myhostname },
        .scan_interval_ms = PICKUP_SCAN_INTERVAL_MS,
    };
    if (pickup_service_create(server_loop(srv), &cfg, &svc, &error) < 0)
        msg_fatal("%s", error);
    xfree(dir);
    xfree(qmgr);
    server_set_context(srv, svc);
}

/* pickup_accept - nobody has business on private/pickup: close */
static void pickup_accept(struct server *srv, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    (void)peer;
    (void)peer_len;
    close(fd);
    server_client_done(srv);
}

/* pickup_deinit - on_exit */
static void pickup_deinit(struct server *srv)
{
    struct pickup_service *svc = server_context(srv);

    pickup_service_destroy(&svc);
    server_set_context(srv, NULL);
}

/* main - run pickup under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "pickup",
        .pre_jail = NULL,
        .post_jail = pickup_init,
        .on_connection = pickup_accept,
        .on_wakeup = NULL,
        .on_exit = pickup_deinit,
        .unlimited_use = true,
    };

    return server_main(argc, argv, &callbacks);
}
