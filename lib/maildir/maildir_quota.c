/* SPDX-License-Identifier: MIT
 * maildir_quota - read, check, append to and recalculate the Maildir++
 * "maildirsize" file.
 *
 * Limits: the file is read up to MAILDIR_QUOTA_READ_MAX bytes; numbers
 * have at most 18 digits and sums are overflow-checked.
 */
#include "maildir/maildir_quota.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir/maildir_folder.h"
#include "maildir/maildir_name.h"
#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

/* parse_limit - one "NNNS" or "NNNC" item of the first line */
static int parse_limit(const char *p, size_t len, struct maildir_quota *q, unsigned *seen)
{
    uint64_t v = 0, *dst;
    unsigned bit;
    size_t i;

    if (len < 2 || len > 21 || (p[len - 1] != 'S' && p[len - 1] != 'C'))
        return -1;
    dst = p[len - 1] == 'S' ? &q->max_bytes : &q->max_count;
    bit = p[len - 1] == 'S' ? 1 : 2;
    for (i = 0; i < len - 1; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (*seen & bit)
        return -1;
    *seen |= bit;
    *dst = v;
    return 0;
}

/* parse_limits - the first line: items separated by ',' */
static int parse_limits(const char *p, size_t len, struct maildir_quota *q, const char **error_r)
{
    const char *start = p, *end = p + len;
    unsigned seen = 0;

    if (len == 0)
        return 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *item_end = comma != NULL ? comma : end;

        if (parse_limit(p, (size_t)(item_end - p), q, &seen) < 0)
            return errf(error_r, "maildirsize:1: invalid quota definition \"%.*s\"",
                        (int)(len > 64 ? 64 : len), start);
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* parse_signed - spaces, optional '-', 1 to 18 digits; advances *p */
static int parse_signed(const char **p, const char *end, int64_t *v_r)
{
    const char *s = *p;
    int64_t v = 0;
    bool neg;
    int digits = 0;

    while (s < end && *s == ' ')
        s++;
    neg = s < end && *s == '-';
    s += neg;
    for (; s < end && *s >= '0' && *s <= '9' && digits < 18; s++, digits++)
        v = v * 10 + (*s - '0');
    if (digits == 0 || (s < end && *s >= '0' && *s <= '9'))
        return -1;
    *v_r = neg ? -v : v;
    *p = s;
    return 0;
}

/* parse_delta - one "BYTES COUNT" line, added to the usage */
static int parse_delta(const char *p, const char *end, struct maildir_quota *q)
{
    int64_t bytes, count;
    const char *after_bytes;

    if (parse_signed(&p, end, &bytes) < 0)
        return -1;
    after_bytes = p;
    if (after_bytes == end || after_bytes[0] != ' ' || parse_signed(&p, end, &count) < 0)
        return -1;
    while (p < end && *p == ' ')
        p++;
    if (p != end || __builtin_add_overflow(q->bytes, bytes, &q->bytes)
        || __builtin_add_overflow(q->count, count, &q->count))
        return -1;
    return 0;
}

/* maildir_quota_parse - limits and summed usage */
int maildir_quota_parse(const char *text, size_t len, struct maildir_quota *q_r, const char **error_r)
{
    const char *p = text, *end = text + len, *nl;
    unsigned line = 1;

    memset(q_r, 0, sizeof(*q_r));
    nl = memchr(p, '\n', len);
    if (nl == NULL)
        return errf(error_r, "maildirsize:1: incomplete first line");
    if (parse_limits(p, (size_t)(nl - p), q_r, error_r) < 0)
        return -1;
    q_r->recalc = len > MAILDIR_QUOTA_RECALC_SIZE;
    for (p = nl + 1; p < end; p = nl + 1) {
        line++;
        if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
            /* a line torn by a crash during an append */
            q_r->recalc = true;
            break;
        }
        if (parse_delta(p, nl, q_r) < 0)
            return errf(error_r, "maildirsize:%u: invalid line (want \"BYTES COUNT\")", line);
    }
    return 0;
}

/* quota_path - ROOT/maildirsize */
static int quota_path(const char *root, char *dst, size_t size, const char **error_r)
{
    if (snprintf(dst, size, "%s/%s", root, MAILDIR_QUOTA_FILE) >= (int)size)
        return errf(error_r, "path too long: %s", root);
    return 0;
}

/* maildir_quota_read - read and parse ROOT/maildirsize */
int maildir_quota_read(const char *root, struct maildir_quota *q_r, bool *exists_r, const char **error_r)
{
    char path[PATH_MAX], *text = xmalloc(MAILDIR_QUOTA_READ_MAX + 1);
    size_t len = 0;
    ssize_t n = 1;
    int fd, ret;

    memset(q_r, 0, sizeof(*q_r));
    *exists_r = false;
    if (quota_path(root, path, sizeof(path), error_r) < 0) {
        xfree(text);
        return -1;
    }
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        xfree(text);
        return errno == ENOENT ? 0 : errf(error_r, "open %s: %s", path, strerror(errno));
    }
    *exists_r = true;
    while (len <= MAILDIR_QUOTA_READ_MAX && (n = read(fd, text + len, MAILDIR_QUOTA_READ_MAX + 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    if (n < 0)
        ret = errf(error_r, "read %s: %s", path, strerror(errno));
    else if (len > MAILDIR_QUOTA_READ_MAX)
        ret = errf(error_r, "%s is larger than %d bytes", path, MAILDIR_QUOTA_READ_MAX);
    else
        ret = maildir_quota_parse(text, len, q_r, error_r);
    xfree(text);
    return ret;
}

/* maildir_quota_exceeded - would this delivery pass a limit */
bool maildir_quota_exceeded(const struct maildir_quota *q, uint64_t bytes, uint64_t count)
{
    uint64_t used_bytes = q->bytes > 0 ? (uint64_t)q->bytes : 0;
    uint64_t used_count = q->count > 0 ? (uint64_t)q->count : 0;

    if (q->max_bytes != 0 && (bytes > q->max_bytes || used_bytes > q->max_bytes - bytes))
        return true;
    return q->max_count != 0 && (count > q->max_count || used_count > q->max_count - count);
}

/* maildir_quota_add - append one delta line in one write */
int maildir_quota_add(const char *root, int64_t bytes, int64_t count, const char **error_r)
{
    char path[PATH_MAX], line[64];
    int fd, n;

    if (quota_path(root, path, sizeof(path), error_r) < 0)
        return -1;
    fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : errf(error_r, "open %s: %s", path, strerror(errno));
    n = snprintf(line, sizeof(line), "%lld %lld\n", (long long)bytes, (long long)count);
    if (write(fd, line, (size_t)n) != n) {
        int saved = errno;

        close(fd);
        return errf(error_r, "append to %s: %s", path, strerror(saved));
    }
    close(fd);
    return 0;
}

/* sum_dir - add the messages of mfd/sub (new/ or cur/) to *q */
static void sum_dir(int mfd, const char *sub, struct maildir_quota *q)
{
    int fd = openat(mfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct dirent *e;
    DIR *d;

    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct maildir_name n;
        struct stat st;

        if (maildir_name_parse(e->d_name, strlen(e->d_name), &n, NULL) < 0)
            continue;
        if (!n.has_size) {
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                continue;
            n.size = (uint64_t)st.st_size;
        }
        q->bytes = n.size > (uint64_t)(INT64_MAX - q->bytes) ? INT64_MAX : q->bytes + (int64_t)n.size;
        q->count++;
    }
    closedir(d);
}

/* sum_maildir - new/ and cur/ of one maildir */
static void sum_maildir(int fd, struct maildir_quota *q)
{
    sum_dir(fd, "new", q);
    sum_dir(fd, "cur", q);
}

/* maildir_quota_recalc - recount and rewrite the file */
int maildir_quota_recalc(const char *root, uint64_t max_bytes, uint64_t max_count, struct maildir_quota *q_r,
                         const char **error_r)
{
    char path[PATH_MAX], limits[64] = "", text[128];
    struct dirent *e;
    DIR *d;
    int fd, n;

    memset(q_r, 0, sizeof(*q_r));
    if (quota_path(root, path, sizeof(path), error_r) < 0 || (fd = maildir_open_dir(root, error_r)) < 0)
        return -1;
    if ((d = fdopendir(fd)) == NULL) {
        close(fd);
        return errf(error_r, "read directory %s: %s", root, strerror(errno));
    }
    sum_maildir(fd, q_r);
    while ((e = readdir(d)) != NULL) {
        int sub;

        if (e->d_name[0] != '.' || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if ((sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            continue;
        sum_maildir(sub, q_r);
        close(sub);
    }
    closedir(d);
    q_r->max_bytes = max_bytes;
    q_r->max_count = max_count;
    if (max_bytes != 0)
        snprintf(limits, sizeof(limits), "%lluS", (unsigned long long)max_bytes);
    if (max_count != 0)
        snprintf(limits + strlen(limits), sizeof(limits) - strlen(limits), "%s%lluC",
                 max_bytes != 0 ? "," : "", (unsigned long long)max_count);
    n = snprintf(text, sizeof(text), "%s\n%lld %lld\n", limits, (long long)q_r->bytes, (long long)q_r->count);
    return durable_write_file(path, text, (size_t)n, 0600, error_r);
}
