/* SPDX-License-Identifier: MIT
 * master_service - the services of master.conf as the master runs them:
 * loading and reloading the table (keeping listeners that did not change),
 * keeping enough processes up, and restarting failed ones with a doubling
 * back-off so that a crash loop never spins.
 *
 * Trusts: master.conf and petrel.conf (validated by their parsers), and
 * the child exit statuses from waitpid.
 */
#include "master.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/config.h"
#include "mail/listen.h"
#include "mail/params.h"
#include "mail/paths.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/msg.h"

/* entry_copy - deep copy of a service entry */
static void entry_copy(struct service_entry *dst, const struct service_entry *src)
{
    int i;

    *dst = *src;
    dst->name = xstrdup(src->name);
    dst->listen = xstrdup(src->listen);
    dst->user = src->user ? xstrdup(src->user) : NULL;
    dst->argv = xcalloc((size_t)src->argc + 1, sizeof(char *));
    for (i = 0; i < src->argc; i++)
        dst->argv[i] = xstrdup(src->argv[i]);
}

/* entry_free - release a deep copy */
static void entry_free(struct service_entry *e)
{
    int i;

    for (i = 0; i < e->argc; i++)
        xfree(e->argv[i]);
    xfree(e->argv);
    xfree(e->name);
    xfree(e->listen);
    xfree(e->user);
}

/* service_close_listeners - close the sockets and remove a unix socket file */
static void service_close_listeners(struct master_service *svc)
{
    while (svc->nfds > 0)
        close(svc->fds[--svc->nfds]);
    if (svc->listen_path != NULL)
        unlink(svc->listen_path);
    xfree(svc->listen_path);
    xfree(svc->listen_id);
}

/* service_open_listeners - create the listeners of a service */
static int service_open_listeners(struct master *m, struct master_service *svc, const char **error_r)
{
    const struct service_entry *e = &svc->entry;
    uid_t owner = (uid_t)-1;
    gid_t group = (gid_t)-1;

    if (e->type == SERVICE_INET) {
        if (listen_inet(e->listen, svc->fds, MASTER_LISTEN_MAX, &svc->nfds, error_r) < 0)
            return -1;
    } else {
        if (e->listen[0] == '/')
            svc->listen_path = xstrdup(e->listen);
        else
            svc->listen_path = xasprintf("%s/%s", m->p->queue_directory, e->listen);
        /* Service sockets belong to the mail owner whatever user runs the
         * service: its clients (qmgr connecting to local, smtpd to qmgr)
         * run as the mail owner; private/ (0700, the mail owner's) keeps
         * everyone else out, as in Postfix. */
        if (m->privileged) {
            owner = m->mail_owner.uid;
            group = m->mail_owner.gid;
        }
        if (listen_unix(svc->listen_path, e->private_socket ? 0600 : 0666, owner, group, &svc->fds[0],
                        error_r)
            < 0) {
            xfree(svc->listen_path);
            return -1;
        }
        svc->nfds = 1;
    }
    svc->listen_id = xasprintf("%s:%s", service_type_name(e->type), e->listen);
    return 0;
}

/* service_settings - resolve program, user and chroot of an entry */
static int service_settings(struct master *m, const struct params *p, struct master_service *svc,
                            const char **error_r)
{
    const struct service_entry *e = &svc->entry;
    const char *user = e->user ? e->user : p->mail_owner;
    struct stat st;

    xfree(svc->program);
    svc->program = xasprintf("%s/%s", paths_daemon_dir(p), e->argv[0]);
    if (stat(svc->program, &st) < 0 || !S_ISREG(st.st_mode) || access(svc->program, X_OK) < 0)
        return errf(error_r, "master.conf:%d: service %s: program %s is missing or not executable", e->line,
                    svc->key, svc->program);
    svc->change_user = m->privileged;
    if (m->privileged && privdrop_resolve(user, &svc->user, error_r) < 0)
        return errf(error_r, "master.conf:%d: service %s: %s", e->line, svc->key, *error_r);
    if (m->privileged && svc->user.uid == 0 && e->type == SERVICE_INET)
        return errf(error_r, "master.conf:%d: service %s: a network service may not run as root", e->line,
                    svc->key);
    xfree(svc->chroot_dir);
    if (e->chroot && m->privileged)
        svc->chroot_dir = xstrdup(p->queue_directory);
    svc->maxproc = e->maxproc > 0 ? e->maxproc : (int)p->default_process_limit;
    return 0;
}

