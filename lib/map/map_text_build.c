/* SPDX-License-Identifier: MIT
 * map_text_build - text tables into maps, all or nothing: parse the whole
 * file into a sorted table (refusing duplicate keys), write a complete new
 * map next to the target, sync it, and rename it into place.
 *
 * Readers of the old map keep their consistent view until their next
 * operation, which notices the new inode and reopens (map.c).
 */
#include "map/map_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map/map.h"
#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

/* collect - parser callback: append a copy of the entry to the table */
static int collect(const struct map_text_entry *e, void *ctx, const char **error_r)
{
    struct map_text_table *t = ctx;

    (void)error_r;
    if (t->count == t->cap) {
        t->cap = t->cap == 0 ? 64 : t->cap * 2;
        t->entries = xreallocarray(t->entries, t->cap, sizeof(*t->entries));
    }
    t->entries[t->count].key = xstrdup(e->key);
    t->entries[t->count].value = xstrdup(e->value);
    t->entries[t->count].line = e->line;
    t->count++;
    return 0;
}

/* entry_cmp - order by key, then by line */
static int entry_cmp(const void *a, const void *b)
{
    const struct map_text_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c != 0)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* find_duplicate - the duplicate whose second definition comes first */
static const struct map_text_entry *find_duplicate(const struct map_text_table *t,
                                                   const struct map_text_entry **first_r)
{
    const struct map_text_entry *dup = NULL;
    size_t i;

    for (i = 1; i < t->count; i++) {
        const struct map_text_entry *a = &t->entries[i - 1], *b = &t->entries[i];

        if (strcmp(a->key, b->key) == 0 && (dup == NULL || b->line < dup->line)) {
            /* the first definition of this key is the first of its run */
            size_t j = i - 1;

            while (j > 0 && strcmp(t->entries[j - 1].key, b->key) == 0)
                j--;
            dup = b;
            *first_r = &t->entries[j];
        }
    }
    return dup;
}

/* map_text_load - parse into a sorted, duplicate-free table */
int map_text_load(const char *name, const char *text, size_t len, enum map_text_format fmt,
                  struct map_text_table *t, const char **error_r)
{
    const struct map_text_entry *dup, *first = NULL;

    memset(t, 0, sizeof(*t));
    if (map_text_parse(name, text, len, fmt, collect, t, error_r) < 0) {
        map_text_table_free(t);
        return -1;
    }
    if (t->count > 1)
        qsort(t->entries, t->count, sizeof(*t->entries), entry_cmp);
    if ((dup = find_duplicate(t, &first)) != NULL) {
        errf(error_r, "%s:%u: duplicate key \"%s\" (first defined at line %u)", name, dup->line, dup->key,
             first->line);
        map_text_table_free(t);
        return -1;
    }
    return 0;
}

/* map_text_table_free - free the entries of a table */
void map_text_table_free(struct map_text_table *t)
{
    size_t i;

    for (i = 0; i < t->count; i++) {
        xfree(t->entries[i].key);
        xfree(t->entries[i].value);
    }
    xfree(t->entries);
    t->count = t->cap = 0;
}

/* write_map - write all entries into the new map file tmp */
static int write_map(const char *tmp, const struct map_text_table *t, mode_t mode, const char **error_r)
{
    struct map *m;
    size_t i;
    int ret = 0;

    if (map_open(tmp, MAP_RDWR | MAP_CREATE | MAP_EXCL, mode, &m, error_r) < 0)
        return -1;
    if (map_write_begin(m, error_r) < 0)
        ret = -1;
    for (i = 0; i < t->count && ret == 0; i++)
        ret = map_put(m, t->entries[i].key, t->entries[i].value, error_r);
    if (ret == 0)
        ret = map_write_commit(m, error_r);
    map_close(&m);
    return ret;
}

/* copy_owner - give tmp the owner and mode of the map it replaces, or mode
 * (exactly, without the umask) for a new map */
static int copy_owner(const char *tmp, const char *map_path, mode_t mode, const char **error_r)
{
    struct stat st;

    if (stat(map_path, &st) < 0) {
        if (errno != ENOENT)
            return errf(error_r, "stat %s: %s", map_path, strerror(errno));
        if (chmod(tmp, mode) < 0)
            return errf(error_r, "chmod %s: %s", tmp, strerror(errno));
        return 0;
    }
    if (chown(tmp, st.st_uid, st.st_gid) < 0 && geteuid() == 0)
        return errf(error_r, "chown %s: %s", tmp, strerror(errno));
    if (chmod(tmp, st.st_mode & 07777) < 0)
        return errf(error_r, "chmod %s: %s", tmp, strerror(errno));
    return 0;
}

/* install - put the finished tmp map in place of map_path, durably */
static int install(const char *tmp, const char *map_path, mode_t mode, const char **error_r)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);

    /* LMDB synced its commit; this covers the file's metadata as well */
    if (fd < 0 || fsync(fd) < 0) {
        int saved = errno;

        if (fd >= 0)
            close(fd);
        return errf(error_r, "fsync %s: %s", tmp, strerror(saved));
    }
    close(fd);
    if (copy_owner(tmp, map_path, mode, error_r) < 0)
        return -1;
    if (rename(tmp, map_path) < 0)
        return errf(error_r, "rename %s to %s: %s", tmp, map_path, strerror(errno));
    return fsync_parent_dir(map_path, error_r);
}

/* map_text_compile - compile a text table into a map, all or nothing */
int map_text_compile(const char *src_path, const char *map_path, enum map_text_format fmt, mode_t mode,
                     size_t *count_r, const char **error_r)
{
    struct map_text_table t;
    char tmp[4096];
    char *text;
    size_t len;
    int ret;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", map_path, (long)getpid()) >= (int)sizeof(tmp))
        return errf(error_r, "map path too long: %s", map_path);
    if (read_file(src_path, MAP_TEXT_FILE_MAX, &text, &len, error_r) < 0)
        return -1;
    ret = map_text_load(src_path, text, len, fmt, &t, error_r);
    xfree(text);
    if (ret < 0)
        return -1;
    (void)unlink(tmp); /* left by a crashed run with our pid */
    ret = write_map(tmp, &t, mode, error_r);
    if (ret == 0)
        ret = install(tmp, map_path, mode, error_r);
    if (ret < 0)
        (void)unlink(tmp);
    else if (count_r != NULL)
        *count_r = t.count;
    map_text_table_free(&t);
    return ret;
}
