/* SPDX-License-Identifier: MIT
 * pidfile - one master per configuration, found by its lock.
 *
 * The master holds a write lock (fcntl) on $queue_directory/pid/master.pid
 * for as long as it runs and writes its pid into the file. The lock, not
 * the file's contents, is the truth: a file left by a crash holds no lock,
 * and the kernel reports the pid of the process that holds it.
 */
#ifndef PETREL_MAIL_PIDFILE_H
#define PETREL_MAIL_PIDFILE_H

#include <sys/types.h>

/* pidfile_lock - create/lock path and write our pid; the fd stays open
 * (close-on-exec) while the lock is held; -1 with "already running (pid N)" */
int pidfile_lock(const char *path, int *fd_r, const char **error_r);
/* pidfile_holder - the pid holding the lock on path, or 0 when none */
pid_t pidfile_holder(const char *path);

#endif
