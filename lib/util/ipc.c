/* SPDX-License-Identifier: MIT
 * ipc - messages between Petrel processes: building, encoding, strict
 * decoding, typed getters, the printable rendering, and the hello.
 *
 * A message is an array of attributes in wire order. Each attribute knows
 * whether the message owns its descriptor: descriptors that arrived with a
 * frame are owned (closed on destroy unless taken), descriptors added for
 * sending stay the caller's.
 *
 * Trust: ipc_msg_decode() parses bytes from a sibling daemon, which is
 * untrusted. Every length is checked against what remains of the payload
 * before it is used; names, types, NUL bytes in strings, the attribute count
 * (IPC_ATTR_MAX) and the descriptor count are checked; any failure closes
 * every descriptor that came with the frame. Encoding is canonical, so
 * decode(encode(m)) gives back the same bytes.
 *
 * See also: ipc.h (wire format), ipc_chan.c (transport).
 */
#include "util/ipc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/msg.h"

/* Fixed part of an attribute: type and name length. */
#define IPC_ATTR_HEAD 2
/* Value length prefix of STR and DATA. */
#define IPC_LEN_SIZE 4
#define IPC_INT_SIZE 8

struct ipc_item {
    struct ipc_attr a; /* first, so &item->a is what readers see */
    bool owned;        /* a received descriptor: closed on destroy */
};

struct ipc_msg {
    struct ipc_item *items;
    size_t count;
    size_t cap;
};

/* put_u32 - store v big-endian */
static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* get_u32 - load a big-endian 32-bit value */
static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* put_i64 - store v big-endian as two's complement */
static void put_i64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (unsigned char)u;
        u >>= 8;
    }
}

/* get_i64 - load a big-endian two's complement 64-bit value */
static int64_t get_i64(const unsigned char *p)
{
    uint64_t u = 0;
    int i;

    for (i = 0; i < 8; i++)
        u = u << 8 | p[i];
    /* Convert without relying on implementation-defined narrowing. */
    if (u <= (uint64_t)INT64_MAX)
        return (int64_t)u;
    return -(int64_t)(~u) - 1;
}

/* ipc_name_valid - 1..IPC_NAME_MAX bytes of [a-z0-9_] */
static bool ipc_name_valid(const char *name, size_t len)
{
    size_t i;

    if (len == 0 || len > IPC_NAME_MAX)
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* ipc_type_name - the type with its article, for error messages */
static const char *ipc_type_name(enum ipc_type type)
{
    switch (type) {
    case IPC_INT:
        return "an integer";
    case IPC_STR:
        return "a string";
    case IPC_DATA:
        return "data";
    case IPC_FD:
        return "a descriptor";
    }
    return "of an unknown type";
}

/* ipc_msg_create - an empty message */
struct ipc_msg *ipc_msg_create(void)
{
    return xcalloc(1, sizeof(struct ipc_msg));
}

/* ipc_msg_destroy - free, closing received descriptors not taken */
void ipc_msg_destroy(struct ipc_msg **m_r)
{
    struct ipc_msg *m = *m_r;
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->count; i++) {
        struct ipc_item *it = &m->items[i];

        if (it->a.type == IPC_FD && it->owned && it->a.fd >= 0)
            close(it->a.fd);
        free((void *)it->a.name);
        free((void *)it->a.s);
    }
    xfree(m->items);
    xfree(*m_r);
}

/* ipc_msg_push - append an attribute slot with a copied, checked name */
static struct ipc_attr *ipc_msg_push(struct ipc_msg *m, enum ipc_type type, const char *name, size_t name_len)
{
    struct ipc_item *it;

    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->items = xreallocarray(m->items, m->cap, sizeof(*m->items));
    }
    it = &m->items[m->count++];
    memset(it, 0, sizeof(*it));
    it->a.type = type;
    it->a.name = xmemdup(name, name_len);
    it->a.fd = -1;
    return &it->a;
}

/* ipc_msg_add - append an attribute built by the caller; bad names are bugs */
static struct ipc_attr *ipc_msg_add(struct ipc_msg *m, enum ipc_type type, const char *name)
{
    size_t len = strlen(name);

    if (!ipc_name_valid(name, len))
        msg_panic("ipc_msg_add: invalid attribute name \"%.80s\"", name);
    return ipc_msg_push(m, type, name, len);
}

