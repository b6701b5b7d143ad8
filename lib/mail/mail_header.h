/* SPDX-License-Identifier: MIT
 * mail_header - pieces of the trace headers Petrel adds to a message
 * (smtpd's and pickup's Received:): printable values and the RFC 5322
 * date.
 *
 * Input: any bytes (a client's HELO, a host name); output is bounded and
 * printable, so nothing a client or user sends can end a header line or
 * add a header.
 *
 * See also: smtpd/smtpd_data.c, pickup/pickup_submit.c.
 */
#ifndef PETREL_MAIL_MAIL_HEADER_H
#define PETREL_MAIL_MAIL_HEADER_H

#include <stddef.h>
#include <time.h>

/* room for "Mon, 01 Jan 2024 00:00:00 +0000" and then some */
#define MAIL_HEADER_DATE_MAX 64

/* mail_header_sanitize - copy at most max bytes of s[0..len) to out (room
 * for max + 1), every byte that is not printable ASCII other than space
 * replaced by '?'; NUL-terminated */
void mail_header_sanitize(char *out, size_t max, const char *s, size_t len);
/* mail_header_date - now as an RFC 5322 date-time in local time ("" if
 * the time cannot be converted) */
void mail_header_date(char out[MAIL_HEADER_DATE_MAX], time_t now);

#endif
