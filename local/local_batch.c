/* SPDX-License-Identifier: MIT
 * local_batch - the group-commit batch of the local delivery agent and the
 * channels of its clients (qmgr processes).
 *
 * Owns the service state: the batch (the requests of this event-loop round
 * whose replies are held), the configuration derived from the parameters,
 * and one channel per client. A client that goes away with replies still
 * held stays allocated, without its channel, until the batch commits: its
 * deliveries happened and are logged; qmgr will retry them (a duplicate,
 * never a loss).
 *
 * Input trusted: the parameters. Not trusted: every request (checked by
 * local_deliver.c; the queue file descriptor must be a regular file and
 * hold the announced range). Limits: frames of ipc_max_frame_size; see
 * local_deliver.h for the request's.
 *
 * See also: local_batch.h (the protocol and the commit rule).
 */
#include "local_batch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/params.h"
#include "mail/server.h"
#include "maildir/maildir_deliver.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/event.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"
#include "util/peercred.h"

/* One request whose reply is held until the commit. */
struct local_job {
    struct ipc_msg *msg;          /* the strings of req point into it */
    struct local_request req;     /* checked; nrcpt 0 when malformed */
    struct local_result *results; /* req.nrcpt entries; NULL when malformed */
    struct local_result refusal;  /* malformed: why */
    size_t nrefused;              /* malformed: its "rcpt" attributes */
    uint64_t start_ms;            /* when it arrived, for delay= */
    local_batch_reply_fn *fn;
    void *ctx;
    struct local_job *next;
};

struct local_batch {
    struct event_loop *loop;
    const struct local_config *cfg;
    struct local_job *head, **tail;
    size_t pending;
    bool scheduled; /* the deferred commit is queued */
    struct local_batch_stats stats;
};

/* local_batch_create - an empty batch */
struct local_batch *local_batch_create(struct event_loop *loop, const struct local_config *cfg)
{
    struct local_batch *b = xcalloc(1, sizeof(*b));

    b->loop = loop;
    b->cfg = cfg;
    b->tail = &b->head;
    return b;
}

/* local_batch_destroy - commit, free */
void local_batch_destroy(struct local_batch **b_r)
{
    if (*b_r == NULL)
        return;
    local_batch_commit(*b_r);
    xfree(*b_r);
}

/* take_queue_file - the descriptor: a regular file holding the range */
static int take_queue_file(struct ipc_msg *m, const struct local_request *req, int *fd_r,
                           const char **error_r)
{
    struct stat st;

    if (ipc_msg_take_fd(m, MA_QUEUE_FILE, S_IFREG, fd_r, error_r) < 0)
        return -1;
    if (fstat(*fd_r, &st) < 0) {
        errf(error_r, "fstat of the queue file: %s", strerror(errno));
        close(*fd_r);
        return -1;
    }
    if (req->offset + req->length > (uint64_t)st.st_size) {
        errf(error_r, "content at offset %llu length %llu is beyond the end of the queue file (%lld bytes)",
             (unsigned long long)req->offset, (unsigned long long)req->length, (long long)st.st_size);
        close(*fd_r);
        return -1;
    }
    return 0;
}

/* job_prepare - check the request and deliver it; -1 if malformed */
static int job_prepare(struct local_batch *b, struct local_job *job, const char **error_r)
{
    size_t i;
    int fd;

    if (local_request_check(job->msg, &job->req, error_r) < 0)
        return -1;
    if (take_queue_file(job->msg, &job->req, &fd, error_r) < 0) {
        local_request_free(&job->req);
        return -1;
    }
    job->results = xcalloc(job->req.nrcpt, sizeof(*job->results));
    local_deliver_request(b->cfg, &job->req, fd, job->results);
    close(fd);
    for (i = 0; i < job->req.nrcpt; i++)
        if (job->results[i].new_dir != NULL)
            b->stats.deliveries++;
    return 0;
}

/* commit_deferred - the end of the round: commit */
static void commit_deferred(void *ctx)
{
    struct local_batch *b = ctx;

    b->scheduled = false;
    local_batch_commit(b);
}