/* ipc_msg_add_int - append an integer */
void ipc_msg_add_int(struct ipc_msg *m, const char *name, int64_t v)
{
    ipc_msg_add(m, IPC_INT, name)->i = v;
}

/* ipc_msg_add_str - append a copy of a string */
void ipc_msg_add_str(struct ipc_msg *m, const char *name, const char *s)
{
    struct ipc_attr *a = ipc_msg_add(m, IPC_STR, name);

    a->len = strlen(s);
    a->s = xmemdup(s, a->len);
}

/* ipc_msg_add_data - append a copy of binary data */
void ipc_msg_add_data(struct ipc_msg *m, const char *name, const void *p, size_t len)
{
    struct ipc_attr *a = ipc_msg_add(m, IPC_DATA, name);

    a->len = len;
    a->s = xmemdup(p, len);
}

/* ipc_msg_add_fd - append a descriptor that stays owned by the caller */
void ipc_msg_add_fd(struct ipc_msg *m, const char *name, int fd)
{
    if (fd < 0)
        msg_panic("ipc_msg_add_fd: invalid descriptor %d for \"%s\"", fd, name);
    ipc_msg_add(m, IPC_FD, name)->fd = fd;
}

/* ipc_msg_find - the first item with this name, or NULL */
static struct ipc_item *ipc_msg_find(const struct ipc_msg *m, const char *name)
{
    size_t i;

    for (i = 0; i < m->count; i++)
        if (strcmp(m->items[i].a.name, name) == 0)
            return &m->items[i];
    return NULL;
}

/* ipc_msg_lookup - the first attribute of name, which must have type */
static int ipc_msg_lookup(const struct ipc_msg *m, const char *name, enum ipc_type type,
                          struct ipc_item **it_r, const char **error_r)
{
    struct ipc_item *it = ipc_msg_find(m, name);

    if (it == NULL)
        return errf(error_r, "missing attribute \"%s\"", name);
    if (it->a.type != type)
        return errf(error_r, "attribute \"%s\" is %s, expected %s", name, ipc_type_name(it->a.type),
                    ipc_type_name(type));
    *it_r = it;
    return 0;
}

/* ipc_msg_get_int - the first attribute of name as an integer */
int ipc_msg_get_int(const struct ipc_msg *m, const char *name, int64_t *v_r, const char **error_r)
{
    struct ipc_item *it;

    if (ipc_msg_lookup(m, name, IPC_INT, &it, error_r) < 0)
        return -1;
    *v_r = it->a.i;
    return 0;
}

/* ipc_msg_get_str - the first attribute of name as a string */
int ipc_msg_get_str(const struct ipc_msg *m, const char *name, const char **s_r, const char **error_r)
{
    struct ipc_item *it;

    if (ipc_msg_lookup(m, name, IPC_STR, &it, error_r) < 0)
        return -1;
    *s_r = it->a.s;
    return 0;
}

/* ipc_msg_get_data - the first attribute of name as binary data */
int ipc_msg_get_data(const struct ipc_msg *m, const char *name, const void **p_r, size_t *len_r,
                     const char **error_r)
{
    struct ipc_item *it;

    if (ipc_msg_lookup(m, name, IPC_DATA, &it, error_r) < 0)
        return -1;
    *p_r = it->a.s;
    *len_r = it->a.len;
    return 0;
}

/* file_type_name - a readable name for an S_IFMT value */
static const char *file_type_name(mode_t type)
{
    switch (type) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a pipe";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFLNK:
        return "a symbolic link";
    default:
        return "of an unknown file type";
    }
}

/* ipc_msg_take_fd - move the first untaken descriptor of name to the caller */
int ipc_msg_take_fd(struct ipc_msg *m, const char *name, mode_t want_type, int *fd_r, const char **error_r)
{
    struct ipc_item *it;
    struct stat st;
    size_t i;

    if (ipc_msg_lookup(m, name, IPC_FD, &it, error_r) < 0)
        return -1;
    /* Repeated names form a list: take them in order. */
    for (i = (size_t)(it - m->items); i < m->count; i++) {
        it = &m->items[i];
        if (it->a.type == IPC_FD && it->a.fd >= 0 && strcmp(it->a.name, name) == 0)
            break;
    }
    if (i == m->count)
        return errf(error_r, "descriptor \"%s\" was already taken", name);
    if (fstat(it->a.fd, &st) < 0)
        return errf(error_r, "descriptor \"%s\": fstat: %s", name, strerror(errno));
    if (want_type != 0 && (st.st_mode & S_IFMT) != want_type)
        return errf(error_r, "descriptor \"%s\" is %s, expected %s", name,
                    file_type_name(st.st_mode & S_IFMT), file_type_name(want_type));
    *fd_r = it->a.fd;
    it->a.fd = -1;
    it->owned = false;
    return 0;
}

