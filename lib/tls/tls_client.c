/* SPDX-License-Identifier: MIT
 * tls_client - client contexts with CA trust and host name checks.
 *
 * See also: tls_client.h, tls_ctx.h, tls_io.h.
 */
#include "tls_client.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "tls_name.h"
#include "util/alloc.h"
#include "util/err.h"

struct tls_client {
    SSL_CTX *ctx;
};

/* tls_client_create - policy, trust anchors, peer verification */
struct tls_client *tls_client_create(const struct tls_client_config *cfg, const char **error_r)
{
    struct tls_client *c;
    SSL_CTX *ctx = tls_ctx_new(TLS_client_method(), &cfg->policy, error_r);

    if (ctx == NULL)
        return NULL;
    if (cfg->ca_file != NULL && cfg->ca_file[0] != '\0') {
        if (SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
            tls_ctx_fail(error_r, "cannot load the trusted CAs in %s", cfg->ca_file);
            SSL_CTX_free(ctx);
            return NULL;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        tls_ctx_fail(error_r, "cannot load the system's trusted CAs");
        SSL_CTX_free(ctx);
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    c->ctx = ctx;
    return c;
}

/* tls_client_ssl - SNI, the name to check, and the verify mode */
SSL *tls_client_ssl(struct tls_client *c, const char *host, bool verify, const char **error_r)
{
    SSL *ssl;

    if (!tls_name_ok(host, strlen(host))) {
        errf(error_r, "\"%.300s\" is not a host name to verify a server by", host);
        return NULL;
    }
    if ((ssl = SSL_new(c->ctx)) == NULL) {
        tls_ctx_fail(error_r, "SSL_new");
        return NULL;
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set_tlsext_host_name(ssl, host) != 1 || SSL_set1_host(ssl, host) != 1) {
        tls_ctx_fail(error_r, "cannot set the server name %s", host);
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_verify(ssl, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    SSL_set_connect_state(ssl);
    return ssl;
}

/* tls_client_verified - a chain to a trusted CA, naming the host */
bool tls_client_verified(SSL *ssl)
{
    X509 *peer = SSL_get0_peer_certificate(ssl);

    return peer != NULL && SSL_get_verify_result(ssl) == X509_V_OK;
}

/* tls_client_destroy - free the context */
void tls_client_destroy(struct tls_client **c_r)
{
    if (*c_r == NULL)
        return;
    SSL_CTX_free((*c_r)->ctx);
    free(*c_r);
    *c_r = NULL;
}
