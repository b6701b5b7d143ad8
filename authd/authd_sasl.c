/* SPDX-License-Identifier: MIT
 * authd_sasl - libsasl2's server side, with Petrel's options and hooks.
 *
 * See also: authd_sasl.h, authd_passwd.h, sasl.h (libsasl2).
 */
#include "authd_sasl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authd_passwd.h"
#include "authd_penalty.h"
#include "mail/params.h"
#include "mail/word_list.h"
#include "util/err.h"
#include "util/msg.h"

#define NAME_MAX_CYRUS 255

/* SASL_PROC - a hook as sasl_callback_t holds it (libsasl2 casts it back
 * to the type its id says; the detour through void (*)(void) is the cast
 * C allows between function pointer types without a warning) */
#define SASL_PROC(f) ((int (*)(void))(void (*)(void))(f))

/* Options for libsasl2, answered before any configuration file. */
static struct {
    bool petrel; /* the petrel backend */
    char mech_list[512];
    char conf_dir[1024];
} opts;

/* sasl_getopt_cb - our answers; anything else comes from APP.conf */
static int sasl_getopt_cb(void *context, const char *plugin, const char *option, const char **result,
                          unsigned *len)
{
    (void)context;
    (void)plugin;
    if (strcmp(option, "mech_list") == 0) {
        *result = opts.mech_list;
    } else if (opts.petrel && strcmp(option, "pwcheck_method") == 0) {
        /* no verifier of libsasl2's: only our checkpass hook decides */
        *result = "petrel";
    } else {
        return SASL_FAIL;
    }
    if (len != NULL)
        *len = (unsigned)strlen(*result);
    return SASL_OK;
}

/* sasl_log_cb - libsasl2's messages into our log; never SASL_LOG_PASS */
static int sasl_log_cb(void *context, int level, const char *message)
{
    (void)context;
    if (message == NULL || level == SASL_LOG_PASS)
        return SASL_OK;
    /* with the petrel backend, every failed password makes libsasl2 try
     * pwcheck_method "petrel" after our hook and say it knows no such
     * verifier: that is the design, not news */
    if (opts.petrel && strstr(message, "unknown password verifier") != NULL)
        return SASL_OK;
    /* failures are logged once by authd_proto, in its own words */
    if (level <= SASL_LOG_ERR)
        msg_warn("SASL: %s", message);
    else if (level == SASL_LOG_WARN)
        msg_info("SASL: %s", message);
    else
        msg_debug("SASL: %s", message); /* SASL_LOG_FAIL included */
    return SASL_OK;
}

/* sasl_confpath_cb - auth_cyrus_config_directory */
static int sasl_confpath_cb(void *context, const char **path)
{
    (void)context;
    *path = opts.conf_dir;
    return SASL_OK;
}

int authd_sasl_init(const struct params *p, const char **error_r)
{
    static sasl_callback_t global[4];
    int n = 0, rc;

    opts.petrel = strcmp(p->auth_backend, "petrel") == 0;
    snprintf(opts.mech_list, sizeof(opts.mech_list), "%s", p->auth_mechanisms);
    snprintf(opts.conf_dir, sizeof(opts.conf_dir), "%s", p->auth_cyrus_config_directory);
    global[n++] = (sasl_callback_t){ SASL_CB_GETOPT, SASL_PROC(sasl_getopt_cb), NULL };
    global[n++] = (sasl_callback_t){ SASL_CB_LOG, SASL_PROC(sasl_log_cb), NULL };
    if (!opts.petrel && opts.conf_dir[0] != '\0')
        global[n++] = (sasl_callback_t){ SASL_CB_GETCONFPATH, SASL_PROC(sasl_confpath_cb), NULL };
    global[n] = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
    if ((rc = sasl_server_init(global, p->auth_cyrus_application)) != SASL_OK)
        return errf(error_r, "cannot initialise libsasl2: %s", sasl_errstring(rc, NULL, NULL));
    return 0;
}

