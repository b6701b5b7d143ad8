/* SPDX-License-Identifier: MIT
 * map_write - changes to a map: puts and deletes, queued in a batch and
 * applied in one LMDB write transaction under the exclusive lock.
 *
 * Because a batch is kept in memory until commit, a transaction that fills
 * the map (MDB_MAP_FULL) is simply aborted, the map doubled (up to its
 * maximum size) and the whole batch applied again: callers never see a
 * partial batch. Readers follow the new size (map_txn_begin).
 */
#include <fcntl.h>
#include <string.h>

#include "map/map.h"
#include "map/map_private.h"
#include "util/alloc.h"
#include "util/err.h"

/* map_check_kv - enforce the key and value limits */
int map_check_kv(const char *key, const char *value, const char **error_r)
{
    size_t klen = strlen(key);

    if (klen == 0)
        return errf(error_r, "empty key");
    if (klen > MAP_KEY_MAX)
        return errf(error_r, "key \"%.40s...\" is longer than %d bytes", key, MAP_KEY_MAX);
    if (value != NULL && strlen(value) > MAP_VALUE_MAX)
        return errf(error_r, "value of key \"%.40s\" is longer than %d bytes", key, MAP_VALUE_MAX);
    return 0;
}

/* map_ops_clear - forget the queued changes */
void map_ops_clear(struct map *m)
{
    size_t i;

    for (i = 0; i < m->nops; i++) {
        xfree(m->ops[i].key);
        xfree(m->ops[i].value);
    }
    m->nops = 0;
}

/* queue_op - queue one change (value NULL: delete) */
static void queue_op(struct map *m, const char *key, const char *value)
{
    if (m->nops == m->ops_cap) {
        m->ops_cap = m->ops_cap == 0 ? 16 : m->ops_cap * 2;
        m->ops = xreallocarray(m->ops, m->ops_cap, sizeof(*m->ops));
    }
    m->ops[m->nops].key = xstrdup(key);
    m->ops[m->nops].value = value != NULL ? xstrdup(value) : NULL;
    m->nops++;
}

/* apply_ops - apply the queue in txn; an LMDB return code */
static int apply_ops(struct map *m, MDB_txn *txn)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < m->nops && rc == 0; i++) {
        MDB_val k = { strlen(m->ops[i].key), m->ops[i].key };

        if (m->ops[i].value != NULL) {
            MDB_val v = { strlen(m->ops[i].value), m->ops[i].value };

            rc = mdb_put(txn, m->dbi, &k, &v, 0);
        } else {
            rc = mdb_del(txn, m->dbi, &k, NULL);
            if (rc == MDB_NOTFOUND)
                rc = 0;
        }
    }
    return rc;
}

/* grow - double the map size, up to the maximum */
static int grow(struct map *m, const char **error_r)
{
    MDB_envinfo info;
    size_t size;
    int rc;

    if ((rc = mdb_env_info(m->env, &info)) != 0)
        return errf(error_r, "map %s: %s", m->path, mdb_strerror(rc));
    if (info.me_mapsize >= m->max_size)
        return errf(error_r, "map %s is full (%zu bytes, the maximum size)", m->path, info.me_mapsize);
    size = info.me_mapsize > m->max_size / 2 ? m->max_size : info.me_mapsize * 2;
    if ((rc = mdb_env_set_mapsize(m->env, size)) != 0)
        return errf(error_r, "map %s: grow to %zu bytes: %s", m->path, size, mdb_strerror(rc));
    return 0;
}

/* lock_current - exclusive lock on the file the path names now */
static int lock_current(struct map *m, const char **error_r)
{
    int tries;

    for (tries = 0; tries < 5; tries++) {
        if (map_refresh(m, error_r) < 0 || map_lock(m, F_WRLCK, error_r) < 0)
            return -1;
        if (map_same_file(m, error_r) == 1)
            return 0;
        map_unlock(m);
    }
    return errf(error_r, "map %s: the file keeps being replaced", m->path);
}

/* commit_ops - apply the queued changes atomically, growing the map */
static int commit_ops(struct map *m, const char **error_r)
{
    MDB_txn *txn;
    int rc, ret = -1;

    if (m->nops == 0)
        return 0;
    if (lock_current(m, error_r) < 0) {
        map_ops_clear(m);
        return -1;
    }
    for (;;) {
        if (map_txn_begin(m, 0, &txn, error_r) < 0)
            break;
        rc = apply_ops(m, txn);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
        if (rc == 0) {
            ret = 0;
            break;
        }
        if (rc != MDB_MAP_FULL) {
            errf(error_r, "map %s: write: %s", m->path, mdb_strerror(rc));
            break;
        }
        if (grow(m, error_r) < 0)
            break;
    }
    map_unlock(m);
    map_ops_clear(m);
    return ret;
}

/* check_writable - a map opened for writing, and not in a failed state */
static int check_writable(struct map *m, const char **error_r)
{
    if (!(m->flags & MAP_RDWR))
        return errf(error_r, "map %s: opened read-only", m->path);
    return 0;
}

/* map_put - store or queue key = value */
int map_put(struct map *m, const char *key, const char *value, const char **error_r)
{
    if (check_writable(m, error_r) < 0 || map_check_kv(key, value, error_r) < 0)
        return -1;
    queue_op(m, key, value);
    return m->in_batch ? 0 : commit_ops(m, error_r);
}

/* map_delete - remove or queue the removal of key */
int map_delete(struct map *m, const char *key, const char **error_r)
{
    if (check_writable(m, error_r) < 0 || map_check_kv(key, NULL, error_r) < 0)
        return -1;
    queue_op(m, key, NULL);
    return m->in_batch ? 0 : commit_ops(m, error_r);
}

/* map_write_begin - start a batch */
int map_write_begin(struct map *m, const char **error_r)
{
    if (check_writable(m, error_r) < 0)
        return -1;
    if (m->in_batch)
        return errf(error_r, "map %s: a write batch is already open", m->path);
    m->in_batch = true;
    return 0;
}

/* map_write_commit - apply the batch */
int map_write_commit(struct map *m, const char **error_r)
{
    if (!m->in_batch)
        return errf(error_r, "map %s: no write batch is open", m->path);
    m->in_batch = false;
    return commit_ops(m, error_r);
}

/* map_write_abort - discard the batch */
void map_write_abort(struct map *m)
{
    m->in_batch = false;
    map_ops_clear(m);
}
