/* SPDX-License-Identifier: MIT
 * word_list - walking word lists.
 *
 * See also: word_list.h.
 */
#include "word_list.h"

#include <string.h>
#include <strings.h>

#define SEPARATORS " \t,"

bool word_list_next(const char **cursor, const char **word_r, size_t *len_r)
{
    const char *p = *cursor + strspn(*cursor, SEPARATORS);

    if (*p == '\0') {
        *cursor = p;
        return false;
    }
    *word_r = p;
    *len_r = strcspn(p, SEPARATORS);
    *cursor = p + *len_r;
    return true;
}

bool word_list_has(const char *list, const char *word, size_t len)
{
    const char *w;
    size_t n;

    while (word_list_next(&list, &w, &n))
        if (n == len && strncasecmp(w, word, n) == 0)
            return true;
    return false;
}
