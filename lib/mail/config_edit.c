/* SPDX-License-Identifier: MIT
 * config_edit - "petrel conf name=value" and "petrel conf -X name": edit
 * petrel.conf in place, keeping every byte that the edit does not touch.
 *
 * An entry is found with the same reader that config_load uses, so "the
 * entry" means exactly what the loader sees: the line that starts it and its
 * continuation lines. Comment and blank lines between those stay where they
 * are. When a parameter is set more than once, the last (effective) entry is
 * edited and the earlier ones are left alone.
 *
 * Input: new values from the admin's command line (no control characters:
 * a value with a line break could otherwise forge a second entry); the
 * whole new text is validated by config_load_text before it is written.
 *
 * See also: config_edit.h, conf_reader.h, durable.h.
 */
#include "mail/config_edit.h"

#include <string.h>

#include "mail/conf_file.h"
#include "mail/conf_reader.h"
#include "mail/config.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"

/* check_name - letters, digits and '_' only */
static int check_name(const char *name, const char **error_r)
{
    const char *p = name;

    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_')
        p++;
    if (p == name || *p != '\0' || p - name > 100)
        return errf(error_r, "invalid parameter name \"%.100s\"", name);
    return 0;
}

/* check_edit - a name that may be set and a value that fits on one line */
static int check_edit(const struct config_edit *e, const char **error_r)
{
    const struct param_def *def;
    const char *best, *p;

    if (check_name(e->name, error_r) < 0)
        return -1;
    if (e->value == NULL)
        return 0; /* removing an unknown name is how a typo gets fixed */
    if ((def = param_lookup(e->name)) == NULL) {
        best = config_suggest(e->name);
        return errf(error_r, "unknown parameter \"%s\"%s%s%s", e->name, best ? " (did you mean \"" : "",
                    best ? best : "", best ? "\"?)" : "");
    }
    if (strcmp(def->name, "config_directory") == 0)
        return errf(error_r, "config_directory cannot be set in %s (use -c or PETREL_CONFIG_DIR)",
                    CONFIG_FILE_NAME);
    for (p = e->value; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return errf(error_r, "the value of %s contains %s", e->name,
                        *p == '\n' || *p == '\r' ? "a line break" : "a control character");
    if (strlen(e->value) > CONF_LINE_MAX - strlen(e->name) - 3)
        return errf(error_r, "the value of %s is longer than %zu bytes", e->name,
                    CONF_LINE_MAX - strlen(e->name) - 3);
    return 0;
}

/* entry_is - does the reader's current entry set name? */
static int entry_is(const struct conf_reader *r, const char *name)
{
    const char *text = buf_str(&r->entry), *eq = strchr(text, '=');
    size_t len;

    if (eq == NULL)
        return 0;
    len = (size_t)(eq - text);
    text = conf_trim(text, &len);
    return len == strlen(name) && memcmp(text, name, len) == 0;
}

/* find_last - the physical lines of the last entry setting name */
static int find_last(const char *text, size_t len, const char *name, struct conf_span **spans_r,
                     size_t *count_r, const char **error_r)
{
    struct conf_reader r;
    int rc;

    *spans_r = NULL;
    *count_r = 0;
    conf_reader_init(&r, CONFIG_FILE_NAME, text, len);
    while ((rc = conf_reader_next(&r, error_r)) > 0) {
        if (!entry_is(&r, name))
            continue;
        xfree(*spans_r);
        *spans_r = xreallocarray(NULL, r.span_count, sizeof(**spans_r));
        memcpy(*spans_r, r.spans, r.span_count * sizeof(**spans_r));
        *count_r = r.span_count;
    }
    conf_reader_deinit(&r);
    if (rc < 0)
        xfree(*spans_r);
    return rc;
}

/* append_entry - "name = value\n" */
static void append_entry(struct buf *out, const struct config_edit *e)
{
    size_t len = strlen(e->value);
    const char *value = conf_trim(e->value, &len);

    buf_printf(out, "%s = %.*s\n", e->name, (int)len, value);
}

/* apply_one - one edit of text, into out */
static int apply_one(const char *text, size_t len, const struct config_edit *e, struct buf *out,
                     const char **error_r)
{
    struct conf_span *spans;
    size_t count, k;

    if (find_last(text, len, e->name, &spans, &count, error_r) < 0)
        return -1;
    if (count == 0) {
        buf_append(out, text, len);
        if (e->value != NULL) {
            if (len > 0 && text[len - 1] != '\n')
                buf_append_char(out, '\n');
            append_entry(out, e);
        }
        return 0;
    }
    buf_append(out, text, spans[0].start);
    if (e->value != NULL)
        append_entry(out, e);
    /* Comment and blank lines inside the entry are not part of it: keep them. */
    for (k = 1; k < count; k++)
        buf_append(out, text + spans[k - 1].end, spans[k].start - spans[k - 1].end);
    buf_append(out, text + spans[count - 1].end, len - spans[count - 1].end);
    xfree(spans);
    return 0;
}

/* config_edit_text - apply every edit in turn */
int config_edit_text(const char *text, size_t len, const struct config_edit *edits, size_t n,
                     char **new_text_r, const char **error_r)
{
    char *cur = xmemdup(text, len);
    size_t i, cur_len = len;
    struct buf out;

    for (i = 0; i < n; i++) {
        if (check_edit(&edits[i], error_r) < 0) {
            xfree(cur);
            return -1;
        }
        /* The result can only grow by one entry: the bound is never hit. */
        buf_init(&out, cur_len + 64, cur_len + CONF_LINE_MAX + 2);
        if (apply_one(cur, cur_len, &edits[i], &out, error_r) < 0) {
            buf_deinit(&out);
            xfree(cur);
            return -1;
        }
        xfree(cur);
        cur = xmemdup(out.data, out.len);
        cur_len = out.len;
        buf_deinit(&out);
    }
    *new_text_r = cur;
    return 0;
}

/* config_edit_file - validate the edited text as a whole, then replace */
int config_edit_file(const char *config_dir, const struct config_edit *edits, size_t n, const char **error_r)
{
    struct conf_file f;
    struct config *cfg = NULL;
    char *new_text = NULL;
    int rc = -1;

    if (conf_file_read(config_dir, CONFIG_FILE_NAME, &f, error_r) < 0)
        return -1;
    if (config_edit_text(f.text, f.len, edits, n, &new_text, error_r) == 0
        && config_load_text(config_dir, f.path, new_text, strlen(new_text), NULL, &cfg, error_r) == 0) {
        config_destroy(&cfg);
        rc = conf_file_replace(&f, new_text, strlen(new_text), error_r);
    }
    xfree(new_text);
    conf_file_free(&f);
    return rc;
}
