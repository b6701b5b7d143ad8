/* SPDX-License-Identifier: MIT
 * test_event - the event loop: timer order and cancellation, the timer heap
 * under many random timers, deferred calls, io added and removed inside
 * callbacks, signals through signalfd, the cached clock, run/stop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "util/buf.h"
#include "util/event.h"

static struct buf *trace;

/* note - append a word to the trace */
static void note(const char *word)
{
    if (trace == NULL)
        trace = buf_create(256, 64 * 1024);
    if (trace->len > 0)
        buf_append_char(trace, ' ');
    buf_append_str(trace, word);
}

/* trace_take - the trace so far, then empty it */
static const char *trace_take(void)
{
    static char copy[1024];

    snprintf(copy, sizeof(copy), "%s", trace ? buf_str(trace) : "");
    if (trace != NULL)
        buf_reset(trace);
    return copy;
}

/* run_until - run rounds until *count reaches want (bounded) */
static void run_until(struct event_loop *loop, const int *count, int want)
{
    int rounds = 0;

    while (*count < want && rounds++ < 10000)
        event_loop_run_once(loop, 1000);
}

/* ---- timers ---- */

struct named_timer {
    const char *name;
    uint64_t delay;
    struct event_timer *t;
    struct event_timer **victim; /* cancel this timer when firing */
    int *fired;
};

/* named_fire - note the timer; maybe cancel another */
static void named_fire(void *ctx)
{
    struct named_timer *nt = ctx;

    nt->t = NULL; /* a fired timer is gone */
    note(nt->name);
    if (nt->victim != NULL)
        event_timer_remove(nt->victim);
    (*nt->fired)++;
}

/* test_timer_order - deadline order, ties in creation order */
static void test_timer_order(void)
{
    struct event_loop *loop = event_loop_create();
    int fired = 0;
    struct named_timer cases[] = {
        { "c", 30, NULL, NULL, &fired },   /* added first, fires last */
        { "a", 10, NULL, NULL, &fired },   /* ties with a2 */
        { "b", 20, NULL, NULL, &fired },   /* between */
        { "a2", 10, NULL, NULL, &fired },  /* the deadline of "a", added later: fires later */
        { "zero", 0, NULL, NULL, &fired }, /* expired at once */
    };
    size_t i;

    trace_take();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cases[i].t = event_timer_add(loop, cases[i].delay, named_fire, &cases[i]);
    run_until(loop, &fired, 5);
    EXPECT_STR(trace_take(), "zero a a2 b c");
    event_loop_destroy(&loop);
    EXPECT_TRUE(loop == NULL);
}

/* self_remove - a timer that cancels itself inside its callback */
static void self_remove(void *ctx)
{
    struct named_timer *nt = ctx;

    note(nt->name);
    event_timer_remove(&nt->t); /* allowed: the loop frees it afterwards */
    (*nt->fired)++;
}

/* test_timer_cancel - cancel before, from another timer of the same round, and self */
static void test_timer_cancel(void)
{
    struct event_loop *loop = event_loop_create();
    int fired = 0;
    struct named_timer early = { "early", 5, NULL, NULL, &fired };
    struct named_timer killer = { "killer", 10, NULL, NULL, &fired };
    struct named_timer victim = { "victim", 10, NULL, NULL, &fired };
    struct named_timer self = { "self", 15, NULL, NULL, &fired };
    struct named_timer last = { "last", 20, NULL, NULL, &fired };

    trace_take();
    early.t = event_timer_add(loop, early.delay, named_fire, &early);
    killer.t = event_timer_add(loop, killer.delay, named_fire, &killer);
    /* same deadline: both expire in the same round, killer runs first */
    victim.t = event_timer_add(loop, victim.delay, named_fire, &victim);
    killer.victim = &victim.t;
    self.t = event_timer_add(loop, self.delay, self_remove, &self);
    last.t = event_timer_add(loop, last.delay, named_fire, &last);
    event_timer_remove(&early.t);
    EXPECT_TRUE(early.t == NULL);
    event_timer_remove(&early.t); /* NULL is accepted */
    run_until(loop, &fired, 3);
    EXPECT_STR(trace_take(), "killer self last");
    EXPECT_TRUE(victim.t == NULL);
    EXPECT_INT(event_loop_run_once(loop, 30), 0);
    event_loop_destroy(&loop);
}

