/* SPDX-License-Identifier: MIT
 * smtpd_session - one SMTP session: its state, its connection, command
 * dispatch with pipelining, and the limits (line length, errors, junk,
 * idle time, data rate, pre-greeting talk).
 *
 * Owns: the client connection (conn), the reply buffer (replies of one
 * pipelined batch are written together), the envelope of the current
 * transaction, the qmgr channel of the message being received, and the
 * session's timers. Trusts nothing the client sends: every line goes
 * through smtp_cmd, every path through smtp_addr, every parameter
 * through smtp_param, content through smtp_data.
 *
 * Limits: smtpd_line_length_limit, smtpd_recipient_limit,
 * smtpd_hard_error_limit (with smtpd_error_sleep_time pauses),
 * smtpd_junk_command_limit, smtpd_timeout, smtpd_min_data_rate,
 * message_size_limit, header_size_limit, SMTPD_REPLY_MAX bytes of replies
 * waiting for one flush.
 *
 * This header also holds struct smtpd_session, shared with smtpd_cmd.c
 * and smtpd_data.c (the session's own modules), not with anyone else.
 *
 * See also: smtpd_cmd.h (the command table), smtpd_data.h, smtpd_qmgr.h,
 * smtpd_policy.h, smtpd_anvil.h.
 */
#ifndef PETREL_SMTPD_SESSION_H
#define PETREL_SMTPD_SESSION_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "map/map_key.h"
#include "sasl/auth_proto.h"
#include "smtp/smtp_addr.h"
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_param.h"
#include "smtpd_data.h"
#include "smtpd_policy.h"
#include "util/buf.h"

#define SMTPD_REPLY_MAX 65536
#define SMTPD_HELO_MAX 255

struct conn;
struct event_loop;
struct event_timer;
struct params;
struct auth_client;
struct smtpd_anvil;
struct smtpd_qmgr;
struct tls_io;
struct tls_server;

/* What the whole process shares between sessions. */
struct smtpd_env {
    struct event_loop *loop;
    const struct params *p;
    struct smtpd_networks mynetworks;
    struct smtpd_networks limit_exceptions; /* smtpd_client_event_limit_exceptions */
    struct smtpd_policy policy;
    const char *qmgr_path;     /* the qmgr-submit socket */
    struct smtpd_anvil *anvil; /* NULL: no connection counting */
    struct tls_server *tls;    /* NULL: no TLS (off, or broken) */
    bool tls_broken;           /* TLS is configured but did not load */
    const char *auth_path;     /* authd's socket */
    size_t max_frame;
    /* called when a session ended (server_client_done) */
    void (*on_session_end)(void *ctx);
    void *end_ctx;
    unsigned long sessions; /* session ids */
};

enum smtpd_state {
    SMTPD_GREETING, /* connected, no EHLO/HELO yet */
    SMTPD_READY,    /* EHLO/HELO done, no transaction */
    SMTPD_MAIL,     /* MAIL accepted, no recipient yet */
    SMTPD_RCPT,     /* at least one recipient */
    SMTPD_DATA,     /* reading DATA content */
    SMTPD_BDAT,     /* inside a BDAT transaction */
};

/* SMTPD_ST - the bit of a state, for the command table */
#define SMTPD_ST(s) (1u << (s))

struct smtpd_rcpt {
    char *address; /* canonical, as queued */
    char *orcpt;   /* "rfc822;addr" or NULL */
    char *notify;  /* "SUCCESS,FAILURE" or NULL */
};

/* Per-verb counters for the disconnect line. */
struct smtpd_counts {
    unsigned ok[SMTP_VERB_HEADER + 1];
    unsigned total[SMTP_VERB_HEADER + 1];
};

struct smtpd_session {
    struct smtpd_env *env;
    struct conn *conn;
    unsigned long id;
    enum smtpd_state state;
    char addr[INET6_ADDRSTRLEN];
    char name[16]; /* "unknown": no reverse DNS yet */
    char helo[SMTPD_HELO_MAX + 1];
    bool esmtp;
    bool trusted;      /* client in mynetworks */
    bool limit_exempt; /* client in smtpd_client_event_limit_exceptions */
    struct buf out;

