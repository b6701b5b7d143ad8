/* SPDX-License-Identifier: MIT
 * fuzz_service_table - master.conf text into service_table_parse.
 *
 * Properties checked (abort on failure): when the text parses, each entry
 * renders to a line that parses back, alone, to an entry equal field by
 * field; the rendered table as a whole parses back too; replacing the first
 * entry with its own rendering, and deleting it, are edits that succeed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/buf.h"

/* same_str - equal strings, or both NULL */
static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* same_entry - two entries equal in every column (not the line number) */
static int same_entry(const struct service_entry *a, const struct service_entry *b)
{
    int i;

    if (!same_str(a->name, b->name) || a->type != b->type || !same_str(a->listen, b->listen)
        || a->private_socket != b->private_socket || !same_str(a->user, b->user) || a->chroot != b->chroot
        || a->wakeup != b->wakeup || a->maxproc != b->maxproc || a->argc != b->argc)
        return 0;
    for (i = 0; i <= a->argc; i++)
        if (!same_str(a->argv[i], b->argv[i]))
            return 0;
    return 1;
}

/* check_roundtrip - render every entry and parse it back */
static void check_roundtrip(const struct service_table *t, struct buf *all)
{
    struct buf *line = buf_create(256, 1024 * 1024);
    struct service_table *one;
    size_t i;

    for (i = 0; i < t->count; i++) {
        buf_reset(line);
        service_entry_render(&t->entries[i], line);
        if (service_table_parse("rendered", line->data, line->len, &one, NULL) < 0)
            abort();
        if (one->count != 1 || !same_entry(&one->entries[0], &t->entries[i]))
            abort();
        service_table_destroy(&one);
        buf_append(all, line->data, line->len);
        buf_append_char(all, '\n');
    }
    buf_destroy(&line);
}

/* check_edits - replace the first entry by its rendering, then delete it */
static void check_edits(const char *text, size_t len, const struct service_table *t)
{
    const struct service_entry *e = &t->entries[0];
    const char *type = service_type_name(e->type);
    struct buf *line = buf_create(256, 1024 * 1024);
    char *out;

    service_entry_render(e, line);
    /* padding may push a maximal entry past the line limit: a real refusal */
    if (line->len > 60000) {
        buf_destroy(&line);
        return;
    }
    if (service_table_edit_text("master.conf", text, len, e->name, type, buf_str(line), &out, NULL) < 0)
        abort();
    xfree(out);
    if (service_table_edit_text("master.conf", text, len, e->name, type, NULL, &out, NULL) < 0)
        abort();
    xfree(out);
    buf_destroy(&line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input: parse it and check the properties above */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *error = NULL;
    struct service_table *t, *again;
    struct buf *all;

    if (service_table_parse("master.conf", text, size, &t, &error) < 0) {
        if (error == NULL || strncmp(error, "master.conf", 11) != 0)
            abort();
        return 0;
    }
    all = buf_create(1024, 4 * 1024 * 1024);
    check_roundtrip(t, all);
    if (service_table_parse("rendered", all->data, all->len, &again, NULL) < 0 || again->count != t->count)
        abort();
    service_table_destroy(&again);
    if (t->count > 0)
        check_edits(text, size, t);
    buf_destroy(&all);
    service_table_destroy(&t);
    return 0;
}