struct rearm_ctx {
    struct event_loop *loop;
    int fired;
};

/* rearm_fire - a zero timer added inside a timer waits for the next round */
static void rearm_fire(void *ctx)
{
    struct rearm_ctx *r = ctx;

    r->fired++;
    if (r->fired < 3)
        (void)event_timer_add(r->loop, 0, rearm_fire, r);
}

/* test_timer_zero_next_round - a re-armed zero timer cannot starve the loop */
static void test_timer_zero_next_round(void)
{
    struct event_loop *loop = event_loop_create();
    struct rearm_ctx r = { loop, 0 };

    (void)event_timer_add(loop, 0, rearm_fire, &r);
    EXPECT_INT(event_loop_run_once(loop, 0), 1);
    EXPECT_INT(r.fired, 1);
    EXPECT_INT(event_loop_run_once(loop, 0), 1);
    EXPECT_INT(r.fired, 2);
    EXPECT_INT(event_loop_run_once(loop, 0), 1);
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    EXPECT_INT(r.fired, 3);
    event_loop_destroy(&loop);
}

struct heap_slot {
    uint64_t delay;
    int index;
    bool cancelled;
    bool fired;
    struct event_timer *t;
};

struct heap_state {
    int fired;
    int order_errors;
    uint64_t last_delay;
    int last_index;
};

static struct heap_state heap_state;

/* heap_fire - check that firing order never goes backwards */
static void heap_fire(void *ctx)
{
    struct heap_slot *s = ctx;

    s->t = NULL;
    s->fired = true;
    /* (deadline, creation order) must never go backwards */
    if (heap_state.fired > 0
        && (s->delay < heap_state.last_delay
            || (s->delay == heap_state.last_delay && s->index < heap_state.last_index)))
        heap_state.order_errors++;
    heap_state.last_delay = s->delay;
    heap_state.last_index = s->index;
    heap_state.fired++;
}

/* test_timer_heap_random - 1000 random timers, a third cancelled */
static void test_timer_heap_random(void)
{
    enum { N = 1000 };
    struct event_loop *loop = event_loop_create();
    struct heap_slot *slots = calloc(N, sizeof(*slots));
    int i, want = 0, wrong = 0;

    srand(12345);
    memset(&heap_state, 0, sizeof(heap_state));
    for (i = 0; i < N; i++) {
        slots[i].delay = (uint64_t)(rand() % 40);
        slots[i].index = i;
        slots[i].t = event_timer_add(loop, slots[i].delay, heap_fire, &slots[i]);
    }
    /* cancel a random third, from anywhere in the heap */
    for (i = 0; i < N; i++) {
        if (rand() % 3 == 0) {
            slots[i].cancelled = true;
            event_timer_remove(&slots[i].t);
        } else {
            want++;
        }
    }
    run_until(loop, &heap_state.fired, want);
    EXPECT_INT(heap_state.fired, want);
    EXPECT_INT(heap_state.order_errors, 0);
    for (i = 0; i < N; i++)
        if (slots[i].fired == slots[i].cancelled)
            wrong++;
    EXPECT_INT(wrong, 0);
    free(slots);
    event_loop_destroy(&loop);
}

/* ---- deferred calls ---- */

struct defer_ctx {
    struct event_loop *loop;
    const char *name;
    struct defer_ctx *spawn;  /* defer this one when running */
    struct defer_ctx *cancel; /* cancel this one when running */
};

