/* SPDX-License-Identifier: MIT
 * fuzz_smtp_path - MAIL/RCPT paths into smtp_addr_parse.
 *
 * Input: byte 0 chooses the SMTP_ADDR_* flags, the rest is the argument.
 * Properties checked (abort on failure): an accepted address has no CR,
 * LF, NUL or other control byte in its canonical form, local part or
 * domain; the canonical form fits the limits; the parameters offset lies
 * inside the input; parsing "<canonical>" again succeeds and gives the
 * same canonical form; a failure always names an enhanced status code.
 * The text after the path goes through smtp_param_parse (MAIL with
 * SMTP_ADDR_REVERSE, else RCPT): decoded values have no control bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_addr.h"
#include "smtp/smtp_param.h"

/* has_controls - a byte below 0x20 or DEL in a C string */
static int has_controls(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    }
    return 0;
}

/* check_params - the parameters after the path */
static void check_params(const char *s, size_t len, unsigned flags)
{
    enum smtp_param_verb verb = (flags & SMTP_ADDR_REVERSE) ? SMTP_PARAM_MAIL : SMTP_PARAM_RCPT;
    struct smtp_params p;
    const char *error = NULL;

    if (smtp_param_parse(s, len, verb, &p, &error) < 0) {
        if (error == NULL)
            abort();
        return;
    }
    if (has_controls(p.envid) || has_controls(p.auth) || has_controls(p.orcpt))
        abort();
    if ((p.notify & SMTP_NOTIFY_NEVER) && p.notify != SMTP_NOTIFY_NEVER)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse, check, parse the canonical form again */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char again[SMTP_PATH_MAX + 3];
    struct smtp_addr a, b;
    const char *error;
    unsigned flags;
    size_t end;

    if (size < 1)
        return 0;
    flags = data[0] & 0x0f;
    if (smtp_addr_parse((const char *)data + 1, size - 1, flags, &a, &end, &error) < 0) {
        if (a.ecode == NULL || error == NULL)
            abort();
        return 0;
    }
    if (end > size - 1)
        abort();
    check_params((const char *)data + 1 + end, size - 1 - end, flags);
    if (has_controls(a.addr) || has_controls(a.local) || has_controls(a.domain))
        abort();
    if (a.addr_len != strlen(a.addr) || a.addr_len > SMTP_PATH_MAX - 2 || strlen(a.local) > SMTP_LOCAL_MAX)
        abort();
    again[0] = '<';
    memcpy(again + 1, a.addr, a.addr_len);
    again[a.addr_len + 1] = '>';
    if (smtp_addr_parse(again, a.addr_len + 2, flags & ~SMTP_ADDR_NO_BRACKETS, &b, &end, &error) < 0)
        abort();
    if (strcmp(a.addr, b.addr) != 0 || end != a.addr_len + 2 || a.is_null != b.is_null)
        abort();
    return 0;
}
