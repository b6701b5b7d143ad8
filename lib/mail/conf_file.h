/* SPDX-License-Identifier: MIT
 * conf_file - read a configuration file for editing and replace it, for
 * "petrel conf name=value" and "petrel conf -M name/type=entry".
 *
 * A symlinked file is edited where it points (the link stays). A missing
 * file reads as empty with mode 0644, so the first edit creates it. The
 * replacement is atomic and durable (durable_write_file) and keeps the
 * file's mode, and its owner when run as root.
 *
 * Input: files of at most CONF_TEXT_MAX bytes (conf_reader.h).
 *
 * See also: config_edit.h, service_table.h, durable.h.
 */
#ifndef PETREL_MAIL_CONF_FILE_H
#define PETREL_MAIL_CONF_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct conf_file {
    char *path; /* the real path (symlinks resolved) */
    char *text; /* the current contents, NUL-terminated */
    size_t len;
    mode_t mode;
    bool exists;
};

/* conf_file_read - DIR/NAME's text and mode, for editing */
int conf_file_read(const char *config_dir, const char *name, struct conf_file *f, const char **error_r);
/* conf_file_replace - write text in place of the file, unless it is unchanged */
int conf_file_replace(const struct conf_file *f, const char *text, size_t len, const char **error_r);
/* conf_file_free - release what conf_file_read allocated */
void conf_file_free(struct conf_file *f);

#endif
