/* SPDX-License-Identifier: MIT
 * smtpd_cmd - the command table: one row per verb with its allowed
 * states, a pure check and a proceed.
 *
 * Owns nothing: checks read the session and fill a struct smtpd_check,
 * proceeds change the session. Input: smtp_cmd's verb and argument
 * (untrusted, bounded); paths and parameters are parsed here with
 * smtp_addr and smtp_param. Limits: smtpd_recipient_limit,
 * message_size_limit (SIZE=, BDAT).
 *
 * See also: smtpd_cmd.h, smtpd_session.c (dispatch), smtpd_data.c.
 */
#include "smtpd_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/params.h"
#include "smtpd_auth.h"
#include "smtpd_session.h"
#include "smtpd_tls.h"
#include "util/alloc.h"
#include "util/msg.h"

typedef int smtpd_check_fn(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c);
typedef void smtpd_proceed_fn(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c);

struct smtpd_cmd_row {
    enum smtp_verb verb;
    unsigned states; /* SMTPD_ST() bits where the verb is allowed */
    bool junk;
    smtpd_check_fn *check;
    smtpd_proceed_fn *proceed;
};

#define ST_ANY \
    (SMTPD_ST(SMTPD_GREETING) | SMTPD_ST(SMTPD_READY) | SMTPD_ST(SMTPD_MAIL) | SMTPD_ST(SMTPD_RCPT) \
     | SMTPD_ST(SMTPD_BDAT))

/* fail - fill a refusal */
static int fail(struct smtpd_check *c, int code, const char *ecode, const char *text)
{
    c->code = code;
    c->ecode = ecode;
    c->text = text;
    return -1;
}

/* check_helo - EHLO/HELO need a name */
static int check_helo(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)s;
    if (cmd->arg_len == 0)
        return fail(c, 501, "5.5.4",
                    cmd->verb == SMTP_VERB_EHLO ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
    return 0;
}

/* proceed_helo - a new greeting resets the transaction (RFC 5321 4.1.4) */
static void proceed_helo(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    const struct params *p = s->env->p;
    char size[48];
    const char *lines[10] = { p->myhostname, "PIPELINING",          size,  "8BITMIME",
                              "SMTPUTF8",    "ENHANCEDSTATUSCODES", "DSN", "CHUNKING" };
    size_t n = 8;
    char auth[300];

    (void)c;
    smtpd_txn_reset(s);
    smtpd_sanitize(s->helo, SMTPD_HELO_MAX, cmd->arg, cmd->arg_len);
    s->esmtp = cmd->verb == SMTP_VERB_EHLO;
    s->state = SMTPD_READY;
    snprintf(size, sizeof(size), "SIZE %lld", (long long)p->message_size_limit);
    /* RFC 2034: no enhanced status codes on the EHLO/HELO response. */
    if (smtpd_tls_offered(s))
        lines[n++] = "STARTTLS";
    if (smtpd_auth_ehlo(s, auth, sizeof(auth)))
        lines[n++] = auth;
    if (s->esmtp)
        smtpd_reply_lines(s, 250, NULL, lines, n);
    else
        smtpd_reply_lines(s, 250, NULL, lines, 1);
}

/* check_none - no check beyond the state */
static int check_none(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)s;
    (void)cmd;
    (void)c;
    return 0;
}

/* proceed_noop - 250 */
static void proceed_noop(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    (void)c;
    smtpd_reply(s, 250, "2.0.0", "Ok");
}

/* proceed_rset - forget the transaction */
static void proceed_rset(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    smtpd_txn_reset(s);
    proceed_noop(s, cmd, c);
}

/* proceed_quit - 221 and close once written */
static void proceed_quit(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    (void)c;
    smtpd_reply(s, 221, "2.0.0", "Bye");
    smtpd_close(s);
}

