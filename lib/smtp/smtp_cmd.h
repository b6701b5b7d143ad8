/* SPDX-License-Identifier: MIT
 * smtp_cmd - split one SMTP command line into a verb and its argument.
 *
 * Input: one line as read from the client, without its CRLF; untrusted.
 * The parser allocates nothing: results point into the line. Limits: the
 * line length (RFC 5321 4.5.3.1.4: 512 octets counting the CRLF, so at
 * most max_line - 2 bytes here); NUL, CR, LF, TAB, DEL and every other
 * control byte are refused anywhere in the line. Bytes >= 0x80 are left
 * to the argument parsers (smtp_addr decides about SMTPUTF8).
 *
 * Tolerance, chosen to match Postfix rather than the letter of RFC 5321:
 * verbs are case-insensitive; runs of spaces between words are accepted;
 * "MAIL FROM:" and "RCPT TO:" may be followed by spaces before the path;
 * but a space BEFORE the colon ("MAIL FROM :<a@b>") is refused, as Postfix
 * does. HTTP verbs (GET POST HEAD PUT CONNECT OPTIONS) give SMTP_VERB_HTTP
 * and a first word ending in ":" ("Subject: hi") gives SMTP_VERB_HEADER;
 * smtpd drops the connection for both (THREATS.md b.2 #9).
 * See also: smtp_addr.h (the path), smtp_param.h (ESMTP parameters).
 */
#ifndef PETREL_SMTP_CMD_H
#define PETREL_SMTP_CMD_H

#include <stddef.h>

#define SMTP_LINE_MAX 512 /* RFC 5321 4.5.3.1.4, CRLF included */

enum smtp_verb {
    SMTP_VERB_UNKNOWN, /* a word that is not a verb we know: 500 5.5.2 */
    SMTP_VERB_EHLO,
    SMTP_VERB_HELO,
    SMTP_VERB_MAIL,
    SMTP_VERB_RCPT,
    SMTP_VERB_DATA,
    SMTP_VERB_BDAT,
    SMTP_VERB_RSET,
    SMTP_VERB_NOOP,
    SMTP_VERB_QUIT,
    SMTP_VERB_VRFY,
    SMTP_VERB_HELP,
    SMTP_VERB_STARTTLS,
    SMTP_VERB_AUTH,
    SMTP_VERB_HTTP,   /* GET, POST, HEAD, PUT, CONNECT, OPTIONS */
    SMTP_VERB_HEADER, /* "Label:" - a mail header sent as a command */
};

struct smtp_cmd {
    enum smtp_verb verb;
    const char *word; /* the verb as sent */
    size_t word_len;
    /* the argument: for MAIL and RCPT what follows "FROM:"/"TO:" and any
     * spaces (path and parameters); for others what follows the verb and
     * its spaces; trailing spaces are not included. Empty: arg_len 0. */
    const char *arg;
    size_t arg_len;
    const char *ecode; /* on error: the suggested enhanced status code */
    int reply;         /* on error: the suggested reply code */
};

/* smtp_cmd_parse - split line (len bytes, no CRLF) into cmd_r. max_line is
 * the limit counting the CRLF (SMTP_LINE_MAX by default). Returns 0, or -1
 * with *error_r set and cmd_r->reply/ecode suggesting the answer: 500 5.5.2
 * for a line too long or containing control bytes, 501 5.5.4 for a verb
 * whose argument is missing, not allowed, or lacks "FROM:"/"TO:". Unknown
 * verbs are not an error (verb SMTP_VERB_UNKNOWN). */
int smtp_cmd_parse(const char *line, size_t len, size_t max_line, struct smtp_cmd *cmd_r,
                   const char **error_r);

/* smtp_verb_name - the upper-case name of a verb ("MAIL"), "unknown",
 * "http" or "header" */
const char *smtp_verb_name(enum smtp_verb verb);

#endif
