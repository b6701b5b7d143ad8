/* SPDX-License-Identifier: MIT
 * smtpd_session - one SMTP session on the event loop: greeting, command
 * dispatch with pipelining, DATA/BDAT input, and the session limits.
 *
 * Owns: the conn, the batched replies, the envelope, the qmgr channel of
 * the message in progress (through smtpd_data), the timers. Input is the
 * client's byte stream, untrusted: lines through conn_read_line (bounded
 * by smtpd_line_length_limit) and smtp_cmd, content through smtpd_data.
 *
 * Pipelining (RFC 2920): every complete command in the input buffer is
 * processed and the replies are written together, when no complete line
 * is left or a command needs a round trip (DATA's 354, the end of data:
 * those wait for qmgr). EHLO/HELO and DATA end a group (RFC 2920 3.1):
 * input sent after them before our reply is refused (554 5.5.0, close).
 * HTTP verbs and header lines as commands end the session (221 2.7.0);
 * talk before the banner is refused (554 5.5.1).
 *
 * See also: smtpd_session.h, smtpd_cmd.c, smtpd_data.c.
 */
#include "smtpd_session.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/params.h"
#include "smtp/smtp_reply.h"
#include "smtpd_anvil.h"
#include "smtpd_auth.h"
#include "smtpd_cmd.h"
#include "smtpd_qmgr.h"
#include "smtpd_tls.h"
#include "util/alloc.h"
#include "util/conn.h"
#include "util/event.h"
#include "util/msg.h"

/* How often the data rate is checked, and the longest grace before. */
#define SMTPD_RATE_CHECK_MS 1000
#define SMTPD_RATE_GRACE_MS 5000

static void session_process(struct smtpd_session *s);
static void rate_fired(void *ctx);
static void idle_restart(struct smtpd_session *s);
static void session_abort_cb(void *ctx);

/* smtpd_protocol - what the client speaks, for logs, qmgr and Received: */
const char *smtpd_protocol(const struct smtpd_session *s)
{
    /* RFC 3848 and RFC 6531: S for TLS, A for AUTH */
    static const char *const names[2][4] = {
        { "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA" },
        { "UTF8SMTP", "UTF8SMTPA", "UTF8SMTPS", "UTF8SMTPSA" },
    };

    if (!s->esmtp)
        return "SMTP";
    return names[s->mail_params.smtputf8 ? 1 : 0]
                [(s->tls != NULL ? 2 : 0) + (s->auth_user[0] != '\0' ? 1 : 0)];
}

/* smtpd_reply - one reply line into the batch */
void smtpd_reply(struct smtpd_session *s, int code, const char *ecode, const char *fmt, ...)
{
    char text[SMTP_REPLY_LINE_MAX];
    const char *line = text;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    smtpd_reply_lines(s, code, ecode, &line, 1);
}

/* smtpd_reply_lines - a reply into the batch; errors are counted */
void smtpd_reply_lines(struct smtpd_session *s, int code, const char *ecode, const char *const *lines,
                       size_t n)
{
    if (code >= 400)
        s->errors++;
    if (smtp_reply_format(&s->out, code, ecode, lines, n) < 0) {
        smtpd_flush(s);
        if (smtp_reply_format(&s->out, code, ecode, lines, n) < 0)
            msg_warn("%lu: cannot format reply %d", s->id, code);
    }
}

/* smtpd_flush - write the batch; the client gets a fresh smtpd_timeout
 * for its next request */
void smtpd_flush(struct smtpd_session *s)
{
    if (s->out.len == 0 || s->ended)
        return;
    if (conn_write(s->conn, s->out.data, s->out.len) < 0)
        msg_warn("%lu: cannot queue %zu bytes of replies", s->id, s->out.len);
    buf_reset(&s->out);
    idle_restart(s);
}

/* smtpd_close - flush, then close */
void smtpd_close(struct smtpd_session *s)
{
    if (s->closing || s->ended)
        return;
    s->closing = true;
    smtpd_flush(s);
    conn_close_after_flush(s->conn);
}

