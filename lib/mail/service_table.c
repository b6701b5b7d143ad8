/* SPDX-License-Identifier: MIT
 * service_table - parse and validate master.conf into a table of services.
 *
 * Owns: struct service_table and every string in its entries.
 *
 * Input: master.conf, written by the admin; the line syntax and its limits
 * come from conf_reader.h, and a table holds at most SERVICE_TABLE_MAX
 * services of at most SERVICE_ARGS_MAX words each. Every column is checked
 * here, with file:line errors, so the master never starts half a table.
 *
 * See also: service_table.h, service_table_edit.c (rendering and editing),
 * conf_reader.h.
 */
#include "mail/service_table.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/conf_reader.h"
#include "mail/config.h"
#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

#define SERVICE_TABLE_MAX 1000
#define SERVICE_ARGS_MAX 256
#define SERVICE_COLUMNS 9
#define SERVICE_UNIX_PATH_MAX 107
#define SERVICE_WAKEUP_MAX 86400
#define SERVICE_MAXPROC_MAX 10000

/* Where an entry stands, for messages. */
struct where {
    const char *file;
    int line;
};

/* service_type_name - "inet" or "unix" */
const char *service_type_name(enum service_type type)
{
    return type == SERVICE_INET ? "inet" : "unix";
}

/* service_type_parse - "inet" or "unix" to the enum */
int service_type_parse(const char *s, enum service_type *type_r)
{
    if (strcmp(s, "inet") == 0)
        *type_r = SERVICE_INET;
    else if (strcmp(s, "unix") == 0)
        *type_r = SERVICE_UNIX;
    else
        return -1;
    return 0;
}

/* only_chars - is s non-empty and made only of letters, digits and extra? */
static int only_chars(const char *s, size_t len, const char *extra)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c)))
            return 0;
    }
    return len > 0;
}

