/* SPDX-License-Identifier: MIT
 * master - the supervisor's shared state: services from master.conf, the
 * processes running them, and the pipes children talk back on.
 *
 * The master runs as root (daemons drop to their users) or as an ordinary
 * user (everything runs as that user). It creates every listener itself
 * before any child runs, spawns each service with fork and exec on the fd
 * contract of master_proto.h, restarts failed processes with a doubling
 * back-off, reloads on SIGHUP and stops on SIGTERM.
 *
 * Module map: master.c (startup, signals, readiness), master_service.c
 * (services, reload, balancing, back-off), master_spawn.c (fork + exec),
 * master_pipes.c (status and log pipes), master_control.c (the control
 * socket behind "petrel status"); lib/mail/pidfile.c keeps one master per
 * configuration.
 */
#ifndef PETREL_MASTER_H
#define PETREL_MASTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mail/master_proto.h"
#include "mail/service_table.h"
#include "util/privdrop.h"

struct config;
struct event_loop;
struct event_timer;
struct params;

enum master_proc_state {
    PROC_STARTING, /* forked, not yet "ready" */
    PROC_AVAIL,    /* accepting */
    PROC_BUSY,     /* at its client limit */
    PROC_RETIRING, /* will exit when its clients are done */
};

struct master_service;

struct master_proc {
    pid_t pid;
    struct master_service *svc;
    enum master_proc_state state;
    uint64_t started_ms;
    struct master_proc *next;
};

struct master_service {
    char *key;                  /* "name/type" */
    struct service_entry entry; /* deep copy of the master.conf entry */
    char *listen_id;            /* "type:listen" as created (reload compares it) */
    char *listen_path;          /* unix: absolute socket path (unlinked on removal) */
    int fds[MASTER_LISTEN_MAX];
    size_t nfds;
    char *program; /* absolute path of the daemon */
    bool change_user;
    struct privdrop_user user;
    char *chroot_dir; /* NULL: no chroot */
    int maxproc;      /* resolved */
    unsigned nprocs, navail;
    unsigned restarts; /* restarts after failures, since the master started */
    unsigned failures_in_row;
    char last_exit[128];                /* "" or the last failure */
    struct event_timer *throttle_timer; /* set while a restart is delayed */
    bool removed;                       /* gone from master.conf: no new processes */
    struct master *master;
    struct master_service *next;
};

struct master {
    char *config_dir;
    struct config *cfg;
    const struct params *p;
    struct event_loop *loop;
    struct master_service *services;
    struct master_proc *procs;
    bool privileged;
    struct privdrop_user mail_owner; /* resolved when privileged */
    int status_pipe[2];
    int log_pipe[2];
    int devnull;
    char **child_env; /* environment for children (NULL-terminated) */
    bool starting;    /* not yet reported ready */
    int ready_fd;     /* -1 once reported */
    bool stopping;
    struct event_timer *stop_timer;
    int pidfile_fd;
    int control_fd;
    uint64_t started_ms;
};

/* master_service.c */
int master_services_load(struct master *m, struct config *cfg, const struct service_table *t,
                         const char **error_r);
void master_services_balance(struct master *m);
void master_proc_exited(struct master *m, pid_t pid, int status);
void master_proc_status(struct master *m, pid_t pid, const char *word);
bool master_all_ready(const struct master *m);
void master_signal_all(struct master *m, int signo);
void master_services_free(struct master *m);
const char *master_service_state(const struct master_service *svc);

/* master.c */
void master_startup_failed(struct master *m, const char *why);
void master_check_ready(struct master *m);

/* master_spawn.c */
int master_spawn(struct master *m, struct master_service *svc, bool standing, pid_t *pid_r,
                 const char **error_r);
char **master_child_env(const struct params *p, const char *config_dir);
void master_child_env_free(char ***env_r);

/* master_pipes.c */
void master_pipes_open(struct master *m);

/* master_control.c */
int master_control_open(struct master *m, const char **error_r);
void master_control_close(struct master *m);

#endif
