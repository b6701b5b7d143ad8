/* SPDX-License-Identifier: MIT
 * authd_passwd - checking a password against the passwords map that
 * "petrel user" writes (address -> crypt(3) hash; yescrypt by default).
 *
 * The map is opened before the privilege drop (it is mode 0600) and kept
 * open; "petrel user passwd" writes it in place, so a new password counts
 * from the next attempt. The name is checked and made canonical first
 * (map_key_canon: an address, case folded; THREATS.md #37: nothing else
 * is looked up, nothing is expanded). An unknown name is hashed against a
 * dummy hash made at start with the same method and cost, so it takes as
 * long as a wrong password; the stored and computed hashes are compared in
 * constant time.
 */
#ifndef PETREL_AUTHD_PASSWD_H
#define PETREL_AUTHD_PASSWD_H

#include <stddef.h>

#include "map/map_key.h"

enum authd_passwd_result {
    AUTHD_PASSWD_OK,
    AUTHD_PASSWD_MISMATCH, /* wrong password */
    AUTHD_PASSWD_UNKNOWN,  /* no such account (or a name that cannot be one) */
    AUTHD_PASSWD_TEMPFAIL, /* the map could not be read, or crypt failed */
};

struct authd_passwd;

/* authd_passwd_open - the map at path; NULL and an error */
struct authd_passwd *authd_passwd_open(const char *path, const char **error_r);
void authd_passwd_close(struct authd_passwd **pw_r);

/* authd_passwd_check - is pass the password of user? canon gets the
 * canonical account name when there is one ("" otherwise); *error_r says
 * why for TEMPFAIL */
enum authd_passwd_result authd_passwd_check(struct authd_passwd *pw, const char *user, size_t user_len,
                                            const char *pass, size_t pass_len, char canon[MAP_KEY_MAX + 1],
                                            const char **error_r);

/* authd_passwd_canon - the canonical account name of user, or -1 when it
 * cannot be an account (not LOCAL@DOMAIN, control bytes, too long) */
int authd_passwd_canon(const char *user, size_t user_len, char canon[MAP_KEY_MAX + 1]);

#endif
