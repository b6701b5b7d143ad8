/* SPDX-License-Identifier: MIT
 * paths - locate the installation prefix from /proc/self/exe.
 */
#include "mail/paths.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/params.h"
#include "util/msg.h"

/* Room for the prefix plus the longest suffix below. */
#define PATHS_MAX (PATH_MAX + 32)

static char prefix[PATH_MAX];

/* paths_join - PREFIX/suffix into out, fatal if it does not fit */
static const char *paths_join(char *out, size_t size, const char *suffix)
{
    if ((size_t)snprintf(out, size, "%s/%s", paths_prefix(), suffix) >= size)
        msg_fatal("installation path too long: %s/%s", paths_prefix(), suffix);
    return out;
}

/* strip_suffix - remove "/suffix" from the end of path if it is there */
static int strip_suffix(char *path, const char *suffix)
{
    size_t n = strlen(path), s = strlen(suffix);

    if (n > s && path[n - s - 1] == '/' && strcmp(path + n - s, suffix) == 0) {
        path[n - s - 1] = '\0';
        return 1;
    }
    return 0;
}

/* paths_prefix - the prefix above sbin/, bin/ or lib/petrel/ */
const char *paths_prefix(void)
{
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;

    if (prefix[0] != '\0')
        return prefix;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0)
        msg_fatal("readlink /proc/self/exe: %m");
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL)
        msg_fatal("cannot locate the running program (%s)", exe);
    *slash = '\0';
    if (!strip_suffix(exe, "lib/petrel") && !strip_suffix(exe, "sbin") && !strip_suffix(exe, "bin"))
        strip_suffix(exe, "tests/unit");
    snprintf(prefix, sizeof(prefix), "%s", exe[0] ? exe : "/");
    return prefix;
}

/* paths_daemon_dir - where the daemons are */
const char *paths_daemon_dir(const struct params *p)
{
    static char dir[PATHS_MAX];

    if (p != NULL && p->daemon_directory != NULL && p->daemon_directory[0] != '\0')
        return p->daemon_directory;
    return paths_join(dir, sizeof(dir), "lib/petrel");
}

/* paths_share_dir - shipped templates */
const char *paths_share_dir(void)
{
    static char dir[PATHS_MAX];

    return paths_join(dir, sizeof(dir), "share/petrel");
}

/* paths_petrel_program - the petrel command */
const char *paths_petrel_program(void)
{
    static char path[PATHS_MAX];

    return paths_join(path, sizeof(path), "sbin/petrel");
}
