/* SPDX-License-Identifier: MIT
 * params - the parameter table and the typed struct it generates.
 *
 * params.def is the single source of truth. From it come struct params
 * (one typed field per parameter), param_table[] (name, type, default,
 * bounds, users, flags, description, and the field's offset), and the value
 * parser/validator. Program code reads parameters as typed fields of the
 * struct params that config_load() filled in, never by name.
 *
 * See also: config.h (petrel.conf), params.def.
 */
#ifndef PETREL_MAIL_PARAMS_H
#define PETREL_MAIL_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum param_type { PT_STR, PT_INT, PT_BOOL, PT_TIME, PT_SIZE, PT_ENUM };

enum param_flags {
    P_RELOAD = 1,   /* takes effect on reload */
    P_RESTART = 2,  /* needs a restart */
    P_COMPUTED = 4, /* default computed at load time */
};

#define PARAM_CTYPE_PT_STR const char *
#define PARAM_CTYPE_PT_ENUM const char *
#define PARAM_CTYPE_PT_INT int64_t
#define PARAM_CTYPE_PT_TIME int64_t
#define PARAM_CTYPE_PT_SIZE int64_t
#define PARAM_CTYPE_PT_BOOL bool

struct params {
#define PARAM(name, type, def, min, max, choices, users, flags, desc) PARAM_CTYPE_##type name;
#include "mail/params.def"
#undef PARAM
};

struct param_def {
    const char *name;
    enum param_type type;
    const char *def;     /* default as text (for P_COMPUTED: how it is computed) */
    int64_t min, max;    /* bounds (0, 0: none) */
    const char *choices; /* PT_ENUM: "a|b|c" */
    const char *users;
    unsigned flags;
    const char *description;
    size_t offset; /* of the field in struct params */
};

extern const struct param_def param_table[];
extern const size_t param_count;

/* param_lookup - the definition of name, or NULL */
const struct param_def *param_lookup(const char *name);
/* param_type_name - "string", "integer", "boolean", "time", "size", "enum" */
const char *param_type_name(enum param_type type);

/* param_parse - check text (already $-expanded) against def and store the
 * typed value in p (strings are stored as given: the caller keeps text
 * alive); -1 with an error such as "invalid time value \"5x\" for
 * smtpd_timeout (use a number with ms, s, m, h or d)" */
int param_parse(const struct param_def *def, const char *text, struct params *p, const char **error_r);

#endif