/* local_batch_submit - deliver now, reply at the end of the round */
void local_batch_submit(struct local_batch *b, struct ipc_msg *m, const char *client,
                        local_batch_reply_fn *fn, void *ctx)
{
    struct local_job *job = xcalloc(1, sizeof(*job));
    const char *error;

    job->msg = m;
    job->fn = fn;
    job->ctx = ctx;
    job->start_ms = monotonic_ms();
    b->stats.requests++;
    if (job_prepare(b, job, &error) < 0) {
        local_result_set(&job->refusal, LOCAL_MALFORMED, error, NULL);
        job->nrefused = local_request_rcpt_count(m);
        b->stats.malformed++;
        msg_warn("bad request from %s: %s", client, job->refusal.reason);
    }
    *b->tail = job;
    b->tail = &job->next;
    b->pending++;
    if (!b->scheduled) {
        b->scheduled = true;
        event_defer(b->loop, commit_deferred, b);
    }
}

/* cmp_new_dir - order results by the directory they wait for */
static int cmp_new_dir(const void *x, const void *y)
{
    const struct local_result *const *a = x, *const *b = y;

    return strcmp((*a)->new_dir, (*b)->new_dir);
}

/* owed_results - every result of the jobs still waiting for its dirsync */
static struct local_result **owed_results(struct local_job *jobs, size_t *n_r)
{
    struct local_result **owed = NULL;
    struct local_job *job;
    size_t i, n = 0, cap = 0;

    for (job = jobs; job != NULL; job = job->next) {
        for (i = 0; job->results != NULL && i < job->req.nrcpt; i++) {
            if (job->results[i].new_dir == NULL)
                continue;
            if (n == cap) {
                cap = cap == 0 ? 16 : cap * 2;
                owed = xreallocarray(owed, cap, sizeof(*owed));
            }
            owed[n++] = &job->results[i];
        }
    }
    *n_r = n;
    return owed;
}

/* sync_dirs - fsync each distinct new/ once; defer what a failure touches */
static void sync_dirs(struct local_batch *b, struct local_job *jobs)
{
    char error[ERR_MAX];
    const char *e;
    size_t i, j, n;
    struct local_result **owed = owed_results(jobs, &n);

    if (n > 1)
        qsort(owed, n, sizeof(*owed), cmp_new_dir);
    for (i = 0; i < n; i = j) {
        enum maildir_result r = maildir_dirsync(owed[i]->new_dir, &e);

        b->stats.dirsyncs++;
        if (r != MAILDIR_OK)
            snprintf(error, sizeof(error), "%s", e);
        for (j = i; j < n && strcmp(owed[j]->new_dir, owed[i]->new_dir) == 0; j++)
            if (r != MAILDIR_OK)
                local_result_set(owed[j], LOCAL_DEFER, "cannot sync the mailbox directory", error);
        if (r != MAILDIR_OK)
            msg_warn("%s; %zu deliver%s deferred (the files stay in new/: a retry may duplicate them)", error,
                     j - i, j - i == 1 ? "y" : "ies");
    }
    xfree(owed);
}

/* build_reply - the reply of one job */
static struct ipc_msg *build_reply(const struct local_job *job)
{
    struct ipc_msg *r = ipc_msg_create();
    size_t i;

    if (job->results == NULL) {
        ipc_msg_add_int(r, MA_STATUS, MAIL_STATUS_PERM);
        ipc_msg_add_str(r, MA_REASON, job->refusal.reason);
        for (i = 0; i < job->nrefused; i++) {
            ipc_msg_add_int(r, MA_RCPT_STATUS, MAIL_STATUS_PERM);
            ipc_msg_add_str(r, MA_RCPT_DSN, local_outcome_dsn(LOCAL_MALFORMED));
            ipc_msg_add_str(r, MA_RCPT_REASON, "malformed delivery request");
        }
        return r;
    }
    ipc_msg_add_int(r, MA_STATUS, MAIL_STATUS_OK);
    for (i = 0; i < job->req.nrcpt; i++) {
        const struct local_result *res = &job->results[job->req.rcpts[i].first];

        ipc_msg_add_int(r, MA_RCPT_STATUS, local_outcome_status(res->outcome));
        ipc_msg_add_str(r, MA_RCPT_DSN, local_outcome_dsn(res->outcome));
        ipc_msg_add_str(r, MA_RCPT_REASON, res->reason);
    }
    return r;
}

