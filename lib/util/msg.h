/* SPDX-License-Identifier: MIT
 * msg - logging: one line per event, to stderr, a file or syslog.
 *
 * Line format as written by a program: "program[pid]: LEVEL: text", where
 * LEVEL is omitted for info and is "debug", "warning", "error", "fatal" or
 * "panic" otherwise. Callers write events as "QUEUEID: event key=value, ...".
 * The file sink adds "TIMESTAMP HOST SYSLOG_NAME/" in front; the syslog sink
 * sends to the mail facility with the ident "SYSLOG_NAME/program[pid]".
 *
 * Every byte below 0x20 and DEL in the text is written as \xNN, so nothing a
 * client sends can forge or split a log line. Lines are cut at MSG_LINE_MAX
 * bytes, which keeps each write below PIPE_BUF: a child's lines through the
 * master's log pipe never interleave.
 *
 * Daemons under the master log to stderr (a pipe the master forwards);
 * the master and the CLI choose the file or syslog sink from configuration.
 *
 * See also: err.h (error strings for recoverable errors).
 */
#ifndef PETREL_UTIL_MSG_H
#define PETREL_UTIL_MSG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define MSG_LINE_MAX 4000

enum msg_level {
    MSG_DEBUG,
    MSG_INFO,
    MSG_WARN,
    MSG_ERROR,
    MSG_FATAL,
    MSG_PANIC,
};

/* msg_init - set the program name that starts every line */
void msg_init(const char *program);
/* msg_program - the current program name */
const char *msg_program(void);
/* msg_set_verbose - enable or disable debug lines */
void msg_set_verbose(bool on);
bool msg_verbose(void);

/* msg_use_stderr - write lines to fd 2 (the default) */
void msg_use_stderr(void);
/* msg_use_file - append lines with a timestamp to path; 0, or -1 and errno */
int msg_use_file(const char *path, const char *syslog_name);
/* msg_use_syslog - send lines to syslog; facility as a name such as "mail" */
int msg_use_syslog(const char *syslog_name, const char *facility);
/* msg_copy_to_stderr - also write each line to fd 2 while the sink is a file
 * or syslog (the master does this until it is ready, so "petrel start"
 * shows why a start failed) */
void msg_copy_to_stderr(bool on);
/* msg_reopen - reopen a file sink (after rotation); no-op otherwise */
void msg_reopen(void);

/* msg_forward - write a line that another process formatted
 * ("program[pid]: LEVEL: text") to the current sink, escaping as usual */
void msg_forward(const char *line, size_t len);

/* msg_hook - a test hook that receives every line instead of the sink */
typedef void msg_hook_fn(enum msg_level level, const char *text, void *ctx);
void msg_set_hook(msg_hook_fn *fn, void *ctx);

void msg_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg_fatal - the environment cannot work: log and exit(1) */
void msg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* msg_panic - a bug: log and abort() */
void msg_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void msg_vlog(enum msg_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* msg_level_from_line - the level named after "program[pid]: " in a line */
enum msg_level msg_level_from_line(const char *line, size_t len);

/* ASSERT - a bug if cond is false: panic with file and line */
#define ASSERT(cond) \
    do { \
        if (!(cond)) \
            msg_panic("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond); \
    } while (0)

#endif