/* smtpd_txn_reset - back to READY (or GREETING), abort the message */
void smtpd_txn_reset(struct smtpd_session *s)
{
    size_t i;

    smtpd_qmgr_destroy(&s->qmgr);
    for (i = 0; i < s->rcpt_count; i++) {
        free(s->rcpts[i].address);
        free(s->rcpts[i].orcpt);
        free(s->rcpts[i].notify);
    }
    free(s->rcpts);
    s->rcpts = NULL;
    s->rcpt_count = 0;
    s->has_mail = false;
    s->sender[0] = '\0';
    memset(&s->mail_params, 0, sizeof(s->mail_params));
    s->rx.active = false;
    s->queue_id[0] = '\0';
    s->in_chunk = s->bdat_discard = s->bdat_last = false;
    s->bdat_left = s->bdat_total = 0;
    s->waiting = false;
    event_timer_remove(&s->rate_timer);
    s->state = s->helo[0] != '\0' ? SMTPD_READY : SMTPD_GREETING;
}

/* session_resume_cb - deferred input processing */
static void session_resume_cb(void *ctx)
{
    session_process(ctx);
}

/* smtpd_resume - process input from the loop (never re-entered) */
void smtpd_resume(struct smtpd_session *s)
{
    event_defer_cancel(s->env->loop, session_resume_cb, s);
    event_defer(s->env->loop, session_resume_cb, s);
}

/* smtpd_log_reject - the Postfix-style reject line */
void smtpd_log_reject(const struct smtpd_session *s, const char *verb, int code, const char *ecode,
                      const char *text, const char *rcpt)
{
    msg_info("NOQUEUE: reject: %s from %s[%s]: %d %s %s; from=<%s>%s%s%s proto=%s helo=<%s>", verb, s->name,
             s->addr, code, ecode, text, s->sender, rcpt != NULL ? " to=<" : "", rcpt != NULL ? rcpt : "",
             rcpt != NULL ? ">" : "", smtpd_protocol(s), s->helo);
}

/* sleep_fired - the error pause is over */
static void sleep_fired(void *ctx)
{
    struct smtpd_session *s = ctx;

    s->sleep_timer = NULL;
    s->sleeping = false;
    session_process(s);
}

/* smtpd_pause - stop processing input for ms */
void smtpd_pause(struct smtpd_session *s, uint64_t ms)
{
    s->sleeping = true;
    event_timer_remove(&s->sleep_timer);
    s->sleep_timer = event_timer_add(s->env->loop, ms, sleep_fired, s);
}

/* smtpd_limits - after a command: hard error and junk limits, and a
 * pause of smtpd_error_sleep_time after each error from half the hard
 * error limit on */
void smtpd_limits(struct smtpd_session *s, unsigned errors_before)
{
    const struct params *p = s->env->p;

    if (s->closing)
        return;
    if (s->errors >= (unsigned)p->smtpd_hard_error_limit) {
        msg_info("too many errors from %s[%s]", s->name, s->addr);
        smtpd_reply(s, 421, "4.7.0", "%s Error: too many errors", p->myhostname);
        smtpd_close(s);
    } else if (s->junk > (unsigned)p->smtpd_junk_command_limit) {
        msg_info("too many junk commands from %s[%s]", s->name, s->addr);
        smtpd_reply(s, 421, "4.7.0", "%s Error: too many junk commands", p->myhostname);
        smtpd_close(s);
    } else if (s->errors > errors_before && p->smtpd_error_sleep_time > 0
               && s->errors >= (unsigned)(p->smtpd_hard_error_limit + 1) / 2) {
        /* Like Postfix's soft limit (10 of 20): a client with a few
         * refused recipients is not slowed down, a persistent one is. */
        smtpd_flush(s);
        smtpd_pause(s, (uint64_t)p->smtpd_error_sleep_time);
    }
}

/* session_refused - a check said no: reply (after a BDAT chunk's bytes) */
static void session_refused(struct smtpd_session *s, const struct smtp_cmd *cmd, const struct smtpd_check *c)
{
    if (cmd->verb == SMTP_VERB_BDAT && c->bdat_size_ok) {
        /* The chunk is read and dropped, so the next command is found. */
        s->in_chunk = s->bdat_discard = true;
        s->bdat_left = c->bdat_size;
        s->bdat_code = c->code;
        s->bdat_ecode = c->ecode;
        s->bdat_text = c->text;
        smtpd_log_reject(s, "BDAT", c->code, c->ecode, c->text, NULL);
        return;
    }
    if (cmd->verb == SMTP_VERB_RCPT && c->rcpt.code != 0) {
        char text[SMTP_REPLY_LINE_MAX + sizeof(c->rcpt.address)];

        snprintf(text, sizeof(text), "<%s>: %s", c->rcpt.address, c->text);
        smtpd_reply(s, c->code, c->ecode, "%s", text);
        smtpd_log_reject(s, "RCPT", c->code, c->ecode, text, c->rcpt.address);
    } else {
        smtpd_reply(s, c->code, c->ecode, "%s", c->text);
        if (cmd->verb == SMTP_VERB_MAIL || cmd->verb == SMTP_VERB_RCPT || cmd->verb == SMTP_VERB_BDAT)
            smtpd_log_reject(s, smtp_verb_name(cmd->verb), c->code, c->ecode, c->text, NULL);
    }
    if (cmd->verb == SMTP_VERB_BDAT)
        smtpd_close(s); /* no size, or too big to skip: no next command */
}

