/* SPDX-License-Identifier: MIT
 * conf_reader - split petrel.conf and master.conf text into logical entries
 * (a line plus its continuation lines), skipping comments and blank lines,
 * and remember where each physical line of an entry lies.
 *
 * Input: admin-written text, bounded by the CONF_* limits in conf_reader.h;
 * control characters are refused so that nothing odd reaches a value, an
 * argv or a log line.
 */
#include "mail/conf_reader.h"

#include <string.h>

#include "util/alloc.h"
#include "util/err.h"

/* conf_is_blank - space, tab or CR */
int conf_is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* conf_trim - strip blanks at both ends */
const char *conf_trim(const char *s, size_t *len_r)
{
    size_t len = *len_r;

    while (len > 0 && conf_is_blank((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len > 0 && conf_is_blank((unsigned char)s[len - 1]))
        len--;
    *len_r = len;
    return s;
}

/* conf_reader_init - start reading text */
void conf_reader_init(struct conf_reader *r, const char *file, const char *text, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->file = file;
    r->text = text;
    r->len = len;
    buf_init(&r->entry, 256, CONF_ENTRY_MAX);
}

/* conf_reader_deinit - release the reader's memory */
void conf_reader_deinit(struct conf_reader *r)
{
    buf_deinit(&r->entry);
    xfree(r->spans);
    r->span_count = r->span_cap = 0;
}

/* check_line - length and control characters of one physical line */
static int check_line(const struct conf_reader *r, const char *s, size_t len, const char **error_r)
{
    size_t i;

    if (len > CONF_LINE_MAX)
        return errf(error_r, "%s:%d: line longer than %d bytes", r->file, r->lineno, CONF_LINE_MAX);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\t' || (c == '\r' && i + 1 == len))
            continue;
        if (c < 0x20 || c == 0x7f)
            return errf(error_r, "%s:%d: control character 0x%02x in line", r->file, r->lineno, c);
    }
    return 0;
}

/* add_span - remember one physical line of the current entry */
static void add_span(struct conf_reader *r, size_t start, size_t end)
{
    if (r->span_count == r->span_cap) {
        r->span_cap = r->span_cap ? r->span_cap * 2 : 8;
        r->spans = xreallocarray(r->spans, r->span_cap, sizeof(*r->spans));
    }
    r->spans[r->span_count].start = start;
    r->spans[r->span_count].end = end;
    r->span_count++;
}

/* starts_entry - does the physical line at pos start a new entry? */
static int starts_entry(const struct conf_reader *r, size_t pos)
{
    char c = r->text[pos];

    return !conf_is_blank((unsigned char)c) && c != '#' && c != '\n';
}

/* append_line - add a trimmed line to the current entry */
static int append_line(struct conf_reader *r, const char *s, size_t len, const char **error_r)
{
    if ((r->entry.len > 0 && buf_append_char(&r->entry, ' ') < 0) || buf_append(&r->entry, s, len) < 0)
        return errf(error_r, "%s:%d: entry longer than %d bytes", r->file, r->lineno, CONF_ENTRY_MAX);
    return 0;
}

/* conf_reader_next - read up to the end of the next entry */
int conf_reader_next(struct conf_reader *r, const char **error_r)
{
    buf_reset(&r->entry);
    r->span_count = 0;
    while (r->pos < r->len) {
        size_t start = r->pos, body_len, trimmed_len, end;
        const char *nl = memchr(r->text + start, '\n', r->len - start);
        const char *trimmed;
        int is_start;

        if (r->entry.len > 0 && starts_entry(r, start))
            return 1;
        is_start = starts_entry(r, start);
        body_len = (nl ? (size_t)(nl - r->text) : r->len) - start;
        end = nl ? (size_t)(nl - r->text) + 1 : r->len;
        r->pos = end;
        r->lineno++;
        if (check_line(r, r->text + start, body_len, error_r) < 0)
            return -1;
        trimmed_len = body_len;
        trimmed = conf_trim(r->text + start, &trimmed_len);
        if (trimmed_len == 0 || trimmed[0] == '#')
            continue;
        if (!is_start && r->entry.len == 0)
            return errf(error_r,
                        "%s:%d: continuation line without an entry before it "
                        "(an entry must not start with white space)",
                        r->file, r->lineno);
        if (is_start)
            r->entry_line = r->lineno;
        if (append_line(r, trimmed, trimmed_len, error_r) < 0)
            return -1;
        add_span(r, start, end);
    }
    return r->entry.len > 0 ? 1 : 0;
}
