/* SPDX-License-Identifier: MIT
 * authd_penalty - brute-force accounting: failed logins per client address
 * and per account name, the delay a failing client waits before it hears
 * "no", and the lockout after too many failures in a window.
 *
 * Each key ("a:ADDRESS" or "u:ACCOUNT", any account name, existing or not,
 * so a lockout tells nothing about which accounts exist) counts failures in
 * a window of `window` ms from its first failure. The delay before a
 * failure reply is delay_base << (failures - 1), at most delay_max (0 with
 * no failure). At `limit` failures inside the window the key is locked for
 * `lockout` ms: every attempt is refused, right password or not. A success
 * clears the address and the account. The table holds at most `max`
 * keys; when full, the least recently touched key is forgotten, so memory
 * stays bounded whatever names attackers try (THREATS.md #28, #36).
 *
 * Times are milliseconds of a monotonic clock, given by the caller.
 */
#ifndef PETREL_AUTHD_PENALTY_H
#define PETREL_AUTHD_PENALTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct authd_penalty_limits {
    uint64_t window;     /* ms */
    unsigned limit;      /* failures in the window that lock; 0: never */
    uint64_t lockout;    /* ms */
    uint64_t delay_base; /* ms */
    uint64_t delay_max;  /* ms */
    size_t max;          /* keys kept */
};

struct authd_penalty;

struct authd_penalty *authd_penalty_create(const struct authd_penalty_limits *limits);
void authd_penalty_destroy(struct authd_penalty **p_r);

/* authd_penalty_locked - is key locked at now? (*left_r: ms to go) */
bool authd_penalty_locked(struct authd_penalty *p, const char *key, uint64_t now, uint64_t *left_r);
/* authd_penalty_fail - count one failure of key; true when this one
 * locked it; *failures_r gets the count in the window */
bool authd_penalty_fail(struct authd_penalty *p, const char *key, uint64_t now, unsigned *failures_r);
/* authd_penalty_delay - ms a failure reply to key waits now */
uint64_t authd_penalty_delay(struct authd_penalty *p, const char *key, uint64_t now);
/* authd_penalty_clear - key logged in: forget it */
void authd_penalty_clear(struct authd_penalty *p, const char *key);
/* authd_penalty_count - keys held */
size_t authd_penalty_count(const struct authd_penalty *p);

#endif
