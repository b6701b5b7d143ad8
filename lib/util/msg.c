/* SPDX-License-Identifier: MIT
 * msg - logging: format, escape, and write one line per event to a sink.
 *
 * Sinks: stderr (a terminal, or the master's log pipe), an append-only file
 * with timestamps, or syslog (mail facility by default). A test hook can
 * capture lines instead. Writes are single write(2) calls of at most
 * MSG_LINE_MAX bytes so lines from several processes never interleave.
 */
#include "util/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

enum msg_sink { SINK_STDERR, SINK_FILE, SINK_SYSLOG };

static struct {
    char program[64];
    bool verbose;
    enum msg_sink sink;
    int fd;
    char path[4096];
    char syslog_name[64];
    char hostname[256];
    int facility;
    msg_hook_fn *hook;
    void *hook_ctx;
    int depth;
    bool copy_to_stderr;
} msg_state = { .program = "petrel", .fd = -1, .syslog_name = "petrel", .facility = LOG_MAIL };

static const char *const level_names[] = {
    [MSG_DEBUG] = "debug", [MSG_INFO] = "",       [MSG_WARN] = "warning",
    [MSG_ERROR] = "error", [MSG_FATAL] = "fatal", [MSG_PANIC] = "panic",
};

/* msg_init - set the program name */
void msg_init(const char *program)
{
    const char *slash = strrchr(program, '/');

    snprintf(msg_state.program, sizeof(msg_state.program), "%s", slash ? slash + 1 : program);
}

/* msg_program - the program name */
const char *msg_program(void)
{
    return msg_state.program;
}

/* msg_set_verbose - debug lines on or off */
void msg_set_verbose(bool on)
{
    msg_state.verbose = on;
}

/* msg_verbose - are debug lines on? */
bool msg_verbose(void)
{
    return msg_state.verbose;
}

/* msg_close_sink - release the current sink */
static void msg_close_sink(void)
{
    if (msg_state.sink == SINK_FILE && msg_state.fd >= 0)
        close(msg_state.fd);
    if (msg_state.sink == SINK_SYSLOG)
        closelog();
    msg_state.fd = -1;
    msg_state.sink = SINK_STDERR;
}

/* msg_use_stderr - log to fd 2 */
void msg_use_stderr(void)
{
    msg_close_sink();
}

/* msg_use_file - log to an append-only file */
int msg_use_file(const char *path, const char *syslog_name)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);

    if (fd < 0)
        return -1;
    msg_close_sink();
    msg_state.sink = SINK_FILE;
    msg_state.fd = fd;
    snprintf(msg_state.path, sizeof(msg_state.path), "%s", path);
    snprintf(msg_state.syslog_name, sizeof(msg_state.syslog_name), "%s", syslog_name);
    if (gethostname(msg_state.hostname, sizeof(msg_state.hostname) - 1) < 0)
        snprintf(msg_state.hostname, sizeof(msg_state.hostname), "localhost");
    msg_state.hostname[strcspn(msg_state.hostname, ".")] = '\0';
    return 0;
}

