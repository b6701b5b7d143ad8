/* SPDX-License-Identifier: MIT
 * fuzz_config - petrel.conf text into config_load_text, with the first
 * line also tried as a "-o" override.
 *
 * Properties checked (abort on failure): a load that succeeds gives every
 * parameter an expanded value, a default, and a typed field that points at
 * that value; setting debug_logging=yes with config_edit_text on a valid
 * file gives a file that still loads, with the new value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/config.h"
#include "mail/config_edit.h"
#include "util/alloc.h"
#include "util/msg.h"

/* discard - drop log lines (duplicate-setting warnings) */
static void discard(enum msg_level level, const char *text, void *ctx)
{
    (void)level;
    (void)text;
    (void)ctx;
}

/* check_values - every parameter has a value after a successful load */
static void check_values(const struct config *cfg)
{
    const struct params *p = config_params(cfg);
    size_t i;

    for (i = 0; i < param_count; i++) {
        const struct param_def *d = &param_table[i];
        const char *v = config_value(cfg, d->name);

        if (v == NULL || config_default_value(cfg, d->name) == NULL)
            abort();
        if ((d->type == PT_STR || d->type == PT_ENUM)
            && *(const char *const *)(const void *)((const char *)p + d->offset) != v)
            abort();
        if (config_is_set(cfg, d->name) != (config_raw_value(cfg, d->name) != NULL))
            abort();
    }
}

/* check_edit - a valid file stays valid after debug_logging=yes */
static void check_edit(const char *text, size_t len)
{
    const struct config_edit edit = { "debug_logging", "yes" };
    struct config *cfg;
    char *new_text;

    if (config_edit_text(text, len, &edit, 1, &new_text, NULL) < 0)
        abort();
    if (config_load_text("/etc/petrel", "petrel.conf", new_text, strlen(new_text), NULL, &cfg, NULL) < 0)
        abort();
    if (!config_params(cfg)->debug_logging)
        abort();
    config_destroy(&cfg);
    xfree(new_text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input: parse it and check the properties above */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *error;
    const char *overrides[2] = { NULL, NULL };
    struct config *cfg = NULL;
    size_t first = 0;
    char *line;

    msg_set_hook(discard, NULL);
    if (config_load_text("/etc/petrel", "petrel.conf", text, size, NULL, &cfg, &error) == 0) {
        check_values(cfg);
        config_destroy(&cfg);
        check_edit(text, size);
    } else if (error == NULL || strncmp(error, "petrel.conf", 11) != 0) {
        abort();
    }
    while (first < size && first < 200 && data[first] != '\n')
        first++;
    line = xmemdup(data, first);
    overrides[0] = line;
    if (config_load_text("/etc/petrel", "petrel.conf", "", 0, overrides, &cfg, &error) == 0) {
        check_values(cfg);
        config_destroy(&cfg);
    }
    xfree(line);
    return 0;
}
