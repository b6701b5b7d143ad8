/* SPDX-License-Identifier: MIT
 * maildrop - names, creation, commit and acceptance of maildrop files
 * (the contract is in maildrop.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mail/maildrop.h"
#include "mail/queue_file.h"
#include "util/err.h"

/* maildrop_name_valid - exactly MAILDROP_NAME_LEN of [0-9a-f] */
bool maildrop_name_valid(const char *s)
{
    size_t i;

    for (i = 0; i < MAILDROP_NAME_LEN; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[MAILDROP_NAME_LEN] == '\0';
}

/* random_name - 128 bits from the kernel's generator, in hex */
static int random_name(char name[MAILDROP_NAME_LEN + 1], const char **error_r)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[MAILDROP_NAME_LEN / 2];
    ssize_t n;
    size_t i;

    do
        n = getrandom(bytes, sizeof(bytes), 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(bytes))
        return errf(error_r, "getrandom: %s", n < 0 ? strerror(errno) : "short read");
    for (i = 0; i < sizeof(bytes); i++) {
        name[2 * i] = hex[bytes[i] >> 4];
        name[2 * i + 1] = hex[bytes[i] & 15];
    }
    name[MAILDROP_NAME_LEN] = '\0';
    return 0;
}

/* maildrop_create - new 0600 file, V and A written */
int maildrop_create(int dirfd, struct qf_writer **w_r, char name_r[MAILDROP_NAME_LEN + 1],
                    const char **error_r)
{
    struct timespec now;
    char arrival[64];
    struct qf_writer *w;

    if (random_name(name_r, error_r) < 0 || qf_writer_create(dirfd, name_r, &w, error_r) < 0)
        return -1;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(arrival, sizeof(arrival), "%lld.%06ld", (long long)now.tv_sec, now.tv_nsec / 1000);
    if (qf_write(w, QF_ARRIVAL, arrival, strlen(arrival), error_r) < 0) {
        qf_writer_destroy(&w, true);
        return -1;
    }
    *w_r = w;
    return 0;
}

/* maildrop_commit - complete, durable, then readable by pickup */
int maildrop_commit(struct qf_writer *w, const char **error_r)
{
    int fd = qf_writer_fd(w);

    if (qf_writer_finish(w, error_r) < 0)
        return -1;
    if (fchmod(fd, MAILDROP_READY_MODE) < 0)
        return errf(error_r, "maildrop file: chmod: %s", strerror(errno));
    /* The mode change and the directory entry: the user cannot open the
     * directory to fsync it, so sync the whole file system instead. */
    if (syncfs(fd) < 0)
        return errf(error_r, "maildrop file: syncfs: %s", strerror(errno));
    return 0;
}

/* maildrop_check - only V A F R M X; the parser already demands the rest */
int maildrop_check(const struct qf_message *m, const char **error_r)
{
    size_t i;

    if (m->nclient > 0)
        return errf(error_r, "maildrop file has a client ('C') record");
    if (m->envid != NULL || m->ret != NULL)
        return errf(error_r, "maildrop file has a DSN envelope ('E' or 'T') record");
    if (m->smtputf8)
        return errf(error_r, "maildrop file has an SMTPUTF8 ('U') record");
    for (i = 0; i < m->nrcpts; i++) {
        const struct qf_rcpt *r = &m->rcpts[i];

        if (r->done)
            return errf(error_r, "maildrop file has a delivered ('D') recipient");
        if (r->orig != NULL || r->orcpt != NULL || r->notify != NULL)
            return errf(error_r, "maildrop file has a 'P', 'O' or 'N' record for recipient %zu", i + 1);
    }
    return 0;
}
