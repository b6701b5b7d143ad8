/* SPDX-License-Identifier: MIT
 * config_edit - editing petrel.conf in place, as "postconf name=value" does.
 *
 * An edit replaces the whole logical entry of a parameter (its line and its
 * continuation lines) at the place it stands, or appends it at the end when
 * the parameter is not set; an unset removes it. Every other byte of the
 * file (comments, order, blank lines, other entries) is kept. The new text
 * is validated as a whole with the same code that "petrel start" uses before
 * anything is written; the file is then replaced atomically and durably
 * (temporary file, fsync, rename, fsync of the directory).
 *
 * See also: config.h, service_table.h (the same for master.conf).
 */
#ifndef PETREL_MAIL_CONFIG_EDIT_H
#define PETREL_MAIL_CONFIG_EDIT_H

#include <stddef.h>

struct config_edit {
    const char *name;
    const char *value;    /* NULL: remove the entry */
};

/* config_edit_text - apply edits to text, giving the new text (malloc'd) */
int config_edit_text(const char *text, size_t len, const struct config_edit *edits, size_t n,
                     char **new_text_r, const char **error_r);
/* config_edit_file - edit DIR/petrel.conf: unknown names and invalid values
 * (after expansion, with bounds) are refused and the file stays untouched */
int config_edit_file(const char *config_dir, const struct config_edit *edits, size_t n,
                     const char **error_r);

#endif
