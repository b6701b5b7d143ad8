/* SPDX-License-Identifier: MIT
 * smtp_data - the DATA content reader: an incremental state machine that
 * removes dot-stuffing and finds the end of data, plus a BDAT helper.
 *
 * Input: the raw client byte stream after "354", in chunks of any size
 * (one byte at a time gives the same result as all at once). Nothing in it
 * is trusted. The end of data is ONLY <CRLF>.<CRLF>, where the start of
 * the data counts as if it followed a CRLF. A bare LF or bare CR never
 * forms or completes an end of data (SMTP smuggling, THREATS.md b.1), so
 * "\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n" and the like are all content.
 *
 * Bare line ends in the content follow a policy chosen by the caller:
 *  - SMTP_BARE_REJECT: bytes pass through unchanged and the result records
 *    that a bare CR or LF was seen; lines are delimited by CRLF only, so a
 *    dot after a bare LF is content, not stuffing. smtpd answers 550 5.5.2
 *    at the end and does not queue the message.
 *  - SMTP_BARE_NORMALIZE: a bare LF and a bare CR are each written as CRLF
 *    and end the line there (so a "." that follows is unstuffed, as Postfix
 *    does for "smtpd_forbid_bare_newline = normalize"). The result still
 *    records that they were seen, for logging.
 * Either way a leading "." on a line is removed ("..x" gives ".x", ".x"
 * gives "x"), and NUL bytes are kept and recorded (has_nul) for smtpd's
 * policy; nothing here treats the content as a C string.
 *
 * Limits: output stops once max_size bytes were produced (too_big is set)
 * but scanning goes on to the real end so the session stays in sync.
 * See also: smtp_cmd.h, THREATS.md b.1, RFC 5321 4.1.1.4 and 4.5.2.
 */
#ifndef PETREL_SMTP_DATA_H
#define PETREL_SMTP_DATA_H

#include <stdbool.h>
#include <stddef.h>

enum smtp_bare_policy {
    SMTP_BARE_REJECT,
    SMTP_BARE_NORMALIZE,
};

/* smtp_data_out_fn - receives message bytes (unstuffed) in order */
typedef void smtp_data_out_fn(void *ctx, const char *p, size_t n);

#define SMTP_DATA_STAGE 512

struct smtp_data {
    /* results, readable at any time */
    bool done;          /* <CRLF>.<CRLF> was seen */
    bool too_big;       /* more than max_size bytes of message */
    bool bare_lf;       /* a LF not preceded by CR was seen */
    bool bare_cr;       /* a CR not followed by LF was seen */
    bool has_nul;       /* a NUL byte was seen */
    size_t size;        /* message bytes, counted past max_size too */
    size_t header_size; /* bytes before the empty line ending the header */
    bool header_done;   /* that empty line was seen */
    size_t in_total;    /* input bytes consumed, terminator included */
    /* private */
    int state;
    enum smtp_bare_policy policy;
    size_t max_size;
    unsigned last4;
    smtp_data_out_fn *out;
    void *ctx;
    size_t staged;
    char stage[SMTP_DATA_STAGE];
};

/* smtp_data_init - start reading one message: policy for bare CR/LF, the
 * maximum message size in output bytes, and where output goes */
void smtp_data_init(struct smtp_data *d, enum smtp_bare_policy policy, size_t max_size, smtp_data_out_fn *out,
                    void *ctx);

/* smtp_data_feed - scan n input bytes. Returns how many were consumed: all
 * n, or fewer when the end of data was found, in which case d->done is set
 * and the bytes after the returned count (the next pipelined command) were
 * not looked at. Output for every consumed byte has been delivered to the
 * callback when this returns, except a CR or "." whose meaning depends on
 * the next byte. Feeding after done consumes nothing. */
size_t smtp_data_feed(struct smtp_data *d, const void *p, size_t n);

struct smtp_bdat {
    bool bare_lf;
    bool bare_cr;
    bool pending_cr;
    enum smtp_bare_policy policy;
};

/* smtp_bdat_init - start a BDAT message (state carries across chunks) */
void smtp_bdat_init(struct smtp_bdat *b, enum smtp_bare_policy policy);
/* smtp_bdat_feed - pass BDAT chunk bytes (no unstuffing, no end search)
 * to out, recording bare CR/LF and, with SMTP_BARE_NORMALIZE, writing each
 * as CRLF. A CR at the end of a chunk is held until the next byte. */
void smtp_bdat_feed(struct smtp_bdat *b, const void *p, size_t n, smtp_data_out_fn *out, void *ctx);
/* smtp_bdat_finish - after the LAST chunk: deliver a held CR (as CRLF with
 * SMTP_BARE_NORMALIZE) */
void smtp_bdat_finish(struct smtp_bdat *b, smtp_data_out_fn *out, void *ctx);

#endif
