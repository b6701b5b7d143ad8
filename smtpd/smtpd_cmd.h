/* SPDX-License-Identifier: MIT
 * smtpd_cmd - the SMTP command table: for each verb, the states it is
 * allowed in, whether it counts as junk, a pure check (syntax, state,
 * limits, policy -> the reply) and a proceed (the effect).
 *
 * Input: one command line as smtp_cmd parsed it (untrusted, bounded by
 * smtpd_line_length_limit). A check never changes the session: it fills
 * a struct smtpd_check with what it parsed and the reply to give, so the
 * checks can be unit-tested and fuzzed without effects.
 *
 * See also: smtpd_session.h, smtp_cmd.h, RFC 5321, 1870, 2920, 3030,
 * 3461, 6152, 6531.
 */
#ifndef PETREL_SMTPD_CMD_H
#define PETREL_SMTPD_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "smtp/smtp_addr.h"
#include "smtp/smtp_cmd.h"
#include "smtp/smtp_param.h"
#include "smtpd_policy.h"

struct smtpd_session;

/* What a check found: the reply (code 0: proceed decides) and the parsed
 * arguments proceed uses. */
struct smtpd_check {
    int code;
    const char *ecode;
    const char *text;
    struct smtp_addr addr;
    struct smtp_params params;
    struct smtpd_rcpt_result rcpt;
    uint64_t bdat_size;
    bool bdat_last;
    bool bdat_size_ok; /* the chunk size parsed: its bytes must be read */
};

/* smtpd_cmd_check - run the verb's check; 0 when proceed may run, -1
 * with chk->code/ecode/text the refusal */
int smtpd_cmd_check(const struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *chk);
/* smtpd_cmd_proceed - the verb's effect (after a successful check) */
void smtpd_cmd_proceed(struct smtpd_session *s, const struct smtp_cmd *cmd, struct smtpd_check *chk);
/* smtpd_cmd_is_junk - NOOP, RSET, VRFY, HELP and unknown verbs */
bool smtpd_cmd_is_junk(enum smtp_verb verb);
/* smtpd_cmd_bdat_size - parse "n [LAST]" strictly (digits only, no
 * overflow); 0, or -1 */
int smtpd_cmd_bdat_size(const char *arg, size_t len, uint64_t *size_r, bool *last_r);

#endif