/* skip_word - past word (case-insensitive) at line[i]; 0 when absent */
static size_t skip_word(const char *line, size_t len, size_t i, const char *word)
{
    size_t n = strlen(word);

    if (len - i < n || strncasecmp(line + i, word, n) != 0)
        return 0;
    return i + n;
}

/* path_control - a MAIL FROM:/RCPT TO: line whose control byte is in the
 * argument (not in the verb): MAIL or RCPT, else UNKNOWN */
static enum smtp_verb path_control(const char *line, size_t len)
{
    enum smtp_verb verb = SMTP_VERB_UNKNOWN;
    size_t i = 0, end = 0, first;

    for (first = 0; first < len; first++)
        if ((unsigned char)line[first] < 0x20 || (unsigned char)line[first] == 0x7f)
            break;
    while (i < len && line[i] == ' ')
        i++;
    if ((end = skip_word(line, len, i, "MAIL ")) != 0)
        verb = SMTP_VERB_MAIL;
    else if ((end = skip_word(line, len, i, "RCPT ")) != 0)
        verb = SMTP_VERB_RCPT;
    else
        return SMTP_VERB_UNKNOWN;
    while (end < len && line[end] == ' ')
        end++;
    end = skip_word(line, len, end, verb == SMTP_VERB_MAIL ? "FROM:" : "TO:");
    return end != 0 && first < len && first >= end ? verb : SMTP_VERB_UNKNOWN;
}

/* session_bad_path - NUL or another control byte in a MAIL/RCPT path:
 * the address-syntax reply and the reject log line, like a bad path */
static void session_bad_path(struct smtpd_session *s, enum smtp_verb verb)
{
    const char *ecode = verb == SMTP_VERB_MAIL ? "5.1.7" : "5.1.3";
    const char *text = verb == SMTP_VERB_MAIL ? "Bad sender address syntax" : "Bad recipient address syntax";

    s->counts.total[verb]++;
    smtpd_reply(s, 501, ecode, "%s", text);
    smtpd_log_reject(s, smtp_verb_name(verb), 501, ecode, text, NULL);
}

/* smtpd_refuse_pipelined - see smtpd_session.h */
bool smtpd_refuse_pipelined(struct smtpd_session *s, const char *after)
{
    char peek[101];
    const char *p;
    size_t n = conn_input(s->conn, &p);

    if (n == 0)
        return false;
    smtpd_sanitize(peek, sizeof(peek) - 1, p, n);
    msg_info("improper command pipelining after %s from %s[%s]: %s", after, s->name, s->addr, peek);
    conn_input_discard(s->conn);
    smtpd_txn_reset(s);
    smtpd_reply(s, 554, "5.5.0", "Error: SMTP protocol synchronization");
    smtpd_close(s);
    return true;
}

/* session_command - one command line: parse, check, proceed */
static void session_command(struct smtpd_session *s, const struct conn_line *line)
{
    unsigned errors_before = s->errors;
    struct smtpd_check chk;
    struct smtp_cmd cmd;
    const char *error;
    enum smtp_verb path_verb;
    char peek[101];

    s->commands++;
    if (smtp_cmd_parse(line->data, line->len, (size_t)s->env->p->smtpd_line_length_limit + 2, &cmd, &error)
        < 0) {
        if (cmd.reply == 500 && (path_verb = path_control(line->data, line->len)) != SMTP_VERB_UNKNOWN)
            session_bad_path(s, path_verb);
        else
            smtpd_reply(s, cmd.reply, cmd.ecode, "Error: %s", error);
    } else if (cmd.verb == SMTP_VERB_HTTP || cmd.verb == SMTP_VERB_HEADER) {
        smtpd_sanitize(peek, sizeof(peek) - 1, line->data, line->len);
        msg_warn("non-SMTP command from %s[%s]: %s", s->name, s->addr, peek);
        /* Postfix's answer to a web browser or proxy */
        smtpd_reply(s, 221, "2.7.0", "Error: I can break rules, too. Goodbye.");
        smtpd_close(s);
        return;
    } else if ((cmd.verb == SMTP_VERB_EHLO || cmd.verb == SMTP_VERB_HELO)
               && smtpd_refuse_pipelined(s, smtp_verb_name(cmd.verb))) {
        s->counts.total[cmd.verb]++;
        return;
    } else {
        s->counts.total[cmd.verb]++;
        if (smtpd_cmd_is_junk(cmd.verb))
            s->junk++;
        if (smtpd_cmd_check(s, &cmd, &chk) < 0) {
            session_refused(s, &cmd, &chk);
        } else {
            s->counts.ok[cmd.verb]++;
            smtpd_cmd_proceed(s, &cmd, &chk);
        }
    }
    smtpd_limits(s, errors_before);
}

