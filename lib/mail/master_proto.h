/* SPDX-License-Identifier: MIT
 * master_proto - the contract between the master and its children, in one
 * place. Both master/ and the daemon skeleton (server.c) include it.
 *
 * Descriptors a child finds when it starts (everything else is closed):
 *
 *   0        /dev/null
 *   1        /dev/null
 *   2        the log pipe: the child writes one log line per write(2)
 *            ("program[pid]: text"), and the master forwards each line to
 *            syslog or maillog_file
 *   3        the status pipe (write end, non-blocking): the child writes
 *            "PID WORD\n" lines, WORD one of the MASTER_STATUS_* below
 *   4..4+N-1 the service's listening sockets (N = $PETREL_LISTEN_FDS),
 *            non-blocking and not close-on-exec
 *
 * Environment (every other variable is dropped except those named in
 * import_environment):
 *
 *   PETREL_CONFIG_DIR      the configuration directory
 *   PETREL_SERVICE         "name/type" of the master.conf entry
 *   PETREL_LISTEN_FDS      how many listeners start at fd 4
 *   PETREL_SERVICE_USER    the user to become after pre_jail; empty: stay
 *                          (the master itself runs unprivileged)
 *   PETREL_SERVICE_CHROOT  the directory to chroot into; empty: none
 *   PETREL_SERVICE_WAKEUP  seconds between on_wakeup calls; 0: none
 *   PETREL_STANDING        "1" for the process that keeps its service up
 *                          (it does not exit after max_idle)
 *
 * Exit status: 0 is a planned exit (max_use, max_idle, SIGTERM, reload):
 * the master starts a replacement when one is needed and logs nothing
 * alarming. Anything else (non-zero status or a signal) is a failure: it is
 * logged with its status or signal, and restarts of the service are delayed
 * by service_restart_delay, doubling for each failure in a row up to
 * service_throttle_time.
 *
 * When the master dies, every child gets SIGTERM from the kernel (the
 * skeleton sets PR_SET_PDEATHSIG after its privilege drop) and exits.
 *
 * Signals the master sends: SIGHUP (reload: stop accepting, finish current
 * connections, exit 0) and SIGTERM (stop now, exit 0), then SIGKILL after
 * master_stop_timeout.
 */
#ifndef PETREL_MAIL_MASTER_PROTO_H
#define PETREL_MAIL_MASTER_PROTO_H

#define MASTER_LOG_FD 2
#define MASTER_STATUS_FD 3
#define MASTER_LISTEN_FD_BASE 4
#define MASTER_LISTEN_MAX 64

#define MASTER_ENV_CONFIG_DIR "PETREL_CONFIG_DIR"
#define MASTER_ENV_SERVICE "PETREL_SERVICE"
#define MASTER_ENV_LISTEN_FDS "PETREL_LISTEN_FDS"
#define MASTER_ENV_USER "PETREL_SERVICE_USER"
#define MASTER_ENV_CHROOT "PETREL_SERVICE_CHROOT"
#define MASTER_ENV_WAKEUP "PETREL_SERVICE_WAKEUP"
#define MASTER_ENV_STANDING "PETREL_STANDING"

/* Status words a child reports, one line "PID WORD\n" each. */
#define MASTER_STATUS_READY "ready"   /* initialised, privileges dropped, accepting */
#define MASTER_STATUS_BUSY "busy"     /* at its client limit: not accepting */
#define MASTER_STATUS_AVAIL "avail"   /* below its client limit again */
#define MASTER_STATUS_RETIRE "retire" /* max_use reached or reloading: will not accept again */
#define MASTER_STATUS_LINE_MAX 64

/* The control socket ($queue_directory/pid/master.ctl, mode 0600) speaks
 * the ipc protocol "master-control", version 1: request=status gives one
 * message per service (service, state, procs, pids, restarts, failures,
 * last_exit, listen) and then one with end=1. */
#define MASTER_CONTROL_PROTOCOL "master-control"
#define MASTER_CONTROL_VERSION 1
#define MASTER_PID_FILE "pid/master.pid"
#define MASTER_CONTROL_SOCKET "pid/master.ctl"

#endif
