/* SPDX-License-Identifier: MIT
 * maildir_folder - Maildir++ folder names, their mapping to directories
 * below the user's root, and creation of maildirs that Dovecot and Courier
 * read as they are.
 *
 * Directories are created and opened one component at a time with
 * mkdirat/openat on directory descriptors, so what is checked is what is
 * used, and every directory inside the store is opened with O_NOFOLLOW.
 */
#include "maildir/maildir_folder.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

static const char *const maildir_subdirs[] = { "tmp", "new", "cur" };

/* check_bytes - refuse control, non-ASCII and misplaced '/' bytes */
static int check_bytes(const char *name, char sep, const char **error_r)
{
    const unsigned char *p;

    for (p = (const unsigned char *)name; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return errf(error_r, "control byte 0x%02x in folder name", *p);
        if (*p > 0x7f)
            return errf(error_r, "non-ASCII byte 0x%02x in folder name (encode it in modified UTF-7)", *p);
        if (*p == '/' && sep != '/')
            return errf(error_r, "'/' in folder name");
    }
    return 0;
}

/* check_shape - what a name may not start with or contain as a whole */
static int check_shape(const char *name, char sep, const char **error_r)
{
    if (sep < 0x21 || sep > 0x7e || (sep >= 'a' && sep <= 'z') || (sep >= 'A' && sep <= 'Z')
        || (sep >= '0' && sep <= '9'))
        return errf(error_r, "invalid folder separator 0x%02x", (unsigned char)sep);
    if (name[0] == '\0')
        return errf(error_r, "empty folder name");
    if (strstr(name, "..") != NULL)
        return errf(error_r, "\"..\" in folder name");
    if (name[0] == '.')
        return errf(error_r, "folder name starts with '.'");
    if (name[0] == sep)
        return errf(error_r, "folder name starts with the separator '%c'", sep);
    return check_bytes(name, sep, error_r);
}

/* maildir_folder_dir - map a folder name to its directory name */
int maildir_folder_dir(const char *name, char sep, char *dst, size_t size, const char **error_r)
{
    size_t o = 0, depth = 0;
    const char *p = name;

    if (check_shape(name, sep, error_r) < 0)
        return -1;
    if (strcasecmp(name, "INBOX") == 0) {
        if (size == 0)
            return errf(error_r, "no room for the folder directory");
        dst[0] = '\0';
        return 0;
    }
    for (;;) {
        const char *end = strchr(p, sep);
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len == 0)
            return errf(error_r, "empty component in folder name");
        if (sep != '.' && memchr(p, '.', len) != NULL)
            return errf(error_r, "'.' in folder name (it separates levels on disk)");
        if (++depth > MAILDIR_FOLDER_DEPTH_MAX)
            return errf(error_r, "folder name deeper than %d levels", MAILDIR_FOLDER_DEPTH_MAX);
        if (o + 1 + len > MAILDIR_FOLDER_NAME_MAX || o + 1 + len >= size)
            return errf(error_r, "folder name longer than %d bytes on disk", MAILDIR_FOLDER_NAME_MAX);
        dst[o++] = '.';
        memcpy(dst + o, p, len);
        o += len;
        if (end == NULL)
            break;
        p = end + 1;
    }
    dst[o] = '\0';
    return 0;
}

/* maildir_folder_check - validate a folder name */
int maildir_folder_check(const char *name, char sep, const char **error_r)
{
    char dir[MAILDIR_FOLDER_NAME_MAX + 1];

    return maildir_folder_dir(name, sep, dir, sizeof(dir), error_r);
}

/* maildir_folder_path - root plus the folder's directory */
int maildir_folder_path(const char *root, const char *name, char sep, char *dst, size_t size,
                        const char **error_r)
{
    char dir[MAILDIR_FOLDER_NAME_MAX + 1];
    int n;

    if (root[0] == '\0')
        return errf(error_r, "empty mail root");
    if (maildir_folder_dir(name, sep, dir, sizeof(dir), error_r) < 0)
        return -1;
    n = snprintf(dst, size, "%s%s%s", root, dir[0] != '\0' ? "/" : "", dir);
    if (n < 0 || (size_t)n >= size)
        return errf(error_r, "folder path too long under %s", root);
    return 0;
}

/* is_symlink - whether dirfd/name is a symbolic link (not following it) */
static bool is_symlink(int dirfd, const char *name)
{
    struct stat st;

    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* open_error - describe a failed open of dirpath/name; errno is kept, and
 * is ELOOP for a symlink (Linux reports ENOTDIR with O_DIRECTORY) */
static int open_error(int dirfd, const char *dirpath, const char *name, const char **error_r)
{
    int saved = errno;

    if ((saved == ELOOP || saved == ENOTDIR) && is_symlink(dirfd, name)) {
        errf(error_r, "%s%s%s is a symbolic link (not followed)", dirpath, dirpath[0] ? "/" : "", name);
        saved = ELOOP;
    } else {
        errf(error_r, "open directory %s%s%s: %s", dirpath, dirpath[0] ? "/" : "", name, strerror(saved));
    }
    errno = saved;
    return -1;
}

/* maildir_open_sub - open dirfd/name as a directory, never a symlink */
int maildir_open_sub(int dirfd, const char *dirpath, const char *name, const char **error_r)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return open_error(dirfd, dirpath, name, error_r);
    return fd;
}

