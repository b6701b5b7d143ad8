/* SPDX-License-Identifier: MIT
 * cli_map - "petrel map FILE [--type aliases|virtual]": compile a
 * Postfix-style text table into the map FILE.lmdb, as postmap and
 * postalias do.
 *
 * All or nothing (map_text_compile): the new map is written beside the old
 * one and renamed over it, so readers see the old table or the new one,
 * never a mix, and an error (reported as FILE:LINE: text) changes nothing.
 * A new map gets mode 0644; a replaced one keeps its owner and mode.
 *
 * Trusts: nothing in FILE (map_text checks every line and key).
 *
 * See also: map/map_text.h, docs/maps.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "map/map_text.h"
#include "util/alloc.h"

#define CMD "map"
#define MAP_SUFFIX ".lmdb"

static const char map_help[] =
    "Usage: petrel [-c DIR] map [--type aliases|virtual] FILE\n"
    "\n"
    "Compile the text table FILE into the map FILE.lmdb, like Postfix's postmap\n"
    "(--type virtual, the default: \"KEY VALUE\" lines, virtual(5)) and postalias\n"
    "(--type aliases: \"NAME: VALUE, VALUE\" lines, aliases(5)). Lines starting\n"
    "with white space continue the entry above; '#' lines and blank lines are\n"
    "ignored; a key given twice is an error. Keys are stored in lower case.\n"
    "\n"
    "The new map replaces the old one in one step: daemons see the new table at\n"
    "their next lookup, without a reload. On any error (reported as FILE:LINE)\n"
    "the old map stays as it was.\n"
    "\n"
    "Exit status: 0 done; 64 bad command line; 65 an error in FILE; 66 FILE\n"
    "cannot be read; 74 the map could not be written.\n";

struct map_opts {
    const char *file;
    enum map_text_format fmt;
};

/* parse_type - "aliases" or "virtual"; 0, or -1 */
static int parse_type(const char *s, enum map_text_format *fmt)
{
    if (strcmp(s, "aliases") == 0)
        *fmt = MAP_TEXT_ALIASES;
    else if (strcmp(s, "virtual") == 0)
        *fmt = MAP_TEXT_VIRTUAL;
    else
        return -1;
    return 0;
}

/* parse_args - 0 run, 1 help shown, -1 usage error (printed) */
static int parse_args(int argc, char **argv, struct map_opts *o)
{
    const char *type = "virtual";
    int i;

    o->file = NULL;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(map_help, stdout);
            return 1;
        } else if (strcmp(argv[i], "--type") == 0 && i + 1 < argc) {
            type = argv[++i];
        } else if (strncmp(argv[i], "--type=", 7) == 0) {
            type = argv[i] + 7;
        } else if (argv[i][0] == '-' || o->file != NULL) {
            cli_error(CMD, "unexpected argument \"%s\" (see petrel map --help)", argv[i]);
            return -1;
        } else {
            o->file = argv[i];
        }
    }
    if (parse_type(type, &o->fmt) < 0) {
        cli_error(CMD, "unknown type \"%s\" (want aliases or virtual)", type);
        return -1;
    }
    if (o->file == NULL) {
        cli_error(CMD, "give the FILE to compile (see petrel map --help)");
        return -1;
    }
    return 0;
}

/* is_table_error - does the error point at a line of FILE ("FILE:N: ")? */
static int is_table_error(const char *file, const char *error)
{
    size_t n = strlen(file);

    return strncmp(error, file, n) == 0 && error[n] == ':' && error[n + 1] >= '0' && error[n + 1] <= '9';
}

/* cli_map_compile - see cli.h */
int cli_map_compile(const char *cmd, const char *file, enum map_text_format fmt, size_t *count_r)
{
    const char *error;
    char *map_path;
    int rc = EX_OK;

    if (access(file, R_OK) < 0) {
        cli_error(cmd, "%s: %s", file, strerror(errno));
        return EX_NOINPUT;
    }
    map_path = xasprintf("%s%s", file, MAP_SUFFIX);
    if (map_text_compile(file, map_path, fmt, 0644, count_r, &error) < 0) {
        cli_error(cmd, "%s; %s was not changed", error, map_path);
        rc = is_table_error(file, error) ? EX_DATAERR : EX_IOERR;
    }
    xfree(map_path);
    return rc;
}

/* cli_map - petrel map FILE */
int cli_map(const char *config_dir, int argc, char **argv)
{
    struct map_opts o;
    size_t count;
    int rc;

    (void)config_dir;
    if ((rc = parse_args(argc, argv, &o)) != 0)
        return rc > 0 ? EX_OK : EX_USAGE;
    if ((rc = cli_map_compile(CMD, o.file, o.fmt, &count)) == EX_OK)
        printf("wrote %s%s: %zu %s\n", o.file, MAP_SUFFIX, count, count == 1 ? "entry" : "entries");
    return rc;
}
