/* SPDX-License-Identifier: MIT
 * sasl_b64 - strict base64. Written here rather than taken from OpenSSL
 * (EVP_DecodeBlock skips white space and does not say how many pad bytes
 * it decoded) or libsasl2 (which only authd links): what is accepted is
 * exactly the canonical form, and that is easiest to see in 60 lines.
 *
 * See also: sasl_b64.h, tests/unit/test_sasl_b64.c, fuzz_sasl_b64.
 */
#include "sasl_b64.h"

#include "util/buf.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* value - the 6 bits of c, or -1 */
static int value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int sasl_b64_decode(const char *in, size_t len, unsigned char *out, size_t size, size_t *out_len)
{
    size_t pad = 0, n, i, o = 0;
    int v[4], k;

    if (len % 4 != 0)
        return -1;
    if (len > 0 && in[len - 1] == '=')
        pad = len > 1 && in[len - 2] == '=' ? 2 : 1;
    n = len / 4 * 3 - pad;
    if (out != NULL && n > size)
        return -1;
    for (i = 0; i < len; i += 4) {
        for (k = 0; k < 4; k++) {
            if (i + (size_t)k >= len - pad)
                v[k] = 0; /* a pad position (only in the last group) */
            else if ((v[k] = value(in[i + (size_t)k])) < 0)
                return -1;
        }
        if (i + 4 == len && pad == 2 && (v[1] & 0x0f) != 0)
            return -1;
        if (i + 4 == len && pad == 1 && (v[2] & 0x03) != 0)
            return -1;
        if (out == NULL)
            continue;
        out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        if (o < n)
            out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
        if (o < n)
            out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
    }
    *out_len = n;
    return 0;
}

int sasl_b64_encode(const void *in, size_t len, struct buf *out)
{
    const unsigned char *p = in;
    char group[4];
    size_t i;
    unsigned x;

    for (i = 0; i < len; i += 3) {
        x = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
        group[0] = alphabet[x >> 18 & 63];
        group[1] = alphabet[x >> 12 & 63];
        group[2] = i + 1 < len ? alphabet[x >> 6 & 63] : '=';
        group[3] = i + 2 < len ? alphabet[x & 63] : '=';
        if (buf_append(out, group, 4) < 0)
            return -1;
    }
    return 0;
}
