/* SPDX-License-Identifier: MIT
 * fuzz_pickup_file - arbitrary bytes as a maildrop file, through
 * everything pickup derives from one: qf_parse, maildrop_check, the
 * address checks and qualification (pickup_file_parse), and the Received:
 * header built from a host name taken from the input.
 *
 * Properties checked (abort on failure): pickup_file_parse accepts only
 * what qf_parse and maildrop_check accept; an accepted drop has a sender
 * that is empty or holds '@', and 1..QF_RCPT_MAX recipients, each a
 * qualified address that smtp_addr_canon accepts and leaves unchanged (a
 * canonical RFC 5321 path of at most SMTP_PATH_MAX bytes, no byte <= 0x20
 * or 0x7f); its content lies inside the input and
 * within the content limit; a refusal always says why. The Received:
 * header has exactly two CRLFs, both where the format puts them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "pickup_file.h"
#include "pickup_submit.h"
#include "smtp/smtp_addr_canon.h"

#define CONTENT_MAX 65536

/* check_address - the invariants of a qualified address */
static void check_address(const char *a)
{
    const char *at = strrchr(a, '@'), *error = NULL;
    char again[SMTP_PATH_MAX + 1];
    size_t i, len = strlen(a);

    if (at == NULL || at == a || at[1] == '\0' || len > SMTP_PATH_MAX)
        abort();
    for (i = 0; i < len; i++)
        if ((unsigned char)a[i] <= 0x20 || a[i] == 0x7f)
            abort();
    if (smtp_addr_canon(a, len, false, again, &error) < 0 || strcmp(again, a) != 0)
        abort();
}

/* check_drop - pickup's verdict agrees with the format's and is sound */
static void check_drop(const uint8_t *data, size_t size)
{
    struct qf_message *m = NULL;
    struct pickup_drop d;
    const char *error = NULL;
    bool format_ok;
    size_t i;

    format_ok = qf_parse(data, size, &m, &error) == 0 && maildrop_check(m, &error) == 0;
    qf_message_free(&m);
    error = NULL;
    if (pickup_file_parse(data, size, "origin.test", CONTENT_MAX, &d, &error) < 0) {
        if (error == NULL || error[0] == '\0' || d.rcpts != NULL || d.sender != NULL)
            abort();
        return;
    }
    if (!format_ok || d.nrcpts < 1 || d.nrcpts > QF_RCPT_MAX || d.sender == NULL)
        abort();
    if (d.sender[0] != '\0')
        check_address(d.sender);
    for (i = 0; i < d.nrcpts; i++)
        check_address(d.rcpts[i]);
    if (d.content_length > CONTENT_MAX || d.content_offset > size
        || d.content_length > size - d.content_offset)
        abort();
    pickup_drop_free(&d);
}

/* check_received - a host name from the input cannot add a header line */
static void check_received(const uint8_t *data, size_t size)
{
    char host[300], out[1024];
    size_t n = size < sizeof(host) - 1 ? size : sizeof(host) - 1, len, crlf = 0, i;

    memcpy(host, data, n);
    host[n] = '\0';
    len = pickup_submit_received(out, sizeof(out), host, 1000, "0123456789AB", 0);
    if (len == 0 || strncmp(out, "Received: by ", 13) != 0 || len < 2
        || memcmp(out + len - 2, "\r\n", 2) != 0)
        abort();
    for (i = 0; i < len; i++) {
        if (out[i] == '\r' && i + 1 < len && out[i + 1] == '\n') {
            crlf++;
            i++;
        } else if (out[i] == '\r' || out[i] == '\n') {
            abort();
        }
    }
    if (crlf != 2 || strstr(out, ")\r\n\tid 0123456789AB; ") == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_drop(data, size);
    check_received(data, size);
    return 0;
}
