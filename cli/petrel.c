/* SPDX-License-Identifier: MIT
 * petrel - the administration command: global options, then one
 * subcommand (see cli.h for the list and the exit-status conventions).
 *
 * Usage: petrel [-c CONFIG_DIR] [-v] COMMAND [ARGS...]
 * The configuration directory is -c, else $PETREL_CONFIG_DIR, else the
 * compiled-in default. Trusts: the administrator's command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "mail/config.h"
#include "util/msg.h"

static const char usage_text[] =
    "Usage: petrel [-c CONFIG_DIR] [-v] COMMAND [ARGS...]\n"
    "\n"
    "Petrel mail server administration.\n"
    "\n"
    "Commands:\n"
    "  init DIR       create a self-contained instance under DIR (loopback, unprivileged ports)\n"
    "  start          start the master and every service; returns once all listeners are up\n"
    "  stop           stop every process of the instance\n"
    "  reload         re-read petrel.conf and master.conf (checked first)\n"
    "  status         show each service, its processes, state and restarts\n"
    "  conf           show or change parameters, like postconf (petrel conf --help)\n"
    "  domain         add, delete or list virtual domains (petrel domain --help)\n"
    "  user           add, delete or list mailboxes, set passwords (petrel user --help)\n"
    "  alias          add, delete or list aliases (petrel alias --help)\n"
    "  map FILE       compile a text table into FILE.lmdb, like postmap (petrel map --help)\n"
    "  newaliases     compile the aliases(5) tables of alias_database (petrel newaliases --help)\n"
    "  queue          list, show, delete, hold, release or flush queued mail (petrel queue --help)\n"
    "\n"
    "Options:\n"
    "  -c DIR         configuration directory (default: $PETREL_CONFIG_DIR, else " PETREL_DEFAULT_CONFIG_DIR
    ")\n"
    "  -v             verbose (debug) output\n"
    "  --version      print the version\n"
    "  --help         this text; \"petrel COMMAND --help\" for a command\n"
    "\n"
    "Quick start:\n"
    "  petrel init /tmp/petrel && petrel -c /tmp/petrel/etc start && petrel -c /tmp/petrel/etc status\n";

/* cli_error - "petrel CMD: text" on stderr */
void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "petrel %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv)
{
    const char *dir = NULL, *cmd;
    int i;

    msg_init("petrel");
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "-v") == 0) {
            msg_set_verbose(true);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return EX_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("petrel %s\n", PETREL_VERSION);
            return EX_OK;
        } else {
            fprintf(stderr, "petrel: unknown option \"%s\"\n\n%s", argv[i], usage_text);
            return EX_USAGE;
        }
    }
    if (i == argc) {
        fputs(usage_text, stderr);
        return EX_USAGE;
    }
    cmd = argv[i];
    dir = config_directory_default(dir);
    if (strcmp(cmd, "init") == 0)
        return cli_init(argc - i, argv + i);
    if (strcmp(cmd, "conf") == 0)
        return cli_conf(dir, argc - i, argv + i);
    if (strcmp(cmd, "start") == 0)
        return cli_start(dir, argc - i, argv + i);
    if (strcmp(cmd, "stop") == 0)
        return cli_stop(dir, argc - i, argv + i);
    if (strcmp(cmd, "reload") == 0)
        return cli_reload(dir, argc - i, argv + i);
    if (strcmp(cmd, "status") == 0)
        return cli_status(dir, argc - i, argv + i);
    if (strcmp(cmd, "domain") == 0)
        return cli_domain(dir, argc - i, argv + i);
    if (strcmp(cmd, "user") == 0)
        return cli_user(dir, argc - i, argv + i);
    if (strcmp(cmd, "alias") == 0)
        return cli_alias(dir, argc - i, argv + i);
    if (strcmp(cmd, "map") == 0)
        return cli_map(dir, argc - i, argv + i);
    if (strcmp(cmd, "newaliases") == 0)
        return cli_newaliases(dir, argc - i, argv + i);
    if (strcmp(cmd, "queue") == 0)
        return cli_queue(dir, argc - i, argv + i);
    fprintf(stderr, "petrel: unknown command \"%s\"\n\n%s", cmd, usage_text);
    return EX_USAGE;
}
