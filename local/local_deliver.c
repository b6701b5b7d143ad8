/* SPDX-License-Identifier: MIT
 * local_deliver - checks of a local-deliver request, the outcome table,
 * and the delivery of one message into each distinct Maildir.
 *
 * Owns nothing beyond a call: a checked request points into its message,
 * results are filled for the caller. Input trusted: virtual_mailbox_base
 * (configuration). Not trusted: every attribute of the request (qmgr is a
 * sibling) and the store below the base, where a mailbox path component
 * that is a symbolic link or not a directory is refused (opened one
 * component at a time with O_NOFOLLOW, then the Maildir library opens
 * tmp/ and new/ the same way). The store is writable only by the mailbox
 * owner, the user local runs as, so nobody else can swap a component
 * between this check and the delivery.
 *
 * Limits: see local_deliver.h.
 */
#include "local_deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/mail_proto.h"
#include "mail/queue_id.h"
#include "maildir/maildir_deliver.h"
#include "maildir/maildir_folder.h"
#include "maildir/maildir_quota.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/ipc.h"
#include "util/msg.h"

/* The one table from outcome to reply status, enhanced code and log word. */
static const struct {
    int status;
    const char *dsn;
    const char *log;
} outcome_table[] = {
    [LOCAL_SENT] = { MAIL_STATUS_OK, "2.0.0", "sent" },
    [LOCAL_DEFER] = { MAIL_STATUS_TEMP, "4.3.0", "deferred" },
    [LOCAL_TOO_BIG] = { MAIL_STATUS_PERM, "5.3.4", "bounced" },
    [LOCAL_BAD_STORE] = { MAIL_STATUS_PERM, "5.3.5", "bounced" },
    [LOCAL_BOUNCE] = { MAIL_STATUS_PERM, "5.3.0", "bounced" },
    [LOCAL_MALFORMED] = { MAIL_STATUS_PERM, "5.3.0", "bounced" },
    [LOCAL_FULL_DEFER] = { MAIL_STATUS_TEMP, "4.2.2", "deferred" },
    [LOCAL_FULL_BOUNCE] = { MAIL_STATUS_PERM, "5.2.2", "bounced" },
};

/* local_outcome_status - the reply status of an outcome */
int local_outcome_status(enum local_outcome o)
{
    return outcome_table[o].status;
}

/* local_outcome_dsn - the enhanced status code of an outcome */
const char *local_outcome_dsn(enum local_outcome o)
{
    return outcome_table[o].dsn;
}

/* local_outcome_log - the log word of an outcome */
const char *local_outcome_log(enum local_outcome o)
{
    return outcome_table[o].log;
}

/* local_check_mailbox - relative, safe components, ending in '/' */
int local_check_mailbox(const char *mailbox, const char **error_r)
{
    size_t len = strnlen(mailbox, LOCAL_MAILBOX_MAX + 1), i, start = 0, depth = 0;

    if (len == 0)
        return errf(error_r, "mailbox is empty");
    if (len > LOCAL_MAILBOX_MAX)
        return errf(error_r, "mailbox is longer than %d bytes", LOCAL_MAILBOX_MAX);
    if (mailbox[0] == '/')
        return errf(error_r, "mailbox is an absolute path (it must be relative to virtual_mailbox_base)");
    if (mailbox[len - 1] != '/')
        return errf(error_r, "mailbox does not end in '/' (only Maildir delivery is supported)");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)mailbox[i];

        if (c == '/') {
            if (i == start)
                return errf(error_r, "mailbox has an empty component at offset %zu", i);
            if (i - start > LOCAL_COMPONENT_MAX)
                return errf(error_r, "mailbox has a component longer than %d bytes", LOCAL_COMPONENT_MAX);
            if (++depth > LOCAL_MAILBOX_DEPTH_MAX)
                return errf(error_r, "mailbox has more than %d components", LOCAL_MAILBOX_DEPTH_MAX);
            start = i + 1;
            continue;
        }
        /* this refuses "." and ".." and hidden directories such as Maildir++ folders */
        if (i == start && c == '.')
            return errf(error_r, "mailbox has a component starting with '.' at offset %zu", i);
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return errf(error_r, "mailbox has the byte 0x%02x at offset %zu", c, i);
    }
    return 0;
}