/* session_process - everything the buffered input allows, then flush */
static void session_process(struct smtpd_session *s)
{
    struct conn_line line;
    int rc;

    while (!s->closing && !s->waiting && !s->sleeping && !s->ended) {
        /* A client that sends commands but does not read the replies
         * waits until it does (on_drain resumes). */
        if (s->out.len > 16384)
            smtpd_flush(s);
        if (conn_output_full(s->conn))
            break;
        if (s->state == SMTPD_DATA && s->rx.active) {
            if (!smtpd_data_input(s))
                break;
            continue;
        }
        if (s->in_chunk) {
            if (!smtpd_data_chunk(s))
                break;
            continue;
        }
        if ((rc = conn_read_line(s->conn, &line)) == 0)
            break;
        idle_restart(s); /* a whole request arrived */
        if (s->auth_reading) {
            smtpd_auth_line(s, &line, rc < 0);
            continue;
        }
        if (rc < 0) {
            unsigned errors_before = s->errors;

            smtpd_reply(s, 500, "5.5.2", "Error: line too long");
            smtpd_limits(s, errors_before);
            continue;
        }
        session_command(s, &line);
    }
    if (s->rx.active && !s->closing && s->rate_timer == NULL && s->env->p->smtpd_min_data_rate > 0)
        s->rate_timer = event_timer_add(s->env->loop, SMTPD_RATE_CHECK_MS, rate_fired, s);
    smtpd_flush(s);
}

/* idle_fired - smtpd_timeout without input */
static void idle_fired(void *ctx)
{
    struct smtpd_session *s = ctx;

    s->idle_timer = NULL;
    msg_info("timeout after %s from %s[%s]", s->state == SMTPD_DATA || s->in_chunk ? "DATA" : "command",
             s->name, s->addr);
    smtpd_reply(s, 421, "4.4.2", "%s Error: timeout exceeded", s->env->p->myhostname);
    smtpd_close(s);
}

/* idle_restart - a whole request arrived, a reply went out, or message
 * data is flowing: a fresh smtpd_timeout. Bytes of an unfinished command
 * line do not count, so a client trickling one byte at a time still has
 * smtpd_timeout for the whole request (THREATS.md #30; Postfix's
 * smtpd_per_request_deadline); trickled message data is caught by
 * smtpd_min_data_rate instead. */
static void idle_restart(struct smtpd_session *s)
{
    event_timer_remove(&s->idle_timer);
    if (!s->closing)
        s->idle_timer = event_timer_add(s->env->loop, (uint64_t)s->env->p->smtpd_timeout, idle_fired, s);
}

/* rate_fired - during DATA/BDAT: at least smtpd_min_data_rate bytes per
 * second on average since the transfer started, after a short grace */
static void rate_fired(void *ctx)
{
    struct smtpd_session *s = ctx;
    const struct params *p = s->env->p;
    uint64_t elapsed = event_now(s->env->loop) - s->data_start_ms, grace = SMTPD_RATE_GRACE_MS;

    s->rate_timer = NULL;
    if ((uint64_t)p->smtpd_timeout / 2 < grace)
        grace = (uint64_t)p->smtpd_timeout / 2;
    if ((s->state == SMTPD_DATA || s->in_chunk) && elapsed >= grace && elapsed > 0
        && s->data_bytes * 1000 / elapsed < (uint64_t)p->smtpd_min_data_rate) {
        msg_info("data rate too low from %s[%s]: %llu bytes in %llu ms", s->name, s->addr,
                 (unsigned long long)s->data_bytes, (unsigned long long)elapsed);
        smtpd_reply(s, 421, "4.4.2", "%s Error: data rate too low", p->myhostname);
        smtpd_close(s);
        return;
    }
    s->rate_timer = event_timer_add(s->env->loop, SMTPD_RATE_CHECK_MS, rate_fired, s);
}

