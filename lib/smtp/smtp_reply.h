/* SPDX-License-Identifier: MIT
 * smtp_reply - SMTP replies: formatting ours, parsing a remote server's.
 *
 * Formatting: "DDD X.Y.Z text" lines, "DDD-" on all but the last line of a
 * multi-line reply (the EHLO list). Text may contain bytes copied from a
 * client (a HELO name, an address), so every control byte becomes "?",
 * invalid UTF-8 becomes "?", and each line is cut to fit 512 octets with
 * its CRLF (RFC 5321 4.5.3.1.5): no reply can carry a second line.
 *
 * Parsing (the outbound client): one line at a time, without CRLF, from an
 * untrusted server. Each line is "DDD", "DDD text" or "DDD-text" with the
 * first digit 2-5; every line of one reply has the same code; at most
 * max_lines lines and max_bytes bytes. An enhanced status code (RFC 3463
 * "class.subject.detail", class equal to the reply's first digit) at the
 * start of the first line is extracted, and removed from each line that
 * repeats it. The text (lines joined with one space) is sanitised as above.
 * See also: smtp_utf8.h, RFC 5321 4.2, RFC 2034.
 */
#ifndef PETREL_SMTP_REPLY_H
#define PETREL_SMTP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define SMTP_REPLY_LINE_MAX 512 /* RFC 5321 4.5.3.1.5, CRLF included */

/* smtp_reply_sanitize - append n bytes of text to out with control bytes
 * and invalid UTF-8 replaced by "?"; 0, or -1 past out's maximum */
int smtp_reply_sanitize(struct buf *out, const char *s, size_t n);

/* smtp_reply_format - append a reply of n text lines (n >= 1) with CRLFs to
 * out. code is 200..599; ecode is NULL or "class.subject.detail" with the
 * class equal to code / 100. Returns 0, or -1 when code or ecode is invalid
 * or out's maximum would be passed (out is then unchanged). */
int smtp_reply_format(struct buf *out, int code, const char *ecode, const char *const *lines, size_t n);

/* smtp_reply_printf - smtp_reply_format for one line of printf text */
int smtp_reply_printf(struct buf *out, int code, const char *ecode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

struct smtp_reply {
    int code;       /* 0 until the first line */
    char ecode[12]; /* enhanced status code, "" when none */
    size_t lines;   /* lines seen */
    size_t bytes;   /* bytes seen, without CRLFs */
    bool done;      /* the last line ("DDD " or "DDD") was seen */
    size_t max_lines;
    size_t max_bytes;
    struct buf *text; /* caller's: sanitised text, lines joined by " " */
};

/* smtp_reply_init - start parsing one reply; text is emptied */
void smtp_reply_init(struct smtp_reply *r, size_t max_lines, size_t max_bytes, struct buf *text);

/* smtp_reply_line - feed one line (no CRLF). Returns 1 when the reply is
 * complete, 0 when more lines follow, -1 with *error_r for a malformed
 * line, a code change, or a limit passed (the reply is then unusable and
 * the client should treat the session as broken). */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len, const char **error_r);

#endif
