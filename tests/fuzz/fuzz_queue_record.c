/* SPDX-License-Identifier: MIT
 * fuzz_queue_record - arbitrary bytes as a queue file: qf_parse on the
 * image, and qf_read on the same bytes in a memory file.
 *
 * Properties checked (abort on failure): both readers agree, on success
 * and on the exact error text; a refusal always has an error naming a
 * record or the end of the file; a parsed message has 1 to QF_RCPT_MAX
 * recipients, each with an address whose type byte in the input is 'R'
 * or 'D' (matching done), content inside the input followed by exactly the
 * 5-byte X record, and every string non-NULL where the format requires it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mail/queue_file.h"
#include "util/durable.h"
#include "util/err.h"

/* check_message - the invariants of a parsed message */
static void check_message(const struct qf_message *m, const uint8_t *data, size_t size)
{
    size_t i;

    if (m->nrcpts < 1 || m->nrcpts > QF_RCPT_MAX || m->sender == NULL)
        abort();
    if (m->content_offset > size || m->content_length > size - m->content_offset)
        abort();
    if (size - m->content_offset - m->content_length != QF_HEADER_SIZE)
        abort();
    if (memcmp(data + size - QF_HEADER_SIZE, "X\0\0\0\0", QF_HEADER_SIZE) != 0)
        abort();
    if (m->arrival_usec < 0 || m->arrival_usec > 999999 || m->arrival_sec < 0)
        abort();
    for (i = 0; i < m->nclient; i++) {
        if (m->client[i].name == NULL || m->client[i].name[0] == '\0' || m->client[i].value == NULL)
            abort();
    }
    for (i = 0; i < m->nrcpts; i++) {
        const struct qf_rcpt *r = &m->rcpts[i];

        if (r->address == NULL || r->address[0] == '\0' || r->offset >= m->content_offset)
            abort();
        if (data[r->offset] != (r->done ? 'D' : 'R'))
            abort();
    }
}

/* read_memfd - qf_read on the bytes in a memory file; -2 if none can be made */
static int read_memfd(const uint8_t *data, size_t size, struct qf_message **m_r, const char **error_r)
{
    int fd = memfd_create("fuzz_queue_record", MFD_CLOEXEC);
    int ret;

    if (fd < 0)
        return -2;
    if (write_full(fd, data, size) < 0) {
        close(fd);
        return -2;
    }
    ret = qf_read(fd, m_r, error_r);
    close(fd);
    return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input: both readers, then the invariants */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qf_message *m = NULL, *m2 = NULL;
    const char *error = NULL, *error2 = NULL;
    char saved[ERR_MAX];
    int ret, ret2;

    ret = qf_parse(data, size, &m, &error);
    if (ret == 0) {
        check_message(m, data, size);
    } else if (ret != -1 || m != NULL || error == NULL
               || (strncmp(error, "record ", 7) != 0 && strncmp(error, "file ends at offset ", 20) != 0)) {
        abort();
    }
    saved[0] = '\0';
    if (error != NULL)
        memcpy(saved, error, strlen(error) + 1);
    ret2 = read_memfd(data, size, &m2, &error2);
    if (ret2 != -2) {
        if (ret2 != ret)
            abort();
        if (ret == 0
            && (m2->nrcpts != m->nrcpts || m2->content_offset != m->content_offset
                || m2->content_length != m->content_length))
            abort();
        if (ret < 0 && strcmp(saved, error2) != 0)
            abort();
    }
    qf_message_free(&m);
    qf_message_free(&m2);
    return 0;
}
