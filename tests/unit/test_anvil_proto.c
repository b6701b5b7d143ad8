/* SPDX-License-Identifier: MIT
 * test_anvil_proto - the anvil protocol without sockets: the service and
 * ident syntax, every malformed request anvil_proto_check refuses, and the
 * exact replies (rendered as "name=value, ...") of a scripted dialogue.
 */
#include <stdio.h>
#include <string.h>

#include "anvil_proto.h"
#include "test.h"
#include "util/buf.h"
#include "util/ipc.h"

#define MAX_ATTRS 5

struct attr {
    const char *name;
    enum ipc_type type;
    const char *s;
    int64_t i;
};

/* clang-format off */
#define STR(n, v) { n, IPC_STR, v, 0 }
#define INT(n, v) { n, IPC_INT, NULL, v }
#define DATA(n, v) { n, IPC_DATA, v, 0 }
/* clang-format on */

/* build - a message from a list of attributes (ends at a NULL name) */
static struct ipc_msg *build(const struct attr *attrs)
{
    struct ipc_msg *m = ipc_msg_create();
    int i;

    for (i = 0; i < MAX_ATTRS && attrs[i].name != NULL; i++) {
        if (attrs[i].type == IPC_INT)
            ipc_msg_add_int(m, attrs[i].name, attrs[i].i);
        else if (attrs[i].type == IPC_DATA)
            ipc_msg_add_data(m, attrs[i].name, attrs[i].s, strlen(attrs[i].s));
        else
            ipc_msg_add_str(m, attrs[i].name, attrs[i].s);
    }
    return m;
}

/* render - a message as text, in a static buffer */
static const char *render(const struct ipc_msg *m)
{
    static struct buf *b;

    if (b == NULL)
        b = buf_create(256, 4096);
    buf_reset(b);
    ipc_msg_render(m, b);
    return buf_str(b);
}

/* test_check_name - what service and ident may contain */
static void test_check_name(void)
{
    static const struct {
        const char *s;
        const char *error; /* NULL: accepted */
    } cases[] = {
        { "smtpd", NULL },
        { "192.0.2.1", NULL },
        { "2001:db8::1", NULL },
        { "alice@example.com/192.0.2.1", NULL },
        { "!~", NULL },
        { "", "ident is empty" },
        { "a b", "ident has the byte 0x20 at offset 1" },
        { " a", "ident has the byte 0x20 at offset 0" },
        { "a\tb", "ident has the byte 0x09 at offset 1" },
        { "a\r\n", "ident has the byte 0x0d at offset 1" },
        { "x\x7f", "ident has the byte 0x7f at offset 1" },
        { "caf\xc3\xa9", "ident has the byte 0xc3 at offset 3" },
    };
    char longest[ANVIL_NAME_MAX + 2];
    const char *error;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        error = NULL;
        if (cases[i].error == NULL) {
            if (!EXPECT_INT(anvil_proto_check_name("ident", cases[i].s, &error), 0))
                printf("  case %zu: %s\n", i, error);
        } else {
            EXPECT_INT(anvil_proto_check_name("ident", cases[i].s, &error), -1);
            EXPECT_CONTAINS(error, cases[i].error);
        }
    }
    memset(longest, 'a', ANVIL_NAME_MAX);
    longest[ANVIL_NAME_MAX] = '\0';
    EXPECT_INT(anvil_proto_check_name("service", longest, &error), 0);
    longest[ANVIL_NAME_MAX] = 'a';
    longest[ANVIL_NAME_MAX + 1] = '\0';
    EXPECT_INT(anvil_proto_check_name("service", longest, &error), -1);
    EXPECT_STR(error, "service is longer than 255 bytes");
}

