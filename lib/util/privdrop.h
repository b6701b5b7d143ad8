/* SPDX-License-Identifier: MIT
 * privdrop - the one verified privilege drop.
 *
 * Order fixed (as Postfix chroot_uid and Dovecot restrict-access): resolve
 * the user and its groups, setgroups, setresgid, optional chroot + chdir,
 * setresuid, then verify that setuid(0) and setgid(0) now fail and that all
 * three uids and gids are the target. Any failure is returned; callers treat
 * it as fatal. A process that is not root cannot change user: asked to
 * become another user, privdrop fails; asked to become itself, it succeeds.
 *
 * See also: lib/mail/server.c (calls it between pre_jail and post_jail).
 */
#ifndef PETREL_UTIL_PRIVDROP_H
#define PETREL_UTIL_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

struct privdrop_user {
    uid_t uid;
    gid_t gid;
    char name[64];
};

/* privdrop_resolve - look up a user name */
int privdrop_resolve(const char *user, struct privdrop_user *u_r, const char **error_r);
/* privdrop_to - become u (supplementary groups of u), after chroot into
 * chroot_dir when it is not NULL; verified */
int privdrop_to(const struct privdrop_user *u, const char *chroot_dir, const char **error_r);
/* privdrop_is_root - is the real or effective uid 0? */
bool privdrop_is_root(void);

#endif
