/* SPDX-License-Identifier: MIT
 * cli_newaliases - "petrel newaliases": compile every aliases(5) table
 * named by alias_database (default: $alias_maps, that is
 * $config_directory/aliases) into FILE.lmdb, as Postfix's newaliases
 * does. "sendmail -bi", "sendmail -I" and the newaliases link run it.
 *
 * Each table is compiled all or nothing (cli_map_compile, map_text):
 * readers see the old map or the new one; an error (FILE:LINE) leaves the
 * old map as it was. A table that does not exist is an error naming it.
 * Tables are compiled in order and the first failure stops the run.
 *
 * Trusts: the configuration; nothing in the tables (map_text checks them).
 * See also: cli_map.c, map/map_text.h, docs/sendmail.md, docs/maps.md.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "mail/config.h"
#include "util/alloc.h"

#define CMD "newaliases"
#define SEPARATORS " \t,"

static const char newaliases_help[] =
    "Usage: petrel [-c DIR] newaliases\n"
    "\n"
    "Compile each aliases(5) table named by the parameter alias_database (files\n"
    "separated by spaces or commas; default $alias_maps, i.e. $config_directory/aliases)\n"
    "into the map FILE.lmdb that local delivery looks up, like Postfix's newaliases.\n"
    "\"sendmail -bi\", \"sendmail -I\" and \"newaliases\" run this command.\n"
    "\n"
    "A table is \"name: value, value\" lines: values are local names, addresses,\n"
    "or other aliases. Each map is replaced in one step; on an error (FILE:LINE)\n"
    "the old map stays as it was and the remaining tables are not compiled.\n"
    "\n"
    "Exit status: 0 done; 64 bad command line; 65 an error in a table; 66 a table\n"
    "does not exist or cannot be read; 74 a map could not be written; 78 petrel.conf\n"
    "is broken.\n";

/* compile_all - every table of the list; EX_OK or the first failure */
static int compile_all(const char *list)
{
    char *copy = xstrdup(list), *save = NULL, *file;
    size_t count;
    int rc = EX_OK, n = 0;

    for (file = strtok_r(copy, SEPARATORS, &save); file != NULL && rc == EX_OK;
         file = strtok_r(NULL, SEPARATORS, &save)) {
        n++;
        if ((rc = cli_map_compile(CMD, file, MAP_TEXT_ALIASES, &count)) == EX_OK)
            printf("petrel newaliases: %s: %zu %s\n", file, count, count == 1 ? "alias" : "aliases");
    }
    if (n == 0) {
        cli_error(CMD, "alias_database is empty: nothing to compile");
        rc = EX_CONFIG;
    }
    xfree(copy);
    return rc;
}

/* cli_newaliases - petrel newaliases */
int cli_newaliases(const char *config_dir, int argc, char **argv)
{
    struct config *cfg;
    const char *error;
    int rc;

    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            fputs(newaliases_help, stdout);
            return EX_OK;
        }
        cli_error(CMD, "unexpected argument \"%s\" (see petrel newaliases --help)", argv[1]);
        return EX_USAGE;
    }
    if (config_load(config_dir, NULL, &cfg, &error) < 0) {
        cli_error(CMD, "%s", error);
        return EX_CONFIG;
    }
    rc = compile_all(config_params(cfg)->alias_database);
    config_destroy(&cfg);
    return rc;
}
