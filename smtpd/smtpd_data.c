/* SPDX-License-Identifier: MIT
 * smtpd_data - the content sink of DATA and BDAT, and the Received:
 * header.
 *
 * Owns: the reader state of one message (struct smtpd_rx, embedded in
 * the session), the reading of DATA content and BDAT chunks from the
 * session's input, and the message's exchange with qmgr (begin, the 354,
 * end, the final reply). Trusts nothing in the content. The sink sees the
 * unstuffed, policy-normalised bytes; it is where size, header size and
 * NUL are decided, so DATA and BDAT are judged by the same rules.
 *
 * See also: smtpd_data.h, smtp_data.h.
 */
#include "smtpd_data.h"

#include <stdio.h>
#include <string.h>

#include "mail/mail_header.h"
#include "mail/mail_proto.h"
#include "mail/params.h"
#include "smtpd_qmgr.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"
#include "util/buf.h"
#include "util/conn.h"
#include "util/event.h"
#include "util/msg.h"

/* Retry interval while qmgr's channel is backed up. */
#define SMTPD_BACKLOG_MS 10

/* rx_blocked - a limit was passed: stop sending content to qmgr */
static bool rx_blocked(const struct smtpd_rx *rx)
{
    return rx->too_big || rx->header_too_big || rx->nul || rx->qmgr_failed
           || (rx->policy == SMTP_BARE_REJECT
               && (rx->bdat ? rx->chunks.bare_lf || rx->chunks.bare_cr
                            : rx->data.bare_lf || rx->data.bare_cr));
}

/* rx_header - follow the header section up to its empty line */
static void rx_header(struct smtpd_rx *rx, const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n && !rx->header_done; i++) {
        unsigned char c = (unsigned char)p[i];

        rx->header_size++;
        /* Content arrives with CRLF line ends; CR LF CR LF ends the header,
         * and so does a first line that is empty. */
        rx->last4 = ((rx->last4 << 8) | c) & 0xffffffffu;
        if (rx->last4 == 0x0d0a0d0au || (rx->header_size == 2 && (rx->last4 & 0xffffu) == 0x0d0au))
            rx->header_done = true;
    }
    if (!rx->header_done && rx->header_size > rx->max_header)
        rx->header_too_big = true;
}

/* rx_sink - every content byte, in order */
static void rx_sink(void *ctx, const char *p, size_t n)
{
    struct smtpd_rx *rx = ctx;

    rx->size += n;
    if (rx->size > rx->max_size)
        rx->too_big = true;
    if (!rx->header_done)
        rx_header(rx, p, n);
    if (memchr(p, '\0', n) != NULL)
        rx->nul = true;
    if (rx_blocked(rx))
        return;
    if (smtpd_qmgr_write(rx->qmgr, p, n) < 0)
        rx->qmgr_failed = true;
}

/* smtpd_rx_begin - reset for one message */
void smtpd_rx_begin(struct smtpd_rx *rx, bool bdat, struct smtpd_qmgr *q, enum smtp_bare_policy policy,
                    uint64_t max_size, uint64_t max_header)
{
    memset(rx, 0, sizeof(*rx));
    rx->active = true;
    rx->bdat = bdat;
    rx->qmgr = q;
    rx->policy = policy;
    rx->max_size = max_size;
    rx->max_header = max_header;
    if (bdat)
        smtp_bdat_init(&rx->chunks, policy);
    else
        smtp_data_init(&rx->data, policy, SIZE_MAX, rx_sink, rx);
}

/* smtpd_rx_write - our own header: counts toward the size, not the header limit */
void smtpd_rx_write(struct smtpd_rx *rx, const char *p, size_t n)
{
    rx->size += n;
    if (rx->size > rx->max_size)
        rx->too_big = true;
    if (!rx_blocked(rx) && smtpd_qmgr_write(rx->qmgr, p, n) < 0)
        rx->qmgr_failed = true;
}

/* smtpd_rx_data - DATA input through the unstuffing reader */
size_t smtpd_rx_data(struct smtpd_rx *rx, const char *p, size_t n)
{
    return smtp_data_feed(&rx->data, p, n);
}

