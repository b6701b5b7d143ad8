/* SPDX-License-Identifier: MIT
 * tls_server - the server side of TLS: a certificate and key, more of
 * them chosen by SNI, and the checks a listener owes its clients.
 *
 * Built before the privilege drop (private keys are read as root), used
 * after it: tls_server_ssl gives each connection its own SSL. Contexts:
 * tls_ctx's policy, plus server cipher preference, session tickets (keys
 * are per process), and DHE parameters chosen by OpenSSL.
 *
 * Keys: a key file readable by the unprivileged user (owned by it, or by
 * its group with group read, or readable by others) is refused, so a
 * compromised daemon cannot read it back after the drop.
 *
 * SNI (THREATS.md #28): a name a client sends is checked with tls_name_ok
 * first; a malformed one ends the handshake (unrecognized_name alert). A
 * well-formed name picks the certificate added for it with
 * tls_server_add_sni, exactly or by a parent domain added as "*.domain"
 * (any name below domain, at any depth); anything else gets the default
 * certificate. The table is fixed at start, so random names cost nothing.
 * tls_server_load_sni_map fills it from a map (tls_server_sni_map) that
 * "petrel map" compiles from "NAME CERT_FILE KEY_FILE" lines.
 *
 * ALPN (ALPACA, THREATS.md #29): a client that offers ALPN without any
 * protocol of this service's list is refused (no_application_protocol);
 * one that offers none is served.
 */
#ifndef PETREL_TLS_SERVER_H
#define PETREL_TLS_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "tls_ctx.h"

/* The unprivileged user a key file must not be readable by. */
struct tls_key_guard {
    bool active; /* false: nobody to guard against (an unprivileged instance) */
    const char *user;
    uid_t uid;
    gid_t gid;
};

struct tls_server_config {
    const char *cert_file; /* PEM: the certificate, then its chain */
    const char *key_file;  /* PEM private key */
    struct tls_policy policy;
    const char *const *alpn; /* this service's ALPN ids, NULL-terminated (NULL: none) */
    struct tls_key_guard guard;
};

struct tls_server;

/* tls_server_create - the default context; NULL and an error naming the
 * file and OpenSSL's reason */
struct tls_server *tls_server_create(const struct tls_server_config *cfg, const char **error_r);

/* tls_server_add_sni - serve cert_file/key_file to clients asking for
 * name (a host name, or "*.domain" for every name below domain) */
int tls_server_add_sni(struct tls_server *s, const char *name, const char *cert_file, const char *key_file,
                       const char **error_r);
/* tls_server_load_sni_map - tls_server_add_sni for every entry of the map
 * at path ("NAME" -> "CERT_FILE KEY_FILE"); entries that do not load are
 * logged and skipped; -1 with an error only when the map cannot be read.
 * *count_r: the certificates added */
int tls_server_load_sni_map(struct tls_server *s, const char *path, size_t *count_r, const char **error_r);

/* tls_server_ssl - a server SSL for one connection; NULL and an error */
SSL *tls_server_ssl(struct tls_server *s, const char **error_r);

void tls_server_destroy(struct tls_server **s_r);

#endif
