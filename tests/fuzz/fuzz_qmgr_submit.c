/* SPDX-License-Identifier: MIT
 * fuzz_qmgr_submit - qmgr's qmgr-submit request checks on untrusted bytes.
 *
 * The input is a stream of frames (4-byte big-endian length, then an ipc
 * payload), as smtpd could send them on one connection. Each frame that
 * decodes is checked by qmgr_submit_check in the session's current state,
 * and the state advances as the daemon's would (begin -> RCPT, data ->
 * DATA, end -> COMMIT, abort -> DONE). Invariants: an accepted request
 * carries what it must (sender, a non-empty protocol, an address, data
 * within SUBMIT_DATA_MAX) with no control bytes in any text; a refused one
 * has an error and a 5.5.x dsn; nothing is accepted after end or abort.
 *
 * Seeds: tests/fuzz/corpus/qmgr_submit/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_proto.h"
#include "qmgr_submit.h"
#include "util/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fail - an invariant broke: report and crash so the fuzzer keeps the input */
static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_qmgr_submit: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* check_text - an accepted text attribute: short, no control bytes */
static void check_text(const char *name, const char *s, bool required)
{
    size_t i, len;

    if (s == NULL) {
        if (required)
            fail("missing required attribute", name);
        return;
    }
    len = strlen(s);
    if (len > QMGR_SUBMIT_TEXT_MAX)
        fail("text too long", name);
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            fail("control byte accepted", name);
}

/* check_accepted - what an accepted request must carry */
static void check_accepted(const struct qmgr_submit_args *a)
{
    size_t i;

    switch (a->req) {
    case QMGR_REQ_BEGIN:
        check_text("sender", a->sender, true);
        check_text("protocol", a->protocol, true);
        if (a->protocol[0] == '\0')
            fail("empty protocol accepted", NULL);
        for (i = 0; i < 5; i++)
            check_text(qmgr_submit_client_attrs[i], a->client[i], false);
        break;
    case QMGR_REQ_RCPT:
        check_text("address", a->address, true);
        check_text("orcpt", a->orcpt, false);
        check_text("notify", a->notify, false);
        break;
    case QMGR_REQ_DATA:
        if (a->len > SUBMIT_DATA_MAX || (a->len > 0 && a->data == NULL))
            fail("bad data accepted", NULL);
        break;
    case QMGR_REQ_END:
    case QMGR_REQ_ABORT:
        break;
    case QMGR_REQ_UNKNOWN:
    default:
        fail("unknown request accepted", NULL);
    }
}

/* next_state - the state after an accepted request */
static enum qmgr_submit_state next_state(enum qmgr_submit_state st, enum qmgr_submit_req req)
{
    switch (req) {
    case QMGR_REQ_BEGIN:
        return QMGR_SUBMIT_RCPT;
    case QMGR_REQ_DATA:
        return QMGR_SUBMIT_DATA;
    case QMGR_REQ_END:
        return QMGR_SUBMIT_COMMIT;
    case QMGR_REQ_ABORT:
        return QMGR_SUBMIT_DONE;
    case QMGR_REQ_RCPT:
    case QMGR_REQ_UNKNOWN:
    default:
        return st;
    }
}

/* LLVMFuzzerTestOneInput - one connection's worth of frames */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum qmgr_submit_state st = QMGR_SUBMIT_BEGIN;
    struct qmgr_submit_args a;
    struct ipc_msg *m;
    const char *dsn, *error;
    size_t off = 0, len;

    while (size - off >= IPC_HEADER_SIZE) {
        if (ipc_frame_length(data + off, 1024 * 1024, &len, &error) < 0 || len > size - off - IPC_HEADER_SIZE)
            break;
        off += IPC_HEADER_SIZE;
        if (ipc_msg_decode(data + off, len, NULL, 0, &m, &error) == 0) {
            error = NULL;
            if (qmgr_submit_check(st, m, &a, &dsn, &error) == 0) {
                if (st == QMGR_SUBMIT_COMMIT || st == QMGR_SUBMIT_DONE)
                    fail("request accepted after end", NULL);
                check_accepted(&a);
                st = next_state(st, a.req);
            } else if (error == NULL || strncmp(dsn, "5.5.", 4) != 0) {
                fail("refusal without an error or a 5.5.x dsn", dsn);
            }
            ipc_msg_destroy(&m);
        }
        off += len;
    }
    return 0;
}