    /* the transaction */
    bool has_mail;
    char sender[SMTP_PATH_MAX + 1];
    struct smtp_params mail_params;
    struct smtpd_rcpt *rcpts;
    size_t rcpt_count;
    struct smtpd_qmgr *qmgr;
    char queue_id[64];
    struct smtpd_rx rx;
    bool in_chunk;      /* a BDAT chunk is being read */
    uint64_t bdat_left; /* chunk bytes still to read */
    bool bdat_last;     /* the chunk being read is the LAST one */
    bool bdat_discard;  /* read the chunk but throw it away */
    int bdat_code;      /* the reply after a discarded chunk */
    const char *bdat_ecode, *bdat_text;
    uint64_t bdat_total; /* bytes of all chunks so far */

    /* flow */
    bool greeted;  /* the 220 went out */
    bool waiting;  /* for qmgr: no input is processed */
    bool sleeping; /* error pause */
    bool closing;  /* 221/421 queued, closing after the flush */
    bool ended;    /* on_close seen */
    unsigned errors, junk, commands;
    struct smtpd_anvil_req *anvil_req;
    bool anvil_counted;
    struct smtpd_counts counts;
    struct event_timer *idle_timer, *sleep_timer, *rate_timer, *greet_timer;
    bool aborting; /* smtpd_session_abort: the session ends from the loop */

    /* TLS (smtpd_tls.c) */
    struct tls_io *tls; /* NULL: plain text */
    struct event_timer *tls_timer;
    bool tls_noted;     /* the handshake finished and was logged */
    char tls_info[160]; /* "TLSv1.3 with cipher ..." once noted */

    /* AUTH (smtpd_auth.c) */
    struct auth_client *auth; /* the exchange with authd in progress */
    bool auth_reading;        /* the next line is a SASL response */
    char auth_mech[AUTH_MECHANISM_MAX + 1];
    char auth_user[MAP_KEY_MAX + 1]; /* "" until logged in */
    uint64_t data_start_ms, data_bytes;
};

/* smtpd_session_create - a session for a new client on fd (owned from
 * now on); peer is its address (AF_INET, AF_INET6; anything else is
 * logged as "unknown"). The banner follows, after anvil's answer and the
 * pre-greeting wait. */
struct smtpd_session *smtpd_session_create(struct smtpd_env *env, int fd, const struct sockaddr *peer,
                                           socklen_t peer_len);

/* Used by the session's modules. */
/* smtpd_reply - append one reply line to the batch; code >= 400 counts
 * as an error */
void smtpd_reply(struct smtpd_session *s, int code, const char *ecode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* smtpd_reply_lines - a multi-line reply (EHLO) */
void smtpd_reply_lines(struct smtpd_session *s, int code, const char *ecode, const char *const *lines,
                       size_t n);
/* smtpd_flush - write the batched replies */
void smtpd_flush(struct smtpd_session *s);
/* smtpd_close - flush, then close the connection */
void smtpd_close(struct smtpd_session *s);
/* smtpd_txn_reset - forget the envelope, abort any qmgr message */
void smtpd_txn_reset(struct smtpd_session *s);
/* smtpd_refuse_pipelined - RFC 2920 3.1: EHLO, HELO and DATA end a command
 * group, so a client that sent more before our reply to one is not waiting
 * for it (a bot, or SMTP smuggling, THREATS.md b.1 #4). If input is
 * waiting: log it (sanitised, "after AFTER"), abort the transaction, 554
 * 5.5.0 and close; true. False when nothing was sent ahead. */
bool smtpd_refuse_pipelined(struct smtpd_session *s, const char *after);
/* smtpd_session_abort - end the session without a word (a failed or
 * stalled TLS handshake): from the loop, so callers may go on using s
 * until they return */
void smtpd_session_abort(struct smtpd_session *s);
/* smtpd_pause - process no input for ms (error pause, qmgr backlog) */
void smtpd_pause(struct smtpd_session *s, uint64_t ms);
/* smtpd_limits - after a command or chunk: the hard error and junk
 * limits (421 and close) and the error pause */
void smtpd_limits(struct smtpd_session *s, unsigned errors_before);
/* smtpd_resume - process buffered input later (from the loop) */
void smtpd_resume(struct smtpd_session *s);
/* smtpd_log_reject - "NOQUEUE: reject: VERB from NAME[ADDR]: CODE ..." */
void smtpd_log_reject(const struct smtpd_session *s, const char *verb, int code, const char *ecode,
                      const char *text, const char *rcpt);
/* smtpd_protocol - "ESMTP", "SMTP" or "UTF8SMTP"; "ESMTPS" and
 * "UTF8SMTPS" over TLS (RFC 3848, RFC 6531) */
const char *smtpd_protocol(const struct smtpd_session *s);

#endif