/* test_check_requests - every request shape, good and bad */
static void test_check_requests(void)
{
    static const char long_name[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxZZZZ";
    static const struct {
        struct attr attrs[MAX_ATTRS];
        const char *want; /* "TYPE service/ident" when accepted, else the error */
    } cases[] = {
        { { STR("request", "connect"), STR("service", "smtpd"), STR("ident", "192.0.2.1") },
          "connect smtpd/192.0.2.1" },
        { { STR("request", "disconnect"), STR("service", "smtpd"), STR("ident", "192.0.2.1") },
          "disconnect smtpd/192.0.2.1" },
        { { STR("request", "message"), STR("service", "smtpd"), STR("ident", "192.0.2.1") },
          "message smtpd/192.0.2.1" },
        { { STR("request", "recipient"), STR("service", "s"), STR("ident", "i") }, "recipient s/i" },
        { { STR("request", "auth_fail"), STR("service", "authd"), STR("ident", "alice") },
          "auth_fail authd/alice" },
        { { STR("request", "lookup"), STR("service", "imapd"), STR("ident", "bob/::1") },
          "lookup imapd/bob/::1" },
        /* unknown attributes are ignored, in any order */
        { { STR("ident", "i"), INT("future", 7), STR("service", "s"), STR("request", "connect") },
          "connect s/i" },
        /* a repeated name: the first one counts */
        { { STR("request", "lookup"), STR("request", "nonsense"), STR("service", "s"), STR("ident", "i") },
          "lookup s/i" },
        { { { 0 } }, "missing attribute \"request\"" },
        { { STR("service", "s"), STR("ident", "i") }, "missing attribute \"request\"" },
        { { INT("request", 1), STR("service", "s"), STR("ident", "i") },
          "attribute \"request\" is an integer, expected a string" },
        { { DATA("request", "connect"), STR("service", "s"), STR("ident", "i") },
          "attribute \"request\" is data, expected a string" },
        { { STR("request", "frobnicate"), STR("service", "s"), STR("ident", "i") },
          "unknown request \"frobnicate\"" },
        { { STR("request", ""), STR("service", "s"), STR("ident", "i") }, "unknown request \"\"" },
        { { STR("request", "CONNECT"), STR("service", "s"), STR("ident", "i") },
          "unknown request \"CONNECT\"" },
        { { STR("request", "connect "), STR("service", "s"), STR("ident", "i") },
          "unknown request \"connect \"" },
        { { STR("request", long_name) },
          "unknown request \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"" },
        { { STR("request", "connect"), STR("ident", "i") }, "missing attribute \"service\"" },
        { { STR("request", "connect"), STR("service", "s") }, "missing attribute \"ident\"" },
        { { STR("request", "connect"), INT("service", 25), STR("ident", "i") },
          "attribute \"service\" is an integer, expected a string" },
        { { STR("request", "connect"), STR("service", "s"), DATA("ident", "i") },
          "attribute \"ident\" is data, expected a string" },
        { { STR("request", "connect"), STR("service", ""), STR("ident", "i") }, "service is empty" },
        { { STR("request", "connect"), STR("service", "s"), STR("ident", "") }, "ident is empty" },
        { { STR("request", "connect"), STR("service", "smtp d"), STR("ident", "i") },
          "service has the byte 0x20 at offset 4 (printable ASCII without space only)" },
        { { STR("request", "message"), STR("service", "s"), STR("ident", "1.2.3.4\n") },
          "ident has the byte 0x0a at offset 7 (printable ASCII without space only)" },
    };
    struct anvil_request req;
    struct ipc_msg *m;
    const char *error;
    char got[600];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        m = build(cases[i].attrs);
        error = NULL;
        if (anvil_proto_check(m, &req, &error) == 0)
            snprintf(got, sizeof(got), "%s %s/%s", req.name, req.service, req.ident);
        else
            snprintf(got, sizeof(got), "%s", error ? error : "(no error)");
        if (!EXPECT_STR(got, cases[i].want))
            printf("  case %zu: %s\n", i, render(m));
        ipc_msg_destroy(&m);
    }
}

/* One request of the dialogue and the exact reply. */
struct exchange {
    int owner; /* -1: release owner 0 and start a new one */
    uint64_t now;
    struct attr attrs[MAX_ATTRS];
    const char *reply;
    const char *logged; /* the error handle reports for logging, or NULL */
};

/* clang-format off */
#define REQ(r, s, i) { STR("request", r), STR("service", s), STR("ident", i) }
/* clang-format on */

static const struct exchange dialogue[] = {
    { 0, 0, REQ("connect", "smtpd", "192.0.2.1"), "status=0, count=1, rate=1", NULL },
    { 0, 1, REQ("connect", "smtpd", "192.0.2.1"), "status=0, count=2, rate=2", NULL },
    { 1, 2, REQ("connect", "smtpd", "192.0.2.1"), "status=0, count=3, rate=3", NULL },
    { 1, 3, REQ("message", "smtpd", "192.0.2.1"), "status=0, rate=1", NULL },
    { 1, 3, REQ("recipient", "smtpd", "192.0.2.1"), "status=0, rate=1", NULL },
    { 1, 4, REQ("recipient", "smtpd", "192.0.2.1"), "status=0, rate=2", NULL },
    { 0, 5, REQ("auth_fail", "smtpd", "192.0.2.1"), "status=0, rate=1", NULL },
    { 0, 6, REQ("lookup", "smtpd", "192.0.2.1"),
      "status=0, count=3, connect_rate=3, message_rate=1, recipient_rate=2, auth_fail_rate=1", NULL },
    { 0, 7, REQ("disconnect", "smtpd", "192.0.2.1"), "status=0", NULL },
    /* owner 0 goes away still holding one connection */
    { -1, 8, { { 0 } }, NULL, NULL },
    { 1, 9, REQ("lookup", "smtpd", "192.0.2.1"),
      "status=0, count=1, connect_rate=3, message_rate=1, recipient_rate=2, auth_fail_rate=1", NULL },
    /* disconnecting what this client does not hold is fine and changes nothing */
    { 0, 10, REQ("disconnect", "smtpd", "192.0.2.1"), "status=0", NULL },
    { 0, 10, REQ("lookup", "smtpd", "192.0.2.1"),
      "status=0, count=1, connect_rate=3, message_rate=1, recipient_rate=2, auth_fail_rate=1", NULL },
    { 0, 11, REQ("lookup", "smtpd", "198.51.100.7"),
      "status=0, count=0, connect_rate=0, message_rate=0, recipient_rate=0, auth_fail_rate=0", NULL },
    /* after the window (60 s) every rate starts over */
    { 0, 60000, REQ("connect", "smtpd", "192.0.2.1"), "status=0, count=2, rate=1", NULL },
    { 0, 60000, REQ("lookup", "smtpd", "192.0.2.1"),
      "status=0, count=2, connect_rate=1, message_rate=0, recipient_rate=0, auth_fail_rate=0", NULL },
    { 0, 60001, REQ("bogus", "smtpd", "192.0.2.1"), "status=1, reason=\"unknown request \\\"bogus\\\"\"",
      "unknown request \"bogus\"" },
    { 0,
      60001,
      { STR("request", "connect"), STR("service", "smtpd") },
      "status=1, reason=\"missing attribute \\\"ident\\\"\"",
      "missing attribute \"ident\"" },
    { 0, 60001, REQ("connect", "smtpd", "a b"),
      "status=1, reason=\"ident has the byte 0x20 at offset 1 (printable ASCII without space only)\"",
      "ident has the byte 0x20" },
    /* the table holds 4 keys, two of them busy: two more fit by evicting idle ones */
    { 0, 60002, REQ("message", "smtpd", "k1"), "status=0, rate=1", NULL },
    { 0, 60003, REQ("message", "smtpd", "k2"), "status=0, rate=1", NULL },
    { 1, 60004, REQ("connect", "smtpd", "k3"), "status=0, count=1, rate=1", NULL },
    { 1, 60005, REQ("connect", "smtpd", "k4"), "status=0, count=1, rate=1", NULL },
    { 1, 60006, REQ("connect", "smtpd", "k5"), "status=0, count=1, rate=1", NULL },
    { 0, 60007, REQ("auth_fail", "authd", "k6"), "status=1, reason=\"table full\"", NULL },
    { 0, 60007, REQ("connect", "authd", "k6"), "status=1, reason=\"table full\"", NULL },
    { 0, 60007, REQ("lookup", "authd", "k6"),
      "status=0, count=0, connect_rate=0, message_rate=0, recipient_rate=0, auth_fail_rate=0", NULL },
};

/* test_dialogue - replies to a scripted sequence of requests */
static void test_dialogue(void)
{
    struct anvil_table *t = anvil_table_create(4, 60000);
    struct anvil_owner *owners[2] = { anvil_owner_create(t), anvil_owner_create(t) };
    struct ipc_msg *m, *reply;
    const char *logged, *error;
    size_t i;

    for (i = 0; i < sizeof(dialogue) / sizeof(dialogue[0]); i++) {
        const struct exchange *x = &dialogue[i];

        if (x->owner < 0) {
            anvil_owner_destroy(&owners[0], x->now);
            owners[0] = anvil_owner_create(t);
            continue;
        }
        m = build(x->attrs);
        reply = anvil_proto_handle(t, owners[x->owner], m, x->now, &logged);
        if (!EXPECT_STR(render(reply), x->reply))
            printf("  exchange %zu: %s\n", i, render(m));
        if (x->logged == NULL)
            EXPECT_TRUE(logged == NULL);
        else
            EXPECT_CONTAINS(logged, x->logged);
        if (!EXPECT_INT(anvil_table_verify(t, &error), 0))
            printf("  exchange %zu: %s\n", i, error);
        ipc_msg_destroy(&reply);
        ipc_msg_destroy(&m);
    }
    anvil_owner_destroy(&owners[0], 0);
    anvil_owner_destroy(&owners[1], 0);
    anvil_table_destroy(&t);
}

/* test_refusal - the reply shape for a refusal */
static void test_refusal(void)
{
    struct ipc_msg *r = anvil_proto_refusal("table full");
    int64_t status;
    const char *reason, *error;

    EXPECT_INT(ipc_msg_get_int(r, "status", &status, &error), 0);
    EXPECT_INT(status, ANVIL_STATUS_REFUSED);
    EXPECT_INT(ipc_msg_get_str(r, "reason", &reason, &error), 0);
    EXPECT_STR(reason, "table full");
    ipc_msg_destroy(&r);
}

/* main - run every case */
int main(void)
{
    return test_run((const struct test_case[]){
        TEST_CASE(test_check_name),
        TEST_CASE(test_check_requests),
        TEST_CASE(test_dialogue),
        TEST_CASE(test_refusal),
        TEST_END,
    });
}
