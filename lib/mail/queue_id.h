/* SPDX-License-Identifier: MIT
 * queue_id - queue ids that sort in arrival order and never repeat within
 * a spool's lifetime, even across clock steps and crashes.
 *
 * An id is QUEUE_ID_LEN characters of base 32 ("0-9A-V") of a 60-bit
 * counter. The counter's high-water mark lives in QUEUE/id: opening the
 * generator reads it and durably reserves the next QUEUE_ID_BLOCK ids
 * (write, fsync, rename, fsync of the directory); running out of a block
 * reserves the next. A crash wastes the rest of a block, never reuses it.
 * The file holds the next unreserved counter value in decimal and a
 * newline; a missing file starts a new spool at 1, a malformed one is an
 * error (restarting at 1 would reuse ids). Ids are fixed-width, most
 * significant digit first, so string order is arrival order.
 */
#ifndef PETREL_MAIL_QUEUE_ID_H
#define PETREL_MAIL_QUEUE_ID_H

#include <stdbool.h>
#include <stdint.h>

#define QUEUE_ID_LEN 12
#define QUEUE_ID_BLOCK 100000

struct queue_id_gen;

/* queue_id_open - the generator for the queue directory dir ($queue_directory/queue) */
int queue_id_open(const char *dir, struct queue_id_gen **g_r, const char **error_r);
void queue_id_close(struct queue_id_gen **g_r);
/* queue_id_next - the next id into out (QUEUE_ID_LEN + 1 bytes) */
int queue_id_next(struct queue_id_gen *g, char out[QUEUE_ID_LEN + 1], const char **error_r);
/* queue_id_valid - is s a well-formed queue id? (file names from the queue
 * directory and ids from the command line are checked with it) */
bool queue_id_valid(const char *s);

#endif
