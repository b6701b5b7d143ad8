/* SPDX-License-Identifier: MIT
 * fuzz_ipc_msg - ipc_msg_decode() on untrusted frame payloads.
 *
 * The input is one frame's payload, decoded without descriptors. When it
 * decodes, it is rendered, re-encoded and decoded again: the two renderings
 * must be equal and the re-encoded payload must be the input itself
 * (encoding is canonical). Any difference aborts.
 *
 * Seeds: tests/fuzz/corpus/ipc_msg/; dictionary: tests/fuzz/ipc_msg.dict.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/ipc.h"

#define FUZZ_MAX_FRAME (16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* render_new - the rendering of m in a new buffer */
static struct buf *render_new(const struct ipc_msg *m)
{
    struct buf *b = buf_create(64, 64 * FUZZ_MAX_FRAME);

    ipc_msg_render(m, b);
    return b;
}

/* LLVMFuzzerTestOneInput - decode, render, re-encode, decode, compare */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ipc_msg *m, *again;
    struct buf *frame, *r1, *r2;
    int fds[IPC_FD_MAX];
    const char *error;
    size_t nfds, len;

    if (size > FUZZ_MAX_FRAME || ipc_msg_decode(data, size, NULL, 0, &m, &error) < 0)
        return 0;
    r1 = render_new(m);
    frame = buf_create(0, FUZZ_MAX_FRAME + IPC_HEADER_SIZE);
    if (ipc_msg_encode(m, FUZZ_MAX_FRAME, frame, fds, &nfds, &error) < 0)
        abort();
    if (ipc_frame_length((const unsigned char *)frame->data, FUZZ_MAX_FRAME, &len, &error) < 0 || len != size
        || nfds != 0 || (size > 0 && memcmp(frame->data + IPC_HEADER_SIZE, data, size) != 0))
        abort();
    if (ipc_msg_decode(frame->data + IPC_HEADER_SIZE, len, NULL, 0, &again, &error) < 0)
        abort();
    r2 = render_new(again);
    if (r1->len != r2->len || memcmp(r1->data, r2->data, r1->len) != 0)
        abort();
    buf_destroy(&r1);
    buf_destroy(&r2);
    buf_destroy(&frame);
    ipc_msg_destroy(&m);
    ipc_msg_destroy(&again);
    return 0;
}
