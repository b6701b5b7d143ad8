/* SPDX-License-Identifier: MIT
 * test_qmgr_admin - the administrator's requests on the qmgr socket: which
 * requests are admin requests (the rest stays with qmgr-submit), their
 * validation as a table (missing, mistyped and malformed queue ids), and
 * the peer-uid policy.
 */
#include <stdio.h>
#include <string.h>

#include "mail/mail_proto.h"
#include "qmgr_admin.h"
#include "test.h"
#include "util/ipc.h"

/* One case: a request name (or NULL), a queue id (NULL: none, "#": an
 * integer instead of a string), and what the checks say. */
struct admin_case {
    const char *request;
    const char *queue_id;
    enum qmgr_admin_req req; /* from qmgr_admin_request */
    int rc;
    const char *error; /* substring, or NULL */
};

static const struct admin_case cases[] = {
    { ADMIN_REQ_LIST, NULL, QMGR_ADMIN_LIST, 0, NULL },
    { ADMIN_REQ_FLUSH, NULL, QMGR_ADMIN_FLUSH, 0, NULL },
    { ADMIN_REQ_DELETE, "0000000031L3", QMGR_ADMIN_DELETE, 0, NULL },
    { ADMIN_REQ_HOLD, "0000000031L3", QMGR_ADMIN_HOLD, 0, NULL },
    { ADMIN_REQ_RELEASE, "0000000031L3", QMGR_ADMIN_RELEASE, 0, NULL },
    { ADMIN_REQ_DELETE, NULL, QMGR_ADMIN_DELETE, -1, "queue_delete: " },
    { ADMIN_REQ_HOLD, "#", QMGR_ADMIN_HOLD, -1, "queue_hold: " },
    { ADMIN_REQ_RELEASE, "../../etc/passwd", QMGR_ADMIN_RELEASE, -1, "malformed queue id" },
    { ADMIN_REQ_DELETE, "", QMGR_ADMIN_DELETE, -1, "malformed queue id" },
    { ADMIN_REQ_DELETE, "0000000031l3", QMGR_ADMIN_DELETE, -1, "malformed queue id" },
    { ADMIN_REQ_DELETE, "0000000031L3X", QMGR_ADMIN_DELETE, -1, "malformed queue id" },
    { SUBMIT_REQ_BEGIN, NULL, QMGR_ADMIN_NONE, -1, "not an administration request" },
    { SUBMIT_REQ_END, NULL, QMGR_ADMIN_NONE, -1, "not an administration request" },
    { "queue_LIST", NULL, QMGR_ADMIN_NONE, -1, "not an administration request" },
    { NULL, "0000000031L3", QMGR_ADMIN_NONE, -1, "not an administration request" },
};

/* build - the request of one case */
static struct ipc_msg *build(const struct admin_case *c)
{
    struct ipc_msg *m = ipc_msg_create();

    if (c->request != NULL)
        ipc_msg_add_str(m, MA_REQUEST, c->request);
    if (c->queue_id != NULL && strcmp(c->queue_id, "#") == 0)
        ipc_msg_add_int(m, MA_QUEUE_ID, 42);
    else if (c->queue_id != NULL)
        ipc_msg_add_str(m, MA_QUEUE_ID, c->queue_id);
    return m;
}

/* test_table - every case through qmgr_admin_request and qmgr_admin_check */
static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct admin_case *c = &cases[i];
        struct ipc_msg *m = build(c);
        enum qmgr_admin_req req;
        const char *id, *error = NULL;
        int rc = qmgr_admin_check(m, &req, &id, &error);

        if (!EXPECT_INT(qmgr_admin_request(m), c->req) || !EXPECT_INT(rc, c->rc) || !EXPECT_INT(req, c->req))
            fprintf(stderr, "  in case %zu (%s, %s)\n", i, c->request != NULL ? c->request : "(none)",
                    c->queue_id != NULL ? c->queue_id : "(none)");
        if (rc == 0 && c->queue_id != NULL)
            EXPECT_STR(id, c->queue_id);
        if (rc == 0 && c->queue_id == NULL)
            EXPECT_TRUE(id == NULL);
        if (rc < 0 && c->error != NULL)
            EXPECT_CONTAINS(error, c->error);
        ipc_msg_destroy(&m);
    }
}

/* test_peer_policy - root and qmgr's own user, nobody else */
static void test_peer_policy(void)
{
    EXPECT_TRUE(qmgr_admin_peer_allowed(0, 0));
    EXPECT_TRUE(qmgr_admin_peer_allowed(0, 110));
    EXPECT_TRUE(qmgr_admin_peer_allowed(110, 110));
    EXPECT_FALSE(qmgr_admin_peer_allowed(1000, 110));
    EXPECT_FALSE(qmgr_admin_peer_allowed(110, 0));
    EXPECT_FALSE(qmgr_admin_peer_allowed(65534, 110));
}

int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_table),
        TEST_CASE(test_peer_policy),
        TEST_END,
    });
}
