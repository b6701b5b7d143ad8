/* SPDX-License-Identifier: MIT
 * smtp_addr_canon - locally submitted envelope addresses, checked as SMTP
 * paths (see smtp_addr_canon.h).
 */
#include "smtp/smtp_addr_canon.h"

#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"

/* a domain used only to check a bare local part as an SMTP path */
#define CHECK_DOMAIN "@localhost"

/* has_domain - an '@' outside quotes and before the end? */
static bool has_domain(const char *s, size_t len)
{
    bool quoted = false;
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\\' && quoted)
            i++;
        else if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == '@' && !quoted && i > 0)
            return true;
    }
    return false;
}

/* smtp_addr_canon - see smtp_addr_canon.h */
int smtp_addr_canon(const char *s, size_t len, bool null_ok, char out[SMTP_PATH_MAX + 1],
                    const char **error_r)
{
    char path[SMTP_ADDR_CANON_MAX + sizeof(CHECK_DOMAIN) + 3];
    struct smtp_addr a;
    const char *why;
    size_t end, n;
    bool bare;

    if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
        s++;
        len -= 2;
    }
    if (len == 0) {
        if (!null_ok)
            return errf(error_r, "empty address");
        out[0] = '\0';
        return 0;
    }
    if (len > SMTP_ADDR_CANON_MAX || memchr(s, '\0', len) != NULL)
        return errf(error_r, "address too long or with a NUL byte");
    bare = !has_domain(s, len);
    n = (size_t)snprintf(path, sizeof(path), "<%.*s%s>", (int)len, s, bare ? CHECK_DOMAIN : "");
    if (smtp_addr_parse(path, n, 0, &a, &end, &why) < 0)
        return errf(error_r, "%s", why);
    if (end != n)
        return errf(error_r, "text after the address");
    if (bare) {
        if (a.addr_len < sizeof(CHECK_DOMAIN) - 1)
            return errf(error_r, "bad local part");
        a.addr[a.addr_len - (sizeof(CHECK_DOMAIN) - 1)] = '\0';
    }
    memcpy(out, a.addr, strlen(a.addr) + 1);
    return 0;
}

/* smtp_addr_qualify - see smtp_addr_canon.h */
int smtp_addr_qualify(const char *s, size_t len, bool null_ok, const char *origin,
                      char out[SMTP_PATH_MAX + 1], const char **error_r)
{
    char *full;
    int rc;

    if (smtp_addr_canon(s, len, null_ok, out, error_r) < 0)
        return -1;
    if (out[0] == '\0' || has_domain(out, strlen(out)))
        return 0;
    full = xasprintf("%s@%s", out, origin);
    rc = smtp_addr_canon(full, strlen(full), false, out, error_r);
    xfree(full);
    return rc;
}
