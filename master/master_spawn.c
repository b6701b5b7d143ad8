/* SPDX-License-Identifier: MIT
 * master_spawn - fork and exec one daemon process on the fd contract of
 * master_proto.h, with a clean environment, default signal handling and
 * nothing else inherited.
 *
 * Between fork and exec only async-signal-safe calls are made; everything
 * the child needs (argv, environment, descriptor numbers) is prepared
 * before the fork.
 */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/config.h"
#include "mail/params.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

/* env_add - append "name=value" to a NULL-terminated list */
static void env_add(char ***env_r, size_t *n, const char *name, const char *value)
{
    *env_r = xreallocarray(*env_r, *n + 2, sizeof(char *));
    (*env_r)[(*n)++] = xasprintf("%s=%s", name, value);
    (*env_r)[*n] = NULL;
}

/* master_child_env - the imported environment plus PETREL_CONFIG_DIR */
char **master_child_env(const struct params *p, const char *config_dir)
{
    char **env = xcalloc(1, sizeof(char *));
    char *names = xstrdup(p->import_environment);
    char *save = NULL, *name;
    size_t n = 0;

    for (name = strtok_r(names, " \t,", &save); name != NULL; name = strtok_r(NULL, " \t,", &save)) {
        const char *value = getenv(name);

        if (value != NULL)
            env_add(&env, &n, name, value);
    }
    xfree(names);
    env_add(&env, &n, MASTER_ENV_CONFIG_DIR, config_dir);
    return env;
}

/* master_child_env_free - release an environment list */
void master_child_env_free(char ***env_r)
{
    size_t i;

    if (*env_r == NULL)
        return;
    for (i = 0; (*env_r)[i] != NULL; i++)
        xfree((*env_r)[i]);
    xfree(*env_r);
}

/* spawn_env - the environment of one process of a service */
static char **spawn_env(struct master *m, struct master_service *svc, bool standing)
{
    char **env = NULL;
    char number[32];
    size_t n = 0, i;

    for (i = 0; m->child_env[i] != NULL; i++) {
        env = xreallocarray(env, n + 2, sizeof(char *));
        env[n++] = xstrdup(m->child_env[i]);
        env[n] = NULL;
    }
    env_add(&env, &n, MASTER_ENV_SERVICE, svc->key);
    snprintf(number, sizeof(number), "%zu", svc->nfds);
    env_add(&env, &n, MASTER_ENV_LISTEN_FDS, number);
    env_add(&env, &n, MASTER_ENV_USER, svc->change_user ? svc->user.name : "");
    env_add(&env, &n, MASTER_ENV_CHROOT, svc->chroot_dir ? svc->chroot_dir : "");
    snprintf(number, sizeof(number), "%d", svc->entry.wakeup);
    env_add(&env, &n, MASTER_ENV_WAKEUP, number);
    env_add(&env, &n, MASTER_ENV_STANDING, standing ? "1" : "0");
    return env;
}

/* child_fail - report an exec failure through the log pipe, then exit */
static void child_fail(const char *what, const char *program)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "master[%ld]: fatal: %s %s: %s\n", (long)getpid(), what, program,
                     strerror(errno));

    if (n > 0 && write(MASTER_LOG_FD, line, (size_t)n) < 0)
        _exit(126);
    _exit(127);
}

/* child_setup - in the child: descriptors into place, signals reset, exec */
static void child_setup(struct master *m, struct master_service *svc, char **env)
{
    int src[3 + MASTER_LISTEN_MAX], tmp[3 + MASTER_LISTEN_MAX];
    int nsrc = 0, i, sig;
    sigset_t none;

    src[nsrc++] = m->log_pipe[1];
    src[nsrc++] = m->status_pipe[1];
    for (i = 0; i < (int)svc->nfds; i++)
        src[nsrc++] = svc->fds[i];
    /* Move every source above the target range first, so no dup2 below
     * overwrites a source that is still needed. */
    for (i = 0; i < nsrc; i++)
        if ((tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, MASTER_LISTEN_FD_BASE + MASTER_LISTEN_MAX + 8)) < 0)
            child_fail("cannot arrange descriptors for", svc->program);
    if (dup2(m->devnull, 0) < 0 || dup2(m->devnull, 1) < 0 || dup2(tmp[0], MASTER_LOG_FD) < 0
        || dup2(tmp[1], MASTER_STATUS_FD) < 0)
        child_fail("cannot arrange descriptors for", svc->program);
    for (i = 2; i < nsrc; i++)
        if (dup2(tmp[i], MASTER_LISTEN_FD_BASE + i - 2) < 0)
            child_fail("cannot arrange descriptors for", svc->program);
    if (close_range((unsigned)(MASTER_LISTEN_FD_BASE + nsrc - 2), ~0U, 0) < 0)
        child_fail("cannot close descriptors for", svc->program);
    sigemptyset(&none);
    for (sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(svc->program, svc->entry.argv, env);
    child_fail("cannot execute", svc->program);
}

/* master_spawn - start one process of a service */
int master_spawn(struct master *m, struct master_service *svc, bool standing, pid_t *pid_r,
                 const char **error_r)
{
    char **env = spawn_env(m, svc, standing);
    pid_t pid = fork();

    if (pid < 0) {
        int saved = errno;

        master_child_env_free(&env);
        return errf(error_r, "fork: %s", strerror(saved));
    }
    if (pid == 0)
        child_setup(m, svc, env);
    master_child_env_free(&env);
    *pid_r = pid;
    return 0;
}
