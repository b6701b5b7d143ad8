/* SPDX-License-Identifier: MIT
 * tls_ctx - what the server and client contexts share: the protocol
 * floor, cipher lists and options every Petrel TLS context gets, and
 * OpenSSL's error queue turned into one error string.
 *
 * Policy: TLS 1.2 and 1.3 only (min_version "TLSv1.2" or "TLSv1.3"),
 * renegotiation off (THREATS.md #27), no compression, the given TLS 1.2
 * cipher list and TLS 1.3 cipher suites.
 */
#ifndef PETREL_TLS_CTX_H
#define PETREL_TLS_CTX_H

#include <openssl/ssl.h>

struct tls_policy {
    const char *min_version;  /* "TLSv1.2" or "TLSv1.3" */
    const char *cipher_list;  /* TLS 1.2 and below, OpenSSL syntax */
    const char *ciphersuites; /* TLS 1.3 */
};

/* tls_ctx_new - a context for method with the policy applied; NULL and
 * an error naming the bad setting */
SSL_CTX *tls_ctx_new(const SSL_METHOD *method, const struct tls_policy *policy, const char **error_r);

/* tls_ctx_fail - errf() of "STEP: OpenSSL's first reason"; clears the
 * error queue; returns -1 */
int tls_ctx_fail(const char **error_r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tls_ctx_reason - OpenSSL's first queued reason into buf (or "no reason
 * given by OpenSSL"), the queue cleared; returns buf */
const char *tls_ctx_reason(char *buf, size_t size);

#endif
