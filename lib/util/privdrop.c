/* SPDX-License-Identifier: MIT
 * privdrop - the verified privilege drop: groups, gid, chroot, uid, check.
 */
#include "util/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

/* privdrop_is_root - running with root privileges? */
bool privdrop_is_root(void)
{
    return getuid() == 0 || geteuid() == 0;
}

/* privdrop_resolve - user name to uid and primary gid */
int privdrop_resolve(const char *user, struct privdrop_user *u_r, const char **error_r)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(user);
    if (pw == NULL)
        return errf(error_r, "unknown user \"%s\"%s%s", user, errno ? ": " : "",
                    errno ? strerror(errno) : "");
    if (strlen(user) >= sizeof(u_r->name))
        return errf(error_r, "user name too long: \"%s\"", user);
    u_r->uid = pw->pw_uid;
    u_r->gid = pw->pw_gid;
    snprintf(u_r->name, sizeof(u_r->name), "%s", user);
    return 0;
}

/* verify_dropped - the drop must be complete and irreversible */
static int verify_dropped(const struct privdrop_user *u, const char **error_r)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;

    if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
        return errf(error_r, "getresuid/getresgid: %s", strerror(errno));
    if (ruid != u->uid || euid != u->uid || suid != u->uid)
        return errf(error_r, "uids are %d/%d/%d after dropping to %d", (int)ruid, (int)euid, (int)suid,
                    (int)u->uid);
    if (rgid != u->gid || egid != u->gid || sgid != u->gid)
        return errf(error_r, "gids are %d/%d/%d after dropping to %d", (int)rgid, (int)egid, (int)sgid,
                    (int)u->gid);
    if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        return errf(error_r, "setuid(0) succeeded after dropping privileges");
    if (u->gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
        return errf(error_r, "setgid(0) succeeded after dropping privileges");
    return 0;
}

/* privdrop_to - drop to a user, optionally chrooted */
int privdrop_to(const struct privdrop_user *u, const char *chroot_dir, const char **error_r)
{
    if (!privdrop_is_root()) {
        if (getuid() != u->uid || geteuid() != u->uid)
            return errf(error_r, "cannot become user %s (uid %d) without root privileges", u->name,
                        (int)u->uid);
        if (chroot_dir != NULL)
            return errf(error_r, "cannot chroot to %s without root privileges", chroot_dir);
        return 0;
    }
    if (initgroups(u->name, u->gid) < 0)
        return errf(error_r, "initgroups %s: %s", u->name, strerror(errno));
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return errf(error_r, "setresgid %d: %s", (int)u->gid, strerror(errno));
    if (chroot_dir != NULL) {
        if (chroot(chroot_dir) < 0)
            return errf(error_r, "chroot %s: %s", chroot_dir, strerror(errno));
        if (chdir("/") < 0)
            return errf(error_r, "chdir / in chroot %s: %s", chroot_dir, strerror(errno));
    }
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return errf(error_r, "setresuid %d: %s", (int)u->uid, strerror(errno));
    return verify_dropped(u, error_r);
}
