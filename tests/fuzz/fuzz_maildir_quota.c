/* SPDX-License-Identifier: MIT
 * fuzz_maildir_quota - bytes as a Maildir++ "maildirsize" file into
 * maildir_quota_parse (users may edit the file, so it is untrusted).
 *
 * Properties checked (abort on failure): a failed parse names a line; a
 * successful one, written back as the limits line and one usage line (what
 * maildir_quota_recalc writes), parses to the same limits and usage with
 * no recalculation asked; the exceeded check agrees with plain arithmetic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maildir/maildir_quota.h"

/* render - the limits line and one usage line */
static int render(const struct maildir_quota *q, char *dst, size_t size)
{
    char limits[64] = "";

    if (q->max_bytes != 0)
        snprintf(limits, sizeof(limits), "%lluS", (unsigned long long)q->max_bytes);
    if (q->max_count != 0)
        snprintf(limits + strlen(limits), sizeof(limits) - strlen(limits), "%s%lluC",
                 q->max_bytes != 0 ? "," : "", (unsigned long long)q->max_count);
    return snprintf(dst, size, "%s\n%lld %lld\n", limits, (long long)q->bytes, (long long)q->count);
}

/* check_exceeded - one delivery of 1000 bytes against the limits */
static void check_exceeded(const struct maildir_quota *q)
{
    __int128 used = q->bytes > 0 ? q->bytes : 0, count = q->count > 0 ? q->count : 0;
    int want = (q->max_bytes != 0 && used + 1000 > (__int128)q->max_bytes)
               || (q->max_count != 0 && count + 1 > (__int128)q->max_count);

    if (maildir_quota_exceeded(q, 1000, 1) != want)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one file */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct maildir_quota q, again;
    const char *error = NULL;
    char text[256];
    int n;

    if (maildir_quota_parse((const char *)data, size, &q, &error) < 0) {
        if (error == NULL || strncmp(error, "maildirsize:", 12) != 0)
            abort();
        return 0;
    }
    check_exceeded(&q);
    n = render(&q, text, sizeof(text));
    /* a sum of many lines may pass what one line can hold (18 digits) */
    if (q.bytes > 999999999999999999LL || q.bytes < -999999999999999999LL || q.count > 999999999999999999LL
        || q.count < -999999999999999999LL)
        return 0;
    if (maildir_quota_parse(text, (size_t)n, &again, NULL) < 0 || again.max_bytes != q.max_bytes
        || again.max_count != q.max_count || again.bytes != q.bytes || again.count != q.count || again.recalc)
        abort();
    return 0;
}
