/* SPDX-License-Identifier: MIT
 * cli_queue - petrel queue list|show|delete|hold|release|flush: the
 * administrator's view of the mail queue, like Postfix's mailq, postcat -q,
 * postsuper -d/-h/-H and postqueue -f.
 *
 * qmgr alone owns the queue and keeps its state in memory, so every change
 * (and the list, which needs the deferral reasons qmgr remembers) is a
 * request on qmgr's socket ($queue_directory/private/qmgr, protocol
 * qmgr-submit, the admin requests of qmgr/qmgr_admin.h). Only show reads a
 * queue file itself: read-only, with the strict reader and pread.
 *
 * Trusts: the administrator's command line (queue ids are still checked
 * with queue_id_valid before they name a file); qmgr's replies are checked
 * for type. Limits: ipc_max_frame_size per reply.
 *
 * See also: qmgr/qmgr_admin.h, docs/queue.md, cli.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mail/config.h"
#include "mail/mail_proto.h"
#include "mail/params.h"
#include "mail/queue_file.h"
#include "mail/queue_id.h"
#include "util/alloc.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define QUEUE_TIMEOUT_MS 30000

static const char queue_help[] =
    "Usage: petrel [-c DIR] queue COMMAND [ARGS...]\n\n"
    "Show and manage the mail queue (qmgr must be running, except for show).\n\n"
    "Commands:\n"
    "  list            every queued message, like mailq: id, size, arrival, sender,\n"
    "                  then its pending recipients and the last deferral reason\n"
    "                  (\"!\" after the id: on hold)\n"
    "  show ID         the queue file's envelope and content, like postcat -q\n"
    "  delete ID...    remove messages from the queue, like postsuper -d\n"
    "  hold ID...      put messages on hold (no delivery), like postsuper -h\n"
    "  release ID...   release held messages for delivery now, like postsuper -H\n"
    "  flush           retry every deferred message now, like postqueue -f\n\n"
    "Exit status: 0 ok, 64 usage, 65 unknown or malformed queue id, 69 qmgr is\n"
    "not running, 78 bad configuration.\n";

struct queue_ctx {
    const struct params *p;
    int fd;
};

/* queue_connect - the qmgr socket, hello checked */
static int queue_connect(struct queue_ctx *c)
{
    char *path = xasprintf("%s/%s", c->p->queue_directory, MAIL_QMGR_SOCKET);
    const char *error;
    int rc = EX_OK;

    if (ipc_connect(path, SUBMIT_PROTOCOL, SUBMIT_VERSION, QUEUE_TIMEOUT_MS, &c->fd, &error) < 0) {
        cli_error("queue", "qmgr is not running or does not answer on %s: %s", path, error);
        rc = EX_UNAVAILABLE;
    }
    xfree(path);
    return rc;
}

/* str_attr - a string attribute, "" when missing */
static const char *str_attr(const struct ipc_msg *m, const char *name)
{
    const char *s;

    return ipc_msg_get_str(m, name, &s, NULL) < 0 ? "" : s;
}

/* int_attr - an integer attribute, 0 when missing */
static long long int_attr(const struct ipc_msg *m, const char *name)
{
    int64_t v;

    return ipc_msg_get_int(m, name, &v, NULL) < 0 ? 0 : (long long)v;
}

/* print_entry - one message, the mailq way */
static void print_entry(const struct ipc_msg *m)
{
    time_t when = (time_t)int_attr(m, "arrival");
    const char *sender = str_attr(m, MA_SENDER), *reason = str_attr(m, MA_REASON);
    const struct ipc_attr *a;
    char date[64];
    struct tm tm;
    size_t i;

    if (localtime_r(&when, &tm) == NULL || strftime(date, sizeof(date), "%a %b %e %H:%M:%S", &tm) == 0)
        snprintf(date, sizeof(date), "%lld", (long long)when);
    printf("%-12s%c %8lld %s  %s\n", str_attr(m, MA_QUEUE_ID),
           strcmp(str_attr(m, "queue"), "hold") == 0 ? '!' : ' ', int_attr(m, MA_SIZE), date,
           sender[0] != '\0' ? sender : "MAILER-DAEMON");
    if (reason[0] != '\0')
        printf("%45s(%s)\n", "", reason);
    for (i = 0; i < ipc_msg_count(m); i++) {
        a = ipc_msg_attr(m, i);
        if (a->type == IPC_STR && strcmp(a->name, MA_RCPT) == 0)
            printf("%45s%s\n", "", a->s);
    }
    printf("\n");
}

