/* SPDX-License-Identifier: MIT
 * map_text - Postfix-style text tables compiled into maps, like postalias
 * and postmap.
 *
 * Formats (docs/maps.md has the full description):
 *   MAP_TEXT_ALIASES  aliases(5): "name: value, value". The name may be
 *                     quoted ("a:b": x) and is canonical as MAP_KEY_LOCAL;
 *                     the value list is trimmed and written "a, b" (commas
 *                     inside double quotes do not split).
 *   MAP_TEXT_VIRTUAL  virtual(5): "key<white space>value". The key is
 *                     canonical as MAP_KEY_ANY; the value is kept as written
 *                     (trimmed).
 * Both: a line starting with white space continues the entry above (joined
 * with one space); lines whose first non-blank byte is '#', and blank lines,
 * are ignored; CR before LF is ignored; NUL and other control bytes are
 * errors. A key defined twice is an error naming both lines (Postfix warns
 * and keeps the first; Petrel refuses, so an edit can never silently lose).
 * Every error starts "NAME:LINE: " with the line where the entry starts.
 *
 * See also: map.h, map_key.h.
 */
#ifndef PETREL_MAP_MAP_TEXT_H
#define PETREL_MAP_MAP_TEXT_H

#include <stddef.h>
#include <sys/types.h>

/* largest text table map_text_compile reads */
#define MAP_TEXT_FILE_MAX (256 * 1024 * 1024)

enum map_text_format {
    MAP_TEXT_ALIASES,
    MAP_TEXT_VIRTUAL,
};

struct map_text_entry {
    char *key;   /* canonical */
    char *value; /* normalised, at most MAP_VALUE_MAX bytes */
    unsigned int line;
};

/* map_text_entry_fn - receives each entry as it is parsed; return 0, or -1
 * with an error to stop the parse (the error is passed through as is) */
typedef int map_text_entry_fn(const struct map_text_entry *e, void *ctx, const char **error_r);

/* map_text_parse - parse text[0..len) (name is used in errors) and call fn
 * for each entry in file order; no duplicate check. 0, or -1 */
int map_text_parse(const char *name, const char *text, size_t len, enum map_text_format fmt,
                   map_text_entry_fn *fn, void *ctx, const char **error_r);

struct map_text_table {
    struct map_text_entry *entries; /* sorted by key, keys unique */
    size_t count, cap;
};

/* map_text_load - parse into a table sorted by key, refusing duplicate
 * keys; on error the table is empty. 0, or -1 */
int map_text_load(const char *name, const char *text, size_t len, enum map_text_format fmt,
                  struct map_text_table *t, const char **error_r);
/* map_text_table_free - free the entries (the struct itself is the caller's) */
void map_text_table_free(struct map_text_table *t);

/* map_text_compile - compile the table in src_path into the map map_path,
 * all or nothing: a complete new map is written as map_path.tmp.PID,
 * synced, given the old map's owner and mode (or mode for a new one),
 * renamed over map_path, and the directory synced. On any error nothing
 * changes and no temporary file remains. *count_r (if not NULL) gets the
 * number of entries. 0, or -1 */
int map_text_compile(const char *src_path, const char *map_path, enum map_text_format fmt, mode_t mode,
                     size_t *count_r, const char **error_r);

#endif
