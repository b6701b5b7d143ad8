/* SPDX-License-Identifier: MIT
 * event - the one event loop: fd readiness, timers, deferred calls, signals.
 *
 * Single-threaded. Timers run on a cached monotonic clock (CLOCK_MONOTONIC),
 * so a step of the wall clock never fires or stalls them. Timers live in a
 * min-heap; fd readiness comes from a backend (epoll, event_epoll.c).
 * Signals are delivered through signalfd as ordinary callbacks, so no code
 * runs in signal context.
 *
 * Callbacks may add and remove any io, timer or signal, including their own,
 * at any time: removal is safe inside the loop, and a removed io receives no
 * further events even if the backend already reported some in this round.
 *
 * See also: conn.h (buffered connections on top of this loop).
 */
#ifndef PETREL_UTIL_EVENT_H
#define PETREL_UTIL_EVENT_H

#include <stdbool.h>
#include <stdint.h>

struct event_loop;
struct event_io;
struct event_timer;

enum {
    EVENT_READ = 1,  /* fd readable (or EOF/hang-up, reported as readable) */
    EVENT_WRITE = 2, /* fd writable */
    EVENT_ERROR = 4, /* error condition on fd (always reported when it happens) */
};

typedef void event_io_fn(struct event_io *io, int fd, unsigned events, void *ctx);
typedef void event_timer_fn(void *ctx);
typedef void event_defer_fn(void *ctx);
typedef void event_signal_fn(int signo, void *ctx);

/* monotonic_ms - milliseconds on CLOCK_MONOTONIC (uncached) */
uint64_t monotonic_ms(void);

/* event_loop_create - a new loop; fatal if the backend cannot be created */
struct event_loop *event_loop_create(void);
/* event_loop_destroy - free the loop and every io/timer/signal still on it
 * (fds are not closed: their owners close them); not from inside a callback */
void event_loop_destroy(struct event_loop **loop_r);

/* event_io_add - watch fd for the events in mask (EVENT_READ|EVENT_WRITE).
 * One io per fd; remove it before closing the fd. EVENT_ERROR is passed on
 * even when not asked for; a hang-up is EVENT_READ, and EVENT_WRITE too for
 * an io waiting to write (the write then fails at once). */
struct event_io *event_io_add(struct event_loop *loop, int fd, unsigned mask, event_io_fn *fn, void *ctx);
/* event_io_set - change the watched events; mask 0 pauses the io */
void event_io_set(struct event_io *io, unsigned mask);
/* event_io_remove - stop watching and free *io_r; accepts NULL */
void event_io_remove(struct event_io **io_r);

/* event_timer_add - call fn once after msecs milliseconds, counted from
 * event_now() (the start of the current round); a timer added inside a
 * callback fires in a later round at the earliest */
struct event_timer *event_timer_add(struct event_loop *loop, uint64_t msecs, event_timer_fn *fn, void *ctx);
/* event_timer_remove - cancel and free *t_r; accepts NULL (and a timer that
 * already fired is not valid any more: clear your pointer in its callback) */
void event_timer_remove(struct event_timer **t_r);

/* event_defer - call fn(ctx) once, after the callbacks of this round */
void event_defer(struct event_loop *loop, event_defer_fn *fn, void *ctx);
/* event_defer_cancel - drop pending deferred calls of fn with ctx */
void event_defer_cancel(struct event_loop *loop, event_defer_fn *fn, void *ctx);

/* event_signal_add - deliver signo as a callback; blocks it for the process.
 * 0, or -1 with errno (EEXIST: signo has a callback already; EINVAL: a
 * signal that cannot be caught). One callback per signal. */
int event_signal_add(struct event_loop *loop, int signo, event_signal_fn *fn, void *ctx);
/* event_signal_remove - stop delivering signo (it stays blocked) */
void event_signal_remove(struct event_loop *loop, int signo);

/* event_now - the loop's cached monotonic time in ms, updated each round */
uint64_t event_now(struct event_loop *loop);

/* event_loop_run - run until event_loop_stop() is called */
void event_loop_run(struct event_loop *loop);
/* event_loop_run_once - one round: wait at most timeout_ms (-1: until an
 * event or timer), dispatch; returns the number of callbacks run. Not
 * reentrant: never call it from a callback of the same loop. */
int event_loop_run_once(struct event_loop *loop, int timeout_ms);
/* event_loop_stop - make event_loop_run() return after this round */
void event_loop_stop(struct event_loop *loop);

#endif
