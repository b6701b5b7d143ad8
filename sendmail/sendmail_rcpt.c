/* SPDX-License-Identifier: MIT
 * sendmail_rcpt - envelope address checks and the recipient list (see
 * sendmail_rcpt.h).
 *
 * Trusts: nothing; every address goes through smtp_addr_canon. Limits: an
 * address at most SMTP_ADDR_CANON_MAX bytes before the check (SMTP_PATH_MAX
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

/* sendmail_rcpts_add - see sendmail_rcpt.h */
int sendmail_rcpts_add(struct sendmail_rcpts *r, const char *s, size_t len, const char **error_r)
{
    char canon[SMTP_PATH_MAX + 1];
    const char *why;
    size_t i;

    if (smtp_addr_canon(s, len, false, canon, &why) < 0)
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
