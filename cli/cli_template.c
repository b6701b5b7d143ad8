/* SPDX-License-Identifier: MIT
 * cli_template - placeholder substitution in the shipped templates, the
 * port plan of an instance, and the instance block of petrel.conf.
 *
 * Input: templates shipped with the program; values checked here (port
 * base, setting names and values) or by the caller (host name, paths).
 * Limits: CLI_TEMPLATE_MAX bytes of output.
 */
#include "cli_template.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/params.h"
#include "util/buf.h"
#include "util/err.h"

#define PORT_MIN 1024
#define PORT_MAX 65535

const struct cli_template_port cli_template_ports[] = {
    { "PORT_SMTP", "SMTP", 25 },    { "PORT_SUBMISSION", "submission", 587 },
    { "PORT_SMTPS", "SMTPS", 465 }, { "PORT_POP3", "POP3", 110 },
    { "PORT_POP3S", "POP3S", 995 }, { "PORT_IMAP", "IMAP", 143 },
    { "PORT_IMAPS", "IMAPS", 993 }, { NULL, NULL, 0 },
};

#define PORT_COUNT (sizeof(cli_template_ports) / sizeof(cli_template_ports[0]) - 1)

/* is_name_start - may this byte start a placeholder name? */
static bool is_name_start(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* is_name_char - may this byte continue a placeholder name? */
static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '_';
}

/* name_length - the length of NAME when p starts "@NAME@", else 0 */
static size_t name_length(const char *p, size_t left)
{
    size_t i = 1;

    if (left < 3 || p[0] != '@' || !is_name_start(p[1]))
        return 0;
    while (i < left && is_name_char(p[i]))
        i++;
    if (i >= left || p[i] != '@')
        return 0;
    return i - 1;
}

/* var_find - the value of the n-byte name in vars, or NULL */
static const char *var_find(const struct cli_template_var *vars, const char *name, size_t n)
{
    for (; vars != NULL && vars->name != NULL; vars++)
        if (strlen(vars->name) == n && memcmp(vars->name, name, n) == 0)
            return vars->value;
    return NULL;
}

/* render_fail - undo a partial render and report why */
static int render_fail(struct buf *out, size_t keep, const char **error_r, const char *error)
{
    buf_truncate(out, keep);
    return errf(error_r, "%s", error);
}

/* cli_template_render - replace every @NAME@ in text */
int cli_template_render(const char *file_name, const char *text, size_t len,
                        const struct cli_template_var *vars, struct buf *out, const char **error_r)
{
    size_t keep = out->len, i = 0, start = 0, n;
    const char *value;
    int line = 1;

    while (i < len) {
        if (text[i] == '\n')
            line++;
        if ((n = name_length(text + i, len - i)) == 0) {
            i++;
            continue;
        }
        value = var_find(vars, text + i + 1, n);
        if (value == NULL)
            return render_fail(
                out, keep, error_r,
                err_fmt("%s line %d: unknown placeholder @%.*s@", file_name, line, (int)n, text + i + 1));
        if (buf_append(out, text + start, i - start) < 0 || buf_append_str(out, value) < 0)
            return render_fail(out, keep, error_r, err_fmt("%s: result too large", file_name));
        i += n + 2;
        /* An empty address leaves a bare port: "@LISTEN@:25" becomes "25". */
        if (value[0] == '\0' && i < len && text[i] == ':')
            i++;
        start = i;
    }
    if (buf_append(out, text + start, len - start) < 0)
        return render_fail(out, keep, error_r, err_fmt("%s: result too large", file_name));
    return 0;
}

/* cli_template_port_base_check - keep every port unprivileged and valid */
int cli_template_port_base_check(long long base, const char **error_r)
{
    int lowest = PORT_MAX, highest = 0;
    size_t i;

    for (i = 0; i < PORT_COUNT; i++) {
        if (cli_template_ports[i].port < lowest)
            lowest = cli_template_ports[i].port;
        if (cli_template_ports[i].port > highest)
            highest = cli_template_ports[i].port;
    }
    if (base + lowest < PORT_MIN || base + highest > PORT_MAX)
        return errf(error_r,
                    "port base %lld gives ports %lld to %lld; every port must lie in %d..%d, "
                    "so the base must be from %d to %d",
                    base, base + lowest, base + highest, PORT_MIN, PORT_MAX, PORT_MIN - lowest,
                    PORT_MAX - highest);
    return 0;
}

/* cli_template_port_base_parse - a decimal number, then the range check */
int cli_template_port_base_parse(const char *text, int *base_r, const char **error_r)
{
    long long v;
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return errf(error_r, "invalid port base \"%s\" (want a decimal number)", text);
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > PORT_MAX)
        return errf(error_r, "invalid port base \"%s\" (want a decimal number)", text);
    if (cli_template_port_base_check(v, error_r) < 0)
        return -1;
    *base_r = (int)v;
    return 0;
}

