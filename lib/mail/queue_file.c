/* SPDX-License-Identifier: MIT
 * queue_file - write and strictly read queue files (docs/queue.md).
 *
 * The writer buffers records and writes them in order; the M record's
 * length is written as 0xffffffff first (so a file cut short while the
 * content streams in can never parse) and patched with pwrite once the
 * content is complete. Any I/O error sticks: later calls fail too.
 *
 * The reader is one record-by-record state machine fed by two front ends:
 * qf_parse walks a memory image, qf_read preads an open file through a
 * window, skipping over the content without loading it. Both give the
 * same result and the same error text for the same bytes. Every error
 * names the record and its byte offset.
 *
 * Trusts nothing it reads; limits: QF_VALUE_MAX per value, QF_RCPT_MAX
 * recipients, content below 4 GiB (a u32 length).
 */
#include "mail/queue_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

#define QF_WBUF_SIZE 65536
#define QF_RBUF_SIZE (128 * 1024)
#define QF_LEN_UNSET 0xffffffffu

enum qf_wstate { QF_W_RECORDS, QF_W_CONTENT, QF_W_CONTENT_DONE, QF_W_ENDED, QF_W_FINISHED, QF_W_FAILED };

struct qf_writer {
    int fd;
    int dirfd; /* our own dup of the caller's, for the unlink on abort */
    char *name;
    unsigned char *wbuf;
    size_t wlen;
    uint64_t pos; /* file offset of the next byte, buffered or not */
    uint64_t content_hdr, content_offset, content_length, content_max;
    enum qf_wstate state;
};