/* queue_list - request=queue_list, print until end=1 */
static int queue_list(struct queue_ctx *c)
{
    struct ipc_msg *req = ipc_msg_create(), *r = NULL;
    size_t max = (size_t)c->p->ipc_max_frame_size;
    unsigned long long bytes = 0, count = 0;
    const char *error;
    int rc = EX_OK;

    ipc_msg_add_str(req, MA_REQUEST, "queue_list");
    if (ipc_send(c->fd, req, max, QUEUE_TIMEOUT_MS, &error) < 0)
        rc = EX_UNAVAILABLE;
    while (rc == EX_OK) {
        if (ipc_recv(c->fd, max, QUEUE_TIMEOUT_MS, &r, &error) < 0) {
            rc = EX_UNAVAILABLE;
        } else if (ipc_msg_has(r, "end")) {
            ipc_msg_destroy(&r);
            break;
        } else if (ipc_msg_has(r, MA_STATUS)) {
            error = str_attr(r, MA_REASON);
            rc = EX_NOPERM;
        } else {
            if (count++ == 0)
                printf("%-13s %8s %-19s  %s\n", "-Queue ID-", "--Size--", "----Arrival Time---",
                       "-Sender/Recipient-------");
            bytes += (unsigned long long)int_attr(r, MA_SIZE);
            print_entry(r);
        }
        ipc_msg_destroy(&r);
    }
    ipc_msg_destroy(&req);
    if (rc != EX_OK)
        cli_error("queue", "talking to qmgr: %s", error);
    else if (count == 0)
        printf("Mail queue is empty\n");
    else
        printf("-- %llu Kbytes in %llu Request%s.\n", (bytes + 1023) / 1024, count, count == 1 ? "" : "s");
    return rc;
}

/* queue_request - one request with an optional queue id; its status */
static int queue_request(struct queue_ctx *c, const char *name, const char *id)
{
    struct ipc_msg *req = ipc_msg_create(), *r = NULL;
    const char *error;
    int64_t status;
    int rc = EX_OK;

    ipc_msg_add_str(req, MA_REQUEST, name);
    if (id != NULL)
        ipc_msg_add_str(req, MA_QUEUE_ID, id);
    if (ipc_call(c->fd, req, (size_t)c->p->ipc_max_frame_size, QUEUE_TIMEOUT_MS, &r, &error) < 0) {
        cli_error("queue", "talking to qmgr: %s", error);
        rc = EX_UNAVAILABLE;
    } else if (ipc_msg_get_int(r, MA_STATUS, &status, &error) < 0) {
        cli_error("queue", "bad reply from qmgr: %s", error);
        rc = EX_PROTOCOL;
    } else if (status != 0) {
        cli_error("queue", "%s", str_attr(r, MA_REASON));
        rc = strcmp(str_attr(r, MA_REASON), "Permission denied") == 0 ? EX_NOPERM : EX_DATAERR;
    }
    ipc_msg_destroy(&r);
    ipc_msg_destroy(&req);
    return rc;
}

/* queue_each - name for every id, one connection each (qmgr answers one
 * admin request per connection); the first failure is the exit status */
static int queue_each(struct queue_ctx *c, const char *name, const char *verb, int argc, char **argv)
{
    int i, rc = EX_OK, one;

    for (i = 0; i < argc; i++) {
        if (!queue_id_valid(argv[i])) {
            cli_error("queue", "%s: malformed queue id", argv[i]);
            one = EX_DATAERR;
        } else if ((one = queue_connect(c)) == EX_OK) {
            one = queue_request(c, name, argv[i]);
            close(c->fd);
            if (one == EX_OK)
                printf("%s: %s\n", argv[i], verb);
        }
        if (rc == EX_OK)
            rc = one;
        if (one == EX_UNAVAILABLE)
            break;
    }
    return rc;
}

/* print_content - the M record, CRLF shown as LF */
static int print_content(int fd, const struct qf_message *qf)
{
    char chunk[8192];
    uint64_t off = qf->content_offset, end = qf->content_offset + qf->content_length;
    ssize_t n;
    size_t want, i;

    while (off < end) {
        want = end - off < sizeof(chunk) ? (size_t)(end - off) : sizeof(chunk);
        if ((n = pread(fd, chunk, want, (off_t)off)) <= 0)
            return -1;
        for (i = 0; i < (size_t)n; i++)
            if (chunk[i] != '\r' || (i + 1 < (size_t)n && chunk[i + 1] != '\n'))
                putchar(chunk[i]);
        off += (uint64_t)n;
    }
    return 0;
}

