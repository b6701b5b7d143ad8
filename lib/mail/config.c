/* SPDX-License-Identifier: MIT
 * config - load petrel.conf: entries, overrides, computed defaults,
 * $-expansion, and validation of every value into struct params.
 *
 * Owns: struct config, which owns every string that struct params points to
 * (raw values, expanded values, computed defaults).
 *
 * Input: petrel.conf and -o overrides, written by the admin, bounded by the
 * CONF_* limits of conf_reader.h; an expanded value is at most
 * CONFIG_VALUE_MAX bytes (so "$a $a" chains cannot grow without bound), and
 * each parameter is expanded once (memoized) with loop detection.
 *
 * See also: config.h, conf_reader.h, params.h, config_suggest.c.
 */
#include "mail/config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/conf_reader.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"
#include "util/err.h"
#include "util/msg.h"

#define CONFIG_VALUE_MAX 65536

enum slot_state { SLOT_NEW, SLOT_BUSY, SLOT_DONE };

/* What the configuration knows about one parameter. */
struct config_slot {
    char *raw;      /* as written (file or override); NULL: not set */
    int line;       /* its line in the file (0: set by an override) */
    char *override; /* the override string that set it, or NULL */
    char *expanded; /* the effective value after expansion */
    enum slot_state state;
};

struct config {
    char *dir;
    char *file;
    char *host_default;   /* the system's host name */
    char *domain_default; /* derived from it */
    struct params params;
    struct config_slot *slots;
    size_t *stack; /* parameters being expanded (loop detection) */
    size_t depth;
};

/* config_directory_default - -c, environment, or compiled-in */
const char *config_directory_default(const char *cli_dir)
{
    const char *env;

    if (cli_dir != NULL && cli_dir[0] != '\0')
        return cli_dir;
    env = getenv("PETREL_CONFIG_DIR");
    if (env != NULL && env[0] != '\0')
        return env;
    return PETREL_DEFAULT_CONFIG_DIR;
}

/* slot_index - the index of a definition in param_table */
static size_t slot_index(const struct param_def *def)
{
    return (size_t)(def - param_table);
}

/* slot_of - the slot of a parameter by name, or NULL */
static struct config_slot *slot_of(const struct config *cfg, const char *name)
{
    const struct param_def *def = param_lookup(name);

    return def ? &cfg->slots[slot_index(def)] : NULL;
}

/* where - the origin of a slot's value, for messages */
static const char *where(const struct config *cfg, size_t i)
{
    const struct config_slot *s = &cfg->slots[i];

    if (s->override != NULL)
        return err_fmt("override \"%.100s%s\"", s->override, strlen(s->override) > 100 ? "..." : "");
    if (s->raw != NULL)
        return err_fmt("%s:%d", cfg->file, s->line);
    return err_fmt("default of %s", param_table[i].name);
}

/* derive_domain - a host name without its first label */
static char *derive_domain(const char *host)
{
    const char *dot = strchr(host, '.');

    return xstrdup(dot != NULL && dot[1] != '\0' ? dot + 1 : "localdomain");
}

/* system_hostname - gethostname(), never empty */
static char *system_hostname(void)
{
    char name[256];

    if (gethostname(name, sizeof(name)) < 0 || name[0] == '\0')
        return xstrdup("localhost");
    name[sizeof(name) - 1] = '\0';
    return xstrdup(name);
}

/* config_create - an empty configuration for dir */
static struct config *config_create(const char *dir, const char *file)
{
    struct config *cfg = xcalloc(1, sizeof(*cfg));

    cfg->dir = xstrdup(dir);
    cfg->file = xstrdup(file);
    cfg->host_default = system_hostname();
    cfg->domain_default = derive_domain(cfg->host_default);
    cfg->slots = xcalloc(param_count, sizeof(*cfg->slots));
    cfg->stack = xcalloc(param_count, sizeof(*cfg->stack));
    return cfg;
}

/* config_destroy - free everything */
void config_destroy(struct config **cfg_r)
{
    struct config *cfg = *cfg_r;
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < param_count; i++) {
        xfree(cfg->slots[i].raw);
        xfree(cfg->slots[i].override);
        xfree(cfg->slots[i].expanded);
    }
    xfree(cfg->slots);
    xfree(cfg->stack);
    xfree(cfg->dir);
    xfree(cfg->file);
    xfree(cfg->host_default);
    xfree(cfg->domain_default);
    xfree(cfg);
    *cfg_r = NULL;
}

