# message_size_limit: EHLO announces it (RFC 1870), MAIL SIZE= past it is
# 552 5.3.4 at once, a message that grows past it while it is read gets
# 552 5.3.4 after its end (RFC 5321 4.5.3.1.10, RFC 1870 6.3; THREATS.md
# b.5 #44); the session goes on. Nothing is stored.
conf message_size_limit=4096 header_size_limit=1024
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S: 250-mx.petrel.test
S: 250-PIPELINING
S: 250-SIZE 4096
S{5}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test> SIZE=4097
S: 552 5.3.4 Message size exceeds fixed limit
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: big\r\n\r\n\{100:0123456789012345678901234567890123456789012345678\r\n}.\r\n
S: 552 5.3.4 Error: message file too big
L: *: reject: DATA from unknown[127.0.0.1]: 552 5.3.4 Error: message file too big; *
C: NOOP
S: 250 2.0.0 Ok
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: * 0
Q: 0
