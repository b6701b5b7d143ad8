/* SPDX-License-Identifier: MIT
 * map_private - the map structure shared by map.c (open, locking, reads)
 * and map_write.c (batches, growth). Not for use outside lib/map.
 */
#ifndef PETREL_MAP_MAP_PRIVATE_H
#define PETREL_MAP_MAP_PRIVATE_H

#include <lmdb.h>
#include <stdbool.h>
#include <sys/types.h>

#include "map/map.h"

struct map_op {
    char *key;
    char *value; /* NULL: delete */
};

struct map {
    char *path;
    int flags;
    mode_t mode;
    size_t initial_size, max_size;
    unsigned int lock_timeout_ms;

    MDB_env *env; /* NULL while the file could not be opened */
    MDB_dbi dbi;
    int fd; /* our descriptor of the map file: it carries the locks */
    dev_t dev;
    ino_t ino;
    char *error; /* the last open error of a deferred map */
    bool stale;  /* LMDB reported MDB_PANIC: reopen before the next use */

    bool in_batch;
    struct map_op *ops;
    size_t nops, ops_cap;
};

/* map_lock - take the shared (F_RDLCK) or exclusive (F_WRLCK) lock */
int map_lock(struct map *m, short type, const char **error_r);
/* map_unlock - release the lock */
void map_unlock(struct map *m);
/* map_refresh - open the map, or reopen it when its file was replaced */
int map_refresh(struct map *m, const char **error_r);
/* map_same_file - 1 if path still names the open file, 0 if not, -1 error */
int map_same_file(struct map *m, const char **error_r);
/* map_txn_begin - begin a transaction, following a map another process grew */
int map_txn_begin(struct map *m, unsigned int flags, MDB_txn **txn_r, const char **error_r);
/* map_check_kv - check key and value (NULL: no value) against the limits */
int map_check_kv(const char *key, const char *value, const char **error_r);
/* map_ops_clear - free the queued operations */
void map_ops_clear(struct map *m);

#endif
