/* SPDX-License-Identifier: MIT
 * smtpd_tls - STARTTLS and implicit TLS on smtpd sessions.
 *
 * Input: the client's TLS handshake (parsed by OpenSSL inside lib/tls)
 * and the bytes it sent before it (discarded). Logs, Postfix's words:
 * "TLS connection established from NAME[ADDR]: TLSv1.3 with cipher ...",
 * "TLS handshake failed from NAME[ADDR]: REASON", "discarding N bytes of
 * input pipelined after STARTTLS from NAME[ADDR]".
 *
 * See also: smtpd_tls.h, lib/tls/tls_io.h, docs/security.md.
 */
#include "smtpd_tls.h"

#include <stdio.h>
#include <string.h>

#include "mail/params.h"
#include "smtpd_auth.h"
#include "smtpd_session.h"
#include "tls/tls_io.h"
#include "tls/tls_server.h"
#include "util/conn.h"
#include "util/event.h"
#include "util/msg.h"
#include "util/privdrop.h"

/* The ALPN ids smtpd answers to: none is registered for SMTP, so a client
 * that offers ALPN at all is refused unless it names "smtp" (ALPACA). */
static const char *const smtpd_alpn[] = { "smtp", NULL };

/* smtpd_tls_server_create - the certificate, key and policy */
struct tls_server *smtpd_tls_server_create(const struct params *p, const char *user, bool *broken_r)
{
    struct tls_server_config cfg = {
        .cert_file = p->tls_cert_file,
        .key_file = p->tls_key_file,
        .policy = { p->tls_min_protocol, p->tls_cipher_list, p->tls_ciphersuites },
        .alpn = smtpd_alpn,
    };
    struct privdrop_user u;
    struct tls_server *tls;
    const char *error;
    size_t n;

    *broken_r = false;
    if (strcmp(p->smtpd_tls_security_level, "none") == 0 && !p->smtpd_tls_wrappermode)
        return NULL;
    if (user != NULL && privdrop_is_root()) {
        if (privdrop_resolve(user, &u, &error) < 0)
            msg_fatal("%s", error);
        cfg.guard = (struct tls_key_guard){ true, user, u.uid, u.gid };
    }
    if ((tls = tls_server_create(&cfg, &error)) == NULL) {
        msg_error("TLS is not available: %s", error);
        *broken_r = true;
        return NULL;
    }
    if (p->tls_server_sni_map[0] != '\0') {
        if (tls_server_load_sni_map(tls, p->tls_server_sni_map, &n, &error) < 0)
            msg_error("tls_server_sni_map: %s: every client gets %s", error, p->tls_cert_file);
        else
            msg_debug("tls_server_sni_map: %zu certificates", n);
    }
    return tls;
}

bool smtpd_tls_offered(const struct smtpd_session *s)
{
    return s->env->tls != NULL && s->tls == NULL && !s->env->p->smtpd_tls_wrappermode;
}

bool smtpd_tls_required(const struct smtpd_session *s)
{
    return s->tls == NULL && strcmp(s->env->p->smtpd_tls_security_level, "encrypt") == 0;
}

/* smtpd_tls_starttls_refusal - the STARTTLS checks, in Postfix's order */
bool smtpd_tls_starttls_refusal(const struct smtpd_session *s, int *code, const char **ecode,
                                const char **text)
{
    *code = 0;
    if (s->tls != NULL) {
        *code = 554, *ecode = "5.5.1", *text = "Error: TLS already active";
    } else if (s->env->tls == NULL && s->env->tls_broken) {
        *code = 454, *ecode = "4.7.0", *text = "TLS not available due to local problem";
    } else if (!smtpd_tls_offered(s)) {
        *code = 502, *ecode = "5.5.1", *text = "Error: command not implemented";
    } else if (s->has_mail) {
        *code = 503, *ecode = "5.5.1", *text = "Error: MAIL transaction in progress";
    }
    return *code != 0;
}

/* handshake_timeout - the client did not finish its handshake in time */
static void handshake_timeout(void *ctx)
{
    struct smtpd_session *s = ctx;

    s->tls_timer = NULL;
    if (s->tls == NULL || tls_io_done(s->tls))
        return;
    msg_info("timeout during TLS handshake from %s[%s]", s->name, s->addr);
    smtpd_session_abort(s);
}

/* start - a server SSL on the session's conn; false: ended */
static bool start(struct smtpd_session *s)
{
    const char *error;
    SSL *ssl = tls_server_ssl(s->env->tls, &error);

    if (ssl == NULL || (s->tls = tls_io_starttls(s->conn, ssl, &error)) == NULL) {
        msg_warn("cannot start TLS with %s[%s]: %s", s->name, s->addr, error);
        smtpd_session_abort(s);
        return false;
    }
    s->tls_timer =
        event_timer_add(s->env->loop, (uint64_t)s->env->p->smtpd_tls_handshake_timeout, handshake_timeout, s);
    return true;
}

/* smtpd_tls_starttls - discard, 220 in the clear, handshake, start over */
void smtpd_tls_starttls(struct smtpd_session *s)
{
    const char *data;
    size_t n = conn_input(s->conn, &data);

    if (n > 0) {
        msg_info("discarding %zu bytes of input pipelined after STARTTLS from %s[%s]", n, s->name, s->addr);
        conn_input_discard(s->conn);
    }
    smtpd_reply(s, 220, "2.0.0", "Ready to start TLS");
    smtpd_flush(s);
    if (conn_output_pending(s->conn) > 0) {
        /* a client that sends STARTTLS must read the 220 before its hello;
         * this one stopped reading long ago */
        msg_info("STARTTLS reply not taken by %s[%s]", s->name, s->addr);
        smtpd_session_abort(s);
        return;
    }
    if (!start(s))
        return;
    /* RFC 3207 4.2: forget everything learned before TLS */
    smtpd_txn_reset(s);
    smtpd_auth_reset(s);
    s->helo[0] = '\0';
    s->esmtp = false;
    s->state = SMTPD_GREETING;
}

/* smtpd_tls_wrap - implicit TLS: the handshake before the banner */
bool smtpd_tls_wrap(struct smtpd_session *s)
{
    if (s->env->tls == NULL) {
        msg_warn("no TLS for %s[%s] on an implicit-TLS listener: closing", s->name, s->addr);
        smtpd_session_abort(s);
        return false;
    }
    return start(s);
}

/* smtpd_tls_note - the handshake finished: log it once */
void smtpd_tls_note(struct smtpd_session *s)
{
    if (s->tls == NULL || s->tls_noted || !tls_io_done(s->tls))
        return;
    s->tls_noted = true;
    event_timer_remove(&s->tls_timer);
    tls_io_describe(s->tls, s->tls_info, sizeof(s->tls_info));
    msg_info("TLS connection established from %s[%s]: %s", s->name, s->addr, s->tls_info);
}

/* smtpd_tls_closed - a handshake that never finished says why */
void smtpd_tls_closed(struct smtpd_session *s)
{
    if (s->tls == NULL)
        return;
    if (!tls_io_done(s->tls))
        msg_info("TLS handshake failed from %s[%s]: %s", s->name, s->addr,
                 tls_io_error(s->tls)[0] != '\0' ? tls_io_error(s->tls) : "connection closed");
}

const char *smtpd_tls_describe(const struct smtpd_session *s)
{
    return s->tls != NULL && s->tls_noted ? s->tls_info : NULL;
}

/* smtpd_tls_end - after conn_destroy */
void smtpd_tls_end(struct smtpd_session *s)
{
    event_timer_remove(&s->tls_timer);
    tls_io_destroy(&s->tls);
}
