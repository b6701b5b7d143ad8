/* SPDX-License-Identifier: MIT
 * event_epoll - the epoll backend of the event loop (Linux).
 *
 * Level-triggered: an fd stays ready until its owner reads or writes, so a
 * round that dispatches only part of the ready set loses nothing. The epoll
 * fd is close-on-exec, so children the master spawns never inherit it.
 * EPOLLRDHUP is asked for only together with reading, because a half-closed
 * peer is news to a reader and noise to a writer.
 */
#include "util/event_backend.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/event.h"

/* Ready fds fetched per epoll_wait; more simply wait for the next round. */
#define EPOLL_BATCH 256

struct event_backend {
    int epfd;
    struct epoll_event events[EPOLL_BATCH];
};

/* event_backend_name - which backend this is */
const char *event_backend_name(void)
{
    return "epoll";
}

/* event_backend_create - open the epoll fd */
struct event_backend *event_backend_create(void)
{
    struct event_backend *b;
    int fd = epoll_create1(EPOLL_CLOEXEC);

    if (fd < 0)
        return NULL;
    b = xcalloc(1, sizeof(*b));
    b->epfd = fd;
    return b;
}

/* event_backend_destroy - close the epoll fd and free */
void event_backend_destroy(struct event_backend **b_r)
{
    struct event_backend *b = *b_r;

    if (b == NULL)
        return;
    close(b->epfd);
    xfree(*b_r);
}

/* epoll_mask - EVENT_* bits to epoll flags */
static uint32_t epoll_mask(unsigned mask)
{
    uint32_t ev = 0;

    if (mask & EVENT_READ)
        ev |= EPOLLIN | EPOLLRDHUP;
    if (mask & EVENT_WRITE)
        ev |= EPOLLOUT;
    return ev;
}

/* epoll_ctl_mask - register or change one fd */
static int epoll_ctl_mask(struct event_backend *b, int op, int fd, unsigned mask, void *data)
{
    struct epoll_event ev = { .events = epoll_mask(mask), .data.ptr = data };

    return epoll_ctl(b->epfd, op, fd, &ev);
}

/* event_backend_add - start watching an fd */
int event_backend_add(struct event_backend *b, int fd, unsigned mask, void *data)
{
    return epoll_ctl_mask(b, EPOLL_CTL_ADD, fd, mask, data);
}

/* event_backend_modify - change an fd's events */
int event_backend_modify(struct event_backend *b, int fd, unsigned mask, void *data)
{
    return epoll_ctl_mask(b, EPOLL_CTL_MOD, fd, mask, data);
}

/* event_backend_delete - stop watching an fd */
int event_backend_delete(struct event_backend *b, int fd)
{
    struct epoll_event unused = { 0 };

    return epoll_ctl(b->epfd, EPOLL_CTL_DEL, fd, &unused);
}

/* event_bits - epoll flags to EVENT_* bits */
static unsigned event_bits(uint32_t ev)
{
    unsigned bits = 0;

    if (ev & (EPOLLIN | EPOLLRDHUP))
        bits |= EVENT_READ;
    if (ev & EPOLLOUT)
        bits |= EVENT_WRITE;
    /* A hung-up fd reads EOF and fails writes at once: both directions are
     * "ready", and the loop passes on the one the owner waits for. */
    if (ev & EPOLLHUP)
        bits |= EVENT_READ | EVENT_WRITE;
    if (ev & EPOLLERR)
        bits |= EVENT_ERROR | EVENT_READ;
    return bits;
}

/* event_backend_wait - wait for readiness and translate it */
int event_backend_wait(struct event_backend *b, struct event_ready *ready, int max, int timeout_ms)
{
    int n, i;

    if (max > EPOLL_BATCH)
        max = EPOLL_BATCH;
    n = epoll_wait(b->epfd, b->events, max, timeout_ms);
    if (n < 0)
        return -1;
    for (i = 0; i < n; i++) {
        ready[i].data = b->events[i].data.ptr;
        ready[i].events = event_bits(b->events[i].events);
    }
    return n;
}
