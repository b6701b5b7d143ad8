/* SPDX-License-Identifier: MIT
 * master_pipes - the two pipes every child writes to: the status pipe
 * ("PID WORD" lines, see master_proto.h) and the log pipe (the children's
 * stderr, forwarded line by line to syslog or maillog_file).
 *
 * Trusts: nothing about the content. Children are unprivileged and may be
 * compromised: status lines are parsed strictly (a bad line is logged and
 * dropped), and log lines are forwarded escaped, cut at MSG_LINE_MAX.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/event.h"
#include "util/msg.h"

#define PIPE_READ_SIZE 65536

static struct buf *status_in;
static struct buf *log_in;

/* parse_status_line - "PID WORD" with a positive pid and a lower-case word */
static int parse_status_line(const char *line, pid_t *pid_r, const char **word_r)
{
    char *end;
    long pid = strtol(line, &end, 10);
    const char *w;

    if (end == line || pid <= 0 || *end != ' ')
        return -1;
    w = end + 1;
    if (*w == '\0' || strspn(w, "abcdefghijklmnopqrstuvwxyz") != strlen(w))
        return -1;
    *pid_r = (pid_t)pid;
    *word_r = w;
    return 0;
}

/* drain - read what a pipe has into in; -1 on EOF or error */
static int drain(int fd, struct buf *in)
{
    for (;;) {
        size_t room = buf_space(in) < 4096 ? buf_space(in) : 4096;
        char *dst = buf_reserve(in, room);
        ssize_t n;

        if (room == 0 || dst == NULL)
            return 0; /* full: the caller consumes lines first */
        n = read(fd, dst, room);
        if (n > 0) {
            buf_commit(in, (size_t)n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        return -1;
    }
}

/* on_status - status lines from children */
static void on_status(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct master *m = ctx;
    char *nl;
    pid_t pid;
    const char *word;

    (void)io;
    (void)events;
    drain(fd, status_in);
    while ((nl = memchr(status_in->data, '\n', status_in->len)) != NULL) {
        *nl = '\0';
        if (parse_status_line(status_in->data, &pid, &word) == 0)
            master_proc_status(m, pid, word);
        else
            msg_warn("malformed status line from a child: \"%s\"", status_in->data);
        buf_consume(status_in, (size_t)(nl - status_in->data) + 1);
    }
    if (status_in->len >= MASTER_STATUS_LINE_MAX) {
        msg_warn("overlong status line from a child: dropped");
        buf_reset(status_in);
    }
}

/* on_log - forward children's log lines */
static void on_log(struct event_io *io, int fd, unsigned events, void *ctx)
{
    char *nl;

    (void)io;
    (void)events;
    (void)ctx;
    do {
        drain(fd, log_in);
        while ((nl = memchr(log_in->data, '\n', log_in->len)) != NULL) {
            msg_forward(log_in->data, (size_t)(nl - log_in->data));
            buf_consume(log_in, (size_t)(nl - log_in->data) + 1);
        }
        /* A line longer than a log line is forwarded in pieces. */
        while (log_in->len >= MSG_LINE_MAX) {
            msg_forward(log_in->data, MSG_LINE_MAX);
            buf_consume(log_in, MSG_LINE_MAX);
        }
    } while (buf_space(log_in) == 0);
}

/* open_pipe - a pipe whose read end is non-blocking; both ends close-on-exec */
static void open_pipe(int fds[2], const char *what)
{
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
        msg_fatal("cannot create the %s pipe: %m", what);
}

/* master_pipes_open - create both pipes and watch their read ends */
void master_pipes_open(struct master *m)
{
    open_pipe(m->status_pipe, "status");
    open_pipe(m->log_pipe, "log");
    /* The log pipe's write end is every child's stderr: make it blocking so
     * a burst of logging slows the child instead of losing lines. */
    if (fcntl(m->log_pipe[1], F_SETFL, 0) < 0)
        msg_fatal("fcntl on the log pipe: %m");
    status_in = buf_create(256, 16 * MASTER_STATUS_LINE_MAX);
    log_in = buf_create(PIPE_READ_SIZE, PIPE_READ_SIZE);
    event_io_add(m->loop, m->status_pipe[0], EVENT_READ, on_status, m);
    event_io_add(m->loop, m->log_pipe[0], EVENT_READ, on_log, NULL);
}
