/* SPDX-License-Identifier: MIT
 * cli_conf - "petrel conf": show and change petrel.conf and master.conf,
 * as postconf does for Postfix.
 *
 * Reads go through config_load and service_table_load, so a broken file
 * gives the same file:line error as "petrel start" (exit EX_CONFIG). Every
 * change is made to the whole text in memory, validated as a whole, then
 * written once, atomically and durably: an invalid change leaves the file
 * byte for byte as it was.
 *
 * Trusts: the administrator's command line; values are still checked
 * (types, bounds, no line breaks) before anything is written.
 *
 * See also: cli.h, config.h, config_edit.h, service_table.h, conf_file.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "mail/conf_file.h"
#include "mail/config.h"
#include "mail/config_edit.h"
#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/buf.h"

struct conf_opts {
    bool non_default; /* -n */
    bool defaults;    /* -d */
    bool values_only; /* -h */
    bool expand;      /* -x */
    bool remove;      /* -X */
    bool master;      /* -M */
    char **operands;
    int count;
};

static const char conf_help[] =
    "Usage: petrel [-c DIR] conf [-n | -d] [-h] [-x] [NAME ...]\n"
    "       petrel [-c DIR] conf NAME=VALUE ...\n"
    "       petrel [-c DIR] conf -X NAME ...\n"
    "       petrel [-c DIR] conf -M [NAME[/TYPE] ...]\n"
    "       petrel [-c DIR] conf -M NAME/TYPE='ENTRY' ...\n"
    "       petrel [-c DIR] conf -MX NAME/TYPE ...\n"
    "\n"
    "Show or change petrel.conf (parameters) and master.conf (services), like\n"
    "Postfix's postconf. Without options: every parameter as \"name = value\",\n"
    "sorted by name, values as written (\"$name\" not expanded).\n"
    "\n"
    "Options:\n"
    "  -n         only the parameters set in petrel.conf\n"
    "  -d         the built-in defaults (computed ones computed), ignoring petrel.conf\n"
    "  -h         values only, without \"name = \"\n"
    "  -x         expand $name in values\n"
    "  NAME       show these parameters only (an unknown name is an error)\n"
    "  NAME=VALUE set parameters in petrel.conf in place: the entry is replaced where it\n"
    "             stands (appended if absent); comments, order and every other line stay.\n"
    "             All changes are checked together and written at once, or not at all.\n"
    "  -X NAME    remove the entries of these parameters from petrel.conf\n"
    "  -M         show master.conf entries, columns aligned (all, or NAME or NAME/TYPE)\n"
    "  -M NAME/TYPE='ENTRY'\n"
    "             replace the service NAME/TYPE with the whole line ENTRY, or add it\n"
    "  -MX NAME/TYPE\n"
    "             delete the service NAME/TYPE from master.conf\n"
    "  --help     this text\n"
    "\n"
    "Examples:\n"
    "  petrel conf -n                          what petrel.conf changes\n"
    "  petrel conf -h myhostname               one value, for scripts\n"
    "  petrel conf -x myorigin                 a value with $names expanded\n"
    "  petrel conf myhostname=mx.example.org max_idle=5m\n"
    "  petrel conf -X debug_logging\n"
    "  petrel conf -M smtp/inet='smtp inet 127.0.0.1:10025 n - n - - smtpd'\n"
    "  petrel conf -MX smtp/inet\n"
    "\n"
    "Exit status: 0 done; 64 (EX_USAGE) bad command line or unknown name;\n"
    "78 (EX_CONFIG) a broken file or a refused change (nothing written);\n"
    "74 (EX_IOERR) the file could not be written.\n";

/* parse_flags - one "-nhx" cluster; -1 on an unknown letter */
static int parse_flags(const char *arg, struct conf_opts *o)
{
    for (arg++; *arg != '\0'; arg++) {
        switch (*arg) {
        case 'n':
            o->non_default = true;
            break;
        case 'd':
            o->defaults = true;
            break;
        case 'h':
            o->values_only = true;
            break;
        case 'x':
            o->expand = true;
            break;
        case 'X':
            o->remove = true;
            break;
        case 'M':
            o->master = true;
            break;
        case 'e':
            break; /* postconf's old "edit" flag: name=value edits anyway */
        default:
            cli_error("conf", "unknown option -%c (see petrel conf --help)", *arg);
            return -1;
        }
    }
    return 0;
}

/* count_assignments - how many operands are name=value */
static int count_assignments(const struct conf_opts *o)
{
    int i, n = 0;

    for (i = 0; i < o->count; i++)
        n += strchr(o->operands[i], '=') != NULL;
    return n;
}

