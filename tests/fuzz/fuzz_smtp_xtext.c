/* SPDX-License-Identifier: MIT
 * fuzz_smtp_xtext - xtext decoding and encoding (ENVID=, ORCPT=, AUTH=).
 *
 * Properties checked (abort on failure): decoded bytes are never CR, LF,
 * NUL or another control; for valid xtext x, decode(encode(decode(x)))
 * equals decode(x); for any bytes b, encode(b) is valid xtext that decodes
 * back to b exactly when b has no control bytes, and is refused otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_xtext.h"
#include "util/buf.h"

#define MAX_IN 4096

/* controls - a control byte in p */
static int controls(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            return 1;
    }
    return 0;
}

/* round_trip - encode n bytes, decode, compare; refused iff controls */
static void round_trip(const void *p, size_t n)
{
    struct buf *enc = buf_create(64, MAX_IN * 3 + 1);
    char back[MAX_IN + 1];
    size_t len;
    int ret;

    if (smtp_xtext_encode(p, n, enc) < 0)
        abort();
    ret = smtp_xtext_decode(enc->data, enc->len, back, sizeof(back), &len, NULL);
    if (controls(p, n) ? ret == 0 : (ret < 0 || len != n || memcmp(back, p, n) != 0))
        abort();
    buf_destroy(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - decode the input, and round-trip input and result */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[MAX_IN + 1];
    const char *error;
    size_t n;

    if (size > MAX_IN)
        return 0;
    if (smtp_xtext_decode((const char *)data, size, out, sizeof(out), &n, &error) == 0) {
        if (n > size || controls((const uint8_t *)out, n) || out[n] != 0)
            abort();
        round_trip(out, n);
    } else if (error == NULL) {
        abort();
    }
    round_trip(data, size);
    return 0;
}
