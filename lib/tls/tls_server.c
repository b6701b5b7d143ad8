/* SPDX-License-Identifier: MIT
 * tls_server - server contexts: certificate and key loading with the key
 * guard, SNI selection and ALPN refusal.
 *
 * See also: tls_server.h, tls_ctx.h, tls_io.h.
 */
#include "tls_server.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include "map/map.h"
#include "tls_name.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

#define GROUPS_MAX 256

struct tls_sni {
    char *name; /* lower case; ".domain" matches below domain */
    SSL_CTX *ctx;
};

struct tls_server {
    SSL_CTX *ctx;
    struct tls_server_config cfg; /* strings borrowed from the caller's params */
    const char *const *alpn;
    struct tls_sni *sni;
    size_t sni_count;
};

/* in_group - is guard's user a member of gid? */
static bool in_group(const struct tls_key_guard *g, gid_t gid)
{
    gid_t groups[GROUPS_MAX];
    int n = GROUPS_MAX, i;

    if (gid == g->gid)
        return true;
    if (getgrouplist(g->user, g->gid, groups, &n) < 0)
        return true; /* too many groups to tell: assume the worst */
    for (i = 0; i < n; i++)
        if (groups[i] == gid)
            return true;
    return false;
}

/* key_exposed - why st (a key file) is readable by the guarded user, or NULL */
static const char *key_exposed(const struct stat *st, const struct tls_key_guard *g)
{
    if (st->st_mode & S_IROTH)
        return "it is readable by every user";
    if (!g->active)
        return NULL;
    if (st->st_uid == g->uid)
        return "it is owned by the unprivileged user";
    if ((st->st_mode & S_IRGRP) && in_group(g, st->st_gid))
        return "its group, readable, includes the unprivileged user";
    return NULL;
}

/* load_key - read the key file into ctx, refusing an exposed one */
static int load_key(SSL_CTX *ctx, const char *path, const struct tls_key_guard *guard, const char **error_r)
{
    FILE *fp = fopen(path, "re");
    EVP_PKEY *key;
    struct stat st;
    const char *why;
    int rc;

    if (fp == NULL)
        return errf(error_r, "cannot open TLS key file %s: %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return errf(error_r, "TLS key file %s is not a regular file", path);
    }
    if ((why = key_exposed(&st, guard)) != NULL) {
        fclose(fp);
        return errf(error_r, "refusing TLS key file %s: %s (chmod 600, owned by root)", path, why);
    }
    key = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    fclose(fp);
    if (key == NULL)
        return tls_ctx_fail(error_r, "cannot read the private key in %s", path);
    rc = SSL_CTX_use_PrivateKey(ctx, key);
    EVP_PKEY_free(key);
    if (rc != 1)
        return tls_ctx_fail(error_r, "cannot use the private key in %s", path);
    return 0;
}

/* new_ctx - a server context with one certificate chain and its key */
static SSL_CTX *new_ctx(const struct tls_server_config *cfg, const char *cert_file, const char *key_file,
                        const char **error_r)
{
    SSL_CTX *ctx;

    if (cert_file == NULL || cert_file[0] == '\0' || key_file == NULL || key_file[0] == '\0') {
        errf(error_r, "no TLS certificate or key file is configured");
        return NULL;
    }
    if ((ctx = tls_ctx_new(TLS_server_method(), &cfg->policy, error_r)) == NULL)
        return NULL;
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_dh_auto(ctx, 1);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        tls_ctx_fail(error_r, "cannot use the TLS certificate chain in %s", cert_file);
    } else if (load_key(ctx, key_file, &cfg->guard, error_r) == 0) {
        if (SSL_CTX_check_private_key(ctx) == 1)
            return ctx;
        tls_ctx_fail(error_r, "the key in %s does not match the certificate in %s", key_file, cert_file);
    }
    SSL_CTX_free(ctx);
    return NULL;
}

