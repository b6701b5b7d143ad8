/* SPDX-License-Identifier: MIT
 * qmgr_admin - petrel queue's requests, served inside qmgr, which alone
 * owns the queue: list reads the files of incoming/ (only committed ones,
 * known in memory), deferred/ and hold/ with the strict reader; the other
 * requests go through qmgr_queue, which keeps its in-memory state right.
 *
 * Trusts: nothing from the client; the peer's uid comes from the kernel.
 *
 * See also: qmgr_admin.h, qmgr_queue.h.
 */
#include "qmgr_admin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/queue_file.h"
#include "mail/queue_id.h"
#include "qmgr_queue.h"
#include "qmgr_submit.h"
#include "util/err.h"
#include "util/ipc.h"
#include "util/ipc_chan.h"
#include "util/msg.h"
#include "util/peercred.h"

static const struct {
    const char *name;
    enum qmgr_admin_req req;
    bool needs_id;
} admin_table[] = {
    { ADMIN_REQ_LIST, QMGR_ADMIN_LIST, false },   { ADMIN_REQ_DELETE, QMGR_ADMIN_DELETE, true },
    { ADMIN_REQ_HOLD, QMGR_ADMIN_HOLD, true },    { ADMIN_REQ_RELEASE, QMGR_ADMIN_RELEASE, true },
    { ADMIN_REQ_FLUSH, QMGR_ADMIN_FLUSH, false },
};

#define ADMIN_TABLE_SIZE (sizeof(admin_table) / sizeof(admin_table[0]))

/* lookup - the table row of m's request, or -1 */
static int lookup(const struct ipc_msg *m)
{
    const char *name;
    size_t i;

    if (ipc_msg_get_str(m, MA_REQUEST, &name, NULL) < 0)
        return -1;
    for (i = 0; i < ADMIN_TABLE_SIZE; i++)
        if (strcmp(name, admin_table[i].name) == 0)
            return (int)i;
    return -1;
}

/* qmgr_admin_request - classify by the request name only */
enum qmgr_admin_req qmgr_admin_request(const struct ipc_msg *m)
{
    int i = lookup(m);

    return i < 0 ? QMGR_ADMIN_NONE : admin_table[i].req;
}

/* qmgr_admin_check - the request name and its queue id */
int qmgr_admin_check(const struct ipc_msg *m, enum qmgr_admin_req *req_r, const char **id_r,
                     const char **error_r)
{
    int i = lookup(m);
    const char *error;

    *req_r = QMGR_ADMIN_NONE;
    *id_r = NULL;
    if (i < 0)
        return errf(error_r, "not an administration request");
    *req_r = admin_table[i].req;
    if (!admin_table[i].needs_id)
        return 0;
    if (ipc_msg_get_str(m, MA_QUEUE_ID, id_r, &error) < 0)
        return errf(error_r, "%s: %s", admin_table[i].name, error);
    if (!queue_id_valid(*id_r))
        return errf(error_r, "%s: malformed queue id", admin_table[i].name);
    return 0;
}

/* qmgr_admin_peer_allowed - root or qmgr's own user */
bool qmgr_admin_peer_allowed(uid_t peer, uid_t self)
{
    return peer == 0 || peer == self;
}

/* reply - status, and a reason when it failed */
static void reply(struct ipc_chan *chan, int status, const char *reason)
{
    struct ipc_msg *r = ipc_msg_create();
    const char *error;

    ipc_msg_add_int(r, MA_STATUS, status);
    if (status != 0)
        ipc_msg_add_str(r, MA_REASON, reason);
    if (ipc_chan_send(chan, r, &error) < 0)
        msg_warn("admin: cannot reply: %s", error);
    ipc_msg_destroy(&r);
}

/* list_one - the message describing one queue file, or NULL */
static struct ipc_msg *list_one(struct qmgr_queue *q, enum qmgr_dir dir, const char *id)
{
    const struct qmgr_msg *known = qmgr_queue_find(q, id);
    struct qf_message *qf = NULL;
    struct ipc_msg *r;
    const char *error;
    size_t i;
    int fd;

