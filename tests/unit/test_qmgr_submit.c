/* SPDX-License-Identifier: MIT
 * test_qmgr_submit - the qmgr-submit request checks, as a table: every
 * request in every state (order), then missing, mistyped and malformed
 * attributes (the uid of a local submission among them), with the dsn and
 * the exact error of each refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail_proto.h"
#include "qmgr_submit.h"
#include "test.h"
#include "util/ipc.h"

#define MAX_ATTRS 12

/* One case: a state, attributes ("name=value"; "#name=N" an integer,
 * "%name=text" data), and what check says. */
struct submit_case {
    enum qmgr_submit_state state;
    const char *attrs[MAX_ATTRS];
    int rc;
    enum qmgr_submit_req req;
    const char *dsn;
    const char *error; /* substring, or NULL */
};

/* build - an ipc message from the attribute strings */
static struct ipc_msg *build(const char *const *attrs)
{
    struct ipc_msg *m = ipc_msg_create();
    char name[64];
    size_t i, len;

    for (i = 0; i < MAX_ATTRS && attrs[i] != NULL; i++) {
        const char *a = attrs[i] + (attrs[i][0] == '#' || attrs[i][0] == '%');
        const char *eq = strchr(a, '=');

        len = (size_t)(eq - a);
        snprintf(name, sizeof(name), "%.*s", (int)len, a);
        if (attrs[i][0] == '#')
            ipc_msg_add_int(m, name, strtoll(eq + 1, NULL, 10));
        else if (attrs[i][0] == '%')
            ipc_msg_add_data(m, name, eq + 1, strlen(eq + 1));
        else
            ipc_msg_add_str(m, name, eq + 1);
    }
    return m;
}

#define BEGIN_OK "request=begin", "sender=a@example.test", "protocol=ESMTP"

