/* SPDX-License-Identifier: MIT
 * smtp_reply - reply formatting with sanitised text, and a line-at-a-time
 * reply parser with limits for the outbound client.
 */
#include "smtp/smtp_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smtp/smtp_utf8.h"
#include "util/err.h"

/* smtp_reply_sanitize - copy text, controls and bad UTF-8 as "?" */
int smtp_reply_sanitize(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, k, start = out->len;

    while (i < n) {
        k = smtp_utf8_seq(p + i, n - i);
        if (k == 0 || p[i] < 0x20 || p[i] == 0x7f) {
            if (buf_append_char(out, '?') < 0)
                goto full;
            i++;
            continue;
        }
        if (buf_append(out, p + i, k) < 0)
            goto full;
        i += k;
    }
    return 0;
full:
    buf_truncate(out, start);
    return -1;
}

/* ecode_len - length of an enhanced status code of class cls at s (ended
 * by a space or the end), or 0 */
static size_t ecode_len(const char *s, size_t n, char cls)
{
    size_t i = 1, parts, digits;

    if (n < 5 || s[0] != cls)
        return 0;
    for (parts = 0; parts < 2; parts++) {
        if (i >= n || s[i] != '.')
            return 0;
        i++;
        for (digits = 0; i < n && s[i] >= '0' && s[i] <= '9' && digits < 3; digits++)
            i++;
        if (digits == 0)
            return 0;
    }
    return i == n || s[i] == ' ' ? i : 0;
}

/* smtp_reply_format - one reply, each line cut to fit 512 octets */
int smtp_reply_format(struct buf *out, int code, const char *ecode, const char *const *lines, size_t n)
{
    size_t i, start = out->len, head, room;
    char cls = (char)('0' + code / 100);

    if (code < 200 || code > 599 || n == 0)
        return -1;
    if (ecode != NULL && ecode_len(ecode, strlen(ecode), cls) != strlen(ecode))
        return -1;
    for (i = 0; i < n; i++) {
        head = out->len;
        if (buf_printf(out, "%03d%c", code, i + 1 < n ? '-' : ' ') < 0
            || (ecode != NULL && buf_printf(out, "%s ", ecode) < 0)
            || smtp_reply_sanitize(out, lines[i], strlen(lines[i])) < 0)
            goto full;
        room = SMTP_REPLY_LINE_MAX - 2;
        if (out->len - head > room) {
            /* cut at a character boundary: never inside a UTF-8 sequence */
            size_t cut = head + room;
            while (cut > head && ((unsigned char)out->data[cut] & 0xc0) == 0x80)
                cut--;
            buf_truncate(out, cut);
        }
        if (buf_append(out, "\r\n", 2) < 0)
            goto full;
    }
    return 0;
full:
    buf_truncate(out, start);
    return -1;
}

/* smtp_reply_printf - one line of formatted text */
int smtp_reply_printf(struct buf *out, int code, const char *ecode, const char *fmt, ...)
{
    char text[SMTP_REPLY_LINE_MAX];
    const char *lines[1] = { text };
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(text, sizeof(text), fmt, ap) < 0)
        text[0] = 0;
    va_end(ap);
    return smtp_reply_format(out, code, ecode, lines, 1);
}

/* smtp_reply_init - start one reply */
void smtp_reply_init(struct smtp_reply *r, size_t max_lines, size_t max_bytes, struct buf *text)
{
    memset(r, 0, sizeof(*r));
    r->max_lines = max_lines;
    r->max_bytes = max_bytes;
    r->text = text;
    buf_reset(text);
}

/* parse_code - the three digits of a reply line */
static int parse_code(const char *s, size_t len)
{
    if (len < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9')
        return -1;
    if (len > 3 && s[3] != ' ' && s[3] != '-')
        return -1;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* smtp_reply_line - one line of a reply */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len, const char **error_r)
{
    int code = parse_code(line, len);
    const char *text = line + (len >= 4 ? 4 : len);
    size_t tlen = len >= 4 ? len - 4 : 0, e;

    if (r->done)
        return errf(error_r, "reply already complete");
    if (code < 0)
        return errf(error_r, "malformed reply line");
    if (r->code != 0 && code != r->code)
        return errf(error_r, "reply code changed from %d to %d within a reply", r->code, code);
    if (++r->lines > r->max_lines)
        return errf(error_r, "reply has more than %zu lines", r->max_lines);
    if (len > r->max_bytes - r->bytes)
        return errf(error_r, "reply longer than %zu bytes", r->max_bytes);
    r->bytes += len;
    r->code = code;
    e = ecode_len(text, tlen, line[0]);
    if (r->lines == 1 && e > 0 && e < sizeof(r->ecode)) {
        memcpy(r->ecode, text, e);
        r->ecode[e] = 0;
    }
    if (r->ecode[0] != 0 && e == strlen(r->ecode) && memcmp(text, r->ecode, e) == 0) {
        text += e;
        tlen -= e;
        while (tlen > 0 && *text == ' ') {
            text++;
            tlen--;
        }
    }
    if (r->lines > 1 && tlen > 0 && r->text->len > 0 && buf_append_char(r->text, ' ') < 0)
        return errf(error_r, "reply text too long");
    if (smtp_reply_sanitize(r->text, text, tlen) < 0)
        return errf(error_r, "reply text too long");
    r->done = len == 3 || line[3] == ' ';
    return r->done ? 1 : 0;
}
