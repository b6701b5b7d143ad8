/* SPDX-License-Identifier: MIT
 * anvil_table - anvil's accounting table: counts, rate windows, the
 * connections each owner holds, eviction and peak statistics.
 *
 * Owns every entry, hold and owner record. Entries sit in a chained hash
 * table keyed with SipHash-1-3 under a random key, so clients that choose
 * idents (an attacker's addresses) cannot force long chains. Entries whose
 * count is 0 are also on the idle list, oldest first: eviction takes its
 * head and purging walks it from the head. A hold links one owner to one
 * entry with the number of connections that owner opened there; it is on
 * both the entry's and the owner's list, so releasing is O(1) per hold.
 *
 * Trusts its caller for character syntax (anvil_proto checks it) but checks
 * lengths itself. Bounded by the entry limit; counters are 64-bit and
 * cannot overflow in practice. Time only comes in as arguments.
 *
 * See also: anvil_table.h, anvil_proto.c.
 */
#include "anvil_table.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

#define ANVIL_MIN_BUCKETS 64

struct anvil_hold {
    struct anvil_entry *entry;
    struct anvil_owner *owner;
    uint64_t count;
    struct anvil_hold *entry_prev, *entry_next;
    struct anvil_hold *owner_prev, *owner_next;
};

struct anvil_entry {
    struct anvil_entry *hash_next;
    struct anvil_entry *idle_prev, *idle_next; /* on the idle list iff count == 0 */
    struct anvil_hold *holds;
    uint64_t hash;
    uint64_t count;
    uint64_t rate[ANVIL_EVENT_COUNT];
    uint64_t window_start;
    uint64_t last_seen;
    size_t service_len;
    size_t key_len;
    char key[]; /* "service/ident" */
};

struct anvil_owner {
    struct anvil_table *table;
    struct anvil_hold *holds;
    uint64_t held;
};

struct anvil_table {
    struct anvil_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t size;
    size_t limit;
    uint64_t time_unit;
    uint64_t hash_key[2];
    struct anvil_entry *idle_head, *idle_tail;
    size_t owners;
    struct anvil_stats stats;
};

/* A key being looked up: built on the stack, never allocated. */
struct anvil_key {
    char text[ANVIL_KEY_MAX + 1];
    size_t len;
    size_t service_len;
    uint64_t hash;
};

/* rotl - rotate a 64-bit word left */
static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

/* sip_round - one SipHash round on the four state words */
static inline void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

/* siphash13 - SipHash-1-3 of p under the 128-bit key k */
static uint64_t siphash13(const uint64_t k[2], const unsigned char *p, size_t len)
{
    uint64_t v[4] = { k[0] ^ 0x736f6d6570736575ULL, k[1] ^ 0x646f72616e646f6dULL,
                      k[0] ^ 0x6c7967656e657261ULL, k[1] ^ 0x7465646279746573ULL };
    uint64_t m, last = (uint64_t)len << 56;
    size_t i, j, full = len & ~(size_t)7;

    for (i = 0; i < full; i += 8) {
        for (m = 0, j = 0; j < 8; j++)
            m |= (uint64_t)p[i + j] << (8 * j);
        v[3] ^= m;
        sip_round(v);
        v[0] ^= m;
    }
    for (j = 0; i + j < len; j++)
        last |= (uint64_t)p[i + j] << (8 * j);
    v[3] ^= last;
    sip_round(v);
    v[0] ^= last;
    v[2] ^= 0xff;
    sip_round(v);
    sip_round(v);
    sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* anvil_event_name - the protocol name of an event kind */
const char *anvil_event_name(enum anvil_event ev)
{
    static const char *const names[ANVIL_EVENT_COUNT] = { "connect", "message", "recipient", "auth_fail" };

    ASSERT((unsigned)ev < ANVIL_EVENT_COUNT);
    return names[ev];
}

/* anvil_table_create - an empty table */
struct anvil_table *anvil_table_create(size_t limit, uint64_t time_unit)
{
    struct anvil_table *t = xcalloc(1, sizeof(*t));

    ASSERT(limit >= 1 && time_unit >= 1);
    t->limit = limit;
    t->time_unit = time_unit;
    t->nbuckets = ANVIL_MIN_BUCKETS;
    t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
    /* Without randomness the table still works, only less flood-resistant. */
    if (getrandom(t->hash_key, sizeof(t->hash_key), GRND_NONBLOCK) != (ssize_t)sizeof(t->hash_key)) {
        t->hash_key[0] = (uint64_t)(uintptr_t)t;
        t->hash_key[1] = 0x9e3779b97f4a7c15ULL;
    }
    return t;
}

/* entry_free - free an entry and its holds (table teardown only) */
static void entry_free(struct anvil_entry *e)
{
    struct anvil_hold *h, *next;

    for (h = e->holds; h != NULL; h = next) {
        next = h->entry_next;
        xfree(h);
    }
    xfree(e);
}

/* anvil_table_destroy - free every entry */
void anvil_table_destroy(struct anvil_table **t_r)
{
    struct anvil_table *t = *t_r;
    struct anvil_entry *e, *next;
    size_t i;

    if (t == NULL)
        return;
    ASSERT(t->owners == 0);
    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e != NULL; e = next) {
            next = e->hash_next;
            entry_free(e);
        }
    }
    xfree(t->buckets);
    xfree(*t_r);
}