/* defer_fn - note; maybe queue or cancel another deferred call */
static void defer_fn(void *ctx)
{
    struct defer_ctx *d = ctx;

    note(d->name);
    if (d->spawn != NULL)
        event_defer(d->loop, defer_fn, d->spawn);
    if (d->cancel != NULL)
        event_defer_cancel(d->loop, defer_fn, d->cancel);
}

/* test_defer_order - FIFO, cancellation, calls queued while running wait a round */
static void test_defer_order(void)
{
    struct event_loop *loop = event_loop_create();
    struct defer_ctx d = { loop, "d", NULL, NULL };
    struct defer_ctx c = { loop, "c", NULL, NULL };
    struct defer_ctx b = { loop, "b", NULL, NULL };
    struct defer_ctx a = { loop, "a", &d, &c }; /* queues d, cancels c (same batch) */
    struct defer_ctx e = { loop, "e", NULL, NULL };

    trace_take();
    event_defer(loop, defer_fn, &a);
    event_defer(loop, defer_fn, &b);
    event_defer(loop, defer_fn, &c);
    event_defer(loop, defer_fn, &e);
    event_defer(loop, defer_fn, &e);
    event_defer_cancel(loop, defer_fn, &e); /* drops both */
    /* the round does not block: deferred calls are waiting */
    EXPECT_INT(event_loop_run_once(loop, 5000), 2);
    EXPECT_STR(trace_take(), "a b");
    /* d was queued during the deferred run: next round */
    EXPECT_INT(event_loop_run_once(loop, 5000), 1);
    EXPECT_STR(trace_take(), "d");
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    event_defer(loop, defer_fn, &b);
    event_loop_destroy(&loop); /* a pending call is freed, not run */
    EXPECT_STR(trace_take(), "");
}

/* ---- fd readiness ---- */

struct io_pair {
    int fds[2];
    struct event_io *io;
    struct event_io **other;
    const char *name;
    int calls;
    unsigned events;
};

/* pair_open - a socketpair for an io test */
static void pair_open(struct io_pair *p, const char *name)
{
    memset(p, 0, sizeof(*p));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->fds) < 0)
        abort();
    p->name = name;
}

/* pair_close - remove the io and close both ends */
static void pair_close(struct io_pair *p)
{
    event_io_remove(&p->io);
    if (p->fds[0] >= 0)
        close(p->fds[0]);
    if (p->fds[1] >= 0)
        close(p->fds[1]);
}

/* io_remove_other - remove the other io from inside a callback */
static void io_remove_other(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct io_pair *p = ctx;

    (void)io;
    (void)fd;
    p->calls++;
    p->events |= events;
    note(p->name);
    event_io_remove(p->other);
}

/* test_io_remove_in_callback - an io removed by another callback of the round gets nothing */
static void test_io_remove_in_callback(void)
{
    struct event_loop *loop = event_loop_create();
    struct io_pair a, b;

    trace_take();
    pair_open(&a, "a");
    pair_open(&b, "b");
    a.other = &b.io;
    b.other = &a.io;
    /* both readable before the wait: the backend reports both in one round */
    EXPECT_INT(write(a.fds[1], "x", 1), 1);
    EXPECT_INT(write(b.fds[1], "y", 1), 1);
    a.io = event_io_add(loop, a.fds[0], EVENT_READ, io_remove_other, &a);
    b.io = event_io_add(loop, b.fds[0], EVENT_READ, io_remove_other, &b);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(a.calls + b.calls, 1);
    EXPECT_TRUE((a.io == NULL) != (b.io == NULL));
    /* the survivor is still readable (level-triggered); the removed one stays silent */
    EXPECT_INT(event_loop_run_once(loop, 0), 1);
    EXPECT_INT(a.calls + b.calls, 2);
    EXPECT_TRUE(a.calls == 2 || b.calls == 2);
    pair_close(&a);
    pair_close(&b);
    event_loop_destroy(&loop);
}

