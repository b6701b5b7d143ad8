/* SPDX-License-Identifier: MIT
 * map - opening LMDB map files, the fcntl locks that replace LMDB's own
 * lock file, noticing a replaced file, lookups and iteration.
 *
 * Owns: one LMDB environment and one descriptor of the map file per map.
 * Trusts the map file's page structure as LMDB does (map files are written
 * only by the administrator); values are checked for NUL and length before
 * they are returned. Writes are in map_write.c.
 */
#include "map/map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "map/map_private.h"
#include "util/alloc.h"
#include "util/err.h"

/* sleep_ms - sleep for ms milliseconds */
static void sleep_ms(unsigned int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* map_lock - take the lock, polling until the lock timeout */
int map_lock(struct map *m, short type, const char **error_r)
{
    struct flock fl;
    unsigned int waited = 0, step = 1;

    for (;;) {
        memset(&fl, 0, sizeof(fl));
        fl.l_type = type;
        fl.l_whence = SEEK_SET;
        if (fcntl(m->fd, F_OFD_SETLK, &fl) == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EACCES)
            return errf(error_r, "lock map %s: %s", m->path, strerror(errno));
        if (waited >= m->lock_timeout_ms)
            return errf(error_r, "lock map %s: timed out after %u ms (a %s holds it)", m->path, waited,
                        type == F_RDLCK ? "writer" : "reader or writer");
        sleep_ms(step);
        waited += step;
        step = step < 32 ? step * 2 : 50;
    }
}

/* map_unlock - release the lock */
void map_unlock(struct map *m)
{
    struct flock fl;

    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    (void)fcntl(m->fd, F_OFD_SETLK, &fl);
}

/* close_env - close the environment and our descriptor */
static void close_env(struct map *m)
{
    if (m->env != NULL)
        mdb_env_close(m->env);
    m->env = NULL;
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

/* open_file - open our descriptor of the map file and remember its inode */
static int open_file(struct map *m, off_t *size_r, const char **error_r)
{
    int oflags = O_CLOEXEC | O_NOCTTY | ((m->flags & MAP_RDWR) ? O_RDWR : O_RDONLY);
    struct stat st;

    /* create with O_EXCL first, so a new file can be given exactly the mode
     * (without the umask) and an existing one is never changed */
    if ((m->flags & MAP_RDWR) && (m->flags & MAP_CREATE)) {
        m->fd = open(m->path, oflags | O_CREAT | O_EXCL, m->mode);
        if (m->fd >= 0 && fchmod(m->fd, m->mode) < 0)
            return errf(error_r, "chmod map %s: %s", m->path, strerror(errno));
        if (m->fd < 0 && (errno != EEXIST || (m->flags & MAP_EXCL)))
            return errf(error_r, "create map %s: %s", m->path, strerror(errno));
    }
    if (m->fd < 0)
        m->fd = open(m->path, oflags, m->mode);
    if (m->fd < 0)
        return errf(error_r, "open map %s: %s", m->path, strerror(errno));
    if (fstat(m->fd, &st) < 0)
        return errf(error_r, "stat map %s: %s", m->path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return errf(error_r, "open map %s: not a regular file", m->path);
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    *size_r = st.st_size;
    return 0;
}

/* env_is_ours - did LMDB open the same file as our descriptor? */
static int env_is_ours(struct map *m)
{
    struct stat st;
    int fd;

    return mdb_env_get_fd(m->env, &fd) == 0 && fstat(fd, &st) == 0 && st.st_dev == m->dev
           && st.st_ino == m->ino;
}

/* open_env - open the LMDB environment and its main database (locked) */
static int open_env(struct map *m, off_t size, const char **error_r)
{
    unsigned int flags = MDB_NOSUBDIR | MDB_NOLOCK | MDB_NORDAHEAD;
    MDB_txn *txn;
    int rc;

    if (!(m->flags & MAP_RDWR))
        flags |= MDB_RDONLY;
    /* LMDB would say ENOENT; a writer is creating it, or it was truncated */
    if (!(m->flags & MAP_RDWR) && size == 0)
        return errf(error_r, "open map %s: the file is empty (not an LMDB file yet)", m->path);
    if ((rc = mdb_env_create(&m->env)) != 0)
        return errf(error_r, "open map %s: %s", m->path, mdb_strerror(rc));
    if ((m->flags & MAP_RDWR) && size == 0 && (rc = mdb_env_set_mapsize(m->env, m->initial_size)) != 0)
        return errf(error_r, "open map %s: set size: %s", m->path, mdb_strerror(rc));
    if ((rc = mdb_env_open(m->env, m->path, flags, m->mode)) != 0)
        return errf(error_r, "open map %s: %s", m->path, mdb_strerror(rc));
    if (!env_is_ours(m))
        return errf(error_r, "open map %s: the file was replaced while it was opened", m->path);
    if ((rc = mdb_txn_begin(m->env, NULL, MDB_RDONLY, &txn)) != 0)
        return errf(error_r, "open map %s: %s", m->path, mdb_strerror(rc));
    rc = mdb_dbi_open(txn, NULL, 0, &m->dbi);
    if (rc == 0)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc != 0)
        return errf(error_r, "open map %s: %s", m->path, mdb_strerror(rc));
    return 0;
}

/* reopen - (re)open file and environment; on failure the map stays closed */
static int reopen(struct map *m, const char **error_r)
{
    off_t size = 0;
    int ret;

    close_env(m);
    if (open_file(m, &size, error_r) < 0) {
        close_env(m);
        return -1;
    }
    if (map_lock(m, (m->flags & MAP_RDWR) ? F_WRLCK : F_RDLCK, error_r) < 0) {
        close_env(m);
        return -1;
    }
    ret = open_env(m, size, error_r);
    map_unlock(m);
    if (ret < 0)
        close_env(m);
    return ret;
}

/* map_same_file - does the path still name the file we have open? */
int map_same_file(struct map *m, const char **error_r)
{
    struct stat st;

    (void)error_r;
    if (stat(m->path, &st) < 0)
        return 0; /* reopening gives the precise error */
    return st.st_dev == m->dev && st.st_ino == m->ino;
}

/* map_refresh - open a closed map, reopen a replaced one */
int map_refresh(struct map *m, const char **error_r)
{
    const char *error;

    if (m->env != NULL && !m->stale && map_same_file(m, error_r) == 1)
        return 0;
    m->stale = false;
    if (reopen(m, &error) == 0) {
        xfree(m->error);
        return 0;
    }
    xfree(m->error);
    m->error = xstrdup(error);
    if (error_r != NULL)
        *error_r = m->error;
    return -1;
}

/* map_open_sized - open a map with explicit size bounds */
int map_open_sized(const char *path, int flags, mode_t mode, size_t initial, size_t max, struct map **m_r,
                   const char **error_r)
{
    struct map *m;

    *m_r = NULL;
    if ((flags & MAP_DEFER_ERRORS) && (flags & MAP_RDWR))
        return errf(error_r, "open map %s: MAP_DEFER_ERRORS is for readers only", path);
    m = xcalloc(1, sizeof(*m));
    m->path = xstrdup(path);
    m->flags = flags;
    m->mode = mode;
    m->initial_size = initial;
    m->max_size = max < initial ? initial : max;
    m->lock_timeout_ms = MAP_LOCK_TIMEOUT_MS;
    m->fd = -1;
    if (map_refresh(m, error_r) < 0 && !(flags & MAP_DEFER_ERRORS)) {
        if (error_r != NULL)
            *error_r = err_fmt("%s", m->error);
        map_close(&m);
        return -1;
    }
    *m_r = m;
    return 0;
}

/* map_open - open a map with the default size bounds */
int map_open(const char *path, int flags, mode_t mode, struct map **m_r, const char **error_r)
{
    return map_open_sized(path, flags, mode, MAP_INITIAL_SIZE, MAP_MAX_SIZE, m_r, error_r);
}

/* map_close - close a map */
void map_close(struct map **m_r)
{
    struct map *m = *m_r;

    if (m == NULL)
        return;
    map_ops_clear(m);
    close_env(m);
    xfree(m->ops);
    xfree(m->error);
    xfree(m->path);
    xfree(m);
    *m_r = NULL;
}

/* map_set_lock_timeout - set the lock timeout */
void map_set_lock_timeout(struct map *m, unsigned int ms)
{
    m->lock_timeout_ms = ms;
}

/* map_path - the map's path */
const char *map_path(const struct map *m)
{
    return m->path;
}

/* check_size - the file must hold every page the current meta page names:
 * LMDB does not check, and touching a page past the end of a truncated
 * file would kill the process with SIGBUS */
static int check_size(struct map *m, const char **error_r)
{
    MDB_envinfo info;
    MDB_stat st;
    struct stat fst;
    int rc;

    if ((rc = mdb_env_info(m->env, &info)) != 0 || (rc = mdb_env_stat(m->env, &st)) != 0)
        return errf(error_r, "map %s: %s", m->path, mdb_strerror(rc));
    if (fstat(m->fd, &fst) < 0)
        return errf(error_r, "stat map %s: %s", m->path, strerror(errno));
    if ((uintmax_t)fst.st_size < ((uintmax_t)info.me_last_pgno + 1) * st.ms_psize)
        return errf(error_r, "map %s is corrupt: truncated to %jd bytes, its data needs %ju", m->path,
                    (intmax_t)fst.st_size, ((uintmax_t)info.me_last_pgno + 1) * st.ms_psize);
    return 0;
}

/* map_txn_begin - begin a transaction, adopting a size another process set */
int map_txn_begin(struct map *m, unsigned int flags, MDB_txn **txn_r, const char **error_r)
{
    int rc;

    *txn_r = NULL;
    if (check_size(m, error_r) < 0)
        return -1;
    rc = mdb_txn_begin(m->env, NULL, flags, txn_r);
    if (rc == MDB_MAP_RESIZED) {
        rc = mdb_env_set_mapsize(m->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(m->env, NULL, flags, txn_r);
    }
    if (rc == MDB_PANIC)
        m->stale = true;
    if (rc != 0)
        return errf(error_r, "map %s: begin transaction: %s", m->path, mdb_strerror(rc));
    return 0;
}

/* check_stored - a stored key or value must be within limits and NUL-free */
static int check_stored(struct map *m, const MDB_val *v, size_t max, const char **error_r)
{
    if (v->mv_size > max || memchr(v->mv_data, '\0', v->mv_size) != NULL)
        return errf(error_r, "map %s: corrupt entry (NUL byte or over %zu bytes)", m->path, max);
    return 0;
}

/* map_lookup - three-way lookup */
enum map_result map_lookup(struct map *m, const char *key, char **value_r, const char **error_r)
{
    MDB_val k, v;
    MDB_txn *txn;
    enum map_result res = MAP_TEMPFAIL;
    int rc;

    *value_r = NULL;
    k.mv_size = strlen(key);
    k.mv_data = (void *)key;
    if (k.mv_size == 0 || k.mv_size > MAP_KEY_MAX)
        return MAP_NOTFOUND;
    if (map_refresh(m, error_r) < 0 || map_lock(m, F_RDLCK, error_r) < 0)
        return MAP_TEMPFAIL;
    if (map_txn_begin(m, MDB_RDONLY, &txn, error_r) == 0) {
        rc = mdb_get(txn, m->dbi, &k, &v);
        if (rc == MDB_NOTFOUND) {
            res = MAP_NOTFOUND;
        } else if (rc != 0) {
            errf(error_r, "map %s: lookup: %s", m->path, mdb_strerror(rc));
        } else if (check_stored(m, &v, MAP_VALUE_MAX, error_r) == 0) {
            *value_r = xmemdup(v.mv_data, v.mv_size);
            res = MAP_FOUND;
        }
        mdb_txn_abort(txn);
    }
    map_unlock(m);
    return res;
}

struct map_iter {
    struct map *m;
    MDB_txn *txn;
    MDB_cursor *cur;
    bool started;
    char *key, *value;
};

/* map_iter_begin - start an iteration in key order, under the shared lock */
int map_iter_begin(struct map *m, struct map_iter **it_r, const char **error_r)
{
    struct map_iter *it;
    int rc;

    *it_r = NULL;
    if (map_refresh(m, error_r) < 0 || map_lock(m, F_RDLCK, error_r) < 0)
        return -1;
    it = xcalloc(1, sizeof(*it));
    it->m = m;
    if (map_txn_begin(m, MDB_RDONLY, &it->txn, error_r) < 0) {
        map_iter_end(&it);
        return -1;
    }
    if ((rc = mdb_cursor_open(it->txn, m->dbi, &it->cur)) != 0) {
        map_iter_end(&it);
        return errf(error_r, "map %s: open cursor: %s", m->path, mdb_strerror(rc));
    }
    *it_r = it;
    return 0;
}

/* map_iter_next - the next entry in key order */
enum map_result map_iter_next(struct map_iter *it, const char **key_r, const char **value_r,
                              const char **error_r)
{
    MDB_val k, v;
    int rc = mdb_cursor_get(it->cur, &k, &v, it->started ? MDB_NEXT : MDB_FIRST);

    it->started = true;
    *key_r = *value_r = NULL;
    if (rc == MDB_NOTFOUND)
        return MAP_NOTFOUND;
    if (rc != 0) {
        errf(error_r, "map %s: read: %s", it->m->path, mdb_strerror(rc));
        return MAP_TEMPFAIL;
    }
    if (check_stored(it->m, &k, MAP_KEY_MAX, error_r) < 0
        || check_stored(it->m, &v, MAP_VALUE_MAX, error_r) < 0)
        return MAP_TEMPFAIL;
    xfree(it->key);
    xfree(it->value);
    it->key = xmemdup(k.mv_data, k.mv_size);
    it->value = xmemdup(v.mv_data, v.mv_size);
    *key_r = it->key;
    *value_r = it->value;
    return MAP_FOUND;
}

/* map_iter_end - end an iteration and release the lock */
void map_iter_end(struct map_iter **it_r)
{
    struct map_iter *it = *it_r;

    if (it == NULL)
        return;
    if (it->cur != NULL)
        mdb_cursor_close(it->cur);
    if (it->txn != NULL)
        mdb_txn_abort(it->txn);
    map_unlock(it->m);
    xfree(it->key);
    xfree(it->value);
    xfree(it);
    *it_r = NULL;
}
