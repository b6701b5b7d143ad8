/* SPDX-License-Identifier: MIT
 * ipc - messages between Petrel processes: frames of named, typed attributes.
 *
 * Wire format (all integers big-endian):
 *
 *     frame   = length:u32 payload            length <= the frame maximum
 *     payload = attr*
 *     attr    = type:u8 namelen:u8 name value
 *     name    = 1..63 bytes of [a-z0-9_]
 *     value   = INT: i64 | STR, DATA: len:u32 bytes | FD: (nothing)
 *
 * STR is text with no NUL byte; DATA is any bytes. The n-th FD attribute of
 * a frame names the n-th descriptor passed with SCM_RIGHTS together with
 * that frame; a frame whose FD attributes and descriptors do not match is
 * malformed. Receivers check each descriptor's file type with fstat.
 *
 * Messages from sibling daemons are untrusted input: every length is checked
 * against what remains, unknown attribute names are kept (and ignored by
 * readers that do not ask for them), and missing or mistyped attributes are
 * errors. Every message has a printable rendering "name=value, ..." for logs
 * and golden tests. Each connection starts with a hello from the server:
 * "protocol=NAME, version=N".
 *
 * Limits: IPC_NAME_MAX, IPC_ATTR_MAX attributes and IPC_FD_MAX descriptors
 * per frame, and the frame maximum chosen by the caller (the parameter
 * ipc_max_frame_size, default 1 MiB).
 *
 * See also: ipc_chan.h (sending and receiving frames over a socket).
 */
#ifndef PETREL_UTIL_IPC_H
#define PETREL_UTIL_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;

#define IPC_NAME_MAX 63
#define IPC_ATTR_MAX 4096
#define IPC_FD_MAX 8
#define IPC_HEADER_SIZE 4

enum ipc_type {
    IPC_INT = 1,
    IPC_STR = 2,
    IPC_DATA = 3,
    IPC_FD = 4,
};

struct ipc_attr {
    enum ipc_type type;
    const char *name;
    int64_t i;     /* IPC_INT */
    const char *s; /* IPC_STR, IPC_DATA: NUL-terminated copy */
    size_t len;    /* IPC_STR, IPC_DATA */
    int fd;        /* IPC_FD: -1 once taken */
};

struct ipc_msg;

/* ipc_msg_create - an empty message */
struct ipc_msg *ipc_msg_create(void);
/* ipc_msg_destroy - free, closing any received descriptors not taken */
void ipc_msg_destroy(struct ipc_msg **m_r);

/* Building. Names must be valid (a bug otherwise: panic). Strings and
 * data are copied. An FD added for sending stays owned by the caller. */
void ipc_msg_add_int(struct ipc_msg *m, const char *name, int64_t v);
void ipc_msg_add_str(struct ipc_msg *m, const char *name, const char *s);
void ipc_msg_add_data(struct ipc_msg *m, const char *name, const void *p, size_t len);
void ipc_msg_add_fd(struct ipc_msg *m, const char *name, int fd);

/* Reading: the first attribute of that name. Missing or of another type:
 * -1 with an error naming the attribute. */
int ipc_msg_get_int(const struct ipc_msg *m, const char *name, int64_t *v_r, const char **error_r);
int ipc_msg_get_str(const struct ipc_msg *m, const char *name, const char **s_r, const char **error_r);
int ipc_msg_get_data(const struct ipc_msg *m, const char *name, const void **p_r, size_t *len_r,
                     const char **error_r);
/* ipc_msg_take_fd - move a received descriptor to the caller after checking
 * that its type (st_mode & S_IFMT) is want_type (0: any type). Repeated FD
 * names form a list: each call takes the next one not yet taken. A refused
 * descriptor stays in the message (closed by ipc_msg_destroy). */
int ipc_msg_take_fd(struct ipc_msg *m, const char *name, mode_t want_type, int *fd_r, const char **error_r);
/* ipc_msg_has - is there an attribute with this name? */
bool ipc_msg_has(const struct ipc_msg *m, const char *name);
/* ipc_msg_count / ipc_msg_attr - iterate (for repeated names such as lists) */
size_t ipc_msg_count(const struct ipc_msg *m);
const struct ipc_attr *ipc_msg_attr(const struct ipc_msg *m, size_t i);

/* ipc_msg_render - append "name=value, ..." in wire order: INT in decimal,
 * STR in double quotes with '"' and '\' backslash-escaped and bytes below
 * 0x20 and 0x7f as \xNN (other bytes as they are), DATA as its length only
 * ("<12 bytes>", never its contents), FD as "<fd>". If out reaches its
 * maximum the rendering ends after the last attribute that fit whole. */
void ipc_msg_render(const struct ipc_msg *m, struct buf *out);

/* ipc_msg_encode - append the whole frame (header and payload) to out and
 * list the descriptors to pass with it (fds_r may be NULL); -1 (out
 * unchanged) if the payload exceeds max_frame or out's maximum, or the
 * message has more than IPC_ATTR_MAX attributes or IPC_FD_MAX descriptors.
 * The frame maximum always counts the payload, without the header. */
int ipc_msg_encode(const struct ipc_msg *m, size_t max_frame, struct buf *out, int fds_r[IPC_FD_MAX],
                   size_t *nfds_r, const char **error_r);
/* ipc_frame_length - the payload length announced by a 4-byte header;
 * -1 if it exceeds max_frame */
int ipc_frame_length(const unsigned char header[IPC_HEADER_SIZE], size_t max_frame, size_t *len_r,
                     const char **error_r);
/* ipc_msg_decode - parse one payload; the nfds descriptors that came with
 * the frame become owned by the message (all are closed on error) */
int ipc_msg_decode(const void *payload, size_t len, const int *fds, size_t nfds, struct ipc_msg **m_r,
                   const char **error_r);

/* ipc_hello_create - the hello message for protocol and version */
struct ipc_msg *ipc_hello_create(const char *protocol, int64_t version);
/* ipc_hello_check - is m a hello for protocol with at least min_version? */
int ipc_hello_check(const struct ipc_msg *m, const char *protocol, int64_t min_version, const char **error_r);

#endif
