/* SPDX-License-Identifier: MIT
 * smtp_addr - RFC 5321 Reverse-path / Forward-path parser with a cursor
 * over the untrusted argument; writes only into the fixed arrays of
 * struct smtp_addr, whose sizes follow from the limits in smtp_addr.h.
 */
#include "smtp/smtp_addr.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "smtp/smtp_utf8.h"
#include "util/err.h"

struct cur {
    const unsigned char *s;
    size_t len;
    size_t i;
    unsigned flags;
    struct smtp_addr *a;
    const char **error_r;
};

#define PEEK(c) ((c)->i < (c)->len ? (c)->s[(c)->i] : -1)

/* syntax - a syntax error with the right enhanced code */
static int syntax(struct cur *c, const char *why)
{
    c->a->ecode = (c->flags & SMTP_ADDR_REVERSE) ? "5.1.7" : "5.1.3";
    return errf(c->error_r, "%s", why);
}

/* utf8_at - length of a permitted non-ASCII character at the cursor, or
 * -1 after reporting why it is not permitted */
static int utf8_at(struct cur *c)
{
    size_t n;

    if (!(c->flags & SMTP_ADDR_UTF8)) {
        c->a->ecode = "5.6.7";
        return errf(c->error_r, "non-ASCII character in address without SMTPUTF8");
    }
    n = smtp_utf8_seq(c->s + c->i, c->len - c->i);
    if (n == 0)
        return syntax(c, "invalid UTF-8 in address");
    c->a->has_utf8 = true;
    return (int)n;
}

/* is_atext - RFC 5322 atext (ASCII part) */
static bool is_atext(int ch)
{
    return ch > 0x20 && ch < 0x7f && strchr("()<>[]:;@\\,.\"", ch) == NULL;
}

/* put_local - append n bytes to the dequoted local part */
static int put_local(struct cur *c, const unsigned char *p, size_t n, size_t *len)
{
    if (*len + n > SMTP_LOCAL_MAX)
        return syntax(c, "local part longer than 64 octets");
    memcpy(c->a->local + *len, p, n);
    *len += n;
    c->a->local[*len] = 0;
    if (n == 1 && (*p == '%' || *p == '!' || *p == '@'))
        c->a->local_routing = true;
    return 0;
}

/* parse_quoted - Quoted-string local part (cursor on the opening quote) */
static int parse_quoted(struct cur *c, size_t *len)
{
    int ch, n;

    c->a->local_quoted = true;
    c->i++;
    while ((ch = PEEK(c)) != '"') {
        n = 1;
        if (ch < 0)
            return syntax(c, "unterminated quoted local part");
        if (ch == '\\') {
            c->i++;
            ch = PEEK(c);
            if (ch < 0x20 || ch > 0x7e)
                return syntax(c, "invalid quoted-pair in local part");
        } else if (ch >= 0x80 && (n = utf8_at(c)) < 0) {
            return -1;
        } else if (ch < 0x20 || ch == 0x7f) {
            return syntax(c, "control character in address");
        }
        if (put_local(c, c->s + c->i, (size_t)n, len) < 0)
            return -1;
        c->i += (size_t)n;
    }
    c->i++;
    return 0;
}

/* parse_dotstring - Dot-string local part */
static int parse_dotstring(struct cur *c, size_t *len)
{
    bool need_atom = true;
    int ch, n;

    for (;;) {
        ch = PEEK(c);
        n = 1;
        if (ch >= 0x80) {
            if ((n = utf8_at(c)) < 0)
                return -1;
        } else if (ch == '.' && !need_atom) {
            need_atom = true;
            if (put_local(c, c->s + c->i, 1, len) < 0)
                return -1;
            c->i++;
            continue;
        } else if (ch < 0 || !is_atext(ch)) {
            break;
        }
        if (put_local(c, c->s + c->i, (size_t)n, len) < 0)
            return -1;
        c->i += (size_t)n;
        need_atom = false;
    }
    if (ch >= 0 && (ch < 0x20 || ch == 0x7f))
        return syntax(c, "control character in address");
    if (*len == 0)
        return syntax(c, ch == '@' || ch == '>' || ch < 0 ? "empty local part"
                                                          : "invalid character in local part");
    if (need_atom || ch == '.')
        return syntax(c, "misplaced \".\" in local part");
    return 0;
}