/* cli_template_master_conf - the service table for an instance or a package */
int cli_template_master_conf(const char *file_name, const char *text, size_t len, const char *listen,
                             int port_base, const char *mailbox_owner, struct buf *out, const char **error_r)
{
    struct cli_template_var vars[PORT_COUNT + 3];
    char ports[PORT_COUNT][16];
    size_t i;

    for (i = 0; i < PORT_COUNT; i++) {
        snprintf(ports[i], sizeof(ports[i]), "%d", port_base + cli_template_ports[i].port);
        vars[i].name = cli_template_ports[i].token;
        vars[i].value = ports[i];
    }
    vars[i].name = "LISTEN";
    vars[i].value = listen != NULL ? listen : "";
    vars[i + 1].name = "MAILBOX_OWNER";
    vars[i + 1].value = mailbox_owner != NULL ? mailbox_owner : CLI_TEMPLATE_MAILBOX_OWNER;
    vars[i + 2].name = NULL;
    vars[i + 2].value = NULL;
    return cli_template_render(file_name, text, len, vars, out, error_r);
}

/* check_setting - a known parameter and a value that fits on one line */
static int check_setting(const struct cli_template_var *s, const char **error_r)
{
    size_t n = strlen(s->value), i;

    if (param_lookup(s->name) == NULL)
        return errf(error_r, "unknown parameter %s", s->name);
    for (i = 0; i < n; i++)
        if ((unsigned char)s->value[i] < 0x20 || s->value[i] == 0x7f)
            return errf(error_r, "%s: control character in value", s->name);
    if (n > 0 && (s->value[0] == ' ' || s->value[n - 1] == ' '))
        return errf(error_r, "%s: white space at the start or end of \"%s\"", s->name, s->value);
    return 0;
}

/* setting_named - does the entry starting this line set one of settings? */
static bool setting_named(const struct cli_template_var *settings, const char *line, size_t n)
{
    size_t len = 0;

    while (len < n && line[len] != ' ' && line[len] != '\t' && line[len] != '=')
        len++;
    return var_find(settings, line, len) != NULL;
}

/* blank_line - nothing but white space on the n bytes of this line? */
static bool blank_line(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* copy_template - the template, with entries for settings commented out */
static int copy_template(const char *text, size_t len, const struct cli_template_var *settings,
                         struct buf *out)
{
    const char *p = text, *end = text + len, *nl;
    bool hide = false;
    size_t n;

    for (; p < end; p += n) {
        nl = memchr(p, '\n', (size_t)(end - p));
        n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        if (blank_line(p, n) || p[0] == '#') {
            if (buf_append(out, p, n) < 0)
                return -1;
            continue;
        }
        /* A line that starts with white space continues the entry above. */
        if (p[0] != ' ' && p[0] != '\t')
            hide = setting_named(settings, p, n);
        if ((hide && buf_append_char(out, '#') < 0) || buf_append(out, p, n) < 0)
            return -1;
    }
    if (len > 0 && text[len - 1] != '\n' && buf_append_char(out, '\n') < 0)
        return -1;
    return 0;
}

/* append_block - the heading as comments, then one "name = value" each */
static int append_block(const struct cli_template_var *settings, const char *heading, struct buf *out)
{
    const char *p = heading, *v;
    size_t n;

    if (buf_append_char(out, '\n') < 0)
        return -1;
    while (p != NULL && *p != '\0') {
        n = strcspn(p, "\n");
        if (buf_append_str(out, n > 0 ? "# " : "#") < 0 || buf_append(out, p, n) < 0
            || buf_append_char(out, '\n') < 0)
            return -1;
        p += n;
        if (*p == '\n')
            p++;
    }
    for (; settings->name != NULL; settings++) {
        if (buf_printf(out, "%s = ", settings->name) < 0)
            return -1;
        /* "$" would start an expansion: "$$" is a literal dollar sign. */
        for (v = settings->value; *v != '\0'; v++)
            if ((*v == '$' && buf_append_char(out, '$') < 0) || buf_append_char(out, *v) < 0)
                return -1;
        if (buf_append_char(out, '\n') < 0)
            return -1;
    }
    return 0;
}

/* cli_template_petrel_conf - the template plus the instance settings */
int cli_template_petrel_conf(const char *file_name, const char *text, size_t len,
                             const struct cli_template_var *settings, const char *heading, struct buf *out,
                             const char **error_r)
{
    const struct cli_template_var *s;
    size_t keep = out->len;

    for (s = settings; s->name != NULL; s++)
        if (check_setting(s, error_r) < 0)
            return -1;
    if (copy_template(text, len, settings, out) < 0 || append_block(settings, heading, out) < 0)
        return render_fail(out, keep, error_r, err_fmt("%s: result too large", file_name));
    return 0;
}
