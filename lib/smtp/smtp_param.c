/* SPDX-License-Identifier: MIT
 * smtp_param - ESMTP parameter splitting and one checker per keyword,
 * driven by a table (keyword, commands, value rule, checker).
 */
#include "smtp/smtp_param.h"

#include <string.h>
#include <strings.h>

#include "smtp/smtp_xtext.h"
#include "util/err.h"

#define ON_MAIL 1u
#define ON_RCPT 2u

struct val {
    const char *s;
    size_t len;
};

typedef int param_fn(struct smtp_params *p, struct val v, const char **error_r);

struct param_def {
    const char *name;
    unsigned on;
    bool has_value;
    param_fn *fn;
};

/* is_word - v equals word, ignoring case */
static bool is_word(struct val v, const char *word)
{
    return strlen(word) == v.len && strncasecmp(v.s, word, v.len) == 0;
}

/* p_size - SIZE=digits, at most 20 of them, no overflow */
static int p_size(struct smtp_params *p, struct val v, const char **error_r)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < v.len; i++) {
        unsigned d = (unsigned)(v.s[i] - '0');
        if (d > 9)
            return errf(error_r, "invalid SIZE value (digits expected)");
        if (n > (UINT64_MAX - d) / 10)
            return errf(error_r, "SIZE value too large");
        n = n * 10 + d;
    }
    p->has_size = true;
    p->size = n;
    return 0;
}

/* p_body - BODY=7BIT|8BITMIME|BINARYMIME */
static int p_body(struct smtp_params *p, struct val v, const char **error_r)
{
    if (is_word(v, "7BIT"))
        p->body = SMTP_BODY_7BIT;
    else if (is_word(v, "8BITMIME"))
        p->body = SMTP_BODY_8BITMIME;
    else if (is_word(v, "BINARYMIME"))
        p->body = SMTP_BODY_BINARYMIME;
    else
        return errf(error_r, "invalid BODY value (use 7BIT, 8BITMIME or BINARYMIME)");
    return 0;
}

/* p_smtputf8 - SMTPUTF8 */
static int p_smtputf8(struct smtp_params *p, struct val v, const char **error_r)
{
    (void)v;
    (void)error_r;
    p->smtputf8 = true;
    return 0;
}

/* p_ret - RET=FULL|HDRS */
static int p_ret(struct smtp_params *p, struct val v, const char **error_r)
{
    if (is_word(v, "FULL"))
        p->ret = SMTP_RET_FULL;
    else if (is_word(v, "HDRS"))
        p->ret = SMTP_RET_HDRS;
    else
        return errf(error_r, "invalid RET value (use FULL or HDRS)");
    return 0;
}

/* p_envid - ENVID=xtext of at most 100 characters */
static int p_envid(struct smtp_params *p, struct val v, const char **error_r)
{
    const char *why;
    size_t n;

    if (v.len > SMTP_ENVID_MAX)
        return errf(error_r, "ENVID longer than %d characters", SMTP_ENVID_MAX);
    if (smtp_xtext_decode(v.s, v.len, p->envid, sizeof(p->envid), &n, &why) < 0)
        return errf(error_r, "invalid ENVID: %s", why);
    p->has_envid = true;
    return 0;
}

/* p_auth - AUTH=<> or AUTH=xtext (RFC 4954 section 5) */
static int p_auth(struct smtp_params *p, struct val v, const char **error_r)
{
    const char *why;
    size_t n;

    if (smtp_xtext_decode(v.s, v.len, p->auth, sizeof(p->auth), &n, &why) < 0)
        return errf(error_r, "invalid AUTH: %s", why);
    p->has_auth = true;
    return 0;
}

/* p_notify - NOTIFY=NEVER or a comma list of SUCCESS, DELAY, FAILURE */
static int p_notify(struct smtp_params *p, struct val v, const char **error_r)
{
    size_t i = 0, j;
    unsigned bit;

    while (i <= v.len) {
        struct val w = { v.s + i, 0 };
        j = i;
        while (j < v.len && v.s[j] != ',')
            j++;
        w.len = j - i;
        if (is_word(w, "NEVER"))
            bit = SMTP_NOTIFY_NEVER;
        else if (is_word(w, "SUCCESS"))
            bit = SMTP_NOTIFY_SUCCESS;
        else if (is_word(w, "DELAY"))
            bit = SMTP_NOTIFY_DELAY;
        else if (is_word(w, "FAILURE"))
            bit = SMTP_NOTIFY_FAILURE;
        else
            return errf(error_r, "invalid NOTIFY value (use NEVER, or SUCCESS, DELAY, FAILURE)");
        if (p->notify & bit)
            return errf(error_r, "NOTIFY value listed twice");
        p->notify |= bit;
        i = j + 1;
    }
    if ((p->notify & SMTP_NOTIFY_NEVER) && p->notify != SMTP_NOTIFY_NEVER)
        return errf(error_r, "NOTIFY=NEVER cannot be combined with other values");
    return 0;
}

