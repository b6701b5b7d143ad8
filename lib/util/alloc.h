/* SPDX-License-Identifier: MIT
 * alloc - allocation wrappers that never return NULL.
 *
 * Every allocation in Petrel goes through these. Running out of memory is an
 * environment that cannot work, so the wrappers log and abort rather than
 * making every caller test for NULL. Sizes are overflow-checked: a product
 * that does not fit in size_t is a bug (panic), never a short allocation.
 *
 * See also: buf.h (bounded growth), msg.h (msg_fatal).
 */
#ifndef PETREL_UTIL_ALLOC_H
#define PETREL_UTIL_ALLOC_H

#include <stddef.h>

/* xmalloc - allocate size bytes (size 0 gives a unique pointer) */
void *xmalloc(size_t size);
/* xcalloc - allocate nmemb zeroed elements, overflow-checked */
void *xcalloc(size_t nmemb, size_t size);
/* xreallocarray - resize to nmemb elements, overflow-checked */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/* xstrdup - copy a NUL-terminated string */
char *xstrdup(const char *s);
/* xstrndup - copy at most n bytes of s and NUL-terminate */
char *xstrndup(const char *s, size_t n);
/* xmemdup - copy n bytes and add a NUL after them */
void *xmemdup(const void *p, size_t n);
/* xasprintf - format into a new string */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* xfree - free *ptr_r and set it to NULL; accepts NULL and *ptr_r == NULL */
void xfree_ptr(void *ptr_r);
#define xfree(p) xfree_ptr(&(p))

/* size_mul_ok - store a*b in *r and return 1, or return 0 on overflow */
int size_mul_ok(size_t a, size_t b, size_t *r);
/* size_add_ok - store a+b in *r and return 1, or return 0 on overflow */
int size_add_ok(size_t a, size_t b, size_t *r);

#endif
