# RSET (RFC 5321 4.1.1.5): 250, forgets the envelope, takes no argument.
S: 220 mx.petrel.test ESMTP Petrel
C: RSET
S: 250 2.0.0 Ok
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: RSET
S: 250 2.0.0 Ok
C: DATA
S: 503 5.5.1 Error: need RCPT command
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C: RSET everything
S: 501 5.5.4 Error: syntax: RSET takes no argument
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