/* check_combination - refuse options that contradict each other */
static int check_combination(const struct conf_opts *o)
{
    const char *why = NULL;
    int assigns = count_assignments(o);

    if (o->non_default && o->defaults)
        why = "-n and -d exclude each other";
    else if ((o->master || o->remove || assigns > 0) && (o->non_default || o->defaults || o->values_only))
        why = "-n, -d and -h only apply when showing parameters";
    else if (assigns > 0 && assigns != o->count)
        why = "give either NAME ... to show or NAME=VALUE ... to change, not both";
    else if (o->remove && assigns > 0)
        why = "-X takes names only (NAME or NAME/TYPE), not NAME=VALUE";
    else if (o->remove && o->count == 0)
        why = "-X needs the names of what to remove";
    if (why == NULL)
        return 0;
    cli_error("conf", "%s (see petrel conf --help)", why);
    return -1;
}

/* parse_args - options up to the first operand (or "--") */
static int parse_args(int argc, char **argv, struct conf_opts *o)
{
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--help") == 0) {
            fputs(conf_help, stdout);
            return 1;
        }
        if (argv[i][1] == '-' || parse_flags(argv[i], o) < 0) {
            if (argv[i][1] == '-')
                cli_error("conf", "unknown option %s (see petrel conf --help)", argv[i]);
            return -1;
        }
    }
    o->operands = argv + i;
    o->count = argc - i;
    return check_combination(o);
}

