/* SPDX-License-Identifier: MIT
 * config_edit - editing petrel.conf in place, as "postconf name=value" does.
 *
 * An edit replaces the whole logical entry of a parameter (its line and its
 * continuation lines) at the place it stands with one "name = value" line,
 * or appends that line at the end when the parameter is not set; an unset
 * removes it (unsetting what is not set changes nothing). Every other byte
 * of the file (comments, order, blank lines, other entries, and comment or
 * blank lines that stand between an entry's continuation lines) is kept.
 * When a parameter is set more than once, the last (effective) entry is
 * edited or removed and the earlier ones are left as they are.
 *
 * New values are trimmed and may not contain control characters (a line
 * break would forge another entry). A name to set must be a known
 * parameter (config_directory excepted); a name to remove need only be
 * well formed, so that a misspelt entry can be removed.
 *
 * config_edit_file validates the new text as a whole with config_load_text,
 * the code "petrel start" uses, before anything is written; the file is
 * then replaced atomically and durably (temporary file, fsync, rename,
 * fsync of the directory), keeping its mode (and its owner, as root); a
 * symlink is followed; a missing file is created (mode 0644); an edit that
 * changes nothing does not rewrite the file. Concurrent editors are not
 * locked against each other: the last writer wins.
 *
 * See also: config.h, service_table.h (the same for master.conf).
 */
#ifndef PETREL_MAIL_CONFIG_EDIT_H
#define PETREL_MAIL_CONFIG_EDIT_H

#include <stddef.h>

struct config_edit {
    const char *name;
    const char *value; /* NULL: remove the entry */
};

/* config_edit_text - apply edits in order to text, giving the new text
 * (malloc'd, NUL-terminated); checks names and line safety, not values */
int config_edit_text(const char *text, size_t len, const struct config_edit *edits, size_t n,
                     char **new_text_r, const char **error_r);
/* config_edit_file - edit DIR/petrel.conf: unknown names and invalid values
 * (after expansion, with bounds) are refused and the file stays untouched */
int config_edit_file(const char *config_dir, const struct config_edit *edits, size_t n, const char **error_r);

#endif