/* proceed_help - the verbs we know */
static void proceed_help(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    (void)c;
    smtpd_reply(s, 214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
}

/* check_vrfy - an address to look at, when VRFY is enabled */
static int check_vrfy(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    const char *error;
    size_t end;

    if (cmd->arg_len == 0)
        return fail(c, 501, "5.5.4", "Syntax: VRFY address");
    if (!s->env->p->smtpd_vrfy_enable)
        return 0;
    if (smtp_addr_parse(cmd->arg, cmd->arg_len, SMTP_ADDR_POSTMASTER | SMTP_ADDR_NO_BRACKETS, &c->addr, &end,
                        &error)
            < 0
        || end != cmd->arg_len)
        return fail(c, 501, c->addr.ecode != NULL ? c->addr.ecode : "5.1.3", "Bad address syntax");
    if (smtpd_policy_rcpt(&s->env->policy, &c->addr, s->trusted || s->auth_user[0] != '\0', &c->rcpt) < 0)
        return fail(c, c->rcpt.code, c->rcpt.ecode, c->rcpt.text);
    return 0;
}

/* proceed_vrfy - 252 when disabled, else the address as we know it */
static void proceed_vrfy(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    if (!s->env->p->smtpd_vrfy_enable)
        smtpd_reply(s, 252, "2.0.0", "Send some mail, I'll try my best");
    else
        smtpd_reply(s, 250, "2.0.0", "<%s>", c->rcpt.address);
}

/* check_mail_params - ESMTP parameters of MAIL */
static int check_mail_params(const struct smtpd_session *s, const char *rest, size_t len,
                             struct smtpd_check *c)
{
    const char *error;
    int r;

    memset(&c->params, 0, sizeof(c->params));
    if (len == 0)
        return 0;
    if (!s->esmtp)
        return fail(c, 555, "5.5.4", "Unsupported option (send EHLO for ESMTP)");
    r = smtp_param_parse(rest, len, SMTP_PARAM_MAIL, &c->params, &error);
    if (r == SMTP_PARAM_UNKNOWN)
        return fail(c, 555, "5.5.4", "Unsupported option");
    if (r < 0)
        return fail(c, 501, "5.5.4", "Bad parameter syntax");
    if (c->params.body == SMTP_BODY_BINARYMIME || c->params.has_auth)
        return fail(c, 555, "5.5.4", "Unsupported option");
    if (c->params.has_size && c->params.size > (uint64_t)s->env->p->message_size_limit)
        return fail(c, 552, "5.3.4", "Message size exceeds fixed limit");
    return 0;
}

/* check_mail - state, path, parameters */
static int check_mail(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    const char *error, *ecode, *text;
    size_t end;
    int code;

    if (s->state == SMTPD_GREETING)
        return fail(c, 503, "5.5.1", "Error: send HELO/EHLO first");
    if (s->state != SMTPD_READY)
        return fail(c, 503, "5.5.1", "Error: nested MAIL command");
    if (smtpd_tls_required(s))
        return fail(c, 530, "5.7.0", "Must issue a STARTTLS command first");
    if (smtp_addr_parse(cmd->arg, cmd->arg_len, SMTP_ADDR_REVERSE | (s->esmtp ? SMTP_ADDR_UTF8 : 0), &c->addr,
                        &end, &error)
        < 0)
        return fail(c, 501, c->addr.ecode != NULL ? c->addr.ecode : "5.1.7", "Bad sender address syntax");
    if (check_mail_params(s, cmd->arg + end, cmd->arg_len - end, c) < 0)
        return -1;
    if (c->addr.has_utf8 && !c->params.smtputf8)
        return fail(c, 553, "5.6.7", "Must declare SMTPUTF8 to send UTF-8 addresses");
    if (smtpd_auth_mail_refusal(s, c->addr.addr, &code, &ecode, &text))
        return fail(c, code, ecode, text);
    return 0;
}

/* proceed_mail - start the transaction */
static void proceed_mail(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    s->has_mail = true;
    snprintf(s->sender, sizeof(s->sender), "%s", c->addr.addr);
    s->mail_params = c->params;
    s->state = SMTPD_MAIL;
    smtpd_reply(s, 250, "2.1.0", "Ok");
}

/* check_rcpt - state, path, parameters, limit, policy */
static int check_rcpt(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    const char *error;
    size_t end;
    int r;

    if (s->state != SMTPD_MAIL && s->state != SMTPD_RCPT)
        return fail(c, 503, "5.5.1", "Error: need MAIL command");
    if (smtp_addr_parse(cmd->arg, cmd->arg_len,
                        SMTP_ADDR_POSTMASTER | (s->mail_params.smtputf8 ? SMTP_ADDR_UTF8 : 0), &c->addr, &end,
                        &error)
        < 0)
        return fail(c, c->addr.ecode != NULL && c->addr.ecode[2] == '6' ? 553 : 501,
                    c->addr.ecode != NULL ? c->addr.ecode : "5.1.3", "Bad recipient address syntax");
    memset(&c->params, 0, sizeof(c->params));
    if (end < cmd->arg_len) {
        if (!s->esmtp)
            return fail(c, 555, "5.5.4", "Unsupported option (send EHLO for ESMTP)");
        r = smtp_param_parse(cmd->arg + end, cmd->arg_len - end, SMTP_PARAM_RCPT, &c->params, &error);
        if (r == SMTP_PARAM_UNKNOWN)
            return fail(c, 555, "5.5.4", "Unsupported option");
        if (r < 0)
            return fail(c, 501, "5.5.4", "Bad parameter syntax");
    }
    if (s->rcpt_count >= (size_t)s->env->p->smtpd_recipient_limit)
        return fail(c, 452, "4.5.3", "Error: too many recipients");
    if (smtpd_policy_rcpt(&s->env->policy, &c->addr, s->trusted || s->auth_user[0] != '\0', &c->rcpt) < 0) {
        if (c->rcpt.verdict == SMTPD_RCPT_TEMPFAIL)
            msg_warn("%lu: recipient lookup of <%s> failed: %s", s->id, c->rcpt.address,
                     c->rcpt.error != NULL ? c->rcpt.error : "?");
        return fail(c, c->rcpt.code, c->rcpt.ecode, c->rcpt.text);
    }
    return 0;
}

/* notify_text - NOTIFY flags as qmgr wants them */
static char *notify_text(unsigned n)
{
    char text[64] = "";

    if (n == 0)
        return NULL;
    if (n & SMTP_NOTIFY_NEVER)
        return xstrdup("NEVER");
    snprintf(text, sizeof(text), "%s%s%s", n & SMTP_NOTIFY_SUCCESS ? "SUCCESS," : "",
             n & SMTP_NOTIFY_DELAY ? "DELAY," : "", n & SMTP_NOTIFY_FAILURE ? "FAILURE," : "");
    if (text[0] != '\0')
        text[strlen(text) - 1] = '\0';
    return xstrdup(text);
}

/* proceed_rcpt - add the recipient */
static void proceed_rcpt(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    struct smtpd_rcpt *r;

    (void)cmd;
    s->rcpts = xreallocarray(s->rcpts, s->rcpt_count + 1, sizeof(*s->rcpts));
    r = &s->rcpts[s->rcpt_count++];
    r->address = xstrdup(c->rcpt.address);
    r->orcpt = c->params.has_orcpt
                   ? xasprintf("%s;%s", c->params.orcpt_utf8 ? "utf-8" : "rfc822", c->params.orcpt)
                   : NULL;
    r->notify = notify_text(c->params.notify);
    s->state = SMTPD_RCPT;
    smtpd_reply(s, 250, "2.1.5", "Ok");
}

/* check_data - recipients first, never inside BDAT */
static int check_data(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    if (s->state == SMTPD_BDAT)
        return fail(c, 503, "5.5.1", "Error: DATA after BDAT");
    if (s->state == SMTPD_MAIL)
        return fail(c, 554, "5.5.1", "Error: no valid recipients");
    if (s->state != SMTPD_RCPT)
        return fail(c, 503, "5.5.1", "Error: need RCPT command");
    if (cmd->arg_len > 0)
        return fail(c, 501, "5.5.4", "Syntax: DATA");
    return 0;
}

/* proceed_data - open the message at qmgr; 354 follows its begin reply */
static void proceed_data(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    (void)c;
    smtpd_data_start(s, false);
}

/* smtpd_cmd_bdat_size - "n" or "n LAST", n digits only, no overflow */
int smtpd_cmd_bdat_size(const char *arg, size_t len, uint64_t *size_r, bool *last_r)
{
    uint64_t n = 0;
    size_t i = 0;

    if (len == 0 || arg[0] < '0' || arg[0] > '9')
        return -1;
    for (; i < len && arg[i] >= '0' && arg[i] <= '9'; i++) {
        if (n > (UINT64_MAX - (uint64_t)(arg[i] - '0')) / 10)
            return -1;
        n = n * 10 + (uint64_t)(arg[i] - '0');
    }
    *size_r = n;
    *last_r = false;
    if (i == len)
        return 0;
    while (i < len && arg[i] == ' ')
        i++;
    if (len - i == 4 && strncasecmp(arg + i, "LAST", 4) == 0) {
        *last_r = true;
        return 0;
    }
    return -1;
}

/* check_bdat - the size first (its bytes are read whatever happens next),
 * then state and limits */
static int check_bdat(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    if (smtpd_cmd_bdat_size(cmd->arg, cmd->arg_len, &c->bdat_size, &c->bdat_last) < 0)
        return fail(c, 501, "5.5.4", "Syntax: BDAT count [LAST]");
    /* Past what message_size_limit still allows, the chunk is not read
     * (a client could make us skip gigabytes): 552 and close. */
    if (c->bdat_size > (uint64_t)s->env->p->message_size_limit
        || s->bdat_total + c->bdat_size > (uint64_t)s->env->p->message_size_limit)
        return fail(c, 552, "5.3.4", "Error: message file too big");
    c->bdat_size_ok = true;
    if (s->state == SMTPD_MAIL)
        return fail(c, 554, "5.5.1", "Error: no valid recipients");
    if (s->state != SMTPD_RCPT && s->state != SMTPD_BDAT)
        return fail(c, 503, "5.5.1", "Error: need RCPT command");
    return 0;
}

/* proceed_bdat - read a chunk into the message (opening it at qmgr first) */
static void proceed_bdat(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    s->in_chunk = true;
    s->bdat_left = c->bdat_size;
    s->bdat_last = c->bdat_last;
    s->bdat_discard = false;
    s->bdat_total += c->bdat_size;
    if (s->state == SMTPD_RCPT)
        smtpd_data_start(s, true);
}

/* check_starttls - TLS available, not active, no transaction (smtp_cmd
 * refused an argument already) */
static int check_starttls(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    int code;
    const char *ecode, *text;

    (void)cmd;
    if (smtpd_tls_starttls_refusal(s, &code, &ecode, &text))
        return fail(c, code, ecode, text);
    return 0;
}

/* proceed_starttls - 220 and the handshake (smtpd_tls.c) */
static void proceed_starttls(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)cmd;
    (void)c;
    smtpd_tls_starttls(s);
}

