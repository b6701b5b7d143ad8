/* SPDX-License-Identifier: MIT
 * durable - making files and directory entries survive a crash or power loss.
 *
 * The rule everywhere in Petrel: data is on disk before its name is, and a
 * name is on disk before anything is acknowledged. So: write to a temporary
 * name, fsync the file, rename (or link) it into place, fsync the directory.
 * An fsync error is never retried on the same descriptor: the file is
 * abandoned (unlinked) and the operation fails.
 *
 * See also: docs/architecture.md ("Durability").
 */
#ifndef PETREL_UTIL_DURABLE_H
#define PETREL_UTIL_DURABLE_H

#include <stddef.h>
#include <sys/types.h>

/* fsync_dir - fsync the directory at path */
int fsync_dir(const char *path, const char **error_r);
/* fsync_parent_dir - fsync the directory that holds path */
int fsync_parent_dir(const char *path, const char **error_r);
/* write_full - write all n bytes (retrying short writes and EINTR) */
int write_full(int fd, const void *p, size_t n);
/* durable_write_file - replace path with data atomically and durably
 * (a new random path.tmp.XXXXXX, fsync, rename, fsync the directory),
 * with this mode */
int durable_write_file(const char *path, const void *data, size_t len, mode_t mode, const char **error_r);
/* durable_rename - rename and fsync the directories of both names */
int durable_rename(const char *from, const char *to, const char **error_r);
/* read_file - read a whole regular file of at most max bytes into *data_r
 * (malloc'd, NUL-terminated); -1 with an error naming the path */
int read_file(const char *path, size_t max, char **data_r, size_t *len_r, const char **error_r);

#endif
