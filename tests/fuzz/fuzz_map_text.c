/* SPDX-License-Identifier: MIT
 * fuzz_map_text - aliases(5) and virtual(5) text through the table parser,
 * without writing any map.
 *
 * Input: one selector byte (bit 0: aliases or virtual), then the table.
 * Properties checked (abort on failure): the parse either succeeds or
 * fails with an error that starts "t:LINE: "; every entry handed to the
 * callback has a canonical key (map_key_canon gives it back unchanged), a
 * value within MAP_VALUE_MAX with no control byte other than tab, and line
 * numbers that never go down; map_text_load gives keys in strictly
 * increasing order (sorted, no duplicates) and the same count as the parse
 * unless it reports a duplicate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "map/map.h"
#include "map/map_key.h"
#include "map/map_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
    enum map_text_format fmt;
    unsigned int last_line;
    size_t count;
};

/* check_entry - parser callback: the properties of one entry */
static int check_entry(const struct map_text_entry *e, void *ctx, const char **error_r)
{
    struct state *s = ctx;
    char again[MAP_KEY_MAX + 1];
    size_t i, vlen = strlen(e->value);

    (void)error_r;
    if (map_key_canon(e->key, strlen(e->key), s->fmt == MAP_TEXT_ALIASES ? MAP_KEY_LOCAL : MAP_KEY_ANY, again,
                      NULL)
            < 0
        || strcmp(again, e->key) != 0)
        abort();
    if (vlen == 0 || vlen > MAP_VALUE_MAX || e->line < 1 || e->line < s->last_line)
        abort();
    for (i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)e->value[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            abort();
    }
    s->last_line = e->line;
    s->count++;
    return 0;
}

/* check_error - an error names the table and a line */
static void check_error(const char *error)
{
    if (error == NULL || strncmp(error, "t:", 2) != 0 || error[2] < '1' || error[2] > '9')
        abort();
}

/* LLVMFuzzerTestOneInput - one input: parse, load, check */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state s = { MAP_TEXT_ALIASES, 0, 0 };
    struct map_text_table t;
    const char *text, *error = NULL;
    size_t i;
    int parsed, loaded;

    if (size < 1)
        return 0;
    s.fmt = (data[0] & 1) ? MAP_TEXT_VIRTUAL : MAP_TEXT_ALIASES;
    text = (const char *)data + 1;
    size--;
    parsed = map_text_parse("t", text, size, s.fmt, check_entry, &s, &error);
    if (parsed < 0)
        check_error(error);
    loaded = map_text_load("t", text, size, s.fmt, &t, &error);
    if (loaded < 0) {
        check_error(error);
        if (parsed == 0 && strstr(error, ": duplicate key \"") == NULL)
            abort();
        return 0;
    }
    if (parsed < 0 || t.count != s.count)
        abort();
    for (i = 1; i < t.count; i++) {
        if (strcmp(t.entries[i - 1].key, t.entries[i].key) >= 0)
            abort();
    }
    map_text_table_free(&t);
    return 0;
}