/* print_envelope - the records before the content, postcat style */
static void print_envelope(const char *where, const struct qf_message *qf)
{
    time_t when = (time_t)qf->arrival_sec;
    char date[64];
    struct tm tm;
    size_t i;

    printf("*** ENVELOPE RECORDS %s ***\n", where);
    if (localtime_r(&when, &tm) == NULL || strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
        date[0] = '\0';
    printf("message_size: %llu\n", (unsigned long long)qf->content_length);
    printf("message_arrival_time: %s (%lld.%06d)\n", date, (long long)qf->arrival_sec, (int)qf->arrival_usec);
    for (i = 0; i < qf->nclient; i++)
        printf("named_attribute: %s=%s\n", qf->client[i].name, qf->client[i].value);
    printf("sender: %s\n", qf->sender != NULL ? qf->sender : "");
    if (qf->envid != NULL)
        printf("envid: %s\n", qf->envid);
    if (qf->ret != NULL)
        printf("ret: %s\n", qf->ret);
    if (qf->smtputf8)
        printf("smtputf8: yes\n");
    for (i = 0; i < qf->nrcpts; i++) {
        const struct qf_rcpt *r = &qf->rcpts[i];

        if (r->orig != NULL)
            printf("original_recipient: %s\n", r->orig);
        printf("%s: %s\n", r->done ? "done_recipient" : "recipient", r->address);
    }
}

/* queue_show - find ID below queue/, print its envelope and content */
static int queue_show(const struct params *p, const char *id)
{
    static const char *const dirs[] = { "incoming", "deferred", "hold" };
    struct qf_message *qf = NULL;
    const char *error;
    char *path = NULL;
    size_t i;
    int fd = -1, rc = EX_OK;

    if (!queue_id_valid(id)) {
        cli_error("queue", "%s: malformed queue id", id);
        return EX_DATAERR;
    }
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd < 0; i++) {
        xfree(path);
        path = xasprintf("%s/queue/%s/%s", p->queue_directory, dirs[i], id);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0) {
        cli_error("queue", "%s: no such message in the queue", id);
        xfree(path);
        return EX_DATAERR;
    }
    if (qf_read(fd, &qf, &error) < 0) {
        cli_error("queue", "%s: %s", path, error);
        rc = EX_DATAERR;
    } else {
        print_envelope(path, qf);
        printf("*** MESSAGE CONTENTS %s ***\n", path);
        if (print_content(fd, qf) < 0) {
            cli_error("queue", "%s: read error: %s", path, strerror(errno));
            rc = EX_IOERR;
        }
        printf("*** END OF MESSAGE ***\n");
    }
    qf_message_free(&qf);
    close(fd);
    xfree(path);
    return rc;
}

/* queue_dispatch - the command, once the configuration is loaded */
static int queue_dispatch(struct queue_ctx *c, const char *cmd, int argc, char **argv)
{
    int rc;

    if (strcmp(cmd, "show") == 0)
        return argc == 1 ? queue_show(c->p, argv[0]) : (fputs(queue_help, stderr), EX_USAGE);
    if (strcmp(cmd, "delete") == 0 && argc > 0)
        return queue_each(c, "queue_delete", "removed", argc, argv);
    if (strcmp(cmd, "hold") == 0 && argc > 0)
        return queue_each(c, "queue_hold", "placed on hold", argc, argv);
    if (strcmp(cmd, "release") == 0 && argc > 0)
        return queue_each(c, "queue_release", "released from hold", argc, argv);
    if ((strcmp(cmd, "list") != 0 && strcmp(cmd, "flush") != 0) || argc != 0) {
        fputs(queue_help, stderr);
        return EX_USAGE;
    }
    if ((rc = queue_connect(c)) != EX_OK)
        return rc;
    if (strcmp(cmd, "list") == 0)
        rc = queue_list(c);
    else if ((rc = queue_request(c, "queue_flush", NULL)) == EX_OK)
        printf("every deferred message is scheduled for delivery now\n");
    close(c->fd);
    return rc;
}

/* cli_queue - petrel queue */
int cli_queue(const char *dir, int argc, char **argv)
{
    struct queue_ctx c = { NULL, -1 };
    struct config *cfg;
    const char *error;
    int rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(queue_help, stdout);
        return EX_OK;
    }
    if (argc < 2) {
        fputs(queue_help, stderr);
        return EX_USAGE;
    }
    if (config_load(dir, NULL, &cfg, &error) < 0) {
        cli_error("queue", "%s", error);
        return EX_CONFIG;
    }
    c.p = config_params(cfg);
    rc = queue_dispatch(&c, argv[1], argc - 2, argv + 2);
    config_destroy(&cfg);
    return rc;
}