/* ipc_msg_has - is there an attribute with this name? */
bool ipc_msg_has(const struct ipc_msg *m, const char *name)
{
    return ipc_msg_find(m, name) != NULL;
}

/* ipc_msg_count - the number of attributes */
size_t ipc_msg_count(const struct ipc_msg *m)
{
    return m->count;
}

/* ipc_msg_attr - the i-th attribute in wire order */
const struct ipc_attr *ipc_msg_attr(const struct ipc_msg *m, size_t i)
{
    ASSERT(i < m->count);
    return &m->items[i].a;
}

/* render_escaped - append a quoted string with quote, backslash and control
 * bytes escaped; false once the output buffer is full */
static bool render_escaped(struct buf *out, const char *s, size_t len)
{
    size_t i;
    int r = buf_append_char(out, '"');

    for (i = 0; i < len && r == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\')
            r = buf_printf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            r = buf_printf(out, "\\x%02x", c);
        else
            r = buf_append_char(out, (char)c);
    }
    return r == 0 && buf_append_char(out, '"') == 0;
}

/* render_attr - append one "name=value"; false once the output is full */
static bool render_attr(struct buf *out, const struct ipc_attr *a)
{
    if (buf_printf(out, "%s=", a->name) < 0)
        return false;
    switch (a->type) {
    case IPC_INT:
        return buf_printf(out, "%" PRId64, a->i) == 0;
    case IPC_STR:
        return render_escaped(out, a->s, a->len);
    case IPC_DATA:
        return buf_printf(out, "<%zu byte%s>", a->len, a->len == 1 ? "" : "s") == 0;
    case IPC_FD:
        return buf_append_str(out, "<fd>") == 0;
    }
    msg_panic("ipc_msg_render: attribute type %d", (int)a->type);
}

/* ipc_msg_render - append "name=value, ..."; at the buffer maximum the
 * output ends after the last attribute that fit whole */
void ipc_msg_render(const struct ipc_msg *m, struct buf *out)
{
    size_t i, mark;

    for (i = 0; i < m->count; i++) {
        mark = out->len;
        if ((i > 0 && buf_append_str(out, ", ") < 0) || !render_attr(out, &m->items[i].a)) {
            buf_truncate(out, mark);
            return;
        }
    }
}

/* ipc_attr_wire_size - bytes of one attribute on the wire */
static size_t ipc_attr_wire_size(const struct ipc_attr *a)
{
    size_t n = IPC_ATTR_HEAD + strlen(a->name);

    switch (a->type) {
    case IPC_INT:
        return n + IPC_INT_SIZE;
    case IPC_STR:
    case IPC_DATA:
        /* a->len is bounded by memory; the sum is checked by the caller */
        return n + IPC_LEN_SIZE + a->len;
    case IPC_FD:
        return n;
    }
    msg_panic("ipc_msg_encode: attribute type %d", (int)a->type);
}

