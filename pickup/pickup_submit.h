/* SPDX-License-Identifier: MIT
 * pickup_submit - the qmgr-submit client of pickup: hands one drop to
 * qmgr (docs/queue.md, "Protocols" and "Local submission").
 *
 * One connection per drop, blocking calls with a deadline (ipc_connect,
 * ipc_call, ipc_send with timeout_ms each): hello -> begin (sender,
 * protocol LOCAL, client_name localhost, size, uid: the submitter) ->
 * rcpt for each recipient -> data: first our Received: header
 * ("Received: by HOST (Petrel, from userid UID)\r\n\tid ID; DATE\r\n"),
 * then the drop's content read with pread in SUBMIT_DATA_MAX chunks ->
 * end. pickup has no clients to keep waiting, so blocking is fine; the
 * deadline keeps a stuck qmgr from holding it forever.
 *
 * Input: qmgr's replies (a sibling daemon: checked; status must be 0, 4
 * or 5, a 0 must carry a queue id of base-32 characters; texts are
 * copied bounded and sanitised for the log). The content is re-read from
 * the user's file: a short read means the user truncated it (TRUNCATED:
 * the message is aborted).
 *
 * See also: pickup_file.h (the drop), mail_proto.h, ipc_chan.h.
 */
#ifndef PETREL_PICKUP_SUBMIT_H
#define PETREL_PICKUP_SUBMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct pickup_drop;

struct pickup_submit_config {
    const char *qmgr_path; /* $queue_directory/private/qmgr */
    size_t max_frame;      /* ipc_max_frame_size */
    int timeout_ms;        /* for each call */
    const char *myhostname;
};

enum pickup_submit_status {
    PICKUP_SUBMIT_OK,        /* queued: queue_id set */
    PICKUP_SUBMIT_TEMP,      /* try again later (qmgr said 4, or is unreachable) */
    PICKUP_SUBMIT_PERM,      /* qmgr refused the message (5) */
    PICKUP_SUBMIT_TRUNCATED, /* the file shrank while being read */
};

struct pickup_submit_result {
    enum pickup_submit_status status;
    bool unreachable; /* TEMP because qmgr could not be reached at all */
    char queue_id[32];
    char dsn[16];
    char reason[256]; /* for the log, sanitised */
};

/* pickup_submit - submit drop d, read from fd, on behalf of uid */
void pickup_submit(const struct pickup_submit_config *c, int fd, uid_t uid, const struct pickup_drop *d,
                   time_t now, struct pickup_submit_result *r);

/* pickup_submit_received - write our Received: header into out (size
 * bytes, at least 128); its length, or 0 if it does not fit */
size_t pickup_submit_received(char *out, size_t size, const char *myhostname, uid_t uid, const char *queue_id,
                              time_t now);

#endif
