/* SPDX-License-Identifier: MIT
 * config - reading petrel.conf into struct params.
 *
 * File syntax (as Postfix main.cf): "name = value" lines; '#' starts a
 * comment line; blank lines are ignored; a line that starts with white space
 * continues the previous entry's value (joined with one space). "$name" and
 * "${name}" in a value expand to another parameter's value ("$$" is a
 * literal '$'); expansion is recursive, with loop detection. A parameter set
 * twice takes the last value (as Postfix does) and logs a warning naming both
 * lines.
 *
 * Errors always name the file and line: an unknown parameter, a line without
 * '=', a value out of bounds or of the wrong type, an unknown $name, a
 * $-expansion loop. An unknown parameter is an error, never a silent no-op.
 *
 * Overrides ("name=value", from a daemon's -o options in master.conf) are
 * applied after the file and validated the same way.
 *
 * See also: params.h, config_edit.h (editing the file in place).
 */
#ifndef PETREL_MAIL_CONFIG_H
#define PETREL_MAIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/params.h"

struct config;

#define CONFIG_FILE_NAME "petrel.conf"
#define MASTER_FILE_NAME "master.conf"

/* config_directory_default - -c DIR, else $PETREL_CONFIG_DIR, else the
 * compiled-in default (/etc/petrel); cli_dir may be NULL */
const char *config_directory_default(const char *cli_dir);

/* config_load - read DIR/petrel.conf, apply overrides (NULL-terminated
 * "name=value" strings, may be NULL), expand and validate everything */
int config_load(const char *config_dir, const char *const *overrides, struct config **cfg_r,
                const char **error_r);
/* config_load_text - the same from text in memory (file_name for messages) */
int config_load_text(const char *config_dir, const char *file_name, const char *text, size_t len,
                     const char *const *overrides, struct config **cfg_r, const char **error_r);
void config_destroy(struct config **cfg_r);

/* config_params - the typed values */
const struct params *config_params(const struct config *cfg);
/* config_dir - the configuration directory */
const char *config_dir(const struct config *cfg);
/* config_value - the expanded value of a parameter as text (default if not set) */
const char *config_value(const struct config *cfg, const char *name);
/* config_default_value - the default as text (computed defaults computed) */
const char *config_default_value(const struct config *cfg, const char *name);
/* config_is_set - is the parameter set in the file or by an override? */
bool config_is_set(const struct config *cfg, const char *name);
/* config_raw_value - the value as written, before expansion; NULL if not set */
const char *config_raw_value(const struct config *cfg, const char *name);

#endif
