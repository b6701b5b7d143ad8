/* SPDX-License-Identifier: MIT
 * cli_ctl - "petrel start", "stop" and "reload": the master's lifecycle as
 * seen from the command line.
 *
 * start runs the master detached (new session, stdin/stdout on /dev/null)
 * with -w and reads its stderr until the master reports every service
 * ready, fails (its log lines are shown), or master_start_timeout passes.
 * stop sends SIGTERM to the process holding the pid file lock and waits for
 * the lock to go. reload checks both configuration files first, then sends
 * SIGHUP. The master is always addressed by pid, never by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mail/config.h"
#include "mail/master_proto.h"
#include "mail/params.h"
#include "mail/paths.h"
#include "mail/pidfile.h"
#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/event.h"

#define MASTER_READY_LINE "petrel-master-ready"

/* wants_help - is the only argument --help? print text then */
static int wants_help(int argc, char **argv, const char *text)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(text, stdout);
        return 1;
    }
    return 0;
}

/* load_checked - both configuration files, reporting errors for cmd */
static int load_checked(const char *cmd, const char *dir, struct config **cfg_r)
{
    struct service_table *t;
    const char *error;

    if (config_load(dir, NULL, cfg_r, &error) < 0) {
        cli_error(cmd, "%s", error);
        return -1;
    }
    if (service_table_load(dir, &t, &error) < 0) {
        cli_error(cmd, "%s", error);
        config_destroy(cfg_r);
        return -1;
    }
    service_table_destroy(&t);
    return 0;
}

/* master_pid_in - the running master whose spool is queue_dir, or 0 */
static pid_t master_pid_in(const char *queue_dir)
{
    char *path = xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
    pid_t pid = pidfile_holder(path);

    xfree(path);
    return pid;
}

/* master_pid - the running master of this configuration, or 0 */
static pid_t master_pid(const struct params *p)
{
    return master_pid_in(p->queue_directory);
}

/* process_gone - pid has exited (no such process, or a zombie awaiting
 * its reaper) */
static bool process_gone(pid_t pid)
{
    char path[64], stat[512];
    FILE *fp;
    char *paren;
    bool gone = true;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if ((fp = fopen(path, "r")) == NULL)
        return true;
    if (fgets(stat, sizeof(stat), fp) != NULL && (paren = strrchr(stat, ')')) != NULL)
        gone = paren[1] == ' ' && paren[2] == 'Z';
    fclose(fp);
    return gone;
}

/* exec_master - in the forked child: detach and become the master */
static void exec_master(const struct params *p, const char *dir, int report_fd)
{
    char *program = xasprintf("%s/master", paths_daemon_dir(p));
    char *const argv[] = { (char *)"master", (char *)"-c", (char *)dir, (char *)"-w", NULL };
    int devnull = open("/dev/null", O_RDWR);

    if (devnull < 0 || setsid() < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0
        || dup2(report_fd, 2) < 0) {
        dprintf(report_fd, "cannot prepare the master: %s\n", strerror(errno));
        _exit(EX_OSERR);
    }
    execv(program, argv);
    dprintf(2, "cannot execute %s: %s\n", program, strerror(errno));
    _exit(EX_OSERR);
}

/* read_report - collect the master's startup output until ready, EOF or
 * the deadline; 1 ready, 0 failed, -1 timed out */
static int read_report(int fd, uint64_t timeout_ms, struct buf *out)
{
    uint64_t deadline = monotonic_ms() + timeout_ms;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char chunk[4096];
    ssize_t n;

    for (;;) {
        uint64_t now = monotonic_ms();

        if (strstr(buf_str(out), MASTER_READY_LINE "\n") != NULL)
            return 1;
        if (now >= deadline)
            return -1;
        if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
            return 0;
        n = read(fd, chunk, sizeof(chunk));
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return 0;
        if (n > 0 && buf_append(out, chunk, (size_t)n) < 0)
            buf_consume(out, out->len / 2); /* keep the newest lines */
    }
}

/* start_master - fork the master and wait for its report */
static int start_master(const struct params *p, const char *dir)
{
    struct buf *out = buf_create(4096, 256 * 1024);
    int fds[2], rc, status;
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
        cli_error("start", "cannot start the master: %s", strerror(errno));
        buf_destroy(&out);
        return EX_OSERR;
    }
    if (pid == 0)
        exec_master(p, dir, fds[1]);
    close(fds[1]);
    rc = read_report(fds[0], (uint64_t)p->master_start_timeout, out);
    close(fds[0]);
    if (rc == 1) {
        printf("petrel start: started (master pid %ld, configuration %s)\n", (long)pid, dir);
        buf_destroy(&out);
        return EX_OK;
    }
    fputs(buf_str(out), stderr);
    if (rc < 0) {
        cli_error("start", "not ready after %lldms: stopping the master (pid %ld)",
                  (long long)p->master_start_timeout, (long)pid);
        kill(pid, SIGTERM);
    }
    waitpid(pid, &status, 0);
    cli_error("start", "failed to start");
    buf_destroy(&out);
    return EX_UNAVAILABLE;
}

