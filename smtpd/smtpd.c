/* SPDX-License-Identifier: MIT
 * smtpd - the ESMTP server.
 *
 * One event-driven process serves many sessions. Each accepted client
 * gets a session (smtpd_session.c); recipients are checked against the
 * read-only maps in $data_directory/maps/ (smtpd_policy.c); each message
 * is streamed to qmgr at $queue_directory/private/qmgr (smtpd_qmgr.c);
 * TLS (STARTTLS, implicit TLS) is smtpd_tls.c, its key read before the
 * privilege drop;
 * connections are counted by anvil at $queue_directory/private/anvil.
 *
 * master.conf: "smtp inet 10025 n - n - - smtpd". Parameters: see
 * smtpd_session.h and lib/mail/params.def (users "smtpd").
 *
 * See also: smtpd_session.h, docs/queue.md, docs/architecture.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mail/mail_proto.h"
#include "mail/params.h"
#include "mail/server.h"
#include "sasl/auth_proto.h"
#include "smtpd_anvil.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"
#include "tls/tls_server.h"
#include "util/alloc.h"
#include "util/msg.h"

/* Built by pre_jail (the key is read with privilege), owned by the env. */
static struct tls_server *smtpd_tls;
static bool smtpd_tls_broken;

/* smtpd_end - a session ended */
static void smtpd_end(void *ctx)
{
    server_client_done(ctx);
}

/* smtpd_pre_jail - the TLS certificate and key, read before the drop */
static void smtpd_pre_jail(struct server *s)
{
    smtpd_tls = smtpd_tls_server_create(server_params(s), server_user(s), &smtpd_tls_broken);
}

/* smtpd_init - post_jail: the shared environment of every session */
static void smtpd_init(struct server *s)
{
    const struct params *p = server_params(s);
    struct smtpd_env *env = xcalloc(1, sizeof(*env));
    const char *error;
    char *anvil_path;

    env->loop = server_loop(s);
    env->p = p;
    if (smtpd_networks_parse(p->mynetworks, &env->mynetworks, &error) < 0)
        msg_error("mynetworks: %s: no client is trusted to relay", error);
    if (smtpd_networks_parse(p->smtpd_client_event_limit_exceptions, &env->limit_exceptions, &error) < 0)
        msg_error("smtpd_client_event_limit_exceptions: %s: no client is exempt from the limits", error);
    env->policy.lookup = smtpd_policy_maps_lookup;
    env->policy.lookup_ctx = smtpd_policy_maps_open(p->data_directory);
    if (smtpd_policy_maps_set_system(env->policy.lookup_ctx, p->mydestination, p->alias_maps, &error) < 0)
        msg_fatal("%s", error);
    env->policy.mydestination = smtpd_policy_maps_mydestination(env->policy.lookup_ctx);
    env->policy.mynetworks = &env->mynetworks;
    env->policy.recipient_delimiter = p->recipient_delimiter;
    env->policy.mydomain = p->mydomain;
    env->qmgr_path = xasprintf("%s/%s", p->queue_directory, MAIL_QMGR_SOCKET);
    anvil_path = xasprintf("%s/private/anvil", p->queue_directory);
    env->anvil = smtpd_anvil_create(env->loop, anvil_path);
    free(anvil_path);
    env->max_frame = (size_t)p->ipc_max_frame_size;
    env->auth_path = xasprintf("%s/%s", p->queue_directory, AUTH_SOCKET);
    env->tls = smtpd_tls;
    env->tls_broken = smtpd_tls_broken;
    smtpd_tls = NULL;
    env->on_session_end = smtpd_end;
    env->end_ctx = s;
    server_set_context(s, env);
}

/* smtpd_accept - on_connection: a session */
static void smtpd_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    (void)smtpd_session_create(server_context(s), fd, peer, peer_len);
}

/* smtpd_deinit - on_exit: release the shared state */
static void smtpd_deinit(struct server *s)
{
    struct smtpd_env *env = server_context(s);
    struct smtpd_maps *maps;

    if (env == NULL)
        return;
    maps = env->policy.lookup_ctx;
    smtpd_policy_maps_close(&maps);
    smtpd_anvil_destroy(&env->anvil);
    tls_server_destroy(&env->tls);
    free((char *)env->qmgr_path);
    free((char *)env->auth_path);
    server_set_context(s, NULL);
    free(env);
}

/* main - run smtpd under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "smtpd",
        .pre_jail = smtpd_pre_jail,
        .post_jail = smtpd_init,
        .on_connection = smtpd_accept,
        .on_wakeup = NULL,
        .on_exit = smtpd_deinit,
        .unlimited_use = false,
    };

    return server_main(argc, argv, &callbacks);
}
