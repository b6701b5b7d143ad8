/* SPDX-License-Identifier: MIT
 * sendmail_msg - one message from a stream: header block in memory, body
 * streamed (see sendmail_msg.h).
 *
 * Trusts: nothing in the input. Limits: the header block at most
 * header_max bytes (a longer header line is refused as such), the message
 * at most size_max bytes; the body passes through a fixed chunk buffer.
 */
#include "sendmail_msg.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "sendmail_text.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

#define CHUNK_SIZE 8192
#define ADDED_HEADERS_MAX 4096 /* room for From:, Date:, Message-ID: */

struct sendmail_msg {
    FILE *in;
    struct sendmail_msg_cfg cfg;
    struct sendmail_text text;
    struct buf *raw;   /* the header block as read */
    struct buf *line;  /* the line being read; then the first body line */
    struct buf *hdr;   /* the processed header block */
    struct buf *chunk; /* body bytes on their way to the writer */
    bool eof, read_error, first_line;
    int read_errno;
};

/* sendmail_msg_create - see sendmail_msg.h */
struct sendmail_msg *sendmail_msg_create(FILE *in, const struct sendmail_msg_cfg *cfg)
{
    struct sendmail_msg *m = xcalloc(1, sizeof(*m));

    m->in = in;
    m->cfg = *cfg;
    sendmail_text_init(&m->text, cfg->dot_ends, cfg->unstuff);
    m->raw = buf_create(1024, cfg->header_max);
    m->line = buf_create(256, cfg->header_max + 2 * SENDMAIL_TEXT_PUT_MAX);
    m->hdr = buf_create(1024, cfg->header_max + ADDED_HEADERS_MAX);
    m->chunk = buf_create(CHUNK_SIZE + 2 * SENDMAIL_TEXT_PUT_MAX, CHUNK_SIZE + 2 * SENDMAIL_TEXT_PUT_MAX);
    m->first_line = true;
    return m;
}

/* sendmail_msg_destroy - see sendmail_msg.h */
void sendmail_msg_destroy(struct sendmail_msg **m_r)
{
    struct sendmail_msg *m = *m_r;

    if (m == NULL)
        return;
    buf_destroy(&m->raw);
    buf_destroy(&m->line);
    buf_destroy(&m->hdr);
    buf_destroy(&m->chunk);
    xfree(*m_r);
}

/* feed - read one byte through the normaliser into out; false once the
 * message has ended (the "." line, or EOF: the last line is completed) */
static bool feed(struct sendmail_msg *m, struct buf *out)
{
    int c;

    if (m->text.done || m->eof)
        return false;
    if ((c = getc(m->in)) == EOF) {
        if (ferror(m->in)) {
            m->read_error = true;
            m->read_errno = errno;
        }
        m->eof = true;
        if (sendmail_text_finish(&m->text, out) < 0)
            msg_panic("sendmail_msg: normaliser output past its buffer");
        return false;
    }
    if (sendmail_text_put(&m->text, (unsigned char)c, out) < 0)
        msg_panic("sendmail_msg: normaliser output past its buffer");
    return !m->text.done;
}

/* sendmail_msg_drain - see sendmail_msg.h */
void sendmail_msg_drain(struct sendmail_msg *m)
{
    while (feed(m, m->chunk))
        buf_reset(m->chunk);
    buf_reset(m->chunk);
}

/* sendmail_msg_ended - see sendmail_msg.h */
bool sendmail_msg_ended(const struct sendmail_msg *m)
{
    return m->text.done;
}

/* read_error - the status for a failed read */
static int read_error(const struct sendmail_msg *m, const char **error_r)
{
    errf(error_r, "error reading the message: %s", strerror(m->read_errno));
    return EX_IOERR;
}

/* too_big - drain and report a limit */
static int too_big(struct sendmail_msg *m, const char *what, const char **error_r)
{
    sendmail_msg_drain(m);
    errf(error_r, "%s", what);
    return EX_DATAERR;
}

/* take_line - a complete (or final, or over-long) line of the header
 * phase: 1 header continues, 0 header ended, or a sysexits code > 1 */
static int take_line(struct sendmail_msg *m, bool complete, const char **error_r)
{
    struct buf *l = m->line;
    bool first = m->first_line;

    m->first_line = false;
    if (l->len == 0)
        return 0;
    if (complete && l->len == 2 && memcmp(l->data, "\r\n", 2) == 0) {
        buf_reset(l);
        return 0;
    }
    if (first && complete && m->cfg.skip_from_line && l->len >= 5 && memcmp(l->data, "From ", 5) == 0) {
        buf_reset(l);
        return 1;
    }
    if (!sendmail_hdr_is_field(l->data, l->len)
        && !(m->raw->len > 0 && (l->data[0] == ' ' || l->data[0] == '\t')))
        return 0; /* the first body line stays in m->line */
    if (!complete || buf_append(m->raw, l->data, l->len) < 0)
        return too_big(m, "message header exceeds header_size_limit", error_r);
    buf_reset(l);
    return 1;
}

/* sendmail_msg_header - see sendmail_msg.h */
int sendmail_msg_header(struct sendmail_msg *m, struct sendmail_rcpts *r, const char **error_r)
{
    bool more, complete;
    int rc = 1;

    while (rc == 1) {
        more = feed(m, m->line);
        complete = m->line->len > 0 && m->line->data[m->line->len - 1] == '\n';
        if (complete || !more || m->line->len > m->cfg.header_max)
            rc = take_line(m, complete, error_r);
        if (rc == 1 && !more && m->line->len == 0)
            rc = 0;
    }
    if (rc != 0)
        return rc;
    if (m->read_error)
        return read_error(m, error_r);
    if (sendmail_hdr_process(m->raw->data, m->raw->len, &m->cfg.hdr, r, m->hdr, error_r) < 0) {
        sendmail_msg_drain(m);
        return EX_DATAERR;
    }
    return EX_OK;
}

struct body_out {
    sendmail_msg_write_fn *fn;
    void *ctx;
    uint64_t size, max;
    int status;
    const char *error;
};

/* emit - pass bytes on unless a limit or the writer already failed */
static void emit(struct body_out *o, const char *p, size_t n)
{
    if (o->status != EX_OK || n == 0)
        return;
    o->size += n;
    if (o->size > o->max) {
        o->status = EX_DATAERR;
        o->error =
            err_fmt("message file too big (message_size_limit is %llu bytes)", (unsigned long long)o->max);
        return;
    }
    o->status = o->fn(o->ctx, p, n, &o->error);
}

/* sendmail_msg_body - see sendmail_msg.h */
int sendmail_msg_body(struct sendmail_msg *m, sendmail_msg_write_fn *fn, void *ctx, const char **error_r)
{
    struct body_out o = { fn, ctx, 0, m->cfg.size_max, EX_OK, NULL };
    bool more = true;

    emit(&o, m->hdr->data, m->hdr->len);
    emit(&o, m->line->data, m->line->len);
    buf_reset(m->line);
    while (more) {
        more = feed(m, m->chunk);
        if (m->chunk->len >= CHUNK_SIZE || !more) {
            emit(&o, m->chunk->data, m->chunk->len);
            buf_reset(m->chunk);
        }
    }
    if (m->read_error)
        return read_error(m, error_r);
    if (o.status != EX_OK)
        *error_r = o.error;
    return o.status;
}
