/* SPDX-License-Identifier: MIT
 * tls_ctx - the shared policy of Petrel's OpenSSL contexts.
 *
 * See also: tls_ctx.h, tls_server.c, tls_client.c.
 */
#include "tls_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "util/err.h"

/* tls_ctx_reason - the first queued OpenSSL error */
const char *tls_ctx_reason(char *buf, size_t size)
{
    unsigned long code = ERR_get_error();

    if (code == 0)
        snprintf(buf, size, "no reason given by OpenSSL");
    else
        ERR_error_string_n(code, buf, size);
    ERR_clear_error();
    return buf;
}

/* tls_ctx_fail - the step and OpenSSL's reason */
int tls_ctx_fail(const char **error_r, const char *fmt, ...)
{
    char step[512], reason[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(step, sizeof(step), fmt, ap);
    va_end(ap);
    return errf(error_r, "%s: %s", step, tls_ctx_reason(reason, sizeof(reason)));
}

/* version_of - "TLSv1.2" or "TLSv1.3"; 0 for anything else */
static int version_of(const char *name)
{
    if (strcmp(name, "TLSv1.2") == 0)
        return TLS1_2_VERSION;
    if (strcmp(name, "TLSv1.3") == 0)
        return TLS1_3_VERSION;
    return 0;
}

/* tls_ctx_new - the context and the policy every Petrel context shares */
SSL_CTX *tls_ctx_new(const SSL_METHOD *method, const struct tls_policy *policy, const char **error_r)
{
    int version = version_of(policy->min_version);
    SSL_CTX *ctx;

    if (version == 0) {
        errf(error_r, "unsupported minimum TLS version \"%s\" (TLSv1.2 or TLSv1.3)", policy->min_version);
        return NULL;
    }
    if ((ctx = SSL_CTX_new(method)) == NULL) {
        tls_ctx_fail(error_r, "SSL_CTX_new");
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (SSL_CTX_set_min_proto_version(ctx, version) != 1) {
        tls_ctx_fail(error_r, "minimum TLS version %s", policy->min_version);
    } else if (SSL_CTX_set_cipher_list(ctx, policy->cipher_list) != 1) {
        tls_ctx_fail(error_r, "TLS cipher list \"%s\"", policy->cipher_list);
    } else if (SSL_CTX_set_ciphersuites(ctx, policy->ciphersuites) != 1) {
        tls_ctx_fail(error_r, "TLS 1.3 cipher suites \"%s\"", policy->ciphersuites);
    } else {
        return ctx;
    }
    SSL_CTX_free(ctx);
    return NULL;
}
