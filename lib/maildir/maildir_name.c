/* SPDX-License-Identifier: MIT
 * maildir_name - unique Maildir file names (Dovecot's form), the parser of
 * names found in new/ and cur/, and the ":2,FLAGS" letters.
 *
 * The parser is strict: it accepts only the grammar in maildir_name.h and
 * names each refusal, because the names come from a directory that other
 * programs (and local users moving mail in) write.
 */
#include "maildir/maildir_name.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/err.h"

/* Flag letters in ASCII order; the index is the bit number. */
static const char flag_letters[] = "DFPRST";
#define STD_FLAGS 6

static unsigned long long name_counter;

/* maildir_host_sanitise - escape what would break a name */
int maildir_host_sanitise(const char *host, char *dst, size_t size)
{
    size_t o = 0;

    for (; *host != '\0'; host++) {
        unsigned char c = (unsigned char)*host;
        int n;

        if (c == '/' || c == ':' || c == ',' || c < 0x21 || c > 0x7e)
            n = snprintf(dst + o, size - o, "\\%03o", c);
        else
            n = snprintf(dst + o, size - o, "%c", c);
        if (n < 0 || (size_t)n >= size - o)
            return -1;
        o += (size_t)n;
    }
    if (o == 0)
        return snprintf(dst, size, "localhost") >= (int)size ? -1 : 0;
    return 0;
}

/* maildir_name_format_base - the Dovecot-style unique part */
int maildir_name_format_base(char *dst, size_t size, long long sec, long usec, long pid,
                             unsigned long long counter, const char *host, const char **error_r)
{
    int n = snprintf(dst, size, "%lld.M%ldP%ldQ%llu.%s", sec, usec, pid, counter, host);

    if (n < 0 || (size_t)n >= size || n > MAILDIR_NAME_MAX)
        return errf(error_r, "maildir name too long (host \"%s\")", host);
    return 0;
}

/* maildir_name_new - a fresh unique base name */
int maildir_name_new(char *dst, size_t size, const char **error_r)
{
    static char host[128];
    struct timeval tv;

    if (host[0] == '\0') {
        char raw[256];

        if (gethostname(raw, sizeof(raw)) < 0)
            raw[0] = '\0';
        raw[sizeof(raw) - 1] = '\0';
        /* a long hostname is cut so that names keep room for fields */
        raw[64] = '\0';
        if (maildir_host_sanitise(raw, host, sizeof(host)) < 0)
            snprintf(host, sizeof(host), "localhost");
    }
    gettimeofday(&tv, NULL);
    return maildir_name_format_base(dst, size, (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
                                    ++name_counter, host, error_r);
}

/* flag_bit - the bit for one flag letter, or 0 */
static uint32_t flag_bit(char c)
{
    const char *p;

    if (c >= 'a' && c <= 'z')
        return MAILDIR_FLAG_KEYWORD(c);
    if (c == '\0' || (p = strchr(flag_letters, c)) == NULL)
        return 0;
    return 1u << (p - flag_letters);
}

/* maildir_flags_parse - letters into bits */
int maildir_flags_parse(const char *s, size_t len, uint32_t *flags_r, const char **error_r)
{
    uint32_t flags = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        uint32_t bit = flag_bit(s[i]);

        if (bit == 0) {
            unsigned char c = (unsigned char)s[i];

            if (c < 0x21 || c > 0x7e)
                return errf(error_r, "unknown flag 0x%02x", c);
            return errf(error_r, "unknown flag '%c'", c);
        }
        flags |= bit;
    }
    *flags_r = flags;
    return 0;
}

/* maildir_flags_format - bits into sorted letters */
size_t maildir_flags_format(uint32_t flags, char *dst)
{
    size_t n = 0;
    int i;

    for (i = 0; i < STD_FLAGS; i++) {
        if (flags & (1u << i))
            dst[n++] = flag_letters[i];
    }
    for (i = 0; i < 26; i++) {
        if (flags & MAILDIR_FLAG_KEYWORD('a' + i))
            dst[n++] = (char)('a' + i);
    }
    dst[n] = '\0';
    return n;
}

/* check_bytes - refuse NUL, '/', space, control and non-ASCII bytes */
static int check_bytes(const char *name, size_t len, const char **error_r)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '\0')
            return errf(error_r, "NUL byte in name");
        if (c == '/')
            return errf(error_r, "'/' in name");
        if (c == ' ')
            return errf(error_r, "space in name");
        if (c < 0x20 || c == 0x7f)
            return errf(error_r, "control byte 0x%02x in name", c);
        if (c > 0x7f)
            return errf(error_r, "non-ASCII byte 0x%02x in name", c);
    }
    return 0;
}