/* unknown_error - "unknown parameter" with a suggestion */
static int unknown_error(const char *loc, const char *name, const char **error_r)
{
    const char *best = config_suggest(name);

    if (best != NULL)
        return errf(error_r, "%s: unknown parameter \"%.100s\" (did you mean \"%s\"?)", loc, name, best);
    return errf(error_r, "%s: unknown parameter \"%.100s\"", loc, name);
}

/* find_settable - the definition of name, if it may be set at all */
static const struct param_def *find_settable(const char *loc, const char *name, const char **error_r)
{
    const struct param_def *def = param_lookup(name);

    if (def == NULL) {
        unknown_error(loc, name, error_r);
        return NULL;
    }
    if (strcmp(name, "config_directory") == 0) {
        errf(error_r, "%s: config_directory cannot be set here (use -c or PETREL_CONFIG_DIR)", loc);
        return NULL;
    }
    return def;
}

/* parse_entry - one "name = value" entry of the file */
static int parse_entry(struct config *cfg, const struct conf_reader *r, const char **error_r)
{
    const char *text = buf_str(&r->entry), *eq = strchr(text, '='), *loc, *value;
    const struct param_def *def;
    struct config_slot *s;
    size_t name_len, value_len;
    char *name;

    loc = err_fmt("%s:%d", cfg->file, r->entry_line);
    if (eq == NULL)
        return errf(error_r, "%s: missing \"=\" in \"%.60s%s\" (write name = value)", loc, text,
                    strlen(text) > 60 ? "..." : "");
    name_len = (size_t)(eq - text);
    value = conf_trim(text, &name_len);
    if (name_len == 0)
        return errf(error_r, "%s: missing parameter name before \"=\"", loc);
    name = xstrndup(value, name_len);
    def = find_settable(loc, name, error_r);
    xfree(name);
    if (def == NULL)
        return -1;
    s = &cfg->slots[slot_index(def)];
    if (s->raw != NULL)
        msg_warn("%s: parameter %s is set again (previous setting at line %d); the last one wins", loc,
                 def->name, s->line);
    value_len = r->entry.len - (size_t)(eq + 1 - text);
    value = conf_trim(eq + 1, &value_len);
    xfree(s->raw);
    s->raw = xstrndup(value, value_len);
    s->line = r->entry_line;
    return 0;
}

/* parse_file - every entry of the text */
static int parse_file(struct config *cfg, const char *text, size_t len, const char **error_r)
{
    struct conf_reader r;
    int rc;

    if (len > CONF_TEXT_MAX)
        return errf(error_r, "%s: larger than %d bytes", cfg->file, CONF_TEXT_MAX);
    conf_reader_init(&r, cfg->file, text, len);
    while ((rc = conf_reader_next(&r, error_r)) > 0)
        if ((rc = parse_entry(cfg, &r, error_r)) < 0)
            break;
    conf_reader_deinit(&r);
    return rc;
}

