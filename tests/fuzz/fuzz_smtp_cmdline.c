/* SPDX-License-Identifier: MIT
 * fuzz_smtp_cmdline - one SMTP command line into smtp_cmd_parse.
 *
 * Properties checked (abort on failure): parsing the same line twice gives
 * the same result; a line longer than 510 bytes is refused; an accepted
 * line has no control bytes and its verb and argument lie inside it;
 * re-serialising an accepted command ("VERB arg", "MAIL FROM:arg") parses
 * again to the same verb and argument (idempotent).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_cmd.h"
#include "util/buf.h"

/* same - two parse results are identical */
static int same(int r1, const struct smtp_cmd *a, int r2, const struct smtp_cmd *b, const char *e1,
                const char *e2)
{
    if (r1 != r2)
        return 0;
    if (r1 < 0)
        return strcmp(e1, e2) == 0 && a->reply == b->reply && strcmp(a->ecode, b->ecode) == 0;
    return a->verb == b->verb && a->arg == b->arg && a->arg_len == b->arg_len && a->word == b->word
           && a->word_len == b->word_len;
}

/* reserialise - "WORD arg" with the MAIL/RCPT prefix, parsed again */
static void reserialise(const struct smtp_cmd *cmd)
{
    struct buf *b = buf_create(600, 2000);
    struct smtp_cmd again;
    const char *error;

    buf_append(b, cmd->word, cmd->word_len);
    if (cmd->verb == SMTP_VERB_MAIL)
        buf_append_str(b, " FROM:");
    else if (cmd->verb == SMTP_VERB_RCPT)
        buf_append_str(b, " TO:");
    else if (cmd->arg_len > 0)
        buf_append_char(b, ' ');
    buf_append(b, cmd->arg, cmd->arg_len);
    if (smtp_cmd_parse(b->data, b->len, 2000, &again, &error) < 0)
        abort();
    if (again.verb != cmd->verb || again.arg_len != cmd->arg_len
        || memcmp(again.arg, cmd->arg, cmd->arg_len) != 0)
        abort();
    buf_destroy(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse twice, check, reserialise */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data, *e1 = NULL, *e2 = NULL;
    struct smtp_cmd a, b;
    int r1, r2;
    size_t i;

    r1 = smtp_cmd_parse(line, size, SMTP_LINE_MAX, &a, &e1);
    r2 = smtp_cmd_parse(line, size, SMTP_LINE_MAX, &b, &e2);
    if (!same(r1, &a, r2, &b, e1, e2))
        abort();
    if (r1 < 0)
        return 0;
    if (size > SMTP_LINE_MAX - 2)
        abort();
    if (a.word < line || a.word + a.word_len > line + size || a.arg < line || a.arg + a.arg_len > line + size)
        abort();
    for (i = 0; i < size; i++) {
        if (data[i] < 0x20 || data[i] == 0x7f)
            abort();
    }
    reserialise(&a);
    return 0;
}