/* local_check_address - bounded, no control bytes (no CR or LF for headers) */
int local_check_address(const char *what, const char *s, bool may_be_empty, const char **error_r)
{
    size_t len = strnlen(s, LOCAL_ADDR_MAX + 1), i;

    if (len == 0 && !may_be_empty)
        return errf(error_r, "%s is empty", what);
    if (len > LOCAL_ADDR_MAX)
        return errf(error_r, "%s is longer than %d bytes", what, LOCAL_ADDR_MAX);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x20 || c == 0x7f)
            return errf(error_r, "%s has the control byte 0x%02x at offset %zu", what, c, i);
    }
    return 0;
}

/* quota_number - 1..18 decimal digits at *p, advanced past them */
static int quota_number(const char **p, uint64_t *v_r)
{
    uint64_t v = 0;
    size_t n = 0;

    for (; **p >= '0' && **p <= '9' && n < 18; (*p)++, n++)
        v = v * 10 + (uint64_t)(**p - '0');
    *v_r = v;
    return n > 0 && !(**p >= '0' && **p <= '9') ? 0 : -1;
}

/* local_check_quota - "BYTES" or "BYTES,MESSAGES" */
int local_check_quota(const char *s, uint64_t *bytes_r, uint64_t *count_r, const char **error_r)
{
    const char *p = s;

    *count_r = 0;
    if (quota_number(&p, bytes_r) < 0 || (*p == ',' && (p++, quota_number(&p, count_r) < 0)) || *p != '\0')
        return errf(error_r, "quota \"%.40s\" is not BYTES[,MESSAGES] (1 to 18 digits each)", s);
    return 0;
}

/* local_check_queue_id - a well-formed queue id (queue_id_valid) */
int local_check_queue_id(const char *s, const char **error_r)
{
    if (!queue_id_valid(s))
        return errf(error_r, "queue_id \"%.*s\" is not %d characters of 0-9A-V", QUEUE_ID_LEN, s,
                    QUEUE_ID_LEN);
    return 0;
}

/* check_singletons - request, queue_id, sender, offset, length, queue_file
 * each appear at most once (a repeat would make the request ambiguous) */
static int check_singletons(const struct ipc_msg *m, const char **error_r)
{
    static const char *const names[] = { MA_REQUEST, MA_QUEUE_ID, MA_SENDER,
                                         MA_OFFSET,  MA_LENGTH,   MA_QUEUE_FILE };
    size_t seen[sizeof(names) / sizeof(names[0])] = { 0 };
    size_t i, j, n = ipc_msg_count(m);

    for (i = 0; i < n; i++) {
        const struct ipc_attr *a = ipc_msg_attr(m, i);

        for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
            if (strcmp(a->name, names[j]) == 0 && ++seen[j] > 1)
                return errf(error_r, "attribute \"%s\" appears more than once", names[j]);
    }
    return 0;
}

/* get_size - a non-negative integer attribute */
static int get_size(const struct ipc_msg *m, const char *name, uint64_t *v_r, const char **error_r)
{
    int64_t v;

    if (ipc_msg_get_int(m, name, &v, error_r) < 0)
        return -1;
    if (v < 0)
        return errf(error_r, "%s is negative", name);
    *v_r = (uint64_t)v;
    return 0;
}

/* check_envelope - request name, queue id, sender, content range */
static int check_envelope(const struct ipc_msg *m, struct local_request *req, const char **error_r)
{
    const char *request;

    if (check_singletons(m, error_r) < 0 || ipc_msg_get_str(m, MA_REQUEST, &request, error_r) < 0)
        return -1;
    if (strcmp(request, DELIVER_REQ_DELIVER) != 0)
        return errf(error_r, "unknown request \"%.64s\"", request);
    if (ipc_msg_get_str(m, MA_QUEUE_ID, &req->queue_id, error_r) < 0
        || local_check_queue_id(req->queue_id, error_r) < 0
        || ipc_msg_get_str(m, MA_SENDER, &req->sender, error_r) < 0
        || local_check_address("sender", req->sender, true, error_r) < 0
        || get_size(m, MA_OFFSET, &req->offset, error_r) < 0
        || get_size(m, MA_LENGTH, &req->length, error_r) < 0)
        return -1;
    /* both are at most INT64_MAX, so the sum cannot wrap */
    if (req->offset + req->length > (uint64_t)INT64_MAX)
        return errf(error_r, "offset plus length exceeds the largest file offset");
    return 0;
}

/* local_request_rcpt_count - "rcpt" attributes, capped at LOCAL_RCPT_MAX + 1 */
size_t local_request_rcpt_count(const struct ipc_msg *m)
{
    size_t i, n = ipc_msg_count(m), count = 0;

    for (i = 0; i < n && count <= LOCAL_RCPT_MAX; i++)
        if (strcmp(ipc_msg_attr(m, i)->name, MA_RCPT) == 0)
            count++;
    return count;
}

