/* SPDX-License-Identifier: MIT
 * event - the one event loop: fd readiness, timers, deferred calls, signals.
 *
 * A round is: wait in the backend (no longer than the nearest timer, not at
 * all if deferred calls are queued), update the cached clock, dispatch the
 * ready fds, run the expired timers, run the deferred calls, then free what
 * callbacks removed. Timers and deferred calls created during a round wait
 * for the next one, so a callback that re-arms itself cannot starve the
 * loop.
 *
 * Owns: the backend, every io/timer/deferred call still registered, and the
 * signalfd. Trusts its callers (all bugs panic). Timers are an array min-heap
 * ordered by (deadline, creation sequence), each timer knowing its index, so
 * cancelling is O(log n) and timers with the same deadline fire in the order
 * they were added. A removed io is marked dead and freed at the end of the
 * round, so a stale readiness report for it is recognised and dropped.
 *
 * See also: event.h, event_backend.h, event_epoll.c, conn.c.
 */
#include "util/event.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/event_backend.h"
#include "util/msg.h"

/* Ready fds handled per round. */
#define EVENT_READY_MAX 256

struct event_io {
    struct event_loop *loop;
    int fd;
    unsigned mask;   /* what the owner asked for */
    bool registered; /* known to the backend (mask is not 0) */
    bool dead;       /* removed; freed at the end of the round */
    bool internal;   /* the loop's own signalfd (not counted) */
    event_io_fn *fn;
    void *ctx;
    struct event_io *prev; /* live list */
    struct event_io *next; /* live list, or the dead list */
};

struct event_timer {
    struct event_loop *loop;
    uint64_t when; /* deadline on the loop's clock */
    uint64_t seq;  /* creation order, breaks ties */
    size_t index;  /* position in the heap */
    event_timer_fn *fn;
    void *ctx;
};

struct event_deferred {
    event_defer_fn *fn;
    void *ctx;
    struct event_deferred *next;
};

struct event_sig {
    event_signal_fn *fn;
    void *ctx;
};

struct event_loop {
    struct event_backend *backend;
    uint64_t now; /* cached monotonic ms */
    bool stop;
    bool in_round;
    int calls;             /* callbacks run in the current round */
    struct event_io *ios;  /* live ios */
    struct event_io *dead; /* ios removed during the current round */
    struct event_timer **heap;
    size_t heap_len;
    size_t heap_cap;
    uint64_t timer_seq;
    struct event_timer *firing; /* the timer whose callback is running */
    struct event_deferred *defer_head;
    struct event_deferred *defer_tail;
    struct event_deferred *defer_running; /* the batch being run */
    int sigfd;
    struct event_io *sig_io;
    sigset_t sigmask;
    struct event_sig sigs[_NSIG];
};

/* monotonic_ms - milliseconds on CLOCK_MONOTONIC */
uint64_t monotonic_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
        msg_panic("clock_gettime CLOCK_MONOTONIC: %s", strerror(errno));
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* event_loop_create - a new loop on the backend */
struct event_loop *event_loop_create(void)
{
    struct event_loop *loop = xcalloc(1, sizeof(*loop));

    loop->backend = event_backend_create();
    if (loop->backend == NULL)
        msg_fatal("cannot create the %s event backend: %s", event_backend_name(), strerror(errno));
    loop->sigfd = -1;
    sigemptyset(&loop->sigmask);
    loop->now = monotonic_ms();
    return loop;
}

/* event_loop_destroy - free the loop and all it still holds */
void event_loop_destroy(struct event_loop **loop_r)
{
    struct event_loop *loop = *loop_r;
    struct event_deferred *d;
    struct event_io *io;

    if (loop == NULL)
        return;
    if (loop->in_round)
        msg_panic("event_loop_destroy: called inside a callback of the loop");
    while ((io = loop->ios) != NULL) {
        loop->ios = io->next;
        xfree(io);
    }
    while (loop->heap_len > 0)
        xfree(loop->heap[--loop->heap_len]);
    xfree(loop->heap);
    while ((d = loop->defer_head) != NULL) {
        loop->defer_head = d->next;
        xfree(d);
    }
    if (loop->sigfd >= 0)
        close(loop->sigfd);
    event_backend_destroy(&loop->backend);
    xfree(*loop_r);
}

/* event_now - the cached clock */
uint64_t event_now(struct event_loop *loop)
{
    return loop->now;
}

/* ---- fd readiness ---- */

