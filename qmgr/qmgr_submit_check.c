/* SPDX-License-Identifier: MIT
 * qmgr_submit_check - the qmgr-submit command table: for each request, the
 * states it may come in and the checks of its attributes. Pure functions
 * over a decoded ipc message, so the unit test and a fuzz target can drive
 * them without a daemon.
 *
 * Trusts: nothing; every attribute is checked for presence, type, length
 * (QMGR_SUBMIT_TEXT_MAX, SUBMIT_DATA_MAX) and control bytes. Unknown
 * attributes are ignored (protocols evolve).
 *
 * See also: qmgr_submit.h (the protocol and the check's contract).
 */
#include "qmgr_submit.h"

#include <string.h>
#include <strings.h>

#include "mail/mail_proto.h"
#include "util/err.h"
#include "util/ipc.h"

const char *const qmgr_submit_client_attrs[5] = { MA_CLIENT_ADDR, MA_CLIENT_NAME, MA_HELO, MA_TLS, MA_AUTH };

typedef int submit_parse_fn(const struct ipc_msg *m, struct qmgr_submit_args *a, const char **error_r);

/* One row per request: its name, the states it may come in, its checks. */
struct submit_command {
    const char *name;
    enum qmgr_submit_req req;
    unsigned states;
    submit_parse_fn *parse;
};

#define ST(s) (1u << (s))

/* check_text - at most QMGR_SUBMIT_TEXT_MAX bytes, no control characters */
static int check_text(const char *name, const char *s, size_t len, const char **error_r)
{
    size_t i;

    if (len > QMGR_SUBMIT_TEXT_MAX)
        return errf(error_r, "attribute \"%s\" is longer than %d bytes", name, QMGR_SUBMIT_TEXT_MAX);
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return errf(error_r, "attribute \"%s\" has the control byte 0x%02x at offset %zu", name,
                        (unsigned char)s[i], i);
    return 0;
}

/* get_text - a string attribute: required, or optional (NULL if absent) */
static int get_text(const struct ipc_msg *m, const char *name, bool required, const char **s_r,
                    const char **error_r)
{
    *s_r = NULL;
    if (!required && !ipc_msg_has(m, name))
        return 0;
    if (ipc_msg_get_str(m, name, s_r, error_r) < 0)
        return -1;
    return check_text(name, *s_r, strlen(*s_r), error_r);
}

/* get_int - an optional integer attribute within [min, max] */
static int get_int(const struct ipc_msg *m, const char *name, int64_t min, int64_t max, int64_t *v_r,
                   const char **error_r)
{
    if (!ipc_msg_has(m, name))
        return 0;
    if (ipc_msg_get_int(m, name, v_r, error_r) < 0)
        return -1;
    if (*v_r < min || *v_r > max)
        return errf(error_r, "attribute \"%s\" is out of range: %lld", name, (long long)*v_r);
    return 0;
}

/* parse_begin - sender, protocol, the client attributes, DSN and hints */
static int parse_begin(const struct ipc_msg *m, struct qmgr_submit_args *a, const char **error_r)
{
    int64_t utf8 = 0;
    size_t i;

    a->size = -1;
    a->uid = -1;
    if (get_text(m, MA_SENDER, true, &a->sender, error_r) < 0
        || get_text(m, MA_PROTOCOL, true, &a->protocol, error_r) < 0
        || get_text(m, MA_ENVID, false, &a->envid, error_r) < 0
        || get_text(m, MA_RET, false, &a->ret, error_r) < 0
        || get_int(m, MA_SMTPUTF8, 0, 1, &utf8, error_r) < 0
        || get_int(m, MA_SIZE, 0, INT64_MAX, &a->size, error_r) < 0
        || get_int(m, MA_UID, 0, 4294967294LL, &a->uid, error_r) < 0)
        return -1;
    for (i = 0; i < 5; i++)
        if (get_text(m, qmgr_submit_client_attrs[i], false, &a->client[i], error_r) < 0)
            return -1;
    if (a->protocol[0] == '\0')
        return errf(error_r, "attribute \"%s\" is empty", MA_PROTOCOL);
    if (a->ret != NULL && strcmp(a->ret, "FULL") != 0 && strcmp(a->ret, "HDRS") != 0)
        return errf(error_r, "attribute \"%s\" is neither FULL nor HDRS", MA_RET);
    a->smtputf8 = utf8 != 0;
    return 0;
}