/* rcpt_quota - the optional "quota" of recipient cur */
static int rcpt_quota(const struct ipc_attr *a, struct local_rcpt *cur, size_t index, const char **error_r)
{
    const char *e;

    if (a->type != IPC_STR)
        return errf(error_r, "recipient %zu: attribute \"%s\" is not a string", index + 1, a->name);
    if (cur->has_quota)
        return errf(error_r, "recipient %zu: attribute \"%s\" appears more than once", index + 1, a->name);
    if (local_check_quota(a->s, &cur->quota_bytes, &cur->quota_count, &e) < 0)
        return errf(error_r, "recipient %zu: %s", index + 1, e);
    cur->has_quota = true;
    return 0;
}

/* rcpt_attr - check one per-recipient attribute against recipient cur */
static int rcpt_attr(const struct ipc_attr *a, struct local_rcpt *cur, size_t index, const char **error_r)
{
    const char **slot = strcmp(a->name, MA_MAILBOX) == 0 ? &cur->mailbox : &cur->orig_rcpt, *e;

    if (strcmp(a->name, MA_QUOTA) == 0)
        return rcpt_quota(a, cur, index, error_r);
    if (a->type != IPC_STR)
        return errf(error_r, "recipient %zu: attribute \"%s\" is not a string", index + 1, a->name);
    if (*slot != NULL)
        return errf(error_r, "recipient %zu: attribute \"%s\" appears more than once", index + 1, a->name);
    if (slot == &cur->mailbox ? local_check_mailbox(a->s, &e) < 0
                              : local_check_address("orig_rcpt", a->s, true, &e) < 0)
        return errf(error_r, "recipient %zu: %s", index + 1, e);
    *slot = a->s;
    return 0;
}

/* collect_rcpts - group rcpt, mailbox, orig_rcpt, quota by order */
static int collect_rcpts(const struct ipc_msg *m, struct local_request *req, const char **error_r)
{
    size_t i, n = ipc_msg_count(m), count = local_request_rcpt_count(m);
    const char *e;

    if (count == 0)
        return errf(error_r, "no recipient");
    if (count > LOCAL_RCPT_MAX)
        return errf(error_r, "more than %d recipients", LOCAL_RCPT_MAX);
    req->rcpts = xcalloc(count, sizeof(*req->rcpts));
    for (i = 0; i < n; i++) {
        const struct ipc_attr *a = ipc_msg_attr(m, i);
        struct local_rcpt *cur = req->nrcpt > 0 ? &req->rcpts[req->nrcpt - 1] : NULL;

        if (strcmp(a->name, MA_RCPT) == 0) {
            if (a->type != IPC_STR)
                return errf(error_r, "recipient %zu: attribute \"rcpt\" is not a string", req->nrcpt + 1);
            if (local_check_address("rcpt", a->s, false, &e) < 0)
                return errf(error_r, "recipient %zu: %s", req->nrcpt + 1, e);
            req->rcpts[req->nrcpt++].rcpt = a->s;
        } else if (strcmp(a->name, MA_MAILBOX) == 0 || strcmp(a->name, MA_ORIG_RCPT) == 0
                   || strcmp(a->name, MA_QUOTA) == 0) {
            if (cur == NULL)
                return errf(error_r, "attribute \"%s\" before the first \"rcpt\"", a->name);
            if (rcpt_attr(a, cur, req->nrcpt - 1, error_r) < 0)
                return -1;
        }
    }
    for (i = 0; i < req->nrcpt; i++)
        if (req->rcpts[i].mailbox == NULL)
            return errf(error_r, "recipient %zu: no mailbox", i + 1);
    return 0;
}

/* mark_same_mailbox - each recipient points at the first one with its
 * mailbox (paths are checked, so equal strings are the same directory) */
static void mark_same_mailbox(struct local_request *req)
{
    size_t i, j;

    for (i = 0; i < req->nrcpt; i++) {
        req->rcpts[i].first = i;
        for (j = 0; j < i; j++) {
            if (strcmp(req->rcpts[i].mailbox, req->rcpts[j].mailbox) == 0) {
                req->rcpts[i].first = req->rcpts[j].first;
                break;
            }
        }
    }
}

