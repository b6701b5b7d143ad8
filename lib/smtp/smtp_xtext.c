/* SPDX-License-Identifier: MIT
 * smtp_xtext - xtext decoding into a fixed array and encoding into a buf.
 */
#include "smtp/smtp_xtext.h"

#include "util/err.h"

/* hexval - value of an upper-case hex digit, or -1 */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* smtp_xtext_decode - xtext to bytes, refusing control bytes */
int smtp_xtext_decode(const char *s, size_t len, char *out, size_t out_size, size_t *out_len_r,
                      const char **error_r)
{
    size_t i, n = 0;
    unsigned char c;

    for (i = 0; i < len; i++) {
        c = (unsigned char)s[i];
        if (c == '+') {
            if (len - i < 3)
                return errf(error_r, "incomplete \"+\" escape in xtext");
            if (hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return errf(error_r, "invalid \"+\" escape in xtext (two upper-case hex digits expected)");
            c = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
            if (c < 0x20 || c == 0x7f)
                return errf(error_r, "xtext encodes a control character");
        } else if (c < 33 || c > 126 || c == '=') {
            return errf(error_r, "invalid character in xtext");
        }
        if (n + 1 >= out_size)
            return errf(error_r, "decoded xtext longer than %zu characters", out_size - 1);
        out[n++] = (char)c;
    }
    if (out_size > 0)
        out[n] = 0;
    *out_len_r = n;
    return 0;
}

/* smtp_xtext_encode - bytes to xtext */
int smtp_xtext_encode(const void *p, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = p;
    size_t i, start = out->len;

    for (i = 0; i < n; i++) {
        int r;

        if (s[i] >= 33 && s[i] <= 126 && s[i] != '+' && s[i] != '=') {
            r = buf_append_char(out, (char)s[i]);
        } else {
            char e[3] = { '+', hex[s[i] >> 4], hex[s[i] & 15] };
            r = buf_append(out, e, 3);
        }
        if (r < 0) {
            buf_truncate(out, start);
            return -1;
        }
    }
    return 0;
}