/* check_auth - AUTH may start (smtpd_auth.c) */
static int check_auth(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    int code;
    const char *ecode, *text;

    if (smtpd_auth_refusal(s, cmd, &code, &ecode, &text))
        return fail(c, code, ecode, text);
    return 0;
}

/* proceed_auth - ask authd */
static void proceed_auth(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)c;
    smtpd_auth_start(s, cmd);
}

/* check_unknown - 500 (RFC 5321 4.2.4: command unrecognized); XCLIENT and XFORWARD are nobody's here (THREATS.md
 * b.2 #19: no client may claim another address) */
static int check_unknown(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *c)
{
    (void)s;
    if ((cmd->word_len == 7 && strncasecmp(cmd->word, "XCLIENT", 7) == 0)
        || (cmd->word_len == 8 && strncasecmp(cmd->word, "XFORWARD", 8) == 0))
        return fail(c, 550, "5.7.0", "Error: insufficient authorization");
    return fail(c, 500, "5.5.2", "Error: command not recognized");
}

static const struct smtpd_cmd_row smtpd_cmds[] = {
    { SMTP_VERB_EHLO, ST_ANY, false, check_helo, proceed_helo },
    { SMTP_VERB_HELO, ST_ANY, false, check_helo, proceed_helo },
    { SMTP_VERB_MAIL, ST_ANY, false, check_mail, proceed_mail },
    { SMTP_VERB_RCPT, ST_ANY, false, check_rcpt, proceed_rcpt },
    { SMTP_VERB_DATA, ST_ANY, false, check_data, proceed_data },
    { SMTP_VERB_BDAT, ST_ANY, false, check_bdat, proceed_bdat },
    { SMTP_VERB_RSET, ST_ANY, true, check_none, proceed_rset },
    { SMTP_VERB_NOOP, ST_ANY, true, check_none, proceed_noop },
    { SMTP_VERB_QUIT, ST_ANY, false, check_none, proceed_quit },
    { SMTP_VERB_VRFY, ST_ANY, true, check_vrfy, proceed_vrfy },
    { SMTP_VERB_HELP, ST_ANY, true, check_none, proceed_help },
    { SMTP_VERB_STARTTLS, ST_ANY, false, check_starttls, proceed_starttls },
    { SMTP_VERB_AUTH, ST_ANY, false, check_auth, proceed_auth },
    { SMTP_VERB_UNKNOWN, ST_ANY, true, check_unknown, NULL },
};
#define SMTPD_CMD_COUNT (sizeof(smtpd_cmds) / sizeof(smtpd_cmds[0]))

