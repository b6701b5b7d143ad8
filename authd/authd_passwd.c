/* SPDX-License-Identifier: MIT
 * authd_passwd - crypt(3) checks against the passwords map.
 *
 * See also: authd_passwd.h, cli/cli_password.c (the writer).
 */
#include "authd_passwd.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "map/map.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

/* The longest password checked: a longer one is wrong without hashing. */
#define PASSWORD_MAX 1024

struct authd_passwd {
    struct map *map;
    char dummy[CRYPT_OUTPUT_SIZE]; /* a hash no password matches in time */
    struct crypt_data data;        /* crypt_r's work area (large) */
};

struct authd_passwd *authd_passwd_open(const char *path, const char **error_r)
{
    struct authd_passwd *pw = xcalloc(1, sizeof(*pw));
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    const char *h;

    if (map_open(path, MAP_RDONLY, 0, &pw->map, error_r) < 0) {
        free(pw);
        return NULL;
    }
    /* the same method and cost "petrel user" uses (cli_password.c) */
    if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, (int)sizeof(salt)) == NULL
        && crypt_gensalt_rn("$6$", 0, NULL, 0, salt, (int)sizeof(salt)) == NULL) {
        errf(error_r, "crypt_gensalt: no yescrypt or SHA-512 crypt");
        authd_passwd_close(&pw);
        return NULL;
    }
    h = crypt_r("not a password", salt, &pw->data);
    if (h == NULL || h[0] == '*') {
        errf(error_r, "crypt: cannot make the dummy hash");
        authd_passwd_close(&pw);
        return NULL;
    }
    snprintf(pw->dummy, sizeof(pw->dummy), "%s", h);
    return pw;
}

void authd_passwd_close(struct authd_passwd **pw_r)
{
    if (*pw_r == NULL)
        return;
    map_close(&(*pw_r)->map);
    explicit_bzero(&(*pw_r)->data, sizeof((*pw_r)->data));
    free(*pw_r);
    *pw_r = NULL;
}

/* authd_passwd_canon - an address, canonical, or -1 */
int authd_passwd_canon(const char *user, size_t user_len, char canon[MAP_KEY_MAX + 1])
{
    const char *at = memchr(user, '@', user_len);

    canon[0] = '\0';
    if (at == NULL || at == user || memchr(user, '\0', user_len) != NULL)
        return -1;
    if (map_key_canon(user, user_len, MAP_KEY_ADDRESS, canon, NULL) < 0) {
        canon[0] = '\0';
        return -1;
    }
    return 0;
}

/* hash_matches - crypt(pass, setting) equals setting, in constant time */
static int hash_matches(struct authd_passwd *pw, const char *pass, const char *setting)
{
    const char *h = crypt_r(pass, setting, &pw->data);
    size_t n;

    if (h == NULL || h[0] == '*')
        return -1;
    n = strlen(setting);
    return strlen(h) == n && CRYPTO_memcmp(h, setting, n) == 0 ? 1 : 0;
}

enum authd_passwd_result authd_passwd_check(struct authd_passwd *pw, const char *user, size_t user_len,
                                            const char *pass, size_t pass_len, char canon[MAP_KEY_MAX + 1],
                                            const char **error_r)
{
    char password[PASSWORD_MAX + 1];
    enum authd_passwd_result r;
    enum map_result found = MAP_NOTFOUND;
    char *stored = NULL;
    int match;

    if (authd_passwd_canon(user, user_len, canon) == 0)
        found = map_lookup(pw->map, canon, &stored, error_r);
    if (found == MAP_TEMPFAIL)
        return AUTHD_PASSWD_TEMPFAIL;
    if (pass_len > PASSWORD_MAX || memchr(pass, '\0', pass_len) != NULL) {
        free(stored);
        return found == MAP_FOUND ? AUTHD_PASSWD_MISMATCH : AUTHD_PASSWD_UNKNOWN;
    }
    memcpy(password, pass, pass_len);
    password[pass_len] = '\0';
    /* an unknown name costs the same hashing as a known one; so does a
     * locked hash ("!..." or "*...", which no password matches) */
    if (found == MAP_FOUND && (stored[0] == '!' || stored[0] == '*')) {
        (void)hash_matches(pw, password, pw->dummy);
        match = 0;
    } else {
        match = hash_matches(pw, password, found == MAP_FOUND ? stored : pw->dummy);
    }
    explicit_bzero(password, sizeof(password));
    if (match < 0) {
        errf(error_r, "crypt failed on the stored hash of %s", canon);
        r = AUTHD_PASSWD_TEMPFAIL;
    } else if (found != MAP_FOUND) {
        r = AUTHD_PASSWD_UNKNOWN;
    } else {
        r = match == 1 ? AUTHD_PASSWD_OK : AUTHD_PASSWD_MISMATCH;
    }
    free(stored);
    return r;
}