/* io_remove_self - remove the io inside its own callback */
static void io_remove_self(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct io_pair *p = ctx;

    (void)fd;
    (void)events;
    p->calls++;
    EXPECT_TRUE(io == p->io);
    event_io_remove(&p->io);
}

/* test_io_remove_self - an io removed inside its own callback */
static void test_io_remove_self(void)
{
    struct event_loop *loop = event_loop_create();
    struct io_pair a;

    pair_open(&a, "a");
    EXPECT_INT(write(a.fds[1], "x", 1), 1);
    a.io = event_io_add(loop, a.fds[0], EVENT_READ | EVENT_WRITE, io_remove_self, &a);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    EXPECT_INT(a.calls, 1);
    EXPECT_TRUE(a.io == NULL);
    pair_close(&a);
    event_loop_destroy(&loop);
}

/* io_record - note the events */
static void io_record(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct io_pair *p = ctx;

    (void)io;
    (void)fd;
    p->calls++;
    p->events = events;
}

/* test_io_mask - write, pause, read, hang-up */
static void test_io_mask(void)
{
    struct event_loop *loop = event_loop_create();
    struct io_pair a;
    char c;

    pair_open(&a, "a");
    a.io = event_io_add(loop, a.fds[0], EVENT_WRITE, io_record, &a);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(a.events, EVENT_WRITE);
    /* paused: nothing, even with data waiting */
    event_io_set(a.io, 0);
    EXPECT_INT(write(a.fds[1], "x", 1), 1);
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    event_io_set(a.io, EVENT_READ);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(a.events, EVENT_READ);
    EXPECT_INT(read(a.fds[0], &c, 1), 1);
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    /* the peer hangs up: reported as readable, the read gives EOF */
    close(a.fds[1]);
    a.fds[1] = -1;
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_TRUE((a.events & EVENT_READ) != 0);
    EXPECT_INT(read(a.fds[0], &c, 1), 0);
    /* paused after hang-up: the loop must not spin on it */
    event_io_set(a.io, 0);
    EXPECT_INT(event_loop_run_once(loop, 0), 0);
    pair_close(&a);
    event_loop_destroy(&loop);
}

/* ---- signals ---- */

struct sig_ctx {
    int signo;
    int calls;
};

/* on_signal - record the signal */
static void on_signal(int signo, void *ctx)
{
    struct sig_ctx *s = ctx;

    s->signo = signo;
    s->calls++;
}

/* test_signal - raise() then one round delivers it; removal stops delivery */
static void test_signal(void)
{
    struct event_loop *loop = event_loop_create();
    struct sig_ctx s = { 0, 0 };
    struct timespec zero = { 0, 0 };
    sigset_t usr1;

    EXPECT_INT(event_signal_add(loop, SIGUSR1, on_signal, &s), 0);
    EXPECT_INT(event_signal_add(loop, SIGUSR1, on_signal, &s), -1);
    EXPECT_INT(errno, EEXIST);
    EXPECT_INT(event_signal_add(loop, SIGKILL, on_signal, &s), -1);
    EXPECT_INT(errno, EINVAL);
    raise(SIGUSR1);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(s.calls, 1);
    EXPECT_INT(s.signo, SIGUSR1);
    /* removed: the signal stays blocked and pending, no callback */
    event_signal_remove(loop, SIGUSR1);
    raise(SIGUSR1);
    EXPECT_INT(event_loop_run_once(loop, 20), 0);
    EXPECT_INT(s.calls, 1);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    EXPECT_INT(sigtimedwait(&usr1, NULL, &zero), SIGUSR1);
    /* and it can be added again */
    EXPECT_INT(event_signal_add(loop, SIGUSR1, on_signal, &s), 0);
    raise(SIGUSR1);
    EXPECT_INT(event_loop_run_once(loop, 1000), 1);
    EXPECT_INT(s.calls, 2);
    event_loop_destroy(&loop);
}

/* ---- clock and running ---- */

