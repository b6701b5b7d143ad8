/* SPDX-License-Identifier: MIT
 * queue_id - queue ids from a 60-bit counter with a durable high-water mark.
 *
 * DIR/id holds the next unreserved counter value as decimal text and a
 * newline. Opening reads it (a missing file means a new spool: start at 1)
 * and durably writes mark + QUEUE_ID_BLOCK before handing out any id of the
 * block, so after a crash the next process starts past everything that may
 * have been used. A malformed file is an error, never a restart at 1,
 * which would reuse ids. Ids are fixed-width, most significant digit
 * first, so string order is numeric order.
 *
 * Trusts: the id file is read with a size limit and parsed strictly.
 * See also: queue_file.h, docs/queue.md ("Queue ids").
 */
#include "mail/queue_id.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/durable.h"
#include "util/err.h"

#define QUEUE_ID_BITS 60
#define QUEUE_ID_LIMIT ((uint64_t)1 << QUEUE_ID_BITS) /* one past the largest counter */
#define QUEUE_ID_FILE_MAX 32

static const char queue_id_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

struct queue_id_gen {
    char *path;     /* DIR/id */
    uint64_t next;  /* the counter value of the next id */
    uint64_t limit; /* the mark on disk: next may not reach it */
};

/* parse_mark - "DIGITS\n" to a counter value in [1, QUEUE_ID_LIMIT] */
static int parse_mark(const char *text, size_t len, uint64_t *mark_r)
{
    uint64_t v = 0;
    size_t i;

    if (len < 2 || len > 20 || text[len - 1] != '\n')
        return -1;
    for (i = 0; i + 1 < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (v == 0 || v > QUEUE_ID_LIMIT)
        return -1;
    *mark_r = v;
    return 0;
}

/* read_mark - the mark in the id file, or 1 when there is none yet */
static int read_mark(const char *path, uint64_t *mark_r, const char **error_r)
{
    char text[QUEUE_ID_FILE_MAX + 1];
    size_t len = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT) {
        *mark_r = 1;
        return 0;
    }
    if (fd < 0)
        return errf(error_r, "open %s: %s", path, strerror(errno));
    while (len < sizeof(text) && (r = read(fd, text + len, sizeof(text) - len)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;

            close(fd);
            return errf(error_r, "read %s: %s", path, strerror(saved));
        }
        len += (size_t)r;
    }
    close(fd);
    if (parse_mark(text, len, mark_r) < 0)
        return errf(error_r,
                    "%s: malformed queue id mark (want the next counter value, "
                    "1 to %llu, in decimal and a newline)",
                    path, (unsigned long long)QUEUE_ID_LIMIT);
    return 0;
}

/* reserve - durably move the mark one block past next */
static int reserve(struct queue_id_gen *g, const char **error_r)
{
    char text[QUEUE_ID_FILE_MAX];
    uint64_t mark;
    int n;

    if (QUEUE_ID_LIMIT - g->next < QUEUE_ID_BLOCK)
        return errf(error_r, "%s: queue id counter exhausted", g->path);
    mark = g->next + QUEUE_ID_BLOCK;
    n = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)mark);
    if (durable_write_file(g->path, text, (size_t)n, 0600, error_r) < 0)
        return -1;
    g->limit = mark;
    return 0;
}

/* remove_stale_tmp - drop a temporary id file left by a crash under our pid */
static void remove_stale_tmp(const char *path)
{
    char tmp[4096];

    /* durable_write_file creates PATH.tmp.PID with O_EXCL. A process that
     * died between that and the rename leaves it behind, and in a container
     * the restarted qmgr often gets the same pid: no other live process can
     * own this name, so removing it is safe, and without it every start
     * would fail. */
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) < (int)sizeof(tmp))
        unlink(tmp);
}

/* queue_id_open - read the mark and reserve the first block */
int queue_id_open(const char *dir, struct queue_id_gen **g_r, const char **error_r)
{
    struct queue_id_gen *g = xcalloc(1, sizeof(*g));

    g->path = xasprintf("%s/id", dir);
    remove_stale_tmp(g->path);
    if (read_mark(g->path, &g->next, error_r) < 0 || reserve(g, error_r) < 0) {
        queue_id_close(&g);
        return -1;
    }
    *g_r = g;
    return 0;
}

/* queue_id_close - free the generator (the unused rest of the block is lost) */
void queue_id_close(struct queue_id_gen **g_r)
{
    struct queue_id_gen *g = *g_r;

    if (g == NULL)
        return;
    xfree(g->path);
    xfree(g);
    *g_r = NULL;
}

/* queue_id_next - the next id, reserving a new block when needed */
int queue_id_next(struct queue_id_gen *g, char out[QUEUE_ID_LEN + 1], const char **error_r)
{
    uint64_t v;
    int i;

    if (g->next >= g->limit && reserve(g, error_r) < 0)
        return -1;
    v = g->next++;
    for (i = QUEUE_ID_LEN - 1; i >= 0; i--) {
        out[i] = queue_id_digits[v & 31];
        v >>= 5;
    }
    out[QUEUE_ID_LEN] = '\0';
    return 0;
}

/* queue_id_valid - exactly QUEUE_ID_LEN characters of the alphabet */
bool queue_id_valid(const char *s)
{
    size_t i;

    for (i = 0; i < QUEUE_ID_LEN; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'V')))
            return false;
    }
    return s[QUEUE_ID_LEN] == '\0';
}
