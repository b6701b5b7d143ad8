/* SPDX-License-Identifier: MIT
 * conf_reader - the logical lines of petrel.conf and master.conf.
 *
 * Both files share one line syntax: a line whose first non-blank byte is
 * '#' is a comment; a line of only white space is blank; a line that starts
 * with white space continues the previous entry (comment and blank lines in
 * between are skipped and do not end it); any other line starts an entry.
 * An entry's text is its lines, each trimmed, joined with one space.
 *
 * The reader also reports where each physical line of an entry lies in the
 * text (byte spans), so the editors can replace an entry in place and keep
 * every other byte.
 *
 * Input is admin-written text, checked here: at most CONF_TEXT_MAX bytes,
 * lines of at most CONF_LINE_MAX bytes, entries of at most CONF_ENTRY_MAX
 * bytes, no control characters except tab (and CR before a line end).
 *
 * See also: config.h, config_edit.h, service_table.h.
 */
#ifndef PETREL_MAIL_CONF_READER_H
#define PETREL_MAIL_CONF_READER_H

#include <stddef.h>

#include "util/buf.h"

#define CONF_TEXT_MAX (1024 * 1024)
#define CONF_LINE_MAX 65536
#define CONF_ENTRY_MAX 65536

/* One physical line of an entry: [start, end), end includes the newline. */
struct conf_span {
    size_t start, end;
};

struct conf_reader {
    const char *file; /* for messages */
    const char *text;
    size_t len, pos;
    int lineno;              /* the last physical line read */
    struct buf entry;        /* the current entry, joined */
    int entry_line;          /* the line where it starts */
    struct conf_span *spans; /* its physical lines */
    size_t span_count, span_cap;
};

/* conf_reader_init - read text (not copied: it must outlive the reader);
 * file names the text in messages */
void conf_reader_init(struct conf_reader *r, const char *file, const char *text, size_t len);
void conf_reader_deinit(struct conf_reader *r);
/* conf_reader_next - the next entry in r->entry: 1, 0 at the end, or -1 with
 * an error "FILE:LINE: ..." */
int conf_reader_next(struct conf_reader *r, const char **error_r);

/* conf_trim - the bytes of [s, s+len) without leading and trailing blanks */
const char *conf_trim(const char *s, size_t *len_r);
/* conf_is_blank - space, tab or CR */
int conf_is_blank(int c);

#endif
