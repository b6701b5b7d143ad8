/* SPDX-License-Identifier: MIT
 * fuzz_sasl_b64 - the decoder of every AUTH response a client sends.
 *
 * Properties checked (abort on failure): a decode that succeeds writes
 * exactly len / 4 * 3 minus the pad bytes, and encoding its output gives
 * back the input byte for byte (only canonical base64 is accepted); the
 * check without a buffer agrees on the verdict and the length; and any
 * bytes encode to text that decodes back to them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sasl/sasl_b64.h"
#include "util/buf.h"

#define MAX_IN 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - decode, re-encode; encode, decode */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char out[MAX_IN];
    struct buf *enc;
    size_t n, checked = 0;
    int rc;

    if (size > MAX_IN)
        return 0;
    rc = sasl_b64_decode((const char *)data, size, NULL, 0, &checked);
    if (rc != sasl_b64_decode((const char *)data, size, out, sizeof(out), &n) || (rc == 0 && checked != n))
        abort();
    if (rc == 0) {
        enc = buf_create(64, MAX_IN * 2);
        if (sasl_b64_encode(out, n, enc) < 0 || enc->len != size || memcmp(enc->data, data, size) != 0)
            abort();
        buf_destroy(&enc);
    }
    enc = buf_create(64, MAX_IN * 2);
    if (sasl_b64_encode(data, size, enc) < 0 || sasl_b64_decode(enc->data, enc->len, out, sizeof(out), &n) < 0
        || n != size || memcmp(out, data, size) != 0)
        abort();
    buf_destroy(&enc);
    return 0;
}
