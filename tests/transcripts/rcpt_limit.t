# smtpd_recipient_limit: recipients past the limit get 452 4.5.3 (RFC 5321
# 4.5.3.1.10, RFC 3463 X.5.3; THREATS.md b.2 #11); the accepted ones stay,
# and the count starts again with the next transaction.
conf smtpd_recipient_limit=3
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<alice+two@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<bob+four@example.test>
S: 452 4.5.3 Error: too many recipients
C: RCPT TO:<bob+five@example.test>
S: 452 4.5.3 Error: too many recipients
C: RSET
S: 250 2.0.0 Ok
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<bob+three@example.test>
S: 250 2.1.5 Ok
C: RCPT TO:<bob+four@example.test>
S: 452 4.5.3 Error: too many recipients
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: three recipients
C:
C: x
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: *: from=<s@remote.test>, size=*, nrcpt=3 (queued as *)
M: alice@example.test 1
Q: 0
