/* SPDX-License-Identifier: MIT
 * fuzz_maildir_folder - folder names into maildir_folder_path (THREATS
 * fuzz_mailbox_path, CVE-2021-29157). The first byte picks the separator
 * ('/', '.', or the byte itself), the rest up to a NUL is the name.
 *
 * Properties checked (abort on failure): an accepted path is the root
 * (for INBOX only) or ROOT/.X where X has no '/', so it is a child of the
 * root; it contains no "..", no "//", no "/./", no control or non-ASCII
 * byte; the directory name fits one path component; the mapping is
 * one-to-one (replacing '.' by the separator gives the name back);
 * maildir_folder_check agrees with maildir_folder_path.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "maildir/maildir_folder.h"
#include "util/alloc.h"

#define ROOT "/var/mail/vhosts/example.com/user"

/* check_bytes - no control, non-ASCII, "..", "//" or "/./" in path */
static void check_bytes(const char *path)
{
    const unsigned char *p;

    for (p = (const unsigned char *)path; *p != '\0'; p++)
        if (*p < 0x20 || *p >= 0x7f)
            abort();
    if (strstr(path, "..") != NULL || strstr(path, "//") != NULL || strstr(path, "/./") != NULL)
        abort();
}

/* check_path - the properties of one accepted name */
static void check_path(const char *name, char sep, const char *path)
{
    size_t rlen = strlen(ROOT);
    const char *dir;
    char *back;
    size_t i;

    check_bytes(path);
    if (strncmp(path, ROOT, rlen) != 0)
        abort();
    if (path[rlen] == '\0') {
        if (strcasecmp(name, "INBOX") != 0)
            abort();
        return;
    }
    dir = path + rlen + 1;
    if (path[rlen] != '/' || dir[0] != '.' || strchr(dir, '/') != NULL
        || strlen(dir) > MAILDIR_FOLDER_NAME_MAX)
        abort();
    back = xstrdup(dir + 1);
    for (i = 0; back[i] != '\0'; i++)
        if (back[i] == '.')
            back[i] = sep;
    if (strcmp(back, name) != 0)
        abort();
    xfree(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one separator and name */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[PATH_MAX], sep;
    char *name;
    const char *error = NULL;
    int ret;

    if (size == 0)
        return 0;
    sep = data[0] == 0 ? '/' : data[0] == 1 ? '.' : (char)data[0];
    name = xstrndup((const char *)data + 1, size - 1);
    ret = maildir_folder_path(ROOT, name, sep, path, sizeof(path), &error);
    if (ret == 0)
        check_path(name, sep, path);
    else if (error == NULL)
        abort();
    if ((maildir_folder_check(name, sep, NULL) == 0) != (ret == 0))
        abort();
    xfree(name);
    return 0;
}