struct clock_ctx {
    struct event_loop *loop;
    uint64_t seen;
    int calls;
};

/* clock_fire - record the cached clock */
static void clock_fire(void *ctx)
{
    struct clock_ctx *k = ctx;

    k->seen = event_now(k->loop);
    k->calls++;
}

/* test_now_advances - event_now moves with each round */
static void test_now_advances(void)
{
    struct event_loop *loop = event_loop_create();
    struct clock_ctx k = { loop, 0, 0 };
    uint64_t start = event_now(loop);

    EXPECT_TRUE(monotonic_ms() >= start);
    (void)event_timer_add(loop, 30, clock_fire, &k);
    run_until(loop, &k.calls, 1);
    EXPECT_TRUE(k.seen >= start + 30);
    EXPECT_TRUE(event_now(loop) >= k.seen);
    /* an empty wait still moves the clock */
    start = event_now(loop);
    EXPECT_INT(event_loop_run_once(loop, 20), 0);
    EXPECT_TRUE(event_now(loop) >= start + 19);
    event_loop_destroy(&loop);
}

/* stop_fire - re-arm twice, then stop the loop */
static void stop_fire(void *ctx)
{
    struct clock_ctx *k = ctx;

    k->calls++;
    if (k->calls == 3)
        event_loop_stop(k->loop);
    else
        (void)event_timer_add(k->loop, 1, stop_fire, k);
}

/* test_run_stop - event_loop_run until stopped; run_once counts callbacks */
static void test_run_stop(void)
{
    struct event_loop *loop = event_loop_create();
    struct clock_ctx k = { loop, 0, 0 };
    struct defer_ctx d = { loop, "d", NULL, NULL };

    (void)event_timer_add(loop, 1, stop_fire, &k);
    event_loop_run(loop);
    EXPECT_INT(k.calls, 3);
    /* run_once counts every callback of the round */
    trace_take();
    (void)event_timer_add(loop, 0, clock_fire, &k);
    event_defer(loop, defer_fn, &d);
    event_defer(loop, defer_fn, &d);
    EXPECT_INT(event_loop_run_once(loop, 0), 3);
    EXPECT_STR(trace_take(), "d d");
    event_loop_destroy(&loop);
}

/* test_destroy_with_everything - destroying the loop frees all it holds */
static void test_destroy_with_everything(void)
{
    struct event_loop *loop = event_loop_create();
    struct io_pair a;
    struct sig_ctx s = { 0, 0 };
    struct defer_ctx d = { loop, "d", NULL, NULL };

    pair_open(&a, "a");
    a.io = event_io_add(loop, a.fds[0], EVENT_READ, io_record, &a);
    (void)event_timer_add(loop, 1000, clock_fire, NULL);
    (void)event_timer_add(loop, 2000, clock_fire, NULL);
    event_defer(loop, defer_fn, &d);
    EXPECT_INT(event_signal_add(loop, SIGUSR2, on_signal, &s), 0);
    event_loop_destroy(&loop); /* frees all; the leak checker has the last word */
    EXPECT_TRUE(loop == NULL);
    a.io = NULL;
    pair_close(&a);
    event_loop_destroy(&loop); /* NULL is accepted */
}

int main(void)
{
    int r = test_run((const struct test_case[]){
        TEST_CASE(test_timer_order),
        TEST_CASE(test_timer_cancel),
        TEST_CASE(test_timer_zero_next_round),
        TEST_CASE(test_timer_heap_random),
        TEST_CASE(test_defer_order),
        TEST_CASE(test_io_remove_in_callback),
        TEST_CASE(test_io_remove_self),
        TEST_CASE(test_io_mask),
        TEST_CASE(test_signal),
        TEST_CASE(test_now_advances),
        TEST_CASE(test_run_stop),
        TEST_CASE(test_destroy_with_everything),
        TEST_END,
    });

    buf_destroy(&trace);
    return r;
}