/* local_request_check - the whole request, without its descriptor */
int local_request_check(const struct ipc_msg *m, struct local_request *req_r, const char **error_r)
{
    memset(req_r, 0, sizeof(*req_r));
    if (check_envelope(m, req_r, error_r) < 0)
        return -1;
    if (collect_rcpts(m, req_r, error_r) < 0) {
        local_request_free(req_r);
        return -1;
    }
    mark_same_mailbox(req_r);
    return 0;
}

/* local_request_free - free the recipient array */
void local_request_free(struct local_request *req)
{
    xfree(req->rcpts);
    req->nrcpt = 0;
}

/* local_result_set - outcome, printable short reason, log detail */
void local_result_set(struct local_result *r, enum local_outcome o, const char *reason, const char *detail)
{
    size_t i;

    r->outcome = o;
    snprintf(r->reason, sizeof(r->reason), "%s", reason != NULL ? reason : "");
    for (i = 0; r->reason[i] != '\0'; i++)
        if ((unsigned char)r->reason[i] < 0x20 || (unsigned char)r->reason[i] >= 0x7f)
            r->reason[i] = '?';
    xfree(r->detail);
    if (detail != NULL)
        r->detail = xstrdup(detail);
}

/* local_result_clear - free and zero */
void local_result_clear(struct local_result *r)
{
    xfree(r->detail);
    xfree(r->new_dir);
    memset(r, 0, sizeof(*r));
}

/* set_failure - classify a failed step by errno: outcome, reason, detail */
static void set_failure(struct local_result *res, int errnum, const char *detail)
{
    char reason[LOCAL_REASON_MAX + 1];

    switch (errnum) {
    case EFBIG:
        local_result_set(res, LOCAL_TOO_BIG, "message too large for the mailbox", detail);
        return;
    case ELOOP:
        local_result_set(res, LOCAL_BAD_STORE, "mailbox path contains a symbolic link", detail);
        return;
    case ENOTDIR:
        local_result_set(res, LOCAL_BAD_STORE, "mailbox path contains a non-directory", detail);
        return;
    default:
        snprintf(reason, sizeof(reason), "cannot write the mailbox: %s", strerror(errnum));
        local_result_set(res, maildir_errno_result(errnum) == MAILDIR_PERMFAIL ? LOCAL_BOUNCE : LOCAL_DEFER,
                         reason, detail);
        return;
    }
}

/* check_store - open each existing component of mailbox below base
 * without following symlinks; missing ones are created later */
static int check_store(const char *base, const char *mailbox, struct local_result *res)
{
    char dirpath[PATH_MAX], comp[LOCAL_COMPONENT_MAX + 1];
    const char *p = mailbox, *slash, *error = NULL;
    int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC), next;

    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0) {
        int saved = errno;

        set_failure(res, saved, err_fmt("open virtual_mailbox_base %s: %s", base, strerror(saved)));
        return -1;
    }
    snprintf(dirpath, sizeof(dirpath), "%s", base);
    for (; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
        snprintf(comp, sizeof(comp), "%.*s", (int)(slash - p), p);
        next = maildir_open_sub(fd, dirpath, comp, &error);
        if (next < 0 && errno == ENOENT)
            break;
        if (next < 0) {
            set_failure(res, errno, error);
            close(fd);
            return -1;
        }
        close(fd);
        fd = next;
        snprintf(dirpath + strlen(dirpath), sizeof(dirpath) - strlen(dirpath), "/%s", comp);
    }
    close(fd);
    return 0;
}

/* prepare_maildir - the maildir's path; check the store, create tmp/new/cur */
static int prepare_maildir(const struct local_config *cfg, const char *mailbox, char *path, size_t size,
                           struct local_result *res)
{
    const char *error = NULL;
    int n = snprintf(path, size, "%s/%.*s", cfg->mailbox_base, (int)strlen(mailbox) - 1, mailbox);

    if (n < 0 || (size_t)n >= size) {
        set_failure(res, ENAMETOOLONG, err_fmt("maildir path below %s too long", cfg->mailbox_base));
        return -1;
    }
    if (check_store(cfg->mailbox_base, mailbox, res) < 0)
        return -1;
    errno = EINVAL;
    if (maildir_create(path, &error) < 0) {
        set_failure(res, errno, error);
        return -1;
    }
    return 0;
}

/* quota_read - the mailbox's maildirsize with the given limits: read,
 * recalculated when missing, torn, malformed or its limits changed */
