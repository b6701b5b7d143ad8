/* SPDX-License-Identifier: MIT
 * pickup_scan - the maildrop watcher and the decision for each drop (the
 * rules are in pickup_scan.h).
 *
 * Owns the directory and inotify descriptors, the scan timer and the
 * foreign-name set. Each log line names the drop as maildrop/NAME and its
 * owner's uid; once qmgr has the message the line is keyed by its queue
 * id, "QID: uid=N, from=<SENDER>, maildrop/NAME".
 */
#include "pickup_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_header.h"
#include "mail/maildrop.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/msg.h"

struct pickup_service {
    struct event_loop *loop;
    struct pickup_config cfg; /* strings copied */
    int dirfd, inotify_fd;
    struct event_io *inotify_io;
    struct event_timer *timer;
    char **foreign; /* names already logged as not ours */
    size_t nforeign;
};

/* foreign_name - log a name that is not a drop name, once */
static void foreign_name(struct pickup_service *s, const char *name)
{
    char safe[101];
    size_t i;

    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return;
    for (i = 0; i < s->nforeign; i++)
        if (strcmp(s->foreign[i], name) == 0)
            return;
    if (s->nforeign > PICKUP_FOREIGN_MAX)
        return;
    if (s->nforeign == PICKUP_FOREIGN_MAX) {
        msg_warn("maildrop: more than %d foreign names: no more are logged", PICKUP_FOREIGN_MAX);
        s->nforeign++;
        return;
    }
    mail_header_sanitize(safe, sizeof(safe) - 1, name, strlen(name));
    msg_warn("maildrop/%s: not a drop file name: left alone", safe);
    s->foreign = xreallocarray(s->foreign, s->nforeign + 1, sizeof(*s->foreign));
    s->foreign[s->nforeign++] = xstrdup(name);
}

/* drop_remove - unlink a drop (or whatever took its name) */
static void drop_remove(struct pickup_service *s, const char *name)
{
    if (unlinkat(s->dirfd, name, 0) == 0 || errno == ENOENT)
        return;
    if (errno == EISDIR && unlinkat(s->dirfd, name, AT_REMOVEDIR) == 0)
        return;
    msg_warn("maildrop/%s: cannot remove: %m", name);
}

/* refuse - a drop that is not acceptable: log it and remove it */
static void refuse(struct pickup_service *s, const char *name, uid_t uid, const char *why)
{
    msg_warn("maildrop/%s from uid %ld: %s: removed", name, uid == (uid_t)-1 ? -1L : (long)uid, why);
    drop_remove(s, name);
}

/* submit - hand an open, checked drop to qmgr; false: qmgr unreachable */
static bool submit(struct pickup_service *s, const char *name, int fd, uid_t uid, const struct pickup_drop *d)
{
    struct pickup_submit_result r;

    pickup_submit(&s->cfg.submit, fd, uid, d, time(NULL), &r);
    switch (r.status) {
    case PICKUP_SUBMIT_OK:
        msg_info("%s: uid=%lu, from=<%s>, nrcpt=%zu, maildrop/%s", r.queue_id, (unsigned long)uid, d->sender,
                 d->nrcpts, name);
        drop_remove(s, name);
        return true;
    case PICKUP_SUBMIT_TEMP:
        msg_warn("maildrop/%s from uid %lu: deferred: %s %s (tried again at the next scan)", name,
                 (unsigned long)uid, r.dsn, r.reason);
        return !r.unreachable;
    case PICKUP_SUBMIT_PERM:
        refuse(s, name, uid,
               err_fmt("refused by qmgr: %s %s (no bounce message is sent yet)", r.dsn, r.reason));
        return true;
    case PICKUP_SUBMIT_TRUNCATED:
    default:
        refuse(s, name, uid, err_fmt("%s: message aborted", r.reason));
        return true;
    }
}

/* pickup_take - one directory entry, start to end */
bool pickup_take(struct pickup_service *s, const char *name)
{
    struct pickup_drop d;
    const char *why;
    bool go_on = true;
    uid_t uid;
    int fd;

    if (!maildrop_name_valid(name)) {
        foreign_name(s, name);
        return true;
    }
    switch (pickup_file_open(s->dirfd, name, &s->cfg.limits, time(NULL), &fd, &uid, &why)) {
    case PICKUP_OPEN_READY:
        break;
    case PICKUP_OPEN_STALE:
    case PICKUP_OPEN_REFUSE:
        refuse(s, name, uid, why);
        return true;
    case PICKUP_OPEN_ERROR:
        msg_warn("maildrop/%s: %s (tried again at the next scan)", name, why);
        return true;
    case PICKUP_OPEN_GONE:
    case PICKUP_OPEN_WRITING:
    default:
        return true;
    }
    if (pickup_file_read(fd, s->cfg.myorigin, s->cfg.limits.content_max, &d, &why) < 0) {
        refuse(s, name, uid, why);
    } else {
        go_on = submit(s, name, fd, uid, &d);
        pickup_drop_free(&d);
    }
    close(fd);
    return go_on;
}