/* key_make - build and hash "service/ident"; -1 for a bad length */
static int key_make(const struct anvil_table *t, const char *service, const char *ident, struct anvil_key *k,
                    const char **error_r)
{
    size_t slen = strnlen(service, ANVIL_NAME_MAX + 1);
    size_t ilen = strnlen(ident, ANVIL_NAME_MAX + 1);

    if (slen == 0 || slen > ANVIL_NAME_MAX)
        return errf(error_r, "service must be 1 to %d bytes", ANVIL_NAME_MAX);
    if (ilen == 0 || ilen > ANVIL_NAME_MAX)
        return errf(error_r, "ident must be 1 to %d bytes", ANVIL_NAME_MAX);
    memcpy(k->text, service, slen);
    k->text[slen] = '/';
    memcpy(k->text + slen + 1, ident, ilen);
    k->len = slen + 1 + ilen;
    k->text[k->len] = '\0';
    k->service_len = slen;
    k->hash = siphash13(t->hash_key, (const unsigned char *)k->text, k->len);
    return 0;
}

/* entry_find - the entry for a key, or NULL */
static struct anvil_entry *entry_find(const struct anvil_table *t, const struct anvil_key *k)
{
    struct anvil_entry *e;

    for (e = t->buckets[k->hash & (t->nbuckets - 1)]; e != NULL; e = e->hash_next) {
        if (e->hash == k->hash && e->key_len == k->len && e->service_len == k->service_len
            && memcmp(e->key, k->text, k->len) == 0)
            return e;
    }
    return NULL;
}

/* idle_unlink - take an entry off the idle list */
static void idle_unlink(struct anvil_table *t, struct anvil_entry *e)
{
    if (e->idle_prev != NULL)
        e->idle_prev->idle_next = e->idle_next;
    else
        t->idle_head = e->idle_next;
    if (e->idle_next != NULL)
        e->idle_next->idle_prev = e->idle_prev;
    else
        t->idle_tail = e->idle_prev;
    e->idle_prev = e->idle_next = NULL;
}

/* idle_append - put an entry at the most recently seen end of the idle list */
static void idle_append(struct anvil_table *t, struct anvil_entry *e)
{
    e->idle_prev = t->idle_tail;
    e->idle_next = NULL;
    if (t->idle_tail != NULL)
        t->idle_tail->idle_next = e;
    else
        t->idle_head = e;
    t->idle_tail = e;
}

/* entry_remove - unhash, unlist and free an idle entry */
static void entry_remove(struct anvil_table *t, struct anvil_entry *e)
{
    struct anvil_entry **pp = &t->buckets[e->hash & (t->nbuckets - 1)];

    ASSERT(e->count == 0 && e->holds == NULL);
    while (*pp != e)
        pp = &(*pp)->hash_next;
    *pp = e->hash_next;
    idle_unlink(t, e);
    t->size--;
    xfree(e);
}