static int quota_read(const char *path, uint64_t max_bytes, uint64_t max_count, struct maildir_quota *q_r,
                      const char **error_r)
{
    bool exists = false;

    if (maildir_quota_read(path, q_r, &exists, error_r) == 0 && exists && !q_r->recalc
        && q_r->max_bytes == max_bytes && q_r->max_count == max_count)
        return 0;
    return maildir_quota_recalc(path, max_bytes, max_count, q_r, error_r);
}

/* quota_check - 0 if the delivery of bytes fits the recipient's quota
 * (or there is none); else -1 with the result set */
static int quota_check(const struct local_config *cfg, const struct local_rcpt *rc, const char *path,
                       uint64_t bytes, struct local_result *res)
{
    uint64_t max_bytes = rc->has_quota ? rc->quota_bytes : cfg->quota_default;
    uint64_t max_count = rc->has_quota ? rc->quota_count : 0;
    struct maildir_quota q;
    const char *error = NULL;

    if (max_bytes == 0 && max_count == 0)
        return 0;
    if (quota_read(path, max_bytes, max_count, &q, &error) < 0) {
        local_result_set(res, LOCAL_DEFER, "cannot read the mailbox quota", error);
        return -1;
    }
    if (!maildir_quota_exceeded(&q, bytes, 1))
        return 0;
    local_result_set(res, cfg->quota_bounce ? LOCAL_FULL_BOUNCE : LOCAL_FULL_DEFER, "mailbox full",
                     max_bytes > 0 && maildir_quota_exceeded(&q, bytes, 0)
                         ? err_fmt("mailbox full: quota %llu bytes", (unsigned long long)max_bytes)
                         : err_fmt("mailbox full: quota %llu messages", (unsigned long long)max_count));
    return -1;
}

/* deliver_one - one copy of the message into one maildir (new/ unsynced) */
static void deliver_one(const struct local_config *cfg, const struct local_request *req,
                        const struct local_rcpt *rc, int fd, struct local_result *res)
{
    char path[PATH_MAX - 16], headers[2 * LOCAL_ADDR_MAX + 64];
    struct maildir_deliver_opts opts = { 0 };
    struct maildir_delivery *d = NULL;
    struct maildir_delivered out;
    enum maildir_result r;
    const char *error = NULL;
    int n;

    if (prepare_maildir(cfg, rc->mailbox, path, sizeof(path), res) < 0)
        return;
    /* sender and rcpt were checked: no control bytes, so one line each */
    n = snprintf(headers, sizeof(headers), "Return-Path: <%s>\nDelivered-To: %s\n", req->sender, rc->rcpt);
    /* the content length bounds the stored size: CRLF to LF only shrinks it */
    if (quota_check(cfg, rc, path, req->length + (uint64_t)n, res) < 0)
        return;
    opts.headers = headers;
    opts.headers_len = (size_t)n;
    opts.eol = MAILDIR_EOL_CRLF_TO_LF;
    opts.max_size = cfg->size_limit + (uint64_t)n;
    r = maildir_deliver_begin(path, &opts, &d, &error);
    if (r == MAILDIR_OK
        && (r = maildir_deliver_copy_fd(d, fd, req->offset, req->length, &error)) != MAILDIR_OK)
        maildir_deliver_abort(&d);
    if (r == MAILDIR_OK)
        r = maildir_deliver_finish(&d, &out, &error);
    if (r != MAILDIR_OK) {
        set_failure(res, errno != 0 ? errno : EIO, error);
        return;
    }
    local_result_set(res, LOCAL_SENT, "delivered to maildir", NULL);
    res->new_dir = xstrdup(out.new_dir);
    /* bookkeeping only (no maildirsize: no quota); a lost line is
     * corrected by the next recalculation */
    if (maildir_quota_add(path, (int64_t)out.size, 1, &error) < 0)
        msg_warn("%s: %s", req->queue_id, error);
}

/* local_deliver_request - one delivery per distinct mailbox */
void local_deliver_request(const struct local_config *cfg, const struct local_request *req, int fd,
                           struct local_result *results)
{
    size_t i;

    for (i = 0; i < req->nrcpt; i++) {
        if (req->rcpts[i].first != i)
            continue;
        if (req->length > cfg->size_limit) {
            local_result_set(&results[i], LOCAL_TOO_BIG, "message too large",
                             err_fmt("content of %llu bytes exceeds the limit of %llu",
                                     (unsigned long long)req->length, (unsigned long long)cfg->size_limit));
            continue;
        }
        errno = 0;
        deliver_one(cfg, req, &req->rcpts[i], fd, &results[i]);
    }
}
