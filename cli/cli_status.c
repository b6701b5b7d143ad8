/* SPDX-License-Identifier: MIT
 * cli_status - "petrel status": each service of the running instance, its
 * processes, state and restarts, asked from the master's control socket.
 *
 * Exit status follows the LSB convention for status commands: 0 running,
 * 3 not running; EX_CONFIG for a broken configuration, EX_UNAVAILABLE when
 * the master does not answer.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "mail/config.h"
#include "mail/master_proto.h"
#include "mail/params.h"
#include "mail/pidfile.h"
#include "util/alloc.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"

#define STATUS_NOT_RUNNING 3
#define STATUS_TIMEOUT_MS 10000

static const char status_help[] =
    "Usage: petrel [-c DIR] status\n\n"
    "Show whether the instance runs, and for each service of master.conf: type,\n"
    "listen address, state (running, busy, throttled after failures, idle,\n"
    "stopping), processes (running/limit), their pids, how many times a failed\n"
    "process was restarted, and the last failure.\n"
    "Exit status: 0 running, 3 not running.\n";

/* str_or_dash - a value, or "-" when empty or missing */
static const char *str_or_dash(const struct ipc_msg *m, const char *name)
{
    const char *s;

    if (ipc_msg_get_str(m, name, &s, NULL) < 0 || s[0] == '\0')
        return "-";
    return s;
}

/* int_or_zero - an integer attribute, 0 when missing */
static long long int_or_zero(const struct ipc_msg *m, const char *name)
{
    int64_t v;

    return ipc_msg_get_int(m, name, &v, NULL) < 0 ? 0 : (long long)v;
}

/* print_service - one line of the table */
static void print_service(const struct ipc_msg *m)
{
    char procs[32];

    snprintf(procs, sizeof(procs), "%lld/%lld", int_or_zero(m, "procs"), int_or_zero(m, "maxproc"));
    printf("%-16s %-24s %-10s %-7s %-16s %-8lld %s\n", str_or_dash(m, "service"), str_or_dash(m, "listen"),
           str_or_dash(m, "state"), procs, str_or_dash(m, "pids"), int_or_zero(m, "restarts"),
           str_or_dash(m, "last_exit"));
}

/* query_master - ask the control socket and print the table */
static int query_master(const struct params *p, const char *dir, pid_t pid)
{
    char *path = xasprintf("%s/%s", p->queue_directory, MASTER_CONTROL_SOCKET);
    struct ipc_msg *req = ipc_msg_create(), *reply = NULL;
    const char *error;
    int fd, rc = EX_OK;
    bool header = false;

    if (ipc_connect(path, MASTER_CONTROL_PROTOCOL, MASTER_CONTROL_VERSION, STATUS_TIMEOUT_MS, &fd, &error)
        < 0) {
        cli_error("status", "master pid %ld does not answer on %s: %s", (long)pid, path, error);
        ipc_msg_destroy(&req);
        xfree(path);
        return EX_UNAVAILABLE;
    }
    ipc_msg_add_str(req, "request", "status");
    if (ipc_send(fd, req, (size_t)p->ipc_max_frame_size, STATUS_TIMEOUT_MS, &error) < 0)
        rc = EX_UNAVAILABLE;
    while (rc == EX_OK) {
        if (ipc_recv(fd, (size_t)p->ipc_max_frame_size, STATUS_TIMEOUT_MS, &reply, &error) < 0) {
            rc = EX_UNAVAILABLE;
            break;
        }
        if (ipc_msg_has(reply, "end")) {
            printf("%s", header ? "" : "(no services)\n");
            printf("master pid %lld, up %llds, configuration %s\n", int_or_zero(reply, "master_pid"),
                   int_or_zero(reply, "uptime_ms") / 1000, dir);
            ipc_msg_destroy(&reply);
            break;
        }
        if (ipc_msg_has(reply, "error")) {
            error = str_or_dash(reply, "error");
            rc = EX_SOFTWARE;
        } else {
            if (!header)
                printf("%-16s %-24s %-10s %-7s %-16s %-8s %s\n", "SERVICE", "LISTEN", "STATE", "PROCS",
                       "PIDS", "RESTARTS", "LAST FAILURE");
            header = true;
            print_service(reply);
        }
        ipc_msg_destroy(&reply);
    }
    if (rc != EX_OK)
        cli_error("status", "talking to the master: %s", error);
    close(fd);
    ipc_msg_destroy(&req);
    xfree(path);
    return rc;
}

/* cli_status - petrel status */
int cli_status(const char *dir, int argc, char **argv)
{
    struct config *cfg;
    const char *error;
    char *pidfile;
    pid_t pid;
    int rc;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(status_help, stdout);
        return EX_OK;
    }
    if (argc > 1) {
        fputs(status_help, stderr);
        return EX_USAGE;
    }
    if (config_load(dir, NULL, &cfg, &error) < 0) {
        /* Still say whether the instance runs: an operator who saved a
         * typo needs to know, and to stop it. */
        char *queue_dir = config_peek(dir, "queue_directory");

        cli_error("status", "%s", error);
        if (queue_dir != NULL) {
            pidfile = xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
            pid = pidfile_holder(pidfile);
            if (pid > 0)
                printf("petrel: running (master pid %ld), but the configuration has errors\n", (long)pid);
            else
                printf("petrel: not running (configuration %s has errors)\n", dir);
            xfree(pidfile);
            xfree(queue_dir);
        }
        return EX_CONFIG;
    }
    pidfile = xasprintf("%s/%s", config_params(cfg)->queue_directory, MASTER_PID_FILE);
    pid = pidfile_holder(pidfile);
    xfree(pidfile);
    if (pid == 0) {
        printf("petrel: not running (configuration %s)\n", dir);
        config_destroy(&cfg);
        return STATUS_NOT_RUNNING;
    }
    printf("petrel: running\n");
    rc = query_master(config_params(cfg), dir, pid);
    config_destroy(&cfg);
    return rc;
}