/* smtpd_rx_bdat - chunk bytes through the bare CR/LF policy */
void smtpd_rx_bdat(struct smtpd_rx *rx, const char *p, size_t n)
{
    smtp_bdat_feed(&rx->chunks, p, n, rx_sink, rx);
}

/* smtpd_rx_bdat_finish - the held CR of the last chunk */
void smtpd_rx_bdat_finish(struct smtpd_rx *rx)
{
    smtp_bdat_finish(&rx->chunks, rx_sink, rx);
}

/* smtpd_rx_verdict - the reply for a message that broke a rule */
int smtpd_rx_verdict(const struct smtpd_rx *rx, int *code_r, const char **ecode_r, const char **text_r)
{
    bool bare = rx->bdat ? rx->chunks.bare_lf || rx->chunks.bare_cr : rx->data.bare_lf || rx->data.bare_cr;

    *code_r = 0;
    if (rx->too_big) {
        *code_r = 552;
        *ecode_r = "5.3.4";
        *text_r = "Error: message file too big";
    } else if (rx->header_too_big) {
        *code_r = 552;
        *ecode_r = "5.3.4";
        *text_r = "Error: message header size exceeds limit";
    } else if (rx->policy == SMTP_BARE_REJECT && bare) {
        /* Postfix's smtpd_forbid_bare_newline reply */
        *code_r = 550;
        *ecode_r = "5.5.2";
        *text_r = "Error: bare <CR> or <LF> received";
    } else if (rx->nul) {
        *code_r = 550;
        *ecode_r = "5.6.0";
        *text_r = "Error: message content contains a NUL byte";
    } else if (rx->qmgr_failed) {
        *code_r = 451;
        *ecode_r = "4.3.0";
        *text_r = "Error: queue file write error";
    }
    return *code_r == 0 ? 0 : -1;
}

/* smtpd_sanitize - printable ASCII only, bounded */
void smtpd_sanitize(char *out, size_t max, const char *s, size_t len)
{
    mail_header_sanitize(out, max, s, len);
}

/* smtpd_received - "Received: from HELO (NAME [ADDR])\r\n\t(using TLS)\r\n
 * \tby HOST (Petrel) with PROTO id ID\r\n\tfor <RCPT>; DATE\r\n" */
void smtpd_received(struct buf *out, const char *helo, const char *name, const char *addr, const char *tls,
                    const char *myhostname, const char *protocol, const char *queue_id, const char *rcpt,
                    time_t now)
{
    char h[SMTPD_RECEIVED_VALUE_MAX + 1], n[SMTPD_RECEIVED_VALUE_MAX + 1], a[SMTPD_RECEIVED_VALUE_MAX + 1];
    char host[SMTPD_RECEIVED_VALUE_MAX + 1], r[SMTPD_RECEIVED_VALUE_MAX + 1], date[MAIL_HEADER_DATE_MAX];

    smtpd_sanitize(h, sizeof(h) - 1, helo, strlen(helo));
    smtpd_sanitize(n, sizeof(n) - 1, name, strlen(name));
    smtpd_sanitize(a, sizeof(a) - 1, addr, strlen(addr));
    smtpd_sanitize(host, sizeof(host) - 1, myhostname, strlen(myhostname));
    mail_header_date(date, now);
    buf_printf(out, "Received: from %s (%s [%s])\r\n", h[0] ? h : "unknown", n, a);
    if (tls != NULL)
        buf_printf(out, "\t(using %s)\r\n", tls); /* our own words: nothing to sanitise */
    buf_printf(out, "\tby %s (Petrel) with %s id %s", host, protocol, queue_id);
    if (rcpt != NULL) {
        smtpd_sanitize(r, sizeof(r) - 1, rcpt, strlen(rcpt));
        buf_printf(out, "\r\n\tfor <%s>; %s\r\n", r, date);
    } else {
        buf_printf(out, ";\r\n\t%s\r\n", date);
    }
}

/* data_begun - qmgr accepted begin: recipients, our header, then 354 or
 * the chunk */
