/* SPDX-License-Identifier: MIT
 * sendmail_hdr - header block processing for local submission (see
 * sendmail_hdr.h).
 *
 * Trusts: nothing in the header text. Limits: the caller bounds the block
 * (header_size_limit) and out's maximum bounds the result.
 */
#include "sendmail_hdr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "util/alloc.h"
#include "util/err.h"

struct field {
    const char *p; /* the whole field, continuation lines and CRLFs included */
    size_t len;
    size_t name_len;  /* the name, without white space before the colon */
    size_t value_off; /* just after the colon */
};

/* sendmail_hdr_is_field - see sendmail_hdr.h */
bool sendmail_hdr_is_field(const char *line, size_t len)
{
    size_t i = 0;

    while (i < len && (unsigned char)line[i] > 0x20 && (unsigned char)line[i] < 0x7f && line[i] != ':')
        i++;
    if (i == 0)
        return false;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

/* next_field - the field starting at text[*off]; false at the end */
static bool next_field(const char *text, size_t len, size_t *off, struct field *f)
{
    const char *nl;
    size_t end = *off, i;

    if (*off >= len)
        return false;
    do {
        nl = memchr(text + end, '\n', len - end);
        end = nl == NULL ? len : (size_t)(nl - text) + 1;
    } while (end < len && (text[end] == ' ' || text[end] == '\t'));
    f->p = text + *off;
    f->len = end - *off;
    for (i = 0; i < f->len && f->p[i] != ':'; i++)
        ;
    f->value_off = i < f->len ? i + 1 : f->len;
    while (i > 0 && (f->p[i - 1] == ' ' || f->p[i - 1] == '\t'))
        i--;
    f->name_len = i;
    *off = end;
    return true;
}

/* is_name - is the field's name s (case-insensitive)? */
static bool is_name(const struct field *f, const char *s)
{
    return f->name_len == strlen(s) && strncasecmp(f->p, s, f->name_len) == 0;
}

/* extract - recipients of one To:/Cc:/Bcc: field */
static int extract(const struct field *f, struct sendmail_rcpts *r, const char **error_r)
{
    const char *why, *v = f->p + f->value_off;
    size_t n = f->len - f->value_off;

    if (sendmail_rcpts_add_list(r, v, n, &why) < 0) {
        while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n'))
            n--;
        while (n > 0 && (v[0] == ' ' || v[0] == '\t')) {
            v++;
            n--;
        }
        return errf(error_r, "unparseable address in the %.*s: header \"%.*s\": %s", (int)f->name_len, f->p,
                    (int)(n > 200 ? 200 : n), v, why);
    }
    return 0;
}

/* add_header - "Name: value\r\n" */
static int add_header(struct buf *out, const char *name, const char *value)
{
    return buf_printf(out, "%s: %s\r\n", name, value);
}

/* sendmail_hdr_process - see sendmail_hdr.h */
int sendmail_hdr_process(const char *text, size_t len, const struct sendmail_hdr_cfg *cfg,
                         struct sendmail_rcpts *r, struct buf *out, const char **error_r)
{
    bool has_from = false, has_date = false, has_msgid = false, is_bcc;
    struct field f;
    size_t off = 0;

    while (next_field(text, len, &off, &f)) {
        is_bcc = is_name(&f, "Bcc");
        if (cfg->extract && (is_name(&f, "To") || is_name(&f, "Cc") || is_bcc) && extract(&f, r, error_r) < 0)
            return -1;
        has_from |= is_name(&f, "From");
        has_date |= is_name(&f, "Date");
        has_msgid |= is_name(&f, "Message-ID");
        if (!is_bcc && buf_append(out, f.p, f.len) < 0)
            return errf(error_r, "message header too big");
    }
    if (cfg->from == NULL) {
        has_from = has_date = has_msgid = true;
    }
    if ((!has_from && add_header(out, "From", cfg->from) < 0)
        || (!has_date && add_header(out, "Date", cfg->date) < 0)
        || (!has_msgid && add_header(out, "Message-ID", cfg->message_id) < 0)
        || buf_append(out, "\r\n", 2) < 0)
        return errf(error_r, "message header too big");
    return 0;
}

/* sendmail_hdr_message_id - see sendmail_hdr.h */
int sendmail_hdr_message_id(const char *hostname, time_t t, char out[SENDMAIL_MSGID_MAX],
                            const char **error_r)
{
    unsigned char rnd[8];
    char stamp[32];
    struct tm tm;
    int n;

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return errf(error_r, "no random bytes for a Message-ID");
    if (gmtime_r(&t, &tm) == NULL || strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) == 0)
        snprintf(stamp, sizeof(stamp), "0");
    n = snprintf(out, SENDMAIL_MSGID_MAX, "<%s.%02x%02x%02x%02x%02x%02x%02x%02x@%s>", stamp, rnd[0], rnd[1],
                 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], hostname);
    if (n < 0 || n >= SENDMAIL_MSGID_MAX)
        return errf(error_r, "host name too long for a Message-ID");
    return 0;
}

/* needs_quotes - a phrase character that is not atext or space */
static bool needs_quotes(const char *s)
{
    for (; *s; s++) {
        if (strchr("()<>[]:;@\\,.\"", *s) != NULL)
            return true;
    }
    return false;
}

/* sendmail_hdr_from - see sendmail_hdr.h */
char *sendmail_hdr_from(const char *name, const char *addr)
{
    struct buf b;
    const char *p;
    bool quote;
    char *s;

    if (name == NULL || name[0] == '\0')
        return xstrdup(addr);
    buf_init(&b, 128, strlen(name) * 2 + strlen(addr) + 8);
    quote = needs_quotes(name);
    if (quote)
        (void)buf_append_char(&b, '"');
    for (p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (quote && (c == '"' || c == '\\'))
            (void)buf_append_char(&b, '\\');
        (void)buf_append_char(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
    }
    if (quote)
        (void)buf_append_char(&b, '"');
    (void)buf_printf(&b, " <%s>", addr);
    s = xstrdup(buf_str(&b));
    buf_deinit(&b);
    return s;
}
