/* SPDX-License-Identifier: MIT
 * config_peek - one parameter's value as written in petrel.conf, without
 * validating the rest of the file.
 *
 * For the few commands that must work while the file is broken: "petrel
 * stop" and "petrel status" still have to find the running master (through
 * queue_directory) after an operator saved a typo. Everything else uses
 * config_load(), which refuses a broken file.
 */
#include <stdio.h>
#include <string.h>

#include "mail/conf_reader.h"
#include "mail/config.h"
#include "util/alloc.h"
#include "util/durable.h"

/* config_peek - the last value given to name in DIR/petrel.conf, or its
 * default; NULL when the value needs $-expansion or the file is unreadable */
char *config_peek(const char *config_dir, const char *name)
{
    const struct param_def *def = param_lookup(name);
    char *path = xasprintf("%s/%s", config_dir, CONFIG_FILE_NAME), *text, *value = NULL;
    struct conf_reader r;
    const char *error, *eq, *v;
    size_t len, nlen = strlen(name), vlen;
    int rc;

    if (def == NULL || read_file(path, CONF_TEXT_MAX, &text, &len, &error) < 0) {
        xfree(path);
        return NULL;
    }
    value = xstrdup(def->def);
    conf_reader_init(&r, path, text, len);
    while ((rc = conf_reader_next(&r, &error)) > 0) {
        eq = strchr(buf_str(&r.entry), '=');
        if (eq == NULL || strncmp(buf_str(&r.entry), name, nlen) != 0)
            continue;
        v = buf_str(&r.entry) + nlen;
        if (strspn(v, " \t") != (size_t)(eq - v))
            continue;
        vlen = strlen(eq + 1);
        v = conf_trim(eq + 1, &vlen);
        xfree(value);
        value = xstrndup(v, vlen);
    }
    conf_reader_deinit(&r);
    xfree(text);
    xfree(path);
    if (rc < 0 || strchr(value, '$') != NULL)
        xfree(value);
    return value;
}
