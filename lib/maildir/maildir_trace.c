/* SPDX-License-Identifier: MIT
 * maildir_trace - the step record and failure hook of maildir_trace.h.
 */
#include "maildir/maildir_trace.h"

#include <errno.h>

static struct maildir_trace trace;
static enum maildir_op fail_op;
static int fail_errno;

/* maildir_trace_reset - clear the trace and any pending failure */
void maildir_trace_reset(void)
{
    trace.count = 0;
    fail_errno = 0;
}

/* maildir_trace_get - the recorded steps */
const struct maildir_trace *maildir_trace_get(void)
{
    return &trace;
}

/* maildir_trace_fail - arm a failure for the next step op */
void maildir_trace_fail(enum maildir_op op, int errnum)
{
    fail_op = op;
    fail_errno = errnum;
}

/* maildir_trace_step - record op; -1 with errno if a test armed a failure */
int maildir_trace_step(enum maildir_op op)
{
    if (trace.count < MAILDIR_TRACE_MAX)
        trace.ops[trace.count] = op;
    trace.count++;
    if (fail_errno != 0 && fail_op == op) {
        errno = fail_errno;
        fail_errno = 0;
        return -1;
    }
    return 0;
}
