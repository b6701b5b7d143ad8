# BDAT (RFC 3030): a chunk without LAST gets "250 2.0.0 N octets received",
# the LAST chunk commits the message; BDAT 0 LAST ends a message
# (RFC 3030 2: a zero-length final chunk is allowed); chunk bytes are not
# dot-unstuffed (RFC 3030 3).
S: 220 mx.petrel.test ESMTP Petrel
C: EHLO client.test
S{8}: 250-*
S: 250 STARTTLS
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<alice@example.test>
S: 250 2.1.5 Ok
C~ BDAT 20\r\nSubject: chunked\r\n\r\n
S: 250 2.0.0 20 octets received
C~ BDAT 12 LAST\r\n..two dots\r\n
S: 250 2.0.0 Ok: queued as *
L: *: from=<s@remote.test>, size=*, nrcpt=1 (queued as *)
M: alice@example.test 1
B: alice@example.test Subject: chunked
B: alice@example.test ..two dots
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Ok
C~ BDAT 23\r\nSubject: chunk 0\r\n\r\nx\r\n
S: 250 2.0.0 23 octets received
C: BDAT 0 LAST
S: 250 2.0.0 Ok: queued as *
M: bob@example.test 1
B: bob@example.test Subject: chunk 0
C: MAIL FROM:<s@remote.test>
S: 250 2.1.0 Ok
C: RCPT TO:<bob@example.test>
S: 250 2.1.5 Ok
C: BDAT 0 LAST
S: 250 2.0.0 Ok: queued as *
C: QUIT
S: 221 2.0.0 Bye
S: <close>
M: bob@example.test 2
M: * 3
Q: 0
