/* SPDX-License-Identifier: MIT
 * authd_penalty - failure counts, delays and lockouts in a bounded table:
 * a chained hash for lookups and a least-recently-touched list for
 * eviction.
 *
 * See also: authd_penalty.h.
 */
#include "authd_penalty.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define BUCKETS_MIN 64

struct entry {
    char *key;
    unsigned failures;
    uint64_t window_start;     /* of the current window */
    uint64_t locked_until;     /* 0: not locked */
    struct entry *hnext;       /* hash chain */
    struct entry *prev, *next; /* LRU: head is the most recent */
};

struct authd_penalty {
    struct authd_penalty_limits lim;
    struct entry **buckets;
    size_t nbuckets, count;
    struct entry *head, *tail;
};

/* hash - FNV-1a */
static size_t hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

struct authd_penalty *authd_penalty_create(const struct authd_penalty_limits *limits)
{
    struct authd_penalty *p = xcalloc(1, sizeof(*p));

    p->lim = *limits;
    if (p->lim.max == 0)
        p->lim.max = 1;
    p->nbuckets = BUCKETS_MIN;
    while (p->nbuckets < p->lim.max && p->nbuckets < ((size_t)1 << 24))
        p->nbuckets <<= 1;
    p->buckets = xcalloc(p->nbuckets, sizeof(*p->buckets));
    return p;
}

/* lru_unlink - take e out of the LRU list */
static void lru_unlink(struct authd_penalty *p, struct entry *e)
{
    if (e->prev != NULL)
        e->prev->next = e->next;
    else
        p->head = e->next;
    if (e->next != NULL)
        e->next->prev = e->prev;
    else
        p->tail = e->prev;
    e->prev = e->next = NULL;
}

/* lru_front - e is the most recently touched */
static void lru_front(struct authd_penalty *p, struct entry *e)
{
    e->next = p->head;
    if (p->head != NULL)
        p->head->prev = e;
    p->head = e;
    if (p->tail == NULL)
        p->tail = e;
}

/* remove - unlink e from its chain and the list, free it */
static void remove_entry(struct authd_penalty *p, struct entry *e)
{
    struct entry **link = &p->buckets[hash(e->key) & (p->nbuckets - 1)];

    while (*link != e)
        link = &(*link)->hnext;
    *link = e->hnext;
    lru_unlink(p, e);
    free(e->key);
    free(e);
    p->count--;
}

/* find - the entry of key, or NULL */
static struct entry *find(const struct authd_penalty *p, const char *key)
{
    struct entry *e = p->buckets[hash(key) & (p->nbuckets - 1)];

    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->hnext;
    return e;
}

/* refresh - forget a window and a lockout that are over; NULL if e went */
static struct entry *refresh(struct authd_penalty *p, struct entry *e, uint64_t now)
{
    if (e == NULL)
        return NULL;
    if (e->locked_until != 0 && now >= e->locked_until) {
        remove_entry(p, e);
        return NULL;
    }
    if (e->locked_until == 0 && now - e->window_start >= p->lim.window) {
        remove_entry(p, e);
        return NULL;
    }
    return e;
}

bool authd_penalty_locked(struct authd_penalty *p, const char *key, uint64_t now, uint64_t *left_r)
{
    struct entry *e = refresh(p, find(p, key), now);

    *left_r = e != NULL && e->locked_until != 0 ? e->locked_until - now : 0;
    return *left_r != 0;
}

bool authd_penalty_fail(struct authd_penalty *p, const char *key, uint64_t now, unsigned *failures_r)
{
    struct entry *e = refresh(p, find(p, key), now);
    size_t b;

    if (e == NULL) {
        if (p->count >= p->lim.max)
            remove_entry(p, p->tail);
        e = xcalloc(1, sizeof(*e));
        e->key = xstrdup(key);
        e->window_start = now;
        b = hash(key) & (p->nbuckets - 1);
        e->hnext = p->buckets[b];
        p->buckets[b] = e;
        p->count++;
    } else {
        lru_unlink(p, e);
    }
    lru_front(p, e);
    if (e->failures < UINT32_MAX)
        e->failures++;
    *failures_r = e->failures;
    if (e->locked_until == 0 && p->lim.limit > 0 && e->failures >= p->lim.limit) {
        e->locked_until = now + (p->lim.lockout > 0 ? p->lim.lockout : 1);
        return true;
    }
    return false;
}

uint64_t authd_penalty_delay(struct authd_penalty *p, const char *key, uint64_t now)
{
    struct entry *e = refresh(p, find(p, key), now);
    uint64_t d;
    unsigned i;

    if (e == NULL || e->failures == 0)
        return 0;
    d = p->lim.delay_base;
    for (i = 1; i < e->failures && d < p->lim.delay_max; i++)
        d <<= 1;
    return d < p->lim.delay_max ? d : p->lim.delay_max;
}

void authd_penalty_clear(struct authd_penalty *p, const char *key)
{
    struct entry *e = find(p, key);

    if (e != NULL)
        remove_entry(p, e);
}

size_t authd_penalty_count(const struct authd_penalty *p)
{
    return p->count;
}

void authd_penalty_destroy(struct authd_penalty **p_r)
{
    struct authd_penalty *p = *p_r;

    if (p == NULL)
        return;
    while (p->head != NULL)
        remove_entry(p, p->head);
    free(p->buckets);
    free(p);
    *p_r = NULL;
}
