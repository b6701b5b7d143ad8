/* SPDX-License-Identifier: MIT
 * smtpd_auth - AUTH through authd, and what a login allows.
 *
 * See also: smtpd_auth.h, lib/sasl/auth_client.h, lib/sasl/sasl_b64.h,
 * authd/authd_proto.h.
 */
#include "smtpd_auth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/params.h"
#include "mail/word_list.h"
#include "sasl/auth_client.h"
#include "sasl/auth_proto.h"
#include "sasl/sasl_b64.h"
#include "smtp/smtp_reply.h"
#include "smtpd_session.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/conn.h"
#include "util/msg.h"

/* mech_words - the words of auth_mechanisms, upper case, one space apart
 * (as many as fit) */
static void mech_words(const char *list, char *out, size_t size)
{
    const char *w;
    size_t n, o = 0;

    out[0] = '\0';
    while (word_list_next(&list, &w, &n) && o + n + 2 <= size) {
        if (o > 0)
            out[o++] = ' ';
        for (; n > 0; n--, w++)
            out[o++] = (char)toupper((unsigned char)*w);
        out[o] = '\0';
    }
}

bool smtpd_auth_ehlo(const struct smtpd_session *s, char *buf, size_t size)
{
    const struct params *p = s->env->p;
    char words[256];

    if (!p->smtpd_sasl_auth_enable || (s->tls == NULL && p->smtpd_tls_auth_only))
        return false;
    mech_words(p->auth_mechanisms, words, sizeof(words));
    if (words[0] == '\0')
        return false;
    snprintf(buf, size, "AUTH %s", words);
    return true;
}

/* split_arg - "MECH [RESPONSE]": the mechanism (upper case) and the
 * response (NULL when absent); false on bad syntax */
static bool split_arg(const struct smtp_cmd *cmd, char mech[AUTH_MECHANISM_MAX + 1], const char **resp,
                      size_t *resp_len)
{
    static const char mech_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strspn(cmd->arg, mech_chars), i;

    if (n == 0 || n > AUTH_MECHANISM_MAX || (n < cmd->arg_len && cmd->arg[n] != ' '))
        return false;
    for (i = 0; i < n; i++)
        mech[i] = (char)toupper((unsigned char)cmd->arg[i]);
    mech[n] = '\0';
    *resp = NULL;
    *resp_len = 0;
    if (n < cmd->arg_len) {
        *resp = cmd->arg + n + 1;
        *resp_len = cmd->arg_len - n - 1;
        if (*resp_len == 0 || memchr(*resp, ' ', *resp_len) != NULL)
            return false;
    }
    return true;
}

/* response_refusal - a client response (base64, or "=" for empty) that
 * cannot go to authd: bad base64, or more than authd takes; NULL if fine,
 * with *len_r its decoded length */
static const char *response_refusal(const char *text, size_t len, size_t *len_r, int *code,
                                    const char **ecode)
{
    *len_r = 0;
    if (len == 1 && text[0] == '=')
        return NULL;
    if (sasl_b64_decode(text, len, NULL, 0, len_r) < 0) {
        *code = 501, *ecode = "5.5.2";
        return "Invalid base64 data";
    }
    if (*len_r > AUTH_RESPONSE_MAX) {
        *code = 500, *ecode = "5.5.6";
        return "Authentication exchange line is too long";
    }
    return NULL;
}

/* decode - a response that passed response_refusal, into a new buffer */
static unsigned char *decode(const char *text, size_t len, size_t n)
{
    unsigned char *out = xmalloc(n + 1);
    size_t got;

    if (n > 0 && sasl_b64_decode(text, len, out, n, &got) < 0)
        msg_panic("smtpd_auth: checked base64 did not decode");
    return out;
}

bool smtpd_auth_refusal(const struct smtpd_session *s, const struct smtp_cmd *cmd, int *code,
                        const char **ecode, const char **text)
{
    const struct params *p = s->env->p;
    char mech[AUTH_MECHANISM_MAX + 1];
    const char *resp;
    size_t resp_len, n;

    *code = 0;
    if (!p->smtpd_sasl_auth_enable)
        *code = 502, *ecode = "5.5.1", *text = "Error: command not implemented";
    else if (s->state == SMTPD_GREETING)
        *code = 503, *ecode = "5.5.1", *text = "Error: send HELO/EHLO first";
    else if (s->tls == NULL && p->smtpd_tls_auth_only)
        *code = 538, *ecode = "5.7.11", *text = "Encryption required for requested authentication mechanism";
    else if (s->auth_user[0] != '\0')
        *code = 503, *ecode = "5.5.1", *text = "Error: already authenticated";
    else if (s->has_mail)
        *code = 503, *ecode = "5.5.1", *text = "Error: MAIL transaction in progress";
    else if (!split_arg(cmd, mech, &resp, &resp_len))
        *code = 501, *ecode = "5.5.4", *text = "Syntax: AUTH mechanism [initial-response]";
    else if (!word_list_has(p->auth_mechanisms, mech, strlen(mech)))
        *code = 504, *ecode = "5.5.4", *text = "Unsupported authentication mechanism";
    else if (resp != NULL)
        *text = response_refusal(resp, resp_len, &n, code, ecode);
    return *code != 0;
}

/* failed_login - the line fail2ban's postfix filter matches */
static void failed_login(const struct smtpd_session *s, const char *why)
{
    msg_warn("%s[%s]: SASL %s authentication failed: %s", s->name, s->addr, s->auth_mech, why);
}

/* end_exchange - no more authd for this attempt */
static void end_exchange(struct smtpd_session *s)
{
    auth_client_destroy(&s->auth);
    s->auth_reading = false;
    s->waiting = false;
}

