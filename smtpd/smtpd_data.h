/* SPDX-License-Identifier: MIT
 * smtpd_data - message reception for DATA and BDAT: the content sink that
 * checks the limits and streams to qmgr, and the Received: header.
 *
 * Input: client bytes after 354 (through smtp_data: dot-unstuffing, the
 * only end of data is <CRLF>.<CRLF>) or BDAT chunks (through smtp_bdat).
 * Untrusted. The sink counts the message size (the Received: header
 * included), the header section (up to the first empty line), and NUL
 * bytes; as soon as a limit is passed nothing more goes to qmgr, but the
 * input is still read to its end so the session stays in step.
 *
 * Limits: message_size_limit (552 5.3.4), header_size_limit (552 5.3.4),
 * bare CR/LF with smtpd_bare_newline=reject (550 5.5.2), NUL (550 5.6.0).
 * Every value copied into Received: is sanitised (printable ASCII only,
 * SMTPD_RECEIVED_VALUE_MAX bytes), so no client can add a header line.
 *
 * See also: smtp_data.h, smtpd_qmgr.h, THREATS.md b.1, b.2 #20.
 */
#ifndef PETREL_SMTPD_DATA_H
#define PETREL_SMTPD_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "smtp/smtp_data.h"

#define SMTPD_RECEIVED_VALUE_MAX 255

struct buf;
struct smtpd_qmgr;
struct smtpd_session;

struct smtpd_rx {
    bool active;
    bool bdat;
    struct smtp_data data;
    struct smtp_bdat chunks;
    struct smtpd_qmgr *qmgr; /* not owned */
    enum smtp_bare_policy policy;
    uint64_t max_size, max_header;
    uint64_t size; /* message bytes, Received: included */
    uint64_t header_size;
    bool header_done;
    unsigned last4; /* the last four content bytes (header end search) */
    bool too_big, header_too_big, nul, qmgr_failed;
};

/* smtpd_rx_begin - start one message (after qmgr's begin succeeded) */
void smtpd_rx_begin(struct smtpd_rx *rx, bool bdat, struct smtpd_qmgr *q, enum smtp_bare_policy policy,
                    uint64_t max_size, uint64_t max_header);
/* smtpd_rx_write - raw bytes for qmgr that are not content (Received:) */
void smtpd_rx_write(struct smtpd_rx *rx, const char *p, size_t n);
/* smtpd_rx_data - feed DATA input; returns bytes consumed; rx->data.done
 * once the end of data was consumed */
size_t smtpd_rx_data(struct smtpd_rx *rx, const char *p, size_t n);
/* smtpd_rx_bdat - feed chunk bytes (all consumed) */
void smtpd_rx_bdat(struct smtpd_rx *rx, const char *p, size_t n);
/* smtpd_rx_bdat_finish - after the LAST chunk */
void smtpd_rx_bdat_finish(struct smtpd_rx *rx);
/* smtpd_rx_verdict - 0 if the message may be committed, else -1 with the
 * reply to give */
int smtpd_rx_verdict(const struct smtpd_rx *rx, int *code_r, const char **ecode_r, const char **text_r);

/* smtpd_data_start - DATA or the first BDAT: open the message at qmgr
 * (begin, then the recipients); the session waits for qmgr's answer, then
 * 354 (DATA) or the chunk is read (BDAT); a refusal is replied (DATA) or
 * becomes the reply of the chunk, which is read and dropped (BDAT) */
void smtpd_data_start(struct smtpd_session *s, bool bdat);
/* smtpd_data_finish - the end of DATA or the LAST chunk was read: commit
 * at qmgr (the 250 follows its status=0) or refuse */
void smtpd_data_finish(struct smtpd_session *s);

/* smtpd_data_input - DATA content from the session's input; true when
 * the end of data was consumed (and the message finished) */
bool smtpd_data_input(struct smtpd_session *s);
/* smtpd_data_chunk - BDAT chunk bytes from the session's input; true
 * when the chunk is complete (and replied to) */
bool smtpd_data_chunk(struct smtpd_session *s);

/* smtpd_received - append the Received: header (CRLF line ends, folded);
 * tls describes the session's TLS (NULL: none); rcpt is the single
 * recipient or NULL when there are several */
void smtpd_received(struct buf *out, const char *helo, const char *name, const char *addr, const char *tls,
                    const char *myhostname, const char *protocol, const char *queue_id, const char *rcpt,
                    time_t now);
/* smtpd_sanitize - copy s as printable ASCII (others become '?'), at most
 * max bytes, into out (room for max + 1) */
void smtpd_sanitize(char *out, size_t max, const char *s, size_t len);

#endif
