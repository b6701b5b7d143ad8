/* SPDX-License-Identifier: MIT
 * buf - the one byte buffer type, with a hard maximum size.
 *
 * A buf holds binary-safe data and is always NUL-terminated after its
 * contents, so text users can treat data as a C string. Growth is bounded by
 * the maximum given at creation: an append that would pass it fails with -1
 * and leaves the buffer unchanged. "Everything is bounded" is a property of
 * this type rather than of each caller.
 *
 * See also: alloc.h, conn.h (line reads into a buf).
 */
#ifndef PETREL_UTIL_BUF_H
#define PETREL_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* contents, followed by a NUL */
    size_t len; /* bytes of content */
    size_t cap; /* allocated bytes, excluding the NUL */
    size_t max; /* hard limit on len */
};

/* buf_create - new empty buffer that may hold at most max bytes */
struct buf *buf_create(size_t initial, size_t max);
/* buf_destroy - free *b_r and set it to NULL; accepts NULL */
void buf_destroy(struct buf **b_r);
/* buf_init / buf_deinit - the same for a buf embedded in another struct */
void buf_init(struct buf *b, size_t initial, size_t max);
void buf_deinit(struct buf *b);

/* buf_append - append n bytes; 0, or -1 when the maximum would be passed */
int buf_append(struct buf *b, const void *p, size_t n);
/* buf_append_str - append a NUL-terminated string */
int buf_append_str(struct buf *b, const char *s);
/* buf_append_char - append one byte */
int buf_append_char(struct buf *b, char c);
/* buf_printf - append formatted text; -1 (buffer unchanged) past the maximum */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* buf_reset - make the buffer empty (keeps its memory) */
void buf_reset(struct buf *b);
/* buf_truncate - shorten to len bytes (no-op if already shorter) */
void buf_truncate(struct buf *b, size_t len);
/* buf_consume - drop n bytes from the front */
void buf_consume(struct buf *b, size_t n);
/* buf_space - bytes that may still be appended before the maximum */
size_t buf_space(const struct buf *b);
/* buf_reserve - make room for n more bytes and return where they go, or NULL
 * past the maximum; commit them with buf_commit */
char *buf_reserve(struct buf *b, size_t n);
void buf_commit(struct buf *b, size_t n);
/* buf_str - the contents as a C string */
static inline const char *buf_str(const struct buf *b)
{
    return b->data;
}

#endif
