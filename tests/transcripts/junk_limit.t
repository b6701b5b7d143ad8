# smtpd_junk_command_limit (THREATS.md b.2 #10): past the limit of NOOP,
# RSET, VRFY, HELP and unknown commands, 421 4.7.0 and close (RFC 5321
# 3.8: 421 before closing). The limit is 5 here. Nothing stored.
conf smtpd_junk_command_limit=5 smtpd_hard_error_limit=5
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C~ \{6:NOOP\r\n}
S{6}: 250 2.0.0 Ok
S: 421 4.7.0 mx.petrel.test Error: too many junk commands
S: <close>
L: too many junk commands from unknown[127.0.0.1]
M: * 0
Q: 0
