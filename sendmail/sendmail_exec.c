/* SPDX-License-Identifier: MIT
 * sendmail_exec - mailq and newaliases through the petrel command (see
 * sendmail_exec.h).
 *
 * Trusts: the configuration directory the user chose; the program path
 * comes from our own location (paths_petrel_program), never from PATH.
 */
#include "sendmail_exec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/paths.h"
#include "util/err.h"

/* sendmail_exec_argv - see sendmail_exec.h */
void sendmail_exec_argv(enum sendmail_mode mode, const char *config_dir, const char *argv[6])
{
    argv[0] = "petrel";
    argv[1] = "-c";
    argv[2] = config_dir;
    if (mode == SENDMAIL_MODE_MAILQ) {
        argv[3] = "queue";
        argv[4] = "list";
        argv[5] = NULL;
    } else {
        argv[3] = "newaliases";
        argv[4] = NULL;
        argv[5] = NULL;
    }
}

/* sendmail_exec - see sendmail_exec.h */
int sendmail_exec(enum sendmail_mode mode, const char *config_dir, const char **error_r)
{
    const char *argv[6];
    const char *prog = paths_petrel_program();

    sendmail_exec_argv(mode, config_dir, argv);
    if (fflush(NULL) != 0) {
        errf(error_r, "cannot flush output: %s", strerror(errno));
        return EX_OSERR;
    }
    /* execv takes char *const[]; the strings are not modified */
    execv(prog, (char *const *)argv);
    errf(error_r, "cannot run %s: %s", prog, strerror(errno));
    return EX_OSERR;
}