/* log_job - one line per recipient, Postfix style */
static void log_job(const struct local_job *job, uint64_t now)
{
    uint64_t delay = now > job->start_ms ? now - job->start_ms : 0;
    size_t i;

    for (i = 0; job->results != NULL && i < job->req.nrcpt; i++) {
        const struct local_rcpt *rc = &job->req.rcpts[i];
        const struct local_result *res = &job->results[rc->first];
        bool orig = rc->orig_rcpt != NULL && rc->orig_rcpt[0] != '\0' && strcmp(rc->orig_rcpt, rc->rcpt) != 0;

        msg_info("%s: to=<%s>, %s%s%srelay=local, delay=%llu.%02llu, dsn=%s, status=%s (%s)",
                 job->req.queue_id, rc->rcpt, orig ? "orig_to=<" : "", orig ? rc->orig_rcpt : "",
                 orig ? ">, " : "", (unsigned long long)(delay / 1000),
                 (unsigned long long)(delay % 1000 / 10), local_outcome_dsn(res->outcome),
                 local_outcome_log(res->outcome), res->detail != NULL ? res->detail : res->reason);
    }
}

/* job_free - a job and everything it holds */
static void job_free(struct local_job *job)
{
    size_t i;

    for (i = 0; job->results != NULL && i < job->req.nrcpt; i++)
        local_result_clear(&job->results[i]);
    xfree(job->results);
    local_result_clear(&job->refusal);
    local_request_free(&job->req);
    ipc_msg_destroy(&job->msg);
    xfree(job);
}

/* local_batch_commit - directories first, then the replies in order */
void local_batch_commit(struct local_batch *b)
{
    struct local_job *jobs = b->head, *job;
    uint64_t now = monotonic_ms(), syncs;
    size_t n = b->pending;

    if (b->scheduled) {
        event_defer_cancel(b->loop, commit_deferred, b);
        b->scheduled = false;
    }
    if (jobs == NULL)
        return;
    b->head = NULL;
    b->tail = &b->head;
    b->pending = 0;
    b->stats.commits++;
    syncs = b->stats.dirsyncs;
    sync_dirs(b, jobs);
    msg_debug("commit: %zu request%s, %llu directory sync%s", n, n == 1 ? "" : "s",
              (unsigned long long)(b->stats.dirsyncs - syncs), b->stats.dirsyncs - syncs == 1 ? "" : "s");
    while ((job = jobs) != NULL) {
        struct ipc_msg *reply = build_reply(job);

        jobs = job->next;
        log_job(job, now);
        job->fn(reply, job->ctx);
        ipc_msg_destroy(&reply);
        job_free(job);
    }
}

/* local_batch_pending - held replies */
size_t local_batch_pending(const struct local_batch *b)
{
    return b->pending;
}

/* local_batch_stats - the counters */
const struct local_batch_stats *local_batch_stats(const struct local_batch *b)
{
    return &b->stats;
}

/* ---- the service: one channel per client ---- */

struct local_client;

struct local_service {
    struct server *server;
    struct local_config cfg;
    struct local_batch *batch;
    struct local_client *clients;
    unsigned long next_id;
    size_t max_frame;
};

struct local_client {
    struct local_service *svc;
    struct ipc_chan *chan; /* NULL once closed */
    size_t pending;        /* replies held in the batch */
    struct local_client *prev, *next;
    char name[96]; /* "client 3 (pid 1234, uid 107)" */
};

/* client_free - unlink and free a client whose channel is gone */
static void client_free(struct local_client *c, bool tell_server)
{
    struct local_service *svc = c->svc;

    ipc_chan_destroy(&c->chan);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        svc->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    msg_debug("%s: closed", c->name);
    xfree(c);
    if (tell_server)
        server_client_done(svc->server);
}

/* client_close - drop the channel; free now unless replies are held */
static void client_close(struct local_client *c)
{
    ipc_chan_destroy(&c->chan);
    if (c->pending == 0)
        client_free(c, true);
}