static const struct {
    const char *name;
    int value;
} facilities[] = {
    { "mail", LOG_MAIL },     { "daemon", LOG_DAEMON }, { "user", LOG_USER },     { "local0", LOG_LOCAL0 },
    { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
    { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* msg_use_syslog - log to syslog */
int msg_use_syslog(const char *syslog_name, const char *facility)
{
    size_t i;

    for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (strcmp(facilities[i].name, facility) == 0)
            break;
    if (i == sizeof(facilities) / sizeof(facilities[0])) {
        errno = EINVAL;
        return -1;
    }
    msg_close_sink();
    msg_state.sink = SINK_SYSLOG;
    msg_state.facility = facilities[i].value;
    snprintf(msg_state.syslog_name, sizeof(msg_state.syslog_name), "%s", syslog_name);
    return 0;
}

/* msg_reopen - reopen the log file after rotation */
void msg_reopen(void)
{
    int fd;

    if (msg_state.sink != SINK_FILE)
        return;
    fd = open(msg_state.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return;
    close(msg_state.fd);
    msg_state.fd = fd;
}

/* msg_copy_to_stderr - tee file/syslog lines to fd 2 */
void msg_copy_to_stderr(bool on)
{
    msg_state.copy_to_stderr = on;
}

/* msg_set_hook - capture lines (tests) */
void msg_set_hook(msg_hook_fn *fn, void *ctx)
{
    msg_state.hook = fn;
    msg_state.hook_ctx = ctx;
}

/* escaped_len - bytes that src takes once control bytes are written as \xNN */
static size_t escaped_len(const char *src, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ? 4 : 1;
    return n;
}

/* escape_into - copy text after off, writing control bytes as \xNN; a text
 * that does not fit is cut and ends in "..." */
static size_t escape_into(char *dst, size_t size, size_t off, const char *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    bool fits = off + escaped_len(src, len) < size;
    size_t room = fits ? size - 1 : size - 1 - 3;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        bool control = c < 0x20 || c == 0x7f;

        if (off + (control ? 4 : 1) > room)
            break;
        if (control) {
            dst[off++] = '\\';
            dst[off++] = 'x';
            dst[off++] = hex[c >> 4];
            dst[off++] = hex[c & 15];
        } else {
            dst[off++] = (char)c;
        }
    }
    if (i < len) {
        memcpy(dst + off, "...", 3);
        off += 3;
    }
    dst[off] = '\0';
    return off;
}

/* level_syslog - map our level to a syslog priority */
static int level_syslog(enum msg_level level)
{
    switch (level) {
    case MSG_DEBUG:
        return LOG_DEBUG;
    case MSG_INFO:
        return LOG_INFO;
    case MSG_WARN:
        return LOG_WARNING;
    case MSG_ERROR:
        return LOG_ERR;
    case MSG_FATAL:
        return LOG_CRIT;
    case MSG_PANIC:
        return LOG_CRIT;
    }
    return LOG_INFO;
}

/* write_all - one write, retried on EINTR; log output failures are ignored */
static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* sink_write - send one formatted line ("program[pid]: ...") to the sink */
static void sink_write(enum msg_level level, const char *line)
{
    char out[MSG_LINE_MAX + 400];
    struct timespec ts;
    struct tm tm;
    size_t n;

    if (msg_state.copy_to_stderr && msg_state.sink != SINK_STDERR) {
        n = (size_t)snprintf(out, sizeof(out), "%s\n", line);
        write_all(2, out, n < sizeof(out) ? n : sizeof(out) - 1);
    }
    switch (msg_state.sink) {
    case SINK_STDERR:
        n = (size_t)snprintf(out, sizeof(out), "%s\n", line);
        write_all(2, out, n < sizeof(out) ? n : sizeof(out) - 1);
        break;
    case SINK_FILE:
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(out + n, sizeof(out) - n, ".%06ldZ %s %s/%s\n", ts.tv_nsec / 1000,
                              msg_state.hostname, msg_state.syslog_name, line);
        write_all(msg_state.fd, out, n < sizeof(out) ? n : sizeof(out) - 1);
        break;
    case SINK_SYSLOG: {
        /* The ident carries "name/program[pid]" so that forwarded lines keep
         * the pid of the process that wrote them. */
        static char ident[160];
        const char *colon = strstr(line, ": ");
        size_t idlen = colon ? (size_t)(colon - line) : 0;

        snprintf(ident, sizeof(ident), "%s/%.*s", msg_state.syslog_name, (int)idlen, line);
        openlog(ident, LOG_NDELAY, msg_state.facility);
        syslog(level_syslog(level), "%s", colon ? colon + 2 : line);
        break;
    }
    }
}

/* msg_vlog - format, escape and emit one line */
void msg_vlog(enum msg_level level, const char *fmt, va_list ap)
{
    char text[MSG_LINE_MAX];
    char line[MSG_LINE_MAX + 128];
    int saved_errno = errno;
    size_t off;
    int n;

    if (level == MSG_DEBUG && !msg_state.verbose)
        return;
    if (msg_state.depth > 0) /* a sink failure that logs must not recurse */
        return;
    msg_state.depth++;
    n = vsnprintf(text, sizeof(text), fmt, ap);
    if (n < 0)
        snprintf(text, sizeof(text), "(unformattable message)");
    if (msg_state.hook != NULL) {
        msg_state.hook(level, text, msg_state.hook_ctx);
    } else {
        off = (size_t)snprintf(line, sizeof(line), "%s[%ld]: ", msg_state.program, (long)getpid());
        if (level != MSG_INFO)
            off += (size_t)snprintf(line + off, sizeof(line) - off, "%s: ", level_names[level]);
        escape_into(line, MSG_LINE_MAX, off, text, strlen(text));
        sink_write(level, line);
    }
    msg_state.depth--;
    errno = saved_errno;
}

/* msg_level_from_line - find the level word after "program[pid]: " */
enum msg_level msg_level_from_line(const char *line, size_t len)
{
    const char *p = memchr(line, ':', len);
    size_t rest;
    int i;

    if (p == NULL || (size_t)(p - line) + 2 > len)
        return MSG_INFO;
    p += 2;
    rest = len - (size_t)(p - line);
    for (i = MSG_DEBUG; i <= MSG_PANIC; i++) {
        size_t l = strlen(level_names[i]);

        if (l > 0 && rest > l && memcmp(p, level_names[i], l) == 0 && p[l] == ':')
            return (enum msg_level)i;
    }
    return MSG_INFO;
}

/* msg_forward - emit a line formatted by another process */
void msg_forward(const char *line, size_t len)
{
    char buf[MSG_LINE_MAX];
    enum msg_level level = msg_level_from_line(line, len);

    if (msg_state.hook != NULL) {
        escape_into(buf, sizeof(buf), 0, line, len);
        msg_state.hook(level, buf, msg_state.hook_ctx);
        return;
    }
    escape_into(buf, sizeof(buf), 0, line, len);
    sink_write(level, buf);
}

#define MSG_WRAPPER(fn, level) \
    void fn(const char *fmt, ...) \
    { \
        va_list ap; \
        va_start(ap, fmt); \
        msg_vlog(level, fmt, ap); \
        va_end(ap); \
    }

MSG_WRAPPER(msg_debug, MSG_DEBUG)
MSG_WRAPPER(msg_info, MSG_INFO)
MSG_WRAPPER(msg_warn, MSG_WARN)
MSG_WRAPPER(msg_error, MSG_ERROR)

/* msg_fatal - log and exit */
void msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vlog(MSG_FATAL, fmt, ap);
    va_end(ap);
    fflush(NULL);
    _exit(1);
}

/* msg_panic - log and abort */
void msg_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vlog(MSG_PANIC, fmt, ap);
    va_end(ap);
    abort();
}
