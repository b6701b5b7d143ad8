/* SPDX-License-Identifier: MIT
 * fuzz_tls_name - the host name check every SNI name a client sends goes
 * through before any other use (THREATS.md #28).
 *
 * Properties checked (abort on failure): an accepted name is 1..253
 * bytes of letters, digits, hyphens and dots only (so no NUL, no
 * backslash, no escape of any kind); no label is empty, longer than 63
 * bytes, or starts or ends with a hyphen; the last label is not all
 * digits; and the check agrees with itself on the lower-cased name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls/tls_name.h"

/* shape_ok - the properties, checked the slow way */
static int shape_ok(const uint8_t *p, size_t n)
{
    size_t start = 0, i;
    int digits_only = 1;

    if (n == 0 || n > 253)
        return 0;
    for (i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (i == start || i - start > 63 || p[start] == '-' || p[i - 1] == '-')
                return 0;
            digits_only = 1;
            for (size_t k = start; k < i; k++)
                if (p[k] < '0' || p[k] > '9')
                    digits_only = 0;
            start = i + 1;
            continue;
        }
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')
              || p[i] == '-'))
            return 0;
    }
    return !digits_only;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - tls_name_ok against the slow check */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char lower[300];
    size_t i;
    bool ok = tls_name_ok((const char *)data, size);

    if (ok != (shape_ok(data, size) != 0))
        abort();
    if (size < sizeof(lower)) {
        for (i = 0; i < size; i++)
            lower[i] = (char)(data[i] >= 'A' && data[i] <= 'Z' ? data[i] + 32 : data[i]);
        if (tls_name_ok(lower, size) != ok)
            abort();
    }
    return 0;
}
