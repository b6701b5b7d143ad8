/* SPDX-License-Identifier: MIT
 * master - the supervisor: reads the configuration, creates every listener,
 * spawns and supervises the daemons, reloads on SIGHUP, stops on SIGTERM.
 *
 * Usage: master [-c DIR] [-w] [-v]. "petrel start" runs it detached with
 * -w: until every service has a process that reported ready, log lines are
 * copied to stderr (a pipe "petrel start" reads), then the line
 * MASTER_READY_LINE is written and stderr is closed. Without -w (systemd)
 * stderr is left alone.
 *
 * Trusts: the configuration files (validated) and its children only as far
 * as master_pipes.c says.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/config.h"
#include "mail/maildrop.h"
#include "mail/params.h"
#include "mail/pidfile.h"
#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/event.h"
#include "util/msg.h"

#define MASTER_READY_LINE "petrel-master-ready"

static int exit_status;

/* begin_stop - SIGTERM every child; SIGKILL after master_stop_timeout */
static void stop_timeout(void *ctx)
{
    struct master *m = ctx;

    m->stop_timer = NULL;
    msg_warn("daemons still running after %lldms: sending SIGKILL", (long long)m->p->master_stop_timeout);
    master_signal_all(m, SIGKILL);
}

/* begin_stop - start stopping; the loop ends when the last child is reaped */
static void begin_stop(struct master *m)
{
    if (m->stopping)
        return;
    m->stopping = true;
    master_control_close(m);
    if (m->procs == NULL) {
        event_loop_stop(m->loop);
        return;
    }
    master_signal_all(m, SIGTERM);
    m->stop_timer = event_timer_add(m->loop, (uint64_t)m->p->master_stop_timeout, stop_timeout, m);
}

/* master_startup_failed - a service could not start: stop with status 1 */
void master_startup_failed(struct master *m, const char *why)
{
    msg_error("cannot start: %s", why);
    exit_status = 1;
    begin_stop(m);
}

/* master_check_ready - report readiness once every service is up */
void master_check_ready(struct master *m)
{
    static const char line[] = MASTER_READY_LINE "\n";

    if (!m->starting || m->stopping || !master_all_ready(m))
        return;
    m->starting = false;
    msg_info("daemon started -- version %s, configuration %s", PETREL_VERSION, m->config_dir);
    if (m->ready_fd >= 0) {
        msg_copy_to_stderr(false);
        if (write(m->ready_fd, line, sizeof(line) - 1) < 0)
            msg_warn("cannot report readiness: %m");
        if (dup2(m->devnull, m->ready_fd) < 0)
            msg_warn("dup2: %m");
        m->ready_fd = -1;
    }
}

/* reload - SIGHUP: new configuration for new processes */
static void reload(struct master *m)
{
    struct config *cfg;
    struct service_table *t;
    const char *error;
    struct master_proc *proc;

    msg_reopen();
    if (config_load(m->config_dir, NULL, &cfg, &error) < 0) {
        msg_error("reload: %s; keeping the running configuration", error);
        return;
    }
    if (service_table_load(m->config_dir, &t, &error) < 0) {
        msg_error("reload: %s; keeping the running configuration", error);
        config_destroy(&cfg);
        return;
    }
    if (master_services_load(m, cfg, t, &error) < 0) {
        msg_error("reload: %s; keeping the running configuration", error);
        config_destroy(&cfg);
        service_table_destroy(&t);
        return;
    }
    service_table_destroy(&t);
    config_destroy(&m->cfg);
    m->cfg = cfg;
    m->p = config_params(cfg);
    msg_set_verbose(m->p->debug_logging);
    master_child_env_free(&m->child_env);
    m->child_env = master_child_env(m->p, m->config_dir);
    /* Running processes finish their connections and exit; new ones start
     * with the new configuration. */
    for (proc = m->procs; proc != NULL; proc = proc->next)
        if (kill(proc->pid, SIGHUP) < 0 && errno != ESRCH)
            msg_warn("kill pid %ld: %m", (long)proc->pid);
    msg_info("reload -- version %s, configuration %s", PETREL_VERSION, m->config_dir);
    master_services_balance(m);
}

/* on_signal - SIGCHLD, SIGHUP, SIGTERM and SIGINT */
static void on_signal(int signo, void *ctx)
{
    struct master *m = ctx;
    pid_t pid;
    int status;

    switch (signo) {
    case SIGCHLD:
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
            master_proc_exited(m, pid, status);
        if (m->stopping && m->procs == NULL)
            event_loop_stop(m->loop);
        break;
    case SIGHUP:
        if (!m->stopping)
            reload(m);
        break;
    default:
        msg_info("terminating on signal %d", signo);
        begin_stop(m);
        break;
    }
}

/* ensure_dir - create a spool directory if it is missing */
static void ensure_dir(const char *base, const char *sub, mode_t mode, uid_t uid, gid_t gid)
{
    char *path = xasprintf("%s/%s", base, sub);
    struct stat st;

    if (stat(path, &st) < 0) {
        /* chmod: the umask must not narrow the mode (maildrop's 01733) */
        if (errno != ENOENT || mkdir(path, mode) < 0 || chmod(path, mode) < 0)
            msg_fatal("cannot create %s: %m", path);
        if (uid != (uid_t)-1 && chown(path, uid, gid) < 0)
            msg_fatal("chown %s: %m", path);
    } else if (!S_ISDIR(st.st_mode)) {
        msg_fatal("%s is not a directory", path);
    }
    xfree(path);
}