/* is_word - a service, command or user name: [A-Za-z0-9_.-]+ but not . or .. */
static int is_word(const char *s)
{
    return only_chars(s, strlen(s), "_.-") && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* parse_port - 1..65535, digits only, into a malloc'd normal form */
static int parse_port(const char *port, const char *listen, char **port_r, const char **error_r)
{
    size_t len = strlen(port);
    long v;

    if (len == 0 || len > 5 || strspn(port, "0123456789") != len || (v = strtol(port, NULL, 10)) < 1
        || v > 65535)
        return errf(error_r, "invalid port \"%.20s\" in listen address \"%.100s\" (use 1 to 65535)", port,
                    listen);
    *port_r = xasprintf("%ld", v);
    return 0;
}

/* check_host - an IPv4 literal or a host name (the [v6] case is done) */
static int check_host(const char *host, size_t len, const char *listen, const char **error_r)
{
    char copy[256];
    struct in_addr a4;

    if (len == 0 || len > 253 || !only_chars(host, len, ".-"))
        return errf(error_r,
                    "invalid host in listen address \"%.100s\" (use an IPv4 address, "
                    "[IPV6], * or a host name)",
                    listen);
    memcpy(copy, host, len);
    copy[len] = '\0';
    if (strspn(copy, "0123456789.") == len && inet_pton(AF_INET, copy, &a4) != 1)
        return errf(error_r, "invalid IPv4 address \"%s\" in listen address \"%.100s\"", copy, listen);
    return 0;
}

/* service_inet_split - "host:port", "[v6]:port" or "port" */
int service_inet_split(const char *listen, char **host_r, char **port_r, const char **error_r)
{
    const char *colon = strrchr(listen, ':'), *end, *host = NULL, *port = listen;
    size_t host_len = 0;
    char v6[64];
    struct in6_addr a6;

    if (listen[0] == '[') {
        end = strchr(listen, ']');
        host = listen + 1;
        host_len = end ? (size_t)(end - host) : 0;
        if (end == NULL || end[1] != ':' || host_len >= sizeof(v6))
            return errf(error_r, "invalid listen address \"%.100s\" (use [IPV6]:PORT)", listen);
        memcpy(v6, host, host_len);
        v6[host_len] = '\0';
        if (inet_pton(AF_INET6, v6, &a6) != 1)
            return errf(error_r, "invalid IPv6 address \"%s\" in listen address \"%.100s\"", v6, listen);
        port = end + 2;
    } else if (colon != NULL) {
        if (strchr(listen, ':') != colon)
            return errf(error_r,
                        "invalid listen address \"%.100s\" (write an IPv6 address in "
                        "brackets: [IPV6]:PORT)",
                        listen);
        host = listen;
        host_len = (size_t)(colon - listen);
        port = colon + 1;
        if (host_len == 1 && host[0] == '*')
            host = NULL;
        else if (check_host(host, host_len, listen, error_r) < 0)
            return -1;
    }
    if (parse_port(port, listen, port_r, error_r) < 0)
        return -1;
    *host_r = host ? xstrndup(host, host_len) : NULL;
    return 0;
}

/* parse_flag - y, n, or - (the default) */
static int parse_flag(const struct where *w, const char *what, const char *s, bool def, bool *v_r,
                      const char **error_r)
{
    if (strcmp(s, "y") == 0)
        *v_r = true;
    else if (strcmp(s, "n") == 0)
        *v_r = false;
    else if (strcmp(s, "-") == 0)
        *v_r = def;
    else
        return errf(error_r, "%s:%d: invalid %s value \"%.20s\" (use y, n or -)", w->file, w->line, what, s);
    return 0;
}

/* parse_count - a number from 0 to max, or - (0) */
static int parse_count(const struct where *w, const char *what, const char *s, int min, int max, int *v_r,
                       const char **error_r)
{
    size_t len = strlen(s);
    long v;

    if (strcmp(s, "-") == 0) {
        *v_r = 0;
        return 0;
    }
    if (len == 0 || len > 6 || strspn(s, "0123456789") != len || (v = strtol(s, NULL, 10)) < min || v > max)
        return errf(error_r, "%s:%d: invalid %s \"%.20s\" (use %d to %d, or -)", w->file, w->line, what, s,
                    min, max);
    *v_r = (int)v;
    return 0;
}

/* parse_listen - the listen column, resolved ("-" becomes private/NAME) */
static int parse_listen(const struct where *w, struct service_entry *e, const char *s, const char **error_r)
{
    const char *err;
    char *host, *port;

    if (e->type == SERVICE_INET) {
        if (service_inet_split(s, &host, &port, &err) < 0)
            return errf(error_r, "%s:%d: %s", w->file, w->line, err);
        xfree(host);
        xfree(port);
        e->listen = xstrdup(s);
        return 0;
    }
    if (strcmp(s, "-") == 0) {
        e->listen = xasprintf("%s/%s", e->private_socket ? "private" : "public", e->name);
        return 0;
    }
    if (strlen(s) > SERVICE_UNIX_PATH_MAX)
        return errf(error_r, "%s:%d: socket path longer than %d bytes", w->file, w->line,
                    SERVICE_UNIX_PATH_MAX);
    e->listen = xstrdup(s);
    return 0;
}

/* split_words - the blank-separated words of an entry (malloc'd) */
static char **split_words(const char *text, int *count_r)
{
    char **words = NULL;
    size_t n = 0, cap = 0, len;

    for (;;) {
        text += strspn(text, " \t");
        if (*text == '\0')
            break;
        len = strcspn(text, " \t");
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            words = xreallocarray(words, cap, sizeof(*words));
        }
        words[n++] = xstrndup(text, len);
        text += len;
    }
    if (words == NULL)
        words = xcalloc(1, sizeof(*words));
    words[n] = NULL;
    *count_r = (int)n;
    return words;
}

/* free_words - free a NULL-terminated word array */
static void free_words(char ***words_r)
{
    char **w;

    if (*words_r == NULL)
        return;
    for (w = *words_r; *w != NULL; w++)
        xfree(*w);
    xfree(*words_r);
}

