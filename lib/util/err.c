/* SPDX-License-Identifier: MIT
 * err - error strings for recoverable errors, kept in a ring of buffers.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

static char err_ring[ERR_RING][ERR_MAX];
static unsigned err_next;

/* err_vfmt - format into the next ring slot */
static const char *err_vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static const char *err_vfmt(const char *fmt, va_list ap)
{
    char *slot = err_ring[err_next++ % ERR_RING];

    vsnprintf(slot, ERR_MAX, fmt, ap);
    return slot;
}

/* err_fmt - format an error string */
const char *err_fmt(const char *fmt, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, fmt);
    s = err_vfmt(fmt, ap);
    va_end(ap);
    return s;
}

/* errf - report an error through error_r and return -1 */
int errf(const char **error_r, const char *fmt, ...)
{
    va_list ap;
    const char *s;

    va_start(ap, fmt);
    s = err_vfmt(fmt, ap);
    va_end(ap);
    if (error_r != NULL)
        *error_r = s;
    return -1;
}