/* prepare_spool - the spool directories: pid/ for the master, private/
 * and public/ for service sockets, queue/ for qmgr (which makes its own
 * subdirectories), maildrop/ for local submission (maildrop.h) */
static void prepare_spool(struct master *m)
{
    const char *error;
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;

    if (m->privileged) {
        if (privdrop_resolve(m->p->mail_owner, &m->mail_owner, &error) < 0)
            msg_fatal(
                "mail_owner: %s (create it: useradd --system --home-dir %s --shell /usr/sbin/nologin %s)",
                error, m->p->queue_directory, m->p->mail_owner);
        if (m->mail_owner.uid == 0)
            msg_fatal("mail_owner %s is root: daemons that parse network input never run as root",
                      m->p->mail_owner);
        uid = m->mail_owner.uid;
        gid = m->mail_owner.gid;
    }
    ensure_dir(m->p->queue_directory, "pid", 0755, (uid_t)-1, (gid_t)-1);
    ensure_dir(m->p->queue_directory, "private", 0700, uid, gid);
    ensure_dir(m->p->queue_directory, "public", 0755, uid, gid);
    ensure_dir(m->p->queue_directory, "queue", 0700, uid, gid);
    ensure_dir(m->p->queue_directory, MAILDROP_DIR, MAILDROP_DIR_MODE, uid, gid);
}

/* open_log - the log sink from the configuration */
static void open_log(const struct params *p)
{
    if (p->maillog_file[0] != '\0') {
        if (msg_use_file(p->maillog_file, p->syslog_name) < 0)
            msg_fatal("cannot open maillog_file %s: %m", p->maillog_file);
    } else if (msg_use_syslog(p->syslog_name, p->syslog_facility) < 0) {
        msg_fatal("cannot use syslog facility %s", p->syslog_facility);
    }
}

/* master_setup - everything before the event loop runs */
static void master_setup(struct master *m)
{
    struct service_table *t;
    const char *error;
    char *pidfile;

    if (config_load(m->config_dir, NULL, &m->cfg, &error) < 0)
        msg_fatal("%s", error);
    m->p = config_params(m->cfg);
    msg_set_verbose(m->p->debug_logging || msg_verbose());
    if (service_table_load(m->config_dir, &t, &error) < 0)
        msg_fatal("%s", error);
    m->privileged = geteuid() == 0;
    prepare_spool(m);
    pidfile = xasprintf("%s/%s", m->p->queue_directory, MASTER_PID_FILE);
    if (pidfile_lock(pidfile, &m->pidfile_fd, &error) < 0)
        msg_fatal("%s", error);
    xfree(pidfile);
    open_log(m->p);
    if (!m->privileged)
        msg_warn("running as an unprivileged user (uid %ld): every daemon runs as this user",
                 (long)geteuid());
    m->loop = event_loop_create();
    m->started_ms = event_now(m->loop);
    if (event_signal_add(m->loop, SIGCHLD, on_signal, m) < 0
        || event_signal_add(m->loop, SIGHUP, on_signal, m) < 0
        || event_signal_add(m->loop, SIGTERM, on_signal, m) < 0
        || event_signal_add(m->loop, SIGINT, on_signal, m) < 0)
        msg_fatal("signal setup: %m");
    if ((m->devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        msg_fatal("open /dev/null: %m");
    master_pipes_open(m);
    m->child_env = master_child_env(m->p, m->config_dir);
    if (master_services_load(m, m->cfg, t, &error) < 0)
        msg_fatal("%s", error);
    service_table_destroy(&t);
    if (master_control_open(m, &error) < 0)
        msg_fatal("%s", error);
}

/* master_cleanup - release everything after the loop ended */
static void master_cleanup(struct master *m)
{
    char *pidfile = xasprintf("%s/%s", m->p->queue_directory, MASTER_PID_FILE);

    msg_info("stopped");
    event_timer_remove(&m->stop_timer);
    master_control_close(m);
    master_services_free(m);
    master_child_env_free(&m->child_env);
    event_loop_destroy(&m->loop);
    config_destroy(&m->cfg);
    xfree(m->config_dir);
    /* Last: once the lock is gone another master may start. */
    unlink(pidfile);
    xfree(pidfile);
    close(m->pidfile_fd);
}

int main(int argc, char **argv)
{
    struct master m = { .ready_fd = -1, .pidfile_fd = -1, .control_fd = -1, .starting = true };
    const char *dir = NULL;
    int c;

    msg_init("master");
    while ((c = getopt(argc, argv, "c:wv")) != -1) {
        switch (c) {
        case 'c':
            dir = optarg;
            break;
        case 'w':
            m.ready_fd = 2;
            break;
        case 'v':
            msg_set_verbose(true);
            break;
        default:
            msg_fatal("usage: master [-c config_dir] [-w] [-v]");
        }
    }
    signal(SIGPIPE, SIG_IGN);
    m.config_dir = xstrdup(config_directory_default(dir));
    msg_copy_to_stderr(m.ready_fd >= 0);
    master_setup(&m);
    master_services_balance(&m);
    master_check_ready(&m);
    event_loop_run(m.loop);
    master_cleanup(&m);
    return exit_status;
}
