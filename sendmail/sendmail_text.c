/* SPDX-License-Identifier: MIT
 * sendmail_text - LF to CRLF, the "." line and dot-unstuffing, one byte at
 * a time (see sendmail_text.h).
 *
 * Trusts: nothing; every byte value is content. Limits: none of its own
 * (the caller counts the size).
 */
#include "sendmail_text.h"

/* sendmail_text_init - see sendmail_text.h */
void sendmail_text_init(struct sendmail_text *t, bool dot_ends, bool unstuff)
{
    *t = (struct sendmail_text){ .dot_ends = dot_ends, .unstuff = unstuff, .bol = true };
}

/* put_mid - a byte in the middle of a line (or one that starts it) */
static int put_mid(struct sendmail_text *t, unsigned char c, struct buf *out)
{
    int rc;

    if (c == '\n') {
        rc = t->last_cr ? buf_append_char(out, '\n') : buf_append(out, "\r\n", 2);
        t->bol = true;
        t->last_cr = false;
        return rc;
    }
    t->bol = false;
    t->last_cr = c == '\r';
    return buf_append_char(out, (char)c);
}

/* held_dot - write the "." held at the start of a line, unless unstuffed */
static int held_dot(struct sendmail_text *t, struct buf *out)
{
    t->bol = false;
    return t->unstuff ? 0 : buf_append_char(out, '.');
}

/* sendmail_text_put - see sendmail_text.h */
int sendmail_text_put(struct sendmail_text *t, unsigned char c, struct buf *out)
{
    if (t->done)
        return 0;
    if (t->dot == 1) {
        t->dot = 0;
        if (c == '\r') {
            t->dot = 2;
            return 0;
        }
        if (c == '\n' && t->dot_ends) {
            t->done = true;
            return 0;
        }
        if (held_dot(t, out) < 0)
            return -1;
        return put_mid(t, c, out);
    }
    if (t->dot == 2) {
        t->dot = 0;
        if (c == '\n' && t->dot_ends) {
            t->done = true;
            return 0;
        }
        if (held_dot(t, out) < 0 || put_mid(t, '\r', out) < 0)
            return -1;
        return put_mid(t, c, out);
    }
    if (t->bol && c == '.' && (t->dot_ends || t->unstuff)) {
        t->dot = 1;
        return 0;
    }
    return put_mid(t, c, out);
}

/* sendmail_text_finish - see sendmail_text.h */
int sendmail_text_finish(struct sendmail_text *t, struct buf *out)
{
    if (t->done)
        return 0;
    if (t->dot == 2) {
        t->dot = 0;
        if (held_dot(t, out) < 0 || put_mid(t, '\r', out) < 0)
            return -1;
    } else if (t->dot == 1) {
        t->dot = 0;
        if (held_dot(t, out) < 0)
            return -1;
    }
    if (!t->bol)
        return put_mid(t, '\n', out);
    return 0;
}
