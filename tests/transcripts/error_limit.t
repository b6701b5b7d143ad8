# smtpd_hard_error_limit (THREATS.md b.2 #10): after that many errors,
# 421 4.7.0 and close (RFC 5321 3.8). The limit is 5 here; the errors are
# out-of-sequence RCPTs (not junk). Nothing stored.
conf smtpd_junk_command_limit=5 smtpd_hard_error_limit=5
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C~ \{4:RCPT TO:<alice@example.test>\r\n}
S{4}: 503 5.5.1 Error: need MAIL command
S: 421 4.7.0 mx.petrel.test Error: too many errors
S: <close>
L: too many errors from unknown[127.0.0.1]
M: * 0
Q: 0
