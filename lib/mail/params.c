/* SPDX-License-Identifier: MIT
 * params - the parameter table generated from params.def, and the parser
 * and validator for one value of each type.
 *
 * Input: values from petrel.conf (admin input) after $-expansion. Limits:
 * the bounds of each parameter; numbers must fit in int64 after units.
 */
#include "mail/params.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

const struct param_def param_table[] = {
#define PARAM(n, t, d, mn, mx, ch, us, fl, de) \
    { .name = #n, \
      .type = t, \
      .def = d, \
      .min = mn, \
      .max = mx, \
      .choices = ch, \
      .users = us, \
      .flags = fl, \
      .description = de, \
      .offset = offsetof(struct params, n) },
#include "mail/params.def"
#undef PARAM
};

const size_t param_count = sizeof(param_table) / sizeof(param_table[0]);

/* param_lookup - find a definition by name */
const struct param_def *param_lookup(const char *name)
{
    size_t i;

    for (i = 0; i < param_count; i++)
        if (strcmp(param_table[i].name, name) == 0)
            return &param_table[i];
    return NULL;
}

/* param_type_name - a type as a word */
const char *param_type_name(enum param_type type)
{
    switch (type) {
    case PT_STR:
        return "string";
    case PT_INT:
        return "integer";
    case PT_BOOL:
        return "boolean";
    case PT_TIME:
        return "time";
    case PT_SIZE:
        return "size";
    case PT_ENUM:
        return "enum";
    }
    return "unknown";
}

/* parse_number - a decimal integer and the text after it */
static int parse_number(const char *text, int64_t *v_r, const char **rest_r)
{
    char *end;
    long long v;

    if (text[0] == '\0' || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')))
        return -1;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || end == text)
        return -1;
    *v_r = v;
    *rest_r = end;
    return 0;
}

/* scale - multiply with overflow check */
static int scale(int64_t v, int64_t unit, int64_t *r)
{
    return __builtin_mul_overflow(v, unit, r) ? -1 : 0;
}

/* parse_time - "10", "10s", "500ms", "5m", "2h", "1d" to milliseconds */
static int parse_time(const char *text, int64_t *ms_r)
{
    static const struct {
        const char *suffix;
        int64_t ms;
    } units[] = {
        { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
    };
    const char *rest;
    int64_t v;
    size_t i;

    if (parse_number(text, &v, &rest) < 0)
        return -1;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(rest, units[i].suffix) == 0)
            return scale(v, units[i].ms, ms_r);
    return -1;
}

/* parse_size - "1024", "64k", "10m", "1g" to bytes */
static int parse_size(const char *text, int64_t *bytes_r)
{
    static const struct {
        const char *suffix;
        int64_t bytes;
    } units[] = {
        { "", 1 },
        { "k", 1024 },
        { "m", 1024 * 1024 },
        { "g", 1024 * 1024 * 1024 },
    };
    const char *rest;
    int64_t v;
    size_t i;

    if (parse_number(text, &v, &rest) < 0)
        return -1;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(rest, units[i].suffix) == 0)
            return scale(v, units[i].bytes, bytes_r);
    return -1;
}

/* enum_has - is word one of "a|b|c"? */
static int enum_has(const char *choices, const char *word)
{
    size_t n = strlen(word);
    const char *p = choices;

    while (*p) {
        size_t len = strcspn(p, "|");

        if (len == n && strncmp(p, word, n) == 0)
            return 1;
        p += len;
        if (*p == '|')
            p++;
    }
    return 0;
}

/* check_bounds - min/max of a numeric parameter */
static int check_bounds(const struct param_def *def, const char *text, int64_t v, const char **error_r)
{
    if ((def->min != 0 || def->max != 0) && (v < def->min || v > def->max)) {
        if (def->type == PT_TIME)
            return errf(error_r, "%s = %s is out of range (%lldms to %lldms)", def->name, text,
                        (long long)def->min, (long long)def->max);
        return errf(error_r, "%s = %s is out of range (%lld to %lld)", def->name, text, (long long)def->min,
                    (long long)def->max);
    }
    return 0;
}

/* param_parse - validate one value and store it typed */
int param_parse(const struct param_def *def, const char *text, struct params *p, const char **error_r)
{
    char *field = (char *)p + def->offset;
    int64_t v;

    switch (def->type) {
    case PT_STR:
        *(const char **)(void *)field = text;
        return 0;
    case PT_ENUM:
        if (!enum_has(def->choices, text))
            return errf(error_r, "invalid value \"%s\" for %s (use one of: %s)", text, def->name,
                        def->choices);
        *(const char **)(void *)field = text;
        return 0;
    case PT_BOOL:
        if (strcasecmp(text, "yes") == 0 || strcasecmp(text, "true") == 0)
            *(bool *)(void *)field = true;
        else if (strcasecmp(text, "no") == 0 || strcasecmp(text, "false") == 0)
            *(bool *)(void *)field = false;
        else
            return errf(error_r, "invalid boolean value \"%s\" for %s (use yes or no)", text, def->name);
        return 0;
    case PT_INT: {
        const char *rest;

        if (parse_number(text, &v, &rest) < 0 || *rest != '\0')
            return errf(error_r, "invalid integer value \"%s\" for %s", text, def->name);
        break;
    }
    case PT_TIME:
        if (parse_time(text, &v) < 0)
            return errf(error_r, "invalid time value \"%s\" for %s (use a number with ms, s, m, h or d)",
                        text, def->name);
        break;
    case PT_SIZE:
        if (parse_size(text, &v) < 0)
            return errf(error_r,
                        "invalid size value \"%s\" for %s (use a number of bytes, or with k, m or g)", text,
                        def->name);
        break;
    default:
        return errf(error_r, "parameter %s has an unknown type", def->name);
    }
    if (check_bounds(def, text, v, error_r) < 0)
        return -1;
    *(int64_t *)(void *)field = v;
    return 0;
}
