/* SPDX-License-Identifier: MIT
 * fuzz_authd_exchange - SASL responses, as a client sends them, through
 * authd's exchange: libsasl2's PLAIN and LOGIN parsers, our name
 * canonicalisation, lockout check, password check and authzid policy.
 *
 * Input: the first byte picks the mechanism (even PLAIN, odd LOGIN) and
 * whether there is an initial response; the rest is split at 0xff bytes
 * into the responses, sent while libsasl2 asks for more. The passwords
 * map (made once in a temporary directory) holds one account,
 * fuzz@example.test with password "pw" (SHA-512 crypt, 1000 rounds, to
 * keep runs fast).
 *
 * Properties checked (abort on failure): an exchange that succeeds does
 * so as fuzz@example.test, and only when "pw" is among the responses'
 * bytes; the verdict of a failure is never "ok".
 */
#include <crypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authd_passwd.h"
#include "authd_penalty.h"
#include "authd_sasl.h"
#include "mail/config.h"
#include "map/map.h"

#define ACCOUNT "fuzz@example.test"

static struct authd_sasl_env env;
static struct config *cfg; /* kept for the process's life */

static uint64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

/* setup - the map, libsasl2, the env; once */
static void setup(void)
{
    static const struct authd_penalty_limits lim = { 60000, 0, 1000, 0, 0, 1000 };
    char dir[] = "/tmp/fuzz-authd-XXXXXX", path[64];
    struct crypt_data cd;
    struct map *m;
    const char *error, *hash;

    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(path, sizeof(path), "%s/passwords", dir);
    memset(&cd, 0, sizeof(cd));
    hash = crypt_r("pw", "$6$rounds=1000$fuzzsalt$", &cd);
    if (hash == NULL || map_open(path, MAP_RDWR | MAP_CREATE, 0600, &m, &error) < 0
        || map_put(m, ACCOUNT, hash, &error) < 0)
        abort();
    map_close(&m);
    if (config_load_text("/etc/petrel", "petrel.conf", "", 0, NULL, &cfg, &error) < 0
        || authd_sasl_init(config_params(cfg), &error) < 0
        || (env.passwd = authd_passwd_open(path, &error)) == NULL) {
        fprintf(stderr, "fuzz_authd_exchange: %s\n", error);
        abort();
    }
    unlink(path);
    rmdir(dir);
    env.penalty = authd_penalty_create(&lim);
    env.proxy_users = "";
    env.now = zero_clock;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one exchange */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct authd_exchange x;
    const char *out, *error, *user;
    const uint8_t *p, *end, *cut;
    unsigned outlen;
    int rc, steps = 0;

    if (env.penalty == NULL)
        setup();
    if (size == 0)
        return 0;
    if (authd_exchange_new(&x, &env, "smtp", "mx.example.test", &error) < 0)
        abort();
    p = data + 1;
    end = data + size;
    cut = memchr(p, 0xff, (size_t)(end - p));
    if (cut == NULL)
        cut = end;
    if (!(data[0] & 2))
        cut = p - 1; /* no initial response: every chunk is a step */
    rc = authd_exchange_start(&x, data[0] & 1 ? "LOGIN" : "PLAIN", data[0] & 2 ? (const char *)p : NULL,
                              data[0] & 2 ? (unsigned)(cut - p) : 0, &out, &outlen);
    while (rc == SASL_CONTINUE && cut < end && steps++ < 8) {
        p = cut + 1;
        if ((cut = memchr(p, 0xff, (size_t)(end - p))) == NULL)
            cut = end;
        rc = authd_exchange_step(&x, (const char *)p, (unsigned)(cut - p), &out, &outlen);
    }
    if (rc == SASL_OK) {
        user = authd_exchange_user(&x);
        if (user == NULL || strcmp(user, ACCOUNT) != 0 || memmem(data, size, "pw", 2) == NULL
            || x.verdict != AUTHD_V_OK)
            abort();
    } else if (rc != SASL_CONTINUE && x.verdict == AUTHD_V_OK && strcmp(x.authzid, x.account) == 0) {
        abort();
    }
    authd_exchange_end(&x);
    return 0;
}