/* cmd_row - the row of a verb (HTTP and header lines have none) */
static const struct smtpd_cmd_row *cmd_row(enum smtp_verb verb)
{
    size_t i;

    for (i = 0; i < SMTPD_CMD_COUNT; i++)
        if (smtpd_cmds[i].verb == verb)
            return &smtpd_cmds[i];
    return NULL;
}

/* smtpd_cmd_check - state, then the row's check */
int smtpd_cmd_check(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *chk)
{
    const struct smtpd_cmd_row *row = cmd_row(cmd->verb);

    memset(chk, 0, sizeof(*chk));
    if (row == NULL)
        return fail(chk, 500, "5.5.2", "Error: command not recognized");
    if ((row->states & SMTPD_ST(s->state)) == 0)
        return fail(chk, 503, "5.5.1", "Error: bad sequence of commands");
    return row->check(s, cmd, chk);
}

/* smtpd_cmd_proceed - the row's effect */
void smtpd_cmd_proceed(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *chk)
{
    const struct smtpd_cmd_row *row = cmd_row(cmd->verb);

    ASSERT(row != NULL && row->proceed != NULL);
    row->proceed(s, cmd, chk);
}

/* smtpd_cmd_is_junk - commands that do not move a transaction forward */
bool smtpd_cmd_is_junk(enum smtp_verb verb)
{
    const struct smtpd_cmd_row *row = cmd_row(verb);

    return row != NULL && row->junk;
}
