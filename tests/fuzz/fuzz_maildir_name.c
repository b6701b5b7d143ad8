/* SPDX-License-Identifier: MIT
 * fuzz_maildir_name - bytes as a Maildir file name into maildir_name_parse.
 *
 * Properties checked (abort on failure): the parser accepts exactly the
 * names that an independent matcher of the grammar in maildir_name.h
 * accepts; an accepted name formats (normal form), the normal form parses
 * to the same name and formats to itself (parse(format(parse(x))) is
 * stable); setting flags gives a name that parses with exactly those
 * flags; flag letters parse and format back to the same bits.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maildir/maildir_name.h"

/* base_ok - BASE: printable ASCII without '/', ':', ',', not starting '.' */
static bool base_ok(const uint8_t *p, size_t len)
{
    size_t i;

    if (len == 0 || p[0] == '.')
        return false;
    for (i = 0; i < len; i++)
        if (p[i] < 0x21 || p[i] > 0x7e || p[i] == '/' || p[i] == ':' || p[i] == ',')
            return false;
    return true;
}

/* field_ok - "S=N" or "W=N", N without leading zero and at most 2^64-1 */
static bool field_ok(const uint8_t *p, size_t len, bool *seen_s, bool *seen_w)
{
    static const char max[] = "18446744073709551615";
    bool *seen;
    size_t i, n = len - 2;

    if (len < 3 || p[1] != '=' || (p[0] != 'S' && p[0] != 'W'))
        return false;
    seen = p[0] == 'S' ? seen_s : seen_w;
    if (*seen || n > 20 || (p[2] == '0' && n > 1))
        return false;
    for (i = 2; i < len; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    if (n == 20 && memcmp(p + 2, max, 20) > 0)
        return false;
    *seen = true;
    return true;
}

/* grammar_ok - the independent matcher */
static bool grammar_ok(const uint8_t *p, size_t len)
{
    const uint8_t *colon = memchr(p, ':', len);
    size_t left = colon != NULL ? (size_t)(colon - p) : len, i, start;
    bool seen_s = false, seen_w = false, first = true;

    if (len == 0 || len > MAILDIR_NAME_MAX)
        return false;
    for (i = 0, start = 0; i <= left; i++) {
        if (i < left && p[i] != ',')
            continue;
        if (first ? !base_ok(p, i) : !field_ok(p + start, i - start, &seen_s, &seen_w))
            return false;
        first = false;
        start = i + 1;
    }
    if (colon == NULL)
        return true;
    if (len - left < 3 || colon[1] != '2' || colon[2] != ',')
        return false;
    for (i = left + 3; i < len; i++)
        if (p[i] == '\0' || (strchr("DFPRST", p[i]) == NULL && !(p[i] >= 'a' && p[i] <= 'z')))
            return false;
    return true;
}

/* check_flags - letters to bits and back */
static void check_flags(const uint8_t *data, size_t size)
{
    char out[MAILDIR_FLAGS_MAX + 1];
    uint32_t flags, again;

    if (maildir_flags_parse((const char *)data, size, &flags, NULL) < 0)
        return;
    if (maildir_flags_format(flags, out) > MAILDIR_FLAGS_MAX)
        abort();
    if (maildir_flags_parse(out, strlen(out), &again, NULL) < 0 || again != flags)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one name: parse, compare, round-trip */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct maildir_name n, again;
    char out[MAILDIR_NAME_MAX + 1], out2[MAILDIR_NAME_MAX + 1];
    const char *error = NULL;
    int ret = maildir_name_parse((const char *)data, size, &n, &error);
    uint32_t flags = size > 0 ? (uint32_t)data[0] * 0x01010101u : 0;

    check_flags(data, size);
    if ((ret == 0) != grammar_ok(data, size))
        abort();
    if (ret < 0) {
        if (error == NULL)
            abort();
        return 0;
    }
    if (maildir_name_format(&n, out, sizeof(out), NULL) < 0 || strlen(out) > size)
        abort();
    if (maildir_name_parse(out, strlen(out), &again, NULL) < 0 || memcmp(&n, &again, sizeof(n)) != 0)
        abort();
    if (maildir_name_format(&again, out2, sizeof(out2), NULL) < 0 || strcmp(out, out2) != 0)
        abort();
    /* a new flag set: fails only when the name would pass the maximum */
    if (maildir_name_set_flags(out, flags, out2, sizeof(out2), NULL) == 0) {
        if (maildir_name_parse(out2, strlen(out2), &again, NULL) < 0 || again.flags != flags
            || !again.has_info || strcmp(again.base, n.base) != 0)
            abort();
    } else if (strlen(out) + 3 + MAILDIR_FLAGS_MAX <= MAILDIR_NAME_MAX) {
        abort();
    }
    return 0;
}
