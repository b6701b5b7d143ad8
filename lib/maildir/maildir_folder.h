/* SPDX-License-Identifier: MIT
 * maildir_folder - the Maildir++ layout (as Dovecot and Courier write it).
 *
 * A user's mail root is a maildir (tmp/, new/, cur/) and is INBOX. Every
 * other folder is one subdirectory of the root named "." plus the folder's
 * components joined with '.', so "Parent/Child" (separator '/') lives in
 * ROOT/.Parent.Child/; each folder is itself a maildir and holds an empty
 * file "maildirfolder". Directories are mode 0700, created when missing.
 *
 * Folder names are untrusted (IMAP CREATE/SELECT): the checker refuses
 * '/', empty components, "." and "..", a leading '.', '.' inside a
 * component when the separator is not '.', control and non-ASCII bytes
 * (encode names in modified UTF-7 first), more than MAILDIR_FOLDER_DEPTH_MAX
 * components and directory names over MAILDIR_FOLDER_NAME_MAX bytes. So a
 * mapped path is always ROOT/.X with X free of '/': a child of the root.
 * Directories inside the store are opened with O_DIRECTORY|O_NOFOLLOW, so a
 * symlink planted in the store is never followed. The root path itself
 * comes from the user database and is trusted.
 *
 * See also: maildir_deliver.h, docs/maildir.md.
 */
#ifndef PETREL_MAILDIR_FOLDER_H
#define PETREL_MAILDIR_FOLDER_H

#include <stddef.h>

/* bytes of the on-disk directory name ".A.B" (one path component) */
#define MAILDIR_FOLDER_NAME_MAX 255
/* components in "A/B/C" */
#define MAILDIR_FOLDER_DEPTH_MAX 16

/* maildir_folder_check - 0 if name is a valid folder name for separator
 * sep ("INBOX" is valid), or -1 with the reason */
int maildir_folder_check(const char *name, char sep, const char **error_r);

/* maildir_folder_dir - the directory name for a folder: "" for INBOX (any
 * case), ".Parent.Child" for "Parent<sep>Child"; -1 with the reason */
int maildir_folder_dir(const char *name, char sep, char *dst, size_t size, const char **error_r);

/* maildir_folder_path - ROOT for INBOX, ROOT/.Parent.Child otherwise */
int maildir_folder_path(const char *root, const char *name, char sep, char *dst, size_t size,
                        const char **error_r);

/* maildir_create - make path a maildir: create path (and missing parents,
 * mode 0700) and tmp/, new/, cur/ in it; a symlink at path or at one of
 * the three is refused */
int maildir_create(const char *path, const char **error_r);

/* maildir_folder_create - create the folder's maildir and its
 * "maildirfolder" file (the root, for INBOX); every new entry is fsynced */
int maildir_folder_create(const char *root, const char *name, char sep, const char **error_r);

/* maildir_open_dir - open path as a directory without following a symlink
 * at its last component; the fd, or -1 with errno and the reason */
int maildir_open_dir(const char *path, const char **error_r);

/* maildir_open_sub - the same for the entry name in the directory dirfd */
int maildir_open_sub(int dirfd, const char *dirpath, const char *name, const char **error_r);

#endif