/* answered - authd's reply to a start or a step */
static void answered(void *ctx, const struct auth_client_result *r)
{
    struct smtpd_session *s = ctx;
    unsigned errors_before = s->errors;
    struct buf *b64;

    s->waiting = false;
    if (r->status == AUTH_RES_CONTINUE) {
        b64 = buf_create(64, SMTP_REPLY_LINE_MAX - 8);
        if (sasl_b64_encode(r->challenge, r->challenge_len, b64) == 0 && buf_append_char(b64, '\0') == 0) {
            smtpd_reply(s, 334, NULL, "%s", b64->data);
            s->auth_reading = true;
        } else {
            end_exchange(s);
            smtpd_reply(s, 454, "4.7.0", "Temporary authentication failure");
        }
        buf_destroy(&b64);
    } else if (r->status == AUTH_RES_OK) {
        snprintf(s->auth_user, sizeof(s->auth_user), "%s", r->user);
        end_exchange(s);
        msg_info("%s[%s]: sasl_method=%s, sasl_username=%s", s->name, s->addr, s->auth_mech, s->auth_user);
        smtpd_reply(s, 235, "2.7.0", "Authentication successful");
    } else {
        end_exchange(s);
        if (strcmp(r->reason, AUTH_R_CREDENTIALS) == 0) {
            failed_login(s, "authentication failure");
            smtpd_reply(s, 535, "5.7.8", "Error: authentication failed: authentication failure");
        } else if (strcmp(r->reason, AUTH_R_LOCKED) == 0) {
            failed_login(s, "too many failures");
            smtpd_reply(s, 454, "4.7.0", "Error: too many failed logins, try again later");
        } else if (strcmp(r->reason, AUTH_R_MECHANISM) == 0) {
            smtpd_reply(s, 504, "5.5.4", "Unsupported authentication mechanism");
        } else {
            smtpd_reply(s, 454, "4.7.0", "Temporary authentication failure");
        }
    }
    smtpd_limits(s, errors_before);
    smtpd_flush(s);
    smtpd_resume(s);
}

void smtpd_auth_start(struct smtpd_session *s, const struct smtp_cmd *cmd)
{
    struct auth_client_request req = { .service = "smtp", .client_addr = s->addr };
    unsigned char *bytes = NULL;
    const char *resp, *error, *ecode;
    size_t resp_len, n = 0;
    int code;

    /* smtpd_auth_refusal passed this command: it splits and decodes */
    if (!split_arg(cmd, s->auth_mech, &resp, &resp_len)
        || (resp != NULL && response_refusal(resp, resp_len, &n, &code, &ecode) != NULL))
        msg_panic("smtpd_auth: AUTH started without its checks");
    if (resp != NULL)
        bytes = decode(resp, resp_len, n);
    req.mechanism = s->auth_mech;
    req.response = bytes;
    req.response_len = n;
    s->auth = auth_client_start(s->env->loop, s->env->auth_path, (uint64_t)s->env->p->smtpd_auth_timeout,
                                &req, answered, s, &error);
    if (bytes != NULL)
        explicit_bzero(bytes, n);
    free(bytes);
    if (s->auth == NULL) {
        msg_warn("cannot authenticate %s[%s]: %s", s->name, s->addr, error);
        smtpd_reply(s, 454, "4.7.0", "Temporary authentication failure");
        return;
    }
    s->waiting = true;
}

void smtpd_auth_line(struct smtpd_session *s, const struct conn_line *line, bool too_long)
{
    unsigned errors_before = s->errors;
    const char *why, *ecode;
    unsigned char *bytes;
    size_t n;
    int code;

    s->auth_reading = false;
    if (too_long) {
        end_exchange(s);
        smtpd_reply(s, 500, "5.5.6", "Authentication exchange line is too long");
    } else if (line->len == 1 && line->data[0] == '*') {
        end_exchange(s);
        smtpd_reply(s, 501, "5.7.0", "Authentication aborted");
    } else if ((why = response_refusal(line->data, line->len, &n, &code, &ecode)) != NULL) {
        end_exchange(s);
        smtpd_reply(s, code, ecode, "%s", why);
    } else {
        bytes = decode(line->data, line->len, n);
        auth_client_step(s->auth, bytes, n);
        explicit_bzero(bytes, n);
        free(bytes);
        s->waiting = true;
    }
    smtpd_limits(s, errors_before);
}

bool smtpd_auth_mail_refusal(const struct smtpd_session *s, const char *sender, int *code, const char **ecode,
                             const char **text)
{
    static char refusal[SMTP_REPLY_LINE_MAX];
    const struct params *p = s->env->p;
    const char *error;
    bool owned;

    *code = 0;
    if (s->auth_user[0] == '\0') {
        if (p->smtpd_auth_required)
            *code = 530, *ecode = "5.7.0", *text = "Authentication required";
    } else if (p->smtpd_sender_login_check) {
        if (smtpd_policy_sender_owned(&s->env->policy, sender, s->auth_user, &owned, &error) < 0) {
            msg_warn("sender login check for %s[%s]: %s", s->name, s->addr, error);
            *code = 451, *ecode = "4.3.0", *text = "Temporary lookup failure";
        } else if (!owned) {
            snprintf(refusal, sizeof(refusal), "<%.200s>: Sender address rejected: not owned by user %.200s",
                     sender, s->auth_user);
            *code = 553, *ecode = "5.7.1", *text = refusal;
        }
    }
    return *code != 0;
}

void smtpd_auth_reset(struct smtpd_session *s)
{
    end_exchange(s);
    s->auth_user[0] = '\0';
}