/* entry_free - release one entry's strings */
static void entry_free(struct service_entry *e)
{
    xfree(e->name);
    xfree(e->listen);
    xfree(e->user);
    free_words(&e->argv);
}

/* check_user - "-", or a user name; never root for an inet service */
static int check_user(const struct where *w, struct service_entry *e, const char *s, const char **error_r)
{
    if (strcmp(s, "-") == 0)
        return 0;
    if (!is_word(s))
        return errf(error_r, "%s:%d: invalid user name \"%.100s\"", w->file, w->line, s);
    if (e->type == SERVICE_INET && (strcmp(s, "root") == 0 || strspn(s, "0") == strlen(s)))
        return errf(error_r,
                    "%s:%d: inet service %s must not run as root (network input is never "
                    "parsed with privileges)",
                    w->file, w->line, e->name);
    e->user = xstrdup(s);
    return 0;
}

/* check_command - the program name and its "-o name=value" arguments */
static int check_command(const struct where *w, char **argv, const char **error_r)
{
    const char *eq, *best;
    char name[64];
    int i;

    if (!is_word(argv[0]))
        return errf(error_r,
                    "%s:%d: invalid command \"%.100s\" (a program name in daemon_directory: "
                    "letters, digits, '_', '.' and '-', no '/')",
                    w->file, w->line, argv[0]);
    for (i = 1; argv[i] != NULL; i++) {
        if (strcmp(argv[i], "-o") != 0)
            continue;
        if (argv[++i] == NULL || (eq = strchr(argv[i], '=')) == NULL || eq == argv[i])
            return errf(error_r, "%s:%d: -o needs name=value", w->file, w->line);
        snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i] < 63 ? eq - argv[i] : 63), argv[i]);
        if (param_lookup(name) == NULL) {
            best = config_suggest(name);
            return errf(error_r, "%s:%d: unknown parameter \"%s\" in -o %.100s%s%s%s", w->file, w->line, name,
                        argv[i], best ? " (did you mean \"" : "", best ? best : "", best ? "\"?)" : "");
        }
    }
    return 0;
}

/* parse_columns - the nine columns and the arguments of one entry */
static int parse_columns(const struct where *w, char **c, int n, struct service_entry *e,
                         const char **error_r)
{
    if (n < SERVICE_COLUMNS)
        return errf(error_r,
                    "%s:%d: too few columns (want name type listen private user chroot wakeup "
                    "maxproc command, got %d)",
                    w->file, w->line, n);
    if (n - SERVICE_COLUMNS + 1 > SERVICE_ARGS_MAX)
        return errf(error_r, "%s:%d: more than %d command words", w->file, w->line, SERVICE_ARGS_MAX);
    if (!is_word(c[0]))
        return errf(error_r, "%s:%d: invalid service name \"%.100s\" (use letters, digits, '_', '.' and '-')",
                    w->file, w->line, c[0]);
    e->name = xstrdup(c[0]);
    if (service_type_parse(c[1], &e->type) < 0)
        return errf(error_r, "%s:%d: unknown service type \"%.20s\" (use inet or unix)", w->file, w->line,
                    c[1]);
    if (parse_flag(w, "private", c[3], e->type == SERVICE_UNIX, &e->private_socket, error_r) < 0)
        return -1;
    if (e->type == SERVICE_INET && e->private_socket)
        return errf(error_r, "%s:%d: inet service %s cannot be private (use n or -)", w->file, w->line,
                    e->name);
    if (parse_listen(w, e, c[2], error_r) < 0 || check_user(w, e, c[4], error_r) < 0
        || parse_flag(w, "chroot", c[5], false, &e->chroot, error_r) < 0
        || parse_count(w, "wakeup time", c[6], 0, SERVICE_WAKEUP_MAX, &e->wakeup, error_r) < 0
        || parse_count(w, "maxproc", c[7], 1, SERVICE_MAXPROC_MAX, &e->maxproc, error_r) < 0
        || check_command(w, c + 8, error_r) < 0)
        return -1;
    e->argc = n - 8;
    e->argv = xcalloc((size_t)e->argc + 1, sizeof(*e->argv));
    for (n = 0; n < e->argc; n++)
        e->argv[n] = xstrdup(c[8 + n]);
    return 0;
}

