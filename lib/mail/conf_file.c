/* SPDX-License-Identifier: MIT
 * conf_file - the file side of editing petrel.conf and master.conf: read
 * the current text and mode, then replace the file atomically and durably.
 *
 * Input: a path under the configuration directory (trusted: the admin's);
 * contents bounded by CONF_TEXT_MAX.
 */
#include "mail/conf_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/conf_reader.h"
#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

/* conf_file_read - the current text, mode and real path */
int conf_file_read(const char *config_dir, const char *name, struct conf_file *f, const char **error_r)
{
    struct stat st;
    char *real;

    memset(f, 0, sizeof(*f));
    f->path = xasprintf("%s/%s", config_dir, name);
    /* Edit what a symlink points to, rather than replacing the link. */
    if ((real = realpath(f->path, NULL)) != NULL) {
        xfree(f->path);
        f->path = xstrdup(real);
        free(real);
    }
    if (stat(f->path, &st) < 0) {
        if (errno != ENOENT) {
            errf(error_r, "stat %s: %s", f->path, strerror(errno));
            conf_file_free(f);
            return -1;
        }
        f->text = xstrdup("");
        f->mode = 0644;
        return 0;
    }
    f->exists = true;
    f->mode = st.st_mode & 07777;
    if (read_file(f->path, CONF_TEXT_MAX, &f->text, &f->len, error_r) < 0) {
        conf_file_free(f);
        return -1;
    }
    return 0;
}

/* conf_file_replace - durable write, keeping mode and (as root) owner */
int conf_file_replace(const struct conf_file *f, const char *text, size_t len, const char **error_r)
{
    struct stat st;
    int had;

    if (f->exists && len == f->len && memcmp(text, f->text, len) == 0)
        return 0; /* nothing changed: leave the file alone */
    had = stat(f->path, &st) == 0;
    if (durable_write_file(f->path, text, len, f->mode, error_r) < 0)
        return -1;
    if (had && geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0)
        && chown(f->path, st.st_uid, st.st_gid) < 0)
        return errf(error_r, "chown %s: %s", f->path, strerror(errno));
    return 0;
}

/* conf_file_free - release the path and text */
void conf_file_free(struct conf_file *f)
{
    xfree(f->path);
    xfree(f->text);
}