static void data_begun(struct smtpd_session *s, const struct smtpd_qmgr_result *r)
{
    const struct params *p = s->env->p;
    struct buf hdr;
    size_t i;

    snprintf(s->queue_id, sizeof(s->queue_id), "%s", r->queue_id);
    msg_info("%s: client=%s[%s]", s->queue_id, s->name, s->addr);
    for (i = 0; i < s->rcpt_count; i++)
        (void)smtpd_qmgr_rcpt(s->qmgr, s->rcpts[i].address, s->rcpts[i].orcpt, s->rcpts[i].notify);
    smtpd_rx_begin(&s->rx, s->state == SMTPD_BDAT, s->qmgr,
                   strcmp(p->smtpd_bare_newline, "reject") == 0 ? SMTP_BARE_REJECT : SMTP_BARE_NORMALIZE,
                   (uint64_t)p->message_size_limit, (uint64_t)p->header_size_limit);
    buf_init(&hdr, 512, 4096);
    smtpd_received(&hdr, s->helo, s->name, s->addr, smtpd_tls_describe(s), p->myhostname, smtpd_protocol(s),
                   s->queue_id, s->rcpt_count == 1 ? s->rcpts[0].address : NULL, time(NULL));
    smtpd_rx_write(&s->rx, hdr.data, hdr.len);
    buf_deinit(&hdr);
    if (s->state != SMTPD_BDAT) {
        s->state = SMTPD_DATA;
        smtpd_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
    }
    s->data_start_ms = event_now(s->env->loop);
    s->data_bytes = 0;
}

/* data_refused - qmgr cannot take the message (or is unreachable) */
static void data_refused(struct smtpd_session *s, int status, const char *dsn, const char *reason)
{
    int code = status == MAIL_STATUS_PERM ? 554 : 451;
    char ecode[16];

    /* qmgr's dsn must be of the reply's class; anything else is replaced. */
    if (dsn == NULL || dsn[0] != (char)('0' + code / 100) || strlen(dsn) >= sizeof(ecode))
        dsn = code == 554 ? "5.3.0" : "4.3.0";
    snprintf(ecode, sizeof(ecode), "%s", dsn);
    smtpd_qmgr_destroy(&s->qmgr);
    s->rx.active = false;
    if (s->state == SMTPD_BDAT && s->in_chunk) {
        /* the chunk is still read, then this is its reply */
        s->bdat_discard = true;
        s->bdat_code = code;
        s->bdat_ecode = code == 554 ? "5.3.0" : "4.3.0";
        s->bdat_text = "Error: queue manager refused the message";
        return;
    }
    smtpd_reply(s, code, ecode, "Error: %s", reason != NULL ? reason : "queue manager unavailable");
    smtpd_txn_reset(s);
}

/* data_qmgr - qmgr's answer to begin or to end */
static void data_qmgr(void *ctx, const struct smtpd_qmgr_result *r)
{
    struct smtpd_session *s = ctx;

    s->waiting = false;
    if (!s->rx.active && s->queue_id[0] == '\0') {
        if (r->status != MAIL_STATUS_OK)
            data_refused(s, r->status, r->dsn, r->reason);
        else if (s->state == SMTPD_BDAT || !smtpd_refuse_pipelined(s, "DATA"))
            data_begun(s, r);
    } else if (r->status == MAIL_STATUS_OK) {
        msg_info("%s: from=<%s>, size=%llu, nrcpt=%zu (queued as %s)", s->queue_id, s->sender,
                 (unsigned long long)s->rx.size, s->rcpt_count, s->queue_id);
        smtpd_reply(s, 250, "2.0.0", "Ok: queued as %s", s->queue_id);
        smtpd_txn_reset(s);
    } else {
        data_refused(s, r->status, r->dsn, r->reason);
    }
    smtpd_resume(s);
}

/* data_backlog - qmgr's channel is full: try again shortly */
static bool data_backlog(struct smtpd_session *s)
{
    if (s->qmgr == NULL || !smtpd_qmgr_busy(s->qmgr))
        return false;
    smtpd_pause(s, SMTPD_BACKLOG_MS);
    return true;
}

/* smtpd_data_input - DATA content; true when the end was consumed */
bool smtpd_data_input(struct smtpd_session *s)
{
    const char *p;
    size_t n = conn_input(s->conn, &p), used;

    if (n == 0 || data_backlog(s))
        return false;
    used = smtpd_rx_data(&s->rx, p, n);
    conn_input_consume(s->conn, used);
    s->data_bytes += used;
    if (!s->rx.data.done)
        return false;
    smtpd_data_finish(s);
    return true;
}