/* session_input - new bytes from the client */
static void session_input(struct conn *c, void *ctx)
{
    struct smtpd_session *s = ctx;
    const char *p;

    (void)c;
    smtpd_tls_note(s);
    if (s->state == SMTPD_DATA || s->in_chunk)
        idle_restart(s);
    if (!s->greeted) {
        if (conn_input(s->conn, &p) > 0 && !s->closing) {
            msg_info("PREGREET from %s[%s]", s->name, s->addr);
            conn_input_discard(s->conn);
            smtpd_reply(s, 554, "5.5.1", "Error: talking before the greeting");
            smtpd_close(s);
        }
        return;
    }
    session_process(s);
}

/* session_counts - " ehlo=1 mail=1 rcpt=1/2 ... unknown=0/1 commands=N",
 * in command-table order with unknown last, as Postfix logs it (so log
 * summarisers written for Postfix read it) */
static void session_counts(const struct smtpd_session *s, struct buf *out)
{
    char name[16];
    size_t k, i, j;

    for (k = 0; k <= SMTP_VERB_HEADER; k++) {
        i = k < SMTP_VERB_HEADER ? k + 1 : SMTP_VERB_UNKNOWN;
        if (s->counts.total[i] == 0)
            continue;
        snprintf(name, sizeof(name), "%s", smtp_verb_name((enum smtp_verb)i));
        for (j = 0; name[j] != '\0'; j++)
            name[j] = (char)(name[j] >= 'A' && name[j] <= 'Z' ? name[j] + 32 : name[j]);
        if (s->counts.ok[i] == s->counts.total[i])
            buf_printf(out, " %s=%u", name, s->counts.ok[i]);
        else
            buf_printf(out, " %s=%u/%u", name, s->counts.ok[i], s->counts.total[i]);
    }
    buf_printf(out, " commands=%u", s->commands);
}

/* session_destroy - the connection ended: log, release, free */
static void session_destroy(struct smtpd_session *s)
{
    struct smtpd_env *env = s->env;
    struct buf line;

    buf_init(&line, 256, 1024);
    session_counts(s, &line);
    msg_info("disconnect from %s[%s]%s", s->name, s->addr, line.data);
    buf_deinit(&line);
    smtpd_txn_reset(s);
    smtpd_auth_reset(s);
    /* A connect still on its way is counted by anvil all the same. */
    if (env->anvil != NULL && (s->anvil_counted || s->anvil_req != NULL))
        smtpd_anvil_disconnect(env->anvil, s->addr);
    smtpd_anvil_cancel(&s->anvil_req);
    event_defer_cancel(env->loop, session_resume_cb, s);
    event_defer_cancel(env->loop, session_abort_cb, s);
    event_timer_remove(&s->idle_timer);
    event_timer_remove(&s->sleep_timer);
    event_timer_remove(&s->greet_timer);
    conn_destroy(&s->conn);
    smtpd_tls_end(s);
    buf_deinit(&s->out);
    free(s);
    if (env->on_session_end != NULL)
        env->on_session_end(env->end_ctx);
}

/* session_abort_cb - smtpd_session_abort, from the loop */
static void session_abort_cb(void *ctx)
{
    struct smtpd_session *s = ctx;

    s->ended = true;
    session_destroy(s);
}

/* smtpd_session_abort - stop reading and writing, end from the loop */
void smtpd_session_abort(struct smtpd_session *s)
{
    if (s->aborting || s->ended)
        return;
    s->aborting = s->closing = true;
    conn_pause_input(s->conn);
    event_defer(s->env->loop, session_abort_cb, s);
}

/* session_closed - conn's end: EOF, error, timeout or after QUIT */
static void session_closed(struct conn *c, enum conn_close_reason reason, void *ctx)
{
    struct smtpd_session *s = ctx;

    (void)c;
    s->ended = true;
    smtpd_tls_closed(s);
    if (reason == CONN_CLOSE_EOF && !s->closing)
        msg_info("lost connection after %s from %s[%s]", s->state == SMTPD_DATA ? "DATA" : "command", s->name,
                 s->addr);
    session_destroy(s);
}

/* session_drain - the client read its replies: go on */
static void session_drain(struct conn *c, void *ctx)
{
    (void)c;
    session_process(ctx);
}

static const struct conn_callbacks session_callbacks = {
    .on_input = session_input,
    .on_drain = session_drain,
    .on_close = session_closed,
};