/* table_grow - double the bucket array when the load passes 1 */
static void table_grow(struct anvil_table *t)
{
    size_t i, n = t->nbuckets * 2;
    struct anvil_entry **b = xcalloc(n, sizeof(*b));
    struct anvil_entry *e, *next;

    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e != NULL; e = next) {
            next = e->hash_next;
            e->hash_next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    xfree(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

/* peak_note - remember value as a peak if it is the highest yet */
static void peak_note(struct anvil_peak *p, uint64_t value, uint64_t now, const char *key, size_t key_len)
{
    if (value <= p->value)
        return;
    p->value = value;
    p->when = now;
    memcpy(p->key, key, key_len);
    p->key[key_len] = '\0';
}

/* entry_create - add an idle entry for k, evicting at the limit; NULL when full */
static struct anvil_entry *entry_create(struct anvil_table *t, const struct anvil_key *k, uint64_t now)
{
    struct anvil_entry *e;

    if (t->size >= t->limit) {
        if (t->idle_head == NULL) {
            t->stats.refused++;
            return NULL;
        }
        entry_remove(t, t->idle_head);
        t->stats.evicted++;
    }
    if (t->size >= t->nbuckets)
        table_grow(t);
    e = xcalloc(1, sizeof(*e) + k->len + 1);
    memcpy(e->key, k->text, k->len + 1);
    e->key_len = k->len;
    e->service_len = k->service_len;
    e->hash = k->hash;
    e->window_start = now;
    e->last_seen = now;
    e->hash_next = t->buckets[k->hash & (t->nbuckets - 1)];
    t->buckets[k->hash & (t->nbuckets - 1)] = e;
    idle_append(t, e);
    t->size++;
    peak_note(&t->stats.max_size, t->size, now, "", 0);
    return e;
}

/* window_expired - has e's rate window ended by now? */
static bool window_expired(const struct anvil_table *t, const struct anvil_entry *e, uint64_t now)
{
    return now >= e->window_start && now - e->window_start >= t->time_unit;
}

/* entry_touch - find or create the entry for an event and count it */
static struct anvil_entry *entry_touch(struct anvil_table *t, const char *service, const char *ident,
                                       enum anvil_event ev, uint64_t now, const char **error_r)
{
    struct anvil_key k;
    struct anvil_entry *e;

    if (key_make(t, service, ident, &k, error_r) < 0)
        return NULL;
    if ((e = entry_find(t, &k)) == NULL && (e = entry_create(t, &k, now)) == NULL) {
        errf(error_r, "table full");
        return NULL;
    }
    if (window_expired(t, e, now)) {
        memset(e->rate, 0, sizeof(e->rate));
        e->window_start = now;
    }
    e->rate[ev]++;
    e->last_seen = now;
    if (e->count == 0) {
        idle_unlink(t, e);
        idle_append(t, e);
    }
    peak_note(&t->stats.max_rate[ev], e->rate[ev], now, e->key, e->key_len);
    return e;
}

/* hold_find - the hold of o on e, or NULL */
static struct anvil_hold *hold_find(const struct anvil_entry *e, const struct anvil_owner *o)
{
    struct anvil_hold *h;

    for (h = e->holds; h != NULL; h = h->entry_next)
        if (h->owner == o)
            return h;
    return NULL;
}

/* hold_create - link a new hold of o on e */
static struct anvil_hold *hold_create(struct anvil_entry *e, struct anvil_owner *o)
{
    struct anvil_hold *h = xcalloc(1, sizeof(*h));

    h->entry = e;
    h->owner = o;
    h->entry_next = e->holds;
    if (e->holds != NULL)
        e->holds->entry_prev = h;
    e->holds = h;
    h->owner_next = o->holds;
    if (o->holds != NULL)
        o->holds->owner_prev = h;
    o->holds = h;
    return h;
}

/* hold_release - give back n connections of a hold, freeing it at 0 */
static void hold_release(struct anvil_table *t, struct anvil_hold *h, uint64_t n, uint64_t now)
{
    struct anvil_entry *e = h->entry;
    struct anvil_owner *o = h->owner;

    ASSERT(n <= h->count && n <= e->count && n <= o->held);
    h->count -= n;
    e->count -= n;
    o->held -= n;
    e->last_seen = now;
    if (e->count == 0)
        idle_append(t, e);
    if (h->count > 0)
        return;
    if (h->entry_prev != NULL)
        h->entry_prev->entry_next = h->entry_next;
    else
        e->holds = h->entry_next;
    if (h->entry_next != NULL)
        h->entry_next->entry_prev = h->entry_prev;
    if (h->owner_prev != NULL)
        h->owner_prev->owner_next = h->owner_next;
    else
        o->holds = h->owner_next;
    if (h->owner_next != NULL)
        h->owner_next->owner_prev = h->owner_prev;
    xfree(h);
}

/* anvil_owner_create - a new owner with nothing held */
struct anvil_owner *anvil_owner_create(struct anvil_table *t)
{
    struct anvil_owner *o = xcalloc(1, sizeof(*o));

    o->table = t;
    t->owners++;
    return o;
}

/* anvil_owner_destroy - release everything o holds */
uint64_t anvil_owner_destroy(struct anvil_owner **o_r, uint64_t now)
{
    struct anvil_owner *o = *o_r;
    uint64_t released;

    if (o == NULL)
        return 0;
    released = o->held;
    while (o->holds != NULL)
        hold_release(o->table, o->holds, o->holds->count, now);
    o->table->owners--;
    xfree(*o_r);
    return released;
}

/* anvil_owner_held - connections held */
uint64_t anvil_owner_held(const struct anvil_owner *o)
{
    return o->held;
}

/* counts_fill - an entry's counts as seen at now */
static void counts_fill(const struct anvil_table *t, const struct anvil_entry *e, uint64_t now,
                        struct anvil_counts *c_r)
{
    memset(c_r, 0, sizeof(*c_r));
    if (e == NULL)
        return;
    c_r->count = e->count;
    if (!window_expired(t, e, now))
        memcpy(c_r->rate, e->rate, sizeof(c_r->rate));
}

/* anvil_table_connect - count a new connection held by o */
int anvil_table_connect(struct anvil_table *t, struct anvil_owner *o, const char *service, const char *ident,
                        uint64_t now, struct anvil_counts *c_r, const char **error_r)
{
    struct anvil_entry *e;
    struct anvil_hold *h;

    ASSERT(o->table == t);
    if ((e = entry_touch(t, service, ident, ANVIL_EVENT_CONNECT, now, error_r)) == NULL)
        return -1;
    if ((h = hold_find(e, o)) == NULL)
        h = hold_create(e, o);
    if (e->count == 0)
        idle_unlink(t, e);
    h->count++;
    e->count++;
    o->held++;
    peak_note(&t->stats.max_count, e->count, now, e->key, e->key_len);
    counts_fill(t, e, now, c_r);
    return 0;
}

/* anvil_table_disconnect - release one connection that o holds */
int anvil_table_disconnect(struct anvil_table *t, struct anvil_owner *o, const char *service,
                           const char *ident, uint64_t now)
{
    struct anvil_key k;
    struct anvil_entry *e;
    struct anvil_hold *h;

    ASSERT(o->table == t);
    if (key_make(t, service, ident, &k, NULL) < 0 || (e = entry_find(t, &k)) == NULL
        || (h = hold_find(e, o)) == NULL)
        return 0;
    hold_release(t, h, 1, now);
    return 1;
}

/* anvil_table_event - count one non-connection event */
int anvil_table_event(struct anvil_table *t, const char *service, const char *ident, enum anvil_event ev,
                      uint64_t now, uint64_t *rate_r, const char **error_r)
{
    struct anvil_entry *e;

    ASSERT(ev != ANVIL_EVENT_CONNECT && (unsigned)ev < ANVIL_EVENT_COUNT);
    if ((e = entry_touch(t, service, ident, ev, now, error_r)) == NULL)
        return -1;
    *rate_r = e->rate[ev];
    return 0;
}

/* anvil_table_lookup - read the counts of a key */
void anvil_table_lookup(const struct anvil_table *t, const char *service, const char *ident, uint64_t now,
                        struct anvil_counts *c_r)
{
    struct anvil_key k;

    if (key_make(t, service, ident, &k, NULL) < 0) {
        memset(c_r, 0, sizeof(*c_r));
        return;
    }
    counts_fill(t, entry_find(t, &k), now, c_r);
}

/* anvil_table_purge - drop idle entries not seen for a time unit */
size_t anvil_table_purge(struct anvil_table *t, uint64_t now)
{
    size_t n = 0;

    /* The idle list is in last-seen order, so the first recent entry ends it. */
    while (t->idle_head != NULL && now >= t->idle_head->last_seen
           && now - t->idle_head->last_seen >= t->time_unit) {
        entry_remove(t, t->idle_head);
        n++;
    }
    return n;
}

/* anvil_table_size - entries now */
size_t anvil_table_size(const struct anvil_table *t)
{
    return t->size;
}

/* anvil_table_limit - the entry limit */
size_t anvil_table_limit(const struct anvil_table *t)
{
    return t->limit;
}

/* anvil_table_stats - the current peaks */
const struct anvil_stats *anvil_table_stats(const struct anvil_table *t)
{
    return &t->stats;
}

/* peak_time - the UTC wall-clock time of a monotonic instant */
static const char *peak_time(uint64_t when, uint64_t now, time_t wall_now, char *out, size_t size)
{
    time_t at = wall_now - (time_t)((now >= when ? now - when : 0) / 1000);
    struct tm tm;

    if (gmtime_r(&at, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return "(unknown time)";
    return out;
}

/* unit_text - the time unit for "N/60s" */
static const char *unit_text(uint64_t ms, char *out, size_t size)
{
    if (ms % 1000 == 0)
        snprintf(out, size, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(out, size, "%llums", (unsigned long long)ms);
    return out;
}

/* anvil_table_stats_log - log the peaks and start over */
void anvil_table_stats_log(struct anvil_table *t, uint64_t now, time_t wall_now)
{
    struct anvil_stats *st = &t->stats;
    char when[64], unit[32];
    int ev;

    for (ev = 0; ev < ANVIL_EVENT_COUNT; ev++) {
        if (st->max_rate[ev].value > 0)
            msg_info("statistics: max %s rate %llu/%s for (%s) at %s", anvil_event_name(ev),
                     (unsigned long long)st->max_rate[ev].value, unit_text(t->time_unit, unit, sizeof(unit)),
                     st->max_rate[ev].key,
                     peak_time(st->max_rate[ev].when, now, wall_now, when, sizeof(when)));
    }
    if (st->max_count.value > 0)
        msg_info("statistics: max connection count %llu for (%s) at %s",
                 (unsigned long long)st->max_count.value, st->max_count.key,
                 peak_time(st->max_count.when, now, wall_now, when, sizeof(when)));
    if (st->max_size.value > 0)
        msg_info("statistics: max table size %llu at %s", (unsigned long long)st->max_size.value,
                 peak_time(st->max_size.when, now, wall_now, when, sizeof(when)));
    if (st->evicted > 0 || st->refused > 0)
        msg_info("statistics: table limit %zu reached: %llu idle entries dropped, %llu new entries refused",
                 t->limit, (unsigned long long)st->evicted, (unsigned long long)st->refused);
    memset(st, 0, sizeof(*st));
}

/* verify_entry - check one entry against its holds and the idle list */
static int verify_entry(const struct anvil_table *t, const struct anvil_entry *e, size_t bucket,
                        const char **error_r)
{
    const struct anvil_hold *h;
    uint64_t sum = 0;

    if ((e->hash & (t->nbuckets - 1)) != bucket)
        return errf(error_r, "entry %s in the wrong bucket", e->key);
    if (e->key_len != strlen(e->key) || e->service_len == 0 || e->service_len >= e->key_len)
        return errf(error_r, "entry %s has bad lengths", e->key);
    for (h = e->holds; h != NULL; h = h->entry_next) {
        if (h->entry != e || h->count == 0)
            return errf(error_r, "entry %s has a bad hold", e->key);
        if (h->entry_next != NULL && h->entry_next->entry_prev != h)
            return errf(error_r, "entry %s hold list is broken", e->key);
        sum += h->count;
    }
    if (sum != e->count)
        return errf(error_r, "entry %s count %llu but holds sum to %llu", e->key,
                    (unsigned long long)e->count, (unsigned long long)sum);
    if ((e->count == 0) != (e->idle_prev != NULL || e->idle_next != NULL || t->idle_head == e))
        return errf(error_r, "entry %s count %llu but idle list membership disagrees", e->key,
                    (unsigned long long)e->count);
    return 0;
}

/* anvil_table_verify - check every invariant */
int anvil_table_verify(const struct anvil_table *t, const char **error_r)
{
    const struct anvil_entry *e;
    size_t i, n = 0, idle = 0, idle_entries = 0;

    for (i = 0; i < t->nbuckets; i++) {
        for (e = t->buckets[i]; e != NULL; e = e->hash_next) {
            if (verify_entry(t, e, i, error_r) < 0)
                return -1;
            n++;
            idle_entries += e->count == 0;
        }
    }
    for (e = t->idle_head; e != NULL; e = e->idle_next) {
        if (e->idle_next == NULL ? t->idle_tail != e : e->idle_next->idle_prev != e)
            return errf(error_r, "idle list is broken at %s", e->key);
        if (++idle > n)
            return errf(error_r, "idle list is longer than the table");
    }
    if (n != t->size || idle != idle_entries)
        return errf(error_r, "size %zu, counted %zu entries, %zu idle of %zu", t->size, n, idle,
                    idle_entries);
    if (t->size > t->limit)
        return errf(error_r, "size %zu over the limit %zu", t->size, t->limit);
    return 0;
}
