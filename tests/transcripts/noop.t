# NOOP (RFC 5321 4.1.1.9): 250 in every state, with or without a
# parameter (THREATS.md b.2 #16), and it leaves the transaction alone.
S: 220 mx.petrel.test ESMTP Petrel
C: NOOP
S: 250 2.0.0 Ok
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: NOOP
S: 250 2.0.0 Ok
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: NOOP ((((
S: 250 2.0.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: noop "
S: 250 2.0.0 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: after noops
C:
C: x
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: alice@example.test 1
M: * 1
Q: 0