/* ipc_msg_check_encode - payload size and descriptor list, within limits */
static int ipc_msg_check_encode(const struct ipc_msg *m, size_t max_frame, size_t *len_r,
                                int fds_r[IPC_FD_MAX], size_t *nfds_r, const char **error_r)
{
    size_t i, len = 0, nfds = 0;

    if (max_frame > UINT32_MAX)
        max_frame = UINT32_MAX;
    if (m->count > IPC_ATTR_MAX)
        return errf(error_r, "message has %zu attributes, more than %d", m->count, IPC_ATTR_MAX);
    for (i = 0; i < m->count; i++) {
        const struct ipc_attr *a = &m->items[i].a;

        if (a->type == IPC_STR && memchr(a->s, '\0', a->len) != NULL)
            return errf(error_r, "attribute \"%s\": string contains a NUL byte", a->name);
        if ((a->type == IPC_STR || a->type == IPC_DATA) && a->len > UINT32_MAX)
            return errf(error_r, "attribute \"%s\": value of %zu bytes is too long", a->name, a->len);
        if (a->type == IPC_FD) {
            if (a->fd < 0)
                return errf(error_r, "attribute \"%s\": descriptor was taken", a->name);
            if (nfds == IPC_FD_MAX)
                return errf(error_r, "message has more than %d descriptors", IPC_FD_MAX);
            if (fds_r != NULL)
                fds_r[nfds] = a->fd;
            nfds++;
        }
        if (!size_add_ok(len, ipc_attr_wire_size(a), &len))
            return errf(error_r, "message size overflows");
    }
    if (len > max_frame)
        return errf(error_r, "frame of %zu bytes exceeds the maximum of %zu", len, max_frame);
    *len_r = len;
    *nfds_r = nfds;
    return 0;
}

/* ipc_attr_encode - write one attribute at p; returns the byte after it */
static unsigned char *ipc_attr_encode(const struct ipc_attr *a, unsigned char *p)
{
    size_t name_len = strlen(a->name);

    *p++ = (unsigned char)a->type;
    *p++ = (unsigned char)name_len;
    memcpy(p, a->name, name_len);
    p += name_len;
    switch (a->type) {
    case IPC_INT:
        put_i64(p, a->i);
        return p + IPC_INT_SIZE;
    case IPC_STR:
    case IPC_DATA:
        put_u32(p, (uint32_t)a->len);
        p += IPC_LEN_SIZE;
        if (a->len > 0)
            memcpy(p, a->s, a->len);
        return p + a->len;
    case IPC_FD:
        return p;
    }
    msg_panic("ipc_msg_encode: attribute type %d", (int)a->type);
}

/* ipc_msg_encode - append header and payload to out, list the descriptors */
int ipc_msg_encode(const struct ipc_msg *m, size_t max_frame, struct buf *out, int fds_r[IPC_FD_MAX],
                   size_t *nfds_r, const char **error_r)
{
    unsigned char *start, *p;
    size_t len = 0, nfds = 0, i;

    if (ipc_msg_check_encode(m, max_frame, &len, fds_r, &nfds, error_r) < 0)
        return -1;
    start = (unsigned char *)buf_reserve(out, IPC_HEADER_SIZE + len);
    if (start == NULL)
        return errf(error_r, "frame of %zu bytes does not fit the output buffer", len);
    put_u32(start, (uint32_t)len);
    p = start + IPC_HEADER_SIZE;
    for (i = 0; i < m->count; i++)
        p = ipc_attr_encode(&m->items[i].a, p);
    ASSERT((size_t)(p - start) == IPC_HEADER_SIZE + len);
    buf_commit(out, IPC_HEADER_SIZE + len);
    if (nfds_r != NULL)
        *nfds_r = nfds;
    return 0;
}

/* ipc_frame_length - the payload length a header announces, within max */
int ipc_frame_length(const unsigned char header[IPC_HEADER_SIZE], size_t max_frame, size_t *len_r,
                     const char **error_r)
{
    uint32_t len = get_u32(header);

    if (len > max_frame)
        return errf(error_r, "frame of %" PRIu32 " bytes exceeds the maximum of %zu", len, max_frame);
    *len_r = len;
    return 0;
}