/* check_unique - (name, type) and the listen address are not used before */
static int check_unique(const struct where *w, const struct service_table *t, const struct service_entry *e,
                        const char **error_r)
{
    const struct service_entry *o;
    size_t i;

    for (i = 0; i < t->count; i++) {
        o = &t->entries[i];
        if (o->type == e->type && strcmp(o->name, e->name) == 0)
            return errf(error_r, "%s:%d: duplicate service %s/%s (first at line %d)", w->file, w->line,
                        e->name, service_type_name(e->type), o->line);
        if (o->type == e->type && strcmp(o->listen, e->listen) == 0)
            return errf(error_r, "%s:%d: %s %s is already used by %s/%s (line %d)", w->file, w->line,
                        e->type == SERVICE_INET ? "listen address" : "socket", e->listen, o->name,
                        service_type_name(o->type), o->line);
    }
    return 0;
}

/* add_entry - parse one logical entry into the table */
static int add_entry(struct service_table *t, const struct where *w, const char *text, const char **error_r)
{
    struct service_entry e = { .line = w->line };
    char **words;
    int n, rc;

    if (t->count == SERVICE_TABLE_MAX)
        return errf(error_r, "%s:%d: more than %d services", w->file, w->line, SERVICE_TABLE_MAX);
    words = split_words(text, &n);
    rc = parse_columns(w, words, n, &e, error_r);
    free_words(&words);
    if (rc == 0)
        rc = check_unique(w, t, &e, error_r);
    if (rc < 0) {
        entry_free(&e);
        return -1;
    }
    t->entries = xreallocarray(t->entries, t->count + 1, sizeof(*t->entries));
    t->entries[t->count++] = e;
    return 0;
}

/* service_table_parse - every entry of master.conf text */
int service_table_parse(const char *file_name, const char *text, size_t len, struct service_table **t_r,
                        const char **error_r)
{
    struct service_table *t = xcalloc(1, sizeof(*t));
    struct conf_reader r;
    struct where w = { .file = file_name };
    int rc;

    if (len > CONF_TEXT_MAX) {
        xfree(t);
        return errf(error_r, "%s: larger than %d bytes", file_name, CONF_TEXT_MAX);
    }
    conf_reader_init(&r, file_name, text, len);
    while ((rc = conf_reader_next(&r, error_r)) > 0) {
        w.line = r.entry_line;
        if ((rc = add_entry(t, &w, buf_str(&r.entry), error_r)) < 0)
            break;
    }
    conf_reader_deinit(&r);
    if (rc < 0) {
        service_table_destroy(&t);
        return -1;
    }
    *t_r = t;
    return 0;
}

/* service_table_load - read DIR/master.conf */
int service_table_load(const char *config_dir, struct service_table **t_r, const char **error_r)
{
    char *path = xasprintf("%s/%s", config_dir, MASTER_FILE_NAME), *text;
    size_t len;
    int rc = -1;

    if (read_file(path, CONF_TEXT_MAX, &text, &len, error_r) == 0) {
        rc = service_table_parse(path, text, len, t_r, error_r);
        xfree(text);
    }
    xfree(path);
    return rc;
}

/* service_table_destroy - free the table */
void service_table_destroy(struct service_table **t_r)
{
    size_t i;

    if (*t_r == NULL)
        return;
    for (i = 0; i < (*t_r)->count; i++)
        entry_free(&(*t_r)->entries[i]);
    xfree((*t_r)->entries);
    xfree(*t_r);
}

/* service_table_find - look up (name, type) */
const struct service_entry *service_table_find(const struct service_table *t, const char *name,
                                               enum service_type type)
{
    size_t i;

    for (i = 0; i < t->count; i++)
        if (t->entries[i].type == type && strcmp(t->entries[i].name, name) == 0)
            return &t->entries[i];
    return NULL;
}
