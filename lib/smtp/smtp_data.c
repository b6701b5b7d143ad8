/* SPDX-License-Identifier: MIT
 * smtp_data - DATA end-of-data detection and dot-unstuffing as a state
 * machine over arbitrary chunks; a BDAT bare CR/LF helper.
 *
 * States name what was seen since the last line break that counts: at a
 * line start, in the middle of a line, a CR whose partner is unknown, a
 * "." at a line start, and ".\r" at a line start. Only the sequence
 * line start, ".", CR, LF ends the data, and a line start is reached only
 * through CRLF. With SMTP_BARE_NORMALIZE a bare CR/LF, written as CRLF,
 * leads to a "soft" line start: a "." there is unstuffed, but it can never
 * begin an end of data.
 * Trusts nothing in the input; see smtp_data.h for the policies.
 */
#include "smtp/smtp_data.h"

#include <string.h>

enum {
    S_LINE_START,
    S_SOFT_START,
    S_MID,
    S_CR,
    S_DOT,
    S_DOT_CR,
    S_DONE,
};

/* flush - hand staged output to the callback */
static void flush(struct smtp_data *d)
{
    if (d->staged > 0 && d->out != NULL)
        d->out(d->ctx, d->stage, d->staged);
    d->staged = 0;
}

/* emit - one message byte: count it, track the header, stage it */
static void emit(struct smtp_data *d, char c)
{
    d->size++;
    d->last4 = (d->last4 << 8) | (unsigned char)c;
    if (!d->header_done) {
        if ((d->size == 2 && (d->last4 & 0xffff) == 0x0d0a) || d->last4 == 0x0d0a0d0a) {
            d->header_done = true;
            d->header_size = d->size - 2;
        } else {
            d->header_size = d->size;
        }
    }
    if (d->size > d->max_size) {
        d->too_big = true;
        return;
    }
    d->stage[d->staged++] = c;
    if (d->staged == sizeof(d->stage))
        flush(d);
}

/* emit_crlf - a line break in the output */
static void emit_crlf(struct smtp_data *d)
{
    emit(d, '\r');
    emit(d, '\n');
}

/* bare - handle a bare CR or LF per policy; returns the next state */
static int bare(struct smtp_data *d, char c)
{
    if (c == '\r')
        d->bare_cr = true;
    else
        d->bare_lf = true;
    if (d->policy == SMTP_BARE_NORMALIZE) {
        /* a line start for unstuffing, never for the end of data */
        emit_crlf(d);
        return S_SOFT_START;
    }
    emit(d, c);
    return S_MID;
}

/* step - one input byte; returns 1 when it was consumed, 0 when it must be
 * looked at again in the new state (after a CR or "." was resolved) */
static int step(struct smtp_data *d, char c)
{
    switch (d->state) {
    case S_LINE_START:
    case S_SOFT_START:
    case S_MID:
        if (c == '\r') {
            d->state = S_CR;
        } else if (c == '\n') {
            d->state = bare(d, c);
        } else if (c == '.' && d->state == S_LINE_START) {
            d->state = S_DOT;
        } else if (c == '.' && d->state == S_SOFT_START) {
            d->state = S_MID;
        } else {
            if (c == '\0')
                d->has_nul = true;
            emit(d, c);
            d->state = S_MID;
        }
        return 1;
    case S_CR:
        if (c == '\n') {
            emit_crlf(d);
            d->state = S_LINE_START;
            return 1;
        }
        d->state = bare(d, '\r');
        return 0;
    case S_DOT:
        /* the leading dot is dropped whatever follows, except the end */
        if (c == '\r') {
            d->state = S_DOT_CR;
            return 1;
        }
        d->state = S_MID;
        return 0;
    case S_DOT_CR:
        if (c == '\n') {
            d->state = S_DONE;
            d->done = true;
            return 1;
        }
        d->state = bare(d, '\r');
        return 0;
    default:
        return 0;
    }
}

/* smtp_data_init - start reading one message */
void smtp_data_init(struct smtp_data *d, enum smtp_bare_policy policy, size_t max_size, smtp_data_out_fn *out,
                    void *ctx)
{
    memset(d, 0, sizeof(*d));
    d->state = S_LINE_START;
    d->policy = policy;
    d->max_size = max_size;
    d->out = out;
    d->ctx = ctx;
}

/* smtp_data_feed - scan input bytes until the end of data */
size_t smtp_data_feed(struct smtp_data *d, const void *p, size_t n)
{
    const char *s = p;
    size_t i = 0;

    while (i < n && d->state != S_DONE)
        i += (size_t)step(d, s[i]);
    d->in_total += i;
    flush(d);
    return i;
}

/* smtp_bdat_init - start a BDAT message */
void smtp_bdat_init(struct smtp_bdat *b, enum smtp_bare_policy policy)
{
    memset(b, 0, sizeof(*b));
    b->policy = policy;
}

/* bdat_bare - a bare CR or LF in BDAT content */
static void bdat_bare(struct smtp_bdat *b, char c, smtp_data_out_fn *out, void *ctx)
{
    if (c == '\r')
        b->bare_cr = true;
    else
        b->bare_lf = true;
    if (b->policy == SMTP_BARE_NORMALIZE)
        out(ctx, "\r\n", 2);
    else
        out(ctx, &c, 1);
}

/* smtp_bdat_feed - pass BDAT bytes on, handling bare CR/LF */
void smtp_bdat_feed(struct smtp_bdat *b, const void *p, size_t n, smtp_data_out_fn *out, void *ctx)
{
    const char *s = p;
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        if (b->pending_cr) {
            b->pending_cr = false;
            if (s[i] == '\n') {
                out(ctx, "\r\n", 2);
                run = i + 1;
                continue;
            }
            bdat_bare(b, '\r', out, ctx);
        }
        if (s[i] == '\r' || s[i] == '\n') {
            if (i > run)
                out(ctx, s + run, i - run);
            run = i + 1;
            if (s[i] == '\r')
                b->pending_cr = true;
            else
                bdat_bare(b, '\n', out, ctx);
        }
    }
    if (n > run)
        out(ctx, s + run, n - run);
}

/* smtp_bdat_finish - deliver a CR held at the end of the last chunk */
void smtp_bdat_finish(struct smtp_bdat *b, smtp_data_out_fn *out, void *ctx)
{
    if (b->pending_cr) {
        b->pending_cr = false;
        bdat_bare(b, '\r', out, ctx);
    }
}