/* data_chunk_done - a whole BDAT chunk was read */
static void data_chunk_done(struct smtpd_session *s)
{
    unsigned errors_before = s->errors;
    const char *ecode, *text;
    int code;

    s->in_chunk = false;
    if (s->bdat_discard) {
        smtpd_reply(s, s->bdat_code, s->bdat_ecode, "%s", s->bdat_text);
        smtpd_txn_reset(s);
    } else if (smtpd_rx_verdict(&s->rx, &code, &ecode, &text) < 0) {
        smtpd_log_reject(s, "BDAT", code, ecode, text, NULL);
        smtpd_reply(s, code, ecode, "%s", text);
        smtpd_txn_reset(s);
    } else if (s->bdat_last) {
        smtpd_rx_bdat_finish(&s->rx);
        smtpd_data_finish(s);
    } else {
        smtpd_reply(s, 250, "2.0.0", "%llu octets received", (unsigned long long)s->bdat_total);
    }
    smtpd_limits(s, errors_before);
}

/* smtpd_data_chunk - BDAT chunk bytes; true when the chunk is done */
bool smtpd_data_chunk(struct smtpd_session *s)
{
    const char *p;
    size_t n, take;

    if (s->bdat_left > 0) {
        n = conn_input(s->conn, &p);
        if (n == 0 || (!s->bdat_discard && data_backlog(s)))
            return false;
        take = n < s->bdat_left ? n : (size_t)s->bdat_left;
        if (!s->bdat_discard && s->rx.active)
            smtpd_rx_bdat(&s->rx, p, take);
        conn_input_consume(s->conn, take);
        s->bdat_left -= take;
        s->data_bytes += take;
        if (s->bdat_left > 0)
            return false;
    }
    data_chunk_done(s);
    return true;
}

/* smtpd_data_start - begin at qmgr; input waits for the answer */
void smtpd_data_start(struct smtpd_session *s, bool bdat)
{
    struct smtpd_qmgr_begin b = {
        .sender = s->sender,
        .client_addr = s->addr,
        .client_name = s->name,
        .helo = s->helo,
        .protocol = smtpd_protocol(s),
        .tls = smtpd_tls_describe(s),
        .auth = s->auth_user[0] != '\0' ? s->auth_user : NULL,
        .envid = s->mail_params.has_envid ? s->mail_params.envid : NULL,
        .ret = s->mail_params.ret == SMTP_RET_FULL   ? "FULL"
               : s->mail_params.ret == SMTP_RET_HDRS ? "HDRS"
                                                     : NULL,
        .smtputf8 = s->mail_params.smtputf8,
        .size = s->mail_params.has_size ? s->mail_params.size : 0,
    };
    const char *error;

    s->queue_id[0] = '\0';
    s->rx.active = false;
    if (bdat)
        s->state = SMTPD_BDAT;
    if (smtpd_qmgr_open(s->env->loop, s->env->qmgr_path, s->env->max_frame, &b, data_qmgr, s, &s->qmgr,
                        &error)
        < 0) {
        msg_warn("%lu: cannot reach qmgr: %s", s->id, error);
        data_refused(s, MAIL_STATUS_TEMP, "4.3.0", "queue manager unavailable");
        return;
    }
    s->waiting = true;
    smtpd_flush(s);
}

/* smtpd_data_finish - commit or refuse the message just read */
void smtpd_data_finish(struct smtpd_session *s)
{
    const char *ecode, *text;
    int code;

    if (smtpd_rx_verdict(&s->rx, &code, &ecode, &text) < 0) {
        msg_info("%s: reject: %s from %s[%s]: %d %s %s; from=<%s> proto=%s helo=<%s>", s->queue_id,
                 s->rx.bdat ? "BDAT" : "DATA", s->name, s->addr, code, ecode, text, s->sender,
                 smtpd_protocol(s), s->helo);
        smtpd_qmgr_destroy(&s->qmgr);
        smtpd_reply(s, code, ecode, "%s", text);
        smtpd_txn_reset(s);
        return;
    }
    if (smtpd_qmgr_end(s->qmgr) < 0) {
        data_refused(s, MAIL_STATUS_TEMP, "4.3.0", "queue file write error");
        return;
    }
    s->waiting = true;
    smtpd_flush(s);
}