/* maildir_open_dir - open path as a directory, never a symlink */
int maildir_open_dir(const char *path, const char **error_r)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return open_error(AT_FDCWD, "", path, error_r);
    return fd;
}

/* make_dir_at - create dirfd/name (0700) if missing and open it; a new
 * directory's entry is made durable with an fsync of dirfd */
static int make_dir_at(int dirfd, const char *dirpath, const char *name, bool follow, const char **error_r)
{
    bool created = mkdirat(dirfd, name, 0700) == 0;
    int fd, saved;

    if (!created && errno != EEXIST) {
        saved = errno;
        errf(error_r, "create directory %s/%s: %s", dirpath, name, strerror(saved));
        errno = saved;
        return -1;
    }
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return open_error(dirfd, dirpath, name, error_r);
    /* mkdir's mode is cut by the umask; a new maildir is exactly 0700 */
    if (created && (fchmod(fd, 0700) < 0 || fsync(dirfd) < 0)) {
        saved = errno;
        close(fd);
        errf(error_r, "create directory %s/%s: %s", dirpath, name, strerror(saved));
        errno = saved;
        return -1;
    }
    return fd;
}

/* make_subdirs - tmp/, new/ and cur/ in the maildir open at fd */
static int make_subdirs(int fd, const char *path, const char **error_r)
{
    size_t i;

    for (i = 0; i < sizeof(maildir_subdirs) / sizeof(maildir_subdirs[0]); i++) {
        int sub = make_dir_at(fd, path, maildir_subdirs[i], false, error_r);

        if (sub < 0)
            return -1;
        close(sub);
    }
    return 0;
}

/* open_maildir_path - create and open path one component at a time; only
 * the last component must not be a symlink (the parents are trusted) */
static int open_maildir_path(const char *path, const char **error_r)
{
    char copy[PATH_MAX], done[PATH_MAX];
    char *p, *slash;
    size_t dlen, plen;
    int fd, next;

    if (path[0] == '\0' || snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
        return errf(error_r, "invalid maildir path \"%s\"", path);
    fd = open(copy[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errf(error_r, "open directory %s: %s", copy[0] == '/' ? "/" : ".", strerror(errno));
    snprintf(done, sizeof(done), "%s", copy[0] == '/' ? "" : ".");
    for (p = copy; p != NULL; p = slash) {
        while (*p == '/')
            p++;
        slash = strchr(p, '/');
        if (slash != NULL)
            *slash++ = '\0';
        if (*p == '\0')
            continue;
        /* a later component exists: this one is a parent, and may be a symlink */
        next = make_dir_at(fd, done[0] != '\0' ? done : "/", p,
                           slash != NULL && slash[strspn(slash, "/")] != '\0', error_r);
        close(fd);
        if (next < 0)
            return -1;
        fd = next;
        dlen = strlen(done);
        plen = strlen(p);
        if (dlen + 1 + plen < sizeof(done)) {
            done[dlen] = '/';
            memcpy(done + dlen + 1, p, plen + 1);
        }
    }
    return fd;
}

/* maildir_create - make path a maildir */
int maildir_create(const char *path, const char **error_r)
{
    int fd = open_maildir_path(path, error_r), ret;

    if (fd < 0)
        return -1;
    ret = make_subdirs(fd, path, error_r);
    close(fd);
    return ret;
}

/* make_marker - the empty "maildirfolder" file of a folder */
static int make_marker(int fd, const char *path, const char **error_r)
{
    struct stat st;
    int mfd = openat(fd, "maildirfolder", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (mfd >= 0) {
        close(mfd);
        if (fsync(fd) < 0)
            return errf(error_r, "fsync directory %s: %s", path, strerror(errno));
        return 0;
    }
    if (errno != EEXIST)
        return errf(error_r, "create %s/maildirfolder: %s", path, strerror(errno));
    if (fstatat(fd, "maildirfolder", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
        return errf(error_r, "%s/maildirfolder is not a regular file", path);
    return 0;
}

/* maildir_folder_create - create a Maildir++ folder (or the root) */
int maildir_folder_create(const char *root, const char *name, char sep, const char **error_r)
{
    char dir[MAILDIR_FOLDER_NAME_MAX + 1], path[PATH_MAX];
    int rootfd, fd, ret;

    if (maildir_folder_dir(name, sep, dir, sizeof(dir), error_r) < 0)
        return -1;
    if (maildir_folder_path(root, name, sep, path, sizeof(path), error_r) < 0)
        return -1;
    if ((rootfd = open_maildir_path(root, error_r)) < 0)
        return -1;
    ret = make_subdirs(rootfd, root, error_r);
    if (ret < 0 || dir[0] == '\0') {
        close(rootfd);
        return ret;
    }
    fd = make_dir_at(rootfd, root, dir, false, error_r);
    close(rootfd);
    if (fd < 0)
        return -1;
    ret = make_subdirs(fd, path, error_r) < 0 || make_marker(fd, path, error_r) < 0 ? -1 : 0;
    close(fd);
    return ret;
}