/* event_io_sync - tell the backend what io->mask now says */
static void event_io_sync(struct event_io *io)
{
    struct event_backend *b = io->loop->backend;
    int r;

    if (io->mask == 0) {
        /* Paused fds leave the backend: epoll reports hang-up and errors
         * even for an empty mask, and nobody is listening. */
        if (io->registered && event_backend_delete(b, io->fd) < 0 && errno != EBADF && errno != ENOENT)
            msg_warn("%s: stop watching fd %d: %s", event_backend_name(), io->fd, strerror(errno));
        io->registered = false;
        return;
    }
    if (io->registered)
        r = event_backend_modify(b, io->fd, io->mask, io);
    else
        r = event_backend_add(b, io->fd, io->mask, io);
    if (r < 0) {
        if (errno == EBADF || errno == EEXIST || errno == ENOENT || errno == EPERM)
            msg_panic("%s: cannot watch fd %d: %s", event_backend_name(), io->fd, strerror(errno));
        msg_fatal("%s: cannot watch fd %d: %s", event_backend_name(), io->fd, strerror(errno));
    }
    io->registered = true;
}

/* event_io_add - watch an fd */
struct event_io *event_io_add(struct event_loop *loop, int fd, unsigned mask, event_io_fn *fn, void *ctx)
{
    struct event_io *io;

    if (fd < 0 || (mask & ~(unsigned)(EVENT_READ | EVENT_WRITE)) != 0 || fn == NULL)
        msg_panic("event_io_add: bad arguments (fd %d, mask %#x)", fd, mask);
    io = xcalloc(1, sizeof(*io));
    io->loop = loop;
    io->fd = fd;
    io->fn = fn;
    io->ctx = ctx;
    io->mask = mask;
    event_io_sync(io);
    io->next = loop->ios;
    if (loop->ios != NULL)
        loop->ios->prev = io;
    loop->ios = io;
    return io;
}

/* event_io_set - change the watched events */
void event_io_set(struct event_io *io, unsigned mask)
{
    if (io->dead || (mask & ~(unsigned)(EVENT_READ | EVENT_WRITE)) != 0)
        msg_panic("event_io_set: fd %d: removed io or bad mask %#x", io->fd, mask);
    if (mask == io->mask)
        return;
    io->mask = mask;
    event_io_sync(io);
}

/* event_io_remove - stop watching; free now or at the end of the round */
void event_io_remove(struct event_io **io_r)
{
    struct event_io *io = *io_r;
    struct event_loop *loop;

    if (io == NULL)
        return;
    *io_r = NULL;
    loop = io->loop;
    io->mask = 0;
    event_io_sync(io);
    if (io->prev != NULL)
        io->prev->next = io->next;
    else
        loop->ios = io->next;
    if (io->next != NULL)
        io->next->prev = io->prev;
    if (!loop->in_round) {
        xfree(io);
        return;
    }
    /* The backend may already have reported this io in the current round:
     * keep the memory so the dispatcher can see it is dead. */
    io->dead = true;
    io->prev = NULL;
    io->next = loop->dead;
    loop->dead = io;
}

/* event_dispatch_io - call the owners of the ready fds */
static void event_dispatch_io(struct event_loop *loop, const struct event_ready *ready, int n)
{
    struct event_io *io;
    unsigned events;
    int i;

    for (i = 0; i < n; i++) {
        io = ready[i].data;
        if (io->dead || io->mask == 0)
            continue;
        /* Pass on only what the owner waits for now (an earlier callback of
         * this round may have changed it); errors always go through. */
        events = ready[i].events & (io->mask | EVENT_ERROR);
        if (events == 0)
            continue;
        if (!io->internal)
            loop->calls++;
        io->fn(io, io->fd, events, io->ctx);
    }
}

/* event_free_dead - free the ios removed during the round */
static void event_free_dead(struct event_loop *loop)
{
    struct event_io *io;

    while ((io = loop->dead) != NULL) {
        loop->dead = io->next;
        xfree(io);
    }
}

/* ---- timers ---- */

