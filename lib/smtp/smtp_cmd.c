/* SPDX-License-Identifier: MIT
 * smtp_cmd - SMTP command line splitting: verb table, argument rules,
 * the MAIL FROM: / RCPT TO: prefixes. See smtp_cmd.h for what is accepted.
 */
#include "smtp/smtp_cmd.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

enum arg_rule {
    ARG_NONE,     /* no argument allowed */
    ARG_OPTIONAL, /* anything or nothing */
    ARG_REQUIRED, /* must have an argument */
};

struct verb_def {
    const char *name;
    enum smtp_verb verb;
    enum arg_rule arg;
    const char *prefix; /* "FROM:" / "TO:" for MAIL and RCPT */
};

/* clang-format off */
static const struct verb_def verbs[] = {
    { "EHLO", SMTP_VERB_EHLO, ARG_REQUIRED, NULL },
    { "HELO", SMTP_VERB_HELO, ARG_REQUIRED, NULL },
    { "MAIL", SMTP_VERB_MAIL, ARG_REQUIRED, "FROM:" },
    { "RCPT", SMTP_VERB_RCPT, ARG_REQUIRED, "TO:" },
    { "DATA", SMTP_VERB_DATA, ARG_NONE, NULL },
    { "BDAT", SMTP_VERB_BDAT, ARG_REQUIRED, NULL },
    { "RSET", SMTP_VERB_RSET, ARG_NONE, NULL },
    { "NOOP", SMTP_VERB_NOOP, ARG_OPTIONAL, NULL },
    { "QUIT", SMTP_VERB_QUIT, ARG_NONE, NULL },
    { "VRFY", SMTP_VERB_VRFY, ARG_REQUIRED, NULL },
    { "HELP", SMTP_VERB_HELP, ARG_OPTIONAL, NULL },
    { "STARTTLS", SMTP_VERB_STARTTLS, ARG_NONE, NULL },
    { "AUTH", SMTP_VERB_AUTH, ARG_REQUIRED, NULL },
    { "GET", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
    { "POST", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
    { "HEAD", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
    { "PUT", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
    { "CONNECT", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
    { "OPTIONS", SMTP_VERB_HTTP, ARG_OPTIONAL, NULL },
};
/* clang-format on */

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

/* fail - set the suggested reply and the error text */
static int fail(struct smtp_cmd *cmd, int reply, const char *ecode, const char **error_r, const char *text)
{
    cmd->reply = reply;
    cmd->ecode = ecode;
    return errf(error_r, "%s", text);
}

/* find_verb - the table row for a word, or NULL */
static const struct verb_def *find_verb(const char *w, size_t len)
{
    size_t i;

    for (i = 0; i < NVERBS; i++) {
        if (strlen(verbs[i].name) == len && strncasecmp(verbs[i].name, w, len) == 0)
            return &verbs[i];
    }
    return NULL;
}

/* skip_spaces - index of the first non-space at or after i */
static size_t skip_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] == ' ')
        i++;
    return i;
}

/* check_prefix - after MAIL/RCPT: "FROM:"/"TO:", then the path */
static int check_prefix(const struct verb_def *v, struct smtp_cmd *cmd, const char **error_r)
{
    size_t plen = strlen(v->prefix);
    const char *syntax =
        v->verb == SMTP_VERB_MAIL ? "syntax: MAIL FROM:<address>" : "syntax: RCPT TO:<address>";

    if (cmd->arg_len < plen || strncasecmp(cmd->arg, v->prefix, plen) != 0)
        return fail(cmd, 501, "5.5.4", error_r, syntax);
    cmd->arg += plen;
    cmd->arg_len -= plen;
    plen = skip_spaces(cmd->arg, cmd->arg_len, 0);
    cmd->arg += plen;
    cmd->arg_len -= plen;
    if (cmd->arg_len == 0)
        return fail(cmd, 501, "5.5.4", error_r, syntax);
    return 0;
}

/* check_arg - apply the verb's argument rule */
static int check_arg(const struct verb_def *v, struct smtp_cmd *cmd, const char **error_r)
{
    if (v->arg == ARG_NONE && cmd->arg_len > 0) {
        cmd->reply = 501;
        cmd->ecode = "5.5.4";
        return errf(error_r, "syntax: %s takes no argument", v->name);
    }
    if (v->arg == ARG_REQUIRED && cmd->arg_len == 0) {
        cmd->reply = 501;
        cmd->ecode = "5.5.4";
        if (v->prefix != NULL)
            return check_prefix(v, cmd, error_r);
        return errf(error_r, "syntax: %s needs an argument", v->name);
    }
    if (v->prefix != NULL)
        return check_prefix(v, cmd, error_r);
    return 0;
}

/* smtp_cmd_parse - split one command line */
int smtp_cmd_parse(const char *line, size_t len, size_t max_line, struct smtp_cmd *cmd_r,
                   const char **error_r)
{
    const struct verb_def *v;
    size_t i, end;

    memset(cmd_r, 0, sizeof(*cmd_r));
    if (len > max_line || max_line - len < 2)
        return fail(cmd_r, 500, "5.5.2", error_r, "line too long");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 || c == 0x7f)
            return fail(cmd_r, 500, "5.5.2", error_r, "control character in command");
    }
    i = skip_spaces(line, len, 0);
    cmd_r->word = line + i;
    while (i < len && line[i] != ' ')
        i++;
    cmd_r->word_len = (size_t)(line + i - cmd_r->word);
    if (cmd_r->word_len == 0)
        return fail(cmd_r, 500, "5.5.2", error_r, "empty command");
    end = len;
    while (end > i && line[end - 1] == ' ')
        end--;
    i = skip_spaces(line, end, i);
    cmd_r->arg = line + i;
    cmd_r->arg_len = end - i;
    v = find_verb(cmd_r->word, cmd_r->word_len);
    if (v == NULL) {
        cmd_r->verb = cmd_r->word[cmd_r->word_len - 1] == ':' ? SMTP_VERB_HEADER : SMTP_VERB_UNKNOWN;
        return 0;
    }
    cmd_r->verb = v->verb;
    return check_arg(v, cmd_r, error_r);
}

/* smtp_verb_name - printable verb name */
const char *smtp_verb_name(enum smtp_verb verb)
{
    size_t i;

    if (verb == SMTP_VERB_HTTP)
        return "http";
    if (verb == SMTP_VERB_HEADER)
        return "header";
    for (i = 0; i < NVERBS; i++) {
        if (verbs[i].verb == verb)
            return verbs[i].name;
    }
    return "unknown";
}