/* greet - the banner (no enhanced code on a greeting, RFC 2034) */
static void greet(struct smtpd_session *s)
{
    s->greeted = true;
    smtpd_reply(s, 220, NULL, "%s", s->env->p->smtpd_banner);
    session_process(s);
}

/* greet_fired - the pre-greeting wait is over */
static void greet_fired(void *ctx)
{
    struct smtpd_session *s = ctx;

    s->greet_timer = NULL;
    greet(s);
}

/* greet_later - after anvil: refuse (unless the client is exempt from the
 * limits), wait smtpd_pre_greet_wait, or greet */
static void greet_later(struct smtpd_session *s, int64_t count, int64_t rate)
{
    const struct params *p = s->env->p;

    if (!s->limit_exempt && p->smtpd_client_connection_count_limit > 0
        && count > p->smtpd_client_connection_count_limit) {
        msg_warn("too many connections from %s[%s]: %lld", s->name, s->addr, (long long)count);
        smtpd_reply(s, 421, "4.7.0", "%s Error: too many connections from %s", p->myhostname, s->addr);
        smtpd_close(s);
    } else if (!s->limit_exempt && p->smtpd_client_connection_rate_limit > 0
               && rate > p->smtpd_client_connection_rate_limit) {
        msg_warn("connection rate limit exceeded: %lld from %s[%s]", (long long)rate, s->name, s->addr);
        smtpd_reply(s, 421, "4.7.0", "%s Error: too many connections from %s", p->myhostname, s->addr);
        smtpd_close(s);
    } else if (p->smtpd_pre_greet_wait > 0) {
        s->greet_timer = event_timer_add(s->env->loop, (uint64_t)p->smtpd_pre_greet_wait, greet_fired, s);
    } else {
        greet(s);
    }
}

/* anvil_answered - anvil's count and rate (-1: unknown, accepted) */
static void anvil_answered(void *ctx, int64_t count, int64_t rate)
{
    struct smtpd_session *s = ctx;

    s->anvil_req = NULL;
    s->anvil_counted = count >= 0;
    greet_later(s, count, rate);
}

/* peer_text - the client address as text ("unknown" for other families) */
static void peer_text(const struct sockaddr *peer, socklen_t len, char *out, size_t size)
{
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
    const struct sockaddr_in *in = (const struct sockaddr_in *)peer;

    snprintf(out, size, "unknown");
    if (peer->sa_family == AF_INET && len >= (socklen_t)sizeof(*in))
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)size);
    else if (peer->sa_family == AF_INET6 && len >= (socklen_t)sizeof(*in6))
        inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)size);
}

/* smtpd_session_create - a new client: conn, anvil, then the banner */
struct smtpd_session *smtpd_session_create(struct smtpd_env *env, int fd, const struct sockaddr *peer,
                                           socklen_t peer_len)
{
    struct smtpd_session *s = xcalloc(1, sizeof(*s));
    const struct params *p = env->p;
    struct conn_params cp;

    s->env = env;
    s->id = ++env->sessions;
    peer_text(peer, peer_len, s->addr, sizeof(s->addr));
    snprintf(s->name, sizeof(s->name), "unknown");
    s->trusted = smtpd_networks_match_text(&env->mynetworks, s->addr);
    s->limit_exempt = smtpd_networks_match_text(&env->limit_exceptions, s->addr);
    buf_init(&s->out, 1024, SMTPD_REPLY_MAX);
    conn_params_default(&cp);
    cp.max_line = (size_t)p->smtpd_line_length_limit;
    cp.input_max = cp.max_line + 2 > 65536 ? cp.max_line + 2 : 65536;
    /* above high water (32 KiB) no command is read: a batch of replies
     * (flushed every 16 KiB) always fits */
    cp.output_max = 128 * 1024;
    /* Our own timer says 421 first; conn's is the backstop for a client
     * that does not read that reply. */
    cp.idle_timeout_ms = (uint64_t)p->smtpd_timeout + 10000;
    s->conn = conn_create(env->loop, fd, &cp, &session_callbacks, s);
    msg_info("connect from %s[%s]", s->name, s->addr);
    idle_restart(s);
    if (p->smtpd_tls_wrappermode && !smtpd_tls_wrap(s))
        return s;
    if (env->anvil != NULL
        && (s->anvil_req = smtpd_anvil_connect(env->anvil, s->addr, anvil_answered, s)) != NULL)
        return s;
    greet_later(s, -1, -1);
    return s;
}
