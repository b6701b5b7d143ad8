/* SPDX-License-Identifier: MIT
 * fuzz_local_request - the local delivery agent's request check on
 * untrusted bytes.
 *
 * The input is one ipc payload (a frame without its 4-byte header), as qmgr
 * or anything that reaches private/local could send it. When it decodes
 * (with no descriptors), local_request_check runs on it. A refusal must
 * give a reason that becomes a short printable reply text. An accepted
 * request must hold what delivery relies on, checked here independently
 * of the checker: a valid queue id, 1..LOCAL_RCPT_MAX recipients, no
 * control byte in any address (no header injection), and every mailbox a
 * relative path of non-empty components that never start with '.' (so no
 * "." or ".."), free of bytes outside 0x21..0x7e and '\', ending in '/',
 * within the limits; recipients marked as sharing a delivery really have
 * the same mailbox.
 *
 * Seeds: tests/fuzz/corpus/local_request/; dictionary: local_request.dict.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "local_deliver.h"
#include "util/ipc.h"
#include "util/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fail - an invariant broke: report and crash so the fuzzer keeps the input */
static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_local_request: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* check_text - no control byte, bounded */
static void check_text(const char *what, const char *s, size_t max)
{
    size_t i, len = strlen(s);

    if (len > max)
        fail(what, "too long");
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            fail(what, "control byte");
}

/* check_mailbox - the path is safe to append to virtual_mailbox_base */
static void check_mailbox(const char *mb)
{
    size_t i, len = strlen(mb), comp = 0, depth = 0;

    if (len == 0 || len > LOCAL_MAILBOX_MAX || mb[0] == '/' || mb[len - 1] != '/')
        fail("mailbox shape", mb);
    if (strstr(mb, "//") != NULL || strstr(mb, "..") == mb || strstr(mb, "/..") != NULL)
        fail("mailbox component", mb);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)mb[i];

        if (c == '/') {
            if (comp == 0 || comp > LOCAL_COMPONENT_MAX)
                fail("mailbox component length", mb);
            comp = 0;
            depth++;
            continue;
        }
        if (comp == 0 && c == '.')
            fail("mailbox component starts with '.'", mb);
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            fail("mailbox byte", mb);
        comp++;
    }
    if (depth > LOCAL_MAILBOX_DEPTH_MAX)
        fail("mailbox depth", mb);
}

/* check_accepted - everything delivery relies on */
static void check_accepted(const struct local_request *req)
{
    size_t i;

    if (strlen(req->queue_id) != 12 || strspn(req->queue_id, "0123456789ABCDEFGHIJKLMNOPQRSTUV") != 12)
        fail("queue id", req->queue_id);
    check_text("sender", req->sender, LOCAL_ADDR_MAX);
    if (req->nrcpt == 0 || req->nrcpt > LOCAL_RCPT_MAX)
        fail("recipient count", NULL);
    if (req->offset > (uint64_t)INT64_MAX - req->length)
        fail("content range", NULL);
    for (i = 0; i < req->nrcpt; i++) {
        const struct local_rcpt *rc = &req->rcpts[i];

        if (rc->rcpt[0] == '\0')
            fail("empty rcpt", NULL);
        check_text("rcpt", rc->rcpt, LOCAL_ADDR_MAX);
        if (rc->orig_rcpt != NULL)
            check_text("orig_rcpt", rc->orig_rcpt, LOCAL_ADDR_MAX);
        check_mailbox(rc->mailbox);
        if (rc->first > i || req->rcpts[rc->first].first != rc->first
            || strcmp(req->rcpts[rc->first].mailbox, rc->mailbox) != 0)
            fail("same-mailbox grouping", rc->mailbox);
    }
}

/* LLVMFuzzerTestOneInput - one payload through the request check */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct local_result refusal = { 0 };
    struct local_request req;
    struct ipc_msg *m;
    const char *error;
    size_t i;

    msg_init("fuzz_local_request");
    if (ipc_msg_decode(data, size, NULL, 0, &m, &error) < 0)
        return 0;
    if (local_request_check(m, &req, &error) == 0) {
        check_accepted(&req);
        local_request_free(&req);
    } else {
        if (req.rcpts != NULL || req.nrcpt != 0)
            fail("refused request keeps recipients", error);
        local_result_set(&refusal, LOCAL_MALFORMED, error, NULL);
        for (i = 0; refusal.reason[i] != '\0'; i++)
            if ((unsigned char)refusal.reason[i] < 0x20 || (unsigned char)refusal.reason[i] >= 0x7f)
                fail("refusal reason not printable", refusal.reason);
        if (i > LOCAL_REASON_MAX)
            fail("refusal reason too long", refusal.reason);
        local_result_clear(&refusal);
    }
    if (local_request_rcpt_count(m) > LOCAL_RCPT_MAX + 1)
        fail("rcpt count unbounded", NULL);
    ipc_msg_destroy(&m);
    return 0;
}