/* ipc_decode_attr - parse the attribute at *off, add it to m, advance *off */
static int ipc_decode_attr(struct ipc_msg *m, const unsigned char *p, size_t len, size_t *off,
                           const char **error_r)
{
    size_t at = *off, rest = len - at, name_len, vlen;
    unsigned type;
    struct ipc_attr *a;

    if (rest < IPC_ATTR_HEAD)
        return errf(error_r, "truncated attribute header at offset %zu", at);
    type = p[at];
    name_len = p[at + 1];
    if (type < IPC_INT || type > IPC_FD)
        return errf(error_r, "unknown attribute type %u at offset %zu", type, at);
    if (name_len == 0 || name_len > IPC_NAME_MAX)
        return errf(error_r, "invalid attribute name length %zu at offset %zu", name_len, at);
    if (rest - IPC_ATTR_HEAD < name_len)
        return errf(error_r, "truncated attribute name at offset %zu", at);
    if (!ipc_name_valid((const char *)p + at + IPC_ATTR_HEAD, name_len))
        return errf(error_r, "invalid attribute name at offset %zu", at);
    rest -= IPC_ATTR_HEAD + name_len;
    at += IPC_ATTR_HEAD + name_len;
    a = ipc_msg_push(m, type, (const char *)p + *off + IPC_ATTR_HEAD, name_len);
    if (type == IPC_INT) {
        if (rest < IPC_INT_SIZE)
            return errf(error_r, "attribute \"%s\": truncated integer", a->name);
        a->i = get_i64(p + at);
        *off = at + IPC_INT_SIZE;
    } else if (type == IPC_STR || type == IPC_DATA) {
        if (rest < IPC_LEN_SIZE)
            return errf(error_r, "attribute \"%s\": truncated value length", a->name);
        vlen = get_u32(p + at);
        if (rest - IPC_LEN_SIZE < vlen)
            return errf(error_r, "attribute \"%s\": value of %zu bytes but only %zu remain", a->name, vlen,
                        rest - IPC_LEN_SIZE);
        at += IPC_LEN_SIZE;
        if (type == IPC_STR && memchr(p + at, '\0', vlen) != NULL)
            return errf(error_r, "attribute \"%s\": string contains a NUL byte", a->name);
        a->s = xmemdup(p + at, vlen);
        a->len = vlen;
        *off = at + vlen;
    } else {
        *off = at;
    }
    return 0;
}

/* ipc_msg_attach_fds - give the frame's descriptors to its FD attributes */
static int ipc_msg_attach_fds(struct ipc_msg *m, const int *fds, size_t nfds, const char **error_r)
{
    size_t i, n = 0;

    for (i = 0; i < m->count; i++)
        if (m->items[i].a.type == IPC_FD)
            n++;
    if (n != nfds)
        return errf(error_r, "frame declares %zu descriptor%s but %zu arrived", n, n == 1 ? "" : "s", nfds);
    for (i = 0, n = 0; i < m->count; i++) {
        if (m->items[i].a.type == IPC_FD) {
            m->items[i].a.fd = fds[n++];
            m->items[i].owned = true;
        }
    }
    return 0;
}

/* ipc_msg_decode - parse one payload; its descriptors go to the message */
int ipc_msg_decode(const void *payload, size_t len, const int *fds, size_t nfds, struct ipc_msg **m_r,
                   const char **error_r)
{
    const unsigned char *p = payload;
    struct ipc_msg *m = ipc_msg_create();
    size_t off = 0, i;

    while (off < len) {
        if (m->count == IPC_ATTR_MAX) {
            errf(error_r, "more than %d attributes", IPC_ATTR_MAX);
            goto fail;
        }
        if (ipc_decode_attr(m, p, len, &off, error_r) < 0)
            goto fail;
    }
    if (ipc_msg_attach_fds(m, fds, nfds, error_r) < 0)
        goto fail;
    *m_r = m;
    return 0;
fail:
    /* No descriptor was attached yet: close them all here. */
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    ipc_msg_destroy(&m);
    return -1;
}

/* ipc_hello_create - the hello message for protocol and version */
struct ipc_msg *ipc_hello_create(const char *protocol, int64_t version)
{
    struct ipc_msg *m = ipc_msg_create();

    ipc_msg_add_str(m, "protocol", protocol);
    ipc_msg_add_int(m, "version", version);
    return m;
}

/* ipc_hello_check - is m a hello for protocol with at least min_version? */
int ipc_hello_check(const struct ipc_msg *m, const char *protocol, int64_t min_version, const char **error_r)
{
    const char *got, *error;
    int64_t version;

    if (ipc_msg_get_str(m, "protocol", &got, &error) < 0
        || ipc_msg_get_int(m, "version", &version, &error) < 0)
        return errf(error_r, "invalid hello: %s", error);
    if (strcmp(got, protocol) != 0)
        return errf(error_r, "peer speaks protocol \"%.100s\", expected \"%s\"", got, protocol);
    if (version < min_version)
        return errf(error_r,
                    "peer speaks protocol \"%s\" version %" PRId64 ", need at least version %" PRId64,
                    protocol, version, min_version);
    return 0;
}