bool authd_sasl_mech_available(const char *name)
{
    const char **mechs = sasl_global_listmech();
    size_t i;

    for (i = 0; mechs != NULL && mechs[i] != NULL; i++)
        if (strcasecmp(mechs[i], name) == 0)
            return true;
    return false;
}

void authd_sasl_done(void)
{
    sasl_server_done();
}

/* now_ms - the env's clock */
static uint64_t now_ms(const struct authd_exchange *x)
{
    return x->env->now(x->env->now_ctx);
}

/* account_locked - the penalty table says the account is locked */
static bool account_locked(struct authd_exchange *x, const char *name)
{
    char key[MAP_KEY_MAX + 3];
    uint64_t left;

    snprintf(key, sizeof(key), "u:%s", name);
    return authd_penalty_locked(x->env->penalty, key, now_ms(x), &left);
}

/* name_ok - fold and check a name into canon; false when it cannot be
 * an account of this backend */
static bool name_ok(const struct authd_exchange *x, const char *in, unsigned inlen,
                    char canon[MAP_KEY_MAX + 1])
{
    unsigned i;

    if (x->env->passwd != NULL)
        return authd_passwd_canon(in, inlen, canon) == 0;
    if (inlen == 0 || inlen > NAME_MAX_CYRUS)
        return false;
    for (i = 0; i < inlen; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
            return false;
    memcpy(canon, in, inlen);
    canon[inlen] = '\0';
    return true;
}

/* canon_user_cb - check and fold a name; note and lock-check the account.
 * It never fails: libsasl2 2.1.28's LOGIN plugin leaks the password
 * buffer when canonicalisation fails, so a bad or locked name is marked
 * in the verdict instead, passed on as a placeholder no account can
 * have, and refused by checkpass_cb and by authd_exchange_result. */
static int canon_user_cb(sasl_conn_t *conn, void *context, const char *in, unsigned inlen, unsigned flags,
                         const char *realm, char *out, unsigned out_max, unsigned *out_len)
{
    static const char placeholder[] = "(invalid)";
    struct authd_exchange *x = context;
    char canon[MAP_KEY_MAX + 1];

    (void)conn;
    (void)realm;
    if (!name_ok(x, in, inlen, canon)) {
        if (x->verdict == AUTHD_V_NONE)
            x->verdict = AUTHD_V_BADNAME;
        snprintf(canon, sizeof(canon), "%s", placeholder);
    } else if (flags & SASL_CU_AUTHID) {
        snprintf(x->account, sizeof(x->account), "%s", canon);
        if (account_locked(x, canon))
            x->verdict = AUTHD_V_LOCKED;
    }
    if (flags & SASL_CU_AUTHZID)
        snprintf(x->authzid, sizeof(x->authzid), "%s", canon);
    if (strlen(canon) >= out_max)
        return SASL_BUFOVER;
    memcpy(out, canon, strlen(canon));
    *out_len = (unsigned)strlen(canon);
    return SASL_OK;
}

/* refused_name - a name canon_user_cb marked: no password can help */
static bool refused_name(const struct authd_exchange *x)
{
    return x->verdict == AUTHD_V_BADNAME || x->verdict == AUTHD_V_LOCKED;
}

/* checkpass_cb - the petrel backend's password check */
static int checkpass_cb(sasl_conn_t *conn, void *context, const char *user, const char *pass,
                        unsigned passlen, struct propctx *propctx)
{
    struct authd_exchange *x = context;
    char canon[MAP_KEY_MAX + 1];

    (void)conn;
    (void)propctx;
    if (refused_name(x))
        return SASL_BADAUTH;
    switch (authd_passwd_check(x->env->passwd, user, strlen(user), pass, passlen, canon, &x->temp_error)) {
    case AUTHD_PASSWD_OK:
        x->verdict = AUTHD_V_OK;
        return SASL_OK;
    case AUTHD_PASSWD_MISMATCH:
        x->verdict = AUTHD_V_MISMATCH;
        return SASL_BADAUTH;
    case AUTHD_PASSWD_UNKNOWN:
        x->verdict = AUTHD_V_UNKNOWN;
        return SASL_NOUSER;
    case AUTHD_PASSWD_TEMPFAIL:
    default:
        x->verdict = AUTHD_V_TEMPFAIL;
        return SASL_FAIL;
    }
}

/* proxy_policy_cb - authzid only for itself, or for auth_proxy_users */
static int proxy_policy_cb(sasl_conn_t *conn, void *context, const char *requested, unsigned rlen,
                           const char *auth_identity, unsigned alen, const char *realm, unsigned urlen,
                           struct propctx *propctx)
{
    struct authd_exchange *x = context;

    (void)realm;
    (void)urlen;
    (void)propctx;
    if ((rlen == alen && strncasecmp(requested, auth_identity, rlen) == 0)
        || word_list_has(x->env->proxy_users, auth_identity, alen))
        return SASL_OK;
    x->verdict = AUTHD_V_AUTHZ;
    sasl_seterror(conn, SASL_NOLOG, "authzid not allowed");
    return SASL_NOAUTHZ;
}

int authd_exchange_new(struct authd_exchange *x, struct authd_sasl_env *env, const char *service,
                       const char *hostname, const char **error_r)
{
    sasl_security_properties_t secprops;
    int rc;

    memset(x, 0, sizeof(*x));
    x->env = env;
    x->callbacks_[0] = (sasl_callback_t){ SASL_CB_CANON_USER, SASL_PROC(canon_user_cb), x };
    x->callbacks_[1] = (sasl_callback_t){ SASL_CB_PROXY_POLICY, SASL_PROC(proxy_policy_cb), x };
    x->callbacks_[2] = env->passwd != NULL
                           ? (sasl_callback_t){ SASL_CB_SERVER_USERDB_CHECKPASS, SASL_PROC(checkpass_cb), x }
                           : (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
    x->callbacks_[3] = (sasl_callback_t){ SASL_CB_LIST_END, NULL, NULL };
    if ((rc = sasl_server_new(service, hostname, NULL, NULL, NULL, x->callbacks_, 0, &x->conn)) != SASL_OK)
        return errf(error_r, "sasl_server_new: %s", sasl_errstring(rc, NULL, NULL));
    memset(&secprops, 0, sizeof(secprops));
    secprops.security_flags = SASL_SEC_NOANONYMOUS;
    if ((rc = sasl_setprop(x->conn, SASL_SEC_PROPS, &secprops)) != SASL_OK) {
        sasl_dispose(&x->conn);
        return errf(error_r, "sasl_setprop: %s", sasl_errstring(rc, NULL, NULL));
    }
    return 0;
}

/* result - libsasl2's answer, unless canon_user_cb refused the name */
static int result(const struct authd_exchange *x, int rc)
{
    return rc == SASL_OK && refused_name(x) ? SASL_BADAUTH : rc;
}

int authd_exchange_start(struct authd_exchange *x, const char *mech, const char *in, unsigned inlen,
                         const char **out, unsigned *outlen)
{
    *out = NULL;
    *outlen = 0;
    return result(x, sasl_server_start(x->conn, mech, in, inlen, out, outlen));
}

int authd_exchange_step(struct authd_exchange *x, const char *in, unsigned inlen, const char **out,
                        unsigned *outlen)
{
    *out = NULL;
    *outlen = 0;
    return result(x, sasl_server_step(x->conn, in, inlen, out, outlen));
}

const char *authd_exchange_user(struct authd_exchange *x)
{
    const void *user = NULL;

    if (sasl_getprop(x->conn, SASL_USERNAME, &user) != SASL_OK || user == NULL)
        return NULL;
    return user;
}

void authd_exchange_end(struct authd_exchange *x)
{
    if (x->conn != NULL)
        sasl_dispose(&x->conn);
}
