/* SPDX-License-Identifier: MIT
 * qmgr - the queue manager: receives messages over qmgr-submit, commits
 * them to the queue in groups, routes recipients, hands deliveries to
 * local and retries with back-off (docs/queue.md is the specification).
 *
 * One stateful process (unlimited_use). master.conf:
 * "qmgr unix - y - n - 1 qmgr" (private/qmgr). Parameters: queue_directory,
 * data_directory, message_size_limit, queue_minfree, recipient_delimiter,
 * mydestination, alias_maps,
 * qmgr_commit_batch_limit, qmgr_delivery_concurrency, minimal_backoff_time,
 * maximal_backoff_time, queue_run_delay, ipc_max_frame_size, ipc_timeout.
 *
 * This file names the callbacks and ties the modules together after the
 * privilege drop: queue (directories, recovery), maps (routing), commit,
 * delivery; the submit server then accepts connections.
 *
 * See also: qmgr_submit.h, qmgr_commit.h, qmgr_route.h, qmgr_queue.h,
 * qmgr_deliver.h.
 */
#include <stdio.h>
#include <sys/resource.h>

#include "mail/mail_proto.h"
#include "mail/params.h"
#include "mail/server.h"
#include "qmgr_commit.h"
#include "qmgr_deliver.h"
#include "qmgr_queue.h"
#include "qmgr_route.h"
#include "qmgr_submit.h"
#include "util/alloc.h"
#include "util/msg.h"

/* raise_fd_limit - every client holds a socket and a queue file: raise the
 * soft descriptor limit to the hard one, and say so if even that is short */
static void raise_fd_limit(const struct params *p)
{
    uint64_t need = 2 * (uint64_t)p->default_client_limit + QMGR_QUEUE_LOADED_MAX
                    + (uint64_t)p->qmgr_delivery_concurrency + 64;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            msg_warn("cannot raise the descriptor limit: %m");
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        msg_warn("descriptor limit %llu is below the %llu that default_client_limit %lld may need",
                 (unsigned long long)rl.rlim_cur, (unsigned long long)need,
                 (long long)p->default_client_limit);
}

/* qmgr_init - build the service (fatal if the queue cannot be opened) */
static void qmgr_init(struct server *s)
{
    const struct params *p = server_params(s);
    struct qmgr_service *svc = xcalloc(1, sizeof(*svc));
    struct qmgr_queue_times times = { (uint64_t)p->minimal_backoff_time, (uint64_t)p->maximal_backoff_time,
                                      (uint64_t)p->queue_run_delay, (uint64_t)p->qmgr_queue_file_pool };
    struct qmgr_deliver_config dc;
    const char *error;
    char *dir;

    raise_fd_limit(p);
    svc->server = s;
    svc->max_frame = (size_t)p->ipc_max_frame_size;
    svc->message_size_limit = (uint64_t)p->message_size_limit;
    svc->content_max = svc->message_size_limit + QMGR_SUBMIT_HEADROOM;
    svc->queue_minfree = (uint64_t)p->queue_minfree;
    svc->timeout_ms = (uint64_t)p->ipc_timeout;
    if (qmgr_queue_open(server_loop(s), p->queue_directory, &times, &svc->queue, &error) < 0)
        msg_fatal("cannot open the queue: %s", error);
    dir = xasprintf("%s/maps", p->data_directory);
    svc->maps = qmgr_maps_create(dir, p->recipient_delimiter);
    xfree(dir);
    qmgr_maps_set_limits(svc->maps, (unsigned)p->virtual_alias_recursion_limit,
                         (size_t)p->virtual_alias_expansion_limit);
    if (qmgr_maps_set_system(svc->maps, p->mydestination, p->alias_maps, &error) < 0)
        msg_fatal("%s", error);
    svc->commit = qmgr_commit_create(server_loop(s), qmgr_queue_dirfd(svc->queue, QMGR_DIR_INCOMING),
                                     (size_t)p->qmgr_commit_batch_limit);
    dir = xasprintf("%s/%s", p->queue_directory, MAIL_LOCAL_SOCKET);
    dc = (struct qmgr_deliver_config){ dir, (unsigned)p->qmgr_delivery_concurrency, svc->max_frame,
                                       (uint64_t)p->ipc_timeout };
    svc->deliver = qmgr_deliver_create(server_loop(s), svc->queue, svc->maps, &dc);
    xfree(dir);
    server_set_context(s, svc);
    qmgr_queue_recover(svc->queue);
}

/* qmgr_deinit - sessions first (their files go), then the rest */
static void qmgr_deinit(struct server *s)
{
    struct qmgr_service *svc = server_context(s);
    const struct qmgr_commit_stats *st;

    if (svc == NULL)
        return;
    qmgr_submit_close_all(svc);
    st = qmgr_commit_get_stats(svc->commit);
    msg_info("statistics: %lu messages committed in %lu group commits, largest %lu", st->messages,
             st->batches, st->max_batch);
    qmgr_deliver_destroy(&svc->deliver);
    qmgr_commit_destroy(&svc->commit);
    qmgr_queue_close(&svc->queue);
    qmgr_maps_destroy(&svc->maps);
    server_set_context(s, NULL);
    xfree(svc);
}

/* main - run qmgr under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "qmgr",
        .pre_jail = NULL,
        .post_jail = qmgr_init,
        .on_connection = qmgr_submit_accept,
        .on_wakeup = NULL,
        .on_exit = qmgr_deinit,
        .unlimited_use = true,
    };

    return server_main(argc, argv, &callbacks);
}
