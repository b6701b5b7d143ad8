/* SPDX-License-Identifier: MIT
 * buf - the one byte buffer type, with a hard maximum size.
 *
 * Capacity grows by doubling, clamped to the maximum. The data pointer is
 * never NULL after init, so buf_str() is always a valid string.
 */
#include "util/buf.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/msg.h"

/* buf_init - set up an embedded buffer */
void buf_init(struct buf *b, size_t initial, size_t max)
{
    if (initial > max)
        initial = max;
    if (initial < 16 && max >= 16)
        initial = 16;
    b->data = xmalloc(initial + 1);
    b->data[0] = '\0';
    b->len = 0;
    b->cap = initial;
    b->max = max;
}

/* buf_deinit - release an embedded buffer */
void buf_deinit(struct buf *b)
{
    if (b->data != NULL)
        memset(b->data, 0, b->cap);
    xfree(b->data);
    b->len = b->cap = 0;
}

/* buf_create - allocate a buffer */
struct buf *buf_create(size_t initial, size_t max)
{
    struct buf *b = xmalloc(sizeof(*b));

    buf_init(b, initial, max);
    return b;
}

/* buf_destroy - free a buffer */
void buf_destroy(struct buf **b_r)
{
    if (*b_r == NULL)
        return;
    buf_deinit(*b_r);
    xfree(*b_r);
}

/* buf_space - room left before the maximum */
size_t buf_space(const struct buf *b)
{
    return b->max - b->len;
}

/* buf_reserve - make room for n more bytes */
char *buf_reserve(struct buf *b, size_t n)
{
    size_t need, cap;

    if (n > buf_space(b))
        return NULL;
    need = b->len + n;
    if (need > b->cap) {
        cap = b->cap ? b->cap : 16;
        while (cap < need)
            cap = cap > b->max / 2 ? b->max : cap * 2;
        b->data = xreallocarray(b->data, cap + 1, 1);
        b->cap = cap;
    }
    return b->data + b->len;
}

/* buf_commit - account for bytes written into reserved space */
void buf_commit(struct buf *b, size_t n)
{
    if (n > b->cap - b->len)
        msg_panic("buf_commit: %zu bytes exceed reserved space", n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* buf_append - append bytes within the maximum */
int buf_append(struct buf *b, const void *p, size_t n)
{
    char *dst = buf_reserve(b, n);

    if (dst == NULL)
        return -1;
    if (n > 0)
        memcpy(dst, p, n);
    buf_commit(b, n);
    return 0;
}

/* buf_append_str - append a string */
int buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

/* buf_append_char - append one byte */
int buf_append_char(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

/* buf_vprintf - append formatted text */
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    char *dst;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0 || (dst = buf_reserve(b, (size_t)n)) == NULL)
        return -1;
    vsnprintf(dst, (size_t)n + 1, fmt, ap);
    buf_commit(b, (size_t)n);
    return 0;
}

/* buf_printf - append formatted text */
int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

/* buf_reset - empty the buffer */
void buf_reset(struct buf *b)
{
    b->len = 0;
    b->data[0] = '\0';
}

/* buf_truncate - shorten the contents */
void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

/* buf_consume - drop bytes from the front */
void buf_consume(struct buf *b, size_t n)
{
    if (n >= b->len) {
        buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}
