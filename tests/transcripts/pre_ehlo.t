# Commands before EHLO/HELO: MAIL is refused with 503 5.5.1 (RFC 5321
# 4.1.4: a session must start with EHLO/HELO), RCPT/DATA/BDAT are out of
# sequence (503 5.5.1, RFC 5321 4.3.2; a refused BDAT's chunk is still
# read, RFC 3030 2), NOOP works, and then EHLO opens the session.
S: 220 mx.petrel.test ESMTP Petrel
C: MAIL FROM:<s@remote.test>
S: 503 5.5.1 Error: send HELO/EHLO first
C: RCPT TO:<alice@example.test>
S: 503 5.5.1 Error: need MAIL command
C: DATA
S: 503 5.5.1 Error: need RCPT command
C~ BDAT 5\r\nhello
S: 503 5.5.1 Error: need RCPT command
C: NOOP
S: 250 2.0.0 Ok
C: HELO client.test
S: 250 mx.petrel.test
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 503 5.5.1 Error: send HELO/EHLO first; from=<> proto=SMTP helo=<>
M: * 0
Q: 0
