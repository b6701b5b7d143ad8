/* SPDX-License-Identifier: MIT
 * sendmail_rcpt - envelope address checks and the recipient list (see
 * sendmail_rcpt.h).
 *
 * Trusts: nothing; every address goes through smtp_addr_parse. Limits: an
 * address at most SENDMAIL_ADDR_MAX bytes before the check (SMTP_PATH_MAX
 * after it), QF_RCPT_MAX recipients. The duplicate check is a linear scan:
 * quadratic only for lists nobody submits by hand.
 */
#include "sendmail_rcpt.h"

#include <stdio.h>
#include <string.h>

#include "mail/queue_file.h"
#include "sendmail_addr.h"
#include "util/alloc.h"
#include "util/err.h"

/* a domain used only to check a bare local part as an SMTP path */
#define CHECK_DOMAIN "@localhost"

/* has_domain - an '@' outside quotes and before the end? */
static bool has_domain(const char *s, size_t len)
{
    bool quoted = false;
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\\' && quoted)
            i++;
        else if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == '@' && !quoted && i > 0)
            return true;
    }
    return false;
}

/* sendmail_addr_canon - see sendmail_rcpt.h */
int sendmail_addr_canon(const char *s, size_t len, bool null_ok, char out[SMTP_PATH_MAX + 1],
                        const char **error_r)
{
    char path[SENDMAIL_ADDR_MAX + sizeof(CHECK_DOMAIN) + 3];
    struct smtp_addr a;
    const char *why;
    size_t end, n;
    bool bare;

    if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
        s++;
        len -= 2;
    }
    if (len == 0) {
        if (!null_ok)
            return errf(error_r, "empty address");
        out[0] = '\0';
        return 0;
    }
    if (len > SENDMAIL_ADDR_MAX || memchr(s, '\0', len) != NULL)
        return errf(error_r, "address too long or with a NUL byte");
    bare = !has_domain(s, len);
    n = (size_t)snprintf(path, sizeof(path), "<%.*s%s>", (int)len, s, bare ? CHECK_DOMAIN : "");
    if (smtp_addr_parse(path, n, 0, &a, &end, &why) < 0)
        return errf(error_r, "%s", why);
    if (end != n)
        return errf(error_r, "text after the address");
    if (bare) {
        if (a.addr_len < sizeof(CHECK_DOMAIN) - 1)
            return errf(error_r, "bad local part");
        a.addr[a.addr_len - (sizeof(CHECK_DOMAIN) - 1)] = '\0';
    }
    memcpy(out, a.addr, strlen(a.addr) + 1);
    return 0;
}

/* sendmail_rcpts_add - see sendmail_rcpt.h */
int sendmail_rcpts_add(struct sendmail_rcpts *r, const char *s, size_t len, const char **error_r)
{
    char canon[SMTP_PATH_MAX + 1];
    const char *why;
    size_t i;

    if (sendmail_addr_canon(s, len, false, canon, &why) < 0)
        return errf(error_r, "bad address \"%.*s\": %s", (int)(len > 200 ? 200 : len), s, why);
    for (i = 0; i < r->n; i++) {
        if (strcmp(r->v[i], canon) == 0)
            return 0;
    }
    if (r->n >= QF_RCPT_MAX)
        return errf(error_r, "more than %d recipients", QF_RCPT_MAX);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
    }
    r->v[r->n++] = xstrdup(canon);
    return 0;
}

/* add_one - sendmail_addr_fn adding to the list in ctx */
static int add_one(void *ctx, const char *addr, size_t len, const char **error_r)
{
    return sendmail_rcpts_add(ctx, addr, len, error_r);
}

/* sendmail_rcpts_add_list - see sendmail_rcpt.h */
int sendmail_rcpts_add_list(struct sendmail_rcpts *r, const char *s, size_t len, const char **error_r)
{
    return sendmail_addr_list_parse(s, len, add_one, r, error_r);
}

/* sendmail_rcpts_free - see sendmail_rcpt.h */
void sendmail_rcpts_free(struct sendmail_rcpts *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        xfree(r->v[i]);
    xfree(r->v);
    r->n = r->cap = 0;
}