/* put_be32 - store v big-endian */
static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* get_be32 - load a big-endian u32 */
static uint32_t get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* pwrite_full - pwrite all n bytes at off */
static int pwrite_full(int fd, const void *p, size_t n, uint64_t off)
{
    const char *cp = p;

    while (n > 0) {
        ssize_t w = pwrite(fd, cp, n, (off_t)off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        cp += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* pread_full - pread up to n bytes at off; the count read (short at EOF), or -1 */
static ssize_t pread_full(int fd, void *p, size_t n, uint64_t off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = pread(fd, (char *)p + got, n - got, (off_t)(off + got));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* w_fail - mark the writer broken and report an I/O error */
static int w_fail(struct qf_writer *w, const char *what, const char **error_r)
{
    int saved = errno;

    w->state = QF_W_FAILED;
    return errf(error_r, "%s queue file %s: %s", what, w->name, strerror(saved));
}

/* w_flush - write out the buffer */
static int w_flush(struct qf_writer *w, const char **error_r)
{
    if (w->wlen > 0 && write_full(w->fd, w->wbuf, w->wlen) < 0)
        return w_fail(w, "write", error_r);
    w->wlen = 0;
    return 0;
}

/* w_put - append bytes to the file through the buffer */
static int w_put(struct qf_writer *w, const void *p, size_t n, const char **error_r)
{
    if (n == 0)
        return 0;
    if (w->wlen + n > QF_WBUF_SIZE && w_flush(w, error_r) < 0)
        return -1;
    if (n >= QF_WBUF_SIZE) {
        if (write_full(w->fd, p, n) < 0)
            return w_fail(w, "write", error_r);
    } else {
        memcpy(w->wbuf + w->wlen, p, n);
        w->wlen += n;
    }
    w->pos += n;
    return 0;
}

/* w_header - append a record header */
static int w_header(struct qf_writer *w, enum qf_type type, uint32_t len, const char **error_r)
{
    unsigned char hdr[QF_HEADER_SIZE];

    hdr[0] = (unsigned char)type;
    put_be32(hdr + 1, len);
    return w_put(w, hdr, sizeof(hdr), error_r);
}

/* w_state - fail unless the writer is in state want */
static int w_state(const struct qf_writer *w, enum qf_wstate want, const char *op, const char **error_r)
{
    if (w->state == QF_W_FAILED)
        return errf(error_r, "queue file %s: %s after an earlier error", w->name, op);
    if (w->state != want)
        return errf(error_r, "queue file %s: %s out of order", w->name, op);
    return 0;
}

/* qf_writer_create - create the file and write the V record */
int qf_writer_create(int dirfd, const char *name, struct qf_writer **w_r, const char **error_r)
{
    int fd;

    fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return errf(error_r, "create queue file %s: %s", name, strerror(errno));
    return qf_writer_adopt(dirfd, name, fd, w_r, error_r);
}

/* qf_writer_adopt - a writer on an empty file the caller already made */
int qf_writer_adopt(int dirfd, const char *name, int fd, struct qf_writer **w_r, const char **error_r)
{
    struct qf_writer *w;
    struct stat st;
    const char *why = NULL;
    int dfd;

    if (fstat(fd, &st) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st.st_mode) || st.st_size != 0)
        why = "not an empty regular file";
    if (why != NULL) {
        unlinkat(dirfd, name, 0);
        close(fd);
        return errf(error_r, "queue file %s: %s", name, why);
    }
    dfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dfd < 0) {
        int saved = errno;

        unlinkat(dirfd, name, 0);
        close(fd);
        return errf(error_r, "create queue file %s: dup directory: %s", name, strerror(saved));
    }
    w = xcalloc(1, sizeof(*w));
    w->fd = fd;
    w->dirfd = dfd;
    w->name = xstrdup(name);
    w->wbuf = xmalloc(QF_WBUF_SIZE);
    w->state = QF_W_RECORDS;
    if (w_header(w, QF_VERSION, sizeof(QF_MAGIC) - 1, error_r) < 0
        || w_put(w, QF_MAGIC, sizeof(QF_MAGIC) - 1, error_r) < 0) {
        qf_writer_destroy(&w, true);
        return -1;
    }
    *w_r = w;
    return 0;
}

/* qf_write - append one record other than V, M and X */
int qf_write(struct qf_writer *w, enum qf_type type, const void *value, size_t len, const char **error_r)
{
    if (strchr("ACFETUPONRD", (int)type) == NULL || type == 0)
        return errf(error_r,
                    "queue file %s: qf_write cannot write record type 0x%02x (use the functions "
                    "for V, M and X)",
                    w->name, (unsigned)type & 0xff);
    if (w_state(w, QF_W_RECORDS, "record", error_r) < 0)
        return -1;
    if (len > QF_VALUE_MAX)
        return errf(error_r, "queue file %s: '%c' value of %zu bytes is over the limit of %d bytes", w->name,
                    (char)type, len, QF_VALUE_MAX);
    if (len > 0 && memchr(value, '\0', len) != NULL)
        return errf(error_r, "queue file %s: NUL byte in a '%c' value", w->name, (char)type);
    if (type == QF_CLIENT && (len == 0 || memchr(value, '=', len) == NULL))
        return errf(error_r, "queue file %s: 'C' value without '='", w->name);
    if (w_header(w, type, (uint32_t)len, error_r) < 0)
        return -1;
    return w_put(w, value, len, error_r);
}

/* qf_content_begin - start the M record with a length to patch later */
int qf_content_begin(struct qf_writer *w, uint64_t max, const char **error_r)
{
    if (w_state(w, QF_W_RECORDS, "content_begin", error_r) < 0)
        return -1;
    w->content_hdr = w->pos;
    if (w_header(w, QF_CONTENT, QF_LEN_UNSET, error_r) < 0)
        return -1;
    w->content_offset = w->pos;
    w->content_length = 0;
    /* The length field is a u32, and QF_LEN_UNSET means "never patched". */
    w->content_max = max < QF_LEN_UNSET ? max : QF_LEN_UNSET - 1;
    w->state = QF_W_CONTENT;
    return 0;
}

/* qf_content_write - append content bytes, within the limit */
int qf_content_write(struct qf_writer *w, const void *data, size_t len, const char **error_r)
{
    if (w_state(w, QF_W_CONTENT, "content_write", error_r) < 0)
        return -1;
    if (len > w->content_max - w->content_length)
        return errf(error_r, "queue file %s: content larger than %llu bytes", w->name,
                    (unsigned long long)w->content_max);
    if (w_put(w, data, len, error_r) < 0)
        return -1;
    w->content_length += len;
    return 0;
}

/* qf_content_end - patch the M record's length in place */
int qf_content_end(struct qf_writer *w, const char **error_r)
{
    unsigned char len[4];

    if (w_state(w, QF_W_CONTENT, "content_end", error_r) < 0 || w_flush(w, error_r) < 0)
        return -1;
    put_be32(len, (uint32_t)w->content_length);
    if (pwrite_full(w->fd, len, sizeof(len), w->content_hdr + 1) < 0)
        return w_fail(w, "patch content length in", error_r);
    w->state = QF_W_CONTENT_DONE;
    return 0;
}

/* qf_writer_end - write the X record and start its writeback */
int qf_writer_end(struct qf_writer *w, const char **error_r)
{
    if (w_state(w, QF_W_CONTENT_DONE, "finish", error_r) < 0)
        return -1;
    if (w_header(w, QF_END, 0, error_r) < 0 || w_flush(w, error_r) < 0)
        return -1;
    /* a hint only: the writes of a whole batch go to the disk together,
     * so the fsyncs that follow mostly wait for I/O already under way */
    (void)sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    w->state = QF_W_ENDED;
    return 0;
}

/* qf_writer_sync - fsync the ended file */
int qf_writer_sync(struct qf_writer *w, const char **error_r)
{
    if (w_state(w, QF_W_ENDED, "sync", error_r) < 0)
        return -1;
    if (fsync(w->fd) < 0)
        return w_fail(w, "fsync", error_r);
    w->state = QF_W_FINISHED;
    return 0;
}

/* qf_writer_finish - write the X record and fsync */
int qf_writer_finish(struct qf_writer *w, const char **error_r)
{
    if (qf_writer_end(w, error_r) < 0)
        return -1;
    return qf_writer_sync(w, error_r);
}

/* qf_writer_fd - the open file */
int qf_writer_fd(const struct qf_writer *w)
{
    return w->fd;
}

/* qf_writer_content - offset and length of the content */
void qf_writer_content(const struct qf_writer *w, uint64_t *offset_r, uint64_t *length_r)
{
    *offset_r = w->content_offset;
    *length_r = w->content_length;
}

/* qf_writer_destroy - close, optionally unlink, and free */
void qf_writer_destroy(struct qf_writer **w_r, bool unlink_it)
{
    struct qf_writer *w = *w_r;

    if (w == NULL)
        return;
    if (unlink_it)
        unlinkat(w->dirfd, w->name, 0);
    close(w->fd);
    close(w->dirfd);
    xfree(w->wbuf);
    xfree(w->name);
    xfree(w);
    *w_r = NULL;
}

/* --- reading ---------------------------------------------------------- */

/* the record-by-record reader state, shared by qf_parse and qf_read */
struct qf_parser {
    struct qf_message *m;
    uint64_t size; /* of the whole file */
    bool seen[128];
    size_t rcpt_cap, client_cap;
    char *pend_orig, *pend_orcpt, *pend_notify;
    int pend_type; /* first P/O/N waiting for its recipient, or 0 */
    uint64_t pend_off;
};

/* rec_err - "record 'T' at offset N: ..." */
static int rec_err(const char **error_r, int type, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rec_err(const char **error_r, int type, uint64_t off, const char *fmt, ...)
{
    char what[512], name[8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (type > 0x20 && type < 0x7f)
        snprintf(name, sizeof(name), "'%c'", type);
    else
        snprintf(name, sizeof(name), "0x%02x", (unsigned)type & 0xff);
    return errf(error_r, "record %s at offset %llu: %s", name, (unsigned long long)off, what);
}

/* qf_type_known - is t a record type of this format? */
static bool qf_type_known(int t)
{
    return t != 0 && strchr("VACFETUPONRDMX", t) != NULL;
}

/* parse_arrival - "SECONDS.MICROSECONDS", six digits after the dot */
static int parse_arrival(struct qf_parser *p, const char *v, size_t len)
{
    int64_t sec = 0;
    int32_t usec = 0;
    size_t i = 0;

    /* At most 18 digits, so that the value always fits in an int64_t. */
    for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        if (i == 18)
            return -1;
        sec = sec * 10 + (v[i] - '0');
    }
    if (i == 0 || len != i + 7 || v[i] != '.')
        return -1;
    for (i++; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        usec = usec * 10 + (v[i] - '0');
    }
    p->m->arrival_sec = sec;
    p->m->arrival_usec = usec;
    return 0;
}

/* add_client - keep a C record's name=value */
static int add_client(struct qf_parser *p, uint64_t off, const char *v, size_t len, const char **error_r)
{
    const char *eq = memchr(v, '=', len);
    struct qf_attr *a;

    if (eq == NULL)
        return rec_err(error_r, 'C', off, "no '=' in the value");
    if (eq == v)
        return rec_err(error_r, 'C', off, "empty attribute name");
    if (p->m->nclient == p->client_cap) {
        p->client_cap = p->client_cap == 0 ? 8 : p->client_cap * 2;
        p->m->client = xreallocarray(p->m->client, p->client_cap, sizeof(*p->m->client));
    }
    a = &p->m->client[p->m->nclient++];
    a->name = xmemdup(v, (size_t)(eq - v));
    a->value = xmemdup(eq + 1, len - (size_t)(eq - v) - 1);
    return 0;
}

/* add_pending - keep a P, O or N for the recipient that follows */
static int add_pending(struct qf_parser *p, int type, uint64_t off, const char *v, size_t len,
                       const char **error_r)
{
    char **slot = type == 'P' ? &p->pend_orig : type == 'O' ? &p->pend_orcpt : &p->pend_notify;

    if (*slot != NULL)
        return rec_err(error_r, type, off, "second '%c' for one recipient", type);
    *slot = xmemdup(v, len);
    if (p->pend_type == 0) {
        p->pend_type = type;
        p->pend_off = off;
    }
    return 0;
}

/* add_rcpt - an R or D record, with the pending P, O and N */
static int add_rcpt(struct qf_parser *p, int type, uint64_t off, const char *v, size_t len,
                    const char **error_r)
{
    struct qf_rcpt *r;

    if (len == 0)
        return rec_err(error_r, type, off, "empty address");
    if (p->m->nrcpts == QF_RCPT_MAX)
        return rec_err(error_r, type, off, "more than %d recipients", QF_RCPT_MAX);
    if (p->m->nrcpts == p->rcpt_cap) {
        p->rcpt_cap = p->rcpt_cap == 0 ? 8 : p->rcpt_cap * 2;
        p->m->rcpts = xreallocarray(p->m->rcpts, p->rcpt_cap, sizeof(*p->m->rcpts));
    }
    r = &p->m->rcpts[p->m->nrcpts++];
    r->address = xmemdup(v, len);
    r->orig = p->pend_orig;
    r->orcpt = p->pend_orcpt;
    r->notify = p->pend_notify;
    r->done = type == 'D';
    r->offset = off;
    p->pend_orig = p->pend_orcpt = p->pend_notify = NULL;
    p->pend_type = 0;
    return 0;
}

/* once - the first of a once-only record type, or an error */
static int once(struct qf_parser *p, int type, uint64_t off, const char **error_r)
{
    if (p->seen[type])
        return rec_err(error_r, type, off, "duplicate (only one is allowed)");
    p->seen[type] = true;
    return 0;
}

/* parse_value - one record other than M and X, value in memory */
static int parse_value(struct qf_parser *p, int type, uint64_t off, const char *v, size_t len,
                       const char **error_r)
{
    if (memchr(v, '\0', len) != NULL)
        return rec_err(error_r, type, off, "NUL byte in the value");
    switch (type) {
    case 'V':
        if (once(p, type, off, error_r) < 0)
            return -1;
        if (len != sizeof(QF_MAGIC) - 1 || memcmp(v, QF_MAGIC, len) != 0)
            return rec_err(error_r, type, off, "not \"%s\"", QF_MAGIC);
        return 0;
    case 'A':
        if (once(p, type, off, error_r) < 0)
            return -1;
        if (parse_arrival(p, v, len) < 0)
            return rec_err(error_r, type, off, "arrival time not in SECONDS.MICROSECONDS form");
        return 0;
    case 'C':
        return add_client(p, off, v, len, error_r);
    case 'P':
    case 'O':
    case 'N':
        return add_pending(p, type, off, v, len, error_r);
    case 'R':
    case 'D':
        return add_rcpt(p, type, off, v, len, error_r);
    default:
        break;
    }
    if (once(p, type, off, error_r) < 0)
        return -1;
    if (type == 'F')
        p->m->sender = xmemdup(v, len);
    else if (type == 'E')
        p->m->envid = xmemdup(v, len);
    else if (type == 'T')
        p->m->ret = xmemdup(v, len);
    else
        p->m->smtputf8 = true;
    return 0;
}

/* parse_content - the M record: everything it needs is before it */
static int parse_content(struct qf_parser *p, uint64_t off, uint32_t len, const char **error_r)
{
    if (!p->seen['A'])
        return rec_err(error_r, 'M', off, "no 'A' record before it");
    if (!p->seen['F'])
        return rec_err(error_r, 'M', off, "no 'F' record before it");
    if (p->m->nrcpts == 0)
        return rec_err(error_r, 'M', off, "no 'R' or 'D' record before it");
    p->seen['M'] = true;
    p->m->content_offset = off + QF_HEADER_SIZE;
    p->m->content_length = len;
    return 0;
}

/* check_record - the rules that need only the header and the position */
static int check_record(struct qf_parser *p, int type, uint64_t off, uint32_t len, const char **error_r)
{
    uint64_t left = p->size - off - QF_HEADER_SIZE;

    if (!qf_type_known(type))
        return rec_err(error_r, type, off, "unknown record type");
    if (len > left)
        return rec_err(error_r, type, off, "length %lu runs past the end of the file (%llu bytes)",
                       (unsigned long)len, (unsigned long long)p->size);
    if (type != 'M' && len > QF_VALUE_MAX)
        return rec_err(error_r, type, off, "length %lu is over the limit of %d bytes", (unsigned long)len,
                       QF_VALUE_MAX);
    if (off == 0 && type != 'V')
        return rec_err(error_r, type, off, "the file must start with a 'V' record");
    if (p->pend_type != 0 && strchr("PONRD", type) == NULL)
        return rec_err(error_r, p->pend_type, p->pend_off, "not followed by an 'R' or 'D' record");
    if (p->seen['M'] && type != 'X')
        return rec_err(error_r, type, off, "after the 'M' record (only 'X' may follow it)");
    if (type == 'X' && !p->seen['M'])
        return rec_err(error_r, type, off, "no 'M' record before it");
    if (type == 'X' && len != 0)
        return rec_err(error_r, type, off, "value must be empty (length %lu)", (unsigned long)len);
    if (type == 'X' && left != 0)
        return rec_err(error_r, type, off, "%llu bytes after it (it must end the file)",
                       (unsigned long long)left);
    return 0;
}

/* a front end's way to get n bytes at off (the caller checked the bounds) */
typedef int qf_fetch_fn(void *ctx, uint64_t off, size_t n, const unsigned char **p_r, const char **error_r);

/* parse_loop - walk the records from offset 0 to the X at the end */
static int parse_loop(struct qf_parser *p, qf_fetch_fn *fetch, void *ctx, const char **error_r)
{
    const unsigned char *h, *v;
    uint64_t off = 0;

    for (;;) {
        uint64_t avail = p->size - off;
        uint32_t len;
        int type;

        if (avail == 0)
            return errf(error_r, "file ends at offset %llu without an 'X' record (incomplete)",
                        (unsigned long long)off);
        if (fetch(ctx, off, avail < QF_HEADER_SIZE ? (size_t)avail : QF_HEADER_SIZE, &h, error_r) < 0)
            return -1;
        type = h[0];
        if (avail < QF_HEADER_SIZE)
            return rec_err(error_r, type, off, "header truncated (%llu of %d bytes)",
                           (unsigned long long)avail, QF_HEADER_SIZE);
        len = get_be32(h + 1);
        if (check_record(p, type, off, len, error_r) < 0)
            return -1;
        if (type == 'X')
            return 0;
        if (type == 'M') {
            if (parse_content(p, off, len, error_r) < 0)
                return -1;
        } else if (fetch(ctx, off + QF_HEADER_SIZE, len, &v, error_r) < 0
                   || parse_value(p, type, off, (const char *)v, len, error_r) < 0) {
            return -1;
        }
        off += QF_HEADER_SIZE + (uint64_t)len;
    }
}

/* parse_run - run the state machine and hand over or free the message */
static int parse_run(uint64_t size, qf_fetch_fn *fetch, void *ctx, struct qf_message **m_r,
                     const char **error_r)
{
    struct qf_parser p;
    int ret;

    memset(&p, 0, sizeof(p));
    p.size = size;
    p.m = xcalloc(1, sizeof(*p.m));
    ret = parse_loop(&p, fetch, ctx, error_r);
    xfree(p.pend_orig);
    xfree(p.pend_orcpt);
    xfree(p.pend_notify);
    if (ret < 0) {
        qf_message_free(&p.m);
        return -1;
    }
    *m_r = p.m;
    return 0;
}

/* mem_fetch - qf_parse's front end: the bytes are all there */
static int mem_fetch(void *ctx, uint64_t off, size_t n, const unsigned char **p_r, const char **error_r)
{
    (void)n;
    (void)error_r;
    *p_r = (const unsigned char *)ctx + off;
    return 0;
}

/* qf_parse - parse a whole image */
int qf_parse(const void *data, size_t len, struct qf_message **m_r, const char **error_r)
{
    return parse_run(len, mem_fetch, (void *)(uintptr_t)data, m_r, error_r);
}

/* a window onto the file for qf_read */
struct qf_window {
    int fd;
    unsigned char *buf;
    uint64_t off; /* file offset of buf[0] */
    size_t len;
    uint64_t size;
};

/* file_fetch - qf_read's front end: pread through the window */
static int file_fetch(void *ctx, uint64_t off, size_t n, const unsigned char **p_r, const char **error_r)
{
    struct qf_window *win = ctx;
    size_t want;
    ssize_t got;

    if (off < win->off || off + n > win->off + win->len) {
        want = QF_RBUF_SIZE;
        if (want > win->size - off)
            want = (size_t)(win->size - off);
        got = pread_full(win->fd, win->buf, want, off);
        if (got < 0)
            return errf(error_r, "read queue file at offset %llu: %s", (unsigned long long)off,
                        strerror(errno));
        win->off = off;
        win->len = (size_t)got;
        if (win->len < n)
            return errf(error_r, "read queue file at offset %llu: the file shrank while being read",
                        (unsigned long long)off);
    }
    *p_r = win->buf + (off - win->off);
    return 0;
}

/* qf_read - parse an open file, locating the content without loading it */
int qf_read(int fd, struct qf_message **m_r, const char **error_r)
{
    struct qf_window win;
    struct stat st;
    int ret;

    if (fstat(fd, &st) < 0)
        return errf(error_r, "fstat queue file: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return errf(error_r, "queue file is not a regular file");
    memset(&win, 0, sizeof(win));
    win.fd = fd;
    win.size = (uint64_t)st.st_size;
    /* QF_RBUF_SIZE holds a header plus the largest value, wherever it starts. */
    win.buf = xmalloc(QF_RBUF_SIZE);
    ret = parse_run(win.size, file_fetch, &win, m_r, error_r);
    xfree(win.buf);
    return ret;
}

/* qf_message_free - free a parsed message */
void qf_message_free(struct qf_message **m_r)
{
    struct qf_message *m = *m_r;
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->nclient; i++) {
        xfree(m->client[i].name);
        xfree(m->client[i].value);
    }
    for (i = 0; i < m->nrcpts; i++) {
        xfree(m->rcpts[i].address);
        xfree(m->rcpts[i].orig);
        xfree(m->rcpts[i].orcpt);
        xfree(m->rcpts[i].notify);
    }
    xfree(m->client);
    xfree(m->rcpts);
    xfree(m->sender);
    xfree(m->envid);
    xfree(m->ret);
    xfree(m);
    *m_r = NULL;
}

/* qf_mark_done - rewrite R as D after checking that an R is there */
int qf_mark_done(int fd, const struct qf_rcpt *r, const char **error_r)
{
    unsigned char hdr[QF_HEADER_SIZE];
    ssize_t got = pread_full(fd, hdr, sizeof(hdr), r->offset);

    if (got < 0)
        return errf(error_r, "read queue file at offset %llu: %s", (unsigned long long)r->offset,
                    strerror(errno));
    if (got < QF_HEADER_SIZE)
        return errf(error_r, "mark done at offset %llu: past the end of the file",
                    (unsigned long long)r->offset);
    if (hdr[0] != 'R')
        return rec_err(error_r, hdr[0], r->offset, "cannot mark done: not an 'R' record");
    if (get_be32(hdr + 1) != strlen(r->address))
        return rec_err(error_r, 'R', r->offset, "cannot mark done: its length is not that of the address");
    if (pwrite_full(fd, "D", 1, r->offset) < 0)
        return errf(error_r, "mark done at offset %llu: %s", (unsigned long long)r->offset, strerror(errno));
    return 0;
}