static const char start_help[] =
    "Usage: petrel [-c DIR] start\n\n"
    "Start the master and every service of master.conf. Both configuration files\n"
    "are checked first; any error is shown with its file and line. Returns once\n"
    "every listener is up and every service has a process ready, or fails with\n"
    "the reason (within master_start_timeout).\n";

/* cli_start - petrel start */
int cli_start(const char *dir, int argc, char **argv)
{
    struct config *cfg;
    pid_t pid;
    int rc;

    if (wants_help(argc, argv, start_help))
        return EX_OK;
    if (argc > 1) {
        fputs(start_help, stderr);
        return EX_USAGE;
    }
    if (load_checked("start", dir, &cfg) < 0)
        return EX_CONFIG;
    if ((pid = master_pid(config_params(cfg))) > 0) {
        cli_error("start", "already running (master pid %ld)", (long)pid);
        config_destroy(&cfg);
        return EX_UNAVAILABLE;
    }
    fflush(stdout);
    rc = start_master(config_params(cfg), dir);
    config_destroy(&cfg);
    return rc;
}

static const char stop_help[] =
    "Usage: petrel [-c DIR] stop\n\n"
    "Stop the master: daemons get SIGTERM, then SIGKILL after master_stop_timeout.\n"
    "Returns once the master has exited.\n";

/* stop_target - where the master's pid file is and how long to wait for
 * it; a broken petrel.conf must not keep an operator from stopping the
 * instance, so then queue_directory is read on its own */
static int stop_target(const char *dir, char **queue_dir_r, uint64_t *wait_ms_r)
{
    struct config *cfg;
    const char *error;

    if (config_load(dir, NULL, &cfg, &error) == 0) {
        *queue_dir_r = xstrdup(config_params(cfg)->queue_directory);
        *wait_ms_r = (uint64_t)config_params(cfg)->master_stop_timeout + 5000;
        config_destroy(&cfg);
        return 0;
    }
    if ((*queue_dir_r = config_peek(dir, "queue_directory")) == NULL) {
        cli_error("stop", "%s", error);
        return -1;
    }
    cli_error("stop", "warning: %s", error);
    cli_error("stop", "warning: stopping the running master anyway (queue_directory %s)", *queue_dir_r);
    *wait_ms_r = (uint64_t)param_lookup("master_stop_timeout")->max + 5000;
    return 0;
}

/* cli_stop - petrel stop */
int cli_stop(const char *dir, int argc, char **argv)
{
    char *queue_dir;
    uint64_t deadline, wait_ms;
    pid_t pid;
    int rc = EX_OK;

    if (wants_help(argc, argv, stop_help))
        return EX_OK;
    if (stop_target(dir, &queue_dir, &wait_ms) < 0)
        return EX_CONFIG;
    if ((pid = master_pid_in(queue_dir)) == 0) {
        cli_error("stop", "not running");
        xfree(queue_dir);
        return EX_UNAVAILABLE;
    }
    if (kill(pid, SIGTERM) < 0) {
        cli_error("stop", "cannot signal the master (pid %ld): %s", (long)pid, strerror(errno));
        xfree(queue_dir);
        return EX_NOPERM;
    }
    /* The master lets go of its pid file lock just before it exits: wait
     * for the process itself, so that "stopped" means no process is left. */
    deadline = monotonic_ms() + wait_ms;
    while ((master_pid_in(queue_dir) == pid || !process_gone(pid)) && monotonic_ms() < deadline) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };

        nanosleep(&ts, NULL);
    }
    if (!process_gone(pid)) {
        cli_error("stop", "the master (pid %ld) is still running", (long)pid);
        rc = EX_SOFTWARE;
    } else {
        printf("petrel stop: stopped (master pid %ld)\n", (long)pid);
    }
    xfree(queue_dir);
    return rc;
}

static const char reload_help[] =
    "Usage: petrel [-c DIR] reload\n\n"
    "Check petrel.conf and master.conf, then tell the master to re-read them:\n"
    "listeners are added, removed or changed, and running daemons finish their\n"
    "connections and are replaced by processes with the new configuration.\n"
    "A configuration with errors is refused and the running one is kept.\n";

/* cli_reload - petrel reload */
int cli_reload(const char *dir, int argc, char **argv)
{
    struct config *cfg;
    pid_t pid;

    if (wants_help(argc, argv, reload_help))
        return EX_OK;
    if (load_checked("reload", dir, &cfg) < 0) {
        cli_error("reload", "configuration not reloaded");
        return EX_CONFIG;
    }
    pid = master_pid(config_params(cfg));
    config_destroy(&cfg);
    if (pid == 0) {
        cli_error("reload", "not running");
        return EX_UNAVAILABLE;
    }
    if (kill(pid, SIGHUP) < 0) {
        cli_error("reload", "cannot signal the master (pid %ld): %s", (long)pid, strerror(errno));
        return EX_NOPERM;
    }
    printf("petrel reload: reloading (master pid %ld)\n", (long)pid);
    return EX_OK;
}