/* service_find - a current service by key */
static struct master_service *service_find(struct master_service *list, const char *key)
{
    for (; list != NULL; list = list->next)
        if (strcmp(list->key, key) == 0)
            return list;
    return NULL;
}

/* service_free - release a service that has no processes left */
static void service_free(struct master_service *svc)
{
    service_close_listeners(svc);
    event_timer_remove(&svc->throttle_timer);
    entry_free(&svc->entry);
    xfree(svc->key);
    xfree(svc->program);
    xfree(svc->chroot_dir);
    xfree(svc);
}

/* service_build - a new service object for an entry, listeners included
 * (reused from old when the listen address did not change) */
static int service_build(struct master *m, const struct params *p, const struct service_entry *e,
                         struct master_service *old, struct master_service **svc_r, const char **error_r)
{
    struct master_service *svc = xcalloc(1, sizeof(*svc));
    char *listen_id = xasprintf("%s:%s", service_type_name(e->type), e->listen);

    svc->key = xasprintf("%s/%s", e->name, service_type_name(e->type));
    svc->master = m;
    entry_copy(&svc->entry, e);
    if (service_settings(m, p, svc, error_r) < 0)
        goto fail;
    if (old != NULL && old->listen_id != NULL && strcmp(old->listen_id, listen_id) == 0) {
        memcpy(svc->fds, old->fds, sizeof(svc->fds));
        svc->nfds = old->nfds;
        svc->listen_path = old->listen_path;
        svc->listen_id = old->listen_id;
        old->nfds = 0;
        old->listen_path = old->listen_id = NULL;
    } else if (service_open_listeners(m, svc, error_r) < 0) {
        goto fail;
    }
    xfree(listen_id);
    *svc_r = svc;
    return 0;
fail:
    xfree(listen_id);
    service_free(svc);
    return -1;
}

/* master_services_load - adopt a service table (at start and on reload);
 * on error nothing changes */
int master_services_load(struct master *m, struct config *cfg, const struct service_table *t,
                         const char **error_r)
{
    const struct params *p = config_params(cfg);
    struct master_service *fresh = NULL, *svc, *old, **tail = &fresh;
    size_t i;

    for (i = 0; i < t->count; i++) {
        char *key = xasprintf("%s/%s", t->entries[i].name, service_type_name(t->entries[i].type));

        old = service_find(m->services, key);
        xfree(key);
        if (service_build(m, p, &t->entries[i], old != NULL && !old->removed ? old : NULL, &svc, error_r)
            < 0) {
            while ((svc = fresh) != NULL) {
                fresh = svc->next;
                service_free(svc);
            }
            return -1;
        }
        *tail = svc;
        tail = &svc->next;
    }
    /* Move the processes and counters of kept services over; old services
     * without processes go now, the others once their processes exit. */
    for (old = m->services; old != NULL; old = old->next) {
        struct master_proc *proc;

        svc = old->removed ? NULL : service_find(fresh, old->key);
        if (svc != NULL) {
            svc->restarts = old->restarts;
            svc->failures_in_row = old->failures_in_row;
            memcpy(svc->last_exit, old->last_exit, sizeof(svc->last_exit));
        }
        for (proc = m->procs; proc != NULL; proc = proc->next)
            if (proc->svc == old) {
                if (svc != NULL) {
                    proc->svc = svc;
                    svc->nprocs++;
                    svc->navail += proc->state == PROC_AVAIL;
                } else {
                    old->removed = true;
                }
            }
    }
    while ((old = m->services) != NULL) {
        m->services = old->next;
        if (old->removed && old->nprocs > 0) {
            service_close_listeners(old);
            old->next = NULL;
            *tail = old; /* kept, marked removed, until its processes exit */
            tail = &old->next;
        } else {
            service_free(old);
        }
    }
    m->services = fresh;
    return 0;
}

