/* SPDX-License-Identifier: MIT
 * tls_io - TLS under a conn: the conn_io_ops that move a connection's
 * bytes through an SSL, for STARTTLS and for implicit-TLS listeners.
 *
 * tls_io_start switches a conn to TLS at once. The handshake runs inside
 * the conn's first reads and writes (SSL_read and SSL_write drive it), so
 * a server may queue its banner before the handshake ends: it goes out
 * encrypted once the handshake is done. A handshake that fails ends the
 * conn with CONN_CLOSE_ERROR (errno EPROTO); tls_io_error then says why.
 *
 * STARTTLS (RFC 3207): whatever the peer sent after the command (server)
 * or after the 220 reply (client) was not protected and must not be used
 * (THREATS.md #22, #24). tls_io_starttls refuses to start while such
 * bytes are buffered; a server discards them first (and says how many),
 * a client treats them as an attack on the session.
 *
 * When the conn closes after a flush, a close_notify is sent first.
 */
#ifndef PETREL_TLS_IO_H
#define PETREL_TLS_IO_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

struct conn;
struct tls_io;

/* tls_io_start - take ssl (freed by tls_io_destroy) and run c over it;
 * NULL (ssl freed) and an error if OpenSSL cannot bind it to the fd */
struct tls_io *tls_io_start(struct conn *c, SSL *ssl, const char **error_r);

/* tls_io_starttls - tls_io_start after a STARTTLS exchange; NULL (ssl
 * freed) and an error when bytes are buffered after the last line of it */
struct tls_io *tls_io_starttls(struct conn *c, SSL *ssl, const char **error_r);

/* tls_io_done - has the handshake finished? */
bool tls_io_done(const struct tls_io *io);
/* tls_io_describe - "TLSv1.3 with cipher NAME (256/256 bits)" */
void tls_io_describe(const struct tls_io *io, char *buf, size_t size);
/* tls_io_version / tls_io_cipher - the protocol and cipher names */
const char *tls_io_version(const struct tls_io *io);
const char *tls_io_cipher(const struct tls_io *io);
/* tls_io_error - why the last read or write failed ("" if none) */
const char *tls_io_error(const struct tls_io *io);
/* tls_io_ssl - the SSL, for peer checks */
SSL *tls_io_ssl(const struct tls_io *io);

/* tls_io_destroy - free the SSL (after conn_destroy of its conn) */
void tls_io_destroy(struct tls_io **io_r);

#endif
