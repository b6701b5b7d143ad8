/* SPDX-License-Identifier: MIT
 * cli - the petrel command: one function per subcommand.
 *
 * Each function gets the subcommand's own argv (argv[0] is the subcommand
 * name) and returns an exit status from <sysexits.h>: EX_OK, EX_USAGE for a
 * bad command line, EX_CONFIG for a bad configuration, EX_UNAVAILABLE when
 * the instance is not in the state asked for, EX_SOFTWARE/EX_OSERR/EX_IOERR
 * for failures. Each prints a useful page for --help. Errors go to stderr as
 * "petrel COMMAND: text"; results go to stdout.
 *
 * config_dir is already resolved (-c DIR, else PETREL_CONFIG_DIR, else the
 * compiled-in default).
 */
#ifndef PETREL_CLI_H
#define PETREL_CLI_H

#include <stddef.h>

#include "map/map_text.h"

/* petrel init DIR [--port-base N] [--hostname NAME] [--owner USER] */
int cli_init(int argc, char **argv);
/* petrel conf [-n|-d|-h] [name ...] [name=value ...] [-X name ...] [-M [name/type[=entry]]] [-MX name/type] */
int cli_conf(const char *config_dir, int argc, char **argv);
/* petrel start|stop|reload|status */
int cli_start(const char *config_dir, int argc, char **argv);
int cli_stop(const char *config_dir, int argc, char **argv);
int cli_reload(const char *config_dir, int argc, char **argv);
int cli_status(const char *config_dir, int argc, char **argv);
/* petrel domain add|del|list, user add|del|list|passwd, alias add|del|list */
int cli_domain(const char *config_dir, int argc, char **argv);
int cli_user(const char *config_dir, int argc, char **argv);
int cli_alias(const char *config_dir, int argc, char **argv);
/* petrel map FILE [--type aliases|virtual] */
int cli_map(const char *config_dir, int argc, char **argv);
/* petrel newaliases: compile every alias_database table into FILE.lmdb */
int cli_newaliases(const char *config_dir, int argc, char **argv);
/* cli_map_compile - compile the text table file into file.lmdb (all or
 * nothing); errors are printed as "petrel CMD: ...". EX_OK (*count_r, if
 * not NULL, gets the entries), EX_NOINPUT (file unreadable), EX_DATAERR
 * (an error at FILE:LINE), EX_IOERR (the map could not be written) */
int cli_map_compile(const char *cmd, const char *file, enum map_text_format fmt, size_t *count_r);
/* petrel queue list|show ID|delete ID...|hold ID...|release ID...|flush */
int cli_queue(const char *config_dir, int argc, char **argv);

/* cli_error - print "petrel CMD: text" to stderr */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
