/* SPDX-License-Identifier: MIT
 * fuzz_smtp_reply - server replies into the outbound client's parser, and
 * the parsed text back out through our reply formatter.
 *
 * Input: byte 0 sets the line limit (1-16), byte 1 the byte limit (up to
 * 1020), the rest is split at LF into lines (a CR before the LF dropped).
 * Properties checked (abort on failure): the limits hold; the code is
 * 200-559 and the same for the reply; an enhanced code starts with the
 * code's class; the sanitised text has no control byte and is valid UTF-8;
 * formatting that text gives exactly one line of at most 512 octets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_reply.h"
#include "smtp/smtp_utf8.h"
#include "util/buf.h"

/* check_text - no controls, valid UTF-8 */
static void check_text(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k;

    while (i < len) {
        k = smtp_utf8_seq(p + i, len - i);
        if (k == 0 || p[i] < 0x20 || p[i] == 0x7f)
            abort();
        i += k;
    }
}

/* check_format - our formatter puts the text on one bounded line */
static void check_format(const struct smtp_reply *r)
{
    struct buf *out = buf_create(64, 8192);
    const char *lines[1] = { r->text->data };
    char *crlf;

    if (smtp_reply_format(out, r->code, r->ecode[0] ? r->ecode : NULL, lines, 1) < 0)
        abort();
    crlf = strstr(out->data, "\r\n");
    if (out->len > SMTP_REPLY_LINE_MAX || crlf == NULL || crlf != out->data + out->len - 2)
        abort();
    check_text(out->data, out->len - 2);
    buf_destroy(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - feed lines until the reply ends or fails */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf *text = buf_create(64, 4096);
    const char *p = (const char *)data + 2, *end = (const char *)data + size, *nl, *error;
    struct smtp_reply r;
    size_t len;
    int ret = 0;

    if (size < 2) {
        buf_destroy(&text);
        return 0;
    }
    smtp_reply_init(&r, (size_t)(data[0] % 16) + 1, (size_t)data[1] * 4, text);
    while (p < end && ret == 0) {
        nl = memchr(p, '\n', (size_t)(end - p));
        len = (size_t)((nl != NULL ? nl : end) - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        ret = smtp_reply_line(&r, p, len, &error);
        p = nl != NULL ? nl + 1 : end;
        if (r.lines > r.max_lines + 1 || r.bytes > r.max_bytes)
            abort();
        if (ret >= 0 && (r.code < 200 || r.code > 559 || (r.ecode[0] && r.ecode[0] != '0' + r.code / 100)))
            abort();
        check_text(text->data, text->len);
    }
    if (ret == 1)
        check_format(&r);
    buf_destroy(&text);
    return 0;
}