/* is_ldh - a letter, digit or hyphen, or a byte of a UTF-8 U-label */
static bool is_ldh(int ch)
{
    return ch >= 0x80 || ch == '-' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
           || (ch >= '0' && ch <= '9');
}

/* parse_label - one LDH (or U-label) label, lower-cased into out */
static int parse_label(struct cur *c, char *out, size_t *olen)
{
    size_t start = c->i, n;
    int ch;

    while ((ch = PEEK(c)) >= 0 && is_ldh(ch)) {
        n = 1;
        if (ch >= 0x80) {
            int u = utf8_at(c);
            if (u < 0)
                return -1;
            n = (size_t)u;
        }
        if (*olen + n > SMTP_DOMAIN_MAX)
            return syntax(c, "domain longer than 255 octets");
        memcpy(out + *olen, c->s + c->i, n);
        if (n == 1 && ch >= 'A' && ch <= 'Z')
            out[*olen] = (char)(ch - 'A' + 'a');
        *olen += n;
        c->i += n;
    }
    out[*olen] = 0;
    if (c->i == start)
        return syntax(c, ch >= 0 && (ch < 0x20 || ch == 0x7f) ? "control character in address"
                                                              : "empty or invalid label in domain");
    if (c->s[start] == '-' || c->s[c->i - 1] == '-')
        return syntax(c, "domain label starts or ends with \"-\"");
    if (c->i - start > 63)
        return syntax(c, "domain label longer than 63 octets");
    return 0;
}

/* parse_domain_name - sub-domain *("." sub-domain) */
static int parse_domain_name(struct cur *c, char *out, size_t *olen)
{
    for (;;) {
        if (parse_label(c, out, olen) < 0)
            return -1;
        if (PEEK(c) != '.')
            return 0;
        if (*olen + 1 > SMTP_DOMAIN_MAX)
            return syntax(c, "domain longer than 255 octets");
        out[(*olen)++] = '.';
        c->i++;
    }
}

/* parse_literal - [IPv4] or [IPv6:...], canonical via inet_ntop */
static int parse_literal(struct cur *c, char *out, size_t *olen)
{
    char text[64], canon[INET6_ADDRSTRLEN];
    unsigned char bin[16];
    const char *p = text;
    size_t n = 0;
    int af = AF_INET, ch;

    c->i++;
    while ((ch = PEEK(c)) >= 0 && ch != ']') {
        if (n + 1 >= sizeof(text) || ch <= 0x20 || ch >= 0x7f || ch == '[' || ch == '\\')
            return syntax(c, "invalid address literal");
        text[n++] = (char)ch;
        c->i++;
    }
    text[n] = 0;
    if (ch != ']')
        return syntax(c, "unterminated address literal");
    c->i++;
    if (n > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
        af = AF_INET6;
        p += 5;
    } else if (strchr(text, ':') != NULL) {
        return syntax(c, "general address literals are not supported");
    }
    if (inet_pton(af, p, bin) != 1 || inet_ntop(af, bin, canon, sizeof(canon)) == NULL)
        return syntax(c, af == AF_INET ? "invalid IPv4 address literal" : "invalid IPv6 address literal");
    *olen =
        (size_t)(stpcpy(stpcpy(stpcpy(stpcpy(out, "["), af == AF_INET6 ? "IPv6:" : ""), canon), "]") - out);
    c->a->domain_literal = true;
    return 0;
}

/* parse_route - A-d-l: "@" Domain *("," "@" Domain) ":" (dropped) */
static int parse_route(struct cur *c)
{
    char scratch[SMTP_DOMAIN_MAX + 1];
    size_t n;

    c->a->had_source_route = true;
    for (;;) {
        if (PEEK(c) != '@')
            return syntax(c, "invalid source route");
        c->i++;
        n = 0;
        if (parse_domain_name(c, scratch, &n) < 0)
            return -1;
        if (PEEK(c) == ':') {
            c->i++;
            return 0;
        }
        if (PEEK(c) != ',')
            return syntax(c, "invalid source route");
        c->i++;
    }
}

