/* SPDX-License-Identifier: MIT
 * sendmail_bs - the -bs SMTP dialogue (see sendmail_bs.h): the session
 * state, one function per command, DATA through sendmail_msg into a drop.
 *
 * Trusts: the peer no more than its syntax allows; every line is parsed by
 * lib/smtp. Limits: line_max per command line, rcpt_max recipients,
 * size_max per message, header_max per header block.
 */
#include "sendmail_bs.h"

#include <stdbool.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "mail/mail_header.h"
#include "sendmail_drop.h"
#include "sendmail_hdr.h"
#include "sendmail_msg.h"
#include "sendmail_rcpt.h"
#include "smtp/smtp_addr.h"
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_param.h"
#include "smtp/smtp_reply.h"
#include "util/alloc.h"
#include "util/buf.h"

struct bs {
    FILE *in, *out;
    const struct sendmail_bs_cfg *cfg;
    struct buf *line;
    struct buf *reply;
    bool has_mail, quit, write_error;
    char sender[SMTP_PATH_MAX + 1];
    struct sendmail_rcpts rcpts;
};

/* reply - one reply line, written and flushed at once */
static void reply(struct bs *s, int code, const char *ecode, const char *text)
{
    buf_reset(s->reply);
    if (smtp_reply_printf(s->reply, code, ecode, "%s", text) < 0
        || fwrite(s->reply->data, 1, s->reply->len, s->out) != s->reply->len || fflush(s->out) != 0)
        s->write_error = true;
}

/* reset - forget the transaction */
static void reset(struct bs *s)
{
    s->has_mail = false;
    s->sender[0] = '\0';
    sendmail_rcpts_free(&s->rcpts);
}

/* read_line - one line without its LF (and CR) into s->line; 1 line,
 * 0 end of input, -1 too long (the rest of the line was skipped) */
static int read_line(struct bs *s)
{
    bool too_long = false;
    int c;

    buf_reset(s->line);
    while ((c = getc(s->in)) != EOF && c != '\n') {
        if (!too_long && buf_append_char(s->line, (char)c) < 0)
            too_long = true;
    }
    if (c == EOF && s->line->len == 0)
        return 0;
    if (too_long)
        return -1;
    if (s->line->len > 0 && s->line->data[s->line->len - 1] == '\r')
        buf_truncate(s->line, s->line->len - 1);
    return 1;
}

/* do_ehlo - the greeting with our extensions */
static void do_ehlo(struct bs *s, bool extended)
{
    char size[32];
    const char *lines[5] = { s->cfg->hostname, "PIPELINING", size, "8BITMIME", "ENHANCEDSTATUSCODES" };

    reset(s);
    if (!extended) {
        reply(s, 250, NULL, s->cfg->hostname);
        return;
    }
    snprintf(size, sizeof(size), "SIZE %llu", (unsigned long long)s->cfg->size_max);
    buf_reset(s->reply);
    if (smtp_reply_format(s->reply, 250, NULL, lines, 5) < 0
        || fwrite(s->reply->data, 1, s->reply->len, s->out) != s->reply->len || fflush(s->out) != 0)
        s->write_error = true;
}

/* unsupported_param - a parameter of an extension we do not offer, or NULL */
static const char *unsupported_param(const struct smtp_params *p)
{
    if (p->smtputf8)
        return "SMTPUTF8";
    if (p->ret != SMTP_RET_NONE || p->has_envid || p->notify != 0 || p->has_orcpt)
        return "DSN";
    if (p->has_auth)
        return "AUTH";
    return NULL;
}

/* check_params - parse ESMTP parameters; 0, or -1 with the reply sent */
static int check_params(struct bs *s, const char *p, size_t len, enum smtp_param_verb verb,
                        struct smtp_params *params)
{
    const char *error, *ext;
    char text[256];
    int rc;

    if ((rc = smtp_param_parse(p, len, verb, params, &error)) < 0) {
        snprintf(text, sizeof(text), "%s", error);
        reply(s, rc == SMTP_PARAM_UNKNOWN ? 555 : 501, "5.5.4", text);
        return -1;
    }
    if ((ext = unsupported_param(params)) != NULL) {
        snprintf(text, sizeof(text), "Error: %s is not supported here", ext);
        reply(s, 555, "5.5.4", text);
        return -1;
    }
    return 0;
}