/* timer_before - does a fire before b? */
static bool timer_before(const struct event_timer *a, const struct event_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* heap_place - put t at index i */
static void heap_place(struct event_loop *loop, size_t i, struct event_timer *t)
{
    loop->heap[i] = t;
    t->index = i;
}

/* heap_sift_up - move the timer at i towards the root */
static void heap_sift_up(struct event_loop *loop, size_t i)
{
    struct event_timer *t = loop->heap[i];
    size_t parent;

    while (i > 0) {
        parent = (i - 1) / 2;
        if (!timer_before(t, loop->heap[parent]))
            break;
        heap_place(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_place(loop, i, t);
}

/* heap_sift_down - move the timer at i towards the leaves */
static void heap_sift_down(struct event_loop *loop, size_t i)
{
    struct event_timer *t = loop->heap[i];
    size_t child;

    for (;;) {
        child = 2 * i + 1;
        if (child >= loop->heap_len)
            break;
        if (child + 1 < loop->heap_len && timer_before(loop->heap[child + 1], loop->heap[child]))
            child++;
        if (!timer_before(loop->heap[child], t))
            break;
        heap_place(loop, i, loop->heap[child]);
        i = child;
    }
    heap_place(loop, i, t);
}

/* heap_remove - take the timer at index i out of the heap */
static void heap_remove(struct event_loop *loop, size_t i)
{
    struct event_timer *last;

    if (i >= loop->heap_len || loop->heap[i]->index != i)
        msg_panic("event timer heap: bad index %zu", i);
    last = loop->heap[--loop->heap_len];
    if (i == loop->heap_len)
        return;
    heap_place(loop, i, last);
    heap_sift_up(loop, i);
    heap_sift_down(loop, last->index);
}

/* event_timer_add - call fn once after msecs */
struct event_timer *event_timer_add(struct event_loop *loop, uint64_t msecs, event_timer_fn *fn, void *ctx)
{
    struct event_timer *t = xcalloc(1, sizeof(*t));

    t->loop = loop;
    t->when = loop->now + msecs;
    if (t->when < loop->now)
        t->when = UINT64_MAX;
    t->seq = loop->timer_seq++;
    t->fn = fn;
    t->ctx = ctx;
    if (loop->heap_len == loop->heap_cap) {
        loop->heap_cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
        loop->heap = xreallocarray(loop->heap, loop->heap_cap, sizeof(*loop->heap));
    }
    heap_place(loop, loop->heap_len++, t);
    heap_sift_up(loop, t->index);
    return t;
}

/* event_timer_remove - cancel a timer */
void event_timer_remove(struct event_timer **t_r)
{
    struct event_timer *t = *t_r;

    if (t == NULL)
        return;
    *t_r = NULL;
    /* Inside its own callback the timer is already out of the heap, and
     * the loop frees it when the callback returns. */
    if (t == t->loop->firing)
        return;
    heap_remove(t->loop, t->index);
    xfree(t);
}

/* event_run_timers - fire the timers that expired before this round */
static void event_run_timers(struct event_loop *loop)
{
    uint64_t limit = loop->timer_seq;
    struct event_timer *t;

    while (loop->heap_len > 0) {
        t = loop->heap[0];
        if (t->when > loop->now || t->seq >= limit)
            break;
        heap_remove(loop, 0);
        loop->firing = t;
        loop->calls++;
        t->fn(t->ctx);
        loop->firing = NULL;
        xfree(t);
    }
}

/* ---- deferred calls ---- */

/* event_defer - queue fn(ctx) for the end of the round */
void event_defer(struct event_loop *loop, event_defer_fn *fn, void *ctx)
{
    struct event_deferred *d = xmalloc(sizeof(*d));

    d->fn = fn;
    d->ctx = ctx;
    d->next = NULL;
    if (loop->defer_tail != NULL)
        loop->defer_tail->next = d;
    else
        loop->defer_head = d;
    loop->defer_tail = d;
}

/* defer_drop - remove matching calls from a list; the new last element */
static struct event_deferred *defer_drop(struct event_deferred **head, event_defer_fn *fn, void *ctx)
{
    struct event_deferred **p = head, *d, *last = NULL;

    while ((d = *p) != NULL) {
        if (d->fn == fn && d->ctx == ctx) {
            *p = d->next;
            xfree(d);
        } else {
            last = d;
            p = &d->next;
        }
    }
    return last;
}

/* event_defer_cancel - drop pending calls of fn with ctx */
void event_defer_cancel(struct event_loop *loop, event_defer_fn *fn, void *ctx)
{
    loop->defer_tail = defer_drop(&loop->defer_head, fn, ctx);
    (void)defer_drop(&loop->defer_running, fn, ctx);
}

/* event_run_deferred - run the calls queued before this point */
static void event_run_deferred(struct event_loop *loop)
{
    struct event_deferred *d;

    /* Calls queued from here on belong to the next round. */
    loop->defer_running = loop->defer_head;
    loop->defer_head = loop->defer_tail = NULL;
    while ((d = loop->defer_running) != NULL) {
        loop->defer_running = d->next;
        loop->calls++;
        d->fn(d->ctx);
        xfree(d);
    }
}

/* ---- signals ---- */

/* event_signal_read - drain the signalfd and call the handlers */
static void event_signal_read(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct event_loop *loop = ctx;
    struct signalfd_siginfo si;
    struct event_sig *sig;
    ssize_t n;

    (void)io;
    (void)events;
    while ((n = read(fd, &si, sizeof(si))) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo >= _NSIG)
            continue;
        sig = &loop->sigs[si.ssi_signo];
        if (sig->fn == NULL)
            continue;
        loop->calls++;
        sig->fn((int)si.ssi_signo, sig->ctx);
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
        msg_warn("read signalfd: %s", strerror(errno));
}

/* event_signal_update - give the signalfd the current signal set */
static int event_signal_update(struct event_loop *loop)
{
    int fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);

    if (fd < 0)
        return -1;
    if (loop->sigfd < 0) {
        loop->sigfd = fd;
        loop->sig_io = event_io_add(loop, fd, EVENT_READ, event_signal_read, loop);
        loop->sig_io->internal = true;
    }
    return 0;
}

/* event_signal_add - deliver a signal as a callback */
int event_signal_add(struct event_loop *loop, int signo, event_signal_fn *fn, void *ctx)
{
    sigset_t one;

    if (signo <= 0 || signo >= _NSIG || signo == SIGKILL || signo == SIGSTOP || fn == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (loop->sigs[signo].fn != NULL) {
        errno = EEXIST;
        return -1;
    }
    sigemptyset(&one);
    sigaddset(&one, signo);
    if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
        return -1;
    sigaddset(&loop->sigmask, signo);
    if (event_signal_update(loop) < 0) {
        sigdelset(&loop->sigmask, signo);
        return -1;
    }
    loop->sigs[signo].fn = fn;
    loop->sigs[signo].ctx = ctx;
    return 0;
}

/* event_signal_remove - stop delivering a signal (it stays blocked) */
void event_signal_remove(struct event_loop *loop, int signo)
{
    if (signo <= 0 || signo >= _NSIG || loop->sigs[signo].fn == NULL)
        return;
    loop->sigs[signo].fn = NULL;
    loop->sigs[signo].ctx = NULL;
    sigdelset(&loop->sigmask, signo);
    if (event_signal_update(loop) < 0)
        msg_warn("signalfd: cannot stop watching signal %d: %s", signo, strerror(errno));
}

/* ---- running ---- */

/* event_wait_timeout - how long the backend may sleep in this round */
static int event_wait_timeout(const struct event_loop *loop, int timeout_ms)
{
    uint64_t until;

    if (loop->defer_head != NULL)
        return 0;
    if (loop->heap_len == 0)
        return timeout_ms;
    if (loop->heap[0]->when <= loop->now)
        return 0;
    until = loop->heap[0]->when - loop->now;
    if (until > INT_MAX)
        until = INT_MAX;
    if (timeout_ms >= 0 && (uint64_t)timeout_ms < until)
        return timeout_ms;
    return (int)until;
}

/* event_loop_run_once - wait, then dispatch one round */
int event_loop_run_once(struct event_loop *loop, int timeout_ms)
{
    struct event_ready ready[EVENT_READY_MAX];
    int n;

    if (loop->in_round)
        msg_panic("event_loop_run_once: called inside a callback of the loop");
    loop->now = monotonic_ms();
    n = event_backend_wait(loop->backend, ready, EVENT_READY_MAX, event_wait_timeout(loop, timeout_ms));
    if (n < 0) {
        if (errno != EINTR)
            msg_fatal("%s wait: %s", event_backend_name(), strerror(errno));
        n = 0;
    }
    loop->now = monotonic_ms();
    loop->in_round = true;
    loop->calls = 0;
    event_dispatch_io(loop, ready, n);
    event_run_timers(loop);
    event_run_deferred(loop);
    event_free_dead(loop);
    loop->in_round = false;
    return loop->calls;
}

/* event_loop_run - run rounds until stopped */
void event_loop_run(struct event_loop *loop)
{
    while (!loop->stop)
        (void)event_loop_run_once(loop, -1);
    loop->stop = false;
}

/* event_loop_stop - end event_loop_run() after this round */
void event_loop_stop(struct event_loop *loop)
{
    loop->stop = true;
}
