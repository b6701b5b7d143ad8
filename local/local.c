/* SPDX-License-Identifier: MIT
 * local - the local delivery agent: delivers messages from the queue into
 * Maildirs below virtual_mailbox_base and answers qmgr per recipient.
 *
 * qmgr connects to private/local and sends "deliver" requests with the
 * open queue file (protocol local-deliver, docs/queue.md). Each delivery
 * is durable before it is reported: file fsynced, renamed into new/, and
 * new/ fsynced once per event-loop round for every delivery into it
 * (group commit, local_batch.h). local is stateless, so it runs under the
 * ordinary max_use and max_idle rules, as the mailbox owner.
 *
 * master.conf: "local unix - y vmail n - - local" (the user column names
 * the mailbox owner). Parameters: virtual_mailbox_base,
 * message_size_limit, ipc_max_frame_size, mailbox_quota_default,
 * local_client_limit (qmgr connections per process: qmgr's concurrent
 * deliveries spread over several local processes, each with its own group
 * commit, so fsyncs and inode allocation run in parallel).
 *
 * This file only names the callbacks; the daemon skeleton (server.h) does
 * the rest of the lifecycle.
 *
 * See also: local_batch.h (service, group commit), local_deliver.h.
 */
#include "local_batch.h"
#include "mail/params.h"
#include "mail/server.h"

/* client_limit - local_client_limit, not default_client_limit */
static int64_t client_limit(const struct params *p)
{
    return p->local_client_limit;
}

/* main - run local under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "local",
        .pre_jail = NULL,
        .post_jail = local_batch_init,
        .on_connection = local_batch_accept,
        .on_wakeup = NULL,
        .on_exit = local_batch_deinit,
        .unlimited_use = false,
        .client_limit = client_limit,
    };

    return server_main(argc, argv, &callbacks);
}
