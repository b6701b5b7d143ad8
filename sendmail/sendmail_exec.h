/* SPDX-License-Identifier: MIT
 * sendmail_exec - mailq and newaliases: the petrel command does the work,
 * run with execv (no shell) as "petrel -c DIR queue list" and "petrel -c
 * DIR newaliases".
 *
 * See also: mail/paths.h (where petrel is), cli/cli_newaliases.c.
 */
#ifndef PETREL_SENDMAIL_EXEC_H
#define PETREL_SENDMAIL_EXEC_H

#include "sendmail_opts.h"

/* sendmail_exec_argv - the argument vector for mode (SENDMAIL_MODE_MAILQ
 * or SENDMAIL_MODE_ALIASES) into argv (6 slots, NULL-terminated) */
void sendmail_exec_argv(enum sendmail_mode mode, const char *config_dir, const char *argv[6]);
/* sendmail_exec - replace this process with petrel; returns only on
 * failure, with EX_OSERR and *error_r */
int sendmail_exec(enum sendmail_mode mode, const char *config_dir, const char **error_r);

#endif