/* apply_override - one "name=value" string */
static int apply_override(struct config *cfg, const char *o, const char **error_r)
{
    const char *eq = strchr(o, '='), *loc, *value, *p;
    const struct param_def *def;
    struct config_slot *s;
    size_t name_len, value_len;
    char *name;

    loc = err_fmt("override \"%.100s%s\"", o, strlen(o) > 100 ? "..." : "");
    if (strlen(o) > CONF_ENTRY_MAX)
        return errf(error_r, "%s: longer than %d bytes", loc, CONF_ENTRY_MAX);
    for (p = o; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return errf(error_r, "%s: control character 0x%02x", loc, (unsigned char)*p);
    if (eq == NULL)
        return errf(error_r, "%s: missing \"=\" (write name=value)", loc);
    name_len = (size_t)(eq - o);
    value = conf_trim(o, &name_len);
    if (name_len == 0)
        return errf(error_r, "%s: missing parameter name before \"=\"", loc);
    name = xstrndup(value, name_len);
    def = find_settable(loc, name, error_r);
    xfree(name);
    if (def == NULL)
        return -1;
    s = &cfg->slots[slot_index(def)];
    value_len = strlen(eq + 1);
    value = conf_trim(eq + 1, &value_len);
    xfree(s->raw);
    xfree(s->override);
    s->raw = xstrndup(value, value_len);
    s->override = xstrdup(o);
    s->line = 0;
    return 0;
}

/* too_long - an expanded value passed CONFIG_VALUE_MAX */
static int too_long(const struct config *cfg, size_t i, const char **error_r)
{
    return errf(error_r, "%s: the value of %s is longer than %d bytes after expansion", where(cfg, i),
                param_table[i].name, CONFIG_VALUE_MAX);
}

/* loop_error - name the chain of a $-expansion loop that comes back to i */
static int loop_error(const struct config *cfg, size_t i, const char **error_r)
{
    struct buf chain;
    size_t k = 0, at, loc;

    while (k < cfg->depth && cfg->stack[k] != i)
        k++;
    loc = i;
    for (at = cfg->depth; at > k; at--)
        if (cfg->slots[cfg->stack[at - 1]].raw != NULL)
            loc = cfg->stack[at - 1];
    buf_init(&chain, 128, 800);
    for (at = k; at < cfg->depth; at++)
        buf_printf(&chain, "%s -> ", param_table[cfg->stack[at]].name);
    buf_append_str(&chain, param_table[i].name);
    errf(error_r, "%s: $-expansion loop: %s", where(cfg, loc), buf_str(&chain));
    buf_deinit(&chain);
    return -1;
}

static int expand_slot(struct config *cfg, size_t i, const char **error_r);

/* is_name_char - a byte of a parameter name */
static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* parse_ref - the name after '$' ("name" or "{name}"), advancing *p */
static int parse_ref(const struct config *cfg, size_t i, const char **p, const char **name_r, size_t *len_r,
                     const char **error_r)
{
    const char *s = *p, *start = s + (*s == '{');
    size_t n = 0;

    while (is_name_char(start[n]))
        n++;
    if (n == 0)
        return errf(error_r, "%s: invalid \"$\" in the value of %s (write \"$$\" for a literal \"$\")",
                    where(cfg, i), param_table[i].name);
    if (*s == '{' && start[n] != '}')
        return errf(error_r, "%s: missing \"}\" after \"${%.*s\" in the value of %s", where(cfg, i),
                    (int)(n > 60 ? 60 : n), start, param_table[i].name);
    *name_r = start;
    *len_r = n;
    *p = start + n + (*s == '{');
    return 0;
}

/* expand_ref - append the value of the parameter named at [name, name+len) */
static int expand_ref(struct config *cfg, size_t i, const char *name, size_t len, struct buf *out,
                      const char **error_r)
{
    const struct param_def *def = NULL;
    const char *best;
    char copy[64];

    if (len < sizeof(copy)) {
        memcpy(copy, name, len);
        copy[len] = '\0';
        def = param_lookup(copy);
    }
    if (def == NULL) {
        best = len < sizeof(copy) ? config_suggest(copy) : NULL;
        return errf(error_r, "%s: unknown parameter \"$%.*s\" in the value of %s%s%s%s", where(cfg, i),
                    (int)(len > 60 ? 60 : len), name, param_table[i].name, best ? " (did you mean \"$" : "",
                    best ? best : "", best ? "\"?)" : "");
    }
    if (expand_slot(cfg, slot_index(def), error_r) < 0)
        return -1;
    if (buf_append_str(out, cfg->slots[slot_index(def)].expanded) < 0)
        return too_long(cfg, i, error_r);
    return 0;
}

/* expand_text - expand $name, ${name} and $$ in the value of parameter i */
static int expand_text(struct config *cfg, size_t i, const char *text, struct buf *out, const char **error_r)
{
    const char *p = text, *dollar, *name = NULL;
    size_t len;

    while (*p != '\0') {
        dollar = strchr(p, '$');
        len = dollar ? (size_t)(dollar - p) : strlen(p);
        if (buf_append(out, p, len) < 0)
            return too_long(cfg, i, error_r);
        if (dollar == NULL)
            break;
        p = dollar + 1;
        if (*p == '$') {
            if (buf_append_char(out, '$') < 0)
                return too_long(cfg, i, error_r);
            p++;
            continue;
        }
        if (parse_ref(cfg, i, &p, &name, &len, error_r) < 0
            || expand_ref(cfg, i, name, len, out, error_r) < 0)
            return -1;
    }
    return 0;
}

/* compute_default - the computed default of parameter i (taken literally) */
static int compute_default(struct config *cfg, size_t i, struct buf *out, const char **error_r)
{
    const char *name = param_table[i].name, *value;
    char *domain = NULL;
    int rc;

    if (strcmp(name, "config_directory") == 0) {
        value = cfg->dir;
    } else if (strcmp(name, "myhostname") == 0) {
        value = cfg->host_default;
    } else if (strcmp(name, "mydomain") == 0) {
        if (expand_slot(cfg, slot_index(param_lookup("myhostname")), error_r) < 0)
            return -1;
        value = domain = derive_domain(slot_of(cfg, "myhostname")->expanded);
    } else {
        msg_panic("config: no code computes the default of %s", name);
    }
    rc = buf_append_str(out, value) < 0 ? too_long(cfg, i, error_r) : 0;
    xfree(domain);
    return rc;
}

/* expand_slot - the effective value of parameter i, expanded once */
static int expand_slot(struct config *cfg, size_t i, const char **error_r)
{
    struct config_slot *s = &cfg->slots[i];
    struct buf out;
    int rc;

    if (s->state == SLOT_DONE)
        return 0;
    if (s->state == SLOT_BUSY)
        return loop_error(cfg, i, error_r);
    s->state = SLOT_BUSY;
    cfg->stack[cfg->depth++] = i;
    buf_init(&out, 64, CONFIG_VALUE_MAX);
    if (s->raw == NULL && (param_table[i].flags & P_COMPUTED))
        rc = compute_default(cfg, i, &out, error_r);
    else
        rc = expand_text(cfg, i, s->raw ? s->raw : param_table[i].def, &out, error_r);
    cfg->depth--;
    if (rc == 0) {
        s->expanded = xmemdup(out.data, out.len);
        s->state = SLOT_DONE;
    }
    buf_deinit(&out);
    return rc;
}

/* order_key - file entries by line, then overrides, then defaults */
static long order_key(const struct config *cfg, size_t i)
{
    const struct config_slot *s = &cfg->slots[i];

    if (s->override != NULL)
        return (long)CONF_TEXT_MAX + 1;
    return s->raw != NULL ? s->line : (long)CONF_TEXT_MAX + 2;
}

/* expand_all - expand and validate every parameter, in file order first so
 * that the first error reported is the first one in the file */
static int expand_all(struct config *cfg, const char **error_r)
{
    const char *perr;
    size_t i, done = 0;
    long key, next;

    for (key = -1; done < param_count; key = next) {
        next = LONG_MAX;
        for (i = 0; i < param_count; i++)
            if (order_key(cfg, i) > key && order_key(cfg, i) < next)
                next = order_key(cfg, i);
        for (i = 0; i < param_count; i++) {
            if (order_key(cfg, i) != next)
                continue;
            done++;
            if (expand_slot(cfg, i, error_r) < 0)
                return -1;
            if (param_parse(&param_table[i], cfg->slots[i].expanded, &cfg->params, &perr) < 0)
                return errf(error_r, "%s: %s", where(cfg, i), perr);
        }
    }
    return 0;
}

/* config_load_text - parse, override, expand and validate */
int config_load_text(const char *config_dir, const char *file_name, const char *text, size_t len,
                     const char *const *overrides, struct config **cfg_r, const char **error_r)
{
    struct config *cfg = config_create(config_dir, file_name);

    if (parse_file(cfg, text, len, error_r) < 0)
        goto fail;
    for (; overrides != NULL && *overrides != NULL; overrides++)
        if (apply_override(cfg, *overrides, error_r) < 0)
            goto fail;
    if (expand_all(cfg, error_r) < 0)
        goto fail;
    *cfg_r = cfg;
    return 0;
fail:
    config_destroy(&cfg);
    return -1;
}

/* config_load - read DIR/petrel.conf */
int config_load(const char *config_dir, const char *const *overrides, struct config **cfg_r,
                const char **error_r)
{
    char *path = xasprintf("%s/%s", config_dir, CONFIG_FILE_NAME), *text;
    size_t len;
    int rc = -1;

    if (read_file(path, CONF_TEXT_MAX, &text, &len, error_r) == 0) {
        rc = config_load_text(config_dir, path, text, len, overrides, cfg_r, error_r);
        xfree(text);
    }
    xfree(path);
    return rc;
}

/* config_params - the typed values */
const struct params *config_params(const struct config *cfg)
{
    return &cfg->params;
}

/* config_dir - the configuration directory */
const char *config_dir(const struct config *cfg)
{
    return cfg->dir;
}

/* config_value - the effective, expanded value */
const char *config_value(const struct config *cfg, const char *name)
{
    const struct config_slot *s = slot_of(cfg, name);

    return s ? s->expanded : NULL;
}

/* config_default_value - the default as text, computed ones computed */
const char *config_default_value(const struct config *cfg, const char *name)
{
    const struct param_def *def = param_lookup(name);

    if (def == NULL)
        return NULL;
    if (strcmp(name, "config_directory") == 0)
        return cfg->dir;
    if (strcmp(name, "myhostname") == 0)
        return cfg->host_default;
    if (strcmp(name, "mydomain") == 0)
        return cfg->domain_default;
    return def->def;
}

/* config_is_set - set in the file or by an override? */
bool config_is_set(const struct config *cfg, const char *name)
{
    const struct config_slot *s = slot_of(cfg, name);

    return s != NULL && s->raw != NULL;
}

/* config_raw_value - the value as written */
const char *config_raw_value(const struct config *cfg, const char *name)
{
    const struct config_slot *s = slot_of(cfg, name);

    return s ? s->raw : NULL;
}
