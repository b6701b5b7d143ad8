/* SPDX-License-Identifier: MIT
 * fuzz_anvil_request - anvil's request handling on untrusted bytes.
 *
 * The input is one ipc payload (a frame without its 4-byte header), as a
 * sibling daemon could send it. When it decodes (with no descriptors), the
 * request is checked and applied to a small test table several times: from
 * two owners, across a rate window, with the table at its limit (one busy
 * and one idle entry already there), then with every owner gone. After each
 * step the table's invariants must hold; once every owner is gone no count
 * may remain; a reply always has status 0 or 1 and renders within bounds.
 *
 * Seeds: tests/fuzz/corpus/anvil_request/; dictionary: anvil_request.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "anvil_proto.h"
#include "util/buf.h"
#include "util/ipc.h"
#include "util/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TABLE_LIMIT 3
#define TIME_UNIT 1000

/* fail - an invariant broke: report and crash so the fuzzer keeps the input */
static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_anvil_request: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* step - handle the request once and check the reply and the table */
static void step(struct anvil_table *t, struct anvil_owner *o, const struct ipc_msg *m, uint64_t now,
                 struct buf *out)
{
    struct ipc_msg *reply;
    const char *logged, *error;
    int64_t status;

    reply = anvil_proto_handle(t, o, m, now, &logged);
    if (ipc_msg_get_int(reply, "status", &status, &error) < 0)
        fail("reply without status", error);
    if (status != ANVIL_STATUS_OK && status != ANVIL_STATUS_REFUSED)
        fail("reply status", "neither 0 nor 1");
    if (status == ANVIL_STATUS_OK && logged != NULL)
        fail("accepted request with an error", logged);
    buf_reset(out);
    ipc_msg_render(reply, out);
    ipc_msg_destroy(&reply);
    if (anvil_table_verify(t, &error) < 0)
        fail("table invariant", error);
}

/* check_released - with no owner left, the request's key holds nothing */
static void check_released(const struct anvil_table *t, const struct ipc_msg *m)
{
    struct anvil_request req;
    struct anvil_counts c;
    const char *error;

    if (anvil_proto_check(m, &req, &error) < 0)
        return;
    anvil_table_lookup(t, req.service, req.ident, 10 * TIME_UNIT, &c);
    if (c.count != 0)
        fail("connections left after every owner went", req.ident);
}

/* LLVMFuzzerTestOneInput - one payload through check, proceed and release */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct anvil_table *t;
    struct anvil_owner *o1, *o2, *busy;
    struct anvil_counts c;
    struct ipc_msg *m;
    struct buf *out;
    const char *error;
    uint64_t rate;

    msg_init("fuzz_anvil_request");
    if (ipc_msg_decode(data, size, NULL, 0, &m, &error) < 0)
        return 0;
    t = anvil_table_create(TABLE_LIMIT, TIME_UNIT);
    o1 = anvil_owner_create(t);
    o2 = anvil_owner_create(t);
    busy = anvil_owner_create(t);
    out = buf_create(256, 64 * 1024);
    if (anvil_table_connect(t, busy, "smtpd", "busy", 0, &c, &error) < 0
        || anvil_table_event(t, "smtpd", "idle", ANVIL_EVENT_MESSAGE, 0, &rate, &error) < 0)
        fail("setup", error);
    step(t, o1, m, 1, out);
    step(t, o1, m, 2, out);
    step(t, o2, m, 3, out);
    step(t, o2, m, TIME_UNIT + 3, out);
    anvil_owner_destroy(&o1, TIME_UNIT + 4);
    step(t, o2, m, TIME_UNIT + 5, out);
    anvil_table_purge(t, 3 * TIME_UNIT);
    step(t, o2, m, 3 * TIME_UNIT + 1, out);
    anvil_owner_destroy(&o2, 4 * TIME_UNIT);
    anvil_owner_destroy(&busy, 4 * TIME_UNIT);
    if (anvil_table_verify(t, &error) < 0)
        fail("table invariant after release", error);
    check_released(t, m);
    buf_destroy(&out);
    anvil_table_destroy(&t);
    ipc_msg_destroy(&m);
    return 0;
}