/* p_orcpt - ORCPT=rfc822;xtext or ORCPT=utf-8;xtext */
static int p_orcpt(struct smtp_params *p, struct val v, const char **error_r)
{
    const char *semi = memchr(v.s, ';', v.len), *why;
    struct val type = { v.s, semi == NULL ? 0 : (size_t)(semi - v.s) };
    size_t n;

    if (semi == NULL)
        return errf(error_r, "invalid ORCPT (addr-type;address expected)");
    if (is_word(type, "utf-8"))
        p->orcpt_utf8 = true;
    else if (!is_word(type, "rfc822"))
        return errf(error_r, "unsupported ORCPT address type (use rfc822 or utf-8)");
    if (smtp_xtext_decode(semi + 1, v.len - type.len - 1, p->orcpt, sizeof(p->orcpt), &n, &why) < 0)
        return errf(error_r, "invalid ORCPT: %s", why);
    if (n == 0)
        return errf(error_r, "invalid ORCPT: empty address");
    p->has_orcpt = true;
    return 0;
}

/* clang-format off */
static const struct param_def params[] = {
    { "SIZE", ON_MAIL, true, p_size },
    { "BODY", ON_MAIL, true, p_body },
    { "SMTPUTF8", ON_MAIL, false, p_smtputf8 },
    { "RET", ON_MAIL, true, p_ret },
    { "ENVID", ON_MAIL, true, p_envid },
    { "AUTH", ON_MAIL, true, p_auth },
    { "NOTIFY", ON_RCPT, true, p_notify },
    { "ORCPT", ON_RCPT, true, p_orcpt },
};
/* clang-format on */

/* check_item - syntax of one KEYWORD[=VALUE] item; sets key and value */
static int check_item(const char *s, size_t len, struct val *key, struct val *value, const char **error_r)
{
    const char *eq = memchr(s, '=', len);
    size_t i;

    key->s = s;
    key->len = eq == NULL ? len : (size_t)(eq - s);
    value->s = eq == NULL ? NULL : eq + 1;
    value->len = eq == NULL ? 0 : len - key->len - 1;
    for (i = 0; i < key->len; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || c != '-'))
            return errf(error_r, "invalid parameter keyword");
    }
    if (key->len == 0)
        return errf(error_r, "invalid parameter keyword");
    if (eq != NULL && value->len == 0)
        return errf(error_r, "empty value for parameter %.*s", (int)key->len, key->s);
    for (i = 0; i < value->len; i++) {
        unsigned char c = (unsigned char)value->s[i];
        if (c < 33 || c == '=' || c == 0x7f)
            return errf(error_r, "invalid character in the value of %.*s", (int)key->len, key->s);
    }
    return 0;
}

/* one_param - look up and apply one item */
static int one_param(const char *s, size_t len, enum smtp_param_verb verb, struct smtp_params *p,
                     const char **error_r)
{
    struct val key, value;
    size_t i;

    if (check_item(s, len, &key, &value, error_r) < 0)
        return -1;
    for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        const struct param_def *d = &params[i];
        if (!is_word(key, d->name))
            continue;
        if (!(d->on & (verb == SMTP_PARAM_MAIL ? ON_MAIL : ON_RCPT)))
            return errf(error_r, "%s is not valid with %s", d->name,
                        verb == SMTP_PARAM_MAIL ? "MAIL" : "RCPT");
        if (p->seen & (1u << i))
            return errf(error_r, "%s given twice", d->name);
        p->seen |= 1u << i;
        if (d->has_value && value.s == NULL)
            return errf(error_r, "%s needs a value", d->name);
        if (!d->has_value && value.s != NULL)
            return errf(error_r, "%s takes no value", d->name);
        return d->fn(p, value, error_r);
    }
    errf(error_r, "unknown parameter %.*s", (int)(key.len > 40 ? 40 : key.len), key.s);
    return SMTP_PARAM_UNKNOWN;
}

/* smtp_param_parse - every space-separated item in turn */
int smtp_param_parse(const char *s, size_t len, enum smtp_param_verb verb, struct smtp_params *p_r,
                     const char **error_r)
{
    size_t i = 0, j;
    int ret;

    memset(p_r, 0, sizeof(*p_r));
    while (i < len) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        j = i;
        while (j < len && s[j] != ' ')
            j++;
        if ((ret = one_param(s + i, j - i, verb, p_r, error_r)) < 0)
            return ret;
        i = j;
    }
    return 0;
}