/* parse_number - decimal digits, no leading zero, no overflow */
static int parse_number(const char *s, size_t len, uint64_t *v_r)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
        return -1;
    for (i = 0; i < len; i++) {
        unsigned d;

        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *v_r = v;
    return 0;
}

/* parse_field - one ",S=N" or ",W=N" field (without the comma) */
static int parse_field(const char *f, size_t len, struct maildir_name *n, const char **error_r)
{
    bool *has;
    uint64_t *v;

    if (len < 2 || f[1] != '=' || (f[0] != 'S' && f[0] != 'W'))
        return errf(error_r, "unknown field \",%.*s\" in name", (int)(len > 16 ? 16 : len), f);
    has = f[0] == 'S' ? &n->has_size : &n->has_vsize;
    v = f[0] == 'S' ? &n->size : &n->vsize;
    if (*has)
        return errf(error_r, "duplicate field \",%c=\" in name", f[0]);
    if (parse_number(f + 2, len - 2, v) < 0)
        return errf(error_r, "invalid number in field \",%c=\"", f[0]);
    *has = true;
    return 0;
}

/* parse_info - the part after ':' */
static int parse_info(const char *s, size_t len, struct maildir_name *n, const char **error_r)
{
    if (len >= 2 && s[0] == '1' && s[1] == ',')
        return errf(error_r, "experimental info \":1,\" is not supported");
    if (len < 2 || s[0] != '2' || s[1] != ',')
        return errf(error_r, "malformed info (want \":2,FLAGS\")");
    n->has_info = true;
    return maildir_flags_parse(s + 2, len - 2, &n->flags, error_r);
}

/* maildir_name_parse - a name from new/ or cur/ */
int maildir_name_parse(const char *name, size_t len, struct maildir_name *n_r, const char **error_r)
{
    const char *colon, *end, *p;
    size_t base_len;

    memset(n_r, 0, sizeof(*n_r));
    if (len == 0)
        return errf(error_r, "empty name");
    if (len > MAILDIR_NAME_MAX)
        return errf(error_r, "name longer than %d bytes", MAILDIR_NAME_MAX);
    if (check_bytes(name, len, error_r) < 0)
        return -1;
    if (name[0] == '.')
        return errf(error_r, "name starts with '.'");
    colon = memchr(name, ':', len);
    end = colon != NULL ? colon : name + len;
    p = memchr(name, ',', (size_t)(end - name));
    base_len = (size_t)((p != NULL ? p : end) - name);
    if (base_len == 0)
        return errf(error_r, "empty base name");
    memcpy(n_r->base, name, base_len);
    n_r->base[base_len] = '\0';
    while (p != NULL && p < end) {
        const char *f = p + 1, *next = memchr(f, ',', (size_t)(end - f));

        if (next == NULL)
            next = end;
        if (parse_field(f, (size_t)(next - f), n_r, error_r) < 0)
            return -1;
        p = next;
    }
    if (colon != NULL && parse_info(colon + 1, len - (size_t)(colon + 1 - name), n_r, error_r) < 0)
        return -1;
    return 0;
}

/* maildir_name_format - write a parsed (or built) name */
int maildir_name_format(const struct maildir_name *n, char *dst, size_t size, const char **error_r)
{
    char flags[MAILDIR_FLAGS_MAX + 1], size_s[32] = "", vsize_s[32] = "";
    size_t base_len = strnlen(n->base, sizeof(n->base));
    int len;

    if (base_len == 0 || base_len == sizeof(n->base) || check_bytes(n->base, base_len, error_r) < 0
        || n->base[0] == '.' || strpbrk(n->base, ":,") != NULL)
        return errf(error_r, "invalid base name");
    if (n->has_size)
        snprintf(size_s, sizeof(size_s), ",S=%llu", (unsigned long long)n->size);
    if (n->has_vsize)
        snprintf(vsize_s, sizeof(vsize_s), ",W=%llu", (unsigned long long)n->vsize);
    maildir_flags_format(n->flags, flags);
    len = snprintf(dst, size, "%s%s%s%s%s", n->base, size_s, vsize_s, n->has_info ? ":2," : "",
                   n->has_info ? flags : "");
    if (len < 0 || (size_t)len >= size || len > MAILDIR_NAME_MAX)
        return errf(error_r, "name longer than %d bytes", MAILDIR_NAME_MAX);
    return 0;
}

/* maildir_name_set_flags - rename target in cur/ with new flags */
int maildir_name_set_flags(const char *name, uint32_t flags, char *dst, size_t size, const char **error_r)
{
    struct maildir_name n;

    if (maildir_name_parse(name, strlen(name), &n, error_r) < 0)
        return -1;
    n.has_info = true;
    n.flags = flags;
    return maildir_name_format(&n, dst, size, error_r);
}
