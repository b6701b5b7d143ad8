/* SPDX-License-Identifier: MIT
 * anvil - the connection and rate accounting service.
 *
 * smtpd asks anvil how many connections a client address has open and how
 * fast it connects; authd asks how many authentication failures an address
 * or account had recently; pop3d and imapd ask for per-user-per-address
 * connection counts. One anvil process serves every one of them, each over
 * its own channel, so its counts cover the whole instance; connections are
 * remembered per channel and released when a client goes away.
 *
 * master.conf: "anvil unix - y - n - 1 anvil". Parameters:
 * anvil_rate_time_unit, anvil_status_update_time, anvil_table_limit,
 * ipc_max_frame_size.
 *
 * This file only names the callbacks; the daemon skeleton (server.h) does
 * the rest of the lifecycle.
 *
 * See also: anvil_proto.h (the protocol), anvil_table.h (the accounting).
 */
#include "anvil_proto.h"
#include "mail/server.h"

/* main - run anvil under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "anvil",
        .pre_jail = NULL,
        .post_jail = anvil_proto_init,
        .on_connection = anvil_proto_accept,
        .on_wakeup = NULL,
        .on_exit = anvil_proto_deinit,
        .unlimited_use = true,
    };

    return server_main(argc, argv, &callbacks);
}
