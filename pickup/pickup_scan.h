/* SPDX-License-Identifier: MIT
 * pickup_scan - the pickup service: watches $queue_directory/maildrop and
 * takes each complete drop to qmgr, one at a time.
 *
 * Triggers: inotify on the directory (IN_ATTRIB: the chmod to 0644 that
 * marks a drop complete; IN_MOVED_TO; IN_CLOSE_WRITE), and a full scan at
 * start and every PICKUP_SCAN_INTERVAL_MS as the safety net (a lost or
 * overflowed event, a drop qmgr deferred, qmgr down).
 *
 * For each name (docs/queue.md, "Local submission"):
 *   - not a valid drop name: never touched; logged once per name;
 *   - pickup_file_open's verdict: GONE and WRITING are left alone; STALE
 *     and REFUSE are removed with a warning "maildrop/NAME from uid N:
 *     why"; ERROR is left for the next scan;
 *   - READY: parsed and checked (a bad file is removed with a warning),
 *     then submitted: 0 -> the file is removed (a crash before the unlink
 *     only submits the message again: a duplicate, never a loss); 4 ->
 *     left for the next scan (qmgr unreachable also ends the current
 *     scan); 5 or truncated -> logged and removed (no bounce message is
 *     sent yet: the mail-out issue adds bounces).
 *
 * Owns the directory descriptor, the inotify descriptor and its event,
 * the scan timer and the set of foreign names already logged (at most
 * PICKUP_FOREIGN_MAX; beyond that, one last warning). Trusts nothing in
 * the directory.
 *
 * See also: pickup_file.h, pickup_submit.h, maildrop.h.
 */
#ifndef PETREL_PICKUP_SCAN_H
#define PETREL_PICKUP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pickup_file.h"
#include "pickup_submit.h"

#define PICKUP_SCAN_INTERVAL_MS 60000
#define PICKUP_FOREIGN_MAX 1000
/* the longest pickup waits for qmgr in one call */
#define PICKUP_TIMEOUT_MAX_MS 60000

struct event_loop;
struct pickup_service;
struct server;

struct pickup_config {
    const char *maildrop_dir; /* $queue_directory/maildrop */
    const char *myorigin;
    struct pickup_limits limits;
    struct pickup_submit_config submit;
    uint64_t scan_interval_ms;
};

/* pickup_service_create - open the directory and start watching it (a
 * first scan runs from the loop at once); -1 with an error when the
 * directory cannot be opened. inotify failing is only a warning. */
int pickup_service_create(struct event_loop *loop, const struct pickup_config *cfg,
                          struct pickup_service **s_r, const char **error_r);
/* pickup_service_destroy - stop watching, close, free; accepts NULL */
void pickup_service_destroy(struct pickup_service **s_r);

/* pickup_scan_all - take every drop in the directory now */
void pickup_scan_all(struct pickup_service *s);
/* pickup_take - handle one directory entry; false when qmgr could not
 * be reached (the caller stops the scan) */
bool pickup_take(struct pickup_service *s, const char *name);

#endif
