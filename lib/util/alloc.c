/* SPDX-License-Identifier: MIT
 * alloc - allocation wrappers that never return NULL.
 *
 * Out of memory is fatal: the process logs one line and exits, and its
 * supervisor restarts it. Overflowing size arithmetic is a bug and panics.
 */
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/msg.h"

/* size_mul_ok - overflow-checked multiplication */
int size_mul_ok(size_t a, size_t b, size_t *r)
{
    return !__builtin_mul_overflow(a, b, r);
}

/* size_add_ok - overflow-checked addition */
int size_add_ok(size_t a, size_t b, size_t *r)
{
    return !__builtin_add_overflow(a, b, r);
}

/* xmalloc - allocate or die */
void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL)
        msg_fatal("out of memory allocating %zu bytes", size);
    return p;
}

/* xcalloc - allocate zeroed memory or die */
void *xcalloc(size_t nmemb, size_t size)
{
    size_t total;
    void *p;

    if (!size_mul_ok(nmemb, size, &total))
        msg_panic("xcalloc: %zu * %zu overflows", nmemb, size);
    p = calloc(total ? total : 1, 1);
    if (p == NULL)
        msg_fatal("out of memory allocating %zu bytes", total);
    return p;
}

/* xreallocarray - resize or die */
void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    size_t total;
    void *p;

    if (!size_mul_ok(nmemb, size, &total))
        msg_panic("xreallocarray: %zu * %zu overflows", nmemb, size);
    p = realloc(ptr, total ? total : 1);
    if (p == NULL)
        msg_fatal("out of memory allocating %zu bytes", total);
    return p;
}

/* xmemdup - copy bytes and terminate them */
void *xmemdup(const void *src, size_t n)
{
    size_t total;
    char *p;

    if (!size_add_ok(n, 1, &total))
        msg_panic("xmemdup: size overflows");
    p = xmalloc(total);
    if (n > 0)
        memcpy(p, src, n);
    p[n] = '\0';
    return p;
}

/* xstrdup - copy a string */
char *xstrdup(const char *s)
{
    return xmemdup(s, strlen(s));
}

/* xstrndup - copy at most n bytes of a string */
char *xstrndup(const char *s, size_t n)
{
    return xmemdup(s, strnlen(s, n));
}

/* xasprintf - format into newly allocated memory */
char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg_fatal("out of memory formatting a string");
    return s;
}

/* xfree_ptr - free and clear a pointer */
void xfree_ptr(void *ptr_r)
{
    void **pp = ptr_r;

    if (pp != NULL) {
        free(*pp);
        *pp = NULL;
    }
}
