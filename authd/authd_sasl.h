/* SPDX-License-Identifier: MIT
 * authd_sasl - one authentication exchange through libsasl2.
 *
 * Mechanisms: those of auth_mechanisms that libsasl2 has (PLAIN and LOGIN
 * by default; mech_list is ours, so NTLM, OTP and friends installed on
 * the system are never offered: THREATS.md #34). Every exchange has its
 * own sasl_conn_t, made for it and disposed after it (THREATS.md #31).
 *
 * Backends (auth_backend):
 *   petrel  passwords map checked by authd_passwd, through libsasl2's
 *           userdb checkpass hook; no password verifier of libsasl2's own
 *           runs (pwcheck_method names none), so a system sasldb or
 *           saslauthd never answers for Petrel's users.
 *   cyrus   libsasl2 as the system configures it: APP.conf (APP is
 *           auth_cyrus_application) in auth_cyrus_config_directory or
 *           libsasl2's default path, with pwcheck_method saslauthd or
 *           auxprop/sasldb, as Postfix's Cyrus SASL setups have it.
 *
 * Names (THREATS.md #37): the authentication and authorization names pass
 * through a canonicalisation hook: with the petrel backend an account name
 * must be LOCAL@DOMAIN and is case-folded (map_key_canon); with cyrus it
 * is kept, but control bytes and names over 255 bytes are refused. The
 * account's lockout is checked there, before any password work.
 *
 * authzid (THREATS.md #33): accepted only when it names the same account,
 * or when the authenticated account is listed in auth_proxy_users.
 */
#ifndef PETREL_AUTHD_SASL_H
#define PETREL_AUTHD_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sasl/sasl.h>

#include "map/map_key.h"

struct authd_passwd;
struct authd_penalty;
struct params;

/* What an exchange ended with, as authd knows it (the client is told
 * less: THREATS.md #36). */
enum authd_verdict {
    AUTHD_V_NONE, /* no password was checked (yet) */
    AUTHD_V_OK,
    AUTHD_V_MISMATCH, /* wrong password */
    AUTHD_V_UNKNOWN,  /* no such account */
    AUTHD_V_BADNAME,  /* a name that cannot be an account */
    AUTHD_V_LOCKED,   /* the account is locked out */
    AUTHD_V_AUTHZ,    /* authzid not allowed */
    AUTHD_V_TEMPFAIL, /* the map or crypt failed */
};

/* The process-wide state the hooks use. */
struct authd_sasl_env {
    struct authd_passwd *passwd;   /* NULL: the cyrus backend */
    struct authd_penalty *penalty; /* lockouts */
    const char *proxy_users;       /* auth_proxy_users */
    uint64_t (*now)(void *ctx);    /* the monotonic ms clock */
    void *now_ctx;
};

struct authd_exchange {
    sasl_conn_t *conn;
    struct authd_sasl_env *env;
    enum authd_verdict verdict;
    char account[MAP_KEY_MAX + 1]; /* the authentication name, "" until known */
    char authzid[MAP_KEY_MAX + 1];
    const char *temp_error;        /* why, for AUTHD_V_TEMPFAIL */
    sasl_callback_t callbacks_[4]; /* this exchange's hooks, with x as context */
};

/* authd_sasl_init - sasl_server_init with our options; once per process */
int authd_sasl_init(const struct params *p, const char **error_r);
/* authd_sasl_mech_available - does libsasl2 have mechanism name? */
bool authd_sasl_mech_available(const char *name);
/* authd_sasl_done - sasl_server_done */
void authd_sasl_done(void);

/* authd_exchange_new - a fresh context for service ("smtp", "imap", "pop") */
int authd_exchange_new(struct authd_exchange *x, struct authd_sasl_env *env, const char *service,
                       const char *hostname, const char **error_r);
/* authd_exchange_start / authd_exchange_step - libsasl2's result
 * (SASL_OK, SASL_CONTINUE, or a failure); out and outlen: the challenge */
int authd_exchange_start(struct authd_exchange *x, const char *mech, const char *in, unsigned inlen,
                         const char **out, unsigned *outlen);
int authd_exchange_step(struct authd_exchange *x, const char *in, unsigned inlen, const char **out,
                        unsigned *outlen);
/* authd_exchange_user - the authorized name after SASL_OK */
const char *authd_exchange_user(struct authd_exchange *x);
/* authd_exchange_end - dispose of the context */
void authd_exchange_end(struct authd_exchange *x);

#endif
