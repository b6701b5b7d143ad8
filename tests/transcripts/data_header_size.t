# header_size_limit: a header section past the limit is refused with
# 552 5.3.4 after the end of data, though the message is under
# message_size_limit (THREATS.md b.5 #39). Nothing is stored.
conf message_size_limit=4096 header_size_limit=1024
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: many headers\r\n\{30:X-Filler: 0123456789012345678901234567890123456789\r\n}\r\nbody\r\n.\r\n
S: 552 5.3.4 Error: message header size exceeds limit
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C~ Subject: long body\r\n\r\n\{30:0123456789012345678901234567890123456789012345678\r\n}.\r\n
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
L: *: reject: DATA from unknown[127.0.0.1]: 552 5.3.4 Error: message header size exceeds limit; *
M: alice@example.test 1
M: * 1
Q: 0
