/* SPDX-License-Identifier: MIT
 * config_suggest - "did you mean ...?" for unknown parameter names: the
 * known name at the smallest edit distance (insert, delete, replace, or
 * swap two neighbouring bytes), if that distance is at most 2.
 *
 * Input: any string (a name from the file or the command line); names
 * longer than SUGGEST_NAME_MAX get no suggestion, which bounds the work.
 *
 * See also: config.h, params.h.
 */
#include "mail/config.h"

#include <string.h>

#define SUGGEST_NAME_MAX 64
#define SUGGEST_DISTANCE 2

/* min3 - the smallest of three */
static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;

    return m < c ? m : c;
}

/* edit_distance - optimal string alignment distance of a and b (both at
 * most SUGGEST_NAME_MAX bytes) */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t d[SUGGEST_NAME_MAX + 1][SUGGEST_NAME_MAX + 1];
    size_t i, j;

    for (i = 0; i <= la; i++)
        d[i][0] = i;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
                && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    }
    return d[la][lb];
}

/* config_suggest - the closest known parameter name, or NULL */
const char *config_suggest(const char *name)
{
    size_t len = strlen(name), best_distance = SUGGEST_DISTANCE + 1, i;
    const char *best = NULL;

    if (len > SUGGEST_NAME_MAX)
        return NULL;
    for (i = 0; i < param_count; i++) {
        size_t plen = strlen(param_table[i].name), dist;

        if (plen > SUGGEST_NAME_MAX || (plen > len ? plen - len : len - plen) > SUGGEST_DISTANCE)
            continue;
        dist = edit_distance(name, len, param_table[i].name, plen);
        if (dist < best_distance) {
            best_distance = dist;
            best = param_table[i].name;
        }
    }
    return best;
}