/* client_reply - a committed reply: send it, or drop it if the client left */
static void client_reply(const struct ipc_msg *reply, void *ctx)
{
    struct local_client *c = ctx;
    const char *error;

    c->pending--;
    if (c->chan != NULL && ipc_chan_send(c->chan, reply, &error) < 0) {
        msg_warn("%s: cannot reply: %s", c->name, error);
        ipc_chan_destroy(&c->chan);
    }
    if (c->chan == NULL) {
        if (c->pending == 0)
            client_free(c, true);
    }
}

/* client_on_msg - one request into the batch */
static void client_on_msg(struct ipc_chan *chan, struct ipc_msg *m, void *ctx)
{
    struct local_client *c = ctx;

    (void)chan;
    c->pending++;
    local_batch_submit(c->svc->batch, m, c->name, client_reply, c);
}

/* client_on_close - the client closed its channel, or the channel failed */
static void client_on_close(struct ipc_chan *chan, const char *reason, void *ctx)
{
    struct local_client *c = ctx;

    (void)chan;
    if (reason != NULL)
        msg_warn("%s: closing the channel: %s", c->name, reason);
    if (c->pending > 0)
        msg_warn("%s: gone with %zu repl%s held (its deliveries stand)", c->name, c->pending,
                 c->pending == 1 ? "y" : "ies");
    client_close(c);
}

/* local_batch_accept - a new client: its channel and the hello */
void local_batch_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len)
{
    struct local_service *svc = server_context(s);
    struct local_client *c = xcalloc(1, sizeof(*c));
    struct ipc_msg *hello;
    const char *error;

    (void)peer;
    (void)peer_len;
    c->svc = svc;
    peercred_name(fd, ++svc->next_id, c->name, sizeof(c->name));
    c->chan = ipc_chan_create(server_loop(s), fd, svc->max_frame, client_on_msg, client_on_close, c);
    c->next = svc->clients;
    if (svc->clients != NULL)
        svc->clients->prev = c;
    svc->clients = c;
    msg_debug("%s: connected", c->name);
    hello = ipc_hello_create(DELIVER_PROTOCOL, DELIVER_VERSION);
    if (ipc_chan_send(c->chan, hello, &error) < 0) {
        msg_warn("%s: cannot send the hello: %s", c->name, error);
        client_close(c);
    }
    ipc_msg_destroy(&hello);
}

/* local_batch_init - check the parameters, create the batch */
void local_batch_init(struct server *s)
{
    const struct params *p = server_params(s);
    struct local_service *svc = xcalloc(1, sizeof(*svc));

    if (p->virtual_mailbox_base[0] != '/')
        msg_fatal("virtual_mailbox_base \"%s\" is not an absolute path", p->virtual_mailbox_base);
    svc->server = s;
    svc->max_frame = (size_t)p->ipc_max_frame_size;
    svc->cfg.mailbox_base = p->virtual_mailbox_base;
    svc->cfg.size_limit = (uint64_t)p->message_size_limit + LOCAL_HEADER_ROOM;
    svc->cfg.quota_default = (uint64_t)p->mailbox_quota_default;
    svc->cfg.quota_bounce = strcmp(p->mailbox_quota_action, "bounce") == 0;
    svc->batch = local_batch_create(server_loop(s), &svc->cfg);
    server_set_context(s, svc);
    msg_debug("virtual_mailbox_base %s, content limit %llu bytes", svc->cfg.mailbox_base,
              (unsigned long long)svc->cfg.size_limit);
}

/* local_batch_deinit - commit what is held, then close every client */
void local_batch_deinit(struct server *s)
{
    struct local_service *svc = server_context(s);
    const struct local_batch_stats *st;

    if (svc == NULL)
        return;
    local_batch_commit(svc->batch);
    st = local_batch_stats(svc->batch);
    msg_info(
        "statistics: %llu requests (%llu malformed), %llu deliveries, %llu directory syncs in %llu commits",
        (unsigned long long)st->requests, (unsigned long long)st->malformed,
        (unsigned long long)st->deliveries, (unsigned long long)st->dirsyncs,
        (unsigned long long)st->commits);
    local_batch_destroy(&svc->batch);
    while (svc->clients != NULL)
        client_free(svc->clients, false);
    server_set_context(s, NULL);
    xfree(svc);
}
