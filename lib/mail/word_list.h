/* SPDX-License-Identifier: MIT
 * word_list - lists of words separated by spaces, tabs or commas, as list
 * parameters (auth_mechanisms, auth_proxy_users) and alias values write
 * them. Empty words (",,", leading or trailing separators) do not count.
 */
#ifndef PETREL_MAIL_WORD_LIST_H
#define PETREL_MAIL_WORD_LIST_H

#include <stdbool.h>
#include <stddef.h>

/* word_list_next - the next word at *cursor: true with *word_r and *len_r
 * (the word is not NUL-terminated) and *cursor moved past it; false at the
 * end of the list */
bool word_list_next(const char **cursor, const char **word_r, size_t *len_r);
/* word_list_has - does list hold word[0..len), ASCII case ignored? */
bool word_list_has(const char *list, const char *word, size_t len);

#endif