/* throttle_expired - a delayed restart may happen now */
static void throttle_expired(void *ctx)
{
    struct master_service *svc = ctx;

    svc->throttle_timer = NULL;
    master_services_balance(svc->master);
}

/* service_spawn_one - start one process; failures are logged and throttled */
static void service_spawn_one(struct master *m, struct master_service *svc)
{
    const char *error;
    struct master_proc *proc;
    pid_t pid;

    if (master_spawn(m, svc, svc->nprocs == 0, &pid, &error) < 0) {
        msg_error("service %s: %s", svc->key, error);
        return;
    }
    proc = xcalloc(1, sizeof(*proc));
    proc->pid = pid;
    proc->svc = svc;
    proc->state = PROC_STARTING;
    proc->started_ms = event_now(m->loop);
    proc->next = m->procs;
    m->procs = proc;
    svc->nprocs++;
    msg_debug("service %s: started pid %ld", svc->key, (long)pid);
}

/* master_services_balance - every live service has a process that can
 * accept (or one starting), within its process limit. Retiring processes
 * (max_use reached, or reloading) do not count against the limit: they
 * accept nothing more and exit when their clients are done. */
void master_services_balance(struct master *m)
{
    struct master_service *svc;
    struct master_proc *proc;
    unsigned starting, retiring;

    if (m->stopping)
        return;
    for (svc = m->services; svc != NULL; svc = svc->next) {
        if (svc->removed || svc->throttle_timer != NULL)
            continue;
        starting = retiring = 0;
        for (proc = m->procs; proc != NULL; proc = proc->next) {
            starting += proc->svc == svc && proc->state == PROC_STARTING;
            retiring += proc->svc == svc && proc->state == PROC_RETIRING;
        }
        if (svc->navail + starting == 0 && svc->nprocs - retiring < (unsigned)svc->maxproc)
            service_spawn_one(m, svc);
    }
}

/* describe_status - "exit status 1" or "killed by signal 9 (Killed)" */
static void describe_status(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)%s", WTERMSIG(status), strsignal(WTERMSIG(status)),
                 WCOREDUMP(status) ? ", core dumped" : "");
    else
        snprintf(out, size, "wait status 0x%x", (unsigned)status);
}

/* proc_unlink - take a process off the list, with its service's counters */
static struct master_proc *proc_unlink(struct master *m, pid_t pid)
{
    struct master_proc **pp, *proc;

    for (pp = &m->procs; (proc = *pp) != NULL; pp = &proc->next) {
        if (proc->pid == pid) {
            *pp = proc->next;
            proc->svc->nprocs--;
            if (proc->state == PROC_AVAIL)
                proc->svc->navail--;
            return proc;
        }
    }
    return NULL;
}

/* service_throttle - delay the next start after a failure, doubling */
static void service_throttle(struct master *m, struct master_service *svc, uint64_t ran_ms)
{
    int64_t delay = m->p->service_restart_delay;
    unsigned i;

    if (ran_ms >= (uint64_t)m->p->service_throttle_time)
        svc->failures_in_row = 0;
    svc->failures_in_row++;
    svc->restarts++;
    for (i = 1; i < svc->failures_in_row && delay < m->p->service_throttle_time; i++)
        delay *= 2;
    if (delay > m->p->service_throttle_time)
        delay = m->p->service_throttle_time;
    if (m->stopping || svc->removed)
        return;
    msg_warn("service %s: restarting in %lldms (failure %u in a row)", svc->key, (long long)delay,
             svc->failures_in_row);
    svc->throttle_timer = event_timer_add(m->loop, (uint64_t)delay, throttle_expired, svc);
}

/* service_remove_if_done - free a removed service once its processes are gone */
static void service_remove_if_done(struct master *m, struct master_service *svc)
{
    struct master_service **pp;

    if (!svc->removed || svc->nprocs > 0)
        return;
    for (pp = &m->services; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == svc) {
            *pp = svc->next;
            service_free(svc);
            return;
        }
    }
}