/* needs_quotes - the dequoted local part is not a valid Dot-string */
static bool needs_quotes(const struct smtp_addr *a)
{
    const char *p = a->local;

    if (*p == 0 || *p == '.')
        return true;
    for (; *p; p++) {
        if (!((unsigned char)*p >= 0x80 || is_atext(*p) || (*p == '.' && p[1] != '.' && p[1] != 0)))
            return true;
    }
    return false;
}

/* canonical - build addr from local part and domain */
static void canonical(struct smtp_addr *a)
{
    char *o = a->addr;
    const char *p;

    if (!a->is_null && needs_quotes(a)) {
        *o++ = '"';
        for (p = a->local; *p; p++) {
            if (*p == '"' || *p == '\\')
                *o++ = '\\';
            *o++ = *p;
        }
        *o++ = '"';
    } else {
        o = stpcpy(o, a->local);
    }
    if (a->domain[0] != 0) {
        *o++ = '@';
        o = stpcpy(o, a->domain);
    }
    *o = 0;
    a->addr_len = (size_t)(o - a->addr);
}

/* parse_mailbox - Local-part "@" (Domain / address-literal), or postmaster */
static int parse_mailbox(struct cur *c)
{
    size_t llen = 0, dlen = 0, start = c->i;

    if (PEEK(c) == '"' ? parse_quoted(c, &llen) < 0 : parse_dotstring(c, &llen) < 0)
        return -1;
    if (c->i - start > SMTP_LOCAL_MAX)
        return syntax(c, "local part longer than 64 octets");
    if (PEEK(c) != '@') {
        if ((c->flags & SMTP_ADDR_POSTMASTER) && !c->a->local_quoted && !c->a->had_source_route
            && strcasecmp(c->a->local, "postmaster") == 0) {
            c->a->is_postmaster = true;
            memcpy(c->a->local, "postmaster", sizeof("postmaster"));
            return 0;
        }
        return syntax(c, PEEK(c) == '>' || PEEK(c) < 0 ? "address has no domain"
                                                       : "invalid character in local part");
    }
    c->i++;
    if (PEEK(c) == '[')
        return parse_literal(c, c->a->domain, &dlen);
    return parse_domain_name(c, c->a->domain, &dlen);
}

/* parse_path - "<" [A-d-l ":"] Mailbox ">" or "<>" */
static int parse_path(struct cur *c)
{
    bool bracket = PEEK(c) == '<';

    if (!bracket && !(c->flags & SMTP_ADDR_NO_BRACKETS))
        return syntax(c, PEEK(c) < 0 ? "missing address" : "address must be enclosed in \"<\" and \">\"");
    if (bracket)
        c->i++;
    if (bracket && PEEK(c) == '>') {
        if (!(c->flags & SMTP_ADDR_REVERSE))
            return syntax(c, "null address not allowed here");
        c->a->is_null = true;
    } else {
        if (PEEK(c) == '@' && parse_route(c) < 0)
            return -1;
        if (parse_mailbox(c) < 0)
            return -1;
    }
    if (bracket && PEEK(c) != '>') {
        if (PEEK(c) >= 0 && (PEEK(c) < 0x20 || PEEK(c) == 0x7f))
            return syntax(c, "control character in address");
        return syntax(c, PEEK(c) < 0 ? "missing \">\" after address" : "invalid character in domain");
    }
    c->i += bracket;
    /* the limit is on the path with its brackets, given or not */
    if (c->i + (bracket ? 0 : 2) > SMTP_PATH_MAX)
        return syntax(c, "address longer than 256 octets");
    if (PEEK(c) >= 0 && PEEK(c) != ' ')
        return syntax(c, bracket ? "text after \">\"" : "invalid character in address");
    return 0;
}

/* smtp_addr_parse - parse one path and its canonical form */
int smtp_addr_parse(const char *s, size_t len, unsigned flags, struct smtp_addr *addr_r, size_t *end_r,
                    const char **error_r)
{
    struct cur c = { (const unsigned char *)s, len, 0, flags, addr_r, error_r };

    memset(addr_r, 0, sizeof(*addr_r));
    if (parse_path(&c) < 0)
        return -1;
    canonical(addr_r);
    while (c.i < len && s[c.i] == ' ')
        c.i++;
    *end_r = c.i;
    return 0;
}