/* do_mail - MAIL FROM:<path> [SIZE=n] [BODY=x] */
static void do_mail(struct bs *s, const struct smtp_cmd *cmd)
{
    struct smtp_params params = { 0 };
    struct smtp_addr a;
    const char *error;
    size_t end;

    if (s->has_mail) {
        reply(s, 503, "5.5.1", "Error: nested MAIL command");
        return;
    }
    if (smtp_addr_parse(cmd->arg, cmd->arg_len, SMTP_ADDR_REVERSE, &a, &end, &error) < 0) {
        reply(s, 501, a.ecode != NULL ? a.ecode : "5.1.7", "Bad sender address syntax");
        return;
    }
    if (check_params(s, cmd->arg + end, cmd->arg_len - end, SMTP_PARAM_MAIL, &params) < 0)
        return;
    if (params.has_size && params.size > s->cfg->size_max) {
        reply(s, 552, "5.3.4", "Message size exceeds fixed limit");
        return;
    }
    memcpy(s->sender, a.addr, a.addr_len + 1);
    s->has_mail = true;
    reply(s, 250, "2.1.0", "Ok");
}

/* do_rcpt - RCPT TO:<path> */
static void do_rcpt(struct bs *s, const struct smtp_cmd *cmd)
{
    struct smtp_params params = { 0 };
    struct smtp_addr a;
    const char *error;
    size_t end;

    if (!s->has_mail) {
        reply(s, 503, "5.5.1", "Error: need MAIL command");
        return;
    }
    if (smtp_addr_parse(cmd->arg, cmd->arg_len, SMTP_ADDR_POSTMASTER, &a, &end, &error) < 0) {
        reply(s, 501, a.ecode != NULL ? a.ecode : "5.1.3", "Bad recipient address syntax");
        return;
    }
    if (check_params(s, cmd->arg + end, cmd->arg_len - end, SMTP_PARAM_RCPT, &params) < 0)
        return;
    if (s->rcpts.n >= s->cfg->rcpt_max) {
        reply(s, 452, "4.5.3", "Error: too many recipients");
        return;
    }
    if (sendmail_rcpts_add(&s->rcpts, a.addr, a.addr_len, &error) < 0) {
        reply(s, 501, "5.1.3", "Bad recipient address syntax");
        return;
    }
    reply(s, 250, "2.1.5", "Ok");
}

/* data_status_reply - the reply for a message that was not queued */
static void data_status_reply(struct bs *s, int status, const char *error)
{
    char text[300];

    if (status == EX_DATAERR) {
        reply(s, 552, "5.3.4", "Error: message exceeds a size limit");
        return;
    }
    snprintf(text, sizeof(text), "Error: queue file write error: %s", error);
    reply(s, 451, "4.3.0", text);
}

/* receive - read the message and write the drop; EX_OK with d->name */
static int receive(struct bs *s, struct sendmail_msg *m, struct sendmail_drop *d, const char **error_r)
{
    int status;

    if ((status = sendmail_msg_header(m, &s->rcpts, error_r)) != EX_OK)
        return status;
    if ((status = sendmail_drop_begin(d, s->cfg->drop_dirfd, s->sender, &s->rcpts, s->cfg->size_max, error_r))
        != EX_OK) {
        sendmail_msg_drain(m);
        return status;
    }
    if ((status = sendmail_msg_body(m, sendmail_drop_write, d, error_r)) != EX_OK) {
        sendmail_drop_abort(d);
        return status;
    }
    if (!sendmail_msg_ended(m)) { /* end of input inside DATA: no message */
        sendmail_drop_abort(d);
        return EX_NOINPUT;
    }
    return sendmail_drop_commit(d, error_r);
}