static const struct submit_case cases[] = {
    /* order */
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK }, 0, QMGR_REQ_BEGIN, "2.0.0", NULL },
    { QMGR_SUBMIT_RCPT,
      { BEGIN_OK },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.1",
      "request \"begin\" out of order (after begin)" },
    { QMGR_SUBMIT_BEGIN,
      { "request=rcpt", "address=b@example.test" },
      -1,
      QMGR_REQ_RCPT,
      "5.5.1",
      "out of order (before begin)" },
    { QMGR_SUBMIT_RCPT, { "request=rcpt", "address=b@example.test" }, 0, QMGR_REQ_RCPT, "2.0.0", NULL },
    { QMGR_SUBMIT_DATA,
      { "request=rcpt", "address=b@example.test" },
      -1,
      QMGR_REQ_RCPT,
      "5.5.1",
      "request \"rcpt\" out of order (after data)" },
    { QMGR_SUBMIT_BEGIN, { "request=data", "%data=x" }, -1, QMGR_REQ_DATA, "5.5.1", "out of order" },
    { QMGR_SUBMIT_RCPT, { "request=data", "%data=x" }, 0, QMGR_REQ_DATA, "2.0.0", NULL },
    { QMGR_SUBMIT_DATA, { "request=data", "%data=" }, 0, QMGR_REQ_DATA, "2.0.0", NULL },
    { QMGR_SUBMIT_BEGIN, { "request=end" }, -1, QMGR_REQ_END, "5.5.1", "out of order" },
    { QMGR_SUBMIT_RCPT, { "request=end" }, 0, QMGR_REQ_END, "2.0.0", NULL },
    { QMGR_SUBMIT_DATA, { "request=end" }, 0, QMGR_REQ_END, "2.0.0", NULL },
    { QMGR_SUBMIT_COMMIT, { "request=end" }, -1, QMGR_REQ_END, "5.5.1", "(after end)" },
    { QMGR_SUBMIT_DONE, { "request=data", "%data=x" }, -1, QMGR_REQ_DATA, "5.5.1", "(after the reply)" },
    { QMGR_SUBMIT_BEGIN, { "request=abort" }, 0, QMGR_REQ_ABORT, "2.0.0", NULL },
    { QMGR_SUBMIT_DATA, { "request=abort" }, 0, QMGR_REQ_ABORT, "2.0.0", NULL },
    { QMGR_SUBMIT_COMMIT, { "request=abort" }, -1, QMGR_REQ_ABORT, "5.5.1", "out of order" },
    /* the request itself */
    { QMGR_SUBMIT_BEGIN,
      { "sender=a@example.test" },
      -1,
      QMGR_REQ_UNKNOWN,
      "5.5.1",
      "missing attribute \"request\"" },
    { QMGR_SUBMIT_BEGIN, { "request=helo" }, -1, QMGR_REQ_UNKNOWN, "5.5.1", "unknown request \"helo\"" },
    { QMGR_SUBMIT_BEGIN, { "#request=1" }, -1, QMGR_REQ_UNKNOWN, "5.5.1", "is an integer" },
    /* begin */
    { QMGR_SUBMIT_BEGIN, { "request=begin", "sender=", "protocol=ESMTP" }, 0, QMGR_REQ_BEGIN, "2.0.0", NULL },
    { QMGR_SUBMIT_BEGIN,
      { "request=begin", "protocol=ESMTP" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "missing attribute \"sender\"" },
    { QMGR_SUBMIT_BEGIN,
      { "request=begin", "sender=a@b" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "missing attribute \"protocol\"" },
    { QMGR_SUBMIT_BEGIN,
      { "request=begin", "sender=a@b", "protocol=" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "attribute \"protocol\" is empty" },
    { QMGR_SUBMIT_BEGIN,
      { "request=begin", "sender=a\r\nb@c", "protocol=ESMTP" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "attribute \"sender\" has the control byte 0x0d at offset 1" },
    { QMGR_SUBMIT_BEGIN,
      { BEGIN_OK, "client_addr=192.0.2.1", "client_name=h.example", "helo=h", "tls=TLSv1.3", "auth=alice",
        "envid=x", "ret=HDRS", "#smtputf8=1", "#size=100" },
      0,
      QMGR_REQ_BEGIN,
      "2.0.0",
      NULL },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "ret=ALL" }, -1, QMGR_REQ_BEGIN, "5.5.4", "neither FULL nor HDRS" },
    { QMGR_SUBMIT_BEGIN,
      { BEGIN_OK, "#smtputf8=2" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "\"smtputf8\" is out of range" },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "#size=-1" }, -1, QMGR_REQ_BEGIN, "5.5.4", "\"size\" is out of range" },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "size=10" }, -1, QMGR_REQ_BEGIN, "5.5.4", "\"size\"" },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "#helo=3" }, -1, QMGR_REQ_BEGIN, "5.5.4", "\"helo\"" },
    /* rcpt */
    { QMGR_SUBMIT_RCPT, { "request=rcpt" }, -1, QMGR_REQ_RCPT, "5.5.4", "missing attribute \"address\"" },
    { QMGR_SUBMIT_RCPT, { "request=rcpt", "address=" }, -1, QMGR_REQ_RCPT, "5.5.4", "\"address\" is empty" },
    { QMGR_SUBMIT_RCPT,
      { "request=rcpt", "address=b@x", "orcpt=rfc822;b@x", "notify=success,Delay" },
      0,
      QMGR_REQ_RCPT,
      "2.0.0",
      NULL },
    { QMGR_SUBMIT_RCPT, { "request=rcpt", "address=b@x", "notify=NEVER" }, 0, QMGR_REQ_RCPT, "2.0.0", NULL },
    { QMGR_SUBMIT_RCPT,
      { "request=rcpt", "address=b@x", "notify=SUCCESS,NEVER" },
      -1,
      QMGR_REQ_RCPT,
      "5.5.4",
      "\"notify\" is not NEVER" },
    { QMGR_SUBMIT_RCPT,
      { "request=rcpt", "address=b@x", "notify=" },
      -1,
      QMGR_REQ_RCPT,
      "5.5.4",
      "\"notify\"" },
    { QMGR_SUBMIT_RCPT,
      { "request=rcpt", "address=b@x", "orcpt=b@x" },
      -1,
      QMGR_REQ_RCPT,
      "5.5.4",
      "\"orcpt\" is not of the form TYPE;ADDRESS" },
    /* uid: local submission */
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "#uid=0" }, 0, QMGR_REQ_BEGIN, "2.0.0", NULL },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "#uid=4294967294" }, 0, QMGR_REQ_BEGIN, "2.0.0", NULL },
    { QMGR_SUBMIT_BEGIN,
      { BEGIN_OK, "#uid=-1" },
      -1,
      QMGR_REQ_BEGIN,
      "5.5.4",
      "attribute \"uid\" is out of range: -1" },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "#uid=4294967295" }, -1, QMGR_REQ_BEGIN, "5.5.4", "out of range" },
    { QMGR_SUBMIT_BEGIN, { BEGIN_OK, "uid=1000" }, -1, QMGR_REQ_BEGIN, "5.5.4", "\"uid\"" },
    /* data */
    { QMGR_SUBMIT_RCPT, { "request=data" }, -1, QMGR_REQ_DATA, "5.5.4", "missing attribute \"data\"" },
    { QMGR_SUBMIT_RCPT, { "request=data", "data=text" }, -1, QMGR_REQ_DATA, "5.5.4", "\"data\"" },
};