/* name_cmp - qsort by parameter name */
static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* check_names - every operand names a known parameter */
static int check_names(const struct conf_opts *o)
{
    const char *best;
    int i, bad = 0;

    for (i = 0; i < o->count; i++) {
        if (param_lookup(o->operands[i]) != NULL)
            continue;
        best = config_suggest(o->operands[i]);
        cli_error("conf", "unknown parameter \"%s\"%s%s%s", o->operands[i], best ? " (did you mean \"" : "",
                  best ? best : "", best ? "\"?)" : "");
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* shown_value - the value to print for one parameter */
static const char *shown_value(const struct config *cfg, const struct conf_opts *o, const char *name)
{
    if (o->expand)
        return config_value(cfg, name);
    if (o->defaults)
        return config_default_value(cfg, name);
    if (config_is_set(cfg, name))
        return config_raw_value(cfg, name);
    /* A computed default follows the file (mydomain from myhostname). */
    if (param_lookup(name)->flags & P_COMPUTED)
        return config_value(cfg, name);
    return config_default_value(cfg, name);
}

/* print_params - the names in names[0..n) as "name = value" */
static void print_params(const struct config *cfg, const struct conf_opts *o, const char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (o->non_default && !config_is_set(cfg, names[i]))
            continue;
        if (o->values_only)
            printf("%s\n", shown_value(cfg, o, names[i]));
        else
            printf("%s = %s\n", names[i], shown_value(cfg, o, names[i]));
    }
}

/* show_params - "petrel conf [-n|-d] [-h] [-x] [name ...]" */
static int show_params(const char *config_dir, const struct conf_opts *o)
{
    struct config *cfg;
    const char **names, *error;
    size_t i, n;

    if (check_names(o) < 0)
        return EX_USAGE;
    /* -d: the defaults are what an empty petrel.conf gives. */
    if ((o->defaults ? config_load_text(config_dir, "(defaults)", "", 0, NULL, &cfg, &error)
                     : config_load(config_dir, NULL, &cfg, &error))
        < 0) {
        cli_error("conf", "%s", error);
        return EX_CONFIG;
    }
    if (o->count > 0) {
        names = (const char **)o->operands;
        n = (size_t)o->count;
        print_params(cfg, o, names, n);
    } else {
        names = xcalloc(param_count, sizeof(*names));
        for (i = 0; i < param_count; i++)
            names[i] = param_table[i].name;
        qsort(names, param_count, sizeof(*names), name_cmp);
        print_params(cfg, o, names, param_count);
        xfree(names);
    }
    config_destroy(&cfg);
    return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* write_params - apply the edits, validate the whole text, write it once */
static int write_params(const char *config_dir, const struct conf_file *f, const struct config_edit *edits,
                        size_t n)
{
    struct config *cfg;
    char *new_text;
    const char *error;
    int rc = EX_CONFIG;

    if (config_edit_text(f->text, f->len, edits, n, &new_text, &error) < 0) {
        cli_error("conf", "%s; nothing was changed", error);
        return EX_CONFIG;
    }
    if (config_load_text(config_dir, f->path, new_text, strlen(new_text), NULL, &cfg, &error) < 0) {
        cli_error("conf", "%s; nothing was changed", error);
    } else {
        config_destroy(&cfg);
        rc = EX_OK;
        if (conf_file_replace(f, new_text, strlen(new_text), &error) < 0) {
            cli_error("conf", "%s", error);
            rc = EX_IOERR;
        }
    }
    xfree(new_text);
    return rc;
}

/* edit_params - "name=value ..." or "-X name ..." */
static int edit_params(const char *config_dir, const struct conf_opts *o)
{
    struct config_edit *edits = xcalloc((size_t)o->count, sizeof(*edits));
    struct conf_file f;
    const char *error, *eq;
    int i, rc;

    for (i = 0; i < o->count; i++) {
        eq = strchr(o->operands[i], '=');
        edits[i].name =
            eq ? xstrndup(o->operands[i], (size_t)(eq - o->operands[i])) : xstrdup(o->operands[i]);
        edits[i].value = eq ? eq + 1 : NULL;
    }
    if (conf_file_read(config_dir, CONFIG_FILE_NAME, &f, &error) < 0) {
        cli_error("conf", "%s", error);
        rc = EX_IOERR;
    } else {
        rc = write_params(config_dir, &f, edits, (size_t)o->count);
        conf_file_free(&f);
    }
    for (i = 0; i < o->count; i++)
        xfree(edits[i].name);
    xfree(edits);
    return rc;
}

/* service_matches - does "name" or "name/type" select e? */
static int service_matches(const struct service_entry *e, const char *sel)
{
    const char *slash = strchr(sel, '/');
    size_t n = slash ? (size_t)(slash - sel) : strlen(sel);

    if (strlen(e->name) != n || strncmp(e->name, sel, n) != 0)
        return 0;
    return slash == NULL || strcmp(slash + 1, service_type_name(e->type)) == 0;
}

/* show_services - "petrel conf -M [name[/type] ...]" */
static int show_services(const char *config_dir, const struct conf_opts *o)
{
    struct service_table *t;
    struct buf *line;
    const char *error;
    size_t k, shown;
    int i, rc = EX_OK;

    if (service_table_load(config_dir, &t, &error) < 0) {
        cli_error("conf", "%s", error);
        return EX_CONFIG;
    }
    line = buf_create(256, 4 * 65536);
    for (i = 0; i < (o->count ? o->count : 1); i++) {
        for (k = shown = 0; k < t->count; k++) {
            if (o->count > 0 && !service_matches(&t->entries[k], o->operands[i]))
                continue;
            buf_reset(line);
            service_entry_render(&t->entries[k], line);
            printf("%s\n", buf_str(line));
            shown++;
        }
        if (o->count > 0 && shown == 0) {
            cli_error("conf", "no service %s in %s/%s", o->operands[i], config_dir, MASTER_FILE_NAME);
            rc = EX_USAGE;
        }
    }
    buf_destroy(&line);
    service_table_destroy(&t);
    if (fflush(stdout) != 0)
        rc = EX_IOERR;
    return rc;
}

/* edit_service - one "name/type=entry" (or "name/type" with -X) of text */
static int edit_service(const char *path, const char *arg, bool remove, char **text_r, const char **error_r)
{
    const char *eq = remove ? NULL : strchr(arg, '='), *slash;
    size_t key_len = eq ? (size_t)(eq - arg) : strlen(arg);
    char *name, *type, *new_text;
    int rc;

    slash = memchr(arg, '/', key_len);
    if (slash == NULL || slash == arg || (size_t)(slash - arg) + 1 == key_len) {
        *error_r = "name a service as NAME/TYPE, for example smtp/inet";
        return -1;
    }
    name = xstrndup(arg, (size_t)(slash - arg));
    type = xstrndup(slash + 1, key_len - (size_t)(slash - arg) - 1);
    rc = service_table_edit_text(path, *text_r, strlen(*text_r), name, type, eq ? eq + 1 : NULL, &new_text,
                                 error_r);
    xfree(name);
    xfree(type);
    if (rc == 0) {
        xfree(*text_r);
        *text_r = new_text;
    }
    return rc;
}

/* edit_services - "-M name/type=entry ..." or "-MX name/type ...": every
 * edit applied to the text in turn, each validated, then one write */
static int edit_services(const char *config_dir, const struct conf_opts *o)
{
    struct conf_file f;
    const char *error;
    char *text;
    int i, rc = EX_OK;

    if (conf_file_read(config_dir, MASTER_FILE_NAME, &f, &error) < 0) {
        cli_error("conf", "%s", error);
        return EX_IOERR;
    }
    text = xstrdup(f.text);
    for (i = 0; i < o->count && rc == EX_OK; i++) {
        if (edit_service(f.path, o->operands[i], o->remove, &text, &error) < 0) {
            cli_error("conf", "%s; nothing was changed", error);
            rc = EX_CONFIG;
        }
    }
    if (rc == EX_OK && conf_file_replace(&f, text, strlen(text), &error) < 0) {
        cli_error("conf", "%s", error);
        rc = EX_IOERR;
    }
    xfree(text);
    conf_file_free(&f);
    return rc;
}

/* cli_conf - "petrel conf": dispatch on the options */
int cli_conf(const char *config_dir, int argc, char **argv)
{
    struct conf_opts o;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc > 0 ? EX_OK : EX_USAGE;
    if (o.master)
        return o.remove || count_assignments(&o) > 0 ? edit_services(config_dir, &o)
                                                     : show_services(config_dir, &o);
    if (o.remove || count_assignments(&o) > 0)
        return edit_params(config_dir, &o);
    return show_params(config_dir, &o);
}