/* do_data - DATA: the message into one drop file */
static void do_data(struct bs *s)
{
    struct sendmail_msg_cfg mc = { .dot_ends = true, .unstuff = true };
    char date[MAIL_HEADER_DATE_MAX], msgid[SENDMAIL_MSGID_MAX];
    struct sendmail_drop d = { 0 };
    time_t now;
    struct sendmail_msg *m;
    const char *error = "";
    char text[100];
    int status;

    if (!s->has_mail || s->rcpts.n == 0) {
        reply(s, 503, "5.5.1", s->has_mail ? "Error: need RCPT command" : "Error: need MAIL command");
        return;
    }
    mc.header_max = s->cfg->header_max;
    mc.size_max = s->cfg->size_max;
    /* Missing From:, Date:, Message-ID: are added as for -bm (Postfix's
     * cleanup does the same for every local submission). */
    now = time(NULL);
    if (sendmail_hdr_message_id(s->cfg->hostname, now, msgid, &error) < 0) {
        reply(s, 451, "4.3.0", "Error: cannot make a Message-ID");
        reset(s);
        return;
    }
    mail_header_date(date, now);
    mc.hdr.from = sendmail_hdr_from(NULL, s->sender[0] != '\0' ? s->sender : s->cfg->login_addr);
    mc.hdr.date = date;
    mc.hdr.message_id = msgid;
    reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
    m = sendmail_msg_create(s->in, &mc);
    status = receive(s, m, &d, &error);
    if (status == EX_NOINPUT) {
        s->quit = true;
    } else if (status != EX_OK) {
        data_status_reply(s, status, error);
    } else {
        snprintf(text, sizeof(text), "Ok: queued as %s", d.name);
        reply(s, 250, "2.0.0", text);
    }
    sendmail_msg_destroy(&m);
    xfree(mc.hdr.from);
    reset(s);
}

/* dispatch - one parsed command */
static void dispatch(struct bs *s, const struct smtp_cmd *cmd)
{
    switch (cmd->verb) {
    case SMTP_VERB_EHLO:
    case SMTP_VERB_HELO:
        do_ehlo(s, cmd->verb == SMTP_VERB_EHLO);
        break;
    case SMTP_VERB_MAIL:
        do_mail(s, cmd);
        break;
    case SMTP_VERB_RCPT:
        do_rcpt(s, cmd);
        break;
    case SMTP_VERB_DATA:
        do_data(s);
        break;
    case SMTP_VERB_RSET:
        reset(s);
        reply(s, 250, "2.0.0", "Ok");
        break;
    case SMTP_VERB_NOOP:
        reply(s, 250, "2.0.0", "Ok");
        break;
    case SMTP_VERB_QUIT:
        reply(s, 221, "2.0.0", "Bye");
        s->quit = true;
        break;
    case SMTP_VERB_HELP:
        reply(s, 214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT");
        break;
    case SMTP_VERB_VRFY:
        reply(s, 502, "5.5.1", "VRFY command is disabled");
        break;
    default:
        reply(s, 500, "5.5.2", "Error: command not recognized");
        break;
    }
}

/* sendmail_bs_run - see sendmail_bs.h */
int sendmail_bs_run(FILE *in, FILE *out, const struct sendmail_bs_cfg *cfg)
{
    struct bs s = { .in = in, .out = out, .cfg = cfg };
    struct smtp_cmd cmd;
    const char *error;
    char greeting[SMTP_REPLY_LINE_MAX];
    int rc;

    s.line = buf_create(256, cfg->line_max);
    s.reply = buf_create(SMTP_REPLY_LINE_MAX, 4 * SMTP_REPLY_LINE_MAX);
    snprintf(greeting, sizeof(greeting), "%s ESMTP Petrel (sendmail -bs)", cfg->hostname);
    reply(&s, 220, NULL, greeting);
    while (!s.quit && !s.write_error && (rc = read_line(&s)) != 0) {
        if (rc < 0) {
            reply(&s, 500, "5.5.2", "Error: line too long");
        } else if (smtp_cmd_parse(s.line->data, s.line->len, cfg->line_max + 2, &cmd, &error) < 0) {
            reply(&s, cmd.reply, cmd.ecode, error);
        } else {
            dispatch(&s, &cmd);
        }
    }
    reset(&s);
    buf_destroy(&s.line);
    buf_destroy(&s.reply);
    return s.write_error ? EX_IOERR : EX_OK;
}
