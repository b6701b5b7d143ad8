/* SPDX-License-Identifier: MIT
 * map - lookup maps: one LMDB environment in one file (MDB_NOSUBDIR), keys
 * and values are byte strings without NUL, sorted by key (memcmp order).
 *
 * Locking (THREATS F23): environments are opened with MDB_NOLOCK, so LMDB
 * creates no lock file (its lock file would have to be writable by every
 * reader). Instead each operation takes an open-file-description fcntl lock
 * (F_OFD_SETLK) on the map file itself: shared around a read transaction,
 * exclusive around a write transaction. A lock that cannot be had within the
 * lock timeout is a temporary failure, never a hang and never "not found".
 *
 * Results are three-way. MAP_TEMPFAIL covers every LMDB or system error
 * (corrupt file, lock failure, I/O, a map that cannot be opened), so a
 * daemon answers 4xx and tries again instead of acting on a wrong answer.
 *
 * Writers grow a full map (doubling, up to the maximum size) and retry the
 * transaction; readers follow a map that a writer grew. A map file replaced
 * by rename (map_text_compile) is noticed at the next operation (the path's
 * inode is compared each time) and reopened, so no restart is needed.
 *
 * Limits: keys 1..MAP_KEY_MAX bytes, values 0..MAP_VALUE_MAX bytes, no NUL.
 * A map is used by one process and is not thread-safe.
 *
 * See also: map_key.h (canonical keys), map_text.h, docs/maps.md.
 */
#ifndef PETREL_MAP_MAP_H
#define PETREL_MAP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "map/map_key.h"

#define MAP_VALUE_MAX 65536
#define MAP_INITIAL_SIZE (1024 * 1024)
#define MAP_MAX_SIZE ((size_t)4 * 1024 * 1024 * 1024)
#define MAP_LOCK_TIMEOUT_MS 10000

enum map_result {
    MAP_FOUND,
    MAP_NOTFOUND,
    MAP_TEMPFAIL,
};

enum map_flags {
    MAP_RDONLY = 0,
    MAP_RDWR = 1 << 0,
    MAP_CREATE = 1 << 1, /* with MAP_RDWR: create the file (mode) if missing */
    MAP_EXCL = 1 << 2,   /* with MAP_CREATE: the file must not exist */
    /* read-only: if the file cannot be opened now, map_open still succeeds;
     * each lookup tries again and gives MAP_TEMPFAIL with the reason until it
     * works (a daemon then defers mail instead of failing to start) */
    MAP_DEFER_ERRORS = 1 << 3,
};

struct map;
struct map_iter;

/* map_open - open the map file at path; a file that MAP_CREATE creates gets
 * exactly mode (the umask does not apply). 0, or -1 with an error naming
 * the path. Keys are used as given: make them with map_key_canon. */
int map_open(const char *path, int flags, mode_t mode, struct map **m_r, const char **error_r);
/* map_open_sized - map_open with the initial and maximum map size of a
 * writer (map_open uses MAP_INITIAL_SIZE and MAP_MAX_SIZE) */
int map_open_sized(const char *path, int flags, mode_t mode, size_t initial, size_t max, struct map **m_r,
                   const char **error_r);
/* map_close - close *m_r (discarding an uncommitted batch), set it to NULL;
 * accepts NULL */
void map_close(struct map **m_r);
/* map_set_lock_timeout - how long an operation waits for the lock */
void map_set_lock_timeout(struct map *m, unsigned int ms);
/* map_path - the path the map was opened with */
const char *map_path(const struct map *m);

/* map_lookup - look key up. MAP_FOUND sets *value_r (malloc'd, NUL-
 * terminated, the caller frees it); MAP_NOTFOUND sets it to NULL;
 * MAP_TEMPFAIL sets it to NULL and *error_r. A key that is not a valid key
 * (empty, too long, NUL) cannot be in the map: MAP_NOTFOUND. */
enum map_result map_lookup(struct map *m, const char *key, char **value_r, const char **error_r);

/* map_lookup_address - look the recipient addr up under the keys of
 * map_key_candidates (filled into *c), most specific first. MAP_FOUND: the
 * value as map_lookup, and *matched_r is the index in c->key of the key
 * that matched (c->ext holds the extension). MAP_TEMPFAIL at any step ends
 * the search: a less specific key never answers for one that could not be
 * read. An address that cannot be a key is MAP_NOTFOUND with *error_r set
 * to the reason. */
enum map_result map_lookup_address(struct map *m, const char *addr, const char *delims,
                                   struct map_key_candidates *c, size_t *matched_r, char **value_r,
                                   const char **error_r);

/* map_put - store key = value (replacing an old value). Inside a batch the
 * change is queued; otherwise it is committed at once. 0, or -1 */
int map_put(struct map *m, const char *key, const char *value, const char **error_r);
/* map_delete - remove key; removing an absent key is not an error. 0, or -1 */
int map_delete(struct map *m, const char *key, const char **error_r);

/* map_write_begin - start a batch: later puts and deletes are applied
 * together, atomically, by map_write_commit, or not at all. Lookups do not
 * see queued changes. 0, or -1 (a batch is already open) */
int map_write_begin(struct map *m, const char **error_r);
/* map_write_commit - apply the batch in one write transaction (growing the
 * map if needed); the batch ends either way. 0, or -1 (nothing applied) */
int map_write_commit(struct map *m, const char **error_r);
/* map_write_abort - discard the batch */
void map_write_abort(struct map *m);

/* map_iter_begin - iterate over all entries in key order. The iterator
 * holds the shared lock until map_iter_end: writers wait, so do not keep it
 * open across slow output. 0, or -1 */
int map_iter_begin(struct map *m, struct map_iter **it_r, const char **error_r);
/* map_iter_next - the next entry: MAP_FOUND with *key_r and *value_r (valid
 * until the next call), MAP_NOTFOUND at the end, or MAP_TEMPFAIL */
enum map_result map_iter_next(struct map_iter *it, const char **key_r, const char **value_r,
                              const char **error_r);
/* map_iter_end - release the iterator and its lock; accepts NULL */
void map_iter_end(struct map_iter **it_r);

#endif