/* test_table - every case */
static void test_table(void)
{
    struct qmgr_submit_args a;
    const char *dsn, *error;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct submit_case *c = &cases[i];
        struct ipc_msg *m = build(c->attrs);

        error = NULL;
        rc = qmgr_submit_check(c->state, m, &a, &dsn, &error);
        if (!EXPECT_INT(rc, c->rc) || !EXPECT_INT(a.req, c->req) || !EXPECT_STR(dsn, c->dsn))
            fprintf(stderr, "  case %zu (error: %s)\n", i, error != NULL ? error : "none");
        if (c->error != NULL && !EXPECT_CONTAINS(error != NULL ? error : "", c->error))
            fprintf(stderr, "  case %zu\n", i);
        ipc_msg_destroy(&m);
    }
}

/* test_values - what a good begin, rcpt and data yield */
static void test_values(void)
{
    static const char *const begin[MAX_ATTRS] = { BEGIN_OK, "helo=mx", "#size=42", "#smtputf8=1",
                                                  "ret=FULL" };
    static const char *const local[MAX_ATTRS] = { "request=begin", "sender=", "protocol=LOCAL", "#uid=1000" };
    static const char *const rcpt[MAX_ATTRS] = { "request=rcpt", "address=b@x", "notify=FAILURE" };
    static const char *const data[MAX_ATTRS] = { "request=data", "%data=hello" };
    struct ipc_msg *m = build(begin);
    struct qmgr_submit_args a;
    const char *dsn, *error;

    EXPECT_INT(qmgr_submit_check(QMGR_SUBMIT_BEGIN, m, &a, &dsn, &error), 0);
    EXPECT_STR(a.sender, "a@example.test");
    EXPECT_STR(a.protocol, "ESMTP");
    EXPECT_STR(a.client[2], "mx");
    EXPECT_TRUE(a.client[0] == NULL);
    EXPECT_INT(a.size, 42);
    EXPECT_TRUE(a.smtputf8);
    EXPECT_STR(a.ret, "FULL");
    EXPECT_INT(a.uid, -1);
    ipc_msg_destroy(&m);
    m = build(local);
    EXPECT_INT(qmgr_submit_check(QMGR_SUBMIT_BEGIN, m, &a, &dsn, &error), 0);
    EXPECT_INT(a.uid, 1000);
    EXPECT_STR(a.protocol, "LOCAL");
    ipc_msg_destroy(&m);
    m = build(rcpt);
    EXPECT_INT(qmgr_submit_check(QMGR_SUBMIT_RCPT, m, &a, &dsn, &error), 0);
    EXPECT_STR(a.address, "b@x");
    EXPECT_STR(a.notify, "FAILURE");
    EXPECT_TRUE(a.orcpt == NULL);
    ipc_msg_destroy(&m);
    m = build(data);
    EXPECT_INT(qmgr_submit_check(QMGR_SUBMIT_DATA, m, &a, &dsn, &error), 0);
    EXPECT_MEM(a.data, a.len, "hello", 5);
    ipc_msg_destroy(&m);
}

/* test_big_data - a data frame over SUBMIT_DATA_MAX is refused */
static void test_big_data(void)
{
    static char big[SUBMIT_DATA_MAX + 1];
    struct ipc_msg *m = ipc_msg_create();
    struct qmgr_submit_args a;
    const char *dsn, *error = NULL;

    ipc_msg_add_str(m, MA_REQUEST, SUBMIT_REQ_DATA);
    ipc_msg_add_data(m, MA_DATA, big, sizeof(big));
    EXPECT_INT(qmgr_submit_check(QMGR_SUBMIT_DATA, m, &a, &dsn, &error), -1);
    EXPECT_STR(dsn, "5.5.4");
    EXPECT_STR(error, "data frame of 65537 bytes exceeds 65536");
    ipc_msg_destroy(&m);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_table),
        TEST_CASE(test_values),
        TEST_CASE(test_big_data),
        TEST_END,
    });
}
