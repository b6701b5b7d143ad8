/* SPDX-License-Identifier: MIT
 * config - reading petrel.conf into struct params.
 *
 * File syntax (as Postfix main.cf): "name = value" lines; '#' starts a
 * comment line; blank lines are ignored; a line that starts with white space
 * continues the previous entry's value (joined with one space); comment and
 * blank lines between continuation lines are skipped and do not end the
 * entry. "$name" and "${name}" in a value expand to another parameter's
 * value ("$$" is a literal '$'; any other '$' is an error); expansion is
 * recursive, with loop detection, and every value is expanded and checked,
 * set or not. A parameter set twice takes the last value (as Postfix does)
 * and logs a warning naming both lines. config_directory cannot be set in
 * the file or by an override: it is where the file was found.
 *
 * Errors always name the file and line (config_load names the file by its
 * full path, DIR/petrel.conf): an unknown parameter (with a "did you mean"
 * suggestion), a line without '=', a value out of bounds or of the wrong
 * type, an unknown $name, a $-expansion loop (naming the chain). An unknown
 * parameter is an error, never a silent no-op. Syntax errors are found in a
 * first pass over the whole file; value errors then come in file order.
 *
 * Limits: the file is at most 1 MiB, a line and an entry at most 64 KiB, an
 * expanded value at most 64 KiB; control characters other than tab (and CR
 * before a newline) are refused.
 *
 * Computed defaults: config_directory is the directory loaded from;
 * myhostname is gethostname() (no DNS); mydomain is the effective
 * myhostname without its first label, or "localdomain". Computed values are
 * taken literally (a '$' in the directory name is not expanded).
 *
 * Overrides ("name=value", from a daemon's -o options in master.conf) are
 * applied after the file and validated the same way; their errors start
 * with 'override "name=value":' instead of FILE:LINE.
 *
 * The string fields of struct params point into memory owned by struct
 * config: valid until config_destroy.
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

/* config_peek - the value of one parameter as written in DIR/petrel.conf
 * (the last setting, else the default), without validating anything else;
 * NULL when it cannot be known without expansion. Only for commands that
 * must work on a broken file ("petrel stop", "petrel status"). malloc'd. */
char *config_peek(const char *config_dir, const char *name);

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
/* config_default_value - the default as text, as written in params.def
 * ("$myhostname" stays), computed defaults computed as for an empty file
 * (so mydomain derives from the system's host name, not from myhostname) */
const char *config_default_value(const struct config *cfg, const char *name);
/* config_is_set - is the parameter set in the file or by an override? */
bool config_is_set(const struct config *cfg, const char *name);
/* config_raw_value - the value as written, before expansion; NULL if not set */
const char *config_raw_value(const struct config *cfg, const char *name);

/* config_suggest - the known parameter closest to name (edit distance at
 * most 2, a swap of two neighbours counting 1), or NULL: for "unknown
 * parameter" messages, here and in "petrel conf" */
const char *config_suggest(const char *name);

#endif
