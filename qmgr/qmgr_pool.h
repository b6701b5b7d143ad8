/* SPDX-License-Identifier: MIT
 * qmgr_pool - recycled queue files: instead of unlinking the file of a
 * finished message, qmgr truncates it and keeps it in queue/free/; a new
 * message takes a file from there (a rename) before creating one.
 *
 * Why: creating and deleting one inode per message is most of qmgr's and
 * local's CPU time on ext4 without a journal (the allocator skips every
 * inode deleted in the last minute or so, reading its inode table block,
 * so each allocation costs more the faster mail flows; docs/performance.md
 * has the profile). A recycled file costs a rename and a truncate and
 * leaves the inode table alone.
 *
 * Crash safety: a file in free/ is never mail (recovery does not read
 * free/), and is empty: it is truncated *before* it is renamed there, so a
 * crash can leave it with its old content only where it still was, in
 * incoming/ or deferred/, with every recipient already marked done (a
 * finished message), which recovery removes. A recycled file renamed into
 * incoming/ is empty and gets its records from the start; until its END
 * record is on disk it is incomplete, exactly like a new file.
 *
 * Owns: the names in free/ (valid queue ids: the ids of the messages the
 * files last held). Trusts: nothing in free/ (names are checked, files
 * must be empty regular files with one link, else they are unlinked).
 * Limits: at most `limit` files (qmgr_queue_file_pool; 0 disables).
 *
 * See also: qmgr_queue.h, queue_file.h (qf_writer_adopt), docs/queue.md.
 */
#ifndef PETREL_QMGR_POOL_H
#define PETREL_QMGR_POOL_H

#include <stddef.h>

struct qmgr_pool;

/* qmgr_pool_open - the pool in the open directory free_dirfd (borrowed),
 * filled from what free/ holds; files past limit are unlinked */
struct qmgr_pool *qmgr_pool_open(int free_dirfd, size_t limit);
/* qmgr_pool_close - free (the files stay for the next start); accepts NULL */
void qmgr_pool_close(struct qmgr_pool **p_r);
/* qmgr_pool_take - move a pooled file to dirfd/name and open it: an empty
 * regular file, read-write; its descriptor, or -1 when the pool is empty
 * or the file could not be used (it is then dropped, with a warning) */
int qmgr_pool_take(struct qmgr_pool *p, int dirfd, const char *name);
/* qmgr_pool_put - recycle the finished file dirfd/name (fd open
 * read-write, closed here): truncate it and move it into the pool; when
 * the pool is full or a step fails, unlink it instead */
void qmgr_pool_put(struct qmgr_pool *p, int dirfd, const char *name, int fd);
/* qmgr_pool_count - files in the pool */
size_t qmgr_pool_count(const struct qmgr_pool *p);

#endif
