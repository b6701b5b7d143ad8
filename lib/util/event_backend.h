/* SPDX-License-Identifier: MIT
 * event_backend - the internal interface between the event loop and the
 * kernel's readiness notification (epoll today; one file per backend).
 *
 * Only event.c uses this header. A backend watches fds for EVENT_READ and
 * EVENT_WRITE, level-triggered, and reports readiness together with the
 * opaque pointer registered for the fd. It translates the kernel's flags
 * into EVENT_* bits: hang-up is readable (the owner reads EOF) and also
 * writable (a write fails at once instead of blocking), an error condition
 * is EVENT_ERROR|EVENT_READ. The loop filters what it passes on by the
 * mask the owner asked for, so these extra bits do no harm.
 *
 * A backend never sees mask 0: the loop deletes a paused fd instead, so a
 * hung-up fd that nobody wants to hear from cannot make the loop spin.
 *
 * See also: event.h, event.c, event_epoll.c.
 */
#ifndef PETREL_UTIL_EVENT_BACKEND_H
#define PETREL_UTIL_EVENT_BACKEND_H

struct event_backend;

/* One ready fd as reported by event_backend_wait(). */
struct event_ready {
    void *data;      /* the pointer given to add/modify */
    unsigned events; /* EVENT_READ | EVENT_WRITE | EVENT_ERROR */
};

/* event_backend_create - a new backend; NULL and errno on failure */
struct event_backend *event_backend_create(void);
/* event_backend_destroy - release the backend; accepts NULL */
void event_backend_destroy(struct event_backend **b_r);
/* event_backend_name - "epoll" etc., for log lines */
const char *event_backend_name(void);

/* event_backend_add - start watching fd (mask not 0); 0, or -1 and errno */
int event_backend_add(struct event_backend *b, int fd, unsigned mask, void *data);
/* event_backend_modify - change what fd is watched for (mask not 0) */
int event_backend_modify(struct event_backend *b, int fd, unsigned mask, void *data);
/* event_backend_delete - stop watching fd; 0, or -1 and errno */
int event_backend_delete(struct event_backend *b, int fd);

/* event_backend_wait - wait at most timeout_ms (-1: forever) and store at
 * most max ready fds; the count, or -1 and errno (EINTR included) */
int event_backend_wait(struct event_backend *b, struct event_ready *ready, int max, int timeout_ms);

#endif