    /* In incoming/, a file not in memory is still being received. */
    if (dir == QMGR_DIR_INCOMING && known == NULL)
        return NULL;
    fd = openat(qmgr_queue_dirfd(q, dir), id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    if (qf_read(fd, &qf, &error) < 0) {
        msg_debug("%s: admin list: %s", id, error);
        close(fd);
        return NULL;
    }
    close(fd);
    r = ipc_msg_create();
    ipc_msg_add_str(r, MA_QUEUE_ID, id);
    ipc_msg_add_str(r, "queue", qmgr_queue_dir_name(dir));
    ipc_msg_add_int(r, "arrival", qf->arrival_sec);
    ipc_msg_add_int(r, MA_SIZE, (int64_t)qf->content_length);
    ipc_msg_add_str(r, MA_SENDER, qf->sender != NULL ? qf->sender : "");
    for (i = 0; i < qf->nrcpts; i++)
        if (!qf->rcpts[i].done)
            ipc_msg_add_str(r, MA_RCPT, qf->rcpts[i].address);
    if (known != NULL && known->reason != NULL)
        ipc_msg_add_str(r, MA_REASON, known->reason);
    qf_message_free(&qf);
    return r;
}

/* list_dir - one message per queue file of dir */
static void list_dir(struct qmgr_queue *q, struct ipc_chan *chan, enum qmgr_dir dir)
{
    int fd = dup(qmgr_queue_dirfd(q, dir));
    struct ipc_msg *r;
    struct dirent *de;
    const char *error;
    DIR *d;

    if (fd < 0 || (d = fdopendir(fd)) == NULL) {
        msg_warn("admin: cannot read %s/: %s", qmgr_queue_dir_name(dir), strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    rewinddir(d);
    while ((de = readdir(d)) != NULL) {
        if (!queue_id_valid(de->d_name) || (r = list_one(q, dir, de->d_name)) == NULL)
            continue;
        if (ipc_chan_send(chan, r, &error) < 0)
            msg_warn("admin: cannot send the list: %s", error);
        ipc_msg_destroy(&r);
    }
    closedir(d);
}

/* list - incoming/, deferred/, hold/, then end=1 */
static void list(struct qmgr_queue *q, struct ipc_chan *chan)
{
    struct ipc_msg *end = ipc_msg_create();
    const char *error;

    list_dir(q, chan, QMGR_DIR_INCOMING);
    list_dir(q, chan, QMGR_DIR_DEFERRED);
    list_dir(q, chan, QMGR_DIR_HOLD);
    ipc_msg_add_int(end, "end", 1);
    if (ipc_chan_send(chan, end, &error) < 0)
        msg_warn("admin: cannot send the list: %s", error);
    ipc_msg_destroy(&end);
}

/* act - the effect of a checked request */
static int act(struct qmgr_queue *q, struct ipc_chan *chan, enum qmgr_admin_req req, const char *id,
               const char **error_r)
{
    switch (req) {
    case QMGR_ADMIN_LIST:
        list(q, chan);
        return 1; /* already answered */
    case QMGR_ADMIN_DELETE:
        return qmgr_queue_delete(q, id, error_r);
    case QMGR_ADMIN_HOLD:
        return qmgr_queue_hold(q, id, error_r);
    case QMGR_ADMIN_RELEASE:
        return qmgr_queue_release(q, id, error_r);
    case QMGR_ADMIN_FLUSH:
        qmgr_queue_flush(q);
        return 0;
    case QMGR_ADMIN_NONE:
    default:
        return errf(error_r, "not an administration request");
    }
}

/* qmgr_admin_serve - policy, check, effect, reply */
void qmgr_admin_serve(struct qmgr_service *svc, struct ipc_chan *chan, const struct ipc_msg *m,
                      unsigned long session)
{
    enum qmgr_admin_req req;
    const char *id, *error;
    uid_t uid = (uid_t)-1;
    pid_t pid;
    int rc;

    rc = peercred_get(ipc_chan_fd(chan), &pid, &uid);
    if (rc < 0 || !qmgr_admin_peer_allowed(uid, geteuid())) {
        msg_warn("session %lu: admin request refused: peer uid %ld is neither root nor qmgr's user", session,
                 rc < 0 ? -1L : (long)uid);
        reply(chan, MAIL_STATUS_PERM, "Permission denied");
        return;
    }
    if (qmgr_admin_check(m, &req, &id, &error) < 0) {
        msg_warn("session %lu: admin request refused: %s", session, error);
        reply(chan, MAIL_STATUS_PERM, error);
        return;
    }
    rc = act(svc->queue, chan, req, id, &error);
    if (rc < 0) {
        msg_info("session %lu: admin request refused: %s", session, error);
        reply(chan, MAIL_STATUS_PERM, error);
    } else if (rc == 0) {
        reply(chan, MAIL_STATUS_OK, NULL);
    }
}
