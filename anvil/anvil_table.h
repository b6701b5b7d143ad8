/* SPDX-License-Identifier: MIT
 * anvil_table - anvil's accounting table: per-(service, ident) connection
 * counts and event rates, the connections each client of anvil holds,
 * least-recently-seen eviction, and peak statistics.
 *
 * Keys are pairs (service, ident), shown as "service/ident"; each part is
 * 1..ANVIL_NAME_MAX bytes (the table checks lengths; anvil_proto checks the
 * characters). Time is passed in by the caller (monotonic milliseconds), so
 * the table never reads a clock and tests can inject any time.
 *
 * Rates: an entry's window of time_unit ms starts at its first event; every
 * event kind counts in the same window, and the counters start again at the
 * first event after the window ended (as Postfix anvil does).
 *
 * Connections are held by an owner (one per client channel of anvil):
 * destroying the owner releases everything it still holds, so a client
 * that crashes never leaks counts, and no owner can release another's.
 *
 * Bounds: at most `limit` entries. A new key past the limit evicts the idle
 * entry (count 0) seen least recently; with no idle entry it is refused.
 * anvil_table_purge() drops idle entries not seen for a time unit.
 *
 * See also: anvil_proto.h (the requests that drive the table).
 */
#ifndef PETREL_ANVIL_TABLE_H
#define PETREL_ANVIL_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ANVIL_NAME_MAX 255
#define ANVIL_KEY_MAX (2 * ANVIL_NAME_MAX + 1)

enum anvil_event {
    ANVIL_EVENT_CONNECT,
    ANVIL_EVENT_MESSAGE,
    ANVIL_EVENT_RECIPIENT,
    ANVIL_EVENT_AUTH_FAIL,
    ANVIL_EVENT_COUNT,
};

/* What anvil knows about one key at a time "now". */
struct anvil_counts {
    uint64_t count;                   /* connections open */
    uint64_t rate[ANVIL_EVENT_COUNT]; /* events in the current window */
};

/* One peak since the last anvil_table_stats_log(); value 0: none. */
struct anvil_peak {
    uint64_t value;
    uint64_t when;               /* monotonic ms */
    char key[ANVIL_KEY_MAX + 1]; /* "service/ident"; empty for size */
};

struct anvil_stats {
    struct anvil_peak max_count;
    struct anvil_peak max_rate[ANVIL_EVENT_COUNT];
    struct anvil_peak max_size;
    uint64_t evicted; /* idle entries dropped at the limit */
    uint64_t refused; /* new keys refused: table full */
};

struct anvil_table;
struct anvil_owner;

/* anvil_table_create - an empty table of at most limit entries (>= 1) whose
 * rate windows last time_unit ms (>= 1) */
struct anvil_table *anvil_table_create(size_t limit, uint64_t time_unit);
/* anvil_table_destroy - free the table; every owner must be destroyed first */
void anvil_table_destroy(struct anvil_table **t_r);

/* anvil_owner_create - a new holder of connections (one per client) */
struct anvil_owner *anvil_owner_create(struct anvil_table *t);
/* anvil_owner_destroy - release every connection o holds (as seen at now)
 * and free it; returns how many were released; accepts NULL */
uint64_t anvil_owner_destroy(struct anvil_owner **o_r, uint64_t now);
/* anvil_owner_held - connections o holds now */
uint64_t anvil_owner_held(const struct anvil_owner *o);

/* anvil_table_connect - o opens a connection for (service, ident): the
 * count and rates after it; -1 "table full" or a bad length */
int anvil_table_connect(struct anvil_table *t, struct anvil_owner *o, const char *service, const char *ident,
                        uint64_t now, struct anvil_counts *c_r, const char **error_r);
/* anvil_table_disconnect - o closes one of its connections for (service,
 * ident); 1 if released, 0 if o held none there (nothing changes) */
int anvil_table_disconnect(struct anvil_table *t, struct anvil_owner *o, const char *service,
                           const char *ident, uint64_t now);
/* anvil_table_event - count a message, recipient or auth failure (not
 * ANVIL_EVENT_CONNECT); *rate_r is that kind's rate after it; -1 as connect */
int anvil_table_event(struct anvil_table *t, const char *service, const char *ident, enum anvil_event ev,
                      uint64_t now, uint64_t *rate_r, const char **error_r);
/* anvil_table_lookup - the counts of (service, ident) at now, all zero for
 * an unknown key; creates nothing and changes nothing */
void anvil_table_lookup(const struct anvil_table *t, const char *service, const char *ident, uint64_t now,
                        struct anvil_counts *c_r);

/* anvil_table_purge - drop idle entries not seen for a time unit; returns
 * how many were dropped */
size_t anvil_table_purge(struct anvil_table *t, uint64_t now);
/* anvil_table_size / anvil_table_limit - entries now, and the most allowed */
size_t anvil_table_size(const struct anvil_table *t);
size_t anvil_table_limit(const struct anvil_table *t);

/* anvil_table_stats - the peaks since the last stats_log */
const struct anvil_stats *anvil_table_stats(const struct anvil_table *t);
/* anvil_table_stats_log - log each peak as "statistics: ..." lines with its
 * UTC time (wall_now is the wall clock at monotonic now), then reset them */
void anvil_table_stats_log(struct anvil_table *t, uint64_t now, time_t wall_now);

/* anvil_table_verify - check every internal invariant (counts equal the
 * sum of holds, idle list = entries with count 0, hash chains, limits);
 * -1 with the first violation. For tests and fuzzing. */
int anvil_table_verify(const struct anvil_table *t, const char **error_r);

/* anvil_event_name - "connect", "message", "recipient", "auth_fail" */
const char *anvil_event_name(enum anvil_event ev);

#endif
