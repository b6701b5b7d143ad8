/* SPDX-License-Identifier: MIT
 * authd - the authentication service: the only process that reads
 * password data. smtpd (and later pop3d and imapd) open one connection
 * per login attempt to $queue_directory/private/auth; authd runs the SASL
 * exchange through libsasl2 against the passwords map that "petrel user"
 * writes, or a Cyrus SASL setup (auth_backend), and enforces the
 * brute-force rules: a growing delay per failing client and lockouts per
 * address and per account. One process holds the counts (maxproc 1).
 *
 * The passwords map is mode 0600: it is opened here before the privilege
 * drop and read through that handle afterwards.
 *
 * master.conf: "auth unix - y - n - 1 authd". Parameters: auth_* in
 * lib/mail/params.def.
 *
 * See also: authd_proto.h, authd_sasl.h, authd_passwd.h, authd_penalty.h,
 * lib/sasl/auth_proto.h, docs/architecture.md.
 */
#include <stddef.h>

#include "authd_proto.h"
#include "mail/server.h"

/* main - run authd under the daemon skeleton */
int main(int argc, char **argv)
{
    static const struct server_callbacks callbacks = {
        .program = "authd",
        .pre_jail = authd_proto_pre_jail,
        .post_jail = authd_proto_init,
        .on_connection = authd_proto_accept,
        .on_wakeup = NULL,
        .on_exit = authd_proto_deinit,
        .unlimited_use = true,
    };

    return server_main(argc, argv, &callbacks);
}
