/* SPDX-License-Identifier: MIT
 * fuzz_smtp_data_eod - the DATA reader against a small reference of strict
 * end-of-data and dot-unstuffing (differential).
 *
 * Input: byte 0-3 give the chunk sizes the stream is fed in (cycled), byte
 * 4 picks the bare CR/LF policy and a size limit, the rest is the client
 * stream; "\r\n.\r\n" is appended so an end always exists. Properties
 * (abort on failure): the state machine and the reference agree on the end
 * offset, the output (cut at the size limit), size and bare CR/LF flags;
 * the output has no "\r\n.\r\n" line that the (normalised) input did not
 * send stuffed as "\r\n..\r\n".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_data.h"
#include "util/buf.h"

#define MAX_IN 65536

/* ref_end - strict end of data: offset after ".\r\n" at a CRLF line start */
static size_t ref_end(const char *s, size_t n, size_t *msg_len_r)
{
    size_t i;

    for (i = 0; i + 3 <= n; i++) {
        if ((i == 0 || (i >= 2 && s[i - 2] == '\r' && s[i - 1] == '\n')) && memcmp(s + i, ".\r\n", 3) == 0) {
            *msg_len_r = i;
            return i + 3;
        }
    }
    abort();
}

/* ref_message - normalise bare CR/LF if asked, then drop each line's leading dot */
static void ref_message(const char *m, size_t n, int normalize, struct buf *norm, struct buf *out)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if (m[i] == '\r' && i + 1 < n && m[i + 1] == '\n')
            buf_append(norm, m + i++, 2);
        else if (normalize && (m[i] == '\r' || m[i] == '\n'))
            buf_append(norm, "\r\n", 2);
        else
            buf_append_char(norm, m[i]);
    }
    for (i = 0; i + 1 < norm->len; i++) {
        if (norm->data[i] == '\r' && norm->data[i + 1] == '\n') {
            size_t skip = norm->data[start] == '.' ? 1 : 0;
            buf_append(out, norm->data + start + skip, i + 2 - start - skip);
            start = i + 2;
        }
    }
}

/* count - occurrences (overlapping) of pat in "\r\n" + s */
static size_t count(const char *s, size_t n, const char *pat)
{
    size_t i, c = 0, plen = strlen(pat);
    char *t = malloc(n + 2);

    memcpy(t, "\r\n", 2);
    memcpy(t + 2, s, n);
    for (i = 0; i + plen <= n + 2; i++)
        c += memcmp(t + i, pat, plen) == 0;
    free(t);
    return c;
}

/* has_bare - a LF without CR before it, or a CR without LF after it */
static int has_bare(const char *m, size_t n, char c)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (m[i] == c && c == '\n' && (i == 0 || m[i - 1] != '\r'))
            return 1;
        if (m[i] == c && c == '\r' && (i + 1 == n || m[i + 1] != '\n'))
            return 1;
    }
    return 0;
}

/* collect - output callback */
static void collect(void *ctx, const char *p, size_t n)
{
    if (buf_append(ctx, p, n) < 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - feed in chunks, compare with the reference */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf *in, *out, *norm, *ref;
    size_t end, msg_len, pos = 0, k = 0, max, n;
    struct smtp_data d;
    int normalize;

    if (size < 5 || size > MAX_IN)
        return 0;
    normalize = data[4] & 1;
    max = (data[4] & 2) ? (size_t)(data[4] >> 2) : (size_t)MAX_IN * 4;
    in = buf_create(size + 5, size + 5);
    buf_append(in, data + 5, size - 5);
    buf_append(in, "\r\n.\r\n", 5);
    out = buf_create(64, MAX_IN * 4);
    norm = buf_create(64, MAX_IN * 4);
    ref = buf_create(64, MAX_IN * 4);
    smtp_data_init(&d, normalize ? SMTP_BARE_NORMALIZE : SMTP_BARE_REJECT, max, collect, out);
    while (pos < in->len && !d.done) {
        n = (size_t)(data[k++ % 4] % 32) + 1;
        n = n < in->len - pos ? n : in->len - pos;
        pos += smtp_data_feed(&d, in->data + pos, n);
    }
    end = ref_end(in->data, in->len, &msg_len);
    ref_message(in->data, msg_len, normalize, norm, ref);
    if (!d.done || pos != end || d.in_total != end || d.size != ref->len)
        abort();
    if (out->len != (ref->len < max ? ref->len : max) || memcmp(out->data, ref->data, out->len) != 0)
        abort();
    if (d.too_big != (ref->len > max))
        abort();
    if (d.bare_lf != has_bare(in->data, msg_len, '\n') || d.bare_cr != has_bare(in->data, msg_len, '\r'))
        abort();
    if (!d.too_big && count(out->data, out->len, "\r\n.\r\n") > count(norm->data, norm->len, "\r\n..\r\n"))
        abort();
    buf_destroy(&in);
    buf_destroy(&out);
    buf_destroy(&norm);
    buf_destroy(&ref);
    return 0;
}