/* master_proc_exited - a child ended: log failures, restart as needed */
void master_proc_exited(struct master *m, pid_t pid, int status)
{
    struct master_proc *proc = proc_unlink(m, pid);
    struct master_service *svc;
    char desc[80];
    uint64_t ran_ms;

    if (proc == NULL) {
        msg_debug("reaped unknown child %ld", (long)pid);
        return;
    }
    svc = proc->svc;
    ran_ms = event_now(m->loop) - proc->started_ms;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        msg_debug("service %s: pid %ld exited", svc->key, (long)pid);
        if (ran_ms >= (uint64_t)m->p->service_throttle_time)
            svc->failures_in_row = 0;
    } else {
        describe_status(status, desc, sizeof(desc));
        msg_warn("service %s: process %s pid %ld %s", svc->key, svc->program, (long)pid, desc);
        snprintf(svc->last_exit, sizeof(svc->last_exit), "pid %ld %s", (long)pid, desc);
        if (m->starting && proc->state == PROC_STARTING) {
            xfree(proc);
            master_startup_failed(m, err_fmt("service %s: %s before it was ready", svc->key, desc));
            return;
        }
        service_throttle(m, svc, ran_ms);
    }
    xfree(proc);
    service_remove_if_done(m, svc);
    master_services_balance(m);
}

/* master_proc_status - a child reported a state change */
void master_proc_status(struct master *m, pid_t pid, const char *word)
{
    struct master_proc *proc;

    for (proc = m->procs; proc != NULL && proc->pid != pid; proc = proc->next)
        ;
    if (proc == NULL) {
        msg_warn("status \"%s\" from unknown pid %ld", word, (long)pid);
        return;
    }
    if (proc->state == PROC_AVAIL)
        proc->svc->navail--;
    if (strcmp(word, MASTER_STATUS_READY) == 0 || strcmp(word, MASTER_STATUS_AVAIL) == 0)
        proc->state = PROC_AVAIL;
    else if (strcmp(word, MASTER_STATUS_BUSY) == 0)
        proc->state = PROC_BUSY;
    else if (strcmp(word, MASTER_STATUS_RETIRE) == 0)
        proc->state = PROC_RETIRING;
    else
        msg_warn("unknown status \"%s\" from pid %ld", word, (long)pid);
    if (proc->state == PROC_AVAIL)
        proc->svc->navail++;
    if (m->starting)
        master_check_ready(m);
    master_services_balance(m);
}

/* master_all_ready - every service has a process past its start */
bool master_all_ready(const struct master *m)
{
    const struct master_service *svc;
    const struct master_proc *proc;

    for (svc = m->services; svc != NULL; svc = svc->next) {
        bool ready = false;

        for (proc = m->procs; proc != NULL && !ready; proc = proc->next)
            ready = proc->svc == svc && proc->state != PROC_STARTING;
        if (!ready && !svc->removed)
            return false;
    }
    return true;
}

/* master_signal_all - send a signal to every child */
void master_signal_all(struct master *m, int signo)
{
    struct master_proc *proc;

    for (proc = m->procs; proc != NULL; proc = proc->next)
        if (kill(proc->pid, signo) < 0 && errno != ESRCH)
            msg_warn("kill pid %ld: %m", (long)proc->pid);
}

/* master_services_free - release everything at exit */
void master_services_free(struct master *m)
{
    struct master_service *svc;
    struct master_proc *proc;

    while ((proc = m->procs) != NULL) {
        m->procs = proc->next;
        xfree(proc);
    }
    while ((svc = m->services) != NULL) {
        m->services = svc->next;
        service_free(svc);
    }
}

/* master_service_state - one word for "petrel status" */
const char *master_service_state(const struct master_service *svc)
{
    if (svc->removed)
        return "stopping";
    if (svc->throttle_timer != NULL)
        return "throttled";
    if (svc->nprocs == 0)
        return "idle";
    return svc->navail > 0 ? "running" : "busy";
}