/* sni_find - the context added for name: exact, then parent ".domain" */
static SSL_CTX *sni_find(const struct tls_server *s, const char *name)
{
    const char *p;
    size_t i;

    for (i = 0; i < s->sni_count; i++)
        if (strcasecmp(s->sni[i].name, name) == 0)
            return s->sni[i].ctx;
    for (p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.'))
        for (i = 0; i < s->sni_count; i++)
            if (strcasecmp(s->sni[i].name, p) == 0)
                return s->sni[i].ctx;
    return NULL;
}

/* on_servername - check the SNI name, then pick its certificate */
static int on_servername(SSL *ssl, int *alert, void *arg)
{
    struct tls_server *s = arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    SSL_CTX *ctx;

    if (name == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    if (!tls_name_ok(name, strlen(name))) {
        msg_info("TLS: refused a malformed SNI name of %zu bytes", strlen(name));
        *alert = SSL_AD_UNRECOGNIZED_NAME;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    if ((ctx = sni_find(s, name)) != NULL && SSL_set_SSL_CTX(ssl, ctx) == NULL) {
        *alert = SSL_AD_INTERNAL_ERROR;
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
}

/* on_alpn - select our protocol among the client's, or refuse */
static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
                   unsigned int inlen, void *arg)
{
    struct tls_server *s = arg;
    unsigned int i, n;
    size_t k;

    (void)ssl;
    for (i = 0; i < inlen; i += 1 + n) {
        n = in[i];
        if (n == 0 || n > inlen - i - 1)
            break;
        for (k = 0; s->alpn != NULL && s->alpn[k] != NULL; k++)
            if (strlen(s->alpn[k]) == n && memcmp(s->alpn[k], in + i + 1, n) == 0) {
                *out = in + i + 1;
                *outlen = (unsigned char)n;
                return SSL_TLSEXT_ERR_OK;
            }
    }
    msg_info("TLS: refused a client whose ALPN offers none of this service's protocols");
    return SSL_TLSEXT_ERR_ALERT_FATAL; /* no_application_protocol */
}

/* setup_callbacks - SNI and ALPN on a context of s */
static void setup_callbacks(struct tls_server *s, SSL_CTX *ctx)
{
    SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    SSL_CTX_set_tlsext_servername_arg(ctx, s);
    SSL_CTX_set_alpn_select_cb(ctx, on_alpn, s);
}

/* tls_server_create - the default context */
struct tls_server *tls_server_create(const struct tls_server_config *cfg, const char **error_r)
{
    struct tls_server *s;
    SSL_CTX *ctx = new_ctx(cfg, cfg->cert_file, cfg->key_file, error_r);

    if (ctx == NULL)
        return NULL;
    s = xcalloc(1, sizeof(*s));
    s->ctx = ctx;
    s->cfg = *cfg;
    s->alpn = cfg->alpn;
    setup_callbacks(s, ctx);
    return s;
}

/* tls_server_add_sni - one more certificate, chosen by name */
int tls_server_add_sni(struct tls_server *s, const char *name, const char *cert_file, const char *key_file,
                       const char **error_r)
{
    bool wild = name[0] == '*' && name[1] == '.';
    const char *host = wild ? name + 2 : name;
    SSL_CTX *ctx;

    if (!tls_name_ok(host, strlen(host)))
        return errf(error_r, "SNI name \"%.300s\" is not a host name or *.domain", name);
    if ((ctx = new_ctx(&s->cfg, cert_file, key_file, error_r)) == NULL)
        return -1;
    setup_callbacks(s, ctx);
    s->sni = xreallocarray(s->sni, s->sni_count + 1, sizeof(*s->sni));
    /* a wildcard is kept as ".domain", the suffix sni_find compares */
    s->sni[s->sni_count].name = xstrdup(wild ? name + 1 : name);
    s->sni[s->sni_count].ctx = ctx;
    s->sni_count++;
    return 0;
}

/* tls_server_load_sni_map - every "NAME" -> "CERT KEY" entry of the map */
int tls_server_load_sni_map(struct tls_server *s, const char *path, size_t *count_r, const char **error_r)
{
    char cert[PATH_MAX], key[PATH_MAX];
    const char *name, *value, *error;
    struct map_iter *it = NULL;
    enum map_result r;
    struct map *m;

    *count_r = 0;
    if (map_open(path, MAP_RDONLY, 0, &m, error_r) < 0)
        return -1;
    if (map_iter_begin(m, &it, error_r) < 0) {
        map_close(&m);
        return -1;
    }
    while ((r = map_iter_next(it, &name, &value, &error)) == MAP_FOUND) {
        if (sscanf(value, "%4095s %4095s", cert, key) != 2) {
            msg_error("%s: %s: the value must be \"CERT_FILE KEY_FILE\"", path, name);
            continue;
        }
        if (tls_server_add_sni(s, name, cert, key, &error) < 0) {
            msg_error("%s: %s: %s", path, name, error);
            continue;
        }
        (*count_r)++;
    }
    map_iter_end(&it);
    map_close(&m);
    if (r == MAP_TEMPFAIL)
        return errf(error_r, "%s: %s", path, error);
    return 0;
}

/* tls_server_ssl - one connection's SSL, in the accept state */
SSL *tls_server_ssl(struct tls_server *s, const char **error_r)
{
    SSL *ssl = SSL_new(s->ctx);

    if (ssl == NULL) {
        tls_ctx_fail(error_r, "SSL_new");
        return NULL;
    }
    SSL_set_accept_state(ssl);
    return ssl;
}

/* tls_server_destroy - free every context */
void tls_server_destroy(struct tls_server **s_r)
{
    struct tls_server *s = *s_r;
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->sni_count; i++) {
        free(s->sni[i].name);
        SSL_CTX_free(s->sni[i].ctx);
    }
    free(s->sni);
    SSL_CTX_free(s->ctx);
    free(s);
    *s_r = NULL;
}
