/* SPDX-License-Identifier: MIT
 * service_table_edit - render master.conf entries ("petrel conf -M") and
 * edit the file in place ("petrel conf -M name/type=entry", "-MX").
 *
 * An edit replaces the lines of one entry (its first line and continuation
 * lines; comment lines between them stay), deletes them, or appends a new
 * entry at the end. Every other byte is kept. The new text is parsed as a
 * whole, so an edit that breaks any rule of the table is refused with the
 * same file:line error "petrel start" would give, and nothing is written.
 *
 * Input: the admin's new entry line (one line, no control characters) and
 * master.conf as bounded by conf_reader.h.
 *
 * See also: service_table.h, service_table.c, conf_file.h.
 */
#include "mail/service_table.h"

#include <stdio.h>
#include <string.h>

#include "mail/conf_file.h"
#include "mail/conf_reader.h"
#include "mail/config.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

/* default_listen - does a unix socket have its default path (shown as "-")? */
static int default_listen(const struct service_entry *e)
{
    const char *dir = e->private_socket ? "private/" : "public/";
    size_t n = strlen(dir);

    return e->type == SERVICE_UNIX && strncmp(e->listen, dir, n) == 0 && strcmp(e->listen + n, e->name) == 0;
}

/* service_entry_render - one line, columns padded as "postconf -M" does */
void service_entry_render(const struct service_entry *e, struct buf *out)
{
    char wakeup[16] = "-", maxproc[16] = "-";
    int i;

    if (e->wakeup > 0)
        snprintf(wakeup, sizeof(wakeup), "%d", e->wakeup);
    if (e->maxproc > 0)
        snprintf(maxproc, sizeof(maxproc), "%d", e->maxproc);
    buf_printf(out, "%-10s %-5s %-17s %-7s %-7s %-7s %-7s %-7s", e->name, service_type_name(e->type),
               default_listen(e) ? "-" : e->listen, e->private_socket ? "y" : "n", e->user ? e->user : "-",
               e->chroot ? "y" : "n", wakeup, maxproc);
    for (i = 0; i < e->argc; i++)
        buf_printf(out, " %s", e->argv[i]);
}

/* first_words - does an entry's text start with the words name and type? */
static int first_words(const char *text, const char *name, const char *type)
{
    size_t n = strcspn(text, " \t");

    if (n != strlen(name) || memcmp(text, name, n) != 0)
        return 0;
    text += n;
    text += strspn(text, " \t");
    n = strcspn(text, " \t");
    return n == strlen(type) && memcmp(text, type, n) == 0;
}

/* find_entry - the physical lines of the entry name/type */
static int find_entry(const char *file, const char *text, size_t len, const char *name, const char *type,
                      struct conf_span **spans_r, size_t *count_r, const char **error_r)
{
    struct conf_reader r;
    int rc;

    *spans_r = NULL;
    *count_r = 0;
    conf_reader_init(&r, file, text, len);
    while ((rc = conf_reader_next(&r, error_r)) > 0) {
        if (!first_words(buf_str(&r.entry), name, type))
            continue;
        *spans_r = xreallocarray(NULL, r.span_count, sizeof(**spans_r));
        memcpy(*spans_r, r.spans, r.span_count * sizeof(**spans_r));
        *count_r = r.span_count;
        break;
    }
    conf_reader_deinit(&r);
    return rc < 0 ? -1 : 0;
}

/* check_entry - a new entry: one line, for name/type */
static int check_entry(const char *entry, const char *name, const char *type, const char **error_r)
{
    size_t len = strlen(entry);
    const char *p;

    for (p = entry; *p != '\0'; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
            return errf(error_r, "the entry for %.100s/%s contains %s", name, type,
                        *p == '\n' || *p == '\r' ? "a line break" : "a control character");
    p = conf_trim(entry, &len);
    if (len == 0 || !first_words(p, name, type))
        return errf(error_r, "the entry for %.100s/%s must start with \"%.100s %s\"", name, type, name, type);
    if (len > CONF_LINE_MAX)
        return errf(error_r, "the entry for %.100s/%s is longer than %d bytes", name, type, CONF_LINE_MAX);
    return 0;
}

/* splice - the text with the entry's lines replaced by entry (or removed) */
static char *splice(const char *text, size_t len, const struct conf_span *spans, size_t count,
                    const char *entry)
{
    size_t elen = entry ? strlen(entry) : 0, k;
    const char *e = entry ? conf_trim(entry, &elen) : NULL;
    struct buf out;
    char *result;

    buf_init(&out, len + elen + 2, len + elen + 2);
    if (count == 0) {
        buf_append(&out, text, len);
        if (len > 0 && text[len - 1] != '\n')
            buf_append_char(&out, '\n');
    } else {
        buf_append(&out, text, spans[0].start);
    }
    if (e != NULL) {
        buf_append(&out, e, elen);
        buf_append_char(&out, '\n');
    }
    /* Comment and blank lines inside the entry are not part of it: keep them. */
    for (k = 1; k < count; k++)
        buf_append(&out, text + spans[k - 1].end, spans[k].start - spans[k - 1].end);
    if (count > 0)
        buf_append(&out, text + spans[count - 1].end, len - spans[count - 1].end);
    result = xmemdup(out.data, out.len);
    buf_deinit(&out);
    return result;
}

/* service_table_edit_text - replace, delete or append one entry */
int service_table_edit_text(const char *file_name, const char *text, size_t len, const char *name,
                            const char *type, const char *entry, char **new_text_r, const char **error_r)
{
    struct service_table *t;
    struct conf_span *spans;
    enum service_type st;
    size_t count;
    char *new_text;

    if (service_type_parse(type, &st) < 0)
        return errf(error_r, "unknown service type \"%.20s\" (use inet or unix)", type);
    if (entry != NULL && check_entry(entry, name, type, error_r) < 0)
        return -1;
    if (find_entry(file_name, text, len, name, type, &spans, &count, error_r) < 0)
        return -1;
    if (count == 0 && entry == NULL)
        return errf(error_r, "%s: no service %.100s/%s", file_name, name, type);
    new_text = splice(text, len, spans, count, entry);
    xfree(spans);
    if (service_table_parse(file_name, new_text, strlen(new_text), &t, error_r) < 0) {
        xfree(new_text);
        return -1;
    }
    service_table_destroy(&t);
    *new_text_r = new_text;
    return 0;
}

/* service_table_edit_file - edit DIR/master.conf atomically and durably */
int service_table_edit_file(const char *config_dir, const char *name, const char *type, const char *entry,
                            const char **error_r)
{
    struct conf_file f;
    char *new_text = NULL;
    int rc = -1;

    if (conf_file_read(config_dir, MASTER_FILE_NAME, &f, error_r) < 0)
        return -1;
    if (service_table_edit_text(f.path, f.text, f.len, name, type, entry, &new_text, error_r) == 0)
        rc = conf_file_replace(&f, new_text, strlen(new_text), error_r);
    xfree(new_text);
    conf_file_free(&f);
    return rc;
}