/* collect - the names in the directory now (the scan then changes it) */
static char **collect(struct pickup_service *s, size_t *count_r)
{
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    DIR *dir;
    int fd;

    *count_r = 0;
    if ((fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
        || (dir = fdopendir(fd)) == NULL) {
        msg_warn("%s: cannot list: %m", s->cfg.maildrop_dir);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.'
            && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        names = xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = xstrdup(de->d_name);
    }
    closedir(dir);
    *count_r = n;
    return names;
}

/* pickup_scan_all - every entry; stop early when qmgr is unreachable */
void pickup_scan_all(struct pickup_service *s)
{
    size_t n, i;
    char **names = collect(s, &n);
    bool go_on = true;

    for (i = 0; i < n; i++) {
        if (go_on)
            go_on = pickup_take(s, names[i]);
        xfree(names[i]);
    }
    xfree(names);
}

/* on_timer - the periodic safety-net scan */
static void on_timer(void *ctx)
{
    struct pickup_service *s = ctx;

    s->timer = event_timer_add(s->loop, s->cfg.scan_interval_ms, on_timer, s);
    pickup_scan_all(s);
}

/* on_inotify - take each name an event names; a full scan on overflow */
static void on_inotify(struct event_io *io, int fd, unsigned events, void *ctx)
{
    struct pickup_service *s = ctx;
    char buf[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
        __attribute__((aligned(__alignof__(struct inotify_event))));
    const struct inotify_event *ev;
    ssize_t n;
    bool rescan = false, go_on = true;
    char *p;

    (void)io;
    (void)events;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
            ev = (const struct inotify_event *)(void *)p;
            if ((ev->mask & IN_Q_OVERFLOW) != 0)
                rescan = true;
            else if (ev->len > 0 && go_on)
                go_on = pickup_take(s, ev->name);
        }
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR)
        msg_warn("inotify: read: %m");
    if (rescan)
        pickup_scan_all(s);
}

/* watch - inotify on the directory; without it the scans still run */
static void watch(struct pickup_service *s)
{
    s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (s->inotify_fd < 0
        || inotify_add_watch(s->inotify_fd, s->cfg.maildrop_dir, IN_ATTRIB | IN_MOVED_TO | IN_CLOSE_WRITE)
               < 0) {
        msg_warn("inotify on %s: %m: drops are found by the scan every %llu s only", s->cfg.maildrop_dir,
                 (unsigned long long)(s->cfg.scan_interval_ms / 1000));
        if (s->inotify_fd >= 0)
            close(s->inotify_fd);
        s->inotify_fd = -1;
        return;
    }
    s->inotify_io = event_io_add(s->loop, s->inotify_fd, EVENT_READ, on_inotify, s);
}

/* pickup_service_create - the directory, the watch, the first scan */
int pickup_service_create(struct event_loop *loop, const struct pickup_config *cfg,
                          struct pickup_service **s_r, const char **error_r)
{
    struct pickup_service *s;
    int fd = open(cfg->maildrop_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return errf(error_r, "open %s: %s", cfg->maildrop_dir, strerror(errno));
    s = xcalloc(1, sizeof(*s));
    s->loop = loop;
    s->cfg = *cfg;
    s->cfg.maildrop_dir = xstrdup(cfg->maildrop_dir);
    s->cfg.myorigin = xstrdup(cfg->myorigin);
    s->cfg.submit.qmgr_path = xstrdup(cfg->submit.qmgr_path);
    s->cfg.submit.myhostname = xstrdup(cfg->submit.myhostname);
    s->dirfd = fd;
    watch(s);
    s->timer = event_timer_add(loop, 0, on_timer, s);
    *s_r = s;
    return 0;
}

/* pickup_service_destroy - undo create */
void pickup_service_destroy(struct pickup_service **s_r)
{
    struct pickup_service *s = *s_r;
    size_t i;

    if (s == NULL)
        return;
    event_timer_remove(&s->timer);
    event_io_remove(&s->inotify_io);
    if (s->inotify_fd >= 0)
        close(s->inotify_fd);
    close(s->dirfd);
    for (i = 0; i < s->nforeign && i < PICKUP_FOREIGN_MAX; i++)
        xfree(s->foreign[i]);
    xfree(s->foreign);
    xfree(s->cfg.maildrop_dir);
    xfree(s->cfg.myorigin);
    xfree(s->cfg.submit.qmgr_path);
    xfree(s->cfg.submit.myhostname);
    xfree(s);
    *s_r = NULL;
}
