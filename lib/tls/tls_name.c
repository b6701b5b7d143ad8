/* SPDX-License-Identifier: MIT
 * tls_name - DNS host name syntax for certificates and SNI.
 *
 * See also: tls_name.h.
 */
#include "tls_name.h"

#define LABEL_MAX 63

/* label_ok - one label: 1..63 letters, digits, hyphens, no hyphen at an end */
static bool label_ok(const char *p, size_t n)
{
    size_t i;

    if (n == 0 || n > LABEL_MAX || p[0] == '-' || p[n - 1] == '-')
        return false;
    for (i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')
              || p[i] == '-'))
            return false;
    return true;
}

/* tls_name_ok - labels checked one by one; the last must not be numeric */
bool tls_name_ok(const char *name, size_t len)
{
    size_t start = 0, end, i;
    bool numeric = true;

    if (len == 0 || len > TLS_NAME_MAX)
        return false;
    for (;;) {
        for (end = start; end < len && name[end] != '.'; end++)
            ;
        if (!label_ok(name + start, end - start))
            return false;
        if (end == len)
            break;
        start = end + 1;
    }
    /* "10.0.0.1" has DNS-shaped labels but is an address, not a name. */
    for (i = start; i < len; i++)
        if (name[i] < '0' || name[i] > '9')
            numeric = false;
    return !numeric;
}
