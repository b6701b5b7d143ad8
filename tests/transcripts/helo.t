# HELO: one-line 250 with no extensions (RFC 5321 4.1.1.1), no ESMTP
# parameters after HELO (555, RFC 5321 4.1.1.11), a whole transaction, and
# the Received: header says "with SMTP" (RFC 5321 4.4).
S: 220 mx.petrel.test ESMTP Petrel
C: HELO client.test
S: 250 mx.petrel.test
C: MAIL FROM:<s@remote.test> SIZE=100
S: 555 5.5.4 Unsupported option (send EHLO for ESMTP)
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: via HELO
C:
C: hello
C: .
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: *: client=unknown[127.0.0.1]
L: *: from=<s@remote.test>, size=*, nrcpt=1 (queued as *)
M: alice@example.test 1
M: * 1
B: alice@example.test Received: from client.test (unknown [127.0.0.1])
B: alice@example.test *by mx.petrel.test (Petrel) with SMTP id *
B: alice@example.test Subject: via HELO
Q: 0
