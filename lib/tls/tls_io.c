/* SPDX-License-Identifier: MIT
 * tls_io - the conn transport over OpenSSL.
 *
 * Reads and writes map SSL_ERROR_WANT_READ/WRITE to EAGAIN with the
 * readiness to wait for, a close_notify to EOF, and every other failure
 * to EPROTO with its reason kept for the log.
 *
 * See also: tls_io.h, lib/util/conn.h (the transport hooks).
 */
#include "tls_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "tls_ctx.h"
#include "util/alloc.h"
#include "util/conn.h"
#include "util/err.h"
#include "util/event.h"

struct tls_io {
    SSL *ssl;
    char error[256];
};

/* io_fail - a read or write that did not move bytes: -1 with errno (and
 * the readiness to wait for), or 0 for the peer's close_notify */
static ssize_t io_fail(struct tls_io *io, int rc, unsigned *want_r)
{
    int err = SSL_get_error(io->ssl, rc), saved = errno;

    switch (err) {
    case SSL_ERROR_WANT_READ:
        *want_r = EVENT_READ;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        *want_r = EVENT_WRITE;
        errno = EAGAIN;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (saved == 0) {
            snprintf(io->error, sizeof(io->error), "lost connection");
            errno = ECONNRESET;
        } else {
            snprintf(io->error, sizeof(io->error), "%s", strerror(saved));
            errno = saved;
        }
        return -1;
    default:
        tls_ctx_reason(io->error, sizeof(io->error));
        errno = EPROTO;
        return -1;
    }
}

/* io_read - decrypted bytes */
static ssize_t io_read(void *ctx, void *buf, size_t n, unsigned *want_r)
{
    struct tls_io *io = ctx;
    size_t got = 0;
    int rc;

    ERR_clear_error();
    errno = 0;
    if ((rc = SSL_read_ex(io->ssl, buf, n, &got)) == 1)
        return (ssize_t)got;
    return io_fail(io, rc, want_r);
}

/* io_write - bytes to encrypt (partial writes are on) */
static ssize_t io_write(void *ctx, const void *buf, size_t n, unsigned *want_r)
{
    struct tls_io *io = ctx;
    size_t put = 0;
    int rc;

    ERR_clear_error();
    errno = 0;
    if ((rc = SSL_write_ex(io->ssl, buf, n, &put)) == 1)
        return (ssize_t)put;
    return io_fail(io, rc, want_r);
}

/* io_pending - decrypted bytes waiting inside OpenSSL */
static size_t io_pending(void *ctx)
{
    struct tls_io *io = ctx;
    int n = SSL_pending(io->ssl);

    return n > 0 ? (size_t)n : 0;
}

/* io_shutdown - one close_notify, best effort (the socket is non-blocking) */
static void io_shutdown(void *ctx)
{
    struct tls_io *io = ctx;

    if (SSL_is_init_finished(io->ssl)) {
        ERR_clear_error();
        (void)SSL_shutdown(io->ssl);
        ERR_clear_error();
    }
}

static const struct conn_io_ops tls_ops = { io_read, io_write, io_pending, io_shutdown };

/* tls_io_start - bind ssl to the conn's fd and route the conn through it */
struct tls_io *tls_io_start(struct conn *c, SSL *ssl, const char **error_r)
{
    struct tls_io *io;

    if (SSL_set_fd(ssl, conn_fd(c)) != 1) {
        tls_ctx_fail(error_r, "SSL_set_fd");
        SSL_free(ssl);
        return NULL;
    }
    io = xcalloc(1, sizeof(*io));
    io->ssl = ssl;
    conn_set_io(c, &tls_ops, io);
    return io;
}

/* tls_io_starttls - refuse bytes that arrived before the handshake */
struct tls_io *tls_io_starttls(struct conn *c, SSL *ssl, const char **error_r)
{
    const char *data;
    size_t n = conn_input(c, &data);

    if (n > 0) {
        SSL_free(ssl);
        errf(error_r, "%zu bytes arrived after STARTTLS, before the TLS handshake", n);
        return NULL;
    }
    return tls_io_start(c, ssl, error_r);
}

bool tls_io_done(const struct tls_io *io)
{
    return SSL_is_init_finished(io->ssl);
}

const char *tls_io_version(const struct tls_io *io)
{
    return SSL_get_version(io->ssl);
}

const char *tls_io_cipher(const struct tls_io *io)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(io->ssl);

    return cipher != NULL ? SSL_CIPHER_get_name(cipher) : "none";
}

/* tls_io_describe - protocol, cipher and its strength, Postfix's words */
void tls_io_describe(const struct tls_io *io, char *buf, size_t size)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(io->ssl);
    int alg_bits = 0, bits = cipher != NULL ? SSL_CIPHER_get_bits(cipher, &alg_bits) : 0;

    snprintf(buf, size, "%s with cipher %s (%d/%d bits)", tls_io_version(io), tls_io_cipher(io), bits,
             alg_bits);
}

const char *tls_io_error(const struct tls_io *io)
{
    return io->error;
}

SSL *tls_io_ssl(const struct tls_io *io)
{
    return io->ssl;
}

/* tls_io_destroy - free the SSL */
void tls_io_destroy(struct tls_io **io_r)
{
    if (*io_r == NULL)
        return;
    SSL_free((*io_r)->ssl);
    free(*io_r);
    *io_r = NULL;
}
