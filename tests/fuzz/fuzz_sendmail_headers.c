/* SPDX-License-Identifier: MIT
 * fuzz_sendmail_headers - the header block of a locally submitted message
 * through sendmail_hdr_process (-t recipient extraction, Bcc: removal,
 * added headers) and the address list parser on its own.
 *
 * Input: byte 0 chooses the mode (bit 0: -t), the rest is the header block
 * (and, for the list parser, an address list). Properties checked (abort
 * on failure): a failure always has an error; every recipient has no
 * control byte or space outside quotes, fits SMTP_PATH_MAX, and is
 * canonical (checking it again gives itself); no field of the output is
 * named Bcc; the output ends with the empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sendmail_addr.h"
#include "sendmail_hdr.h"
#include "sendmail_rcpt.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_rcpts - the properties of every recipient */
static void check_rcpts(const struct sendmail_rcpts *r)
{
    char again[SMTP_PATH_MAX + 1];
    const char *error;
    size_t i, k;

    for (i = 0; i < r->n; i++) {
        const char *a = r->v[i];

        if (strlen(a) == 0 || strlen(a) > SMTP_PATH_MAX)
            abort();
        for (k = 0; a[k]; k++) {
            if ((unsigned char)a[k] < 0x20 || a[k] == 0x7f)
                abort();
        }
        if (smtp_addr_canon(a, strlen(a), false, again, &error) < 0 || strcmp(again, a) != 0)
            abort();
    }
}

/* check_no_bcc - no output field is named Bcc */
static void check_no_bcc(const struct buf *out)
{
    size_t i;

    for (i = 0; i < out->len; i++) {
        if ((i == 0 || out->data[i - 1] == '\n') && out->len - i >= 4
            && strncasecmp(out->data + i, "bcc", 3) == 0) {
            size_t k = i + 3;

            while (k < out->len && (out->data[k] == ' ' || out->data[k] == '\t'))
                k++;
            if (k < out->len && out->data[k] == ':')
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct sendmail_hdr_cfg plain = { false, "me@x.org", "DATE", "<ID@h>" };
    const struct sendmail_hdr_cfg extract = { true, "me@x.org", "DATE", "<ID@h>" };
    struct sendmail_rcpts r = { 0 };
    const char *error = NULL, *text;
    struct buf *out;
    size_t len;

    if (size < 1)
        return 0;
    text = (const char *)data + 1;
    len = size - 1;
    out = buf_create(256, 2 * len + 4096);
    if (sendmail_hdr_process(text, len, (data[0] & 1) ? &extract : &plain, &r, out, &error) < 0) {
        if (error == NULL)
            abort();
    } else {
        check_no_bcc(out);
        if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
            abort();
    }
    check_rcpts(&r);
    sendmail_rcpts_free(&r);
    error = NULL;
    if (sendmail_rcpts_add_list(&r, text, len, &error) < 0 && error == NULL)
        abort();
    check_rcpts(&r);
    sendmail_rcpts_free(&r);
    buf_destroy(&out);
    return 0;
}