/* check_notify - NEVER, or a comma list of SUCCESS, DELAY, FAILURE */
static int check_notify(const char *s, const char **error_r)
{
    static const char *const words[] = { "SUCCESS", "DELAY", "FAILURE" };
    size_t len, i;

    if (strcasecmp(s, "NEVER") == 0)
        return 0;
    for (;;) {
        len = strcspn(s, ",");
        for (i = 0; i < 3; i++)
            if (strlen(words[i]) == len && strncasecmp(s, words[i], len) == 0)
                break;
        if (i == 3)
            return errf(error_r, "attribute \"%s\" is not NEVER or a list of SUCCESS,DELAY,FAILURE",
                        MA_NOTIFY);
        if (s[len] == '\0')
            return 0;
        s += len + 1;
    }
}

/* parse_rcpt - address, optional orcpt and notify */
static int parse_rcpt(const struct ipc_msg *m, struct qmgr_submit_args *a, const char **error_r)
{
    if (get_text(m, MA_ADDRESS, true, &a->address, error_r) < 0
        || get_text(m, MA_ORCPT, false, &a->orcpt, error_r) < 0
        || get_text(m, MA_NOTIFY, false, &a->notify, error_r) < 0)
        return -1;
    if (a->address[0] == '\0')
        return errf(error_r, "attribute \"%s\" is empty", MA_ADDRESS);
    if (a->orcpt != NULL && (strchr(a->orcpt, ';') == NULL || a->orcpt[0] == ';'))
        return errf(error_r, "attribute \"%s\" is not of the form TYPE;ADDRESS", MA_ORCPT);
    if (a->notify != NULL && check_notify(a->notify, error_r) < 0)
        return -1;
    return 0;
}

/* parse_data - one chunk of content */
static int parse_data(const struct ipc_msg *m, struct qmgr_submit_args *a, const char **error_r)
{
    if (ipc_msg_get_data(m, MA_DATA, &a->data, &a->len, error_r) < 0)
        return -1;
    if (a->len > SUBMIT_DATA_MAX)
        return errf(error_r, "data frame of %zu bytes exceeds %d", a->len, SUBMIT_DATA_MAX);
    return 0;
}

static const struct submit_command submit_commands[] = {
    { SUBMIT_REQ_BEGIN, QMGR_REQ_BEGIN, ST(QMGR_SUBMIT_BEGIN), parse_begin },
    { SUBMIT_REQ_RCPT, QMGR_REQ_RCPT, ST(QMGR_SUBMIT_RCPT), parse_rcpt },
    { SUBMIT_REQ_DATA, QMGR_REQ_DATA, ST(QMGR_SUBMIT_RCPT) | ST(QMGR_SUBMIT_DATA), parse_data },
    { SUBMIT_REQ_END, QMGR_REQ_END, ST(QMGR_SUBMIT_RCPT) | ST(QMGR_SUBMIT_DATA), NULL },
    { SUBMIT_REQ_ABORT, QMGR_REQ_ABORT, ST(QMGR_SUBMIT_BEGIN) | ST(QMGR_SUBMIT_RCPT) | ST(QMGR_SUBMIT_DATA),
      NULL },
};
#define SUBMIT_COMMAND_COUNT (sizeof(submit_commands) / sizeof(submit_commands[0]))

/* state_name - for error texts */
static const char *state_name(enum qmgr_submit_state state)
{
    static const char *const names[] = { "before begin", "after begin", "after data", "after end",
                                         "after the reply" };

    return names[state];
}

/* qmgr_submit_check - the command table: name, order, attributes */
int qmgr_submit_check(enum qmgr_submit_state state, const struct ipc_msg *m, struct qmgr_submit_args *a,
                      const char **dsn_r, const char **error_r)
{
    const struct submit_command *cmd = NULL;
    const char *name;
    size_t i;

    memset(a, 0, sizeof(*a));
    *dsn_r = "5.5.1";
    if (ipc_msg_get_str(m, MA_REQUEST, &name, error_r) < 0)
        return -1;
    for (i = 0; i < SUBMIT_COMMAND_COUNT && cmd == NULL; i++)
        if (strcmp(submit_commands[i].name, name) == 0)
            cmd = &submit_commands[i];
    if (cmd == NULL)
        return errf(error_r, "unknown request \"%.64s\"", name);
    a->req = cmd->req;
    if ((cmd->states & ST(state)) == 0)
        return errf(error_r, "request \"%s\" out of order (%s)", cmd->name, state_name(state));
    *dsn_r = "5.5.4";
    if (cmd->parse != NULL && cmd->parse(m, a, error_r) < 0)
        return -1;
    *dsn_r = "2.0.0";
    return 0;
}
