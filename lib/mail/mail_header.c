/* SPDX-License-Identifier: MIT
 * mail_header - printable header values and the RFC 5322 date (the
 * contract is in mail_header.h).
 */
#include "mail/mail_header.h"

/* mail_header_sanitize - printable ASCII only, bounded */
void mail_header_sanitize(char *out, size_t max, const char *s, size_t len)
{
    size_t i;

    if (len > max)
        len = max;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        out[i] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[len] = '\0';
}

/* mail_header_date - RFC 5322 section 3.3, numeric zone */
void mail_header_date(char out[MAIL_HEADER_DATE_MAX], time_t now)
{
    struct tm tm;

    if (localtime_r(&now, &tm) == NULL
        || strftime(out, MAIL_HEADER_DATE_MAX, "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
        out[0] = '\0';
}
