/* SPDX-License-Identifier: MIT
 * tls_client - the client side of TLS, for the outbound smtp agent: a
 * context with the shared policy and a set of trusted CAs, and per
 * connection an SSL that sends SNI and checks the server's name.
 *
 * Verification: with verify set, the handshake fails unless the server's
 * chain leads to a trusted CA and its certificate names the host (RFC
 * 6125 rules as OpenSSL's X509_check_host applies them: no partial
 * wildcards, wildcards only in the left-most label). Without verify the
 * handshake goes on (opportunistic TLS) and tls_client_verified tells
 * afterwards whether the peer would have passed.
 */
#ifndef PETREL_TLS_CLIENT_H
#define PETREL_TLS_CLIENT_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "tls_ctx.h"

struct tls_client_config {
    struct tls_policy policy;
    const char *ca_file; /* PEM bundle of trusted CAs; NULL or "": the system's */
};

struct tls_client;

/* tls_client_create - the client context; NULL and an error */
struct tls_client *tls_client_create(const struct tls_client_config *cfg, const char **error_r);

/* tls_client_ssl - an SSL in the connect state for host (sent as SNI and,
 * with verify, required in the certificate); NULL and an error when host
 * is not a host name or OpenSSL fails */
SSL *tls_client_ssl(struct tls_client *c, const char *host, bool verify, const char **error_r);

/* tls_client_verified - after the handshake: did the chain verify and the
 * certificate match the host given to tls_client_ssl? */
bool tls_client_verified(SSL *ssl);

void tls_client_destroy(struct tls_client **c_r);

#endif
